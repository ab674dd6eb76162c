// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"context"
	"fmt"
	"maps"
	"net"

	"github.com/ovn-kubernetes/libovsdb/model"
	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/ovsoffload/ovsoffload/internal/ifname"
	vs "github.com/ovsoffload/ovsoffload/ovsdb/internal/vswitchmodel"
)

// PortSpec is the wanted state of a port with its one interface of the same
// name (bonds are not handled). Map fields are merged like in BridgeSpec.
type PortSpec struct {
	Bridge string
	Name   string
	// Type is the interface type: "" or "system", "internal", "dpdk",
	// "patch", "geneve", "vxlan"... An empty Type on an existing port leaves
	// the column alone; on a new port it means "system".
	Type string
	// Options are interface options such as "dpdk-devargs" or "peer".
	Options       map[string]string
	RemoveOptions []string
	// MTURequest sets mtu_request when > 0.
	MTURequest int
	// ExternalIDs are the interface's external_ids ("iface-id",
	// "iface-id-ver", "attached_mac"... see PodAttachment).
	ExternalIDs       map[string]string
	RemoveExternalIDs []string
	// PortExternalIDs and PortOtherConfig are the port row's maps.
	PortExternalIDs       map[string]string
	PortOtherConfig       map[string]string
	RemovePortOtherConfig []string
	// Transient sets the port's other_config:transient=true, which makes
	// ovs-vswitchd's startup script (ovs-ctl) delete the port on restart.
	Transient bool
}

// PodAttachment is what OVN needs on a pod's interface external_ids to bind
// it to a logical switch port.
type PodAttachment struct {
	IfaceID      string           // "iface-id": the logical switch port name
	IfaceIDVer   string           // "iface-id-ver": the pod UID, guards against stale bindings
	MAC          net.HardwareAddr // "attached_mac"
	Sandbox      string           // "sandbox": the pod sandbox (container) ID
	PodName      string           // "pod-name"
	PodNamespace string           // "pod-namespace"
}

// ExternalIDs returns the external_ids keys for a, for PortSpec.ExternalIDs.
func (a PodAttachment) ExternalIDs() map[string]string {
	m := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set("iface-id", a.IfaceID)
	set("iface-id-ver", a.IfaceIDVer)
	if a.MAC != nil {
		m["attached_mac"] = a.MAC.String()
	}
	set("sandbox", a.Sandbox)
	set("pod-name", a.PodName)
	set("pod-namespace", a.PodNamespace)
	return m
}

// Port is a port and its interface as the database holds them.
type Port struct {
	UUID            string
	Name            string
	Bridge          string
	Type            string
	Options         map[string]string
	MTURequest      int // 0 when unset
	ExternalIDs     map[string]string
	PortExternalIDs map[string]string
	PortOtherConfig map[string]string
	OFPort          int    // 0 until ovs-vswitchd assigns one, -1 on error
	Error           string // the interface's error column
}

func (s PortSpec) validate() error {
	if err := ifname.Validate(s.Bridge); err != nil {
		return &ValidationError{Field: "bridge name", Value: s.Bridge, Err: err}
	}
	if err := ifname.Validate(s.Name); err != nil {
		return &ValidationError{Field: "port name", Value: s.Name, Err: err}
	}
	if s.Type != "" {
		if err := validateToken("interface type", s.Type); err != nil {
			return err
		}
	}
	if s.Type == "patch" && s.Options["peer"] == "" {
		return invalid("options:peer", "", "a patch interface needs options:peer")
	}
	if s.MTURequest < 0 || s.MTURequest > 65535 {
		return invalid("mtu_request", fmt.Sprint(s.MTURequest), "want 1..65535 (0 leaves it alone)")
	}
	for field, m := range map[string]map[string]string{"options": s.Options, "external_ids": s.ExternalIDs,
		"port external_ids": s.PortExternalIDs, "port other_config": s.PortOtherConfig} {
		if err := validateKeys(field, m); err != nil {
			return err
		}
	}
	if v, ok := s.ExternalIDs["attached_mac"]; ok {
		if err := validateMAC(v); err != nil {
			return invalid("external_ids:attached_mac", v, "%v", err)
		}
	}
	if v, ok := s.Options["dpdk-devargs"]; ok && v == "" {
		return invalid("options:dpdk-devargs", v, "empty")
	}
	if v, ok := s.Options["remote_ip"]; ok && v != "flow" {
		if err := validateIP("options:remote_ip", v); err != nil {
			return err
		}
	}
	return nil
}

