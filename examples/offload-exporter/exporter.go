// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ovsoffload/ovsoffload/offload"
)

// Descriptions of the metrics the exporter publishes.
var (
	descFlows = prometheus.NewDesc("ovsoffload_flows",
		"Datapath flows of the node by verdict (state) and datapath layer (dp).", []string{"state", "dp"}, nil)
	descPortFlows = prometheus.NewDesc("ovsoffload_port_flows",
		"Datapath flows entering through a port, by verdict and datapath layer.",
		[]string{"port", "representor", "pod", "state", "dp"}, nil)
	descPodFlows = prometheus.NewDesc("ovsoffload_pod_flows",
		"Datapath flows entering through a pod's ports, by verdict and datapath layer.", []string{"pod", "state", "dp"}, nil)
	descReasons = prometheus.NewDesc("ovsoffload_flow_reasons",
		"Datapath flows giving a reason for not being (fully) in hardware.", []string{"reason"}, nil)
	descPortPackets = prometheus.NewDesc("ovsoffload_port_packets",
		"Packets of the flows entering through a port, as their offload layer counted them: path=\"hw\" by the "+
			"hardware, path=\"sw\" in software (flows whose layer splits its counters, such as TC filters).",
		[]string{"port", "representor", "pod", "path"}, nil)
	descTrafficInSW = prometheus.NewDesc("ovsoffload_port_flows_traffic_in_software",
		"Flows in hardware entering through a port whose software packets grew since the previous scan.",
		[]string{"port", "representor", "pod"}, nil)
	descFlowPackets = prometheus.NewDesc("ovsoffload_flow_packets",
		"Packets of one flow by path (hw, sw), with --per-flow only (one series per flow and path).",
		[]string{"ufid", "port", "pod", "state", "path"}, nil)
	descAge = prometheus.NewDesc("ovsoffload_last_scan_success_age_seconds",
		"Seconds since the last successful scan (+Inf before the first).", nil, nil)
	descTimestamp = prometheus.NewDesc("ovsoffload_last_scan_success_timestamp_seconds",
		"Unix time of the last successful scan.", nil, nil)
	descDuration = prometheus.NewDesc("ovsoffload_scan_duration_seconds",
		"How long the last scan took, successful or not.", nil, nil)
	descScans  = prometheus.NewDesc("ovsoffload_scans_total", "Scans run.", nil, nil)
	descErrors = prometheus.NewDesc("ovsoffload_scan_errors_total", "Scans that failed.", nil, nil)
	descParse  = prometheus.NewDesc("ovsoffload_flow_parse_errors",
		"Lines of the last scan's dump that could not be parsed (their flows are state=\"unknown\"; the others were judged).", nil, nil)
	descInfo = prometheus.NewDesc("ovsoffload_info", "The offload backend verifying the flows.", []string{"backend"}, nil)
)

// exporter scans a node with its backend and is a prometheus.Collector of
// the last scan's results. Scans run on their own schedule (run) or on
// request (scan, for --once); a scrape only reads the last result and never
// waits for a scan.
type exporter struct {
	backend     offload.Backend
	node        *offload.Node
	minInterval time.Duration // a scrape asks for an early scan when the last one is older
	timeout     time.Duration // a scan's deadline; 0 means none beyond the caller's context
	now         func() time.Time
	// perFlow adds a series per flow (ovsoffload_flow_packets).
	perFlow bool

	kick chan struct{} // a scrape's request for an early scan (buffer of one)

	mu          sync.Mutex // guards the fields below; held briefly, never through a scan
	report      *offload.Report
	lastAttempt time.Time
	lastSuccess time.Time
	duration    time.Duration
	scans       int
	errors      int
	// verifying: a Verify call is in flight. One that outlives its
	// deadline (a backend that ignores its context) is left to finish, and
	// no other starts before it does, so a stuck backend costs one
	// goroutine, not one per scan.
	verifying bool
}

