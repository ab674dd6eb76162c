// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"encoding/binary"

	"github.com/mdlayher/netlink"

	"github.com/ovsoffload/ovsoffload/tc/flower"
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

func (e *enc) u32(typ uint16, v uint32) {
	e.attr(typ, binary.NativeEndian.AppendUint32(nil, v))
}
func (e *enc) str(typ uint16, s string) { e.attr(typ, append([]byte(s), 0)) }

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
	e.nest(tcaOptions, func() { e.b, err = flower.AppendOptions(e.b, spec.Flags, spec.Match, spec.Actions) })
	if err != nil {
		return netlink.Message{}, err
	}
	m.Data = e.b
	return m, nil
}
