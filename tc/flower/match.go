// SPDX-License-Identifier: Apache-2.0

package flower

import (
	"net"
	"net/netip"
)

// Match holds flower keys. A masked key is absent when its mask is zero
// (the zero value); keys the kernel has no mask for are pointers, nil when
// absent. When encoding, a key with a zero mask is not sent.
type Match struct {
	Indev string // TCA_FLOWER_INDEV

	EthDst, EthDstMask net.HardwareAddr
	EthSrc, EthSrcMask net.HardwareAddr
	// EthType is TCA_FLOWER_KEY_ETH_TYPE, 0 when absent. To match a VLAN
	// tag, send the TPID (EthP8021Q) here with VLANEthType; the kernel keeps
	// the TPID as the filter's protocol and dumps the inner ethertype here.
	EthType uint16

	VLANID      *uint16 // 12-bit VLAN id
	VLANPrio    *uint8  // 3-bit PCP
	VLANEthType uint16  // ethertype inside the tag, 0 when absent

	IPProto *uint8 // TCA_FLOWER_KEY_IP_PROTO

	// Src and Dst are IPv4 or IPv6 addresses with their masks.
	Src, SrcMask netip.Addr
	Dst, DstMask netip.Addr

	IPTOS, IPTOSMask uint8
	IPTTL, IPTTLMask uint8

	// L4 ports, sent as TCP, UDP or SCTP keys according to IPProto.
	SrcPort, SrcPortMask uint16
	DstPort, DstPortMask uint16

	TCPFlags, TCPFlagsMask uint16

	// KeyFlags are TCA_FLOWER_KEY_FLAGS (is_fragment, frag_is_first).
	KeyFlags, KeyFlagsMask uint32

	CtState, CtStateMask uint16 // TCA_FLOWER_KEY_CT_FLAGS_* bits
	CtZone, CtZoneMask   uint16
	CtMark, CtMarkMask   uint32
	CtLabels             []byte // 16 bytes when present
	CtLabelsMask         []byte

	EncKeyID                   *uint32 // tunnel id (VNI)
	EncSrc, EncSrcMask         netip.Addr
	EncDst, EncDstMask         netip.Addr
	EncSrcPort, EncSrcPortMask uint16
	EncDstPort, EncDstPortMask uint16
	EncTOS, EncTOSMask         uint8
	EncTTL, EncTTLMask         uint8
	// EncOpts and EncOptsMask are the payloads of the nested
	// TCA_FLOWER_KEY_ENC_OPTS attributes (geneve options), kept as bytes.
	EncOpts, EncOptsMask []byte

	// Unknown holds flower attributes this package does not decode.
	Unknown []Attr
}

// SpecPart returns m without the attributes a dump kept opaque (Unknown),
// the part of a dumped match that a spec can program.
func (m Match) SpecPart() Match {
	m.Unknown = nil
	return m
}

// Connection tracking state bits for Match.CtState (TCA_FLOWER_KEY_CT_FLAGS_*).
const (
	CtNew         uint16 = 1 << 0
	CtEstablished uint16 = 1 << 1
	CtRelated     uint16 = 1 << 2
	CtTracked     uint16 = 1 << 3
	CtInvalid     uint16 = 1 << 4
	CtReply       uint16 = 1 << 5
)
