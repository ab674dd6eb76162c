// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// stallingDaemon answers one request with the start of a dump reply (one
// flow line, or the given text) and then sends nothing more until the
// test ends, as a daemon that stalls mid-reply.
func stallingDaemon(t *testing.T, start string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vswitchd.ctl")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); l.Close() })
	go func() {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		buf := make([]byte, 4096)
		if _, err := conn.Read(buf); err != nil {
			return
		}
		conn.Write([]byte(`{"id":0,"error":null,"result":"` + start))
		<-done
	}()
	return path
}

// TestDumpEachStopsOnStalledDaemon: fn's error ends DumpEach at once even
// when the daemon sends nothing more (the call is cancelled, not waited
// for), and a line that does not parse does the same.
func TestDumpEachStopsOnStalledDaemon(t *testing.T) {
	stop := errors.New("enough")
	path := stallingDaemon(t, `recirc_id(0),in_port(1),eth_type(0x0800), packets:0, bytes:0, used:never, actions:2\n`)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	err := DumpEach(ctx, DumpOptions{Target: path}, func(*Flow) error { return stop })
	if !errors.Is(err, stop) || time.Since(start) > 5*time.Second {
		t.Fatalf("got %v after %v, want fn's error at once", err, time.Since(start))
	}

	path = stallingDaemon(t, `recirc_id(0),in_port(1),bogus((( actions:2\n`)
	start = time.Now()
	err = DumpEach(ctx, DumpOptions{Target: path}, func(*Flow) error { return nil })
	var pe *ParseError
	if !errors.As(err, &pe) || time.Since(start) > 5*time.Second {
		t.Fatalf("got %v after %v, want the line's *ParseError at once", err, time.Since(start))
	}
	if strings.Contains(err.Error(), "context canceled") {
		t.Errorf("the cancellation hid the parse error: %v", err)
	}
}
