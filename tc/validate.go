package tc

import (
	"errors"
	"fmt"
	"net/netip"
)

// Validate checks spec before anything is sent: a bad spec never reaches the
// kernel.
func (spec FilterSpec) Validate() error {
	if err := spec.FilterID.validate(true); err != nil {
		return err
	}
	if spec.Flags&^(FlagSkipHW|FlagSkipSW|FlagVerbose) != 0 {
		return fmt.Errorf("tc: spec flags %q: only skip_hw, skip_sw and verbose can be set", spec.Flags)
	}
	if spec.Flags.SkipHW() && spec.Flags.SkipSW() {
		return errors.New("tc: skip_hw and skip_sw together would install the filter nowhere")
	}
	if err := spec.Match.validate(); err != nil {
		return err
	}
	for i, a := range spec.Actions {
		if err := a.validate(); err != nil {
			return fmt.Errorf("tc: action %d (%s): %w", i+1, a.Kind, err)
		}
	}
	return nil
}

func (id FilterID) validate(full bool) error {
	if id.Ifindex <= 0 {
		return fmt.Errorf("tc: bad ifindex %d", id.Ifindex)
	}
	if id.Parent == 0 {
		return errors.New("tc: parent missing (ParentIngress, ParentEgress or ParentIngressQdisc)")
	}
	if full && (id.Prio == 0 || id.Protocol == 0) {
		return fmt.Errorf("tc: prio %d protocol %#04x: both must be set", id.Prio, id.Protocol)
	}
	return nil
}

func checkMasked(name string, v, m netip.Addr) error {
	if !m.IsValid() {
		if v.IsValid() {
			return fmt.Errorf("tc: %s %s without a mask", name, v)
		}
		return nil
	}
	if !v.IsValid() || v.Is4() != m.Is4() {
		return fmt.Errorf("tc: %s %s and mask %s are not the same family", name, v, m)
	}
	return nil
}

func (k Match) validate() error {
	for _, mac := range []struct {
		name    string
		v, mask []byte
	}{{"eth_dst", k.EthDst, k.EthDstMask}, {"eth_src", k.EthSrc, k.EthSrcMask}} {
		if len(mac.mask) == 0 && len(mac.v) == 0 {
			continue
		}
		if len(mac.v) != 6 || len(mac.mask) != 6 {
			return fmt.Errorf("tc: %s needs a 6-byte address and a 6-byte mask", mac.name)
		}
	}
	for _, c := range []struct {
		name string
		v, m netip.Addr
	}{{"src", k.Src, k.SrcMask}, {"dst", k.Dst, k.DstMask}, {"enc_src", k.EncSrc, k.EncSrcMask}, {"enc_dst", k.EncDst, k.EncDstMask}} {
		if err := checkMasked(c.name, c.v, c.m); err != nil {
			return err
		}
	}
	if (k.SrcPortMask != 0 || k.DstPortMask != 0) && k.IPProto == nil {
		return errors.New("tc: L4 port match needs IPProto")
	}
	if k.SrcPortMask != 0 || k.DstPortMask != 0 {
		if _, _, _, _, err := portAttrs(k.IPProto); err != nil {
			return err
		}
	}
	if k.VLANID != nil && *k.VLANID > 4095 {
		return fmt.Errorf("tc: vlan id %d > 4095", *k.VLANID)
	}
	if k.VLANPrio != nil && *k.VLANPrio > 7 {
		return fmt.Errorf("tc: vlan prio %d > 7", *k.VLANPrio)
	}
	if len(k.CtLabels) != len(k.CtLabelsMask) || (len(k.CtLabelsMask) != 0 && len(k.CtLabelsMask) != 16) {
		return errors.New("tc: ct_label and its mask must both be 16 bytes")
	}
	if (len(k.EncOpts) == 0) != (len(k.EncOptsMask) == 0) {
		return errors.New("tc: enc_opts needs a mask of the same layout")
	}
	return nil
}

func (a Action) validate() error {
	if len(a.Cookie) > 16 {
		return fmt.Errorf("cookie of %d bytes (max 16)", len(a.Cookie))
	}
	need := func(ok bool, field string) error {
		if !ok {
			return fmt.Errorf("kind %q needs Action.%s", a.Kind, field)
		}
		return nil
	}
	switch a.Kind {
	case "gact":
		return nil
	case "mirred":
		if err := need(a.Mirred != nil, "Mirred"); err != nil {
			return err
		}
		if a.Mirred.Ifindex == 0 || a.Mirred.Op < EgressRedirect || a.Mirred.Op > IngressMirror {
			return fmt.Errorf("mirred needs an ifindex and an op (got %d, %d)", a.Mirred.Ifindex, a.Mirred.Op)
		}
	case "vlan":
		if err := need(a.VLAN != nil, "VLAN"); err != nil {
			return err
		}
		if a.VLAN.Op < VLANPop || a.VLAN.Op > VLANModify || a.VLAN.ID > 4095 || a.VLAN.Priority > 7 {
			return fmt.Errorf("bad vlan op %d id %d priority %d", a.VLAN.Op, a.VLAN.ID, a.VLAN.Priority)
		}
	case "tunnel_key":
		if err := need(a.TunnelKey != nil, "TunnelKey"); err != nil {
			return err
		}
		t := a.TunnelKey
		if t.Op != TunnelKeySet && t.Op != TunnelKeyRelease {
			return fmt.Errorf("bad tunnel_key op %d", t.Op)
		}
		if t.Op == TunnelKeySet && t.Src.IsValid() && t.Dst.IsValid() && t.Src.Is4() != t.Dst.Is4() {
			return errors.New("tunnel_key src and dst are not the same family")
		}
	case "pedit":
		if err := need(a.Pedit != nil, "Pedit"); err != nil {
			return err
		}
		if len(a.Pedit.Keys) == 0 || len(a.Pedit.Keys) > 128 {
			return fmt.Errorf("pedit needs 1..128 keys, got %d", len(a.Pedit.Keys))
		}
	case "ct":
		if err := need(a.CT != nil, "CT"); err != nil {
			return err
		}
		c := a.CT
		if c.NATMin.IsValid() != c.NATMax.IsValid() || (c.NATMin.IsValid() && c.NATMin.Is4() != c.NATMax.Is4()) {
			return errors.New("ct nat needs a min and a max address of one family")
		}
		if len(c.Labels) != len(c.LabelsMask) || (len(c.LabelsMask) != 0 && len(c.LabelsMask) != 16) {
			return errors.New("ct labels and mask must both be 16 bytes")
		}
	default:
		return fmt.Errorf("cannot program action kind %q", a.Kind)
	}
	return nil
}
