// SPDX-License-Identifier: Apache-2.0

// Command offload-check is the seed guide's validation step as one command.
// The guide checks offload by eye:
//
//	ovs-appctl dpctl/dump-flows type=offloaded
//
// offload-check finds a pod's interface in OVS (by iface-id, by the pod name
// in its external_ids, or by port name), dumps the datapath flows, asks the
// node's offload backend which of them are in hardware and why the others
// are not, and prints the verdict of every flow that enters through the pod's
// port or leaves through it:
//
//	offload-check [--db unix:PATH] [--target CTL] [--pod [NS/]NAME | --iface-id ID | --port NAME]
//	              [--backend auto|tc|doca|none] [--json] [--from-file DUMP [--max-line BYTES]] [--counter-window 5s]
//	              [--log OVS_VSWITCHD_LOG [--debug-window DURATION]]
//	              [--probe [--dry-run] [--probe-interval D] [--probe-max N]]
//	              [--ovs-version V] [--ct-state-bits 0x..]
//
// Each flow's verdict carries its hardware and software packets when the
// backend splits them (TC: the filter's hardware counters apart from its
// total; the table's HW/SW column, "counters" in JSON). With
// --counter-window the flows are verified twice, that long apart, and a flow
// in hardware whose software packets grew is flagged "in hardware, but
// traffic in software" (reason traffic-in-software).
//
// --log reads ovs-vswitchd's log for OVS's own reasons (package ovslog):
// the last offload failure of each port, and for a flow the failure logged
// for its UFID with the refusal before it. --debug-window raises OVS's
// offload log modules to dbg through the control socket for that long
// (send traffic meanwhile) and then puts the exact previous levels back,
// also on timeout, SIGINT or SIGTERM (package appctl).
//
// With the tc backend, every flow that is not in hardware also gets the
// reasons OVS's own TC translation refuses it for (tc.Translator: the key, mask or
// action, and the OVS function that decides). --probe goes further: for a
// flow OVS can translate, it installs the filter OVS would install with
// skip_sw and the verbose flag in a chain nothing uses, reports the
// kernel's answer (the driver's refusal) verbatim, and deletes the filter
// (tc.Prober); --dry-run lists those filters and installs nothing.
//
// --from-file streams a saved dump: the flows are read one at a time, never held
// (the tc backend reads the file once per pass), and a line longer than --max-line bytes
// (1 MiB by default) is an error naming the line. Names and messages in the
// text output have their non-printable characters escaped (a pod name
// "evil\x1b[2J" cannot clear the screen); --json is JSON, escaped as JSON is.
//
// Without a selection it checks every flow of the node. Exit status: 0 when
// every selected flow is verified in hardware, 1 when some are not or there
// is no flow to check, 2 on error.
//
// The library calls, in order: ovsdb.Dial and the Port lookups that find the
// pod's ports (selection.go); offload.New for the backend, Backend.Verify for
// the Report; Report.Select to narrow it; Report.WriteTable to print it.
package main
