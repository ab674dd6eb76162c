// SPDX-License-Identifier: Apache-2.0

package flower

import (
	"fmt"
	"net/netip"
	"time"
)

// Verdict is a TC action control value (TC_ACT_*): what happens to the
// packet after the action.
type Verdict int32

// Verdicts of linux/pkt_cls.h.
const (
	VerdictUnspec     Verdict = -1
	VerdictOK         Verdict = 0 // "pass"
	VerdictReclassify Verdict = 1
	VerdictShot       Verdict = 2 // "drop"
	VerdictPipe       Verdict = 3 // continue with the next action
	VerdictStolen     Verdict = 4
	VerdictQueued     Verdict = 5
	VerdictRepeat     Verdict = 6
	VerdictRedirect   Verdict = 7
	VerdictTrap       Verdict = 8

	verdictGotoChain Verdict = 2 << 28  // TC_ACT_GOTO_CHAIN
	verdictExtMask   Verdict = -1 << 28 // 0xF0000000, TC_ACT_EXT_OPCODE_MAX bits
	verdictValMask   Verdict = 0x0FFFFFFF
)

// GotoChain returns the verdict "goto chain n".
func GotoChain(n uint32) Verdict { return verdictGotoChain | Verdict(n)&verdictValMask }

// Chain returns the target chain of a "goto chain" verdict.
func (v Verdict) Chain() (uint32, bool) {
	if v&verdictExtMask == verdictGotoChain {
		return uint32(v & verdictValMask), true
	}
	return 0, false
}

// String names the verdict as tc prints it.
func (v Verdict) String() string {
	if n, ok := v.Chain(); ok {
		return fmt.Sprintf("goto chain %d", n)
	}
	switch v {
	case VerdictUnspec:
		return "continue"
	case VerdictOK:
		return "pass"
	case VerdictReclassify:
		return "reclassify"
	case VerdictShot:
		return "drop"
	case VerdictPipe:
		return "pipe"
	case VerdictStolen:
		return "stolen"
	case VerdictQueued:
		return "queued"
	case VerdictRepeat:
		return "repeat"
	case VerdictRedirect:
		return "redirect"
	case VerdictTrap:
		return "trap"
	}
	return fmt.Sprintf("verdict(%#x)", uint32(v))
}

// Action is one TC action of a filter. Kind selects which typed field is
// used: "mirred" (Mirred), "gact" (only Verdict), "vlan" (VLAN),
// "tunnel_key" (TunnelKey), "pedit" (Pedit), "ct" (CT). A dumped action of
// another kind keeps its options in Options.
type Action struct {
	Kind    string
	Index   uint32  // action index; 0 lets the kernel choose
	Verdict Verdict // the control value in the action's parameters
	// Cookie is TCA_ACT_COOKIE, up to 16 bytes. OVS stores the flow's UFID
	// here (see tc.UFIDCookie).
	Cookie []byte

	Mirred    *Mirred
	VLAN      *VLAN
	TunnelKey *TunnelKey
	Pedit     *Pedit
	CT        *CT

	// Filled in by dumps.
	Stats     ActionStats
	InHWCount *uint32 // TCA_ACT_IN_HW_COUNT, nil when absent
	// Options holds the kind's option attributes this package does not
	// decode (all of them for an unknown kind).
	Options []Attr
	// Unknown holds action-level attributes this package does not decode.
	Unknown []Attr
}

// SpecPart returns the programmable part of a dumped action: its kind,
// verdict, cookie and typed parameters, without index, counters and opaque
// attributes.
func (a Action) SpecPart() Action {
	return Action{Kind: a.Kind, Verdict: a.Verdict, Cookie: a.Cookie, Mirred: a.Mirred,
		VLAN: a.VLAN, TunnelKey: a.TunnelKey, Pedit: a.Pedit, CT: a.CT}
}

