// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func mustDiscover(t *testing.T, tree *fakeTree) *Inventory {
	t.Helper()
	inv, err := DiscoverSysfs(tree)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestDiscoverBlueField3DPU(t *testing.T) {
	inv := mustDiscover(t, blueField3DPU())
	if got := len(inv.Representors()); got != 14 {
		t.Fatalf("found %d representors, want 14 (p0 p1 pf0hpf pf1hpf pf0vf0..7 two SF reps): %v", got, inv.Representors())
	}
	check := func(what string, r Representor, err error, name string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if r.Name != name {
			t.Fatalf("%s = %s, want netdev %s", what, r, name)
		}
		if r.SwitchID != bf3Switch || r.Source != SourceSysfs {
			t.Fatalf("%s: switch %q source %q", what, r.SwitchID, r.Source)
		}
	}
	r, err := inv.Uplink(0)
	check("Uplink(0)", r, err, "p0")
	r, err = inv.Uplink(1)
	check("Uplink(1)", r, err, "p1")
	r, err = inv.HostPF(0)
	check("HostPF(0)", r, err, "pf0hpf")
	r, err = inv.HostPF(1)
	check("HostPF(1)", r, err, "pf1hpf")
	r, err = inv.PF(Host, 1)
	check("PF(Host, 1)", r, err, "pf1hpf")
	for vf := range uint16(8) {
		r, err = inv.VF(Host, 0, vf)
		check("VF(Host, 0, n)", r, err, "pf0vf"+string(rune('0'+vf)))
		if !r.External || r.Controller != 1 || r.PortName() != "c1pf0vf"+string(rune('0'+vf)) {
			t.Fatalf("VF(Host,0,%d) identity %+v", vf, r.Identity)
		}
	}
	r, err = inv.SF(Local, 0, 0)
	check("SF(Local, 0, 0)", r, err, "en3f0pf0sf0")
	r, err = inv.SF(Local, 1, 0)
	check("SF(Local, 1, 0)", r, err, "en3f1pf1sf0")

	// The host's VFs are external: asking for a local VF must not find them.
	if _, err := inv.VF(Local, 0, 3); !errors.Is(err, ErrNotFound) {
		t.Fatalf("VF(Local,0,3) on a DPU with only host VFs: %v, want ErrNotFound", err)
	}
	if _, err := inv.PF(Local, 0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("PF(Local,0): %v, want ErrNotFound", err)
	}
	if _, err := inv.VF(Host, 0, 8); !errors.Is(err, ErrNotFound) {
		t.Fatalf("VF(Host,0,8): %v, want ErrNotFound", err)
	}
	if _, err := inv.ByName("enp3s0f0s0"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the SF's own netdev is not a representor: %v", err)
	}
}

func TestLocalAndExternalVFNeverMatchEachOther(t *testing.T) {
	tree := blueField3DPU()
	// An Arm-local VF 5 of PF 0 whose representor netdev got a name that
	// says nothing (udev, or a controller renamed it).
	tree.netdev(bfPCI+"/0000:03:00.0", "eth5", "pf0vf5", bf3Switch)
	inv := mustDiscover(t, tree)
	local, err := inv.VF(Local, 0, 5)
	if err != nil || local.Name != "eth5" || local.External {
		t.Fatalf("VF(Local,0,5) = %s, %v; want eth5 (pf0vf5)", local, err)
	}
	ext, err := inv.VF(Host, 0, 5)
	if err != nil || ext.Name != "pf0vf5" || !ext.External {
		t.Fatalf("VF(Host,0,5) = %s, %v; want netdev pf0vf5 (c1pf0vf5)", ext, err)
	}
	// The netdev called pf0vf5 is the external one, whatever its name says.
	byName, _ := inv.ByName("pf0vf5")
	if byName.Identity != ext.Identity {
		t.Fatalf("ByName(pf0vf5) = %+v", byName.Identity)
	}
}

func TestAmbiguousLookupNamesBothCandidates(t *testing.T) {
	tree := blueField3DPU()
	// A second NIC with the same layout: a different switch id.
	pf := "devices/pci0000:80/0000:80:01.0/0000:81:00.0"
	tree.pciDevice(pf, true)
	tree.netdev(pf, "q0", "p0", "0c42a10300ffee01")
	tree.netdev(pf, "q0hpf", "c1pf0", "0c42a10300ffee01")
	tree.netdev(pf, "q0vf3", "c1pf0vf3", "0c42a10300ffee01")
	inv := mustDiscover(t, tree)
	_, err := inv.VF(Host, 0, 3)
	var amb *AmbiguousError
	if !errors.As(err, &amb) || !errors.Is(err, ErrConflict) {
		t.Fatalf("VF(Host,0,3) with two NICs: %v, want *AmbiguousError matching ErrConflict", err)
	}
	names := []string{amb.Candidates[0].Name, amb.Candidates[1].Name}
	slices.Sort(names)
	if len(amb.Candidates) != 2 || names[0] != "pf0vf3" || names[1] != "q0vf3" {
		t.Fatalf("candidates %v", amb.Candidates)
	}
	// Pinning the switch resolves it.
	r, err := inv.Resolve(Identity{SwitchID: "0c42a10300ffee01", Flavour: FlavourPCIVF, Controller: 1, External: true, PF: 0, VF: 3})
	if err != nil || r.Name != "q0vf3" {
		t.Fatalf("Resolve on second switch = %s, %v", r, err)
	}
}

