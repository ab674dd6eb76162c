// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"testing"

	"github.com/mdlayher/netlink"
)

// wire returns the bytes of m as sent, with sequence and port 0.
func wire(m netlink.Message) []byte {
	b := binary.NativeEndian.AppendUint32(nil, uint32(16+len(m.Data)))
	b = binary.NativeEndian.AppendUint16(b, uint16(m.Header.Type))
	b = binary.NativeEndian.AppendUint16(b, uint16(m.Header.Flags))
	b = append(b, make([]byte, 8)...)
	return append(b, m.Data...)
}

var testUFID = ufidWords(0x1d2c3b4a, 0x5f6e7d8c, 0x90a1b2c3, 0xd4e5f607)

func mac(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

// Golden encode cases: the spec, the tc command that asks the same, and the
// bytes, written with literal UAPI numbers.
var encodeCases = []struct {
	name string
	op   filterOp
	spec FilterSpec
	want []byte
}{
	{
		// tc filter add dev if7 ingress protocol ip chain 0 pref 1 handle 1 flower skip_hw \
		//   dst_mac 02:00:00:00:00:02 src_mac 02:00:00:00:00:01 ip_proto tcp dst_ip 10.0.0.0/24 dst_port 80 \
		//   action mirred egress redirect dev if8 cookie 4a3b2c1d8c7d6e5fc3b2a19007f6e5d4
		name: "ipv4-tcp-redirect-cookie",
		op:   opAdd,
		spec: FilterSpec{
			FilterID: FilterID{Ifindex: 7, Parent: ParentIngress, Prio: 1, Protocol: EthPIP, Handle: 1},
			Flags:    FlagSkipHW,
			Match: Match{
				EthDst: mac("02:00:00:00:00:02"), EthDstMask: mac("ff:ff:ff:ff:ff:ff"),
				EthSrc: mac("02:00:00:00:00:01"), EthSrcMask: mac("ff:ff:ff:ff:ff:ff"),
				EthType: EthPIP, IPProto: Ptr[uint8](6),
				Dst: netip.MustParseAddr("10.0.0.0"), DstMask: netip.MustParseAddr("255.255.255.0"),
				DstPort: 80, DstPortMask: 0xffff,
			},
			Actions: []Action{Redirect(8).WithCookie(UFIDCookie(testUFID))},
		},
		want: nlmsg(44 /* RTM_NEWTFILTER */, 0x605, /* REQUEST|ACK|EXCL|CREATE */
			tcmHdr(7, 1, 0xFFFFFFF2, info(1, 0x0800)),
			nla(1 /* TCA_KIND */, cstr("flower")),
			nla(11 /* TCA_CHAIN */, n32(0)),
			nest(2, /* TCA_OPTIONS */
				nla(4 /* KEY_ETH_DST */, ip(2, 0, 0, 0, 0, 2)),
				nla(5 /* KEY_ETH_DST_MASK */, ip(0xff, 0xff, 0xff, 0xff, 0xff, 0xff)),
				nla(6 /* KEY_ETH_SRC */, ip(2, 0, 0, 0, 0, 1)),
				nla(7 /* KEY_ETH_SRC_MASK */, ip(0xff, 0xff, 0xff, 0xff, 0xff, 0xff)),
				nla(8 /* KEY_ETH_TYPE */, b16(0x0800)),
				nla(9 /* KEY_IP_PROTO */, u8(6)),
				nla(12 /* KEY_IPV4_DST */, ip(10, 0, 0, 0)),
				nla(13 /* KEY_IPV4_DST_MASK */, ip(255, 255, 255, 0)),
				nla(19 /* KEY_TCP_DST */, b16(80)),
				nla(36 /* KEY_TCP_DST_MASK */, b16(0xffff)),
				nla(22 /* TCA_FLOWER_FLAGS */, n32(1 /* SKIP_HW */)),
				nest(3, /* TCA_FLOWER_ACT */
					nest(1,
						nla(1 /* TCA_ACT_KIND */, cstr("mirred")),
						nest(2, /* TCA_ACT_OPTIONS */
							nla(2 /* TCA_MIRRED_PARMS */, tcGenB(0, 4 /* STOLEN */, 0, 0), n32(1 /* EGRESS_REDIR */), n32(8))),
						nla(6 /* TCA_ACT_COOKIE */, n32(0x1d2c3b4a), n32(0x5f6e7d8c), n32(0x90a1b2c3), n32(0xd4e5f607)))))),
	},
	{
		// tc filter replace dev if3 ingress protocol ipv6 chain 2 pref 5 handle 9 flower skip_sw \
		//   src_ip 2001:db8::1 ct_state +trk+est ct_zone 5 \
		//   action ct zone 5 commit pipe action goto chain 7
		name: "ipv6-ct-goto",
		op:   opReplace,
		spec: FilterSpec{
			FilterID: FilterID{Ifindex: 3, Parent: ParentIngress, Chain: 2, Prio: 5, Protocol: EthPIPv6, Handle: 9},
			Flags:    FlagSkipSW,
			Match: Match{
				EthType: EthPIPv6,
				Src:     netip.MustParseAddr("2001:db8::1"), SrcMask: netip.MustParseAddr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
				CtState: CtTracked | CtEstablished, CtStateMask: CtTracked | CtEstablished,
				CtZone: 5, CtZoneMask: 0xffff,
			},
			Actions: []Action{Conntrack(CT{Flags: CtCommit, Zone: 5}), Goto(7)},
		},
		want: nlmsg(44, 0x505, /* REQUEST|ACK|REPLACE|CREATE */
			tcmHdr(3, 9, 0xFFFFFFF2, info(5, 0x86DD)),
			nla(1, cstr("flower")),
			nla(11, n32(2)),
			nest(2,
				nla(8, b16(0x86DD)),
				nla(14 /* KEY_IPV6_SRC */, ip(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)),
				nla(15 /* KEY_IPV6_SRC_MASK */, bytes.Repeat([]byte{0xff}, 16)),
				nla(91 /* KEY_CT_STATE */, n16(0x0a)),
				nla(92 /* KEY_CT_STATE_MASK */, n16(0x0a)),
				nla(93 /* KEY_CT_ZONE */, n16(5)),
				nla(94 /* KEY_CT_ZONE_MASK */, n16(0xffff)),
				nla(22, n32(2 /* SKIP_SW */)),
				nest(3,
					nest(1,
						nla(1, cstr("ct")),
						nest(2,
							nla(1 /* TCA_CT_PARMS */, tcGenB(0, 3 /* PIPE */, 0, 0)),
							nla(3 /* TCA_CT_ACTION */, n16(1 /* COMMIT */)),
							nla(4 /* TCA_CT_ZONE */, n16(5)))),
					nest(2,
						nla(1, cstr("gact")),
						nest(2,
							nla(2 /* TCA_GACT_PARMS */, tcGenB(0, 0x20000007 /* GOTO_CHAIN|7 */, 0, 0))))))),
	},
	{
		// tc filter add dev genev_sys_6081 ingress protocol ip pref 3 handle 3 flower \
		//   enc_key_id 42 enc_src_ip 192.168.1.2 enc_dst_ip 192.168.1.1 enc_dst_port 6081 \
		//   action tunnel_key unset action vlan push id 100 priority 3 \
		//   action pedit ex munge ip ttl set 63 action mirred egress mirror dev if8 action drop
		name: "decap-vlan-pedit-mirror",
		op:   opAdd,
		spec: FilterSpec{
			FilterID: FilterID{Ifindex: 11, Parent: ParentIngressQdisc, Prio: 3, Protocol: EthPIP, Handle: 3},
			Match: Match{
				EthType:  EthPIP,
				EncKeyID: Ptr[uint32](42),
				EncSrc:   netip.MustParseAddr("192.168.1.2"), EncSrcMask: netip.MustParseAddr("255.255.255.255"),
				EncDst: netip.MustParseAddr("192.168.1.1"), EncDstMask: netip.MustParseAddr("255.255.255.255"),
				EncDstPort: 6081, EncDstPortMask: 0xffff,
			},
			Actions: []Action{UnsetTunnel(), PushVLAN(100, 3, EthP8021Q),
				Edit(PeditKey{Htype: 2, Cmd: 0, Off: 8, Mask: 0x00ffffff, Val: 0x3f000000}),
				Mirror(8), Drop()},
		},
		want: nlmsg(44, 0x605,
			tcmHdr(11, 3, 0xFFFF0000, info(3, 0x0800)),
			nla(1, cstr("flower")),
			nla(11, n32(0)),
			nest(2,
				nla(8, b16(0x0800)),
				nla(26 /* KEY_ENC_KEY_ID */, b32(42)),
				nla(27 /* KEY_ENC_IPV4_SRC */, ip(192, 168, 1, 2)),
				nla(28, ip(255, 255, 255, 255)),
				nla(29 /* KEY_ENC_IPV4_DST */, ip(192, 168, 1, 1)),
				nla(30, ip(255, 255, 255, 255)),
				nla(45 /* KEY_ENC_UDP_DST_PORT */, b16(6081)),
				nla(46, b16(0xffff)),
				nla(22, n32(0)),
				nest(3,
					nest(1, nla(1, cstr("tunnel_key")),
						nest(2, nla(2 /* TCA_TUNNEL_KEY_PARMS */, tcGenB(0, 3, 0, 0), n32(2 /* RELEASE */)))),
					nest(2, nla(1, cstr("vlan")),
						nest(2,
							nla(2 /* TCA_VLAN_PARMS */, tcGenB(0, 3, 0, 0), n32(2 /* PUSH */)),
							nla(3 /* PUSH_VLAN_ID */, n16(100)),
							nla(4 /* PUSH_VLAN_PROTOCOL */, b16(0x8100)),
							nla(6 /* PUSH_VLAN_PRIORITY */, u8(3)))),
					nest(3, nla(1, cstr("pedit")),
						nest(2,
							nla(4 /* TCA_PEDIT_PARMS_EX */, tcGenB(0, 3, 0, 0), []byte{1, 0, 0, 0},
								n32(0x00ffffff), n32(0x3f000000), n32(8), n32(0), n32(0), n32(0)),
							nest(5, /* TCA_PEDIT_KEYS_EX */
								nest(6, /* TCA_PEDIT_KEY_EX */
									nla(1 /* HTYPE */, n16(2)), nla(2 /* CMD */, n16(0)))))),
					nest(4, nla(1, cstr("mirred")),
						nest(2, nla(2, tcGenB(0, 3 /* PIPE */, 0, 0), n32(2 /* EGRESS_MIRROR */), n32(8)))),
					nest(5, nla(1, cstr("gact")),
						nest(2, nla(2, tcGenB(0, 2 /* SHOT */, 0, 0))))))),
	},
	{
		// tc filter add dev if5 egress protocol all pref 9 handle 2 flower \
		//   action tunnel_key set src_ip 10.1.0.1 dst_ip 10.1.0.2 id 7 dst_port 6081 tos 0 ttl 64 nocsum \
		//   action mirred egress redirect dev if6
		name: "encap",
		op:   opAdd,
		spec: FilterSpec{
			FilterID: FilterID{Ifindex: 5, Parent: ParentEgress, Prio: 9, Protocol: EthPAll, Handle: 2},
			Actions: []Action{SetTunnel(TunnelKey{Src: netip.MustParseAddr("10.1.0.1"), Dst: netip.MustParseAddr("10.1.0.2"),
				KeyID: Ptr[uint32](7), DstPort: 6081, TTL: 64, NoCsum: true}), Redirect(6)},
		},
		want: nlmsg(44, 0x605,
			tcmHdr(5, 2, 0xFFFFFFF3, info(9, 0x0003)),
			nla(1, cstr("flower")),
			nla(11, n32(0)),
			nest(2,
				nla(22, n32(0)),
				nest(3,
					nest(1, nla(1, cstr("tunnel_key")),
						nest(2,
							nla(2, tcGenB(0, 3, 0, 0), n32(1 /* SET */)),
							nla(3 /* ENC_IPV4_SRC */, ip(10, 1, 0, 1)),
							nla(4 /* ENC_IPV4_DST */, ip(10, 1, 0, 2)),
							nla(7 /* ENC_KEY_ID */, b32(7)),
							nla(9 /* ENC_DST_PORT */, b16(6081)),
							nla(10 /* NO_CSUM */, u8(1)),
							nla(13 /* ENC_TTL */, u8(64)))),
					nest(2, nla(1, cstr("mirred")),
						nest(2, nla(2, tcGenB(0, 4, 0, 0), n32(1), n32(6))))))),
	},
}

func TestEncodeGolden(t *testing.T) {
	for _, c := range encodeCases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.spec.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			m, err := filterMessage(c.op, c.spec)
			if err != nil {
				t.Fatal(err)
			}
			if got := wire(m); !bytes.Equal(got, c.want) {
				t.Errorf("encoded message differs\ngot:\n%swant:\n%s", hexDump(got), hexDump(c.want))
			}
		})
	}
}

