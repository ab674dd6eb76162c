// SPDX-License-Identifier: Apache-2.0

package ovsdb_test

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// delayingProxy forwards an OVSDB connection and holds back the server's
// monitor notifications (update, update2, update3) by delay while replies
// pass at once, so a transaction's reply reaches the client before the
// update that shows its effect: the order in which libovsdb users get bitten
// by reading their cache right after a write.
func delayingProxy(t *testing.T, target string, delay time.Duration) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "proxy.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			down, err := l.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("unix", strings.TrimPrefix(target, "unix:"))
			if err != nil {
				down.Close()
				continue
			}
			go func() { _, _ = io.Copy(up, down); up.Close() }()
			go relayDelayingUpdates(up, down, delay)
		}
	}()
	return "unix:" + sock
}

func relayDelayingUpdates(from io.ReadCloser, to io.WriteCloser, delay time.Duration) {
	defer to.Close()
	var mu sync.Mutex
	type held struct {
		msg json.RawMessage
		at  time.Time
	}
	queue := make(chan held, 4096)
	go func() {
		for h := range queue {
			time.Sleep(time.Until(h.at))
			mu.Lock()
			_, _ = to.Write(h.msg)
			mu.Unlock()
		}
	}()
	defer close(queue)
	dec := json.NewDecoder(from)
	for {
		var msg json.RawMessage
		if err := dec.Decode(&msg); err != nil {
			return
		}
		var head struct {
			Method string `json:"method"`
		}
		_ = json.Unmarshal(msg, &head)
		if strings.HasPrefix(head.Method, "update") {
			queue <- held{msg, time.Now().Add(delay)}
			continue
		}
		mu.Lock()
		_, err := to.Write(msg)
		mu.Unlock()
		if err != nil {
			return
		}
	}
}

// TestIntegrationReadYourWritesWhenUpdatesLag reads right after each write
// through a connection to a real ovsdb-server whose monitor updates arrive
// 30ms after the transaction replies: every read must still see the write.
// (libovsdb's in-process server cannot show this: it sends updates as calls
// and replies only after the client acknowledged them.)
func TestIntegrationReadYourWritesWhenUpdatesLag(t *testing.T) {
	db := startRealDB(t)
	c := dialT(t, delayingProxy(t, db.Endpoint(), 30*time.Millisecond))
	ctx := ctxT(t, 30*time.Second)
	if _, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br0"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Bridge(ctx, "br0"); err != nil {
		t.Fatalf("read after EnsureBridge: %v", err)
	}
	for i, name := range []string{"p1", "p2", "p3"} {
		if _, err := c.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br0", Name: name, ExternalIDs: map[string]string{"n": name}}); err != nil {
			t.Fatal(err)
		}
		p, err := c.Port(ctx, name)
		if err != nil || p.ExternalIDs["n"] != name || p.Bridge != "br0" {
			t.Fatalf("read after EnsurePort %s: %+v, %v", name, p, err)
		}
		b, _ := c.Bridge(ctx, "br0")
		if len(b.Ports) != i+2 {
			t.Fatalf("bridge ports after EnsurePort %s: %v", name, b.Ports)
		}
		if _, err := c.SetMap(ctx, ovsdb.TableInterface, name, "external_ids", nil, []string{"n"}); err != nil {
			t.Fatal(err)
		}
		if p, _ := c.Port(ctx, name); len(p.ExternalIDs) != 0 {
			t.Fatalf("read after removing the last key: %v", p.ExternalIDs)
		}
	}
	if _, err := c.DeletePort(ctx, "p2"); err != nil {
		t.Fatal(err)
	}
	if b, _ := c.Bridge(ctx, "br0"); len(b.Ports) != 3 {
		t.Fatalf("bridge ports after DeletePort: %v", b.Ports)
	}
	if _, err := c.DeleteBridge(ctx, "br0"); err != nil {
		t.Fatal(err)
	}
	if names, _ := c.Bridges(ctx); len(names) != 0 {
		t.Fatalf("bridges after DeleteBridge: %v", names)
	}
}

// TestIntegrationCacheLagReported: when the client's own update takes longer
// than WithSyncTimeout to arrive, the write reports that it was applied
// (Changed) with an error matching ErrCacheLag, and the read sees it once
// the update arrived.
func TestIntegrationCacheLagReported(t *testing.T) {
	db := startRealDB(t)
	c := dialT(t, delayingProxy(t, db.Endpoint(), 500*time.Millisecond), ovsdb.WithSyncTimeout(50*time.Millisecond))
	ctx := ctxT(t, 30*time.Second)
	changed, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br0"})
	if !errors.Is(err, ovsdb.ErrCacheLag) || !changed {
		t.Fatalf("EnsureBridge = %v, %v; want changed and ErrCacheLag", changed, err)
	}
	if got := db.Vsctl(t, "list-br"); got != "br0" {
		t.Fatalf("server bridges = %q", got)
	}
	// the update arrives later; a change-free call then reports no change
	time.Sleep(2 * time.Second)
	if _, err := c.Bridge(ctx, "br0"); err != nil {
		t.Fatalf("read after the update arrived: %v", err)
	}
	if changed, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br0"}); err != nil || changed {
		t.Fatalf("EnsureBridge again = %v, %v", changed, err)
	}
}
