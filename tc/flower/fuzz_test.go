// SPDX-License-Identifier: Apache-2.0

package flower

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// FuzzDecodeOptions feeds raw bytes to the options decoder: it must never
// panic, and a decoded match and actions that validate, once encoded, must
// decode to what encodes to the same bytes.
func FuzzDecodeOptions(f *testing.F) {
	for _, m := range fullMatches() {
		b, err := AppendOptions(nil, FlagSkipSW, m, []Action{{Kind: "gact", Verdict: VerdictShot}})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := DecodeOptions(b)
		if err != nil {
			return
		}
		m := o.Match.SpecPart()
		if m.Validate() != nil {
			return
		}
		acts := make([]Action, len(o.Actions))
		for i, a := range o.Actions {
			if a.Validate() != nil {
				return
			}
			acts[i] = a.SpecPart()
		}
		enc, err := AppendOptions(nil, o.Flags, m, acts)
		if err != nil {
			return // a port match whose ip_proto is not tcp, udp or sctp
		}
		again, err := DecodeOptions(enc)
		if err != nil {
			t.Fatalf("re-encoded options do not decode: %v", err)
		}
		for i := range again.Actions {
			again.Actions[i] = again.Actions[i].SpecPart()
		}
		// What was sent decodes to what sends the same bytes (values under
		// a zero mask are not sent, so the match itself may differ).
		enc2, err := AppendOptions(nil, again.Flags, again.Match.SpecPart(), again.Actions)
		if err != nil {
			t.Fatalf("decoded options do not encode: %v", err)
		}
		assert.Equal(t, enc, enc2)
	})
}
