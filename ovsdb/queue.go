// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/ovn-kubernetes/libovsdb/model"
	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/ovsoffload/ovsoffload/internal/ifname"
	vs "github.com/ovsoffload/ovsoffload/ovsdb/internal/vswitchmodel"
)

// MaxQueueID is the largest queue number a QoS row accepts (the schema's
// bound on the keys of QoS.queues).
const MaxQueueID = 4294967295

// QueueSpec is one Queue row of a QoS (QoS.queues maps a queue number to
// it), as "ovs-vsctl -- --id=@q create queue other_config:max-rate=BPS"
// makes.
type QueueSpec struct {
	// DSCP, when not nil, is the DSCP value (0..63) the queue marks.
	DSCP *int
	// OtherConfig holds the queue's settings, such as "min-rate",
	// "max-rate", "burst", "priority" (linux-htb).
	OtherConfig map[string]string
	// ExternalIDs label the row.
	ExternalIDs map[string]string
}

func (q QueueSpec) validate(id int) error {
	if q.DSCP != nil && (*q.DSCP < 0 || *q.DSCP > 63) {
		return invalid("queue dscp", strconv.Itoa(*q.DSCP), "want 0..63 (queue %d)", id)
	}
	if err := validateKeys("queue other_config", q.OtherConfig); err != nil {
		return err
	}
	return validateKeys("queue external_ids", q.ExternalIDs)
}

func queueSpecOf(r *vs.Queue) QueueSpec {
	var d *int
	if r.DSCP != nil {
		v := *r.DSCP
		d = &v
	}
	return QueueSpec{DSCP: d, OtherConfig: nonNil(maps.Clone(r.OtherConfig)), ExternalIDs: nonNil(maps.Clone(r.ExternalIDs))}
}

func (q QueueSpec) equal(r QueueSpec) bool {
	if (q.DSCP == nil) != (r.DSCP == nil) || (q.DSCP != nil && *q.DSCP != *r.DSCP) {
		return false
	}
	return maps.Equal(nonNil(q.OtherConfig), nonNil(r.OtherConfig)) && maps.Equal(nonNil(q.ExternalIDs), nonNil(r.ExternalIDs))
}

