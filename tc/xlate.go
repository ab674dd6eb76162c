// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/offload"
)

// OVSFeatures is what the translation of a datapath flow into a flower
// filter needs to know about the ovs-vswitchd that would translate it.
type OVSFeatures struct {
	// Version is ovs-vswitchd's version ("3.1.0", "3.6.1", "4.0.0"), as
	// the Open_vSwitch table's ovs_version column or `ovs-vswitchd
	// --version` gives it; "" when unknown.
	Version string
	// CTStateBits are the OVS ct_state bits (OVS_CS_F_*: 0x01 new, 0x02
	// est, 0x04 rel, 0x08 rpl, 0x10 inv, 0x20 trk) that OVS found the
	// kernel's flower supports at start: ovs-vswitchd logs them as "probe
	// tc: supported ovs ct_state bits: 0x%x". Meaningful when CTStateKnown.
	CTStateBits uint32
	// CTStateKnown says whether CTStateBits was read.
	CTStateKnown bool
}

// OVSFamily is a group of OVS versions whose TC translation decides the
// same way for everything this package checks.
type OVSFamily string

// The OVS version families. Their differences, read in OVS's source:
//   - 3.1 (Debian 12): lib/netdev-offload-tc.c, netdev_tc_flow_put.
//   - 3.x (3.2 to 3.6): the same file; from 3.5 an IP flow must match
//     nw_frag and a header rewrite of an L4 checksummed field on a fragment
//     is refused; from 3.6 a flow matching recirc_id N is refused unless a
//     flow in TC recirculates to N.
//   - 4.0 (3.7 and 4.x): the TC code moved to lib/dpif-offload-tc-netdev.c
//     (tc_netdev_flow_put) and lib/dpif-offload-tc.c (tc_parse_flow_put),
//     with the 3.6 rules.
const (
	OVSFamilyUnknown OVSFamily = ""
	OVSFamily31      OVSFamily = "3.1"
	OVSFamily3x      OVSFamily = "3.x"
	OVSFamily40      OVSFamily = "4.0"
)

// Family returns the version family of o.Version, OVSFamilyUnknown when the
// version is empty, unparsable or outside 3.1 to 4.x.
func (o OVSFeatures) Family() OVSFamily {
	major, minor, ok := o.version()
	switch {
	case !ok:
		return OVSFamilyUnknown
	case major == 3 && minor == 1:
		return OVSFamily31
	case major == 3 && minor >= 2 && minor <= 6:
		return OVSFamily3x
	case major == 3 && minor >= 7, major == 4:
		return OVSFamily40
	}
	return OVSFamilyUnknown
}

func (o OVSFeatures) version() (major, minor int, ok bool) {
	v := strings.TrimPrefix(strings.TrimSpace(o.Version), "v")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	// "3.6.1", "3.1.0-2+deb12u1": digits up to the first non-digit.
	num := func(s string) (int, bool) {
		end := 0
		for end < len(s) && end < 4 && s[end] >= '0' && s[end] <= '9' {
			end++
		}
		if end == 0 {
			return 0, false
		}
		n, err := strconv.Atoi(s[:end])
		return n, err == nil
	}
	major, ok1 := num(parts[0])
	minor, ok2 := num(parts[1])
	return major, minor, ok1 && ok2 && len(parts[0]) <= 4
}

// atLeast reports whether the version is known and at least major.minor.
func (o OVSFeatures) atLeast(major, minor int) (yes, known bool) {
	ma, mi, ok := o.version()
	if !ok || o.Family() == OVSFamilyUnknown {
		return false, false
	}
	return ma > major || ma == major && mi >= minor, true
}

// where returns the OVS file and function names a reason cites for the
// family: the TC translation moved in 3.7.
func (o OVSFeatures) where(fn string) string {
	file := "lib/netdev-offload-tc.c"
	switch fn {
	case "flow_put":
		fn = "netdev_tc_flow_put"
	case "parse_flow_put":
		file = "lib/dpif-netlink.c"
	}
	if o.Family() == OVSFamily40 {
		file = "lib/dpif-offload-tc-netdev.c"
		switch fn {
		case "netdev_tc_flow_put":
			fn = "tc_netdev_flow_put"
		case "parse_flow_put":
			file, fn = "lib/dpif-offload-tc.c", "tc_parse_flow_put"
		}
	}
	if fn == "nl_msg_put_flower_acts" {
		file = "lib/tc.c"
	}
	fam := string(o.Family())
	if fam == "" {
		fam = "all known versions"
	} else {
		fam = "OVS " + fam
	}
	return fmt.Sprintf("%s in %s, %s", fn, file, fam)
}

