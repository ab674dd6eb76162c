// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Node is one element of a flow's match or actions, or one field inside
// them. Its syntax is one of:
//
//	name(children)    a key, an action or a nested group: ipv4(...), ct(...)
//	name(value/mask)  a scalar key or action, its value kept in the node:
//	                  recirc_id(0x2b), ct_state(0x22/0x2f), in_port(pf0vf1)
//	name=value/mask   a field: src=10.0.0.1/255.255.255.0
//	value/mask        a bare value: 0x1/0xff, commit, 2 (an output port)
//	(children)        an anonymous group, as in gre((flags=0x2000,...),...)
//	{children}        a brace group, as in geneve({class=0x102,...})
//
// Values and masks are kept as printed; the typed accessors decode them.
// A Node built by hand (not parsed) formats as name(children) when it has
// children, name=value/mask when it has a name and a value, and
// value/mask otherwise: write recirc(0x1) as
// Node{Name: "recirc", Children: []Node{{Value: "0x1"}}}.
type Node struct {
	// Name is the key, action or field name; empty for a bare value or an
	// anonymous group.
	Name string
	// Value is the text after '=' of a field, the text inside the
	// parentheses of a scalar key or action, or the whole text of a bare
	// value (an output port, a flag word such as commit).
	Value string
	// Mask is the text after '/', empty when there is none (see HasMask).
	Mask string
	// Children are the elements inside the parentheses or braces.
	Children []Node
	// Kind says which key or action this node is (KindNone for fields).
	Kind Kind
	// Type is the type of Value and Mask for fields and scalar keys and
	// actions (TypeNone when the node has no value).
	Type ValueType

	form   form
	spaces uint8 // spaces printed before this element (OVS prints none)
	off    int32 // byte offset in the parsed line
}

type form uint8

const (
	formEq       form = 1 << iota // name=value
	formMask                      // /mask present
	formParens                    // (...)
	formBraces                    // {...}
	formAdjacent                  // no ',' before this element ({..}{..})
	formOpaque                    // not understood: kept as printed
	formScalar                    // name(value/mask): the value is in the node itself
)

// HasMask reports whether the node was printed with a "/mask".
func (n *Node) HasMask() bool { return n.form&formMask != 0 }

// HasParens reports whether the node has a parenthesised child list,
// possibly empty, as in pop_nsh() or ct_mark().
func (n *Node) HasParens() bool { return n.form&formParens != 0 }

// IsField reports whether the node is a name=value field.
func (n *Node) IsField() bool { return n.form&formEq != 0 }

// Opaque reports whether this package did not understand the node (an
// unknown key, action or field). Opaque nodes are kept and formatted as
// printed.
func (n *Node) Opaque() bool { return n.form&formOpaque != 0 }

// Word returns the node's name, or its value for a bare value such as
// "commit" or "drop".
func (n *Node) Word() string {
	if n.Name != "" {
		return n.Name
	}
	return n.Value
}

// Field returns the first child named name.
func (n *Node) Field(name string) (*Node, bool) {
	for i := range n.Children {
		if n.Children[i].Name == name {
			return &n.Children[i], true
		}
	}
	return nil, false
}

// Has reports whether a child is named name or is the bare word name (for
// flags such as ct(commit) or userspace(...,actions)).
func (n *Node) Has(name string) bool {
	for i := range n.Children {
		if n.Children[i].Word() == name {
			return true
		}
	}
	return false
}

// ErrNoValue is returned by the typed accessors of a node that has no value
// or mask to decode.
var ErrNoValue = errors.New("dpflow: no value")

// Uint decodes Value as a decimal or 0x-prefixed hexadecimal integer. A
// scalar key or action such as recirc_id(0x1) or meter(3) keeps its value
// (and mask) in the node itself, like a field.
func (n *Node) Uint() (uint64, error) { return parseUint(n.scalar().Value) }

// MaskUint decodes Mask like Uint. Without a mask it returns ErrNoValue.
func (n *Node) MaskUint() (uint64, error) {
	s := n.scalar()
	if !s.HasMask() {
		return 0, ErrNoValue
	}
	return parseUint(s.Mask)
}

