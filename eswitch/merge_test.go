package eswitch

import (
	"context"
	"errors"
	"net"
	"testing"
)

// fakePorts is a devlink port dump served from memory.
type fakePorts struct {
	dump []devlinkPort
	err  error
}

func (f fakePorts) ports(context.Context) ([]devlinkPort, error) { return f.dump, f.err }

func TestDiscoverMergesDevlinkWithSysfs(t *testing.T) {
	tree := blueField3DPU()
	// This driver gives pf0vf2 no phys_port_name: only devlink knows it.
	tree.Remove(bfPCI + "/0000:03:00.0/net/pf0vf2/phys_port_name")
	sysOnly := mustDiscover(t, tree)
	if _, err := sysOnly.VF(Host, 0, 2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("sysfs alone found pf0vf2 without phys_port_name: %v", err)
	}
	ifindexOf := func(name string) uint32 {
		t.Helper()
		for _, nd := range mustReadNetdevs(t, tree) {
			if nd.name == name {
				return uint32(nd.ifindex)
			}
		}
		t.Fatalf("no netdev %s", name)
		return 0
	}
	pfDev := PortHandle{Bus: "pci", Device: "0000:03:00.0"}
	port := func(idx uint32, netdev string, fl Flavour) devlinkPort {
		h := pfDev
		h.Index = idx
		p := devlinkPort{Handle: h, Flavour: fl, HasFlavour: true, NetdevName: netdev}
		if netdev != "" {
			p.NetdevIfindex = ifindexOf(netdev)
		}
		return p
	}
	vfPort := port(3, "pf0vf2", FlavourPCIVF)
	vfPort.PF, vfPort.VF, vfPort.Controller, vfPort.External = 0, 2, 1, true
	vfPort.HasPF, vfPort.HasVF, vfPort.HasController = true, true, true
	vfPort.HWAddr = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x22}
	// VF 8 exists in the eswitch but its representor netdev is not there.
	noNetdev := port(10, "", FlavourPCIVF)
	noNetdev.PF, noNetdev.VF, noNetdev.Controller, noNetdev.External = 0, 8, 1, true
	uplink := port(65535, "p0", FlavourPhysical)
	uplink.Number, uplink.HasNumber = 0, true

	inv, err := discover(context.Background(), tree, fakePorts{dump: []devlinkPort{vfPort, noNetdev, uplink}})
	if err != nil {
		t.Fatal(err)
	}
	if inv.DevlinkErr != nil {
		t.Fatalf("DevlinkErr = %v", inv.DevlinkErr)
	}
	r, err := inv.VF(Host, 0, 2)
	if err != nil || r.Name != "pf0vf2" || r.Source != SourceDevlink || r.SwitchID != bf3Switch ||
		r.Handle.String() != "pci/0000:03:00.0/3" || r.PeerMAC.String() != "02:00:00:00:00:22" {
		t.Fatalf("VF(Host,0,2) = %+v, %v", r, err)
	}
	r, err = inv.VF(Host, 0, 8)
	if err != nil || r.Name != "" || r.Ifindex != 0 {
		t.Fatalf("VF(Host,0,8) without netdev = %+v, %v", r, err)
	}
	up, err := inv.Uplink(0)
	if err != nil || up.Source != SourceDevlink || up.Name != "p0" {
		t.Fatalf("Uplink(0) = %+v, %v", up, err)
	}
	// Ports devlink did not report still come from sysfs.
	r, err = inv.VF(Host, 0, 5)
	if err != nil || r.Source != SourceSysfs {
		t.Fatalf("VF(Host,0,5) = %+v, %v", r, err)
	}
	if n := len(inv.Representors()); n != 15 {
		t.Fatalf("%d representors, want 15 (the 14 of the tree, pf0vf2 now from devlink, + VF 8 without netdev)", n)
	}
}

func TestDiscoverFallsBackToSysfsWhenDevlinkFails(t *testing.T) {
	boom := errors.New("EPERM")
	inv, err := discover(context.Background(), blueField3DPU(), fakePorts{err: boom})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(inv.DevlinkErr, boom) {
		t.Fatalf("DevlinkErr = %v", inv.DevlinkErr)
	}
	if r, err := inv.HostPF(0); err != nil || r.Name != "pf0hpf" || r.Source != SourceSysfs {
		t.Fatalf("HostPF(0) = %s, %v", r, err)
	}
}

func mustReadNetdevs(t *testing.T, tree *fakeTree) []netdevInfo {
	t.Helper()
	nds, err := readNetdevs(tree)
	if err != nil {
		t.Fatal(err)
	}
	return nds
}

// TestIntegrationDevlinkOnRealKernel runs the devlink side of discovery and
// the eswitch-mode query against the running kernel, in a fresh namespace
// (which holds no devlink device). The kernel either has no devlink family
// (ErrNotSupported, discovery falls back to sysfs) or answers an empty dump
// and ENODEV for an unknown device.
func TestIntegrationDevlinkOnRealKernel(t *testing.T) {
	tree := blueField3DPU()
	n := newTestNS(t, Config{SysFS: tree})
	ctx := context.Background()
	inv, err := n.client.Discover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if inv.DevlinkErr != nil && !errors.Is(inv.DevlinkErr, ErrNotSupported) {
		t.Fatalf("devlink dump in an empty namespace: %v", inv.DevlinkErr)
	}
	t.Logf("devlink on this kernel: %v", inv.DevlinkErr)
	if len(inv.Representors()) != 14 {
		t.Fatalf("%d representors from the fake sysfs, want 14", len(inv.Representors()))
	}
	_, err = n.client.EswitchMode(ctx, DeviceHandle{Bus: "pci", Device: "0000:ff:1f.7"})
	if !errors.Is(err, ErrNotSupported) && !errors.Is(err, ErrNotFound) {
		t.Fatalf("EswitchMode of a missing device: %v, want ErrNotSupported or ErrNotFound", err)
	}
	if err := n.client.SetEswitchMode(ctx, DeviceHandle{Bus: "pci", Device: "0000:ff:1f.7"}, "bogus"); err == nil {
		t.Fatal("SetEswitchMode accepted mode bogus")
	}
}
