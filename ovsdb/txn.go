// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ovn-kubernetes/libovsdb/model"
	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"

	vs "github.com/ovsoffload/ovsoffload/ovsdb/internal/vswitchmodel"
)

// Txn collects operations applied in one atomic OVSDB transaction by Commit.
// Each Ensure/Delete/Set method reads the client's cache when it is called
// and adds only the operations needed to reach the requested state, so a
// Txn whose state already holds commits nothing.
//
// The first invalid request makes Commit fail before sending anything.
type Txn struct {
	c       *Client
	err     error
	ops     []libovsdb.Operation
	descs   []string
	expects []expectation
	named   int
	restart []string

	// rows created or deleted earlier in this transaction, by name
	newBridges  map[string]string // name → named UUID
	newPorts    map[string]newPort
	gonePorts   map[string]bool
	goneBridges map[string]bool
	attachOp    map[string]int // bridge UUID or named UUID → op adding ports to it
	attachExp   map[string]int // bridge UUID → expectation of that op
}

type newPort struct {
	uuid   string // named UUID
	bridge string
}

// expectation is what the cache must show once the transaction is applied.
type expectation struct {
	table   string
	uuid    string // real UUID, or "" when opIndex names the insert
	opIndex int    // index of the insert whose result holds the UUID, or -1
	gone    bool   // the row must be absent
	check   func(model.Model) bool
	// refs returns a reference column of the row; it must hold the UUIDs
	// of the rows inserted by the operations refsHave and none of refsLack.
	refs     func(model.Model) []string
	refsHave []int
	refsLack []string
}

func ovsBridges(m model.Model) []string  { return m.(*vs.OpenvSwitch).Bridges }
func bridgePorts(m model.Model) []string { return m.(*vs.Bridge).Ports }

// holds reports whether row m shows e, with results the transaction's replies.
func (e expectation) holds(m model.Model, results []libovsdb.OperationResult) bool {
	if e.gone {
		return m == nil
	}
	if m == nil || (e.check != nil && !e.check(m)) {
		return false
	}
	if e.refs == nil {
		return true
	}
	refs := make(map[string]bool)
	for _, u := range e.refs(m) {
		refs[u] = true
	}
	for _, i := range e.refsHave {
		if !refs[results[i].UUID.GoUUID] {
			return false
		}
	}
	for _, u := range e.refsLack {
		if refs[u] {
			return false
		}
	}
	return true
}

// Result says what a committed transaction did.
type Result struct {
	// Changed is false when every requested state already held and nothing
	// was sent.
	Changed bool
	// RestartNeeded lists the other_config keys written by SetOffload that
	// only take effect after ovs-vswitchd restarts.
	RestartNeeded []string
}

// Txn starts an empty transaction on c.
func (c *Client) Txn() *Txn { return &Txn{c: c} }

func (t *Txn) fail(err error) {
	if t.err == nil {
		t.err = err
	}
}

func (t *Txn) namedUUID() string {
	t.named++
	return fmt.Sprintf("row%d", t.named)
}

// add appends one operation with a human description and what the cache
// must show afterwards.
func (t *Txn) add(op libovsdb.Operation, desc string, exp ...expectation) int {
	t.ops = append(t.ops, op)
	t.descs = append(t.descs, desc)
	idx := len(t.ops) - 1
	for _, e := range exp {
		if e.uuid == "" && e.opIndex < 0 {
			e.opIndex = idx
		}
		t.expects = append(t.expects, e)
	}
	return idx
}

// Len returns the number of OVSDB operations collected so far.
func (t *Txn) Len() int { return len(t.ops) }

// Commit sends the transaction and, once the server applied it, waits for
// the client's cache to show it, so a read right after Commit sees the
// write. A refused transaction returns a *TxnError and nothing is applied.
// Any other error after sending (the connection dropped) leaves it unknown
// whether the server applied the transaction: build a new Txn from the
// same requests and commit it again; the Ensure/Set/Delete operations are
// idempotent. The Client's one-call methods do this on their own. A Txn is
// committed at most once.
func (t *Txn) Commit(ctx context.Context) (Result, error) {
	if t.err != nil {
		return Result{}, t.err
	}
	res := Result{RestartNeeded: t.restart}
	if len(t.ops) == 0 {
		return res, nil
	}
	replies, err := t.c.ovs.Transact(ctx, t.ops...)
	if err != nil {
		return Result{}, fmt.Errorf("ovsdb: transact: %w", err)
	}
	if terr := t.checkReplies(replies); terr != nil {
		return Result{}, terr
	}
	// Guards (wait operations) check state; only writes change it.
	res.Changed = slices.ContainsFunc(t.ops, func(op libovsdb.Operation) bool {
		return op.Op != libovsdb.OperationWait && op.Op != libovsdb.OperationSelect
	})
	exps := slices.Clone(t.expects)
	for i := range exps {
		if exps[i].uuid == "" {
			exps[i].uuid = replies[exps[i].opIndex].UUID.GoUUID
		}
	}
	next := 0
	wctx, cancel := context.WithTimeout(ctx, t.c.syncTimeout)
	defer cancel()
	err = t.c.waitFor(wctx, func() bool {
		for next < len(exps) {
			e := exps[next]
			if !e.holds(t.c.row(e.table, e.uuid), replies) {
				return false
			}
			next++
		}
		return true
	})
	if err != nil && ctx.Err() == nil {
		err = fmt.Errorf("%w: nothing showed it within %v (a concurrent writer may have changed the rows again)", ErrCacheLag, t.c.syncTimeout)
	}
	if err != nil {
		return res, fmt.Errorf("ovsdb: transaction applied, but the client's cache did not show it: %w", err)
	}
	return res, nil
}

