// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ovsoffload/ovsoffload/internal/textsafe"
)

// WriteTable prints the report for people: one line per flow, one per port,
// and the totals. Text that came from a dump or from OVSDB (port and pod
// names, details) has its non-printable characters escaped, so that it can
// neither drive the terminal nor break the table's columns.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "backend: %s\n", esc(r.Backend))
	for _, n := range r.Node {
		fmt.Fprintf(tw, "node: %s: %s\n", esc(string(n.Code)), esc(n.Detail))
	}
	// The HW/SW column appears when the backend split the counters.
	split := false
	for _, f := range r.Flows {
		split = split || f.Counters != nil
	}
	if split {
		fmt.Fprintln(tw, "\nFLOW\tSTATE\tDP\tIN_PORT\tPOD\tPACKETS\tHW/SW\tREASONS")
	} else {
		fmt.Fprintln(tw, "\nFLOW\tSTATE\tDP\tIN_PORT\tPOD\tPACKETS\tREASONS")
	}
	for i, f := range r.Flows {
		state := string(f.State)
		if !f.Verified && f.State != Unverified && f.State != Unknown {
			state += " (unverified)"
		}
		if f.TrafficInSoftware {
			state += " (traffic in software)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t", i+1, esc(state), dash(f.DP), dash(f.InPort), dash(f.Pod), f.Packets)
		if split {
			fmt.Fprintf(tw, "%s\t", hwsw(f.Counters))
		}
		fmt.Fprintf(tw, "%s\n", reasonList(f.Reasons))
	}
	fmt.Fprintln(tw, "\nPORT\tREPRESENTOR\tPOD\tFLOWS\tIN-HW\tPARTIAL\tSW-TC\tOVS\tPORT FACTS")
	for _, p := range r.Ports {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", dash(p.Port), dash(p.Representor), dash(p.Pod), p.Flows,
			p.ByState[InHardware], p.ByState[Partial], p.ByState[SoftwareTC], p.ByState[OVSOnly], reasonList(p.Reasons))
	}
	fmt.Fprintf(tw, "\ntotal: %d flows: %d in hardware, %d partial, %d software TC, %d in OVS only\n",
		r.Totals.Flows, r.Totals.ByState[InHardware], r.Totals.ByState[Partial], r.Totals.ByState[SoftwareTC],
		r.Totals.ByState[OVSOnly])
	if n := r.Totals.ByState[Unverified]; n > 0 {
		fmt.Fprintf(tw, "unverified: %d flows (the dump cannot tell where they run)\n", n)
	}
	if n := r.Totals.ByState[Unknown]; n > 0 {
		fmt.Fprintf(tw, "unknown: %d lines of the dump could not be parsed (see their reasons)\n", n)
	}
	for _, l := range r.Limits {
		fmt.Fprintf(tw, "limit: %s\n", esc(l))
	}
	if e := r.OVSLog; e != nil {
		ct := "not in the part read"
		if e.CTStateKnown {
			ct = fmt.Sprintf("0x%x", e.CTStateBits)
		}
		run := "its start is not in the part read"
		if e.StartLine > 0 {
			run = fmt.Sprintf("the running daemon (%s) started at line %d", dash(e.Version), e.StartLine)
		}
		fmt.Fprintf(tw, "ovs-vswitchd log: %s bytes %d-%d, %d lines, %s: %d offload failures, %d tied to flows of this report; probe tc ct_state bits: %s\n",
			dash(e.Path), e.Start, e.End, e.Lines, esc(run), e.Failures, e.Attributed, ct)
		if len(e.DebugModules) > 0 {
			fmt.Fprintf(tw, "debug window: %s raised to dbg, restored after\n", esc(strings.Join(e.DebugModules, ", ")))
		}
	}
	return tw.Flush()
}

// esc escapes what a terminal would act on (names come from dumps and from
// OVSDB: "evil\x1b[2J"), and tabs, which would split a table's cell.
func esc(s string) string { return textsafe.Escape(s) }

// dash returns "-" for an empty cell, the escaped text otherwise.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return esc(s)
}

// reasonList prints each reason once, with its detail, separated by "; ".
func reasonList(rs []Reason) string {
	if len(rs) == 0 {
		return "-"
	}
	seen := map[Reason]bool{}
	var parts []string
	for _, r := range rs {
		if seen[r] {
			continue
		}
		seen[r] = true
		if r.Detail != "" {
			parts = append(parts, esc(string(r.Code))+": "+esc(r.Detail))
		} else {
			parts = append(parts, esc(string(r.Code)))
		}
	}
	return strings.Join(parts, "; ")
}

// hwsw prints split counters as "hardware/software" packets, "?" for
// hardware counters the layer did not report.
func hwsw(c *Counters) string {
	if c == nil {
		return "-"
	}
	hw := "?"
	if c.HWReported {
		hw = fmt.Sprint(c.HWPackets)
	}
	return fmt.Sprintf("%s/%d", hw, c.SWPackets)
}
