// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/offload"
)

// A pod's flows are those entering through its port and those sending to
// it: here pf0vf0's pod talks to pf0vf1, and a broadcast from the uplink
// reaches both.
func Example_selectFlows() {
	var flows []*dpflow.Flow
	for _, line := range []string{
		"ufid:11111111-2222-3333-4444-555555555501, recirc_id(0),in_port(pf0vf0),eth_type(0x0800),ipv4(frag=no), packets:10, bytes:980, used:0.5s, offloaded:yes, dp:doca, actions:pf0vf1",
		"ufid:11111111-2222-3333-4444-555555555502, recirc_id(0),in_port(pf0vf1),eth_type(0x0800),ipv4(frag=no), packets:10, bytes:980, used:0.5s, offloaded:yes, dp:doca, actions:pf0vf0",
		"ufid:11111111-2222-3333-4444-555555555503, recirc_id(0),in_port(p0),eth_type(0x0806), packets:1, bytes:42, used:1.0s, dp:ovs, actions:pf0vf0,pf0vf1",
		"ufid:11111111-2222-3333-4444-555555555504, recirc_id(0),in_port(p0),eth_type(0x0800),ipv4(frag=no), packets:7, bytes:700, used:1.0s, offloaded:yes, dp:doca, actions:pf0hpf",
	} {
		f, err := dpflow.Parse(line)
		if err != nil {
			panic(err)
		}
		flows = append(flows, f)
	}
	report := offload.Classify(flows, offload.Facts{Backend: "doca", HWOffload: true})
	pod, why := selectFlows(report, []string{"pf0vf0"})
	for i, f := range pod.Flows {
		fmt.Println(f.InPort, f.State, "selected by", why[i])
	}
	fmt.Println("all in hardware:", pod.AllInHardware())
	// Output:
	// pf0vf0 in-hardware selected by in_port(pf0vf0)
	// pf0vf1 in-hardware selected by output:pf0vf0
	// p0 ovs-only selected by output:pf0vf0
	// all in hardware: false
}
