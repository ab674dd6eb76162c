// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"fmt"
	"strings"

	"github.com/ovsoffload/ovsoffload/ovslog"
)

// Reason codes taken from ovs-vswitchd's log (Node.Log).
const (
	// ReasonOVSOffloadFailed: ovs-vswitchd logged "failed to offload flow"
	// for this flow (the line, or the put line after it, names its UFID).
	// The detail quotes the line and OVS's own reason logged before it.
	ReasonOVSOffloadFailed ReasonCode = "ovs-offload-failed"
	// ReasonOVSRefused: OVS's TC translation refused the flow before the
	// kernel saw it, in its own words ("offloading attribute pkt_mark isn't
	// supported", "unsupported put action type: 12").
	ReasonOVSRefused ReasonCode = "ovs-refused"
	// ReasonAckMismatch: the kernel stored a flower filter other than the
	// one OVS asked for ("Kernel flower acknowledgment does not match
	// request").
	ReasonAckMismatch ReasonCode = "tc-ack-mismatch"
	// ReasonIngressQdiscFailed: OVS could not add the ingress qdisc that TC
	// offload needs on a port ("failed adding ingress qdisc required for
	// offloading").
	ReasonIngressQdiscFailed ReasonCode = "ingress-qdisc-failed"
)

// LogEvidence says what was read from ovs-vswitchd's log and what it gave
// the report.
type LogEvidence struct {
	// Path, Start and End: bytes [Start, End) of Path were read; Rotated
	// means the file was shorter than the offset asked for.
	Path    string `json:"path,omitempty"`
	Start   int64  `json:"start,omitempty"`
	End     int64  `json:"end,omitempty"`
	Rotated bool   `json:"rotated,omitempty"`
	// Lines read, Skipped (not OVS's format), Dropped events (beyond the
	// reader's bound).
	Lines   int `json:"lines"`
	Skipped int `json:"skipped,omitempty"`
	Dropped int `json:"dropped,omitempty"`
	// Failures counts the offload failures the running daemon logged (from
	// StartLine on, when the log holds its start), Attributed those tied to
	// a flow of the report by UFID. Earlier runs are no evidence.
	Failures   int `json:"failures"`
	Attributed int `json:"attributed"`
	// FlowAPIEnabled: the log holds the line OVS prints when it reads
	// hw-offload=true.
	FlowAPIEnabled bool `json:"flow_api_enabled"`
	// StartLine and Version: the line where the daemon's last run starts
	// in the log, and its version, when the log holds that start.
	StartLine int    `json:"start_line,omitempty"`
	Version   string `json:"version,omitempty"`
	// CTStateBits is what "probe tc: supported ovs ct_state bits" said;
	// CTStateKnown is false when the log read holds no such line.
	CTStateBits  uint32 `json:"ct_state_bits"`
	CTStateKnown bool   `json:"ct_state_known"`
	// DebugModules are the modules a debug window raised to dbg while the
	// log was written, if one was open (set by the caller).
	DebugModules []string `json:"debug_modules,omitempty"`
}

// NewLogEvidence summarises a log for a report.
func NewLogEvidence(l *ovslog.Log) *LogEvidence {
	if l == nil {
		return nil
	}
	e := &LogEvidence{Path: l.Path, Start: l.Start, End: l.End, Rotated: l.Rotated, Lines: l.Lines,
		Skipped: l.Skipped, Dropped: l.Dropped, FlowAPIEnabled: l.FlowAPIEnabled()}
	e.CTStateBits, e.CTStateKnown = l.CTState()
	if st, ok := l.LastStart(); ok {
		e.StartLine, e.Version = st.Line, st.Version
	}
	e.Failures = len(l.Current().Of(ovslog.OffloadFailed))
	return e
}

// oneLine keeps a log text on one line of the report's table.
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " / ") }

