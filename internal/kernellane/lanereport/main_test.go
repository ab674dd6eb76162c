// SPDX-License-Identifier: Apache-2.0

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeRun lays out a run directory as lane.sh and the guest leave it.
func writeRun(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const passOut = "=== RUN   TestKernelA\n--- PASS: TestKernelA (1.50s)\nPASS\n"

func TestReport(t *testing.T) {
	cases := []struct {
		name     string
		files    map[string]string
		passed   bool
		contains string
	}{
		{"passed", map[string]string{
			"plan": "pkg_a /src/a\n", "results/pkg_a.out": passOut, "results/pkg_a.rc": "0 100.0 102.5\n",
		}, true, "1 passed, 0 failed, 0 skipped"},
		{"no exit status", map[string]string{
			"plan": "pkg_a /src/a\npkg_b /src/b\n", "results/pkg_a.out": passOut, "results/pkg_a.rc": "0 1 2\n",
		}, false, "pkg_b: the guest never finished it"},
		{"skipped", map[string]string{
			"plan": "pkg_a /src/a\n", "results/pkg_a.rc": "0 1 2\n",
			"results/pkg_a.out": "=== RUN   TestKernelA\n--- SKIP: TestKernelA (0.00s)\nPASS\n",
		}, false, "skipped: TestKernelA"},
		{"no tests", map[string]string{
			"plan": "pkg_a /src/a\n", "results/pkg_a.rc": "0 1 2\n",
			"results/pkg_a.out": "testing: warning: no tests to run\nPASS\n",
		}, false, "no test ran"},
		{"crashed", map[string]string{
			"plan": "pkg_a /src/a\n", "results/pkg_a.rc": "2 1 2\n",
			"results/pkg_a.out": "=== RUN   TestKernelA\npanic: boom\n",
		}, false, "failed: TestKernelA; exit status 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out strings.Builder
			passed, err := report(&out, writeRun(t, c.files))
			if err != nil {
				t.Fatal(err)
			}
			if passed != c.passed {
				t.Errorf("passed = %v, want %v\n%s", passed, c.passed, out.String())
			}
			if !strings.Contains(out.String(), c.contains) {
				t.Errorf("report lacks %q:\n%s", c.contains, out.String())
			}
		})
	}
}

func TestReportEmptyPlan(t *testing.T) {
	if _, err := report(&strings.Builder{}, writeRun(t, map[string]string{"plan": ""})); err == nil {
		t.Error("report accepted a plan with no binary")
	}
}
