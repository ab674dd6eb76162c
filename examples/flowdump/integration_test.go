// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/ovstest"
)

// TestIntegrationLiveDumps takes dumps from a real ovs-vswitchd (userspace
// datapath) after real traffic: dpctl/dump-flows with and without -m and
// --names, ovs-ofctl dump-flows with and without --names. It writes them to
// files as OVS printed them and checks them all with one flowdump --check,
// the kind of each file detected; then it counts them with --stats.
func TestIntegrationLiveDumps(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ovs-vswitchd")
	}
	sw := ovstest.StartSwitch(t)
	sw.AddBridge(t, "br0")
	a := sw.AddHost(t, "br0", "10.0.0.1/24", ovstest.HostOptions{Port: "pf0vf0"})
	sw.AddHost(t, "br0", "10.0.0.2/24", ovstest.HostOptions{Port: "pf0vf1"})
	// Conntrack, so that the dumps hold ct(), recirc() and ct_state().
	for _, flow := range []string{
		"table=0,priority=10,arp,actions=NORMAL",
		"table=0,priority=100,ip,ct_state=-trk,actions=ct(table=1,zone=5)",
		"table=1,priority=100,ip,ct_state=+trk+new,actions=ct(commit,zone=5),NORMAL",
		"table=1,priority=100,ip,ct_state=+trk+est,actions=NORMAL",
		"table=0,priority=50,in_port=pf0vf1,udp,actions=NORMAL", // an in_port for the ofctl stats
	} {
		sw.Ofctl(t, "add-flow", "br0", flow)
	}
	a.Ping(t, "10.0.0.2", 20*time.Second)
	a.Exec(t, "ping", "-c", "3", "-i", "0.2", "10.0.0.2")

	dir := t.TempDir()
	dumps := map[string]string{
		"dpctl-m.txt":       sw.Appctl(t, "dpctl/dump-flows", "-m"),
		"dpctl.txt":         sw.Appctl(t, "dpctl/dump-flows"),
		"dpctl-names.txt":   sw.Appctl(t, "dpctl/dump-flows", "--names"),
		"dpctl-m-names.txt": sw.Appctl(t, "dpctl/dump-flows", "-m", "--names"),
		"ofctl.txt":         sw.Ofctl(t, "dump-flows", "br0"),
		"ofctl-names.txt":   sw.Ofctl(t, "--names", "dump-flows", "br0"),
	}
	var files []string
	flows := map[string]int{} // by kind
	for name, dump := range dumps {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(dump), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
		n := 0
		for _, l := range strings.Split(dump, "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "flow-dump from") && !strings.HasPrefix(l, "NXST_FLOW") && !strings.HasPrefix(l, "OFPST_FLOW") {
				n++
			}
		}
		if n == 0 {
			t.Errorf("%s: no flows in the dump:\n%s", name, dump)
		}
		flows[name[:5]] += n // "dpctl" or "ofctl"
	}
	total := flows[kindDpctl] + flows[kindOfctl]

	t.Logf("dpctl/dump-flows -m --names:\n%s\novs-ofctl --names dump-flows br0:\n%s", dumps["dpctl-m-names.txt"], dumps["ofctl-names.txt"])
	code, out, errOut := flowdump(t, "", append([]string{"--check"}, files...)...)
	if want := fmt.Sprintf("checked %d flows: 0 errors", total); code != exitOK || lastLine(out) != want || errOut != "" {
		t.Errorf("exit %d, last line %q, want %q\n%s", code, lastLine(out), want, errOut)
		for name, dump := range dumps {
			t.Logf("%s:\n%s", name, dump)
		}
	}

	// The -m dump's flows are all in the ovs layer, none offloaded; the
	// counts of each file add up to the kind's total.
	code, out, _ = flowdump(t, "", "--stats", filepath.Join(dir, "dpctl-m-names.txt"), filepath.Join(dir, "ofctl-names.txt"))
	n := strings.Count(dumps["dpctl-m-names.txt"], "ufid:")
	for _, want := range []string{
		fmt.Sprintf("dpctl flows: %d\n", n),
		fmt.Sprintf("  dp: ovs=%d\n", n),
		fmt.Sprintf("  offloaded: no=%d\n", n),
		" pf0vf0=", " pf0vf1=", // in_port by name
		"  table: 0=", " 1=",
		"  in_port: none=5 pf0vf1=1\n", // the ofctl flows above
	} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("--stats: exit %d, no %q in\n%s", code, want, out)
		}
	}
	for _, want := range []string{"ct(", "recirc(", "ct_state(", "dp-extra-info:"} {
		if !strings.Contains(dumps["dpctl-m.txt"], want) {
			t.Errorf("the -m dump has no %q: the test did not exercise it\n%s", want, dumps["dpctl-m.txt"])
		}
	}
}
