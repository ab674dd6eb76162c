// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/ovsoffload/ovsoffload/internal/ifname"
	vs "github.com/ovsoffload/ovsoffload/ovsdb/internal/vswitchmodel"
)

// SnapshotScope says which part of the database a Snapshot holds.
type SnapshotScope struct {
	// Bridges are bridge names. A bridge that does not exist is recorded as
	// absent: Restore deletes it if it exists by then.
	Bridges []string
	// Ports are port names; the bridge holding each one (if any) joins
	// Bridges, so a port moved to another bridge comes back where it was.
	Ports []string
	// RootKeys are keys of the Open_vSwitch row's map columns
	// ("external_ids", "other_config"), by column. Absent keys are recorded
	// as absent.
	RootKeys map[string][]string
}

// Snapshot is part of the database as one read saw it, whole rows: the
// scope's bridges with every column, and every row they reference, directly
// or not, through strong references (ports, interfaces, mirrors, QoS and
// queues, NetFlow, sFlow, IPFIX, controllers, flow tables, ...), plus the
// Open_vSwitch keys of the scope. Restore brings that part back exactly.
type Snapshot struct {
	scope    []string                           // bridge names, sorted
	bridges  map[string]string                  // present bridge name → UUID
	rows     map[string]map[string]libovsdb.Row // table → UUID → row
	rootKeys map[string]map[string]*string      // column → key → value, nil when absent
	schema   map[string]*libovsdb.TableSchema   // tables of the server's schema
	refs     map[string]map[string][2]string    // table → column → tables its keys and values refer to
}

// Bridges returns the names of the bridges in the snapshot's scope and
// whether each existed.
func (s *Snapshot) Bridges() map[string]bool {
	out := make(map[string]bool, len(s.scope))
	for _, n := range s.scope {
		_, ok := s.bridges[n]
		out[n] = ok
	}
	return out
}

// Rows returns how many rows the snapshot holds, by table.
func (s *Snapshot) Rows() map[string]int {
	out := map[string]int{}
	for t, rs := range s.rows {
		out[t] = len(rs)
	}
	return out
}

// Difference is one way the database differs from a Snapshot.
type Difference struct {
	Table  string // such as "Bridge"
	Row    string // the row's name, or its UUID when the table has no name
	Column string // a column, "external_ids:KEY" for a key of the Open_vSwitch row, or "" for the whole row
	Want   string // as in the snapshot ("(absent)" when the row or key did not exist)
	Got    string // as the database holds it now
}

// String renders the difference on one line.
func (d Difference) String() string {
	where := printable(d.Table)
	if d.Row != "" {
		where += " " + printable(d.Row)
	}
	if d.Column != "" {
		where += " " + printable(d.Column)
	}
	return fmt.Sprintf("%s: want %s, got %s", where, d.Want, d.Got)
}

// printable returns s, quoted when it holds anything but printable
// characters (names in the database come from anyone).
func printable(s string) string {
	if q := strconv.Quote(s); q[1:len(q)-1] != s {
		return q
	}
	return s
}

// RestoreError reports a Restore that could not prove the database matches
// the snapshot: Diffs lists what still differs at the last read (empty when
// the database could not be read at all), Err why.
type RestoreError struct {
	Diffs []Difference
	Err   error
}

