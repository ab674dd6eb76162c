// SPDX-License-Identifier: Apache-2.0

package dpflow

// The schema of the keys and actions that OVS prints (lib/odp-util.c): which
// fields each one has and their types. It drives typing and validation;
// anything it does not describe is kept opaque, except in the strict specs,
// which mirror OVS parsers that reject unknown parts.

type body uint8

const (
	bodyOpaque  body = iota // not checked
	bodyScalar              // one bare value of spec.typ (or nothing when emptyOK)
	bodyFields              // fields, bare flags and groups
	bodyKeys                // nested keys (encap, set)
	bodyActions             // nested actions (clone, sample's actions, ...)
)

type spec struct {
	kind     Kind
	body     body
	typ      ValueType
	emptyOK  bool
	strict   bool
	fields   []field
	check    func(p *parser, n *Node) error
	fastOK   bool // the fast path may type it (see markFastSpecs)
	uniqueEq bool // no two name=value fields share a name
	leafOnly bool // no field is a group: the fast path builds its elements in the arena
}

type field struct {
	name     string
	typ      ValueType // of a name=value field, or of a bare value when name == ""
	sub      *spec     // a name(...) group, or an anonymous one when name == ""
	bare     bool      // a bare flag word such as commit
	once     bool      // at most once (strict specs)
	required bool      // must be present (strict specs only)
	isValue  bool      // a name=value field with a name of at most 14 bytes (set by markFastSpecs)
	eq       word      // name and '=', of a name=value field (set by markFastSpecs)
}

func f(name string, t ValueType) field { return field{name: name, typ: t} }
func flag(name string) field           { return field{name: name, bare: true} }
func group(name string, s *spec) field { return field{name: name, sub: s} }
func fields(fs ...field) *spec         { return &spec{body: bodyFields, fields: fs} }
func strictFields(fs ...field) *spec   { return &spec{body: bodyFields, fields: fs, strict: true} }
func scalar(t ValueType) *spec         { return &spec{body: bodyScalar, typ: t, emptyOK: true} }
func scalarKind(k Kind, t ValueType) *spec {
	return &spec{kind: k, body: bodyScalar, typ: t, emptyOK: true}
}
func withKind(k Kind, s *spec) *spec { s.kind = k; return s }
func bareValues(t ValueType) *spec   { return fields(f("", t)) }
func actionList() *spec              { return &spec{body: bodyActions} }
func uints(names ...string) (out []field) {
	for _, n := range names {
		out = append(out, f(n, TypeUint))
	}
	return out
}

var (
	nshFields = append(uints("flags", "ttl", "mdtype", "np", "spi", "si", "c1", "c2", "c3", "c4"), f("md2", TypeHex))

	geneveOption = fields(f("class", TypeUint), f("type", TypeUint), f("len", TypeUint), f("", TypeHex))

	tunnelSpec = withKind(KeyTunnel, fields(
		f("tun_id", TypeUint), f("src", TypeIPv4), f("dst", TypeIPv4),
		f("ipv6_src", TypeIPv6), f("ipv6_dst", TypeIPv6),
		f("tos", TypeUint), f("ttl", TypeUint), f("tp_src", TypeUint), f("tp_dst", TypeUint),
		group("flags", bareValues(TypeFlags)),
		group("geneve", fields(group("", geneveOption))),
		group("vxlan", fields(f("flags", TypeUint), f("vni", TypeUint), group("gbp", fields(uints("id", "flags")...)))),
		group("erspan", fields(uints("ver", "sid", "idx", "dir", "hwid")...)),
		group("gtpu", fields(uints("flags", "msgtype")...)),
	))
)

