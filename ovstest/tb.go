// SPDX-License-Identifier: Apache-2.0

package ovstest

// TB is the part of testing.TB the harness uses. *testing.T, *testing.B and
// *testing.F satisfy it. A program can implement it to build the same
// sandbox outside go test (examples/demo does): Cleanup registers teardown,
// Fatalf must stop the caller (panic or runtime.Goexit), and Skipf is called
// when a prerequisite is missing.
type TB interface {
	Helper()
	Cleanup(func())
	TempDir() string
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}
