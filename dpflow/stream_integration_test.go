// SPDX-License-Identifier: Apache-2.0

package dpflow_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/appctl"
	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// manyFlowsSwitch starts a real ovs-vswitchd (userspace datapath) and
// returns it with refill, which replaces the datapath's flows by n flows
// installed with dpctl/add-flows (an OpenFlow rule gives them the actions
// they are added with, and each matches recirc_id(0) exactly: without it
// the revalidators deleted them within a second, their mask wildcarding a
// field the translation needs). Callers refill just before dumping, so
// each dump starts from exactly these flows, and count only those.
func manyFlowsSwitch(tb testing.TB, n int) (sw *ovstest.Switch, refill func()) {
	tb.Helper()
	sw = ovstest.StartSwitch(tb, ovstest.SwitchOptions{OtherConfig: map[string]string{
		"max-revalidator": "3600000", "max-idle": "3600000", "min-revalidate-pps": "0"}})
	sw.AddBridge(tb, "br0")
	sw.AddInternalPort(tb, "br0", "p1")
	sw.AddInternalPort(tb, "br0", "p2")
	sw.Ofctl(tb, "add-flow", "br0", "priority=1000,in_port=LOCAL,actions=output:p1")
	sw.Appctl(tb, "revalidator/wait")
	// Above the dynamic flow limit (10,000 at start) the revalidators
	// delete idle flows at once; raise it.
	sw.Appctl(tb, "upcall/set-flow-limit", "1000000")
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),ipv4(src=10.%d.%d.%d,dst=10.255.0.1,proto=17,tos=0,ttl=64,frag=no),udp(src=%d,dst=53) 2\n",
			i>>16&0xff, i>>8&0xff, i&0xff, 1024+i%50000)
	}
	path := filepath.Join(tb.TempDir(), "flows.txt")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	c, err := appctl.Dial(sw.Ctl)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	refill = func() {
		tb.Helper()
		ctx := context.Background()
		if _, err := c.Call(ctx, "dpctl/del-flows", "netdev@ovs-netdev"); err != nil {
			tb.Fatal(err)
		}
		if _, err := c.Call(ctx, "dpctl/add-flows", "netdev@ovs-netdev", path); err != nil {
			tb.Fatal(err)
		}
	}
	return sw, refill
}

// TestIntegrationDumpEachStreams dumps 2,000 flows from a real
// ovs-vswitchd over its control socket: DumpEach sees as many flows as
// ovs-appctl prints, Dump the same, and stopping after the first flow ends
// the dump with fn's error.
func TestIntegrationDumpEachStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ovs-vswitchd")
	}
	const n = 2000
	sw, refill := manyFlowsSwitch(t, n)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	o := dpflow.DumpOptions{Target: sw.Ctl, Verbose: true, Names: true}

	refill()
	want := 0
	for _, line := range strings.Split(sw.Appctl(t, "dpctl/dump-flows", "-m", "--names"), "\n") {
		if strings.HasPrefix(line, "ufid:") && strings.Contains(line, "dst=10.255.0.1,") {
			want++
		}
	}
	if want != n {
		out := sw.Appctl(t, "dpctl/dump-flows", "-m", "--names")
		t.Fatalf("ovs-appctl dumps %d flows, %d were added; %d lines; %.600s ... %s", want, n, strings.Count(out, "\n"), out, out[len(out)-600:])
	}
	refill()
	got := 0
	err := dpflow.DumpEach(ctx, o, func(f *dpflow.Flow) error {
		if !f.HasUFID {
			return fmt.Errorf("flow %q: want a ufid", f.String())
		}
		if strings.Contains(f.String(), "dst=10.255.0.1,") {
			got++
		}
		return nil
	})
	if err != nil || got != want {
		t.Fatalf("DumpEach: %d flows, %v; ovs-appctl printed %d", got, err, want)
	}
	refill()
	flows, err := dpflow.Dump(ctx, o)
	if err != nil || len(flows) < want {
		t.Fatalf("Dump: %d flows, %v; want at least %d", len(flows), err, want)
	}

	stop := errors.New("first flow is enough")
	calls := 0
	err = dpflow.DumpEach(ctx, o, func(*dpflow.Flow) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("stopping early: %d calls, %v", calls, err)
	}

	// filter= and pmd= reach the daemon: one flow matches the filter.
	refill()
	one, err := dpflow.Dump(ctx, dpflow.DumpOptions{Target: sw.Ctl, Filter: "ip,nw_src=10.0.0.7"})
	if err != nil || len(one) != 1 {
		t.Fatalf("filter: %d flows, %v; want 1", len(one), err)
	}
	main := -1
	if _, err := dpflow.Dump(ctx, dpflow.DumpOptions{Target: sw.Ctl, PMD: &main}); err != nil {
		t.Fatalf("pmd=-1: %v", err)
	}
	// The internal ports' own traffic adds a few flows (IPv6 neighbour
	// discovery); only the added ones are counted above.
	// The daemon's own refusal comes back as an error, not as no flows.
	_, err = dpflow.Dump(ctx, dpflow.DumpOptions{Target: sw.Ctl, Filter: "no_such_key(1)"})
	if err == nil {
		t.Fatal("a filter the daemon refuses gave no error")
	}
	t.Logf("bad filter: %v", err)
	// A daemon name is found from its pid file in RunDir.
	if _, err := dpflow.Dump(ctx, dpflow.DumpOptions{Target: "no-such-daemon", RunDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "pid file") {
		t.Fatalf("missing daemon: %v", err)
	}
}
