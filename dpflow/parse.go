// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"fmt"
	"net/netip"

	"github.com/ovsoffload/ovsoffload/internal/textsafe"
)

// ParseError reports text that is not a datapath flow as OVS prints it.
type ParseError struct {
	Line   int    // 1-based line number (0 when parsing a single string)
	Column int    // 1-based byte column in the line
	Text   string // the offending text, from the error position (at most 40 bytes)
	Msg    string // what was expected
}

// Error formats the error as LINE:COL: message: "text".
func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("dpflow: %d:%d: %s near %q", e.Line, e.Column, e.Msg, e.Text)
	}
	return fmt.Sprintf("dpflow: column %d: %s near %q", e.Column, e.Msg, e.Text)
}

// maxNesting is OVS's MAX_ODP_NESTED: keys inside encap() and actions inside
// clone()/sample()/... may nest at most this deep.
const maxNesting = 32

// maxSyntaxDepth bounds the recursion of the generic parser.
const maxSyntaxDepth = 128

type parser struct {
	s     string
	pos   int
	depth int
	line  int
	arena []Node // committed children
	stack []Node // the elements of the lists being parsed
	top   []Node // the top-level elements: the match, then the actions
	// slow counts the top-level actions left to the generic path.
	slow int
	// fields holds a line's name:value fields (copied into Flow.Fields).
	vfields []Field
	// noFast turns the fast path (fast.go) off, for the tests that compare
	// it with the generic path.
	noFast bool
}

func (p *parser) errAt(off int, format string, args ...any) *ParseError {
	if off > len(p.s) {
		off = len(p.s)
	}
	end := off + 40
	if end > len(p.s) {
		end = len(p.s)
	}
	return &ParseError{Line: p.line, Column: off + 1, Text: p.s[off:end], Msg: fmt.Sprintf(format, args...)}
}

// checkText refuses a line holding a control character or invalid UTF-8:
// OVS never prints one, and the parser would otherwise carry a NUL (a
// UTF-16 dump) or an escape sequence into names and values.
func (p *parser) checkText() error {
	off, what := textsafe.Check(p.s)
	if off < 0 {
		return nil
	}
	msg := what + " (a flow is one line of printable UTF-8 text)"
	if c := p.s[off]; c == 0 || c == 0xff || c == 0xfe {
		msg += "; UTF-16 input? convert it to UTF-8"
	}
	return p.errAt(off, "%s", msg)
}

// peek returns the byte at the position, or 0 at the end. (The unsigned
// comparisons here and below let the compiler drop its bounds checks: the
// position is never negative, which it cannot prove otherwise.)
func (p *parser) peek() byte {
	if uint(p.pos) < uint(len(p.s)) {
		return p.s[p.pos]
	}
	return 0
}

func (p *parser) spaces() uint8 {
	n := 0
	for uint(p.pos) < uint(len(p.s)) && p.s[p.pos] == ' ' {
		p.pos++
		n++
	}
	if n > 255 {
		n = 255
	}
	return uint8(n)
}

// Stop tables of the scanners: token stops at = ( ) , { } /, value at
// , ) } / ( {; the top-level variants also stop at a space.
var tokenStop, tokenStopTop, valueStop, valueStopTop [256]bool

func init() {
	for _, c := range "=(),{}/" {
		tokenStop[c], tokenStopTop[c] = true, true
	}
	for _, c := range ",)}/({" {
		valueStop[c], valueStopTop[c] = true, true
	}
	tokenStopTop[' '], valueStopTop[' '] = true, true
}

// token scans a name or bare value: up to one of = ( ) , { } / and, at the
// top level, a space.
func (p *parser) token(top bool) string {
	stop := &tokenStop
	if top {
		stop = &tokenStopTop
	}
	return p.scan(stop)
}

// value scans a field value or a mask: up to one of , ) } / ( { and, at the
// top level, a space.
func (p *parser) value(top bool) string {
	stop := &valueStop
	if top {
		stop = &valueStopTop
	}
	return p.scan(stop)
}

func (p *parser) scan(stop *[256]bool) string {
	start := p.pos
	s := p.s[start:]
	r := s // what is left; a shrinking slice needs no bounds checks
	// Four bytes a round while they last: tokens are short, but this loop
	// reads most bytes of a line.
	for len(r) >= 4 {
		if stop[r[0]] {
			goto done
		}
		if stop[r[1]] {
			r = r[1:]
			goto done
		}
		if stop[r[2]] {
			r = r[2:]
			goto done
		}
		if stop[r[3]] {
			r = r[3:]
			goto done
		}
		r = r[4:]
	}
	for len(r) > 0 && !stop[r[0]] {
		r = r[1:]
	}
done:
	n := len(s) - len(r)
	p.pos = start + n
	return s[:n]
}

