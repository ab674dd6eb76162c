// SPDX-License-Identifier: Apache-2.0

package doca

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ovsoffload/ovsoffload/appctl"
	"github.com/ovsoffload/ovsoffload/offload"
)

// OffloadStats is what `ovs-appctl dpctl/offload-stats-show` reports for
// the userspace datapath (the one OVS-DOCA runs): the totals over its
// offload threads.
type OffloadStats struct {
	// Enqueued and Inserted are the "Total Enqueued offloads" and "Total
	// Inserted offloads" lines.
	Enqueued, Inserted uint64
	// Totals holds every "Total <name>:" line by name, such as
	// "Cumulative Average latency (us)".
	Totals map[string]uint64
}

// maxStatsText bounds the text ParseOffloadStats takes (a real answer is
// well under 4 KiB per offload thread).
const maxStatsText = 1 << 20

// ParseOffloadStats parses the text of dpctl/offload-stats-show: a "HW
// Offload stats:" header, then "Total <name>: <count>" and "[ N] <name>:
// <count>" lines. Anything else (a control character, a count that is not a
// number, a line of another shape) is an error naming the line.
func ParseOffloadStats(text string) (OffloadStats, error) {
	st := OffloadStats{Totals: map[string]uint64{}}
	if len(text) > maxStatsText {
		return st, fmt.Errorf("doca: offload-stats-show: %d bytes, more than %d", len(text), maxStatsText)
	}
	if !utf8.ValidString(text) {
		return st, fmt.Errorf("doca: offload-stats-show: not UTF-8")
	}
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "HW Offload stats:" {
		return st, fmt.Errorf("doca: offload-stats-show: want a %q header, got %q", "HW Offload stats:", firstLine(lines))
	}
	for i, l := range lines[1:] {
		if strings.ContainsFunc(l, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return st, fmt.Errorf("doca: offload-stats-show line %d: control character", i+2)
		}
		f := strings.TrimSpace(l)
		colon := strings.LastIndexByte(f, ':')
		if colon < 0 {
			return st, fmt.Errorf("doca: offload-stats-show line %d: no name: count in %q", i+2, f)
		}
		n, err := strconv.ParseUint(strings.TrimSpace(f[colon+1:]), 10, 64)
		if err != nil {
			return st, fmt.Errorf("doca: offload-stats-show line %d: count of %q: %w", i+2, f, err)
		}
		who, name, ok := strings.Cut(f[:colon], " ")
		name = strings.Join(strings.Fields(name), " ")
		switch {
		case !ok || name == "":
			return st, fmt.Errorf("doca: offload-stats-show line %d: no name in %q", i+2, f)
		case who == "Total":
			st.Totals[name] = n
			switch name {
			case "Enqueued offloads":
				st.Enqueued = n
			case "Inserted offloads":
				st.Inserted = n
			}
		case strings.HasPrefix(who, "["): // a thread's own line: "[  0] name"
		default:
			return st, fmt.Errorf("doca: offload-stats-show line %d: want Total or [thread] in %q", i+2, f)
		}
	}
	if _, ok := st.Totals["Inserted offloads"]; !ok {
		return st, fmt.Errorf("doca: offload-stats-show: no %q line", "Total Inserted offloads")
	}
	return st, nil
}

func firstLine(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	if len(lines[0]) > 80 {
		return lines[0][:80]
	}
	return lines[0]
}

// appctlEvidence asks ovs-vswitchd (node.Target, through its control
// socket, without running ovs-appctl) for dpctl/offload-stats-show and
// doca/log-get, and returns what they add to the report as limits: the
// offload threads' totals are not tied to flows, and doca/log-get exists
// only in OVS-DOCA. Nothing is asked when the node has no Target; a
// failure is reported, not returned.
func appctlEvidence(ctx context.Context, node *offload.Node) []string {
	if node.Target == "" {
		return nil
	}
	sock, err := appctl.FindSocket("", node.Target)
	if err != nil {
		return []string{"ovs-vswitchd's control socket: " + err.Error()}
	}
	c, err := appctl.Dial(sock)
	if err != nil {
		return []string{"ovs-vswitchd's control socket: " + err.Error()}
	}
	defer c.Close()
	var out []string
	if text, err := c.Call(ctx, "dpctl/offload-stats-show"); err != nil {
		out = append(out, "dpctl/offload-stats-show: "+err.Error())
	} else if st, err := ParseOffloadStats(text); err != nil {
		out = append(out, err.Error())
	} else {
		out = append(out, fmt.Sprintf("dpctl/offload-stats-show: %d offloads inserted, %d enqueued (totals of the offload threads, not tied to flows)",
			st.Inserted, st.Enqueued))
	}
	if text, err := c.Call(ctx, "doca/log-get"); err != nil {
		out = append(out, "doca/log-get: "+err.Error())
	} else {
		out = append(out, "doca/log-get: "+summarizeLevels(text))
	}
	return out
}

// summarizeLevels returns doca/log-get's answer on one line, control
// characters removed, at most 200 bytes.
func summarizeLevels(text string) string {
	s := strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return ' '
		}
		return r
	}, text)), " ")
	if len(s) > 200 {
		s = s[:200]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "..."
	}
	return s
}
