// SPDX-License-Identifier: Apache-2.0

package dpflow

// The fast path. Keys and actions of a real dump have few shapes: a scalar
// such as recirc_id(0x2c), ct_state(0x22/0x2f) or recirc(0x2d); fields
// such as eth(src=...,dst=...), ct(zone=15,nat),
// tunnel(...,geneve({class=0x102,...}),flags(-df+csum+key)) or a tunnel
// push's header; nested keys (encap) and actions (clone, check_pkt_len);
// set() of a key; an output port or a bare action word. fastKey and
// fastAction parse and type those in one pass, where the generic path makes
// a syntax pass and then a typing pass (keys, actions, apply, fields).
// Top-level elements are built in p.top, nested ones on the stack (then
// committed to the arena), the fields of a group without subgroups straight
// in the arena: each node in the slot it keeps, or copied once.
//
// For anything else, and for anything invalid, the fast path gives up
// without a trace (position and stack as they were) and the generic path
// takes the element, reporting errors as it always has. So the fast path
// may only accept what the generic path accepts, and must build exactly the
// node the generic path builds: TestFastPathMatchesGeneric, FuzzFastPath and
// the golden parse trees hold it to that.

// maxFastDepth bounds the nesting the fast path follows (groups inside
// fields); deeper input goes to the generic path.
const maxFastDepth = 8

// fastKey parses the top-level key at the current position, preceded by sp
// spaces, and appends it to p.top typed. It returns false, with the
// position and p.top unchanged, when the key is not of a shape it handles.
func (p *parser) fastKey(sp uint8) bool {
	if p.noFast {
		return false
	}
	start := p.pos
	if r := p.s[start:]; len(r) >= 16 {
		// The key whose "name(" begins the input, found by a hash of
		// its first four bytes and checked against the input's next 16,
		// loaded once.
		lo, hi := load8(r, 0), load8(r, 8)
		bucket := keyBuckets[keyHash(lo)]
		if lo&0xffffff == ndWord {
			bucket = keyBuckets[keyBucketCount]
		}
		for i := range bucket {
			if k := &bucket[i]; lo&k.w.loM == k.w.lo && hi&k.w.hiM == k.w.hi {
				p.pos += len(k.name)
				if !p.fastSpec(&p.top, k.spec, k.name, sp, start, 0) {
					p.pos = start
					return false
				}
				return true
			}
		}
		return false // no key's name: an unknown key, or not a key
	}
	name := p.scan(&tokenStopTop)
	spec := lookup(&keyTable, name)
	if spec == nil || p.peek() != '(' || !p.fastSpec(&p.top, spec, name, sp, start, 0) {
		p.pos = start
		return false
	}
	return true
}

// keyBuckets holds every key with its "name(" word, bucketed by keyHash of
// the word's first four bytes; the one key with a three-byte word, "nd(",
// has the last bucket to itself.
var keyBuckets = func() (t [keyBucketCount + 1][]namedKey) {
	for name, sp := range keySpecs {
		w := newWord(name + "(")
		h := keyHash(w.lo)
		if len(w.s) < 4 {
			if w.lo != ndWord {
				panic("dpflow: a key word of three bytes other than nd(")
			}
			h = keyBucketCount
		}
		t[h] = append(t[h], namedKey{name: name, spec: sp, w: w})
	}
	return t
}()

// ndWord is "nd(", little-endian.
const ndWord = 'n' | 'd'<<8 | '('<<16

const keyBucketCount = 64

// keyHash hashes the first four bytes of x (little-endian) into
// [0, keyBucketCount).
func keyHash(x uint64) uint64 { return (x & 0xffffffff) * 0x9E3779B97F4A7C15 >> 58 }

// namedKey is a key's name, spec and "name(" word.
type namedKey struct {
	name string
	spec *spec
	w    word
}

