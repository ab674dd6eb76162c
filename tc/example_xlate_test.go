// SPDX-License-Identifier: Apache-2.0

package tc_test

import (
	"fmt"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/tc"
)

// Why OVS keeps a datapath flow out of TC, as its own translation decides,
// and the filter it installs for one it accepts.
func ExampleTranslator() {
	x := &tc.Translator{
		Features: tc.OVSFeatures{Version: "3.1.0", CTStateBits: 0x27, CTStateKnown: true},
		Ifindex:  func(port string) (int, bool) { return map[string]int{"pf0vf0": 7, "pf0vf1": 8}[port], true },
	}
	for _, line := range []string{
		"skb_mark(0x5),recirc_id(0),in_port(pf0vf0),eth_type(0x0800),ipv4(frag=no), packets:0, bytes:0, used:never, actions:pf0vf1",
		"recirc_id(0),in_port(pf0vf0),eth_type(0x0800),ipv4(frag=no), packets:0, bytes:0, used:never, actions:sample(sample=10.0%,actions(userspace(pid=1))),pf0vf1",
		"ct_state(+trk+rpl),recirc_id(0),in_port(pf0vf0),eth_type(0x0800),ipv4(frag=no), packets:0, bytes:0, used:never, actions:pf0vf1",
		"ct_state(+trk+est),recirc_id(0),in_port(pf0vf0),eth_type(0x0800),ipv4(frag=no), packets:0, bytes:0, used:never, actions:pf0vf1",
	} {
		f, err := dpflow.Parse(line)
		if err != nil {
			panic(err)
		}
		t := x.Translate(f)
		if t.Offloadable {
			fmt.Println("offloadable:", tc.Command(t.Spec))
			continue
		}
		fmt.Println(t.Reasons[0].Code)
	}
	// Output:
	// match-not-offloadable
	// action-not-offloadable
	// ct-state-unsupported
	// offloadable: tc filter add dev if7 ingress chain 0 prio 0 handle 0x1 protocol 0x0800 flower ip_flags 0x0/0x1 ct_state +est+trk action mirred egress redirect dev if8
}
