// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovslog"
)

func readDump(t *testing.T, name string) []*dpflow.Flow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "xlate", name))
	if err != nil {
		t.Fatal(err)
	}
	var out []*dpflow.Flow
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		out = append(out, xlFlow(t, l))
	}
	return out
}

// codes maps each reason code to its details, joined by " | ".
func codes(rs []offload.Reason) map[offload.ReasonCode]string {
	m := map[offload.ReasonCode]string{}
	for _, r := range rs {
		if d, ok := m[r.Code]; ok {
			m[r.Code] = d + " | " + r.Detail
		} else {
			m[r.Code] = r.Detail
		}
	}
	return m
}

// TestExplainFlows runs Verify's explanation on a node's dump, with the
// probe against a kernel whose driver refuses ct_state +new as mlx5 does:
// every flow not in hardware gets a flow-level reason.
func TestExplainFlows(t *testing.T) {
	flows := readDump(t, "ct-node.dump")
	report := offload.Classify(flows, offload.Facts{Backend: "tc", HWOffload: true})
	k := newFakeKernel(ovsFilters()...)
	k.driver = mlx5Like
	p := newProber(k, ProbeConfig{})
	if err := explainFlows(context.Background(), feat("3.1.0"), flows, report, resolve, p); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		code   offload.ReasonCode
		detail string
	}{
		{"", ""}, // in hardware: nothing added
		{offload.ReasonDriverRefused, "mlx5_core: matching on ct_state +new isn't supported"},
		{offload.ReasonDriverAccepted, "chain 268435455 prio 1"},
		{offload.ReasonDriverRefused, "mlx5_core: matching on ct_state +new isn't supported"},
		{offload.ReasonMatchNotOffloadable, "pkt_mark isn't supported"},
		{offload.ReasonProbeSkipped, "arp keys"},
		{offload.ReasonActionNotOffloadable, "unsupported put action type"},
	}
	for i, w := range want {
		f := report.Flows[i]
		got := codes(f.Reasons)
		if w.code == "" {
			if f.State != offload.InHardware || len(f.Reasons) != 0 {
				t.Errorf("flow %d: %s %+v", i+1, f.State, f.Reasons)
			}
			continue
		}
		d, ok := got[w.code]
		if !ok || !strings.Contains(d, w.detail) {
			t.Errorf("flow %d: reasons %+v, want %s containing %q", i+1, f.Reasons, w.code, w.detail)
		}
		if w.code == offload.ReasonDriverRefused && d != w.detail {
			t.Errorf("flow %d: driver message %q is not verbatim", i+1, d)
		}
	}
	// Flows 2 and 4 have the same filter: one install. Flow 3's ct action
	// is accepted: two installs in all, both deleted.
	if len(k.adds) != 2 || k.count() != len(ovsFilters()) {
		t.Errorf("%d installs, %d filters left (want 2, %d)", len(k.adds), k.count(), len(ovsFilters()))
	}
	if n := len(report.Limits); n != 1 || !strings.Contains(report.Limits[0], "2 filters probed (1 refused, 1 accepted, 1 flows skipped) in if12 chain 268435455") {
		t.Errorf("limits %q", report.Limits)
	}
}

// TestExplainFlowsVersions: the same dump under OVS 3.6 refuses the flows
// that match recirc_id 1, as no flow in TC jumps there; with the version
// unknown, the node says so and those flows say what depends on it.
func TestExplainFlowsVersions(t *testing.T) {
	flows := readDump(t, "ct-node.dump")
	report := offload.Classify(flows, offload.Facts{Backend: "tc", HWOffload: true})
	if err := explainFlows(context.Background(), feat("3.6.0"), flows, report, resolve, nil); err != nil {
		t.Fatal(err)
	}
	if d := codes(report.Flows[1].Reasons)[offload.ReasonMatchNotOffloadable]; !strings.Contains(d, "no flow in TC recirculates to chain 1") {
		t.Errorf("3.6: flow 2 reasons %+v", report.Flows[1].Reasons)
	}
	report = offload.Classify(flows, offload.Facts{Backend: "tc", HWOffload: true})
	if err := explainFlows(context.Background(), OVSFeatures{}, flows, report, resolve, nil); err != nil {
		t.Fatal(err)
	}
	if d := codes(report.Node)[offload.ReasonOVSVersionUnknown]; !strings.Contains(d, "not known") {
		t.Errorf("node reasons %+v", report.Node)
	}
	got := codes(report.Flows[1].Reasons)
	if !strings.Contains(got[offload.ReasonOVSVersionUnknown], "3.6 and later") || !strings.Contains(got[offload.ReasonCTStateUnsupported], "not known") {
		t.Errorf("unknown version: flow 2 reasons %+v", report.Flows[1].Reasons)
	}
}

func TestExplainFlowsDryRun(t *testing.T) {
	flows := readDump(t, "ct-node.dump")
	report := offload.Classify(flows, offload.Facts{Backend: "tc", HWOffload: true})
	k := newFakeKernel(ovsFilters()...)
	if err := explainFlows(context.Background(), feat("3.1.0"), flows, report, resolve, newProber(k, ProbeConfig{DryRun: true})); err != nil {
		t.Fatal(err)
	}
	if len(k.adds) != 0 || len(k.dels) != 0 {
		t.Fatalf("dry run installed %d, deleted %d", len(k.adds), len(k.dels))
	}
	d := codes(report.Flows[1].Reasons)[offload.ReasonProbeSkipped]
	if !strings.HasPrefix(d, "dry run: would install: tc filter add dev if12 ingress chain 268435455 prio 1") || !strings.Contains(d, "ct_state +new-est+trk") {
		t.Errorf("dry-run reason %q", d)
	}
	if !strings.Contains(strings.Join(report.Limits, "\n"), "nothing was") {
		t.Errorf("limits %q", report.Limits)
	}
}