// Translation is what OVS's TC translation does with one datapath flow:
// either the flower filter it would install (Spec), or the reasons it
// refuses the flow.
type Translation struct {
	// Spec is the filter OVS would install, without device, chain and prio
	// placement beyond what the flow decides (Chain is the flow's
	// recirc_id). Valid only when Offloadable.
	Spec FilterSpec
	// Offloadable is true when OVS's translation, as far as the flow's text
	// shows, puts the flow into flower.
	Offloadable bool
	// Refused is true when OVS's translation certainly refuses the flow.
	// A flow neither Offloadable nor Refused depends on what is not known
	// (the OVS version, the kernel's ct_state support; Reasons say what);
	// Spec is then the filter OVS builds when that turns out in the flow's
	// favour.
	Refused bool
	// Reasons name each key, mask or action OVS refuses, with the OVS
	// function that decides it, in the order OVS checks them (OVS stops at
	// the first and logs it at debug level). A reason with code
	// ReasonOVSVersionUnknown says what depends on the version.
	Reasons []offload.Reason
	// Inexpressible lists what OVS would put into the filter but this
	// package's encoder cannot express (ARP, ICMP and MPLS keys, MPLS and
	// police actions): Spec then lacks it and must not be installed.
	Inexpressible []string
	// Unresolved lists the ports whose ifindex was not known, so Spec's
	// device or a mirred action is incomplete.
	Unresolved []string
}

// Translator translates datapath flows into the flower filters OVS would
// install, as OVS's version family decides.
type Translator struct {
	// Features describes the ovs-vswitchd whose translation is followed.
	Features OVSFeatures
	// Ifindex resolves a datapath port, as the dump names it, to the
	// ifindex of its netdev; nil leaves Spec without devices.
	Ifindex func(port string) (int, bool)
	// TCChains is the set of recirc_id values that some flow already in TC
	// recirculates to (see RecircTargets). OVS 3.6 and later refuse a flow
	// matching recirc_id N when no TC flow jumps to chain N. Nil means
	// unknown, and the rule is not applied.
	TCChains map[uint32]bool
}

// RecircTargets returns the recirc(N) targets of the flows whose dp is
// "tc": the chains TC flows jump to, for Translator.TCChains.
func RecircTargets(flows []*dpflow.Flow) map[uint32]bool {
	out := map[uint32]bool{}
	var walk func(acts []dpflow.Node)
	walk = func(acts []dpflow.Node) {
		for i := range acts {
			a := &acts[i]
			if a.Kind == dpflow.ActionRecirc {
				if v, err := a.Uint(); err == nil && v <= 0xffffffff {
					out[uint32(v)] = true
				}
			}
			walk(a.Children)
		}
	}
	for _, f := range flows {
		if f.DPLayer() == "tc" {
			walk(f.Actions)
		}
	}
	return out
}

// tcaActMaxNum is TCA_ACT_MAX_NUM, the most actions a filter holds.
const tcaActMaxNum = 32

// OVS ct_state bits (OVS_CS_F_*).
const (
	ovsCSNew     = 0x01
	ovsCSEst     = 0x02
	ovsCSRel     = 0x04
	ovsCSRpl     = 0x08
	ovsCSInv     = 0x10
	ovsCSTrk     = 0x20
	ovsCSSrcNAT  = 0x40
	ovsCSDstNAT  = 0x80
	ovsCSNameMap = "new est rel rpl inv trk snat dnat"
)

// xl is one translation in progress.
type xl struct {
	t    *Translator
	f    *dpflow.Flow
	out  Translation
	m    *Match
	acts int // actions counted as OVS counts them

	doubts      int  // reasons that depend on what is not known
	tunnelMatch bool // the flow matches tunnel metadata
	released    bool // a tunnel_key unset precedes the actions
}

func (x *xl) refuse(code offload.ReasonCode, format string, args ...any) {
	x.out.Reasons = append(x.out.Reasons, offload.Reason{Code: code, Detail: sanitize(fmt.Sprintf(format, args...))})
}

// doubt records a reason that depends on what is not known (the OVS
// version, the kernel's ct_state support): the flow is then neither
// offloadable nor refused.
func (x *xl) doubt(code offload.ReasonCode, format string, args ...any) {
	x.refuse(code, format, args...)
	x.doubts++
}

func (x *xl) cannot(what string) { x.out.Inexpressible = append(x.out.Inexpressible, what) }

// sanitize keeps a reason printable: dumps are hostile input.
func sanitize(s string) string {
	if len(s) > 1024 {
		s = s[:1024] + "..."
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return '?'
		}
		return r
	}, s)
}

// Translate decides what OVS's TC translation does with f. A flow without
// in_port, or whose keys do not parse, is refused with a reason saying so:
// nothing is guessed.
func (t *Translator) Translate(f *dpflow.Flow) Translation {
	x := &xl{t: t, f: f}
	x.m = &x.out.Spec.Match
	x.out.Spec.Parent = ParentIngressQdisc
	x.out.Spec.Handle = 1
	x.match()
	x.actions()
	x.out.Offloadable = len(x.out.Reasons) == 0
	x.out.Refused = len(x.out.Reasons) > x.doubts
	if x.out.Spec.Protocol == 0 {
		x.out.Spec.Protocol = EthPAll
	}
	if !x.out.Refused && len(x.out.Spec.Actions) > 0 && f.HasUFID {
		// OVS puts the flow's UFID in the cookie of its mirred, gact and
		// ct actions (nl_msg_put_flower_acts in lib/tc.c).
		for i := range x.out.Spec.Actions {
			switch x.out.Spec.Actions[i].Kind {
			case "mirred", "gact", "ct":
				x.out.Spec.Actions[i].Cookie = UFIDCookie(f.UFID)
			}
		}
	}
	return x.out
}

