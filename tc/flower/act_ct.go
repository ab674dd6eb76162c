// SPDX-License-Identifier: Apache-2.0

package flower

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// ct: connection tracking (TCA_CT_PARMS holds tc_gen; the rest are
// attributes: action flags, zone, mark, labels, NAT range).
var kindCT = kind{
	name:     "ct",
	parms:    []uint16{ctParms},
	tm:       ctTM,
	pad:      15, // TCA_CT_PAD
	field:    "CT",
	hasField: func(a *Action) bool { return a.CT != nil },
	init:     func(a *Action) { a.CT = &CT{} },
	encode: func(e *enc, a *Action) {
		c := a.CT
		e.attr(ctParms, tcGen(a.Index, a.Verdict))
		if c.Flags != 0 {
			e.u16(ctAction, c.Flags)
		}
		if c.Zone != 0 {
			e.u16(ctZone, c.Zone)
		}
		if c.MarkMask != 0 {
			e.u32(ctMark, c.Mark)
			e.u32(ctMarkMask, c.MarkMask)
		}
		if len(c.LabelsMask) > 0 {
			e.attr(ctLabels, c.Labels)
			e.attr(ctLabelsMask, c.LabelsMask)
		}
		if c.NATMin.IsValid() {
			if c.NATMin.Is4() {
				e.attr(ctNatIPv4Min, c.NATMin.AsSlice())
				e.attr(ctNatIPv4Max, c.NATMax.AsSlice())
			} else {
				e.attr(ctNatIPv6Min, c.NATMin.AsSlice())
				e.attr(ctNatIPv6Max, c.NATMax.AsSlice())
			}
		}
		if c.NATPortMin != 0 {
			e.be16(ctNatPortMin, c.NATPortMin)
			e.be16(ctNatPortMax, c.NATPortMax)
		}
	},
	decodeAttr: func(where string, typ uint16, data []byte, a *Action, _ *actState) (bool, error) {
		c := a.CT
		ip := func(n int, dst *netip.Addr) (bool, error) {
			if err := size(where, "", data, n); err != nil {
				return true, err
			}
			*dst, _ = netip.AddrFromSlice(data)
			return true, nil
		}
		n16 := func(dst *uint16, order binary.ByteOrder) (bool, error) {
			if err := size(where, "", data, 2); err != nil {
				return true, err
			}
			*dst = order.Uint16(data)
			return true, nil
		}
		n32 := func(dst *uint32) (bool, error) {
			if err := size(where, "", data, 4); err != nil {
				return true, err
			}
			*dst = binary.NativeEndian.Uint32(data)
			return true, nil
		}
		switch typ {
		case ctAction:
			return n16(&c.Flags, binary.NativeEndian)
		case ctZone:
			return n16(&c.Zone, binary.NativeEndian)
		case ctMark:
			return n32(&c.Mark)
		case ctMarkMask:
			return n32(&c.MarkMask)
		case ctLabels:
			c.Labels = append([]byte(nil), data...)
			return true, nil
		case ctLabelsMask:
			c.LabelsMask = append([]byte(nil), data...)
			return true, nil
		case ctNatIPv4Min:
			return ip(4, &c.NATMin)
		case ctNatIPv4Max:
			return ip(4, &c.NATMax)
		case ctNatIPv6Min:
			return ip(16, &c.NATMin)
		case ctNatIPv6Max:
			return ip(16, &c.NATMax)
		case ctNatPortMin:
			return n16(&c.NATPortMin, binary.BigEndian)
		case ctNatPortMax:
			return n16(&c.NATPortMax, binary.BigEndian)
		}
		return false, nil
	},
	check: func(a *Action) error {
		c := a.CT
		if c.NATMin.IsValid() != c.NATMax.IsValid() || (c.NATMin.IsValid() && c.NATMin.Is4() != c.NATMax.Is4()) {
			return errors.New("ct nat needs a min and a max address of one family")
		}
		if len(c.Labels) != len(c.LabelsMask) || (len(c.LabelsMask) != 0 && len(c.LabelsMask) != 16) {
			return errors.New("ct labels and mask must both be 16 bytes")
		}
		return nil
	},
}
