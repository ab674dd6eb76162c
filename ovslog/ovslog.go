package ovslog

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
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

// pendingRefusal is a Refusal line waiting for its failure line.
type pendingRefusal struct {
	text string
	time time.Time
	idx  int // its event in Log.Events; < 0 once dropped
}

// refusalWindow is how long before a failure line a Refusal of the same
// thread may be to count as its reason: OVS logs both in one call chain, so
// a refusal older than that belongs to a flow whose failure line OVS's rate
// limit dropped.
const refusalWindow = time.Second

// threadState is what one thread logged that may explain its next lines.
type threadState struct {
	pending  []pendingRefusal // Refusals not yet claimed by a failure
	lastFail int              // index in Events of a failure waiting for its put line, -1 if none
}

type parser struct {
	log     *Log
	threads map[string]*threadState
	mega    map[string][]string // megaflow UFID -> datapath flow UFIDs (dpif_netdev flow_add)
	last    int                 // index of the last event, for continuation lines; -1 if the last record was not an event
	lastRec bool
	// holdPartial: a last line without a newline is not read (files);
	// partial is its length.
	holdPartial bool
	partial     int64
	// lastRefusal and lastThread: the last record was a Refusal of that
	// thread (continuation lines extend it).
	lastRefusal bool
	lastThread  string
}

func newParser() *parser {
	return &parser{log: &Log{}, threads: map[string]*threadState{}, mega: map[string][]string{}, last: -1}
}

func (p *parser) read(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	for {
		line, n, cut, err := readLine(br, buf[:0])
		buf = line
		if p.holdPartial && errors.Is(err, io.EOF) && n > 0 {
			// A last line without its newline may be one OVS is still
			// writing: it is left for the next read from End.
			p.partial = int64(n)
			p.finish()
			return nil
		}
		if len(line) > 0 || err == nil {
			p.log.Lines++
			if cut {
				p.log.Truncated++
			}
			p.line(line)
		}
		if errors.Is(err, io.EOF) {
			p.finish()
			return nil
		}
		if err != nil {
			p.finish()
			return err
		}
	}
}

// maxMega bounds the megaflow map; it is cleared when full.
const maxMega = 1 << 16

// finish ties userspace-datapath failures to the datapath flows of their
// megaflow.
func (p *parser) finish() {
	for i := range p.log.Events {
		e := &p.log.Events[i]
		if e.MegaUFID == "" || e.UFID != "" {
			continue
		}
		if us := p.mega[e.MegaUFID]; len(us) > 0 {
			e.UFID, e.UFIDs = us[0], slices.Clone(us)
		}
	}
}

// flowAdd records "flow_add: ufid:U mega_ufid:M ..." (lib/dpif-netdev.c
// dp_netdev_flow_add, also flow_mod).
func (p *parser) flowAdd(rec record) {
	if rec.module != "dpif_netdev" {
		return
	}
	rest, ok := strings.CutPrefix(rec.message, "flow_add: ")
	if !ok {
		if rest, ok = strings.CutPrefix(rec.message, "flow_mod: "); !ok {
			return
		}
	}
	u, ok := ufidPrefix(rest)
	if !ok {
		return
	}
	m, ok := ufidPrefix(strings.TrimPrefix(rest[len("ufid:")+36:], " mega_"))
	if !ok {
		return
	}
	if len(p.mega) >= maxMega {
		clear(p.mega)
	}
	if us := p.mega[m]; len(us) < 64 && !slices.Contains(us, u) {
		p.mega[m] = append(us, u)
	}
}

