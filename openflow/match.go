// SPDX-License-Identifier: Apache-2.0

package openflow

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// MatchField is one field of a flow's match: "ip" (a bare protocol keyword or
// a bare field), "nw_dst=10.0.0.0/8", "in_port=\"my port\"",
// "packet_type=(1,0x800)". Value and Mask keep the spelling of the text; the
// Kind-specific accessors decode them.
type MatchField struct {
	Name     string `json:"name"`
	Value    string `json:"value,omitempty"` // as written; quoted names keep their quotes
	Mask     string `json:"mask,omitempty"`  // text after the top-level '/', when HasMask
	HasValue bool   `json:"has_value"`       // false for bare words such as "ip" or "tcp"
	HasMask  bool   `json:"has_mask,omitempty"`
	// Raw marks ofp-print's NXM/OXM form "NXM_OF_ETH_TYPE(0800)": Value holds
	// the parenthesized hex, written right after Name without '='.
	Raw bool `json:"raw,omitempty"`
}

// FieldKind tells how a match field's value is written.
type FieldKind uint8

// Field kinds.
const (
	KindOpaque     FieldKind = iota // not modelled: Value is kept as written
	KindProtocol                    // bare protocol keyword: ip, tcp6, arp, ...
	KindPort                        // OpenFlow port number or name: in_port
	KindMAC                         // Ethernet address: dl_src, arp_sha, ...
	KindIPv4                        // IPv4 address or prefix: nw_src, arp_tpa, tun_dst, ...
	KindIPv6                        // IPv6 address or prefix: ipv6_src, nd_target, ...
	KindInteger                     // unsigned integer, decimal or 0x hex: reg0, tp_dst, metadata, ...
	KindFlags                       // +flag-flag or integer: ct_state, tcp_flags, tun_flags
	KindPacketType                  // packet_type=(ns,type)
	KindFrag                        // nw_frag=no|yes|first|later|not_later
)

var kindNames = [...]string{"opaque", "protocol", "port", "mac", "ipv4", "ipv6", "integer", "flags", "packet_type", "frag"}

// String names the kind.
func (k FieldKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind" + strconv.Itoa(int(k))
}

var fieldKinds = func() map[string]FieldKind {
	m := map[string]FieldKind{}
	add := func(k FieldKind, names string) {
		for _, n := range strings.Fields(names) {
			m[n] = k
		}
	}
	add(KindProtocol, "ip ipv4 ipv6 ip6 icmp icmp6 tcp tcp6 udp udp6 sctp sctp6 arp rarp mpls mplsm eth dl_type_any")
	add(KindPort, "in_port in_port_oxm actset_output")
	add(KindMAC, "dl_src dl_dst eth_src eth_dst arp_sha arp_tha nd_sll nd_tll")
	add(KindIPv4, "nw_src nw_dst ip_src ip_dst arp_spa arp_tpa tun_src tun_dst ct_nw_src ct_nw_dst")
	add(KindIPv6, "ipv6_src ipv6_dst nd_target tun_ipv6_src tun_ipv6_dst ct_ipv6_src ct_ipv6_dst")
	add(KindFlags, "ct_state tcp_flags tun_flags")
	add(KindPacketType, "packet_type")
	add(KindFrag, "nw_frag ip_frag")
	add(KindInteger, "metadata ct_mark ct_label ct_zone ct_nw_proto ct_tp_src ct_tp_dst tp_src tp_dst "+
		"tcp_src tcp_dst udp_src udp_dst sctp_src sctp_dst dl_type eth_type nw_proto ip_proto nw_tos ip_dscp "+
		"nw_ecn ip_ecn nw_ttl dl_vlan dl_vlan_pcp vlan_tci vlan_vid vlan_pcp mpls_label mpls_tc mpls_bos mpls_ttl "+
		"tun_id tunnel_id pkt_mark conj_id icmp_type icmp_code icmpv6_type icmpv6_code ipv6_label recirc_id dp_hash "+
		"skb_priority tun_gbp_id tun_gbp_flags tun_erspan_ver tun_erspan_idx tun_erspan_dir tun_erspan_hwid "+
		"arp_op nd_reserved nd_options_type nsh_flags nsh_ttl nsh_mdtype nsh_np nsh_spi nsh_si nsh_c1 nsh_c2 nsh_c3 nsh_c4 "+
		"tun_gtpu_flags tun_gtpu_msgtype")
	for i := 0; i < 16; i++ {
		m["reg"+strconv.Itoa(i)] = KindInteger
	}
	for i := 0; i < 8; i++ {
		m["xreg"+strconv.Itoa(i)] = KindInteger
	}
	for i := 0; i < 4; i++ {
		m["xxreg"+strconv.Itoa(i)] = KindInteger
	}
	for i := 0; i < 64; i++ {
		m["tun_metadata"+strconv.Itoa(i)] = KindInteger
	}
	return m
}()

