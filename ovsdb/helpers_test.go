// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/ovn-kubernetes/libovsdb/database/inmemory"
	"github.com/ovn-kubernetes/libovsdb/model"
	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"
	"github.com/ovn-kubernetes/libovsdb/server"

	vs "github.com/ovsoffload/ovsoffload/ovsdb/internal/vswitchmodel"
)

// startInProcess serves the vswitch schema from libovsdb's in-memory server
// on a unix socket and returns its endpoint, with an initialised
// Open_vSwitch row.
func startInProcess(t testing.TB) string {
	t.Helper()
	clientModel, err := vs.FullDatabaseModel()
	if err != nil {
		t.Fatal(err)
	}
	logger := logr.Discard()
	db := inmemory.NewDatabase(map[string]model.ClientDBModel{vs.Schema().Name: clientModel}, &logger)
	dbModel, errs := model.NewDatabaseModel(vs.Schema(), clientModel)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	srv, err := server.NewOvsdbServer(db, &logger, dbModel)
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "db.sock")
	go func() { _ = srv.Serve("unix", sock) }()
	t.Cleanup(srv.Close)
	deadline := time.Now().Add(5 * time.Second)
	for !srv.Ready() {
		if time.Now().After(deadline) {
			t.Fatal("in-process ovsdb server did not start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	ep := "unix:" + sock
	c := dial(t, ep)
	_, err = c.ovs.Transact(context.Background(), libovsdb.Operation{Op: libovsdb.OperationInsert, Table: vs.OpenvSwitchTable,
		Row: libovsdb.Row{"ovs_version": optional("3.1.0", true), "db_version": optional("8.3.1", true),
			"datapath_types": ovsStrings([]string{"netdev", "system"}), "iface_types": ovsStrings([]string{"internal", "system", "patch"})}})
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

func dial(t testing.TB, ep string, opts ...Option) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, ep, opts...)
	if err != nil {
		t.Fatalf("Dial(%s): %v", ep, err)
	}
	t.Cleanup(c.Close)
	return c
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
