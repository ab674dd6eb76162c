package dpflow

import "strings"

// Fields a datapath prints that this package does not know (OVS-DOCA's
// dp-offload-info:'...', a vendor build's own statistics) are kept as
// opaque parts, in their place, so that a line still parses and prints back
// the same.

// OpaqueField is a "name:value" element of a flow line that this package
// does not interpret, such as OVS-DOCA's dp-offload-info:'match
// unsupported: ...'. Value is the text after the colon as printed (quotes
// included).
type OpaqueField struct {
	// Name is the field's name, without the colon.
	Name string
	// Value is the text after the colon, up to the ", " that ends the field
	// (or the end of the line), outside quotes and brackets.
	Value string
	// after is the known element it follows (tPackets ... tExtra), -1 when
	// it comes right after the match.
	after int8
}

// Fields returns the "name:value" fields of the line that this package
// does not know, such as OVS-DOCA's dp-offload-info (see OffloadInfo), in
// the order printed; String prints them back in their places. It is nil
// when there are none.
func (f *Flow) Fields() []OpaqueField {
	if f.opaque == nil {
		return nil
	}
	return *f.opaque
}

// Field returns the value of the opaque field with the given name (the
// first one), as printed.
func (f *Flow) Field(name string) (string, bool) {
	for _, o := range f.Fields() {
		if o.Name == name {
			return o.Value, true
		}
	}
	return "", false
}

// FieldDPOffloadInfo is the field OVS-DOCA adds to a flow it could not (or
// could only partly) offload, saying why: dp-offload-info:'...'.
const FieldDPOffloadInfo = "dp-offload-info"

// OffloadInfo returns OVS-DOCA's dp-offload-info for the flow with its
// quotes removed, "" when the line has none.
func (f *Flow) OffloadInfo() string {
	v, _ := f.Field(FieldDPOffloadInfo)
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
	}
	return v
}

// opaqueAt returns the length of "name:" when s starts with an unknown
// field's name and colon: a lower-case letter, then lower-case letters,
// digits, '-' and '_' (at most 64), then ':'. It returns 0 otherwise.
func opaqueAt(s string) int {
	if len(s) < 2 || s[0] < 'a' || s[0] > 'z' {
		return 0
	}
	for i := 1; i < len(s) && i <= 64; i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		case c == ':':
			return i + 1
		default:
			return 0
		}
	}
	return 0
}

// fieldStart reports whether s starts a statistic, attribute or opaque
// field (what follows ", " after the match or the actions).
func fieldStart(s string) bool { return tailAt(s) >= 0 || opaqueAt(s) > 0 }

// opaqueValueEnd returns the end of an opaque field's value in s: the first
// ", " outside quotes and brackets, or len(s). ok is false when a quote or
// bracket is left open.
func opaqueValueEnd(s string) (end int, ok bool) {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			if depth == 0 {
				return i, false
			}
			depth--
		case c == ',' && depth == 0 && i+1 < len(s) && s[i+1] == ' ':
			return i, true
		}
	}
	return len(s), quote == 0 && depth == 0
}

// opaque parses an unknown field at the position into f, after the known
// element last.
func (p *parser) opaque(f *Flow, last int) error {
	n := opaqueAt(p.s[p.pos:])
	if n == 0 {
		return p.errAt(p.pos, "expected packets:, bytes:, used:, flags:, offloaded:, dp:, actions: or dp-extra-info:")
	}
	if last >= tPackets && last < tUsed {
		return p.errAt(p.pos, "packets:, bytes: and used: go together")
	}
	start := p.pos
	end, ok := opaqueValueEnd(p.s[start+n:])
	if !ok {
		return p.errAt(start, "%s: unbalanced quote or bracket in the value", p.s[start:start+n-1])
	}
	if f.opaque == nil {
		f.opaque = new([]OpaqueField)
	}
	*f.opaque = append(*f.opaque, OpaqueField{Name: p.s[start : start+n-1], Value: p.s[start+n : start+n+end], after: int8(last)})
	p.pos = start + n + end
	return nil
}

// extraInfoEnd returns the end of dp-extra-info's value in s: the line's
// end, or a ", " followed by an opaque field (dp-extra-info is the last
// field upstream OVS prints; a vendor build may add its own after it).
func extraInfoEnd(s string) int {
	for i := 0; i+2 < len(s); i++ {
		if s[i] == ',' && s[i+1] == ' ' && opaqueAt(s[i+2:]) > 0 {
			return i
		}
	}
	return len(s)
}

func equalOpaque(a, b []OpaqueField) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// cloneOpaque copies the opaque fields and their text into memory of their
// own (Flow.Clone).
func cloneOpaque(o []OpaqueField) *[]OpaqueField {
	if len(o) == 0 {
		return nil
	}
	out := make([]OpaqueField, len(o))
	for i := range o {
		out[i] = OpaqueField{Name: strings.Clone(o[i].Name), Value: strings.Clone(o[i].Value), after: o[i].after}
	}
	return &out
}

// opaqueJSON is an opaque field in a flow's JSON.
type opaqueJSON struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

func opaqueToJSON(o []OpaqueField) []opaqueJSON {
	var out []opaqueJSON
	for i := range o {
		out = append(out, opaqueJSON{o[i].Name, o[i].Value})
	}
	return out
}
