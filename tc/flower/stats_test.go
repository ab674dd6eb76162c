// SPDX-License-Identifier: Apache-2.0

package flower

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func nlAttr(typ uint16, payload ...[]byte) []byte {
	var p []byte
	for _, x := range payload {
		p = append(p, x...)
	}
	b := binary.NativeEndian.AppendUint16(nil, uint16(4+len(p)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, p...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func u32b(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }
func u64b(v uint64) []byte { return binary.NativeEndian.AppendUint64(nil, v) }

// The kernel follows a basic counter attribute with TCA_STATS_PKT64 when
// its packets overflow 32 bits; a PKT64 after TCA_STATS_BASIC_HW is the
// hardware count, not the total.
func TestStatsPkt64FollowsItsBasic(t *testing.T) {
	const total, hw = 6_000_000_000, 5_000_000_000
	b := append(nlAttr(1 /* BASIC */, u64b(9000), u32b(uint32(total&0xffffffff)), u32b(0)),
		nlAttr(8 /* PKT64 */, u64b(total))...)
	b = append(b, nlAttr(7 /* BASIC_HW */, u64b(7000), u32b(uint32(hw&0xffffffff)), u32b(0))...)
	b = append(b, nlAttr(8 /* PKT64 */, u64b(hw))...)
	var s ActionStats
	require.NoError(t, decodeStats("test", b, &s))
	assert.Equal(t, uint64(total), s.Packets, "total")
	assert.Equal(t, uint64(hw), s.HWPackets, "hardware")
	assert.True(t, s.HasHW)
	assert.Equal(t, uint64(total-hw), s.SWPackets())
	assert.Equal(t, uint64(2000), s.SWBytes())

	// Only the hardware count overflows: the total stays what BASIC said.
	b = append(nlAttr(1, u64b(10), u32b(3), u32b(0)), nlAttr(7, u64b(5), u32b(uint32(hw&0xffffffff)), u32b(0))...)
	b = append(b, nlAttr(8, u64b(hw))...)
	s = ActionStats{}
	require.NoError(t, decodeStats("test", b, &s))
	assert.Equal(t, uint64(3), s.Packets)
	assert.Equal(t, uint64(hw), s.HWPackets)
	assert.Equal(t, uint64(0), s.SWPackets(), "a hardware count above the total gives no software packets")
}