func TestResolveAfterRename(t *testing.T) {
	tree := blueField3DPU()
	inv := mustDiscover(t, tree)
	before, err := inv.VF(Host, 0, 7)
	if err != nil {
		t.Fatal(err)
	}
	// udev or a controller renames pf0vf7 to something else.
	dir := bfPCI + "/0000:03:00.0/net/"
	tree.Remove(dir + "pf0vf7")
	tree.Remove("class/net/pf0vf7")
	tree.File(dir+"ovn-k8s-pod7/ifindex", "12\n")
	tree.File(dir+"ovn-k8s-pod7/phys_port_name", "c1pf0vf7\n")
	tree.File(dir+"ovn-k8s-pod7/phys_switch_id", bf3Switch+"\n")
	tree.Link("class/net/ovn-k8s-pod7", "../../"+dir+"ovn-k8s-pod7")
	inv2 := mustDiscover(t, tree)
	if _, err := inv2.ByName("pf0vf7"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old name still found: %v", err)
	}
	after, err := inv2.Resolve(before.Identity)
	if err != nil || after.Name != "ovn-k8s-pod7" || after.Ifindex != 12 {
		t.Fatalf("Resolve(%s) after rename = %s, %v", before, after, err)
	}
}

// blueField4 has its two uplinks on two PCI devices that are both function
// 0, and a kernel that numbers physical ports by PCI function: both uplinks
// say phys_port_name "p0". The host PF representors (c1pf0, c1pf1) on each
// device carry the real PF number.
func blueField4(withHostPFs bool) *fakeTree {
	t := newFakeTree()
	a := "devices/pci0000:00/0000:00:01.0/0000:03:00.0"
	b := "devices/pci0000:00/0000:00:02.0/0000:04:00.0"
	t.pciDevice(a, true)
	t.pciDevice(b, true)
	t.netdev(a, "p0", "p0", "5c257303000b4f00")
	t.netdev(b, "p1", "p0", "5c257303000b4f00")
	if withHostPFs {
		t.netdev(a, "pf0hpf", "c1pf0", "5c257303000b4f00")
		t.netdev(b, "pf1hpf", "c1pf1", "5c257303000b4f00")
	}
	return t
}

func TestBlueField4UplinkPFNumberNotFromPCIFunction(t *testing.T) {
	inv := mustDiscover(t, blueField4(true))
	up1, err := inv.Uplink(1)
	if err != nil || up1.Name != "p1" || up1.Device != "devices/pci0000:00/0000:00:02.0/0000:04:00.0" {
		t.Fatalf("Uplink(1) = %s, %v; want p1 on 0000:04:00.0", up1, err)
	}
	up0, err := inv.Uplink(0)
	if err != nil || up0.Name != "p0" {
		t.Fatalf("Uplink(0) = %s, %v", up0, err)
	}
	// Without the PF ports nothing says which is PF 1: say so, do not guess.
	inv = mustDiscover(t, blueField4(false))
	if _, err := inv.Uplink(0); !errors.Is(err, ErrConflict) {
		t.Fatalf("Uplink(0) with two p0: %v, want ErrConflict", err)
	}
	if _, err := inv.Uplink(1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Uplink(1): %v, want ErrNotFound", err)
	}
}

func TestFunctionOf(t *testing.T) {
	inv := mustDiscover(t, blueField3DPU())
	sf, _ := inv.SF(Local, 0, 0)
	fn, err := inv.FunctionOf(sf)
	if err != nil || fn.AuxDevice != "mlx5_core.sf.2" || fn.PCIAddress != "0000:03:00.0" || !slices.Equal(fn.Netdevs, []string{"enp3s0f0s0"}) {
		t.Fatalf("FunctionOf(%s) = %+v, %v", sf, fn, err)
	}
	sf1, _ := inv.SF(Local, 1, 0)
	fn, err = inv.FunctionOf(sf1)
	if err != nil || fn.AuxDevice != "mlx5_core.sf.3" || !slices.Equal(fn.Netdevs, []string{"enp3s0f1s0"}) {
		t.Fatalf("FunctionOf(%s) = %+v, %v", sf1, fn, err)
	}
	up, _ := inv.Uplink(1)
	fn, err = inv.FunctionOf(up)
	if err != nil || fn.PCIAddress != "0000:03:00.1" || !slices.Equal(fn.Netdevs, []string{"p1"}) {
		t.Fatalf("FunctionOf(p1) = %+v, %v", fn, err)
	}
	vf, _ := inv.VF(Host, 0, 2)
	if _, err := inv.FunctionOf(vf); !errors.Is(err, ErrNotFound) {
		t.Fatalf("FunctionOf(external VF): %v, want ErrNotFound", err)
	}

	host := mustDiscover(t, hostWithVFs(true))
	rep, err := host.VF(Local, 0, 2)
	if err != nil || rep.Name != "ens1f0npf0vf2" {
		t.Fatalf("SmartNIC host VF(Local,0,2) = %s, %v", rep, err)
	}
	fn, err = host.FunctionOf(rep)
	if err != nil || fn.PCIAddress != "0000:17:00.4" || !slices.Equal(fn.Netdevs, []string{"ens1f0v2"}) {
		t.Fatalf("FunctionOf(%s) = %+v, %v", rep, fn, err)
	}
}

