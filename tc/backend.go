// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// BackendConfig configures the kernel TC offload backend.
type BackendConfig struct {
	// TCPolicy is other_config:tc-policy: "none" (the default: OVS lets the
	// kernel place the filter), "skip_sw" (hardware only) or "skip_hw"
	// (software TC only).
	TCPolicy string
	// NetNS is a file descriptor of the network namespace holding the
	// node's OVS ports; 0 means the caller's.
	NetNS int
	// CounterWindow, when positive, makes Verify read the filters twice,
	// this long apart, and flag flows in hardware whose software packet
	// count grew in between ("in hardware, but traffic in software", see
	// offload.Report.CompareCounters). Zero reads them once.
	CounterWindow time.Duration
	// OVS describes ovs-vswitchd for Verify's translation of the flows
	// that are not in hardware (Translator). An empty Version is read
	// from the Open_vSwitch table's ovs_version, then from the start line
	// of offload.Node.Log; unknown CTStateBits from that log's "probe tc:
	// supported ovs ct_state bits" line.
	OVS OVSFeatures
	// Probe, when set, makes Verify run the driver probe (Prober) for each
	// flow OVS can translate but that is not in hardware, and report the
	// kernel's answer verbatim. It installs filters: opt-in.
	Probe *ProbeConfig
}

// Backend is the kernel TC flower offload backend: OVS's kernel datapath
// puts datapath flows into TC flower filters (with the flow's UFID as the
// action cookie), and the NIC driver puts the filters into hardware.
type Backend struct {
	cfg BackendConfig
}

// NewBackend validates cfg and returns a TC backend.
func NewBackend(cfg BackendConfig) (*Backend, error) {
	if cfg.CounterWindow < 0 {
		return nil, fmt.Errorf("tc: counter window %v is negative", cfg.CounterWindow)
	}
	switch cfg.TCPolicy {
	case "":
		cfg.TCPolicy = ovsdb.TCPolicyNone
	case ovsdb.TCPolicyNone, ovsdb.TCPolicySkipSW, ovsdb.TCPolicySkipHW:
	default:
		return nil, fmt.Errorf("tc: tc-policy %q: want none, skip_sw or skip_hw", cfg.TCPolicy)
	}
	return &Backend{cfg: cfg}, nil
}

// Keys are the Open_vSwitch other_config keys the backend owns (see
// offload.Register): only tc-policy, besides hw-offload, which every backend
// writes.
var Keys = []string{ovsdb.KeyTCPolicy}

func init() {
	offload.Register("tc", func(s map[string]string) (offload.Backend, error) {
		if err := offload.CheckSettings("tc", s, ovsdb.KeyTCPolicy); err != nil {
			return nil, err
		}
		return NewBackend(BackendConfig{TCPolicy: s[ovsdb.KeyTCPolicy]})
	}, Keys...)
}

// WithVerify returns a copy of b whose Verify translates the flows that are
// not in hardware with ovs, and, when probe is not nil, probes the driver.
func (b *Backend) WithVerify(ovs OVSFeatures, probe *ProbeConfig) *Backend {
	c := *b
	c.cfg.OVS = ovs
	c.cfg.Probe = probe
	return &c
}

// Name returns "tc".
func (b *Backend) Name() string { return "tc" }

// DatapathType returns "system": TC offload works from the kernel datapath.
func (b *Backend) DatapathType() string { return ovsdb.DatapathSystem }

// Configure writes hw-offload=true and the tc-policy, both read only when
// ovs-vswitchd starts. Activate removes the other backends' keys.
func (b *Backend) Configure(txn *ovsdb.Txn) error {
	on := true
	txn.SetOffload(ovsdb.OffloadSettings{HWOffload: &on, TCPolicy: b.cfg.TCPolicy})
	return nil
}

// Interface plugs a representor as a system interface by its netdev name,
// removing what OVS-DOCA may have set.
func (b *Backend) Interface(rep eswitch.Representor) (offload.InterfaceConfig, error) {
	if rep.Name == "" {
		return offload.InterfaceConfig{}, fmt.Errorf("tc: representor %s has no netdev", rep.Identity.PortName())
	}
	return offload.InterfaceConfig{Type: "system", RemoveOptions: []string{"dpdk-devargs"}}, nil
}