// portRefusals returns, by device name, the last offload failure or ingress
// qdisc failure the log names for it, as PortFacts.Refusal says it.
func portRefusals(l *ovslog.Log) map[string]string {
	out := map[string]string{}
	if l == nil {
		return out
	}
	for _, e := range l.Of(ovslog.OffloadFailed, ovslog.IngressQdiscFailed) {
		if e.Device == "" {
			continue
		}
		out[e.Device] = oneLine(fmt.Sprintf("last offload failure logged for %s: %s", e.Device, e.String()))
	}
	return out
}

// applyLogToPorts sets PortFacts.Refusal from the running daemon's part
// of the log.
func applyLogToPorts(facts *Facts) {
	if facts.Log == nil {
		return
	}
	refusals := portRefusals(facts.Log.Current())
	for name, pf := range facts.Ports {
		r, ok := refusals[name]
		if !ok && pf.Representor != "" {
			r, ok = refusals[pf.Representor]
		}
		if ok {
			pf.Refusal = r
			facts.Ports[name] = pf
		}
	}
}

// logNodeReasons are the log's facts about the whole node.
//
// No reason is drawn from a missing "Flow API Enabled" line: OVS enables
// its flow API whenever it reads hw-offload=true (vswitchd/bridge.c
// bridge_run), and the line is INFO, which a log at WARN never holds.
func logNodeReasons(l *ovslog.Log) []Reason {
	if l == nil {
		return nil
	}
	var rs []Reason
	if acks := l.Of(ovslog.AckMismatch); len(acks) > 0 {
		last := acks[len(acks)-1]
		rs = append(rs, Reason{ReasonAckMismatch, oneLine(fmt.Sprintf("%d times, last: %s", len(acks), last.String()))})
	}
	for _, e := range l.Of(ovslog.IngressQdiscFailed) {
		if e.Device == "" { // OVS 3.1 does not say which port
			rs = append(rs, Reason{ReasonIngressQdiscFailed, oneLine(e.String())})
		}
	}
	// Refusals no failure line claimed: at OVS's default levels a refusal
	// may be ERR while the failure line that names the device is DBG.
	type group struct {
		n    int
		last ovslog.Event
	}
	var order []string
	groups := map[string]*group{}
	for _, e := range l.Of(ovslog.Refusal) {
		if e.Claimed {
			continue
		}
		g := groups[e.Text]
		if g == nil {
			g = &group{}
			groups[e.Text] = g
			order = append(order, e.Text)
		}
		g.n++
		g.last = e
	}
	for _, text := range order {
		g := groups[text]
		rs = append(rs, Reason{ReasonOVSRefused, oneLine(fmt.Sprintf(
			"OVS refused to offload flows it does not name here (a debug window ties them to flows): %q, %d times, last %s",
			text, g.n, g.last.String()))})
	}
	return rs
}

// failuresByUFID indexes the log's offload failures that name a flow.
func failuresByUFID(l *ovslog.Log) map[string][]ovslog.Event {
	out := map[string][]ovslog.Event{}
	if l == nil {
		return out
	}
	for _, e := range l.Of(ovslog.OffloadFailed) {
		us := e.UFIDs // a userspace megaflow's datapath flows
		if len(us) == 0 && e.UFID != "" {
			us = []string{e.UFID}
		}
		for _, u := range us {
			out[u] = append(out[u], e)
		}
	}
	return out
}

// logFlowReasons are the reasons the log gives for one flow: the last
// failure logged for its UFID, and OVS's own reasons before it.
func logFlowReasons(evs []ovslog.Event) []Reason {
	if len(evs) == 0 {
		return nil
	}
	e := evs[len(evs)-1]
	var rs []Reason
	for _, r := range e.Reasons {
		rs = append(rs, Reason{ReasonOVSRefused, oneLine(r)})
	}
	detail := e.String()
	if len(evs) > 1 {
		detail = fmt.Sprintf("%s (logged %d times)", detail, len(evs))
	}
	return append(rs, Reason{ReasonOVSOffloadFailed, oneLine(detail)})
}
