// SPDX-License-Identifier: Apache-2.0

// Package ovsoffload programs Open vSwitch and OVN datapaths on SmartNIC and DPU
// nodes and proves what ended up in hardware.
//
// The root package holds no code of its own; the work is done by its
// sub-packages:
//
//   - ovsdb: typed, idempotent, transactional access to the Open_vSwitch database
//   - eswitch: representor discovery and identity, eswitch state, host-side steps
//   - dpflow: parse and format datapath flow dumps (ovs-appctl dpctl/dump-flows)
//   - openflow: parse and format OpenFlow flow dumps (ovs-ofctl dump-flows)
//   - offload: the backend interface, verification reports and node setup
//   - tc, doca: the kernel TC flower and OVS-DOCA offload backends
//   - ovstest: real OVS daemons and an in-process OVSDB server for tests
package ovsoffload