func TestExplainFlowsMaxFlows(t *testing.T) {
	flows := readDump(t, "ct-node.dump")
	report := offload.Classify(flows, offload.Facts{Backend: "tc", HWOffload: true})
	k := newFakeKernel()
	if err := explainFlows(context.Background(), feat("3.1.0"), flows, report, resolve, newProber(k, ProbeConfig{MaxFlows: 1})); err != nil {
		t.Fatal(err)
	}
	if len(k.adds) != 1 {
		t.Errorf("%d installs with MaxFlows 1", len(k.adds))
	}
	if d := codes(report.Flows[2].Reasons)[offload.ReasonProbeSkipped]; !strings.Contains(d, "at most 1 filters") {
		t.Errorf("flow 3 reasons %+v", report.Flows[2].Reasons)
	}
}

// TestExplainFlowsInTCSoftware: a flow OVS put into TC that the driver did
// not take gets no translation reason, even with the version and the
// ct_state bits unknown (OVS did translate it): the probe asks the driver,
// whose message the report carries verbatim; without the probe, the
// report says that the probe would tell.
func TestExplainFlowsInTCSoftware(t *testing.T) {
	flows := readDump(t, "tc-software.dump")
	report := offload.Classify(flows, offload.Facts{Backend: "tc", HWOffload: true})
	if report.Flows[0].State != offload.SoftwareTC || report.Flows[1].State != offload.InHardware {
		t.Fatalf("states %s %s", report.Flows[0].State, report.Flows[1].State)
	}
	k := newFakeKernel()
	msg := "netdevsim: ct_state +new is refused by the emulated eswitch \x01 [held out]"
	k.driver = func(s FilterSpec) (string, syscall.Errno) {
		if s.Match.CtState&CtNew != 0 {
			return msg, syscall.EOPNOTSUPP
		}
		return "", 0
	}
	if err := explainFlows(context.Background(), OVSFeatures{}, flows, report, resolve, newProber(k, ProbeConfig{})); err != nil {
		t.Fatal(err)
	}
	got := codes(report.Flows[0].Reasons)
	if got[offload.ReasonDriverRefused] != msg {
		t.Errorf("reasons %+v, want the driver's message verbatim", report.Flows[0].Reasons)
	}
	for _, c := range []offload.ReasonCode{offload.ReasonCTStateUnsupported, offload.ReasonOVSVersionUnknown} {
		if _, ok := got[c]; ok {
			t.Errorf("a flow OVS put into TC has a translation reason %s", c)
		}
	}
	if len(k.adds) != 1 || k.count() != 0 {
		t.Errorf("%d installs, %d left", len(k.adds), k.count())
	}

	report = offload.Classify(flows, offload.Facts{Backend: "tc", HWOffload: true})
	if err := explainFlows(context.Background(), OVSFeatures{}, flows, report, resolve, nil); err != nil {
		t.Fatal(err)
	}
	if d := codes(report.Flows[0].Reasons)[offload.ReasonProbeSkipped]; !strings.Contains(d, "--probe") {
		t.Errorf("without the probe: %+v", report.Flows[0].Reasons)
	}
}

// TestExplainFlowsDumpFails: a device whose filters cannot be read is not
// probed, and the report says why instead of failing.
func TestExplainFlowsDumpFails(t *testing.T) {
	flows := readDump(t, "tc-software.dump")
	report := offload.Classify(flows, offload.Facts{Backend: "tc", HWOffload: true})
	k := newFakeKernel()
	k.dumpErr = &OpError{Op: "dump filters", Errno: syscall.EPERM, Err: syscall.EPERM}
	if err := explainFlows(context.Background(), feat("3.1.0"), flows, report, resolve, newProber(k, ProbeConfig{})); err != nil {
		t.Fatal(err)
	}
	if d := codes(report.Flows[0].Reasons)[offload.ReasonProbeSkipped]; !strings.Contains(d, "could not be swept") || !strings.Contains(d, "operation not permitted") {
		t.Errorf("reasons %+v", report.Flows[0].Reasons)
	}
	if len(k.adds) != 0 {
		t.Errorf("%d installs on a device whose filters could not be read", len(k.adds))
	}
}

// TestFeaturesFromLog: the version and the ct_state bits come from the
// running daemon's part of a recorded ovs-vswitchd 3.1.0 log when neither
// the configuration nor the database has them; the configuration wins.
func TestFeaturesFromLog(t *testing.T) {
	log, err := ovslog.ReadFile(filepath.Join("..", "ovslog", "testdata", "ovs-3.1.0-recorded.log"), 0)
	if err != nil {
		t.Fatal(err)
	}
	f := features(OVSFeatures{}, "", log)
	if f.Version != "3.1.0" || f.Family() != OVSFamily31 || !f.CTStateKnown || f.CTStateBits != 0 {
		t.Errorf("from the log: %+v", f)
	}
	f = features(OVSFeatures{CTStateBits: 0x27, CTStateKnown: true}, "3.6.0", log)
	if f.Version != "3.6.0" || f.CTStateBits != 0x27 {
		t.Errorf("the database and the configuration must win: %+v", f)
	}
	if f := features(OVSFeatures{}, "", nil); f.Version != "" || f.CTStateKnown {
		t.Errorf("without a log: %+v", f)
	}
}
