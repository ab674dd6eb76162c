// SPDX-License-Identifier: Apache-2.0

package ovslog

// The reader: lines to records, records to events, and the per-thread
// state that ties OVS's refusals, failures and put lines together.

import (
	"bufio"
	"errors"
	"io"
	"slices"
	"strings"
	"time"
)

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
