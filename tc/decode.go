package tc

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/mdlayher/netlink"
)

// DecodeError reports a malformed message or attribute: a length that does
// not fit, or a known attribute of the wrong size. Unknown attributes and
// actions are not errors; they are kept opaque.
type DecodeError struct {
	Where string // attribute path, such as "flower/act/2/options"
	What  string
}

// Error formats the path and the problem.
func (e *DecodeError) Error() string { return "tc: decode " + e.Where + ": " + e.What }

// walk calls fn for each attribute in b, with its type (flags masked off)
// and its raw type.
func walk(where string, b []byte, fn func(typ, raw uint16, data []byte) error) error {
	for len(b) > 0 {
		if len(b) < 4 {
			return &DecodeError{where, fmt.Sprintf("%d trailing bytes", len(b))}
		}
		l := int(binary.NativeEndian.Uint16(b))
		raw := binary.NativeEndian.Uint16(b[2:])
		if l < 4 || l > len(b) {
			return &DecodeError{where, fmt.Sprintf("attribute type %d length %d out of %d bytes", raw&0x3fff, l, len(b))}
		}
		if err := fn(raw&0x3fff, raw, b[4:l]); err != nil {
			return err
		}
		if al := align4(l); al < len(b) {
			b = b[al:]
		} else {
			b = nil
		}
	}
	return nil
}

// size checks a fixed-size attribute; the path (where + suffix) is only
// built on error, to keep the decoder free of allocations on good input.
func size(where, suffix string, data []byte, n int) error {
	if len(data) != n {
		return &DecodeError{where + suffix, fmt.Sprintf("%d bytes, want %d", len(data), n)}
	}
	return nil
}

func atLeast(where, suffix string, data []byte, n int) error {
	if len(data) < n {
		return &DecodeError{where + suffix, fmt.Sprintf("%d bytes, want at least %d", len(data), n)}
	}
	return nil
}

