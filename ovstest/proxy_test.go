// SPDX-License-Identifier: Apache-2.0

package ovstest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/testenv"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// TestIntegrationProxyLosesReply checks that a transaction sent through an
// armed Proxy is applied by the real server while its client hears nothing
// back but a dropped connection, and that the client reconnects through it.
func TestIntegrationProxyLosesReply(t *testing.T) {
	testenv.RequireOVS(t)
	d := ovstest.StartDB(t)
	d.Vsctl(t, "init")
	p := ovstest.StartProxy(t, d.Socket)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := ovsdb.Dial(ctx, p.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p.LoseReply(1)
	_, err = c.Txn().EnsureBridge(ovsdb.BridgeSpec{Name: "br0"}).Commit(ctx)
	if !ovsdb.OutcomeUnknown(err) {
		t.Fatalf("Commit through the armed proxy = %v, want an error with an unknown outcome", err)
	}
	select {
	case <-p.Lost():
	default:
		t.Fatal("the proxy did not report the lost reply")
	}
	if got := d.Vsctl(t, "list-br"); got != "br0" {
		t.Fatalf("the server did not apply the transaction: list-br = %q", got)
	}
	// The client reconnects through the proxy and sees the bridge.
	for {
		if _, err := c.Bridge(ctx, "br0"); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the client did not reconnect through the proxy")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestIntegrationDump checks that Dump ignores UUIDs (a bridge deleted and
// re-created with the same configuration dumps the same) and sees every
// configuration column (a changed port tag does not).
func TestIntegrationDump(t *testing.T) {
	testenv.RequireOVS(t)
	d := ovstest.StartDB(t)
	d.Vsctl(t, "init")
	mk := []string{"add-br", "br0", "--", "set", "bridge", "br0", "protocols=OpenFlow13", "--", "add-port", "br0", "p1", "tag=100",
		"--", "--id=@q", "create", "qos", "type=linux-noop", "--", "set", "port", "p1", "qos=@q"}
	d.Vsctl(t, mk...)
	before := d.Dump(t)
	if !strings.Contains(before, "Bridge:br0") || !strings.Contains(before, "protocols=\"OpenFlow13\"") || !strings.Contains(before, "tag=100") {
		t.Fatalf("dump lacks the configuration:\n%s", before)
	}
	d.Vsctl(t, "del-br", "br0")
	d.Vsctl(t, "--all", "destroy", "qos")
	d.Vsctl(t, mk...)
	if after := d.Dump(t); after != before {
		t.Fatalf("re-created bridge dumps differently:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	d.Vsctl(t, "set", "port", "p1", "tag=101")
	if after := d.Dump(t); after == before {
		t.Fatal("a changed tag does not show in the dump")
	}
}

// TestIntegrationProxyLosesRequest checks that a dropped request never
// reaches the server, though the client sees the same dropped connection.
func TestIntegrationProxyLosesRequest(t *testing.T) {
	testenv.RequireOVS(t)
	d := ovstest.StartDB(t)
	d.Vsctl(t, "init")
	p := ovstest.StartProxy(t, d.Socket)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := ovsdb.Dial(ctx, p.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p.LoseRequest(1)
	_, err = c.Txn().EnsureBridge(ovsdb.BridgeSpec{Name: "br0"}).Commit(ctx)
	if !ovsdb.OutcomeUnknown(err) {
		t.Fatalf("Commit through the armed proxy = %v, want an error with an unknown outcome", err)
	}
	<-p.Lost()
	if got := d.Vsctl(t, "list-br"); got != "" {
		t.Fatalf("the server applied a transaction the proxy dropped: list-br = %q", got)
	}
}
