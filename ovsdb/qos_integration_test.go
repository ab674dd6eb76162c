// SPDX-License-Identifier: Apache-2.0

package ovsdb_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// TestIntegrationPortQoS does what OVN-Kubernetes' CNI does for a pod's
// ingress bandwidth on a real ovsdb-server: a linux-htb QoS with max-rate
// and the sandbox id on the pod's port, read back, set again (no change),
// changed in place, shared with a second port, and cleared (the row goes
// with its last user).
func TestIntegrationPortQoS(t *testing.T) {
	db := startRealDB(t)
	db.Vsctl(t, "add-br", "br0", "--", "add-port", "br0", "p1", "--", "add-port", "br0", "p2")
	c := dialT(t, db.Endpoint())
	ctx := ctxT(t, 30*time.Second)
	count := func() int {
		out := strings.TrimSpace(db.Vsctl(t, "--columns=_uuid", "--bare", "list", "qos"))
		if out == "" {
			return 0
		}
		return len(strings.Fields(out))
	}

	spec := &ovsdb.QoSSpec{Type: "linux-htb", OtherConfig: map[string]string{"max-rate": "1000000"}, ExternalIDs: map[string]string{"sandbox": "abc"}}
	if changed, err := c.SetPortQoS(ctx, "p1", spec); err != nil || !changed {
		t.Fatalf("SetPortQoS: %v, %v", changed, err)
	}
	got, err := c.PortQoS(ctx, "p1")
	if err != nil || got == nil || got.Type != "linux-htb" || got.OtherConfig["max-rate"] != "1000000" || got.ExternalIDs["sandbox"] != "abc" {
		t.Fatalf("read after write: %+v, %v", got, err)
	}
	if s := db.Vsctl(t, "get", "qos", strings.TrimSpace(db.Vsctl(t, "get", "port", "p1", "qos")), "other_config:max-rate"); s != `"1000000"` {
		t.Errorf("ovs-vsctl reads max-rate %s", s)
	}
	if changed, err := c.SetPortQoS(ctx, "p1", spec); err != nil || changed {
		t.Errorf("same QoS again: %v, %v", changed, err)
	}
	spec.OtherConfig["max-rate"] = "2000000"
	if _, err := c.SetPortQoS(ctx, "p1", spec); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Errorf("%d QoS rows after a change in place, want 1", n)
	}
	// A row shared with p2 (as ovs-vsctl can make) is not changed for p1.
	db.Vsctl(t, "set", "port", "p2", "qos="+strings.TrimSpace(db.Vsctl(t, "get", "port", "p1", "qos")))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if q, _ := c.PortQoS(ctx, "p2"); q != nil || time.Now().After(deadline) {
			break // the cache sees p2's reference
		}
	}
	spec.OtherConfig["max-rate"] = "3000000"
	if _, err := c.SetPortQoS(ctx, "p1", spec); err != nil {
		t.Fatal(err)
	}
	if q, _ := c.PortQoS(ctx, "p2"); q == nil || q.OtherConfig["max-rate"] != "2000000" {
		t.Errorf("p2's shared QoS changed: %+v", q)
	}
	if n := count(); n != 2 {
		t.Errorf("%d QoS rows after un-sharing, want 2", n)
	}
	for _, p := range []string{"p1", "p2"} {
		if changed, err := c.SetPortQoS(ctx, p, nil); err != nil || !changed {
			t.Fatalf("clearing %s: %v, %v", p, changed, err)
		}
	}
	if n := count(); n != 0 {
		t.Errorf("%d QoS rows after clearing both ports, want 0", n)
	}
	if q, err := c.PortQoS(ctx, "p1"); err != nil || q != nil {
		t.Errorf("after clearing: %+v, %v", q, err)
	}
	if changed, err := c.SetPortQoS(ctx, "p1", nil); err != nil || changed {
		t.Errorf("clearing again: %v, %v", changed, err)
	}
	for _, bad := range []*ovsdb.QoSSpec{{}, {Type: "linux htb"}, {Type: "linux-htb", OtherConfig: map[string]string{"": "1"}}} {
		var ve *ovsdb.ValidationError
		if _, err := c.SetPortQoS(ctx, "p1", bad); !errors.As(err, &ve) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if _, err := c.SetPortQoS(ctx, "nope", spec); !errors.Is(err, ovsdb.ErrNotFound) {
		t.Errorf("missing port: %v", err)
	}
	if n := count(); n != 0 {
		t.Errorf("refused calls left %d QoS rows", n)
	}
}