func cstring(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

func opaque(raw uint16, data []byte) Attr {
	return Attr{Type: raw, Data: append([]byte(nil), data...)}
}

// DecodeFilter decodes one RTM_NEWTFILTER message from a dump or a
// notification.
func DecodeFilter(m netlink.Message) (Filter, error) {
	if m.Header.Type != rtmNewTfilter && m.Header.Type != rtmDelTfilter {
		return Filter{}, &DecodeError{"message", fmt.Sprintf("type %d is not a filter message", m.Header.Type)}
	}
	return decodeFilter(m.Data)
}

// DecodeMessages decodes a buffer of netlink messages as read from a
// socket (headers included), such as a recorded dump. NLMSG_DONE and
// NLMSG_NOOP are skipped; an NLMSG_ERROR or an interrupted dump is an error.
func DecodeMessages(b []byte) ([]Filter, error) {
	var out []Filter
	for len(b) > 0 {
		if len(b) < 16 {
			return nil, &DecodeError{"message", fmt.Sprintf("%d trailing bytes", len(b))}
		}
		l := int(binary.NativeEndian.Uint32(b))
		typ := binary.NativeEndian.Uint16(b[4:])
		flags := netlink.HeaderFlags(binary.NativeEndian.Uint16(b[6:]))
		if l < 16 || l > len(b) {
			return nil, &DecodeError{"message", fmt.Sprintf("length %d out of %d bytes", l, len(b))}
		}
		data := b[16:l]
		if al := align4(l); al < len(b) {
			b = b[al:]
		} else {
			b = nil
		}
		if flags&netlink.DumpInterrupted != 0 {
			return nil, &DecodeError{"message", "dump interrupted (NLM_F_DUMP_INTR): the filter set changed during the dump"}
		}
		switch netlink.HeaderType(typ) {
		case netlink.Noop, netlink.Done:
			continue
		case netlink.Error:
			return nil, &DecodeError{"message", "netlink error message in dump"}
		}
		f, err := DecodeFilter(netlink.Message{Header: netlink.Header{Type: netlink.HeaderType(typ)}, Data: data})
		if err != nil {
			return nil, err
		}
		if f.IsInstance() {
			continue
		}
		out = append(out, f)
	}
	return out, nil
}

func decodeFilter(b []byte) (Filter, error) {
	var f Filter
	if len(b) < tcmsgLen {
		return f, &DecodeError{"tcmsg", fmt.Sprintf("%d bytes, want %d", len(b), tcmsgLen)}
	}
	f.Ifindex = int(int32(binary.NativeEndian.Uint32(b[4:])))
	f.Handle = binary.NativeEndian.Uint32(b[8:])
	f.Parent = binary.NativeEndian.Uint32(b[12:])
	info := binary.NativeEndian.Uint32(b[16:])
	f.Prio = uint16(info >> 16)
	f.Protocol = infoProtocol(info)
	var options []byte
	haveOptions := false
	err := walk("tca", b[tcmsgLen:], func(typ, raw uint16, data []byte) error {
		switch typ {
		case tcaKind:
			f.Kind = cstring(data)
		case tcaChain:
			if err := size("tca", "/chain", data, 4); err != nil {
				return err
			}
			f.Chain = binary.NativeEndian.Uint32(data)
		case tcaOptions:
			options, haveOptions = data, true
		default:
			f.Unknown = append(f.Unknown, opaque(raw, data))
		}
		return nil
	})
	if err != nil {
		return Filter{}, err
	}
	f.instance = !haveOptions && f.Handle == 0
	if haveOptions {
		if f.Kind == "flower" {
			if err := decodeFlower(options, &f); err != nil {
				return Filter{}, err
			}
		} else {
			f.Options = append([]byte(nil), options...)
		}
	}
	return f, nil
}

func decodeFlower(b []byte, f *Filter) error {
	k := &f.Match
	const w = "flower"
	mac := func(data []byte, dst *net.HardwareAddr) error {
		if err := size(w, "/eth", data, 6); err != nil {
			return err
		}
		*dst = append(net.HardwareAddr(nil), data...)
		return nil
	}
	addr := func(data []byte, n int, dst *netip.Addr) error {
		if err := size(w, "/addr", data, n); err != nil {
			return err
		}
		*dst, _ = netip.AddrFromSlice(data)
		return nil
	}
	u8 := func(data []byte, dst *uint8) error {
		if err := size(w, "/u8", data, 1); err != nil {
			return err
		}
		*dst = data[0]
		return nil
	}
	b16 := func(data []byte, dst *uint16) error {
		if err := size(w, "/be16", data, 2); err != nil {
			return err
		}
		*dst = binary.BigEndian.Uint16(data)
		return nil
	}
	n16 := func(data []byte, dst *uint16) error {
		if err := size(w, "/u16", data, 2); err != nil {
			return err
		}
		*dst = binary.NativeEndian.Uint16(data)
		return nil
	}
	n32 := func(data []byte, dst *uint32) error {
		if err := size(w, "/u32", data, 4); err != nil {
			return err
		}
		*dst = binary.NativeEndian.Uint32(data)
		return nil
	}
	b32 := func(data []byte, dst *uint32) error {
		if err := size(w, "/be32", data, 4); err != nil {
			return err
		}
		*dst = binary.BigEndian.Uint32(data)
		return nil
	}
	bytes := func(data []byte, dst *[]byte) error {
		*dst = append([]byte(nil), data...)
		return nil
	}
	return walk(w, b, func(typ, raw uint16, data []byte) error {
		switch typ {
		case flowerIndev:
			k.Indev = cstring(data)
		case flowerAct:
			acts, err := decodeActions(data)
			if err != nil {
				return err
			}
			f.Actions = acts
		case flowerFlags:
			var v uint32
			if err := n32(data, &v); err != nil {
				return err
			}
			f.Flags = Flags(v)
		case flowerInHWCount:
			var v uint32
			if err := n32(data, &v); err != nil {
				return err
			}
			f.InHWCount = &v
		case flowerKeyEthDst:
			return mac(data, &k.EthDst)
		case flowerKeyEthDstMask:
			return mac(data, &k.EthDstMask)
		case flowerKeyEthSrc:
			return mac(data, &k.EthSrc)
		case flowerKeyEthSrcMask:
			return mac(data, &k.EthSrcMask)
		case flowerKeyEthType:
			return b16(data, &k.EthType)
		case flowerKeyVlanID:
			k.VLANID = new(uint16)
			return n16(data, k.VLANID)
		case flowerKeyVlanPrio:
			k.VLANPrio = new(uint8)
			return u8(data, k.VLANPrio)
		case flowerKeyVlanEthType:
			return b16(data, &k.VLANEthType)
		case flowerKeyIPProto:
			k.IPProto = new(uint8)
			return u8(data, k.IPProto)
		case flowerKeyIPv4Src:
			return addr(data, 4, &k.Src)
		case flowerKeyIPv4SrcMask:
			return addr(data, 4, &k.SrcMask)
		case flowerKeyIPv4Dst:
			return addr(data, 4, &k.Dst)
		case flowerKeyIPv4DstMask:
			return addr(data, 4, &k.DstMask)
		case flowerKeyIPv6Src:
			return addr(data, 16, &k.Src)
		case flowerKeyIPv6SrcMask:
			return addr(data, 16, &k.SrcMask)
		case flowerKeyIPv6Dst:
			return addr(data, 16, &k.Dst)
		case flowerKeyIPv6DstMask:
			return addr(data, 16, &k.DstMask)
		case flowerKeyIPTOS:
			return u8(data, &k.IPTOS)
		case flowerKeyIPTOSMask:
			return u8(data, &k.IPTOSMask)
		case flowerKeyIPTTL:
			return u8(data, &k.IPTTL)
		case flowerKeyIPTTLMask:
			return u8(data, &k.IPTTLMask)
		case flowerKeyTCPSrc, flowerKeyUDPSrc, flowerKeySCTPSrc:
			return b16(data, &k.SrcPort)
		case flowerKeyTCPSrcMask, flowerKeyUDPSrcMask, flowerKeySCTPSrcMask:
			return b16(data, &k.SrcPortMask)
		case flowerKeyTCPDst, flowerKeyUDPDst, flowerKeySCTPDst:
			return b16(data, &k.DstPort)
		case flowerKeyTCPDstMask, flowerKeyUDPDstMask, flowerKeySCTPDstMask:
			return b16(data, &k.DstPortMask)
		case flowerKeyTCPFlags:
			return b16(data, &k.TCPFlags)
		case flowerKeyTCPFlagsMask:
			return b16(data, &k.TCPFlagsMask)
		case flowerKeyFlags:
			return b32(data, &k.KeyFlags)
		case flowerKeyFlagsMask:
			return b32(data, &k.KeyFlagsMask)
		case flowerKeyCtState:
			return n16(data, &k.CtState)
		case flowerKeyCtStateMask:
			return n16(data, &k.CtStateMask)
		case flowerKeyCtZone:
			return n16(data, &k.CtZone)
		case flowerKeyCtZoneMask:
			return n16(data, &k.CtZoneMask)
		case flowerKeyCtMark:
			return n32(data, &k.CtMark)
		case flowerKeyCtMarkMask:
			return n32(data, &k.CtMarkMask)
		case flowerKeyCtLabels:
			return bytes(data, &k.CtLabels)
		case flowerKeyCtLabelsMask:
			return bytes(data, &k.CtLabelsMask)
		case flowerKeyEncKeyID:
			k.EncKeyID = new(uint32)
			return b32(data, k.EncKeyID)
		case flowerKeyEncIPv4Src:
			return addr(data, 4, &k.EncSrc)
		case flowerKeyEncIPv4SrcMask:
			return addr(data, 4, &k.EncSrcMask)
		case flowerKeyEncIPv4Dst:
			return addr(data, 4, &k.EncDst)
		case flowerKeyEncIPv4DstMask:
			return addr(data, 4, &k.EncDstMask)
		case flowerKeyEncIPv6Src:
			return addr(data, 16, &k.EncSrc)
		case flowerKeyEncIPv6SrcMask:
			return addr(data, 16, &k.EncSrcMask)
		case flowerKeyEncIPv6Dst:
			return addr(data, 16, &k.EncDst)
		case flowerKeyEncIPv6DstMask:
			return addr(data, 16, &k.EncDstMask)
		case flowerKeyEncUDPSrcPort:
			return b16(data, &k.EncSrcPort)
		case flowerKeyEncUDPSrcPortMask:
			return b16(data, &k.EncSrcPortMask)
		case flowerKeyEncUDPDstPort:
			return b16(data, &k.EncDstPort)
		case flowerKeyEncUDPDstPortMask:
			return b16(data, &k.EncDstPortMask)
		case flowerKeyEncIPTOS:
			return u8(data, &k.EncTOS)
		case flowerKeyEncIPTOSMask:
			return u8(data, &k.EncTOSMask)
		case flowerKeyEncIPTTL:
			return u8(data, &k.EncTTL)
		case flowerKeyEncIPTTLMask:
			return u8(data, &k.EncTTLMask)
		case flowerKeyEncOpts:
			return bytes(data, &k.EncOpts)
		case flowerKeyEncOptsMask:
			return bytes(data, &k.EncOptsMask)
		default:
			k.Unknown = append(k.Unknown, opaque(raw, data))
		}
		return nil
	})
}

func decodeActions(b []byte) ([]Action, error) {
	var acts []Action
	err := walk("flower/act", b, func(typ, raw uint16, data []byte) error {
		a, err := decodeAction("flower/act", data)
		if err != nil {
			return err
		}
		acts = append(acts, a)
		return nil
	})
	return acts, err
}

func decodeAction(where string, b []byte) (Action, error) {
	var a Action
	var options []byte
	haveOptions := false
	err := walk(where, b, func(typ, raw uint16, data []byte) error {
		switch typ {
		case actKind:
			a.Kind = cstring(data)
		case actOptions:
			options, haveOptions = data, true
		case actIndex:
			if err := size(where, "/index", data, 4); err != nil {
				return err
			}
			a.Index = binary.NativeEndian.Uint32(data)
		case actCookie:
			a.Cookie = append([]byte(nil), data...)
		case actStats:
			return decodeStats(where, data, &a.Stats)
		case actInHWCount:
			if err := size(where, "/in_hw_count", data, 4); err != nil {
				return err
			}
			v := binary.NativeEndian.Uint32(data)
			a.InHWCount = &v
		case actPad:
		default:
			a.Unknown = append(a.Unknown, opaque(raw, data))
		}
		return nil
	})
	if err != nil {
		return Action{}, err
	}
	if haveOptions {
		if err := decodeActionOptions(where, options, &a); err != nil {
			return Action{}, err
		}
	}
	return a, nil
}

func decodeStats(where string, b []byte, s *ActionStats) error {
	return walk(where, b, func(typ, raw uint16, data []byte) error {
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

// userHZ is the clock_t tick of tcf_t values (USER_HZ, 100 on Linux).
const userHZ = 100

func ticks(v uint64) time.Duration { return time.Duration(v) * (time.Second / userHZ) }

func decodeTM(where string, data []byte, s *ActionStats) error {
	if err := atLeast(where, "/tm", data, 24); err != nil {
		return err
	}
	s.Installed = ticks(binary.NativeEndian.Uint64(data))
	s.LastUsed = ticks(binary.NativeEndian.Uint64(data[8:]))
	if len(data) >= 32 {
		s.FirstUsed = ticks(binary.NativeEndian.Uint64(data[24:]))
	}
	return nil
}

// padAttr returns the padding attribute of an action kind, skipped.
func padAttr(kind string) (uint16, bool) {
	switch kind {
	case "mirred", "pedit":
		return 3, true
	case "gact":
		return 4, true
	case "vlan":
		return 5, true
	case "tunnel_key":
		return 8, true
	case "ct":
		return 15, true
	}
	return 0, false
}

func decodeActionOptions(where string, b []byte, a *Action) error {
	tm, parms := uint16(kindTM), uint16(kindParms)
	if a.Kind == "ct" {
		tm, parms = ctTM, ctParms
	}
	known := a.Kind == "mirred" || a.Kind == "gact" || a.Kind == "vlan" || a.Kind == "tunnel_key" ||
		a.Kind == "pedit" || a.Kind == "ct"
	switch a.Kind {
	case "mirred":
		a.Mirred = &Mirred{}
	case "vlan":
		a.VLAN = &VLAN{}
	case "tunnel_key":
		a.TunnelKey = &TunnelKey{}
	case "pedit":
		a.Pedit = &Pedit{}
	case "ct":
		a.CT = &CT{}
	}
	var keysEx []PeditKey
	err := walk(where, b, func(typ, raw uint16, data []byte) error {
		if !known {
			a.Options = append(a.Options, opaque(raw, data))
			return nil
		}
		if pad, ok := padAttr(a.Kind); ok && typ == pad {
			return nil
		}
		if typ == tm {
			return decodeTM(where, data, &a.Stats)
		}
		if typ == parms || (a.Kind == "pedit" && typ == peditParmsEx) {
			return decodeParms(where, data, a)
		}
		if handled, err := decodeKindAttr(where, typ, data, a, &keysEx); handled || err != nil {
			return err
		}
		a.Options = append(a.Options, opaque(raw, data))
		return nil
	})
	if err != nil {
		return err
	}
	if a.Pedit != nil && keysEx != nil {
		if len(keysEx) != len(a.Pedit.Keys) {
			return &DecodeError{where, fmt.Sprintf("%d extended keys for %d keys", len(keysEx), len(a.Pedit.Keys))}
		}
		for i := range keysEx {
			a.Pedit.Keys[i].Htype, a.Pedit.Keys[i].Cmd = keysEx[i].Htype, keysEx[i].Cmd
		}
	}
	return nil
}

func decodeParms(where string, data []byte, a *Action) error {
	if err := atLeast(where, "/parms", data, 20); err != nil {
		return err
	}
	a.Index = binary.NativeEndian.Uint32(data)
	a.Verdict = Verdict(int32(binary.NativeEndian.Uint32(data[8:])))
	u32 := func(off int) (uint32, error) {
		if err := atLeast(where, "/parms", data, off+4); err != nil {
			return 0, err
		}
		return binary.NativeEndian.Uint32(data[off:]), nil
	}
	var err error
	switch a.Kind {
	case "mirred":
		var op uint32
		if op, err = u32(20); err == nil {
			a.Mirred.Op = MirredOp(op)
			a.Mirred.Ifindex, err = u32(24)
		}
	case "vlan":
		var op uint32
		op, err = u32(20)
		a.VLAN.Op = VLANOp(op)
	case "tunnel_key":
		var op uint32
		op, err = u32(20)
		a.TunnelKey.Op = TunnelKeyOp(op)
	case "pedit":
		if err := atLeast(where, "/parms", data, 24); err != nil {
			return err
		}
		n := int(data[20])
		keys := data[24:]
		if len(keys) < n*24 {
			return &DecodeError{where + "/parms", fmt.Sprintf("%d keys in %d bytes", n, len(keys))}
		}
		a.Pedit.Keys = make([]PeditKey, n)
		for i := range n {
			k := keys[i*24:]
			w := func(j int) uint32 { return binary.NativeEndian.Uint32(k[4*j:]) }
			a.Pedit.Keys[i] = PeditKey{Mask: w(0), Val: w(1), Off: w(2), At: w(3), OffMask: w(4), Shift: w(5)}
		}
	}
	return err
}

// decodeKindAttr decodes the typed option attributes of the known kinds. It
// reports false for attributes it does not know.
func decodeKindAttr(where string, typ uint16, data []byte, a *Action, keysEx *[]PeditKey) (bool, error) {
	ip := func(n int, dst *netip.Addr) (bool, error) {
		if err := size(where, "", data, n); err != nil {
			return true, err
		}
		*dst, _ = netip.AddrFromSlice(data)
		return true, nil
	}
	be16 := func(dst *uint16) (bool, error) {
		if err := size(where, "", data, 2); err != nil {
			return true, err
		}
		*dst = binary.BigEndian.Uint16(data)
		return true, nil
	}
	switch a.Kind {
	case "vlan":
		v := a.VLAN
		switch typ {
		case vlanPushID:
			if err := size(where, "/push_id", data, 2); err != nil {
				return true, err
			}
			v.ID = binary.NativeEndian.Uint16(data)
			return true, nil
		case vlanPushProtocol:
			return be16(&v.Protocol)
		case vlanPushPriority:
			if err := size(where, "/push_prio", data, 1); err != nil {
				return true, err
			}
			v.Priority = data[0]
			return true, nil
		}
	case "tunnel_key":
		t := a.TunnelKey
		switch typ {
		case tunnelKeyEncIPv4Src:
			return ip(4, &t.Src)
		case tunnelKeyEncIPv4Dst:
			return ip(4, &t.Dst)
		case tunnelKeyEncIPv6Src:
			return ip(16, &t.Src)
		case tunnelKeyEncIPv6Dst:
			return ip(16, &t.Dst)
		case tunnelKeyEncKeyID:
			if err := size(where, "/key_id", data, 4); err != nil {
				return true, err
			}
			v := binary.BigEndian.Uint32(data)
			t.KeyID = &v
			return true, nil
		case tunnelKeyEncDstPort:
			return be16(&t.DstPort)
		case tunnelKeyNoCsum:
			if err := size(where, "/no_csum", data, 1); err != nil {
				return true, err
			}
			t.NoCsum = data[0] != 0
			return true, nil
		case tunnelKeyEncTOS, tunnelKeyEncTTL:
			if err := size(where, "/tos_ttl", data, 1); err != nil {
				return true, err
			}
			if typ == tunnelKeyEncTOS {
				t.TOS = data[0]
			} else {
				t.TTL = data[0]
			}
			return true, nil
		case tunnelKeyEncOpts:
			t.Opts = append([]byte(nil), data...)
			return true, nil
		}
	case "pedit":
		if typ == peditKeysEx {
			*keysEx = []PeditKey{}
			return true, walk(where+"/keys_ex", data, func(typ, raw uint16, kd []byte) error {
				var k PeditKey
				err := walk(where+"/key_ex", kd, func(t, _ uint16, v []byte) error {
					if err := size(where, "/key_ex", v, 2); err != nil {
						return err
					}
					switch t {
					case peditKeyExHtype:
						k.Htype = binary.NativeEndian.Uint16(v)
					case peditKeyExCmd:
						k.Cmd = binary.NativeEndian.Uint16(v)
					}
					return nil
				})
				*keysEx = append(*keysEx, k)
				return err
			})
		}
	case "ct":
		c := a.CT
		n16 := func(dst *uint16) (bool, error) {
			if err := size(where, "", data, 2); err != nil {
				return true, err
			}
			*dst = binary.NativeEndian.Uint16(data)
			return true, nil
		}
		n32 := func(dst *uint32) (bool, error) {
			if err := size(where, "", data, 4); err != nil {
				return true, err
			}
			*dst = binary.NativeEndian.Uint32(data)
			return true, nil
		}
		switch typ {
		case ctAction:
			return n16(&c.Flags)
		case ctZone:
			return n16(&c.Zone)
		case ctMark:
			return n32(&c.Mark)
		case ctMarkMask:
			return n32(&c.MarkMask)
		case ctLabels:
			c.Labels = append([]byte(nil), data...)
			return true, nil
		case ctLabelsMask:
			c.LabelsMask = append([]byte(nil), data...)
			return true, nil
		case ctNatIPv4Min:
			return ip(4, &c.NATMin)
		case ctNatIPv4Max:
			return ip(4, &c.NATMax)
		case ctNatIPv6Min:
			return ip(16, &c.NATMin)
		case ctNatIPv6Max:
			return ip(16, &c.NATMax)
		case ctNatPortMin:
			return be16(&c.NATPortMin)
		case ctNatPortMax:
			return be16(&c.NATPortMax)
		}
	}
	return false, nil
}
