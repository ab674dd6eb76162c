// SPDX-License-Identifier: Apache-2.0

package offload_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovslog"
)

// A log in the formats OVS 3.x prints (see ovslog/testdata): a flow of
// pf0vf0 refused by OVS's translation, named by its put line; a failure on
// pf0vf1 that names no flow; an ack mismatch; a qdisc failure of 3.1 that
// names no port; the ct_state probe.
const logText = `2026-12-08T10:00:00.001Z|00006|netdev_offload|INFO|netdev: Flow API Enabled
2026-12-08T10:00:00.120Z|00047|netdev_offload_tc|INFO|probe tc: supported ovs ct_state bits: 0x27
2026-12-08T10:00:00.130Z|00049|netdev_offload_tc|INFO|failed adding ingress qdisc required for offloading: Operation not supported
2026-12-08T10:00:01.500Z|00060|netdev_offload_tc(handler1)|DBG|offloading attribute pkt_mark isn't supported
2026-12-08T10:00:01.500Z|00061|dpif_netlink(handler1)|DBG|failed to offload flow: Operation not supported: pf0vf0
2026-12-08T10:00:01.500Z|00062|dpif_netlink(handler1)|DBG|system@ovs-system: put[create] ufid:eeeeeeee-2222-3333-4444-555555555555 recirc_id(0),in_port(2),skb_mark(0x1), actions:3
2026-12-08T10:00:01.600Z|00063|dpif_netlink(handler1)|DBG|failed to offload flow: No space left on device: pf0vf1
2026-12-08T10:00:01.700Z|00064|dpif_netlink(handler1)|DBG|system@ovs-system: put[create] ufid:11111111-2222-3333-4444-555555555555 recirc_id(0),in_port(2), actions:3
2026-12-08T10:00:02.000Z|00070|tc(handler1)|WARN|Kernel flower acknowledgment does not match request!  Set dpif_netlink to dbg to see which rule caused this error.
`

func TestVerifyUsesOVSLog(t *testing.T) {
	c, ctx := dial(t)
	if _, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br-int"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"pf0vf0", "pf0vf1", "pf0vf2"} {
		if _, err := c.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br-int", Name: p}); err != nil {
			t.Fatal(err)
		}
	}
	lines := []string{
		// refused by OVS, named in the log
		"ufid:eeeeeeee-2222-3333-4444-555555555555, recirc_id(0),in_port(pf0vf0),skb_mark(0x1),eth_type(0x0800),ipv4(frag=no), packets:3, bytes:294, used:0.1s, dp:ovs, actions:pf0vf1",
		// on pf0vf1, whose failure names no flow: the port's last failure
		"ufid:ffffffff-2222-3333-4444-555555555555, recirc_id(0),in_port(pf0vf1),eth_type(0x0800),ipv4(frag=no), packets:3, bytes:294, used:0.1s, dp:ovs, actions:pf0vf0",
		// named by a put line, but the failure before it was pf0vf1's:
		// it is in hardware now, so the log says nothing about it
		"ufid:11111111-2222-3333-4444-555555555555, recirc_id(0),in_port(pf0vf2),eth_type(0x0800),ipv4(frag=no), packets:3, bytes:294, used:0.1s, offloaded:yes, dp:tc, actions:pf0vf0",
	}
	l, err := ovslog.Parse(strings.NewReader(logText))
	if err != nil {
		t.Fatal(err)
	}
	node := &offload.Node{DB: c, Log: l, Dump: func(context.Context) ([]*dpflow.Flow, error) {
		var out []*dpflow.Flow
		for _, line := range lines {
			f, err := dpflow.Parse(line)
			if err != nil {
				return nil, err
			}
			out = append(out, f)
		}
		return out, nil
	}}
	facts, err := offload.GatherFacts(ctx, node, "tc")
	if err != nil {
		t.Fatal(err)
	}
	if r := facts.Ports["pf0vf1"].Refusal; !strings.Contains(r, "failed to offload flow: No space left on device: pf0vf1") {
		t.Errorf("Refusal of pf0vf1 = %q", r)
	}
	if r := facts.Ports["pf0vf2"].Refusal; r != "" {
		t.Errorf("Refusal of pf0vf2 = %q, want none", r)
	}
	facts.HWOffload = true
	r := offload.Classify(mustDump(t, node), facts)

	f0 := r.Flows[0]
	want0 := []offload.Reason{
		{Code: offload.ReasonOVSRefused, Detail: "offloading attribute pkt_mark isn't supported"},
		{Code: offload.ReasonOVSOffloadFailed, Detail: `ovs-vswitchd log line 5 (2026-12-08T10:00:01.500Z dpif_netlink DBG): failed to offload flow: Operation not supported: pf0vf0 after "offloading attribute pkt_mark isn't supported" (ufid:eeeeeeee-2222-3333-4444-555555555555)`},
	}
	if !hasAll(f0.Reasons, want0) || hasCode(f0.Reasons, offload.ReasonKernelRefused) {
		t.Errorf("flow refused by OVS: reasons %+v", f0.Reasons)
	}
	if f1 := r.Flows[1]; !hasCode(f1.Reasons, offload.ReasonKernelRefused) || hasCode(f1.Reasons, offload.ReasonOVSOffloadFailed) {
		t.Errorf("flow of pf0vf1: reasons %+v", f1.Reasons)
	}
	if f2 := r.Flows[2]; hasCode(f2.Reasons, offload.ReasonOVSOffloadFailed) {
		t.Errorf("flow in hardware got log reasons: %+v", f2.Reasons)
	}
	if !hasCode(r.Node, offload.ReasonAckMismatch) || !hasCode(r.Node, offload.ReasonIngressQdiscFailed) {
		t.Errorf("node reasons %+v", r.Node)
	}
	e := r.OVSLog
	if e == nil || e.Failures != 2 || e.Attributed != 2 || !e.CTStateKnown || e.CTStateBits != 0x27 || !e.FlowAPIEnabled {
		t.Errorf("log evidence %+v", e)
	}
	var sb strings.Builder
	if err := r.WriteTable(&sb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sb.String(), "ovs-refused: offloading attribute pkt_mark isn't supported") ||
		!strings.Contains(sb.String(), "probe tc ct_state bits: 0x27") {
		t.Errorf("table:\n%s", sb.String())
	}
	// Selecting flows keeps the log's summary.
	if s := r.Select(func(offload.FlowVerdict) bool { return true }); s.OVSLog != r.OVSLog {
		t.Error("Select dropped OVSLog")
	}
}

