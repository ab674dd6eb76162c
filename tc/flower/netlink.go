// SPDX-License-Identifier: Apache-2.0

package flower

import (
	"encoding/binary"
	"fmt"
)

const nlaFNested = 0x8000 // NLA_F_NESTED

// enc appends netlink attributes to a buffer.
type enc struct{ b []byte }

func align4(n int) int { return (n + 3) &^ 3 }

func (e *enc) attr(typ uint16, data []byte) {
	l := 4 + len(data)
	e.b = binary.NativeEndian.AppendUint16(e.b, uint16(l))
	e.b = binary.NativeEndian.AppendUint16(e.b, typ)
	e.b = append(e.b, data...)
	for i := l; i < align4(l); i++ {
		e.b = append(e.b, 0)
	}
}

func (e *enc) u8(typ uint16, v uint8) { e.attr(typ, []byte{v}) }
func (e *enc) u16(typ uint16, v uint16) {
	e.attr(typ, binary.NativeEndian.AppendUint16(nil, v))
}
func (e *enc) u32(typ uint16, v uint32) {
	e.attr(typ, binary.NativeEndian.AppendUint32(nil, v))
}
func (e *enc) be16(typ uint16, v uint16) { e.attr(typ, binary.BigEndian.AppendUint16(nil, v)) }
func (e *enc) be32(typ uint16, v uint32) { e.attr(typ, binary.BigEndian.AppendUint32(nil, v)) }
func (e *enc) str(typ uint16, s string)  { e.attr(typ, append([]byte(s), 0)) }

// masked writes a key attribute and its mask attribute.
func (e *enc) masked(key, mask uint16, v, m []byte) {
	e.attr(key, v)
	e.attr(mask, m)
}

// nest writes a nested attribute (with NLA_F_NESTED) whose payload fn
// appends, padded to 4 bytes like any attribute: a payload kept as opaque
// bytes (geneve options) need not be a multiple of 4 long.
func (e *enc) nest(typ uint16, fn func()) {
	start := len(e.b)
	e.b = append(e.b, 0, 0, 0, 0)
	fn()
	binary.NativeEndian.PutUint16(e.b[start:], uint16(len(e.b)-start))
	binary.NativeEndian.PutUint16(e.b[start+2:], typ|nlaFNested)
	for len(e.b)%4 != start%4 {
		e.b = append(e.b, 0)
	}
}

func be16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// DecodeError reports a malformed message or attribute: a length that does
// not fit, or a known attribute of the wrong size. Unknown attributes and
// actions are not errors; they are kept opaque.
type DecodeError struct {
	Where string // attribute path, such as "flower/act/2/options"
	What  string
}

// Error formats the path and the problem.
func (e *DecodeError) Error() string { return "tc: decode " + e.Where + ": " + e.What }

// Walk calls fn for each netlink attribute in b, with its type (the nested
// and byte-order flag bits masked off), its raw type and its payload. A
// length that does not fit is a *DecodeError naming where.
func Walk(where string, b []byte, fn func(typ, raw uint16, data []byte) error) error {
	for len(b) > 0 {
		if len(b) < 4 {
			return &DecodeError{where, fmt.Sprintf("%d trailing bytes", len(b))}
		}
		l := int(binary.NativeEndian.Uint16(b))
		raw := binary.NativeEndian.Uint16(b[2:])
		if l < 4 || l > len(b) {
			return &DecodeError{where, fmt.Sprintf("attribute type %d length %d out of %d bytes", raw&0x3fff, l, len(b))}
		}
		if err := fn(raw&0x3fff, raw, b[4:l]); err != nil {
			return err
		}
		if al := align4(l); al < len(b) {
			b = b[al:]
		} else {
			b = nil
		}
	}
	return nil
}

// size checks a fixed-size attribute; the path (where + suffix) is only
// built on error, to keep the decoder free of allocations on good input.
func size(where, suffix string, data []byte, n int) error {
	if len(data) != n {
		return &DecodeError{where + suffix, fmt.Sprintf("%d bytes, want %d", len(data), n)}
	}
	return nil
}

func atLeast(where, suffix string, data []byte, n int) error {
	if len(data) < n {
		return &DecodeError{where + suffix, fmt.Sprintf("%d bytes, want at least %d", len(data), n)}
	}
	return nil
}

// CString returns b up to its first NUL byte (all of b when there is none).
func CString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// Opaque returns an attribute kept as received, with a copy of its payload.
func Opaque(raw uint16, data []byte) Attr {
	return Attr{Type: raw, Data: append([]byte(nil), data...)}
}

// Attr is a netlink attribute kept opaque: its type (with the nested and
// byte-order flag bits as received) and its payload.
type Attr struct {
	Type uint16
	Data []byte
}
