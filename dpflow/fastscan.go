package dpflow

// Typed scanning for the fast path: one pass over a value finds its end and
// the character classes it is made of, and for the common types that is
// enough to know the value is valid. When it is not enough, validValue
// decides, so the answer is always validValue's.

// Character classes of byteClass.
const (
	clsDigit     = 1 << iota // 0-9
	clsHex                   // 0-9 a-f A-F
	clsFlag                  // what validValue accepts in a flags value
	clsStopToken             // a byte of tokenStop
	clsStopValue             // a byte of valueStop
)

var byteClass = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] |= clsDigit | clsHex | clsFlag
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] |= clsHex
	}
	for c := 'A'; c <= 'F'; c++ {
		t[c] |= clsHex | clsFlag
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= clsFlag
	}
	for _, c := range "+-|_[]" {
		t[c] |= clsFlag
	}
	// The bytes of tokenStop and valueStop (filled in by an init function,
	// which runs after this initializer).
	for _, c := range "=(),{}/" {
		t[c] |= clsStopToken
	}
	for _, c := range ",)}/({" {
		t[c] |= clsStopValue
	}
	return t
}()

// scanTyped scans a value (or a mask) of type t up to a byte of class stop
// (clsStopToken or clsStopValue) and reports whether validValue accepts it.
func (p *parser) scanTyped(stop uint8, t ValueType, mask bool) (string, bool) {
	s, start := p.s, p.pos
	i := start
	// A 0x prefix is left out of the classes (validUint and TypeHex accept
	// hex digits after it).
	pre0x := i+2 < len(s) && s[i] == '0' && s[i+1]|0x20 == 'x' && byteClass[s[i+2]]&stop == 0
	if pre0x {
		i += 2
	}
	digitsFrom := i
	all := uint8(0xff)
	for i < len(s) {
		k := byteClass[s[i]]
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
			if pre0x && all&clsHex != 0 && n <= 16 ||
				!pre0x && all&clsDigit != 0 && (n <= 16 || !mask && n <= 20) {
				return v, true
			}
		case TypeHex:
			if all&clsHex != 0 {
				return v, true
			}
		case TypeFlags, TypePort, TypeFrag:
			if mask {
				if pre0x && all&clsHex != 0 && n <= 16 || !pre0x && all&clsHex != 0 && n <= 16 {
					return v, true
				}
			} else if t == TypeFlags && !pre0x && all&clsFlag != 0 || t == TypePort {
				return v, true
			}
		case TypeString:
			return v, true
		}
	}
	return v, validValue(v, t, mask)
}
