// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"fmt"
	"net"
	"strings"
)

// Flavour is the kind of eswitch port a representor stands for. The values
// are the kernel's DEVLINK_PORT_FLAVOUR_* numbers.
type Flavour uint16

// Port flavours (linux/devlink.h enum devlink_port_flavour).
const (
	FlavourPhysical Flavour = 0 // a physical port: the uplink p0, p1
	FlavourCPU      Flavour = 1
	FlavourDSA      Flavour = 2
	FlavourPCIPF    Flavour = 3 // a PCI physical function (pf0hpf on a DPU)
	FlavourPCIVF    Flavour = 4 // a PCI virtual function (pf0vf7, c1pf0vf7)
	FlavourVirtual  Flavour = 5
	FlavourUnused   Flavour = 6
	FlavourPCISF    Flavour = 7 // a sub-function (pf0sf0)
)

// String returns the flavour as devlink(8) prints it.
func (f Flavour) String() string {
	switch f {
	case FlavourPhysical:
		return "physical"
	case FlavourCPU:
		return "cpu"
	case FlavourDSA:
		return "dsa"
	case FlavourPCIPF:
		return "pcipf"
	case FlavourPCIVF:
		return "pcivf"
	case FlavourVirtual:
		return "virtual"
	case FlavourUnused:
		return "unused"
	case FlavourPCISF:
		return "pcisf"
	}
	return fmt.Sprintf("flavour(%d)", uint16(f))
}

// Source says where a representor's identity came from.
type Source string

// Identity sources.
const (
	// SourceDevlink: the devlink port dump (flavour, controller, external,
	// PF/VF/SF numbers decoded from the kernel's attributes).
	SourceDevlink Source = "devlink"
	// SourceSysfs: phys_port_name parsed from sysfs (devlink unavailable or
	// the port not in its dump).
	SourceSysfs Source = "sysfs"
)

// PortHandle names a devlink port: "pci/0000:03:00.0/65535".
type PortHandle struct {
	Bus    string // "pci" or "auxiliary"
	Device string // "0000:03:00.0"
	Index  uint32 // devlink port index
}

// DeviceHandle returns the devlink device part, "pci/0000:03:00.0".
func (h PortHandle) DeviceHandle() DeviceHandle { return DeviceHandle{Bus: h.Bus, Device: h.Device} }

// String formats the handle as devlink(8) does.
func (h PortHandle) String() string { return fmt.Sprintf("%s/%s/%d", h.Bus, h.Device, h.Index) }

// IsZero reports whether the handle is unset (no devlink port known).
func (h PortHandle) IsZero() bool { return h.Bus == "" && h.Device == "" }

// DeviceHandle names a devlink device: "pci/0000:03:00.0".
type DeviceHandle struct {
	Bus    string
	Device string
}

// String formats the handle as devlink(8) does.
func (h DeviceHandle) String() string { return h.Bus + "/" + h.Device }

// Identity is what a representor is, independent of its netdev name: the
// switch it belongs to and the function it stands for. Two representors with
// equal identities are the same port, even after a rename. Identity is
// comparable.
type Identity struct {
	SwitchID   string  // phys_switch_id, hex; empty when the kernel shows none
	Flavour    Flavour // physical, PF, VF, SF
	Controller uint32  // 0 = local; on a DPU the host is controller 1
	External   bool    // the function lives on an external controller (the host)
	PF         uint16  // PF number (for physical ports: the PF the uplink belongs to)
	VF         uint16  // VF number, for FlavourPCIVF
	SF         uint32  // SF number, for FlavourPCISF
	Port       uint32  // physical port number, for FlavourPhysical
	Split      uint32  // split sub-port number, when IsSplit
	IsSplit    bool    // the physical port is split (phys_port_name p<port>s<split>)
}

// PortName formats the identity as the kernel's phys_port_name would:
// "p0", "pf0", "c1pf0", "pf0vf3", "c1pf0vf7", "pf0sf0".
func (id Identity) PortName() string {
	var b strings.Builder
	switch id.Flavour {
	case FlavourPhysical, FlavourCPU, FlavourDSA:
		fmt.Fprintf(&b, "p%d", id.Port)
		if id.IsSplit {
			fmt.Fprintf(&b, "s%d", id.Split)
		}
		return b.String()
	case FlavourPCIPF, FlavourPCIVF, FlavourPCISF:
		if id.External {
			fmt.Fprintf(&b, "c%d", id.Controller)
		}
		fmt.Fprintf(&b, "pf%d", id.PF)
		switch id.Flavour {
		case FlavourPCIVF:
			fmt.Fprintf(&b, "vf%d", id.VF)
		case FlavourPCISF:
			fmt.Fprintf(&b, "sf%d", id.SF)
		}
		return b.String()
	}
	return ""
}

// Representor is one eswitch port as Linux shows it: its identity, and the
// netdev and devlink port that carry it right now. Name and Ifindex are only
// valid until the next rename or re-creation: look the representor up again
// by Identity (Inventory.Resolve) rather than keeping the name.
type Representor struct {
	Identity
	Name    string           // netdev name now; empty when the port has no netdev in this namespace
	Ifindex int              // netdev ifindex; 0 when unknown
	Handle  PortHandle       // devlink port; zero when devlink did not report it
	PeerMAC net.HardwareAddr // MAC of the function behind the port (devlink port function hw_addr), when exposed
	// Device is the canonical sysfs path of the parent device (the eswitch
	// manager PF, e.g. "devices/pci0000:00/.../0000:03:00.0"); empty when
	// unknown.
	Device string
	Source Source // where the identity came from
}

// String names the representor for messages: "pf0vf3 (c1pf0vf3, pci/0000:03:00.0/2, ifindex 12)".
func (r Representor) String() string {
	var extra []string
	if pn := r.PortName(); pn != "" {
		extra = append(extra, pn)
	} else {
		extra = append(extra, r.Flavour.String())
	}
	if !r.Handle.IsZero() {
		extra = append(extra, r.Handle.String())
	}
	if r.Ifindex != 0 {
		extra = append(extra, fmt.Sprintf("ifindex %d", r.Ifindex))
	}
	name := r.Name
	if name == "" {
		name = "(no netdev)"
	}
	return name + " (" + strings.Join(extra, ", ") + ")"
}
