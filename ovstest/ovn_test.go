// SPDX-License-Identifier: Apache-2.0

package ovstest

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestIntegrationOVNTwoChassis builds two DPU-like chassis on one underlay,
// each with the seed guide's uplink bridge brp0 (uplink p0, encap IP and
// default route on the bridge) and br-int, and checks that pods on
// different chassis reach each other through a geneve tunnel.
func TestIntegrationOVNTwoChassis(t *testing.T) {
	central := StartOVNCentral(t)
	under := NewUnderlay(t, "10.1.65.1/24")
	var chassis []*Switch
	for i, ip := range []string{"10.1.65.155", "10.1.65.156"} {
		sw := StartSwitch(t)
		under.Attach(t, sw, "p0")
		sw.Vsctl(t, "add-br", "brp0", "--", "set", "Bridge", "brp0", "datapath_type=netdev",
			"--", "add-port", "brp0", "p0")
		sw.Exec(t, "ip", "addr", "add", ip+"/24", "dev", "brp0")
		sw.Exec(t, "ip", "link", "set", "brp0", "up")
		sw.Exec(t, "ip", "route", "add", "default", "via", "10.1.65.1", "dev", "brp0")
		sw.Vsctl(t, "add-br", "br-int", "--", "set", "Bridge", "br-int", "datapath_type=netdev", "fail-mode=secure")
		sw.Vsctl(t, "set", "Open_vSwitch", ".",
			fmt.Sprintf("external_ids:system-id=ch%d", i+1),
			"external_ids:ovn-remote="+central.SB.Endpoint(),
			"external_ids:ovn-encap-type=geneve",
			"external_ids:ovn-encap-ip="+ip,
			"external_ids:ovn-bridge-datapath-type=netdev")
		sw.StartOVNController(t)
		chassis = append(chassis, sw)
	}
	central.NBctl(t, "ls-add", "ls1")
	var pods []*Host
	for i, sw := range chassis {
		name := fmt.Sprintf("pod%d", i)
		mac := fmt.Sprintf("00:00:00:00:01:%02x", i+10)
		ip := fmt.Sprintf("10.20.0.%d", i+10)
		central.NBctl(t, "lsp-add", "ls1", name, "--", "lsp-set-addresses", name, mac+" "+ip)
		h := sw.AddHost(t, "br-int", ip+"/24", HostOptions{Port: "pf0vf0", MAC: mac})
		sw.Vsctl(t, "set", "Interface", "pf0vf0", "external_ids:iface-id="+name)
		pods = append(pods, h)
	}
	central.WaitHV(t)
	pods[0].Ping(t, "10.20.0.11", 20*time.Second)
	pods[1].Ping(t, "10.20.0.10", 10*time.Second)

	dump := chassis[0].Appctl(t, "dpctl/dump-flows")
	if !strings.Contains(dump, "tnl_push(") && !strings.Contains(dump, "tunnel(") {
		t.Fatalf("no geneve tunnel in chassis 1's datapath flows:\n%s", dump)
	}
	if got := chassis[0].Vsctl(t, "get", "Interface", "pf0vf0", "external_ids:ovn-installed"); got != `"true"` {
		t.Fatalf("ovn-installed = %s, want \"true\"", got)
	}
}
