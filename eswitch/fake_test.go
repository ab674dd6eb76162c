// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"fmt"
	"path"
	"strconv"

	"github.com/ovsoffload/ovsoffload/internal/sysfs"
)

// fakeTree builds sysfs trees that look like real hardware: netdevs live
// under their PCI device, class/net holds links to them, PCI devices carry
// virtfnN/physfn links and SF auxiliary devices.
type fakeTree struct {
	*sysfs.Fake
	nextIfindex int
}

func newFakeTree() *fakeTree {
	t := &fakeTree{Fake: sysfs.NewFake(), nextIfindex: 1}
	t.netdev("devices/virtual", "lo", "", "")
	return t
}

const bfPCI = "devices/pci0000:00/0000:00:00.0/0000:01:00.0/0000:02:00.0"

// netdev adds a netdev below dev (a device path, or devices/virtual) with
// the given phys_port_name and phys_switch_id ("" = attribute absent) and
// returns its ifindex.
func (t *fakeTree) netdev(dev, name, portName, switchID string) int {
	ifindex := t.nextIfindex
	t.nextIfindex++
	dir := dev + "/net/" + name
	t.File(dir+"/ifindex", strconv.Itoa(ifindex)+"\n")
	t.File(dir+"/address", fmt.Sprintf("02:00:00:00:%02x:%02x\n", ifindex/256, ifindex%256))
	if portName != "" {
		t.File(dir+"/phys_port_name", portName+"\n")
	}
	if switchID != "" {
		t.File(dir+"/phys_switch_id", switchID+"\n")
	}
	if dev != "devices/virtual" {
		t.Link(dir+"/device", "../../../"+path.Base(dev))
	}
	t.Link("class/net/"+name, "../../"+dir)
	return ifindex
}

// pciDevice adds a PCI device directory with an sriov_numvfs file for PFs.
func (t *fakeTree) pciDevice(dev string, pf bool) {
	t.File(dev+"/vendor", "0x15b3\n")
	if pf {
		t.File(dev+"/sriov_numvfs", "0\n")
		t.File(dev+"/sriov_totalvfs", "16\n")
	}
}

// vf adds VF n of pf at PCI address addr (a sibling of pf) with a netdev
// name ("" = no driver bound).
func (t *fakeTree) vf(pf string, n int, addr, netdev string) {
	vfDev := path.Dir(pf) + "/" + addr
	t.pciDevice(vfDev, false)
	t.Link(fmt.Sprintf("%s/virtfn%d", pf, n), "../"+addr)
	t.Link(vfDev+"/physfn", "../"+path.Base(pf))
	if netdev != "" {
		t.netdev(vfDev, netdev, "", "")
	}
}

// sf adds the SF auxiliary device aux with sfnum below pf and its netdev.
func (t *fakeTree) sf(pf, aux string, sfnum int, netdev string) {
	dev := pf + "/" + aux
	t.File(dev+"/sfnum", strconv.Itoa(sfnum)+"\n")
	t.Link("bus/auxiliary/devices/"+aux, "../../../"+dev)
	t.netdev(dev, netdev, "", "")
}

const bf3Switch = "e8ebd30300a1b2c3"

// blueField3DPU is the Arm side of a BlueField-3 in DPU mode as the seed
// guide shows it: uplinks p0 and p1, host PF representors pf0hpf and
// pf1hpf (phys_port_name c1pf0, c1pf1), the host's VF representors pf0vf0..7
// (c1pf0vf0..7), the SF representors en3f0pf0sf0 and en3f1pf1sf0 (pf0sf0,
// pf1sf0) and the SFs' own netdevs enp3s0f0s0 and enp3s0f1s0. All ports
// share the NIC's switch id, so only identities tell PF 0 from PF 1.
func blueField3DPU() *fakeTree {
	t := newFakeTree()
	pf0, pf1 := bfPCI+"/0000:03:00.0", bfPCI+"/0000:03:00.1"
	t.pciDevice(pf0, true)
	t.pciDevice(pf1, true)
	t.netdev(pf0, "p0", "p0", bf3Switch)
	t.netdev(pf1, "p1", "p1", bf3Switch)
	t.netdev(pf0, "pf0hpf", "c1pf0", bf3Switch)
	t.netdev(pf1, "pf1hpf", "c1pf1", bf3Switch)
	for i := range 8 {
		t.netdev(pf0, fmt.Sprintf("pf0vf%d", i), fmt.Sprintf("c1pf0vf%d", i), bf3Switch)
	}
	t.netdev(pf0, "en3f0pf0sf0", "pf0sf0", bf3Switch)
	t.netdev(pf1, "en3f1pf1sf0", "pf1sf0", bf3Switch)
	t.sf(pf0, "mlx5_core.sf.2", 0, "enp3s0f0s0")
	t.sf(pf1, "mlx5_core.sf.3", 0, "enp3s0f1s0")
	t.netdev("devices/virtual", "ovs-system", "", "")
	t.netdev("devices/virtual", "brp0", "", "")
	t.netdev("devices/virtual", "tmfifo_net0", "", "")
	return t
}

const hostPF0 = "devices/pci0000:16/0000:16:02.0/0000:17:00.0"

// hostWithVFs is the x86 host of a DPU after `echo 4 > sriov_numvfs`: PF
// ens1f0np0 (phys_port_name p0, no switch id: the eswitch belongs to the
// DPU) and VFs ens1f0v0..3 at 0000:17:00.2-5. With switchdev set it is a
// SmartNIC host instead: the PF is the uplink (with a switch id) and the VF
// representors ens1f0npf0vf0..3 (pf0vf0..3) sit on the PF.
func hostWithVFs(switchdev bool) *fakeTree {
	t := newFakeTree()
	sw := ""
	if switchdev {
		sw = "b8cef6030042aa10"
	}
	t.pciDevice(hostPF0, true)
	t.File(hostPF0+"/sriov_numvfs", "4\n")
	t.netdev(hostPF0, "ens1f0np0", "p0", sw)
	for i := range 4 {
		t.vf(hostPF0, i, fmt.Sprintf("0000:17:00.%d", i+2), fmt.Sprintf("ens1f0v%d", i))
		if switchdev {
			t.netdev(hostPF0, fmt.Sprintf("ens1f0npf0vf%d", i), fmt.Sprintf("pf0vf%d", i), sw)
		}
	}
	return t
}
