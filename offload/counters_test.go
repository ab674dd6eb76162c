// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"strings"
	"testing"
)

// OVS prints offloaded:yes when the kernel reported in_hw or no flag at
// all; a filter without either flag proves nothing about the hardware.
func TestClassifyTCOffloadedYesWithoutInHWIsUnverified(t *testing.T) {
	flows := parse(t, tcInHW)
	r := Classify(flows, Facts{Backend: "tc", HWOffload: true, Evidence: tcEvidence(map[string]Evidence{
		"11111111-2222-3333-4444-555555555555": {Source: "filter pf0vf0 handle 0x1"},
	})})
	got := r.Flows[0]
	if got.State != InHardware || got.Verified || !has(got, ReasonUnverified) || has(got, ReasonStateMismatch) {
		t.Fatalf("offloaded:yes, filter without flags: state %s verified %v reasons %v", got.State, got.Verified, codes(got))
	}
	if !strings.Contains(got.Reasons[0].Detail, "filter pf0vf0 handle 0x1 carries no in_hw flag") {
		t.Errorf("reason does not name the filter: %q", got.Reasons[0].Detail)
	}
	if r.AllInHardware() {
		t.Error("an unverified flow counts as verified in hardware")
	}
}

func countersReport(t *testing.T, ev Evidence) *Report {
	t.Helper()
	return Classify(parse(t, tcInHW, tcNotInHW), Facts{Backend: "tc", HWOffload: true, Evidence: tcEvidence(map[string]Evidence{
		"11111111-2222-3333-4444-555555555555": ev,
		"aaaaaaaa-2222-3333-4444-555555555555": {Source: "filter pf0vf1", NotInHW: true,
			Counters: &Counters{SWPackets: 50, SWBytes: 5000}},
	})})
}

// A flow in hardware whose software packets grow between two reads is
// flagged; one whose hardware packets alone grow is not; a software TC
// flow is never flagged (its traffic belongs in software).
func TestCompareCountersFlagsTrafficInSoftware(t *testing.T) {
	first := countersReport(t, Evidence{Source: "filter pf0vf0", InHW: true,
		Counters: &Counters{HWPackets: 100, SWPackets: 2, HWReported: true}})
	if c := first.Flows[0].Counters; c == nil || c.HWPackets != 100 || c.SWPackets != 2 {
		t.Fatalf("counters not carried into the verdict: %+v", c)
	}

	hwOnly := countersReport(t, Evidence{Source: "filter pf0vf0", InHW: true,
		Counters: &Counters{HWPackets: 900, SWPackets: 2, HWReported: true}})
	if n := hwOnly.CompareCounters(first); n != 0 || hwOnly.Flows[0].TrafficInSoftware {
		t.Errorf("hardware hits only: %d flagged", n)
	}

	sw := countersReport(t, Evidence{Source: "filter pf0vf0", InHW: true,
		Counters: &Counters{HWPackets: 100, SWPackets: 40, HWReported: true}})
	sw.Flows[1].Counters = &Counters{SWPackets: 500}
	if n := sw.CompareCounters(first); n != 1 {
		t.Fatalf("%d flows flagged, want 1", n)
	}
	got := sw.Flows[0]
	if !got.TrafficInSoftware || !has(got, ReasonTrafficInSoftware) {
		t.Fatalf("in-hardware flow with growing software packets not flagged: %v", codes(got))
	}
	if d := got.Reasons[len(got.Reasons)-1].Detail; !strings.Contains(d, "38 packets in software") || !strings.Contains(d, "0 in hardware") {
		t.Errorf("reason detail %q", d)
	}
	if sw.Flows[1].TrafficInSoftware {
		t.Error("a software TC flow was flagged")
	}
	if n := sw.CompareCounters(first); n != 0 || len(sw.Flows[0].Reasons) != 1 {
		t.Errorf("a second comparison flagged again: %d, %v", n, codes(sw.Flows[0]))
	}
	var table strings.Builder
	if err := sw.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"HW/SW", "in-hardware (traffic in software)", "100/40", "?/500"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	if n := sw.CompareCounters(nil); n != 0 {
		t.Errorf("nil previous report: %d flagged", n)
	}
}
