// SPDX-License-Identifier: Apache-2.0

package dpflow

// word is a short literal of the grammar, such as "src=" or "eth(", that
// the fast path compares with the input eight bytes at a time instead of
// scanning a token and then comparing strings.
type word struct {
	s        string
	lo, hi   uint64 // the first and the next eight bytes, little-endian, zero-padded
	loM, hiM uint64 // the bytes of lo and hi that belong to s
}

func newWord(s string) word {
	w := word{s: s}
	for i := 0; i < len(s) && i < 16; i++ {
		shift := uint(i%8) * 8
		if i < 8 {
			w.lo |= uint64(s[i]) << shift
			w.loM |= 0xff << shift
		} else {
			w.hi |= uint64(s[i]) << shift
			w.hiM |= 0xff << shift
		}
	}
	return w
}

// load8 returns the eight bytes of s from i on, little-endian (one load).
func load8(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// atSlow reports whether s[i:] begins with w, when s[i:] may have fewer
// than 16 bytes.
func (w *word) atSlow(s string, i int) bool {
	return len(s)-i >= len(w.s) && s[i:i+len(w.s)] == w.s
}