// uv returns a masked integer key or field: the value, the mask (all ones
// of bits when printed without one) and whether it parsed.
func uv(n *dpflow.Node, bits uint) (v, m uint64, ok bool) {
	full := uint64(1)<<bits - 1
	if bits >= 64 {
		full = ^uint64(0)
	}
	v, err := n.Uint()
	if err != nil {
		return 0, 0, false
	}
	m, err = n.MaskUint()
	if err == dpflow.ErrNoValue {
		m = full
	} else if err != nil {
		return 0, 0, false
	}
	return v & full, m & full, true
}

// hexZero reports whether a hex mask (any width) is zero.
func hexZero(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	return strings.Trim(s, "0") == ""
}

// masked reports whether a node (key or field) has a non-zero mask: without
// a mask it is exact, hence masked.
func masked(n *dpflow.Node) bool {
	if len(n.Children) > 0 && !n.HasMask() && n.Value == "" {
		for i := range n.Children {
			if masked(&n.Children[i]) {
				return true
			}
		}
		return false
	}
	if !n.HasMask() {
		return true
	}
	if a, err := netip.ParseAddr(n.Mask); err == nil {
		return !a.IsUnspecified()
	}
	if mac, err := net.ParseMAC(n.Mask); err == nil {
		for _, b := range mac {
			if b != 0 {
				return true
			}
		}
		return false
	}
	if strings.Trim(n.Mask, "0:") == "" {
		return false
	}
	return !hexZero(n.Mask)
}

func (x *xl) match() {
	f := x.f
	var ethType uint64
	var ethTypeMasked bool
	if k, ok := f.Key(dpflow.KeyEthType); ok {
		v, m, ok := uv(k, 16)
		if !ok {
			x.refuse(offload.ReasonMatchNotOffloadable, "eth_type %q does not parse", k.String())
			return
		}
		ethType, ethTypeMasked = v&m, m != 0
	}
	for i := range f.Match {
		k := &f.Match[i]
		switch k.Kind {
		case dpflow.KeyInPort:
			if p := k.Word(); p != "" && x.t.Ifindex != nil {
				name := f.InPort()
				if idx, ok := x.t.Ifindex(name); ok {
					x.out.Spec.Ifindex = idx
				} else {
					x.out.Unresolved = append(x.out.Unresolved, name)
				}
			}
		case dpflow.KeyRecircID:
			v, m, ok := uv(k, 32)
			if !ok {
				x.refuse(offload.ReasonMatchNotOffloadable, "recirc_id %q does not parse", k.String())
				continue
			}
			x.out.Spec.Chain = uint32(v & m)
			x.recircChain(uint32(v & m))
		case dpflow.KeyDPHash:
			if masked(k) {
				x.refuse(offload.ReasonMatchNotOffloadable, "%s: \"offloading attribute dp_hash isn't supported\" (%s)", k, x.t.Features.where("test_key_and_mask"))
			}
		case dpflow.KeyPriority:
			if masked(k) {
				x.refuse(offload.ReasonMatchNotOffloadable, "%s: \"offloading attribute skb_priority isn't supported\" (%s)", k, x.t.Features.where("test_key_and_mask"))
			}
		case dpflow.KeySkbMark:
			v, m, ok := uv(k, 32)
			// An exact match on skb_mark 0 is ignored (netdev_tc_flow_put).
			if ok && (m == 0 || m == 0xffffffff && v == 0) {
				continue
			}
			x.refuse(offload.ReasonMatchNotOffloadable, "%s: \"offloading attribute pkt_mark isn't supported\" (%s)", k, x.t.Features.where("test_key_and_mask"))
		case dpflow.KeyPacketType:
			x.packetType(k)
		case dpflow.KeyTunnel:
			x.tunnel(k)
		case dpflow.KeyEth:
			x.eth(k)
		case dpflow.KeyEthType:
			if ethTypeMasked {
				x.m.EthType = uint16(ethType)
				x.out.Spec.Protocol = uint16(ethType)
			}
		case dpflow.KeyVLAN, dpflow.KeyEncap:
			x.vlan(k)
		case dpflow.KeyMPLS:
			x.mpls(k)
		case dpflow.KeyIPv4, dpflow.KeyIPv6:
			x.ip(k)
		case dpflow.KeyTCP, dpflow.KeyUDP, dpflow.KeySCTP:
			x.l4(k)
		case dpflow.KeyTCPFlags:
			if v, m, ok := uv(k, 16); ok && m != 0 {
				x.m.TCPFlags, x.m.TCPFlagsMask = uint16(v&m), uint16(m)
			}
		case dpflow.KeyICMP, dpflow.KeyICMPv6:
			if masked(k) {
				x.cannot(k.Name + " type/code")
			}
		case dpflow.KeyARP:
			if masked(k) {
				x.cannot("arp keys")
			}
		case dpflow.KeyND, dpflow.KeyNDExt:
			if masked(k) {
				x.refuse(offload.ReasonMatchNotOffloadable, "%s: OVS has no flower key for IPv6 neighbour discovery fields; their mask bits are left over: \"offloading isn't supported, unknown attribute\" (%s)", k, x.t.Features.where("test_key_and_mask"))
			}
		case dpflow.KeyCTState:
			x.ctState(k)
		case dpflow.KeyCTZone, dpflow.KeyCTMark, dpflow.KeyCTLabel:
			x.ctOther(k)
		case dpflow.KeyCTTuple4, dpflow.KeyCTTuple6:
			if masked(k) {
				x.refuse(offload.ReasonMatchNotOffloadable, "%s: OVS has no flower key for the conntrack original tuple; its mask bits are left over: \"offloading isn't supported, unknown attribute\" (%s)", k, x.t.Features.where("test_key_and_mask"))
			}
		case dpflow.KeyNSH:
			if masked(k) {
				x.refuse(offload.ReasonMatchNotOffloadable, "%s: OVS has no flower key for NSH; its mask bits are left over: \"offloading isn't supported, unknown attribute\" (%s)", k, x.t.Features.where("test_key_and_mask"))
			}
		case dpflow.KeyUnknown:
			if masked(k) {
				x.refuse(offload.ReasonMatchNotOffloadable, "%s: a key OVS's TC translation does not map; its mask bits are left over: \"offloading isn't supported, unknown attribute\" (%s)", k, x.t.Features.where("test_key_and_mask"))
			}
		}
	}
}

