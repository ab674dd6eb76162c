// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"context"
	"errors"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mdlayher/netlink"
)

// fakeKernel stands in for the kernel behind the prober's seam (probeConn):
// it keeps filters by FilterID as cls_api does, refuses an add where one
// exists (EEXIST), answers ENOENT for a delete of nothing, and runs a
// "driver" function for skip_sw filters whose error it returns as the
// kernel would (an *OpError carrying the extack).
type fakeKernel struct {
	mu      sync.Mutex
	filters map[FilterID]Filter
	noQdisc bool
	dumpErr error
	driver  func(FilterSpec) (string, syscall.Errno) // "" and 0: accepted
	onAdd   func()
	delErr  error
	adds    []FilterSpec
	dels    []FilterID
}

func newFakeKernel(existing ...Filter) *fakeKernel {
	k := &fakeKernel{filters: map[FilterID]Filter{}}
	for _, f := range existing {
		k.filters[f.FilterID] = f
	}
	return k
}

func (k *fakeKernel) Filters(ifindex int, parent uint32) ([]Filter, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.noQdisc {
		return nil, &OpError{Op: "dump filters", ID: FilterID{Ifindex: ifindex}, Errno: syscall.EINVAL, Err: ErrNotFound}
	}
	if k.dumpErr != nil {
		return nil, k.dumpErr
	}
	var out []Filter
	for id, f := range k.filters {
		if id.Ifindex == ifindex && id.Parent == parent {
			out = append(out, f)
		}
	}
	return out, nil
}

func (k *fakeKernel) AddFilter(spec FilterSpec) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.adds = append(k.adds, spec)
	if k.onAdd != nil {
		defer k.onAdd()
	}
	if _, ok := k.filters[spec.FilterID]; ok {
		return &OpError{Op: "add filter", ID: spec.FilterID, Errno: syscall.EEXIST, Message: "Filter already exists", Err: syscall.EEXIST}
	}
	if spec.Flags.SkipSW() && k.driver != nil {
		if msg, errno := k.driver(spec); errno != 0 {
			return &OpError{Op: "add filter", ID: spec.FilterID, Errno: errno, Message: msg, Err: &netlink.OpError{Op: "receive", Err: errno, Message: msg}}
		}
	}
	k.filters[spec.FilterID] = Filter{FilterID: spec.FilterID, Kind: "flower", Flags: spec.Flags | FlagInHW, Match: spec.Match, Actions: spec.Actions}
	return nil
}

func (k *fakeKernel) DeleteFilter(id FilterID) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.dels = append(k.dels, id)
	if k.delErr != nil {
		return k.delErr
	}
	if _, ok := k.filters[id]; !ok {
		return &OpError{Op: "delete filter", ID: id, Errno: syscall.ENOENT, Err: syscall.ENOENT}
	}
	delete(k.filters, id)
	return nil
}

func (k *fakeKernel) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.filters)
}

// mlx5Like refuses a ct_state +new match, as mlx5 does.
func mlx5Like(spec FilterSpec) (string, syscall.Errno) {
	if spec.Match.CtStateMask&CtNew != 0 && spec.Match.CtState&CtNew != 0 {
		return "mlx5_core: matching on ct_state +new isn't supported", syscall.EOPNOTSUPP
	}
	return "", 0
}

// ovsFilters are filters OVS installed: chain 0 jumps to chain 2, and a
// filter sits in the probe's first choice, ProbeChainTop, another jumps to
// ProbeChainTop-1.
func ovsFilters() []Filter {
	mk := func(chain uint32, prio uint16, acts ...Action) Filter {
		return Filter{FilterID: FilterID{Ifindex: 11, Parent: ParentIngressQdisc, Chain: chain, Prio: prio, Protocol: EthPIP, Handle: 1}, Kind: "flower", Actions: acts}
	}
	return []Filter{
		mk(0, 1, Goto(2)),
		mk(2, 1, Redirect(12)),
		mk(ProbeChainTop, 3, Drop()),
		mk(5, 1, Goto(ProbeChainTop-1)),
	}
}

func probeSpec(t *testing.T, ct string) FilterSpec {
	t.Helper()
	tr := (&Translator{Features: feat("3.1.0"), Ifindex: resolve}).Translate(xlFlow(t, edit("ct_state(0/0)", ct)))
	if !tr.Offloadable {
		t.Fatalf("not offloadable: %+v", tr.Reasons)
	}
	return tr.Spec
}

