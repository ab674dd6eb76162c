// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// On a real switch (userspace datapath) with a labelled pod and ping
// traffic, --once publishes the pod's flows as ovs-only in dp ovs.
func TestIntegrationOnceOnSwitch(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ovs-vswitchd")
	}
	sw := ovstest.StartSwitch(t)
	sw.AddBridge(t, "br0")
	a := sw.AddHost(t, "br0", "10.0.0.1/24", ovstest.HostOptions{Port: "pf0vf0"})
	sw.AddHost(t, "br0", "10.0.0.2/24", ovstest.HostOptions{Port: "pf0vf1"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := ovsdb.Dial(ctx, sw.DB.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	att := ovsdb.PodAttachment{IfaceID: "default_testpod1", PodName: "testpod1", PodNamespace: "default"}
	if _, err := db.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br0", Name: "pf0vf0", ExternalIDs: att.ExternalIDs()}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	a.Ping(t, "10.0.0.2", 10*time.Second)
	a.Exec(t, "ping", "-c3", "-i0.2", "10.0.0.2")

	var out, errOut bytes.Buffer
	code := run([]string{"--target", sw.Ctl, "--db", sw.DB.Endpoint(), "--eswitch=false", "--once"}, &out, &errOut)
	t.Logf("exit %d\n%s%s", code, out.String(), errOut.String())
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	mfs := parse(t, out.String())
	if n, ok := value(mfs, "ovsoffload_pod_flows", map[string]string{"pod": "default/testpod1", "state": "ovs-only", "dp": "ovs"}); !ok || n < 1 {
		t.Errorf("pod flows ovs-only %v (%v), want >= 1 after a ping", n, ok)
	}
	if n, ok := value(mfs, "ovsoffload_flows", map[string]string{"state": "in-hardware", "dp": "ovs"}); !ok || n != 0 {
		t.Errorf("in-hardware flows %v (%v), want a zero series", n, ok)
	}
	if n, ok := value(mfs, "ovsoffload_flow_reasons", map[string]string{"reason": "hw-offload-disabled"}); !ok || n < 1 {
		t.Errorf("hw-offload-disabled flows %v (%v)", n, ok)
	}
	if _, ok := value(mfs, "ovsoffload_info", map[string]string{"backend": "none"}); !ok {
		t.Error("no ovsoffload_info{backend=\"none\"}")
	}
}

// A stopped ovs-vswitchd (SIGSTOP: its control socket accepts and never
// answers) stalls no scrape: each is answered at once from the last scan
// while the scans fail at their --timeout and are counted (issue 13,
// defect 5: every scrape used to wait the client's whole timeout).
func TestIntegrationStoppedVswitchdDoesNotStallScrapes(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ovs-vswitchd")
	}
	sw := ovstest.StartSwitch(t)
	sw.AddBridge(t, "br0")
	url, stop := startServe(t, "--target", sw.Ctl, "--db", sw.DB.Endpoint(), "--eswitch=false", "--backend", "none",
		"--timeout", "500ms", "--interval", "200ms", "--min-interval", "0s")
	waitFor(t, "a good scan", func() bool {
		_, ok := value(scrapeURL(t, url), "ovsoffload_last_scan_success_timestamp_seconds", nil)
		return ok
	})
	if err := syscall.Kill(sw.PID(), syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(sw.PID(), syscall.SIGCONT)
	client := &http.Client{Timeout: 5 * time.Second}
	var errs float64
	for i := range 15 {
		start := time.Now()
		resp, err := client.Get(url)
		if err != nil {
			t.Fatalf("scrape %d with ovs-vswitchd stopped: %v", i, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if d := time.Since(start); d > time.Second {
			t.Fatalf("scrape %d took %v with ovs-vswitchd stopped", i, d)
		}
		errs, _ = value(parse(t, string(body)), "ovsoffload_scan_errors_total", nil)
		time.Sleep(100 * time.Millisecond)
	}
	if errs < 1 {
		t.Errorf("no scan error counted in 1.5s with ovs-vswitchd stopped and a 500ms scan timeout")
	}
	if err := syscall.Kill(sw.PID(), syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d", code)
	}
}
