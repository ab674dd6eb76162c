// SPDX-License-Identifier: Apache-2.0

package ovstest

import (
	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// NewNetns creates a network namespace with a unique name starting with
// Prefix, brings its loopback up, and deletes it when the test ends
// (together with every link inside it).
func NewNetns(t TB) string {
	t.Helper()
	testenv.RequireRoot(t)
	testenv.RequireBinaries(t, "iproute2", "ip")
	name := Prefix + uniqueID()
	run(t, nil, "ip", "netns", "add", name)
	remember("netns", name, "")
	t.Cleanup(func() {
		if _, err := tryRun(nil, "ip", "netns", "delete", name); err != nil {
			t.Errorf("ovstest: deleting network namespace %s: %v", name, err)
		}
	})
	run(t, nil, "ip", "-n", name, "link", "set", "lo", "up")
	return name
}

// InNetns runs a command inside the named network namespace and returns its
// output; the test fails on error.
func InNetns(t TB, netns string, argv ...string) string {
	t.Helper()
	return run(t, nil, append([]string{"ip", "netns", "exec", netns}, argv...)...)
}
