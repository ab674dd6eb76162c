// SPDX-License-Identifier: Apache-2.0

// Package offload turns "is this flow in hardware?" into an answer a program
// can act on, and ties the leaf packages together into offload backends.
//
// A Report holds a verdict for every datapath flow (in hardware, partially
// offloaded, in software TC only, or in OVS only), with the reasons that can
// be known, aggregated per port, per representor and per pod. Classify builds
// a Report from a dpctl/dump-flows -m dump, the node's facts (hw-offload,
// tc-policy, eswitch mode, per-port hw-tc-offload) and the hardware evidence a
// backend found for each UFID (for kernel TC: the flower filter whose action
// cookie carries the UFID, and its in_hw / not_in_hw flags).
//
// What "in hardware" means follows the datapath that owns the flow:
//
//   - kernel TC: dpctl prints "offloaded:yes, dp:tc" and the filter carrying
//     the flow's UFID reports in_hw (in_hw_count >= 1); not_in_hw is software TC.
//   - OVS-DOCA: "offloaded:yes, dp:doca".
//   - "offloaded:partial": matched in hardware, actions run in OVS.
//   - "dp:ovs": the flow never left OVS.
package offload
