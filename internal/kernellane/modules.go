// SPDX-License-Identifier: Apache-2.0

package kernellane

import (
	"os"
	"testing"
)

// LoadModules loads kernel modules with modprobe (kmod's, which honours soft
// dependencies: openvswitch needs crc32c_generic first) and fails t when one
// does not load.
func LoadModules(t testing.TB, names ...string) {
	t.Helper()
	for _, m := range names {
		if _, err := TryRun("modprobe", m); err != nil {
			t.Fatalf("loading kernel module %s: %v", m, err)
		}
	}
}

// ModuleLoaded reports whether a module is loaded (or built in with
// parameters): /sys/module/<name> exists.
func ModuleLoaded(name string) bool {
	_, err := os.Stat("/sys/module/" + name)
	return err == nil
}
