// SPDX-License-Identifier: Apache-2.0

package appctl

import (
	"context"
	"errors"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCallStreamMembers decodes replies whose members come in any order
// (OVS writes a JSON object in hash order) and whose strings use every
// escape JSON has.
func TestCallStreamMembers(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, reply, want, wantErr string
	}{
		{"result last", `{"error":null,"id":0,"result":"a\nb"}`, "a\nb", ""},
		{"spaces", " { \"id\" : 0 , \"result\" : \"x\" , \"error\" : null } ", "x", ""},
		{"escapes", `{"id":0,"result":"q\"s\\/\b\f\r\t\u00e9\ud83d\ude00\u0001","error":null}`, "q\"s\\/\b\f\r\t\u00e9\U0001F600\x01", ""},
		{"lone surrogate", `{"id":0,"result":"a\ud800b","error":null}`, "a\uFFFDb", ""},
		{"json array", `{"id":0,"result":[1,"]",{"a":[2]}],"error":null}`, `[1,"]",{"a":[2]}]`, ""},
		{"error first", `{"error":"bad \"thing\"","result":null,"id":0}`, "", `bad "thing"`},
		{"no id", `{"result":"x","error":null}`, "", "does not match request id"},
		{"twice", `{"id":0,"id":0,"result":"x","error":null}`, "", `member "id" twice`},
		{"bad escape", `{"id":0,"result":"\x","error":null}`, "", `bad escape`},
		{"raw control", "{\"id\":0,\"result\":\"a\x01\",\"error\":null}", "", `raw control byte`},
		{"truncated", `{"id":0,"result":"abc`, "", `unexpected EOF`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := serveRaw(t, func(conn net.Conn) {
				conn.Write([]byte(tc.reply))
				if tc.name == "truncated" {
					conn.Close()
				}
			})
			c, err := Dial(path)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			got, err := c.Call(cctx, "x")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %q, %v; want an error with %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// serveRaw accepts one connection, reads one request and lets answer write
// whatever it likes.
func serveRaw(t *testing.T, answer func(net.Conn)) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "d.ctl")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
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
		answer(conn)
		time.Sleep(100 * time.Millisecond)
	}()
	return path
}

// TestCallStreamDeliversEarly: the first part of a reply reaches the writer
// while the daemon has not sent the rest.
func TestCallStreamDeliversEarly(t *testing.T) {
	release := make(chan struct{})
	path := serveRaw(t, func(conn net.Conn) {
		conn.Write([]byte(`{"id":0,"error":null,"result":"line 1\n`))
		<-release
		conn.Write([]byte(`line 2\n"}`))
	})
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := c.CallStream(context.Background(), pw, "dpctl/dump-flows")
		pw.CloseWithError(err)
		done <- err
	}()
	buf := make([]byte, 7)
	if _, err := io.ReadFull(pr, buf); err != nil || string(buf) != "line 1\n" {
		t.Fatalf("first read: %q, %v", buf, err)
	}
	close(release)
	rest, err := io.ReadAll(pr)
	if err != nil || string(rest) != "line 2\n" {
		t.Fatalf("rest: %q, %v", rest, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestCallStreamWriterFails: a failing writer stops the call with its
// error, and the connection is not reused with a reply half read.
func TestCallStreamWriterFails(t *testing.T) {
	path := serveRaw(t, func(conn net.Conn) {
		conn.Write([]byte(`{"id":0,"error":null,"result":"` + strings.Repeat("x", 100<<10) + `"}`))
	})
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	stop := errors.New("enough")
	err = c.CallStream(context.Background(), failWriter{stop}, "x")
	if !errors.Is(err, stop) {
		t.Fatalf("got %v, want the writer's error", err)
	}
	if _, err := c.Call(context.Background(), "version"); err == nil || !strings.Contains(err.Error(), "unusable") {
		t.Fatalf("call after a failed writer: %v, want the connection unusable", err)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }
