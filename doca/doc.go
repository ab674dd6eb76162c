// SPDX-License-Identifier: Apache-2.0

// Package doca is the OVS-DOCA offload backend: a userspace OVS (netdev
// datapath) that programs a fully hardware-resident datapath on NVIDIA NICs
// and DPUs through DOCA, with no kernel OVS or TC involved.
//
// Backend implements offload.Backend and registers as "doca":
//
//   - Configure writes other_config doca-init=true and hw-offload=true, the
//     optional hw-offload-ct-size, ctl-pipe-size, doca-congestion-threshold
//     and dpdk-extra, and removes those of them not configured; these keys
//     are the ones it registers as its own (Keys), and offload.Activate
//     removes them when another backend takes over, as it removes tc-policy
//     when doca does. Both doca-init and hw-offload are read only when
//     ovs-vswitchd starts: the Result says a restart is needed.
//   - Bridges use datapath_type=netdev.
//   - Representors become type=doca interfaces named after their netdev
//     (current OVS-DOCA, the default), or type=dpdk ones (Config.PortType
//     PortDPDK, older releases) named by netdev or with dpdk-devargs,
//     including the second uplink of a multiport eswitch; see Interface.
//   - Preflight checks the DOCA runtime (through docalib), the eswitch mode,
//     that no eswitch has ports in both kernel and netdev bridges, that no
//     eswitch mixes type=doca and mlx5 type=dpdk ports, and that every
//     eswitch with ports in OVS has its uplink (the eswitch manager) there.
//   - Verify reads dpctl/dump-flows -m: offloaded:yes, dp:doca is in
//     hardware; offloaded:partial (which OVS prints with dp:ovs) is partial;
//     OVS-DOCA's dp-offload-info is a reason. With Node.Target it reads
//     dpctl/offload-stats-show and doca/log-get through the control socket
//     (package appctl) into the report's limits.
//
// What is tested here and what is not: there is no BlueField and no DOCA on
// the machines that build this project. The settings, port plans and
// switching are tested against a real ovsdb-server; the runtime inventory
// through a stand-in DOCA library (docalib's tests); verification against
// dumps in the format OVS-DOCA documents. OVS-DOCA itself never runs here.
package doca
