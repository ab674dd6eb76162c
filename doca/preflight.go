// SPDX-License-Identifier: Apache-2.0

package doca

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ovsoffload/ovsoffload/doca/docalib"
	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// Preflight checks, in order: the DOCA runtime can be loaded; OVS-DOCA is
// initialised (doca_initialized, when the schema has it); every eswitch is in
// switchdev mode; no eswitch has ports in both kernel (system) and netdev
// bridges; no eswitch has both type=doca and mlx5 type=dpdk ports
// (port-type-mix); every eswitch with ports in OVS has its uplink, the
// eswitch manager's port, in OVS (eswitch-uplink).
func (b *Backend) Preflight(ctx context.Context, node *offload.Node) ([]offload.Check, error) {
	var checks []offload.Check
	checks = append(checks, b.checkRuntime())
	st, err := node.DB.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("doca: reading status: %w", err)
	}
	checks = append(checks, checkInitialized(st))
	if node.Eswitch == nil {
		checks = append(checks, offload.Check{Name: "eswitch-mode", Status: offload.CheckSkip,
			Detail: "no eswitch client: the NIC's eswitch was not inspected"})
	}
	var inv *eswitch.Inventory
	if node.Eswitch != nil {
		inv, err = node.Eswitch.Discover(ctx)
		if err != nil {
			return nil, fmt.Errorf("doca: discovering representors: %w", err)
		}
		checks = append(checks, offload.CheckEswitchModes(ctx, node.Eswitch, inv)...)
	}
	mix, err := checkDatapathMix(ctx, node.DB, inv)
	if err != nil {
		return nil, err
	}
	checks = append(checks, mix)
	ports, err := netdevPorts(ctx, node.DB)
	if err != nil {
		return nil, fmt.Errorf("doca: reading ports: %w", err)
	}
	var reps []eswitch.Representor
	if inv != nil {
		reps = inv.Representors()
		if reps == nil {
			reps = []eswitch.Representor{}
		}
	}
	return append(checks, checkPortTypes(ports, reps), checkUplinks(ports, reps)), nil
}

func (b *Backend) checkRuntime() offload.Check {
	c := offload.Check{Name: "doca-runtime"}
	lib, err := b.loadRuntime()
	if err != nil {
		c.Status, c.Detail = offload.CheckFail, err.Error()
		if errors.Is(err, docalib.ErrNotSupported) {
			c.Fix = "install DOCA (doca-runtime / doca-networking) or point the backend's library setting at libdoca_common"
		}
		return c
	}
	defer lib.Close()
	v, _ := lib.Version()
	c.Status, c.Detail = offload.CheckPass, fmt.Sprintf("loaded %s (version %s)", lib.Path(), v)
	if m := lib.Missing(); len(m) > 0 {
		c.Detail += "; older runtime without " + strings.Join(m, ", ")
	}
	return c
}

func checkInitialized(st ovsdb.Status) offload.Check {
	c := offload.Check{Name: "doca-initialized"}
	switch {
	case !st.HasDOCA:
		c.Status, c.Detail = offload.CheckFail, fmt.Sprintf("ovs-vswitchd %s has no DOCA columns in its database schema: it is not OVS-DOCA", st.OVSVersion)
		c.Fix = "install NVIDIA's OVS-DOCA build of Open vSwitch"
	case !st.DOCAInitialized:
		c.Status, c.Detail = offload.CheckWarn, "doca_initialized is false"
		c.Fix = "set doca-init=true (Configure does) and restart ovs-vswitchd"
	default:
		c.Status, c.Detail = offload.CheckPass, "doca_initialized, DOCA "+st.DOCAVersion
	}
	return c
}

// checkDatapathMix fails when ports of one eswitch sit in bridges of both
// datapath types: OVS-DOCA and the kernel datapath cannot share an uplink.
// Without an inventory, DPDK-typed interfaces in system bridges are the sign.
func checkDatapathMix(ctx context.Context, db *ovsdb.Client, inv *eswitch.Inventory) (offload.Check, error) {
	c := offload.Check{Name: "datapath-mix"}
	bridges, err := db.Bridges(ctx)
	if err != nil {
		return c, err
	}
	types := map[string]map[string][]string{} // eswitch device -> datapath type -> ports
	var bad []string
	for _, name := range bridges {
		br, err := db.Bridge(ctx, name)
		if err != nil {
			return c, err
		}
		dp := br.DatapathType
		if dp == "" {
			dp = ovsdb.DatapathSystem
		}
		for _, pname := range br.Ports {
			if inv != nil {
				if r, err := inv.ByName(pname); err == nil && r.Device != "" {
					if types[r.Device] == nil {
						types[r.Device] = map[string][]string{}
					}
					types[r.Device][dp] = append(types[r.Device][dp], name+"/"+pname)
				}
				continue
			}
			if dp == ovsdb.DatapathSystem {
				p, err := db.Port(ctx, pname)
				if err != nil {
					return c, err
				}
				if strings.HasPrefix(p.Type, "dpdk") {
					bad = append(bad, fmt.Sprintf("%s (type=%s) is in kernel-datapath bridge %s", pname, p.Type, name))
				}
			}
		}
	}
	for dev, byType := range types {
		if len(byType) > 1 {
			bad = append(bad, fmt.Sprintf("eswitch %s has ports in system bridges (%v) and netdev bridges (%v)",
				dev, byType[ovsdb.DatapathSystem], byType[ovsdb.DatapathNetdev]))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		c.Status, c.Detail = offload.CheckFail, strings.Join(bad, "; ")
		c.Fix = "move every bridge that holds this eswitch's ports to datapath_type=netdev (offload.Activate does)"
		return c, nil
	}
	c.Status, c.Detail = offload.CheckPass, "no eswitch is split between kernel and userspace datapaths"
	return c, nil
}
