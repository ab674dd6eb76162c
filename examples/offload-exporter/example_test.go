// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/offload"
)

// staticBackend verifies a fixed dump against fixed facts, so the example
// needs no database.
type staticBackend struct{ offload.None }

func (staticBackend) Verify(ctx context.Context, n *offload.Node) (*offload.Report, error) {
	flows, err := n.DumpFlows(ctx)
	if err != nil {
		return nil, err
	}
	return offload.Classify(flows, offload.Facts{Backend: "doca", HWOffload: true,
		Ports: map[string]offload.PortFacts{"pf0vf0": {Representor: "pf0vf0", Pod: "default/testpod1"}}}), nil
}

// The exporter is a prometheus.Collector over the last Report, registered
// in a registry of its own.
func Example_exporter() {
	line := "ufid:11111111-2222-3333-4444-555555555501, recirc_id(0),in_port(pf0vf0),eth_type(0x0800),ipv4(frag=no), packets:10, bytes:980, used:0.5s, offloaded:yes, dp:doca, actions:pf0vf1"
	node := &offload.Node{Dump: func(context.Context) ([]*dpflow.Flow, error) {
		f, err := dpflow.Parse(line)
		return []*dpflow.Flow{f}, err
	}}
	e := &exporter{backend: staticBackend{}, node: node, now: func() (t time.Time) { return }}
	if err := e.scan(context.Background()); err != nil {
		panic(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(e)
	var b strings.Builder
	if err := writeText(&b, reg); err != nil {
		panic(err)
	}
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(l, "ovsoffload_pod_flows{") || strings.HasPrefix(l, "ovsoffload_port_flows{") {
			fmt.Fprintln(os.Stdout, l)
		}
	}
	// Output:
	// ovsoffload_pod_flows{dp="doca",pod="default/testpod1",state="in-hardware"} 1
	// ovsoffload_port_flows{dp="doca",pod="default/testpod1",port="pf0vf0",representor="pf0vf0",state="in-hardware"} 1
}