// push parses one element of a list and appends it to *dst, with sp spaces
// before it: to p.top for a top-level element, else to the stack. Nested
// lists are parsed above it on the stack and committed to the arena before
// push returns, so an element on the stack stays its top.
func (p *parser) push(dst *[]Node, top bool, sp uint8, f form) error {
	idx, _ := addNode(dst, p.pos, sp, f)
	switch p.peek() {
	case '{', '(':
		closer, kind := byte('}'), formBraces
		if p.peek() == '(' {
			closer, kind = ')', formParens
		}
		p.pos++
		kids, err := p.list(closer)
		if err != nil {
			return err
		}
		n := &(*dst)[idx]
		n.Children, n.form = kids, n.form|kind
		return nil
	}
	tok := p.token(top)
	if tok == "" {
		return p.errAt(p.pos, "expected a key, action or value")
	}
	n := &(*dst)[idx]
	switch p.peek() {
	case '(':
		p.pos++
		n.Name = tok
		if p.scalarBody(n) {
			return nil
		}
		kids, err := p.list(')')
		if err != nil {
			return err
		}
		n = &(*dst)[idx]
		n.Children, n.form = kids, n.form|formParens
		return nil
	case '=':
		p.pos++
		n.Name, n.form = tok, n.form|formEq
		n.Value = p.value(top)
		if c := p.peek(); c == '(' || c == '{' {
			return p.errAt(p.pos, "unexpected %q in value", c)
		}
	default:
		n.Value = tok
	}
	if p.peek() == '/' {
		p.pos++
		n.form |= formMask
		n.Mask = p.value(top)
		if c := p.peek(); c == '(' || c == '{' || c == '/' {
			return p.errAt(p.pos, "unexpected %q in mask", c)
		}
	}
	return nil
}

// scalarBody parses "value)" or "value/mask)" after an opening parenthesis
// into n. It leaves the position unchanged and returns false for anything
// else (a list).
func (p *parser) scalarBody(n *Node) bool {
	save := p.pos
	v := p.token(false)
	if v == "" {
		p.pos = save
		return false
	}
	switch p.peek() {
	case ')':
		p.pos++
		n.Value, n.form = v, n.form|formParens|formScalar
		return true
	case '/':
		p.pos++
		m := p.value(false)
		if p.peek() == ')' {
			p.pos++
			n.Value, n.Mask, n.form = v, m, n.form|formParens|formScalar|formMask
			return true
		}
	}
	p.pos = save
	return false
}

// explode turns a scalar node into a list of one bare value, for the specs
// that expect a list (clone(1), flags(csum), slow_path(action), ...).
func (p *parser) explode(n *Node) {
	if n.form&formScalar == 0 {
		return
	}
	c := Node{Value: n.Value, Mask: n.Mask, form: n.form & formMask, off: n.off + int32(len(n.Name)) + 1}
	p.stack = append(p.stack, c)
	n.Children = p.commit(len(p.stack) - 1)
	n.Value, n.Mask = "", ""
	n.form &^= formScalar | formMask
}

// list parses the elements up to the closing byte, which it consumes.
func (p *parser) list(closer byte) ([]Node, error) {
	if p.depth >= maxSyntaxDepth {
		return nil, p.errAt(p.pos, "nested too deep")
	}
	base := len(p.stack)
	if p.peek() == closer {
		p.pos++
		return nil, nil
	}
	p.depth++
	kids, err := p.listItems(closer, base)
	p.depth--
	return kids, err
}

func (p *parser) listItems(closer byte, base int) ([]Node, error) {
	var adjacent form
	for {
		sp := p.spaces()
		if err := p.push(&p.stack, false, sp, adjacent); err != nil {
			p.stack = p.stack[:base]
			return nil, err
		}
		braces := p.stack[len(p.stack)-1].form&formBraces != 0
		adjacent = 0
		switch c := p.peek(); {
		case c == ',':
			p.pos++
			continue
		case c == closer:
			p.pos++
		case c == '{' && braces:
			adjacent = formAdjacent
			continue
		case c == 0:
			p.stack = p.stack[:base]
			return nil, p.errAt(p.pos, "missing %q", closer)
		default:
			p.stack = p.stack[:base]
			return nil, p.errAt(p.pos, "expected ',' or %q", closer)
		}
		break
	}
	return p.commit(base), nil
}

