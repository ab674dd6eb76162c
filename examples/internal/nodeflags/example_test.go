// SPDX-License-Identifier: Apache-2.0

package nodeflags_test

import (
	"fmt"
	"strings"

	"github.com/ovsoffload/ovsoffload/examples/internal/nodeflags"
	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// --backend auto reads what ovs-vswitchd reports and what the database asks
// for: OVS-DOCA initialised wins, then hw-offload=true (kernel TC).
func ExampleChoose() {
	on := true
	fmt.Println(nodeflags.Choose(ovsdb.Status{HasDOCA: true, DOCAInitialized: true}, ovsdb.OffloadSettings{HWOffload: &on}))
	fmt.Println(nodeflags.Choose(ovsdb.Status{}, ovsdb.OffloadSettings{HWOffload: &on}))
	fmt.Println(nodeflags.Choose(ovsdb.Status{HasDOCA: true}, ovsdb.OffloadSettings{}))
	// Output:
	// doca auto: OVS-DOCA reports doca_initialized=true
	// tc auto: other_config:hw-offload=true and OVS-DOCA is not initialised
	// none auto: other_config:hw-offload is not true
}

// A saved dump, with the userspace datapath's thread headers, becomes flows.
func ExampleScanDump() {
	dump := `flow-dump from the main thread:
ufid:9d1e2f30-4a5b-4c6d-8e7f-a0b1c2d3e401, recirc_id(0),in_port(pf0vf0),eth_type(0x0800),ipv4(frag=no), packets:12, bytes:1176, used:0.210s, offloaded:yes, dp:doca, actions:pf0vf1
`
	flows, err := nodeflags.ScanDump(strings.NewReader(dump))
	if err != nil {
		panic(err)
	}
	for _, f := range flows {
		fmt.Println(f.InPort(), f.DPLayer(), f.OffloadState())
	}
	// Output:
	// pf0vf0 doca yes
}
