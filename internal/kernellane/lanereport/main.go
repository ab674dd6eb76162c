// SPDX-License-Identifier: Apache-2.0

// Command lanereport prints the summary of a kernel-lane run and exits 1 when
// the run does not count as passed: a test failed, skipped or never reported,
// a binary exited non-zero, or a binary ran no test.
//
// Usage:
//
//	lanereport -run .cache/kernel-lane/run
//
// The run directory holds the plan written by scripts/kernel-lane/tests.sh
// ("<name> <package dir>" per line) and results/, where the guest wrote
// <name>.out (the -test.v output) and <name>.rc ("<exit> <start> <end>").
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/kernellane"
)

func main() {
	run := flag.String("run", "", "kernel-lane run directory (plan and results/)")
	flag.Parse()
	if *run == "" {
		fmt.Fprintln(os.Stderr, "lanereport: -run is required")
		os.Exit(2)
	}
	ok, err := report(os.Stdout, *run)
	if err != nil {
		fmt.Fprintf(os.Stderr, "lanereport: %v\n", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

type binaryRun struct {
	name     string
	exitCode int
	wall     time.Duration
	results  []kernellane.Result
	output   string
	err      error
}

// report prints the summary of the run in dir and reports whether it passed.
func report(w io.Writer, dir string) (bool, error) {
	names, err := readPlan(filepath.Join(dir, "plan"))
	if err != nil {
		return false, err
	}
	if len(names) == 0 {
		return false, fmt.Errorf("the plan in %s names no test binary", dir)
	}
	var runs []binaryRun
	for _, name := range names {
		runs = append(runs, readRun(filepath.Join(dir, "results"), name))
	}

	var pass, fail, skip int
	fmt.Fprintln(w, "kernel lane: per-test results (guest wall time per test)")
	for _, r := range runs {
		for _, res := range r.results {
			indent := ""
			if !res.TopLevel() {
				indent = "  "
			}
			fmt.Fprintf(w, "  %-8s %-56s %8.2fs  %s\n", res.Status, indent+res.Name, res.Elapsed.Seconds(), r.name)
			if !res.TopLevel() {
				continue
			}
			switch res.Status {
			case kernellane.Pass:
				pass++
			case kernellane.Skip:
				skip++
			default:
				fail++
			}
		}
	}
	fmt.Fprintln(w, "kernel lane: per-binary")
	passed := true
	for _, r := range runs {
		verdict := "ok"
		if r.err != nil {
			verdict = "FAILED"
			passed = false
		}
		fmt.Fprintf(w, "  %-6s %-40s exit %d, %.1fs\n", verdict, r.name, r.exitCode, r.wall.Seconds())
	}
	for _, r := range runs {
		if r.err == nil {
			continue
		}
		fmt.Fprintf(w, "\n%v\n", r.err)
		if r.output != "" {
			fmt.Fprintf(w, "--- last lines of %s output:\n%s\n", r.name, tail(r.output, 80))
		}
	}
	fmt.Fprintf(w, "kernel lane: %d passed, %d failed, %d skipped (top-level tests) in %d binaries\n",
		pass, fail, skip, len(runs))
	fmt.Fprintln(w, "kernel lane: the emulated eswitch (netdevsim) refuses only what the tests tell it to (and ct_state +new) and its hardware counters are set by the tests: in_hw there proves the control path, not the silicon")
	return passed, nil
}

func readPlan(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) > 0 {
			names = append(names, fields[0])
		}
	}
	return names, sc.Err()
}

// readRun reads what the guest wrote for one binary; a missing file is a failure.
func readRun(dir, name string) binaryRun {
	r := binaryRun{name: name, exitCode: -1}
	rc, err := os.ReadFile(filepath.Join(dir, name+".rc"))
	if err != nil {
		r.err = fmt.Errorf("kernel lane: %s: the guest never finished it (no exit status): %w", name, err)
		return r
	}
	f := strings.Fields(string(rc))
	if len(f) != 3 {
		r.err = fmt.Errorf("kernel lane: %s: malformed exit status file %q", name, rc)
		return r
	}
	r.exitCode, err = strconv.Atoi(f[0])
	start, err1 := strconv.ParseFloat(f[1], 64)
	end, err2 := strconv.ParseFloat(f[2], 64)
	if err = errors.Join(err, err1, err2); err != nil {
		r.err = fmt.Errorf("kernel lane: %s: malformed exit status file %q: %w", name, rc, err)
		return r
	}
	r.wall = time.Duration((end - start) * float64(time.Second))
	out, err := os.ReadFile(filepath.Join(dir, name+".out"))
	if err != nil {
		r.err = fmt.Errorf("kernel lane: %s: no test output: %w", name, err)
		return r
	}
	r.output = string(out)
	r.results, err = kernellane.ParseTestOutput(strings.NewReader(r.output))
	if err != nil {
		r.err = err
		return r
	}
	r.err = kernellane.Check(name, r.exitCode, r.results)
	return r
}

func tail(s string, n int) string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, "\n")
}
