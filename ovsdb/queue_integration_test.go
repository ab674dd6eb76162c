// SPDX-License-Identifier: Apache-2.0

package ovsdb_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// TestIntegrationPortQueues sets a linux-htb QoS's queues on a real
// ovsdb-server, as OVN-Kubernetes' bandwidth code does with
// "ovs-vsctl create queue": read back and seen by ovs-vsctl, set again (no
// change), changed in place, one dropped (its row deleted), a shared QoS
// refused, cleared, and the queues deleted with their QoS; FindQoS finds
// the rows by external_ids, including one left without a port, and DeleteQoS
// removes it and a used one (its port's reference and its queue with it).
func TestIntegrationPortQueues(t *testing.T) {
	db := startRealDB(t)
	db.Vsctl(t, "add-br", "br0", "--", "add-port", "br0", "p1", "--", "add-port", "br0", "p2")
	c := dialT(t, db.Endpoint())
	ctx := ctxT(t, 30*time.Second)
	count := func() int {
		out := strings.TrimSpace(db.Vsctl(t, "--columns=_uuid", "--bare", "list", "queue"))
		if out == "" {
			return 0
		}
		return len(strings.Fields(out))
	}
	if _, err := c.SetPortQueues(ctx, "p1", map[int]ovsdb.QueueSpec{0: {}}); !errors.Is(err, ovsdb.ErrNotFound) {
		t.Errorf("queues without a QoS: %v", err)
	}
	if _, err := c.SetPortQoS(ctx, "p1", &ovsdb.QoSSpec{Type: "linux-htb", ExternalIDs: map[string]string{"sandbox": "s1"}}); err != nil {
		t.Fatal(err)
	}
	dscp := 10
	want := map[int]ovsdb.QueueSpec{
		0: {OtherConfig: map[string]string{"max-rate": "1000000"}},
		7: {DSCP: &dscp, OtherConfig: map[string]string{"min-rate": "500"}, ExternalIDs: map[string]string{"k": "v"}},
	}
	if changed, err := c.SetPortQueues(ctx, "p1", want); err != nil || !changed {
		t.Fatalf("SetPortQueues: %v, %v", changed, err)
	}
	got, err := c.PortQueues(ctx, "p1")
	if err != nil || len(got) != 2 || got[0].OtherConfig["max-rate"] != "1000000" || got[7].DSCP == nil || *got[7].DSCP != 10 || got[7].ExternalIDs["k"] != "v" {
		t.Fatalf("read after write: %+v, %v", got, err)
	}
	qos := strings.TrimSpace(db.Vsctl(t, "get", "port", "p1", "qos"))
	if s := db.Vsctl(t, "get", "queue", strings.TrimSpace(db.Vsctl(t, "get", "qos", qos, "queues:7")), "dscp"); strings.TrimSpace(s) != "10" {
		t.Errorf("ovs-vsctl reads queue 7 dscp %q", s)
	}
	if changed, err := c.SetPortQueues(ctx, "p1", want); err != nil || changed {
		t.Errorf("same queues again: %v, %v", changed, err)
	}
	q7 := strings.TrimSpace(db.Vsctl(t, "get", "qos", qos, "queues:7"))
	want[7].OtherConfig["min-rate"] = "600"
	delete(want, 0)
	if _, err := c.SetPortQueues(ctx, "p1", want); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Errorf("%d Queue rows after dropping queue 0, want 1", n)
	}
	if s := strings.TrimSpace(db.Vsctl(t, "get", "qos", qos, "queues:7")); s != q7 {
		t.Errorf("queue 7 was replaced (%s, was %s), not changed in place", s, q7)
	}
	if s := db.Vsctl(t, "get", "queue", q7, "other_config:min-rate"); strings.TrimSpace(s) != `"600"` {
		t.Errorf("ovs-vsctl reads min-rate %s", s)
	}
	rows, err := c.FindQoS(ctx, "sandbox", "s1")
	if err != nil || len(rows) != 1 || rows[0].UUID != qos || len(rows[0].Ports) != 1 || rows[0].Ports[0] != "p1" || rows[0].Type != "linux-htb" {
		t.Errorf("FindQoS sandbox=s1: %+v, %v", rows, err)
	}
	if rows, err := c.FindQoS(ctx, "sandbox", "other"); err != nil || len(rows) != 0 {
		t.Errorf("FindQoS sandbox=other: %+v, %v", rows, err)
	}
	// Shared with p2: refused, nothing sent.
	db.Vsctl(t, "set", "port", "p2", "qos="+qos)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if q, _ := c.PortQoS(ctx, "p2"); q != nil || time.Now().After(deadline) {
			break
		}
	}
	if _, err := c.SetPortQueues(ctx, "p1", nil); !errors.Is(err, ovsdb.ErrConflict) {
		t.Errorf("shared QoS: %v", err)
	}
	db.Vsctl(t, "clear", "port", "p2", "qos")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if q, _ := c.PortQoS(ctx, "p2"); q == nil || time.Now().After(deadline) {
			break
		}
	}
	for _, bad := range []map[int]ovsdb.QueueSpec{{-1: {}}, {1: {DSCP: new(64)}}, {1: {OtherConfig: map[string]string{"": "1"}}}} {
		var ve *ovsdb.ValidationError
		if _, err := c.SetPortQueues(ctx, "p1", bad); !errors.As(err, &ve) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if changed, err := c.SetPortQueues(ctx, "p1", nil); err != nil || !changed {
		t.Fatalf("clearing: %v, %v", changed, err)
	}
	if n := count(); n != 0 {
		t.Errorf("%d Queue rows after clearing, want 0", n)
	}
	if changed, err := c.SetPortQueues(ctx, "p1", map[int]ovsdb.QueueSpec{1: {}}); err != nil || !changed {
		t.Fatal(changed, err)
	}
	// Clearing the QoS deletes the queues only it held.
	if _, err := c.SetPortQoS(ctx, "p1", nil); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Errorf("%d Queue rows left after the QoS went, want 0", n)
	}
	// A QoS row without a port (its port deleted) is still found.
	db.Vsctl(t, "create", "qos", "type=linux-htb", "external_ids:sandbox=orphan")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		rows, err := c.FindQoS(ctx, "sandbox", "")
		if err == nil && len(rows) == 1 && rows[0].ExternalIDs["sandbox"] == "orphan" && len(rows[0].Ports) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("FindQoS sandbox=*: %+v, %v", rows, err)
		}
	}
	// DeleteQoS removes the orphan, and a used row with its port's
	// reference and its queue.
	orphan, _ := c.FindQoS(ctx, "sandbox", "orphan")
	if changed, err := c.DeleteQoS(ctx, orphan[0].UUID); err != nil || !changed {
		t.Fatalf("DeleteQoS orphan: %v, %v", changed, err)
	}
	if changed, err := c.DeleteQoS(ctx, orphan[0].UUID); err != nil || changed {
		t.Errorf("DeleteQoS again: %v, %v", changed, err)
	}
	if _, err := c.SetPortQoS(ctx, "p2", &ovsdb.QoSSpec{Type: "linux-htb", ExternalIDs: map[string]string{"sandbox": "s2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetPortQueues(ctx, "p2", map[int]ovsdb.QueueSpec{3: {}}); err != nil {
		t.Fatal(err)
	}
	used, _ := c.FindQoS(ctx, "sandbox", "s2")
	if len(used) != 1 {
		t.Fatalf("FindQoS s2: %+v", used)
	}
	if changed, err := c.DeleteQoS(ctx, used[0].UUID); err != nil || !changed {
		t.Fatalf("DeleteQoS used: %v, %v", changed, err)
	}
	if q, err := c.PortQoS(ctx, "p2"); err != nil || q != nil {
		t.Errorf("p2 after DeleteQoS: %+v, %v", q, err)
	}
	if n := count(); n != 0 {
		t.Errorf("%d Queue rows after DeleteQoS, want 0", n)
	}
	if out := strings.TrimSpace(db.Vsctl(t, "--columns=_uuid", "--bare", "list", "qos")); out != "" {
		t.Errorf("QoS rows left: %s", out)
	}
	if _, err := c.DeleteQoS(ctx, "not-a-uuid"); err == nil {
		t.Error("DeleteQoS of a non-UUID accepted")
	}
	if _, err := c.FindQoS(ctx, "", "x"); err == nil {
		t.Error("FindQoS with an empty key accepted")
	}
}

// TestIntegrationInterfacesByPortExternalIDs finds interfaces by the
// external_ids of their port on a real ovsdb-server, as OVN-Kubernetes'
// "find port external_ids:ovn-localnet-port" (key present, or a value).
func TestIntegrationInterfacesByPortExternalIDs(t *testing.T) {
	db := startRealDB(t)
	db.Vsctl(t, "add-br", "br0", "--", "add-port", "br0", "p1", "--", "add-port", "br0", "p2",
		"--", "set", "port", "p1", "external_ids:ovn-localnet-port=physnet1",
		"--", "set", "interface", "p2", "external_ids:ovn-localnet-port=onlyiface")
	c := dialT(t, db.Endpoint())
	ctx := ctxT(t, 30*time.Second)
	for _, tc := range []struct {
		q    map[string]string
		want string
	}{
		{map[string]string{"ovn-localnet-port": ""}, "p1"},
		{map[string]string{"ovn-localnet-port": "physnet1"}, "p1"},
		{map[string]string{"ovn-localnet-port": "other"}, ""},
	} {
		got, err := c.Interfaces(ctx, ovsdb.InterfaceQuery{PortExternalIDs: tc.q})
		var names []string
		for _, i := range got {
			names = append(names, i.Port)
		}
		if err != nil || strings.Join(names, ",") != tc.want {
			t.Errorf("%v: %v, %v, want %q", tc.q, names, err, tc.want)
		}
	}
	var ve *ovsdb.ValidationError
	if _, err := c.Interfaces(ctx, ovsdb.InterfaceQuery{PortExternalIDs: map[string]string{"": "x"}}); !errors.As(err, &ve) {
		t.Errorf("an empty key: %v", err)
	}
}

// TestIntegrationInterfaceMTURequest sets the MTU of a bridge's own
// internal interface on a real ovsdb-server (OVN-Kubernetes' hybrid
// overlay: "add-br BR -- set Interface BR mtu_request=N"), again (no
// change), cleared, and refuses an MTU out of range.
func TestIntegrationInterfaceMTURequest(t *testing.T) {
	db := startRealDB(t)
	db.Vsctl(t, "add-br", "br0")
	c := dialT(t, db.Endpoint())
	ctx := ctxT(t, 30*time.Second)
	mtu := 1400
	if changed, err := c.SetInterface(ctx, "br0", ovsdb.InterfaceSettings{MTURequest: &mtu}); err != nil || !changed {
		t.Fatalf("set: %v, %v", changed, err)
	}
	if s := strings.TrimSpace(db.Vsctl(t, "get", "interface", "br0", "mtu_request")); s != "1400" {
		t.Errorf("ovs-vsctl reads mtu_request %q", s)
	}
	if changed, err := c.SetInterface(ctx, "br0", ovsdb.InterfaceSettings{MTURequest: &mtu}); err != nil || changed {
		t.Errorf("again: %v, %v", changed, err)
	}
	zero := 0
	if changed, err := c.SetInterface(ctx, "br0", ovsdb.InterfaceSettings{MTURequest: &zero}); err != nil || !changed {
		t.Errorf("clear: %v, %v", changed, err)
	}
	if s := strings.TrimSpace(db.Vsctl(t, "get", "interface", "br0", "mtu_request")); s != "[]" {
		t.Errorf("after clearing, mtu_request %q", s)
	}
	for _, bad := range []int{-1, 65536} {
		var ve *ovsdb.ValidationError
		if _, err := c.SetInterface(ctx, "br0", ovsdb.InterfaceSettings{MTURequest: &bad}); !errors.As(err, &ve) {
			t.Errorf("%d: %v", bad, err)
		}
	}
}
