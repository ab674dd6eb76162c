// SPDX-License-Identifier: Apache-2.0

package ovslog

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Limits of the reader. A hostile or broken log cannot make it hold more.
const (
	// MaxLine is the longest line read whole; longer lines are cut (and
	// counted in Log.Truncated).
	MaxLine = 64 << 10
	// MaxEvents is how many events a Log keeps; older ones are dropped
	// first (and counted in Log.Dropped).
	MaxEvents = 100_000
	// maxPending bounds the refusal lines waiting for their failure line
	// in one thread, and maxThreads the threads tracked at once.
	maxPending = 16
	maxThreads = 1024
	// maxText bounds the text kept of one message.
	maxText = 4 << 10
)

// Kind names an event of ovs-vswitchd's log that matters for offload.
type Kind string

// The kinds of events, with the OVS code that logs them (3.x names first,
// 4.0 names second).
const (
	// OffloadFailed: "failed to offload flow: ERR: DEV" (dpif_netlink,
	// lib/dpif-netlink.c parse_flow_put; dpif_offload_tc,
	// lib/dpif-offload-tc.c tc_parse_flow_put). DBG when ERR is "Operation
	// not supported" or "No space left on device", ERR otherwise. Also "DP:
	// failed to put[...] (ERR) ufid:..." (lib/dpif.c log_flow_message, from
	// dpif_offload in 4.0), which names the flow but not the device.
	OffloadFailed Kind = "offload-failed"
	// Refusal: OVS's own TC translation refused a flow, before the kernel
	// saw it ("offloading attribute pkt_mark isn't supported", "unsupported
	// put action type: 12", "Can only support 32 actions", "recirc_id
	// sharing not supported"...; netdev_offload_tc / dpif_offload_tc_netdev,
	// mostly DBG).
	// A Refusal is also the Reason of the OffloadFailed event that follows
	// it in the same thread (Claimed then says so); one not Claimed stands
	// alone, as at OVS's default levels, where the refusal may be ERR
	// ("recirc_id sharing not supported") and the failure line DBG.
	Refusal Kind = "ovs-refusal"
	// AckMismatch: "Kernel flower acknowledgment does not match request!"
	// (tc, lib/tc.c tc_replace_flower, WARN): the kernel stored a filter
	// other than the one OVS asked for.
	AckMismatch Kind = "ack-mismatch"
	// IngressQdiscFailed: "failed adding ingress qdisc required for
	// offloading[ on DEV]: ERR" (netdev_offload_tc / dpif_offload_tc_netdev,
	// INFO); 3.1 does not name the device.
	IngressQdiscFailed Kind = "ingress-qdisc-failed"
	// NetdevOffloadFailed is not a kind of its own: "failed to add netdev
	// flow M" and "failed to modify netdev flow M" (dpif_netdev,
	// lib/dpif-netdev.c dp_offload_flow; dpif_offload_dpdk in 4.0, DBG),
	// the userspace datapath's offload failures, are OffloadFailed events
	// with MegaUFID set.

	// FlowAPIEnabled: "netdev: Flow API Enabled" (netdev_offload,
	// lib/netdev-offload.c) or "Flow HW offload is enabled" (dpif_offload,
	// lib/dpif-offload.c): hw-offload=true was read at start.
	FlowAPIEnabled Kind = "flow-api-enabled"
	// Started: the first line a run of the daemon logs (message number 1
	// in the main thread: vlog numbers each thread's lines from 1). Version
	// is filled from the "ovs-vswitchd (Open vSwitch) X" line (bridge,
	// lib/bridge.c) that follows.
	Started Kind = "started"
	// ProbeTC: a "probe tc: ..." line (INFO); the one "probe tc: supported
	// ovs ct_state bits: 0x%x" carries the ct_state bits the kernel's
	// flower accepts (Event.CTStateBits).
	ProbeTC Kind = "probe-tc"
)

