// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ProbeConfig configures the driver probe: for a flow OVS could translate
// but that is not in hardware, install the flower filter OVS would have
// installed, with skip_sw and the verbose flag, so that the kernel hands
// the driver's refusal (its extended acknowledgement) back; then delete it.
type ProbeConfig struct {
	// DryRun only computes what would be installed (ProbeResult.Command);
	// nothing is sent to the kernel beyond the filter dump that picks the
	// chain.
	DryRun bool
	// Interval is the least time between two installs (rate limit);
	// 0 means DefaultProbeInterval.
	Interval time.Duration
	// MaxFlows is the most flows one Verify probes; 0 means
	// DefaultProbeMaxFlows. The rest get a "probe-skipped" reason.
	MaxFlows int
}

// Defaults of ProbeConfig.
const (
	DefaultProbeInterval = 20 * time.Millisecond
	DefaultProbeMaxFlows = 64
)

// ProbeChainTop is the first chain the probe tries, counting down: the
// highest chain a goto can name (TC_ACT_EXT_VAL_MASK). OVS numbers chains by
// recirc_id, allocated from 1, so a chain this high is one OVS does not use
// and nothing jumps to.
const ProbeChainTop uint32 = 0x0FFFFFFF

// probeCookie marks the probe's filters (instead of the flow's UFID), so a
// probe killed between install and delete leaves a filter that Sweep
// recognises: "ovsoffload-prb" and two version bytes.
var probeCookie = []byte("ovsoffload-prb\x00\x01")

// ProbeResult is what the probe learnt for one filter.
type ProbeResult struct {
	// Spec is the filter installed (or, in a dry run, that would be).
	Spec FilterSpec
	// Command is the filter as a tc command line, for people and dry runs.
	Command string
	// DryRun: nothing was installed.
	DryRun bool
	// Accepted: the kernel and the driver took the skip_sw filter (it was
	// deleted right after).
	Accepted bool
	// Refused: the kernel refused the filter; Message is its extended
	// acknowledgement, verbatim (the driver's words when the driver
	// refused), and Errno the error number.
	Refused bool
	Message string
	Errno   syscall.Errno
	// Took is the time from install to delete.
	Took time.Duration
}

// probeConn is what the prober needs from a Client (a seam for tests).
type probeConn interface {
	Filters(ifindex int, parent uint32) ([]Filter, error)
	AddFilter(spec FilterSpec) error
	DeleteFilter(id FilterID) error
}

// Prober installs probe filters one at a time, rate-limited, and always
// deletes what it installed. It is safe for concurrent use; probes are
// serialised.
type Prober struct {
	c   probeConn
	cfg ProbeConfig

	mu   sync.Mutex
	last time.Time
	// live holds the filters installed and not yet deleted.
	live map[FilterID]bool
	// chains caches the probe chain per device and parent.
	chains map[[2]uint64]uint32
}

// NewProber returns a prober working through c.
func NewProber(c *Client, cfg ProbeConfig) *Prober { return newProber(c, cfg) }

func newProber(c probeConn, cfg ProbeConfig) *Prober {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultProbeInterval
	}
	if cfg.MaxFlows <= 0 {
		cfg.MaxFlows = DefaultProbeMaxFlows
	}
	return &Prober{c: c, cfg: cfg, live: map[FilterID]bool{}, chains: map[[2]uint64]uint32{}}
}

// ProbeError is a probe that could not conclude: the device has no ingress
// qdisc, no free chain, or a netlink error that is not a refusal. A filter
// the probe could not delete is named in Leftover.
type ProbeError struct {
	Ifindex  int
	Step     string // "dump", "pick chain", "install", "delete", "wait"
	Leftover *FilterID
	Err      error
}

