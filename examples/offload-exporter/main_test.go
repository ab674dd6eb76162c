// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// podDB serves an in-process database with two pods' representors on br-int.
func podDB(t *testing.T) string {
	t.Helper()
	ep := ovstest.StartInProcessDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db := ovstest.Dial(t, ep)
	if _, err := db.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br-int", DatapathType: ovsdb.DatapathNetdev}); err != nil {
		t.Fatal(err)
	}
	for i, pod := range []string{"testpod1", "testpod2"} {
		att := ovsdb.PodAttachment{IfaceID: "default_" + pod, PodName: pod, PodNamespace: "default"}
		name := []string{"pf0vf0", "pf0vf1"}[i]
		if _, err := db.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br-int", Name: name, ExternalIDs: att.ExternalIDs()}); err != nil {
			t.Fatal(err)
		}
	}
	return ep
}

// parse reads the text exposition format: the output must be valid.
func parse(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	var p expfmt.TextParser
	mfs, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("metrics do not parse: %v\n%s", err, text)
	}
	return mfs
}

// value returns the value of the series of family name with exactly the
// given labels, and whether it exists.
func value(mfs map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	mf := mfs[name]
	if mf == nil {
		return 0, false
	}
next:
	for _, m := range mf.Metric {
		if len(m.Label) != len(labels) {
			continue
		}
		for _, l := range m.Label {
			if v, ok := labels[l.GetName()]; !ok || v != l.GetValue() {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		}
	}
	return 0, false
}

func TestOnceFromDOCADump(t *testing.T) {
	ep := podDB(t)
	var out, errOut bytes.Buffer
	code := run([]string{"--db", ep, "--eswitch=false", "--backend", "doca", "--once",
		"--from-file", "../offload-check/testdata/doca.dump"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	mfs := parse(t, out.String())
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"ovsoffload_flows", map[string]string{"state": "in-hardware", "dp": "doca"}, 2},
		{"ovsoffload_flows", map[string]string{"state": "partial", "dp": "ovs"}, 1},
		{"ovsoffload_flows", map[string]string{"state": "software-tc", "dp": "doca"}, 0},
		{"ovsoffload_flows", map[string]string{"state": "ovs-only", "dp": "ovs"}, 1},
		{"ovsoffload_port_flows", map[string]string{"port": "pf0vf1", "representor": "", "pod": "default/testpod2", "state": "partial", "dp": "ovs"}, 1},
		{"ovsoffload_port_flows", map[string]string{"port": "p0", "representor": "", "pod": "", "state": "ovs-only", "dp": "ovs"}, 1},
		{"ovsoffload_pod_flows", map[string]string{"pod": "default/testpod1", "state": "in-hardware", "dp": "doca"}, 1},
		{"ovsoffload_pod_flows", map[string]string{"pod": "default/testpod2", "state": "in-hardware", "dp": "doca"}, 1},
		{"ovsoffload_flow_reasons", map[string]string{"reason": "actions-in-ovs"}, 1},
		{"ovsoffload_flow_reasons", map[string]string{"reason": "action-not-offloadable"}, 1},
		{"ovsoffload_scans_total", nil, 1},
		{"ovsoffload_scan_errors_total", nil, 0},
		{"ovsoffload_info", map[string]string{"backend": "doca"}, 1},
	} {
		got, ok := value(mfs, c.name, c.labels)
		if !ok || got != c.want {
			t.Errorf("%s%v = %v (present %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	if age, ok := value(mfs, "ovsoffload_last_scan_success_age_seconds", nil); !ok || age < 0 || age > 60 {
		t.Errorf("age %v present %v", age, ok)
	}
	if _, ok := value(mfs, "ovsoffload_pod_flows", map[string]string{"pod": "", "state": "ovs-only", "dp": "ovs"}); ok {
		t.Error("flows without a pod are counted under pod=\"\"")
	}
}

func TestOnceScanError(t *testing.T) {
	ep := podDB(t)
	var out, errOut bytes.Buffer
	code := run([]string{"--db", ep, "--eswitch=false", "--backend", "none", "--once", "--max-line", "100",
		"--from-file", "../offload-check/testdata/doca.dump"}, &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "doca.dump") {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	mfs := parse(t, out.String())
	if n, _ := value(mfs, "ovsoffload_scan_errors_total", nil); n != 1 {
		t.Errorf("scan errors %v, want 1", n)
	}
	if age, ok := value(mfs, "ovsoffload_last_scan_success_age_seconds", nil); !ok || !math.IsInf(age, 1) {
		t.Errorf("age %v before any success, want +Inf", age)
	}
	if _, ok := mfs["ovsoffload_flows"]; ok {
		t.Error("flow series published although no scan succeeded")
	}
}

func TestFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--backend", "dpdk", "--once"},
		{"--interval", "0", "--once"},
		{"--nope"},
		{"stray"},
		{"--db", "unix:" + t.TempDir() + "/db.sock", "--timeout", "1s", "--once"},
		{"--timeout", "0", "--once"},
		{"--timeout", "-1s", "--once"},
		{"--idle-timeout", "0"},
		{"--read-timeout", "-5s"},
		{"--write-timeout", "0"},
		{"--min-interval", "-1s"},
		{"--target", "/run/openvswitch/ovs-vswitchd.1.ctl", "--from-file", "x.dump", "--once"},
	} {
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, errOut.String())
		}
	}
}