// addNode appends a node at byte offset off, with sp spaces before it and
// form f, to *s and returns its index and the node, valid until *s grows.
// The node is zeroed and set in its slot: a Node built elsewhere and copied
// in would be read back in 16-byte words just after being written field by
// field, which stalls the CPU's store forwarding on every element.
func addNode(s *[]Node, off int, sp uint8, f form) (int, *Node) {
	ss := *s
	i := len(ss)
	if i < cap(ss) {
		ss = ss[:i+1]
		ss[i] = Node{}
	} else {
		ss = append(ss, Node{})
	}
	*s = ss
	n := &ss[i]
	n.off, n.spaces, n.form = int32(off), sp, f
	return i, n
}

// commit moves the nodes pushed since base from the stack to the arena.
func (p *parser) commit(base int) []Node {
	start := len(p.arena)
	p.arena = append(p.arena, p.stack[base:]...)
	p.stack = p.stack[:base]
	return p.arena[start:len(p.arena):len(p.arena)]
}

// ---- typing and validation ----

func (p *parser) keys(nodes []Node, depth int) error {
	if depth >= maxNesting {
		if len(nodes) > 0 {
			return p.errAt(int(nodes[0].off), "keys nested deeper than %d", maxNesting)
		}
	}
	for i := range nodes {
		n := &nodes[i]
		if n.Kind != KindNone {
			continue // typed by fastKey
		}
		if n.form&formParens == 0 || n.Name == "" {
			return p.errAt(int(n.off), "expected a key such as name(...)")
		}
		sp := lookup(&keyTable, n.Name)
		if sp == nil {
			n.Kind, n.form = KeyUnknown, n.form|formOpaque
			continue
		}
		if sp.kind == KeyEncap && depth+1 >= maxNesting {
			return p.errAt(int(n.off), "keys nested deeper than %d", maxNesting)
		}
		n.Kind = sp.kind
		if err := p.apply(n, sp, depth); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) actions(nodes []Node, depth int) error {
	if depth >= maxNesting && len(nodes) > 0 {
		return p.errAt(int(nodes[0].off), "actions nested deeper than %d", maxNesting)
	}
	for i := range nodes {
		n := &nodes[i]
		switch {
		case n.Kind != KindNone:
			// typed by fastAction
		case n.form&(formParens|formBraces) == 0 && n.form&formEq == 0:
			if k := bareAction(n.Value); k != KindNone && n.form&formMask == 0 {
				n.Kind = k
				continue
			}
			if isPlaceholder(n.Value) { // OVS test suite's "actions: <del>"
				n.Kind, n.form = ActionUnknown, n.form|formOpaque
				continue
			}
			if n.form&formMask != 0 {
				return p.errAt(int(n.off), "output port with a mask")
			}
			n.Kind, n.Type = ActionOutput, TypePort
		case n.form&formParens != 0 && n.Name != "":
			sp := lookup(&actionTable, n.Name)
			if sp == nil {
				n.Kind, n.form = ActionUnknown, n.form|formOpaque
				continue
			}
			n.Kind = sp.kind
			if err := p.apply(n, sp, depth); err != nil {
				return err
			}
		default:
			n.Kind, n.form = ActionUnknown, n.form|formOpaque
		}
	}
	return nil
}

// apply checks n's children against sp and types them.
func (p *parser) apply(n *Node, sp *spec, depth int) error {
	if sp.body != bodyScalar && sp.body != bodyOpaque {
		p.explode(n)
	}
	switch sp.body {
	case bodyOpaque:
	case bodyScalar:
		if n.form&formScalar != 0 {
			if sp.typ == TypeNone {
				return p.errAt(int(n.off), "%s takes no value", n.Name)
			}
			if err := p.checkValue(n, sp.typ); err != nil {
				return err
			}
			n.Type = sp.typ
			break
		}
		if len(n.Children) == 0 {
			if !sp.emptyOK {
				return p.errAt(int(n.off), "%s needs a value", n.Name)
			}
			break
		}
		c := &n.Children[0]
		if len(n.Children) > 1 || c.form&(formEq|formParens|formBraces) != 0 || sp.typ == TypeNone {
			return p.errAt(int(c.off), "%s takes a single value", n.Name)
		}
		if err := p.checkValue(c, sp.typ); err != nil {
			return err
		}
		n.Type = sp.typ
	case bodyKeys:
		if err := p.keys(n.Children, depth+1); err != nil {
			return err
		}
	case bodyActions:
		if err := p.actions(n.Children, depth+1); err != nil {
			return err
		}
	case bodyFields:
		if err := p.fields(n, sp, depth); err != nil {
			return err
		}
	}
	if sp.check != nil {
		return sp.check(p, n)
	}
	return nil
}

func (p *parser) fields(n *Node, sp *spec, depth int) error {
	var seen uint64
	hint := 0
	for i := range n.Children {
		c := &n.Children[i]
		// OVS prints fields in the schema's order: try the next one first.
		idx := -1
		if hint < len(sp.fields) && sp.fields[hint].matches(c) {
			idx = hint
		} else {
			idx = sp.match(c)
		}
		hint = idx + 1
		if idx < 0 {
			if sp.strict {
				return p.errAt(int(c.off), "unexpected %q in %s", c.Word(), n.Name)
			}
			c.form |= formOpaque
			continue
		}
		fl := &sp.fields[idx]
		if fl.once && idx < 64 {
			if seen&(1<<idx) != 0 {
				return p.errAt(int(c.off), "%q given twice in %s", c.Word(), n.Name)
			}
			seen |= 1 << idx
		}
		switch {
		case fl.sub != nil:
			if err := p.apply(c, fl.sub, depth); err != nil {
				return err
			}
		case fl.bare:
		default:
			if err := p.checkValue(c, fl.typ); err != nil {
				return err
			}
			c.Type = fl.typ
		}
	}
	for j := 0; sp.strict && j < len(sp.fields); j++ { // only strict specs require fields
		if sp.fields[j].required && seen&(1<<j) == 0 {
			return p.errAt(int(n.off), "%s needs %s=", n.Name, sp.fields[j].name)
		}
	}
	return nil
}

func (p *parser) checkValue(c *Node, t ValueType) error {
	if validValue(c.Value, t, false) && (c.form&formMask == 0 || validValue(c.Mask, t, true)) {
		return nil
	}
	if isPlaceholder(c.Value) || c.form&formMask != 0 && isPlaceholder(c.Mask) {
		// OVS's test suite blanks out volatile values (<recirc>, 0xXXXX):
		// keep them, opaque.
		c.form |= formOpaque
		return nil
	}
	if !validValue(c.Value, t, false) {
		return p.errAt(int(c.off), "bad %s value %q", t, c.Value)
	}
	return p.errAt(int(c.off), "bad %s mask %q", t, c.Mask)
}

// charClass holds, for every byte, the classes it belongs to: one table
// load instead of a chain of range comparisons in the validators' loops.
var charClass [256]uint8

const (
	cDigit     uint8 = 1 << iota // 0-9
	cHex                         // 0-9 a-f A-F
	cFlag                        // a byte of a flags value: a-z 0-9 + - | _ [ ] A-F
	cStopToken                   // a byte of tokenStop
	cStopValue                   // a byte of valueStop
)

func init() {
	for c := 0; c < 256; c++ {
		b := byte(c)
		if b >= '0' && b <= '9' {
			charClass[c] |= cDigit
		}
		if b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' {
			charClass[c] |= cHex
		}
		if b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '+' || b == '-' || b == '|' || b == '_' || b == '[' || b == ']' || b >= 'A' && b <= 'F' {
			charClass[c] |= cFlag
		}
		if tokenStop[c] {
			charClass[c] |= cStopToken
		}
		if valueStop[c] {
			charClass[c] |= cStopValue
		}
	}
}

