// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"context"
	"fmt"
	"maps"

	"github.com/ovn-kubernetes/libovsdb/model"
	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/ovsoffload/ovsoffload/internal/ifname"
	vs "github.com/ovsoffload/ovsoffload/ovsdb/internal/vswitchmodel"
)

// Datapath types accepted by BridgeSpec.DatapathType.
const (
	DatapathSystem = "system" // the kernel datapath (also written as "")
	DatapathNetdev = "netdev" // the userspace datapath (DPDK, OVS-DOCA)
)

// Fail modes accepted by BridgeSpec.FailMode.
const (
	FailModeStandalone = "standalone"
	FailModeSecure     = "secure"
)

// BridgeSpec is the wanted state of a bridge. Map fields are merged: the
// keys given are set, keys listed in the Remove fields are deleted, other
// keys are left alone. An empty DatapathType or FailMode leaves the column
// as it is on an existing bridge.
type BridgeSpec struct {
	Name              string
	DatapathType      string            // "", DatapathSystem or DatapathNetdev
	FailMode          string            // "", FailModeStandalone or FailModeSecure
	OtherConfig       map[string]string // such as "hwaddr"
	ExternalIDs       map[string]string
	RemoveOtherConfig []string
	RemoveExternalIDs []string
}

// Bridge is a bridge as the database holds it.
type Bridge struct {
	UUID         string
	Name         string
	DatapathType string
	FailMode     string
	OtherConfig  map[string]string
	ExternalIDs  map[string]string
	Ports        []string // port names, sorted
}

func (s BridgeSpec) validate() error {
	if err := ifname.Validate(s.Name); err != nil {
		return &ValidationError{Field: "bridge name", Value: s.Name, Err: err}
	}
	switch s.DatapathType {
	case "", DatapathSystem, DatapathNetdev:
	default:
		return invalid("datapath_type", s.DatapathType, "want %q or %q", DatapathSystem, DatapathNetdev)
	}
	switch s.FailMode {
	case "", FailModeStandalone, FailModeSecure:
	default:
		return invalid("fail_mode", s.FailMode, "want %q or %q", FailModeStandalone, FailModeSecure)
	}
	if hw, ok := s.OtherConfig["hwaddr"]; ok {
		if err := validateMAC(hw); err != nil {
			return invalid("other_config:hwaddr", hw, "%v", err)
		}
	}
	return nil
}

// EnsureBridge creates the bridge, with its local internal port, or brings
// an existing one to spec.
func (t *Txn) EnsureBridge(spec BridgeSpec) *Txn {
	if err := spec.validate(); err != nil {
		t.fail(err)
		return t
	}
	if _, ok := t.newBridges[spec.Name]; ok {
		t.fail(invalid("bridge name", spec.Name, "bridge ensured twice in one transaction"))
		return t
	}
	if t.goneBridges[spec.Name] {
		t.fail(invalid("bridge name", spec.Name, "bridge deleted and ensured in one transaction"))
		return t
	}
	b := t.c.bridgeByName(spec.Name)
	if b == nil {
		t.insertBridge(spec)
		return t
	}
	row := libovsdb.Row{}
	if spec.DatapathType != "" && spec.DatapathType != b.DatapathType {
		row["datapath_type"] = spec.DatapathType
	}
	if spec.FailMode != "" && (b.FailMode == nil || *b.FailMode != spec.FailMode) {
		row["fail_mode"] = optional(spec.FailMode, true)
	}
	ocSet, ocDel := mapDiff(b.OtherConfig, spec.OtherConfig, spec.RemoveOtherConfig)
	eiSet, eiDel := mapDiff(b.ExternalIDs, spec.ExternalIDs, spec.RemoveExternalIDs)
	check := func(m model.Model) bool {
		nb := m.(*vs.Bridge)
		return (spec.DatapathType == "" || nb.DatapathType == spec.DatapathType) &&
			(spec.FailMode == "" || (nb.FailMode != nil && *nb.FailMode == spec.FailMode)) &&
			mapHolds(nb.OtherConfig, ocSet, ocDel) && mapHolds(nb.ExternalIDs, eiSet, eiDel)
	}
	exp := expectation{table: vs.BridgeTable, uuid: b.UUID, opIndex: -1, check: check}
	if len(row) > 0 {
		t.add(libovsdb.Operation{Op: libovsdb.OperationUpdate, Table: vs.BridgeTable, Where: whereUUID(b.UUID), Row: row},
			fmt.Sprintf("update Bridge %q", spec.Name), exp)
	}
	ms := append(mapMutations("other_config", ocSet, ocDel), mapMutations("external_ids", eiSet, eiDel)...)
	if len(ms) > 0 {
		t.add(libovsdb.Operation{Op: libovsdb.OperationMutate, Table: vs.BridgeTable, Where: whereUUID(b.UUID), Mutations: ms},
			fmt.Sprintf("mutate Bridge %q", spec.Name), exp)
	}
	return t
}