func TestProbeAcceptedInUnusedChainAndDeleted(t *testing.T) {
	k := newFakeKernel(ovsFilters()...)
	k.driver = mlx5Like
	p := newProber(k, ProbeConfig{})
	res, err := p.Probe(context.Background(), probeSpec(t, "ct_state(0x22/0x23)"))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Accepted || res.Refused || len(k.adds) != 1 || len(k.dels) != 1 {
		t.Fatalf("result %+v, adds %d, dels %d", res, len(k.adds), len(k.dels))
	}
	got := k.adds[0]
	if got.Chain != ProbeChainTop-2 || got.Prio != 1 || got.Flags != FlagSkipSW|FlagVerbose || got.Ifindex != 11 {
		t.Errorf("installed at %+v flags %v, want chain %d (the highest unused and no goto target)", got.FilterID, got.Flags, ProbeChainTop-2)
	}
	for _, a := range got.Actions {
		if a.Cookie != nil && string(a.Cookie) != string(probeCookie) {
			t.Errorf("action %s carries cookie %x, want the probe's", a.Kind, a.Cookie)
		}
	}
	if k.dels[0] != got.FilterID {
		t.Errorf("deleted %+v, installed %+v", k.dels[0], got.FilterID)
	}
	if k.count() != len(ovsFilters()) {
		t.Errorf("%d filters left, want OVS's %d untouched", k.count(), len(ovsFilters()))
	}
	if len(p.Live()) != 0 {
		t.Errorf("live %v", p.Live())
	}
	if !strings.Contains(res.Command, "chain 268435453 prio 1") || !strings.Contains(res.Command, "skip_sw verbose") || !strings.Contains(res.Command, "ct_state +est+trk") {
		t.Errorf("command %q", res.Command)
	}
}

// TestProbeMessage checks the netlink request the probe sends: skip_sw and
// verbose in TCA_FLOWER_FLAGS, the chain and prio chosen, the probe cookie.
func TestProbeMessage(t *testing.T) {
	spec := prepare(probeSpec(t, "ct_state(0x21/0x21)"), ProbeChainTop)
	m, err := filterMessage(opAdd, spec)
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Flags&netlink.Excl == 0 || m.Header.Flags&netlink.Replace != 0 {
		t.Errorf("flags %v: the probe must create, never replace", m.Header.Flags)
	}
	f, err := DecodeFilter(m)
	if err != nil {
		t.Fatal(err)
	}
	if f.Flags != FlagSkipSW|FlagVerbose || f.Chain != ProbeChainTop || f.Prio != 1 || f.Handle != 1 {
		t.Errorf("decoded %+v flags %v", f.FilterID, f.Flags)
	}
	if f.Match.CtState != CtNew|CtTracked || f.Match.CtStateMask != CtNew|CtTracked {
		t.Errorf("ct_state %#x/%#x", f.Match.CtState, f.Match.CtStateMask)
	}
	if !isProbeFilter(f) {
		t.Error("the request's filter is not recognised as the probe's")
	}
}

func TestProbeRefusalVerbatim(t *testing.T) {
	k := newFakeKernel(ovsFilters()...)
	msg := "netdevsim: emulated eswitch refuses ct_state +new \u00e9 (never seen before)"
	k.driver = func(s FilterSpec) (string, syscall.Errno) {
		if s.Match.CtState&CtNew != 0 {
			return msg, syscall.EOPNOTSUPP
		}
		return "", 0
	}
	p := newProber(k, ProbeConfig{})
	res, err := p.Probe(context.Background(), probeSpec(t, "ct_state(0x21/0x21)"))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Refused || res.Accepted || res.Message != msg || res.Errno != syscall.EOPNOTSUPP {
		t.Fatalf("result %+v", res)
	}
	if len(k.dels) != 0 {
		t.Errorf("a refused filter was deleted (%v): a filter there now is not the probe's", k.dels)
	}
	if k.count() != len(ovsFilters()) {
		t.Errorf("%d filters", k.count())
	}
}

func TestProbeCancelledBeforeInstallInstallsNothing(t *testing.T) {
	k := newFakeKernel()
	p := newProber(k, ProbeConfig{Interval: time.Hour})
	spec := probeSpec(t, "ct_state(0/0)")
	if _, err := p.Probe(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	_, err := p.Probe(ctx, spec)
	var pe *ProbeError
	if !errors.As(err, &pe) || pe.Step != "wait" || !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want a cancelled wait", err)
	}
	if len(k.adds) != 1 || k.count() != 0 {
		t.Errorf("adds %d, filters %d", len(k.adds), k.count())
	}
}

