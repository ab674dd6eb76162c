// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"context"
	"fmt"
	"slices"

	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/ovsoffload/ovsoffload/internal/ifname"
	vs "github.com/ovsoffload/ovsoffload/ovsdb/internal/vswitchmodel"
)

// RequireInterfaceExternalIDs makes the transaction fail (ErrConflict,
// nothing applied) unless the interface called name exists and its
// external_ids hold every key of ids with that value when the server
// applies it. A CNI guards with it that the port it rebinds or deletes
// still belongs to the pod it read from the cache.
func (t *Txn) RequireInterfaceExternalIDs(name string, ids map[string]string) *Txn {
	if err := ifname.Validate(name); err != nil {
		t.fail(&ValidationError{Field: "interface name", Value: name, Err: err})
		return t
	}
	if len(ids) == 0 {
		t.fail(invalid("external_ids", "", "nothing to require"))
		return t
	}
	if err := validateKeys("external_ids", ids); err != nil {
		t.fail(err)
		return t
	}
	zero := 0
	t.add(libovsdb.Operation{Op: libovsdb.OperationWait, Table: vs.InterfaceTable, Timeout: &zero,
		Where: []libovsdb.Condition{
			{Column: "name", Function: libovsdb.ConditionEqual, Value: name},
			{Column: "external_ids", Function: libovsdb.ConditionIncludes, Value: ovsMap(ids)},
		},
		Columns: []string{"name"}, Until: string(libovsdb.WaitConditionEqual), Rows: []libovsdb.Row{{"name": name}}},
		fmt.Sprintf("require Interface %q external_ids %v", name, ids))
	return t
}

// InterfacesByExternalID returns, sorted, the names of the interfaces whose
// external_ids:key is value, from the cache: for a pod's iface-id, every
// port OVN could bind to its logical switch port.
func (c *Client) InterfacesByExternalID(ctx context.Context, key, value string) ([]string, error) {
	if err := validateKeys("external_ids", map[string]string{key: value}); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var names []string
	for _, m := range c.ovs.Cache().Table(vs.InterfaceTable).RowsShallow() {
		if i := m.(*vs.Interface); i.ExternalIDs[key] == value {
			names = append(names, i.Name)
		}
	}
	slices.Sort(names)
	return names, nil
}
