// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/ovsoffload/ovsoffload/internal/testenv"
	"github.com/ovsoffload/ovsoffload/offload"
)

// realworldVerdicts are offload-check's verdicts (backend none: no TC
// evidence here) on the dpctl files of the shared real-world corpus
// (../shared/corpus/realworld, never committed here), by state. Before
// issue 17 the kube-ovn file (2 lines of Yusur's fork) and the exuuwen file
// (2 lines of NVIDIA's) gave no verdict at all (exit 2); dumps without -m
// gave ovs-only.
var realworldVerdicts = map[string]map[offload.State]int{
	"antrea-docs-dpctl.txt":           {offload.Unverified: 4},                         // type=offloaded without -m: see TestRealworldTypeHint
	"exuuwen-study-dpctl.txt":         {offload.Unverified: 36, offload.InHardware: 3}, // 3 lines of NVIDIA's fork (offloaded:yes, dp:dpdk)
	"kubeovn-docs-dpctl.txt":          {offload.Unverified: 6, offload.InHardware: 4},  // 2 of Yusur's fork, 2 of a CX5 (offloaded:yes, dp:tc)
	"mellanox-ovs-tests-dpctl.txt":    {offload.SoftwareTC: 1},                         // dp:tc without offloaded:
	"ovn-docs-dpctl.txt":              {offload.Unverified: 2},
	"ovs-docs-dpctl-placeholders.txt": {offload.Unverified: 2},
}

func realworldCheck(t *testing.T, ep, path string, args ...string) (int, result) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append([]string{"--db", ep, "--eswitch=false", "--backend", "none", "--json", "--from-file", path}, args...), &out, &errOut)
	var res result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("%s: exit %d, stderr %q: %v", path, code, errOut.String(), err)
	}
	return code, res
}

// TestRealworldVerdicts: every dpctl file of the real-world corpus gets a
// verdict for each of its lines (exit 1, never 2), none unknown, and the
// states the table pins.
func TestRealworldVerdicts(t *testing.T) {
	dir := testenv.Corpus(t, "realworld")
	ep, _ := podDB(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*dpctl*.txt"))
	if len(files) != len(realworldVerdicts) {
		t.Errorf("%d dpctl files, the table has %d", len(files), len(realworldVerdicts))
	}
	for _, path := range files {
		name := filepath.Base(path)
		want, ok := realworldVerdicts[name]
		if !ok {
			t.Errorf("%s: not accounted for", name)
			continue
		}
		code, res := realworldCheck(t, ep, path)
		got := map[offload.State]int{}
		for _, f := range res.Report.Flows {
			got[f.State]++
			// Without the tc backend's evidence, dp:tc is believed, never
			// verified; dp:dpdk's word is its own evidence (as for DOCA).
			if f.DP == "tc" && f.Verified || f.State == offload.Unknown {
				t.Errorf("%s: %+v", name, f)
			}
		}
		if code != exitNotAll || len(got) != len(want) {
			t.Errorf("%s: exit %d, states %v; want 1 and %v", name, code, got, want)
			continue
		}
		for s, n := range want {
			if got[s] != n {
				t.Errorf("%s: states %v, want %v", name, got, want)
				break
			}
		}
	}
}

// TestRealworldTypeHint: Antrea's document shows `dpctl/dump-flows --names
// type=offloaded` output (no -m): with --type offloaded its flows are in
// hardware (unverified), not ovs-only.
func TestRealworldTypeHint(t *testing.T) {
	dir := testenv.Corpus(t, "realworld")
	ep, _ := podDB(t)
	code, res := realworldCheck(t, ep, filepath.Join(dir, "antrea-docs-dpctl.txt"), "--type", "offloaded")
	if code != exitNotAll || len(res.Report.Flows) != 4 {
		t.Fatalf("exit %d, %d flows", code, len(res.Report.Flows))
	}
	for i, f := range res.Report.Flows {
		if f.State != offload.InHardware || f.Verified {
			t.Errorf("flow %d: %s verified %v", i+1, f.State, f.Verified)
		}
	}
}
