// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/netlink"
)

// Devlink generic netlink numbers, from the kernel UAPI linux/devlink.h.
const (
	devlinkGenlName    = "devlink"
	devlinkGenlVersion = 1

	devlinkCmdNew        = 3
	devlinkCmdPortGet    = 5
	devlinkCmdPortNew    = 7
	devlinkCmdEswitchGet = 29
	devlinkCmdEswitchSet = 30

	devlinkAttrBusName                = 1
	devlinkAttrDevName                = 2
	devlinkAttrPortIndex              = 3
	devlinkAttrPortType               = 4
	devlinkAttrPortNetdevIfindex      = 6
	devlinkAttrPortNetdevName         = 7
	devlinkAttrEswitchMode            = 25
	devlinkAttrPortFlavour            = 77
	devlinkAttrPortNumber             = 78
	devlinkAttrPortSplitSubportNumber = 79
	devlinkAttrPortPCIPFNumber        = 127
	devlinkAttrPortPCIVFNumber        = 128
	devlinkAttrPortFunction           = 145
	devlinkAttrPortExternal           = 149
	devlinkAttrPortControllerNumber   = 150
	devlinkAttrPortPCISFNumber        = 164

	devlinkPortFunctionAttrHWAddr = 1

	devlinkEswitchModeLegacy    = 0
	devlinkEswitchModeSwitchdev = 1
)

// devlinkPort is one port of a devlink port dump, with every attribute the
// eswitch package uses. The has* fields say which optional attributes the
// kernel sent.
type devlinkPort struct {
	Handle        PortHandle
	Type          uint16
	NetdevIfindex uint32
	NetdevName    string
	Flavour       Flavour
	Number        uint32 // physical port number
	Split         uint32
	PF            uint16
	VF            uint16
	SF            uint32
	Controller    uint32
	External      bool
	HWAddr        net.HardwareAddr

	HasFlavour, HasNumber, HasSplit, HasPF, HasVF, HasSF, HasController bool
	// Unknown counts attributes this decoder does not interpret (newer
	// kernels add some); they are skipped, never an error.
	Unknown int
}

// decodeDevlinkPort decodes the attributes of one DEVLINK_CMD_PORT_NEW
// message (the generic netlink payload after the genl header).
func decodeDevlinkPort(b []byte) (devlinkPort, error) {
	var p devlinkPort
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return p, err
	}
	for ad.Next() {
		switch ad.Type() {
		case devlinkAttrBusName:
			p.Handle.Bus = ad.String()
		case devlinkAttrDevName:
			p.Handle.Device = ad.String()
		case devlinkAttrPortIndex:
			p.Handle.Index = ad.Uint32()
		case devlinkAttrPortType:
			p.Type = ad.Uint16()
		case devlinkAttrPortNetdevIfindex:
			p.NetdevIfindex = ad.Uint32()
		case devlinkAttrPortNetdevName:
			p.NetdevName = ad.String()
		case devlinkAttrPortFlavour:
			p.Flavour, p.HasFlavour = Flavour(ad.Uint16()), true
		case devlinkAttrPortNumber:
			p.Number, p.HasNumber = ad.Uint32(), true
		case devlinkAttrPortSplitSubportNumber:
			p.Split, p.HasSplit = ad.Uint32(), true
		case devlinkAttrPortPCIPFNumber:
			p.PF, p.HasPF = ad.Uint16(), true
		case devlinkAttrPortPCIVFNumber:
			p.VF, p.HasVF = ad.Uint16(), true
		case devlinkAttrPortPCISFNumber:
			p.SF, p.HasSF = ad.Uint32(), true
		case devlinkAttrPortControllerNumber:
			p.Controller, p.HasController = ad.Uint32(), true
		case devlinkAttrPortExternal:
			p.External = ad.Uint8() != 0
		case devlinkAttrPortFunction:
			ad.Nested(func(nad *netlink.AttributeDecoder) error {
				for nad.Next() {
					if nad.Type() == devlinkPortFunctionAttrHWAddr {
						if mac := nad.Bytes(); len(mac) > 0 {
							p.HWAddr = net.HardwareAddr(mac)
						}
					}
				}
				return nil
			})
		default:
			p.Unknown++
		}
	}
	if err := ad.Err(); err != nil {
		return p, fmt.Errorf("eswitch: decode devlink port: %w", err)
	}
	if p.Handle.Bus == "" || p.Handle.Device == "" {
		return p, errors.New("eswitch: decode devlink port: message has no bus or device name")
	}
	return p, nil
}

