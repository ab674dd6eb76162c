// SPDX-License-Identifier: Apache-2.0

package flower

import "fmt"

// TCA_FLOWER_KEY_VLAN_ID: the 12-bit VLAN id, host byte order, no mask.
var keyVLANID = key{
	name:  "vlan_id",
	attrs: []uint16{flowerKeyVlanID},
	encode: func(e *enc, m *Match) error {
		if m.VLANID != nil {
			e.u16(flowerKeyVlanID, *m.VLANID)
		}
		return nil
	},
	decode: func(m *Match, _ uint16, data []byte) error {
		m.VLANID = new(uint16)
		return decU16(data, m.VLANID)
	},
	check: func(m *Match) error {
		if m.VLANID != nil && *m.VLANID > 4095 {
			return fmt.Errorf("tc: vlan id %d > 4095", *m.VLANID)
		}
		return nil
	},
}

// TCA_FLOWER_KEY_VLAN_PRIO: the 3-bit PCP.
var keyVLANPrio = key{
	name:  "vlan_prio",
	attrs: []uint16{flowerKeyVlanPrio},
	encode: func(e *enc, m *Match) error {
		if m.VLANPrio != nil {
			e.u8(flowerKeyVlanPrio, *m.VLANPrio)
		}
		return nil
	},
	decode: func(m *Match, _ uint16, data []byte) error {
		m.VLANPrio = new(uint8)
		return decU8(data, m.VLANPrio)
	},
	check: func(m *Match) error {
		if m.VLANPrio != nil && *m.VLANPrio > 7 {
			return fmt.Errorf("tc: vlan prio %d > 7", *m.VLANPrio)
		}
		return nil
	},
}

// TCA_FLOWER_KEY_VLAN_ETH_TYPE: the ethertype inside the tag.
var keyVLANEthType = key{
	name:  "vlan_ethtype",
	attrs: []uint16{flowerKeyVlanEthType},
	encode: func(e *enc, m *Match) error {
		if m.VLANEthType != 0 {
			e.be16(flowerKeyVlanEthType, m.VLANEthType)
		}
		return nil
	},
	decode: func(m *Match, _ uint16, data []byte) error { return decBE16(data, &m.VLANEthType) },
}
