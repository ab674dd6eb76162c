// SPDX-License-Identifier: Apache-2.0

package flower

import "encoding/binary"

// decodeStats reads TCA_ACT_STATS. The kernel sends the total counters
// (TCA_STATS_BASIC) and, apart, the hardware part (TCA_STATS_BASIC_HW);
// gnet_stats_copy_basic follows either with TCA_STATS_PKT64 when its packet
// count does not fit the struct's 32 bits, so a PKT64 belongs to the basic
// attribute right before it.
func decodeStats(where string, b []byte, s *ActionStats) error {
	var last uint16 // the basic attribute a following PKT64 extends
	return Walk(where, b, func(typ, raw uint16, data []byte) error {
		switch typ {
		case statsBasic, statsBasicHW:
			if err := atLeast(where, "/basic", data, 12); err != nil {
				return err
			}
			bytes := binary.NativeEndian.Uint64(data)
			pkts := uint64(binary.NativeEndian.Uint32(data[8:]))
			if typ == statsBasic {
				s.Bytes, s.Packets = bytes, pkts
			} else {
				s.HWBytes, s.HWPackets, s.HasHW = bytes, pkts, true
			}
			last = typ
			return nil
		case statsPkt64:
			if err := size(where, "/pkt64", data, 8); err != nil {
				return err
			}
			if last == statsBasicHW {
				s.HWPackets = binary.NativeEndian.Uint64(data)
			} else {
				s.Packets = binary.NativeEndian.Uint64(data)
			}
		case statsQueue:
			if err := atLeast(where, "/queue", data, 20); err != nil {
				return err
			}
			s.Drops = binary.NativeEndian.Uint32(data[8:])
			s.Overlimits = binary.NativeEndian.Uint32(data[16:])
		}
		last = 0
		return nil
	})
}

// SWPackets returns the packets the action saw in software: the total less
// the hardware part (0 if the hardware part is the larger, as it can be
// for a moment while the driver's counters are read).
func (s ActionStats) SWPackets() uint64 {
	if s.HWPackets > s.Packets {
		return 0
	}
	return s.Packets - s.HWPackets
}

// SWBytes returns the bytes the action saw in software (see SWPackets).
func (s ActionStats) SWBytes() uint64 {
	if s.HWBytes > s.Bytes {
		return 0
	}
	return s.Bytes - s.HWBytes
}
