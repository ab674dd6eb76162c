// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"io"
	"os"
)

// sandbox lets the demo drive ovstest, the project's real-daemon test
// harness, outside go test: it collects teardown functions and runs them in
// reverse order, and stops the demo on a fatal error.
type sandbox struct {
	log      io.Writer
	cleanups []func()
	failed   bool
}

// stop is what Fatal and Skip panic with; main recovers it.
type stop struct{ skipped bool }

func (s *sandbox) Helper()          {}
func (s *sandbox) Cleanup(f func()) { s.cleanups = append(s.cleanups, f) }
func (s *sandbox) Logf(format string, args ...any) {
	fmt.Fprintf(s.log, format+"\n", args...)
}
func (s *sandbox) Errorf(format string, args ...any) {
	s.failed = true
	fmt.Fprintf(s.log, "error: "+format+"\n", args...)
}
func (s *sandbox) Fatal(args ...any) {
	s.failed = true
	fmt.Fprintln(s.log, append([]any{"fatal:"}, args...)...)
	panic(stop{})
}
func (s *sandbox) Fatalf(format string, args ...any) {
	s.failed = true
	fmt.Fprintf(s.log, "fatal: "+format+"\n", args...)
	panic(stop{})
}
func (s *sandbox) Skipf(format string, args ...any) {
	fmt.Fprintf(s.log, "missing: "+format+"\n", args...)
	panic(stop{skipped: true})
}

// TempDir returns a new directory removed at teardown.
func (s *sandbox) TempDir() string {
	dir, err := os.MkdirTemp("", "ovsoffload-demo")
	if err != nil {
		s.Fatalf("%v", err)
	}
	s.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// teardown runs the cleanups, newest first.
func (s *sandbox) teardown() {
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		s.cleanups[i]()
	}
	s.cleanups = nil
}
