// SPDX-License-Identifier: Apache-2.0

package dpflow

var kindNames = map[Kind]string{
	KeyUnknown: "unknown", KeyEncap: "encap", KeyPriority: "skb_priority", KeySkbMark: "skb_mark",
	KeyCTState: "ct_state", KeyCTZone: "ct_zone", KeyCTMark: "ct_mark", KeyCTLabel: "ct_label",
	KeyCTTuple4: "ct_tuple4", KeyCTTuple6: "ct_tuple6", KeyTunnel: "tunnel", KeyInPort: "in_port",
	KeyEth: "eth", KeyVLAN: "vlan", KeyEthType: "eth_type", KeyIPv4: "ipv4", KeyIPv6: "ipv6",
	KeyTCP: "tcp", KeyTCPFlags: "tcp_flags", KeyUDP: "udp", KeySCTP: "sctp", KeyICMP: "icmp",
	KeyICMPv6: "icmpv6", KeyARP: "arp", KeyND: "nd", KeyNDExt: "nd_ext", KeyMPLS: "mpls",
	KeyDPHash: "dp_hash", KeyRecircID: "recirc_id", KeyPacketType: "packet_type", KeyNSH: "nsh",

	ActionUnknown: "unknown", ActionOutput: "output", ActionDrop: "drop", ActionUserspace: "userspace",
	ActionSet: "set", ActionSetMasked: "set_masked", ActionPushVLAN: "push_vlan", ActionPopVLAN: "pop_vlan",
	ActionSample: "sample", ActionRecirc: "recirc", ActionHash: "hash", ActionPushMPLS: "push_mpls",
	ActionPopMPLS: "pop_mpls", ActionAddMPLS: "add_mpls", ActionCT: "ct", ActionCTClear: "ct_clear",
	ActionTrunc: "trunc", ActionPushEth: "push_eth", ActionPopEth: "pop_eth", ActionTunnelPush: "tnl_push",
	ActionTunnelPop: "tnl_pop", ActionClone: "clone", ActionMeter: "meter", ActionPushNSH: "push_nsh",
	ActionPopNSH: "pop_nsh", ActionCheckPktLen: "check_pkt_len", ActionLBOutput: "lb_output",
	ActionDecTTL: "dec_ttl", ActionPsample: "psample",
}

// String returns the key or action name the kind stands for ("output" for
// ActionOutput, "set_masked" for a masked set).
func (k Kind) String() string { return kindNameOf[k] }

// kindNameOf is kindNames as an array, for the JSON encoder's speed.
var kindNameOf = func() (a [256]string) {
	for k, s := range kindNames {
		a[k] = s
	}
	return a
}()

func typedValue(s string, t ValueType, mask bool) any {
	if t == TypeUint || mask && (t == TypePort || t == TypeFlags || t == TypeFrag) {
		if v, err := parseUint(s); err == nil {
			return v
		}
	}
	if t == TypePort && !mask {
		if v, err := parseUint(s); err == nil {
			return v
		}
	}
	return s
}

// MarshalJSON encodes the node with its kind, type, typed value (numbers
// for integers), children, and for ct_state and tcp_flags the decoded flags.
func (n *Node) MarshalJSON() ([]byte, error) { return n.AppendJSON(nil), nil }

// MarshalJSON encodes the flow as one typed object: ufid, in_port,
// recirc_id, the match, the statistics, offloaded, dp, the actions,
// dp_extra_info, the name:value fields of forks (name, type, value), and
// the canonical text. It is AppendJSON's output.
func (f *Flow) MarshalJSON() ([]byte, error) { return f.AppendJSON(nil), nil }
