// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"fmt"
	"strings"
)

// Flag is one flag word of a flags value: ct_state(+trk-new),
// tcp_flags(syn|ack), tunnel flags(df|csum).
type Flag struct {
	Name string // the flag's name, e.g. "trk"
	Set  bool   // true for +name or a plain name, false for -name
}

// ctStateBits are the ct_state bits in the order OVS names them.
var ctStateBits = [...]string{"new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat"}

// Flags decodes a flags value. Words may be separated by '|' or written
// +name/-name (then only the named flags are matched). A ct_state printed
// in hex (with -m: ct_state(0x22/0x2f)) is decoded with ct_state's bit
// names: with a mask, bits in the mask are reported set or clear; without
// one, the set bits are reported.
func (n *Node) Flags() ([]Flag, error) {
	s := n.scalar()
	v := s.Value
	if n.Kind == KeyCTState {
		if val, err := parseUint(v); err == nil {
			mask := uint64(0xffffffff)
			if s.HasMask() {
				m, err := parseUint(s.Mask)
				if err != nil {
					return nil, fmt.Errorf("dpflow: bad ct_state mask %q", s.Mask)
				}
				mask = m
			}
			var out []Flag
			for i, name := range ctStateBits {
				bit := uint64(1) << i
				if mask&bit == 0 || !s.HasMask() && val&bit == 0 {
					continue
				}
				out = append(out, Flag{Name: name, Set: val&bit != 0})
			}
			return out, nil
		}
	}
	var out []Flag
	var words []string
	if len(n.Children) > 0 {
		for _, c := range n.Children {
			words = append(words, strings.Split(c.Value, "|")...)
		}
	} else {
		words = strings.Split(v, "|")
	}
	for _, w := range words {
		if w == "" {
			continue
		}
		if w[0] != '+' && w[0] != '-' {
			out = append(out, Flag{Name: w, Set: true})
			continue
		}
		// +trk-new: split at each sign.
		for len(w) > 0 {
			set := w[0] == '+'
			w = w[1:]
			end := strings.IndexAny(w, "+-")
			if end < 0 {
				end = len(w)
			}
			if end == 0 {
				return nil, fmt.Errorf("dpflow: bad flags %q", v)
			}
			out = append(out, Flag{Name: w[:end], Set: set})
			w = w[end:]
		}
	}
	return out, nil
}

// MPLSLabel is one label stack entry of an mpls(...) key.
type MPLSLabel struct {
	Label, TC, TTL, BOS                 uint64
	LabelMask, TCMask, TTLMask, BOSMask uint64 // all ones when not masked
}

// MPLSStack decodes the label stack entries of an mpls(...) key, outermost
// first. Each entry starts with label=.
func (n *Node) MPLSStack() ([]MPLSLabel, error) {
	var out []MPLSLabel
	for i := range n.Children {
		c := &n.Children[i]
		if c.Name == "label" {
			out = append(out, MPLSLabel{LabelMask: ^uint64(0), TCMask: ^uint64(0), TTLMask: ^uint64(0), BOSMask: ^uint64(0)})
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("dpflow: mpls entry without label=: %s", n)
		}
		e := &out[len(out)-1]
		var v, m *uint64
		switch c.Name {
		case "label":
			v, m = &e.Label, &e.LabelMask
		case "tc":
			v, m = &e.TC, &e.TCMask
		case "ttl":
			v, m = &e.TTL, &e.TTLMask
		case "bos":
			v, m = &e.BOS, &e.BOSMask
		default:
			continue
		}
		x, err := parseUint(c.Value)
		if err != nil {
			return nil, fmt.Errorf("dpflow: mpls %s=%q: %w", c.Name, c.Value, err)
		}
		*v = x
		if c.HasMask() {
			// OVS prints some MPLS masks in hex without 0x.
			mk, err := parseHexMask(c.Mask)
			if err != nil {
				return nil, fmt.Errorf("dpflow: mpls %s mask %q: %w", c.Name, c.Mask, err)
			}
			*m = mk
		}
	}
	return out, nil
}

func parseHexMask(s string) (uint64, error) {
	if h, ok := trim0x(s); ok {
		s = h
	}
	var v uint64
	if !allHex(s) || len(s) > 16 {
		return 0, fmt.Errorf("not hex")
	}
	for i := 0; i < len(s); i++ {
		v = v<<4 | uint64(unhex(s[i]))
	}
	return v, nil
}
