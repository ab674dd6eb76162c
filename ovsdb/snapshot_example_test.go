// SPDX-License-Identifier: Apache-2.0

package ovsdb_test

import (
	"context"
	"fmt"

	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// ExampleClient_Restore takes a snapshot of a bridge before a risky change
// and puts everything back: the bridge with every column, its ports and
// interfaces, and an Open_vSwitch key.
func ExampleClient_Restore() {
	ctx := context.Background()
	endpoint, stop := exampleServer()
	defer stop()
	c, err := ovsdb.Dial(ctx, endpoint)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	if _, err := c.Init(ctx); err != nil {
		fmt.Println(err)
		return
	}
	setup := c.Txn().EnsureBridge(ovsdb.BridgeSpec{Name: "br0", FailMode: ovsdb.FailModeStandalone}).
		EnsurePort(ovsdb.PortSpec{Bridge: "br0", Name: "p0", ExternalIDs: map[string]string{"role": "uplink"}})
	if _, err := setup.Commit(ctx); err != nil {
		fmt.Println(err)
		return
	}

	snap, err := c.Snapshot(ctx, ovsdb.SnapshotScope{
		Bridges:  []string{"br0", "br1"},
		RootKeys: map[string][]string{"external_ids": {"system-id"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	change := c.Txn().DeleteBridge("br0").EnsureBridge(ovsdb.BridgeSpec{Name: "br1"}).
		SetMap(ovsdb.TableOpenvSwitch, "", "external_ids", map[string]string{"system-id": "dpu-1"}, nil)
	if _, err := change.Commit(ctx); err != nil {
		fmt.Println(err)
		return
	}
	diffs, _ := c.Compare(ctx, snap)
	fmt.Println(len(diffs) > 0, "differences after the change")

	changed, err := c.Restore(ctx, snap) // re-reads the database before it returns
	if err != nil {
		fmt.Println(err)
		return
	}
	br, _ := c.Bridge(ctx, "br0")
	p, _ := c.Port(ctx, "p0")
	fmt.Println(changed, br.FailMode, br.Ports, p.ExternalIDs["role"])
	// Output:
	// true differences after the change
	// true standalone [br0 p0] uplink
}
