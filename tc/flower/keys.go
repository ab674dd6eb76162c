// SPDX-License-Identifier: Apache-2.0

package flower

import (
	"encoding/binary"
	"net"
	"net/netip"
)

// key is one flower key (or a key and its mask, or a family of attributes
// that one Match field maps to): the attributes it decodes, how it is
// written, read back and checked. Each key lives in its own file, next to
// the Match fields it fills; keyList below is the only list of them.
type key struct {
	name string
	// attrs are the TCA_FLOWER_* attributes decode reads.
	attrs []uint16
	// encode appends the key's attributes when the match holds it.
	encode func(e *enc, m *Match) error
	// decode reads one of attrs into m.
	decode func(m *Match, typ uint16, data []byte) error
	// check validates the key in a spec before anything is sent; nil when
	// there is nothing to check.
	check func(m *Match) error
}

// keyList is every key this package knows, in the order a filter is
// encoded (the order of the kernel's enum, grouped as tc(8) writes them).
var keyList = []*key{
	&keyIndev,
	&keyEthDst, &keyEthSrc, &keyEthType,
	&keyVLANID, &keyVLANPrio, &keyVLANEthType,
	&keyIPProto, &keyIPSrc, &keyIPDst, &keyIPTOS, &keyIPTTL,
	&keyPorts, &keyTCPFlags,
	&keyFlags,
	&keyCtState, &keyCtZone, &keyCtMark, &keyCtLabels,
	&keyEncKeyID, &keyEncSrc, &keyEncDst, &keyEncSrcPort, &keyEncDstPort, &keyEncTOS, &keyEncTTL, &keyEncOpts,
}

// keyByAttr finds the key that decodes an attribute type.
var keyByAttr = func() *[256]*key {
	out := new([256]*key)
	for _, k := range keyList {
		for _, a := range k.attrs {
			if out[a] != nil {
				panic("flower: attribute decoded by two keys: " + k.name + " and " + out[a].name)
			}
			out[a] = k
		}
	}
	return out
}()

// Decoders of fixed-size attribute payloads, shared by the keys.
const where = "flower"

func decMAC(data []byte, dst *net.HardwareAddr) error {
	if err := size(where, "/eth", data, 6); err != nil {
		return err
	}
	*dst = append(net.HardwareAddr(nil), data...)
	return nil
}

func decAddr(data []byte, n int, dst *netip.Addr) error {
	if err := size(where, "/addr", data, n); err != nil {
		return err
	}
	*dst, _ = netip.AddrFromSlice(data)
	return nil
}

func decU8(data []byte, dst *uint8) error {
	if err := size(where, "/u8", data, 1); err != nil {
		return err
	}
	*dst = data[0]
	return nil
}

func decBE16(data []byte, dst *uint16) error {
	if err := size(where, "/be16", data, 2); err != nil {
		return err
	}
	*dst = binary.BigEndian.Uint16(data)
	return nil
}

func decU16(data []byte, dst *uint16) error {
	if err := size(where, "/u16", data, 2); err != nil {
		return err
	}
	*dst = binary.NativeEndian.Uint16(data)
	return nil
}

func decU32(data []byte, dst *uint32) error {
	if err := size(where, "/u32", data, 4); err != nil {
		return err
	}
	*dst = binary.NativeEndian.Uint32(data)
	return nil
}

func decBE32(data []byte, dst *uint32) error {
	if err := size(where, "/be32", data, 4); err != nil {
		return err
	}
	*dst = binary.BigEndian.Uint32(data)
	return nil
}

func decBytes(data []byte, dst *[]byte) error {
	*dst = append([]byte(nil), data...)
	return nil
}

// maskedU8 is a one-byte key with its mask, sent when the mask is not zero.
func maskedU8(name string, keyAttr, maskAttr uint16, field func(m *Match) (v, mask *uint8)) key {
	return key{
		name:  name,
		attrs: []uint16{keyAttr, maskAttr},
		encode: func(e *enc, m *Match) error {
			if v, mask := field(m); *mask != 0 {
				e.masked(keyAttr, maskAttr, []byte{*v}, []byte{*mask})
			}
			return nil
		},
		decode: func(m *Match, typ uint16, data []byte) error {
			v, mask := field(m)
			if typ == keyAttr {
				return decU8(data, v)
			}
			return decU8(data, mask)
		},
	}
}

// maskedBE16 is a big-endian 16-bit key with its mask, sent when the mask
// is not zero.
func maskedBE16(name string, keyAttr, maskAttr uint16, field func(m *Match) (v, mask *uint16)) key {
	return key{
		name:  name,
		attrs: []uint16{keyAttr, maskAttr},
		encode: func(e *enc, m *Match) error {
			if v, mask := field(m); *mask != 0 {
				e.masked(keyAttr, maskAttr, be16(*v), be16(*mask))
			}
			return nil
		},
		decode: func(m *Match, typ uint16, data []byte) error {
			v, mask := field(m)
			if typ == keyAttr {
				return decBE16(data, v)
			}
			return decBE16(data, mask)
		},
	}
}

// maskedAddr is an IPv4 or IPv6 address with its mask: four attributes,
// the family chosen by the address.
func maskedAddr(name string, v4, v4Mask, v6, v6Mask uint16, field func(m *Match) (v, mask *netip.Addr)) key {
	return key{
		name:  name,
		attrs: []uint16{v4, v4Mask, v6, v6Mask},
		encode: func(e *enc, m *Match) error {
			v, mask := field(m)
			if !mask.IsValid() {
				return nil
			}
			if v.Is4() {
				e.masked(v4, v4Mask, v.AsSlice(), mask.AsSlice())
			} else {
				e.masked(v6, v6Mask, v.AsSlice(), mask.AsSlice())
			}
			return nil
		},
		decode: func(m *Match, typ uint16, data []byte) error {
			v, mask := field(m)
			switch typ {
			case v4:
				return decAddr(data, 4, v)
			case v4Mask:
				return decAddr(data, 4, mask)
			case v6:
				return decAddr(data, 16, v)
			}
			return decAddr(data, 16, mask)
		},
		check: func(m *Match) error {
			v, mask := field(m)
			return checkMasked(name, *v, *mask)
		},
	}
}
