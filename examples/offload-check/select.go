// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// selector is what the user asked to check: one of pod, iface-id, port, or
// nothing (the whole node).
type selector struct {
	Pod     string `json:"pod,omitempty"`
	IfaceID string `json:"iface_id,omitempty"`
	Port    string `json:"port,omitempty"`
}

func (s selector) String() string {
	switch {
	case s.Pod != "":
		return "pod " + s.Pod
	case s.IfaceID != "":
		return "iface-id " + s.IfaceID
	case s.Port != "":
		return "port " + s.Port
	}
	return "all flows of the node"
}

func (s selector) empty() bool { return s == selector{} }

// findPorts returns the OVS ports the selector names. A pod is matched by
// "namespace/name" or, without a namespace, by name alone; a name found in
// two namespaces is ambiguous. It fails with ovsdb.ErrNotFound, naming what
// was looked for, when nothing matches.
func findPorts(ctx context.Context, db *ovsdb.Client, sel selector) ([]ovsdb.Port, error) {
	if sel.Port != "" {
		p, err := db.Port(ctx, sel.Port)
		if err != nil {
			return nil, err
		}
		return []ovsdb.Port{p}, nil
	}
	all, err := allPorts(ctx, db)
	if err != nil {
		return nil, err
	}
	var found []ovsdb.Port
	pods := map[string]bool{}
	for _, p := range all {
		var match bool
		switch {
		case sel.IfaceID != "":
			match = p.ExternalIDs["iface-id"] == sel.IfaceID
		case strings.Contains(sel.Pod, "/"):
			match = offload.PodName(p.ExternalIDs) == sel.Pod
		default:
			match = p.ExternalIDs["pod-name"] == sel.Pod
		}
		if match {
			found = append(found, p)
			pods[offload.PodName(p.ExternalIDs)] = true
		}
	}
	if len(found) == 0 {
		what := `external_ids:iface-id="` + sel.IfaceID + `"`
		if sel.Pod != "" {
			what = `external_ids:pod-name="` + sel.Pod + `"`
			if ns, name, ok := strings.Cut(sel.Pod, "/"); ok {
				what = fmt.Sprintf(`external_ids:pod-namespace="%s" and pod-name="%s"`, ns, name)
			}
		}
		return nil, fmt.Errorf("%s: no interface in any of the %d ports has %s: %w", sel, len(all), what, ovsdb.ErrNotFound)
	}
	if len(pods) > 1 && sel.Pod != "" {
		names := slices.Sorted(maps.Keys(pods))
		return nil, fmt.Errorf("%s is ambiguous: %s; give NAMESPACE/NAME: %w", sel, strings.Join(names, ", "), ovsdb.ErrConflict)
	}
	return found, nil
}

// allPorts lists the ports of every bridge.
func allPorts(ctx context.Context, db *ovsdb.Client) ([]ovsdb.Port, error) {
	bridges, err := db.Bridges(ctx)
	if err != nil {
		return nil, err
	}
	var ports []ovsdb.Port
	for _, name := range bridges {
		br, err := db.Bridge(ctx, name)
		if err != nil {
			return nil, err
		}
		for _, pn := range br.Ports {
			p, err := db.Port(ctx, pn)
			if err != nil {
				return nil, err
			}
			ports = append(ports, p)
		}
	}
	return ports, nil
}

// selectFlows narrows the report to the flows of the given ports: those
// entering through one (in_port) and those sending to one (output), so
// traffic toward a pod counts as well as traffic from it. It returns, for
// each flow kept, the rules that selected it.
func selectFlows(r *offload.Report, ports []string) (*offload.Report, []string) {
	sel := r.Select(func(f offload.FlowVerdict) bool { return selectedBy(f, ports) != "" })
	why := make([]string, len(sel.Flows))
	for i, f := range sel.Flows {
		why[i] = selectedBy(f, ports)
	}
	return sel, why
}

// selectedBy says which rules select f for the ports, "" when none does.
func selectedBy(f offload.FlowVerdict, ports []string) string {
	if f.State == offload.Unknown {
		// A line that could not be parsed may be one of the selection's
		// flows: it stays, so that it is never a silent pass.
		return "unparsed line (its ports are unknown)"
	}
	var rules []string
	if slices.Contains(ports, f.InPort) {
		rules = append(rules, "in_port("+f.InPort+")")
	}
	for _, out := range f.OutPorts {
		if rule := "output:" + out; slices.Contains(ports, out) && !slices.Contains(rules, rule) {
			rules = append(rules, rule)
		}
	}
	return strings.Join(rules, " and ")
}
