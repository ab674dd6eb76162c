// SPDX-License-Identifier: Apache-2.0

package tc

import "github.com/ovsoffload/ovsoffload/tc/flower"

// The flower keys, the actions and their codec live in package
// github.com/ovsoffload/ovsoffload/tc/flower; these aliases keep them
// available under their names in this package.
type (
	// Match holds flower keys; see flower.Match.
	Match = flower.Match
	// Action is one TC action of a filter; see flower.Action.
	Action = flower.Action
	// ActionStats are an action's counters from a dump; see flower.ActionStats.
	ActionStats = flower.ActionStats
	// Verdict is a TC action control value (TC_ACT_*); see flower.Verdict.
	Verdict = flower.Verdict
	// MirredOp is a mirred direction and mode; see flower.MirredOp.
	MirredOp = flower.MirredOp
	// Mirred sends the packet to another device; see flower.Mirred.
	Mirred = flower.Mirred
	// VLANOp is a vlan action operation; see flower.VLANOp.
	VLANOp = flower.VLANOp
	// VLAN pushes, pops or modifies an 802.1Q tag; see flower.VLAN.
	VLAN = flower.VLAN
	// TunnelKeyOp is a tunnel_key operation; see flower.TunnelKeyOp.
	TunnelKeyOp = flower.TunnelKeyOp
	// TunnelKey sets or releases tunnel metadata; see flower.TunnelKey.
	TunnelKey = flower.TunnelKey
	// PeditKey is one 32-bit rewrite of a pedit action; see flower.PeditKey.
	PeditKey = flower.PeditKey
	// Pedit rewrites packet headers; see flower.Pedit.
	Pedit = flower.Pedit
	// CT sends the packet through connection tracking; see flower.CT.
	CT = flower.CT
	// Flags are a filter's TCA_CLS_FLAGS_* bits; see flower.Flags.
	Flags = flower.Flags
	// Attr is a netlink attribute kept opaque; see flower.Attr.
	Attr = flower.Attr
	// DecodeError reports a malformed message or attribute; see
	// flower.DecodeError.
	DecodeError = flower.DecodeError
)

// Verdicts of linux/pkt_cls.h.
const (
	VerdictUnspec     = flower.VerdictUnspec
	VerdictOK         = flower.VerdictOK // "pass"
	VerdictReclassify = flower.VerdictReclassify
	VerdictShot       = flower.VerdictShot // "drop"
	VerdictPipe       = flower.VerdictPipe // continue with the next action
	VerdictStolen     = flower.VerdictStolen
	VerdictQueued     = flower.VerdictQueued
	VerdictRepeat     = flower.VerdictRepeat
	VerdictRedirect   = flower.VerdictRedirect
	VerdictTrap       = flower.VerdictTrap
)

// Mirred operations of linux/tc_act/tc_mirred.h.
const (
	EgressRedirect  = flower.EgressRedirect
	EgressMirror    = flower.EgressMirror
	IngressRedirect = flower.IngressRedirect
	IngressMirror   = flower.IngressMirror
)

// VLAN operations of linux/tc_act/tc_vlan.h.
const (
	VLANPop    = flower.VLANPop
	VLANPush   = flower.VLANPush
	VLANModify = flower.VLANModify
)

// Tunnel key operations of linux/tc_act/tc_tunnel_key.h.
const (
	TunnelKeySet     = flower.TunnelKeySet
	TunnelKeyRelease = flower.TunnelKeyRelease // tc "tunnel_key unset"
)

// CT flags of linux/tc_act/tc_ct.h, for CT.Flags.
const (
	CtCommit = flower.CtCommit
	CtForce  = flower.CtForce
	CtClear  = flower.CtClear
	CtNAT    = flower.CtNAT
	CtNATSrc = flower.CtNATSrc
	CtNATDst = flower.CtNATDst
)

// Connection tracking state bits for Match.CtState (TCA_FLOWER_KEY_CT_FLAGS_*).
const (
	CtNew         = flower.CtNew
	CtEstablished = flower.CtEstablished
	CtRelated     = flower.CtRelated
	CtTracked     = flower.CtTracked
	CtInvalid     = flower.CtInvalid
	CtReply       = flower.CtReply
)

// Classifier flags, with the values of linux/pkt_cls.h.
const (
	FlagSkipHW  = flower.FlagSkipHW  // skip_hw: never offload
	FlagSkipSW  = flower.FlagSkipSW  // skip_sw: hardware only
	FlagInHW    = flower.FlagInHW    // in_hw: offloaded to at least one device
	FlagNotInHW = flower.FlagNotInHW // not_in_hw: software only
	FlagVerbose = flower.FlagVerbose // verbose: log offload errors
)

// GotoChain returns the verdict "goto chain n".
func GotoChain(n uint32) Verdict { return flower.GotoChain(n) }

// Redirect returns the action OVS uses for output to a port: mirred egress
// redirect, verdict stolen.
func Redirect(ifindex uint32) Action {
	return Action{Kind: "mirred", Verdict: VerdictStolen, Mirred: &Mirred{Op: EgressRedirect, Ifindex: ifindex}}
}

// Mirror returns mirred egress mirror with verdict pipe (output to a port
// followed by more actions).
func Mirror(ifindex uint32) Action {
	return Action{Kind: "mirred", Verdict: VerdictPipe, Mirred: &Mirred{Op: EgressMirror, Ifindex: ifindex}}
}

// Drop returns gact drop.
func Drop() Action { return Action{Kind: "gact", Verdict: VerdictShot} }

// Pass returns gact pass.
func Pass() Action { return Action{Kind: "gact", Verdict: VerdictOK} }

// Goto returns gact goto chain n (OVS recirculation).
func Goto(chain uint32) Action { return Action{Kind: "gact", Verdict: GotoChain(chain)} }

// PushVLAN returns vlan push with verdict pipe.
func PushVLAN(id uint16, prio uint8, proto uint16) Action {
	return Action{Kind: "vlan", Verdict: VerdictPipe, VLAN: &VLAN{Op: VLANPush, ID: id, Priority: prio, Protocol: proto}}
}

// PopVLAN returns vlan pop with verdict pipe.
func PopVLAN() Action { return Action{Kind: "vlan", Verdict: VerdictPipe, VLAN: &VLAN{Op: VLANPop}} }

// SetTunnel returns tunnel_key set with verdict pipe.
func SetTunnel(k TunnelKey) Action {
	k.Op = TunnelKeySet
	return Action{Kind: "tunnel_key", Verdict: VerdictPipe, TunnelKey: &k}
}

// UnsetTunnel returns tunnel_key unset with verdict pipe (OVS puts it first
// on flows that match a tunnel).
func UnsetTunnel() Action {
	return Action{Kind: "tunnel_key", Verdict: VerdictPipe, TunnelKey: &TunnelKey{Op: TunnelKeyRelease}}
}

// Conntrack returns a ct action with verdict pipe.
func Conntrack(c CT) Action { return Action{Kind: "ct", Verdict: VerdictPipe, CT: &c} }

// Edit returns a pedit action with verdict pipe.
func Edit(keys ...PeditKey) Action {
	return Action{Kind: "pedit", Verdict: VerdictPipe, Pedit: &Pedit{Keys: keys}}
}