// Error says which step failed on which device.
func (e *ProbeError) Error() string {
	s := fmt.Sprintf("tc: probe dev %d: %s: %v", e.Ifindex, e.Step, e.Err)
	if e.Leftover != nil {
		s += fmt.Sprintf(" (filter chain %d prio %d handle %#x left on the device)", e.Leftover.Chain, e.Leftover.Prio, e.Leftover.Handle)
	}
	return s
}

// Unwrap returns the cause.
func (e *ProbeError) Unwrap() error { return e.Err }

// usedChains returns the chains that hold filters or that a goto names, on
// one device and parent.
func usedChains(filters []Filter) map[uint32]bool {
	used := map[uint32]bool{0: true}
	for _, f := range filters {
		used[f.Chain] = true
		for _, a := range f.Actions {
			if n, ok := a.Verdict.Chain(); ok {
				used[n] = true
			}
		}
	}
	return used
}

// pickChain returns the highest chain at or below ProbeChainTop that holds
// no filter and that no action jumps to.
func pickChain(used map[uint32]bool) (uint32, error) {
	for c, n := ProbeChainTop, 0; n < 4096; c, n = c-1, n+1 {
		if !used[c] {
			return c, nil
		}
	}
	return 0, errors.New("no unused chain among the 4096 highest")
}

// isProbeFilter reports whether a dumped filter is one of the probe's.
func isProbeFilter(f Filter) bool {
	for _, a := range f.Actions {
		if bytes.Equal(a.Cookie, probeCookie) {
			return true
		}
	}
	return false
}

// prepare turns the translated spec into the probe's filter: skip_sw and
// verbose, in an unused chain at prio 1, handle 1, the probe's cookie in
// place of the flow's UFID. A spec without actions gets OVS's drop.
func prepare(spec FilterSpec, chain uint32) FilterSpec {
	spec.Flags = FlagSkipSW | FlagVerbose
	spec.Chain = chain
	spec.Prio = 1
	spec.Handle = 1
	if spec.Parent == 0 {
		spec.Parent = ParentIngressQdisc
	}
	if spec.Protocol == 0 {
		spec.Protocol = EthPAll
	}
	acts := make([]Action, len(spec.Actions))
	for i, a := range spec.Actions {
		if a.Cookie != nil {
			a.Cookie = append([]byte(nil), probeCookie...)
		}
		acts[i] = a
	}
	if len(acts) == 0 {
		acts = []Action{Drop()}
	}
	if !func() bool {
		for _, a := range acts {
			if a.Cookie != nil {
				return true
			}
		}
		return false
	}() {
		acts[len(acts)-1].Cookie = append([]byte(nil), probeCookie...)
	}
	spec.Actions = acts
	return spec
}

