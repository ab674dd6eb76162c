// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ovsoffload/ovsoffload/dpflow"
)

// Issue 13, defect 7: a Node with Scan streams its flows through a
// dpflow.Scanner, whose Flow is reused line after line. The report is the
// one Classify gives for the same flows held whole, and no verdict points
// into the reused Flow.
func TestEachFlowStreams(t *testing.T) {
	dump := strings.Join([]string{tcInHW, tcNotInHW, ovsSlow, docaYes, docaPart, noM}, "\n")
	calls := 0
	node := &Node{Scan: func(ctx context.Context, yield func(*dpflow.Flow) error) error {
		calls++
		sc := dpflow.NewScanner(strings.NewReader(dump))
		for sc.Scan() {
			if err := yield(sc.Flow()); err != nil {
				return err
			}
		}
		return sc.Err()
	}}
	if !node.Streams() {
		t.Fatal("a Node with only Scan does not stream")
	}
	facts := Facts{Backend: "tc", HWOffload: true, Evidence: tcEvidence(map[string]Evidence{
		"11111111-2222-3333-4444-555555555555": {InHW: true},
	})}
	got, err := ClassifyEach(func(fn func(*dpflow.Flow) error) error { return node.EachFlow(context.Background(), fn) }, facts)
	if err != nil {
		t.Fatal(err)
	}
	want := Classify(parse(t, tcInHW, tcNotInHW, ovsSlow, docaYes, docaPart, noM), facts)
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Errorf("streamed report differs:\n got %s\nwant %s", gj, wj)
	}
	if calls != 1 {
		t.Errorf("Scan called %d times, want 1", calls)
	}
	// DumpFlows still gives every flow, cloned.
	flows, err := node.DumpFlows(context.Background())
	if err != nil || len(flows) != 6 || flows[0] == flows[1] || flows[0].InPort() != "pf0vf0" {
		t.Errorf("DumpFlows = %d flows, %v", len(flows), err)
	}
	// An error of the scan, or of fn, stops it and comes back.
	stop := errors.New("stop")
	if _, err := ClassifyEach(func(fn func(*dpflow.Flow) error) error { return stop }, facts); !errors.Is(err, stop) {
		t.Errorf("ClassifyEach = %v, want the scan's error", err)
	}
}
