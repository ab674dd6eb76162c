// SPDX-License-Identifier: Apache-2.0

package openflow_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/openflow"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

func mustFlows(t *testing.T, specs ...string) []*openflow.Flow {
	t.Helper()
	var out []*openflow.Flow
	for _, s := range specs {
		f, err := openflow.Parse(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		out = append(out, f)
	}
	return out
}

// TestIntegrationReplaceFlows converges a real ovs-vswitchd's flows with
// ReplaceFlows: only the difference is sent (an untouched flow keeps its
// counters' age, here its duration keeps growing past the call), a second
// call sends nothing, a changed action and a removed flow are applied, and
// a bundle ovs-vswitchd refuses changes nothing.
func TestIntegrationReplaceFlows(t *testing.T) {
	sw := ovstest.StartSwitch(t)
	sw.AddBridge(t, "br0")
	sw.Ofctl(t, "del-flows", "br0")
	sw.Ofctl(t, "add-flow", "br0", "table=0,priority=10,ip,actions=drop")
	sw.Ofctl(t, "add-flow", "br0", "table=1,priority=5,arp,actions=NORMAL")
	sw.Ofctl(t, "add-flow", "br0", "table=0,priority=1,actions=drop")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	o := openflow.Ofctl{Env: sw.Env()}
	time.Sleep(1100 * time.Millisecond) // durations of the untouched flows reach 1s

	desired := mustFlows(t,
		"table=0,priority=10,ip,actions=drop",            // unchanged
		"table=1,priority=5,arp,actions=output:1",        // changed actions
		"cookie=0x7,table=2,priority=3,tcp,actions=drop", // new
	) // table=0,priority=1 goes
	d, err := o.ReplaceFlows(ctx, "br0", desired)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Add) != 1 || len(d.Modify) != 1 || len(d.Delete) != 1 {
		t.Fatalf("diff: add %d modify %d delete %d, want 1 each", len(d.Add), len(d.Modify), len(d.Delete))
	}
	got, err := o.DumpFlows(ctx, "br0", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d flows after replace, want 3: %v", len(got), got)
	}
	for _, f := range got {
		switch {
		case f.Table == 0:
			if f.Priority != 10 || f.Duration < time.Second {
				t.Errorf("the unchanged flow was re-sent or lost: %s", f)
			}
		case f.Table == 1:
			if f.ActionsString() != "output:1" {
				t.Errorf("changed flow: %s", f)
			}
		case f.Table == 2:
			if f.Cookie != 7 {
				t.Errorf("new flow: %s", f)
			}
		default:
			t.Errorf("unexpected flow %s", f)
		}
	}
	if fs, err := o.DumpFlows(ctx, "br0", "table=1"); err != nil || len(fs) != 1 || fs[0].Table != 1 {
		t.Errorf("dump-flows table=1: %v, %v", fs, err)
	}
	if fs, err := o.DumpFlows(ctx, "br0", "table=1,out_port=1"); err != nil || len(fs) != 1 {
		t.Errorf("dump-flows table=1,out_port=1: %v, %v", fs, err)
	}
	if fs, err := o.DumpFlows(ctx, "br0", "table=0,out_port=1"); err != nil || len(fs) != 0 {
		t.Errorf("dump-flows table=0,out_port=1: %v, %v", fs, err)
	}
	if _, err := o.DumpFlows(ctx, "br0", "ip tcp"); err == nil {
		t.Error("a match with a space accepted")
	}
	if d, err := o.ReplaceFlows(ctx, "br0", desired); err != nil || !d.Empty() {
		t.Errorf("second call: %+v, %v", d, err)
	}
	// A bundle the switch refuses (a flow to a group that does not exist) is
	// all or nothing: the valid delete in it is not applied.
	bad := mustFlows(t, "table=0,priority=10,ip,actions=drop", "table=3,priority=1,actions=group:4000")
	if _, err := o.ReplaceFlows(ctx, "br0", bad); err == nil {
		t.Fatal("a bundle with a flow to a missing group: no error")
	}
	if n := strings.Count(strings.TrimSpace(sw.Ofctl(t, "--no-names", "dump-flows", "br0")), "\n"); n != 3 {
		t.Errorf("after a refused bundle %d flows, want the 3 from before", n)
	}
	dup := mustFlows(t, "table=0,priority=10,ip,actions=drop", "table=0,priority=10,ip,actions=NORMAL")
	if _, err := o.ReplaceFlows(ctx, "br0", dup); err == nil {
		t.Error("two desired flows with one match accepted")
	}
	if _, err := o.ReplaceFlows(ctx, "nobridge", desired); err == nil {
		t.Error("a missing bridge: no error")
	}
}

func TestDiffFlows(t *testing.T) {
	installed := mustFlows(t, "cookie=0x0, duration=1s, table=0, n_packets=5, n_bytes=1, priority=10,ip actions=drop",
		"cookie=0x0, duration=1s, table=0, n_packets=0, n_bytes=0, priority=9,arp actions=NORMAL",
		"cookie=0x1, duration=1s, table=1, n_packets=0, n_bytes=0, priority=1 actions=drop")
	d, err := openflow.DiffFlows(installed, mustFlows(t,
		"table=0,priority=10,ip,actions=drop",        // same (statistics ignored)
		"cookie=0x2,table=1,priority=1,actions=drop", // cookie differs
		"table=0,priority=9,arp,tcp_flags=+syn,actions=NORMAL"))
	if err != nil || len(d.Add) != 1 || len(d.Modify) != 1 || len(d.Delete) != 1 || d.Delete[0].Priority != 9 {
		t.Fatalf("%+v, %v", d, err)
	}
	if d, err := openflow.DiffFlows(installed, nil); err != nil || len(d.Delete) != 3 {
		t.Errorf("empty desired set: %+v, %v", d, err)
	}
	for _, bad := range [][]*openflow.Flow{{nil}, mustFlows(t, "cookie=0x1/0xff,actions=drop"), mustFlows(t, "ip,actions=drop", "ip,actions=NORMAL")} {
		if _, err := openflow.DiffFlows(installed, bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
