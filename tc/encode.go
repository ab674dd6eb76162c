package tc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"github.com/mdlayher/netlink"
)

const nlaFNested = 0x8000 // NLA_F_NESTED

// enc appends netlink attributes to a buffer.
type enc struct{ b []byte }

func align4(n int) int { return (n + 3) &^ 3 }

func (e *enc) attr(typ uint16, data []byte) {
	l := 4 + len(data)
	e.b = binary.NativeEndian.AppendUint16(e.b, uint16(l))
	e.b = binary.NativeEndian.AppendUint16(e.b, typ)
	e.b = append(e.b, data...)
	for i := l; i < align4(l); i++ {
		e.b = append(e.b, 0)
	}
}

func (e *enc) u8(typ uint16, v uint8) { e.attr(typ, []byte{v}) }
func (e *enc) u16(typ uint16, v uint16) {
	e.attr(typ, binary.NativeEndian.AppendUint16(nil, v))
}
func (e *enc) u32(typ uint16, v uint32) {
	e.attr(typ, binary.NativeEndian.AppendUint32(nil, v))
}
func (e *enc) be16(typ uint16, v uint16) { e.attr(typ, binary.BigEndian.AppendUint16(nil, v)) }
func (e *enc) be32(typ uint16, v uint32) { e.attr(typ, binary.BigEndian.AppendUint32(nil, v)) }
func (e *enc) str(typ uint16, s string)  { e.attr(typ, append([]byte(s), 0)) }

// nest writes a nested attribute (with NLA_F_NESTED) whose payload fn appends.
func (e *enc) nest(typ uint16, fn func()) {
	start := len(e.b)
	e.b = append(e.b, 0, 0, 0, 0)
	fn()
	binary.NativeEndian.PutUint16(e.b[start:], uint16(len(e.b)-start))
	binary.NativeEndian.PutUint16(e.b[start+2:], typ|nlaFNested)
}

func tcmsg(ifindex int, handle, parent, info uint32) []byte {
	b := make([]byte, tcmsgLen)
	binary.NativeEndian.PutUint32(b[4:], uint32(int32(ifindex)))
	binary.NativeEndian.PutUint32(b[8:], handle)
	binary.NativeEndian.PutUint32(b[12:], parent)
	binary.NativeEndian.PutUint32(b[16:], info)
	return b
}

// filterInfo packs prio and protocol into tcm_info: TC_H_MAKE(prio << 16,
// htons(protocol)).
func filterInfo(prio, protocol uint16) uint32 {
	be := binary.BigEndian.AppendUint16(nil, protocol)
	return uint32(prio)<<16 | uint32(binary.NativeEndian.Uint16(be))
}

func infoProtocol(info uint32) uint16 {
	b := binary.NativeEndian.AppendUint16(nil, uint16(info))
	return binary.BigEndian.Uint16(b)
}

type filterOp int

const (
	opAdd filterOp = iota
	opReplace
	opDelete
)

func (o filterOp) String() string {
	return [...]string{"add filter", "replace filter", "delete filter"}[o]
}

// filterMessage builds the RTM_NEWTFILTER / RTM_DELTFILTER request for spec.
func filterMessage(op filterOp, spec FilterSpec) (netlink.Message, error) {
	id := spec.FilterID
	m := netlink.Message{Header: netlink.Header{Flags: netlink.Request | netlink.Acknowledge}}
	switch op {
	case opAdd:
		m.Header.Type = rtmNewTfilter
		m.Header.Flags |= netlink.Create | netlink.Excl
	case opReplace:
		m.Header.Type = rtmNewTfilter
		m.Header.Flags |= netlink.Create | netlink.Replace
	case opDelete:
		m.Header.Type = rtmDelTfilter
	}
	var e enc
	e.b = tcmsg(id.Ifindex, id.Handle, id.Parent, filterInfo(id.Prio, id.Protocol))
	if op == opDelete {
		e.u32(tcaChain, id.Chain)
		e.str(tcaKind, "flower")
		m.Data = e.b
		return m, nil
	}
	e.str(tcaKind, "flower")
	e.u32(tcaChain, id.Chain)
	var err error
	e.nest(tcaOptions, func() { err = encodeFlower(&e, spec) })
	if err != nil {
		return netlink.Message{}, err
	}
	m.Data = e.b
	return m, nil
}

