// SPDX-License-Identifier: Apache-2.0

package flower

import (
	"errors"
	"fmt"
)

// The L4 ports: TCA_FLOWER_KEY_TCP_*, UDP_* or SCTP_* source and
// destination with masks, the attribute family chosen by Match.IPProto.
// Dumps of all three families fill SrcPort and DstPort.
var keyPorts = key{
	name: "ports",
	attrs: []uint16{flowerKeyTCPSrc, flowerKeyTCPSrcMask, flowerKeyTCPDst, flowerKeyTCPDstMask,
		flowerKeyUDPSrc, flowerKeyUDPSrcMask, flowerKeyUDPDst, flowerKeyUDPDstMask,
		flowerKeySCTPSrc, flowerKeySCTPSrcMask, flowerKeySCTPDst, flowerKeySCTPDstMask},
	encode: func(e *enc, m *Match) error {
		if m.SrcPortMask == 0 && m.DstPortMask == 0 {
			return nil
		}
		src, srcMask, dst, dstMask, err := portAttrs(m.IPProto)
		if err != nil {
			return err
		}
		if m.SrcPortMask != 0 {
			e.masked(src, srcMask, be16(m.SrcPort), be16(m.SrcPortMask))
		}
		if m.DstPortMask != 0 {
			e.masked(dst, dstMask, be16(m.DstPort), be16(m.DstPortMask))
		}
		return nil
	},
	decode: func(m *Match, typ uint16, data []byte) error {
		switch typ {
		case flowerKeyTCPSrc, flowerKeyUDPSrc, flowerKeySCTPSrc:
			return decBE16(data, &m.SrcPort)
		case flowerKeyTCPSrcMask, flowerKeyUDPSrcMask, flowerKeySCTPSrcMask:
			return decBE16(data, &m.SrcPortMask)
		case flowerKeyTCPDst, flowerKeyUDPDst, flowerKeySCTPDst:
			return decBE16(data, &m.DstPort)
		}
		return decBE16(data, &m.DstPortMask)
	},
	check: func(m *Match) error {
		if m.SrcPortMask == 0 && m.DstPortMask == 0 {
			return nil
		}
		if m.IPProto == nil {
			return errors.New("tc: L4 port match needs IPProto")
		}
		_, _, _, _, err := portAttrs(m.IPProto)
		return err
	},
}

func portAttrs(proto *uint8) (src, srcMask, dst, dstMask uint16, err error) {
	if proto == nil {
		return 0, 0, 0, 0, errors.New("tc: L4 port match needs IPProto (tcp, udp or sctp)")
	}
	switch *proto {
	case 6:
		return flowerKeyTCPSrc, flowerKeyTCPSrcMask, flowerKeyTCPDst, flowerKeyTCPDstMask, nil
	case 17:
		return flowerKeyUDPSrc, flowerKeyUDPSrcMask, flowerKeyUDPDst, flowerKeyUDPDstMask, nil
	case 132:
		return flowerKeySCTPSrc, flowerKeySCTPSrcMask, flowerKeySCTPDst, flowerKeySCTPDstMask, nil
	}
	return 0, 0, 0, 0, fmt.Errorf("tc: L4 port match needs IPProto tcp, udp or sctp, not %d", *proto)
}

// TCA_FLOWER_KEY_TCP_FLAGS with its mask.
var keyTCPFlags = maskedBE16("tcp_flags", flowerKeyTCPFlags, flowerKeyTCPFlagsMask,
	func(m *Match) (v, mask *uint16) { return &m.TCPFlags, &m.TCPFlagsMask })
