package ovsdb

import (
	"context"
	"fmt"
	"slices"

	"github.com/ovn-kubernetes/libovsdb/model"
	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"
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
	err = t.c.waitFor(ctx, func() bool {
		for next < len(exps) {
			e := exps[next]
			m := t.c.row(e.table, e.uuid)
			if e.gone {
				if m != nil {
					return false
				}
			} else if m == nil || (e.check != nil && !e.check(m)) {
				return false
			}
			next++
		}
		return true
	})
	if err != nil {
		return res, fmt.Errorf("ovsdb: transaction applied but the cache did not show it yet: %w", err)
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

// single runs build in a fresh transaction and commits it, rebuilding and
// retrying when the connection dropped before the reply (the operations are
// idempotent, so a retry after an applied write changes nothing).
func (c *Client) single(ctx context.Context, build func(*Txn)) (Result, error) {
	for {
		t := c.Txn()
		build(t)
		res, err := t.Commit(ctx)
		if err != nil && isConnErr(err) && ctx.Err() == nil {
			continue // Transact blocks until reconnected
		}
		return res, err
	}
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