// Error lists the differences.
func (e *RestoreError) Error() string {
	var b strings.Builder
	b.WriteString("ovsdb: restore: ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	if len(e.Diffs) > 0 {
		fmt.Fprintf(&b, "; %d difference(s) from the snapshot remain:", len(e.Diffs))
		for _, d := range e.Diffs {
			b.WriteString("\n  ")
			b.WriteString(d.String())
		}
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *RestoreError) Unwrap() error { return e.Err }

// statusColumns are the columns ovs-vswitchd (or the start-up scripts)
// write to report state, never configuration: a snapshot neither restores
// nor compares them (a re-created interface gets a new ofport, statistics
// move).
var statusColumns = map[string][]string{
	vs.OpenvSwitchTable: {"cur_cfg", "statistics", "ovs_version", "db_version", "system_type", "system_version",
		"datapath_types", "iface_types", "dpdk_initialized", "dpdk_version", "doca_initialized", "doca_version"},
	vs.BridgeTable: {"datapath_id", "datapath_version", "status", "rstp_status"},
	vs.PortTable:   {"status", "rstp_status", "rstp_statistics", "statistics", "bond_active_slave"},
	vs.InterfaceTable: {"ofport", "admin_state", "link_state", "link_resets", "link_speed", "duplex", "mtu",
		"mac_in_use", "ifindex", "statistics", "status", "cfm_fault", "cfm_fault_status", "cfm_remote_mpids",
		"cfm_flap_count", "cfm_health", "cfm_remote_opstate", "lacp_current", "bfd_status", "error"},
	"Mirror":     {"statistics"},
	"Controller": {"is_connected", "role", "status"},
	"Manager":    {"is_connected", "status"},
}

// IsStatusColumn reports whether table.column is one ovs-vswitchd writes to
// report state, which Snapshot, Restore and their comparison leave alone.
func IsStatusColumn(table, column string) bool {
	return column == "_uuid" || column == "_version" || slices.Contains(statusColumns[table], column)
}

// dbRead is the whole database as one transaction read it.
type dbRead struct {
	tables   map[string]map[string]libovsdb.Row
	rootUUID string
}

func (r *dbRead) root() libovsdb.Row { return r.tables[vs.OpenvSwitchTable][r.rootUUID] }

// Snapshot reads the database in one transaction and keeps the part scope
// names. It fails with ErrNotFound when the Open_vSwitch row is missing.
func (c *Client) Snapshot(ctx context.Context, scope SnapshotScope) (*Snapshot, error) {
	for _, n := range append(slices.Clone(scope.Bridges), scope.Ports...) {
		if err := ifname.Validate(n); err != nil {
			return nil, &ValidationError{Field: "snapshot scope name", Value: n, Err: err}
		}
	}
	for col := range scope.RootKeys {
		if col != "external_ids" && col != "other_config" {
			return nil, invalid("snapshot scope column", col, `want "external_ids" or "other_config"`)
		}
	}
	cur, err := c.readAll(ctx)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{bridges: map[string]string{}, rootKeys: map[string]map[string]*string{}}
	s.schema, s.refs = c.schemaRefs()
	names := slices.Clone(scope.Bridges)
	byName := bridgeUUIDsByName(cur)
	for _, pn := range scope.Ports {
		if bn := bridgeOfPortIn(cur, pn); bn != "" {
			names = append(names, bn)
		}
	}
	slices.Sort(names)
	s.scope = slices.Compact(names)
	var start []string
	for _, n := range s.scope {
		if u, ok := byName[n]; ok {
			s.bridges[n] = u
			start = append(start, u)
		}
	}
	s.rows = s.closure(cur, start)
	root := cur.root()
	for col, keys := range scope.RootKeys {
		have := mapOf(root[col])
		m := map[string]*string{}
		for _, k := range keys {
			if v, ok := have[k]; ok {
				m[k] = &v
			} else {
				m[k] = nil
			}
		}
		s.rootKeys[col] = m
	}
	return s, nil
}

// Restore makes the snapshot's part of the database as it was: it deletes
// bridges of the scope created since, re-creates removed rows with their
// old UUIDs and every column, puts back changed columns and Open_vSwitch
// keys, and then reads the database again to prove it matches. It writes
// only what differs, so it is harmless when nothing changed; changed says
// whether it wrote. While the connection is down it waits for the client to
// reconnect, within ctx. When the outcome of its own transaction is unknown
// (the connection dropped before the reply), the next read tells. A failure
// is a *RestoreError listing what still differs.
func (c *Client) Restore(ctx context.Context, snap *Snapshot) (changed bool, err error) {
	const attempts = 5
	var diffs []Difference
	for attempt := 0; ; attempt++ {
		cur, err := c.readAllWait(ctx)
		if err != nil {
			return changed, &RestoreError{Diffs: diffs, Err: fmt.Errorf("reading the database: %w", err)}
		}
		var ops []libovsdb.Operation
		diffs, ops = snap.compare(cur)
		if len(diffs) == 0 {
			if err := c.waitCacheShows(ctx, snap); err != nil {
				return changed, &RestoreError{Err: err}
			}
			return changed, nil
		}
		if len(ops) == 0 {
			return changed, &RestoreError{Diffs: diffs, Err: errors.New("no operation can undo these differences")}
		}
		if attempt == attempts {
			return changed, &RestoreError{Diffs: diffs, Err: fmt.Errorf("the database still differs after %d attempts", attempts)}
		}
		replies, err := c.ovs.Transact(ctx, ops...)
		if err != nil {
			if isConnErr(err) && ctx.Err() == nil {
				changed = true // perhaps: the next read says
				continue
			}
			return changed, &RestoreError{Diffs: diffs, Err: fmt.Errorf("ovsdb: transact: %w", err)}
		}
		descs := make([]string, len(ops))
		for i, op := range ops {
			descs[i] = fmt.Sprintf("%s %s", op.Op, op.Table)
		}
		if terr := (&Txn{ops: ops, descs: descs}).checkReplies(replies); terr != nil {
			return changed, &RestoreError{Diffs: diffs, Err: terr}
		}
		changed = true
	}
}

// Compare reads the database again and returns how it differs from the
// snapshot; none means the snapshot's part is as it was.
func (c *Client) Compare(ctx context.Context, snap *Snapshot) ([]Difference, error) {
	cur, err := c.readAll(ctx)
	if err != nil {
		return nil, err
	}
	diffs, _ := snap.compare(cur)
	return diffs, nil
}

// readAll selects every row of every table in one transaction.
func (c *Client) readAll(ctx context.Context) (*dbRead, error) {
	schema := c.ovs.Schema()
	tables := slices.Sorted(maps.Keys(schema.Tables))
	ops := make([]libovsdb.Operation, len(tables))
	for i, t := range tables {
		// "where" is required; an empty list would be dropped when encoded.
		ops[i] = libovsdb.Operation{Op: libovsdb.OperationSelect, Table: t, Where: []libovsdb.Condition{
			{Column: "_uuid", Function: libovsdb.ConditionNotEqual, Value: libovsdb.UUID{GoUUID: "00000000-0000-0000-0000-000000000000"}}}}
	}
	replies, err := c.ovs.Transact(ctx, ops...)
	if err != nil {
		return nil, fmt.Errorf("ovsdb: transact: %w", err)
	}
	if terr := (&Txn{ops: ops, descs: tables}).checkReplies(replies); terr != nil {
		return nil, terr
	}
	r := &dbRead{tables: map[string]map[string]libovsdb.Row{}}
	for i, t := range tables {
		rows := map[string]libovsdb.Row{}
		for _, row := range replies[i].Rows {
			u, ok := row["_uuid"].(libovsdb.UUID)
			if !ok {
				return nil, fmt.Errorf("ovsdb: a %s row without _uuid", t)
			}
			rows[u.GoUUID] = row
		}
		r.tables[t] = rows
	}
	for u := range r.tables[vs.OpenvSwitchTable] {
		r.rootUUID = u
	}
	if r.rootUUID == "" {
		return nil, fmt.Errorf("ovsdb: the Open_vSwitch table has no row (database not initialised, run ovs-vsctl init): %w", ErrNotFound)
	}
	return r, nil
}

// readAllWait is readAll that waits, within ctx, for the client to
// reconnect when the connection is down.
func (c *Client) readAllWait(ctx context.Context) (*dbRead, error) {
	delay := 20 * time.Millisecond
	for {
		r, err := c.readAll(ctx)
		if err == nil || !isConnErr(err) || ctx.Err() != nil {
			return r, err
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (waiting for the client to reconnect: %w)", err, ctx.Err())
		}
		delay = min(2*delay, 500*time.Millisecond)
	}
}

// waitCacheShows waits for the client's cache to show the scope's bridges
// with their ports, and the Open_vSwitch keys, as the snapshot has them, so
// reads after Restore see it.
func (c *Client) waitCacheShows(ctx context.Context, snap *Snapshot) error {
	wctx, cancel := context.WithTimeout(ctx, c.syncTimeout)
	defer cancel()
	err := c.waitFor(wctx, func() bool {
		for _, n := range snap.scope {
			b := c.bridgeByName(n)
			want, ok := snap.bridges[n]
			if (b == nil) == ok || (b != nil && b.UUID != want) {
				return false
			}
			if b != nil {
				have := slices.Sorted(slices.Values(b.Ports))
				wantPorts := slices.Sorted(slices.Values(uuidsOf(snap.rows[vs.BridgeTable][want]["ports"])))
				if !slices.Equal(have, wantPorts) {
					return false
				}
			}
		}
		root, err := c.root()
		if err != nil {
			return false
		}
		for col, keys := range snap.rootKeys {
			have := root.ExternalIDs
			if col == "other_config" {
				have = root.OtherConfig
			}
			for k, want := range keys {
				got, ok := have[k]
				if (want == nil) == ok || (want != nil && got != *want) {
					return false
				}
			}
		}
		return true
	})
	if err != nil {
		return fmt.Errorf("%w: the database matches the snapshot, but the client's cache did not show it within %v", ErrCacheLag, c.syncTimeout)
	}
	return nil
}

// schemaRefs returns the server's tables and, for each column that holds
// strong references, the tables its keys and values refer to.
func (c *Client) schemaRefs() (map[string]*libovsdb.TableSchema, map[string]map[string][2]string) {
	schema := c.ovs.Schema()
	tables := map[string]*libovsdb.TableSchema{}
	refs := map[string]map[string][2]string{}
	strong := func(b *libovsdb.BaseType) string {
		if b == nil {
			return ""
		}
		t, err := b.RefTable()
		if err != nil || t == "" {
			return ""
		}
		if rt, err := b.RefType(); err == nil && rt == libovsdb.Weak {
			return ""
		}
		return t
	}
	for name, ts := range schema.Tables {
		tables[name] = &ts
		for col, cs := range ts.Columns {
			if cs == nil || cs.TypeObj == nil {
				continue
			}
			k, v := strong(cs.TypeObj.Key), strong(cs.TypeObj.Value)
			if k == "" && v == "" {
				continue
			}
			if refs[name] == nil {
				refs[name] = map[string][2]string{}
			}
			refs[name][col] = [2]string{k, v}
		}
	}
	return tables, refs
}

// closure returns the bridges with UUIDs start and every row reachable
// from them through strong references.
func (s *Snapshot) closure(cur *dbRead, start []string) map[string]map[string]libovsdb.Row {
	out := map[string]map[string]libovsdb.Row{}
	type item struct{ table, uuid string }
	var queue []item
	for _, u := range start {
		queue = append(queue, item{vs.BridgeTable, u})
	}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		if out[it.table][it.uuid] != nil {
			continue
		}
		row := cur.tables[it.table][it.uuid]
		if row == nil {
			continue
		}
		if out[it.table] == nil {
			out[it.table] = map[string]libovsdb.Row{}
		}
		out[it.table][it.uuid] = row
		for _, col := range slices.Sorted(maps.Keys(s.refs[it.table])) {
			kv := s.refs[it.table][col]
			for _, ref := range refsIn(row[col], kv) {
				queue = append(queue, item{ref[0], ref[1]})
			}
		}
	}
	return out
}