// fastAction is fastKey for a top-level action.
func (p *parser) fastAction(sp uint8) bool {
	if p.noFast {
		return false
	}
	start := p.pos
	word := p.scan(&tokenStopTop)
	if word == "" {
		p.pos = start
		return false
	}
	switch p.peek() {
	case '(':
		if word == "set" {
			if p.fastSet(&p.top, sp, start, 0) {
				return true
			}
		} else if p.fastNamed(&p.top, &actionTable, word, sp, start, 0) {
			return true
		}
	case ',', 0:
		if (p.pos == len(p.s) || p.s[p.pos] == ',') && p.fastBare(&p.top, word, sp, start) {
			return true
		}
	}
	p.pos = start
	return false
}

// fastBare appends the bare action word that starts at start to *dst,
// typed: an action such as drop or ct_clear, or an output port.
// Placeholders are left to the generic path.
func (p *parser) fastBare(dst *[]Node, word string, sp uint8, start int) bool {
	k, t := bareAction(word), TypeNone
	if k == KindNone {
		if isPlaceholder(word) {
			return false
		}
		k, t = ActionOutput, TypePort
	}
	_, n := addNode(dst, start, sp, 0)
	n.Value, n.Kind, n.Type = word, k, t
	return true
}

// fastNamed parses the body of name(...) from table, the position just
// after name, and appends the typed node to *dst: p.top for a top-level
// element, the stack for a nested one.
func (p *parser) fastNamed(dst *[]Node, table *specTable, name string, sp uint8, start, depth int) bool {
	spec := lookup(table, name)
	return spec != nil && p.fastSpec(dst, spec, name, sp, start, depth)
}

// fastSpec is fastNamed with the spec of name found.
func (p *parser) fastSpec(dst *[]Node, spec *spec, name string, sp uint8, start, depth int) bool {
	if !spec.fastOK {
		return false
	}
	idx, n := addNode(dst, start, sp, formParens)
	n.Name, n.Kind = name, spec.kind
	p.pos++ // '('
	// The two usual bodies first, without fastBody's dispatch (which
	// takes anything else, and these again when they give up).
	if spec.check == nil {
		body := p.pos
		switch {
		case spec.body == bodyScalar:
			if p.fastScalar(n, spec) {
				return true
			}
		case spec.body == bodyFields && spec.leafOnly:
			if p.fastLeaves(dst, idx, spec, ')') {
				return true
			}
		}
		p.pos = body
	}
	if !p.fastBody(dst, idx, spec, ')', depth) {
		*dst = (*dst)[:idx]
		return false
	}
	return true
}

// fastSet parses set(key(...)) with a key the fast path handles, the
// position just after "set", and appends it to *dst.
func (p *parser) fastSet(dst *[]Node, sp uint8, start, depth int) bool {
	idx, n := addNode(dst, start, sp, formParens)
	// n stays valid until the key is pushed (dst may be the stack).
	n.Name, n.Kind = "set", ActionSet
	p.pos++ // '('
	keyStart := p.pos
	base := len(p.stack)
	name := p.scan(&tokenStop)
	if name != "" && p.peek() == '(' && p.fastNamed(&p.stack, &keyTable, name, 0, keyStart, depth+1) && p.peek() == ')' {
		p.pos++
		kids := p.commit(base)
		n := &(*dst)[idx]
		n.Children = kids
		if hasMask(&kids[0]) {
			n.Kind = ActionSetMasked
		}
		return true
	}
	p.stack = p.stack[:base]
	*dst = (*dst)[:idx]
	return false
}

