// SPDX-License-Identifier: Apache-2.0

// Package dpflow parses and formats Open vSwitch datapath flows, the lines
// printed by `ovs-appctl dpctl/dump-flows [-m] [--names]`.
//
// The grammar is the one of OVS lib/odp-util.c (keys, masks, actions) and
// lib/dpctl.c (ufid, statistics, offloaded, dp layer, dp-extra-info and the
// "flow-dump from ..." header lines of the userspace datapath).
//
// A parsed line is a [Flow]: its match is a list of key [Node]s, its actions a
// list of action [Node]s. Every node carries a [Kind] (the key or action it
// is), its value and mask as printed, and its children; every field of a
// known key or action carries a [ValueType] and is checked against it, so
// that ipv4(src=1.2.3.400) or psample(group=abc) is rejected with a
// [*ParseError] (line, column, offending text), like OVS rejects them. Keys,
// actions and fields that this package does not know are kept as they were
// printed (KeyUnknown / ActionUnknown, Node.Opaque): nothing is ever dropped.
// So are "name:value" fields that lib/dpctl.c does not print, before or after
// actions: (OVS-DOCA's dp-offload-info:'match unsupported: ...', a vendor
// build's statistics): [Flow.Fields], [Flow.Field], [Flow.OffloadInfo].
// The placeholders that OVS's own test suite writes in place of volatile
// values (<del>, <recirc>, 0xXXXX) are kept the same way. A flow is one line
// of printable UTF-8: a control character (NUL, tab, line feed, ESC, ...,
// DEL) or invalid UTF-8 is a [*ParseError] at its column, so that a UTF-16
// dump or an escape sequence never becomes a name.
//
// Format (Flow.String, Flow.AppendText, FormatActions) gives back exactly
// the text that was parsed: values are kept as printed and decoded on
// demand (Node.Uint, Node.IP, Node.MAC, Node.Flags, Node.MPLSStack, ...), so
// OVS output round-trips byte for byte. Flow.MarshalJSON gives a typed JSON
// object; Flow.InPort, Flow.DPLayer and Flow.OffloadState answer the usual
// questions directly.
//
// For large dumps use [Scanner], which reuses one flow's memory from line to
// line (a million-flow dump streams in under 20 MiB of RSS; a line is at
// most [Scanner].MaxLineLen bytes, 1 MiB by default, so a line without end
// fails fast). [DumpEach], [Dump], [DumpRaw] and [DumpScanner] ask a given
// ovs-vswitchd for dpctl/dump-flows over its control socket (package
// appctl; no ovs-appctl process); DumpEach parses each flow as its line
// arrives.
package dpflow
