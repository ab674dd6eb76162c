// SPDX-License-Identifier: Apache-2.0

package main

import (
	"strings"
	"testing"
)

// Contradictory or meaningless flags are usage errors, said before
// anything is read (issue 13, defect 10): a --timeout of 0 used to read as
// a failed connection, and --target was silently ignored with --from-file.
func TestFlagProbes(t *testing.T) {
	ep, _ := podDB(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--timeout", "0"}, "--timeout 0s: must be > 0"},
		{[]string{"--timeout", "-3s"}, "--timeout -3s: must be > 0"},
		{[]string{"--target", "/run/openvswitch/ovs-vswitchd.1.ctl"}, "contradict each other"},
	} {
		code, out, errOut := runCheck(t, ep, "tc.dump", tc.args...)
		if code != exitError || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q\n%s", tc.args, code, errOut, exitError, tc.want, out)
		}
		if strings.Contains(errOut, "connecting") {
			t.Errorf("%q: the error speaks of connecting: %q", tc.args, errOut)
		}
	}
}
