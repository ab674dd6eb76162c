// SPDX-License-Identifier: Apache-2.0

package dpflow_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// TestIntegrationDumpRealSwitch starts a real ovs-vswitchd (userspace
// datapath), sends real traffic through conntrack OpenFlow rules, dumps the
// datapath flows with -m, without -m and with --names through Dump's exec
// path, and checks that every line parses and formats back byte for byte.
func TestIntegrationDumpRealSwitch(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ovs-vswitchd")
	}
	sw := ovstest.StartSwitch(t)
	sw.AddBridge(t, "br0")
	a := sw.AddHost(t, "br0", "10.0.0.1/24", ovstest.HostOptions{Port: "pf0vf0"})
	sw.AddHost(t, "br0", "10.0.0.2/24", ovstest.HostOptions{Port: "pf0vf1"})

	// Conntrack with a zone and a mark (ct(...) then recirc), a masked set
	// (mod_nw_tos), and check_pkt_len (check_pkt_larger).
	rules := strings.Join([]string{
		"table=0,priority=10,arp,actions=NORMAL",
		"table=0,priority=100,ip,ct_state=-trk,actions=ct(table=1,zone=5)",
		"table=1,priority=100,ip,ct_state=+trk+new,actions=ct(commit,zone=5,exec(set_field:0x1->ct_mark)),resubmit(,2)",
		"table=1,priority=100,ip,ct_state=+trk+est,actions=resubmit(,2)",
		"table=2,priority=100,icmp,actions=check_pkt_larger(200)->NXM_NX_REG0[0],resubmit(,3)",
		"table=3,priority=100,reg0=0x1,icmp,actions=mod_nw_tos:4,NORMAL",
		"table=3,priority=10,actions=NORMAL",
	}, "\n") + "\n"
	writeRules(t, sw, rules)

	// More datapath actions, for traffic from host a to 10.0.9.0/24 (static
	// neighbours, nobody answers): userspace(...controller...), meter and
	// push_vlan, hash(l4(0)) and recirc for a dp_hash select group, dec_ttl.
	sw.Vsctl(t, "set", "bridge", "br0", "protocols=OpenFlow10,OpenFlow13,OpenFlow15")
	sw.Ofctl(t, "-O", "OpenFlow13", "add-meter", "br0", "meter=1,pktps,band=type=drop,rate=1000")
	sw.Ofctl(t, "-O", "OpenFlow15", "add-group", "br0",
		"group_id=1,type=select,selection_method=dp_hash,bucket=bucket_id=0,output:pf0vf1,bucket=bucket_id=1,output:pf0vf1")
	for _, r := range []string{
		"table=0,priority=300,ip,nw_dst=10.0.9.1,actions=controller",
		"table=0,priority=300,ip,nw_dst=10.0.9.2,actions=meter:1,push_vlan:0x8100,set_field:4106->vlan_vid,output:pf0vf1",
		"table=0,priority=300,ip,nw_dst=10.0.9.3,actions=group:1",
		"table=0,priority=300,ip,nw_dst=10.0.9.4,actions=dec_ttl,output:pf0vf1",
	} {
		sw.Ofctl(t, "-O", "OpenFlow15", "add-flow", "br0", r)
	}
	for i := 1; i <= 4; i++ {
		a.Exec(t, "ip", "neigh", "replace", fmt.Sprintf("10.0.9.%d", i), "lladdr", "02:00:00:00:09:01", "dev", a.Iface, "nud", "permanent")
		a.Exec(t, "ip", "route", "replace", fmt.Sprintf("10.0.9.%d/32", i), "dev", a.Iface)
	}

	// A geneve port whose underlay is bridge brul: flooded ARP requests
	// leave through it with tnl_push(...) and its full headers.
	sw.AddBridge(t, "brul")
	sw.Exec(t, "ip", "addr", "add", "172.31.0.1/24", "dev", "brul")
	sw.AddHost(t, "brul", "172.31.0.2/24", ovstest.HostOptions{Port: "p0"}) // the remote end
	sw.Vsctl(t, "add-port", "br0", "gnv0", "--", "set", "interface", "gnv0", "type=geneve",
		"options:remote_ip=172.31.0.2", "options:key=5")
	sw.Appctl(t, "tnl/arp/set", "brul", "172.31.0.2", "aa:bb:cc:dd:ee:02")

	a.Ping(t, "10.0.0.2", 20*time.Second)
	a.Exec(t, "ping", "-c", "3", "-i", "0.2", "-s", "400", "10.0.0.2")
	a.Exec(t, "ping", "-c", "3", "-i", "0.2", "10.0.0.2")
	_, _ = a.TryExec("arping", "-c", "2", "-w", "2", "10.0.0.99") // flooded to gnv0
	_, _ = a.TryExec("ping", "-c", "2", "-W", "1", "10.0.0.99")   // same, when arping is missing
	for i := 1; i <= 4; i++ {
		_, _ = a.TryExec("ping", "-c", "2", "-i", "0.2", "-W", "1", fmt.Sprintf("10.0.9.%d", i)) // nobody answers
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	seen := map[string]bool{}
	for _, o := range []dpflow.DumpOptions{
		{Target: sw.Ctl, Verbose: true},
		{Target: sw.Ctl},
		{Target: sw.Ctl, Names: true},
		{Target: sw.Ctl, Verbose: true, Names: true},
		{Target: sw.Ctl, Verbose: true, NoNames: true},
		{Target: sw.Ctl, Verbose: true, Types: []string{"ovs"}},
	} {
		out, err := dpflow.DumpRaw(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		argv, _ := o.Argv()
		flows := checkDump(t, out, seen)
		if t.Failed() {
			t.Logf("%s:\n%s", strings.Join(argv[3:], " "), out)
		}
		if len(flows) == 0 {
			t.Errorf("%v: no flows in the dump", argv)
		}
		for _, f := range flows {
			checkFlow(t, o, f)
		}
		parsed, err := dpflow.Dump(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(parsed) != len(flows) {
			t.Errorf("Dump returned %d flows, the raw dump has %d", len(parsed), len(flows))
		}
	}
	for _, want := range exercised {
		if !seen[want] {
			t.Errorf("no dumped line contains %q: the test did not exercise it", want)
		}
	}
}

// exercised lists text that some dumped line must contain: the test checks
// that it produced these forms, not only that what it produced parses.
var exercised = []string{"ct(", "recirc(", "ct_state(", "set(", "check_pkt_len(", "ufid:", "dp:ovs", "dp-extra-info:", "pf0vf0", "tnl_push(", "userspace(", "meter(", "push_vlan(", "hash(l4(", "set(ipv4(ttl"}

func writeRules(t *testing.T, sw *ovstest.Switch, rules string) {
	t.Helper()
	path := t.TempDir() + "/rules.txt"
	if err := writeFile(path, rules); err != nil {
		t.Fatal(err)
	}
	sw.Ofctl(t, "add-flows", "br0", path)
}

// checkDump parses every line, checks the round trip and returns the flows.
func checkDump(t *testing.T, out []byte, seen map[string]bool) []*dpflow.Flow {
	t.Helper()
	var flows []*dpflow.Flow
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" {
			continue
		}
		if h, ok := dpflow.ParseHeader(line); ok {
			if h.String() != line {
				t.Errorf("line %d: header round trip: %q != %q", n, h.String(), line)
			}
			continue
		}
		f, err := dpflow.Parse(line)
		if err != nil {
			t.Errorf("line %d: %v", n, err)
			continue
		}
		if got := f.String(); got != line {
			t.Errorf("line %d: round trip\n got %s\nwant %s", n, got, line)
		}
		for _, s := range exercised {
			if strings.Contains(line, s) {
				seen[s] = true
			}
		}
		flows = append(flows, f)
	}
	return flows
}

func checkFlow(t *testing.T, o dpflow.DumpOptions, f *dpflow.Flow) {
	t.Helper()
	if f.InPort() == "" {
		t.Errorf("no in_port: %s", f)
	}
	// dpctl prints names with -m unless --no-names.
	names := o.Names || o.Verbose && !o.NoNames
	if names && strings.Trim(f.InPort(), "0123456789") == "" {
		t.Errorf("--names dump shows a port number: %s", f)
	}
	if !names && strings.Trim(f.InPort(), "0123456789") != "" {
		t.Errorf("dump without --names shows a port name: %s", f)
	}
	if o.Verbose && (!f.HasUFID || f.DPLayer() != "ovs") {
		t.Errorf("-m dump without ufid or dp:ovs: %s", f)
	}
	if !o.Verbose && (f.HasUFID || f.DPLayer() != "") {
		t.Errorf("dump without -m has ufid or dp: %s", f)
	}
	if !f.Stats.Present || !f.HasActions {
		t.Errorf("flow without statistics or actions: %s", f)
	}
}
