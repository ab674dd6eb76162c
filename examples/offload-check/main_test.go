// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/examples/internal/nodeflags"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// podDB serves an in-process database holding the layout of a DPU node:
// br-int with two pod representors labelled as a CNI labels them, the
// uplink and the host PF. It returns the endpoint and a client.
func podDB(t *testing.T) (string, *ovsdb.Client) {
	t.Helper()
	ep := ovstest.StartInProcessDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db := ovstest.Dial(t, ep)
	if _, err := db.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br-int", DatapathType: ovsdb.DatapathNetdev}); err != nil {
		t.Fatal(err)
	}
	ports := []ovsdb.PortSpec{
		{Bridge: "br-int", Name: "pf0vf0", ExternalIDs: ovsdb.PodAttachment{IfaceID: "default_testpod1", PodName: "testpod1", PodNamespace: "default"}.ExternalIDs()},
		{Bridge: "br-int", Name: "pf0vf1", ExternalIDs: ovsdb.PodAttachment{IfaceID: "default_testpod2", PodName: "testpod2", PodNamespace: "default"}.ExternalIDs()},
		{Bridge: "br-int", Name: "pf0vf2", ExternalIDs: ovsdb.PodAttachment{IfaceID: "other_testpod2", PodName: "testpod2", PodNamespace: "other"}.ExternalIDs()},
		{Bridge: "br-int", Name: "p0"},
		{Bridge: "br-int", Name: "pf0hpf"},
	}
	for _, p := range ports {
		if _, err := db.EnsurePort(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	return ep, db
}

// runCheck runs offload-check against the in-process database and a saved dump.
func runCheck(t *testing.T, ep, dump string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(append([]string{"--db", ep, "--eswitch=false", "--from-file", "testdata/" + dump}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func checkJSON(t *testing.T, ep, dump string, args ...string) (int, result) {
	t.Helper()
	code, out, errOut := runCheck(t, ep, dump, append(args, "--json")...)
	var res result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("exit %d, stderr %q, JSON: %v\n%s", code, errOut, err, out)
	}
	return code, res
}

func TestDOCAPodAllInHardware(t *testing.T) {
	ep, _ := podDB(t)
	code, res := checkJSON(t, ep, "doca.dump", "--backend", "doca", "--pod", "default/testpod1")
	if code != exitInHardware || !res.AllInHardware {
		t.Fatalf("exit %d, all in hardware %v; want 0: %+v", code, res.AllInHardware, res.Report)
	}
	if got := len(res.Report.Flows); got != 2 {
		t.Fatalf("%d flows selected, want 2 (one from the pod, one toward it)", got)
	}
	want := []string{"in_port(pf0vf0)", "output:pf0vf0"}
	for i, f := range res.Report.Flows {
		if f.DP != "doca" || f.State != offload.InHardware || !f.Verified {
			t.Errorf("flow %d: dp %s state %s verified %v", i+1, f.DP, f.State, f.Verified)
		}
		if res.SelectedBy[i] != want[i] {
			t.Errorf("flow %d selected by %q, want %q", i+1, res.SelectedBy[i], want[i])
		}
	}
	if len(res.Ports) != 1 || res.Ports[0].Port != "pf0vf0" || res.Ports[0].IfaceID != "default_testpod1" {
		t.Errorf("ports %+v", res.Ports)
	}
}

func TestDOCAPodPartial(t *testing.T) {
	ep, _ := podDB(t)
	code, out, errOut := runCheck(t, ep, "doca.dump", "--backend", "doca", "--iface-id", "default_testpod2")
	if code != exitNotAll {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"checking: iface-id default_testpod2",
		"partial",
		"actions-in-ovs: matched in hardware, actions run in OVS (offloaded:partial, dp:ovs)",
		"1 of 3 flows of iface-id default_testpod2 are not verified in hardware",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// On a TC dump without the tc backend's evidence, dpctl's offloaded:yes is
// believed but not verified: the check must not pass.
func TestTCDumpUnverified(t *testing.T) {
	ep, _ := podDB(t)
	code, res := checkJSON(t, ep, "tc.dump", "--backend", "none", "--port", "pf0vf0")
	if code != exitNotAll {
		t.Fatalf("exit %d, want 1", code)
	}
	byState := map[offload.State]int{}
	for _, f := range res.Report.Flows {
		byState[f.State]++
		if f.State == offload.InHardware && f.Verified {
			t.Errorf("flow %s verified in hardware without evidence", f.UFID)
		}
	}
	// pf0vf0 -> pf0vf1 offloaded:yes; pf0vf1 -> pf0vf0 dp:tc not offloaded; the slow-path ARP.
	want := map[offload.State]int{offload.InHardware: 1, offload.SoftwareTC: 1, offload.OVSOnly: 1}
	for s, n := range want {
		if byState[s] != n {
			t.Errorf("%s: %d flows, want %d (all: %v)", s, byState[s], n, byState)
		}
	}
	var slow bool
	for _, f := range res.Report.Flows {
		for _, r := range f.Reasons {
			slow = slow || r.Code == offload.ReasonActionNotOffloadable
		}
	}
	if !slow {
		t.Error("the slow-path flow has no action-not-offloadable reason")
	}
}

func TestWholeNodeAndAuto(t *testing.T) {
	ep, db := podDB(t)
	code, res := checkJSON(t, ep, "tc.dump")
	if code != exitNotAll || res.Report.Backend != "none" || len(res.Report.Flows) != 4 || res.SelectedBy != nil {
		t.Fatalf("exit %d backend %s flows %d selected-by %v", code, res.Report.Backend, len(res.Report.Flows), res.SelectedBy)
	}
	if !strings.Contains(res.BackendChoice, "hw-offload is not true") {
		t.Errorf("backend choice %q", res.BackendChoice)
	}

	on := true
	if _, err := db.SetOffload(context.Background(), ovsdb.OffloadSettings{HWOffload: &on}); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCheck(t, ep, "tc.dump")
	if _, err := offload.New("tc", nil); err != nil {
		if code != exitError || !strings.Contains(errOut, "backend tc") || !strings.Contains(errOut, "not built into this binary") {
			t.Errorf("auto with hw-offload=true and no tc backend: exit %d, stderr %q", code, errOut)
		}
	} else if code == exitError {
		t.Errorf("tc registered, yet exit 2: %s", errOut)
	}
}

func TestNoFlowsIsNotAPass(t *testing.T) {
	ep, _ := podDB(t)
	code, out, _ := runCheck(t, ep, "doca.dump", "--backend", "doca", "--port", "pf0hpf")
	if code != exitNotAll || !strings.Contains(out, "no datapath flow for port pf0hpf") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// Issue 17, item 3: a line that cannot be parsed costs its own verdict
// only: it becomes a flow of state unknown with its parse error, the rest of
// the dump is judged, and the exit status is 1 (not 2, no verdict).
func TestUnparsableLineJudged(t *testing.T) {
	ep, _ := podDB(t)
	code, res := checkJSON(t, ep, "bad.dump", "--backend", "none")
	if code != exitNotAll || len(res.Report.Flows) != 2 {
		t.Fatalf("exit %d, %d flows; want 1 and 2", code, len(res.Report.Flows))
	}
	if f := res.Report.Flows[0]; f.State != offload.OVSOnly || f.InPort != "pf0vf0" {
		t.Errorf("flow 1 not judged: %+v", f)
	}
	f := res.Report.Flows[1]
	if f.State != offload.Unknown || !strings.Contains(f.ParseError, "bad.dump: dpflow: 2:") || f.Reasons[0].Code != offload.ReasonParseError {
		t.Errorf("flow 2: %+v", f)
	}
	if res.Report.Totals.ByState[offload.Unknown] != 1 || !strings.Contains(res.Verdict, "2 of 2 flows") {
		t.Errorf("totals %+v verdict %q", res.Report.Totals, res.Verdict)
	}
	code, out, _ := runCheck(t, ep, "bad.dump", "--backend", "none")
	if code != exitNotAll || !strings.Contains(out, "unknown: 1 lines") || !strings.Contains(out, "10.0.0.400") {
		t.Errorf("text: exit %d\n%s", code, out)
	}
	// A selection keeps the unparsed line: it may be the pod's flow.
	code, res = checkJSON(t, ep, "bad.dump", "--backend", "none", "--port", "pf0vf0")
	if code != exitNotAll || len(res.Report.Flows) != 2 || res.Report.Flows[1].State != offload.Unknown ||
		!strings.Contains(res.SelectedBy[1], "unparsed line") {
		t.Errorf("--port pf0vf0: exit %d, flows %+v, selected by %v", code, res.Report.Flows, res.SelectedBy)
	}
}

// Issue 17, item 4: a dump taken without -m (dpctl/dump-flows type=offloaded,
// as users paste it) gives unverified flows, or in-hardware (unverified)
// with --type offloaded; never ovs-only for flows OVS listed as offloaded.
func TestDumpWithoutM(t *testing.T) {
	ep, _ := podDB(t)
	for _, tc := range []struct {
		args []string
		want offload.State
	}{{nil, offload.Unverified}, {[]string{"--type", "offloaded"}, offload.InHardware}, {[]string{"--type", "ovs"}, offload.OVSOnly}} {
		code, res := checkJSON(t, ep, "nom.dump", append([]string{"--backend", "none"}, tc.args...)...)
		if code != exitNotAll || len(res.Report.Flows) != 3 {
			t.Fatalf("%v: exit %d, %d flows", tc.args, code, len(res.Report.Flows))
		}
		for i, f := range res.Report.Flows {
			if f.State != tc.want || f.Verified {
				t.Errorf("%v: flow %d %s verified %v, want %s unverified", tc.args, i+1, f.State, f.Verified, tc.want)
			}
		}
	}
	code, out, _ := runCheck(t, ep, "nom.dump", "--backend", "none", "--type", "offloaded")
	if code != exitNotAll || !strings.Contains(out, "in-hardware (unverified)") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestErrors(t *testing.T) {
	ep, _ := podDB(t)
	for _, tc := range []struct {
		name string
		dump string
		args []string
		want string
	}{
		{"pod not found", "tc.dump", []string{"--pod", "nosuch"}, `pod nosuch: no interface in any of the 6 ports has external_ids:pod-name="nosuch"`},
		{"pod in namespace not found", "tc.dump", []string{"--pod", "kube-system/testpod1"}, `pod-namespace="kube-system" and pod-name="testpod1"`},
		{"ambiguous pod", "tc.dump", []string{"--pod", "testpod2"}, "ambiguous: default/testpod2, other/testpod2"},
		{"iface-id not found", "tc.dump", []string{"--iface-id", "nope"}, `external_ids:iface-id="nope"`},
		{"port not found", "tc.dump", []string{"--port", "pf0vf9"}, `port "pf0vf9": not found`},
		{"exclusive", "tc.dump", []string{"--pod", "a", "--port", "b"}, "exclusive"},
		{"bad backend", "tc.dump", []string{"--backend", "dpdk"}, `--backend "dpdk"`},
		{"bad flag", "tc.dump", []string{"--nope"}, "flag provided but not defined"},
		{"stray argument", "tc.dump", []string{"pf0vf0"}, "unexpected arguments"},
		{"bad --type", "tc.dump", []string{"--type", "hardware"}, `--type "hardware"`},
		{"missing dump", "nosuch.dump", nil, "no such file"},
		{"negative counter window", "tc.dump", []string{"--counter-window", "-1s"}, "--counter-window -1s"},
		{"counter window past timeout", "tc.dump", []string{"--counter-window", "1m", "--timeout", "10s"}, "shorter than --timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCheck(t, ep, tc.dump, tc.args...)
			if code != exitError || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q\n%s", code, errOut, tc.want, out)
			}
		})
	}
}

func TestDBUnreachable(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"--db", "unix:" + t.TempDir() + "/db.sock", "--timeout", "2s"}, &out, &errOut)
	if code != exitError || !strings.Contains(errOut.String(), "connecting to the Open_vSwitch database") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}

func TestHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-h"}, &out, &errOut); code != 0 || !strings.Contains(errOut.String(), "--pod") && !strings.Contains(errOut.String(), "-pod") {
		t.Errorf("exit %d, usage %q", code, errOut.String())
	}
}

// The dump files are real dpctl -m --names lines: each parses.
func TestDumpsParse(t *testing.T) {
	for _, name := range []string{"tc.dump", "doca.dump"} {
		flows, err := nodeflags.ReadDump("testdata/" + name)(context.Background())
		if err != nil || len(flows) != 4 {
			t.Errorf("%s: %d flows, %v", name, len(flows), err)
		}
	}
}

// --counter-window verifies twice; the verdict names the flows in hardware
// whose software packets grew.
func TestCounterWindow(t *testing.T) {
	ep, _ := podDB(t)
	code, res := checkJSON(t, ep, "tc.dump", "--backend", "tc", "--counter-window", "20ms")
	if code != exitNotAll || len(res.Report.Flows) == 0 {
		t.Fatalf("exit %d, %d flows", code, len(res.Report.Flows))
	}
	r := &offload.Report{Flows: []offload.FlowVerdict{
		{State: offload.InHardware, Verified: true, TrafficInSoftware: true},
		{State: offload.InHardware, Verified: true},
	}}
	if got := verdict(r, selector{Port: "pf0vf0"}); !strings.Contains(got, "all 2 flows") ||
		!strings.Contains(got, "1 in hardware, but with traffic in software") {
		t.Errorf("verdict %q", got)
	}
}
