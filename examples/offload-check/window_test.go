// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/appctl"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

func vlogList(t *testing.T, sw *ovstest.Switch) appctl.Levels {
	t.Helper()
	c, err := appctl.Dial(sw.Ctl)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	l, err := c.VlogList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func sameLevels(a, b appctl.Levels) bool { return maps.EqualFunc(a, b, maps.Equal) }

// TestIntegrationCheckDebugWindow runs offload-check with --log and
// --debug-window on a real ovs-vswitchd whose hw-offload was turned on (so
// it logs "Flow API Enabled" and probes TC on its ports), and checks the
// report's log summary and that the log levels are exactly as before.
func TestIntegrationCheckDebugWindow(t *testing.T) {
	sw := podSwitch(t)
	sw.Vsctl(t, "set", "Open_vSwitch", ".", "other_config:hw-offload=true")
	sw.Appctl(t, "vlog/set", "tc:file:warn")
	before := vlogList(t, sw)
	args := []string{"--target", sw.Ctl, "--db", sw.DB.Endpoint(), "--eswitch=false", "--backend", "none",
		"--log", sw.Log, "--debug-window", "1s"}
	var out, errOut bytes.Buffer
	code := run(append(args, "--json"), &out, &errOut)
	if code != exitNotAll {
		t.Fatalf("exit %d, stderr %s", code, errOut.String())
	}
	var res result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	e := res.Report.OVSLog
	if e == nil || e.Path != sw.Log || e.Lines == 0 || !e.FlowAPIEnabled || !e.CTStateKnown {
		t.Fatalf("ovs_log %+v", e)
	}
	if !strings.Contains(strings.Join(e.DebugModules, ","), "tc") {
		t.Errorf("debug modules %v lack tc", e.DebugModules)
	}
	if !strings.Contains(errOut.String(), "debug window closed") {
		t.Errorf("stderr %q", errOut.String())
	}
	if after := vlogList(t, sw); !sameLevels(before, after) || after.Level("tc", "file") != "warn" {
		t.Errorf("levels changed by the window: tc at file %q", after.Level("tc", "file"))
	}
	out.Reset()
	if code := run(args[:len(args)-2], &out, &errOut); code != exitNotAll ||
		!strings.Contains(out.String(), "ovs-vswitchd log: "+sw.Log) {
		t.Errorf("--log alone: exit %d\n%s", code, out.String())
	}
	t.Logf("offload-check --log:\n%s", out.String())
}

// TestIntegrationCheckDebugWindowSignals interrupts a one-minute window
// with SIGINT, then SIGTERM: offload-check exits with an error saying so,
// soon, and the log levels are exactly as before.
func TestIntegrationCheckDebugWindowSignals(t *testing.T) {
	sw := podSwitch(t)
	sw.Appctl(t, "vlog/set", "dpif_netlink:file:err")
	before := vlogList(t, sw)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		var out, errOut bytes.Buffer
		done := make(chan int)
		go func() {
			done <- run([]string{"--target", sw.Ctl, "--db", sw.DB.Endpoint(), "--eswitch=false", "--backend", "none",
				"--log", sw.Log, "--debug-window", "1m"}, &out, &errOut)
		}()
		// The window is open once dpif_netlink is at dbg; the signal
		// handler is installed before that.
		deadline := time.Now().Add(20 * time.Second)
		for vlogList(t, sw).Level("dpif_netlink", "file") != "dbg" {
			if time.Now().After(deadline) {
				t.Fatal("the window did not open")
			}
			time.Sleep(20 * time.Millisecond)
		}
		start := time.Now()
		if err := syscall.Kill(os.Getpid(), sig); err != nil {
			t.Fatal(err)
		}
		var code int
		select {
		case code = <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("%v: offload-check did not stop", sig)
		}
		if code != exitError || !strings.Contains(errOut.String(), "previous log levels were put back") {
			t.Errorf("%v: exit %d, stderr %q", sig, code, errOut.String())
		}
		if el := time.Since(start); el > 10*time.Second {
			t.Errorf("%v: stopping took %v", sig, el)
		}
		if after := vlogList(t, sw); !sameLevels(before, after) {
			t.Errorf("%v: levels differ after the interrupted window: dpif_netlink at file %q", sig, after.Level("dpif_netlink", "file"))
		}
	}
}

func TestDebugWindowFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--debug-window", "1s"}, "--debug-window needs --log"},
		{[]string{"--debug-window", "-1s", "--log", "x"}, "want a duration from 0 to 10m0s"},
		{[]string{"--debug-window", "11m", "--log", "x"}, "want a duration from 0 to 10m0s"},
		{[]string{"--debug-window", "1s", "--log", "x", "--from-file", "y"}, "needs a live ovs-vswitchd"},
	} {
		var out, errOut bytes.Buffer
		if code := run(tc.args, &out, &errOut); code != exitError || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", tc.args, code, errOut.String(), tc.want)
		}
	}
}

// TestIntegrationCheckDebugWindowTiesFailuresToFlows: a real ovs-vswitchd
// (userspace datapath, hw-offload=true) fails to offload the flows of a
// ping sent while the window is open; the report ties the failure lines
// it logged to those flows, each by its UFID.
func TestIntegrationCheckDebugWindowTiesFailuresToFlows(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ovs-vswitchd")
	}
	sw := ovstest.StartSwitch(t, ovstest.SwitchOptions{OtherConfig: map[string]string{"hw-offload": "true"}})
	sw.AddBridge(t, "br0")
	a := sw.AddHost(t, "br0", "10.0.0.1/24", ovstest.HostOptions{Port: "pf0vf0"})
	sw.AddHost(t, "br0", "10.0.0.2/24", ovstest.HostOptions{Port: "pf0vf1"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := ovsdb.Dial(ctx, sw.DB.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	att := ovsdb.PodAttachment{IfaceID: "default_testpod1", PodName: "testpod1", PodNamespace: "default"}
	if _, err := db.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br0", Name: "pf0vf0", ExternalIDs: att.ExternalIDs()}); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	done := make(chan int)
	go func() {
		done <- run([]string{"--target", sw.Ctl, "--db", sw.DB.Endpoint(), "--eswitch=false", "--backend", "none",
			"--log", sw.Log, "--debug-window", "4s", "--json"}, &out, &errOut)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for vlogList(t, sw).Level("dpif_netdev", "file") != "dbg" {
		if time.Now().After(deadline) {
			t.Fatal("the window did not open")
		}
		time.Sleep(20 * time.Millisecond)
	}
	a.Exec(t, "ping", "-c3", "-i0.2", "10.0.0.2")
	code := <-done
	if code != exitNotAll {
		t.Fatalf("exit %d, stderr %s", code, errOut.String())
	}
	var res result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	tied := 0
	for _, f := range res.Report.Flows {
		for _, r := range f.Reasons {
			if r.Code == offload.ReasonOVSOffloadFailed && strings.Contains(r.Detail, "failed to add netdev flow") {
				tied++
				t.Logf("flow %s in_port(%s): %s", f.UFID, f.InPort, r.Detail)
			}
		}
	}
	if tied == 0 || res.Report.OVSLog.Attributed != tied {
		t.Errorf("%d flows tied to a logged failure, %d attributed; log %+v", tied, res.Report.OVSLog.Attributed, res.Report.OVSLog)
	}
}
