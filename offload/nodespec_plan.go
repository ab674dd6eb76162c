// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// StepKind names what a plan step does.
type StepKind string

// Step kinds, in the order a plan runs them.
const (
	// StepRemoveBridge deletes a bridge and its ports (ovs-vsctl del-br).
	StepRemoveBridge StepKind = "remove-bridge"
	// StepEnsureBridge creates a bridge or sets its datapath type and fail
	// mode.
	StepEnsureBridge StepKind = "ensure-bridge"
	// StepEnsurePort adds a port to a bridge or brings its interface type
	// and options to what the backend wants.
	StepEnsurePort StepKind = "ensure-port"
	// StepMoveAddresses moves addresses and default routes onto the uplink
	// bridge.
	StepMoveAddresses StepKind = "move-addresses"
	// StepConfigureBackend writes the backend's Open_vSwitch other_config.
	StepConfigureBackend StepKind = "configure-backend"
	// StepSetChassis writes the chassis keys into Open_vSwitch
	// external_ids.
	StepSetChassis StepKind = "set-chassis"
)

// Step is one change a plan makes.
type Step struct {
	// Kind is what the step does.
	Kind StepKind `json:"kind"`
	// Object is what it acts on: a bridge, "bridge/port", a link, or
	// "Open_vSwitch".
	Object string `json:"object"`
	// Detail says what changes, for people.
	Detail string `json:"detail"`
}

// String formats the step as one line.
func (s Step) String() string {
	return fmt.Sprintf("%s %s: %s", s.Kind, s.Object, s.Detail)
}

// NodePlan is the ordered list of steps that brings a node to a NodeSpec. It
// prints for a dry run (WriteText, or JSON) and is empty when the node
// already matches. Apply runs it.
type NodePlan struct {
	// Backend is the backend the plan configures.
	Backend string `json:"backend"`
	// Steps are the changes, in the order Apply makes them.
	Steps []Step `json:"steps"`
	// Warnings are things the plan does not change but that stop the node
	// from working as intended (a datapath type the backend cannot
	// offload).
	Warnings []string `json:"warnings,omitempty"`

	spec  NodeSpec                  // with defaults
	ports map[string]ovsdb.PortSpec // uplink bridge ports by name
	// beforeStep, when set (tests only), runs before each phase of Apply
	// with the kinds it holds; an error makes the phase fail as if the
	// server had refused it.
	beforeStep func(kinds []StepKind) error
}

// Empty reports whether the plan has nothing to do.
func (p *NodePlan) Empty() bool { return len(p.Steps) == 0 }

// Has reports whether the plan holds a step of kind k.
func (p *NodePlan) Has(k StepKind) bool {
	return slices.ContainsFunc(p.Steps, func(s Step) bool { return s.Kind == k })
}