// Probe installs spec (as OVS's translation built it, on its device) with
// skip_sw and verbose in an unused chain, captures the kernel's answer and
// deletes the filter. A refusal is not an error: it is the result. The
// filter is deleted even when ctx is cancelled after the install; ctx
// cancelled before it installs nothing.
func (p *Prober) Probe(ctx context.Context, spec FilterSpec) (res ProbeResult, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ifindex := spec.Ifindex
	if ifindex <= 0 {
		return res, &ProbeError{Ifindex: ifindex, Step: "prepare", Err: errors.New("the flow's input device is not known")}
	}
	parent := spec.Parent
	if parent == 0 {
		parent = ParentIngressQdisc
	}
	key := [2]uint64{uint64(ifindex), uint64(parent)}
	chain, ok := p.chains[key]
	if !ok {
		// Dump first: the chain must hold nothing and be no goto's target.
		filters, err := p.c.Filters(ifindex, parent)
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				return res, &ProbeError{Ifindex: ifindex, Step: "dump", Err: fmt.Errorf("no ingress qdisc: OVS has not set up TC offload on this device, and the probe does not add one: %w", err)}
			}
			return res, &ProbeError{Ifindex: ifindex, Step: "dump", Err: err}
		}
		if chain, err = pickChain(usedChains(filters)); err != nil {
			return res, &ProbeError{Ifindex: ifindex, Step: "pick chain", Err: err}
		}
		p.chains[key] = chain
	}
	spec.Parent = parent
	res.Spec = prepare(spec, chain)
	res.Command = Command(res.Spec)
	if err := res.Spec.Validate(); err != nil {
		return res, &ProbeError{Ifindex: ifindex, Step: "prepare", Err: err}
	}
	if p.cfg.DryRun {
		res.DryRun = true
		return res, nil
	}
	if wait := p.cfg.Interval - time.Since(p.last); wait > 0 && !p.last.IsZero() {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return res, &ProbeError{Ifindex: ifindex, Step: "wait", Err: ctx.Err()}
		case <-t.C:
		}
	}
	if err := ctx.Err(); err != nil {
		return res, &ProbeError{Ifindex: ifindex, Step: "wait", Err: err}
	}
	p.last = time.Now()
	id := res.Spec.FilterID
	start := time.Now()
	p.live[id] = true
	addErr := p.c.AddFilter(res.Spec)
	var oe *OpError
	refused := addErr != nil && errors.As(addErr, &oe) && oe.Errno != 0
	if refused {
		// The kernel answered: nothing was installed, and a filter found
		// there now is not ours to delete.
		res.Took = time.Since(start)
		delete(p.live, id)
		if oe.Errno == syscall.EEXIST {
			// Someone else's filter at our place: the chain is no longer
			// free.
			delete(p.chains, key)
			return res, &ProbeError{Ifindex: ifindex, Step: "install", Err: addErr}
		}
		res.Refused, res.Message, res.Errno = true, oe.Message, oe.Errno
		return res, nil
	}
	// Accepted, or an answer that does not say (the socket failed): delete,
	// whether or not ctx was cancelled meanwhile.
	defer func() {
		delErr := p.c.DeleteFilter(id)
		res.Took = time.Since(start)
		if delErr == nil || errors.Is(delErr, ErrNotFound) {
			delete(p.live, id)
			return
		}
		err = &ProbeError{Ifindex: ifindex, Step: "delete", Leftover: &id, Err: errors.Join(delErr, addErr)}
	}()
	if addErr != nil {
		return res, &ProbeError{Ifindex: ifindex, Step: "install", Err: addErr}
	}
	res.Accepted = true
	return res, nil
}

// Sweep deletes, on one device and parent, every filter the probe
// installed and did not delete (a process killed between install and
// delete): filters carrying the probe's cookie. It returns how many it
// deleted.
func (p *Prober) Sweep(ifindex int, parent uint32) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	filters, err := p.c.Filters(ifindex, parent)
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, &ProbeError{Ifindex: ifindex, Step: "dump", Err: err}
	}
	n := 0
	var errs []error
	for _, f := range filters {
		if !isProbeFilter(f) {
			continue
		}
		if err := p.c.DeleteFilter(f.FilterID); err != nil && !errors.Is(err, ErrNotFound) {
			errs = append(errs, err)
			continue
		}
		delete(p.live, f.FilterID)
		n++
	}
	return n, errors.Join(errs...)
}

// Live returns the filters the prober installed and could not delete.
func (p *Prober) Live() []FilterID {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]FilterID, 0, len(p.live))
	for id := range p.live {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Chain < out[j].Chain })
	return out
}