// Event is one log line (or a failure with the lines that explain it) that
// matters for offload. Texts are kept verbatim except that control
// characters and invalid UTF-8 are escaped and they are cut at 4 KiB.
type Event struct {
	// Kind says what happened.
	Kind Kind `json:"kind"`
	// Line is the line number in what was read (1-based), Time the line's
	// timestamp (zero when the format has none, as syslog's).
	Line int       `json:"line"`
	Time time.Time `json:"time,omitzero"`
	// Module, Thread and Level are the line's vlog module ("dpif_netlink"),
	// thread ("handler1", "" for the main thread) and level ("DBG").
	Module string `json:"module"`
	Thread string `json:"thread,omitempty"`
	Level  string `json:"level"`
	// Text is the message.
	Text string `json:"text"`
	// Err is the error OVS names ("Operation not supported"), Device the
	// netdev ("pf0vf0"), both "" when the line has none.
	Err    string `json:"error,omitempty"`
	Device string `json:"device,omitempty"`
	// UFID is the flow's UFID ("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx") when
	// the line, or the put line OVS logs right after it in the same thread
	// (dpif_netlink at dbg), names it.
	UFID string `json:"ufid,omitempty"`
	// MegaUFID is the megaflow a userspace-datapath offload failure names
	// ("failed to add netdev flow M"); UFIDs are the datapath flows (as
	// dpctl/dump-flows shows them) that dpif_netdev's "flow_add: ufid:U
	// mega_ufid:M" lines tie to it, the first of them also in UFID.
	MegaUFID string   `json:"mega_ufid,omitempty"`
	UFIDs    []string `json:"ufids,omitempty"`
	// Reasons are the Refusal texts the same thread logged just before an
	// OffloadFailed: OVS's own reason for it.
	Reasons []string `json:"reasons,omitempty"`
	// Version is the daemon's version, for a Started event.
	Version string `json:"version,omitempty"`
	// Claimed is true for a Refusal that an OffloadFailed event carries in
	// its Reasons.
	Claimed bool `json:"claimed,omitempty"`
	// CTStateBits and CTStateProbe: the ct_state bits of a "probe tc:
	// supported ovs ct_state bits" line (OVS's OVS_CS_F_* bits).
	CTStateBits  uint32 `json:"ct_state_bits,omitempty"`
	CTStateProbe bool   `json:"ct_state_probe,omitempty"`
}

