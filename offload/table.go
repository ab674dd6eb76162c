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
	fmt.Fprintln(tw, "\nFLOW\tSTATE\tDP\tIN_PORT\tPOD\tPACKETS\tREASONS")
	for i, f := range r.Flows {
		state := string(f.State)
		if !f.Verified {
			state += " (unverified)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", i+1, esc(state), dash(f.DP), dash(f.InPort), dash(f.Pod),
			f.Packets, reasonList(f.Reasons))
	}
	fmt.Fprintln(tw, "\nPORT\tREPRESENTOR\tPOD\tFLOWS\tIN-HW\tPARTIAL\tSW-TC\tOVS\tPORT FACTS")
	for _, p := range r.Ports {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", dash(p.Port), dash(p.Representor), dash(p.Pod), p.Flows,
			p.ByState[InHardware], p.ByState[Partial], p.ByState[SoftwareTC], p.ByState[OVSOnly], reasonList(p.Reasons))
	}
	fmt.Fprintf(tw, "\ntotal: %d flows: %d in hardware, %d partial, %d software TC, %d in OVS only\n",
		r.Totals.Flows, r.Totals.ByState[InHardware], r.Totals.ByState[Partial], r.Totals.ByState[SoftwareTC],
		r.Totals.ByState[OVSOnly])
	for _, l := range r.Limits {
		fmt.Fprintf(tw, "limit: %s\n", esc(l))
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