func TestProbeCancelledAfterInstallDeletes(t *testing.T) {
	k := newFakeKernel(ovsFilters()...)
	ctx, cancel := context.WithCancel(context.Background())
	k.onAdd = cancel // interrupted right after the install
	p := newProber(k, ProbeConfig{})
	res, err := p.Probe(ctx, probeSpec(t, "ct_state(0/0)"))
	if err != nil || !res.Accepted {
		t.Fatalf("%+v %v", res, err)
	}
	if ctx.Err() == nil || len(k.dels) != 1 || k.count() != len(ovsFilters()) {
		t.Errorf("ctx %v, dels %d, filters %d: the probe's filter must be gone", ctx.Err(), len(k.dels), k.count())
	}
}

func TestProbeDeleteFailsThenSweep(t *testing.T) {
	k := newFakeKernel(ovsFilters()...)
	k.delErr = &OpError{Op: "delete filter", Errno: syscall.EBUSY, Err: syscall.EBUSY}
	p := newProber(k, ProbeConfig{})
	_, err := p.Probe(context.Background(), probeSpec(t, "ct_state(0/0)"))
	var pe *ProbeError
	if !errors.As(err, &pe) || pe.Step != "delete" || pe.Leftover == nil {
		t.Fatalf("err %v, want a delete error naming the leftover", err)
	}
	if live := p.Live(); len(live) != 1 || live[0] != *pe.Leftover {
		t.Errorf("live %v", live)
	}
	// A later sweep (in this process or the next, after a kill) removes the
	// probe's filters, and only them.
	k.delErr = nil
	n, err := newProber(k, ProbeConfig{}).Sweep(11, ParentIngressQdisc)
	if err != nil || n != 1 {
		t.Fatalf("sweep %d %v", n, err)
	}
	if k.count() != len(ovsFilters()) {
		t.Errorf("%d filters after the sweep, want OVS's %d", k.count(), len(ovsFilters()))
	}
}

func TestProbeNeverDeletesAnotherFilter(t *testing.T) {
	k := newFakeKernel(ovsFilters()...)
	p := newProber(k, ProbeConfig{})
	spec := probeSpec(t, "ct_state(0/0)")
	if _, err := p.Probe(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	// Someone installs a filter where the probe goes, after its dump.
	other := Filter{FilterID: FilterID{Ifindex: 11, Parent: ParentIngressQdisc, Chain: ProbeChainTop - 2, Prio: 1, Protocol: EthPIP, Handle: 1}, Kind: "flower"}
	k.filters[other.FilterID] = other
	dels := len(k.dels)
	_, err := p.Probe(context.Background(), spec)
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("err %v, want ErrConflict", err)
	}
	if len(k.dels) != dels {
		t.Error("the probe deleted a filter it did not install")
	}
	if _, ok := k.filters[other.FilterID]; !ok {
		t.Error("the other filter is gone")
	}
	// The next probe dumps again and moves on.
	res, err := p.Probe(context.Background(), spec)
	if err != nil || res.Spec.Chain != ProbeChainTop-3 {
		t.Errorf("%+v %v", res.Spec.FilterID, err)
	}
}

func TestProbeNoQdisc(t *testing.T) {
	k := newFakeKernel()
	k.noQdisc = true
	_, err := newProber(k, ProbeConfig{}).Probe(context.Background(), probeSpec(t, "ct_state(0/0)"))
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "does not add one") || len(k.adds) != 0 {
		t.Fatalf("err %v, adds %d", err, len(k.adds))
	}
}

func TestProbeDryRun(t *testing.T) {
	k := newFakeKernel(ovsFilters()...)
	res, err := newProber(k, ProbeConfig{DryRun: true}).Probe(context.Background(), probeSpec(t, "ct_state(0x21/0x21)"))
	if err != nil || !res.DryRun || len(k.adds) != 0 || len(k.dels) != 0 {
		t.Fatalf("%+v %v adds %d", res, err, len(k.adds))
	}
	for _, s := range []string{"tc filter add dev if11 ingress chain 268435453 prio 1", "protocol 0x0800 flower skip_sw verbose", "ct_state +new+trk", "dst_ip 10.244.0.6/255.255.255.255", "action mirred egress redirect dev if12"} {
		if !strings.Contains(res.Command, s) {
			t.Errorf("command %q lacks %q", res.Command, s)
		}
	}
}

func TestProbeRateLimited(t *testing.T) {
	k := newFakeKernel()
	p := newProber(k, ProbeConfig{Interval: 25 * time.Millisecond})
	spec := probeSpec(t, "ct_state(0/0)")
	start := time.Now()
	for range 4 {
		if _, err := p.Probe(context.Background(), spec); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took < 75*time.Millisecond {
		t.Errorf("4 probes took %v, want at least 3 intervals", took)
	}
	if k.count() != 0 {
		t.Errorf("%d filters left", k.count())
	}
}