// IP decodes Value as an IPv4 or IPv6 address.
func (n *Node) IP() (netip.Addr, error) { return netip.ParseAddr(n.scalar().Value) }

// MaskIP decodes Mask as an address; a prefix length such as /24 is turned
// into the corresponding netmask.
func (n *Node) MaskIP() (netip.Addr, error) {
	s := n.scalar()
	if !s.HasMask() {
		return netip.Addr{}, ErrNoValue
	}
	if a, err := netip.ParseAddr(s.Mask); err == nil {
		return a, nil
	}
	bits, err := strconv.Atoi(s.Mask)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("dpflow: bad mask %q", s.Mask)
	}
	v, _ := netip.ParseAddr(s.Value)
	total := 32
	if v.Is6() {
		total = 128
	}
	if bits < 0 || bits > total {
		return netip.Addr{}, fmt.Errorf("dpflow: bad prefix length %q", s.Mask)
	}
	m := net.CIDRMask(bits, total)
	a, _ := netip.AddrFromSlice(m)
	return a, nil
}

// MAC decodes Value as an Ethernet address (six groups of one or two hex
// digits, as OVS accepts).
func (n *Node) MAC() (net.HardwareAddr, error) { return parseMAC(n.scalar().Value) }

// MaskMAC decodes Mask as an Ethernet address.
func (n *Node) MaskMAC() (net.HardwareAddr, error) {
	s := n.scalar()
	if !s.HasMask() {
		return nil, ErrNoValue
	}
	return parseMAC(s.Mask)
}

func parseMAC(s string) (net.HardwareAddr, error) {
	if !validMAC(s) {
		return nil, fmt.Errorf("dpflow: bad Ethernet address %q", s)
	}
	mac := make(net.HardwareAddr, 0, 6)
	for _, g := range strings.Split(s, ":") {
		var b byte
		for i := 0; i < len(g); i++ {
			b = b<<4 | unhex(g[i])
		}
		mac = append(mac, b)
	}
	return mac, nil
}

// Bytes decodes Value as hexadecimal bytes, with or without a 0x prefix
// (userdata(...), ct label, psample cookie, geneve option data).
func (n *Node) Bytes() ([]byte, error) {
	v := n.scalar().Value
	v = strings.TrimPrefix(strings.TrimPrefix(v, "0x"), "0X")
	if len(v)%2 == 1 {
		v = "0" + v
	}
	return hex.DecodeString(v)
}

// scalar returns the node holding the value: the node itself, or for a
// scalar key or action like in_port(1) its only child.
func (n *Node) scalar() *Node {
	if n.form&formScalar != 0 {
		return n
	}
	if n.form&formEq == 0 && n.Name != "" && len(n.Children) == 1 && n.Children[0].Name == "" {
		return &n.Children[0]
	}
	return n
}

// Actions returns the nested action list of clone(...), sample(...,actions(...)),
// dec_ttl(le_1(...)) and of the gt(...) and le(...) branches of check_pkt_len.
// For check_pkt_len use Branch.
func (n *Node) Actions() []Node {
	switch n.Kind {
	case ActionClone:
		return n.Children
	case ActionSample:
		if a, ok := n.Field("actions"); ok {
			return a.Children
		}
	case ActionDecTTL:
		if a, ok := n.Field("le_1"); ok {
			return a.Children
		}
	}
	return nil
}

// Branch returns the "gt" or "le" action list of check_pkt_len.
func (n *Node) Branch(name string) []Node {
	if a, ok := n.Field(name); ok {
		return a.Children
	}
	return nil
}

// String formats the node as OVS prints it.
func (n *Node) String() string { return string(appendNode(nil, n)) }

func parseUint(s string) (uint64, error) {
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		return strconv.ParseUint(s[2:], 16, 64)
	}
	if s == "" {
		return 0, ErrNoValue
	}
	return strconv.ParseUint(s, 10, 64)
}