// countingBackend counts Verify calls and fails when told to.
type countingBackend struct {
	offload.None
	mu    sync.Mutex
	calls int
	fail  bool
}

func (b *countingBackend) Verify(ctx context.Context, n *offload.Node) (*offload.Report, error) {
	b.mu.Lock()
	b.calls++
	fail := b.fail
	b.mu.Unlock()
	if fail {
		return nil, errors.New("dump failed")
	}
	return b.None.Verify(ctx, n)
}

// tcNode is a database client and a dump function serving the saved tc
// dump.
func tcNode(t *testing.T) *offload.Node {
	t.Helper()
	ep := podDB(t)
	db, err := ovsdb.Dial(context.Background(), ep)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	dump, err := os.ReadFile(filepath.Join("..", "offload-check", "testdata", "tc.dump"))
	if err != nil {
		t.Fatal(err)
	}
	return &offload.Node{DB: db, Dump: func(context.Context) ([]*dpflow.Flow, error) {
		var flows []*dpflow.Flow
		for _, l := range strings.Split(strings.TrimSpace(string(dump)), "\n") {
			f, err := dpflow.Parse(l)
			if err != nil {
				return nil, err
			}
			flows = append(flows, f)
		}
		return flows, nil
	}}
}

// scrapeURL gets url and parses the metrics.
func scrapeURL(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return parse(t, string(body))
}

// waitFor polls cond for up to 10s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// A scrape finding the last scan older than --min-interval starts one
// early without waiting for it; a fresher one starts none; a failed scan
// keeps the last good values while the age grows.
func TestScrapeAsksForEarlyScan(t *testing.T) {
	node := tcNode(t)
	b := &countingBackend{}
	calls := func() int { b.mu.Lock(); defer b.mu.Unlock(); return b.calls }
	now := time.Unix(1_700_000_000, 0)
	var clockMu sync.Mutex
	clock := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }
	advance := func(d time.Duration) { clockMu.Lock(); now = now.Add(d); clockMu.Unlock() }
	e := &exporter{backend: b, node: node, minInterval: 5 * time.Second, timeout: 10 * time.Second, now: clock,
		kick: make(chan struct{}, 1)}
	reg := prometheus.NewRegistry()
	reg.MustRegister(e)
	srv := httptest.NewServer(e.handler(reg))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.run(ctx, time.Hour, 0, t.Logf) }()
	defer func() { cancel(); <-done }()
	scans := func() float64 { n, _ := value(scrapeURL(t, srv.URL), "ovsoffload_scans_total", nil); return n }

	waitFor(t, "the first scan", func() bool { return scans() == 1 })
	advance(time.Second)
	mfs := scrapeURL(t, srv.URL)
	time.Sleep(50 * time.Millisecond)
	if calls() != 1 {
		t.Fatalf("a scrape 1s after a scan started another (%d scans), want none before --min-interval", calls())
	}
	if v, _ := value(mfs, "ovsoffload_flows", map[string]string{"state": "software-tc", "dp": "tc"}); v != 1 {
		t.Errorf("software-tc flows %v, want 1", v)
	}
	if age, _ := value(mfs, "ovsoffload_last_scan_success_age_seconds", nil); age != 1 {
		t.Errorf("age %v, want 1", age)
	}

	b.mu.Lock()
	b.fail = true
	b.mu.Unlock()
	advance(5 * time.Second)
	scrapeURL(t, srv.URL)
	waitFor(t, "the early scan a stale scrape asks for", func() bool { return calls() == 2 })
	waitFor(t, "the failed scan to be counted", func() bool { return scans() == 2 })
	mfs = scrapeURL(t, srv.URL)
	if n, _ := value(mfs, "ovsoffload_scan_errors_total", nil); n != 1 {
		t.Errorf("scan errors %v", n)
	}
	if age, _ := value(mfs, "ovsoffload_last_scan_success_age_seconds", nil); age != 6 {
		t.Errorf("age after a failed scan %v, want 6", age)
	}
	if v, _ := value(mfs, "ovsoffload_flows", map[string]string{"state": "software-tc", "dp": "tc"}); v != 1 {
		t.Errorf("last good values dropped after a failed scan: %v", v)
	}
}

