// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"
)

// nsimDev is the devlink device name and sysfs device directory of the
// netdevsim device the unit tests below imitate, as the kernel lane showed
// it on Debian's 6.1 kernel.
const (
	nsimDev    = "netdevsim233"
	nsimDir    = "devices/" + nsimDev
	nsimSwitch = "7d9d49df923de26b8f30b8931308e0122e3b2d3804de16a37b16484ff3c9c464"
)

// netdevsimTree is netdevsim233 (one port) in switchdev mode with vfs VFs
// as Linux 6.1 shows it in sysfs: the bus device devices/netdevsim233 on
// bus netdevsim, the port's netdev eth0 with phys_port_name p1 (netdevsim
// numbers physical ports from 1: port index 0, port number 1), the VF
// representors eth1, eth2... (pf0vf0, pf0vf1...), all on one switch.
func netdevsimTree(vfs int) *fakeTree {
	t := newFakeTree()
	t.Dir("bus/netdevsim")
	t.Link(nsimDir+"/subsystem", "../../bus/netdevsim")
	t.netdev(nsimDir, "eth0", "p1", nsimSwitch)
	for i := range vfs {
		t.netdev(nsimDir, fmt.Sprintf("eth%d", i+1), fmt.Sprintf("pf0vf%d", i), nsimSwitch)
	}
	return t
}

// goldenNetdevsimUplink is the attribute payload of the reply Linux 6.1
// sends (genl command DEVLINK_CMD_NEW, 3) in a devlink port dump for the
// physical port of netdevsim233, in devlink_nl_port_fill's order: handle,
// port index 0, type eth, the netdev (ifindex 2, eth0), splittable 0,
// flavour physical, port number 1.
var goldenNetdevsimUplink = []byte{
	0x0e, 0x00, 0x01, 0x00, 'n', 'e', 't', 'd', 'e', 'v', 's', 'i', 'm', 0x00, 0x00, 0x00, // DEVLINK_ATTR_BUS_NAME "netdevsim", 2 bytes pad
	0x11, 0x00, 0x02, 0x00, 'n', 'e', 't', 'd', 'e', 'v', 's', 'i', 'm', '2', '3', '3', 0x00, 0x00, 0x00, 0x00, // DEVLINK_ATTR_DEV_NAME "netdevsim233", 3 bytes pad
	0x08, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_INDEX u32 0
	0x06, 0x00, 0x04, 0x00, 0x02, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_TYPE u16 ETH
	0x08, 0x00, 0x06, 0x00, 0x02, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_NETDEV_IFINDEX u32 2
	0x09, 0x00, 0x07, 0x00, 'e', 't', 'h', '0', 0x00, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_NETDEV_NAME "eth0", 3 bytes pad
	0x05, 0x00, 0x94, 0x00, 0x00, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_SPLITTABLE (148) u8 0, 3 bytes pad
	0x06, 0x00, 0x4d, 0x00, 0x00, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_FLAVOUR u16 0 = PHYSICAL
	0x08, 0x00, 0x4e, 0x00, 0x01, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_NUMBER (78) u32 1
}

// nsimPorts is netdevsim233's devlink port dump: the uplink decoded from
// goldenNetdevsimUplink, and VF ports 128+i (pf 0, vf i) whose netdev
// ifindexes are those of netdevsimTree. withUplinkNetdev false drops the
// uplink's netdev attributes, as a dump taken while the port's type is not
// yet eth shows it.
func nsimPorts(t *testing.T, vfs int, withUplinkNetdev bool) fakePorts {
	t.Helper()
	up, err := decodeDevlinkPort(goldenNetdevsimUplink)
	if err != nil {
		t.Fatal(err)
	}
	if !withUplinkNetdev {
		up.Type, up.NetdevIfindex, up.NetdevName = 0, 0, ""
	}
	ports := []devlinkPort{up}
	for i := range vfs {
		ports = append(ports, devlinkPort{
			Handle: PortHandle{Bus: "netdevsim", Device: nsimDev, Index: uint32(128 + i)}, Type: 2,
			NetdevIfindex: uint32(i + 3), NetdevName: fmt.Sprintf("eth%d", i+1),
			Flavour: FlavourPCIVF, HasFlavour: true, PF: 0, VF: uint16(i), HasPF: true, HasVF: true, HasController: true,
		})
	}
	return fakePorts{dump: ports}
}