var keySpecs = map[string]*spec{
	"encap":        {kind: KeyEncap, body: bodyKeys},
	"skb_priority": scalarKind(KeyPriority, TypeUint),
	"skb_mark":     scalarKind(KeySkbMark, TypeUint),
	"ct_state":     scalarKind(KeyCTState, TypeFlags),
	"ct_zone":      scalarKind(KeyCTZone, TypeUint),
	"ct_mark":      scalarKind(KeyCTMark, TypeUint),
	"ct_label":     scalarKind(KeyCTLabel, TypeHex),
	"ct_tuple4": withKind(KeyCTTuple4, fields(f("src", TypeIPv4), f("dst", TypeIPv4),
		f("proto", TypeUint), f("tp_src", TypeUint), f("tp_dst", TypeUint))),
	"ct_tuple6": withKind(KeyCTTuple6, fields(f("src", TypeIPv6), f("dst", TypeIPv6),
		f("proto", TypeUint), f("src_port", TypeUint), f("dst_port", TypeUint))),
	"tunnel":   tunnelSpec,
	"in_port":  scalarKind(KeyInPort, TypePort),
	"eth":      withKind(KeyEth, fields(f("src", TypeMAC), f("dst", TypeMAC))),
	"vlan":     withKind(KeyVLAN, fields(uints("vid", "pcp", "cfi", "tpid")...)),
	"eth_type": scalarKind(KeyEthType, TypeUint),
	"ipv4": withKind(KeyIPv4, fields(f("src", TypeIPv4), f("dst", TypeIPv4),
		f("proto", TypeUint), f("tos", TypeUint), f("ttl", TypeUint), f("frag", TypeFrag))),
	"ipv6": withKind(KeyIPv6, fields(f("src", TypeIPv6), f("dst", TypeIPv6), f("label", TypeUint),
		f("proto", TypeUint), f("tclass", TypeUint), f("hlimit", TypeUint), f("frag", TypeFrag))),
	"tcp":       withKind(KeyTCP, fields(uints("src", "dst")...)),
	"tcp_flags": withKind(KeyTCPFlags, bareValues(TypeFlags)),
	"udp":       withKind(KeyUDP, fields(uints("src", "dst")...)),
	"sctp":      withKind(KeySCTP, fields(uints("src", "dst")...)),
	"icmp":      withKind(KeyICMP, fields(uints("type", "code")...)),
	"icmpv6":    withKind(KeyICMPv6, fields(uints("type", "code")...)),
	"arp": withKind(KeyARP, fields(f("sip", TypeIPv4), f("tip", TypeIPv4), f("op", TypeUint),
		f("sha", TypeMAC), f("tha", TypeMAC))),
	"nd":          withKind(KeyND, fields(f("target", TypeIPv6), f("sll", TypeMAC), f("tll", TypeMAC))),
	"nd_ext":      withKind(KeyNDExt, fields(uints("nd_reserved", "nd_options_type")...)),
	"mpls":        withKind(KeyMPLS, fields(uints("label", "tc", "ttl", "bos")...)),
	"dp_hash":     scalarKind(KeyDPHash, TypeUint),
	"recirc_id":   scalarKind(KeyRecircID, TypeUint),
	"packet_type": withKind(KeyPacketType, fields(uints("ns", "id")...)),
	"nsh":         withKind(KeyNSH, fields(nshFields...)),
}

func once(fl field) field     { fl.once = true; return fl }
func required(fl field) field { fl.required = true; fl.once = true; return fl }

var (
	natSpec = strictFields(flag("src"), flag("dst"), f("src", TypeString), f("dst", TypeString),
		flag("persistent"), flag("hash"), flag("random"))

	headerSpec = &spec{body: bodyFields, strict: true, check: checkTunnelHeader, fields: []field{
		f("size", TypeUint), f("type", TypeUint),
		group("eth", strictFields(f("dst", TypeMAC), f("src", TypeMAC), f("dl_type", TypeUint))),
		group("ipv4", strictFields(f("src", TypeIPv4), f("dst", TypeIPv4), f("proto", TypeUint),
			f("tos", TypeUint), f("ttl", TypeUint), f("frag", TypeUint))),
		group("ipv6", strictFields(f("src", TypeIPv6), f("dst", TypeIPv6), f("label", TypeUint),
			f("proto", TypeUint), f("tclass", TypeUint), f("hlimit", TypeUint))),
		group("udp", strictFields(uints("src", "dst", "csum")...)),
		group("vxlan", strictFields(uints("flags", "vni")...)),
		group("geneve", strictFields(flag("oam"), flag("crit"), f("vni", TypeUint),
			group("options", fields(group("", geneveOption))))),
		group("gre", strictFields(group("", strictFields(uints("flags", "proto")...)),
			f("csum", TypeUint), f("key", TypeUint), f("seq", TypeUint))),
		group("erspan", strictFields(uints("ver", "sid", "idx", "dir", "hwid")...)),
		group("gtpu", strictFields(uints("flags", "msgtype", "teid")...)),
		group("srv6", strictFields(f("segments_left", TypeUint), group("segs", bareValues(TypeIPv6)))),
	}}
)