func (s PortSpec) portOtherConfig() map[string]string {
	if !s.Transient {
		return s.PortOtherConfig
	}
	m := maps.Clone(s.PortOtherConfig)
	if m == nil {
		m = map[string]string{}
	}
	m["transient"] = "true"
	return m
}

func normType(t string) string {
	if t == "system" {
		return ""
	}
	return t
}

// EnsurePort creates the port and its interface on spec.Bridge, or brings
// an existing one to spec. A port of that name on another bridge is an
// error matching ErrConflict; a missing bridge matches ErrNotFound.
func (t *Txn) EnsurePort(spec PortSpec) *Txn {
	if err := spec.validate(); err != nil {
		t.fail(err)
		return t
	}
	if _, ok := t.newPorts[spec.Name]; ok {
		t.fail(invalid("port name", spec.Name, "port ensured twice in one transaction"))
		return t
	}
	if t.gonePorts[spec.Name] {
		t.fail(invalid("port name", spec.Name, "port deleted and ensured in one transaction"))
		return t
	}
	var brUUID, brNamed string
	if nu, ok := t.newBridges[spec.Bridge]; ok {
		brNamed = nu
	} else if b := t.c.bridgeByName(spec.Bridge); b != nil && !t.goneBridges[spec.Bridge] {
		brUUID = b.UUID
	} else {
		t.fail(fmt.Errorf("ovsdb: port %q: bridge %q: %w", spec.Name, spec.Bridge, ErrNotFound))
		return t
	}
	p := t.c.portByName(spec.Name)
	if p == nil {
		t.insertPort(spec, brUUID, brNamed)
		return t
	}
	if b := t.c.bridgeOfPort(p.UUID); b == nil || b.Name != spec.Bridge {
		on := "no bridge"
		if b != nil {
			on = fmt.Sprintf("bridge %q", b.Name)
		}
		t.fail(fmt.Errorf("ovsdb: port %q is on %s, not on bridge %q: %w", spec.Name, on, spec.Bridge, ErrConflict))
		return t
	}
	var iface *vs.Interface
	for _, iu := range p.Interfaces {
		if i, _ := t.c.row(vs.InterfaceTable, iu).(*vs.Interface); i != nil && i.Name == spec.Name {
			iface = i
		}
	}
	if iface == nil || len(p.Interfaces) != 1 {
		t.fail(fmt.Errorf("ovsdb: port %q does not have exactly one interface named %q: %w", spec.Name, spec.Name, ErrConflict))
		return t
	}
	// interface
	row := libovsdb.Row{}
	if spec.Type != "" && normType(spec.Type) != normType(iface.Type) {
		row["type"] = normType(spec.Type)
	}
	if spec.MTURequest > 0 && (iface.MTURequest == nil || *iface.MTURequest != spec.MTURequest) {
		row["mtu_request"] = optional(spec.MTURequest, true)
	}
	opSet, opDel := mapDiff(iface.Options, spec.Options, spec.RemoveOptions)
	eiSet, eiDel := mapDiff(iface.ExternalIDs, spec.ExternalIDs, spec.RemoveExternalIDs)
	iexp := expectation{table: vs.InterfaceTable, uuid: iface.UUID, opIndex: -1, check: func(m model.Model) bool {
		i := m.(*vs.Interface)
		return (spec.Type == "" || normType(i.Type) == normType(spec.Type)) &&
			(spec.MTURequest == 0 || (i.MTURequest != nil && *i.MTURequest == spec.MTURequest)) &&
			mapHolds(i.Options, opSet, opDel) && mapHolds(i.ExternalIDs, eiSet, eiDel)
	}}
	if len(row) > 0 {
		t.add(libovsdb.Operation{Op: libovsdb.OperationUpdate, Table: vs.InterfaceTable, Where: whereUUID(iface.UUID), Row: row},
			fmt.Sprintf("update Interface %q", spec.Name), iexp)
	}
	if ms := append(mapMutations("options", opSet, opDel), mapMutations("external_ids", eiSet, eiDel)...); len(ms) > 0 {
		t.add(libovsdb.Operation{Op: libovsdb.OperationMutate, Table: vs.InterfaceTable, Where: whereUUID(iface.UUID), Mutations: ms},
			fmt.Sprintf("mutate Interface %q", spec.Name), iexp)
	}
	// port
	pocSet, pocDel := mapDiff(p.OtherConfig, spec.portOtherConfig(), spec.RemovePortOtherConfig)
	peiSet, _ := mapDiff(p.ExternalIDs, spec.PortExternalIDs, nil)
	if ms := append(mapMutations("other_config", pocSet, pocDel), mapMutations("external_ids", peiSet, nil)...); len(ms) > 0 {
		t.add(libovsdb.Operation{Op: libovsdb.OperationMutate, Table: vs.PortTable, Where: whereUUID(p.UUID), Mutations: ms},
			fmt.Sprintf("mutate Port %q", spec.Name),
			expectation{table: vs.PortTable, uuid: p.UUID, opIndex: -1, check: func(m model.Model) bool {
				np := m.(*vs.Port)
				return mapHolds(np.OtherConfig, pocSet, pocDel) && mapHolds(np.ExternalIDs, peiSet, nil)
			}})
	}
	return t
}