func isHex(c byte) bool { return charClass[c]&cHex != 0 }

// allClass reports whether s is not empty and all its bytes are in class.
func allClass(s string, class uint8) bool {
	for i := 0; i < len(s); i++ {
		if charClass[s[i]]&class == 0 {
			return false
		}
	}
	return s != ""
}

func allHex(s string) bool { return allClass(s, cHex) }

func allDigits(s string) bool { return allClass(s, cDigit) }

func trim0x(s string) (string, bool) {
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		return s[2:], true
	}
	return s, false
}

func validUint(s string, mask bool) bool {
	class, max := cDigit, 20
	if len(s) > 2 && s[0] == '0' && s[1]|0x20 == 'x' { // 0x or 0X
		s, class, max = s[2:], cHex, 16
	} else if mask {
		// OVS prints some masks in hex without 0x (mpls tc=0/0, bos=1/1).
		class, max = cHex, 16
	}
	return len(s) <= max && allClass(s, class)
}

// validMAC accepts six groups of one or two hex digits separated by ':',
// like OVS's ETH_ADDR_SCAN_FMT.
func validMAC(s string) bool {
	// The form OVS prints, xx:xx:xx:xx:xx:xx, checked at fixed positions.
	if len(s) == 17 && macFixed(s) {
		return true
	}
	i := 0
	for g := 0; g < 6; g++ {
		if g > 0 {
			if i >= len(s) || s[i] != ':' {
				return false
			}
			i++
		}
		n := 0
		for i < len(s) && isHex(s[i]) && n < 2 {
			i++
			n++
		}
		if n == 0 {
			return false
		}
	}
	return i == len(s)
}

