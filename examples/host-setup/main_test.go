// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/internal/sysfs"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

func runCmd(t *testing.T, e *env, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb, e)
	return code, out.String(), errb.String()
}

// guideConfig is the config.json of the seed guide's ConfigMap.
const guideConfig = `{ "resourceList": [ { "resourceName": "asap2_vf", "resourcePrefix": "nvidia.com", "excludeTopology": true,
  "selectors": { "vendors": [ "15b3" ], "devices": [ "101e" ], "drivers": [ "mlx5_core" ], "pfNames": [ "ens1f0np0#1-7" ] } } ] }`

func TestPrintConfigMatchesTheGuide(t *testing.T) {
	code, out, errs := runCmd(t, nil, "--pf", "ens1f0np0", "--num-vfs", "8", "--print-config")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got, want any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if err := json.Unmarshal([]byte(guideConfig), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("config.json:\n%s\nwant the guide's:\n%s", out, guideConfig)
	}
	_, out, _ = runCmd(t, nil, "--pf", "ens2f1np1", "--num-vfs", "4", "--print-config")
	if !strings.Contains(out, `"ens2f1np1#1-3"`) {
		t.Errorf("pfNames for 4 VFs of ens2f1np1:\n%s", out)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--num-vfs", "1"}, {"--pf", "a/b"}, {"--mgmt-name", "a-name-that-is-too-long"},
		{"--pf", "x", "--mgmt-name", "x"}, {"extra"}, {"--resource-name", ""},
	} {
		if code, _, errs := runCmd(t, nil, append(args, "--print-config")...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}

// sriovPF is a fake sysfs holding PF ens1f0np0 whose sriov_numvfs behaves
// like the kernel's: writing N creates VFs 0..N-1 with netdevs ens1f0vN.
func sriovPF() *sysfs.Fake {
	const pf = "devices/pci0000:00/0000:17:00.0"
	f := sysfs.NewFake()
	f.File(pf+"/vendor", "0x15b3\n").File(pf+"/sriov_numvfs", "0\n").File(pf+"/sriov_totalvfs", "16\n")
	f.File(pf+"/net/ens1f0np0/ifindex", "2\n").Link(pf+"/net/ens1f0np0/device", "../../../0000:17:00.0")
	f.Link("class/net/ens1f0np0", "../../"+pf+"/net/ens1f0np0")
	f.OnWrite = func(tree fstest.MapFS, name string, data []byte) error {
		if name != "class/net/ens1f0np0/device/sriov_numvfs" {
			return &fs.PathError{Op: "write", Path: name, Err: fs.ErrPermission}
		}
		var n int
		if _, err := fmt.Sscan(string(data), &n); err != nil {
			return err
		}
		tree[pf+"/sriov_numvfs"] = &fstest.MapFile{Data: fmt.Appendf(nil, "%d\n", n)}
		for i := range n {
			addr := fmt.Sprintf("0000:17:00.%d", i+2)
			vf := "devices/pci0000:00/" + addr
			nd := fmt.Sprintf("ens1f0v%d", i)
			tree[vf+"/vendor"] = &fstest.MapFile{Data: []byte("0x15b3\n")}
			tree[fmt.Sprintf("%s/virtfn%d", pf, i)] = &fstest.MapFile{Data: []byte("../" + addr), Mode: fs.ModeSymlink}
			tree[vf+"/net/"+nd+"/ifindex"] = &fstest.MapFile{Data: fmt.Appendf(nil, "%d\n", 10+i)}
		}
		return nil
	}
	return f
}

// TestIntegrationHostSetup renames a real link: VF 0's netdev is a veth in
// a fresh namespace, the PF and its SR-IOV files are a fake sysfs (there is
// no SR-IOV NIC here).
func TestIntegrationHostSetup(t *testing.T) {
	testenv.RequireRoot(t)
	testenv.RequireBinaries(t, "iproute2", "ip")
	ns := ovstest.NewNetns(t)
	ovstest.InNetns(t, ns, "ip", "link", "add", "ens1f0v0", "up", "type", "veth", "peer", "name", "vfpeer")
	f, err := os.Open("/run/netns/" + ns)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fake := sriovPF()
	es, err := eswitch.New(eswitch.Config{NetNS: int(f.Fd()), SysFS: fake})
	if err != nil {
		t.Fatal(err)
	}
	defer es.Close()
	e := &env{es: es, fsys: fake}

	code, out, errs := runCmd(t, e, "--pf", "ens1f0np0", "--num-vfs", "8", "--dry-run")
	if code != 0 || !strings.Contains(out, "would set the VF count of ens1f0np0 from 0 to 8") ||
		!strings.Contains(out, `"ens1f0np0#1-7"`) {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errs)
	}
	if n, _, _ := es.NumVFs("ens1f0np0"); n != 0 {
		t.Fatalf("dry run set %d VFs", n)
	}

	code, out, errs = runCmd(t, e, "--pf", "ens1f0np0", "--num-vfs", "8", "--json")
	var res Result
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil {
		t.Fatalf("first run: exit %d\n%s%s", code, out, errs)
	}
	want := []string{"set the VF count of ens1f0np0 from 0 to 8", "rename VF 0's netdev ens1f0v0 to forOVN0"}
	if !reflect.DeepEqual(res.Changes, want) || res.Config.ResourceList[0].Selectors.PfNames[0] != "ens1f0np0#1-7" {
		t.Fatalf("first run: %+v", res)
	}
	link := ovstest.InNetns(t, ns, "ip", "-d", "link", "show", "forOVN0")
	if !strings.Contains(link, "alias ens1f0v0") || !strings.Contains(link, "UP") {
		t.Fatalf("forOVN0 after the rename:\n%s", link)
	}

	// The fake sysfs still says ens1f0v0: the kernel's alias tells.
	code, out, errs = runCmd(t, e, "--pf", "ens1f0np0", "--num-vfs", "8")
	if code != 0 || !strings.HasPrefix(out, "no changes") {
		t.Fatalf("second run: exit %d\n%s%s", code, out, errs)
	}
}