// recircChain applies the 3.6+ rule: a flow matching recirc_id N is refused
// when no flow in TC recirculates to N.
func (x *xl) recircChain(chain uint32) {
	if chain == 0 || x.t.TCChains == nil || x.t.TCChains[chain] {
		return
	}
	yes, known := x.t.Features.atLeast(3, 6)
	msg := fmt.Sprintf("recirc_id(%#x): no flow in TC recirculates to chain %d: \"match for chain %d failed due to non-existing goto chain action\"", chain, chain, chain)
	switch {
	case !known:
		x.doubt(offload.ReasonOVSVersionUnknown, "%s in OVS 3.6 and later (%s); OVS 3.1 to 3.5 would install it; the version is not known", msg, "netdev_tc_flow_put / tc_netdev_flow_put")
	case yes:
		x.refuse(offload.ReasonMatchNotOffloadable, "%s (%s)", msg, x.t.Features.where("flow_put"))
	}
}

func (x *xl) packetType(k *dpflow.Node) {
	ns, nsok := k.Field("ns")
	id, idok := k.Field("id")
	if !nsok || !idok {
		return
	}
	nv, nm, ok1 := uv(ns, 16)
	iv, im, ok2 := uv(id, 16)
	if !ok1 || !ok2 {
		x.refuse(offload.ReasonMatchNotOffloadable, "%s does not parse", k)
		return
	}
	if (nm != 0 || im != 0) && (nv != 0 || iv != 0) {
		x.refuse(offload.ReasonMatchNotOffloadable, "%s: a non-Ethernet packet type: \"offloading attribute packet_type isn't supported\" (%s)", k, x.t.Features.where("test_key_and_mask"))
	}
}

func (x *xl) eth(k *dpflow.Node) {
	for _, name := range []string{"src", "dst"} {
		fld, ok := k.Field(name)
		if !ok || !masked(fld) {
			continue
		}
		v, err := fld.MAC()
		if err != nil {
			x.refuse(offload.ReasonMatchNotOffloadable, "eth(%s=%q) does not parse", name, fld.Value)
			continue
		}
		m, err := fld.MaskMAC()
		if err == dpflow.ErrNoValue {
			m = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
		} else if err != nil {
			x.refuse(offload.ReasonMatchNotOffloadable, "eth(%s mask %q) does not parse", name, fld.Mask)
			continue
		}
		if name == "src" {
			x.m.EthSrc, x.m.EthSrcMask = v, m
		} else {
			x.m.EthDst, x.m.EthDstMask = v, m
		}
	}
}