func TestEncodeDelete(t *testing.T) {
	// tc filter del dev if7 ingress protocol ip chain 0 pref 1 handle 1 flower
	id := FilterID{Ifindex: 7, Parent: ParentIngress, Prio: 1, Protocol: EthPIP, Handle: 1}
	m, err := filterMessage(opDelete, FilterSpec{FilterID: id})
	if err != nil {
		t.Fatal(err)
	}
	want := nlmsg(45 /* RTM_DELTFILTER */, 0x5, tcmHdr(7, 1, 0xFFFFFFF2, info(1, 0x0800)),
		nla(11, n32(0)), nla(1, cstr("flower")))
	if got := wire(m); !bytes.Equal(got, want) {
		t.Errorf("got:\n%swant:\n%s", hexDump(got), hexDump(want))
	}
}

// The encoder's output decodes back to the spec: encode and decode agree.
func TestEncodeDecodeRoundTrip(t *testing.T) {
	for _, c := range encodeCases {
		t.Run(c.name, func(t *testing.T) {
			m, err := filterMessage(c.op, c.spec)
			if err != nil {
				t.Fatal(err)
			}
			f, err := decodeFilter(m.Data, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := f.Spec()
			assertSpecEqual(t, c.spec, got)
		})
	}
}

func TestValidateRejects(t *testing.T) {
	base := FilterID{Ifindex: 1, Parent: ParentIngress, Prio: 1, Protocol: EthPIP, Handle: 1}
	bad := map[string]FilterSpec{
		"no ifindex":      {FilterID: FilterID{Parent: ParentIngress, Prio: 1, Protocol: EthPIP}},
		"no prio":         {FilterID: FilterID{Ifindex: 1, Parent: ParentIngress, Protocol: EthPIP}},
		"both skips":      {FilterID: base, Flags: FlagSkipHW | FlagSkipSW},
		"in_hw in spec":   {FilterID: base, Flags: FlagInHW},
		"port no proto":   {FilterID: base, Match: Match{DstPort: 80, DstPortMask: 0xffff}},
		"port icmp":       {FilterID: base, Match: Match{IPProto: Ptr[uint8](1), DstPort: 80, DstPortMask: 0xffff}},
		"mixed family":    {FilterID: base, Match: Match{Src: netip.MustParseAddr("10.0.0.1"), SrcMask: netip.MustParseAddr("ffff::")}},
		"short mac":       {FilterID: base, Match: Match{EthDst: []byte{1, 2}, EthDstMask: []byte{1, 2}}},
		"long cookie":     {FilterID: base, Actions: []Action{Drop().WithCookie(make([]byte, 17))}},
		"mirred no dev":   {FilterID: base, Actions: []Action{Redirect(0)}},
		"unknown kind":    {FilterID: base, Actions: []Action{{Kind: "police"}}},
		"vlan id too big": {FilterID: base, Actions: []Action{PushVLAN(5000, 0, 0)}},
	}
	for name, spec := range bad {
		if err := spec.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", name, spec)
		}
	}
}