// ActionStats are an action's counters from a dump.
type ActionStats struct {
	Bytes, Packets     uint64 // total (software and hardware)
	HWBytes, HWPackets uint64 // the hardware part (TCA_STATS_BASIC_HW)
	HasHW              bool   // whether the kernel sent hardware counters
	Drops, Overlimits  uint32 // from TCA_STATS_QUEUE
	// Installed and LastUsed are how long ago the action was installed and
	// last used (tcf_t, in USER_HZ ticks of 10ms).
	Installed, LastUsed time.Duration
	// FirstUsed is how long ago the action was first used; 0 when never.
	FirstUsed time.Duration
}

// MirredOp is a mirred direction and mode (TCA_EGRESS_REDIR, ...).
type MirredOp uint32

// Mirred operations of linux/tc_act/tc_mirred.h.
const (
	EgressRedirect  MirredOp = mirredEgressRedir
	EgressMirror    MirredOp = mirredEgressMirror
	IngressRedirect MirredOp = mirredIngressRedir
	IngressMirror   MirredOp = mirredIngressMirror
)

// Mirred sends the packet to another device.
type Mirred struct {
	Op      MirredOp
	Ifindex uint32
}

// VLANOp is a vlan action operation (TCA_VLAN_ACT_*).
type VLANOp uint32

// VLAN operations of linux/tc_act/tc_vlan.h.
const (
	VLANPop    VLANOp = 1
	VLANPush   VLANOp = 2
	VLANModify VLANOp = 3
)

// VLAN pushes, pops or modifies an 802.1Q tag.
type VLAN struct {
	Op       VLANOp
	ID       uint16 // push/modify
	Priority uint8  // push/modify
	Protocol uint16 // EthP8021Q or EthP8021AD; 0 lets the kernel use 802.1Q
}

// TunnelKeyOp is a tunnel_key operation (TCA_TUNNEL_KEY_ACT_*).
type TunnelKeyOp uint32

// Tunnel key operations of linux/tc_act/tc_tunnel_key.h.
const (
	TunnelKeySet     TunnelKeyOp = 1
	TunnelKeyRelease TunnelKeyOp = 2 // tc "tunnel_key unset"
)

// TunnelKey sets or releases the tunnel metadata of a packet.
type TunnelKey struct {
	Op       TunnelKeyOp
	Src, Dst netip.Addr // both IPv4 or both IPv6
	KeyID    *uint32    // VNI
	DstPort  uint16
	NoCsum   bool
	TOS, TTL uint8
	// Opts is the payload of TCA_TUNNEL_KEY_ENC_OPTS (nested geneve
	// options), kept as bytes.
	Opts []byte
}

// PeditKey is one 32-bit rewrite of a pedit action (struct tc_pedit_key
// with its extended header type and command).
type PeditKey struct {
	Htype   uint16 // TCA_PEDIT_KEY_EX_HDR_TYPE_*: 1 eth, 2 ip4, 3 ip6, 4 tcp, 5 udp
	Cmd     uint16 // 0 set, 1 add
	Off     uint32
	Mask    uint32 // bits kept
	Val     uint32
	At      uint32
	OffMask uint32
	Shift   uint32
}

// Pedit rewrites packet headers.
type Pedit struct {
	Keys []PeditKey
}

// CT flags of linux/tc_act/tc_ct.h, for CT.Flags.
const (
	CtCommit uint16 = 1 << 0
	CtForce  uint16 = 1 << 1
	CtClear  uint16 = 1 << 2
	CtNAT    uint16 = 1 << 3
	CtNATSrc uint16 = 1 << 4
	CtNATDst uint16 = 1 << 5
)

// CT sends the packet through connection tracking.
type CT struct {
	Flags                  uint16 // CtCommit, CtClear, CtNAT, ...
	Zone                   uint16
	Mark, MarkMask         uint32
	Labels, LabelsMask     []byte // 16 bytes each when set
	NATMin, NATMax         netip.Addr
	NATPortMin, NATPortMax uint16
}

// WithCookie returns a copy of a carrying cookie.
func (a Action) WithCookie(cookie []byte) Action {
	a.Cookie = append([]byte(nil), cookie...)
	return a
}