func validIP(s string, six, mask bool) bool {
	if mask && allDigits(s) && len(s) <= 3 {
		max := 32
		if six {
			max = 128
		}
		v := 0
		for i := 0; i < len(s); i++ {
			v = v*10 + int(s[i]-'0')
		}
		return v <= max
	}
	if !six {
		return validIPv4(s)
	}
	a, err := netip.ParseAddr(s)
	return err == nil && a.Zone() == "" && a.Is6()
}

func validValue(s string, t ValueType, mask bool) bool {
	switch t {
	case TypeUint:
		return validUint(s, mask)
	case TypeHex:
		h, _ := trim0x(s)
		return allHex(h)
	case TypeMAC:
		return validMAC(s)
	case TypeIPv4:
		if !mask {
			return validIPv4(s)
		}
		return validIP(s, false, mask)
	case TypeIPv6:
		return validIP(s, true, mask)
	case TypePort:
		if mask {
			return validUint(s, true)
		}
		return s != ""
	case TypeFlags:
		if mask {
			return validUint(s, true)
		}
		return allClass(s, cFlag)
	case TypeFrag:
		if mask {
			return validUint(s, true)
		}
		switch s {
		case "no", "first", "later", "yes":
			return true
		}
		return validUint(s, false)
	}
	return true
}

// ---- specific checks ----

// checkSet: set() holds exactly one key; a masked set has a mask somewhere.
func checkSet(p *parser, n *Node) error {
	if len(n.Children) != 1 {
		return p.errAt(int(n.off), "set() takes exactly one key")
	}
	if hasMask(&n.Children[0]) {
		n.Kind = ActionSetMasked
	}
	return nil
}

func hasMask(n *Node) bool {
	if n.form&formMask != 0 {
		return true
	}
	for i := range n.Children {
		if hasMask(&n.Children[i]) {
			return true
		}
	}
	return false
}

// checkPsample mirrors parse_odp_psample_action: the cookie is 0x and at most
// 16 bytes.
func checkPsample(p *parser, n *Node) error {
	if c, ok := n.Field("cookie"); ok {
		h, has0x := trim0x(c.Value)
		if !has0x || len(h) > 32 || c.HasMask() {
			return p.errAt(int(c.off), "psample cookie must be 0x followed by at most 32 hex digits")
		}
	}
	for i := range n.Children {
		if n.Children[i].HasMask() {
			return p.errAt(int(n.Children[i].off), "unexpected mask in psample")
		}
	}
	return nil
}

// checkTunnelHeader mirrors ovs_parse_tnl_push: the header size must match
// the headers, and an SRv6 header lists segments_left+1 segments.
func checkTunnelHeader(p *parser, n *Node) error {
	size, ok := n.Field("size")
	if !ok {
		return nil
	}
	want, err := size.Uint()
	if err != nil {
		return p.errAt(int(size.off), "bad header size")
	}
	total := uint64(0)
	for i := range n.Children {
		c := &n.Children[i]
		switch c.Name {
		case "eth":
			total += 14
		case "ipv4":
			total += 20
		case "ipv6":
			total += 40
		case "udp", "vxlan", "gtpu":
			total += 8
		case "geneve":
			total += 8
			if o, ok := c.Field("options"); ok {
				for j := range o.Children {
					if l, ok := o.Children[j].Field("len"); ok {
						v, _ := l.Uint()
						total += 4 + v
					}
				}
			}
		case "gre":
			total += 4
			for _, opt := range []string{"csum", "key", "seq"} {
				if c.Has(opt) {
					total += 4
				}
			}
		case "erspan":
			total += 12 // GRE header for ERSPAN and the ERSPAN base header
			if v, ok := c.Field("ver"); ok && v.Value == "2" {
				total += 8
			} else {
				total += 4
			}
		case "srv6":
			sl, ok := c.Field("segments_left")
			segs, ok2 := c.Field("segs")
			if !ok || !ok2 {
				return p.errAt(int(c.off), "srv6 needs segments_left and segs")
			}
			left, err := sl.Uint()
			if err != nil || left+1 != uint64(len(segs.Children)) {
				return p.errAt(int(c.off), "srv6 lists %d segments, segments_left=%s", len(segs.Children), sl.Value)
			}
			total += 8 + 16*(left+1)
		case "size", "type":
		default:
			return nil // a header this check does not size
		}
	}
	if total != want {
		return p.errAt(int(size.off), "header size %d does not match its headers (%d bytes)", want, total)
	}
	return nil
}

