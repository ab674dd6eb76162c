// SPDX-License-Identifier: Apache-2.0

// Package ovstest runs real Open vSwitch daemons for integration tests, in
// this repository and in other repositories that import it.
//
// Everything it starts lives under t.TempDir() and, for switches, in network
// namespaces of its own: no global /var/run/openvswitch, no global database,
// nothing left behind. Cleanup (registered with t.Cleanup) stops every daemon
// by PID and proves it is gone, and deletes every namespace it made.
//
//   - StartDB starts an ovsdb-server with the Open_vSwitch schema installed by
//     Debian's openvswitch-common, listening on a unix socket.
//   - StartSwitch starts an ovsdb-server and an ovs-vswitchd that uses the
//     userspace (netdev) datapath, inside a fresh network namespace. Only one
//     userspace datapath can live in a namespace, so every switch gets its own.
//   - Switch.AddHost makes a "port": a veth pair whose near end is plugged into
//     a bridge of the switch and whose far end sits, with an address, in a
//     namespace of its own. TX checksum offload is turned off on both ends;
//     without that, TCP through the userspace datapath breaks while ping works.
//
// The tests need root and the Debian package openvswitch-switch. When they are
// missing the helpers skip the test, or fail it when OVSOFFLOAD_STRICT=1 is
// set (CI=true alone is not strict: an importer's CI may have no Open vSwitch).
package ovstest