func TestDecodeNetdevsimUplink(t *testing.T) {
	p, err := decodeDevlinkPort(goldenNetdevsimUplink)
	if err != nil {
		t.Fatal(err)
	}
	if p.Handle.String() != "netdevsim/netdevsim233/0" || p.Flavour != FlavourPhysical || !p.HasNumber || p.Number != 1 ||
		p.NetdevIfindex != 2 || p.NetdevName != "eth0" || p.Unknown != 1 {
		t.Fatalf("decoded %+v", p)
	}
	if got := p.identity("").PortName(); got != "p1" {
		t.Fatalf("port name %q, want p1 (the phys_port_name the kernel derives)", got)
	}
}

// TestNetdevsimUplinkResolvesAfterVFsAppear is what the kernel lane showed:
// the uplink found before any VF (PF number taken from port number 1) must
// be found again after VFs appear, although their ports say PF 0 and so
// correct the uplink's PF number to 0. Through devlink and through sysfs
// alone.
func TestNetdevsimUplinkResolvesAfterVFsAppear(t *testing.T) {
	for _, devlink := range []bool{true, false} {
		t.Run(fmt.Sprintf("devlink=%v", devlink), func(t *testing.T) {
			disc := func(vfs int) *Inventory {
				t.Helper()
				var dl portLister
				if devlink {
					dl = nsimPorts(t, vfs, true)
				}
				inv, err := discover(context.Background(), netdevsimTree(vfs), dl)
				if err != nil {
					t.Fatal(err)
				}
				return inv
			}
			before := disc(0)
			var uplink Representor
			for _, r := range before.Representors() {
				if r.Flavour == FlavourPhysical {
					uplink = r
				}
			}
			if uplink.Name != "eth0" || uplink.Port != 1 || uplink.SwitchID != nsimSwitch {
				t.Fatalf("uplink before VFs = %+v in %v", uplink, before.Representors())
			}
			after := disc(2)
			up, err := after.Resolve(uplink.Identity)
			if err != nil || up.Name != "eth0" {
				t.Fatalf("Resolve(%s) after VFs = %s, %v", describe(uplink.Identity), up, err)
			}
			if up, err := after.Uplink(0); err != nil || up.Name != "eth0" {
				t.Fatalf("Uplink(0) after VFs = %s, %v (the VFs say PF 0)", up, err)
			}
			for vf := range uint16(2) {
				r, err := after.VF(Local, 0, vf)
				if err != nil || r.Name != fmt.Sprintf("eth%d", vf+1) || r.SwitchID != nsimSwitch {
					t.Fatalf("VF(Local, 0, %d) = %s, %v", vf, r, err)
				}
			}
			// And back: the identity found with VFs resolves without them.
			if r, err := disc(0).Resolve(up.Identity); err != nil || r.Name != "eth0" {
				t.Fatalf("Resolve(%s) after VFs went = %s, %v", describe(up.Identity), r, err)
			}
		})
	}
}

// TestResolveUplinkPFBreaksTiesOnly: two uplinks labelled p0 on one switch
// (BlueField-4) are told apart by PF; a lone label needs no PF agreement.
func TestResolveUplinkPFBreaksTiesOnly(t *testing.T) {
	inv := mustDiscover(t, blueField4(true))
	for pf, name := range []string{"p0", "p1"} {
		id := Identity{SwitchID: "5c257303000b4f00", Flavour: FlavourPhysical, Port: 0, PF: uint16(pf)}
		if r, err := inv.Resolve(id); err != nil || r.Name != name {
			t.Fatalf("Resolve(p0 of PF %d) = %s, %v; want %s", pf, r, err, name)
		}
	}
	id := Identity{SwitchID: "5c257303000b4f00", Flavour: FlavourPhysical, Port: 0, PF: 7}
	if r, err := inv.Resolve(id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Resolve(p0 of PF 7) on two p0 = %s, %v; want ErrNotFound", r, err)
	}
	// Without the host PF ports both p0 say PF 0: ambiguous, not a guess.
	inv = mustDiscover(t, blueField4(false))
	id.PF = 0
	if r, err := inv.Resolve(id); !errors.Is(err, ErrConflict) {
		t.Fatalf("Resolve(p0) on two unnumbered p0 = %s, %v; want ErrConflict", r, err)
	}
	// A different port number is a different port, whatever its PF.
	if r, err := mustDiscover(t, blueField3DPU()).Resolve(Identity{SwitchID: bf3Switch, Flavour: FlavourPhysical, Port: 2, PF: 1}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Resolve(p2) = %s, %v; want ErrNotFound", r, err)
	}
}