// Command formats a spec as the tc command that installs it, for dry runs
// and reports (device by ifindex; keys this package encodes).
func Command(s FilterSpec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "tc filter add dev if%d", s.Ifindex)
	switch s.Parent {
	case ParentIngress, ParentIngressQdisc:
		b.WriteString(" ingress")
	case ParentEgress:
		b.WriteString(" egress")
	default:
		fmt.Fprintf(&b, " parent %x:%x", s.Parent>>16, s.Parent&0xffff)
	}
	fmt.Fprintf(&b, " chain %d prio %d handle %#x protocol %#04x flower", s.Chain, s.Prio, s.Handle, s.Protocol)
	if s.Flags.SkipSW() {
		b.WriteString(" skip_sw")
	}
	if s.Flags.SkipHW() {
		b.WriteString(" skip_hw")
	}
	if s.Flags&FlagVerbose != 0 {
		b.WriteString(" verbose")
	}
	m := s.Match
	if len(m.EthDstMask) > 0 {
		fmt.Fprintf(&b, " dst_mac %s/%s", m.EthDst, m.EthDstMask)
	}
	if len(m.EthSrcMask) > 0 {
		fmt.Fprintf(&b, " src_mac %s/%s", m.EthSrc, m.EthSrcMask)
	}
	if m.VLANID != nil {
		fmt.Fprintf(&b, " vlan_id %d", *m.VLANID)
	}
	if m.VLANPrio != nil {
		fmt.Fprintf(&b, " vlan_prio %d", *m.VLANPrio)
	}
	if m.VLANEthType != 0 {
		fmt.Fprintf(&b, " vlan_ethtype %#04x", m.VLANEthType)
	}
	if m.IPProto != nil {
		fmt.Fprintf(&b, " ip_proto %d", *m.IPProto)
	}
	if m.SrcMask.IsValid() {
		fmt.Fprintf(&b, " src_ip %s/%s", m.Src, m.SrcMask)
	}
	if m.DstMask.IsValid() {
		fmt.Fprintf(&b, " dst_ip %s/%s", m.Dst, m.DstMask)
	}
	if m.IPTOSMask != 0 {
		fmt.Fprintf(&b, " ip_tos %#x/%#x", m.IPTOS, m.IPTOSMask)
	}
	if m.IPTTLMask != 0 {
		fmt.Fprintf(&b, " ip_ttl %d/%#x", m.IPTTL, m.IPTTLMask)
	}
	if m.SrcPortMask != 0 {
		fmt.Fprintf(&b, " src_port %d/%#x", m.SrcPort, m.SrcPortMask)
	}
	if m.DstPortMask != 0 {
		fmt.Fprintf(&b, " dst_port %d/%#x", m.DstPort, m.DstPortMask)
	}
	if m.TCPFlagsMask != 0 {
		fmt.Fprintf(&b, " tcp_flags %#x/%#x", m.TCPFlags, m.TCPFlagsMask)
	}
	if m.KeyFlagsMask != 0 {
		fmt.Fprintf(&b, " ip_flags %#x/%#x", m.KeyFlags, m.KeyFlagsMask)
	}
	if m.CtStateMask != 0 {
		fmt.Fprintf(&b, " ct_state %s", ctStateText(m.CtState, m.CtStateMask))
	}
	if m.CtZoneMask != 0 {
		fmt.Fprintf(&b, " ct_zone %d/%#x", m.CtZone, m.CtZoneMask)
	}
	if m.CtMarkMask != 0 {
		fmt.Fprintf(&b, " ct_mark %#x/%#x", m.CtMark, m.CtMarkMask)
	}
	if len(m.CtLabelsMask) > 0 {
		fmt.Fprintf(&b, " ct_label %x/%x", m.CtLabels, m.CtLabelsMask)
	}
	if m.EncKeyID != nil {
		fmt.Fprintf(&b, " enc_key_id %d", *m.EncKeyID)
	}
	if m.EncSrcMask.IsValid() {
		fmt.Fprintf(&b, " enc_src_ip %s/%s", m.EncSrc, m.EncSrcMask)
	}
	if m.EncDstMask.IsValid() {
		fmt.Fprintf(&b, " enc_dst_ip %s/%s", m.EncDst, m.EncDstMask)
	}
	if m.EncSrcPortMask != 0 {
		fmt.Fprintf(&b, " enc_src_port %d/%#x", m.EncSrcPort, m.EncSrcPortMask)
	}
	if m.EncDstPortMask != 0 {
		fmt.Fprintf(&b, " enc_dst_port %d/%#x", m.EncDstPort, m.EncDstPortMask)
	}
	if m.EncTOSMask != 0 {
		fmt.Fprintf(&b, " enc_tos %#x/%#x", m.EncTOS, m.EncTOSMask)
	}
	if m.EncTTLMask != 0 {
		fmt.Fprintf(&b, " enc_ttl %d/%#x", m.EncTTL, m.EncTTLMask)
	}
	if len(m.EncOptsMask) > 0 {
		fmt.Fprintf(&b, " enc_opts %x/%x", m.EncOpts, m.EncOptsMask)
	}
	for _, a := range s.Actions {
		b.WriteString(" action ")
		b.WriteString(actionText(a))
	}
	return b.String()
}