// fastBody parses the body of (*dst)[idx] up to closer as spec describes,
// the position just after the opening byte.
func (p *parser) fastBody(dst *[]Node, idx int, spec *spec, closer byte, depth int) bool {
	start := p.pos
	ok := false
	switch spec.body {
	case bodyScalar:
		ok = closer == ')' && p.fastScalar(&(*dst)[idx], spec)
	case bodyFields:
		if spec.leafOnly {
			ok = p.fastLeaves(dst, idx, spec, closer)
		} else {
			ok = p.fastFields(dst, idx, spec, closer, depth)
		}
	case bodyKeys, bodyActions:
		ok = p.fastList(dst, idx, spec.body == bodyKeys, closer, depth)
	}
	if !ok && uint(start) < uint(len(p.s)) && p.s[start] == closer {
		// An empty list, such as eth() or pop_nsh() (which the paths
		// above give up on, leaving the node as it was): no children,
		// which only a scalar that must have a value rejects.
		p.pos = start + 1
		ok = spec.body != bodyScalar || spec.emptyOK
	}
	// The spec's own check (a tunnel header's size, ...) runs on the node
	// the generic path would have built; when it fails, the generic path
	// takes the element and reports the error.
	return ok && (spec.check == nil || spec.check(p, &(*dst)[idx]) == nil)
}

// fastList parses the nested keys (encap) or actions (clone, the branches
// of check_pkt_len, ...) up to closer into the children of (*dst)[idx], as
// list, explode and keys or actions would. An empty list, spaces, unknown
// keys or actions and anything that is not name(...) or, for actions, a
// bare word are the generic path's.
func (p *parser) fastList(dst *[]Node, idx int, keys bool, closer byte, depth int) bool {
	if depth >= maxFastDepth {
		return false
	}
	base := len(p.stack)
	for {
		start := p.pos
		word := p.scan(&tokenStop)
		ok := false
		if word != "" && word[0] != ' ' { // spaces before an element are the generic path's
			switch c := p.peek(); {
			case c == '(' && keys:
				ok = p.fastNamed(&p.stack, &keyTable, word, 0, start, depth+1)
			case c == '(' && word == "set":
				ok = p.fastSet(&p.stack, 0, start, depth+1)
			case c == '(':
				ok = p.fastNamed(&p.stack, &actionTable, word, 0, start, depth+1)
			case (c == ',' || c == closer) && !keys:
				ok = p.fastBare(&p.stack, word, 0, start)
			}
		}
		if ok {
			switch p.separator(closer) {
			case ',':
				continue
			case closer:
				(*dst)[idx].Children = p.commit(base)
				return true
			}
		}
		p.stack = p.stack[:base]
		return false
	}
}

// separator returns the byte after an element of a list closed by closer
// and, when it is ',' or closer, consumes it.
func (p *parser) separator(closer byte) byte {
	c := p.peek()
	if c == ',' || c == closer {
		p.pos++
	}
	return c
}

// fastScalar parses "value)" or "value/mask)" into n, as scalarBody and
// apply would.
func (p *parser) fastScalar(n *Node, spec *spec) bool {
	if spec.typ == TypeNone {
		return false
	}
	v, ok := p.scanTyped(cStopToken, spec.typ, false)
	if v == "" || !ok {
		return false
	}
	switch p.peek() {
	case ')':
		p.pos++
		n.Value, n.Type, n.form = v, spec.typ, n.form|formScalar
		return true
	case '/':
		p.pos++
		m, ok := p.scanTyped(cStopValue, spec.typ, true)
		if p.peek() != ')' || !ok {
			return false
		}
		p.pos++
		n.Value, n.Mask, n.Type, n.form = v, m, spec.typ, n.form|formScalar|formMask
		return true
	}
	return false
}

