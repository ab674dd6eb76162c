// SPDX-License-Identifier: Apache-2.0

package flower

import (
	"fmt"
	"net"
)

// TCA_FLOWER_INDEV: the input device's name.
var keyIndev = key{
	name:  "indev",
	attrs: []uint16{flowerIndev},
	encode: func(e *enc, m *Match) error {
		if m.Indev != "" {
			e.str(flowerIndev, m.Indev)
		}
		return nil
	},
	decode: func(m *Match, _ uint16, data []byte) error {
		m.Indev = CString(data)
		return nil
	},
}

// TCA_FLOWER_KEY_ETH_DST and _SRC with their masks.
var (
	keyEthDst = maskedMAC("eth_dst", flowerKeyEthDst, flowerKeyEthDstMask,
		func(m *Match) (v, mask *net.HardwareAddr) { return &m.EthDst, &m.EthDstMask })
	keyEthSrc = maskedMAC("eth_src", flowerKeyEthSrc, flowerKeyEthSrcMask,
		func(m *Match) (v, mask *net.HardwareAddr) { return &m.EthSrc, &m.EthSrcMask })
)

func maskedMAC(name string, keyAttr, maskAttr uint16, field func(m *Match) (v, mask *net.HardwareAddr)) key {
	return key{
		name:  name,
		attrs: []uint16{keyAttr, maskAttr},
		encode: func(e *enc, m *Match) error {
			if v, mask := field(m); len(*mask) > 0 {
				e.masked(keyAttr, maskAttr, *v, *mask)
			}
			return nil
		},
		decode: func(m *Match, typ uint16, data []byte) error {
			v, mask := field(m)
			if typ == keyAttr {
				return decMAC(data, v)
			}
			return decMAC(data, mask)
		},
		check: func(m *Match) error {
			v, mask := field(m)
			if len(*mask) == 0 && len(*v) == 0 {
				return nil
			}
			if len(*v) != 6 || len(*mask) != 6 {
				return fmt.Errorf("tc: %s needs a 6-byte address and a 6-byte mask", name)
			}
			return nil
		},
	}
}

// TCA_FLOWER_KEY_ETH_TYPE, big endian, no mask.
var keyEthType = key{
	name:  "eth_type",
	attrs: []uint16{flowerKeyEthType},
	encode: func(e *enc, m *Match) error {
		if m.EthType != 0 {
			e.be16(flowerKeyEthType, m.EthType)
		}
		return nil
	},
	decode: func(m *Match, _ uint16, data []byte) error { return decBE16(data, &m.EthType) },
}
