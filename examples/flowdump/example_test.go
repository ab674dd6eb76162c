// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"os"
	"strings"
)

// Checking a dump taken with ovs-appctl dpctl/dump-flows -m --names on the
// userspace datapath, and counting its flows.
func Example() {
	dump := `flow-dump from the main thread:
ufid:11111111-2222-3333-4444-555555555501, recirc_id(0),in_port(pf0vf0),eth_type(0x0800),ipv4(frag=no), packets:3, bytes:294, used:0.5s, dp:ovs, actions:pf0vf1
ufid:11111111-2222-3333-4444-555555555502, recirc_id(0),in_port(pf0vf1),eth_type(0x0800),ipv4(frag=no), packets:3, bytes:294, used:0.5s, offloaded:yes, dp:tc, actions:pf0vf0
`
	code := run([]string{"--check", "--stats"}, strings.NewReader(dump), os.Stdout, os.Stderr)
	fmt.Println("exit status", code)
	// Output:
	// dpctl flows: 2
	//   dp: ovs=1 tc=1
	//   offloaded: no=1 yes=1
	//   in_port: pf0vf0=1 pf0vf1=1
	// checked 2 flows: 0 errors
	// exit status 0
}
