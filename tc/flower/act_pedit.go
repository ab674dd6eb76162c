// SPDX-License-Identifier: Apache-2.0

package flower

import (
	"encoding/binary"
	"fmt"
)

// pedit: header rewrites (struct tc_pedit: tc_gen, nkeys, flags, then the
// keys; TCA_PEDIT_KEYS_EX carries each key's header type and command).
var kindPedit = kind{
	name:     "pedit",
	parms:    []uint16{kindParms, peditParmsEx},
	tm:       kindTM,
	pad:      3, // TCA_PEDIT_PAD
	field:    "Pedit",
	hasField: func(a *Action) bool { return a.Pedit != nil },
	init:     func(a *Action) { a.Pedit = &Pedit{} },
	encode: func(e *enc, a *Action) {
		keys := a.Pedit.Keys
		p := tcGen(a.Index, a.Verdict)
		p = append(p, uint8(len(keys)), 0, 0, 0) // nkeys, flags, padding
		for _, k := range keys {
			for _, w := range []uint32{k.Mask, k.Val, k.Off, k.At, k.OffMask, k.Shift} {
				p = binary.NativeEndian.AppendUint32(p, w)
			}
		}
		e.attr(peditParmsEx, p)
		e.nest(peditKeysEx, func() {
			for _, k := range keys {
				e.nest(peditKeyEx, func() {
					e.u16(peditKeyExHtype, k.Htype)
					e.u16(peditKeyExCmd, k.Cmd)
				})
			}
		})
	},
	decodeParms: func(where string, data []byte, a *Action) error {
		if err := atLeast(where, "/parms", data, 24); err != nil {
			return err
		}
		n := int(data[20])
		keys := data[24:]
		if len(keys) < n*24 {
			return &DecodeError{where + "/parms", fmt.Sprintf("%d keys in %d bytes", n, len(keys))}
		}
		a.Pedit.Keys = make([]PeditKey, n)
		for i := range n {
			k := keys[i*24:]
			w := func(j int) uint32 { return binary.NativeEndian.Uint32(k[4*j:]) }
			a.Pedit.Keys[i] = PeditKey{Mask: w(0), Val: w(1), Off: w(2), At: w(3), OffMask: w(4), Shift: w(5)}
		}
		return nil
	},
	decodeAttr: func(where string, typ uint16, data []byte, _ *Action, st *actState) (bool, error) {
		if typ != peditKeysEx {
			return false, nil
		}
		st.keysEx, st.haveKeysEx = []PeditKey{}, true
		return true, Walk(where+"/keys_ex", data, func(typ, raw uint16, kd []byte) error {
			var k PeditKey
			err := Walk(where+"/key_ex", kd, func(t, _ uint16, v []byte) error {
				if err := size(where, "/key_ex", v, 2); err != nil {
					return err
				}
				switch t {
				case peditKeyExHtype:
					k.Htype = binary.NativeEndian.Uint16(v)
				case peditKeyExCmd:
					k.Cmd = binary.NativeEndian.Uint16(v)
				}
				return nil
			})
			st.keysEx = append(st.keysEx, k)
			return err
		})
	},
	finish: func(where string, a *Action, st *actState) error {
		if !st.haveKeysEx {
			return nil
		}
		if len(st.keysEx) != len(a.Pedit.Keys) {
			return &DecodeError{where, fmt.Sprintf("%d extended keys for %d keys", len(st.keysEx), len(a.Pedit.Keys))}
		}
		for i := range st.keysEx {
			a.Pedit.Keys[i].Htype, a.Pedit.Keys[i].Cmd = st.keysEx[i].Htype, st.keysEx[i].Cmd
		}
		return nil
	},
	check: func(a *Action) error {
		if len(a.Pedit.Keys) == 0 || len(a.Pedit.Keys) > 128 {
			return fmt.Errorf("pedit needs 1..128 keys, got %d", len(a.Pedit.Keys))
		}
		return nil
	},
}