// Preflight checks hw-offload, that bridges use the kernel datapath, the
// eswitch mode, hw-tc-offload on every representor in OVS, and whether
// hw-offload looks set after ovs-vswitchd started.
func (b *Backend) Preflight(ctx context.Context, node *offload.Node) ([]offload.Check, error) {
	facts, err := offload.GatherFacts(ctx, node, b.Name())
	if err != nil {
		return nil, err
	}
	var checks []offload.Check
	c := offload.Check{Name: "hw-offload", Status: offload.CheckPass, Detail: "other_config:hw-offload=true"}
	if !facts.HWOffload {
		c.Status, c.Detail = offload.CheckFail, "other_config:hw-offload is not true"
		c.Fix = "offload.Activate with this backend (or ovs-vsctl set Open_vSwitch . other_config:hw-offload=true), then restart ovs-vswitchd"
	}
	checks = append(checks, c)

	c = offload.Check{Name: "datapath", Status: offload.CheckPass, Detail: "every port is on a kernel-datapath bridge"}
	var netdev []string
	for name, pf := range facts.Ports {
		if pf.DatapathType == ovsdb.DatapathNetdev {
			netdev = append(netdev, name)
		}
	}
	if len(netdev) > 0 {
		sort.Strings(netdev)
		c.Status, c.Detail = offload.CheckFail, "ports on userspace (netdev) bridges cannot use TC: "+strings.Join(netdev, ", ")
		c.Fix = "offload.Activate(ctx, db, backend, bridges...) moves the bridges to datapath_type=system"
	}
	checks = append(checks, c)

	if node.Eswitch == nil {
		checks = append(checks, offload.Check{Name: "eswitch-mode", Status: offload.CheckSkip,
			Detail: "no eswitch client: the NIC's eswitch was not inspected"})
	} else {
		inv, err := node.Eswitch.Discover(ctx)
		if err != nil {
			return nil, fmt.Errorf("tc: discovering representors: %w", err)
		}
		checks = append(checks, offload.CheckEswitchModes(ctx, node.Eswitch, inv)...)
		c = offload.Check{Name: "hw-tc-offload", Status: offload.CheckPass, Detail: "on for every representor in OVS"}
		var off []string
		for name, pf := range facts.Ports {
			if pf.Representor != "" && pf.HWTCOffload != nil && !*pf.HWTCOffload {
				off = append(off, name)
			}
		}
		if len(off) > 0 {
			sort.Strings(off)
			c.Status, c.Detail = offload.CheckFail, "hw-tc-offload is off on "+strings.Join(off, ", ")
			c.Fix = "eswitch.Client.SetHWTCOffload(ctx, link, true) (ethtool -K <link> hw-tc-offload on)"
		}
		checks = append(checks, c)
	}

	checks = append(checks, b.checkActive(ctx, node, facts))
	return checks, nil
}

// checkActive warns when hw-offload is set but no flow is in TC: the usual
// sign that it was set after ovs-vswitchd started.
func (b *Backend) checkActive(ctx context.Context, node *offload.Node, facts offload.Facts) offload.Check {
	c := offload.Check{Name: "hw-offload-active"}
	if !facts.HWOffload {
		c.Status, c.Detail = offload.CheckSkip, "hw-offload is not set"
		return c
	}
	flows, err := node.DumpFlows(ctx)
	if err != nil {
		c.Status, c.Detail = offload.CheckSkip, "cannot dump flows: "+err.Error()
		return c
	}
	inTC := 0
	for _, f := range flows {
		if f.DPLayer() == "tc" {
			inTC++
		}
	}
	switch {
	case len(flows) == 0:
		c.Status, c.Detail = offload.CheckSkip, "no datapath flows yet: send traffic and check again"
	case inTC == 0:
		c.Status, c.Detail = offload.CheckWarn, fmt.Sprintf("hw-offload=true but none of %d datapath flows is in TC: hw-offload is read only at start", len(flows))
		c.Fix = "restart ovs-vswitchd"
	default:
		c.Status, c.Detail = offload.CheckPass, fmt.Sprintf("%d of %d datapath flows are in TC", inTC, len(flows))
	}
	return c
}

