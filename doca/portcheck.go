// SPDX-License-Identifier: Apache-2.0

package doca

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// ovsPort is a port of a netdev bridge as the port checks need it.
type ovsPort struct {
	Name, Bridge, Type, DevArgs string
}

// netdevPorts returns the ports of the node's netdev (userspace) bridges.
func netdevPorts(ctx context.Context, db *ovsdb.Client) ([]ovsPort, error) {
	bridges, err := db.Bridges(ctx)
	if err != nil {
		return nil, err
	}
	var out []ovsPort
	for _, name := range bridges {
		br, err := db.Bridge(ctx, name)
		if err != nil {
			return nil, err
		}
		if br.DatapathType != ovsdb.DatapathNetdev {
			continue
		}
		for _, pname := range br.Ports {
			p, err := db.Port(ctx, pname)
			if err != nil {
				return nil, err
			}
			out = append(out, ovsPort{Name: pname, Bridge: name, Type: p.Type, DevArgs: p.Options["dpdk-devargs"]})
		}
	}
	return out, nil
}

// mlx5DPDK reports whether a type=dpdk port is an mlx5 one as OVS-DOCA
// plugs them: by netdev name (no devargs) or with mlx5's dv_flow_en devargs.
func mlx5DPDK(p ovsPort) bool {
	return p.Type == string(PortDPDK) && (p.DevArgs == "" || strings.Contains(p.DevArgs, "dv_flow_en="))
}

// checkPortTypes fails when one eswitch has both type=doca and mlx5
// type=dpdk ports: OVS-DOCA cannot drive an eswitch through both. With an
// inventory the ports are grouped by eswitch (the eswitch manager's
// device); without one all of the node's mlx5 ports are taken as one
// group.
func checkPortTypes(ports []ovsPort, inv []eswitch.Representor) offload.Check {
	c := offload.Check{Name: "port-type-mix"}
	group := func(p ovsPort) string { return "" }
	if inv != nil {
		byName := map[string]string{}
		for _, r := range inv {
			if r.Name != "" {
				byName[r.Name] = r.Device
			}
		}
		group = func(p ovsPort) string {
			if d, ok := byName[p.Name]; ok {
				return d
			}
			return "?" + p.Name // not a representor of a known eswitch: alone
		}
	}
	types := map[string]map[string][]string{} // eswitch -> type -> ports
	for _, p := range ports {
		if p.Type != string(PortDOCA) && !mlx5DPDK(p) {
			continue
		}
		g := group(p)
		if types[g] == nil {
			types[g] = map[string][]string{}
		}
		types[g][p.Type] = append(types[g][p.Type], p.Bridge+"/"+p.Name)
	}
	var bad []string
	for g, byType := range types {
		if len(byType) < 2 {
			continue
		}
		where := "eswitch " + g
		if g == "" {
			where = "this node (its eswitches were not inspected)"
		}
		bad = append(bad, fmt.Sprintf("%s has type=doca ports (%s) and type=dpdk ports (%s)", where,
			strings.Join(byType[string(PortDOCA)], " "), strings.Join(byType[string(PortDPDK)], " ")))
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		c.Status, c.Detail = offload.CheckFail, strings.Join(bad, "; ")
		c.Fix = "plug every port of an eswitch with one type: type=doca on current OVS-DOCA (port-type=doca), type=dpdk on older releases (port-type=dpdk)"
		return c
	}
	c.Status, c.Detail = offload.CheckPass, "no eswitch mixes type=doca and type=dpdk ports"
	return c
}

// checkUplinks fails when an eswitch has ports in OVS but its uplink (the
// physical port of the eswitch manager) is not in OVS: OVS-DOCA drives an
// eswitch through its manager, and without it the VF ports do not work,
// with no error anywhere.
func checkUplinks(ports []ovsPort, inv []eswitch.Representor) offload.Check {
	c := offload.Check{Name: "eswitch-uplink"}
	if inv == nil {
		c.Status, c.Detail = offload.CheckSkip, "no eswitch inventory: uplinks were not checked"
		return c
	}
	inOVS := map[string]bool{}
	for _, p := range ports {
		inOVS[p.Name] = true
	}
	used := map[string][]string{} // eswitch device -> its ports in OVS
	uplinks := map[string][]string{}
	for _, r := range inv {
		if r.Device == "" || r.Name == "" {
			continue
		}
		if r.Flavour == eswitch.FlavourPhysical {
			uplinks[r.Device] = append(uplinks[r.Device], r.Name)
		}
		if inOVS[r.Name] {
			used[r.Device] = append(used[r.Device], r.Name)
		}
	}
	var bad []string
	for dev, names := range used {
		ok := false
		for _, u := range uplinks[dev] {
			ok = ok || inOVS[u]
		}
		if !ok {
			up := strings.Join(uplinks[dev], " or ")
			if up == "" {
				up = "(no uplink netdev found)"
			}
			sort.Strings(names)
			bad = append(bad, fmt.Sprintf("eswitch %s has ports in OVS (%s) but not its uplink %s", dev, strings.Join(names, " "), up))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		c.Status, c.Detail = offload.CheckFail, strings.Join(bad, "; ")
		c.Fix = "add the eswitch manager's uplink (p0, and p1 on a multiport eswitch) to a netdev bridge: without it OVS-DOCA's VF ports are silently non-functional"
		return c
	}
	c.Status, c.Detail = offload.CheckPass, "every eswitch with ports in OVS has its uplink in OVS"
	return c
}
