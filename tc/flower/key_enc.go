// SPDX-License-Identifier: Apache-2.0

package flower

import (
	"errors"
	"net/netip"
)

// The tunnel keys (TCA_FLOWER_KEY_ENC_*): what the packet was received
// with, as the tunnel device's metadata says.

// TCA_FLOWER_KEY_ENC_KEY_ID: the VNI, big endian, no mask.
var keyEncKeyID = key{
	name:  "enc_key_id",
	attrs: []uint16{flowerKeyEncKeyID},
	encode: func(e *enc, m *Match) error {
		if m.EncKeyID != nil {
			e.be32(flowerKeyEncKeyID, *m.EncKeyID)
		}
		return nil
	},
	decode: func(m *Match, _ uint16, data []byte) error {
		m.EncKeyID = new(uint32)
		return decBE32(data, m.EncKeyID)
	},
}

// TCA_FLOWER_KEY_ENC_IPV4_SRC / IPV6_SRC and _DST, with masks.
var (
	keyEncSrc = maskedAddr("enc_src", flowerKeyEncIPv4Src, flowerKeyEncIPv4SrcMask, flowerKeyEncIPv6Src,
		flowerKeyEncIPv6SrcMask, func(m *Match) (v, mask *netip.Addr) { return &m.EncSrc, &m.EncSrcMask })
	keyEncDst = maskedAddr("enc_dst", flowerKeyEncIPv4Dst, flowerKeyEncIPv4DstMask, flowerKeyEncIPv6Dst,
		flowerKeyEncIPv6DstMask, func(m *Match) (v, mask *netip.Addr) { return &m.EncDst, &m.EncDstMask })
)

// TCA_FLOWER_KEY_ENC_UDP_SRC_PORT / _DST_PORT with masks, and the outer
// TOS and TTL with masks.
var (
	keyEncSrcPort = maskedBE16("enc_src_port", flowerKeyEncUDPSrcPort, flowerKeyEncUDPSrcPortMask,
		func(m *Match) (v, mask *uint16) { return &m.EncSrcPort, &m.EncSrcPortMask })
	keyEncDstPort = maskedBE16("enc_dst_port", flowerKeyEncUDPDstPort, flowerKeyEncUDPDstPortMask,
		func(m *Match) (v, mask *uint16) { return &m.EncDstPort, &m.EncDstPortMask })
	keyEncTOS = maskedU8("enc_tos", flowerKeyEncIPTOS, flowerKeyEncIPTOSMask,
		func(m *Match) (v, mask *uint8) { return &m.EncTOS, &m.EncTOSMask })
	keyEncTTL = maskedU8("enc_ttl", flowerKeyEncIPTTL, flowerKeyEncIPTTLMask,
		func(m *Match) (v, mask *uint8) { return &m.EncTTL, &m.EncTTLMask })
)

// TCA_FLOWER_KEY_ENC_OPTS and its mask: nested geneve options, kept as the
// bytes of their payloads.
var keyEncOpts = key{
	name:  "enc_opts",
	attrs: []uint16{flowerKeyEncOpts, flowerKeyEncOptsMask},
	encode: func(e *enc, m *Match) error {
		if len(m.EncOpts) > 0 {
			e.nest(flowerKeyEncOpts, func() { e.b = append(e.b, m.EncOpts...) })
			e.nest(flowerKeyEncOptsMask, func() { e.b = append(e.b, m.EncOptsMask...) })
		}
		return nil
	},
	decode: func(m *Match, typ uint16, data []byte) error {
		if typ == flowerKeyEncOpts {
			return decBytes(data, &m.EncOpts)
		}
		return decBytes(data, &m.EncOptsMask)
	},
	check: func(m *Match) error {
		if (len(m.EncOpts) == 0) != (len(m.EncOptsMask) == 0) {
			return errors.New("tc: enc_opts needs a mask of the same layout")
		}
		return nil
	},
}
