// SPDX-License-Identifier: Apache-2.0

package appctl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// serve answers each request on a unix socket with reply(request); it
// stands in for the daemon's side of the protocol in these fast tests of
// the client's handling of broken replies (the integration tests talk to a
// real ovs-vswitchd).
func serve(t *testing.T, reply func(req request) string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "d.ctl")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				dec := json.NewDecoder(conn)
				for {
					var req request
					if err := dec.Decode(&req); err != nil {
						return
					}
					out := reply(req)
					if out == "" {
						time.Sleep(time.Minute)
						return
					}
					conn.Write([]byte(out))
				}
			}()
		}
	}()
	return path
}

func TestCallReplies(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, reply string
		want        string
		wantErr     string
	}{
		{"text", `{"id":0,"result":"hello\n","error":null}`, "hello\n", ""},
		{"json result", `{"id":0,"result":{"a":1},"error":null}`, `{"a":1}`, ""},
		{"null result", `{"id":0,"result":null,"error":null}`, "", ""},
		{"error", `{"id":0,"result":null,"error":"no module named x"}`, "", "appctl: vlog/set x: no module named x"},
		{"wrong id", `{"id":7,"result":"x","error":null}`, "", "does not match request id 0"},
		{"garbage", `nonsense`, "", "decoding reply"},
		{"trailing data", `{"id":0,"result":"x","error":null}{"id":1}`, "", "unexpected data after the reply"},
		{"too large", `{"id":0,"result":"` + strings.Repeat("a", 2000) + `","error":null}`, "", "reply larger than 1024 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := serve(t, func(request) string { return tc.reply })
			c, err := Dial(path)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.MaxResponse = 1024
			got, err := c.Call(ctx, "vlog/set", "x")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %q, %v; want error %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestCallUnknownCommand(t *testing.T) {
	path := serve(t, func(req request) string {
		return `{"id":0,"result":null,"error":"\"` + req.Method + `\" is not a valid command (use list-commands to see a list of valid commands)"}`
	})
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Call(context.Background(), "x/y")
	var ae *Error
	if !errors.Is(err, ErrNotSupported) || !errors.As(err, &ae) || ae.Command != "x/y" {
		t.Fatalf("got %v", err)
	}
}

// TestCallContext: a daemon that never answers is cut off by the context,
// and the connection is not used again.
func TestCallContext(t *testing.T) {
	path := serve(t, func(request) string { return "" })
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.Call(ctx, "version"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want DeadlineExceeded", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("the call outlived its context")
	}
	if _, err := c.Call(context.Background(), "version"); err == nil || !strings.Contains(err.Error(), "unusable") {
		t.Fatalf("second call on a broken connection: %v", err)
	}
	if _, err := c.Call(context.Background(), "version\xff"); err == nil {
		t.Fatal("invalid UTF-8 was sent")
	}
}

func TestFindSocket(t *testing.T) {
	dir := t.TempDir()
	if _, err := FindSocket(dir, "ovs-vswitchd"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no pid file: %v", err)
	}
	for _, bad := range []string{"12x", "", "-3", "0", strings.Repeat("9", 100), "99999999999"} {
		os.WriteFile(filepath.Join(dir, "ovs-vswitchd.pid"), []byte(bad), 0o644)
		if p, err := FindSocket(dir, "ovs-vswitchd"); err == nil {
			t.Errorf("pid file %q: got %s", bad, p)
		}
	}
	os.WriteFile(filepath.Join(dir, "ovs-vswitchd.pid"), []byte("1234\n"), 0o644)
	if p, err := FindSocket(dir, ""); err != nil || p != filepath.Join(dir, "ovs-vswitchd.1234.ctl") {
		t.Fatalf("got %q, %v", p, err)
	}
	if p, err := FindSocket(dir, "/run/x.ctl"); err != nil || p != "/run/x.ctl" {
		t.Fatalf("absolute: %q, %v", p, err)
	}
	for _, bad := range []string{"../etc/passwd", "a/b", "..", "x\n"} {
		if p, err := FindSocket(dir, bad); err == nil {
			t.Errorf("target %q: got %s", bad, p)
		}
	}
	t.Setenv("OVS_RUNDIR", dir)
	if p, err := FindSocket("", "ovs-vswitchd"); err != nil || filepath.Dir(p) != dir {
		t.Fatalf("OVS_RUNDIR: %q, %v", p, err)
	}
}

func TestParseVlogListRecorded(t *testing.T) {
	b, err := os.ReadFile("testdata/vlog-list-3.1.0.txt")
	if err != nil {
		t.Fatal(err)
	}
	l, err := ParseVlogList(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != 129 || l.Level("dpif_netlink", DestFile) != "dbg" || l.Level("bfd", DestConsole) != "off" || l.Level("bfd", DestSyslog) != "info" {
		t.Fatalf("%d modules, dpif_netlink file %q, bfd %v", len(l), l.Level("dpif_netlink", DestFile), l["bfd"])
	}
}

func TestParseVlogListHostile(t *testing.T) {
	head := "                 console    syslog    file\n                 -------    ------    ------\n"
	for _, bad := range []string{
		"",
		"x",
		head + "bfd OFF INFO\n",
		head + "bfd OFF INFO LOUD\n",
		head + "bfd OFF INFO INFO\nbfd OFF INFO INFO\n",
		head + "b\x1bd OFF INFO INFO\n",
		head + "a:b OFF INFO INFO\n",
		"console syslog file\nnot dashes\n",
	} {
		if l, err := ParseVlogList(bad); err == nil {
			t.Errorf("%q: got %v", bad, l)
		}
	}
	l, err := ParseVlogList(head + "bfd                OFF       INFO       INFO    (rate limiting disabled)\n")
	if err != nil || l.Level("bfd", DestFile) != "info" {
		t.Fatalf("rate limiting note: %v, %v", l, err)
	}
}

func FuzzParseVlogList(f *testing.F) {
	b, err := os.ReadFile("testdata/vlog-list-3.1.0.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b))
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseVlogList(s)
		if err != nil {
			return
		}
		for m, dests := range l {
			if m == "" || strings.ContainsAny(m, ":\n") {
				t.Fatalf("module %q", m)
			}
			for _, lv := range dests {
				if lv == "" {
					t.Fatalf("empty level of %s", m)
				}
			}
		}
	})
}

// TestRaiseLevelsRestoresASetCutShort: a vlog/set whose context ends after
// it was sent may have been applied by the daemon; RaiseLevels puts it back
// with the modules it had already raised (found by the SIGTERM test of
// offload-check's debug window, where a signal arrived between two sets).
func TestRaiseLevelsRestoresASetCutShort(t *testing.T) {
	var mu sync.Mutex
	levels := map[string]string{"aaa": "INFO", "bbb": "INFO", "ccc": "INFO"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := serve(t, func(req request) string {
		mu.Lock()
		defer mu.Unlock()
		switch req.Method {
		case "vlog/list":
			text := "                 console    syslog    file\n                 -------    ------    ------\n"
			for _, m := range []string{"aaa", "bbb", "ccc"} {
				text += fmt.Sprintf("%-18s OFF        ERR       %s\n", m, levels[m])
			}
			b, _ := json.Marshal(text)
			return fmt.Sprintf(`{"id":%d,"result":%s,"error":null}`, req.ID, b)
		case "vlog/set":
			parts := strings.Split(req.Params[0], ":")
			levels[parts[0]] = strings.ToUpper(parts[2])
			if parts[0] == "bbb" && parts[2] == "dbg" {
				cancel() // applied, but the caller's context ends before the reply
				return ""
			}
			return fmt.Sprintf(`{"id":%d,"result":"","error":null}`, req.ID)
		}
		return fmt.Sprintf(`{"id":%d,"result":null,"error":"unknown"}`, req.ID)
	})
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	changed, restore, err := c.RaiseLevels(ctx, DestFile, "dbg", "aaa", "bbb", "ccc")
	if err == nil || restore != nil {
		t.Fatalf("RaiseLevels with its context cancelled mid-set: err %v", err)
	}
	var re *RestoreError
	if errors.As(err, &re) {
		t.Fatalf("putting the levels back failed: %v", err)
	}
	if strings.Join(changed, ",") != "aaa,bbb" {
		t.Errorf("changed %v, want aaa and the set cut short, bbb", changed)
	}
	mu.Lock()
	defer mu.Unlock()
	for m, l := range levels {
		if l != "INFO" {
			t.Errorf("%s left at %s, want INFO", m, l)
		}
	}
}