// vlan follows netdev_tc_flow_put's VLAN rules: vid and pcp fully masked or
// not at all, with the CFI bit set; an exact match on "no VLAN" is fine;
// any other mask is refused without a log line.
func (x *xl) vlan(k *dpflow.Node) {
	if k.Kind == dpflow.KeyEncap {
		// The inner keys of encap(...) are matched like the outer ones.
		for i := range k.Children {
			c := &k.Children[i]
			switch c.Kind {
			case dpflow.KeyEthType:
				if v, m, ok := uv(c, 16); ok && m != 0 {
					x.m.VLANEthType = uint16(v & m)
				}
			case dpflow.KeyIPv4, dpflow.KeyIPv6:
				x.ip(c)
			case dpflow.KeyTCP, dpflow.KeyUDP, dpflow.KeySCTP:
				x.l4(c)
			case dpflow.KeyVLAN:
				x.cannot("a second VLAN tag (cvlan)")
			case dpflow.KeyICMP, dpflow.KeyICMPv6:
				if masked(c) {
					x.cannot(c.Name + " type/code")
				}
			case dpflow.KeyARP:
				if masked(c) {
					x.cannot("arp keys")
				}
			case dpflow.KeyND, dpflow.KeyNDExt, dpflow.KeyCTTuple4, dpflow.KeyCTTuple6, dpflow.KeyNSH, dpflow.KeyUnknown:
				if masked(c) {
					x.refuse(offload.ReasonMatchNotOffloadable, "encap(%s): no flower key: \"offloading isn't supported, unknown attribute\" (%s)", c, x.t.Features.where("test_key_and_mask"))
				}
			}
		}
		return
	}
	vid, hasVid := k.Field("vid")
	pcp, hasPcp := k.Field("pcp")
	cfi, hasCfi := k.Field("cfi")
	if tci, ok := k.Field("tci"); ok {
		if _, m, ok := uv(tci, 16); ok && m == 0xffff {
			if v, _, _ := uv(tci, 16); v == 0 {
				return // exact match on "no VLAN"
			}
		}
		x.refuse(offload.ReasonMatchNotOffloadable, "%s: a VLAN TCI mask other than full vid / full pcp is refused without a log line (%s)", k, x.t.Features.where("flow_put"))
		return
	}
	full := func(n *dpflow.Node, ok bool, bits uint) (set, whole bool) {
		if !ok {
			return false, true
		}
		_, m, good := uv(n, bits)
		if !good {
			return true, false
		}
		return m != 0, m == 0 || m == 1<<bits-1
	}
	vset, vwhole := full(vid, hasVid, 12)
	pset, pwhole := full(pcp, hasPcp, 3)
	cfiOK := true
	if hasCfi {
		v, m, ok := uv(cfi, 1)
		cfiOK = ok && (m == 0 || v == 1)
	}
	if !vwhole || !pwhole || !cfiOK {
		x.refuse(offload.ReasonMatchNotOffloadable, "%s: a partial VLAN vid or pcp mask is refused without a log line (%s)", k, x.t.Features.where("flow_put"))
		return
	}
	if vset {
		v, _, _ := uv(vid, 12)
		x.m.VLANID = Ptr(uint16(v))
	}
	if pset {
		v, _, _ := uv(pcp, 3)
		x.m.VLANPrio = Ptr(uint8(v))
	}
	if (vset || pset) && x.m.EthType == 0 {
		// A tag matched without the TPID: OVS puts 802.1Q there.
		x.m.EthType = EthP8021Q
		x.out.Spec.Protocol = EthP8021Q
	}
}

func (x *xl) mpls(k *dpflow.Node) {
	st, err := k.MPLSStack()
	if err != nil {
		x.refuse(offload.ReasonMatchNotOffloadable, "%s does not parse: %v", k, err)
		return
	}
	n := 0
	for _, e := range st {
		if e.LabelMask|e.TCMask|e.TTLMask|e.BOSMask != 0 {
			n++
		}
	}
	if len(st) > 1 && n > 1 {
		x.refuse(offload.ReasonMatchNotOffloadable, "%s: \"offloading multiple mpls_lses isn't supported\" (%s)", k, x.t.Features.where("test_key_and_mask"))
		return
	}
	if n > 0 {
		x.cannot("mpls label keys")
	}
}

