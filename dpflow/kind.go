// SPDX-License-Identifier: Apache-2.0

package dpflow

// Kind identifies a datapath key (match field) or action.
type Kind uint8

// Keys, as printed in the match part of a flow (OVS_KEY_ATTR_*).
const (
	KindNone      Kind = iota // a field or group, not a key or action
	KeyUnknown                // a key this package does not know, e.g. key32(...): kept opaque
	KeyEncap                  // encap(...): keys of the inner packet
	KeyPriority               // skb_priority(...)
	KeySkbMark                // skb_mark(...)
	KeyCTState                // ct_state(...), as flags (+trk-new) or hex
	KeyCTZone                 // ct_zone(...)
	KeyCTMark                 // ct_mark(...)
	KeyCTLabel                // ct_label(...)
	KeyCTTuple4               // ct_tuple4(...)
	KeyCTTuple6               // ct_tuple6(...)
	KeyTunnel                 // tunnel(...), with geneve/vxlan/erspan/gtpu options
	KeyInPort                 // in_port(...), a number or a port name with --names
	KeyEth                    // eth(src=...,dst=...)
	KeyVLAN                   // vlan(vid=...,pcp=...)
	KeyEthType                // eth_type(...)
	KeyIPv4                   // ipv4(...)
	KeyIPv6                   // ipv6(...)
	KeyTCP                    // tcp(src=...,dst=...)
	KeyTCPFlags               // tcp_flags(...)
	KeyUDP                    // udp(...)
	KeySCTP                   // sctp(...)
	KeyICMP                   // icmp(type=...,code=...)
	KeyICMPv6                 // icmpv6(...)
	KeyARP                    // arp(...)
	KeyND                     // nd(...)
	KeyNDExt                  // nd_ext(...)
	KeyMPLS                   // mpls(...), one label stack entry per label=,tc=,ttl=,bos= group
	KeyDPHash                 // dp_hash(...)
	KeyRecircID               // recirc_id(...)
	KeyPacketType             // packet_type(ns=...,id=...)
	KeyNSH                    // nsh(...)
)

// Actions (OVS_ACTION_ATTR_*).
const (
	ActionUnknown     Kind = iota + 64 // an action this package does not know: kept opaque
	ActionOutput                       // a bare port number or name
	ActionDrop                         // drop
	ActionUserspace                    // userspace(...)
	ActionSet                          // set(key)
	ActionSetMasked                    // set(key with /masks)
	ActionPushVLAN                     // push_vlan(...)
	ActionPopVLAN                      // pop_vlan
	ActionSample                       // sample(sample=N%,actions(...))
	ActionRecirc                       // recirc(...)
	ActionHash                         // hash(l4(N)) or hash(sym_l4(N))
	ActionPushMPLS                     // push_mpls(...)
	ActionPopMPLS                      // pop_mpls(eth_type=...)
	ActionAddMPLS                      // add_mpls(...)
	ActionCT                           // ct or ct(...), with nat(...)
	ActionCTClear                      // ct_clear
	ActionTrunc                        // trunc(N)
	ActionPushEth                      // push_eth(...)
	ActionPopEth                       // pop_eth
	ActionTunnelPush                   // tnl_push(tnl_port(...),header(...),out_port(...))
	ActionTunnelPop                    // tnl_pop(port)
	ActionClone                        // clone(actions)
	ActionMeter                        // meter(N)
	ActionPushNSH                      // push_nsh(...)
	ActionPopNSH                       // pop_nsh()
	ActionCheckPktLen                  // check_pkt_len(size=N,gt(...),le(...))
	ActionLBOutput                     // lb_output(N)
	ActionDecTTL                       // dec_ttl(le_1(...))
	ActionPsample                      // psample(group=N[,cookie=0x...])
)

// IsKey reports whether k is a key kind.
func (k Kind) IsKey() bool { return k >= KeyUnknown && k < ActionUnknown }

// IsAction reports whether k is an action kind.
func (k Kind) IsAction() bool { return k >= ActionUnknown }

// ValueType is the type of a node's value and mask.
type ValueType uint8

// Value types.
const (
	TypeNone   ValueType = iota // no value
	TypeUint                    // decimal or 0x-hexadecimal integer (up to 64 bits)
	TypeHex                     // hexadecimal bytes or a wide integer (ct_label, userdata, cookies)
	TypeMAC                     // Ethernet address
	TypeIPv4                    // IPv4 address (mask: address or prefix length)
	TypeIPv6                    // IPv6 address (mask: address or prefix length)
	TypePort                    // datapath port number, or name with --names
	TypeFlags                   // flag words: +trk-new, csum|key, none, or a hex value
	TypeFrag                    // ip fragment type: no, first, later, or a number
	TypeString                  // free text (helper=, timeout=, nat ranges, sample=50.0%)
	TypeUFID                    // a UFID, 8-4-4-4-12 hex digits (a Field's value, such as mega_ufid:)
)

var typeNames = [...]string{"none", "uint", "hex", "mac", "ipv4", "ipv6", "port", "flags", "frag", "string", "ufid"}

// String returns the type's name, as used in JSON.
func (t ValueType) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "unknown"
}