// refsIn returns the (table, UUID) pairs a value refers to; kv are the
// tables its keys and values refer to.
func refsIn(v any, kv [2]string) [][2]string {
	var out [][2]string
	add := func(t string, x any) {
		if u, ok := x.(libovsdb.UUID); ok && t != "" {
			out = append(out, [2]string{t, u.GoUUID})
		}
	}
	switch x := v.(type) {
	case libovsdb.UUID:
		add(kv[0], x)
	case libovsdb.OvsSet:
		for _, e := range x.GoSet {
			add(kv[0], e)
		}
	case libovsdb.OvsMap:
		for k, e := range x.GoMap {
			add(kv[0], k)
			add(kv[1], e)
		}
	}
	return out
}

// compare returns how cur differs from the snapshot and the operations that
// make it match.
func (s *Snapshot) compare(cur *dbRead) ([]Difference, []libovsdb.Operation) {
	var diffs []Difference
	var ops []libovsdb.Operation
	root := cur.root()
	rootWhere := whereUUID(cur.rootUUID)

	// Bridges of the scope, as the Open_vSwitch row refers to them.
	byName := bridgeUUIDsByName(cur)
	inRoot := map[string]bool{}
	for _, u := range uuidsOf(root["bridges"]) {
		inRoot[u] = true
	}
	var del, ins, curScope []string
	for _, n := range s.scope {
		want, wantOK := s.bridges[n]
		got, gotOK := byName[n]
		if gotOK {
			curScope = append(curScope, got)
		}
		switch {
		case !wantOK && !gotOK, wantOK && gotOK && want == got:
			continue
		case wantOK && gotOK:
			diffs = append(diffs, Difference{Table: vs.BridgeTable, Row: n, Want: "row " + want, Got: "row " + got + " (re-created)"})
		case wantOK:
			diffs = append(diffs, Difference{Table: vs.BridgeTable, Row: n, Want: "present", Got: "(absent)"})
		default:
			diffs = append(diffs, Difference{Table: vs.BridgeTable, Row: n, Want: "(absent)", Got: "present"})
		}
		if gotOK && inRoot[got] {
			del = append(del, got)
		}
		if wantOK && !inRoot[want] {
			ins = append(ins, want)
		}
	}
	var ms []libovsdb.Mutation
	if len(del) > 0 {
		ms = append(ms, libovsdb.Mutation{Column: "bridges", Mutator: libovsdb.MutateOperationDelete, Value: ovsUUIDs(del...)})
	}
	if len(ins) > 0 {
		ms = append(ms, libovsdb.Mutation{Column: "bridges", Mutator: libovsdb.MutateOperationInsert, Value: ovsUUIDs(ins...)})
	}

	// Open_vSwitch keys of the scope.
	for _, col := range slices.Sorted(maps.Keys(s.rootKeys)) {
		have := mapOf(root[col])
		set := map[string]string{}
		var rm []string
		for _, k := range slices.Sorted(maps.Keys(s.rootKeys[col])) {
			want := s.rootKeys[col][k]
			got, ok := have[k]
			switch {
			case want == nil && !ok, want != nil && ok && got == *want:
				continue
			case want == nil:
				rm = append(rm, k)
				diffs = append(diffs, Difference{Table: vs.OpenvSwitchTable, Column: col + ":" + k, Want: "(absent)", Got: fmt.Sprintf("%q", got)})
			default:
				set[k] = *want
				g := "(absent)"
				if ok {
					g = fmt.Sprintf("%q", got)
				}
				diffs = append(diffs, Difference{Table: vs.OpenvSwitchTable, Column: col + ":" + k, Want: fmt.Sprintf("%q", *want), Got: g})
			}
		}
		ms = append(ms, mapMutations(col, set, rm)...)
	}
	if len(ms) > 0 {
		ops = append(ops, libovsdb.Operation{Op: libovsdb.OperationMutate, Table: vs.OpenvSwitchTable, Where: rootWhere, Mutations: ms})
	}

	// Rows reachable from the scope's bridges.
	for _, table := range slices.Sorted(maps.Keys(s.rows)) {
		for _, u := range slices.Sorted(maps.Keys(s.rows[table])) {
			want := s.rows[table][u]
			got := cur.tables[table][u]
			name := rowName(want, u)
			if got == nil {
				diffs = append(diffs, Difference{Table: table, Row: name, Want: "present", Got: "(absent)"})
				ops = append(ops, libovsdb.Operation{Op: libovsdb.OperationInsert, Table: table, UUID: u, Row: configOf(table, want)})
				continue
			}
			upd := libovsdb.Row{}
			for _, col := range slices.Sorted(maps.Keys(want)) {
				if IsStatusColumn(table, col) {
					continue
				}
				w, g := render(want[col]), render(got[col])
				if w != g {
					diffs = append(diffs, Difference{Table: table, Row: name, Column: col, Want: w, Got: g})
					upd[col] = want[col]
				}
			}
			if len(upd) > 0 {
				ops = append(ops, libovsdb.Operation{Op: libovsdb.OperationUpdate, Table: table, Where: whereUUID(u), Row: upd})
			}
		}
	}
	// Rows reachable now that were not then: created since. Rows of root
	// tables are left (they may be shared); the others go, explicitly, so
	// their names are free for the rows re-created in the same transaction.
	now := s.closure(cur, curScope)
	for _, table := range slices.Sorted(maps.Keys(now)) {
		for _, u := range slices.Sorted(maps.Keys(now[table])) {
			if s.rows[table][u] != nil {
				continue
			}
			diffs = append(diffs, Difference{Table: table, Row: rowName(now[table][u], u), Want: "(absent)", Got: "present"})
			if ts := s.schema[table]; ts != nil && !ts.IsRoot {
				ops = append(ops, libovsdb.Operation{Op: libovsdb.OperationDelete, Table: table, Where: whereUUID(u)})
			}
		}
	}
	// Bridge rows deleted above are in now too: drop duplicate Difference
	// lines for them (the bridge line already says it).
	return dedupe(diffs), ops
}