// blockingBackend answers its first Verify, then blocks every later one,
// ignoring its context, until released: a runner that hangs.
type blockingBackend struct {
	offload.None
	release chan struct{}
	mu      sync.Mutex
	calls   int
}

func (b *blockingBackend) Verify(ctx context.Context, n *offload.Node) (*offload.Report, error) {
	b.mu.Lock()
	b.calls++
	first := b.calls == 1
	b.mu.Unlock()
	if !first {
		<-b.release
	}
	return b.None.Verify(ctx, n)
}

// A scan that hangs (a backend ignoring its deadline) stalls no scrape:
// each is answered at once with the last good values, the age grows, the
// scan errors are counted at the deadline, and no second Verify piles up
// behind the stuck one (issue 13, defect 5).
func TestHungScanDoesNotStallScrapes(t *testing.T) {
	node := tcNode(t)
	b := &blockingBackend{release: make(chan struct{})}
	e := &exporter{backend: b, node: node, minInterval: 0, timeout: 100 * time.Millisecond, now: time.Now,
		kick: make(chan struct{}, 1)}
	reg := prometheus.NewRegistry()
	reg.MustRegister(e)
	srv := httptest.NewServer(e.handler(reg))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.run(ctx, 20*time.Millisecond, 5*time.Millisecond, func(string, ...any) {})
	}()
	defer func() { close(b.release); cancel(); <-done }()

	waitFor(t, "the first scan", func() bool {
		_, ok := value(scrapeURL(t, srv.URL), "ovsoffload_last_scan_success_timestamp_seconds", nil)
		return ok
	})
	var errs float64
	for i := range 20 {
		start := time.Now()
		mfs := scrapeURL(t, srv.URL)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("scrape %d took %v while the scan hangs", i, d)
		}
		if v, ok := value(mfs, "ovsoffload_flows", map[string]string{"state": "software-tc", "dp": "tc"}); !ok || v != 1 {
			t.Fatalf("scrape %d lost the last good values: %v %v", i, v, ok)
		}
		errs, _ = value(mfs, "ovsoffload_scan_errors_total", nil)
		time.Sleep(30 * time.Millisecond)
	}
	if errs < 2 {
		t.Errorf("scan errors %v after 600ms of a hung scan with a 100ms deadline, want several", errs)
	}
	mfs := scrapeURL(t, srv.URL)
	if age, _ := value(mfs, "ovsoffload_last_scan_success_age_seconds", nil); age < 0.5 {
		t.Errorf("age %v, want the time since the last good scan", age)
	}
	b.mu.Lock()
	calls := b.calls
	b.mu.Unlock()
	if calls != 2 {
		t.Errorf("%d Verify calls, want 2: none may start while one is stuck", calls)
	}
}

