package dpflow

// The fast path. Most keys of a real dump have one of two shapes: a scalar
// key such as recirc_id(0x2c) or ct_state(0x22/0x2f), or a key of typed
// fields such as eth(src=...,dst=...) or ipv4(src=...,proto=6,frag=no).
// fastKey parses and types those in one pass. For anything else, and for
// anything invalid, it gives up without a trace and the generic parser (a
// syntax pass, then keys()) takes the key, reporting errors as it always
// has. So the fast path may only accept what the generic path accepts, and
// must build exactly the node the generic path builds; the differential
// fuzz test (FuzzFastPath) and the golden parse trees hold it to that.

// fastKey parses the top-level key at the current position, preceded by sp
// spaces, and pushes it on the stack typed. It returns false, with the
// position and stack unchanged, when the key is not of a shape it handles.
func (p *parser) fastKey(sp uint8) bool {
	if p.noFast {
		return false
	}
	start := p.pos
	name := p.scan(&tokenStopTop)
	if name == "" || p.peek() != '(' {
		p.pos = start
		return false
	}
	spec := lookup(&keyTable, name)
	if spec == nil || spec.check != nil || spec.strict {
		p.pos = start
		return false
	}
	p.pos++ // '('
	idx := len(p.stack)
	if idx == cap(p.stack) {
		p.stack = append(p.stack, Node{})
	}
	p.stack = p.stack[:idx+1]
	ok := false
	switch spec.body {
	case bodyScalar:
		ok = p.fastScalar(idx, spec)
	case bodyFields:
		ok = p.fastFields(idx, spec)
	}
	if !ok {
		p.stack = p.stack[:idx]
		p.pos = start
		return false
	}
	n := &p.stack[idx]
	n.Name, n.Kind, n.spaces, n.off = name, spec.kind, sp, int32(start)
	return true
}

// fastScalar parses "value)" or "value/mask)" of a scalar key into
// p.stack[idx], as scalarBody and apply would.
func (p *parser) fastScalar(idx int, spec *spec) bool {
	if spec.typ == TypeNone {
		return false
	}
	v := p.scan(&tokenStop)
	if v == "" || !validValue(v, spec.typ, false) {
		return false
	}
	switch p.peek() {
	case ')':
		p.pos++
		p.stack[idx] = Node{Value: v, Type: spec.typ, form: formParens | formScalar}
		return true
	case '/':
		p.pos++
		m := p.scan(&valueStop)
		if p.peek() != ')' || !validValue(m, spec.typ, true) {
			return false
		}
		p.pos++
		p.stack[idx] = Node{Value: v, Mask: m, Type: spec.typ, form: formParens | formScalar | formMask}
		return true
	}
	return false
}

// fastFields parses "name=value[/mask],...)" into the children of
// p.stack[idx], as list and fields would for a spec that is not strict.
// Every field must be a typed name=value field of the spec.
func (p *parser) fastFields(idx int, spec *spec) bool {
	base := idx + 1
	hint := 0
	for {
		off := p.pos
		name := p.scan(&tokenStop)
		if name == "" || p.peek() != '=' {
			p.stack = p.stack[:base]
			return false
		}
		p.pos++
		j := -1
		if hint < len(spec.fields) && spec.fields[hint].isValueField(name) {
			j = hint
		} else {
			for k := range spec.fields {
				if spec.fields[k].isValueField(name) {
					j = k
					break
				}
			}
		}
		if j < 0 {
			p.stack = p.stack[:base]
			return false
		}
		hint = j + 1
		t := spec.fields[j].typ
		v := p.scan(&valueStop)
		c := Node{Name: name, Value: v, Type: t, form: formEq, off: int32(off)}
		if !validValue(v, t, false) {
			p.stack = p.stack[:base]
			return false
		}
		if p.peek() == '/' {
			p.pos++
			c.Mask, c.form = p.scan(&valueStop), formEq|formMask
			if !validValue(c.Mask, t, true) {
				p.stack = p.stack[:base]
				return false
			}
		}
		p.stack = append(p.stack, c)
		switch p.peek() {
		case ',':
			p.pos++
			continue
		case ')':
			p.pos++
			kids := p.commit(base)
			p.stack[idx] = Node{Children: kids, form: formParens}
			return true
		}
		p.stack = p.stack[:base]
		return false
	}
}

// isValueField reports whether fl is the name=value field called name.
func (fl *field) isValueField(name string) bool {
	return fl.sub == nil && !fl.bare && len(fl.name) == len(name) && fl.name == name
}
