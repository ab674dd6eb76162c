package tc

import (
	"net"
	"net/netip"
	"strings"
)

// Parents of filters: the ingress and egress hooks of a clsact qdisc (tc's
// "ingress" and "egress" keywords), and the handle of an ingress qdisc
// ("parent ffff:", what OVS uses). ParentIngress and ParentIngressQdisc
// reach the same filter block.
const (
	ParentIngress      uint32 = tcHClsact&0xFFFF0000 | tcHMinIngress
	ParentEgress       uint32 = tcHClsact&0xFFFF0000 | tcHMinEgress
	ParentIngressQdisc uint32 = qdiscHandleFFF
)

// Flags are a filter's TCA_CLS_FLAGS_* bits. A spec sets only SkipHW or
// SkipSW; the kernel adds InHW or NotInHW in dumps.
type Flags uint32

// Classifier flags, with the values of linux/pkt_cls.h.
const (
	FlagSkipHW  Flags = clsFlagsSkipHW  // skip_hw: never offload
	FlagSkipSW  Flags = clsFlagsSkipSW  // skip_sw: hardware only
	FlagInHW    Flags = clsFlagsInHW    // in_hw: offloaded to at least one device
	FlagNotInHW Flags = clsFlagsNotInHW // not_in_hw: software only
	FlagVerbose Flags = clsFlagsVerbose // verbose: log offload errors
)

// SkipHW reports whether the filter must not be offloaded.
func (f Flags) SkipHW() bool { return f&FlagSkipHW != 0 }

// SkipSW reports whether the filter runs only in hardware.
func (f Flags) SkipSW() bool { return f&FlagSkipSW != 0 }

// InHW reports whether the kernel says the filter is in hardware.
func (f Flags) InHW() bool { return f&FlagInHW != 0 }

// NotInHW reports whether the kernel says the filter is not in hardware.
func (f Flags) NotInHW() bool { return f&FlagNotInHW != 0 }

// String lists the flags as `tc filter show` prints them, such as
// "skip_hw not_in_hw"; unknown bits are printed in hex.
func (f Flags) String() string {
	var parts []string
	names := []struct {
		bit  Flags
		name string
	}{{FlagSkipHW, "skip_hw"}, {FlagSkipSW, "skip_sw"}, {FlagInHW, "in_hw"}, {FlagNotInHW, "not_in_hw"}, {FlagVerbose, "verbose"}}
	rest := f
	for _, n := range names {
		if f&n.bit != 0 {
			parts = append(parts, n.name)
			rest &^= n.bit
		}
	}
	if rest != 0 {
		parts = append(parts, "0x"+hex32(uint32(rest)))
	}
	return strings.Join(parts, " ")
}

// FilterID names one filter in the kernel: the tuple `tc filter del` needs.
type FilterID struct {
	Ifindex  int    // the device
	Parent   uint32 // ParentIngress, ParentEgress, ParentIngressQdisc or a class
	Chain    uint32 // chain index, 0 by default
	Prio     uint16 // priority (tc "pref"), 1..65535
	Protocol uint16 // ethertype (EthPIP, EthPAll, ...), host byte order
	Handle   uint32 // filter handle within prio; 0 on delete removes the whole prio
}

// FilterSpec is a flower filter to program: a plain value that tests compare.
type FilterSpec struct {
	FilterID
	// Flags may hold FlagSkipHW or FlagSkipSW (or FlagVerbose), not both skips.
	Flags   Flags
	Match   Match
	Actions []Action
}

// Filter is a filter as the kernel dumps it.
type Filter struct {
	FilterID
	Kind  string // "flower"; other kinds keep their options in Options
	Flags Flags  // TCA_FLOWER_FLAGS, with in_hw / not_in_hw
	// InHWCount is TCA_FLOWER_IN_HW_COUNT, the number of devices holding the
	// filter; nil when the kernel did not send it.
	InHWCount *uint32
	Match     Match
	Actions   []Action
	// Options holds the raw TCA_OPTIONS of a filter that is not flower.
	Options []byte
	// Unknown holds top-level attributes this package does not decode, in
	// the order received (unknown flower keys are in Match.Unknown).
	Unknown []Attr

	instance bool
}

// IsInstance reports whether f is not a filter but the classifier instance
// of a prio and protocol: the kernel dumps one such entry, with handle 0
// and no options, before the filters of each prio (tc -j prints it as an
// entry without "options"). Client.Filters and DecodeMessages leave them
// out; DecodeFilter returns them.
func (f Filter) IsInstance() bool { return f.instance }

// Spec returns the programmable part of f, so that a dumped filter can be
// compared with the spec that created it.
func (f Filter) Spec() FilterSpec {
	acts := make([]Action, len(f.Actions))
	for i, a := range f.Actions {
		acts[i] = a.specPart()
	}
	return FilterSpec{FilterID: f.FilterID, Flags: f.Flags & (FlagSkipHW | FlagSkipSW), Match: f.Match.specPart(), Actions: acts}
}

// UFID returns the OVS flow identifier carried in the first action cookie
// that holds one, and false when no action carries a 16-byte cookie.
func (f Filter) UFID() (UFID, bool) {
	for _, a := range f.Actions {
		if u, err := UFIDFromCookie(a.Cookie); err == nil {
			return u, true
		}
	}
	return UFID{}, false
}

// Attr is a netlink attribute kept opaque: its type (with the nested and
// byte-order flag bits as received) and its payload.
type Attr struct {
	Type uint16
	Data []byte
}

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

func (m Match) specPart() Match {
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

// Ptr returns a pointer to v, for the optional keys of Match.
func Ptr[T any](v T) *T { return &v }

func hex32(v uint32) string {
	const digits = "0123456789abcdef"
	if v == 0 {
		return "0"
	}
	var b []byte
	for v > 0 {
		b = append([]byte{digits[v&0xf]}, b...)
		v >>= 4
	}
	return string(b)
}
