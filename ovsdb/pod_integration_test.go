// SPDX-License-Identifier: Apache-2.0

package ovsdb_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// TestIntegrationGuards runs the transaction guards against a real
// ovsdb-server, which (unlike the in-process server) refuses a wait
// operation without its rows member: RequirePortAbsent used to send
// "rows": [] that the JSON encoding dropped, a syntax error.
func TestIntegrationGuards(t *testing.T) {
	db := startRealDB(t)
	c := dialT(t, db.Endpoint())
	ctx := ctxT(t, 30*time.Second)
	if _, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br-int"}); err != nil {
		t.Fatal(err)
	}
	spec := ovsdb.PortSpec{Bridge: "br-int", Name: "pf0vf1", Type: "internal",
		ExternalIDs: map[string]string{"iface-id": "default_pod1", "sandbox": "sb1"}}
	if _, err := c.Txn().RequirePortAbsent("pf0vf1").EnsurePort(spec).Commit(ctx); err != nil {
		t.Fatalf("RequirePortAbsent of an absent port: %v", err)
	}
	if _, err := c.Txn().RequirePortAbsent("pf0vf1").SetMap(ovsdb.TableBridge, "br-int", "external_ids",
		map[string]string{"x": "y"}, nil).Commit(ctx); !errors.Is(err, ovsdb.ErrConflict) {
		t.Fatalf("RequirePortAbsent of a present port: %v, want ErrConflict", err)
	}
	if _, err := c.Txn().RequireBridge("br-int").RequireInterfaceExternalIDs("pf0vf1",
		map[string]string{"iface-id": "default_pod1", "sandbox": "sb1"}).Commit(ctx); err != nil {
		t.Fatalf("RequireInterfaceExternalIDs that hold: %v", err)
	}
	if _, err := c.Txn().RequireInterfaceExternalIDs("pf0vf1", map[string]string{"sandbox": "sb2"}).
		DeletePort("pf0vf1").Commit(ctx); !errors.Is(err, ovsdb.ErrConflict) {
		t.Fatalf("RequireInterfaceExternalIDs that do not hold: %v, want ErrConflict", err)
	}
	if _, err := c.Port(ctx, "pf0vf1"); err != nil {
		t.Fatalf("a refused guarded delete deleted: %v", err)
	}
	names, err := c.InterfacesByExternalID(ctx, "iface-id", "default_pod1")
	if err != nil || !slices.Equal(names, []string{"pf0vf1"}) {
		t.Fatalf("InterfacesByExternalID = %v, %v", names, err)
	}
}
