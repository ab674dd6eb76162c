// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"context"
	"fmt"
	"slices"

	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"

	vs "github.com/ovsoffload/ovsoffload/ovsdb/internal/vswitchmodel"
)

// Status is what ovs-vswitchd reports about itself in the Open_vSwitch row.
type Status struct {
	OVSVersion      string
	DBVersion       string
	DatapathTypes   []string // sorted
	IfaceTypes      []string // sorted
	DPDKInitialized bool
	// HasDOCA is true when the server's schema has the OVS-DOCA columns
	// doca_initialized and doca_version; the two fields below are only
	// meaningful then.
	HasDOCA         bool
	DOCAInitialized bool
	DOCAVersion     string
}

// Status reads the status columns. The OVS-DOCA columns are detected in the
// schema the server reported and read with a select when present.
func (c *Client) Status(ctx context.Context) (Status, error) {
	if err := ctx.Err(); err != nil {
		return Status{}, err
	}
	root, err := c.root()
	if err != nil {
		return Status{}, err
	}
	s := Status{DatapathTypes: slices.Sorted(slices.Values(root.DatapathTypes)),
		IfaceTypes: slices.Sorted(slices.Values(root.IfaceTypes)), DPDKInitialized: root.DpdkInitialized}
	if root.OVSVersion != nil {
		s.OVSVersion = *root.OVSVersion
	}
	if root.DbVersion != nil {
		s.DBVersion = *root.DbVersion
	}
	if !c.schemaHasColumn(vs.OpenvSwitchTable, "doca_initialized") || !c.schemaHasColumn(vs.OpenvSwitchTable, "doca_version") {
		return s, nil
	}
	s.HasDOCA = true
	op := libovsdb.Operation{Op: libovsdb.OperationSelect, Table: vs.OpenvSwitchTable, Where: whereUUID(root.UUID),
		Columns: []string{"doca_initialized", "doca_version"}}
	replies, err := c.ovs.Transact(ctx, op)
	if err != nil {
		return Status{}, fmt.Errorf("ovsdb: select doca columns: %w", err)
	}
	if len(replies) != 1 || replies[0].Error != "" || len(replies[0].Rows) != 1 {
		return Status{}, fmt.Errorf("ovsdb: select doca columns: unexpected reply %+v", replies)
	}
	row := replies[0].Rows[0]
	s.DOCAInitialized, _ = scalar(row["doca_initialized"]).(bool)
	s.DOCAVersion, _ = scalar(row["doca_version"]).(string)
	return s, nil
}

// scalar unwraps an optional value (a set of 0 or 1 element).
func scalar(v any) any {
	if set, ok := v.(libovsdb.OvsSet); ok {
		if len(set.GoSet) == 1 {
			return set.GoSet[0]
		}
		return nil
	}
	return v
}
