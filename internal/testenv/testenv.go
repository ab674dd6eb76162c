// Package testenv decides what a test does when a prerequisite is missing.
//
// Outside CI a test whose prerequisite (a binary, root, a kernel feature) is
// missing is skipped with a message naming what to install. In CI (CI=true) or
// when OVSOFFLOAD_STRICT=1 is set, the same test fails: a test that silently
// skipped did not run.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
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
// skipping them. It is true when CI=true or OVSOFFLOAD_STRICT=1.
func Strict() bool {
	return os.Getenv("CI") == "true" || os.Getenv("OVSOFFLOAD_STRICT") == "1"
}

// Missing skips t, or fails it in strict mode, with a message saying what is
// missing and how to get it.
func Missing(t T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Strict() {
		t.Fatalf("prerequisite missing (strict mode: CI=true or OVSOFFLOAD_STRICT=1): %s", msg)
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
