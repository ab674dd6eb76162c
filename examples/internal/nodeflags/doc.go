// SPDX-License-Identifier: Apache-2.0

// Package nodeflags holds what the example binaries offload-check and
// offload-exporter share: the flags that say which node to look at
// (--db, --target, --backend, --from-file, --eswitch), and the three library
// steps behind them: dialling the node's Open_vSwitch database
// (ovsdb.Dial), choosing the offload backend the node runs (Choose, from
// ovsdb.Status and ovsdb.OffloadSettings) and building an offload.Node whose
// flows come from ovs-vswitchd or from a saved dump (ScanFile streams it
// through dpflow.Scanner, one flow at a time, lines bounded by --max-line;
// ReadDump reads it whole).
package nodeflags