func ctStateText(v, m uint16) string {
	names := []string{"new", "est", "rel", "trk", "inv", "rpl"}
	var b strings.Builder
	for i, n := range names {
		bit := uint16(1) << i
		if m&bit == 0 {
			continue
		}
		if v&bit != 0 {
			b.WriteByte('+')
		} else {
			b.WriteByte('-')
		}
		b.WriteString(n)
	}
	return b.String()
}

func actionText(a Action) string {
	switch a.Kind {
	case "mirred":
		op := map[MirredOp]string{EgressRedirect: "egress redirect", EgressMirror: "egress mirror", IngressRedirect: "ingress redirect", IngressMirror: "ingress mirror"}[a.Mirred.Op]
		return fmt.Sprintf("mirred %s dev if%d", op, a.Mirred.Ifindex)
	case "gact":
		return "gact " + a.Verdict.String()
	case "vlan":
		switch a.VLAN.Op {
		case VLANPop:
			return "vlan pop"
		case VLANPush:
			return fmt.Sprintf("vlan push id %d priority %d protocol %#04x", a.VLAN.ID, a.VLAN.Priority, a.VLAN.Protocol)
		}
		return "vlan modify"
	case "tunnel_key":
		if a.TunnelKey.Op == TunnelKeyRelease {
			return "tunnel_key unset"
		}
		t := a.TunnelKey
		s := fmt.Sprintf("tunnel_key set src_ip %s dst_ip %s dst_port %d tos %#x ttl %d", t.Src, t.Dst, t.DstPort, t.TOS, t.TTL)
		if t.KeyID != nil {
			s += fmt.Sprintf(" id %d", *t.KeyID)
		}
		if t.NoCsum {
			s += " nocsum"
		}
		if len(t.Opts) > 0 {
			s += fmt.Sprintf(" opts %x", t.Opts)
		}
		return s
	case "ct":
		c := a.CT
		var parts []string
		if c.Flags&CtClear != 0 {
			return "ct clear"
		}
		if c.Flags&CtCommit != 0 {
			parts = append(parts, "commit")
		}
		if c.Flags&CtForce != 0 {
			parts = append(parts, "force")
		}
		parts = append(parts, fmt.Sprintf("zone %d", c.Zone))
		if c.MarkMask != 0 {
			parts = append(parts, fmt.Sprintf("mark %#x/%#x", c.Mark, c.MarkMask))
		}
		if len(c.LabelsMask) > 0 {
			parts = append(parts, fmt.Sprintf("label %x/%x", c.Labels, c.LabelsMask))
		}
		if c.Flags&CtNAT != 0 {
			nat := "nat"
			switch {
			case c.Flags&CtNATSrc != 0:
				nat += " src"
			case c.Flags&CtNATDst != 0:
				nat += " dst"
			}
			if c.NATMin.IsValid() {
				nat += fmt.Sprintf(" addr %s-%s", c.NATMin, c.NATMax)
			}
			if c.NATPortMin != 0 {
				nat += fmt.Sprintf(" port %d-%d", c.NATPortMin, c.NATPortMax)
			}
			parts = append(parts, nat)
		}
		return "ct " + strings.Join(parts, " ")
	}
	return a.Kind
}
