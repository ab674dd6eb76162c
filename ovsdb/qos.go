// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ovn-kubernetes/libovsdb/model"
	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/ovsoffload/ovsoffload/internal/ifname"
	vs "github.com/ovsoffload/ovsoffload/ovsdb/internal/vswitchmodel"
)

// QoSSpec is a port's QoS row (the QoS table, referenced by Port.qos), as
// OVN-Kubernetes' CNI creates for a pod's ingress bandwidth:
// type=linux-htb other_config:max-rate=BPS external_ids:sandbox=ID.
// Its Queue rows are set with SetPortQueues.
type QoSSpec struct {
	// Type is the QoS type ("linux-htb", "linux-hfsc", "egress-policer",
	// ...); required.
	Type string
	// OtherConfig holds the type's settings, such as "max-rate" (bits/s).
	OtherConfig map[string]string
	// ExternalIDs label the row (OVN-Kubernetes: "sandbox").
	ExternalIDs map[string]string
}

func (q QoSSpec) validate() error {
	if q.Type == "" || strings.ContainsFunc(q.Type, func(r rune) bool { return r <= ' ' || r == 0x7f }) || len(q.Type) > 64 {
		return invalid("qos type", q.Type, "want a QoS type such as linux-htb")
	}
	if err := validateKeys("qos other_config", q.OtherConfig); err != nil {
		return err
	}
	return validateKeys("qos external_ids", q.ExternalIDs)
}

