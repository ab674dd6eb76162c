// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ovsoffload/ovsoffload/dpflow"
)

// Lines in the format ovs-appctl dpctl/dump-flows -m --names prints.
const (
	tcInHW    = `ufid:11111111-2222-3333-4444-555555555555, recirc_id(0),dp_hash(0/0),skb_priority(0/0),in_port(pf0vf0),skb_mark(0/0),ct_state(0/0),ct_zone(0/0),ct_mark(0/0),ct_label(0/0),eth(src=00:00:00:00:01:0a,dst=00:00:00:00:01:0b),eth_type(0x0800),ipv4(src=10.1.0.10,dst=10.1.0.11,proto=1,tos=0/0,ttl=0/0,frag=no), packets:10, bytes:980, used:0.5s, offloaded:yes, dp:tc, actions:pf0vf1`
	tcNotInHW = `ufid:aaaaaaaa-2222-3333-4444-555555555555, recirc_id(0),in_port(pf0vf1),eth(src=00:00:00:00:01:0b,dst=00:00:00:00:01:0a),eth_type(0x0800),ipv4(src=10.1.0.11,dst=10.1.0.10,proto=1,frag=no), packets:10, bytes:980, used:0.5s, dp:tc, actions:pf0vf0`
	ovsSlow   = `ufid:bbbbbbbb-2222-3333-4444-555555555555, recirc_id(0),in_port(pf0vf1),eth(src=00:00:00:00:01:0b,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806),arp(sip=10.1.0.11,tip=10.1.0.10,op=1/0xff), packets:1, bytes:42, used:1.0s, dp:ovs, actions:userspace(pid=3166230016,slow_path(action))`
	docaYes   = `ufid:cccccccc-2222-3333-4444-555555555555, recirc_id(0),in_port(pf0vf7),eth(src=00:00:00:00:01:0a,dst=00:00:00:00:01:0b),eth_type(0x0800),ipv4(frag=no), packets:5, bytes:490, used:0.1s, offloaded:yes, dp:doca, actions:p0`
	docaPart  = `ufid:dddddddd-2222-3333-4444-555555555555, recirc_id(0),in_port(pf0vf7),eth_type(0x0800),ipv4(frag=no), packets:5, bytes:490, used:0.1s, offloaded:partial, dp:ovs, actions:ct(zone=5),recirc(0x1)`
	noM       = `recirc_id(0),in_port(2),eth(src=00:00:00:00:01:0a,dst=00:00:00:00:01:0b),eth_type(0x0800),ipv4(frag=no), packets:5, bytes:490, used:0.1s, actions:3`
)

