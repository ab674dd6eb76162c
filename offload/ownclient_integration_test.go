// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/model"

	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// callerIface is a controller's own model of the Interface table, as
// OVN-Kubernetes generates its own: other types, fewer columns.
type callerIface struct {
	UUID        string            `ovsdb:"_uuid"`
	Name        string            `ovsdb:"name"`
	ExternalIDs map[string]string `ovsdb:"external_ids"`
}

// TestIntegrationPlugPodNextToCallersClient runs PlugPod on the library's
// client while a controller's own libovsdb client, with its own model and
// cache, monitors the same real ovsdb-server: the controller's cache sees
// the plug, and a rebinding the controller writes is not overwritten by a
// later PlugPod of another pod (ErrConflict).
func TestIntegrationPlugPodNextToCallersClient(t *testing.T) {
	db := ovstest.StartDB(t)
	db.Vsctl(t, "init")
	db.Vsctl(t, "add-br", "br-int")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	dbModel, err := model.NewClientDBModel("Open_vSwitch", map[string]model.Model{"Interface": &callerIface{}})
	if err != nil {
		t.Fatal(err)
	}
	logger := logr.Discard()
	theirs, err := client.NewOVSDBClient(dbModel, client.WithEndpoint(db.Endpoint()), client.WithLogger(&logger))
	if err != nil {
		t.Fatal(err)
	}
	if err := theirs.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	defer theirs.Close()
	if _, err := theirs.MonitorAll(ctx); err != nil {
		t.Fatal(err)
	}

	node := &Node{DB: ovstest.Dial(t, db.Endpoint())}
	if _, err := PlugPod(ctx, node, PodPort{Backend: None{}, IfaceID: "default_pod1", Representor: "pf0vf1", NoWait: true}); err != nil {
		t.Fatal(err)
	}
	var seen *callerIface
	for ctx.Err() == nil {
		var ifs []callerIface
		if err := theirs.WhereCache(func(i *callerIface) bool { return i.Name == "pf0vf1" }).List(ctx, &ifs); err != nil {
			t.Fatal(err)
		}
		if len(ifs) == 1 && ifs[0].ExternalIDs["iface-id"] == "default_pod1" {
			seen = &ifs[0]
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if seen == nil {
		t.Fatal("the controller's cache never showed the plugged port")
	}
	// The controller binds the port to another pod through its own client.
	seen.ExternalIDs = map[string]string{"iface-id": "default_pod2"}
	ops, err := theirs.Where(seen).Update(seen, &seen.ExternalIDs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := theirs.Transact(ctx, ops...); err != nil {
		t.Fatal(err)
	}
	for {
		p, err := node.DB.Port(ctx, "pf0vf1")
		if err == nil && p.ExternalIDs["iface-id"] == "default_pod2" {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the library's cache never showed the controller's write: %+v, %v", p, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	_, err = PlugPod(ctx, node, PodPort{Backend: None{}, IfaceID: "default_pod3", Representor: "pf0vf1", NoWait: true})
	if !errors.Is(err, ErrConflict) || !errors.Is(err, ovsdb.ErrConflict) {
		t.Fatalf("PlugPod onto the port the controller's client bound to default_pod2: %v, want ErrConflict", err)
	}
}
