// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"context"
	"errors"
	"fmt"

	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// GatherFacts reads what the node's database and eswitch say about offload:
// hw-offload and tc-policy as set, and for every port of every bridge its
// bridge's datapath type, its iface-id and pod, and, when node.Eswitch is
// set, the representor behind it, its hw-tc-offload feature and its eswitch
// mode. The backend name is copied into the facts, and node.Log: each
// port's Refusal is the last offload failure the log names for it.
func GatherFacts(ctx context.Context, node *Node, backend string) (Facts, error) {
	facts := Facts{Backend: backend, Ports: map[string]PortFacts{}, Log: node.Log, DumpType: node.DumpType}
	settings, err := node.DB.Offload(ctx)
	if err != nil {
		return facts, fmt.Errorf("offload: reading offload settings: %w", err)
	}
	facts.HWOffload = settings.HWOffload != nil && *settings.HWOffload
	facts.TCPolicy = settings.TCPolicy
	bridges, err := node.DB.Bridges(ctx)
	if err != nil {
		return facts, fmt.Errorf("offload: listing bridges: %w", err)
	}
	var inv *eswitch.Inventory
	modes := map[eswitch.DeviceHandle]string{}
	if node.Eswitch != nil {
		if inv, err = node.Eswitch.Discover(ctx); err != nil {
			return facts, fmt.Errorf("offload: discovering representors: %w", err)
		}
	}
	for _, name := range bridges {
		br, err := node.DB.Bridge(ctx, name)
		if err != nil {
			return facts, fmt.Errorf("offload: reading bridge %s: %w", name, err)
		}
		dpType := br.DatapathType
		if dpType == "" {
			dpType = ovsdb.DatapathSystem
		}
		for _, pname := range br.Ports {
			p, err := node.DB.Port(ctx, pname)
			if err != nil {
				return facts, fmt.Errorf("offload: reading port %s: %w", pname, err)
			}
			pf := PortFacts{DatapathType: dpType, IfaceID: p.ExternalIDs["iface-id"], Pod: PodName(p.ExternalIDs)}
			if inv != nil {
				if err := representorFacts(ctx, node.Eswitch, inv, pname, &pf, modes); err != nil {
					return facts, err
				}
			}
			facts.Ports[pname] = pf
		}
	}
	applyLogToPorts(&facts)
	return facts, nil
}

// representorFacts fills what the eswitch says about the port's netdev, if
// it is a representor.
func representorFacts(ctx context.Context, es *eswitch.Client, inv *eswitch.Inventory, name string,
	pf *PortFacts, modes map[eswitch.DeviceHandle]string) error {
	rep, err := inv.ByName(name)
	if errors.Is(err, eswitch.ErrNotFound) {
		return nil // not a representor (internal port, tunnel, veth)
	}
	if err != nil {
		return fmt.Errorf("offload: looking up representor %s: %w", name, err)
	}
	pf.Representor = rep.Name
	if st, err := es.HWTCOffload(ctx, rep.Name); err == nil {
		on := st.Active
		pf.HWTCOffload = &on
	}
	if !rep.Handle.IsZero() {
		h := rep.Handle.DeviceHandle()
		mode, ok := modes[h]
		if !ok {
			if m, err := es.EswitchMode(ctx, h); err == nil {
				mode = string(m)
			}
			modes[h] = mode
		}
		pf.EswitchMode = mode
	}
	return nil
}

// PodName returns "namespace/name" from an interface's external_ids
// ("pod-namespace" and "pod-name", as PodAttachment writes them), or the
// name alone, or "".
func PodName(ext map[string]string) string {
	name, ns := ext["pod-name"], ext["pod-namespace"]
	switch {
	case name == "":
		return ""
	case ns == "":
		return name
	}
	return ns + "/" + name
}