func encodeFlower(e *enc, spec FilterSpec) error {
	k := spec.Match
	if k.Indev != "" {
		e.str(flowerIndev, k.Indev)
	}
	masked := func(key, mask uint16, v, m []byte) {
		e.attr(key, v)
		e.attr(mask, m)
	}
	if len(k.EthDstMask) > 0 {
		masked(flowerKeyEthDst, flowerKeyEthDstMask, k.EthDst, k.EthDstMask)
	}
	if len(k.EthSrcMask) > 0 {
		masked(flowerKeyEthSrc, flowerKeyEthSrcMask, k.EthSrc, k.EthSrcMask)
	}
	if k.EthType != 0 {
		e.be16(flowerKeyEthType, k.EthType)
	}
	if k.VLANID != nil {
		e.u16(flowerKeyVlanID, *k.VLANID)
	}
	if k.VLANPrio != nil {
		e.u8(flowerKeyVlanPrio, *k.VLANPrio)
	}
	if k.VLANEthType != 0 {
		e.be16(flowerKeyVlanEthType, k.VLANEthType)
	}
	if k.IPProto != nil {
		e.u8(flowerKeyIPProto, *k.IPProto)
	}
	if k.SrcMask.IsValid() {
		if k.Src.Is4() {
			masked(flowerKeyIPv4Src, flowerKeyIPv4SrcMask, k.Src.AsSlice(), k.SrcMask.AsSlice())
		} else {
			masked(flowerKeyIPv6Src, flowerKeyIPv6SrcMask, k.Src.AsSlice(), k.SrcMask.AsSlice())
		}
	}
	if k.DstMask.IsValid() {
		if k.Dst.Is4() {
			masked(flowerKeyIPv4Dst, flowerKeyIPv4DstMask, k.Dst.AsSlice(), k.DstMask.AsSlice())
		} else {
			masked(flowerKeyIPv6Dst, flowerKeyIPv6DstMask, k.Dst.AsSlice(), k.DstMask.AsSlice())
		}
	}
	if k.IPTOSMask != 0 {
		masked(flowerKeyIPTOS, flowerKeyIPTOSMask, []byte{k.IPTOS}, []byte{k.IPTOSMask})
	}
	if k.IPTTLMask != 0 {
		masked(flowerKeyIPTTL, flowerKeyIPTTLMask, []byte{k.IPTTL}, []byte{k.IPTTLMask})
	}
	if k.SrcPortMask != 0 || k.DstPortMask != 0 {
		src, srcMask, dst, dstMask, err := portAttrs(k.IPProto)
		if err != nil {
			return err
		}
		if k.SrcPortMask != 0 {
			masked(src, srcMask, be16(k.SrcPort), be16(k.SrcPortMask))
		}
		if k.DstPortMask != 0 {
			masked(dst, dstMask, be16(k.DstPort), be16(k.DstPortMask))
		}
	}
	if k.TCPFlagsMask != 0 {
		masked(flowerKeyTCPFlags, flowerKeyTCPFlagsMask, be16(k.TCPFlags), be16(k.TCPFlagsMask))
	}
	if k.KeyFlagsMask != 0 {
		masked(flowerKeyFlags, flowerKeyFlagsMask, be32(k.KeyFlags), be32(k.KeyFlagsMask))
	}
	if k.CtStateMask != 0 {
		e.u16(flowerKeyCtState, k.CtState)
		e.u16(flowerKeyCtStateMask, k.CtStateMask)
	}
	if k.CtZoneMask != 0 {
		e.u16(flowerKeyCtZone, k.CtZone)
		e.u16(flowerKeyCtZoneMask, k.CtZoneMask)
	}
	if k.CtMarkMask != 0 {
		e.u32(flowerKeyCtMark, k.CtMark)
		e.u32(flowerKeyCtMarkMask, k.CtMarkMask)
	}
	if len(k.CtLabelsMask) > 0 {
		masked(flowerKeyCtLabels, flowerKeyCtLabelsMask, k.CtLabels, k.CtLabelsMask)
	}
	if k.EncKeyID != nil {
		e.be32(flowerKeyEncKeyID, *k.EncKeyID)
	}
	if k.EncSrcMask.IsValid() {
		if k.EncSrc.Is4() {
			masked(flowerKeyEncIPv4Src, flowerKeyEncIPv4SrcMask, k.EncSrc.AsSlice(), k.EncSrcMask.AsSlice())
		} else {
			masked(flowerKeyEncIPv6Src, flowerKeyEncIPv6SrcMask, k.EncSrc.AsSlice(), k.EncSrcMask.AsSlice())
		}
	}
	if k.EncDstMask.IsValid() {
		if k.EncDst.Is4() {
			masked(flowerKeyEncIPv4Dst, flowerKeyEncIPv4DstMask, k.EncDst.AsSlice(), k.EncDstMask.AsSlice())
		} else {
			masked(flowerKeyEncIPv6Dst, flowerKeyEncIPv6DstMask, k.EncDst.AsSlice(), k.EncDstMask.AsSlice())
		}
	}
	if k.EncSrcPortMask != 0 {
		masked(flowerKeyEncUDPSrcPort, flowerKeyEncUDPSrcPortMask, be16(k.EncSrcPort), be16(k.EncSrcPortMask))
	}
	if k.EncDstPortMask != 0 {
		masked(flowerKeyEncUDPDstPort, flowerKeyEncUDPDstPortMask, be16(k.EncDstPort), be16(k.EncDstPortMask))
	}
	if k.EncTOSMask != 0 {
		masked(flowerKeyEncIPTOS, flowerKeyEncIPTOSMask, []byte{k.EncTOS}, []byte{k.EncTOSMask})
	}
	if k.EncTTLMask != 0 {
		masked(flowerKeyEncIPTTL, flowerKeyEncIPTTLMask, []byte{k.EncTTL}, []byte{k.EncTTLMask})
	}
	if len(k.EncOpts) > 0 {
		e.nest(flowerKeyEncOpts, func() { e.b = append(e.b, k.EncOpts...) })
		e.nest(flowerKeyEncOptsMask, func() { e.b = append(e.b, k.EncOptsMask...) })
	}
	e.u32(flowerFlags, uint32(spec.Flags))
	if len(spec.Actions) > 0 {
		var err error
		e.nest(flowerAct, func() {
			for i, a := range spec.Actions {
				e.nest(uint16(i+1), func() {
					if aerr := encodeAction(e, a); aerr != nil && err == nil {
						err = fmt.Errorf("action %d (%s): %w", i+1, a.Kind, aerr)
					}
				})
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func be16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func portAttrs(proto *uint8) (src, srcMask, dst, dstMask uint16, err error) {
	if proto == nil {
		return 0, 0, 0, 0, errors.New("tc: L4 port match needs IPProto (tcp, udp or sctp)")
	}
	switch *proto {
	case 6:
		return flowerKeyTCPSrc, flowerKeyTCPSrcMask, flowerKeyTCPDst, flowerKeyTCPDstMask, nil
	case 17:
		return flowerKeyUDPSrc, flowerKeyUDPSrcMask, flowerKeyUDPDst, flowerKeyUDPDstMask, nil
	case 132:
		return flowerKeySCTPSrc, flowerKeySCTPSrcMask, flowerKeySCTPDst, flowerKeySCTPDstMask, nil
	}
	return 0, 0, 0, 0, fmt.Errorf("tc: L4 port match needs IPProto tcp, udp or sctp, not %d", *proto)
}

// tcGen encodes the tc_gen header shared by action parameter structs.
func tcGen(index uint32, v Verdict) []byte {
	b := make([]byte, 20)
	binary.NativeEndian.PutUint32(b[0:], index)
	binary.NativeEndian.PutUint32(b[8:], uint32(v))
	return b
}

func encodeAction(e *enc, a Action) error {
	e.str(actKind, a.Kind)
	var err error
	e.nest(actOptions, func() {
		switch a.Kind {
		case "gact":
			e.attr(kindParms, tcGen(a.Index, a.Verdict))
		case "mirred":
			p := tcGen(a.Index, a.Verdict)
			p = binary.NativeEndian.AppendUint32(p, uint32(a.Mirred.Op))
			p = binary.NativeEndian.AppendUint32(p, a.Mirred.Ifindex)
			e.attr(kindParms, p)
		case "vlan":
			p := binary.NativeEndian.AppendUint32(tcGen(a.Index, a.Verdict), uint32(a.VLAN.Op))
			e.attr(kindParms, p)
			if a.VLAN.Op != VLANPop {
				e.u16(vlanPushID, a.VLAN.ID)
				if a.VLAN.Protocol != 0 {
					e.be16(vlanPushProtocol, a.VLAN.Protocol)
				}
				e.u8(vlanPushPriority, a.VLAN.Priority)
			}
		case "tunnel_key":
			t := a.TunnelKey
			p := binary.NativeEndian.AppendUint32(tcGen(a.Index, a.Verdict), uint32(t.Op))
			e.attr(kindParms, p)
			if t.Op != TunnelKeySet {
				return
			}
			addr := func(v4, v6 uint16, ip netip.Addr) {
				if !ip.IsValid() {
					return
				}
				if ip.Is4() {
					e.attr(v4, ip.AsSlice())
				} else {
					e.attr(v6, ip.AsSlice())
				}
			}
			addr(tunnelKeyEncIPv4Src, tunnelKeyEncIPv6Src, t.Src)
			addr(tunnelKeyEncIPv4Dst, tunnelKeyEncIPv6Dst, t.Dst)
			if t.KeyID != nil {
				e.be32(tunnelKeyEncKeyID, *t.KeyID)
			}
			if t.DstPort != 0 {
				e.be16(tunnelKeyEncDstPort, t.DstPort)
			}
			var nocsum uint8
			if t.NoCsum {
				nocsum = 1
			}
			e.u8(tunnelKeyNoCsum, nocsum)
			if t.TOS != 0 {
				e.u8(tunnelKeyEncTOS, t.TOS)
			}
			if t.TTL != 0 {
				e.u8(tunnelKeyEncTTL, t.TTL)
			}
			if len(t.Opts) > 0 {
				e.nest(tunnelKeyEncOpts, func() { e.b = append(e.b, t.Opts...) })
			}
		case "pedit":
			keys := a.Pedit.Keys
			p := tcGen(a.Index, a.Verdict)
			p = append(p, uint8(len(keys)), 0, 0, 0) // nkeys, flags, padding
			for _, k := range keys {
				for _, w := range []uint32{k.Mask, k.Val, k.Off, k.At, k.OffMask, k.Shift} {
					p = binary.NativeEndian.AppendUint32(p, w)
				}
			}
			e.attr(peditParmsEx, p)
			e.nest(peditKeysEx, func() {
				for _, k := range keys {
					e.nest(peditKeyEx, func() {
						e.u16(peditKeyExHtype, k.Htype)
						e.u16(peditKeyExCmd, k.Cmd)
					})
				}
			})
		case "ct":
			c := a.CT
			e.attr(ctParms, tcGen(a.Index, a.Verdict))
			if c.Flags != 0 {
				e.u16(ctAction, c.Flags)
			}
			if c.Zone != 0 {
				e.u16(ctZone, c.Zone)
			}
			if c.MarkMask != 0 {
				e.u32(ctMark, c.Mark)
				e.u32(ctMarkMask, c.MarkMask)
			}
			if len(c.LabelsMask) > 0 {
				e.attr(ctLabels, c.Labels)
				e.attr(ctLabelsMask, c.LabelsMask)
			}
			if c.NATMin.IsValid() {
				if c.NATMin.Is4() {
					e.attr(ctNatIPv4Min, c.NATMin.AsSlice())
					e.attr(ctNatIPv4Max, c.NATMax.AsSlice())
				} else {
					e.attr(ctNatIPv6Min, c.NATMin.AsSlice())
					e.attr(ctNatIPv6Max, c.NATMax.AsSlice())
				}
			}
			if c.NATPortMin != 0 {
				e.be16(ctNatPortMin, c.NATPortMin)
				e.be16(ctNatPortMax, c.NATPortMax)
			}
		default:
			err = fmt.Errorf("tc: cannot program action kind %q", a.Kind)
		}
	})
	if len(a.Cookie) > 0 {
		e.attr(actCookie, a.Cookie)
	}
	return err
}
