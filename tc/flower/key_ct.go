// SPDX-License-Identifier: Apache-2.0

package flower

import "errors"

// TCA_FLOWER_KEY_CT_STATE with its mask (CtNew, CtEstablished, ...), host
// byte order.
var keyCtState = key{
	name:  "ct_state",
	attrs: []uint16{flowerKeyCtState, flowerKeyCtStateMask},
	encode: func(e *enc, m *Match) error {
		if m.CtStateMask != 0 {
			e.u16(flowerKeyCtState, m.CtState)
			e.u16(flowerKeyCtStateMask, m.CtStateMask)
		}
		return nil
	},
	decode: func(m *Match, typ uint16, data []byte) error {
		if typ == flowerKeyCtState {
			return decU16(data, &m.CtState)
		}
		return decU16(data, &m.CtStateMask)
	},
}

// TCA_FLOWER_KEY_CT_ZONE with its mask, host byte order.
var keyCtZone = key{
	name:  "ct_zone",
	attrs: []uint16{flowerKeyCtZone, flowerKeyCtZoneMask},
	encode: func(e *enc, m *Match) error {
		if m.CtZoneMask != 0 {
			e.u16(flowerKeyCtZone, m.CtZone)
			e.u16(flowerKeyCtZoneMask, m.CtZoneMask)
		}
		return nil
	},
	decode: func(m *Match, typ uint16, data []byte) error {
		if typ == flowerKeyCtZone {
			return decU16(data, &m.CtZone)
		}
		return decU16(data, &m.CtZoneMask)
	},
}

// TCA_FLOWER_KEY_CT_MARK with its mask, host byte order.
var keyCtMark = key{
	name:  "ct_mark",
	attrs: []uint16{flowerKeyCtMark, flowerKeyCtMarkMask},
	encode: func(e *enc, m *Match) error {
		if m.CtMarkMask != 0 {
			e.u32(flowerKeyCtMark, m.CtMark)
			e.u32(flowerKeyCtMarkMask, m.CtMarkMask)
		}
		return nil
	},
	decode: func(m *Match, typ uint16, data []byte) error {
		if typ == flowerKeyCtMark {
			return decU32(data, &m.CtMark)
		}
		return decU32(data, &m.CtMarkMask)
	},
}

// TCA_FLOWER_KEY_CT_LABELS with its mask, 16 bytes each.
var keyCtLabels = key{
	name:  "ct_labels",
	attrs: []uint16{flowerKeyCtLabels, flowerKeyCtLabelsMask},
	encode: func(e *enc, m *Match) error {
		if len(m.CtLabelsMask) > 0 {
			e.masked(flowerKeyCtLabels, flowerKeyCtLabelsMask, m.CtLabels, m.CtLabelsMask)
		}
		return nil
	},
	decode: func(m *Match, typ uint16, data []byte) error {
		if typ == flowerKeyCtLabels {
			return decBytes(data, &m.CtLabels)
		}
		return decBytes(data, &m.CtLabelsMask)
	},
	check: func(m *Match) error {
		if len(m.CtLabels) != len(m.CtLabelsMask) || (len(m.CtLabelsMask) != 0 && len(m.CtLabelsMask) != 16) {
			return errors.New("tc: ct_label and its mask must both be 16 bytes")
		}
		return nil
	},
}
