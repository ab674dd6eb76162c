// SPDX-License-Identifier: Apache-2.0

package main

import (
	"strings"
	"testing"

	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// Hostile flags (issue 13, defect 10) are each refused with exit status 2
// and an error naming the flag, in a dry run as in a real one, and nothing
// is changed: the fake PF keeps 0 VFs.
func TestHostileFlagsAreRefused(t *testing.T) {
	testenv.RequireRoot(t)
	fake := sriovPF()
	es, err := eswitch.New(eswitch.Config{SysFS: fake})
	if err != nil {
		t.Fatal(err)
	}
	defer es.Close()
	e := &env{es: es, fsys: fake}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--pf", "ens1#0"}, "'#' separates the VF range"},
		{[]string{"--pf", "ens1\v0"}, "--pf"},
		{[]string{"--pf", "ens1\f0"}, "--pf"},
		{[]string{"--pf", "ens1\xa00"}, "--pf"},
		{[]string{"--pf", "ens1\x1b[2J"}, "printable ASCII"},
		{[]string{"--mgmt-name", "forOVN\u00e90"}, "printable ASCII"},
		{[]string{"--num-vfs", "9223372036854775807"}, "want 2 to 65535"},
		{[]string{"--num-vfs", "65536"}, "want 2 to 65535"},
		{[]string{"--num-vfs", "-1"}, "want 2 to 65535"},
		{[]string{"--num-vfs", "17"}, "at most 16 VFs (sriov_totalvfs)"},
		{[]string{"--resource-name", "asap2 vf"}, "--resource-name"},
		{[]string{"--resource-name", "a/b"}, "--resource-name"},
		{[]string{"--resource-name", "asap2\nvf"}, "--resource-name"},
		{[]string{"--resource-name", "_vf"}, "--resource-name"},
		{[]string{"--resource-name", strings.Repeat("v", 64)}, "want 1 to 63"},
		{[]string{"--resource-prefix", "nvidia.com/x"}, "--resource-prefix"},
		{[]string{"--resource-prefix", "Nvidia.com"}, "DNS-1123"},
		{[]string{"--resource-prefix", "nvidia .com"}, "--resource-prefix"},
		{[]string{"--resource-prefix", "kubernetes.io"}, "Kubernetes' own"},
		{[]string{"--timeout", "0"}, "--timeout 0s: must be > 0"},
		{[]string{"--timeout", "-1s"}, "--timeout -1s: must be > 0"},
	} {
		for _, dry := range []bool{true, false} {
			args := append([]string{"--pf", "ens1f0np0", "--num-vfs", "8"}, tc.args...)
			if dry {
				args = append(args, "--dry-run")
			}
			code, out, errs := runCmd(t, e, args...)
			if code != 2 || !strings.Contains(errs, tc.want) {
				t.Errorf("%q (dry run %v): exit %d, stderr %q; want 2 and %q", tc.args, dry, code, errs, tc.want)
			}
			if out != "" {
				t.Errorf("%q: printed %s", tc.args, out)
			}
			if n, _, _ := es.NumVFs("ens1f0np0"); n != 0 {
				t.Fatalf("%q: the PF now has %d VFs", tc.args, n)
			}
		}
	}
	// What the kernel and the device plugin accept still works.
	if code, _, errs := runCmd(t, e, "--pf", "ens1f0np0", "--num-vfs", "16", "--resource-name", "asap2_vf.1",
		"--resource-prefix", "example.com", "--dry-run"); code != 0 {
		t.Fatalf("good flags: exit %d: %s", code, errs)
	}
}