func (q QueueSpec) row() libovsdb.Row {
	return libovsdb.Row{"dscp": optional(derefInt(q.DSCP), q.DSCP != nil),
		"other_config": ovsMap(nonNil(q.OtherConfig)), "external_ids": ovsMap(nonNil(q.ExternalIDs))}
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// queueUsers returns how many QoS rows refer to the Queue uuid.
func (c *Client) queueUsers(uuid string) int {
	n := 0
	for _, m := range c.ovs.Cache().Table(vs.QoSTable).RowsShallow() {
		for _, u := range m.(*vs.QoS).Queues {
			if u == uuid {
				n++
			}
		}
	}
	return n
}

// portQoSRow returns the QoS row of the port called name, and whether the
// port is its only user; errors are ValidationError or ErrNotFound.
func (c *Client) portQoSRow(name string) (*vs.QoS, bool, error) {
	if err := ifname.Validate(name); err != nil {
		return nil, false, &ValidationError{Field: "port name", Value: name, Err: err}
	}
	p := c.portByName(name)
	if p == nil {
		return nil, false, fmt.Errorf("ovsdb: port %q: %w", name, ErrNotFound)
	}
	if p.QOS == nil {
		return nil, false, fmt.Errorf("ovsdb: port %q has no QoS to hold queues: %w", name, ErrNotFound)
	}
	m := c.row(vs.QoSTable, *p.QOS)
	if m == nil {
		return nil, false, fmt.Errorf("ovsdb: port %q: its QoS row %s is not in the cache: %w", name, *p.QOS, ErrNotFound)
	}
	users := c.qosUsers(*p.QOS)
	return m.(*vs.QoS), len(users) == 1 && users[0] == name, nil
}

// SetPortQueues makes the queues of the QoS of the port called name exactly
// queues (queue number to spec); nil or empty clears them. A Queue row used
// by this QoS alone is changed in place, or deleted when its number goes; a
// row shared with another QoS is left to it and a new one is made. Nothing
// is sent when the queues already match. The port must have a QoS (see
// SetPortQoS; ErrNotFound otherwise) that no other port shares (ErrConflict:
// changing it would change their queues too).
func (t *Txn) SetPortQueues(name string, queues map[int]QueueSpec) *Txn {
	for id, q := range queues {
		if id < 0 || id > MaxQueueID {
			t.fail(invalid("queue number", strconv.Itoa(id), "want 0..%d", MaxQueueID))
			return t
		}
		if err := q.validate(id); err != nil {
			t.fail(err)
			return t
		}
	}
	qos, own, err := t.c.portQoSRow(name)
	if err != nil {
		t.fail(err)
		return t
	}
	if !own {
		t.fail(fmt.Errorf("ovsdb: port %q: its QoS %s is shared with ports %q: %w", name, qos.UUID, t.c.qosUsers(qos.UUID), ErrConflict))
		return t
	}
	type slot struct {
		uuid  string // existing row kept or updated; "" for an insert
		named string
		ins   int
	}
	ids := slices.Sorted(maps.Keys(queues))
	slots := make(map[int]*slot, len(queues))
	same := len(qos.Queues) == len(queues)
	for _, id := range ids {
		want := queues[id]
		cur, ok := qos.Queues[id]
		var row *vs.Queue
		if ok {
			if m := t.c.row(vs.QueueTable, cur); m != nil {
				row = m.(*vs.Queue)
			}
		}
		switch {
		case row != nil && queueSpecOf(row).equal(want):
			slots[id] = &slot{uuid: cur}
		case row != nil && t.c.queueUsers(cur) == 1:
			slots[id] = &slot{uuid: cur}
			same = false
			w := QueueSpec{DSCP: want.DSCP, OtherConfig: nonNil(maps.Clone(want.OtherConfig)), ExternalIDs: nonNil(maps.Clone(want.ExternalIDs))}
			t.add(libovsdb.Operation{Op: libovsdb.OperationUpdate, Table: vs.QueueTable, Where: whereUUID(cur), Row: w.row()},
				fmt.Sprintf("update queue %d of Port %q", id, name),
				expectation{table: vs.QueueTable, uuid: cur, opIndex: -1, check: func(m model.Model) bool { return queueSpecOf(m.(*vs.Queue)).equal(w) }})
		default:
			same = false
			named := t.namedUUID()
			w := QueueSpec{DSCP: want.DSCP, OtherConfig: nonNil(maps.Clone(want.OtherConfig)), ExternalIDs: nonNil(maps.Clone(want.ExternalIDs))}
			ins := t.add(libovsdb.Operation{Op: libovsdb.OperationInsert, Table: vs.QueueTable, UUIDName: named, Row: w.row()},
				fmt.Sprintf("insert queue %d for Port %q", id, name), expectation{table: vs.QueueTable, opIndex: -1})
			slots[id] = &slot{named: named, ins: ins}
		}
	}
	if same {
		return t
	}
	g := make(map[any]any, len(slots))
	var inserted []int
	for id, s := range slots {
		if s.uuid != "" {
			g[id] = libovsdb.UUID{GoUUID: s.uuid}
		} else {
			g[id] = libovsdb.UUID{GoUUID: s.named}
			inserted = append(inserted, s.ins)
		}
	}
	slices.Sort(inserted)
	wantIDs := ids
	t.add(libovsdb.Operation{Op: libovsdb.OperationUpdate, Table: vs.QoSTable, Where: whereUUID(qos.UUID),
		Row: libovsdb.Row{"queues": libovsdb.OvsMap{GoMap: g}}},
		fmt.Sprintf("set the queues of the QoS of Port %q", name),
		expectation{table: vs.QoSTable, uuid: qos.UUID, opIndex: -1,
			check: func(m model.Model) bool {
				return slices.Equal(slices.Sorted(maps.Keys(m.(*vs.QoS).Queues)), wantIDs)
			},
			refs: func(m model.Model) []string { return slices.Collect(maps.Values(m.(*vs.QoS).Queues)) }, refsHave: inserted})
	for _, id := range slices.Sorted(maps.Keys(qos.Queues)) {
		old := qos.Queues[id]
		if s, kept := slots[id]; kept && s.uuid == old {
			continue
		}
		if t.c.queueUsers(old) == 1 && t.c.row(vs.QueueTable, old) != nil {
			t.add(libovsdb.Operation{Op: libovsdb.OperationDelete, Table: vs.QueueTable, Where: whereUUID(old)},
				fmt.Sprintf("delete queue %d of Port %q", id, name),
				expectation{table: vs.QueueTable, uuid: old, opIndex: -1, gone: true})
		}
	}
	return t
}

// SetPortQueues sets or clears the queues of a port's QoS in its own
// transaction. See Txn.SetPortQueues.
func (c *Client) SetPortQueues(ctx context.Context, name string, queues map[int]QueueSpec) (bool, error) {
	r, err := c.single(ctx, func(t *Txn) { t.SetPortQueues(name, queues) })
	return r.Changed, err
}

// PortQueues returns the queues of the QoS of the port called name (empty
// when its QoS has none). ErrNotFound when there is no such port or it has
// no QoS.
func (c *Client) PortQueues(ctx context.Context, name string) (map[int]QueueSpec, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	qos, _, err := c.portQoSRow(name)
	if err != nil {
		return nil, err
	}
	out := make(map[int]QueueSpec, len(qos.Queues))
	for id, u := range qos.Queues {
		m := c.row(vs.QueueTable, u)
		if m == nil {
			return nil, fmt.Errorf("ovsdb: port %q: queue %d (row %s) is not in the cache: %w", name, id, u, ErrNotFound)
		}
		out[id] = queueSpecOf(m.(*vs.Queue))
	}
	return out, nil
}

// QoSRow is a QoS row found by FindQoS: its UUID, its settings and the
// ports that use it (none for a row left behind by a deleted port).
type QoSRow struct {
	// UUID is the row's UUID, what DeleteQoS takes.
	UUID string
	QoSSpec
	// Ports are the names of the ports whose qos is this row, sorted.
	Ports []string
}

// FindQoS returns the QoS rows whose external_ids hold key with value (any
// value when value is empty), sorted by UUID: what
// "ovs-vsctl find qos external_ids:sandbox=ID" gives OVN-Kubernetes.
func (c *Client) FindQoS(ctx context.Context, key, value string) ([]QoSRow, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := validateKeys("qos external_ids", map[string]string{key: value}); err != nil {
		return nil, err
	}
	var out []QoSRow
	for _, m := range c.ovs.Cache().Table(vs.QoSTable).RowsShallow() {
		r := m.(*vs.QoS)
		v, ok := r.ExternalIDs[key]
		if !ok || (value != "" && v != value) {
			continue
		}
		ports := c.qosUsers(r.UUID)
		slices.Sort(ports)
		out = append(out, QoSRow{UUID: r.UUID, QoSSpec: qosSpecOf(r), Ports: ports})
	}
	slices.SortFunc(out, func(a, b QoSRow) int { return strings.Compare(a.UUID, b.UUID) })
	return out, nil
}

// DeleteQoS deletes the QoS row uuid (as FindQoS returns it), first
// clearing the qos of the ports that use it, with the Queue rows only it
// holds: "ovs-vsctl --if-exists destroy qos UUID" for a row a deleted port
// left behind. Nothing is sent when there is no such row.
func (t *Txn) DeleteQoS(uuid string) *Txn {
	if !isUUID(uuid) {
		t.fail(invalid("qos uuid", uuid, "want a UUID"))
		return t
	}
	m := t.c.row(vs.QoSTable, uuid)
	if m == nil {
		return t
	}
	q := m.(*vs.QoS)
	ports := t.c.qosUsers(uuid)
	slices.Sort(ports)
	for _, name := range ports {
		p := t.c.portByName(name)
		if p == nil {
			continue
		}
		t.add(libovsdb.Operation{Op: libovsdb.OperationUpdate, Table: vs.PortTable, Where: whereUUID(p.UUID),
			Row: libovsdb.Row{"qos": libovsdb.OvsSet{GoSet: []any{}}}},
			fmt.Sprintf("clear Port %q qos", name),
			expectation{table: vs.PortTable, uuid: p.UUID, opIndex: -1, check: func(m model.Model) bool { return m.(*vs.Port).QOS == nil }})
	}
	t.add(libovsdb.Operation{Op: libovsdb.OperationDelete, Table: vs.QoSTable, Where: whereUUID(uuid)},
		fmt.Sprintf("delete QoS %s", uuid), expectation{table: vs.QoSTable, uuid: uuid, opIndex: -1, gone: true})
	for _, id := range slices.Sorted(maps.Keys(q.Queues)) {
		u := q.Queues[id]
		if t.c.queueUsers(u) == 1 && t.c.row(vs.QueueTable, u) != nil {
			t.add(libovsdb.Operation{Op: libovsdb.OperationDelete, Table: vs.QueueTable, Where: whereUUID(u)},
				fmt.Sprintf("delete queue %d of QoS %s", id, uuid),
				expectation{table: vs.QueueTable, uuid: u, opIndex: -1, gone: true})
		}
	}
	return t
}

// DeleteQoS deletes a QoS row in its own transaction. See Txn.DeleteQoS.
func (c *Client) DeleteQoS(ctx context.Context, uuid string) (bool, error) {
	r, err := c.single(ctx, func(t *Txn) { t.DeleteQoS(uuid) })
	return r.Changed, err
}

// isUUID reports whether s is a UUID in its 8-4-4-4-12 hexadecimal form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
				return false
			}
		}
	}
	return true
}