// readLine appends the next line to line, without its newline, cut at
// MaxLine (the rest of it is read and thrown away).
// n counts the bytes it consumed.
func readLine(br *bufio.Reader, line []byte) (_ []byte, n int, cut bool, err error) {
	for {
		frag, err := br.ReadSlice('\n')
		n += len(frag)
		if len(line)+len(frag) > MaxLine {
			room := MaxLine - len(line)
			if room > 0 {
				line = append(line, frag[:room]...)
			}
			cut = true
		} else {
			line = append(line, frag...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		line = trimEOL(line)
		return line, n, cut, err
	}
}

func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

var levels = map[string]bool{"EMER": true, "ERR": true, "WARN": true, "INFO": true, "DBG": true}

// record is one parsed log line.
type record struct {
	seq      string // the message number
	timeText string // the time field, parsed by when
	module   string
	thread   string
	level    string
	message  string
}

// when returns the record's time, zero when it has none (syslog) or it
// is not in vlog's formats.
func (r record) when() time.Time {
	if r.timeText == "" {
		return time.Time{}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.000Z", "2006-01-02T15:04:05Z"} {
		if t, err := time.Parse(layout, r.timeText); err == nil {
			return t
		}
	}
	return time.Time{}
}

// parseRecord splits a line in OVS's format: [time|]seq|module[(thread)]|LEVEL|message.
// It does not allocate.
func parseRecord(line string) (record, bool) {
	var rec record
	var f [5]string // the first five '|'-separated fields; f[4] keeps the rest
	n, rest := 0, line
	for n < 4 {
		i := strings.IndexByte(rest, '|')
		if i < 0 {
			break
		}
		f[n], rest = rest[:i], rest[i+1:]
		n++
	}
	if n < 3 {
		return rec, false
	}
	f[n] = rest
	for i := 0; i <= 1 && i+3 <= n; i++ {
		seq, mod, lvl := f[i], f[i+1], f[i+2]
		if !allDigits(seq) || !levels[lvl] {
			continue
		}
		name, thread, ok := splitModule(mod)
		if !ok {
			continue
		}
		rec.module, rec.thread, rec.level, rec.seq = name, thread, lvl, seq
		if i+3 == n {
			rec.message = f[n]
		} else { // i == 0: the fourth '|' is in the message
			rec.message = line[len(f[0])+len(f[1])+len(f[2])+3:]
		}
		if i == 1 {
			rec.timeText = f[0]
		}
		return rec, true
	}
	return rec, false
}

func allDigits(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// splitModule splits "dpif_netlink(handler1)" into module and thread.
func splitModule(s string) (mod, thread string, ok bool) {
	mod = s
	if i := strings.IndexByte(s, '('); i >= 0 {
		if !strings.HasSuffix(s, ")") {
			return "", "", false
		}
		mod, thread = s[:i], s[i+1:len(s)-1]
		if thread == "" || len(thread) > 64 || strings.ContainsFunc(thread, func(r rune) bool { return r < 0x21 || r == 0x7f || r == '(' || r == ')' }) {
			return "", "", false
		}
	}
	if mod == "" || len(mod) > 64 {
		return "", "", false
	}
	for i := 0; i < len(mod); i++ {
		c := mod[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return "", "", false
		}
	}
	return mod, thread, true
}

func (p *parser) line(raw []byte) {
	line := string(raw)
	rec, ok := parseRecord(line)
	if !ok {
		// A message OVS logged over several lines ("Unused mask bits:"
		// and a hex dump) continues the previous record.
		if p.lastRec && line != "" && !strings.Contains(line, "|") {
			if p.last >= 0 {
				e := &p.log.Events[p.last]
				e.Text = clean(e.Text + "\n" + line)
				return
			}
			if ts := p.threads[p.lastThread]; p.lastRefusal && ts != nil && len(ts.pending) > 0 {
				last := &ts.pending[len(ts.pending)-1]
				last.text = clean(last.text + "\n" + line)
				if last.idx >= 0 && last.idx < len(p.log.Events) {
					p.log.Events[last.idx].Text = last.text
				}
			}
			return // a continuation of a record that is no event
		}
		p.lastRec = false
		p.log.Skipped++
		return
	}
	p.lastRec, p.lastRefusal, p.lastThread = true, false, rec.thread
	p.last = -1
	if rec.thread == "" && strings.TrimLeft(rec.seq, "0") == "1" {
		// The line itself keeps its meaning below.
		p.add(Event{Kind: Started, Line: p.log.Lines, Time: rec.when(), Module: rec.module, Level: rec.level, Text: clean(rec.message)})
	}
	ev, ok := classify(rec)
	if !ok {
		p.putLine(rec)
		p.flowAdd(rec)
		p.versionLine(rec)
		return
	}
	if ev.Text == "" {
		ev.Text = clean(rec.message)
	}
	ev.Time = rec.when()
	ev.Line = p.log.Lines
	switch ev.Kind {
	case Refusal:
		ts := p.thread(rec.thread)
		if len(ts.pending) == maxPending {
			ts.pending = ts.pending[1:]
		}
		p.add(ev)
		ts.pending = append(ts.pending, pendingRefusal{text: ev.Text, time: ev.Time, idx: len(p.log.Events) - 1})
		p.lastRefusal = true
		return
	case OffloadFailed:
		ts := p.thread(rec.thread)
		if ev.UFID != "" && ts.lastFail >= 0 && ts.lastFail < len(p.log.Events) {
			// 4.0: dpif_offload's "failed to put[...] (ERR) ufid:U" right
			// after dpif_offload_tc's "failed to offload flow: ERR: DEV"
			// is the same failure: it names the flow.
			if f := &p.log.Events[ts.lastFail]; f.UFID == "" && f.Err == ev.Err {
				f.UFID = ev.UFID
				ts.lastFail = -1
				return
			}
		}
		ev.Reasons, ts.pending = p.claim(ts.pending, ev.Time), nil
		p.add(ev)
		ts.lastFail = -1
		if ev.UFID == "" {
			ts.lastFail = len(p.log.Events) - 1
		}
		p.last = len(p.log.Events) - 1
		return
	}
	p.add(ev)
	p.last = len(p.log.Events) - 1
}

// versionLine fills the Version of the last Started event from
// "ovs-vswitchd (Open vSwitch) 3.1.0" (lib/bridge.c, at start).
func (p *parser) versionLine(rec record) {
	v, ok := strings.CutPrefix(rec.message, "ovs-vswitchd (Open vSwitch) ")
	if rec.module != "bridge" || !ok {
		return
	}
	for i := len(p.log.Events) - 1; i >= 0; i-- {
		if e := &p.log.Events[i]; e.Kind == Started {
			if e.Version == "" {
				e.Version = clean(strings.TrimSpace(v))
			}
			return
		}
	}
}

// putLine attaches the UFID of a "DP: put[...] ufid:U ..." line (lib/dpif.c
// log_flow_message, dpif_netlink at dbg, logged right after parse_flow_put
// in 3.x) to the failure the same thread logged just before it.
func (p *parser) putLine(rec record) {
	if rec.module != "dpif_netlink" {
		return
	}
	op, rest, ok := cutDPIF(rec.message)
	if !ok || !strings.HasPrefix(op, "put") {
		return
	}
	ts, ok := p.threads[rec.thread]
	if !ok {
		return
	}
	u, hasUFID := ufidPrefix(rest)
	if ts.lastFail < 0 {
		// The put of a flow OVS refused, whose failure line its rate
		// limit dropped (the put line itself is not rate-limited): the
		// refusals just before it are that flow's.
		if !hasUFID {
			ts.pending = nil
			return
		}
		if reasons := p.claim(ts.pending, rec.when()); len(reasons) > 0 {
			p.add(Event{Kind: OffloadFailed, Line: p.log.Lines, Time: rec.when(), Module: rec.module, Thread: rec.thread,
				Level: rec.level, UFID: u, Reasons: reasons,
				Text: clean(cutAt(rec.message, " ufid:", 41) + " (OVS refused it; its \"failed to offload flow\" line was dropped by OVS's rate limit)")})
		}
		ts.pending = nil
		return
	}
	if hasUFID && ts.lastFail < len(p.log.Events) {
		p.log.Events[ts.lastFail].UFID = u
	}
	ts.lastFail = -1
	ts.pending = nil
}

// claim returns the texts of the refusals logged within refusalWindow
// before t (all of them when the lines carry no time).
// (It marks their events Claimed.)
func (p *parser) claim(pending []pendingRefusal, t time.Time) []string {
	var out []string
	for _, r := range pending {
		if !t.IsZero() && !r.time.IsZero() && (t.Sub(r.time) > refusalWindow || r.time.After(t)) {
			continue
		}
		out = append(out, r.text)
		if r.idx >= 0 && r.idx < len(p.log.Events) {
			p.log.Events[r.idx].Claimed = true
		}
	}
	return out
}

func (p *parser) thread(name string) *threadState {
	ts, ok := p.threads[name]
	if !ok {
		if len(p.threads) >= maxThreads {
			clear(p.threads)
		}
		ts = &threadState{lastFail: -1}
		p.threads[name] = ts
	}
	return ts
}

func (p *parser) add(ev Event) {
	if len(p.log.Events) >= MaxEvents {
		n := len(p.log.Events) - MaxEvents + 1
		p.log.Events = append(p.log.Events[:0], p.log.Events[n:]...)
		p.log.Dropped += n
		for _, ts := range p.threads {
			if ts.lastFail >= 0 {
				ts.lastFail -= n // < 0 when dropped: then nothing waits
			}
			for i := range ts.pending {
				if ts.pending[i].idx >= 0 {
					ts.pending[i].idx -= n
				}
			}
		}
	}
	p.log.Events = append(p.log.Events, ev)
}

// tcModules are the modules of OVS's TC translation (3.x, 4.0).
var tcModules = map[string]bool{"netdev_offload_tc": true, "dpif_offload_tc_netdev": true, "dpif_offload_tc": true, "tc": true}

// refusalPrefixes start the messages with which OVS's TC translation
// refuses a flow (lib/netdev-offload-tc.c, lib/dpif-offload-tc-netdev.c:
// test_key_and_mask, netdev_tc_parse_nl_actions, parse_put_flow_set_action,
// netdev_tc_flow_put and their 4.0 counterparts).
var refusalPrefixes = []string{
	"offloading ", // offloading attribute X isn't supported, of IPv6 fragments, multiple mpls_lses, isn't supported, unknown attribute
	"unsupported ",
	"Can only support ",
	"Can't find ",
	"Flow API provider mismatch",
	"flow_put: recirc_id sharing not supported",
	"flow recirc_id ",
	"match for chain ",
	"set action type ",
	"flow_put: failed to get ifindex",
	"error parsing VXLAN options",
	"couldn't get tc prio",
	"Tunnel options are in the wrong format",
}

// classify recognises the offload events.
func classify(rec record) (Event, bool) {
	ev := Event{Module: rec.module, Thread: rec.thread, Level: rec.level}
	msg := rec.message
	switch {
	case strings.HasPrefix(msg, "failed to offload flow: "):
		ev.Kind = OffloadFailed
		rest := msg[len("failed to offload flow: "):]
		if i := strings.LastIndex(rest, ": "); i >= 0 {
			ev.Err, ev.Device = clean(rest[:i]), clean(rest[i+2:])
		} else {
			ev.Err = clean(rest)
		}
		return ev, true
	case strings.HasPrefix(msg, "Kernel flower acknowledgment does not match request"):
		ev.Kind = AckMismatch
		return ev, true
	case strings.HasPrefix(msg, "failed adding ingress qdisc required for offloading"):
		ev.Kind = IngressQdiscFailed
		rest := msg[len("failed adding ingress qdisc required for offloading"):]
		if dev, ok := strings.CutPrefix(rest, " on "); ok {
			if i := strings.LastIndex(dev, ": "); i >= 0 {
				ev.Device, ev.Err = clean(dev[:i]), clean(dev[i+2:])
			}
		} else if e, ok := strings.CutPrefix(rest, ": "); ok {
			ev.Err = clean(e)
		}
		return ev, true
	case rec.module == "netdev_offload" && strings.HasPrefix(msg, "netdev: Flow API Enabled"),
		rec.module == "dpif_offload" && strings.HasPrefix(msg, "Flow HW offload is enabled"):
		ev.Kind = FlowAPIEnabled
		return ev, true
	case strings.HasPrefix(msg, "probe tc: "):
		ev.Kind = ProbeTC
		if hex, ok := strings.CutPrefix(msg, "probe tc: supported ovs ct_state bits: 0x"); ok {
			if v, err := strconv.ParseUint(strings.TrimSpace(hex), 16, 32); err == nil {
				ev.CTStateBits, ev.CTStateProbe = uint32(v), true
			}
		}
		return ev, true
	case (rec.module == "dpif_netdev" || rec.module == "dpif_offload_dpdk") &&
		(strings.HasPrefix(msg, "failed to add netdev flow ") || strings.HasPrefix(msg, "failed to modify netdev flow ")):
		ev.Kind = OffloadFailed
		i := strings.LastIndexByte(msg, ' ')
		if m, ok := ufidPrefix("ufid:" + msg[i+1:]); ok {
			ev.MegaUFID = m
		}
		ev.Err = msg[:i]
		return ev, true
	case tcModules[rec.module] && hasAnyPrefix(msg, refusalPrefixes):
		ev.Kind = Refusal
		return ev, true
	}
	// "DP: failed to put[create] (ERR) ufid:U ..." (lib/dpif.c
	// log_flow_message; dpif_offload in 4.0 logs offload failures so).
	if rec.module == "dpif_offload" || rec.module == "dpif_netlink" {
		if op, rest, ok := cutDPIF(msg); ok {
			if strings.HasPrefix(op, "failed to put") && strings.HasPrefix(rest, "(") {
				if i := strings.Index(rest, ") "); i > 0 {
					ev.Kind = OffloadFailed
					ev.Err = clean(rest[1:i])
					if u, ok := ufidPrefix(rest[i+2:]); ok {
						ev.UFID = u
					}
					ev.Text = clean(cutAt(msg, " ufid:", 44))
					return ev, true
				}
			}
		}
	}
	return ev, false
}

// cutDPIF splits "system@ovs-system: put[create] rest" into the operation
// ("put[create]", or "failed to put[create]") and the rest.
func cutDPIF(msg string) (op, rest string, ok bool) {
	i := strings.Index(msg, ": ")
	if i <= 0 || i > 128 || strings.ContainsAny(msg[:i], " |") {
		return "", "", false
	}
	msg = msg[i+2:]
	if strings.HasPrefix(msg, "failed to ") {
		j := strings.IndexByte(msg[len("failed to "):], ' ')
		if j < 0 {
			return "", "", false
		}
		j += len("failed to ")
		return msg[:j], msg[j+1:], true
	}
	j := strings.IndexByte(msg, ' ')
	if j < 0 {
		return "", "", false
	}
	return msg[:j], msg[j+1:], true
}

// ufidPrefix reads "ufid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" at the start
// of s (odp_format_ufid).
func ufidPrefix(s string) (string, bool) {
	s, ok := strings.CutPrefix(s, "ufid:")
	if !ok || len(s) < 36 {
		return "", false
	}
	u := s[:36]
	for i := 0; i < 36; i++ {
		c := u[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "", false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return "", false
			}
		}
	}
	return u, true
}

// cutAt keeps s up to sep and n bytes after it (the flow key that follows a
// UFID can be kilobytes long).
func cutAt(s, sep string, n int) string {
	i := strings.Index(s, sep)
	if i < 0 || len(s) <= i+n {
		return s
	}
	return s[:i+n] + " ..."
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// clean makes text safe to print: invalid UTF-8 and control characters
// other than newline are escaped as \xNN, and it is cut at maxText bytes.
func clean(s string) string {
	ok := utf8.ValidString(s) && len(s) <= maxText
	if ok {
		for i := 0; i < len(s); i++ {
			if c := s[i]; (c < 0x20 && c != '\n') || c == 0x7f {
				ok = false
				break
			}
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < maxText; {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	if b.Len() >= maxText {
		return b.String() + " ..."
	}
	return b.String()
}