// Verify dumps the datapath flows (-m --names), reads the ingress flower
// filters of every OVS port and every input port of the dump, and matches
// each flow with the filter whose action cookie carries its UFID; each
// verdict carries the filter's hardware and software counters. With a
// CounterWindow the filters are read twice and flows in hardware whose
// software packets grew are flagged. For each flow not in hardware it adds
// the reasons OVS's TC translation refuses it for (Translator), and, with
// BackendConfig.Probe, the driver's answer to the filter OVS would install
// (Prober).
func (b *Backend) Verify(ctx context.Context, node *offload.Node) (*offload.Report, error) {
	facts, err := offload.GatherFacts(ctx, node, b.Name())
	if err != nil {
		return nil, err
	}
	// Two passes over the flows: their input ports say which links'
	// filters to read, then each flow is classified. A streamed dump
	// (node.Streams: a saved file) is read twice rather than held; a live
	// dump is taken once.
	each := func(fn func(*dpflow.Flow) error) error { return node.EachFlow(ctx, fn) }
	if !node.Streams() {
		flows, err := node.DumpFlows(ctx)
		if err != nil {
			return nil, err
		}
		each = func(fn func(*dpflow.Flow) error) error {
			for _, f := range flows {
				if err := fn(f); err != nil {
					return err
				}
			}
			return nil
		}
	}
	names := map[string]bool{}
	for name, pf := range facts.Ports {
		if pf.DatapathType != ovsdb.DatapathNetdev {
			names[name] = true
		}
	}
	err = each(func(f *dpflow.Flow) error {
		if f.DPLayer() == "tc" && f.InPort() != "" && !names[f.InPort()] {
			names[strings.Clone(f.InPort())] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	classify := func() (*offload.Report, error) {
		evidence, err := b.readFilters(names)
		if err != nil {
			return nil, err
		}
		facts.Evidence = func(u dpflow.UFID) (offload.Evidence, bool) {
			e, ok := evidence[u]
			return e, ok
		}
		return offload.ClassifyEach(each, facts)
	}
	first, err := classify()
	if err != nil {
		return nil, err
	}
	if b.cfg.CounterWindow == 0 {
		if err := b.explain(ctx, node, each, first); err != nil {
			return nil, err
		}
		return first, nil
	}
	t := time.NewTimer(b.cfg.CounterWindow)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("tc: waiting %v between two counter reads: %w", b.cfg.CounterWindow, ctx.Err())
	case <-t.C:
	}
	second, err := classify()
	if err != nil {
		return nil, err
	}
	second.CompareCounters(first)
	if err := b.explain(ctx, node, each, second); err != nil {
		return nil, err
	}
	return second, nil
}

// readFilters returns, by UFID, what the flower filters on the named
// links say. Links that do not exist (internal ports of other namespaces,
// ports gone since the database was read) and links without an ingress
// qdisc are skipped.
func (b *Backend) readFilters(names map[string]bool) (map[dpflow.UFID]offload.Evidence, error) {
	h, err := b.linkHandle()
	if err != nil {
		return nil, err
	}
	defer h.Close()
	c, err := Dial(&Config{NetNS: b.cfg.NetNS})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	out := map[dpflow.UFID]offload.Evidence{}
	for _, name := range slices.Sorted(maps.Keys(names)) {
		link, err := h.LinkByName(name)
		if err != nil {
			continue // not a netdev here
		}
		// OVS installs its filters under the classic ingress qdisc
		// (ffff:fff1); clsact's ingress hook (ffff:fff2) is read too.
		var filters []Filter
		for _, parent := range []uint32{ParentIngressQdisc, ParentIngress} {
			fs, err := c.Filters(link.Attrs().Index, parent)
			if errors.Is(err, ErrNotFound) || errors.Is(err, ErrNotSupported) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("tc: dumping filters of %s: %w", name, err)
			}
			filters = append(filters, fs...)
		}
		for _, f := range filters {
			du, ok := f.UFID()
			if !ok {
				continue
			}
			e := offload.Evidence{
				Source: fmt.Sprintf("tc filter dev %s ingress chain %d pref %d handle 0x%x", name, f.Chain, f.Prio, f.Handle),
				InHW:   f.Flags.InHW(), NotInHW: f.Flags.NotInHW(), SkipHW: f.Flags.SkipHW(), SkipSW: f.Flags.SkipSW(),
			}
			if f.InHWCount != nil {
				e.InHWCount = *f.InHWCount
			}
			st := f.Stats()
			e.Counters = &offload.Counters{HWPackets: st.HWPackets, HWBytes: st.HWBytes,
				SWPackets: st.SWPackets, SWBytes: st.SWBytes, HWReported: st.HWReported}
			out[du] = e
		}
	}
	return out, nil
}

// linkHandle opens a netlink handle in the configured namespace.
func (b *Backend) linkHandle() (*netlink.Handle, error) {
	if b.cfg.NetNS == 0 {
		return netlink.NewHandle()
	}
	return netlink.NewHandleAt(netns.NsHandle(b.cfg.NetNS))
}

var _ offload.Backend = (*Backend)(nil)
