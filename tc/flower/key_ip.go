// SPDX-License-Identifier: Apache-2.0

package flower

import (
	"fmt"
	"net/netip"
)

// TCA_FLOWER_KEY_IP_PROTO, no mask.
var keyIPProto = key{
	name:  "ip_proto",
	attrs: []uint16{flowerKeyIPProto},
	encode: func(e *enc, m *Match) error {
		if m.IPProto != nil {
			e.u8(flowerKeyIPProto, *m.IPProto)
		}
		return nil
	},
	decode: func(m *Match, _ uint16, data []byte) error {
		m.IPProto = new(uint8)
		return decU8(data, m.IPProto)
	},
}

// TCA_FLOWER_KEY_IPV4_SRC / IPV6_SRC and _DST, with masks.
var (
	keyIPSrc = maskedAddr("src", flowerKeyIPv4Src, flowerKeyIPv4SrcMask, flowerKeyIPv6Src, flowerKeyIPv6SrcMask,
		func(m *Match) (v, mask *netip.Addr) { return &m.Src, &m.SrcMask })
	keyIPDst = maskedAddr("dst", flowerKeyIPv4Dst, flowerKeyIPv4DstMask, flowerKeyIPv6Dst, flowerKeyIPv6DstMask,
		func(m *Match) (v, mask *netip.Addr) { return &m.Dst, &m.DstMask })
)

// TCA_FLOWER_KEY_IP_TOS and _TTL with masks.
var (
	keyIPTOS = maskedU8("ip_tos", flowerKeyIPTOS, flowerKeyIPTOSMask,
		func(m *Match) (v, mask *uint8) { return &m.IPTOS, &m.IPTOSMask })
	keyIPTTL = maskedU8("ip_ttl", flowerKeyIPTTL, flowerKeyIPTTLMask,
		func(m *Match) (v, mask *uint8) { return &m.IPTTL, &m.IPTTLMask })
)

func checkMasked(name string, v, m netip.Addr) error {
	if !m.IsValid() {
		if v.IsValid() {
			return fmt.Errorf("tc: %s %s without a mask", name, v)
		}
		return nil
	}
	if !v.IsValid() || v.Is4() != m.Is4() {
		return fmt.Errorf("tc: %s %s and mask %s are not the same family", name, v, m)
	}
	return nil
}