// TestVerifyWithoutLog: no log, no log reasons, no summary.
func TestVerifyWithoutLog(t *testing.T) {
	f, err := dpflow.Parse("ufid:eeeeeeee-2222-3333-4444-555555555555, recirc_id(0),in_port(pf0vf0),eth_type(0x0800),ipv4(frag=no), packets:3, bytes:294, used:0.1s, dp:ovs, actions:drop")
	if err != nil {
		t.Fatal(err)
	}
	r := offload.Classify([]*dpflow.Flow{f}, offload.Facts{Backend: "tc", HWOffload: true})
	if r.OVSLog != nil || hasCode(r.Flows[0].Reasons, offload.ReasonOVSOffloadFailed) {
		t.Errorf("report without a log: %+v", r)
	}
}

func mustDump(t *testing.T, n *offload.Node) []*dpflow.Flow {
	t.Helper()
	fl, err := n.DumpFlows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return fl
}

func hasCode(rs []offload.Reason, code offload.ReasonCode) bool {
	for _, r := range rs {
		if r.Code == code {
			return true
		}
	}
	return false
}

func hasAll(rs, want []offload.Reason) bool {
	for _, w := range want {
		found := false
		for _, r := range rs {
			if r == w {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// TestClassifyRecordedUserspaceLog classifies the dump and log recorded
// together from ovs-vswitchd 3.1.0 on the userspace datapath with
// hw-offload=true (see ovslog/testdata): the flows whose megaflow the
// offload thread failed to add get that line as their reason.
func TestClassifyRecordedUserspaceLog(t *testing.T) {
	l, err := ovslog.ReadFile("../ovslog/testdata/ovs-3.1.0-netdev-recorded.log", 0)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../ovslog/testdata/ovs-3.1.0-netdev-recorded.dpctl.txt")
	if err != nil {
		t.Fatal(err)
	}
	var flows []*dpflow.Flow
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if !strings.HasPrefix(line, "ufid:") {
			continue // "flow-dump from the main thread:"
		}
		f, err := dpflow.Parse(line)
		if err != nil {
			t.Fatal(err)
		}
		flows = append(flows, f)
	}
	r := offload.Classify(flows, offload.Facts{Backend: "doca", HWOffload: true, Log: l})
	withReason := 0
	for _, f := range r.Flows {
		for _, rs := range f.Reasons {
			if rs.Code == offload.ReasonOVSOffloadFailed && strings.Contains(rs.Detail, "failed to add netdev flow") {
				withReason++
				if f.UFID == "806d77ca-3711-4ab9-be45-79ebd84604f2" && !strings.Contains(rs.Detail, "0f9ec8e5-1889-41a6-b1e8-5d76bf84b314") {
					t.Errorf("ARP flow's reason names another megaflow: %s", rs.Detail)
				}
			}
		}
	}
	t.Logf("%d of %d flows have the log's reason", withReason, len(r.Flows))
	if withReason == 0 || r.OVSLog.Attributed != withReason {
		t.Errorf("%d flows with the log's reason, %d attributed", withReason, r.OVSLog.Attributed)
	}
}

func TestReadOVSLogWithoutWindow(t *testing.T) {
	ctx := context.Background()
	if _, _, err := offload.ReadOVSLog(ctx, offload.OVSLogOptions{}); err == nil {
		t.Fatal("no path: no error")
	}
	path := t.TempDir() + "/ovs-vswitchd.log"
	if _, _, err := offload.ReadOVSLog(ctx, offload.OVSLogOptions{Path: path, Window: 1}); err == nil {
		t.Fatal("missing log file: the window opened")
	}
	if err := os.WriteFile(path, []byte(logText), 0o644); err != nil {
		t.Fatal(err)
	}
	l, raised, err := offload.ReadOVSLog(ctx, offload.OVSLogOptions{Path: path})
	if err != nil || raised != nil || len(l.Of(ovslog.OffloadFailed)) != 2 || l.Path != path {
		t.Fatalf("got %+v, %v, %v", l, raised, err)
	}
}

// TestClassifyKernelLaneRefusals: the real lines of the kernel lane (OVS
// 3.1 at its default levels) give a node reason naming OVS's refusal.
func TestClassifyKernelLaneRefusals(t *testing.T) {
	l, err := ovslog.ReadFile("../ovslog/testdata/ovs-3.1.0-kernel-lane-recorded.log", 0)
	if err != nil {
		t.Fatal(err)
	}
	r := offload.Classify(nil, offload.Facts{Backend: "tc", HWOffload: true, Log: l})
	var found []string
	for _, n := range r.Node {
		if n.Code == offload.ReasonOVSRefused {
			found = append(found, n.Detail)
		}
	}
	if len(found) != 1 || !strings.Contains(found[0], `"flow_put: recirc_id sharing not supported", 2 times, last ovs-vswitchd log line 63 (2026-12-08T04:18:18.127Z netdev_offload_tc ERR)`) {
		t.Errorf("node reasons %+v", r.Node)
	}
	// A refusal claimed by a failure is that flow's, not the node's.
	l2, err := ovslog.Parse(strings.NewReader(logText))
	if err != nil {
		t.Fatal(err)
	}
	if r := offload.Classify(nil, offload.Facts{Backend: "tc", HWOffload: true, Log: l2}); hasCode(r.Node, offload.ReasonOVSRefused) {
		t.Errorf("claimed refusal as node reason: %+v", r.Node)
	}
}

// TestLogEvidenceStart: the summary names the daemon's last start and
// version when the log holds them.
func TestLogEvidenceStart(t *testing.T) {
	const started = "2026-12-08T10:00:00.000Z|00001|vlog|INFO|opened log file /var/log/openvswitch/ovs-vswitchd.log\n" +
		"2026-12-08T10:00:00.002Z|00008|bridge|INFO|ovs-vswitchd (Open vSwitch) 3.1.0\n"
	l, err := ovslog.Parse(strings.NewReader(started))
	if err != nil {
		t.Fatal(err)
	}
	r := offload.Classify(nil, offload.Facts{Backend: "tc", HWOffload: true, Log: l})
	if r.OVSLog.Version != "3.1.0" || r.OVSLog.StartLine != 1 || r.OVSLog.FlowAPIEnabled || len(r.Node) != 0 {
		t.Errorf("node %+v, log %+v", r.Node, r.OVSLog)
	}
}

// TestLogOfEarlierRunIgnored: what a previous run of the daemon logged is
// no evidence about the running one.
func TestLogOfEarlierRunIgnored(t *testing.T) {
	const runs = "2026-12-08T09:00:00.000Z|00001|vlog|INFO|opened log file /var/log/openvswitch/ovs-vswitchd.log\n" +
		"2026-12-08T09:00:01.000Z|00061|dpif_netlink(handler1)|ERR|failed to offload flow: Invalid argument: pf0vf0\n" +
		"2026-12-08T09:00:02.000Z|00070|tc(handler1)|WARN|Kernel flower acknowledgment does not match request!  Set dpif_netlink to dbg to see which rule caused this error.\n" +
		"2026-12-08T10:00:00.000Z|00001|vlog|INFO|opened log file /var/log/openvswitch/ovs-vswitchd.log\n" +
		"2026-12-08T10:00:01.000Z|00061|dpif_netlink(handler1)|ERR|failed to offload flow: No such device: pf0vf1\n"
	l, err := ovslog.Parse(strings.NewReader(runs))
	if err != nil {
		t.Fatal(err)
	}
	facts := offload.Facts{Backend: "tc", HWOffload: true, Log: l, Ports: map[string]offload.PortFacts{"pf0vf0": {}, "pf0vf1": {}}}
	c, ctx := dial(t)
	node := &offload.Node{DB: c, Log: l}
	for _, p := range []string{"pf0vf0", "pf0vf1"} {
		if _, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br-int"}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br-int", Name: p}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := offload.GatherFacts(ctx, node, "tc")
	if err != nil {
		t.Fatal(err)
	}
	if got.Ports["pf0vf0"].Refusal != "" || !strings.Contains(got.Ports["pf0vf1"].Refusal, "No such device") {
		t.Errorf("refusals pf0vf0 %q, pf0vf1 %q", got.Ports["pf0vf0"].Refusal, got.Ports["pf0vf1"].Refusal)
	}
	if r := offload.Classify(nil, facts); hasCode(r.Node, offload.ReasonAckMismatch) {
		t.Errorf("an earlier run's ack mismatch: %+v", r.Node)
	}
}
