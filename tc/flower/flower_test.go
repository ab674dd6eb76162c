// SPDX-License-Identifier: Apache-2.0

package flower

import (
	"net"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ptr[T any](v T) *T { return &v }

func hw(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

// fullMatches set every key of keyList, in each family the key has (IPv4
// and IPv6 addresses; tcp, udp and sctp ports).
func fullMatches() map[string]Match {
	base := Match{
		Indev:  "pf0vf0",
		EthDst: hw("02:00:00:00:00:02"), EthDstMask: hw("ff:ff:ff:ff:ff:ff"),
		EthSrc: hw("02:00:00:00:00:01"), EthSrcMask: hw("ff:ff:ff:ff:ff:00"),
		EthType: 0x8100, VLANID: ptr[uint16](100), VLANPrio: ptr[uint8](3), VLANEthType: 0x0800,
		IPProto: ptr[uint8](6),
		Src:     netip.MustParseAddr("10.0.0.1"), SrcMask: netip.MustParseAddr("255.255.255.255"),
		Dst: netip.MustParseAddr("10.0.1.0"), DstMask: netip.MustParseAddr("255.255.255.0"),
		IPTOS: 0x10, IPTOSMask: 0xfc, IPTTL: 64, IPTTLMask: 0xff,
		SrcPort: 1234, SrcPortMask: 0xffff, DstPort: 80, DstPortMask: 0xfff0,
		TCPFlags: 0x2, TCPFlagsMask: 0x12,
		KeyFlags: 1, KeyFlagsMask: 3,
		CtState: CtTracked | CtEstablished, CtStateMask: CtTracked | CtEstablished | CtNew,
		CtZone: 5, CtZoneMask: 0xffff, CtMark: 7, CtMarkMask: 0xff,
		CtLabels: make([]byte, 16), CtLabelsMask: append(make([]byte, 15), 0xff),
		EncKeyID: ptr[uint32](42),
		EncSrc:   netip.MustParseAddr("192.0.2.1"), EncSrcMask: netip.MustParseAddr("255.255.255.255"),
		EncDst: netip.MustParseAddr("192.0.2.2"), EncDstMask: netip.MustParseAddr("255.255.255.255"),
		EncSrcPort: 1000, EncSrcPortMask: 0xffff, EncDstPort: 6081, EncDstPortMask: 0xffff,
		EncTOS: 4, EncTOSMask: 0xff, EncTTL: 9, EncTTLMask: 0xff,
		EncOpts: []byte{1, 2, 3, 4}, EncOptsMask: []byte{0xff, 0xff, 0xff, 0xff},
	}
	v6 := base
	v6.Src, v6.SrcMask = netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("ffff:ffff:ffff:ffff::")
	v6.Dst, v6.DstMask = netip.MustParseAddr("2001:db8::2"), netip.MustParseAddr("ffff::")
	v6.EncSrc, v6.EncSrcMask = netip.MustParseAddr("2001:db8:1::1"), netip.MustParseAddr("ffff::")
	v6.EncDst, v6.EncDstMask = netip.MustParseAddr("2001:db8:1::2"), netip.MustParseAddr("ffff::")
	v6.IPProto = ptr[uint8](17)
	sctp := base
	sctp.IPProto = ptr[uint8](132)
	return map[string]Match{"ipv4-tcp": base, "ipv6-udp": v6, "ipv4-sctp": sctp}
}

// Every key decodes what it encodes, and decodes only through its own
// attributes: the one list of keys is complete for both directions.
func TestEveryKeyRoundTrips(t *testing.T) {
	for name, m := range fullMatches() {
		require.NoError(t, m.Validate(), name)
		for _, k := range keyList {
			e := enc{}
			require.NoError(t, k.encode(&e, &m), "%s/%s", name, k.name)
			require.NotEmpty(t, e.b, "%s/%s: the full match holds this key, nothing was encoded", name, k.name)
			var got Match
			err := Walk(where, e.b, func(typ, _ uint16, data []byte) error {
				assert.Contains(t, k.attrs, typ, "%s/%s encodes attribute %d it does not decode", name, k.name, typ)
				assert.Same(t, k, keyByAttr[typ], "%s/%s: attribute %d decoded by another key", name, k.name, typ)
				return k.decode(&got, typ, data)
			})
			require.NoError(t, err, "%s/%s", name, k.name)
			// The key alone, re-encoded from what was decoded, gives the same bytes.
			got.IPProto = m.IPProto // the port family comes from ip_proto, another key
			again := enc{}
			require.NoError(t, k.encode(&again, &got))
			assert.Equal(t, e.b, again.b, "%s/%s", name, k.name)
		}
		b, err := AppendOptions(nil, FlagSkipHW, m, nil)
		require.NoError(t, err)
		o, err := DecodeOptions(b)
		require.NoError(t, err)
		assert.Equal(t, m, o.Match, name)
		assert.Equal(t, FlagSkipHW, o.Flags)
		assert.Empty(t, o.Match.Unknown)
	}
}

// Every action kind decodes what it encodes.
func TestEveryKindRoundTrips(t *testing.T) {
	acts := []Action{
		{Kind: "gact", Verdict: GotoChain(7)},
		{Kind: "mirred", Verdict: VerdictStolen, Mirred: &Mirred{Op: EgressRedirect, Ifindex: 9}},
		{Kind: "vlan", Verdict: VerdictPipe, VLAN: &VLAN{Op: VLANPush, ID: 10, Priority: 2, Protocol: 0x88a8}},
		{Kind: "vlan", Verdict: VerdictPipe, VLAN: &VLAN{Op: VLANPop}},
		{Kind: "tunnel_key", Verdict: VerdictPipe, TunnelKey: &TunnelKey{Op: TunnelKeySet,
			Src: netip.MustParseAddr("192.0.2.1"), Dst: netip.MustParseAddr("192.0.2.2"), KeyID: ptr[uint32](5),
			DstPort: 6081, NoCsum: true, TOS: 1, TTL: 64, Opts: []byte{0, 1, 2, 3}}},
		{Kind: "tunnel_key", Verdict: VerdictPipe, TunnelKey: &TunnelKey{Op: TunnelKeyRelease}},
		{Kind: "pedit", Verdict: VerdictPipe, Pedit: &Pedit{Keys: []PeditKey{{Htype: 2, Cmd: 0, Off: 16, Mask: 0, Val: 0x0a000001}}}},
		{Kind: "ct", Verdict: VerdictPipe, CT: &CT{Flags: CtCommit | CtNAT | CtNATSrc, Zone: 3, Mark: 1, MarkMask: 0xff,
			Labels: make([]byte, 16), LabelsMask: append(make([]byte, 15), 1),
			NATMin: netip.MustParseAddr("10.0.0.1"), NATMax: netip.MustParseAddr("10.0.0.9"), NATPortMin: 1000, NATPortMax: 2000}},
	}
	for i := range acts {
		acts[i] = acts[i].WithCookie([]byte{byte(i), 1, 2, 3})
		require.NoError(t, acts[i].Validate(), acts[i].Kind)
	}
	b, err := AppendOptions(nil, 0, Match{}, acts)
	require.NoError(t, err)
	o, err := DecodeOptions(b)
	require.NoError(t, err)
	require.Len(t, o.Actions, len(acts))
	for i := range acts {
		assert.Equal(t, acts[i], o.Actions[i].SpecPart(), "action %d (%s)", i+1, acts[i].Kind)
		assert.Empty(t, o.Actions[i].Options, "action %d (%s): options left opaque", i+1, acts[i].Kind)
	}
	for _, k := range kinds {
		found := false
		for _, a := range acts {
			found = found || a.Kind == k.name
		}
		assert.True(t, found, "kind %s has no round-trip case", k.name)
	}
}

func TestValidateNamesTheKey(t *testing.T) {
	for name, c := range map[string]struct {
		m    Match
		want string
	}{
		"mac":    {Match{EthDst: []byte{1}, EthDstMask: []byte{1}}, "eth_dst"},
		"family": {Match{EncSrc: netip.MustParseAddr("10.0.0.1"), EncSrcMask: netip.MustParseAddr("ffff::")}, "enc_src"},
		"port":   {Match{IPProto: ptr[uint8](1), DstPort: 1, DstPortMask: 1}, "tcp, udp or sctp"},
		"vlan":   {Match{VLANID: ptr[uint16](4096)}, "vlan id"},
		"labels": {Match{CtLabels: []byte{1}, CtLabelsMask: []byte{1}}, "ct_label"},
		"opts":   {Match{EncOpts: []byte{1}}, "enc_opts"},
	} {
		err := c.m.Validate()
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), c.want, name)
		}
	}
	assert.ErrorContains(t, Action{Kind: "mirred"}.Validate(), "Action.Mirred")
	assert.ErrorContains(t, Action{Kind: "police"}.Validate(), "police")
}

// Opaque nested payloads (geneve options) of a length that is not a
// multiple of 4 are padded, so the attributes after them stay aligned.
func TestNestedOpaquePayloadIsPadded(t *testing.T) {
	m := Match{EncOpts: []byte{1, 2, 3, 4, 5}, EncOptsMask: []byte{0xff, 0xff, 0xff, 0xff, 0xff}}
	acts := []Action{{Kind: "tunnel_key", Verdict: VerdictPipe, TunnelKey: &TunnelKey{Op: TunnelKeySet,
		Dst: netip.MustParseAddr("192.0.2.2"), Opts: []byte{9, 9, 9}}}, {Kind: "gact", Verdict: VerdictShot}}
	b, err := AppendOptions(nil, FlagSkipHW, m, acts)
	require.NoError(t, err)
	require.Zero(t, len(b)%4)
	o, err := DecodeOptions(b)
	require.NoError(t, err)
	assert.Equal(t, m, o.Match)
	assert.Equal(t, FlagSkipHW, o.Flags)
	require.Len(t, o.Actions, 2)
	assert.Equal(t, []byte{9, 9, 9}, o.Actions[0].TunnelKey.Opts)
	assert.Equal(t, "gact", o.Actions[1].Kind)
}