// TestDiscoverMatchesPortWithoutNetdevByParentAndPortName: a devlink port
// whose dump names no netdev takes the one netdev of its devlink device
// whose phys_port_name is the port's, instead of appearing twice (once
// from devlink without netdev, once from sysfs).
func TestDiscoverMatchesPortWithoutNetdevByParentAndPortName(t *testing.T) {
	tree := netdevsimTree(2)
	inv, err := discover(context.Background(), tree, nsimPorts(t, 2, false))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(inv.Representors()); n != 3 {
		t.Fatalf("%d representors, want 3: %v", n, inv.Representors())
	}
	up, err := inv.Uplink(0)
	if err != nil || up.Name != "eth0" || up.Source != SourceDevlink || up.Handle.String() != "netdevsim/netdevsim233/0" ||
		up.SwitchID != nsimSwitch || up.Device != nsimDir {
		t.Fatalf("Uplink(0) = %+v, %v", up, err)
	}

	// Not matched: a p1 of another device, a device of another bus with
	// the same name, or two candidates.
	cases := map[string]func() *fakeTree{
		"other device": func() *fakeTree {
			t := newFakeTree()
			t.Dir("bus/netdevsim")
			t.Link("devices/netdevsim234/subsystem", "../../bus/netdevsim")
			t.netdev("devices/netdevsim234", "eth0", "p1", nsimSwitch)
			return t
		},
		"other bus": func() *fakeTree {
			t := newFakeTree()
			t.Dir("bus/platform")
			t.Link(nsimDir+"/subsystem", "../../bus/platform")
			t.netdev(nsimDir, "eth0", "p1", nsimSwitch)
			return t
		},
		"two candidates": func() *fakeTree {
			t := netdevsimTree(0)
			t.netdev(nsimDir, "eth9", "p1", nsimSwitch)
			return t
		},
	}
	for name, tree := range cases {
		inv, err := discover(context.Background(), tree(), nsimPorts(t, 0, false))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range inv.Representors() {
			if r.Source == SourceDevlink && r.Name != "" {
				t.Errorf("%s: devlink port took netdev %s", name, r)
			}
		}
	}
}

// TestDiscoverDevlinkFailureAfterDeadlineFallsBackToSysfs: a devlink failure
// that is not the context's (here: no devlink at all) gives the sysfs
// inventory even when the deadline has passed meanwhile, so the result does
// not depend on when the deadline fell; a dump the deadline cut short ends
// discovery with the context's error.
func TestDiscoverDevlinkFailureAfterDeadlineFallsBackToSysfs(t *testing.T) {
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	noDevlink := fmt.Errorf("no devlink family: %w", ErrNotSupported)
	inv, err := discover(ctx, netdevsimTree(1), fakePorts{err: noDevlink})
	if err != nil || !errors.Is(inv.DevlinkErr, ErrNotSupported) || len(inv.Representors()) != 2 {
		t.Fatalf("discover after the deadline with no devlink: %v, %v", inv, err)
	}
	for _, cut := range []error{ctx.Err(), &OpError{Op: "devlink port dump", Err: os.ErrDeadlineExceeded}} {
		_, err := discover(ctx, netdevsimTree(1), fakePorts{err: cut})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("dump cut by the deadline (%v): discover returned %v, want context.DeadlineExceeded", cut, err)
		}
	}
	// A socket timeout with the context still alive is a devlink failure.
	inv, err = discover(context.Background(), netdevsimTree(1), fakePorts{err: os.ErrDeadlineExceeded})
	if err != nil || !errors.Is(inv.DevlinkErr, os.ErrDeadlineExceeded) {
		t.Fatalf("socket timeout without a context deadline: %v, %v", inv, err)
	}
}
