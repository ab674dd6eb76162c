package flower

import "encoding/binary"

func decodeStats(where string, b []byte, s *ActionStats) error {
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
		case statsPkt64:
			if err := size(where, "/pkt64", data, 8); err != nil {
				return err
			}
			s.Packets = binary.NativeEndian.Uint64(data)
		case statsQueue:
			if err := atLeast(where, "/queue", data, 20); err != nil {
				return err
			}
			s.Drops = binary.NativeEndian.Uint32(data[8:])
			s.Overlimits = binary.NativeEndian.Uint32(data[16:])
		}
		return nil
	})
}
