// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func assertSpecEqual(t *testing.T, want, got FilterSpec) {
	t.Helper()
	assert.Equal(t, want, got)
}

// Kernel-shaped dump messages, built by hand from the UAPI (nested
// attributes without NLA_F_NESTED, as net/sched dumps them), until the
// kernel lane records real ones into testdata/kernel (see kernel_test.go).

// A filter on an emulated-eswitch representor, as dumped after
//
//	tc filter add dev eth1 ingress protocol ip pref 1 handle 1 flower skip_sw dst_ip 10.0.0.2 \
//	  action mirred egress redirect dev eth2 cookie 4a3b2c1d8c7d6e5fc3b2a19007f6e5d4
//
// in_hw, in_hw_count 1, 1200 bytes / 10 packets of which hardware 1000 / 8,
// installed 5 s and last used 1.5 s ago.
var dumpInHW = nlmsg(44, 0x2 /* NLM_F_MULTI */, tcmHdr(4, 1, 0xFFFFFFF2, info(1, 0x0800)),
	nla(1, cstr("flower")),
	nla(11, n32(0)),
	nla(2,
		nla(8, b16(0x0800)),
		nla(12, ip(10, 0, 0, 2)),
		nla(13, ip(255, 255, 255, 255)),
		nla(22, n32(0x2|0x4 /* SKIP_SW|IN_HW */)),
		nla(86 /* TCA_FLOWER_IN_HW_COUNT */, n32(1)),
		nla(3,
			nla(1,
				nla(1, cstr("mirred")),
				nla(8 /* TCA_ACT_HW_STATS */, n32(3), n32(3)),
				nla(6, n32(0x1d2c3b4a), n32(0x5f6e7d8c), n32(0x90a1b2c3), n32(0xd4e5f607)),
				nla(4, /* TCA_ACT_STATS */
					nla(1 /* BASIC */, n64(1200), n32(10), n32(0)),
					nla(7 /* BASIC_HW */, n64(1000), n32(8), n32(0)),
					nla(3 /* QUEUE */, n32(0), n32(0), n32(2), n32(0), n32(0))),
				nla(2,
					nla(2, tcGenB(1, 4, 1, 1), n32(1), n32(5)),
					nla(3 /* PAD */),
					nla(1 /* TM */, n64(500), n64(150), n64(0), n64(420))),
				nla(10 /* TCA_ACT_IN_HW_COUNT */, n32(1))))))

// A software-only filter with an action kind this package does not decode
// (police), an unknown flower attribute and an unknown top-level attribute,
// then a known action after them:
//
//	tc filter add dev veth0 ingress protocol ip chain 3 pref 2 handle 0x10 flower ip_proto udp \
//	  action police rate 1mbit burst 10k conform-exceed drop/pipe action gact drop
var dumpUnknown = nlmsg(44, 0x2, tcmHdr(9, 0x10, 0xFFFFFFF2, info(2, 0x0800)),
	nla(1, cstr("flower")),
	nla(11, n32(3)),
	nla(99 /* unknown top-level */, n32(0xdeadbeef)),
	nla(2,
		nla(8, b16(0x0800)),
		nla(9, u8(17)),
		nla(250 /* unknown flower key */, ip(1, 2, 3)),
		nla(22, n32(0x8 /* NOT_IN_HW */)),
		nla(3,
			nla(1,
				nla(1, cstr("police")),
				nla(2, nla(2 /* TCA_POLICE_TBF */, make([]byte, 36)), nla(9 /* RATE64 */, n64(125000)))),
			nla(2,
				nla(1, cstr("gact")),
				nla(4, nla(1, n64(0), n32(0), n32(0))),
				nla(2, nla(2, tcGenB(2, 2, 1, 1)))))))

// The classifier instance entry the kernel dumps before the filters of a
// prio (handle 0, no options).
var dumpInstance = nlmsg(44, 0x2, tcmHdr(4, 0, 0xFFFFFFF2, info(1, 0x0800)), nla(1, cstr("flower")), nla(11, n32(0)))