// fastLeaves parses the elements of a spec without groups (spec.leafOnly)
// up to closer into the children of (*dst)[idx], as list and fields would.
// Nothing can nest inside its elements, so they are built straight in the
// arena, in the slots they keep, rather than on the stack and then copied.
func (p *parser) fastLeaves(dst *[]Node, idx int, spec *spec, closer byte) bool {
	if !spec.fastOK {
		return false
	}
	start := len(p.arena)
	hint := 0
	for {
		// The arena does not grow while fastLeaf fills the node.
		_, c := addNode(&p.arena, p.pos, 0, 0)
		j := -1
		if spec.uniqueEq {
			j = spec.nextValueField(p.s, p.pos, hint)
		}
		if j >= 0 {
			// The usual element, the name=value field that the schema's
			// order puts next, taken as fastLeaf would take it.
			hint = j + 1
			if !p.takeValueField(spec, j, c) {
				break
			}
		} else if j := p.fastLeaf(spec, c, &hint, closer); j < 0 || spec.fields[j].sub != nil {
			break
		}
		switch p.separator(closer) {
		case ',':
			continue
		case closer:
			(*dst)[idx].Children = p.arena[start:len(p.arena):len(p.arena)]
			return true
		}
		break
	}
	p.arena = p.arena[:start]
	return false
}

// fastFields parses the elements of spec's fields up to closer into the
// children of (*dst)[idx], as list and fields would: name=value/mask
// fields, bare flags and bare typed values, and groups whose spec the fast
// path handles.
func (p *parser) fastFields(dst *[]Node, idx int, spec *spec, closer byte, depth int) bool {
	if !spec.fastOK || depth >= maxFastDepth {
		return false
	}
	base := len(p.stack)
	hint := 0
	var adjacent form
	for {
		// The element is built in place, in its slot on the stack.
		ci, _ := addNode(&p.stack, p.pos, 0, adjacent)
		if !p.fastElement(spec, ci, &hint, closer, depth) {
			p.stack = p.stack[:base]
			return false
		}
		adjacent = 0
		switch p.separator(closer) {
		case ',':
			continue
		case closer:
			(*dst)[idx].Children = p.commit(base)
			return true
		case '{':
			if p.stack[ci].form&formBraces != 0 {
				adjacent = formAdjacent
				continue
			}
		}
		p.stack = p.stack[:base]
		return false
	}
}

// fastElement parses one element of spec's fields into p.stack[ci]: a
// name=value/mask field, a bare flag or typed value, or a group whose spec
// the fast path handles.
func (p *parser) fastElement(spec *spec, ci int, hint *int, closer byte, depth int) bool {
	j := p.fastLeaf(spec, &p.stack[ci], hint, closer)
	if j < 0 {
		return false
	}
	fl := &spec.fields[j]
	if fl.sub == nil {
		return true
	}
	inner := byte(')')
	if p.stack[ci].form&formBraces != 0 {
		inner = '}'
	}
	p.pos++ // '(' or '{'
	return p.fastBody(&p.stack, ci, fl.sub, inner, depth+1)
}

// fastLeaf parses one element of spec's fields into c, except the body of
// a group, and returns the index of the field that describes it, or -1. A
// name=value/mask field, a bare flag or a bare typed value is then complete
// and typed; for a group (the field has a sub spec) the position is left at
// its opening byte, for the caller.
func (p *parser) fastLeaf(spec *spec, c *Node, hint *int, closer byte) int {
	switch p.peek() {
	case '{':
		c.form |= formBraces
	case '(', ' ', closer, 0:
		// An anonymous group, spaces, an empty list or the end: the
		// generic path's.
		return -1
	default:
		if spec.uniqueEq {
			// Most often the element is the name=value field that the
			// schema's order puts next: match its name in place.
			if j := spec.nextValueField(p.s, p.pos, *hint); j >= 0 {
				*hint = j + 1
				if !p.takeValueField(spec, j, c) {
					return -1
				}
				return j
			}
		}
		word := p.scan(&tokenStop)
		if word == "" {
			return -1
		}
		switch p.peek() {
		case '=':
			p.pos++
			c.Name, c.form = word, c.form|formEq
			j := spec.resolve(c, *hint)
			if j < 0 {
				return -1
			}
			*hint = j + 1
			if !p.fastTypedValue(c, spec.fields[j].typ) {
				return -1
			}
			return j
		case '(':
			c.Name, c.form = word, c.form|formParens
		default:
			c.Value = word
			if p.peek() == '/' {
				p.pos++
				c.Mask, c.form = p.scan(&valueStop), c.form|formMask
			}
		}
	}
	// A bare word or a group: the field, found as fields() finds it.
	j := spec.resolve(c, *hint)
	if j < 0 {
		return -1
	}
	*hint = j + 1
	fl := &spec.fields[j]
	if fl.sub != nil || fl.bare {
		return j
	}
	if !validValue(c.Value, fl.typ, false) || c.form&formMask != 0 && !validValue(c.Mask, fl.typ, true) {
		return -1
	}
	c.Type = fl.typ
	return j
}

