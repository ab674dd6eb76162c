// SPDX-License-Identifier: Apache-2.0

package kernellane

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const sampleOutput = `=== RUN   TestKernelModules
--- PASS: TestKernelModules (0.52s)
=== RUN   TestKernelOVSTCOffload
=== RUN   TestKernelOVSTCOffload/none
    kernel_test.go:80: some log line --- PASS: not a result
=== RUN   TestKernelOVSTCOffload/skip_sw
--- FAIL: TestKernelOVSTCOffload (3.10s)
    --- PASS: TestKernelOVSTCOffload/none (1.50s)
    --- FAIL: TestKernelOVSTCOffload/skip_sw (1.60s)
=== RUN   TestKernelNetdevsim
    kernel_test.go:12: kernel lane test: runs inside the QEMU guest
--- SKIP: TestKernelNetdevsim (0.00s)
=== RUN   TestKernelCrash
panic: boom
FAIL
`

func TestParseTestOutput(t *testing.T) {
	got, err := ParseTestOutput(strings.NewReader(sampleOutput))
	if err != nil {
		t.Fatal(err)
	}
	want := []Result{
		{"TestKernelModules", Pass, 520 * time.Millisecond},
		{"TestKernelOVSTCOffload", Fail, 3100 * time.Millisecond},
		{"TestKernelOVSTCOffload/none", Pass, 1500 * time.Millisecond},
		{"TestKernelOVSTCOffload/skip_sw", Fail, 1600 * time.Millisecond},
		{"TestKernelNetdevsim", Skip, 0},
		{"TestKernelCrash", NoResult, 0},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d results, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("result %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestCheck(t *testing.T) {
	results, err := ParseTestOutput(strings.NewReader(sampleOutput))
	if err != nil {
		t.Fatal(err)
	}
	err = Check("pkg", 2, results)
	var re *RunError
	if !errors.As(err, &re) {
		t.Fatalf("Check = %v, want *RunError", err)
	}
	if got := strings.Join(re.Failed, ","); got != "TestKernelOVSTCOffload,TestKernelOVSTCOffload/skip_sw,TestKernelCrash" {
		t.Errorf("Failed = %s", got)
	}
	if got := strings.Join(re.Skipped, ","); got != "TestKernelNetdevsim" {
		t.Errorf("Skipped = %s", got)
	}
	if re.ExitCode != 2 || errors.Is(err, ErrNoTests) {
		t.Errorf("RunError = %+v", re)
	}

	passing := []Result{{Name: "TestKernelModules", Status: Pass}, {Name: "TestKernelModules/sub", Status: Pass}}
	if err := Check("pkg", 0, passing); err != nil {
		t.Errorf("Check(all passed) = %v", err)
	}
	if err := Check("pkg", 1, passing); err == nil {
		t.Error("Check(non-zero exit) = nil")
	}
	if err := Check("pkg", 0, nil); !errors.Is(err, ErrNoTests) {
		t.Errorf("Check(no tests) = %v, want ErrNoTests", err)
	}
	skipOnly := []Result{{Name: "TestKernelModules", Status: Skip}}
	if err := Check("pkg", 0, skipOnly); err == nil {
		t.Error("Check(skipped) = nil: a skip in the lane must fail it")
	}
}

func TestParseUptime(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"11.02 20.50\n": 11020 * time.Millisecond,
		"0.00 0.00":     0,
	} {
		got, err := ParseUptime(in)
		if err != nil || got != want {
			t.Errorf("ParseUptime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc 1", "-1 2"} {
		if _, err := ParseUptime(in); err == nil {
			t.Errorf("ParseUptime(%q) succeeded", in)
		}
	}
}

func TestUptimeAndWait(t *testing.T) {
	up, err := Uptime()
	if err != nil {
		t.Fatal(err)
	}
	if up <= 0 {
		t.Fatalf("Uptime = %v", up)
	}
	// already reached: returns at once
	if err := WaitUptime(t.Context(), time.Millisecond); err != nil {
		t.Fatal(err)
	}
}
