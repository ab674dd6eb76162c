// SPDX-License-Identifier: Apache-2.0

package appctl_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/appctl"
)

// TestIntegrationTyped runs every typed call against a real ovs-vswitchd
// (and ovsdb-server for version) and checks the result against what
// ovs-appctl prints on the same daemon.
func TestIntegrationTyped(t *testing.T) {
	s := startSwitch(t)
	s.AddBridge(t, "br0")
	s.AddInternalPort(t, "br0", "p1")
	c := dial(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	v, err := c.Version(ctx)
	if err != nil || v.Daemon != "ovs-vswitchd" || v.Package != "Open vSwitch" {
		t.Fatalf("version: %+v, %v", v, err)
	}
	if want := s.Appctl(t, "version"); !strings.Contains(want, v.Version) {
		t.Errorf("version %q, ovs-appctl says %q", v.Version, want)
	}
	db, err := appctl.Dial(s.DB.Ctl)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if dv, err := db.Version(ctx); err != nil || dv.Daemon != "ovsdb-server" || dv.Version != v.Version {
		t.Errorf("ovsdb-server version: %+v, %v", dv, err)
	}

	dps, err := c.DatapathShow(ctx, true)
	if err != nil || len(dps) != 1 {
		t.Fatalf("dpctl/show -s: %+v, %v", dps, err)
	}
	names := map[string]bool{}
	for _, p := range dps[0].Ports {
		names[p.Name] = true
		if p.Stats == nil {
			t.Errorf("port %s: no -s counters", p.Name)
		}
	}
	if !names["br0"] || !names["p1"] {
		t.Errorf("dpctl/show ports %v, want br0 and p1", names)
	}
	if _, err := c.DatapathShow(ctx, false, "no@such-dp"); err == nil {
		t.Error("dpctl/show of a missing datapath: no error")
	}

	f, err := c.DPFeatures(ctx, "br0")
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Count(strings.TrimSpace(s.Appctl(t, "dpif/show-dp-features", "br0")), "\n") + 1; len(f) != want {
		t.Errorf("%d features, ovs-appctl prints %d lines", len(f), want)
	}
	if b, ok := f.Bool(appctl.FeatureRecirc); !b || !ok {
		t.Errorf("Recirc: %v %v", b, ok)
	}
	if _, err := c.DPFeatures(ctx, "nobridge"); err == nil {
		t.Error("features of a missing bridge: no error")
	}

	u, err := c.UpcallShow(ctx)
	if err != nil || len(u) != 1 || u[0].Datapath != dps[0].Name || u[0].FlowLimit == 0 || len(u[0].Revalidators) == 0 {
		t.Errorf("upcall/show: %+v, %v", u, err)
	}
	// Counters reach coverage/show every few seconds (coverage_run).
	cov, err := c.Coverage(ctx)
	for deadline := time.Now().Add(15 * time.Second); err == nil && len(cov.Counters) == 0 && time.Now().Before(deadline); {
		time.Sleep(250 * time.Millisecond)
		cov, err = c.Coverage(ctx)
	}
	if err != nil || len(cov.Counters) == 0 || cov.Total("bridge_reconfigure") == 0 {
		t.Errorf("coverage/show: %d counters, bridge_reconfigure %d, %v", len(cov.Counters), cov.Total("bridge_reconfigure"), err)
	}
	m, err := c.Memory(ctx)
	if err != nil || m["ports"] < 2 || m["handlers"] == 0 {
		t.Errorf("memory/show: %v, %v", m, err)
	}

	mac, _ := net.ParseMAC("00:11:22:33:44:55")
	if err := c.FDBAdd(ctx, "br0", "p1", 0, mac); err != nil {
		t.Fatal(err)
	}
	if show := s.Appctl(t, "fdb/show", "br0"); !strings.Contains(show, "00:11:22:33:44:55  static") {
		t.Errorf("fdb/show after FDBAdd:\n%s", show)
	}
	if err := c.FDBAdd(ctx, "br0", "nosuchport", 0, mac); err == nil {
		t.Error("fdb/add to a missing port: no error")
	}
	if err := c.FDBAdd(ctx, "br0", "p1", 4096, mac); err == nil {
		t.Error("vlan 4096 accepted")
	}

	s.Ofctl(t, "add-flow", "br0", "priority=100,ip,nw_dst=10.0.0.9,actions=mod_dl_dst:02:00:00:00:00:99,output:p1")
	tr, err := c.Trace(ctx, "br0", "in_port=LOCAL,ip,nw_dst=10.0.0.9")
	if err != nil || len(tr.DatapathActions) != 1 || !strings.Contains(tr.DatapathActions[0], "02:00:00:00:00:99") {
		t.Fatalf("trace: %+v, %v", tr, err)
	}
	if want := s.Appctl(t, "ofproto/trace", "br0", "in_port=LOCAL,ip,nw_dst=10.0.0.9"); strings.TrimSpace(want) != strings.TrimSpace(tr.Text) {
		t.Errorf("trace text differs from ovs-appctl's:\n%s\n---\n%s", tr.Text, want)
	}
	if _, err := c.Trace(ctx, "br0", "in_port=nosuch"); err == nil {
		t.Error("trace of a bad flow: no error")
	}

	// Unknown commands stay callable as text.
	if out, err := c.Call(ctx, "dpif/show"); err != nil || !strings.Contains(out, "br0") {
		t.Errorf("dpif/show: %q, %v", out, err)
	}
}

// TestIntegrationWaitReady waits for a daemon whose pid file appears late,
// and gives up with the context when it never does.
func TestIntegrationWaitReady(t *testing.T) {
	s := startSwitch(t)
	dir := t.TempDir()
	go func() {
		time.Sleep(300 * time.Millisecond)
		pid := strconv.Itoa(s.PID())
		_ = os.Symlink(s.Ctl, filepath.Join(dir, "ovs-vswitchd."+pid+".ctl"))
		_ = os.WriteFile(filepath.Join(dir, "ovs-vswitchd.pid"), []byte(pid+"\n"), 0o644)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := appctl.WaitReady(ctx, dir, "ovs-vswitchd", 50*time.Millisecond)
	if err != nil || v.Daemon != "ovs-vswitchd" {
		t.Fatalf("WaitReady: %+v, %v", v, err)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel2()
	_, err = appctl.WaitReady(short, t.TempDir(), "ovs-vswitchd", 0)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "pid file") {
		t.Fatalf("WaitReady of nothing: %v", err)
	}
}
