// SPDX-License-Identifier: Apache-2.0

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
// `ovs-vsctl init`, and reports whether it did. Concurrent calls from several
// clients all succeed: one creates the row.
func (c *Client) Init(ctx context.Context) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	r, err := c.single(ctx, func(t *Txn) {
		if _, err := c.root(); err == nil {
			return
		}
		// The row must name a column: an empty row is left out of the JSON,
		// and ovsdb-server refuses an insert without "row".
		t.add(libovsdb.Operation{Op: libovsdb.OperationInsert, Table: vs.OpenvSwitchTable, Row: libovsdb.Row{"bridges": ovsUUIDs()}},
			"insert Open_vSwitch", expectation{table: vs.OpenvSwitchTable, opIndex: -1})
	})
	return r.Changed, err
}
