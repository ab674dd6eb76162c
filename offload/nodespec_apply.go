package offload

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// UndoTimeout bounds the undo of a failed Apply. The undo runs even when
// Apply's context was cancelled, as leaving the node half-changed is worse.
var UndoTimeout = 30 * time.Second

// ApplyResult says what Apply did.
type ApplyResult struct {
	// Done are the plan's steps, all applied.
	Done []Step `json:"done"`
	// RestartNeeded lists the other_config keys the backend changed that
	// only take effect after ovs-vswitchd restarts (hw-offload, doca-init).
	RestartNeeded []string `json:"restart_needed,omitempty"`
	// Moved is what the address move changed, when the plan moved
	// addresses.
	Moved *eswitch.Moved `json:"moved,omitempty"`
}

// ApplyError reports an Apply that failed at one of its phases. The phases
// before it were undone: the node is as it was before Apply, unless Undo
// lists undo steps that failed too.
type ApplyError struct {
	// Steps are the kinds of the steps of the phase that failed.
	Steps []StepKind
	// Err is why the phase failed.
	Err error
	// Undo lists the undo steps that failed; empty means the node is back
	// to where it was.
	Undo []error
}

// Error names the failed phase, the cause and any failed undo.
func (e *ApplyError) Error() string {
	kinds := make([]string, len(e.Steps))
	for i, k := range e.Steps {
		kinds[i] = string(k)
	}
	msg := fmt.Sprintf("offload: apply: %s: %v", strings.Join(kinds, "+"), e.Err)
	if len(e.Undo) == 0 {
		return msg + " (earlier steps undone)"
	}
	return msg + fmt.Sprintf("; undo failed too, the node is half-changed: %v", errors.Join(e.Undo...))
}

// Unwrap returns the cause and the undo failures.
func (e *ApplyError) Unwrap() []error { return append([]error{e.Err}, e.Undo...) }

