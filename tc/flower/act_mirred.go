// SPDX-License-Identifier: Apache-2.0

package flower

import (
	"encoding/binary"
	"fmt"
)

// mirred: redirect or mirror to a device (struct tc_mirred: tc_gen, eaction,
// ifindex).
var kindMirred = kind{
	name:     "mirred",
	parms:    []uint16{kindParms},
	tm:       kindTM,
	pad:      3, // TCA_MIRRED_PAD
	field:    "Mirred",
	hasField: func(a *Action) bool { return a.Mirred != nil },
	init:     func(a *Action) { a.Mirred = &Mirred{} },
	encode: func(e *enc, a *Action) {
		p := tcGen(a.Index, a.Verdict)
		p = binary.NativeEndian.AppendUint32(p, uint32(a.Mirred.Op))
		p = binary.NativeEndian.AppendUint32(p, a.Mirred.Ifindex)
		e.attr(kindParms, p)
	},
	decodeParms: func(where string, data []byte, a *Action) error {
		op, err := parmsU32(where, data, 20)
		if err != nil {
			return err
		}
		a.Mirred.Op = MirredOp(op)
		a.Mirred.Ifindex, err = parmsU32(where, data, 24)
		return err
	},
	check: func(a *Action) error {
		if a.Mirred.Ifindex == 0 || a.Mirred.Op < EgressRedirect || a.Mirred.Op > IngressMirror {
			return fmt.Errorf("mirred needs an ifindex and an op (got %d, %d)", a.Mirred.Ifindex, a.Mirred.Op)
		}
		return nil
	},
}