func (t *Txn) insertBridge(spec BridgeSpec) {
	root, err := t.c.root()
	if err != nil {
		t.fail(err)
		return
	}
	ifU, portU, brU := t.namedUUID(), t.namedUUID(), t.namedUUID()
	owned := withOwner(nil, t.c.owner)
	t.add(libovsdb.Operation{Op: libovsdb.OperationInsert, Table: vs.InterfaceTable, UUIDName: ifU,
		Row: libovsdb.Row{"name": spec.Name, "type": "internal", "external_ids": ovsMap(owned)}},
		fmt.Sprintf("insert Interface %q", spec.Name),
		expectation{table: vs.InterfaceTable, opIndex: -1})
	t.add(libovsdb.Operation{Op: libovsdb.OperationInsert, Table: vs.PortTable, UUIDName: portU,
		Row: libovsdb.Row{"name": spec.Name, "interfaces": ovsUUIDs(ifU), "external_ids": ovsMap(owned)}},
		fmt.Sprintf("insert Port %q", spec.Name),
		expectation{table: vs.PortTable, opIndex: -1})
	row := libovsdb.Row{
		"name":         spec.Name,
		"ports":        ovsUUIDs(portU),
		"other_config": ovsMap(spec.OtherConfig),
		"external_ids": ovsMap(withOwner(spec.ExternalIDs, t.c.owner)),
	}
	if spec.DatapathType != "" {
		row["datapath_type"] = spec.DatapathType
	}
	if spec.FailMode != "" {
		row["fail_mode"] = optional(spec.FailMode, true)
	}
	brIdx := t.add(libovsdb.Operation{Op: libovsdb.OperationInsert, Table: vs.BridgeTable, UUIDName: brU, Row: row},
		fmt.Sprintf("insert Bridge %q", spec.Name),
		expectation{table: vs.BridgeTable, opIndex: -1})
	t.add(libovsdb.Operation{Op: libovsdb.OperationMutate, Table: vs.OpenvSwitchTable, Where: whereUUID(root.UUID),
		Mutations: []libovsdb.Mutation{{Column: "bridges", Mutator: libovsdb.MutateOperationInsert, Value: ovsUUIDs(brU)}}},
		fmt.Sprintf("add Bridge %q to Open_vSwitch", spec.Name),
		expectation{table: vs.OpenvSwitchTable, uuid: root.UUID, opIndex: -1, refs: ovsBridges, refsHave: []int{brIdx}})
	if t.newBridges == nil {
		t.newBridges = map[string]string{}
	}
	t.newBridges[spec.Name] = brU
}

