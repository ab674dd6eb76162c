// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"math"
	"strconv"
)

// ParsePortName parses a phys_port_name as the kernel's devlink core formats
// it: "p<port>[s<split>]" for a physical port, "[c<controller>]pf<pf>" for a
// PF, "[c<controller>]pf<pf>vf<vf>" for a VF and "[c<controller>]pf<pf>sf<sf>"
// for an SF. The "c<controller>" prefix appears exactly when the function is
// on an external controller, so "pf0vf5" (local) and "c1pf0vf5" (the host's
// VF seen from a DPU) never parse to the same identity. The returned
// identity has no SwitchID; for a physical port PF is set to the port number
// (the caller may know better, see Inventory).
//
// Numbers never have leading zeros, so id.PortName() == s for every s that
// parses.
func ParsePortName(s string) (Identity, error) {
	p := portNameParser{s: s}
	id := Identity{}
	if p.peek() == 'p' && p.peekAt(1) != 'f' {
		p.i++
		port, err := p.number("port number after 'p'", math.MaxUint32)
		if err != nil {
			return Identity{}, err
		}
		id.Flavour, id.Port, id.PF = FlavourPhysical, uint32(port), uint16(min(port, math.MaxUint16))
		if p.peek() == 's' {
			p.i++
			split, err := p.number("split sub-port number after 's'", math.MaxUint32)
			if err != nil {
				return Identity{}, err
			}
			id.Split, id.IsSplit = uint32(split), true
		}
		return id, p.end()
	}
	if p.peek() == 'c' {
		p.i++
		c, err := p.number("controller number after 'c'", math.MaxUint32)
		if err != nil {
			return Identity{}, err
		}
		id.Controller, id.External = uint32(c), true
	}
	if err := p.literal("pf"); err != nil {
		return Identity{}, err
	}
	pf, err := p.number("PF number after 'pf'", math.MaxUint16)
	if err != nil {
		return Identity{}, err
	}
	id.Flavour, id.PF = FlavourPCIPF, uint16(pf)
	switch {
	case p.peek() == 'v' && p.peekAt(1) == 'f':
		p.i += 2
		vf, err := p.number("VF number after 'vf'", math.MaxUint16)
		if err != nil {
			return Identity{}, err
		}
		id.Flavour, id.VF = FlavourPCIVF, uint16(vf)
	case p.peek() == 's' && p.peekAt(1) == 'f':
		p.i += 2
		sf, err := p.number("SF number after 'sf'", math.MaxUint32)
		if err != nil {
			return Identity{}, err
		}
		id.Flavour, id.SF = FlavourPCISF, uint32(sf)
	}
	return id, p.end()
}

type portNameParser struct {
	s string
	i int
}

func (p *portNameParser) peek() byte { return p.peekAt(0) }

func (p *portNameParser) peekAt(n int) byte {
	if p.i+n < len(p.s) {
		return p.s[p.i+n]
	}
	return 0
}

func (p *portNameParser) fail(msg string) error {
	return &ParseError{Text: p.s, Column: p.i + 1, Msg: msg}
}

func (p *portNameParser) literal(lit string) error {
	if len(p.s)-p.i < len(lit) || p.s[p.i:p.i+len(lit)] != lit {
		return p.fail("expected " + strconv.Quote(lit) + " (port names look like p0, pf0, c1pf0vf3, pf0sf0)")
	}
	p.i += len(lit)
	return nil
}

func (p *portNameParser) number(what string, max uint64) (uint64, error) {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	if start == p.i {
		return 0, p.fail("expected " + what)
	}
	digits := p.s[start:p.i]
	if len(digits) > 1 && digits[0] == '0' {
		p.i = start
		return 0, p.fail(what + " has a leading zero")
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n > max {
		p.i = start
		return 0, p.fail(what + " out of range")
	}
	return n, nil
}

func (p *portNameParser) end() error {
	if p.i != len(p.s) {
		return p.fail("unexpected trailing text")
	}
	return nil
}