// Apply makes the node match the plan's spec, in the plan's order, in as few
// OVSDB transactions as the order allows:
//
//  1. the bridges to remove, in one transaction;
//  2. the uplink bridge with its ports and the integration bridge, in one
//     transaction (with the backend settings and chassis keys when no
//     address moves);
//  3. once ovs-vswitchd has created the uplink bridge's interface, the
//     address move (eswitch.Client.MoveAddresses, which undoes itself on
//     failure);
//  4. the backend settings and chassis keys, in one transaction.
//
// Each transaction re-reads the live state, so a step that already holds
// sends nothing and running Apply twice is harmless. When a phase fails,
// the phases before it are undone, newest first: addresses moved back,
// created bridges and ports deleted, changed ones restored, removed bridges
// re-created with their ports. The error is then an *ApplyError.
func Apply(ctx context.Context, node *Node, plan *NodePlan) (*ApplyResult, error) {
	if node == nil || node.DB == nil || plan == nil || plan.spec.Backend == nil {
		return nil, invalidf("apply needs a node with a database client and a plan made by Plan")
	}
	res := &ApplyResult{Done: []Step{}}
	if plan.Empty() {
		return res, nil
	}
	s, db := plan.spec, node.DB
	move := plan.Has(StepMoveAddresses)
	if move && node.Eswitch == nil {
		return nil, invalidf("moving addresses needs node.Eswitch")
	}
	var undo []func(context.Context) error
	fail := func(kinds []StepKind, err error) (*ApplyResult, error) {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), UndoTimeout)
		defer cancel()
		ae := &ApplyError{Steps: kinds, Err: err}
		for i := len(undo) - 1; i >= 0; i-- {
			if uerr := undo[i](uctx); uerr != nil {
				ae.Undo = append(ae.Undo, uerr)
			}
		}
		return nil, ae
	}
	hook := func(kinds []StepKind) error {
		if plan.beforeStep != nil {
			return plan.beforeStep(kinds)
		}
		return nil
	}
	commit := func(kinds []StepKind, txn *ovsdb.Txn) error {
		if err := hook(kinds); err != nil {
			return err
		}
		r, err := txn.Commit(ctx)
		res.RestartNeeded = append(res.RestartNeeded, r.RestartNeeded...)
		return err
	}

	// 1. Bridges to remove.
	if plan.Has(StepRemoveBridge) {
		kinds := []StepKind{StepRemoveBridge}
		snaps, err := snapshotBridges(ctx, db, s.RemoveBridges)
		if err != nil {
			return fail(kinds, err)
		}
		txn := db.Txn()
		for _, b := range s.RemoveBridges {
			txn.DeleteBridge(b)
		}
		if err := commit(kinds, txn); err != nil {
			return fail(kinds, err)
		}
		undo = append(undo, func(ctx context.Context) error { return restoreBridges(ctx, db, snaps) })
	}

	// 2. Bridges and ports (and everything else when no address moves).
	ub, ib := s.UplinkBridge, s.IntegrationBridge
	bridges := []ovsdb.BridgeSpec{
		{Name: ub.Name, DatapathType: ub.DatapathType},
		{Name: ib.Name, DatapathType: ib.DatapathType, FailMode: ovsdb.FailModeSecure},
	}
	var ports []ovsdb.PortSpec
	for _, name := range []string{ub.Uplink, ub.HostPF} {
		if ps, ok := plan.ports[name]; ok {
			ports = append(ports, ps)
		}
	}
	kinds := []StepKind{StepEnsureBridge, StepEnsurePort}
	if !move {
		kinds = append(kinds, StepConfigureBackend, StepSetChassis)
	}
	before, err := snapshotSetup(ctx, db, bridges, ports)
	if err != nil {
		return fail(kinds, err)
	}
	txn := db.Txn()
	txn.EnsureBridge(bridges[0])
	for _, ps := range ports {
		txn.EnsurePort(ps)
	}
	txn.EnsureBridge(bridges[1])
	if !move {
		if err := settingsTxn(txn, s); err != nil {
			return fail(kinds, err)
		}
	}
	if err := commit(kinds, txn); err != nil {
		return fail(kinds, err)
	}
	undo = append(undo, func(ctx context.Context) error { return before.restore(ctx, db) })

	if move {
		// 3. Addresses and default route.
		kinds := []StepKind{StepMoveAddresses}
		es, mv := node.Eswitch, *s.Move
		src, err := es.LinkAddresses(ctx, mv.From)
		if err != nil {
			return fail(kinds, err)
		}
		if _, err := db.WaitInterfaceReady(ctx, ub.Name); err != nil {
			return fail(kinds, fmt.Errorf("waiting for ovs-vswitchd to create %s: %w", ub.Name, err))
		}
		if err := hook(kinds); err != nil {
			return fail(kinds, err)
		}
		moved, err := es.MoveAddresses(ctx, mv.From, ub.Name, eswitch.MoveOptions{Gateway: mv.Gateway})
		if err != nil {
			return fail(kinds, err)
		}
		res.Moved = moved
		undo = append(undo, func(ctx context.Context) error { return moveBack(ctx, es, ub.Name, mv.From, src) })

		// 4. Backend settings and chassis keys.
		kinds = []StepKind{StepConfigureBackend, StepSetChassis}
		txn := db.Txn()
		if err := settingsTxn(txn, s); err != nil {
			return fail(kinds, err)
		}
		if err := commit(kinds, txn); err != nil {
			return fail(kinds, err)
		}
	}
	res.Done = slices.Clone(plan.Steps)
	slices.Sort(res.RestartNeeded)
	res.RestartNeeded = slices.Compact(res.RestartNeeded)
	return res, nil
}

// settingsTxn adds the backend settings and the chassis keys to txn.
func settingsTxn(txn *ovsdb.Txn, s NodeSpec) error {
	if err := Configure(txn, s.Backend); err != nil {
		return fmt.Errorf("configuring backend %s: %w", s.Backend.Name(), err)
	}
	txn.SetChassis(s.Chassis)
	return nil
}

// moveBack returns the addresses and default routes to the link they came
// from, and deletes default routes the move added there (through
// MoveOptions.Gateway) that the link did not have before.
func moveBack(ctx context.Context, es *eswitch.Client, bridge, from string, before eswitch.LinkAddresses) error {
	if _, err := es.MoveAddresses(ctx, bridge, from, eswitch.MoveOptions{}); err != nil {
		return fmt.Errorf("moving the addresses back from %s to %s: %w", bridge, from, err)
	}
	now, err := es.LinkAddresses(ctx, from)
	if err != nil {
		return err
	}
	for _, gw := range now.DefaultRoutes {
		if !slices.Contains(before.DefaultRoutes, gw) {
			if _, err := es.DeleteDefaultRoute(ctx, from, gw); err != nil {
				return err
			}
		}
	}
	return nil
}

// bridgeSnapshot is a bridge and its ports as they were, to re-create them.
type bridgeSnapshot struct {
	bridge ovsdb.Bridge
	ports  []ovsdb.Port
}

