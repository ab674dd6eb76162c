// SPDX-License-Identifier: Apache-2.0

package flower

// gact: only a verdict (pass, drop, goto chain). OVS uses it for drop and
// for recirculation (goto chain).
var kindGact = kind{
	name:  "gact",
	parms: []uint16{kindParms},
	tm:    kindTM,
	pad:   4, // TCA_GACT_PAD
	encode: func(e *enc, a *Action) {
		e.attr(kindParms, tcGen(a.Index, a.Verdict))
	},
}
