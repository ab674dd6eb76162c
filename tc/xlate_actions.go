// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/offload"
)

// actions follows OVS's action loop (netdev_tc_parse_nl_actions): each
// datapath action either becomes TC actions or refuses the flow.
func (x *xl) actions() {
	acts := x.actionList(x.f.Actions, true)
	// The last output is a redirect that ends the filter; the outputs
	// before it mirror (nl_msg_put_flower_acts in lib/tc.c).
	for i := len(acts) - 1; i >= 0; i-- {
		if acts[i].Kind == "mirred" {
			if i == len(acts)-1 {
				acts[i].Verdict = VerdictStolen
				acts[i].Mirred.Op = EgressRedirect
			}
			break
		}
	}
	if len(acts) == 0 && len(x.out.Reasons) == 0 {
		// No action at all is a drop.
		acts = append(acts, Drop())
	}
	x.out.Spec.Actions = append(x.out.Spec.Actions, acts...)
}

func (x *xl) unsupportedAction(a *dpflow.Node) {
	x.refuse(offload.ReasonActionNotOffloadable, "%s: \"unsupported put action type\" (netdev_tc_parse_nl_actions, %s)", trimNode(a), x.t.Features.where("flow_put"))
}

// trimNode formats a node for a reason, cut to a readable length.
func trimNode(n *dpflow.Node) string {
	s := n.String()
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

func (x *xl) release(acts []Action) []Action {
	if x.tunnelMatch && !x.released {
		x.released = true
		acts = append(acts, UnsetTunnel())
	}
	return acts
}

func (x *xl) actionList(list []dpflow.Node, top bool) []Action {
	var acts []Action
	for i := range list {
		a := &list[i]
		if x.acts >= tcaActMaxNum {
			x.refuse(offload.ReasonActionNotOffloadable, "%d actions or more: \"Can only support %d actions\" (netdev_tc_parse_nl_actions, %s)", tcaActMaxNum+1, tcaActMaxNum, x.t.Features.where("flow_put"))
			return acts
		}
		switch a.Kind {
		case dpflow.ActionOutput:
			acts = x.release(acts)
			x.acts++
			act := Mirror(0)
			if x.t.Ifindex != nil {
				if idx, ok := x.t.Ifindex(a.Word()); ok && idx > 0 {
					act = Mirror(uint32(idx))
				} else {
					x.out.Unresolved = append(x.out.Unresolved, a.Word())
				}
			}
			acts = append(acts, act)
		case dpflow.ActionDrop:
			x.acts++
			acts = append(acts, Drop())
		case dpflow.ActionPushVLAN:
			x.acts++
			var vid, pcp, tpid uint64
			if n, ok := a.Field("vid"); ok {
				vid, _ = n.Uint()
			}
			if n, ok := a.Field("pcp"); ok {
				pcp, _ = n.Uint()
			}
			if n, ok := a.Field("tpid"); ok {
				tpid, _ = n.Uint()
			}
			if vid > 4095 || pcp > 7 || tpid > 0xffff {
				x.refuse(offload.ReasonActionNotOffloadable, "%s does not parse", trimNode(a))
				continue
			}
			acts = append(acts, PushVLAN(uint16(vid), uint8(pcp), uint16(tpid)))
		case dpflow.ActionPopVLAN:
			x.acts++
			acts = append(acts, PopVLAN())
		case dpflow.ActionPushMPLS, dpflow.ActionPopMPLS:
			x.acts++
			x.cannot("mpls push/pop actions")
		case dpflow.ActionSet, dpflow.ActionSetMasked:
			acts = x.set(a, acts)
		case dpflow.ActionCT:
			x.acts++
			if act, ok := x.ct(a); ok {
				acts = append(acts, act)
			}
		case dpflow.ActionCTClear:
			x.acts++
			acts = append(acts, Conntrack(CT{Flags: CtClear}))
		case dpflow.ActionRecirc:
			x.acts++
			if x.released {
				// The next chain would match the tunnel metadata the
				// release removed (lib/tc.c).
				x.refuse(offload.ReasonActionNotOffloadable, "%s after an output on a flow matching a tunnel: tunnel release + output + goto is not supported, refused without a log line (nl_msg_put_flower_acts in lib/tc.c, %s)", trimNode(a), x.t.Features.where("flow_put"))
				continue
			}
			v, err := a.Uint()
			if err != nil || v > 0x0fffffff {
				x.refuse(offload.ReasonActionNotOffloadable, "%s does not parse", trimNode(a))
				continue
			}
			acts = append(acts, Goto(uint32(v)))
		case dpflow.ActionMeter:
			// OVS offloads a meter only when it set the meter up as a TC
			// police action (meter_id_lookup); that is not in the dump.
			x.acts++
			x.cannot("meter " + a.Word() + " (a police action whose index only ovs-vswitchd knows)")
		case dpflow.ActionCheckPktLen:
			x.acts++
			x.cannot("check_pkt_len (police mtu with jumps)")
			x.actionList(a.Branch("gt"), false)
			x.actionList(a.Branch("le"), false)
		default:
			x.unsupportedAction(a)
		}
	}
	return acts
}

// set follows parse_put_flow_set_action and
// parse_put_flow_set_masked_action.
func (x *xl) set(a *dpflow.Node, acts []Action) []Action {
	if len(a.Children) != 1 {
		x.refuse(offload.ReasonActionNotOffloadable, "%s does not parse", trimNode(a))
		return acts
	}
	k := &a.Children[0]
	supported := map[dpflow.Kind][]string{
		dpflow.KeyIPv4: {"src", "dst", "ttl", "tos"},
		dpflow.KeyIPv6: {"src", "dst", "hlimit", "tclass"},
		dpflow.KeyEth:  {"src", "dst"},
		dpflow.KeyTCP:  {"src", "dst"},
		dpflow.KeyUDP:  {"src", "dst"},
	}
	switch k.Kind {
	case dpflow.KeyTunnel:
		acts = x.release(acts)
		x.acts++
		return x.setTunnel(a, k, acts)
	case dpflow.KeyMPLS:
		x.acts++
		x.cannot("set(mpls(...))")
		return acts
	}
	fields, ok := supported[k.Kind]
	if !ok {
		x.refuse(offload.ReasonActionNotOffloadable, "%s: OVS rewrites only eth, ipv4, ipv6, tcp and udp headers in TC: \"unsupported set action type\" (parse_put_flow_set_masked_action, %s)", trimNode(a), x.t.Features.where("flow_put"))
		return acts
	}
	if x.m.KeyFlags&keyFlagsIsFragment != 0 && x.m.IPProto != nil {
		switch *x.m.IPProto {
		case 6, 17, 58, 136: // TCP, UDP, ICMPv6, UDP-Lite
			yes, known := x.t.Features.atLeast(3, 5)
			msg := fmt.Sprintf("%s on a fragment: \"set action type %d not supported on fragments due to checksum limitation\"", trimNode(a), ovsKeyAttr(k.Kind))
			switch {
			case !known:
				x.doubt(offload.ReasonOVSVersionUnknown, "%s in OVS 3.5 and later (parse_put_flow_set_masked_action); earlier versions install it; the version is not known", msg)
			case yes:
				x.refuse(offload.ReasonActionNotOffloadable, "%s (parse_put_flow_set_masked_action, %s)", msg, x.t.Features.where("flow_put"))
			}
		}
	}
	// With masks, a masked field OVS cannot rewrite refuses the action.
	for i := range k.Children {
		c := &k.Children[i]
		if !c.HasMask() || !masked(c) {
			continue
		}
		ok := false
		for _, f := range fields {
			ok = ok || c.Name == f
		}
		if !ok {
			x.refuse(offload.ReasonActionNotOffloadable, "%s: field %s cannot be rewritten: \"unsupported sub attribute of set action type %d\" (parse_put_flow_set_masked_action, %s)", trimNode(a), c.Name, ovsKeyAttr(k.Kind), x.t.Features.where("flow_put"))
			return acts
		}
	}
	x.acts++
	x.cannot("header rewrite " + k.Name + "(...) (pedit keys)")
	return acts
}

// ovsKeyAttr is the OVS_KEY_ATTR_* number OVS logs for a set action type.
func ovsKeyAttr(k dpflow.Kind) int {
	switch k {
	case dpflow.KeyEth:
		return 4
	case dpflow.KeyIPv4:
		return 7
	case dpflow.KeyIPv6:
		return 8
	case dpflow.KeyTCP:
		return 9
	case dpflow.KeyUDP:
		return 10
	}
	return -1
}

func (x *xl) setTunnel(a, k *dpflow.Node, acts []Action) []Action {
	var t TunnelKey
	for i := range k.Children {
		c := &k.Children[i]
		switch c.Name {
		case "tun_id":
			if v, err := c.Uint(); err == nil {
				t.KeyID = Ptr(uint32(v))
			}
		case "src", "ipv6_src":
			if ip, err := c.IP(); err == nil {
				t.Src = ip
			}
		case "dst", "ipv6_dst":
			if ip, err := c.IP(); err == nil {
				t.Dst = ip
			}
		case "tos":
			if v, err := c.Uint(); err == nil && v <= 0xff {
				t.TOS = uint8(v)
			}
		case "ttl":
			if v, err := c.Uint(); err == nil && v <= 0xff {
				t.TTL = uint8(v)
			}
		case "tp_dst":
			if v, err := c.Uint(); err == nil && v <= 0xffff {
				t.DstPort = uint16(v)
			}
		case "tp_src":
			v, err := c.Uint()
			if err != nil || v == 0 {
				continue
			}
			yes, known := x.t.Features.atLeast(3, 3)
			msg := fmt.Sprintf("%s: tp_src: \"unsupported tunnel key attribute TP_SRC\"", trimNode(a))
			switch {
			case !known:
				x.doubt(offload.ReasonOVSVersionUnknown, "%s in OVS 3.3 and later (parse_put_flow_set_action); 3.1 and 3.2 take it; the version is not known", msg)
			case yes:
				x.refuse(offload.ReasonActionNotOffloadable, "%s (parse_put_flow_set_action, %s)", msg, x.t.Features.where("flow_put"))
			}
		case "flags":
			t.NoCsum = true
			flags, _ := c.Flags()
			for _, f := range flags {
				if f.Name == "csum" && f.Set {
					t.NoCsum = false
				}
			}
		case "geneve":
			x.cannot("geneve options of set(tunnel(...)) from the dump's text")
		case "vxlan":
			yes, known := x.t.Features.atLeast(3, 2)
			switch {
			case !known:
				x.doubt(offload.ReasonOVSVersionUnknown, "%s: VXLAN GBP in set(tunnel): refused by OVS 3.1, taken by 3.2 and later when the kernel supports it (parse_put_flow_set_action); the version is not known", trimNode(a))
			case !yes:
				x.refuse(offload.ReasonActionNotOffloadable, "%s: \"unsupported tunnel key attribute\" (parse_put_flow_set_action, %s)", trimNode(a), x.t.Features.where("flow_put"))
			default:
				x.cannot("vxlan gbp options of set(tunnel(...))")
			}
		case "erspan", "gtpu":
			x.refuse(offload.ReasonActionNotOffloadable, "%s: \"unsupported tunnel key attribute\" (parse_put_flow_set_action, %s)", trimNode(a), x.t.Features.where("flow_put"))
		}
	}
	if t.Src.IsValid() && t.Dst.IsValid() && t.Src.Is4() != t.Dst.Is4() {
		x.refuse(offload.ReasonActionNotOffloadable, "%s: addresses of two families", trimNode(a))
		return acts
	}
	return append(acts, SetTunnel(t))
}

// ct follows parse_put_flow_ct_action: a helper refuses the flow, and no ct
// action is offloaded when the kernel's flower has no conntrack match.
func (x *xl) ct(a *dpflow.Node) (Action, bool) {
	feat := x.t.Features
	if feat.CTStateKnown && feat.CTStateBits == 0 {
		x.refuse(offload.ReasonCTStateUnsupported, "%s: the kernel's flower has no conntrack match (supported ct_state bits 0x0), so OVS offloads no ct action (netdev_tc_parse_nl_actions, %s)", trimNode(a), feat.where("flow_put"))
		return Action{}, false
	}
	var c CT
	for i := range a.Children {
		f := &a.Children[i]
		switch f.Word() {
		case "commit":
			c.Flags |= CtCommit
		case "force_commit":
			c.Flags |= CtCommit | CtForce
		case "zone":
			if v, err := f.Uint(); err == nil && v <= 0xffff {
				c.Zone = uint16(v)
			}
		case "mark":
			v, m, ok := uv(f, 32)
			if ok {
				c.Mark, c.MarkMask = uint32(v), uint32(m)
			}
		case "label":
			v, err := f.Bytes()
			if err != nil || len(v) > 16 {
				x.refuse(offload.ReasonActionNotOffloadable, "%s: label does not parse", trimNode(a))
				return Action{}, false
			}
			c.Labels = pad16(v)
			c.LabelsMask = make([]byte, 16)
			for i := range c.LabelsMask {
				c.LabelsMask[i] = 0xff
			}
			if f.HasMask() {
				m, err := (&dpflow.Node{Value: f.Mask}).Bytes()
				if err != nil || len(m) > 16 {
					x.refuse(offload.ReasonActionNotOffloadable, "%s: label mask does not parse", trimNode(a))
					return Action{}, false
				}
				c.LabelsMask = pad16(m)
			}
		case "helper":
			x.refuse(offload.ReasonActionNotOffloadable, "%s: a conntrack helper (%s) is not supported in tc-ct: refused without a log line (parse_put_flow_ct_action, %s)", trimNode(a), f.Value, feat.where("flow_put"))
			return Action{}, false
		case "nat":
			c.Flags |= CtNAT
			if err := natRange(f, &c); err != nil {
				x.cannot("ct nat range " + f.String())
			}
		}
	}
	return Conntrack(c), true
}

// natRange reads nat(src=A[-B][:P[-Q]]) or nat(dst=...) into c.
func natRange(n *dpflow.Node, c *CT) error {
	for i := range n.Children {
		f := &n.Children[i]
		switch f.Name {
		case "src":
			c.Flags |= CtNATSrc
		case "dst":
			c.Flags |= CtNATDst
		default:
			continue
		}
		v := f.Value
		if v == "" {
			continue
		}
		addrs, ports, hasPorts := strings.Cut(v, ":")
		if strings.HasPrefix(v, "[") { // [v6]-[v6]:ports
			return fmt.Errorf("ipv6 nat range")
		}
		lo, hi, isRange := strings.Cut(addrs, "-")
		min, err := netip.ParseAddr(lo)
		if err != nil {
			return err
		}
		max := min
		if isRange {
			if max, err = netip.ParseAddr(hi); err != nil {
				return err
			}
		}
		c.NATMin, c.NATMax = min, max
		if hasPorts {
			plo, phi, isPRange := strings.Cut(ports, "-")
			p1, err := strconv.ParseUint(plo, 10, 16)
			if err != nil {
				return err
			}
			p2 := p1
			if isPRange {
				if p2, err = strconv.ParseUint(phi, 10, 16); err != nil {
					return err
				}
			}
			c.NATPortMin, c.NATPortMax = uint16(p1), uint16(p2)
		}
	}
	return nil
}
