// SPDX-License-Identifier: Apache-2.0

// Package docatest builds the stand-in DOCA runtime (docalib's
// testdata/standin/standin.c, written for this project) and points it at a
// device tree, for tests of code that loads DOCA through docalib.
package docatest

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// BlueField3 is a BlueField-3 in DPU mode as DOCA lists it on the Arm side:
// two uplink devices, the host PF and VF representors, an SF, and one
// emulated (non-net) representor.
const BlueField3 = `version 3.2.1-standin
device pci=0000:03:00.0 iface=p0
rep pci=0000:3b:00.0 type=pf iface=pf0hpf vuid=MT2334X00001PF0 host=1 pf=0
rep pci=0000:3b:00.2 type=vf iface=pf0vf0 vuid=MT2334X00001PF0VF0 host=1 pf=0 vf=0
rep pci=0000:3b:00.3 type=vf iface=pf0vf1 vuid=MT2334X00001PF0VF1 host=1 pf=0 vf=1
rep pci=0000:03:00.0 type=sf iface=en3f0pf0sf0 vuid=MT2334X00001PF0SF0 pf=0
rep pci=0000:3b:00.7 type=vf iface=virtio0 vuid=MT2334X00001EMU0 host=1 pf=0 vf=5 net=0
device pci=0000:03:00.1 iface=p1
rep pci=0000:3b:00.1 type=pf iface=pf1hpf vuid=MT2334X00001PF1 host=1 pf=1
`

// Build compiles the stand-in runtime with the machine's C compiler and
// extra flags (-DSTANDIN_OLD: no optional functions, as in older DOCA;
// -DSTANDIN_NO_CAP: no representor capability check; -DSTANDIN_NO_VUID: a
// required function missing) and returns the path of the library, named
// libdoca_common.so.2 like the DOCA 2.x runtime's.
func Build(t testing.TB, flags ...string) string {
	t.Helper()
	return BuildAs(t, filepath.Join(t.TempDir(), "libdoca_common.so.2"), flags...)
}

// BuildAs is Build with the library written to path, such as
// DIR/libdoca_common.so.3 (the DOCA 3.x runtime's name).
func BuildAs(t testing.TB, path string, flags ...string) string {
	t.Helper()
	testenv.RequireBinaries(t, "gcc", "cc")
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("docatest: cannot locate the stand-in source")
	}
	src := filepath.Join(filepath.Dir(self), "..", "testdata", "standin", "standin.c")
	lib := path
	argv := append([]string{"cc", "-Wall", "-Werror", "-shared", "-fPIC", "-o", lib}, flags...)
	if _, err := (cmdexec.Exec{}).Run(context.Background(), append(argv, src)...); err != nil {
		t.Fatalf("docatest: building the stand-in DOCA runtime: %v", err)
	}
	return lib
}

// UseTree makes the stand-in serve the device tree in content (see
// BlueField3 for the format; "fail FUNCTION CODE" lines make a function
// fail) for the rest of the test.
func UseTree(t testing.TB, content string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tree")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OVSOFFLOAD_DOCA_STANDIN", path)
}