func (t *Txn) insertPort(spec PortSpec, brUUID, brNamed string) {
	ifU, portU := t.namedUUID(), t.namedUUID()
	irow := libovsdb.Row{
		"name":         spec.Name,
		"type":         normType(spec.Type),
		"options":      ovsMap(spec.Options),
		"external_ids": ovsMap(withOwner(spec.ExternalIDs, t.c.owner)),
	}
	if spec.MTURequest > 0 {
		irow["mtu_request"] = optional(spec.MTURequest, true)
	}
	t.add(libovsdb.Operation{Op: libovsdb.OperationInsert, Table: vs.InterfaceTable, UUIDName: ifU, Row: irow},
		fmt.Sprintf("insert Interface %q", spec.Name), expectation{table: vs.InterfaceTable, opIndex: -1})
	portIdx := t.add(libovsdb.Operation{Op: libovsdb.OperationInsert, Table: vs.PortTable, UUIDName: portU, Row: libovsdb.Row{
		"name":         spec.Name,
		"interfaces":   ovsUUIDs(ifU),
		"other_config": ovsMap(spec.portOtherConfig()),
		"external_ids": ovsMap(withOwner(spec.PortExternalIDs, t.c.owner)),
	}}, fmt.Sprintf("insert Port %q", spec.Name), expectation{table: vs.PortTable, opIndex: -1})
	t.attachPort(spec.Bridge, brUUID, brNamed, portU, portIdx)
	if t.newPorts == nil {
		t.newPorts = map[string]newPort{}
	}
	t.newPorts[spec.Name] = newPort{uuid: portU, bridge: spec.Bridge}
}

// attachPort adds a port to a bridge's ports, coalescing every port added
// to the same bridge in this transaction into one operation.
func (t *Txn) attachPort(brName, brUUID, brNamed, portU string, portIdx int) {
	key := brUUID + brNamed
	if i, ok := t.attachOp[key]; ok {
		op := &t.ops[i]
		if op.Op == libovsdb.OperationInsert {
			s := op.Row["ports"].(libovsdb.OvsSet)
			s.GoSet = append(s.GoSet, libovsdb.UUID{GoUUID: portU})
			op.Row["ports"] = s
		} else {
			s := op.Mutations[0].Value.(libovsdb.OvsSet)
			s.GoSet = append(s.GoSet, libovsdb.UUID{GoUUID: portU})
			op.Mutations[0].Value = s
			e := &t.expects[t.attachExp[key]]
			e.refsHave = append(e.refsHave, portIdx)
		}
		return
	}
	if t.attachOp == nil {
		t.attachOp = map[string]int{}
	}
	if brNamed != "" {
		for i := range t.ops {
			if t.ops[i].Op == libovsdb.OperationInsert && t.ops[i].UUIDName == brNamed {
				t.attachOp[key] = i
				t.attachPort(brName, brUUID, brNamed, portU, portIdx)
				return
			}
		}
	}
	if t.attachExp == nil {
		t.attachExp = map[string]int{}
	}
	t.attachExp[key] = len(t.expects)
	t.attachOp[key] = t.add(libovsdb.Operation{Op: libovsdb.OperationMutate, Table: vs.BridgeTable, Where: whereUUID(brUUID),
		Mutations: []libovsdb.Mutation{{Column: "ports", Mutator: libovsdb.MutateOperationInsert, Value: ovsUUIDs(portU)}}},
		fmt.Sprintf("add ports to Bridge %q", brName),
		expectation{table: vs.BridgeTable, uuid: brUUID, opIndex: -1, refs: bridgePorts, refsHave: []int{portIdx}})
}

