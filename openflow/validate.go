// SPDX-License-Identifier: Apache-2.0

package openflow

import (
	"net/netip"
)

// Validate checks the values of the match fields whose kind is known (ports,
// Ethernet and IP addresses, integers, packet types, fragment kinds) and
// returns a *ParseError naming the first bad one. Integers may be of any
// width (ct_label and xxreg fields are 128 bits); fields of KindOpaque are not
// checked. Parse does not call it, so that dumps with values this package does
// not know still parse; Programmer.Apply does, before anything is sent.
func (f *Flow) Validate() error {
	for i := range f.Match {
		m := &f.Match[i]
		if m.Raw {
			continue
		}
		if msg := m.check(); msg != "" {
			return &ParseError{Column: 1, Text: m.String(), Msg: m.Name + ": " + msg}
		}
	}
	return nil
}

func (m *MatchField) check() string {
	k := m.Kind()
	if k == KindOpaque {
		return ""
	}
	if k == KindProtocol {
		return ""
	}
	if !m.HasValue {
		return "" // a bare field name ("tun_metadata0") matches on presence
	}
	switch k {
	case KindPort:
		if m.Value == "" || m.HasMask {
			return "not a port"
		}
	case KindMAC:
		if !isMAC(m.Value) || (m.HasMask && !isMAC(m.Mask)) {
			return "not an Ethernet address"
		}
	case KindIPv4, KindIPv6:
		a, err := netip.ParseAddr(m.Value)
		if err != nil || (k == KindIPv4) != a.Is4() {
			return "not an " + map[bool]string{true: "IPv4", false: "IPv6"}[k == KindIPv4] + " address"
		}
		if m.HasMask {
			if n, ok := parseUint(m.Mask, 8); ok && m.Mask[0] != '0' || m.Mask == "0" {
				if int(n) > a.BitLen() {
					return "prefix length too long"
				}
			} else if ma, err := netip.ParseAddr(m.Mask); err != nil || ma.BitLen() != a.BitLen() {
				return "mask is neither a prefix length nor an address"
			}
		}
	case KindInteger:
		if !isInteger(m.Value) || (m.HasMask && !isInteger(m.Mask)) {
			return "not an integer"
		}
	case KindFlags:
		if _, _, ok := m.FlagSet(); !ok && !isInteger(m.Value) {
			return "neither +flag-flag nor an integer"
		}
	case KindPacketType:
		if _, _, err := m.PacketType(); err != nil {
			return "not (namespace,type)"
		}
	case KindFrag:
		switch m.Value {
		case "no", "yes", "first", "later", "not_later":
		default:
			return "not one of no, yes, first, later, not_later"
		}
	}
	return ""
}

// isInteger accepts decimal or 0x hexadecimal digits of any length.
func isInteger(s string) bool {
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		for i := 2; i < len(s); i++ {
			if !isHex(s[i]) {
				return false
			}
		}
		return true
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// isMAC accepts xx:xx:xx:xx:xx:xx (hex digits, either case).
func isMAC(s string) bool {
	if len(s) != 17 {
		return false
	}
	for i := 0; i < 17; i++ {
		if i%3 == 2 {
			if s[i] != ':' {
				return false
			}
		} else if !isHex(s[i]) {
			return false
		}
	}
	return true
}