func dedupe(ds []Difference) []Difference {
	seen := map[Difference]bool{}
	out := ds[:0]
	for _, d := range ds {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// configOf returns the row's columns without the status ones.
func configOf(table string, row libovsdb.Row) libovsdb.Row {
	out := libovsdb.Row{}
	for col, v := range row {
		if !IsStatusColumn(table, col) {
			out[col] = v
		}
	}
	return out
}

func rowName(row libovsdb.Row, uuid string) string {
	if n, ok := row["name"].(string); ok && n != "" {
		return n
	}
	return uuid
}

func bridgeUUIDsByName(cur *dbRead) map[string]string {
	out := map[string]string{}
	for _, u := range uuidsOf(cur.root()["bridges"]) {
		if b := cur.tables[vs.BridgeTable][u]; b != nil {
			if n, ok := b["name"].(string); ok {
				out[n] = u
			}
		}
	}
	return out
}

func bridgeOfPortIn(cur *dbRead, port string) string {
	byName := bridgeUUIDsByName(cur)
	for _, bn := range slices.Sorted(maps.Keys(byName)) {
		for _, pu := range uuidsOf(cur.tables[vs.BridgeTable][byName[bn]]["ports"]) {
			if p := cur.tables[vs.PortTable][pu]; p != nil && p["name"] == port {
				return bn
			}
		}
	}
	return ""
}

func uuidsOf(v any) []string {
	var out []string
	switch x := v.(type) {
	case libovsdb.UUID:
		out = append(out, x.GoUUID)
	case libovsdb.OvsSet:
		for _, e := range x.GoSet {
			if u, ok := e.(libovsdb.UUID); ok {
				out = append(out, u.GoUUID)
			}
		}
	}
	return out
}

func mapOf(v any) map[string]string {
	out := map[string]string{}
	if m, ok := v.(libovsdb.OvsMap); ok {
		for k, e := range m.GoMap {
			ks, ok1 := k.(string)
			es, ok2 := e.(string)
			if ok1 && ok2 {
				out[ks] = es
			}
		}
	}
	return out
}

// render writes a value canonically: sets sorted, maps by key, a single
// value as a set of one (the server writes a one-element set bare).
func render(v any) string {
	atom := func(x any) string {
		switch y := x.(type) {
		case libovsdb.UUID:
			return y.GoUUID
		case string:
			return fmt.Sprintf("%q", y)
		default:
			return fmt.Sprint(y)
		}
	}
	switch x := v.(type) {
	case libovsdb.OvsSet:
		es := make([]string, len(x.GoSet))
		for i, e := range x.GoSet {
			es[i] = atom(e)
		}
		slices.Sort(es)
		return "[" + strings.Join(es, ", ") + "]"
	case libovsdb.OvsMap:
		es := make([]string, 0, len(x.GoMap))
		for k, e := range x.GoMap {
			es = append(es, atom(k)+"="+atom(e))
		}
		slices.Sort(es)
		return "{" + strings.Join(es, ", ") + "}"
	case nil:
		return "[]"
	default:
		return "[" + atom(x) + "]"
	}
}

// RootKeys returns the keys of the Open_vSwitch row's map columns
// ("external_ids", "other_config") this transaction sets or removes, by
// column, sorted: the SnapshotScope.RootKeys that undo it.
func (t *Txn) RootKeys() map[string][]string {
	out := map[string][]string{}
	for _, op := range t.ops {
		if op.Table != vs.OpenvSwitchTable || op.Op != libovsdb.OperationMutate {
			continue
		}
		for _, m := range op.Mutations {
			if m.Column != "external_ids" && m.Column != "other_config" {
				continue
			}
			switch v := m.Value.(type) {
			case libovsdb.OvsSet:
				for _, k := range v.GoSet {
					if ks, ok := k.(string); ok {
						out[m.Column] = append(out[m.Column], ks)
					}
				}
			case libovsdb.OvsMap:
				for k := range v.GoMap {
					if ks, ok := k.(string); ok {
						out[m.Column] = append(out[m.Column], ks)
					}
				}
			}
		}
	}
	for col, keys := range out {
		slices.Sort(keys)
		out[col] = slices.Compact(keys)
	}
	return out
}

// OutcomeUnknown reports whether err, returned by Txn.Commit, means the
// transaction was sent but its reply was lost (the connection dropped): it
// may or may not have committed. Read the database after reconnecting to
// know (Client.Restore and Client.Compare do).
func OutcomeUnknown(err error) bool {
	return err != nil && isConnErr(err) && !isTxnError(err)
}
