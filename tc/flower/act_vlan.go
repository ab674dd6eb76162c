// SPDX-License-Identifier: Apache-2.0

package flower

import (
	"encoding/binary"
	"fmt"
)

// vlan: push, pop or modify a tag (struct tc_vlan: tc_gen, v_action; then
// TCA_VLAN_PUSH_VLAN_ID, _PROTOCOL and _PRIORITY).
var kindVLAN = kind{
	name:     "vlan",
	parms:    []uint16{kindParms},
	tm:       kindTM,
	pad:      5, // TCA_VLAN_PAD
	field:    "VLAN",
	hasField: func(a *Action) bool { return a.VLAN != nil },
	init:     func(a *Action) { a.VLAN = &VLAN{} },
	encode: func(e *enc, a *Action) {
		p := binary.NativeEndian.AppendUint32(tcGen(a.Index, a.Verdict), uint32(a.VLAN.Op))
		e.attr(kindParms, p)
		if a.VLAN.Op != VLANPop {
			e.u16(vlanPushID, a.VLAN.ID)
			if a.VLAN.Protocol != 0 {
				e.be16(vlanPushProtocol, a.VLAN.Protocol)
			}
			e.u8(vlanPushPriority, a.VLAN.Priority)
		}
	},
	decodeParms: func(where string, data []byte, a *Action) error {
		op, err := parmsU32(where, data, 20)
		a.VLAN.Op = VLANOp(op)
		return err
	},
	decodeAttr: func(where string, typ uint16, data []byte, a *Action, _ *actState) (bool, error) {
		v := a.VLAN
		switch typ {
		case vlanPushID:
			if err := size(where, "/push_id", data, 2); err != nil {
				return true, err
			}
			v.ID = binary.NativeEndian.Uint16(data)
			return true, nil
		case vlanPushProtocol:
			if err := size(where, "", data, 2); err != nil {
				return true, err
			}
			v.Protocol = binary.BigEndian.Uint16(data)
			return true, nil
		case vlanPushPriority:
			if err := size(where, "/push_prio", data, 1); err != nil {
				return true, err
			}
			v.Priority = data[0]
			return true, nil
		}
		return false, nil
	},
	check: func(a *Action) error {
		if a.VLAN.Op < VLANPop || a.VLAN.Op > VLANModify || a.VLAN.ID > 4095 || a.VLAN.Priority > 7 {
			return fmt.Errorf("bad vlan op %d id %d priority %d", a.VLAN.Op, a.VLAN.ID, a.VLAN.Priority)
		}
		return nil
	},
}