// identity converts the devlink attributes into an Identity. switchID is
// the phys_switch_id read elsewhere (devlink does not carry it).
func (p devlinkPort) identity(switchID string) Identity {
	id := Identity{SwitchID: switchID, Flavour: p.Flavour, Controller: p.Controller, External: p.External}
	switch p.Flavour {
	case FlavourPhysical, FlavourCPU, FlavourDSA:
		id.Port = p.Number
		id.PF = uint16(min(p.Number, 0xffff))
		id.Split, id.IsSplit = p.Split, p.HasSplit
	case FlavourPCIPF:
		id.PF = p.PF
	case FlavourPCIVF:
		id.PF, id.VF = p.PF, p.VF
	case FlavourPCISF:
		id.PF, id.SF = p.PF, p.SF
	}
	return id
}

// devlinkConn is a generic netlink socket bound to the devlink family.
type devlinkConn struct {
	c   *genetlink.Conn
	fam genetlink.Family
}

// dialDevlink opens a devlink socket in the network namespace netnsFD (0:
// the caller's). ErrNotSupported when the kernel has no devlink family.
func dialDevlink(netnsFD int) (*devlinkConn, error) {
	c, err := dialGenl(netnsFD)
	if err != nil {
		return nil, &OpError{Op: "dial generic netlink", Object: devlinkGenlName, Err: err}
	}
	fam, err := c.GetFamily(devlinkGenlName)
	if err != nil {
		c.Close()
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("eswitch: kernel has no devlink generic netlink family: %w", ErrNotSupported)
		}
		return nil, &OpError{Op: "resolve family", Object: devlinkGenlName, Err: err}
	}
	return &devlinkConn{c: c, fam: fam}, nil
}

func (d *devlinkConn) close() error { return d.c.Close() }