func TestHostOfDPUHasNoRepresentorsButVFs(t *testing.T) {
	tree := hostWithVFs(false)
	inv := mustDiscover(t, tree)
	if n := len(inv.Representors()); n != 0 {
		t.Fatalf("host of a DPU: %d representors, want 0: %v", n, inv.Representors())
	}
	vfs, err := VFs(tree, "ens1f0np0")
	if err != nil {
		t.Fatal(err)
	}
	if len(vfs) != 4 || vfs[0].PCIAddress != "0000:17:00.2" || !slices.Equal(vfs[0].Netdevs, []string{"ens1f0v0"}) ||
		vfs[3].VF != 3 || !slices.Equal(vfs[3].Netdevs, []string{"ens1f0v3"}) {
		t.Fatalf("VFs = %+v", vfs)
	}
	if _, err := VFs(tree, "nope0"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("VFs(nope0): %v", err)
	}
}

// TestVFsSkipsAVFThatWentAway: a virtfn link whose VF device is gone (the
// VFs were being removed while VFs listed them) is not an error.
func TestVFsSkipsAVFThatWentAway(t *testing.T) {
	tree := hostWithVFs(false)
	tree.Update(func(m fstest.MapFS) {
		for k := range m {
			if strings.HasPrefix(k, "devices/pci0000:16/0000:16:02.0/0000:17:00.3") {
				delete(m, k)
			}
		}
	})
	vfs, err := VFs(tree, "ens1f0np0")
	if err != nil || len(vfs) != 3 || vfs[0].VF != 0 || vfs[1].VF != 2 {
		t.Fatalf("VFs with VF 1 gone = %+v, %v", vfs, err)
	}
}

func TestUnparsablePortNameIsReportedNotDropped(t *testing.T) {
	tree := blueField3DPU()
	tree.netdev(bfPCI+"/0000:03:00.0", "weird0", "vport7", bf3Switch)
	inv := mustDiscover(t, tree)
	if len(inv.Skipped) != 1 || inv.Skipped[0].Name != "weird0" {
		t.Fatalf("Skipped = %+v", inv.Skipped)
	}
}

func TestDriver(t *testing.T) {
	tree := hostWithVFs(false)
	tree.Dir("bus/pci/drivers/mlx5_core")
	tree.Link("devices/pci0000:16/0000:16:02.0/0000:17:00.2/driver", "../../../../bus/pci/drivers/mlx5_core")
	if d, err := Driver(tree, "ens1f0v0"); err != nil || d != "mlx5_core" {
		t.Fatalf("Driver(ens1f0v0) = %q, %v", d, err)
	}
	if _, err := Driver(tree, "ens1f0v1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Driver without a bound driver: %v", err)
	}
	if _, err := Driver(tree, "lo"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Driver(lo): %v", err)
	}
}

func TestClientRefreshFindsRenamedRepresentor(t *testing.T) {
	tree := blueField3DPU()
	c := &Client{fsys: tree, dlErr: ErrNotSupported}
	inv, err := c.Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	hpf, err := inv.HostPF(0)
	if err != nil {
		t.Fatal(err)
	}
	dir := bfPCI + "/0000:03:00.0/net/"
	tree.Remove(dir + "pf0hpf")
	tree.Remove("class/net/pf0hpf")
	tree.File(dir+"hostpf0/ifindex", "40\n")
	tree.File(dir+"hostpf0/phys_port_name", "c1pf0\n")
	tree.File(dir+"hostpf0/phys_switch_id", bf3Switch+"\n")
	tree.Link("class/net/hostpf0", "../../"+dir+"hostpf0")
	now, err := c.Refresh(context.Background(), hpf)
	if err != nil || now.Name != "hostpf0" || now.Ifindex != 40 {
		t.Fatalf("Refresh(%s) = %s, %v", hpf, now, err)
	}
}

// BenchmarkDiscoverSysfsBlueField3 measures one sysfs discovery of the
// BlueField-3 fake tree (16 netdevs, 14 representors) plus a VF lookup.
func BenchmarkDiscoverSysfsBlueField3(b *testing.B) {
	tree := blueField3DPU()
	for b.Loop() {
		inv, err := DiscoverSysfs(tree)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := inv.VF(Host, 0, 7); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSystemSysFSReadsTheRealSys(t *testing.T) {
	// Every Linux network namespace has lo with ifindex 1.
	b, err := fs.ReadFile(SystemSysFS(), "class/net/lo/ifindex")
	if err != nil || strings.TrimSpace(string(b)) != "1" {
		t.Fatalf("class/net/lo/ifindex = %q, %v", b, err)
	}
}
