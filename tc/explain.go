// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovslog"
)

// maxMessage bounds a driver message kept in a reason.
const maxMessage = 4096

// explain adds to the report, for each flow not in hardware, the reasons
// OVS's translation gives and, with a probe configured, the driver's
// answer.
func (b *Backend) explain(ctx context.Context, node *offload.Node, each func(func(*dpflow.Flow) error) error, report *offload.Report) error {
	dbVersion := ""
	if b.cfg.OVS.Version == "" && node.DB != nil {
		if st, err := node.DB.Status(ctx); err == nil {
			dbVersion = st.OVSVersion
		}
	}
	feat := features(b.cfg.OVS, dbVersion, node.Log)
	h, err := b.linkHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	index := map[string]int{}
	resolve := func(name string) (int, bool) {
		if i, ok := index[name]; ok {
			return i, i > 0
		}
		i := 0
		if l, err := h.LinkByName(name); err == nil {
			i = l.Attrs().Index
		}
		index[name] = i
		return i, i > 0
	}
	var p *Prober
	if b.cfg.Probe != nil {
		c, err := Dial(&Config{NetNS: b.cfg.NetNS})
		if err != nil {
			return err
		}
		defer c.Close()
		p = NewProber(c, *b.cfg.Probe)
	}
	return explainEach(ctx, feat, each, report, resolve, p)
}

// features completes what the configuration says about ovs-vswitchd with
// the database's ovs_version and what the running daemon logged: its
// version at start (ovs_version is written by start scripts, not by
// ovs-vswitchd) and the ct_state bits it probed. The configuration wins.
func features(cfg OVSFeatures, dbVersion string, log *ovslog.Log) OVSFeatures {
	f := cfg
	if f.Version == "" {
		f.Version = dbVersion
	}
	if log == nil {
		return f
	}
	cur := log.Current()
	if ev, ok := cur.LastStart(); ok && f.Version == "" {
		f.Version = ev.Version
	}
	if !f.CTStateKnown {
		f.CTStateBits, f.CTStateKnown = cur.CTState()
	}
	return f
}

// explainFlows is explain with its device lookups and kernel access given,
// so tests can run it against recorded dumps.
func explainFlows(ctx context.Context, feat OVSFeatures, flows []*dpflow.Flow, report *offload.Report,
	resolve func(string) (int, bool), p *Prober) error {
	if len(flows) != len(report.Flows) {
		return fmt.Errorf("tc: %d flows and %d verdicts", len(flows), len(report.Flows))
	}
	each := func(fn func(*dpflow.Flow) error) error {
		for _, f := range flows {
			if err := fn(f); err != nil {
				return err
			}
		}
		return nil
	}
	return explainEach(ctx, feat, each, report, resolve, p)
}

