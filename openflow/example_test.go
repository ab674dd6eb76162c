// SPDX-License-Identifier: Apache-2.0

package openflow_test

import (
	"fmt"
	"strings"

	"github.com/digitalocean/go-openvswitch/ovs"

	"github.com/ovsoffload/ovsoffload/openflow"
)

func Example() {
	line := "cookie=0x5adc15c0, duration=12.345s, table=44, n_packets=3, n_bytes=294, idle_age=2, " +
		"priority=2002,ct_state=+new-est+trk,ip,reg15=0x3,metadata=0x1 " +
		"actions=load:0x1->NXM_NX_XXREG0[97],ct(commit,zone=NXM_NX_REG13[0..15],exec(load:0->NXM_NX_CT_LABEL[0])),resubmit(,45)"
	f, err := openflow.Parse(line)
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Table, f.Priority, f.Packets, f.Duration)
	for i, m := range f.Match {
		if i > 0 {
			fmt.Print(" ")
		}
		fmt.Printf("%s[%s]", m.Name, m.Kind())
	}
	fmt.Println()
	for _, a := range f.Actions {
		switch a := a.(type) {
		case *openflow.CT:
			fmt.Println("ct zone", a.Zone, "commit", a.Commit, "exec", openflow.FormatAction(a.Exec[0]))
		case *openflow.Resubmit:
			fmt.Println("resubmit to table", a.Table)
		default:
			fmt.Println(openflow.FormatAction(a))
		}
	}
	fmt.Println(openflow.Format(f) == line)
	// Output:
	// 44 2002 3 12.345s
	// ct_state[flags] ip[protocol] reg15[integer] metadata[integer]
	// load:0x1->NXM_NX_XXREG0[97]
	// ct zone NXM_NX_REG13[0..15] commit true exec load:0->NXM_NX_CT_LABEL[0]
	// resubmit to table 45
	// true
}

func ExampleScanner() {
	dump := `NXST_FLOW reply (xid=0x4):
 cookie=0x0, duration=5.028s, table=0, n_packets=12, n_bytes=1008, idle_age=1, priority=100,in_port="pf0vf0" actions=resubmit(,8)
 cookie=0x0, duration=5.027s, table=8, n_packets=?, n_bytes=?, priority=50,packet_type=(1,0x800) actions=drop
`
	sc := openflow.NewScanner(strings.NewReader(dump))
	for sc.Scan() {
		f, err := sc.Flow()
		if err != nil {
			fmt.Println(err)
			continue
		}
		port, _ := f.InPort()
		fmt.Printf("line %d: table %d in_port %q packets known %v\n", sc.Line(), f.Table, port, f.Packets != openflow.Unknown)
	}
	// Output:
	// line 2: table 0 in_port "pf0vf0" packets known true
	// line 3: table 8 in_port "" packets known false
}

// Programming flows: one atomic bundle that replaces the flows of cookie 0x1
// in table 10 and adds a default drop. It needs a running switch, so it is
// compiled but not run.
func ExampleProgrammer_Apply() {
	sel, err := openflow.Parse("cookie=0x1/-1,table=10")
	if err != nil {
		panic(err)
	}
	allow, err := openflow.Parse("cookie=0x1,table=10,priority=100,ip,nw_src=10.0.0.0/8,actions=ct(commit,zone=5),resubmit(,11)")
	if err != nil {
		panic(err)
	}
	deny, err := openflow.Parse("cookie=0x1,table=10,priority=0,actions=drop")
	if err != nil {
		panic(err)
	}
	var b openflow.Bundle
	b.Replace(sel, allow, deny)
	p := openflow.NewProgrammer(ovs.New(ovs.Timeout(10)))
	if err := p.Apply("br-int", &b); err != nil {
		fmt.Println(err)
	}
}