func qosSpecOf(r *vs.QoS) QoSSpec {
	return QoSSpec{Type: r.Type, OtherConfig: nonNil(maps.Clone(r.OtherConfig)), ExternalIDs: nonNil(maps.Clone(r.ExternalIDs))}
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func (q QoSSpec) equal(r QoSSpec) bool {
	return q.Type == r.Type && maps.Equal(nonNil(q.OtherConfig), nonNil(r.OtherConfig)) && maps.Equal(nonNil(q.ExternalIDs), nonNil(r.ExternalIDs))
}

// qosUsers returns the names of the ports whose qos is uuid.
func (c *Client) qosUsers(uuid string) []string {
	var out []string
	for _, m := range c.ovs.Cache().Table(vs.PortTable).RowsShallow() {
		p := m.(*vs.Port)
		if p.QOS != nil && *p.QOS == uuid {
			out = append(out, p.Name)
		}
	}
	return out
}

// SetPortQoS gives the port called name the QoS q, or none when q is nil.
// A QoS row used by this port alone is changed in place or, when q is nil,
// deleted with the reference; a row shared with other ports is left to
// them and a new one is made. Nothing is sent when the port already has q.
// ErrNotFound when there is no such port.
func (t *Txn) SetPortQoS(name string, q *QoSSpec) *Txn {
	if err := ifname.Validate(name); err != nil {
		t.fail(&ValidationError{Field: "port name", Value: name, Err: err})
		return t
	}
	if q != nil {
		if err := q.validate(); err != nil {
			t.fail(err)
			return t
		}
	}
	p := t.c.portByName(name)
	if p == nil {
		t.fail(fmt.Errorf("ovsdb: port %q: %w", name, ErrNotFound))
		return t
	}
	var cur *vs.QoS
	own := false
	if p.QOS != nil {
		if m := t.c.row(vs.QoSTable, *p.QOS); m != nil {
			cur = m.(*vs.QoS)
			users := t.c.qosUsers(cur.UUID)
			own = len(users) == 1 && users[0] == name
		}
	}
	portQoS := func(m model.Model) []string {
		if u := m.(*vs.Port).QOS; u != nil {
			return []string{*u}
		}
		return nil
	}
	switch {
	case q == nil && p.QOS == nil:
		return t
	case q == nil:
		old := *p.QOS
		t.add(libovsdb.Operation{Op: libovsdb.OperationUpdate, Table: vs.PortTable, Where: whereUUID(p.UUID),
			Row: libovsdb.Row{"qos": libovsdb.OvsSet{GoSet: []any{}}}},
			fmt.Sprintf("clear Port %q qos", name),
			expectation{table: vs.PortTable, uuid: p.UUID, opIndex: -1, check: func(m model.Model) bool { return m.(*vs.Port).QOS == nil }})
		if own {
			t.add(libovsdb.Operation{Op: libovsdb.OperationDelete, Table: vs.QoSTable, Where: whereUUID(old)},
				fmt.Sprintf("delete the QoS of Port %q", name),
				expectation{table: vs.QoSTable, uuid: old, opIndex: -1, gone: true})
			// Queue rows are roots: delete those only this QoS held.
			for _, id := range slices.Sorted(maps.Keys(cur.Queues)) {
				u := cur.Queues[id]
				if t.c.queueUsers(u) == 1 && t.c.row(vs.QueueTable, u) != nil {
					t.add(libovsdb.Operation{Op: libovsdb.OperationDelete, Table: vs.QueueTable, Where: whereUUID(u)},
						fmt.Sprintf("delete queue %d of the QoS of Port %q", id, name),
						expectation{table: vs.QueueTable, uuid: u, opIndex: -1, gone: true})
				}
			}
		}
		return t
	case cur != nil && qosSpecOf(cur).equal(*q):
		return t
	}
	want := QoSSpec{Type: q.Type, OtherConfig: nonNil(maps.Clone(q.OtherConfig)), ExternalIDs: nonNil(maps.Clone(q.ExternalIDs))}
	row := libovsdb.Row{"type": want.Type, "other_config": ovsMap(want.OtherConfig), "external_ids": ovsMap(want.ExternalIDs)}
	if cur != nil && own {
		t.add(libovsdb.Operation{Op: libovsdb.OperationUpdate, Table: vs.QoSTable, Where: whereUUID(cur.UUID), Row: row},
			fmt.Sprintf("update the QoS of Port %q", name),
			expectation{table: vs.QoSTable, uuid: cur.UUID, opIndex: -1, check: func(m model.Model) bool { return qosSpecOf(m.(*vs.QoS)).equal(want) }})
		return t
	}
	named := t.namedUUID()
	ins := t.add(libovsdb.Operation{Op: libovsdb.OperationInsert, Table: vs.QoSTable, UUIDName: named, Row: row},
		fmt.Sprintf("insert a QoS for Port %q", name), expectation{table: vs.QoSTable, opIndex: -1})
	t.add(libovsdb.Operation{Op: libovsdb.OperationUpdate, Table: vs.PortTable, Where: whereUUID(p.UUID),
		Row: libovsdb.Row{"qos": ovsUUIDs(named)}},
		fmt.Sprintf("set Port %q qos", name),
		expectation{table: vs.PortTable, uuid: p.UUID, opIndex: -1, refs: portQoS, refsHave: []int{ins}})
	return t
}

// SetPortQoS sets or clears a port's QoS in its own transaction. See
// Txn.SetPortQoS.
func (c *Client) SetPortQoS(ctx context.Context, name string, q *QoSSpec) (bool, error) {
	r, err := c.single(ctx, func(t *Txn) { t.SetPortQoS(name, q) })
	return r.Changed, err
}

// PortQoS returns the QoS of the port called name, nil when it has none
// (ErrNotFound when there is no such port).
func (c *Client) PortQoS(ctx context.Context, name string) (*QoSSpec, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := c.portByName(name)
	if p == nil {
		return nil, fmt.Errorf("ovsdb: port %q: %w", name, ErrNotFound)
	}
	if p.QOS == nil {
		return nil, nil
	}
	m := c.row(vs.QoSTable, *p.QOS)
	if m == nil {
		return nil, fmt.Errorf("ovsdb: port %q: its QoS row %s is not in the cache: %w", name, *p.QOS, ErrNotFound)
	}
	s := qosSpecOf(m.(*vs.QoS))
	return &s, nil
}
