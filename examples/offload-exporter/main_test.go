package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
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
		{"ovsoffload_flows", map[string]string{"state": "partial", "dp": "doca"}, 1},
		{"ovsoffload_flows", map[string]string{"state": "software-tc", "dp": "doca"}, 0},
		{"ovsoffload_flows", map[string]string{"state": "ovs-only", "dp": "ovs"}, 1},
		{"ovsoffload_port_flows", map[string]string{"port": "pf0vf1", "representor": "", "pod": "default/testpod2", "state": "partial", "dp": "doca"}, 1},
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
	code := run([]string{"--db", ep, "--eswitch=false", "--backend", "none", "--once",
		"--from-file", "../offload-check/testdata/bad.dump"}, &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "bad.dump") {
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

// A scrape scans only when the last scan is older than --min-interval, and
// a failed scan keeps the last good values while the age grows.
func TestScrapeHonoursMinInterval(t *testing.T) {
	ep := podDB(t)
	ctx := context.Background()
	db, err := ovsdb.Dial(ctx, ep)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dump, err := os.ReadFile(filepath.Join("..", "offload-check", "testdata", "tc.dump"))
	if err != nil {
		t.Fatal(err)
	}
	node := &offload.Node{DB: db, Dump: func(context.Context) ([]*dpflow.Flow, error) {
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
	b := &countingBackend{}
	now := time.Unix(1_700_000_000, 0)
	var clockMu sync.Mutex
	clock := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }
	advance := func(d time.Duration) { clockMu.Lock(); now = now.Add(d); clockMu.Unlock() }
	e := &exporter{backend: b, node: node, minInterval: 5 * time.Second, now: clock}
	reg := prometheus.NewRegistry()
	reg.MustRegister(e)
	srv := httptest.NewServer(e.handler(reg, t.Logf))
	defer srv.Close()
	scrape := func() map[string]*dto.MetricFamily {
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return parse(t, string(body))
	}

	scrape()
	advance(time.Second)
	mfs := scrape()
	if b.calls != 1 {
		t.Fatalf("two scrapes 1s apart ran %d scans, want 1", b.calls)
	}
	if v, _ := value(mfs, "ovsoffload_flows", map[string]string{"state": "software-tc", "dp": "tc"}); v != 1 {
		t.Errorf("software-tc flows %v, want 1", v)
	}
	if age, _ := value(mfs, "ovsoffload_last_scan_success_age_seconds", nil); age != 1 {
		t.Errorf("age %v, want 1", age)
	}

	b.fail = true
	advance(5 * time.Second)
	mfs = scrape()
	if b.calls != 2 {
		t.Fatalf("%d scans after the interval, want 2", b.calls)
	}
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
