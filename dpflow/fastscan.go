package dpflow

// Typed scanning for the fast path: one pass over a value finds its end and
// the character classes it is made of, and for the common types that is
// enough to know the value is valid. When it is not enough, validValue
// decides, so the answer is always validValue's.

// scanTyped scans a value (or a mask) of type t up to a byte of class stop
// (cStopToken or cStopValue) and reports whether validValue accepts it.
func (p *parser) scanTyped(stop uint8, t ValueType, mask bool) (string, bool) {
	s, start := p.s, p.pos
	// The forms OVS prints of the address types, found in place.
	switch t {
	case TypeMAC:
		if e := start + 17; e <= len(s) && (e == len(s) || charClass[s[e]]&stop != 0) && macFixed(s[start:]) {
			p.pos = e
			return s[start:e], true
		}
	case TypeIPv4:
		// A dotted quad is a valid value and a valid mask.
		if n := ipv4Prefix(s[start:]); n > 0 && (start+n == len(s) || charClass[s[start+n]]&stop != 0) {
			p.pos = start + n
			return s[start : start+n], true
		}
	}
	i := start
	// A 0x prefix is left out of the classes (validUint and TypeHex accept
	// hex digits after it).
	pre0x := i+2 < len(s) && s[i] == '0' && s[i+1]|0x20 == 'x' && charClass[s[i+2]]&stop == 0
	if pre0x {
		i += 2
	}
	digitsFrom := i
	all := uint8(0xff)
	for i < len(s) {
		k := charClass[s[i]]
		if k&stop != 0 {
			break
		}
		all &= k
		i++
	}
	p.pos = i
	v := s[start:i]
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