// errStuck is the scan error while an earlier Verify has not returned.
var errStuck = errors.New("the previous scan has not returned yet (it outlived its deadline)")

// scan verifies the node's flows now, within e.timeout, and keeps the
// report when it succeeds. It returns at the deadline even when the
// backend does not.
func (e *exporter) scan(ctx context.Context) error {
	if e.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.timeout)
		defer cancel()
	}
	start := e.now()
	e.mu.Lock()
	if e.verifying {
		e.lastAttempt, e.duration = start, 0
		e.scans++
		e.errors++
		e.mu.Unlock()
		return fmt.Errorf("scan with backend %s: %w", e.backend.Name(), errStuck)
	}
	e.verifying = true
	e.mu.Unlock()

	type result struct {
		r   *offload.Report
		err error
	}
	res := make(chan result, 1)
	go func() {
		r, err := e.backend.Verify(ctx, e.node)
		e.mu.Lock()
		e.verifying = false
		e.mu.Unlock()
		res <- result{r, err}
	}()
	var got result
	select {
	case got = <-res:
	case <-ctx.Done():
		got = result{err: fmt.Errorf("no answer within the scan deadline: %w", ctx.Err())}
	}
	end := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lastAttempt, e.duration = end, end.Sub(start)
	e.scans++
	if got.err != nil {
		e.errors++
		return fmt.Errorf("scan with backend %s: %w", e.backend.Name(), got.err)
	}
	// Flows in hardware whose software packets grew since the last scan
	// are flagged (traffic in software).
	got.r.CompareCounters(e.report)
	e.report, e.lastSuccess = got.r, end
	return nil
}

// run scans now and then every interval, each wait shortened or lengthened
// by up to jitter at random (so exporters on many nodes do not scan in
// step), and early when a scrape asks for it, until ctx ends. Each scan
// error goes to errorf.
func (e *exporter) run(ctx context.Context, interval, jitter time.Duration, errorf func(string, ...any)) {
	for {
		if err := e.scan(ctx); err != nil && ctx.Err() == nil {
			errorf("%v", err)
		}
		wait := interval
		if jitter > 0 {
			wait += time.Duration(rand.Int64N(int64(2*jitter)+1)) - jitter
		}
		t := time.NewTimer(wait)
	waiting:
		for {
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
				break waiting
			case <-e.kick:
				// A scrape that found the results stale while a scan ran
				// was answered by that scan: only a request that is still
				// stale starts another.
				if e.stale() {
					t.Stop()
					break waiting
				}
			}
		}
	}
}

// stale reports whether the last scan is older than minInterval (or none
// ran yet).
func (e *exporter) stale() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lastAttempt.IsZero() || e.now().Sub(e.lastAttempt) >= e.minInterval
}

// handler serves the registry: the last scan's results with their age. A
// scrape that finds them older than minInterval asks the scan loop for an
// early scan, without waiting for it.
func (e *exporter) handler(reg *prometheus.Registry) http.Handler {
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e.kick != nil && e.stale() {
			select {
			case e.kick <- struct{}{}:
			default: // one request is pending already
			}
		}
		metrics.ServeHTTP(w, r)
	})
}

// Describe sends the descriptions of every metric.
func (e *exporter) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descFlows, descPortFlows, descPodFlows, descReasons, descPortPackets,
		descTrafficInSW, descFlowPackets, descAge, descTimestamp, descDuration, descScans, descErrors, descParse, descInfo} {
		ch <- d
	}
}