func (t *Txn) checkReplies(replies []libovsdb.OperationResult) error {
	var failed []FailedOp
	for i, r := range replies {
		if r.Error == "" {
			continue
		}
		f := FailedOp{Index: i, Error: r.Error, Details: r.Details}
		if i < len(t.descs) {
			f.Op = t.descs[i]
		} else {
			f.Op = "commit"
		}
		failed = append(failed, f)
	}
	if len(failed) == 0 && len(replies) < len(t.ops) {
		failed = append(failed, FailedOp{Index: len(replies), Op: "reply", Error: "short reply",
			Details: fmt.Sprintf("%d results for %d operations", len(replies), len(t.ops))})
	}
	if len(failed) > 0 {
		return &TxnError{Failed: failed}
	}
	return nil
}

// single runs build in a fresh transaction and commits it. When the
// connection drops before the reply, it rebuilds the transaction from the
// cache and retries: the operations are idempotent, so a retry after a write
// that was applied changes nothing. Until the cache has caught up after a
// reconnection, a rebuilt transaction may collide with its own earlier write
// (a constraint violation); that too is retried, a bounded number of times.
//
// A transaction that inserts rows (a new bridge, port or root row) can lose
// a race against another client inserting the same
// name: the server refuses it with a constraint violation. That is retried
// too, up to maxRaceRetries times: single waits (within the sync timeout)
// until the cache shows the winner's row, then rebuilds the transaction
// against it, which then finds the row and changes nothing or only what
// still differs.
func (c *Client) single(ctx context.Context, build func(*Txn)) (Result, error) {
	delay := 20 * time.Millisecond
	races := 0
	lostConn := false
	for attempt := 0; ; attempt++ {
		t := c.Txn()
		build(t)
		inserted := t.insertedRows()
		res, err := t.Commit(ctx)
		if err == nil || ctx.Err() != nil {
			return res, err
		}
		// The cache may already show the colliding row (a conflict that is
		// not a race, such as an interface left without its port): then the
		// wait returns at once, the rebuilt transaction fails the same way,
		// and the bound ends it. Whether the cache showed the row when the
		// transaction was built cannot tell the two apart: the winner's
		// update may land between the lookups of one build.
		if len(inserted) > 0 && races < maxRaceRetries && isConstraintViolation(err) {
			races++
			if c.waitWinner(ctx, inserted) {
				continue
			}
			return res, err
		}
		// After a lost connection, a conflict may be this call's own write
		// the cache does not show yet.
		retry := isConnErr(err) || (lostConn && attempt < 20 && errors.Is(err, ErrConflict) && isTxnError(err))
		if !retry {
			return res, err
		}
		lostConn = true
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return res, err
		}
		delay = min(2*delay, time.Second)
	}
}

// maxRaceRetries bounds how often single rebuilds a transaction that lost a
// race to insert a row (each retry waits for the winner's row first).
const maxRaceRetries = 5

// uniqueRow is a row a transaction inserts, by what the schema keeps unique:
// the name of a bridge, port or interface, or the one Open_vSwitch row.
type uniqueRow struct {
	table string
	name  string // "" for the Open_vSwitch row
}

// insertedRows lists the rows the transaction's inserts would create.
func (t *Txn) insertedRows() []uniqueRow {
	var rows []uniqueRow
	for _, op := range t.ops {
		if op.Op != libovsdb.OperationInsert {
			continue
		}
		switch op.Table {
		case vs.OpenvSwitchTable:
			rows = append(rows, uniqueRow{table: op.Table})
		case vs.BridgeTable, vs.PortTable, vs.InterfaceTable:
			if name, ok := op.Row["name"].(string); ok {
				rows = append(rows, uniqueRow{table: op.Table, name: name})
			}
		}
	}
	return rows
}