func TestDecodeInHW(t *testing.T) {
	inst, err := decodeFilter(dumpInstance[16:], nil)
	require.NoError(t, err)
	assert.True(t, inst.IsInstance())
	fs, err := DecodeMessages(cat(dumpInstance, dumpInHW, nlmsg(3 /* NLMSG_DONE */, 0x2, n32(0))))
	require.NoError(t, err)
	require.Len(t, fs, 1)
	f := fs[0]
	assert.Equal(t, FilterID{Ifindex: 4, Parent: ParentIngress, Prio: 1, Protocol: EthPIP, Handle: 1}, f.FilterID)
	assert.Equal(t, "flower", f.Kind)
	assert.True(t, f.Flags.InHW())
	assert.False(t, f.Flags.NotInHW())
	assert.True(t, f.Flags.SkipSW())
	assert.False(t, f.Flags.SkipHW())
	assert.Equal(t, "skip_sw in_hw", f.Flags.String())
	require.NotNil(t, f.InHWCount)
	assert.Equal(t, uint32(1), *f.InHWCount)
	assert.Equal(t, netip.MustParseAddr("10.0.0.2"), f.Match.Dst)
	require.Len(t, f.Actions, 1)
	a := f.Actions[0]
	assert.Equal(t, "mirred", a.Kind)
	assert.Equal(t, &Mirred{Op: EgressRedirect, Ifindex: 5}, a.Mirred)
	assert.Equal(t, VerdictStolen, a.Verdict)
	assert.Equal(t, uint32(1), a.Index)
	assert.Equal(t, ActionStats{Bytes: 1200, Packets: 10, HWBytes: 1000, HWPackets: 8, HasHW: true, Drops: 2,
		Installed: 5 * time.Second, LastUsed: 1500 * time.Millisecond, FirstUsed: 4200 * time.Millisecond}, a.Stats)
	require.NotNil(t, a.InHWCount)
	assert.Len(t, a.Unknown, 1, "TCA_ACT_HW_STATS kept opaque")
	u, ok := f.UFID()
	require.True(t, ok)
	assert.Equal(t, "1d2c3b4a-5f6e-7d8c-90a1-b2c3d4e5f607", u.String())
}

func TestDecodeKeepsUnknown(t *testing.T) {
	fs, err := DecodeMessages(dumpUnknown)
	require.NoError(t, err)
	require.Len(t, fs, 1)
	f := fs[0]
	assert.Equal(t, uint32(3), f.Chain)
	assert.True(t, f.Flags.NotInHW())
	assert.False(t, f.Flags.InHW())
	assert.Nil(t, f.InHWCount)
	assert.Equal(t, []Attr{{Type: 99, Data: n32(0xdeadbeef)}}, f.Unknown)
	assert.Equal(t, []Attr{{Type: 250, Data: []byte{1, 2, 3}}}, f.Match.Unknown)
	require.Len(t, f.Actions, 2, "the unknown police action must not stop the decoder")
	assert.Equal(t, "police", f.Actions[0].Kind)
	assert.Len(t, f.Actions[0].Options, 2)
	assert.Equal(t, "gact", f.Actions[1].Kind)
	assert.Equal(t, VerdictShot, f.Actions[1].Verdict)
	_, ok := f.UFID()
	assert.False(t, ok)
}

// The classic pitfall: in_hw and not_in_hw swapped, or skip bits misread.
func TestFlagsMatchUAPI(t *testing.T) {
	cases := map[uint32]func(Flags) bool{
		1: Flags.SkipHW, 2: Flags.SkipSW, 4: Flags.InHW, 8: Flags.NotInHW,
	}
	for bit, pred := range cases {
		for other := range cases {
			if got := pred(Flags(other)); got != (bit == other) {
				t.Errorf("flags %#x: predicate for bit %#x says %v", other, bit, got)
			}
		}
	}
}

func TestDecodeMalformed(t *testing.T) {
	good := dumpInHW
	for _, n := range []int{1, 15, 17, 40, len(good) - 3} {
		b := append([]byte(nil), good[:n]...)
		if _, err := DecodeMessages(b); err == nil {
			t.Errorf("truncated to %d bytes: no error", n)
		}
	}
	interrupted := append([]byte(nil), good...)
	interrupted[6] |= 0x10 // NLM_F_DUMP_INTR
	_, err := DecodeMessages(interrupted)
	var de *DecodeError
	assert.True(t, errors.As(err, &de), "interrupted dump: %v", err)
}

// BenchmarkDecode10k decodes a recorded-style dump of 10,000 filters (the
// decoder alone, no kernel).
func BenchmarkDecode10k(b *testing.B) {
	var buf []byte
	for range 10000 {
		buf = append(buf, dumpInHW...)
	}
	b.SetBytes(int64(len(buf)))
	b.ResetTimer()
	for range b.N {
		fs, err := DecodeMessages(buf)
		if err != nil || len(fs) != 10000 {
			b.Fatalf("%d filters, %v", len(fs), err)
		}
	}
}

// The recorded in_hw filter counted 10 packets of which 8 in hardware: the
// filter's stats split them.
func TestFilterStatsSplit(t *testing.T) {
	fs, err := DecodeMessages(dumpInHW)
	require.NoError(t, err)
	require.Len(t, fs, 1)
	assert.Equal(t, FilterStats{HWPackets: 8, HWBytes: 1000, SWPackets: 2, SWBytes: 200, HWReported: true}, fs[0].Stats())

	// Two actions: the largest of each part, taken separately; an action
	// without hardware counters leaves them unknown only if none has them.
	f := Filter{Actions: []Action{
		{Stats: ActionStats{Packets: 5, Bytes: 50}},
		{Stats: ActionStats{Packets: 12, Bytes: 120, HWPackets: 10, HWBytes: 100, HasHW: true}},
	}}
	assert.Equal(t, FilterStats{HWPackets: 10, HWBytes: 100, SWPackets: 5, SWBytes: 50, HWReported: true}, f.Stats())
	assert.False(t, Filter{Actions: []Action{{Stats: ActionStats{Packets: 3}}}}.Stats().HWReported)
}
