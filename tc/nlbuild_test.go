// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"encoding/binary"
	"encoding/hex"
	"strings"
)

// A hand builder for expected netlink bytes. It uses literal UAPI numbers
// (with the enum name in a comment at each use), never the constants of the
// package under test, so that a wrong constant in uapi.go shows up.

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// nla builds one attribute.
func nla(typ uint16, payload ...[]byte) []byte {
	p := cat(payload...)
	b := binary.NativeEndian.AppendUint16(nil, uint16(4+len(p)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, p...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// nest builds a nested attribute with NLA_F_NESTED, as the encoder sends.
func nest(typ uint16, children ...[]byte) []byte { return nla(typ|0x8000, children...) }

func u8(v uint8) []byte    { return []byte{v} }
func n16(v uint16) []byte  { return binary.NativeEndian.AppendUint16(nil, v) }
func n32(v uint32) []byte  { return binary.NativeEndian.AppendUint32(nil, v) }
func n64(v uint64) []byte  { return binary.NativeEndian.AppendUint64(nil, v) }
func b16(v uint16) []byte  { return binary.BigEndian.AppendUint16(nil, v) }
func b32(v uint32) []byte  { return binary.BigEndian.AppendUint32(nil, v) }
func cstr(s string) []byte { return append([]byte(s), 0) }
func ip(s ...byte) []byte  { return s }

// tcmHdr builds struct tcmsg.
func tcmHdr(ifindex int32, handle, parent, info uint32) []byte {
	return cat([]byte{0, 0, 0, 0}, n32(uint32(ifindex)), n32(handle), n32(parent), n32(info))
}

// tcGenB builds struct tc_gen.
func tcGenB(index uint32, action int32, refcnt, bindcnt int32) []byte {
	return cat(n32(index), n32(0), n32(uint32(action)), n32(uint32(refcnt)), n32(uint32(bindcnt)))
}

// nlmsg builds a netlink message with sequence and port 0.
func nlmsg(typ, flags uint16, payload ...[]byte) []byte {
	p := cat(payload...)
	b := binary.NativeEndian.AppendUint32(nil, uint32(16+len(p)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = binary.NativeEndian.AppendUint16(b, flags)
	b = append(b, make([]byte, 8)...)
	return append(b, p...)
}

// info builds tcm_info for a filter: prio << 16 | htons(proto).
func info(prio uint16, proto uint16) uint32 {
	return uint32(prio)<<16 | uint32(binary.NativeEndian.Uint16(b16(proto)))
}

// hexDump formats b 16 bytes a line, for golden files and diffs.
func hexDump(b []byte) string {
	var sb strings.Builder
	for i := 0; i < len(b); i += 16 {
		end := min(i+16, len(b))
		sb.WriteString(hex.EncodeToString(b[i:end]))
		sb.WriteByte('\n')
	}
	return sb.String()
}

// parseHex reads a golden hex file: '#' starts a comment line, whitespace
// is ignored.
func parseHex(s string) ([]byte, error) {
	var clean strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		clean.WriteString(strings.Join(strings.Fields(line), ""))
	}
	return hex.DecodeString(clean.String())
}
