// SPDX-License-Identifier: Apache-2.0

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

// ApplyError reports an Apply that failed at one of its phases. Before it
// returns, Apply undoes what it did: the addresses go back, and the part of
// the database the plan touches is restored from a snapshot of whole rows
// taken before the first phase, then read again. Undo empty means that
// re-read proved the node matches the snapshot.
type ApplyError struct {
	// Steps are the kinds of the steps of the phase that failed.
	Steps []StepKind
	// Err is why the phase failed.
	Err error
	// OutcomeUnknown is set when the phase's transaction lost its reply
	// (the connection dropped after sending it): it may have committed.
	// The undo then read the database after reconnecting to find out.
	OutcomeUnknown bool
	// Rewrote is set when the undo found the database different from the
	// snapshot and wrote to restore it. After a lost reply of the first
	// transaction, it says that transaction had committed.
	Rewrote bool
	// Undo lists the undo steps that failed; empty means the node is back
	// to where it was. A database that could not be proved restored is an
	// *ovsdb.RestoreError listing what differs.
	Undo []error
}

// Error names the failed phase, the cause and any failed undo.
func (e *ApplyError) Error() string {
	kinds := make([]string, len(e.Steps))
	for i, k := range e.Steps {
		kinds[i] = string(k)
	}
	msg := fmt.Sprintf("offload: apply: %s: %v", strings.Join(kinds, "+"), e.Err)
	if e.OutcomeUnknown {
		msg += " (outcome unknown: the connection dropped before the reply)"
	}
	if len(e.Undo) == 0 {
		return msg + " (earlier steps undone, checked by re-reading the node)"
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
// sends nothing and running Apply twice is harmless.
//
// Before the first phase, Apply takes a snapshot (ovsdb.Client.Snapshot) of
// whole rows: the bridges the plan removes or ensures and the bridges now
// holding its ports, with every row they reference, and the Open_vSwitch
// keys the plan writes. When a phase fails, the addresses are moved back
// and the database is restored from the snapshot (ovsdb.Client.Restore),
// within UndoTimeout: a transaction whose reply was lost is resolved by
// reading the database after reconnecting, and the undo counts as done only
// when a re-read matches the snapshot. The error is then an *ApplyError.
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
	rewrote := false
	fail := func(kinds []StepKind, err error) (*ApplyResult, error) {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), UndoTimeout)
		defer cancel()
		ae := &ApplyError{Steps: kinds, Err: err, OutcomeUnknown: ovsdb.OutcomeUnknown(err)}
		for i := len(undo) - 1; i >= 0; i-- {
			if uerr := undo[i](uctx); uerr != nil {
				ae.Undo = append(ae.Undo, uerr)
			}
		}
		ae.Rewrote = rewrote
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

	ub, ib := s.UplinkBridge, s.IntegrationBridge
	var ports []ovsdb.PortSpec
	var portNames []string
	for _, name := range []string{ub.Uplink, ub.HostPF} {
		if ps, ok := plan.ports[name]; ok {
			ports = append(ports, ps)
			portNames = append(portNames, name)
		}
	}
	settingKinds := []StepKind{StepConfigureBackend, StepSetChassis}

	// The snapshot the undo restores. The settings transaction built here
	// (not committed) says which Open_vSwitch keys the plan writes.
	probe := db.Txn()
	if err := settingsTxn(probe, s); err != nil {
		return fail(settingKinds, err)
	}
	snap, err := db.Snapshot(ctx, ovsdb.SnapshotScope{
		Bridges:  append(slices.Clone(s.RemoveBridges), ub.Name, ib.Name),
		Ports:    portNames,
		RootKeys: probe.RootKeys(),
	})
	if err != nil {
		return fail(kindsOfSteps(plan.Steps), fmt.Errorf("taking the snapshot to undo from: %w", err))
	}
	undo = append(undo, func(ctx context.Context) error {
		changed, err := db.Restore(ctx, snap)
		rewrote = changed
		if err != nil {
			return fmt.Errorf("restoring the database: %w", err)
		}
		return nil
	})

	// 1. Bridges to remove.
	if plan.Has(StepRemoveBridge) {
		kinds := []StepKind{StepRemoveBridge}
		txn := db.Txn()
		for _, b := range s.RemoveBridges {
			txn.DeleteBridge(b)
		}
		if err := commit(kinds, txn); err != nil {
			return fail(kinds, err)
		}
	}

	// 2. Bridges and ports (and everything else when no address moves).
	bridges := []ovsdb.BridgeSpec{
		{Name: ub.Name, DatapathType: ub.DatapathType},
		{Name: ib.Name, DatapathType: ib.DatapathType, FailMode: ovsdb.FailModeSecure},
	}
	kinds := []StepKind{StepEnsureBridge, StepEnsurePort}
	if !move {
		kinds = append(kinds, settingKinds...)
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
		undo = append(undo, func(ctx context.Context) error { return moveBack(ctx, es, moved, ub.Name, mv.From, src) })

		// 4. Backend settings and chassis keys.
		txn := db.Txn()
		if err := settingsTxn(txn, s); err != nil {
			return fail(settingKinds, err)
		}
		if err := commit(settingKinds, txn); err != nil {
			return fail(settingKinds, err)
		}
	}
	res.Done = slices.Clone(plan.Steps)
	slices.Sort(res.RestartNeeded)
	res.RestartNeeded = slices.Compact(res.RestartNeeded)
	return res, nil
}

// kindsOfSteps returns the distinct kinds of steps, in order.
func kindsOfSteps(steps []Step) []StepKind {
	var out []StepKind
	for _, st := range steps {
		if !slices.Contains(out, st.Kind) {
			out = append(out, st.Kind)
		}
	}
	return out
}

// settingsTxn adds the backend settings and the chassis keys to txn.
func settingsTxn(txn *ovsdb.Txn, s NodeSpec) error {
	if err := Configure(txn, s.Backend); err != nil {
		return fmt.Errorf("configuring backend %s: %w", s.Backend.Name(), err)
	}
	txn.SetChassis(s.Chassis)
	return nil
}

// moveBack undoes the address move exactly (eswitch.Moved.Undo): the
// addresses and every route go back to the link they came from as they
// were, a default route pointed at the spec's gateway gets its old gateway
// back, and one the move added is deleted. It is undone only when a re-read
// of the link matches what it held before the move.
func moveBack(ctx context.Context, es *eswitch.Client, moved *eswitch.Moved, bridge, from string, before eswitch.LinkAddresses) error {
	if err := moved.Undo(ctx); err != nil {
		return fmt.Errorf("moving the addresses back from %s to %s: %w", bridge, from, err)
	}
	now, err := es.LinkAddresses(ctx, from)
	if err != nil {
		return fmt.Errorf("re-reading %s after moving the addresses back: %w", from, err)
	}
	var missing []string
	for _, a := range before.Addresses {
		if !slices.Contains(now.Addresses, a) {
			missing = append(missing, "address "+a.String())
		}
	}
	for _, r := range before.Routes {
		if !slices.Contains(now.Routes, r) {
			missing = append(missing, "route "+r.String())
		}
	}
	for _, r := range now.Routes {
		if !slices.Contains(before.Routes, r) {
			missing = append(missing, "extra route "+r.String())
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("moving the addresses back from %s to %s: %s differs from before: %s", bridge, from, from, strings.Join(missing, ", "))
	}
	return nil
}