// String is the event as a report quotes it: "ovs-vswitchd log line N
// (time module LEVEL): text", with OVS's reasons and the flow it names.
func (e Event) String() string {
	when := ""
	if !e.Time.IsZero() {
		when = e.Time.UTC().Format("2006-01-02T15:04:05.000Z") + " "
	}
	s := fmt.Sprintf("ovs-vswitchd log line %d (%s%s %s): %s", e.Line, when, e.Module, e.Level, e.Text)
	if len(e.Reasons) > 0 {
		s += " after " + strings.Join(quoteAll(e.Reasons), ", ")
	}
	switch {
	case e.MegaUFID != "" && e.UFID != "" && len(e.UFIDs) > 1:
		s += fmt.Sprintf(" (the megaflow of ufid:%s and %d other datapath flows)", e.UFID, len(e.UFIDs)-1)
	case e.MegaUFID != "" && e.UFID != "":
		s += fmt.Sprintf(" (the megaflow of ufid:%s)", e.UFID)
	case e.UFID != "" && !strings.Contains(e.Text, e.UFID):
		s += " (ufid:" + e.UFID + ")"
	}
	return s
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

// Log is what was read from ovs-vswitchd's log.
type Log struct {
	// Events are the offload events, in log order.
	Events []Event `json:"events,omitempty"`
	// Lines counts the lines read; Skipped those not in OVS's log format
	// (and not a continuation of a message); Truncated those cut at
	// MaxLine; Dropped the events beyond MaxEvents, oldest first.
	Lines     int `json:"lines"`
	Skipped   int `json:"skipped,omitempty"`
	Truncated int `json:"truncated,omitempty"`
	Dropped   int `json:"dropped,omitempty"`
	// Path, Start and End say what was read, when it came from a file
	// (ReadFile): bytes [Start, End) of Path. Rotated is true when the file
	// was shorter than the offset asked for (rotated or truncated), so it
	// was read from its start.
	Path    string `json:"path,omitempty"`
	Start   int64  `json:"start,omitempty"`
	End     int64  `json:"end,omitempty"`
	Rotated bool   `json:"rotated,omitempty"`
}

// CTState returns the ct_state bits of the last "probe tc: supported ovs
// ct_state bits" line, and whether there was one. OVS probes once, when the
// first port joins the TC flow API: a log read from an offset after that
// (or rotated since) does not know.
func (l *Log) CTState() (bits uint32, known bool) {
	for i := len(l.Events) - 1; i >= 0; i-- {
		if e := l.Events[i]; e.Kind == ProbeTC && e.CTStateProbe {
			return e.CTStateBits, true
		}
	}
	return 0, false
}

// FlowAPIEnabled reports whether the log holds the line OVS prints when it
// reads hw-offload=true (once per run: at start, or when it is set later).
func (l *Log) FlowAPIEnabled() bool {
	for _, e := range l.Events {
		if e.Kind == FlowAPIEnabled {
			return true
		}
	}
	return false
}

// LastStart returns the Started event of the daemon's last run in the log,
// and whether there is one (a log read from an offset, or rotated since
// the start, has none).
func (l *Log) LastStart() (Event, bool) {
	for i := len(l.Events) - 1; i >= 0; i-- {
		if l.Events[i].Kind == Started {
			return l.Events[i], true
		}
	}
	return Event{}, false
}

// Current returns a Log holding the events of the daemon's last run: those
// from its last Started event on, or all of them when the log holds no
// start. What an earlier run logged (other ports, other flows) is no
// evidence about the running daemon.
func (l *Log) Current() *Log {
	for i := len(l.Events) - 1; i >= 0; i-- {
		if l.Events[i].Kind == Started {
			c := *l
			c.Events = l.Events[i:]
			return &c
		}
	}
	return l
}

// FlowAPIEnabledSinceStart says whether the daemon's last run logged that
// its flow API is enabled; known is false when the log does not hold that
// run's start.
func (l *Log) FlowAPIEnabledSinceStart() (enabled, known bool) {
	start := -1
	for i := len(l.Events) - 1; i >= 0; i-- {
		if l.Events[i].Kind == Started {
			start = i
			break
		}
	}
	if start < 0 {
		return false, false
	}
	for _, e := range l.Events[start:] {
		if e.Kind == FlowAPIEnabled {
			return true, true
		}
	}
	return false, true
}

// Of returns the events of the given kinds, in log order.
func (l *Log) Of(kinds ...Kind) []Event {
	var out []Event
	for _, e := range l.Events {
		for _, k := range kinds {
			if e.Kind == k {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// DebugModules are the vlog modules whose dbg lines explain offload
// failures, in OVS 3.x (netdev_offload*, dpif_netlink) and 4.0
// (dpif_offload*) names. A debug window raises those the daemon has.
var DebugModules = []string{
	"dpif_netlink", "netdev_offload", "netdev_offload_tc", "tc",
	"dpif_offload", "dpif_offload_tc", "dpif_offload_tc_netdev",
}

// DebugModulesUserspace are the modules whose dbg lines name the userspace
// (netdev) datapath's offload failures and tie megaflows to datapath flows
// (dpif_netdev's "flow_add" lines; dpif_netdev logs every upcall at dbg,
// rate-limited), for OVS-DOCA and DPDK nodes.
var DebugModulesUserspace = []string{
	"dpif_netdev", "netdev_offload", "netdev_offload_dpdk",
	"dpif_offload", "dpif_offload_dpdk", "dpif_offload_dpdk_netdev",
}

// Parse reads a log: ovs-vswitchd's log file (the default pattern
// "%D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c%T|%p|%m") or its syslog lines
// ("ovs|%05N|%c%T|%p|%m" after the syslog prefix). Lines in neither form are
// counted and skipped; only a read error fails it.
func Parse(r io.Reader) (*Log, error) {
	p := newParser()
	if err := p.read(r); err != nil {
		return p.log, err
	}
	return p.log, nil
}

// Size returns the size of the file at path: the offset to give ReadFile
// later to read only what was logged in between.
func Size(path string) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("ovslog: %w", err)
	}
	return st.Size(), nil
}

// ReadFile parses the file at path from offset on (0: the whole file). When
// the file is now shorter than offset it was rotated or truncated: it is
// read from its start and Log.Rotated says so. A last line without its
// newline (one OVS may be writing) is not read; Log.End stops before it,
// so ReadFile(path, l.End) later continues where this one stopped.
func ReadFile(path string, offset int64) (*Log, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ovslog: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("ovslog: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("ovslog: %s is not a regular file", path)
	}
	if offset < 0 {
		return nil, fmt.Errorf("ovslog: negative offset %d", offset)
	}
	rotated := false
	if offset > st.Size() {
		offset, rotated = 0, true
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, fmt.Errorf("ovslog: %w", err)
	}
	cr := &countReader{r: f}
	p := newParser()
	p.log.Path, p.log.Start, p.log.Rotated = path, offset, rotated
	p.holdPartial = true
	err = p.read(cr)
	p.log.End = offset + cr.n - p.partial
	if err != nil {
		return p.log, fmt.Errorf("ovslog: reading %s: %w", path, err)
	}
	return p.log, nil
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}
