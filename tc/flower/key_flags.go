// SPDX-License-Identifier: Apache-2.0

package flower

// TCA_FLOWER_KEY_FLAGS with its mask (is_fragment, frag_is_first), big
// endian.
var keyFlags = key{
	name:  "flags",
	attrs: []uint16{flowerKeyFlags, flowerKeyFlagsMask},
	encode: func(e *enc, m *Match) error {
		if m.KeyFlagsMask != 0 {
			e.masked(flowerKeyFlags, flowerKeyFlagsMask, be32(m.KeyFlags), be32(m.KeyFlagsMask))
		}
		return nil
	},
	decode: func(m *Match, typ uint16, data []byte) error {
		if typ == flowerKeyFlags {
			return decBE32(data, &m.KeyFlags)
		}
		return decBE32(data, &m.KeyFlagsMask)
	},
}