func (x *xl) ip(k *dpflow.Node) {
	is6 := k.Kind == dpflow.KeyIPv6
	var proto, protoMask uint64
	if p, ok := k.Field("proto"); ok {
		var good bool
		proto, protoMask, good = uv(p, 8)
		if !good {
			x.refuse(offload.ReasonMatchNotOffloadable, "%s: proto does not parse", k)
			return
		}
	}
	// Fragments.
	var fragMask uint64
	var later, frag bool
	if fr, ok := k.Field("frag"); ok {
		fragMask = 0x3
		if fr.HasMask() {
			if m, err := fr.MaskUint(); err == nil {
				fragMask = m & 0x3
			} else if !hexZero(fr.Mask) {
				fragMask = 0x3
			} else {
				fragMask = 0
			}
		}
		switch fr.Value {
		case "no":
		case "first":
			frag = true
		case "later":
			frag, later = true, true
		default:
			if v, err := fr.Uint(); err == nil {
				frag, later = v&1 != 0, v&2 != 0
			}
		}
	}
	if is6 && (protoMask != 0 && proto == 44 || frag && fragMask&1 != 0) {
		x.refuse(offload.ReasonMatchNotOffloadable, "%s: \"offloading of IPv6 fragments isn't supported\" (%s)", k, x.t.Features.where("test_key_and_mask"))
		return
	}
	if fragMask&1 == 0 {
		yes, known := x.t.Features.atLeast(3, 5)
		msg := fmt.Sprintf("%s: the IP fragment bits are not matched", k)
		switch {
		case !known:
			x.doubt(offload.ReasonOVSVersionUnknown, "%s: OVS 3.5 and later refuse such a flow without a log line (netdev_tc_flow_put / tc_netdev_flow_put); OVS 3.1 to 3.4 install it; the version is not known", msg)
		case yes:
			x.refuse(offload.ReasonMatchNotOffloadable, "%s: refused without a log line (%s)", msg, x.t.Features.where("flow_put"))
		}
	} else {
		x.m.KeyFlagsMask |= keyFlagsIsFragment
		if frag {
			x.m.KeyFlags |= keyFlagsIsFragment
			if fragMask&2 != 0 {
				x.m.KeyFlagsMask |= keyFlagsFragIsFirst
				if !later {
					x.m.KeyFlags |= keyFlagsFragIsFirst
				}
			}
		}
	}
	if protoMask != 0 {
		x.m.IPProto = Ptr(uint8(proto))
	}
	for _, name := range []string{"tos", "tclass"} {
		if fl, ok := k.Field(name); ok {
			if v, m, ok := uv(fl, 8); ok && m != 0 {
				x.m.IPTOS, x.m.IPTOSMask = uint8(v&m), uint8(m)
			}
		}
	}
	for _, name := range []string{"ttl", "hlimit"} {
		if fl, ok := k.Field(name); ok {
			if v, m, ok := uv(fl, 8); ok && m != 0 {
				x.m.IPTTL, x.m.IPTTLMask = uint8(v&m), uint8(m)
			}
		}
	}
	if fl, ok := k.Field("label"); ok && masked(fl) {
		x.refuse(offload.ReasonMatchNotOffloadable, "%s: OVS has no flower key for the IPv6 flow label; its mask bits are left over: \"offloading isn't supported, unknown attribute\" (%s)", k, x.t.Features.where("test_key_and_mask"))
	}
	for _, name := range []string{"src", "dst"} {
		fl, ok := k.Field(name)
		if !ok || !masked(fl) {
			continue
		}
		v, err := fl.IP()
		if err != nil {
			x.refuse(offload.ReasonMatchNotOffloadable, "%s: %s does not parse", k, name)
			continue
		}
		m, err := fl.MaskIP()
		if err == dpflow.ErrNoValue {
			m = fullMask(v)
		} else if err != nil {
			x.refuse(offload.ReasonMatchNotOffloadable, "%s: %s mask does not parse", k, name)
			continue
		}
		if name == "src" {
			x.m.Src, x.m.SrcMask = v, m
		} else {
			x.m.Dst, x.m.DstMask = v, m
		}
	}
}

func fullMask(a netip.Addr) netip.Addr {
	if a.Is4() {
		return netip.AddrFrom4([4]byte{255, 255, 255, 255})
	}
	var b [16]byte
	for i := range b {
		b[i] = 0xff
	}
	return netip.AddrFrom16(b)
}

func (x *xl) l4(k *dpflow.Node) {
	for _, name := range []string{"src", "dst"} {
		fl, ok := k.Field(name)
		if !ok {
			continue
		}
		v, m, good := uv(fl, 16)
		if !good {
			x.refuse(offload.ReasonMatchNotOffloadable, "%s: %s does not parse", k, name)
			continue
		}
		if m == 0 {
			continue
		}
		if x.m.IPProto == nil {
			// OVS maps ports by the flow's ip proto; without one they stay
			// in the mask and test_key_and_mask refuses them.
			x.refuse(offload.ReasonMatchNotOffloadable, "%s: L4 ports without an IP protocol: \"offloading isn't supported, unknown attribute\" (%s)", k, x.t.Features.where("test_key_and_mask"))
			return
		}
		if name == "src" {
			x.m.SrcPort, x.m.SrcPortMask = uint16(v&m), uint16(m)
		} else {
			x.m.DstPort, x.m.DstPortMask = uint16(v&m), uint16(m)
		}
	}
}

// ctBits returns a ct_state key's value and mask in OVS_CS_F_* bits.
func ctBits(k *dpflow.Node) (v, m uint32, ok bool) {
	if val, mask, good := uv(k, 32); good {
		return uint32(val), uint32(mask), true
	}
	flags, err := k.Flags()
	if err != nil {
		return 0, 0, false
	}
	names := strings.Fields(ovsCSNameMap)
	for _, fl := range flags {
		bit := -1
		for i, n := range names {
			if n == fl.Name {
				bit = i
			}
		}
		if bit < 0 {
			return 0, 0, false
		}
		m |= 1 << bit
		if fl.Set {
			v |= 1 << bit
		}
	}
	s := k.String()
	if !strings.ContainsAny(strings.TrimPrefix(s, "ct_state("), "+-") {
		m = 0xffffffff // flags printed without signs: an exact match
	}
	return v, m, true
}

