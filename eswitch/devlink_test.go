// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"bytes"
	"net"
	"testing"

	"github.com/mdlayher/netlink"
)

// goldenPortC1PF0VF3 is the attribute payload of a DEVLINK_CMD_PORT_NEW
// message as a BlueField in DPU mode sends it for the representor of the
// host's VF 3 (netdev pf0vf3, phys_port_name c1pf0vf3). It was written by
// hand from include/uapi/linux/devlink.h: each attribute is a struct nlattr
// (u16 length including the 4-byte header, u16 type, little-endian) followed
// by its payload padded to 4 bytes; strings carry their NUL; the order is
// the one devlink_nl_port_fill() uses.
var goldenPortC1PF0VF3 = []byte{
	0x08, 0x00, 0x01, 0x00, 'p', 'c', 'i', 0x00, // DEVLINK_ATTR_BUS_NAME (1) "pci"
	0x11, 0x00, 0x02, 0x00, '0', '0', '0', '0', ':', '0', '3', ':', '0', '0', '.', '0', 0x00, 0x00, 0x00, 0x00, // DEVLINK_ATTR_DEV_NAME (2) "0000:03:00.0", 3 bytes pad
	0x08, 0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_INDEX (3) u32 4
	0x06, 0x00, 0x04, 0x00, 0x02, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_TYPE (4) u16 2 = DEVLINK_PORT_TYPE_ETH, 2 bytes pad
	0x08, 0x00, 0x06, 0x00, 0x0c, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_NETDEV_IFINDEX (6) u32 12
	0x0b, 0x00, 0x07, 0x00, 'p', 'f', '0', 'v', 'f', '3', 0x00, 0x00, // DEVLINK_ATTR_PORT_NETDEV_NAME (7) "pf0vf3", 1 byte pad
	0x06, 0x00, 0x4d, 0x00, 0x04, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_FLAVOUR (77) u16 4 = DEVLINK_PORT_FLAVOUR_PCI_VF
	0x05, 0x00, 0x94, 0x00, 0x00, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_SPLITTABLE (148) u8 0: not decoded, counted as unknown
	0x08, 0x00, 0x96, 0x00, 0x01, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_CONTROLLER_NUMBER (150) u32 1
	0x06, 0x00, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_PCI_PF_NUMBER (127) u16 0
	0x06, 0x00, 0x80, 0x00, 0x03, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_PCI_VF_NUMBER (128) u16 3
	0x05, 0x00, 0x95, 0x00, 0x01, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_EXTERNAL (149) u8 1, 3 bytes pad
	0x10, 0x00, 0x91, 0x80, // DEVLINK_ATTR_PORT_FUNCTION (145) | NLA_F_NESTED (0x8000), 16 bytes
	0x0a, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x13, 0x00, 0x00, //   DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR (1) 02:00:00:00:00:13, 2 bytes pad
}

// goldenPortUplinkP1 is a DEVLINK_CMD_PORT_NEW payload for a physical
// uplink: pci/0000:04:00.0 port 65535, netdev p1 ifindex 3, flavour
// physical, port number 1 (the PF number, not the PCI function: on a
// BlueField-4 both uplinks are function 0). Built like goldenPortC1PF0VF3.
var goldenPortUplinkP1 = []byte{
	0x08, 0x00, 0x01, 0x00, 'p', 'c', 'i', 0x00, // DEVLINK_ATTR_BUS_NAME "pci"
	0x11, 0x00, 0x02, 0x00, '0', '0', '0', '0', ':', '0', '4', ':', '0', '0', '.', '0', 0x00, 0x00, 0x00, 0x00, // DEVLINK_ATTR_DEV_NAME "0000:04:00.0"
	0x08, 0x00, 0x03, 0x00, 0xff, 0xff, 0x00, 0x00, // DEVLINK_ATTR_PORT_INDEX u32 65535
	0x06, 0x00, 0x04, 0x00, 0x02, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_TYPE u16 ETH
	0x08, 0x00, 0x06, 0x00, 0x03, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_NETDEV_IFINDEX u32 3
	0x07, 0x00, 0x07, 0x00, 'p', '1', 0x00, 0x00, // DEVLINK_ATTR_PORT_NETDEV_NAME "p1", 1 byte pad
	0x06, 0x00, 0x4d, 0x00, 0x00, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_FLAVOUR u16 0 = PHYSICAL
	0x08, 0x00, 0x4e, 0x00, 0x01, 0x00, 0x00, 0x00, // DEVLINK_ATTR_PORT_NUMBER (78) u32 1
}

func TestDecodeDevlinkPortExternalVF(t *testing.T) {
	p, err := decodeDevlinkPort(goldenPortC1PF0VF3)
	if err != nil {
		t.Fatal(err)
	}
	want := devlinkPort{
		Handle:        PortHandle{Bus: "pci", Device: "0000:03:00.0", Index: 4},
		Type:          2,
		NetdevIfindex: 12,
		NetdevName:    "pf0vf3",
		Flavour:       FlavourPCIVF, HasFlavour: true,
		PF: 0, HasPF: true,
		VF: 3, HasVF: true,
		Controller: 1, HasController: true,
		External: true,
		HWAddr:   net.HardwareAddr{0x02, 0, 0, 0, 0, 0x13},
		Unknown:  1,
	}
	if p.Handle != want.Handle || p.Type != want.Type || p.NetdevIfindex != want.NetdevIfindex ||
		p.NetdevName != want.NetdevName || p.Flavour != want.Flavour || !p.HasFlavour ||
		p.PF != 0 || !p.HasPF || p.VF != 3 || !p.HasVF || p.Controller != 1 || !p.HasController ||
		!p.External || !bytes.Equal(p.HWAddr, want.HWAddr) || p.Unknown != 1 || p.HasSF || p.HasNumber {
		t.Fatalf("decoded %+v\nwant    %+v", p, want)
	}
	id := p.identity("e8ebd30300a1b2c3")
	if got := id.PortName(); got != "c1pf0vf3" {
		t.Fatalf("identity port name %q, want c1pf0vf3", got)
	}
}