// resolve returns the index of the field that describes c, trying the one
// at hint first (OVS prints fields in the schema's order), as fields() does.
func (sp *spec) resolve(c *Node, hint int) int {
	if hint < len(sp.fields) && sp.fields[hint].matches(c) {
		return hint
	}
	return sp.match(c)
}

// nextValueField returns the index of the name=value field, from hint on,
// whose name and '=' begin s[i:], or -1.
func (sp *spec) nextValueField(s string, i, hint int) int {
	if uint(hint) >= uint(len(sp.fields)) {
		return -1
	}
	fields := sp.fields[hint:]
	if i+16 > len(s) {
		for j := range fields {
			if fl := &fields[j]; fl.isValue && fl.eq.atSlow(s, i) {
				return hint + j
			}
		}
		return -1
	}
	// The input's next 16 bytes, loaded once, against each candidate.
	r := s[i:]
	lo, hi := load8(r, 0), load8(r, 8)
	for j := range fields {
		if fl := &fields[j]; fl.isValue && lo&fl.eq.loM == fl.eq.lo && hi&fl.eq.hiM == fl.eq.hi {
			return hint + j
		}
	}
	return -1
}

// takeValueField takes into c the name=value field j of spec, whose name
// and '=' nextValueField found at the position.
func (p *parser) takeValueField(spec *spec, j int, c *Node) bool {
	fl := &spec.fields[j]
	p.pos += len(fl.name) + 1
	c.Name, c.form = fl.name, c.form|formEq
	return p.fastTypedValue(c, fl.typ)
}

// fastTypedValue scans and types the value and mask of the field c, the
// position just after its '='.
func (p *parser) fastTypedValue(c *Node, t ValueType) bool {
	v, ok := p.scanTyped(cStopValue, t, false)
	c.Value, c.Type = v, t
	if p.peek() == '/' {
		p.pos++
		m, mok := p.scanTyped(cStopValue, t, true)
		c.Mask, c.form, ok = m, c.form|formMask, ok && mok
	}
	return ok
}

// markFastSpecs sets fastOK on the specs the fast path may type: those
// whose body is a scalar or fields, without fields that must appear once or
// at all (the generic path counts those). A spec's check function runs after
// the fast path has built the node (fastBody). It also sets uniqueEq,
// leafOnly and the words of the name=value fields.
func markFastSpecs(specs map[string]*spec) {
	var mark func(sp *spec)
	mark = func(sp *spec) {
		sp.fastOK = sp.body != bodyOpaque
		sp.uniqueEq, sp.leafOnly = true, true
		for i := range sp.fields {
			fl := &sp.fields[i]
			// Names of 15 bytes or more are left to the token scan.
			if fl.isValue = fl.name != "" && len(fl.name) < 15 && fl.sub == nil && !fl.bare; fl.isValue {
				fl.eq = newWord(fl.name + "=")
			}
			for k := range i {
				if o := &sp.fields[k]; fl.name != "" && fl.name == o.name && fl.sub == nil && !fl.bare && o.sub == nil && !o.bare {
					sp.uniqueEq = false // nextValueField would pick the later one
				}
			}
			if fl.once || fl.required {
				sp.fastOK = false
			}
			if fl.sub != nil {
				sp.leafOnly = false
				mark(fl.sub)
			}
		}
	}
	for _, sp := range specs {
		mark(sp)
	}
}
