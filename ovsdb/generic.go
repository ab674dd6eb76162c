// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"context"
	"fmt"

	"github.com/ovn-kubernetes/libovsdb/model"
	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/ovsoffload/ovsoffload/internal/ifname"
	vs "github.com/ovsoffload/ovsoffload/ovsdb/internal/vswitchmodel"
)

// Table names accepted by Txn.SetMap.
const (
	TableOpenvSwitch = vs.OpenvSwitchTable
	TableBridge      = vs.BridgeTable
	TablePort        = vs.PortTable
	TableInterface   = vs.InterfaceTable
)

// mapColumns are the string-to-string map columns SetMap can change: the
// ones this client monitors, so it can tell what changes and wait for it.
var mapColumns = map[string][]string{
	vs.OpenvSwitchTable: {"external_ids", "other_config"},
	vs.BridgeTable:      {"external_ids", "other_config"},
	vs.PortTable:        {"external_ids", "other_config"},
	vs.InterfaceTable:   {"external_ids", "options"},
}

// SetMap sets and removes keys of a map column of one row: the Open_vSwitch
// row (name ignored) or the bridge, port or interface called name. Unknown
// tables or columns are rejected before anything is sent.
func (t *Txn) SetMap(table, name, column string, set map[string]string, remove []string) *Txn {
	cols, ok := mapColumns[table]
	if !ok {
		t.fail(invalid("table", table, "want Open_vSwitch, Bridge, Port or Interface"))
		return t
	}
	known := false
	for _, c := range cols {
		known = known || c == column
	}
	if !known {
		if t.c.schemaHasColumn(table, column) {
			t.fail(invalid("column", table+"."+column, "not a map column this client can change (want one of %v)", cols))
		} else {
			t.fail(invalid("column", table+"."+column, "no such column in the server's schema"))
		}
		return t
	}
	if err := validateKeys(column, set); err != nil {
		t.fail(err)
		return t
	}
	if table == vs.OpenvSwitchTable {
		return t.setRootMap(column, set, remove, "keys")
	}
	if err := ifname.Validate(name); err != nil {
		t.fail(&ValidationError{Field: table + " name", Value: name, Err: err})
		return t
	}
	var uuid string
	var have map[string]string
	get := func(m model.Model) map[string]string {
		switch r := m.(type) {
		case *vs.Bridge:
			if column == "other_config" {
				return r.OtherConfig
			}
			return r.ExternalIDs
		case *vs.Port:
			if column == "other_config" {
				return r.OtherConfig
			}
			return r.ExternalIDs
		case *vs.Interface:
			if column == "options" {
				return r.Options
			}
			return r.ExternalIDs
		}
		return nil
	}
	switch table {
	case vs.BridgeTable:
		if b := t.c.bridgeByName(name); b != nil {
			uuid, have = b.UUID, get(b)
		}
	case vs.PortTable:
		if p := t.c.portByName(name); p != nil {
			uuid, have = p.UUID, get(p)
		}
	case vs.InterfaceTable:
		if i := t.c.ifaceByName(name); i != nil {
			uuid, have = i.UUID, get(i)
		}
	}
	if uuid == "" {
		t.fail(fmt.Errorf("ovsdb: %s %q: %w", table, name, ErrNotFound))
		return t
	}
	s, d := mapDiff(have, set, remove)
	if ms := mapMutations(column, s, d); len(ms) > 0 {
		t.add(libovsdb.Operation{Op: libovsdb.OperationMutate, Table: table, Where: whereUUID(uuid), Mutations: ms},
			fmt.Sprintf("mutate %s %q %s", table, name, column),
			expectation{table: table, uuid: uuid, opIndex: -1, check: func(m model.Model) bool { return mapHolds(get(m), s, d) }})
	}
	return t
}

// SetMap changes keys of a map column in its own transaction. See Txn.SetMap.
func (c *Client) SetMap(ctx context.Context, table, name, column string, set map[string]string, remove []string) (bool, error) {
	r, err := c.single(ctx, func(t *Txn) { t.SetMap(table, name, column, set, remove) })
	return r.Changed, err
}

// RequireBridge makes the transaction fail (ErrConflict, nothing applied)
// unless a bridge called name exists when the server applies it. It guards
// against concurrent writers.
func (t *Txn) RequireBridge(name string) *Txn { return t.require(vs.BridgeTable, name, true) }

// RequirePortAbsent makes the transaction fail (ErrConflict, nothing
// applied) if a port called name exists when the server applies it.
func (t *Txn) RequirePortAbsent(name string) *Txn { return t.require(vs.PortTable, name, false) }

func (t *Txn) require(table, name string, present bool) *Txn {
	if err := ifname.Validate(name); err != nil {
		t.fail(&ValidationError{Field: table + " name", Value: name, Err: err})
		return t
	}
	// Absent is "the rows named name differ from [{name}]", not "equal []":
	// the empty rows array would be dropped from the JSON (omitempty),
	// which ovsdb-server refuses as a syntax error.
	zero := 0
	until, what := libovsdb.WaitConditionNotEqual, "absent"
	if present {
		until, what = libovsdb.WaitConditionEqual, "present"
	}
	t.add(libovsdb.Operation{Op: libovsdb.OperationWait, Table: table, Timeout: &zero,
		Where:   []libovsdb.Condition{{Column: "name", Function: libovsdb.ConditionEqual, Value: name}},
		Columns: []string{"name"}, Until: string(until), Rows: []libovsdb.Row{{"name": name}}},
		fmt.Sprintf("require %s %q %s", table, name, what))
	return t
}
