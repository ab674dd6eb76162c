// SPDX-License-Identifier: Apache-2.0

package kernellane

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Status is the outcome of one test in a test binary's -test.v output.
type Status string

// The outcomes ParseTestOutput reports.
const (
	Pass Status = "PASS"
	Fail Status = "FAIL"
	Skip Status = "SKIP"
	// NoResult is a test that started (=== RUN) and never reported: the
	// binary panicked, timed out or was killed.
	NoResult Status = "NORESULT"
)

// Result is one test, or subtest (Name holds a '/'), of a test binary run.
type Result struct {
	Name    string        // TestKernelModules, TestKernelOVSTCOffload/skip_hw
	Status  Status        // PASS, FAIL, SKIP or NORESULT
	Elapsed time.Duration // as reported by the testing package; zero for NORESULT
}

// TopLevel reports whether r is a test function rather than a subtest.
func (r Result) TopLevel() bool { return !strings.Contains(r.Name, "/") }

var (
	runLine    = regexp.MustCompile(`^=== RUN\s+(\S+)\s*$`)
	resultLine = regexp.MustCompile(`^\s*--- (PASS|FAIL|SKIP): (\S+) \((\d+(?:\.\d+)?)s\)`)
)

// ParseTestOutput reads the output of a test binary run with -test.v and
// returns a result per test and subtest, in the order they started. A test
// that started but never reported is returned with Status NoResult.
func ParseTestOutput(r io.Reader) ([]Result, error) {
	var results []Result
	index := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if m := runLine.FindStringSubmatch(line); m != nil {
			if _, seen := index[m[1]]; !seen {
				index[m[1]] = len(results)
				results = append(results, Result{Name: m[1], Status: NoResult})
			}
			continue
		}
		m := resultLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		secs, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			return nil, fmt.Errorf("kernellane: test %s: elapsed %q: %w", m[2], m[3], err)
		}
		res := Result{Name: m[2], Status: Status(m[1]), Elapsed: time.Duration(secs * float64(time.Second))}
		if i, seen := index[m[2]]; seen {
			results[i] = res
		} else {
			index[m[2]] = len(results)
			results = append(results, res)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("kernellane: reading test output: %w", err)
	}
	return results, nil
}

// ErrNoTests is matched by the error Check returns when a run holds no test.
var ErrNoTests = errors.New("no test ran")

// RunError says why a test binary's run does not count as passed.
type RunError struct {
	Binary   string   // the binary's name in the plan
	ExitCode int      // the binary's exit status
	Failed   []string // tests that failed or never reported
	Skipped  []string // tests that skipped: in the lane a skip is a failure
	Err      error    // ErrNoTests when nothing ran, else nil
}

// Error lists what went wrong.
func (e *RunError) Error() string {
	var parts []string
	if e.Err != nil {
		parts = append(parts, e.Err.Error())
	}
	if len(e.Failed) > 0 {
		parts = append(parts, "failed: "+strings.Join(e.Failed, ", "))
	}
	if len(e.Skipped) > 0 {
		parts = append(parts, "skipped: "+strings.Join(e.Skipped, ", "))
	}
	if e.ExitCode != 0 {
		parts = append(parts, fmt.Sprintf("exit status %d", e.ExitCode))
	}
	return fmt.Sprintf("kernel lane: %s: %s", e.Binary, strings.Join(parts, "; "))
}

// Unwrap returns ErrNoTests when nothing ran.
func (e *RunError) Unwrap() error { return e.Err }

// Check returns nil when a test binary's run passed in the kernel lane's
// sense: exit status 0, at least one test, every test passed. A skip counts
// as a failure: inside the guest every prerequisite is meant to be there.
func Check(binary string, exitCode int, results []Result) error {
	e := &RunError{Binary: binary, ExitCode: exitCode}
	top := 0
	for _, r := range results {
		if r.TopLevel() {
			top++
		}
		switch r.Status {
		case Fail, NoResult:
			e.Failed = append(e.Failed, r.Name)
		case Skip:
			e.Skipped = append(e.Skipped, r.Name)
		}
	}
	if top == 0 {
		e.Err = ErrNoTests
	}
	if e.Err == nil && exitCode == 0 && len(e.Failed) == 0 && len(e.Skipped) == 0 {
		return nil
	}
	return e
}