func parse(t *testing.T, lines ...string) []*dpflow.Flow {
	t.Helper()
	var out []*dpflow.Flow
	for _, l := range lines {
		f, err := dpflow.Parse(l)
		if err != nil {
			t.Fatalf("parse %q: %v", l, err)
		}
		out = append(out, f)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func codes(v FlowVerdict) []ReasonCode {
	var c []ReasonCode
	for _, r := range v.Reasons {
		c = append(c, r.Code)
	}
	return c
}

func has(v FlowVerdict, code ReasonCode) bool {
	for _, r := range v.Reasons {
		if r.Code == code {
			return true
		}
	}
	return false
}

func tcEvidence(m map[string]Evidence) func(dpflow.UFID) (Evidence, bool) {
	return func(u dpflow.UFID) (Evidence, bool) {
		e, ok := m[u.String()]
		return e, ok
	}
}

func TestClassifyTC(t *testing.T) {
	flows := parse(t, tcInHW, tcNotInHW, ovsSlow)
	facts := Facts{
		Backend: "tc", HWOffload: true,
		Ports: map[string]PortFacts{
			"pf0vf0": {Representor: "pf0vf0", Pod: "default/pa", IfaceID: "default_pa", HWTCOffload: ptr(true), EswitchMode: EswitchSwitchdev},
			"pf0vf1": {Representor: "pf0vf1", Pod: "default/pb", IfaceID: "default_pb", HWTCOffload: ptr(false), EswitchMode: EswitchSwitchdev},
		},
		Evidence: tcEvidence(map[string]Evidence{
			"11111111-2222-3333-4444-555555555555": {Source: "filter pf0vf0 handle 0x1", InHW: true, InHWCount: 1},
			"aaaaaaaa-2222-3333-4444-555555555555": {Source: "filter pf0vf1 handle 0x2", NotInHW: true},
		}),
	}
	r := Classify(flows, facts)
	if got := r.Flows[0]; got.State != InHardware || !got.Verified || got.Pod != "default/pa" || len(got.Reasons) != 0 {
		t.Errorf("in_hw flow: %+v", got)
	}
	if got := r.Flows[1]; got.State != SoftwareTC || !has(got, ReasonHWTCOffloadOff) {
		t.Errorf("not_in_hw flow on a port with hw-tc-offload off: state %s reasons %v", got.State, codes(got))
	}
	if got := r.Flows[2]; got.State != OVSOnly || !has(got, ReasonActionNotOffloadable) ||
		!strings.Contains(got.Reasons[0].Detail, "slow_path") {
		t.Errorf("slow path flow: state %s reasons %+v", got.State, got.Reasons)
	}
	if r.AllInHardware() {
		t.Error("AllInHardware with flows in software")
	}
	if r.Totals.Flows != 3 || r.Totals.ByState[InHardware] != 1 || r.Totals.ByState[SoftwareTC] != 1 || r.Totals.ByState[OVSOnly] != 1 {
		t.Errorf("totals %+v", r.Totals)
	}
	if len(r.Ports) != 2 || r.Ports[1].Port != "pf0vf1" || r.Ports[1].Flows != 2 || r.Ports[1].Pod != "default/pb" {
		t.Fatalf("ports %+v", r.Ports)
	}
	if len(r.Ports[1].Reasons) == 0 || r.Ports[1].Reasons[0].Code != ReasonHWTCOffloadOff {
		t.Errorf("port pf0vf1 should name hw-tc-offload off: %+v", r.Ports[1].Reasons)
	}
	// Selecting one pod keeps only its flows and recomputes aggregates.
	pa := r.Select(func(v FlowVerdict) bool { return v.Pod == "default/pa" })
	if len(pa.Flows) != 1 || !pa.AllInHardware() || pa.Totals.Flows != 1 || len(pa.Ports) != 1 {
		t.Errorf("select pod pa: %+v", pa)
	}
}

func TestClassifyTCPolicySkipHWAndNoFilter(t *testing.T) {
	flows := parse(t, tcInHW, tcNotInHW)
	r := Classify(flows, Facts{Backend: "tc", HWOffload: true, TCPolicy: "skip_hw",
		Evidence: tcEvidence(map[string]Evidence{
			"aaaaaaaa-2222-3333-4444-555555555555": {Source: "filter veth1", NotInHW: true, SkipHW: true},
		})})
	if got := r.Flows[0]; !has(got, ReasonNoFilter) || got.Verified {
		t.Errorf("flow without filter: verified=%v reasons %v", got.Verified, codes(got))
	}
	if got := r.Flows[1]; got.State != SoftwareTC || !has(got, ReasonTCPolicySkipHW) || has(got, ReasonFilterNotInHW) {
		t.Errorf("skip_hw flow: %s %v", got.State, codes(got))
	}
}

func TestClassifyTCMismatchAndVethNotInHW(t *testing.T) {
	flows := parse(t, tcInHW, tcNotInHW)
	r := Classify(flows, Facts{Backend: "tc", HWOffload: true, Evidence: tcEvidence(map[string]Evidence{
		"11111111-2222-3333-4444-555555555555": {Source: "filter pf0vf0", NotInHW: true},
		"aaaaaaaa-2222-3333-4444-555555555555": {Source: "filter veth1", NotInHW: true},
	})})
	if got := r.Flows[0]; got.State != SoftwareTC || !has(got, ReasonStateMismatch) {
		t.Errorf("offloaded:yes with a not_in_hw filter: %s %v", got.State, codes(got))
	}
	if got := r.Flows[1]; !has(got, ReasonFilterNotInHW) {
		t.Errorf("plain not_in_hw: %v", codes(got))
	}
}

func TestClassifySkipSWRefusedAndUserspace(t *testing.T) {
	line := strings.Replace(tcNotInHW, "dp:tc", "dp:ovs", 1)
	r := Classify(parse(t, line), Facts{Backend: "tc", HWOffload: true, TCPolicy: "skip_sw",
		Ports: map[string]PortFacts{"pf0vf1": {DatapathType: "system"}}})
	if got := r.Flows[0]; got.State != OVSOnly || !has(got, ReasonKernelRefused) {
		t.Errorf("skip_sw refused: %s %v", got.State, codes(got))
	}
	r = Classify(parse(t, line), Facts{Backend: "tc", HWOffload: false,
		Ports: map[string]PortFacts{"pf0vf1": {DatapathType: "netdev"}}})
	if got := r.Flows[0]; !has(got, ReasonUserspaceDatapath) || !has(got, ReasonHWOffloadDisabled) {
		t.Errorf("userspace datapath: %v", codes(got))
	}
	if len(r.Node) != 1 || r.Node[0].Code != ReasonHWOffloadDisabled {
		t.Errorf("node reasons %+v", r.Node)
	}
}

func TestClassifyDOCAAndNoM(t *testing.T) {
	r := Classify(parse(t, docaYes, docaPart, noM), Facts{Backend: "doca", HWOffload: true})
	if got := r.Flows[0]; got.State != InHardware || !got.Verified {
		t.Errorf("doca yes: %+v", got)
	}
	if got := r.Flows[1]; got.State != Partial || !has(got, ReasonActionsInOVS) {
		t.Errorf("doca partial: %s %v", got.State, codes(got))
	}
	if got := r.Flows[2]; !has(got, ReasonNoUFID) || got.Verified || got.State != Unverified {
		t.Errorf("no -m: %s %v", got.State, codes(got))
	}
	if got := r.Flows[0].OutPorts; len(got) != 1 || got[0] != "p0" {
		t.Errorf("out ports %v", got)
	}
}

func TestReportJSONAndTable(t *testing.T) {
	r := Classify(parse(t, tcInHW, ovsSlow), Facts{Backend: "tc", HWOffload: true,
		Evidence: tcEvidence(map[string]Evidence{"11111111-2222-3333-4444-555555555555": {Source: "f", InHW: true}})})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Totals.Flows != 2 || back.Flows[0].State != InHardware || back.Flows[0].UFID != "11111111-2222-3333-4444-555555555555" {
		t.Errorf("JSON round trip: %s", b)
	}
	var sb strings.Builder
	if err := r.WriteTable(&sb); err != nil {
		t.Fatal(err)
	}
	out := sb.String()
	for _, want := range []string{"in-hardware", "ovs-only", "action-not-offloadable", "total: 2 flows: 1 in hardware"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

// TestClassifyPartialDPOVS: lib/dpctl.c (format_dpif_flow) prints
// offloaded:partial only when the dp layer is "ovs", so that is the line
// every backend sees for a partially offloaded flow (the userspace
// datapath's netdev-offload-dpdk or OVS-DOCA's mark-and-recirculate).
func TestClassifyPartialDPOVS(t *testing.T) {
	line := `ufid:eeeeeeee-2222-3333-4444-555555555555, recirc_id(0),dp_hash(0/0),skb_priority(0/0),in_port(pf0vf7),skb_mark(0/0),ct_state(0/0),ct_zone(0/0),ct_mark(0/0),ct_label(0/0),eth(src=00:00:00:00:01:0a,dst=00:00:00:00:01:0b),eth_type(0x0800),ipv4(src=10.1.0.10,dst=10.1.0.11,proto=6,tos=0/0,ttl=0/0,frag=no),tcp(src=0/0,dst=0/0), packets:1000, bytes:98000, used:0.1s, offloaded:partial, dp:ovs, actions:ct(zone=5),recirc(0x1)`
	for _, backend := range []string{"doca", "tc", "none"} {
		r := Classify(parse(t, line), Facts{Backend: backend, HWOffload: true})
		if got := r.Flows[0]; got.State != Partial || !has(got, ReasonActionsInOVS) || !got.Verified {
			t.Errorf("%s: offloaded:partial, dp:ovs gave %s %v (verified %v), want partial", backend, got.State, codes(got), got.Verified)
		}
	}
	// Without the offloaded field, dp:ovs stays OVS-only.
	r := Classify(parse(t, strings.Replace(line, "offloaded:partial, ", "", 1)), Facts{Backend: "doca", HWOffload: true})
	if got := r.Flows[0]; got.State != OVSOnly {
		t.Errorf("dp:ovs without offloaded: %s", got.State)
	}
}

// TestClassifyDPOffloadInfo: OVS-DOCA's own "why" in the dump
// (dp-offload-info, before or after actions:) is a reason of the flow.
func TestClassifyDPOffloadInfo(t *testing.T) {
	before := `ufid:ffffffff-2222-3333-4444-555555555555, recirc_id(0),in_port(pf0vf7),eth_type(0x86dd),ipv6(frag=no), packets:3, bytes:300, used:0.1s, dp:ovs, dp-offload-info:'match unsupported: ipv6 extension headers', actions:p0`
	after := `ufid:ffffffff-2222-3333-4444-555555555556, recirc_id(0),in_port(pf0vf7),eth_type(0x0800),ipv4(frag=no), packets:3, bytes:300, used:0.1s, offloaded:partial, dp:ovs, actions:meter(0),p0, dp-offload-info:'actions unsupported: meter'`
	r := Classify(parse(t, before, after, docaYes), Facts{Backend: "doca", HWOffload: true})
	for i, want := range []string{"match unsupported: ipv6 extension headers", "actions unsupported: meter"} {
		got := r.Flows[i]
		found := false
		for _, rs := range got.Reasons {
			found = found || rs.Code == ReasonDatapathOffloadInfo && strings.Contains(rs.Detail, want)
		}
		if !found {
			t.Errorf("flow %d: reasons %+v, want dp-offload-info %q", i, got.Reasons, want)
		}
	}
	if r.Flows[1].State != Partial || has(r.Flows[2], ReasonDatapathOffloadInfo) {
		t.Errorf("states %s %v", r.Flows[1].State, codes(r.Flows[2]))
	}
}

// Issue 17, item 4: a dump without -m prints neither offloaded: nor dp:, so
// it cannot tell a flow in hardware from one in OVS. Its flows are
// unverified (not ovs-only), in hardware but unverified when the dump came
// from type=offloaded, ovs-only with type=ovs; reasons that come from the
// actions (slow_path) are still given.
func TestClassifyNoMDumpType(t *testing.T) {
	slowNoM := `recirc_id(0),in_port(pf0vf1),eth(src=00:00:00:00:01:0b,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806),arp(sip=10.1.0.11,tip=10.1.0.10,op=1/0xff), packets:1, bytes:42, used:1.0s, actions:userspace(pid=3166230016,slow_path(action))`
	for _, tc := range []struct {
		dumpType string
		want     State
	}{{"", Unverified}, {DumpTypeOffloaded, InHardware}, {DumpTypeOVS, OVSOnly}} {
		r := Classify(parse(t, noM, slowNoM), Facts{Backend: "tc", HWOffload: true, DumpType: tc.dumpType})
		for i, got := range r.Flows {
			if i == 1 && tc.dumpType == DumpTypeOffloaded {
				continue // a slow-path flow is not in a type=offloaded dump
			}
			if got.State != tc.want || got.Verified || !has(got, ReasonNoUFID) {
				t.Errorf("type %q flow %d: %s verified %v %v, want %s, unverified", tc.dumpType, i+1, got.State, got.Verified, codes(got), tc.want)
			}
		}
		if got := r.Flows[1]; !has(got, ReasonActionNotOffloadable) || !strings.Contains(got.Reasons[len(got.Reasons)-1].Detail, "slow_path") {
			t.Errorf("type %q: the slow_path reason is lost: %+v", tc.dumpType, got.Reasons)
		}
		if r.AllInHardware() {
			t.Errorf("type %q: a dump without -m passes the check", tc.dumpType)
		}
		var b strings.Builder
		if err := r.WriteTable(&b); err != nil {
			t.Fatal(err)
		}
		if tc.dumpType == DumpTypeOffloaded && !strings.Contains(b.String(), "in-hardware (unverified)") {
			t.Errorf("type=offloaded table lacks in-hardware (unverified):\n%s", b.String())
		}
		if tc.dumpType == "" && (!strings.Contains(b.String(), "unverified: 2 flows") || strings.Contains(b.String(), "unverified (unverified)")) {
			t.Errorf("table:\n%s", b.String())
		}
	}
}

// Issue 17, item 3: a flow standing for a line that did not parse gets the
// state unknown and its parse error; the flows around it are judged.
func TestClassifyUnparsedLine(t *testing.T) {
	_, perr := dpflow.Parse("recirc_id(0),in_port(pf0vf0),ipv4(src=10.0.0.400), actions:drop")
	if perr == nil {
		t.Fatal("the bad line parses")
	}
	flows := parse(t, docaYes, docaPart)
	flows = []*dpflow.Flow{flows[0], {Err: perr}, flows[1]}
	r := Classify(flows, Facts{Backend: "doca", HWOffload: true})
	if len(r.Flows) != 3 || r.Flows[0].State != InHardware || r.Flows[2].State != Partial {
		t.Fatalf("the parsed flows are not judged: %+v", r.Flows)
	}
	u := r.Flows[1]
	if u.State != Unknown || u.ParseError != perr.Error() || !has(u, ReasonParseError) || u.Verified {
		t.Errorf("unparsed line: %+v", u)
	}
	if r.Totals.ByState[Unknown] != 1 || r.AllInHardware() {
		t.Errorf("totals %+v", r.Totals)
	}
	var b strings.Builder
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "unknown: 1 lines") || !strings.Contains(b.String(), "parse-error") {
		t.Errorf("table:\n%s", b.String())
	}
}