func snapshotBridges(ctx context.Context, db *ovsdb.Client, names []string) ([]bridgeSnapshot, error) {
	var out []bridgeSnapshot
	for _, name := range names {
		br, err := db.Bridge(ctx, name)
		if errors.Is(err, ovsdb.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		snap := bridgeSnapshot{bridge: br}
		for _, pn := range br.Ports {
			if pn == name {
				continue // the bridge's local port comes back with the bridge
			}
			p, err := db.Port(ctx, pn)
			if err != nil {
				return nil, err
			}
			snap.ports = append(snap.ports, p)
		}
		out = append(out, snap)
	}
	return out, nil
}

// restoreBridges re-creates removed bridges with their ports, in one
// transaction.
func restoreBridges(ctx context.Context, db *ovsdb.Client, snaps []bridgeSnapshot) error {
	txn := db.Txn()
	for _, sn := range snaps {
		b := sn.bridge
		txn.EnsureBridge(ovsdb.BridgeSpec{Name: b.Name, DatapathType: b.DatapathType, FailMode: b.FailMode,
			OtherConfig: b.OtherConfig, ExternalIDs: b.ExternalIDs})
		for _, p := range sn.ports {
			txn.EnsurePort(portSpecOf(b.Name, p))
		}
	}
	if _, err := txn.Commit(ctx); err != nil {
		return fmt.Errorf("re-creating the removed bridges: %w", err)
	}
	return nil
}

func portSpecOf(bridge string, p ovsdb.Port) ovsdb.PortSpec {
	return ovsdb.PortSpec{Bridge: bridge, Name: p.Name, Type: interfaceType(p.Type), Options: p.Options,
		MTURequest: p.MTURequest, ExternalIDs: p.ExternalIDs, PortExternalIDs: p.PortExternalIDs,
		PortOtherConfig: p.PortOtherConfig}
}

// setupSnapshot is the state of the bridges and ports of phase 2 before it
// ran, and of the Open_vSwitch keys it may write.
type setupSnapshot struct {
	bridges map[string]*ovsdb.Bridge // nil: did not exist
	ports   map[string]*ovsdb.Port   // nil: did not exist
	wanted  []ovsdb.PortSpec
	order   []string // bridge names
}

func snapshotSetup(ctx context.Context, db *ovsdb.Client, bridges []ovsdb.BridgeSpec, ports []ovsdb.PortSpec) (*setupSnapshot, error) {
	sn := &setupSnapshot{bridges: map[string]*ovsdb.Bridge{}, ports: map[string]*ovsdb.Port{}, wanted: ports}
	for _, b := range bridges {
		sn.order = append(sn.order, b.Name)
		br, err := db.Bridge(ctx, b.Name)
		switch {
		case errors.Is(err, ovsdb.ErrNotFound):
			sn.bridges[b.Name] = nil
		case err != nil:
			return nil, err
		default:
			sn.bridges[b.Name] = &br
		}
	}
	for _, ps := range ports {
		p, err := db.Port(ctx, ps.Name)
		switch {
		case errors.Is(err, ovsdb.ErrNotFound):
			sn.ports[ps.Name] = nil
		case err != nil:
			return nil, err
		default:
			sn.ports[ps.Name] = &p
		}
	}
	return sn, nil
}

// restore deletes what phase 2 created and puts back what it changed, in
// one transaction. The Open_vSwitch keys are not restored here: phase 2
// writes them only when it is the last phase, in its own transaction.
func (sn *setupSnapshot) restore(ctx context.Context, db *ovsdb.Client) error {
	txn := db.Txn()
	for _, name := range sn.order {
		old := sn.bridges[name]
		if old == nil {
			txn.DeleteBridge(name)
			continue
		}
		spec := ovsdb.BridgeSpec{Name: name, DatapathType: orDefault(old.DatapathType, ovsdb.DatapathSystem), FailMode: old.FailMode}
		txn.EnsureBridge(spec)
	}
	for _, ps := range sn.wanted {
		old := sn.ports[ps.Name]
		if old == nil {
			txn.DeletePort(ps.Name)
			continue
		}
		spec := portSpecOf(old.Bridge, *old)
		for k := range ps.Options {
			if _, ok := old.Options[k]; !ok {
				spec.RemoveOptions = append(spec.RemoveOptions, k)
			}
		}
		slices.Sort(spec.RemoveOptions)
		txn.EnsurePort(spec)
	}
	if _, err := txn.Commit(ctx); err != nil {
		return fmt.Errorf("undoing the bridges and ports: %w", err)
	}
	return nil
}