var actionSpecs = map[string]*spec{
	"userspace": {kind: ActionUserspace, body: bodyFields, fields: []field{
		f("pid", TypeUint), f("tunnel_out_port", TypePort), flag("actions"),
		group("sFlow", fields(uints("vid", "pcp", "output")...)),
		group("slow_path", bareValues(TypeFlags)),
		group("flow_sample", fields(f("probability", TypeUint), f("collector_set_id", TypeUint),
			f("obs_domain_id", TypeUint), f("obs_point_id", TypeUint), f("output_port", TypePort),
			flag("ingress"), flag("egress"))),
		group("ipfix", fields(f("output_port", TypePort))),
		group("controller", fields(uints("reason", "dont_send", "continuation", "recirc_id",
			"rule_cookie", "controller_id", "max_len")...)),
		group("userdata", &spec{body: bodyScalar, typ: TypeHex, emptyOK: true}),
	}},
	"set":       {kind: ActionSet, body: bodyKeys, check: checkSet},
	"push_vlan": withKind(ActionPushVLAN, strictFields(uints("tpid", "vid", "pcp", "cfi")...)),
	"sample": {kind: ActionSample, body: bodyFields, strict: true, fields: []field{
		f("sample", TypeString), group("actions", actionList())}},
	"recirc": scalarKind(ActionRecirc, TypeUint),
	"hash": {kind: ActionHash, body: bodyFields, fields: []field{
		group("l4", scalar(TypeUint)), group("sym_l4", scalar(TypeUint))}},
	"push_mpls": withKind(ActionPushMPLS, strictFields(uints("label", "tc", "ttl", "bos", "eth_type")...)),
	"add_mpls":  withKind(ActionAddMPLS, strictFields(uints("label", "tc", "ttl", "bos", "eth_type")...)),
	"pop_mpls":  withKind(ActionPopMPLS, strictFields(f("eth_type", TypeUint))),
	"ct": {kind: ActionCT, body: bodyFields, strict: true, fields: []field{
		flag("commit"), flag("force_commit"), f("zone", TypeUint), f("mark", TypeUint),
		f("label", TypeHex), f("helper", TypeString), f("timeout", TypeString),
		flag("nat"), group("nat", natSpec)}},
	"trunc":    scalarKind(ActionTrunc, TypeUint),
	"push_eth": withKind(ActionPushEth, strictFields(f("src", TypeMAC), f("dst", TypeMAC))),
	"tnl_push": {kind: ActionTunnelPush, body: bodyFields, strict: true, fields: []field{
		group("tnl_port", scalar(TypePort)), group("header", headerSpec), group("out_port", scalar(TypePort))}},
	"tnl_pop":  {kind: ActionTunnelPop, body: bodyScalar, typ: TypePort},
	"clone":    {kind: ActionClone, body: bodyActions},
	"meter":    {kind: ActionMeter, body: bodyScalar, typ: TypeUint},
	"push_nsh": withKind(ActionPushNSH, fields(nshFields...)),
	"pop_nsh":  {kind: ActionPopNSH, body: bodyScalar, typ: TypeNone, emptyOK: true},
	"check_pkt_len": {kind: ActionCheckPktLen, body: bodyFields, strict: true, fields: []field{
		f("size", TypeUint), group("gt", actionList()), group("le", actionList())}},
	"lb_output": {kind: ActionLBOutput, body: bodyScalar, typ: TypeUint},
	"dec_ttl": {kind: ActionDecTTL, body: bodyFields, strict: true, fields: []field{
		group("le_1", actionList())}},
	"psample": {kind: ActionPsample, body: bodyFields, strict: true, check: checkPsample, fields: []field{
		required(f("group", TypeUint)), once(f("cookie", TypeHex))}},
}

// bareAction returns the kind of an action printed as a single word, or
// KindNone.
func bareAction(w string) Kind {
	switch w {
	case "drop":
		return ActionDrop
	case "pop_vlan":
		return ActionPopVLAN
	case "ct_clear":
		return ActionCTClear
	case "pop_eth":
		return ActionPopEth
	case "ct":
		return ActionCT
	}
	return KindNone
}

// specTable indexes specs by the first byte of their name, for a lookup
// cheaper than a map's.
type specTable [128][]namedSpec

type namedSpec struct {
	name string
	spec *spec
}

var keyTable, actionTable specTable

func init() {
	for name, sp := range keySpecs {
		keyTable[name[0]&127] = append(keyTable[name[0]&127], namedSpec{name, sp})
	}
	for name, sp := range actionSpecs {
		actionTable[name[0]&127] = append(actionTable[name[0]&127], namedSpec{name, sp})
	}
	markFastSpecs(keySpecs)
	markFastSpecs(actionSpecs)
}

func lookup(t *specTable, name string) *spec {
	if name == "" {
		return nil
	}
	for _, e := range t[name[0]&127] {
		if len(e.name) == len(name) && e.name == name {
			return e.spec
		}
	}
	return nil
}
