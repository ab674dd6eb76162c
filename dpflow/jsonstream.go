// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends the flow's JSON (MarshalJSON's text: one compact
// object, as encoding/json writes it, HTML characters escaped) to b. It
// writes the typed tree directly, without reflection or intermediate
// values: a dump converted flow by flow into one reused buffer allocates
// nothing but the decoded flags of ct_state and tcp_flags keys.
func (f *Flow) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	if f.HasUFID {
		b = append(b, `"ufid":"`...)
		b = f.UFID.appendTo(b)
		b = append(b, `",`...)
	}
	if p := f.InPort(); p != "" {
		b = append(b, `"in_port":`...)
		b = appendTyped(b, p, TypePort, false)
		b = append(b, ',')
	}
	if r, ok := f.RecircID(); ok {
		b = append(b, `"recirc_id":`...)
		b = strconv.AppendUint(b, uint64(r), 10)
		b = append(b, ',')
	}
	b = append(b, `"match":`...)
	b = appendNodesJSON(b, f.Match)
	if f.Stats.Present {
		b = append(b, `,"packets":`...)
		b = strconv.AppendUint(b, f.Stats.Packets, 10)
		b = append(b, `,"bytes":`...)
		b = strconv.AppendUint(b, f.Stats.Bytes, 10)
		if f.Stats.Used != "" {
			b = append(b, `,"used":`...)
			b = appendJSONString(b, string(f.Stats.Used))
		}
		if d, ok := f.Stats.Used.Ago(); ok {
			b = append(b, `,"used_seconds":`...)
			b = appendJSONFloat(b, d.Seconds())
		}
	}
	for _, kv := range [...]struct{ k, v string }{{"tcp_flags", f.Stats.TCPFlags}, {"offloaded", string(f.Stats.Offloaded)}, {"dp", f.Stats.DP}} {
		if kv.v != "" {
			b = append(b, `,"`...)
			b = append(b, kv.k...)
			b = append(b, `":`...)
			b = appendJSONString(b, kv.v)
		}
	}
	b = append(b, `,"actions":`...)
	b = appendNodesJSON(b, f.Actions)
	if f.HasExtraInfo {
		b = append(b, `,"dp_extra_info":`...)
		b = appendJSONString(b, f.ExtraInfo)
	}
	if len(f.Fields) > 0 {
		b = append(b, `,"fields":[`...)
		for i := range f.Fields {
			x := &f.Fields[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendJSONString(b, x.Name)
			b = append(b, `,"type":`...)
			b = appendJSONString(b, x.Type.String())
			b = append(b, `,"value":`...)
			b = appendTyped(b, x.Value, x.Type, false)
			if x.BeforeMatch {
				b = append(b, `,"before_match":true`...)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"text":"`...)
	// The canonical text, escaped in place: formatted at the end of b,
	// then moved over when it needs escapes.
	start := len(b)
	b = f.AppendText(b)
	if i := firstEscape(b[start:]); i >= 0 {
		text := string(b[start+i:])
		b = appendJSONStringBody(b[:start+i], text)
	}
	return append(b, `"}`...)
}

// AppendJSON appends the node's JSON (MarshalJSON's text) to b.
func (n *Node) AppendJSON(b []byte) []byte { return appendNodeJSON(b, n, TypeNone, false) }

func appendNodesJSON(b []byte, ns []Node) []byte {
	b = append(b, '[')
	for i := range ns {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendNodeJSON(b, &ns[i], TypeNone, false)
	}
	return append(b, ']')
}

// appendNodeJSON appends n as an object. parentType is the type of a
// scalar key or action whose value child n is (typed set): the child then
// takes the parent's type.
func appendNodeJSON(b []byte, n *Node, parentType ValueType, typed bool) []byte {
	b = append(b, '{')
	comma := false
	key := func(k string) {
		if comma {
			b = append(b, ',')
		}
		comma = true
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, `":`...)
	}
	if k := n.Kind.String(); k != "" {
		key("kind")
		b = appendJSONString(b, k)
	}
	if n.Name != "" {
		key("name")
		b = appendJSONString(b, n.Name)
	}
	valued := n.form&formScalar != 0 || n.form&(formParens|formBraces) == 0
	t := TypeNone
	if n.Type != TypeNone && valued {
		t = n.Type
	}
	if typed && t == TypeNone {
		t = parentType
	}
	if t != TypeNone {
		key("type")
		b = appendJSONString(b, t.String())
	}
	switch {
	case typed: // the value of a scalar key or action: typed as it is
		key("value")
		b = appendTyped(b, n.Value, parentType, false)
		if n.form&formMask != 0 {
			key("mask")
			b = appendTyped(b, n.Mask, parentType, true)
		}
	case valued:
		if n.Value != "" || n.form&formEq != 0 {
			key("value")
			b = appendTyped(b, n.Value, n.Type, false)
		}
		if n.form&formMask != 0 {
			key("mask")
			b = appendTyped(b, n.Mask, n.Type, true)
		}
	}
	if len(n.Children) > 0 {
		key("children")
		b = append(b, '[')
		for i := range n.Children {
			if i > 0 {
				b = append(b, ',')
			}
			c := &n.Children[i]
			cValued := c.form&formScalar != 0 || c.form&(formParens|formBraces) == 0
			childTyped := n.Type != TypeNone && !(c.Type != TypeNone && cValued)
			b = appendNodeJSON(b, c, n.Type, childTyped)
		}
		b = append(b, ']')
	}
	switch {
	case n.form&formBraces != 0:
		key("group")
		b = append(b, `"{}"`...)
	case n.form&formParens != 0 && n.Name == "":
		key("group")
		b = append(b, `"()"`...)
	}
	if n.Kind == KeyCTState || n.Kind == KeyTCPFlags {
		if fl, err := n.Flags(); err == nil && len(fl) > 0 {
			key("flags")
			b = append(b, '[')
			for i, x := range fl {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"name":`...)
				b = appendJSONString(b, x.Name)
				b = append(b, `,"set":`...)
				b = strconv.AppendBool(b, x.Set)
				b = append(b, '}')
			}
			b = append(b, ']')
		}
	}
	if n.Opaque() {
		key("opaque")
		b = append(b, "true"...)
	}
	return append(b, '}')
}

// appendTyped appends a value as typedValue decodes it: a number for
// integers, else a string.
func appendTyped(b []byte, s string, t ValueType, mask bool) []byte {
	if t == TypeUint || t == TypePort || mask && (t == TypeFlags || t == TypeFrag) {
		if v, err := parseUint(s); err == nil {
			return strconv.AppendUint(b, v, 10)
		}
	}
	return appendJSONString(b, s)
}

// appendJSONFloat formats a float64 as encoding/json does.
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return append(b, "null"...)
	}
	abs := math.Abs(f)
	fmt := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		fmt = 'e'
	}
	b = strconv.AppendFloat(b, f, fmt, -1, 64)
	if fmt == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// jsonSafe marks the ASCII bytes encoding/json writes as they are (with
// HTML escaping: not <, >, &).
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// firstEscape returns the index of the first byte of s that
// appendJSONString would not copy as it is, or -1.
func firstEscape(s []byte) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || !jsonSafe[c] {
			return i
		}
	}
	return -1
}

func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendJSONStringBody(b, s)
	return append(b, '"')
}

// appendJSONStringBody appends s escaped as encoding/json escapes it
// (HTML characters, U+2028 and U+2029 included; invalid UTF-8 as U+FFFD).
func appendJSONStringBody(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}