func ctNames(bits uint32) string {
	names := strings.Fields(ovsCSNameMap)
	var out []string
	for i, n := range names {
		if bits&(1<<i) != 0 {
			out = append(out, n)
			bits &^= 1 << i
		}
	}
	if bits != 0 {
		out = append(out, fmt.Sprintf("%#x", bits))
	}
	return strings.Join(out, ",")
}

// ctState follows parse_match_ct_state_to_flower: with the kernel's ct_state
// support known, bits outside it stay in the mask and test_key_and_mask
// refuses the flow.
func (x *xl) ctState(k *dpflow.Node) {
	v, m, ok := ctBits(k)
	if !ok {
		x.refuse(offload.ReasonMatchNotOffloadable, "%s does not parse", k)
		return
	}
	if m == 0 {
		return
	}
	feat := x.t.Features
	if !feat.CTStateKnown {
		x.doubt(offload.ReasonCTStateUnsupported, "%s: matches ct_state bits %s, and the kernel's supported ct_state bits are not known (ovs-vswitchd logs them at start: \"probe tc: supported ovs ct_state bits\"); OVS refuses the flow if any of them is unsupported (parse_match_ct_state_to_flower, then %s)", k, ctNames(m), feat.where("test_key_and_mask"))
		// The filter below is the one OVS builds when they all are.
	} else if unsupported := m &^ feat.CTStateBits; unsupported != 0 {
		x.refuse(offload.ReasonCTStateUnsupported, "%s: ct_state bits %s are not in the kernel's supported set %#x (%s): they stay in the mask (parse_match_ct_state_to_flower) and \"offloading isn't supported, unknown attribute\" (%s)", k, ctNames(unsupported), feat.CTStateBits, ctNames(feat.CTStateBits), feat.where("test_key_and_mask"))
		return
	}
	var fv, fm uint16
	for _, b := range []struct {
		ovs uint32
		tc  uint16
	}{{ovsCSNew, CtNew}, {ovsCSEst, CtEstablished}, {ovsCSTrk, CtTracked}, {ovsCSRpl, CtReply}, {ovsCSInv, CtInvalid}, {ovsCSRel, CtRelated}} {
		if m&b.ovs != 0 {
			fm |= b.tc
			if v&b.ovs != 0 {
				fv |= b.tc
			}
		}
	}
	// +est drops new from the match; any set bit implies +trk.
	if fv&CtEstablished != 0 {
		fv &^= CtNew
		fm &^= CtNew
	}
	if fv != 0 && fv&CtTracked == 0 {
		fv |= CtTracked
		fm |= CtTracked
	}
	x.m.CtState, x.m.CtStateMask = fv, fm
}

func (x *xl) ctOther(k *dpflow.Node) {
	if !masked(k) {
		return
	}
	feat := x.t.Features
	if feat.CTStateKnown && feat.CTStateBits == 0 {
		x.refuse(offload.ReasonCTStateUnsupported, "%s: the kernel's flower has no conntrack match (supported ct_state bits 0x0), so OVS leaves the key in the mask: \"offloading isn't supported, unknown attribute\" (parse_match_ct_state_to_flower, %s)", k, feat.where("test_key_and_mask"))
		return
	}
	switch k.Kind {
	case dpflow.KeyCTZone:
		if v, m, ok := uv(k, 16); ok {
			x.m.CtZone, x.m.CtZoneMask = uint16(v&m), uint16(m)
		}
	case dpflow.KeyCTMark:
		if v, m, ok := uv(k, 32); ok {
			x.m.CtMark, x.m.CtMarkMask = uint32(v&m), uint32(m)
		}
	case dpflow.KeyCTLabel:
		v, err := k.Bytes()
		if err != nil || len(v) > 16 {
			x.refuse(offload.ReasonMatchNotOffloadable, "%s does not parse", k)
			return
		}
		m := make([]byte, 16)
		for i := range m {
			m[i] = 0xff
		}
		if k.HasMask() || hasScalarMask(k) {
			mb, err := maskBytes(k)
			if err != nil {
				x.refuse(offload.ReasonMatchNotOffloadable, "%s: mask does not parse", k)
				return
			}
			m = mb
		}
		x.m.CtLabels, x.m.CtLabelsMask = pad16(v), m
	}
}

func hasScalarMask(k *dpflow.Node) bool {
	_, err := k.MaskUint()
	return err != dpflow.ErrNoValue
}

func maskBytes(k *dpflow.Node) ([]byte, error) {
	s := k.String()
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return nil, fmt.Errorf("no mask")
	}
	n := dpflow.Node{Value: strings.TrimSuffix(s[i+1:], ")")}
	b, err := n.Bytes()
	if err != nil || len(b) > 16 {
		return nil, fmt.Errorf("bad mask")
	}
	return pad16(b), nil
}

