// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/offload"
)

// scriptedBackend verifies with the TC classifier over one in-hardware flow
// whose filter counters are the next of counters at each scan.
type scriptedBackend struct {
	offload.None
	counters []offload.Counters
}

const counterFlow = `ufid:11111111-2222-3333-4444-555555555555, recirc_id(0),in_port(pf0vf0),eth(src=00:00:00:00:01:0a,dst=00:00:00:00:01:0b),eth_type(0x0800),ipv4(src=10.1.0.10,dst=10.1.0.11,proto=1,frag=no), packets:10, bytes:980, used:0.5s, offloaded:yes, dp:tc, actions:pf0vf1`

func (b *scriptedBackend) Verify(context.Context, *offload.Node) (*offload.Report, error) {
	f, err := dpflow.Parse(counterFlow)
	if err != nil {
		return nil, err
	}
	c := b.counters[0]
	b.counters = b.counters[1:]
	return offload.Classify([]*dpflow.Flow{f}, offload.Facts{Backend: "tc", HWOffload: true,
		Ports: map[string]offload.PortFacts{"pf0vf0": {Representor: "pf0vf0", Pod: "default/pa"}},
		Evidence: func(dpflow.UFID) (offload.Evidence, bool) {
			return offload.Evidence{Source: "filter", InHW: true, Counters: &c}, true
		}}), nil
}

// The exporter publishes hardware and software packets per port (and per
// flow with --per-flow), and flags a flow in hardware whose software
// packets grew since the previous scan.
func TestExporterCountersAndTrafficInSoftware(t *testing.T) {
	b := &scriptedBackend{counters: []offload.Counters{
		{HWPackets: 100, SWPackets: 1, HWReported: true},
		{HWPackets: 300, SWPackets: 1, HWReported: true},  // hardware hits only
		{HWPackets: 300, SWPackets: 41, HWReported: true}, // 40 packets in software
	}}
	e := &exporter{backend: b, node: &offload.Node{}, now: time.Now, perFlow: true}
	reg := prometheus.NewRegistry()
	reg.MustRegister(e)
	port := map[string]string{"port": "pf0vf0", "representor": "pf0vf0", "pod": "default/pa"}
	with := func(m map[string]string, k, v string) map[string]string {
		out := map[string]string{k: v}
		for a, b := range m {
			out[a] = b
		}
		return out
	}
	flowLabels := map[string]string{"ufid": "11111111-2222-3333-4444-555555555555", "port": "pf0vf0",
		"pod": "default/pa", "state": "in-hardware"}
	for i, want := range []struct {
		hw, sw  float64
		flagged float64
	}{{100, 1, 0}, {300, 1, 0}, {300, 41, 1}} {
		if err := e.scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := writeText(&out, reg); err != nil {
			t.Fatal(err)
		}
		mfs := parse(t, out.String())
		for _, c := range []struct {
			name   string
			labels map[string]string
			want   float64
		}{
			{"ovsoffload_port_packets", with(port, "path", "hw"), want.hw},
			{"ovsoffload_port_packets", with(port, "path", "sw"), want.sw},
			{"ovsoffload_port_flows_traffic_in_software", port, want.flagged},
			{"ovsoffload_flow_packets", with(flowLabels, "path", "hw"), want.hw},
			{"ovsoffload_flow_packets", with(flowLabels, "path", "sw"), want.sw},
			{"ovsoffload_flow_reasons", map[string]string{"reason": "traffic-in-software"}, want.flagged},
		} {
			got, ok := value(mfs, c.name, c.labels)
			if c.want == 0 && !ok && c.name == "ovsoffload_flow_reasons" {
				continue // no flow gives the reason: no series
			}
			if !ok || got != c.want {
				t.Errorf("scan %d: %s%v = %v (present %v), want %v", i+1, c.name, c.labels, got, ok, c.want)
			}
		}
	}
}

// fixedBackend returns the same report at every scan.
type fixedBackend struct {
	offload.None
	report *offload.Report
}

func (b *fixedBackend) Verify(context.Context, *offload.Node) (*offload.Report, error) {
	return b.report, nil
}

// Port names are hostile input: one that is not UTF-8 must not crash a
// scrape (prometheus refuses such label values).
func TestExporterLabelNotUTF8(t *testing.T) {
	bad := "pf0\xffvf0"
	r := &offload.Report{Flows: []offload.FlowVerdict{{UFID: "11111111-2222-3333-4444-555555555555", InPort: bad,
		Pod: "ns/p\xfe", DP: "tc", State: offload.InHardware, Verified: true,
		Counters: &offload.Counters{HWPackets: 1, HWReported: true}}},
		Totals: offload.Totals{ByState: map[offload.State]int{offload.InHardware: 1}, ByDP: map[string]int{"tc": 1}}}
	e := &exporter{backend: &fixedBackend{report: r}, node: &offload.Node{}, now: time.Now, perFlow: true}
	reg := prometheus.NewRegistry()
	reg.MustRegister(e)
	if err := e.scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := writeText(&out, reg); err != nil {
		t.Fatal(err)
	}
	mfs := parse(t, out.String())
	if v, ok := value(mfs, "ovsoffload_port_packets", map[string]string{"port": "pf0\uFFFDvf0", "representor": "",
		"pod": "ns/p\uFFFD", "path": "hw"}); !ok || v != 1 {
		t.Errorf("port_packets for the sanitised port: %v %v\n%s", v, ok, out.String())
	}
}