func (d *devlinkConn) execute(ctx context.Context, cmd uint8, attrs []byte, flags netlink.HeaderFlags) ([]genetlink.Message, error) {
	if dl, ok := ctx.Deadline(); ok {
		if err := d.c.SetDeadline(dl); err != nil {
			return nil, err
		}
		defer d.c.SetDeadline(zeroTime)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return d.c.Execute(genetlink.Message{
		Header: genetlink.Header{Command: cmd, Version: devlinkGenlVersion},
		Data:   attrs,
	}, d.fam.ID, flags)
}

// ports dumps every devlink port of every devlink device in the namespace.
// A dump the kernel marks inconsistent (NLM_F_DUMP_INTR: ports changed
// while it was read) is retried, never used.
func (d *devlinkConn) ports(ctx context.Context) ([]devlinkPort, error) {
	var lastErr error
	for range 5 {
		msgs, interrupted, err := d.dump(ctx, devlinkCmdPortGet)
		if err != nil {
			return nil, &OpError{Op: "devlink port dump", Object: "all devices", Err: err}
		}
		if interrupted {
			lastErr = errors.New("dump interrupted by concurrent changes (NLM_F_DUMP_INTR), 5 times")
			continue
		}
		out := make([]devlinkPort, 0, len(msgs))
		for _, m := range msgs {
			// Port dump replies carry DEVLINK_CMD_PORT_NEW on recent kernels
			// and DEVLINK_CMD_NEW on older ones (6.1 among them), whose
			// dumpit filled ports with the device command. Both are ports.
			if m.Header.Command != devlinkCmdPortNew && m.Header.Command != devlinkCmdNew {
				continue
			}
			p, err := decodeDevlinkPort(m.Data)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
		return out, nil
	}
	return nil, &OpError{Op: "devlink port dump", Object: "all devices", Err: lastErr}
}

// dump runs a dump request and reports whether any reply carried
// NLM_F_DUMP_INTR (genetlink's Execute drops the netlink headers that say so).
func (d *devlinkConn) dump(ctx context.Context, cmd uint8) ([]genetlink.Message, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if dl, ok := ctx.Deadline(); ok {
		if err := d.c.SetDeadline(dl); err != nil {
			return nil, false, err
		}
		defer d.c.SetDeadline(zeroTime)
	}
	req, err := d.c.Send(genetlink.Message{Header: genetlink.Header{Command: cmd, Version: devlinkGenlVersion}}, d.fam.ID, netlink.Request|netlink.Dump)
	if err != nil {
		return nil, false, err
	}
	msgs, raw, err := d.c.Receive()
	if err != nil {
		return nil, false, err
	}
	if err := netlink.Validate(req, raw); err != nil {
		return nil, false, err
	}
	interrupted := false
	for _, m := range raw {
		if m.Header.Flags&netlink.DumpInterrupted != 0 {
			interrupted = true
		}
	}
	return msgs, interrupted, nil
}

func encodeDeviceHandle(ae *netlink.AttributeEncoder, h DeviceHandle) {
	ae.String(devlinkAttrBusName, h.Bus)
	ae.String(devlinkAttrDevName, h.Device)
}

// eswitchMode asks the kernel for the eswitch mode of device h.
func (d *devlinkConn) eswitchMode(ctx context.Context, h DeviceHandle) (Mode, error) {
	ae := netlink.NewAttributeEncoder()
	encodeDeviceHandle(ae, h)
	b, err := ae.Encode()
	if err != nil {
		return "", err
	}
	msgs, err := d.execute(ctx, devlinkCmdEswitchGet, b, netlink.Request)
	if err != nil {
		return "", devlinkErr("devlink eswitch show", h, err)
	}
	for _, m := range msgs {
		mode, found, err := decodeEswitchMode(m.Data)
		if err != nil {
			return "", err
		}
		if found {
			return mode, nil
		}
	}
	return "", fmt.Errorf("eswitch: devlink eswitch show %s: no mode in the reply: %w", h, ErrNotSupported)
}

// decodeEswitchMode finds DEVLINK_ATTR_ESWITCH_MODE in a reply.
func decodeEswitchMode(b []byte) (Mode, bool, error) {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return "", false, err
	}
	var mode Mode
	found := false
	for ad.Next() {
		if ad.Type() == devlinkAttrEswitchMode {
			found = true
			switch v := ad.Uint16(); v {
			case devlinkEswitchModeLegacy:
				mode = ModeLegacy
			case devlinkEswitchModeSwitchdev:
				mode = ModeSwitchdev
			default:
				mode = Mode(fmt.Sprintf("mode(%d)", v))
			}
		}
	}
	return mode, found, ad.Err()
}

// setEswitchMode changes the eswitch mode of device h.
func (d *devlinkConn) setEswitchMode(ctx context.Context, h DeviceHandle, mode Mode) error {
	var v uint16
	switch mode {
	case ModeLegacy:
		v = devlinkEswitchModeLegacy
	case ModeSwitchdev:
		v = devlinkEswitchModeSwitchdev
	default:
		return fmt.Errorf("eswitch: unknown eswitch mode %q (want %q or %q)", mode, ModeLegacy, ModeSwitchdev)
	}
	ae := netlink.NewAttributeEncoder()
	encodeDeviceHandle(ae, h)
	ae.Uint16(devlinkAttrEswitchMode, v)
	b, err := ae.Encode()
	if err != nil {
		return err
	}
	if _, err := d.execute(ctx, devlinkCmdEswitchSet, b, netlink.Request|netlink.Acknowledge); err != nil {
		return devlinkErr("devlink eswitch set mode "+string(mode), h, err)
	}
	return nil
}

// devlinkErr wraps err; EOPNOTSUPP from the driver becomes ErrNotSupported,
// ENODEV ErrNotFound.
func devlinkErr(op string, h DeviceHandle, err error) error {
	switch {
	case errors.Is(err, errEOPNOTSUPP):
		err = fmt.Errorf("%w (%w)", ErrNotSupported, err)
	case errors.Is(err, errENODEV):
		err = fmt.Errorf("%w (%w)", ErrNotFound, err)
	}
	return &OpError{Op: op, Object: h.String(), Err: err}
}

// dialGenl opens a generic netlink socket in the namespace netnsFD (0: the
// caller's), with extended acknowledgements and strict checking when the
// kernel offers them (Linux 4.20+), plain otherwise.
func dialGenl(netnsFD int) (*genetlink.Conn, error) {
	c, err := genetlink.Dial(&netlink.Config{NetNS: netnsFD, Strict: true})
	if err == nil {
		return c, nil
	}
	return genetlink.Dial(&netlink.Config{NetNS: netnsFD})
}