// matches reports whether fl describes c exactly (a typed bare value, the
// fallback for bare values, does not count).
func (fl *field) matches(c *Node) bool {
	switch {
	case c.form&formEq != 0:
		return fl.sub == nil && !fl.bare && fl.name != "" && fl.name == c.Name
	case c.form&(formParens|formBraces) != 0:
		return fl.sub != nil && fl.name == c.Name
	default:
		return fl.bare && c.form&formMask == 0 && fl.name == c.Value
	}
}

// match returns the index of the field that describes c, or -1.
func (sp *spec) match(c *Node) int {
	fallback := -1
	for j := range sp.fields {
		fl := &sp.fields[j]
		switch {
		case c.form&formEq != 0:
			if fl.sub == nil && !fl.bare && fl.name != "" && fl.name == c.Name {
				return j
			}
		case c.form&(formParens|formBraces) != 0:
			if fl.sub != nil && fl.name == c.Name {
				return j
			}
		default:
			if fl.bare && c.form&formMask == 0 && fl.name == c.Value {
				return j
			}
			if fl.name == "" && fl.sub == nil && !fl.bare && fallback < 0 {
				fallback = j
			}
		}
	}
	return fallback
}

// isPlaceholder reports whether s is one of the placeholders that OVS's test
// suite substitutes for volatile values: <name>, X, 0xXXXX.
func isPlaceholder(s string) bool {
	if len(s) >= 2 && s[0] == '<' && s[len(s)-1] == '>' {
		return true
	}
	h, _ := trim0x(s)
	if h == "" {
		return false
	}
	for i := 0; i < len(h); i++ {
		if h[i] != 'X' {
			return false
		}
	}
	return true
}

// validIPv4 accepts dotted-quad IPv4 addresses: four groups of one to three
// digits, without leading zeros, at most 255.
func validIPv4(s string) bool {
	n := ipv4Prefix(s)
	return n != 0 && n == len(s)
}

// ipv4Prefix returns the length of the dotted-quad IPv4 address that s
// starts with, or 0. What follows it is the caller's to check. Each byte is
// one to three digits, without a leading zero, at most 255; a fourth digit
// is not looked at (the caller then finds a digit where it wants a '.' or a
// stop).
func ipv4Prefix(s string) int {
	i := 0
	for part := 0; ; part++ {
		// One to three digits, unrolled.
		if i >= len(s) || s[i]-'0' > 9 {
			return 0
		}
		d0 := int(s[i] - '0')
		i++
		if i < len(s) && s[i]-'0' <= 9 {
			if d0 == 0 {
				return 0 // a leading zero
			}
			d1 := int(s[i] - '0')
			i++
			if i < len(s) && s[i]-'0' <= 9 {
				if d0*100+d1*10+int(s[i]-'0') > 255 {
					return 0
				}
				i++
			}
		}
		if part == 3 {
			return i
		}
		if i >= len(s) || s[i] != '.' {
			return 0
		}
		i++
	}
}

// macFixed reports whether the first 17 bytes of s (it has at least 17) are
// an Ethernet address in the form OVS prints, xx:xx:xx:xx:xx:xx.
func macFixed(s string) bool {
	_ = s[16]
	return s[2] == ':' && s[5] == ':' && s[8] == ':' && s[11] == ':' && s[14] == ':' &&
		charClass[s[0]]&charClass[s[1]]&charClass[s[3]]&charClass[s[4]]&
			charClass[s[6]]&charClass[s[7]]&charClass[s[9]]&charClass[s[10]]&
			charClass[s[12]]&charClass[s[13]]&charClass[s[15]]&charClass[s[16]]&cHex != 0
}
