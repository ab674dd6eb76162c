// SPDX-License-Identifier: Apache-2.0

package ovsdb_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// TestIntegrationSnapshotRestore gives a bridge a column of nearly every
// kind a plan could lose (protocols, fail_mode, other_config, external_ids,
// a mirror, NetFlow, sFlow, IPFIX, a controller; a port with tag, trunks,
// vlan_mode and QoS with a queue; an interface with policing, options,
// mtu_request and external_ids), loses all of it, and checks that Restore
// brings back the exact `ovsdb-client dump`.
func TestIntegrationSnapshotRestore(t *testing.T) {
	d := startRealDB(t)
	d.Vsctl(t, "add-br", "br0", "--", "set", "bridge", "br0", "protocols=OpenFlow10,OpenFlow13", "fail_mode=secure",
		"other_config:hwaddr=02:00:00:00:00:01", "external_ids:owner=factory",
		"--", "add-port", "br0", "p1", "--", "set", "port", "p1", "tag=100", "vlan_mode=native-untagged", "trunks=100,200",
		"--", "set", "interface", "p1", "type=internal", "ingress_policing_rate=1000", "ingress_policing_burst=100",
		"mtu_request=1400", "external_ids:iface-id=x", "options:foo=bar",
		"--", "add-port", "br0", "p2", "--", "set", "interface", "p2", "type=internal",
		"--", "--id=@m", "create", "mirror", "name=m0", "--", "add", "bridge", "br0", "mirrors", "@m",
		"--", "--id=@nf", "create", "netflow", "targets=\"192.0.2.1:5566\"", "--", "set", "bridge", "br0", "netflow=@nf",
		"--", "--id=@sf", "create", "sflow", "targets=\"192.0.2.1:6343\"", "sampling=64", "--", "set", "bridge", "br0", "sflow=@sf",
		"--", "--id=@ip", "create", "ipfix", "targets=\"192.0.2.1:4739\"", "--", "set", "bridge", "br0", "ipfix=@ip",
		"--", "set-controller", "br0", "tcp:192.0.2.1:6653",
		"--", "set", "port", "p1", "qos=@q", "--", "--id=@q", "create", "qos", "type=linux-htb", "queues:0=@qu",
		"--", "--id=@qu", "create", "queue", "other_config:max-rate=1000000",
		"--", "set", "Open_vSwitch", ".", "external_ids:keep=1", "external_ids:k1=old")
	d.Vsctl(t, "add-br", "br2", "--", "add-port", "br2", "p3", "--", "set", "interface", "p3", "type=internal")
	before := d.Dump(t)
	c := dialT(t, d.Endpoint())
	ctx := ctxT(t, 30*time.Second)
	snap, err := c.Snapshot(ctx, ovsdb.SnapshotScope{Bridges: []string{"br0", "br1"}, Ports: []string{"p3"},
		RootKeys: map[string][]string{"external_ids": {"k1", "k2"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := snap.Bridges(); !got["br0"] || got["br1"] || !got["br2"] {
		t.Fatalf("snapshot bridges = %v", got)
	}
	// Every row the bridges reference, directly or not.
	want := map[string]int{"Bridge": 2, "Port": 5, "Interface": 5, "Mirror": 1, "NetFlow": 1, "sFlow": 1, "IPFIX": 1,
		"Controller": 1, "QoS": 1, "Queue": 1}
	if got := snap.Rows(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("snapshot rows = %v, want %v", got, want)
	}
	// Lose all of it: br0 deleted, br1 created, p3 moved, keys changed.
	d.Vsctl(t, "del-br", "br0", "--", "add-br", "br1", "--", "del-port", "p3", "--", "add-port", "br1", "p3",
		"--", "set", "Open_vSwitch", ".", "external_ids:k1=new", "external_ids:k2=added", "external_ids:other=concurrent")
	diffs, err := c.Compare(ctx, snap)
	if err != nil || len(diffs) == 0 {
		t.Fatalf("Compare after the changes = %v, %v; want differences", diffs, err)
	}
	changed, err := c.Restore(ctx, snap)
	if err != nil || !changed {
		t.Fatalf("Restore = %v, %v", changed, err)
	}
	if diffs, err := c.Compare(ctx, snap); err != nil || len(diffs) != 0 {
		t.Fatalf("Compare after Restore = %v, %v", diffs, err)
	}
	// The key outside the scope, written meanwhile, stays.
	if got := d.Vsctl(t, "get", "Open_vSwitch", ".", "external_ids:other"); got != `concurrent` && got != `"concurrent"` {
		t.Errorf("a key outside the snapshot's scope was changed: %q", got)
	}
	d.Vsctl(t, "remove", "Open_vSwitch", ".", "external_ids", "other")
	after := d.Dump(t)
	if before != after {
		t.Fatalf("database not restored:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// The client's own reads see the restore at once.
	if _, err := c.Bridge(ctx, "br1"); !errors.Is(err, ovsdb.ErrNotFound) {
		t.Errorf("the cache still shows br1: %v", err)
	}
	if b, err := c.Bridge(ctx, "br2"); err != nil || !slices.Contains(b.Ports, "p3") {
		t.Errorf("the cache does not show p3 back on br2: %+v, %v", b, err)
	}
	if changed, err := c.Restore(ctx, snap); err != nil || changed {
		t.Errorf("second Restore = %v, %v; want no change", changed, err)
	}
}

// TestIntegrationRestoreReportsWhatDiffers makes a restore impossible (a
// bridge outside the scope took the removed port's name) and checks that
// Restore says so with the rows that differ, instead of reporting success.
func TestIntegrationRestoreReportsWhatDiffers(t *testing.T) {
	d := startRealDB(t)
	d.Vsctl(t, "add-br", "br0", "--", "add-port", "br0", "p1")
	c := dialT(t, d.Endpoint())
	ctx := ctxT(t, 30*time.Second)
	snap, err := c.Snapshot(ctx, ovsdb.SnapshotScope{Bridges: []string{"br0"}})
	if err != nil {
		t.Fatal(err)
	}
	d.Vsctl(t, "del-br", "br0", "--", "add-br", "br9", "--", "add-port", "br9", "p1")
	_, err = c.Restore(ctx, snap)
	var re *ovsdb.RestoreError
	if !errors.As(err, &re) || len(re.Diffs) == 0 {
		t.Fatalf("Restore = %v, want a *RestoreError listing differences", err)
	}
	if !errors.Is(err, ovsdb.ErrConflict) {
		t.Errorf("Restore = %v, want it to match ErrConflict (the server refused the transaction)", err)
	}
	msg := err.Error()
	for _, want := range []string{"Bridge br0: want present, got (absent)", "Port p1: want present, got (absent)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if got := d.Vsctl(t, "list-br"); got != "br9" {
		t.Errorf("a refused restore changed the database: list-br = %q", got)
	}
}

func TestSnapshotRejects(t *testing.T) {
	c := dialT(t, ovstest.StartInProcessDB(t))
	ctx := ctxT(t, 10*time.Second)
	for _, sc := range []ovsdb.SnapshotScope{
		{Bridges: []string{"br\n0"}},
		{Ports: []string{""}},
		{RootKeys: map[string][]string{"bridges": {"x"}}},
	} {
		var ve *ovsdb.ValidationError
		if _, err := c.Snapshot(ctx, sc); !errors.As(err, &ve) {
			t.Errorf("Snapshot(%+v) = %v, want a *ValidationError", sc, err)
		}
	}
}

// TestRootKeys checks that a transaction names the Open_vSwitch keys it sets
// and removes (the scope of the snapshot that undoes it), and only those.
func TestRootKeys(t *testing.T) {
	c := dialT(t, ovstest.StartInProcessDB(t))
	ctx := ctxT(t, 10*time.Second)
	if _, err := c.SetMap(ctx, ovsdb.TableOpenvSwitch, "", "other_config", map[string]string{"tc-policy": "skip_hw", "same": "1"}, nil); err != nil {
		t.Fatal(err)
	}
	txn := c.Txn().SetMap(ovsdb.TableOpenvSwitch, "", "other_config", map[string]string{"hw-offload": "true", "same": "1"}, []string{"tc-policy", "absent"})
	txn.SetMap(ovsdb.TableOpenvSwitch, "", "external_ids", map[string]string{"system-id": "x"}, nil)
	got := txn.RootKeys()
	want := map[string][]string{"other_config": {"hw-offload", "tc-policy"}, "external_ids": {"system-id"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("RootKeys = %v, want %v", got, want)
	}
}

func TestDifferenceEscapesNames(t *testing.T) {
	d := ovsdb.Difference{Table: "Port", Row: "evil\x1b[2J", Column: "external_ids:k\n", Want: `"a"`, Got: "(absent)"}
	if s := d.String(); strings.ContainsAny(s, "\x1b\n") {
		t.Fatalf("Difference.String() = %q holds control characters", s)
	}
}