func pad16(b []byte) []byte {
	out := make([]byte, 16)
	copy(out[16-len(b):], b)
	return out
}

// tunnel follows netdev_tc_flow_put's tunnel match: ids, addresses, tos,
// ttl, ports and geneve options; the csum and df flags are ignored.
func (x *xl) tunnel(k *dpflow.Node) {
	src, hasSrc := k.Field("src")
	dst, hasDst := k.Field("dst")
	src6, hasSrc6 := k.Field("ipv6_src")
	dst6, hasDst6 := k.Field("ipv6_dst")
	if !hasSrc && !hasDst && !hasSrc6 && !hasDst6 {
		return // no tunnel metadata: OVS clears the tunnel mask
	}
	setAddr := func(n *dpflow.Node, v, m *netip.Addr) {
		a, err := n.IP()
		if err != nil {
			x.refuse(offload.ReasonMatchNotOffloadable, "%s: %s does not parse", k, n.Name)
			return
		}
		mk, err := n.MaskIP()
		if err == dpflow.ErrNoValue {
			mk = fullMask(a)
		} else if err != nil {
			x.refuse(offload.ReasonMatchNotOffloadable, "%s: %s mask does not parse", k, n.Name)
			return
		}
		if !mk.IsUnspecified() {
			*v, *m = a, mk
		}
	}
	if hasSrc {
		setAddr(src, &x.m.EncSrc, &x.m.EncSrcMask)
	} else if hasSrc6 {
		setAddr(src6, &x.m.EncSrc, &x.m.EncSrcMask)
	}
	if hasDst {
		setAddr(dst, &x.m.EncDst, &x.m.EncDstMask)
	} else if hasDst6 {
		setAddr(dst6, &x.m.EncDst, &x.m.EncDstMask)
	}
	hasKey := false
	if fl, ok := k.Field("flags"); ok {
		flags, _ := fl.Flags()
		for _, f := range flags {
			if f.Name == "key" && f.Set {
				hasKey = true
			}
		}
	}
	if id, ok := k.Field("tun_id"); ok && hasKey {
		if v, m, good := uv(id, 64); good && m != 0 {
			x.m.EncKeyID = Ptr(uint32(v & m))
		}
	}
	if n, ok := k.Field("tos"); ok {
		if v, m, good := uv(n, 8); good && m != 0 {
			x.m.EncTOS, x.m.EncTOSMask = uint8(v&m), uint8(m)
		}
	}
	if n, ok := k.Field("ttl"); ok {
		if v, m, good := uv(n, 8); good && m != 0 {
			x.m.EncTTL, x.m.EncTTLMask = uint8(v&m), uint8(m)
		}
	}
	if n, ok := k.Field("tp_src"); ok {
		if v, m, good := uv(n, 16); good && m != 0 {
			x.m.EncSrcPort, x.m.EncSrcPortMask = uint16(v&m), uint16(m)
		}
	}
	if n, ok := k.Field("tp_dst"); ok {
		// OVS degrades a masked tunnel destination port to an exact match
		// (mlx5 refuses masks there).
		if v, _, good := uv(n, 16); good {
			x.m.EncDstPort, x.m.EncDstPortMask = uint16(v), 0xffff
		}
	}
	if g, ok := k.Field("geneve"); ok && masked(g) {
		x.cannot("geneve option keys (enc_opts) from the dump's text")
	}
	for _, name := range []string{"vxlan", "erspan", "gtpu"} {
		n, ok := k.Field(name)
		if !ok || !masked(n) {
			continue
		}
		if name == "vxlan" {
			yes, known := x.t.Features.atLeast(3, 2)
			switch {
			case !known:
				x.doubt(offload.ReasonOVSVersionUnknown, "%s: a VXLAN GBP match is refused by OVS 3.1 (test_key_and_mask) and put into the filter by 3.2 and later (netdev_tc_flow_put); the version is not known", k)
			case !yes:
				x.refuse(offload.ReasonMatchNotOffloadable, "%s: OVS 3.1 has no flower key for VXLAN GBP: \"offloading isn't supported, unknown attribute\" (%s)", k, x.t.Features.where("test_key_and_mask"))
			default:
				x.cannot("vxlan gbp keys")
			}
			continue
		}
		x.refuse(offload.ReasonMatchNotOffloadable, "%s: OVS has no flower key for %s tunnel metadata: \"offloading isn't supported, unknown attribute\" (%s)", k, name, x.t.Features.where("test_key_and_mask"))
	}
	x.tunnelMatch = true
}

// Flower key flags (TCA_FLOWER_KEY_FLAGS_*), for Match.KeyFlags.
const (
	keyFlagsIsFragment  uint32 = 1 << 0
	keyFlagsFragIsFirst uint32 = 1 << 1
)
