// Package dpflow parses and formats Open vSwitch datapath flows, the lines
// printed by `ovs-appctl dpctl/dump-flows [-m] [--names]`.
//
// The grammar is the one of OVS lib/odp-util.c (keys, masks, actions) and
// lib/dpctl.c (ufid, statistics, offload state, dp layer, dp-extra-info and
// the "flow-dump from ..." header lines of the userspace datapath).
//
// A parsed line is a [Flow]: its match is a list of key [Node]s, its actions a
// list of action [Node]s. Every node carries a [Kind] (the key or action it
// is), its raw value and mask, and its children; every field of a known key
// or action carries a [ValueType] and is checked against it, so that
// ipv4(src=1.2.3.400) or psample(group=abc) is rejected with a *ParseError
// like OVS rejects them. Keys, actions and fields that this package does not
// know are kept as they were printed (Kind == KeyUnknown / ActionUnknown,
// Opaque() true): nothing is ever dropped.
//
// Format (Flow.String, Flow.AppendText) gives back exactly the text that was
// parsed: values are kept as printed and typed on demand (Node.Uint, Node.IP,
// Node.MAC, ...), so canonical OVS output round-trips byte for byte.
//
// For large dumps use [Scanner], which reuses one flow's memory from line to
// line, and [Dump] to run ovs-appctl against a given ovs-vswitchd.
package dpflow