// Kind returns how the field's value is written, from its name.
func (m MatchField) Kind() FieldKind {
	if k, ok := fieldKinds[m.Name]; ok {
		if k == KindProtocol && m.HasValue {
			return KindOpaque
		}
		return k
	}
	return KindOpaque
}

// String returns the field as OVS writes it.
func (m MatchField) String() string { return string(m.appendText(nil)) }

func (m *MatchField) appendText(b []byte) []byte {
	b = append(b, m.Name...)
	if m.Raw {
		return append(b, m.Value...)
	}
	if m.HasValue {
		b = append(b, '=')
		b = append(b, m.Value...)
		if m.HasMask {
			b = append(b, '/')
			b = append(b, m.Mask...)
		}
	}
	return b
}

// maskSlash returns the offset of the '/' that separates a value from its
// mask, outside quotes and parentheses, or -1.
func maskSlash(v string) int {
	if v == "" || v[0] == '"' || v[0] == '(' {
		return -1
	}
	return strings.LastIndexByte(v, '/')
}

// Uint decodes an integer value (decimal or 0x hexadecimal, up to 64 bits).
func (m MatchField) Uint() (uint64, error) {
	n, ok := parseUint(m.Value, 64)
	if !ok {
		return 0, m.valueErr("not an unsigned integer of at most 64 bits")
	}
	return n, nil
}

// MaskUint decodes an integer mask; a field without a mask has an all-ones mask.
func (m MatchField) MaskUint() (uint64, error) {
	if !m.HasMask {
		return ^uint64(0), nil
	}
	n, ok := parseUint(m.Mask, 64)
	if !ok {
		return 0, m.valueErr("mask is not an unsigned integer")
	}
	return n, nil
}

// Prefix decodes an IPv4 or IPv6 address with an optional "/len" or
// address-form mask that is a prefix. An address without a mask is a full
// prefix.
func (m MatchField) Prefix() (netip.Prefix, error) {
	a, err := netip.ParseAddr(m.Value)
	if err != nil {
		return netip.Prefix{}, m.valueErr("not an IP address")
	}
	bits := a.BitLen()
	if m.HasMask {
		if n, ok := parseUint(m.Mask, 8); ok && !strings.HasPrefix(m.Mask, "0x") {
			bits = int(n)
		} else {
			ma, err := netip.ParseAddr(m.Mask)
			if err != nil || ma.BitLen() != a.BitLen() {
				return netip.Prefix{}, m.valueErr("mask is neither a prefix length nor an address")
			}
			ones, size := net.IPMask(ma.AsSlice()).Size()
			if size == 0 {
				return netip.Prefix{}, m.valueErr("address mask is not a prefix")
			}
			bits = ones
		}
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return netip.Prefix{}, m.valueErr("invalid prefix length")
	}
	return p, nil
}

// HardwareAddr decodes an Ethernet address value.
func (m MatchField) HardwareAddr() (net.HardwareAddr, error) {
	hw, err := net.ParseMAC(m.Value)
	if err != nil || len(hw) != 6 {
		return nil, m.valueErr("not an Ethernet address")
	}
	return hw, nil
}

// PortName returns the port of an in_port-like field with quotes removed.
func (m MatchField) PortName() string { return unquote(m.Value) }

// PacketType decodes packet_type=(ns,type).
func (m MatchField) PacketType() (ns uint16, typ uint16, err error) {
	v := m.Value
	if len(v) < 5 || v[0] != '(' || v[len(v)-1] != ')' {
		return 0, 0, m.valueErr("not (namespace,type)")
	}
	a, b, ok := strings.Cut(v[1:len(v)-1], ",")
	n1, ok1 := parseUint(strings.TrimSpace(a), 16)
	n2, ok2 := parseUint(strings.TrimSpace(b), 16)
	if !ok || !ok1 || !ok2 {
		return 0, 0, m.valueErr("not (namespace,type)")
	}
	return uint16(n1), uint16(n2), nil
}

// FlagSet decodes "+trk-new+est" into the flags set and cleared. A numeric
// value returns ok=false; use Uint then.
func (m MatchField) FlagSet() (set, cleared []string, ok bool) {
	v := m.Value
	if v == "" || (v[0] != '+' && v[0] != '-') {
		return nil, nil, false
	}
	for len(v) > 0 {
		sign := v[0]
		j := 1
		for j < len(v) && v[j] != '+' && v[j] != '-' {
			j++
		}
		if sign == '+' {
			set = append(set, v[1:j])
		} else {
			cleared = append(cleared, v[1:j])
		}
		v = v[j:]
	}
	return set, cleared, true
}

func (m MatchField) valueErr(msg string) error {
	return &ParseError{Column: 1, Text: m.String(), Msg: m.Name + ": " + msg}
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
		return s[1 : len(s)-1]
	}
	return s
}