func TestDecodeDevlinkPortUplink(t *testing.T) {
	p, err := decodeDevlinkPort(goldenPortUplinkP1)
	if err != nil {
		t.Fatal(err)
	}
	id := p.identity("sw")
	if p.Handle.String() != "pci/0000:04:00.0/65535" || p.NetdevName != "p1" || p.NetdevIfindex != 3 ||
		id.Flavour != FlavourPhysical || id.PF != 1 || id.Port != 1 || id.External || id.PortName() != "p1" {
		t.Fatalf("decoded %+v identity %+v", p, id)
	}
}

// TestGoldenBytesMatchEncoder checks the hand-written golden payload against
// mdlayher/netlink's encoder, so a typo in the bytes cannot hide.
func TestGoldenBytesMatchEncoder(t *testing.T) {
	ae := netlink.NewAttributeEncoder()
	ae.String(devlinkAttrBusName, "pci")
	ae.String(devlinkAttrDevName, "0000:03:00.0")
	ae.Uint32(devlinkAttrPortIndex, 4)
	ae.Uint16(devlinkAttrPortType, 2)
	ae.Uint32(devlinkAttrPortNetdevIfindex, 12)
	ae.String(devlinkAttrPortNetdevName, "pf0vf3")
	ae.Uint16(devlinkAttrPortFlavour, uint16(FlavourPCIVF))
	ae.Uint8(148, 0)
	ae.Uint32(devlinkAttrPortControllerNumber, 1)
	ae.Uint16(devlinkAttrPortPCIPFNumber, 0)
	ae.Uint16(devlinkAttrPortPCIVFNumber, 3)
	ae.Uint8(devlinkAttrPortExternal, 1)
	ae.Nested(devlinkAttrPortFunction, func(nae *netlink.AttributeEncoder) error {
		nae.Bytes(devlinkPortFunctionAttrHWAddr, []byte{2, 0, 0, 0, 0, 0x13})
		return nil
	})
	b, err := ae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, goldenPortC1PF0VF3) {
		t.Fatalf("encoder:\n% x\ngolden:\n% x", b, goldenPortC1PF0VF3)
	}
}

func TestDecodeDevlinkPortRejectsTruncated(t *testing.T) {
	for n := 1; n < len(goldenPortUplinkP1); n++ {
		b := goldenPortUplinkP1[:n]
		p, err := decodeDevlinkPort(b)
		if err == nil && (p.Handle.Bus == "" || p.Handle.Device == "") {
			t.Fatalf("truncated to %d bytes: no error and no handle", n)
		}
	}
	if _, err := decodeDevlinkPort(nil); err == nil {
		t.Fatal("empty message: want error (no bus or device name)")
	}
}

// goldenEswitchSwitchdev is a DEVLINK_CMD_ESWITCH_GET reply payload:
// bus "pci", dev "0000:03:00.0", DEVLINK_ATTR_ESWITCH_MODE (25) u16 1 =
// DEVLINK_ESWITCH_MODE_SWITCHDEV, DEVLINK_ATTR_ESWITCH_INLINE_MODE (26) u8 0.
var goldenEswitchSwitchdev = []byte{
	0x08, 0x00, 0x01, 0x00, 'p', 'c', 'i', 0x00,
	0x11, 0x00, 0x02, 0x00, '0', '0', '0', '0', ':', '0', '3', ':', '0', '0', '.', '0', 0x00, 0x00, 0x00, 0x00,
	0x06, 0x00, 0x19, 0x00, 0x01, 0x00, 0x00, 0x00, // ESWITCH_MODE switchdev
	0x05, 0x00, 0x1a, 0x00, 0x00, 0x00, 0x00, 0x00, // ESWITCH_INLINE_MODE none
}

func TestDecodeEswitchMode(t *testing.T) {
	mode, found, err := decodeEswitchMode(goldenEswitchSwitchdev)
	if err != nil || !found || mode != ModeSwitchdev {
		t.Fatalf("decodeEswitchMode = %q, %v, %v; want switchdev", mode, found, err)
	}
	legacy := append([]byte(nil), goldenEswitchSwitchdev...)
	legacy[28+4] = 0 // the u16 value of ESWITCH_MODE
	if mode, _, _ := decodeEswitchMode(legacy); mode != ModeLegacy {
		t.Fatalf("legacy: got %q", mode)
	}
}

// FuzzDecodeDevlinkPort feeds arbitrary payloads to the decoder: it must
// return an error or a port with a handle, never panic.
func FuzzDecodeDevlinkPort(f *testing.F) {
	f.Add(goldenPortC1PF0VF3)
	f.Add(goldenPortUplinkP1)
	f.Add(goldenEswitchSwitchdev)
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodeDevlinkPort(b)
		if err == nil && (p.Handle.Bus == "" || p.Handle.Device == "") {
			t.Fatalf("no error and no handle: %+v", p)
		}
		if err == nil {
			_ = p.identity("").PortName()
		}
		_, _, _ = decodeEswitchMode(b)
	})
}
