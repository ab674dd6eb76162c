// SPDX-License-Identifier: Apache-2.0

// Package testenv decides what a test does when a prerequisite is missing.
//
// Outside CI a test whose prerequisite (a binary, root, a kernel feature) is
// missing is skipped with a message naming what to install. When
// OVSOFFLOAD_STRICT=1 is set (this repository's CI sets it), the same test
// fails: a test that silently skipped did not run. CI=true alone is not
// strict: an importer's CI sets it too, and may have no Open vSwitch.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// T is the part of testing.TB these helpers use. *testing.T, *testing.B and
// *testing.F satisfy it, and so does ovstest.TB.
type T interface {
	Helper()
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}

// Strict reports whether missing prerequisites must fail tests instead of
// skipping them. It is true only when OVSOFFLOAD_STRICT=1.
func Strict() bool {
	return os.Getenv(StrictEnv) == "1"
}

// StrictEnv names the environment variable that makes missing prerequisites
// fail tests (value 1).
const StrictEnv = "OVSOFFLOAD_STRICT"

// Missing skips t, or fails it in strict mode, with a message saying what is
// missing and how to get it.
func Missing(t T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Strict() {
		t.Fatalf("prerequisite missing (strict mode: OVSOFFLOAD_STRICT=1): %s", msg)
		return
	}
	t.Skipf("prerequisite missing: %s", msg)
}

// RequireBinaries checks that every named program is on PATH. pkg names the
// Debian package that provides them, for the message.
func RequireBinaries(t T, pkg string, names ...string) {
	t.Helper()
	var missing []string
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		Missing(t, "%s not found on PATH; install the Debian package %q (apt-get install %s)",
			strings.Join(missing, ", "), pkg, pkg)
	}
}

// RequireRoot checks that the test runs as root, which network namespaces,
// veth pairs and daemons with raw sockets need.
func RequireRoot(t T) {
	t.Helper()
	if testing.Testing() && testing.Short() {
		t.Skipf("-short: this test needs root, daemons or network namespaces (make test runs it)")
	}
	if os.Geteuid() != 0 {
		Missing(t, "test needs root (network namespaces, veth pairs, raw sockets); run it as root")
	}
}

// RequireOVS checks for the Open vSwitch daemons and tools and root.
func RequireOVS(t T) {
	t.Helper()
	RequireRoot(t)
	RequireBinaries(t, "openvswitch-switch", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl", "ovs-ofctl", "ovsdb-tool")
}

// RequireOVN checks for OVN central and host daemons and tools, on top of OVS.
func RequireOVN(t T) {
	t.Helper()
	RequireOVS(t)
	RequireBinaries(t, "ovn-central", "ovn-northd", "ovn-nbctl", "ovn-sbctl")
	RequireBinaries(t, "ovn-host", "ovn-controller")
}

// KernelLaneEnv is the environment variable the kernel lane's guest sets to 1
// for the TestKernel* tests it runs.
const KernelLaneEnv = "OVSOFFLOAD_KERNEL_LANE"

// InKernelLane reports whether the test runs inside the kernel lane's guest
// (KernelLaneEnv=1).
func InKernelLane() bool { return os.Getenv(KernelLaneEnv) == "1" }

// RequireKernelLane skips t unless it runs inside the kernel lane's QEMU guest,
// whose stock Debian kernel has the openvswitch, cls_flower and netdevsim
// modules the host kernel lacks. The skip is by design, even in strict mode:
// `make kernel-lane` runs every TestKernel* test in the guest and fails when
// one of them did not run. Inside the lane it also requires root.
func RequireKernelLane(t T) {
	t.Helper()
	if !InKernelLane() {
		t.Skipf("kernel lane test: runs inside the QEMU guest of `make kernel-lane` (%s=1), not on the host", KernelLaneEnv)
	}
	RequireRoot(t)
}

// CorpusEnv names the environment variable that points at the ovs-tests
// corpus directory, for runs where ../shared is not beside the repository.
const CorpusEnv = "OVSOFFLOAD_CORPUS"

// FindCorpus looks for a set of the shared test corpus (for example
// "ovs-tests" or "realworld"): the directory in $OVSOFFLOAD_CORPUS for
// "ovs-tests", else shared/corpus/<set> beside the repository (the directory
// above the one holding go.mod). The corpora come from other projects and
// are never committed here, so a clean clone has none.
func FindCorpus(set string) (string, bool) {
	if d := os.Getenv(CorpusEnv); d != "" && set == "ovs-tests" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d, true
		}
		return "", false
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(filepath.Dir(dir), "shared", "corpus", set)
			if st, err := os.Stat(d); err == nil && st.IsDir() {
				return d, true
			}
			return "", false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// Corpus returns the directory of a corpus set, or skips t (fails it in
// strict mode) with a message saying where the corpus is looked for.
func Corpus(t T, set string) string {
	t.Helper()
	d, ok := FindCorpus(set)
	if !ok {
		Missing(t, "the shared test corpus %q is not beside the repository (../shared/corpus/%s; for ovs-tests, $%s may name it)",
			set, set, CorpusEnv)
	}
	return d
}

// OptionalCorpus is Corpus for tests that also run without the corpus,
// such as fuzzers seeded from testdata: it reports false when the set is
// absent, and fails t only in strict mode.
func OptionalCorpus(t T, set string) (string, bool) {
	t.Helper()
	d, ok := FindCorpus(set)
	if !ok && Strict() {
		Missing(t, "the shared test corpus %q is not beside the repository (../shared/corpus/%s)", set, set)
	}
	return d, ok
}
