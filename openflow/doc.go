// SPDX-License-Identifier: Apache-2.0

// Package openflow parses and formats OpenFlow flows as Open vSwitch writes
// them, and programs flows atomically through OpenFlow bundles.
//
// Two text forms are understood by one parser:
//
//   - the lines printed by `ovs-ofctl [--names] dump-flows` (cookie, duration,
//     table, counters including "?", timeouts, bare-word flags, importance,
//     idle/hard age, priority, match, actions), and
//   - the flow syntax accepted by `ovs-ofctl add-flow` (fields separated by
//     commas or spaces, "key:value" as well as "key=value", header fields mixed
//     with the match).
//
// Parse returns a *Flow whose header is typed, whose match is a list of
// MatchField values (with decoding helpers by field kind) and whose actions are
// typed values (Output, Resubmit, CT, Learn, Conjunction, Controller, Move,
// Load, SetField, ...). An action the package does not model is kept as an
// *Opaque action holding its exact text: nothing is ever dropped.
//
// Format writes the canonical dump-flows form (the order and separators of OVS
// lib/ofp-flow.c ofputil_flow_stats_format), so Format(Parse(x)) == x for every
// line ovs-ofctl prints. Input in add-flow syntax is normalized to that form
// (see Format for the list of normalizations); Parse(Format(Parse(x))) always
// equals Parse(x). FormatSpec writes the add-flow form that ovs-ofctl accepts.
//
// Parse checks the syntax (balanced parentheses and quotes, numeric header
// fields, action structure); Validate also checks the values of match fields
// of known kinds (addresses, integers, ports, packet types). MarshalJSON gives
// a typed JSON object per flow (actions carry a "type" member).
//
// A Scanner reads raw dump output (reply header lines such as
// "NXST_FLOW reply (xid=0x4):" and blank lines are skipped, line numbers
// kept; LF, CRLF and a lone CR end a line) with memory bounded by one line
// of at most Scanner.MaxLineLen bytes (1 MiB by default).
//
// A flow is one line of printable UTF-8 text: Parse, ParseBytes,
// UnmarshalText and ParseActions refuse control characters (line feed,
// carriage return, NUL, tab, the rest of C0, DEL) and invalid UTF-8 with a
// *ParseError at the byte, and Programmer.Apply checks the exact text it
// writes to ovs-ofctl's input the same way, so that no field can carry a
// second flow.
//
// Programming flows goes through github.com/digitalocean/go-openvswitch: a
// Bundle of adds, deletes and replacements is sent as one `ovs-ofctl --bundle
// add-flow BRIDGE -` invocation, which OVS applies atomically (all or nothing).
// go-openvswitch runs ovs-ofctl through its own os/exec call (or an ExecFunc /
// PipeFunc given to ovs.New); that is the pinned library's process boundary,
// accepted by the project as the one exception to internal/cmdexec.
//
// Ofctl runs the single ovs-ofctl commands go-openvswitch lacks or reads
// without what controllers need, through internal/cmdexec with argument
// vectors: DumpAggregate (with flow_count), ModPort (no-flood and the
// other port configuration changes), and groups (AddGroup, ModGroup,
// DelGroup, DumpGroups).
package openflow