// explainEach is explainFlows over flows yielded by each, in the order of
// report.Flows, twice (recirculation targets first), so that a streamed
// dump is never held whole.
func explainEach(ctx context.Context, feat OVSFeatures, each func(func(*dpflow.Flow) error) error, report *offload.Report,
	resolve func(string) (int, bool), p *Prober) error {
	targets := map[uint32]bool{}
	if err := each(func(f *dpflow.Flow) error {
		for c := range RecircTargets([]*dpflow.Flow{f}) {
			targets[c] = true
		}
		return nil
	}); err != nil {
		return err
	}
	if feat.Family() == OVSFamilyUnknown {
		v := feat.Version
		if v == "" {
			v = "not known"
		}
		report.Node = append(report.Node, offload.Reason{Code: offload.ReasonOVSVersionUnknown,
			Detail: sanitize(fmt.Sprintf("ovs-vswitchd's version is %s (known families: 3.1, 3.2-3.6, 3.7-4.x): reasons that depend on it say so instead of guessing", v))})
	}
	tr := &Translator{Features: feat, Ifindex: resolve, TCChains: targets}
	type probeKey struct {
		cmd string
	}
	cache := map[probeKey][]offload.Reason{}
	swept := map[int]error{} // per device: swept, or why not
	var probed, refused, accepted, skipped int
	var leftover error
	var took time.Duration
	chains := map[string]bool{}
	i := -1
	err := each(func(f *dpflow.Flow) error {
		i++
		if i >= len(report.Flows) {
			return fmt.Errorf("tc: more flows than the %d verdicts", len(report.Flows))
		}
		v := &report.Flows[i]
		if v.State == offload.InHardware || v.State == offload.Unknown || (v.DP != "ovs" && v.DP != "tc" && v.DP != "") {
			return nil
		}
		t := tr.Translate(f)
		// A flow in TC is one OVS translated: what keeps it out of hardware
		// is the kernel or the driver, and only the probe can tell.
		inTC := v.DP == "tc"
		if !inTC {
			v.Reasons = append(v.Reasons, t.Reasons...)
		}
		if p == nil {
			if inTC {
				v.Reasons = append(v.Reasons, offload.Reason{Code: offload.ReasonProbeSkipped,
					Detail: "OVS put this flow into TC and the driver did not take it; the driver says why only to a filter with skip_sw or verbose: offload-check --probe (tc.BackendConfig.Probe) asks it"})
			}
			return nil
		}
		if t.Refused {
			if inTC {
				v.Reasons = append(v.Reasons, offload.Reason{Code: offload.ReasonProbeSkipped,
					Detail: sanitize("not probed: this package's translation refuses a flow OVS put into TC (" + t.Reasons[0].Detail + ")")})
			}
			return nil
		}
		skip := func(format string, args ...any) {
			skipped++
			v.Reasons = append(v.Reasons, offload.Reason{Code: offload.ReasonProbeSkipped, Detail: sanitize(fmt.Sprintf(format, args...))})
		}
		switch {
		case len(t.Unresolved) > 0:
			skip("no netdev here for %s", strings.Join(t.Unresolved, ", "))
			return nil
		case len(t.Inexpressible) > 0:
			skip("the filter OVS would install holds what this package cannot encode: %s", strings.Join(t.Inexpressible, "; "))
			return nil
		}
		key := probeKey{Command(prepare(t.Spec, 0))}
		if rs, ok := cache[key]; ok {
			v.Reasons = append(v.Reasons, rs...)
			return nil
		}
		if leftover != nil {
			skip("stopped after a probe filter could not be deleted")
			return nil
		}
		if probed >= p.cfg.MaxFlows {
			skip("at most %d filters are probed in one run", p.cfg.MaxFlows)
			return nil
		}
		serr, done := swept[t.Spec.Ifindex]
		if !done {
			// Leftovers of a killed run go first; a device whose filters
			// cannot be read or cleaned is not probed.
			_, serr = p.Sweep(t.Spec.Ifindex, ParentIngressQdisc)
			swept[t.Spec.Ifindex] = serr
		}
		if serr != nil {
			skip("not probed: the device's earlier probe filters could not be swept: %v", serr)
			return nil
		}
		probed++
		res, err := p.Probe(ctx, t.Spec)
		var rs []offload.Reason
		switch {
		case err != nil && ctx.Err() != nil:
			return fmt.Errorf("tc: probe interrupted: %w", errors.Join(err, ctx.Err()))
		case err != nil:
			var pe *ProbeError
			if errors.As(err, &pe) && pe.Leftover != nil {
				leftover = err
			}
			rs = append(rs, offload.Reason{Code: offload.ReasonProbeSkipped, Detail: sanitize("probe failed: " + err.Error())})
		case res.DryRun:
			rs = append(rs, offload.Reason{Code: offload.ReasonProbeSkipped, Detail: sanitize("dry run: would install: " + res.Command)})
		case res.Refused:
			refused++
			took += res.Took
			msg := res.Message
			if len(msg) > maxMessage {
				msg = msg[:maxMessage]
			}
			if msg == "" {
				msg = fmt.Sprintf("the kernel refused the skip_sw filter with %v and no message", res.Errno)
			}
			rs = append(rs, offload.Reason{Code: offload.ReasonDriverRefused, Detail: msg})
		case res.Accepted:
			accepted++
			took += res.Took
			rs = append(rs, offload.Reason{Code: offload.ReasonDriverAccepted,
				Detail: fmt.Sprintf("the kernel and the driver took the filter OVS would install, with skip_sw (chain %d prio %d, deleted at once): they do not refuse this flow", res.Spec.Chain, res.Spec.Prio)})
		}
		if res.Command != "" {
			chains[fmt.Sprintf("if%d chain %d", res.Spec.Ifindex, res.Spec.Chain)] = true
		}
		cache[key] = rs
		v.Reasons = append(v.Reasons, rs...)
		return nil
	})
	if err != nil {
		return err
	}
	if i+1 != len(report.Flows) {
		return fmt.Errorf("tc: %d flows and %d verdicts", i+1, len(report.Flows))
	}
	if p != nil && probed > 0 {
		var where []string
		for w := range chains {
			where = append(where, w)
		}
		sort.Strings(where)
		line := fmt.Sprintf("probe: %d filters probed (%d refused, %d accepted, %d flows skipped) in %s",
			probed, refused, accepted, skipped, strings.Join(where, ", "))
		if n := refused + accepted; n > 0 {
			line += fmt.Sprintf("; %v per filter from install to delete", (took / time.Duration(n)).Round(time.Microsecond))
		}
		if p.cfg.DryRun {
			line = fmt.Sprintf("probe dry run: %d filters would be installed (in %s), nothing was", probed, strings.Join(where, ", "))
		}
		if leftover != nil {
			line += fmt.Sprintf("; A PROBE FILTER IS LEFT ON THE DEVICE (the next probe run sweeps it): %v", leftover)
		}
		report.Limits = append(report.Limits, line)
	}
	return nil
}
