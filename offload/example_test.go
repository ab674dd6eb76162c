// SPDX-License-Identifier: Apache-2.0

package offload_test

import (
	"fmt"
	"io"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/offload"
)

// Classify a dump against what a backend found: here one flow whose TC
// filter is in hardware and one that OVS keeps in its slow path.
func ExampleClassify() {
	var flows []*dpflow.Flow
	for _, line := range []string{
		"ufid:11111111-2222-3333-4444-555555555555, recirc_id(0),in_port(pf0vf0),eth_type(0x0800),ipv4(frag=no), packets:10, bytes:980, used:0.5s, offloaded:yes, dp:tc, actions:pf0vf1",
		"ufid:bbbbbbbb-2222-3333-4444-555555555555, recirc_id(0),in_port(pf0vf1),eth_type(0x0806), packets:1, bytes:42, used:1.0s, dp:ovs, actions:userspace(pid=1,slow_path(action))",
	} {
		f, err := dpflow.Parse(line)
		if err != nil {
			panic(err)
		}
		flows = append(flows, f)
	}
	inHW, _ := dpflow.ParseUFID("11111111-2222-3333-4444-555555555555")
	r := offload.Classify(flows, offload.Facts{
		Backend:   "tc",
		HWOffload: true,
		Ports:     map[string]offload.PortFacts{"pf0vf0": {Representor: "pf0vf0", Pod: "default/testpod1"}},
		Evidence: func(u dpflow.UFID) (offload.Evidence, bool) {
			return offload.Evidence{Source: "tc filter dev pf0vf0 ingress", InHW: true, InHWCount: 1}, u == inHW
		},
	})
	for _, v := range r.Flows {
		fmt.Println(v.InPort, v.State, v.Pod, v.Reasons)
	}
	fmt.Println("all in hardware:", r.AllInHardware())
	_ = r.WriteTable(io.Discard) // or os.Stdout for people
	// Output:
	// pf0vf0 in-hardware default/testpod1 []
	// pf0vf1 ovs-only  [{action-not-offloadable userspace(slow_path(...)): OVS keeps this flow in its slow path}]
	// all in hardware: false
}

// Two reads of the same flow's counters: its filter is in hardware, but 40
// packets were counted in software in between, which OVS's own packets:
// (hardware and software added together) does not show.
func ExampleReport_CompareCounters() {
	f, err := dpflow.Parse("ufid:11111111-2222-3333-4444-555555555555, recirc_id(0),in_port(pf0vf0),eth_type(0x0800),ipv4(frag=no), packets:10, bytes:980, used:0.5s, offloaded:yes, dp:tc, actions:pf0vf1")
	if err != nil {
		panic(err)
	}
	read := func(hw, sw uint64) *offload.Report {
		return offload.Classify([]*dpflow.Flow{f}, offload.Facts{Backend: "tc", HWOffload: true,
			Evidence: func(dpflow.UFID) (offload.Evidence, bool) {
				return offload.Evidence{Source: "tc filter dev pf0vf0 ingress", InHW: true,
					Counters: &offload.Counters{HWPackets: hw, SWPackets: sw, HWReported: true}}, true
			}})
	}
	first := read(1000, 3)
	second := read(1500, 43)
	fmt.Println("flagged:", second.CompareCounters(first))
	v := second.Flows[0]
	fmt.Println(v.State, v.Counters.HWPackets, v.Counters.SWPackets, v.TrafficInSoftware)
	fmt.Println(v.Reasons[0].Detail)
	// Output:
	// flagged: 1
	// in-hardware 1500 43 true
	// in hardware, but traffic in software: 40 packets in software since the previous read (500 in hardware)
}