// WriteText prints the plan for people, one numbered step per line, then
// the warnings. An empty plan prints "no changes".
func (p *NodePlan) WriteText(w io.Writer) error {
	var b strings.Builder
	if p.Empty() {
		fmt.Fprintf(&b, "no changes: the node matches the spec (backend %s)\n", p.Backend)
	} else {
		fmt.Fprintf(&b, "%d changes (backend %s):\n", len(p.Steps), p.Backend)
		for i, s := range p.Steps {
			fmt.Fprintf(&b, "%3d. %s\n", i+1, s)
		}
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// String returns what WriteText prints.
func (p *NodePlan) String() string {
	var b strings.Builder
	_ = p.WriteText(&b)
	return b.String()
}

// Plan compares spec with the live node (its Open_vSwitch database and,
// when the spec moves addresses, the links' addresses and routes through
// node.Eswitch) and returns the steps that make the node match. Nothing is
// changed. A node that already matches gives an empty plan.
func Plan(ctx context.Context, node *Node, spec NodeSpec) (*NodePlan, error) {
	if node == nil || node.DB == nil {
		return nil, invalidf("node has no database client")
	}
	s := spec.withDefaults()
	if err := s.validate(); err != nil {
		return nil, err
	}
	if s.Move != nil && node.Eswitch == nil {
		return nil, invalidf("moving addresses from %s needs node.Eswitch", s.Move.From)
	}
	p := &NodePlan{Backend: s.Backend.Name(), Steps: []Step{}, spec: s, ports: map[string]ovsdb.PortSpec{}}
	for _, dp := range []string{s.UplinkBridge.DatapathType, s.IntegrationBridge.DatapathType} {
		if w := DatapathWarning(s.Backend, dp); w != "" && !slices.Contains(p.Warnings, w) {
			p.Warnings = append(p.Warnings, w)
		}
	}
	db := node.DB
	add := func(k StepKind, obj, format string, args ...any) {
		p.Steps = append(p.Steps, Step{Kind: k, Object: obj, Detail: fmt.Sprintf(format, args...)})
	}

	// Bridges to remove.
	removed := map[string]bool{}
	for _, name := range s.RemoveBridges {
		br, err := db.Bridge(ctx, name)
		if errors.Is(err, ovsdb.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("offload: plan: reading bridge %s: %w", name, err)
		}
		removed[name] = true
		ports := slices.DeleteFunc(slices.Clone(br.Ports), func(n string) bool { return n == name })
		if len(ports) == 0 {
			add(StepRemoveBridge, name, "delete the bridge (no ports)")
		} else {
			add(StepRemoveBridge, name, "delete the bridge with its ports %s", strings.Join(ports, ", "))
		}
	}

	// The uplink bridge and its ports.
	ub := s.UplinkBridge
	if err := planBridge(ctx, db, ovsdb.BridgeSpec{Name: ub.Name, DatapathType: ub.DatapathType}, add); err != nil {
		return nil, err
	}
	var inv *eswitch.Inventory
	if node.Eswitch != nil {
		var err error
		if inv, err = node.Eswitch.Discover(ctx); err != nil {
			return nil, fmt.Errorf("offload: plan: discovering representors: %w", err)
		}
	}
	for _, name := range []string{ub.Uplink, ub.HostPF} {
		if name == "" {
			continue
		}
		rep, err := representorByName(inv, name)
		if err != nil {
			return nil, fmt.Errorf("offload: plan: port %s: %w", name, err)
		}
		cfg, err := s.Backend.Interface(rep)
		if err != nil {
			return nil, fmt.Errorf("offload: plan: port %s under backend %s: %w", name, s.Backend.Name(), err)
		}
		ps := ovsdb.PortSpec{Bridge: ub.Name, Name: name, Type: interfaceType(cfg.Type), Options: cfg.Options,
			RemoveOptions: cfg.RemoveOptions}
		p.ports[name] = ps
		if err := planPort(ctx, db, ps, removed, add); err != nil {
			return nil, err
		}
	}

	// The integration bridge.
	ib := s.IntegrationBridge
	if err := planBridge(ctx, db, ovsdb.BridgeSpec{Name: ib.Name, DatapathType: ib.DatapathType, FailMode: ovsdb.FailModeSecure}, add); err != nil {
		return nil, err
	}

	// Addresses and default route.
	if s.Move != nil {
		if err := planMove(ctx, node.Eswitch, *s.Move, ub.Name, add); err != nil {
			return nil, err
		}
	}

	// Backend settings.
	probe := db.Txn()
	if err := Configure(probe, s.Backend); err != nil {
		return nil, fmt.Errorf("offload: plan: configuring backend %s: %w", s.Backend.Name(), err)
	}
	if err := probeErr(ctx, probe); err != nil {
		return nil, fmt.Errorf("offload: plan: backend %s settings: %w", s.Backend.Name(), err)
	}
	if probe.Len() > 0 {
		add(StepConfigureBackend, "Open_vSwitch", "write the other_config backend %s needs", s.Backend.Name())
	}

	// Chassis keys.
	probe = db.Txn().SetChassis(s.Chassis)
	if err := probeErr(ctx, probe); err != nil {
		return nil, fmt.Errorf("offload: plan: chassis keys: %w", err)
	}
	if probe.Len() > 0 {
		add(StepSetChassis, "Open_vSwitch", "%s", chassisDiff(ctx, db, s.Chassis))
	}
	return p, nil
}

// probeErr surfaces a validation error held by a transaction that has no
// operation: committing an empty transaction sends nothing.
func probeErr(ctx context.Context, t *ovsdb.Txn) error {
	if t.Len() > 0 {
		return nil
	}
	_, err := t.Commit(ctx)
	return err
}

func interfaceType(t string) string {
	if t == "" {
		return "system"
	}
	return t
}

// planBridge adds the step that creates the bridge or brings it to spec.
func planBridge(ctx context.Context, db *ovsdb.Client, spec ovsdb.BridgeSpec, add func(StepKind, string, string, ...any)) error {
	br, err := db.Bridge(ctx, spec.Name)
	if errors.Is(err, ovsdb.ErrNotFound) {
		detail := "create, datapath_type=" + spec.DatapathType
		if spec.FailMode != "" {
			detail += ", fail_mode=" + spec.FailMode
		}
		add(StepEnsureBridge, spec.Name, "%s", detail)
		return nil
	}
	if err != nil {
		return fmt.Errorf("offload: plan: reading bridge %s: %w", spec.Name, err)
	}
	probe := db.Txn().EnsureBridge(spec)
	if err := probeErr(ctx, probe); err != nil {
		return fmt.Errorf("offload: plan: bridge %s: %w", spec.Name, err)
	}
	if probe.Len() == 0 {
		return nil
	}
	var changes []string
	if dp := orDefault(br.DatapathType, ovsdb.DatapathSystem); dp != spec.DatapathType {
		changes = append(changes, fmt.Sprintf("datapath_type %s → %s", dp, spec.DatapathType))
	}
	if spec.FailMode != "" && br.FailMode != spec.FailMode {
		changes = append(changes, fmt.Sprintf("fail_mode %s → %s", orDefault(br.FailMode, "unset"), spec.FailMode))
	}
	add(StepEnsureBridge, spec.Name, "%s", strings.Join(changes, ", "))
	return nil
}

// planPort adds the step that plugs the port into its bridge or fixes its
// interface. A port held by a bridge that is neither the wanted one nor
// being removed is a conflict.
func planPort(ctx context.Context, db *ovsdb.Client, spec ovsdb.PortSpec, removed map[string]bool,
	add func(StepKind, string, string, ...any)) error {
	obj := spec.Bridge + "/" + spec.Name
	cur, err := db.Port(ctx, spec.Name)
	switch {
	case errors.Is(err, ovsdb.ErrNotFound):
		add(StepEnsurePort, obj, "add, type=%s%s", spec.Type, optionsText(spec.Options))
		return nil
	case err != nil:
		return fmt.Errorf("offload: plan: reading port %s: %w", spec.Name, err)
	case cur.Bridge != spec.Bridge && removed[cur.Bridge]:
		add(StepEnsurePort, obj, "add, type=%s%s (now on %s, which is removed)", spec.Type, optionsText(spec.Options), cur.Bridge)
		return nil
	case cur.Bridge != spec.Bridge:
		return fmt.Errorf("offload: plan: port %s is on bridge %s, which the spec keeps (add it to RemoveBridges): %w",
			spec.Name, cur.Bridge, ErrConflict)
	}
	probe := db.Txn().EnsurePort(spec)
	if err := probeErr(ctx, probe); err != nil {
		return fmt.Errorf("offload: plan: port %s: %w", spec.Name, err)
	}
	if probe.Len() > 0 {
		add(StepEnsurePort, obj, "set type=%s%s (was type=%s%s)", spec.Type, optionsText(spec.Options),
			interfaceType(cur.Type), optionsText(cur.Options))
	}
	return nil
}

func optionsText(opts map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(opts)) {
		fmt.Fprintf(&b, " options:%s=%s", k, opts[k])
	}
	return b.String()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// planMove adds the address move step when the source link still holds
// addresses or routes, or the bridge's default route does not go via the
// gateway. The step names each address and route that moves, and what
// happens to the default route.
func planMove(ctx context.Context, es *eswitch.Client, mv AddressMove, bridge string, add func(StepKind, string, string, ...any)) error {
	src, err := es.LinkAddresses(ctx, mv.From)
	if err != nil {
		return fmt.Errorf("offload: plan: addresses of %s: %w", mv.From, err)
	}
	dst, err := es.LinkAddresses(ctx, bridge)
	if err != nil && !errors.Is(err, eswitch.ErrNotFound) {
		return fmt.Errorf("offload: plan: addresses of %s: %w", bridge, err)
	}
	gw := mv.Gateway.Unmap()
	if gw.IsValid() {
		for _, p := range slices.Concat(src.Addresses, dst.Addresses) {
			if err := eswitch.GatewayOnSubnet(gw, p); err != nil {
				return invalidf("gateway %s: %v (on %s or %s)", gw, err, mv.From, bridge)
			}
		}
	}
	// The default route the gateway changes: the one via the gateway, else
	// the lowest-metric main-table one of its family, on the bridge or
	// moving to it.
	var gwNote string
	if gw.IsValid() {
		var cands []eswitch.Route
		for _, r := range slices.Concat(dst.Routes, src.Routes) {
			if r.Default() && r.Table == eswitch.MainTable && r.Dst.Addr().Is4() == gw.Is4() {
				cands = append(cands, r)
			}
		}
		switch {
		case slices.ContainsFunc(cands, func(r eswitch.Route) bool { return r.Gateway == gw }):
		case len(cands) == 0:
			gwNote = fmt.Sprintf("add default via %s dev %s", gw, bridge)
		default:
			old := slices.MinFunc(cands, func(a, b eswitch.Route) int { return a.Metric - b.Metric })
			gwNote = fmt.Sprintf("default route %s becomes default via %s dev %s", old, gw, bridge)
		}
	}
	if len(src.Addresses) == 0 && len(src.Routes) == 0 {
		if len(dst.Addresses) == 0 {
			return fmt.Errorf("offload: plan: neither %s nor %s has an address to use: %w", mv.From, bridge, eswitch.ErrNotFound)
		}
		if gwNote == "" {
			return nil
		}
	}
	var what []string
	for _, a := range src.Addresses {
		what = append(what, a.String())
	}
	for _, r := range src.Routes {
		what = append(what, r.String())
	}
	detail := fmt.Sprintf("move %s from %s to %s", strings.Join(what, ", "), mv.From, bridge)
	if len(what) == 0 {
		detail = "nothing left on " + mv.From
	}
	if gwNote != "" {
		detail += "; " + gwNote
	}
	add(StepMoveAddresses, mv.From+"→"+bridge, "%s", detail)
	return nil
}

// chassisDiff lists the chassis keys that change, with their old values.
func chassisDiff(ctx context.Context, db *ovsdb.Client, want ovsdb.Chassis) string {
	wk, err := want.Keys()
	if err != nil {
		return err.Error()
	}
	var have map[string]string
	if cur, err := db.Chassis(ctx); err == nil {
		have, _ = cur.Keys()
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(wk)) {
		old, ok := have[k]
		switch {
		case !ok:
			parts = append(parts, fmt.Sprintf("%s=%s", k, wk[k]))
		case old != wk[k]:
			parts = append(parts, fmt.Sprintf("%s=%s (was %s)", k, wk[k], old))
		}
	}
	if len(parts) == 0 {
		return "rewrite the chassis keys"
	}
	return strings.Join(parts, ", ")
}

// representorByName looks a port's netdev up in the eswitch inventory; a
// netdev that is no switch port (or a node without eswitch) stands as a
// representor known by its name only, and the backend decides whether that
// is enough.
func representorByName(inv *eswitch.Inventory, name string) (eswitch.Representor, error) {
	if inv == nil {
		return eswitch.Representor{Name: name}, nil
	}
	rep, err := inv.ByName(name)
	if errors.Is(err, eswitch.ErrNotFound) {
		return eswitch.Representor{Name: name}, nil
	}
	return rep, err
}