// startServe runs serve with args (plus --listen 127.0.0.1:0) and returns
// the metrics URL and a stop function that returns the exit code.
func startServe(t *testing.T, args ...string) (string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- serve(ctx, append([]string{"--listen", "127.0.0.1:0"}, args...), io.Discard, &errOut)
	}()
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, rest, ok := strings.Cut(errOut.String(), "serving "); ok {
			url = strings.TrimSpace(strings.SplitN(rest, "\n", 2)[0])
		}
	}
	if url == "" {
		cancel()
		t.Fatalf("no serving line: %s", errOut.String())
	}
	stopped := false
	stop := func() int {
		if stopped {
			return 0
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { stop() })
	return url, stop
}

// 1,000 connections left open by clients, half idle after a keep-alive
// request and half that never send one, are all closed by the server once
// the idle and read timeouts pass (issue 13, defect 5: 1,000 of 1,000 were
// still open after 45s).
func TestIdleConnectionsAreClosed(t *testing.T) {
	ep := podDB(t)
	url, stop := startServe(t, "--db", ep, "--eswitch=false", "--from-file", "../offload-check/testdata/tc.dump",
		"--idle-timeout", "500ms", "--read-timeout", "500ms")
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/metrics")
	const n = 1000
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
		if i%2 == 0 {
			continue // says nothing at all
		}
		if _, err := io.WriteString(c, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Close {
			t.Fatalf("connection %d: status %d, close %v: want a kept-alive 200", i, resp.StatusCode, resp.Close)
		}
	}
	start := time.Now()
	open := 0
	for i, c := range conns {
		c.SetReadDeadline(start.Add(5 * time.Second))
		buf := make([]byte, 512)
		for {
			_, err := c.Read(buf)
			if err == nil {
				continue // the 408 the server may send before closing
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				open++
				t.Logf("connection %d still open after 5s", i)
			}
			break
		}
	}
	if open > 0 {
		t.Fatalf("%d of %d idle connections still open 5s after a 500ms idle timeout", open, n)
	}
	t.Logf("all %d idle connections closed within %v", n, time.Since(start).Round(time.Millisecond))
	if code := stop(); code != 0 {
		t.Errorf("exit %d", code)
	}
}

// Serving: the listener answers /metrics until the context ends.
func TestServe(t *testing.T) {
	ep := podDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	var errOut syncBuffer
	done := make(chan int)
	go func() {
		done <- serve(ctx, []string{"--db", ep, "--eswitch=false", "--listen", "127.0.0.1:0",
			"--from-file", "../offload-check/testdata/tc.dump"}, io.Discard, &errOut)
	}()
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, rest, ok := strings.Cut(errOut.String(), "serving "); ok {
			url = strings.TrimSpace(strings.SplitN(rest, "\n", 2)[0])
		}
	}
	if url == "" {
		cancel()
		t.Fatalf("no serving line: %s", errOut.String())
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	mfs := parse(t, string(body))
	if v, ok := value(mfs, "ovsoffload_flows", map[string]string{"state": "in-hardware", "dp": "tc"}); !ok || v != 2 {
		t.Errorf("in-hardware tc flows %v (%v)", v, ok)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d: %s", code, errOut.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// Issue 17, item 3: a line of the dump that cannot be parsed no longer fails
// the scan: its flow is state="unknown", counted in
// ovsoffload_flow_parse_errors, and the other flows are published.
func TestOnceUnparsableLine(t *testing.T) {
	ep := podDB(t)
	var out, errOut bytes.Buffer
	code := run([]string{"--db", ep, "--eswitch=false", "--backend", "none", "--once",
		"--from-file", "../offload-check/testdata/bad.dump"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	mfs := parse(t, out.String())
	if n, _ := value(mfs, "ovsoffload_scan_errors_total", nil); n != 0 {
		t.Errorf("scan errors %v, want 0", n)
	}
	if n, ok := value(mfs, "ovsoffload_flow_parse_errors", nil); !ok || n != 1 {
		t.Errorf("parse errors %v (present %v), want 1", n, ok)
	}
	if n, _ := value(mfs, "ovsoffload_flows", map[string]string{"state": "unknown", "dp": ""}); n != 1 {
		t.Errorf("unknown flows %v, want 1", n)
	}
	if n, _ := value(mfs, "ovsoffload_flows", map[string]string{"state": "ovs-only", "dp": "ovs"}); n != 1 {
		t.Errorf("judged flows %v, want 1", n)
	}
}