// DeleteBridge deletes the bridge with all its ports and interfaces. A
// bridge that does not exist is not an error: nothing is done.
func (t *Txn) DeleteBridge(name string) *Txn {
	if err := ifname.Validate(name); err != nil {
		t.fail(&ValidationError{Field: "bridge name", Value: name, Err: err})
		return t
	}
	if _, ok := t.newBridges[name]; ok {
		t.fail(invalid("bridge name", name, "bridge ensured and deleted in one transaction"))
		return t
	}
	b := t.c.bridgeByName(name)
	if b == nil || t.goneBridges[name] {
		return t
	}
	root, err := t.c.root()
	if err != nil {
		t.fail(err)
		return t
	}
	t.add(libovsdb.Operation{Op: libovsdb.OperationMutate, Table: vs.OpenvSwitchTable, Where: whereUUID(root.UUID),
		Mutations: []libovsdb.Mutation{{Column: "bridges", Mutator: libovsdb.MutateOperationDelete, Value: ovsUUIDs(b.UUID)}}},
		fmt.Sprintf("remove Bridge %q from Open_vSwitch", name),
		expectation{table: vs.OpenvSwitchTable, uuid: root.UUID, opIndex: -1, refs: ovsBridges, refsLack: []string{b.UUID}})
	t.add(libovsdb.Operation{Op: libovsdb.OperationDelete, Table: vs.BridgeTable, Where: whereUUID(b.UUID)},
		fmt.Sprintf("delete Bridge %q", name),
		expectation{table: vs.BridgeTable, uuid: b.UUID, opIndex: -1, gone: true})
	for _, pu := range b.Ports {
		p, _ := t.c.row(vs.PortTable, pu).(*vs.Port)
		if p == nil {
			continue
		}
		t.deletePortRows(p)
	}
	if t.goneBridges == nil {
		t.goneBridges = map[string]bool{}
	}
	t.goneBridges[name] = true
	return t
}

// deletePortRows deletes a port row and its interfaces (the caller removes
// the reference from the bridge).
func (t *Txn) deletePortRows(p *vs.Port) {
	t.add(libovsdb.Operation{Op: libovsdb.OperationDelete, Table: vs.PortTable, Where: whereUUID(p.UUID)},
		fmt.Sprintf("delete Port %q", p.Name),
		expectation{table: vs.PortTable, uuid: p.UUID, opIndex: -1, gone: true})
	for _, iu := range p.Interfaces {
		desc := "delete Interface " + iu
		if i, _ := t.c.row(vs.InterfaceTable, iu).(*vs.Interface); i != nil {
			desc = fmt.Sprintf("delete Interface %q", i.Name)
		}
		t.add(libovsdb.Operation{Op: libovsdb.OperationDelete, Table: vs.InterfaceTable, Where: whereUUID(iu)}, desc,
			expectation{table: vs.InterfaceTable, uuid: iu, opIndex: -1, gone: true})
	}
	if t.gonePorts == nil {
		t.gonePorts = map[string]bool{}
	}
	t.gonePorts[p.Name] = true
}

// EnsureBridge creates the bridge or brings it to spec in its own
// transaction, and reports whether anything changed.
func (c *Client) EnsureBridge(ctx context.Context, spec BridgeSpec) (bool, error) {
	r, err := c.single(ctx, func(t *Txn) { t.EnsureBridge(spec) })
	return r.Changed, err
}

// DeleteBridge deletes the bridge, its ports and interfaces, and reports
// whether it existed.
func (c *Client) DeleteBridge(ctx context.Context, name string) (bool, error) {
	r, err := c.single(ctx, func(t *Txn) { t.DeleteBridge(name) })
	return r.Changed, err
}

// Bridge returns the bridge called name from the cache, or an error
// matching ErrNotFound.
func (c *Client) Bridge(ctx context.Context, name string) (Bridge, error) {
	if err := ifname.Validate(name); err != nil {
		return Bridge{}, &ValidationError{Field: "bridge name", Value: name, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return Bridge{}, err
	}
	b := c.bridgeByName(name)
	if b == nil {
		return Bridge{}, fmt.Errorf("ovsdb: bridge %q: %w", name, ErrNotFound)
	}
	out := Bridge{UUID: b.UUID, Name: b.Name, DatapathType: b.DatapathType,
		OtherConfig: maps.Clone(b.OtherConfig), ExternalIDs: maps.Clone(b.ExternalIDs)}
	if b.FailMode != nil {
		out.FailMode = *b.FailMode
	}
	for _, pu := range b.Ports {
		if p, _ := c.row(vs.PortTable, pu).(*vs.Port); p != nil {
			out.Ports = append(out.Ports, p.Name)
		}
	}
	sortStrings(out.Ports)
	return out, nil
}

// Bridges returns the names of all bridges, sorted.
func (c *Client) Bridges(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var names []string
	for _, m := range c.ovs.Cache().Table(vs.BridgeTable).RowsShallow() {
		names = append(names, m.(*vs.Bridge).Name)
	}
	sortStrings(names)
	return names, nil
}
