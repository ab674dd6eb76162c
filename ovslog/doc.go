// SPDX-License-Identifier: Apache-2.0

// Package ovslog reads ovs-vswitchd's log for what it says about hardware
// offload, as typed events: a flow OVS failed to offload (with the error,
// the device and, when the daemon logged at debug level, the flow's UFID and
// OVS's own reason), a kernel acknowledgment that does not match the
// request, a failed ingress qdisc, the flow API enabled, and the "probe tc:"
// lines, among them the ct_state bits the kernel's flower supports.
//
// It knows the line formats of OVS 3.x (modules dpif_netlink,
// netdev_offload, netdev_offload_tc, tc) and 4.0 (dpif_offload,
// dpif_offload_tc, dpif_offload_tc_netdev), in the log file's default
// pattern and in syslog's. Most of these lines are logged at debug level
// (OVS logs "failed to offload flow" for EOPNOTSUPP and ENOSPC at DBG):
// DebugModules lists the modules a bounded debug window should raise (see
// package appctl).
//
// Logs are hostile input: lines are cut at MaxLine, at most MaxEvents are
// kept, and texts are made safe to print.
package ovslog
