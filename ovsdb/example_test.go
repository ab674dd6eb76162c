// SPDX-License-Identifier: Apache-2.0

package ovsdb_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/go-logr/logr"
	"github.com/ovn-kubernetes/libovsdb/database/inmemory"
	"github.com/ovn-kubernetes/libovsdb/model"
	"github.com/ovn-kubernetes/libovsdb/server"

	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// Example plugs a pod's representor into br-int on a DPU, sets the chassis
// keys OVN reads and turns hardware offload on, against a database server
// at endpoint (here an in-process one).
func Example() {
	ctx := context.Background()
	endpoint, stop := exampleServer()
	defer stop()

	c, err := ovsdb.Dial(ctx, endpoint, ovsdb.WithOwner("example"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	if _, err := c.Init(ctx); err != nil { // a fresh database has no Open_vSwitch row
		fmt.Println(err)
		return
	}

	// Several changes in one atomic transaction.
	tx := c.Txn().
		EnsureBridge(ovsdb.BridgeSpec{Name: "br-int", DatapathType: ovsdb.DatapathNetdev, FailMode: ovsdb.FailModeSecure}).
		EnsurePort(ovsdb.PortSpec{Bridge: "br-int", Name: "pf0vf3", Type: "dpdk",
			Options:     map[string]string{"dpdk-devargs": "0000:03:00.0,representor=[3]"},
			ExternalIDs: ovsdb.PodAttachment{IfaceID: "default_web-0", IfaceIDVer: "5c1d"}.ExternalIDs(),
			Transient:   true}).
		SetChassis(ovsdb.Chassis{SystemID: "dpu-1", EncapIPs: []netip.Addr{netip.MustParseAddr("192.168.1.10")},
			EncapType: "geneve", Remote: "ssl:10.0.0.1:6642"})
	res, err := tx.Commit(ctx)
	fmt.Println("changed:", res.Changed, err)

	// A read right after the write sees it.
	p, _ := c.Port(ctx, "pf0vf3")
	fmt.Println(p.Bridge, p.Type, p.ExternalIDs["iface-id"])

	// Idempotent: the same request again changes nothing.
	changed, _ := c.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br-int", Name: "pf0vf3", Type: "dpdk"})
	fmt.Println("changed again:", changed)

	on := true
	off, _ := c.SetOffload(ctx, ovsdb.OffloadSettings{HWOffload: &on, TCPolicy: ovsdb.TCPolicyNone})
	fmt.Println("restart ovs-vswitchd for:", off.RestartNeeded)

	_, err = c.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br-int", Name: "a-name-longer-than-15"})
	fmt.Println(err)
	// Output:
	// changed: true <nil>
	// br-int dpdk default_web-0
	// changed again: false
	// restart ovs-vswitchd for: [hw-offload tc-policy]
	// ovsdb: invalid port name "a-name-longer-than-15": invalid name: interface name "a-name-longer-than-15" is 21 bytes, longer than 15
}

// exampleServer starts libovsdb's in-process server with an initialised
// Open_vSwitch database; a real node uses "unix:/var/run/openvswitch/db.sock".
func exampleServer() (string, func()) {
	clientModel, _ := ovsdb.VSwitchModel()
	logger := logr.Discard()
	schema := ovsdb.VSwitchSchema()
	db := inmemory.NewDatabase(map[string]model.ClientDBModel{schema.Name: clientModel}, &logger)
	dbModel, _ := model.NewDatabaseModel(schema, clientModel)
	srv, _ := server.NewOvsdbServer(db, &logger, dbModel)
	dir, _ := os.MkdirTemp("", "ovsdb-example")
	sock := filepath.Join(dir, "db.sock")
	go func() { _ = srv.Serve("unix", sock) }()
	for !srv.Ready() {
		time.Sleep(time.Millisecond)
	}
	return "unix:" + sock, func() { srv.Close(); os.RemoveAll(dir) }
}
