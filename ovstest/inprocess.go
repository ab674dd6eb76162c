// SPDX-License-Identifier: Apache-2.0

package ovstest

import (
	"context"
	"path/filepath"
	"time"

	"github.com/go-logr/logr"
	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/database/inmemory"
	"github.com/ovn-kubernetes/libovsdb/model"
	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"
	"github.com/ovn-kubernetes/libovsdb/server"

	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// StartInProcessDB serves the Open_vSwitch schema from libovsdb's in-memory
// server inside the test process, on a unix socket under t.TempDir(), and
// returns its endpoint ("unix:<path>"). The database holds the Open_vSwitch
// root row, as "ovs-vsctl init" would leave it, with ovs_version 3.1.0.
//
// It is for fast unit tests of code that talks OVSDB. It is not ovsdb-server:
// it has no ovs-vswitchd behind it (nothing fills ofport or status), and
// libovsdb's server differs from the real one in corner cases. It also keeps
// monitoring clients that disconnected and logs, through the standard
// logger, each update it then fails to send them. Integration tests use
// StartDB or StartSwitch.
func StartInProcessDB(t TB) string {
	t.Helper()
	clientModel, err := ovsdb.VSwitchModel()
	if err != nil {
		t.Fatalf("ovstest: %v", err)
	}
	schema := ovsdb.VSwitchSchema()
	logger := logr.Discard()
	db := inmemory.NewDatabase(map[string]model.ClientDBModel{schema.Name: clientModel}, &logger)
	dbModel, errs := model.NewDatabaseModel(schema, clientModel)
	if len(errs) > 0 {
		t.Fatalf("ovstest: %v", errs)
	}
	srv, err := server.NewOvsdbServer(db, &logger, dbModel)
	if err != nil {
		t.Fatalf("ovstest: %v", err)
	}
	sock := filepath.Join(shortTempDir(t), "inprocess.sock")
	served := make(chan error, 1)
	go func() { served <- srv.Serve("unix", sock) }()
	t.Cleanup(func() {
		srv.Close()
		<-served
	})
	deadline := time.Now().Add(StartTimeout)
	for !srv.Ready() {
		select {
		case err := <-served:
			t.Fatalf("ovstest: in-process OVSDB server: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("ovstest: in-process OVSDB server did not start")
		}
		time.Sleep(2 * time.Millisecond)
	}
	endpoint := "unix:" + sock
	seedRoot(t, endpoint, clientModel)
	return endpoint
}

// seedRoot inserts the Open_vSwitch root row.
func seedRoot(t TB, endpoint string, clientModel model.ClientDBModel) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	c, err := client.NewOVSDBClient(clientModel, client.WithEndpoint(endpoint))
	if err != nil {
		t.Fatalf("ovstest: %v", err)
	}
	if err := c.Connect(ctx); err != nil {
		t.Fatalf("ovstest: connecting to the in-process server: %v", err)
	}
	defer c.Close()
	set := func(vals ...string) libovsdb.OvsSet {
		s, err := libovsdb.NewOvsSet(vals)
		if err != nil {
			t.Fatalf("ovstest: %v", err)
		}
		return s
	}
	res, err := c.Transact(ctx, libovsdb.Operation{
		Op: libovsdb.OperationInsert, Table: "Open_vSwitch",
		Row: libovsdb.Row{
			"ovs_version":    set("3.1.0"),
			"db_version":     set(ovsdb.VSwitchSchema().Version),
			"datapath_types": set("netdev", "system"),
			"iface_types":    set("erspan", "geneve", "gre", "internal", "patch", "system", "tap", "vxlan"),
		},
	})
	if err == nil {
		_, err = libovsdb.CheckOperationResults(res, []libovsdb.Operation{{Op: libovsdb.OperationInsert}})
	}
	if err != nil {
		t.Fatalf("ovstest: seeding the Open_vSwitch row: %v", err)
	}
}

// Dial connects an ovsdb.Client to endpoint for the test and closes it when
// the test ends.
func Dial(t TB, endpoint string) *ovsdb.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	c, err := ovsdb.Dial(ctx, endpoint)
	if err != nil {
		t.Fatalf("ovstest: dialing %s: %v", endpoint, err)
	}
	t.Cleanup(c.Close)
	return c
}

// DialInProcess starts an in-process OVSDB server (StartInProcessDB) and
// returns a client connected to it.
func DialInProcess(t TB) *ovsdb.Client {
	t.Helper()
	return Dial(t, StartInProcessDB(t))
}
