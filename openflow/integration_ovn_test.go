// SPDX-License-Identifier: Apache-2.0

package openflow_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/openflow"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// TestIntegrationOVNFlows runs a real OVN chassis (ovn-northd, ovn-controller,
// ovs-vswitchd) with a logical switch, a router, ACLs with conjunctions, a
// load balancer and two pods that ping each other, then dumps br-int with
// ovs-ofctl (plain, --names, OpenFlow 1.5, --no-stats) and requires every
// line to parse and to format back to the exact text.
func TestIntegrationOVNFlows(t *testing.T) {
	central := ovstest.StartOVNCentral(t)
	sw := ovstest.StartSwitch(t)
	sw.Vsctl(t, "add-br", "br-int", "--", "set", "Bridge", "br-int", "datapath_type=netdev", "fail-mode=secure")
	sw.Vsctl(t, "set", "Open_vSwitch", ".",
		"external_ids:system-id=ch1",
		"external_ids:ovn-remote="+central.SB.Endpoint(),
		"external_ids:ovn-encap-type=geneve",
		"external_ids:ovn-encap-ip=127.0.0.1",
		"external_ids:ovn-bridge-datapath-type=netdev")
	sw.StartOVNController(t)

	central.NBctl(t, "ls-add", "ls1")
	central.NBctl(t, "lr-add", "lr0")
	central.NBctl(t, "lrp-add", "lr0", "lrp0", "00:00:00:00:ff:01", "10.20.0.1/24")
	central.NBctl(t, "lsp-add", "ls1", "ls1-lr0", "--", "lsp-set-type", "ls1-lr0", "router",
		"--", "lsp-set-addresses", "ls1-lr0", "router", "--", "lsp-set-options", "ls1-lr0", "router-port=lrp0")
	var pods []*ovstest.Host
	for i := range 2 {
		name := fmt.Sprintf("pod%d", i)
		mac := fmt.Sprintf("00:00:00:00:01:%02x", i+10)
		ip := fmt.Sprintf("10.20.0.%d", i+10)
		central.NBctl(t, "lsp-add", "ls1", name, "--", "lsp-set-addresses", name, mac+" "+ip)
		h := sw.AddHost(t, "br-int", ip+"/24", ovstest.HostOptions{Port: fmt.Sprintf("pf0vf%d", i), MAC: mac, Gateway: "10.20.0.1"})
		sw.Vsctl(t, "set", "Interface", h.Port, "external_ids:iface-id="+name)
		pods = append(pods, h)
	}
	central.NBctl(t, "pg-add", "pg1", "pod0", "pod1")
	central.NBctl(t, "acl-add", "pg1", "to-lport", "1002", "outport == @pg1 && ip4.src == {10.20.0.10, 10.20.0.11, 10.30.0.0/16} && tcp.dst == {22, 80, 443}", "allow-related")
	central.NBctl(t, "acl-add", "pg1", "to-lport", "1001", "outport == @pg1 && ip4", "allow-related")
	central.NBctl(t, "acl-add", "pg1", "from-lport", "1001", "inport == @pg1 && ip4", "allow-related")
	central.NBctl(t, "lb-add", "lb0", "10.20.0.100:80", "10.20.0.10:8080,10.20.0.11:8080", "tcp")
	central.NBctl(t, "ls-lb-add", "ls1", "lb0")
	central.WaitHV(t)
	pods[0].Ping(t, "10.20.0.11", 20*time.Second)
	pods[1].Ping(t, "10.20.0.1", 10*time.Second)

	opaque := map[string]int{}
	for _, args := range [][]string{
		{"dump-flows", "br-int"},
		{"--names", "dump-flows", "br-int"},
		{"-O", "OpenFlow15", "dump-flows", "br-int"},
		{"--no-stats", "--names", "dump-flows", "br-int"},
	} {
		dump := sw.Ofctl(t, args...)
		flows := checkDump(t, dump)
		if len(flows) < 100 {
			t.Fatalf("%v: only %d flows; OVN did not program br-int?\n%s", args, len(flows), dump)
		}
		conj, ct, ctrl := 0, 0, 0
		for _, f := range flows {
			walk(f.Actions, func(a openflow.Action) {
				switch a.(type) {
				case *openflow.Opaque:
					opaque[a.Name()]++
				case *openflow.Conjunction:
					conj++
				case *openflow.CT:
					ct++
				case *openflow.Controller:
					ctrl++
				}
			})
		}
		if conj == 0 || ct == 0 || ctrl == 0 {
			t.Errorf("%v: conjunction %d, ct %d, controller %d: expected OVN to use all three", args, conj, ct, ctrl)
		}
		t.Logf("%v: %d flows parse and round-trip", args, len(flows))
	}
	if len(opaque) > 0 {
		var names []string
		for n, c := range opaque {
			names = append(names, fmt.Sprintf("%s(%d)", n, c))
		}
		sort.Strings(names)
		t.Errorf("OVN actions this package does not type (kept opaque): %s", strings.Join(names, " "))
	}
}

func walk(acts []openflow.Action, fn func(openflow.Action)) {
	for _, a := range acts {
		fn(a)
		switch a := a.(type) {
		case *openflow.CT:
			walk(a.Exec, fn)
		case *openflow.Clone:
			walk(a.Actions, fn)
		case *openflow.WriteActions:
			walk(a.Actions, fn)
		}
	}
}
