// SPDX-License-Identifier: Apache-2.0

package appctl_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/appctl"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// offloadModules are the modules the offload debug window raises, in both
// OVS families' names, plus one no OVS has.
var offloadModules = []string{"dpif_netlink", "netdev_offload", "netdev_offload_tc", "tc",
	"dpif_offload", "dpif_offload_tc", "dpif_offload_tc_netdev", "no_such_module"}

func startSwitch(t *testing.T) *ovstest.Switch {
	t.Helper()
	return ovstest.StartSwitch(t, ovstest.SwitchOptions{OtherConfig: map[string]string{"hw-offload": "true"}})
}

func dial(t *testing.T, s *ovstest.Switch) *appctl.Client {
	t.Helper()
	c, err := appctl.Dial(s.Ctl)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestIntegrationCallMatchesOVSAppctl runs commands over the socket and
// compares them with ovs-appctl's output on the same daemon.
func TestIntegrationCallMatchesOVSAppctl(t *testing.T) {
	s := startSwitch(t)
	c := dial(t, s)
	ctx := context.Background()
	for _, cmd := range [][]string{{"version"}, {"vlog/list"}, {"dpif/show"}} {
		got, err := c.Call(ctx, cmd[0], cmd[1:]...)
		if err != nil {
			t.Fatalf("%v: %v", cmd, err)
		}
		want := s.Appctl(t, cmd...)
		if strings.TrimRight(got, "\n") != strings.TrimRight(want, "\n") {
			t.Errorf("%v: socket says\n%s\novs-appctl says\n%s", cmd, got, want)
		}
	}
	_, err := c.Call(ctx, "no/such-command", "x")
	var ae *appctl.Error
	if !errors.As(err, &ae) || !errors.Is(err, appctl.ErrNotSupported) {
		t.Fatalf("unknown command: got %v, want an *Error matching ErrNotSupported", err)
	}
	// The connection stays usable after an error reply.
	if _, err := c.Call(ctx, "version"); err != nil {
		t.Fatalf("after an error reply: %v", err)
	}
	if err := c.VlogSet(ctx, "no_such_module", "file", "dbg"); err == nil || errors.Is(err, appctl.ErrNotSupported) {
		t.Fatalf("vlog/set of an unknown module: got %v, want the daemon's error", err)
	}
}

// TestIntegrationFindSocket finds the daemon's socket from a pid file as
// ovs-appctl -t does.
func TestIntegrationFindSocket(t *testing.T) {
	s := startSwitch(t)
	dir := t.TempDir()
	pid := strconv.Itoa(s.PID())
	if err := os.WriteFile(filepath.Join(dir, "ovs-vswitchd.pid"), []byte(pid+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(s.Ctl, filepath.Join(dir, "ovs-vswitchd."+pid+".ctl")); err != nil {
		t.Fatal(err)
	}
	path, err := appctl.FindSocket(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	c, err := appctl.Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if v, err := c.Call(context.Background(), "version"); err != nil || !strings.Contains(v, "Open vSwitch") {
		t.Fatalf("version through %s: %q, %v", path, v, err)
	}
}

// TestIntegrationWindowRestoresLevels raises the offload modules for a
// short window and checks, with vlog/list, that they were dbg during it and
// are exactly as before after it, including a level set beforehand that is
// neither the default nor dbg.
func TestIntegrationWindowRestoresLevels(t *testing.T) {
	s := startSwitch(t)
	s.Appctl(t, "vlog/set", "dpif_netlink:file:warn")
	s.Appctl(t, "vlog/set", "tc:file:dbg") // already dbg: must stay dbg, untouched
	c := dial(t, s)
	ctx := context.Background()
	before, err := c.VlogList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var during appctl.Levels
	var opened time.Duration
	start := time.Now()
	changed, err := appctl.Window{Modules: offloadModules, Duration: 300 * time.Millisecond}.Run(ctx, c,
		func(ctx context.Context) error {
			opened = time.Since(start)
			var err error
			during, err = c.VlogList(ctx)
			return err
		})
	if err != nil {
		t.Fatal(err)
	}
	// The cost of the window beyond its duration: vlog/list and one
	// vlog/set per module to open it, one vlog/set per module to close it.
	t.Logf("window of 300ms over %d modules: opened in %v, closed after %v in all", len(changed), opened, time.Since(start))
	if len(changed) == 0 {
		t.Fatal("the window changed no module")
	}
	for _, m := range changed {
		if during.Level(m, "file") != "dbg" {
			t.Errorf("during the window %s is %q at file, want dbg", m, during.Level(m, "file"))
		}
		if during.Level(m, "console") != before.Level(m, "console") || during.Level(m, "syslog") != before.Level(m, "syslog") {
			t.Errorf("the window changed %s's console or syslog level", m)
		}
	}
	if during.Level("tc", "file") != "dbg" || before.Level("dpif_netlink", "file") != "warn" {
		t.Fatalf("setup: tc %q, dpif_netlink %q", during.Level("tc", "file"), before.Level("dpif_netlink", "file"))
	}
	after, err := c.VlogList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffLevels(before, after); d != "" {
		t.Errorf("levels after the window differ: %s", d)
	}
}

// TestIntegrationWindowRestoresOnCancel cancels a one-minute window midway,
// and also while a vlog/list of the window is on the wire, and finds the
// levels exactly as before.
func TestIntegrationWindowRestoresOnCancel(t *testing.T) {
	s := startSwitch(t)
	s.Appctl(t, "vlog/set", "netdev_offload:file:err")
	c := dial(t, s)
	before, err := c.VlogList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Now()
	sawDbg := false
	_, err = appctl.Window{Modules: offloadModules, Duration: time.Minute}.Run(ctx, c, func(wctx context.Context) error {
		l, err := c.VlogList(wctx)
		if err != nil {
			return err
		}
		sawDbg = l.Level("netdev_offload", "file") == "dbg"
		// Calls in a loop while the cancel comes: the one on the wire then
		// is cut short and the client's connection breaks, so the restore
		// must dial again.
		time.AfterFunc(30*time.Millisecond, cancel)
		for {
			if _, err := c.Call(wctx, "coverage/show"); err != nil {
				return err
			}
		}
	})
	if _, cerr := c.Call(context.Background(), "version"); cerr == nil {
		t.Log("the cancel came between two calls: the connection stayed usable")
	} else {
		t.Logf("the cancel cut a call short: %v", cerr)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 20*time.Second {
		t.Fatalf("the cancelled window took %v", el)
	}
	if !sawDbg {
		t.Fatal("netdev_offload was not dbg during the window")
	}
	c2 := dial(t, s)
	after, err := c2.VlogList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := diffLevels(before, after); d != "" {
		t.Errorf("levels after the cancelled window differ: %s", d)
	}
	if after.Level("netdev_offload", "file") != "err" {
		t.Errorf("netdev_offload is %q at file, want err as set before", after.Level("netdev_offload", "file"))
	}
}

// diffLevels names the modules whose levels differ, "" when none does.
func diffLevels(a, b appctl.Levels) string {
	var out []string
	for _, m := range slices.Sorted(maps.Keys(a)) {
		if !maps.Equal(a[m], b[m]) {
			out = append(out, fmt.Sprintf("%s: %v -> %v", m, a[m], b[m]))
		}
	}
	for m := range b {
		if _, ok := a[m]; !ok {
			out = append(out, "new module "+m)
		}
	}
	return strings.Join(out, "; ")
}

// TestIntegrationWindowRestoresOnFailureAndPanic: the levels come back when
// the work done during the window fails, and when it panics.
func TestIntegrationWindowRestoresOnFailureAndPanic(t *testing.T) {
	s := startSwitch(t)
	c := dial(t, s)
	ctx := context.Background()
	before, err := c.VlogList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w := appctl.Window{Modules: offloadModules, Duration: time.Minute}
	boom := errors.New("boom")
	if _, err := w.Run(ctx, c, func(context.Context) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v, want boom", err)
	}
	if after, err := c.VlogList(ctx); err != nil || diffLevels(before, after) != "" {
		t.Fatalf("after a failure: %v %s", err, diffLevels(before, after))
	}
	func() {
		defer func() {
			if r := recover(); r != "panic in the window" {
				t.Fatalf("recovered %v", r)
			}
		}()
		w.Run(ctx, c, func(context.Context) error { panic("panic in the window") })
	}()
	if after, err := c.VlogList(ctx); err != nil || diffLevels(before, after) != "" {
		t.Fatalf("after a panic: %v %s", err, diffLevels(before, after))
	}
	if _, err := (appctl.Window{Modules: offloadModules}).Run(ctx, c, nil); err == nil {
		t.Fatal("a window without a duration opened")
	}
}
