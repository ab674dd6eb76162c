// SPDX-License-Identifier: Apache-2.0

// Command flowdump reads Open vSwitch flow dumps as OVS prints them and
// prints, converts, counts or checks every flow:
//
//	flowdump [--kind auto|dpctl|ofctl] [--check] [--json] [--stats] [--max-line BYTES] [FILE ...]
//
// It reads the output of `ovs-appctl dpctl/dump-flows [-m] [--names]`
// (datapath flows, with the "flow-dump from ..." header lines of the
// userspace datapath) and of `ovs-ofctl [--names] dump-flows` (OpenFlow
// flows, with the "NXST_FLOW reply" or "OFPST_FLOW reply" headers), from the
// FILEs or from the standard input when there is none ("-" is the standard
// input too). Lines end at a line feed, CRLF or a carriage return alone.
// Blank lines and header lines are skipped. With --kind auto (the default)
// the first flow line of each file decides which of the two it is; a file
// that mixes kinds is an error, and so is a line that is no flow (no actions,
// and a word OVS does not know: "hello world"), as it is with --check.
//
// A flow is one line of printable UTF-8: a control character or invalid
// UTF-8 (a UTF-16 dump) is an error at its line and column. A line longer
// than --max-line bytes (default 1 MiB) stops the file with an error naming
// the line, after reading little more than that: memory stays bounded on a
// line without end (/dev/zero). Text printed from a dump has its
// non-printable characters escaped (\x1b, \u009b), so a dump cannot send
// escape sequences to the terminal.
//
// By default every flow is printed in its canonical form. --json prints one
// typed JSON object per flow, one per line. --stats prints, at the end, the
// number of flows by dp layer, by offload state and by input port (dpctl)
// or by table and by in_port (ofctl). --check parses, formats and parses
// again every line: the second parse must equal the first, and a canonical
// line (every dpctl line, and an ofctl line with the statistics that
// ovs-ofctl dump-flows prints) must format back to the same bytes. Every
// problem is reported as FILE:LINE:COL: message on the standard error, and
// the last line of the output is "checked N flows: E errors". --check and
// --stats print no flows unless --json is given.
//
// Exit status: 0 when every line is good, 1 when a line does not parse or
// fails the check, 2 on a usage error (unknown flag, unreadable file, a line
// longer than --max-line).
//
// The program is a short lesson in the two parsers: dpflow.Scanner and
// openflow.Scanner stream a dump of any size with memory bounded by one
// flow; Flow.AppendText formats, Flow.MarshalJSON encodes, and the
// *ParseError of either package gives the line and column of a bad line.
package main