// cacheHas reports whether the cache shows a row that would collide with r.
func (c *Client) cacheHas(r uniqueRow) bool {
	switch r.table {
	case vs.OpenvSwitchTable:
		_, err := c.root()
		return err == nil
	case vs.BridgeTable:
		return c.bridgeByName(r.name) != nil
	case vs.PortTable:
		return c.portByName(r.name) != nil
	case vs.InterfaceTable:
		return c.ifaceByName(r.name) != nil
	}
	return false
}

// waitWinner waits, within the sync timeout, until the cache shows one of
// rows (inserted by the concurrent writer whose transaction won), and
// reports whether it did.
func (c *Client) waitWinner(ctx context.Context, rows []uniqueRow) bool {
	wctx, cancel := context.WithTimeout(ctx, c.syncTimeout)
	defer cancel()
	return c.waitFor(wctx, func() bool { return slices.ContainsFunc(rows, c.cacheHas) }) == nil
}

// isConstraintViolation reports a transaction the server refused because it
// would break a uniqueness constraint (an index such as a name, or a table's
// row limit).
func isConstraintViolation(err error) bool {
	var te *TxnError
	if !errors.As(err, &te) {
		return false
	}
	return slices.ContainsFunc(te.Failed, func(f FailedOp) bool { return f.Error == "constraint violation" })
}

func isTxnError(err error) bool {
	var te *TxnError
	return errors.As(err, &te)
}

// OVSDB value helpers ---------------------------------------------------

func ovsMap(m map[string]string) libovsdb.OvsMap {
	g := make(map[any]any, len(m))
	for k, v := range m {
		g[k] = v
	}
	return libovsdb.OvsMap{GoMap: g}
}

func ovsStrings(s []string) libovsdb.OvsSet {
	g := make([]any, len(s))
	for i, v := range s {
		g[i] = v
	}
	return libovsdb.OvsSet{GoSet: g}
}

func ovsUUIDs(s ...string) libovsdb.OvsSet {
	g := make([]any, len(s))
	for i, v := range s {
		g[i] = libovsdb.UUID{GoUUID: v}
	}
	return libovsdb.OvsSet{GoSet: g}
}

func optional(v any, set bool) libovsdb.OvsSet {
	if !set {
		return libovsdb.OvsSet{GoSet: []any{}}
	}
	return libovsdb.OvsSet{GoSet: []any{v}}
}

func whereUUID(uuid string) []libovsdb.Condition {
	return []libovsdb.Condition{{Column: "_uuid", Function: libovsdb.ConditionEqual, Value: libovsdb.UUID{GoUUID: uuid}}}
}

// mapDiff returns the keys of want whose value differs in have, and the keys
// of remove present in have.
func mapDiff(have, want map[string]string, remove []string) (set map[string]string, del []string) {
	for k, v := range want {
		if hv, ok := have[k]; !ok || hv != v {
			if set == nil {
				set = map[string]string{}
			}
			set[k] = v
		}
	}
	for _, k := range remove {
		if _, ok := want[k]; ok {
			continue
		}
		if _, ok := have[k]; ok {
			del = append(del, k)
		}
	}
	slices.Sort(del)
	return set, del
}

// mapMutations writes set (replacing existing values) and removes del, and
// leaves every other key alone. In OVSDB "insert" never overwrites a key, so
// keys being changed are deleted first. A plain update with an empty map
// would not clear anything through libovsdb's model API; mutations say
// exactly what changes.
func mapMutations(column string, set map[string]string, del []string) []libovsdb.Mutation {
	var keys []string
	for k := range set {
		keys = append(keys, k)
	}
	keys = append(keys, del...)
	slices.Sort(keys)
	var ms []libovsdb.Mutation
	if len(keys) > 0 {
		ms = append(ms, libovsdb.Mutation{Column: column, Mutator: libovsdb.MutateOperationDelete, Value: ovsStrings(keys)})
	}
	if len(set) > 0 {
		ms = append(ms, libovsdb.Mutation{Column: column, Mutator: libovsdb.MutateOperationInsert, Value: ovsMap(set)})
	}
	return ms
}

// mapHolds reports whether have shows set and lacks del.
func mapHolds(have, set map[string]string, del []string) bool {
	for k, v := range set {
		if have[k] != v {
			return false
		}
	}
	for _, k := range del {
		if _, ok := have[k]; ok {
			return false
		}
	}
	return true
}

func withOwner(m map[string]string, owner string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	if owner != "" {
		if _, ok := out[OwnerKey]; !ok {
			out[OwnerKey] = owner
		}
	}
	return out
}
