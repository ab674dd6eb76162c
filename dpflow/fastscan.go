// SPDX-License-Identifier: Apache-2.0

package dpflow

// Typed scanning for the fast path: one pass over a value finds its end and
// the character classes it is made of, and for the common types that is
// enough to know the value is valid. When it is not enough, validValue
// decides, so the answer is always validValue's.

// scanTyped scans a value (or a mask) of type t up to a byte of class stop
// (cStopToken or cStopValue) and reports whether validValue accepts it.
func (p *parser) scanTyped(stop uint8, t ValueType, mask bool) (string, bool) {
	start := p.pos
	s := p.s[start:] // indexed from 0, so that bounds checks can be proven away
	// The forms OVS prints of the address types, found in place.
	switch t {
	case TypeMAC:
		if len(s) >= 17 && (len(s) == 17 || charClass[s[17]]&stop != 0) && macFixed(s) {
			p.pos = start + 17
			return s[:17], true
		}
	case TypeIPv4:
		// A dotted quad is a valid value and a valid mask.
		if n := ipv4Prefix(s); n > 0 && n <= len(s) && (n == len(s) || charClass[s[n]]&stop != 0) {
			p.pos = start + n
			return s[:n], true
		}
	}
	i := 0
	// A 0x prefix is left out of the classes (validUint and TypeHex accept
	// hex digits after it).
	pre0x := len(s) > 2 && s[0] == '0' && s[1]|0x20 == 'x' && charClass[s[2]]&stop == 0
	if pre0x {
		i = 2
	}
	digitsFrom := i
	all := uint8(0xff)
	for ; i < len(s); i++ {
		k := charClass[s[i]]
		if k&stop != 0 {
			break
		}
		all &= k
	}
	p.pos = start + i
	v := s[:i]
	n := i - digitsFrom // bytes after a 0x prefix, or all of them
	if n > 0 {
		switch t {
		case TypeUint:
			if pre0x && all&cHex != 0 && n <= 16 ||
				!pre0x && all&cDigit != 0 && (n <= 16 || !mask && n <= 20) {
				return v, true
			}
		case TypeHex:
			if all&cHex != 0 {
				return v, true
			}
		case TypeFlags, TypePort, TypeFrag:
			if mask {
				// validUint's mask form: hex digits, with or without 0x.
				if all&cHex != 0 && n <= 16 {
					return v, true
				}
			} else if t == TypeFlags && !pre0x && all&cFlag != 0 || t == TypePort {
				return v, true
			}
		case TypeString:
			return v, true
		}
	}
	return v, validValue(v, t, mask)
}