// DeletePort deletes the port and its interfaces from whatever bridge holds
// it. A port that does not exist is not an error: nothing is done.
func (t *Txn) DeletePort(name string) *Txn {
	if err := ifname.Validate(name); err != nil {
		t.fail(&ValidationError{Field: "port name", Value: name, Err: err})
		return t
	}
	if _, ok := t.newPorts[name]; ok {
		t.fail(invalid("port name", name, "port ensured and deleted in one transaction"))
		return t
	}
	p := t.c.portByName(name)
	if p == nil || t.gonePorts[name] {
		return t
	}
	if b := t.c.bridgeOfPort(p.UUID); b != nil && !t.goneBridges[b.Name] && b.Name == name {
		t.fail(fmt.Errorf("ovsdb: port %q is the local port of bridge %q; delete the bridge instead: %w", name, b.Name, ErrConflict))
		return t
	} else if b != nil && !t.goneBridges[b.Name] {
		t.add(libovsdb.Operation{Op: libovsdb.OperationMutate, Table: vs.BridgeTable, Where: whereUUID(b.UUID),
			Mutations: []libovsdb.Mutation{{Column: "ports", Mutator: libovsdb.MutateOperationDelete, Value: ovsUUIDs(p.UUID)}}},
			fmt.Sprintf("remove Port %q from Bridge %q", name, b.Name),
			expectation{table: vs.BridgeTable, uuid: b.UUID, opIndex: -1, refs: bridgePorts, refsLack: []string{p.UUID}})
	} else if b != nil {
		return t // already going with its bridge
	}
	t.deletePortRows(p)
	return t
}

// EnsurePort creates the port or brings it to spec in its own transaction,
// and reports whether anything changed.
func (c *Client) EnsurePort(ctx context.Context, spec PortSpec) (bool, error) {
	r, err := c.single(ctx, func(t *Txn) { t.EnsurePort(spec) })
	return r.Changed, err
}

// DeletePort deletes the port and its interfaces, and reports whether it
// existed.
func (c *Client) DeletePort(ctx context.Context, name string) (bool, error) {
	r, err := c.single(ctx, func(t *Txn) { t.DeletePort(name) })
	return r.Changed, err
}

// Port returns the port called name with its interface, from the cache, or
// an error matching ErrNotFound.
func (c *Client) Port(ctx context.Context, name string) (Port, error) {
	if err := ifname.Validate(name); err != nil {
		return Port{}, &ValidationError{Field: "port name", Value: name, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return Port{}, err
	}
	p := c.portByName(name)
	if p == nil {
		return Port{}, fmt.Errorf("ovsdb: port %q: %w", name, ErrNotFound)
	}
	out := Port{UUID: p.UUID, Name: p.Name, PortExternalIDs: maps.Clone(p.ExternalIDs), PortOtherConfig: maps.Clone(p.OtherConfig)}
	if b := c.bridgeOfPort(p.UUID); b != nil {
		out.Bridge = b.Name
	}
	if i := c.ifaceByName(name); i != nil {
		out.Type = i.Type
		out.Options = maps.Clone(i.Options)
		out.ExternalIDs = maps.Clone(i.ExternalIDs)
		if i.MTURequest != nil {
			out.MTURequest = *i.MTURequest
		}
		if i.Ofport != nil {
			out.OFPort = *i.Ofport
		}
		if i.Error != nil {
			out.Error = *i.Error
		}
	}
	return out, nil
}