// Collect sends the metrics of the last scan.
func (e *exporter) Collect(ch chan<- prometheus.Metric) {
	e.mu.Lock()
	defer e.mu.Unlock()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		// Port and pod names come from the dump and the database: a label
		// value that is not UTF-8 would make MustNewConstMetric panic.
		for i, l := range labels {
			labels[i] = strings.ToValidUTF8(l, "\uFFFD")
		}
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	ch <- prometheus.MustNewConstMetric(descScans, prometheus.CounterValue, float64(e.scans))
	ch <- prometheus.MustNewConstMetric(descErrors, prometheus.CounterValue, float64(e.errors))
	gauge(descInfo, 1, e.backend.Name())
	if !e.lastAttempt.IsZero() {
		gauge(descDuration, e.duration.Seconds())
	}
	if e.report == nil {
		gauge(descAge, math.Inf(1))
		return
	}
	gauge(descAge, e.now().Sub(e.lastSuccess).Seconds())
	gauge(descTimestamp, float64(e.lastSuccess.UnixNano())/1e9)

	type portKey struct{ port, representor, pod, state, dp string }
	type podKey struct{ pod, state, dp string }
	byPort, byPod, byReason := map[portKey]int{}, map[podKey]int{}, map[offload.ReasonCode]int{}
	byState := map[[2]string]int{}
	unparsed := 0
	for _, f := range e.report.Flows {
		if f.ParseError != "" {
			unparsed++
		}
		byState[[2]string{string(f.State), f.DP}]++
		byPort[portKey{f.InPort, f.Representor, f.Pod, string(f.State), f.DP}]++
		if f.Pod != "" {
			byPod[podKey{f.Pod, string(f.State), f.DP}]++
		}
		var seen []offload.ReasonCode
		for _, r := range f.Reasons {
			if !slices.Contains(seen, r.Code) {
				seen = append(seen, r.Code)
				byReason[r.Code]++
			}
		}
	}
	// Every state of every layer seen, zeros included, so alerts on
	// "ovs-only > 0" have a series to look at.
	for dp := range e.report.Totals.ByDP {
		for _, s := range offload.States {
			gauge(descFlows, float64(byState[[2]string{string(s), dp}]), string(s), dp)
		}
	}
	gauge(descParse, float64(unparsed))
	for k, n := range byPort {
		gauge(descPortFlows, float64(n), k.port, k.representor, k.pod, k.state, k.dp)
	}
	for k, n := range byPod {
		gauge(descPodFlows, float64(n), k.pod, k.state, k.dp)
	}
	for code, n := range byReason {
		gauge(descReasons, float64(n), string(code))
	}
	e.collectCounters(gauge)
}

// collectCounters sends the hardware and software packets per port (and per
// flow with perFlow) and the flows flagged for traffic in software.
func (e *exporter) collectCounters(gauge func(d *prometheus.Desc, v float64, labels ...string)) {
	type portKey struct{ port, representor, pod string }
	type split struct {
		hw, sw     uint64
		hwReported bool
		flagged    int
	}
	ports := map[portKey]*split{}
	for _, f := range e.report.Flows {
		if f.Counters == nil {
			continue
		}
		k := portKey{f.InPort, f.Representor, f.Pod}
		p := ports[k]
		if p == nil {
			p = &split{}
			ports[k] = p
		}
		p.sw += f.Counters.SWPackets
		if f.Counters.HWReported {
			p.hw += f.Counters.HWPackets
			p.hwReported = true
		}
		if f.TrafficInSoftware {
			p.flagged++
		}
		if e.perFlow && f.UFID != "" {
			gauge(descFlowPackets, float64(f.Counters.SWPackets), f.UFID, f.InPort, f.Pod, string(f.State), "sw")
			if f.Counters.HWReported {
				gauge(descFlowPackets, float64(f.Counters.HWPackets), f.UFID, f.InPort, f.Pod, string(f.State), "hw")
			}
		}
	}
	for k, p := range ports {
		gauge(descPortPackets, float64(p.sw), k.port, k.representor, k.pod, "sw")
		if p.hwReported { // no hardware series when the layer reported none: unknown is not zero
			gauge(descPortPackets, float64(p.hw), k.port, k.representor, k.pod, "hw")
		}
		gauge(descTrafficInSW, float64(p.flagged), k.port, k.representor, k.pod)
	}
}
