package ovsdb

import (
	"context"

	"github.com/ovn-kubernetes/libovsdb/model"
	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"

	vs "github.com/ovsoffload/ovsoffload/ovsdb/internal/vswitchmodel"
)

// VSwitchSchema returns the pinned Open_vSwitch schema the models were
// generated from (OVS 3.1.0, schema 8.3.1), for in-process test servers.
func VSwitchSchema() libovsdb.DatabaseSchema { return vs.Schema() }

// VSwitchModel returns the client database model of the generated models,
// for in-process test servers.
func VSwitchModel() (model.ClientDBModel, error) { return vs.FullDatabaseModel() }

// Init creates the Open_vSwitch root row when the database has none, like
// `ovs-vsctl init`, and reports whether it did.
func (c *Client) Init(ctx context.Context) (bool, error) {
	if _, err := c.root(); err == nil {
		return false, ctx.Err()
	}
	t := c.Txn()
	t.add(libovsdb.Operation{Op: libovsdb.OperationInsert, Table: vs.OpenvSwitchTable, Row: libovsdb.Row{}},
		"insert Open_vSwitch", expectation{table: vs.OpenvSwitchTable, opIndex: -1})
	r, err := t.Commit(ctx)
	return r.Changed, err
}
