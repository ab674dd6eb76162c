// SPDX-License-Identifier: Apache-2.0

package dpflow_test

import (
	"fmt"
	"strings"

	"github.com/ovsoffload/ovsoffload/dpflow"
)

// Parse a line of `ovs-appctl dpctl/dump-flows -m`, read its typed parts and
// format it back.
func Example() {
	line := "ufid:1b8e9bd4-5b07-4a1f-9b4c-7a0d3c2e1f00, recirc_id(0),in_port(2),ct_state(-trk)," +
		"eth(src=0a:58:0a:f4:00:05,dst=0a:58:0a:f4:00:01),eth_type(0x0800),ipv4(src=10.244.0.5,dst=10.96.0.0/255.255.0.0,proto=6,frag=no)," +
		"tcp(dst=443), packets:12, bytes:1532, used:0.310s, flags:SP., offloaded:yes, dp:tc, " +
		"actions:ct(zone=12,nat),recirc(0x2a)"
	f, err := dpflow.Parse(line)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("ufid:", f.UFID)
	fmt.Println("in_port:", f.InPort(), "dp:", f.DPLayer(), "offloaded:", f.OffloadState())
	ipv4, _ := f.Key(dpflow.KeyIPv4)
	dst, _ := ipv4.Field("dst")
	addr, _ := dst.IP()
	mask, _ := dst.MaskIP()
	fmt.Println("ipv4 dst:", addr, "mask", mask)
	for _, a := range f.Actions {
		switch a.Kind {
		case dpflow.ActionCT:
			zone, _ := a.Field("zone")
			z, _ := zone.Uint()
			fmt.Println("ct zone", z, "nat:", a.Has("nat"))
		case dpflow.ActionRecirc:
			id, _ := a.Uint()
			fmt.Println("recirc", id)
		}
	}
	fmt.Println("round trip:", f.String() == line)

	_, err = dpflow.Parse(strings.Replace(line, "10.244.0.5", "10.244.0.500", 1))
	fmt.Println(err)
	// Output:
	// ufid: 1b8e9bd4-5b07-4a1f-9b4c-7a0d3c2e1f00
	// in_port: 2 dp: tc offloaded: yes
	// ipv4 dst: 10.96.0.0 mask 255.255.0.0
	// ct zone 12 nat: true
	// recirc 42
	// round trip: true
	// dpflow: column 154: bad ipv4 value "10.244.0.500" near "src=10.244.0.500,dst=10.96.0.0/255.255.0"
}

// Stream a dump: memory stays bounded by one flow.
func ExampleScanner() {
	dump := `flow-dump from the main thread:
recirc_id(0),in_port(1),eth_type(0x0800),ipv4(frag=no), packets:5, bytes:530, used:0.0s, actions:2
flow-dump from pmd on cpu core: 3
recirc_id(0),in_port(2),eth_type(0x0806), packets:0, bytes:0, used:never, actions:drop
`
	sc := dpflow.NewScanner(strings.NewReader(dump))
	for sc.Scan() {
		if h, ok := sc.Header(); ok {
			fmt.Println("#", h)
			continue
		}
		f := sc.Flow()
		fmt.Println(f.InPort(), f.Stats.Packets, f.Stats.Used.Never(), f.Actions[0].Kind)
	}
	if err := sc.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// # flow-dump from the main thread:
	// 1 5 false output
	// # flow-dump from pmd on cpu core: 3
	// 2 0 true drop
}
