// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/mdlayher/netlink"
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

// TestIntegrationGenlDumpOnRealKernel runs devlinkConn's dump path (send,
// multipart receive, sequence validation, NLM_F_DUMP_INTR check) against
// the running kernel. This kernel may have no devlink family, so it dumps
// the generic netlink controller's family list (CTRL_CMD_GETFAMILY, 3),
// which every kernel answers, and looks for the ethtool family in it.
func TestIntegrationGenlDumpOnRealKernel(t *testing.T) {
	n := newTestNS(t, Config{})
	c, err := dialGenl(int(n.ns))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctrl, err := c.GetFamily("nlctrl")
	if err != nil {
		t.Fatal(err)
	}
	d := &devlinkConn{c: c, fam: ctrl}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	msgs, interrupted, err := d.dump(ctx, 3)
	if err != nil || interrupted {
		t.Fatalf("dump: %v, interrupted %v", err, interrupted)
	}
	names := map[string]bool{}
	for _, m := range msgs {
		ad, err := netlink.NewAttributeDecoder(m.Data)
		if err != nil {
			t.Fatal(err)
		}
		for ad.Next() {
			if ad.Type() == 2 { // CTRL_ATTR_FAMILY_NAME
				names[ad.String()] = true
			}
		}
	}
	if len(msgs) < 2 || !names["nlctrl"] {
		t.Fatalf("%d families in the dump (%v), want nlctrl among several", len(msgs), names)
	}
	t.Logf("%d generic netlink families, devlink present: %v, ethtool present: %v", len(msgs), names["devlink"], names["ethtool"])
}

// TestDiscoverFromGoldenDevlinkMessage takes the recorded PORT_NEW payload
// of c1pf0vf3 (ifindex 12) through decoding and merging with a BlueField-3
// sysfs tree in which pf0vf3 has ifindex 12.
func TestDiscoverFromGoldenDevlinkMessage(t *testing.T) {
	tree := blueField3DPU()
	// In the fake tree pf0vf3 is 9 and pf0vf6 is 12: swap them.
	tree.File(bfPCI+"/0000:03:00.0/net/pf0vf3/ifindex", "12\n")
	tree.File(bfPCI+"/0000:03:00.0/net/pf0vf6/ifindex", "9\n")
	p, err := decodeDevlinkPort(goldenPortC1PF0VF3)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := discover(context.Background(), tree, fakePorts{dump: []devlinkPort{p}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := inv.VF(Host, 0, 3)
	if err != nil || r.Name != "pf0vf3" || r.Source != SourceDevlink || r.PeerMAC.String() != "02:00:00:00:00:13" ||
		r.Handle.String() != "pci/0000:03:00.0/4" || r.SwitchID != bf3Switch {
		t.Fatalf("VF(Host,0,3) = %+v, %v", r, err)
	}
}
