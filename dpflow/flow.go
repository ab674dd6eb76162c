// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"encoding/hex"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Flow is one line of `ovs-appctl dpctl/dump-flows`: an optional UFID (with
// -m), the match, the statistics, the offload state and dp layer (with -m),
// the actions and the dp-extra-info (with -m, userspace datapath).
type Flow struct {
	// UFID is the unique flow identifier printed with -m; see HasUFID.
	UFID UFID
	// HasUFID reports whether the line started with "ufid:".
	HasUFID bool
	// Match holds the keys, each with its optional masks.
	Match []Node
	// Stats holds packets, bytes, used, flags, offloaded and dp.
	Stats Stats
	// HasActions reports whether the line had "actions:" (possibly empty).
	HasActions bool
	// Actions holds the datapath actions.
	Actions []Node
	// ExtraInfo is the text after "dp-extra-info:", printed last with -m by
	// the userspace datapath (for example "miniflow_bits(4,1)").
	ExtraInfo string
	// HasExtraInfo reports whether the line had "dp-extra-info:".
	HasExtraInfo bool
	// Fields are the name:value parts of the line that are none of OVS's
	// own: a vendor fork's (NVIDIA's mega_ufid: before the match, Yusur's
	// offload_packets: and offload_bytes: among the statistics) or one a
	// later OVS prints. They are kept, typed as far as their values show,
	// and formatted back where they were.
	Fields []Field
	// Err is set only on a Flow that stands for a line that did not parse
	// (a *ParseError), as a reader that keeps going past such lines yields
	// it so that the line is counted and reported instead of dropped; every
	// other field is then empty. Parse and a Scanner's Flow never set it.
	Err error

	keySep string // text between the match and what follows: ", " as OVS prints it
	// layout is the order and separators of what follows the match, for a
	// line that has Fields or prints its statistics otherwise than OVS
	// (out of order, or joined by ',' without a space as some forks do);
	// nil when the line is as OVS prints it.
	layout []part
}

// part is one element after the match: a statistic, attribute or the
// actions (id: tPackets...tExtra), or Fields[-1-id]; sep is the text
// printed before it.
type part struct {
	id  int32
	sep string
}

// Field is a name:value part of a flow's line that is not one of OVS's
// own (packets:, bytes:, used:, flags:, offloaded:, dp:, actions:,
// dp-extra-info:, ufid:). It is kept as printed.
type Field struct {
	// Name is the text before ':' (for example "mega_ufid").
	Name string
	// Value is the text after ':', up to the next ',' outside quotes and
	// brackets.
	Value string
	// Type is what the value looks like: TypeUint for a count, TypeUFID
	// for a UFID, TypeString otherwise.
	Type ValueType
	// BeforeMatch reports whether the field was printed between the ufid
	// and the match (as NVIDIA's mega_ufid:), not among the statistics.
	BeforeMatch bool

	sep string // for a field before the match: the text printed after it
}

// Uint decodes a field's value as an integer.
func (f Field) Uint() (uint64, error) { return parseUint(f.Value) }

// UFID decodes a field's value as a UFID.
func (f Field) UFID() (UFID, bool) { return ParseUFID(f.Value) }

// Field returns the first of the flow's Fields with the given name.
func (f *Flow) Field(name string) (Field, bool) {
	for _, x := range f.Fields {
		if x.Name == name {
			return x, true
		}
	}
	return Field{}, false
}

// fieldNameLen returns the length of the name of a name:value field that s
// starts with (a lower-case letter, then letters, digits, '_' and '-',
// then ':'), or 0.
func fieldNameLen(s string) int {
	if len(s) == 0 || s[0] < 'a' || s[0] > 'z' {
		return 0
	}
	for i := 1; i < len(s) && i < 64; i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
		case c == ':':
			return i
		default:
			return 0
		}
	}
	return 0
}

// fieldValue scans a field's value: up to a ',' that is not inside quotes
// or brackets, or the end.
func (p *parser) fieldValue() (string, error) {
	start := p.pos
	depth := 0
	var quote byte
	for ; p.pos < len(p.s); p.pos++ {
		c := p.s[p.pos]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(' || c == '{' || c == '[':
			depth++
		case c == ')' || c == '}' || c == ']':
			if depth == 0 {
				return "", p.errAt(p.pos, "unbalanced %q in a field's value", c)
			}
			depth--
		case c == ',' && depth == 0:
			return p.s[start:p.pos], nil
		}
	}
	if quote != 0 || depth != 0 {
		return "", p.errAt(start, "unterminated quote or bracket in a field's value")
	}
	return p.s[start:p.pos], nil
}

// field parses a name:value field at the position (fieldNameLen n > 0).
func (p *parser) field(n int, before bool) (Field, error) {
	f := Field{Name: p.s[p.pos : p.pos+n], BeforeMatch: before}
	p.pos += n + 1
	v, err := p.fieldValue()
	if err != nil {
		return f, err
	}
	f.Value, f.Type = v, TypeString
	if _, ok := ParseUFID(v); ok {
		f.Type = TypeUFID
	} else if _, err := parseUint(v); err == nil {
		f.Type = TypeUint
	}
	return f, nil
}

// tailSep consumes the separator after an element that is not the last:
// ", " as OVS prints it, or ',' right before another element as some forks
// print it. It returns the separator.
func (p *parser) tailSep() (string, error) {
	s, i := p.s, p.pos
	if strings.HasPrefix(s[i:], ", ") && i+2 < len(s) {
		p.pos += 2
		return ", ", nil
	}
	if i+1 < len(s) && s[i] == ',' && (tailAt(s[i+1:]) >= 0 || fieldNameLen(s[i+1:]) > 0) {
		p.pos++
		return ",", nil
	}
	return "", p.errAt(i, "expected ', ' and more")
}

// Stats are the statistics and datapath attributes of a flow.
type Stats struct {
	// Present reports whether packets, bytes and used were printed.
	Present bool
	// Packets is the number of packets that hit the flow.
	Packets uint64
	// Bytes is the number of bytes that hit the flow.
	Bytes uint64
	// Used is how long ago the flow was last hit, as printed.
	Used Used
	// TCPFlags are the TCP flags seen ("flags:", e.g. "SFP."), empty when
	// not printed.
	TCPFlags string
	// Offloaded is the offload state printed with -m.
	Offloaded Offload
	// DP is the datapath layer printed with -m: "ovs", "tc", "dpdk",
	// "doca", or another name; empty when not printed.
	DP string
}

// Used is the "used:" statistic as printed: "never" or seconds such as
// "0.123s".
type Used string

// Never reports whether the flow was never hit.
func (u Used) Never() bool { return u == "never" }

// Ago returns how long ago the flow was last hit.
func (u Used) Ago() (time.Duration, bool) {
	s := strings.TrimSuffix(string(u), "s")
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return time.Duration(v * float64(time.Second)), true
}

// Offload is a flow's offload state as printed with -m.
type Offload string

// Offload states. OffloadNone means "offloaded:" was not printed: the flow
// is in OVS only (or the dump was taken without -m).
const (
	OffloadNone    Offload = ""
	OffloadYes     Offload = "yes"     // matched and executed in hardware / TC / DOCA
	OffloadPartial Offload = "partial" // matched in hardware, actions in OVS
)

// UFID is a datapath unique flow identifier. The kernel TC datapath puts it
// in the flower filter's action cookie.
type UFID [16]byte

// String formats the UFID as OVS does: 8-4-4-4-12 lower-case hex digits.
func (u UFID) String() string { return string(u.appendTo(nil)) }

func (u UFID) appendTo(b []byte) []byte {
	var buf [36]byte
	hex.Encode(buf[0:8], u[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], u[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], u[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], u[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:36], u[10:16])
	return append(b, buf[:]...)
}

// ParseUFID parses the 8-4-4-4-12 lower-case hex form of a UFID, as OVS
// prints it.
func ParseUFID(s string) (UFID, bool) {
	var u UFID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	// One check for all 32 digits: any byte that is not a lower-case hex
	// digit maps to 0xff and shows in bad.
	var bad byte
	for j, i := range ufidDigits {
		hi, lo := lowerHexVal[s[i]], lowerHexVal[s[i+1]]
		bad |= hi | lo
		u[j] = hi<<4 | lo
	}
	return u, bad <= 0xf
}

// ufidDigits are the offsets of the UFID's 16 bytes (two hex digits each)
// in its 8-4-4-4-12 text.
var ufidDigits = [16]uint8{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}

// lowerHexVal maps the lower-case hex digits to their values and every other
// byte to 0xff.
var lowerHexVal = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c - '0'
	}
	for c := byte('a'); c <= 'f'; c++ {
		t[c] = c - 'a' + 10
	}
	return t
}()

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// Key returns the first top-level key of the match with the given kind.
func (f *Flow) Key(k Kind) (*Node, bool) {
	for i := range f.Match {
		if f.Match[i].Kind == k {
			return &f.Match[i], true
		}
	}
	return nil, false
}

// InPort returns the in_port key's value: a port number, or a name when
// dumped with --names. It is empty when the match has no in_port.
func (f *Flow) InPort() string {
	if k, ok := f.Key(KeyInPort); ok {
		return k.scalar().Value
	}
	return ""
}

// RecircID returns the recirc_id key's value.
func (f *Flow) RecircID() (uint32, bool) {
	if k, ok := f.Key(KeyRecircID); ok {
		v, err := k.Uint()
		return uint32(v), err == nil
	}
	return 0, false
}

// DPLayer returns the datapath layer that holds the flow ("ovs", "tc",
// "dpdk", "doca", ...). A dump without -m prints none; DPLayer then returns
// "".
func (f *Flow) DPLayer() string { return f.Stats.DP }

// OffloadState returns the flow's offload state.
func (f *Flow) OffloadState() Offload { return f.Stats.Offloaded }

// tail field names, in the order dpctl prints them.
var tailNames = [...]string{"packets", "bytes", "used", "flags", "offloaded", "dp", "actions", "dp-extra-info"}

const (
	tPackets = iota
	tBytes
	tUsed
	tFlags
	tOffloaded
	tDP
	tActions
	tExtra
)

// tailAt returns the statistic or attribute that s starts with ("name:"),
// or -1. The first byte picks the only candidates, each checked with one
// comparison of a constant prefix.
func tailAt(s string) int {
	if len(s) < 3 {
		return -1
	}
	switch s[0] {
	case 'p':
		if len(s) >= 8 && s[:8] == "packets:" {
			return tPackets
		}
	case 'b':
		if len(s) >= 6 && s[:6] == "bytes:" {
			return tBytes
		}
	case 'u':
		if len(s) >= 5 && s[:5] == "used:" {
			return tUsed
		}
	case 'f':
		if len(s) >= 6 && s[:6] == "flags:" {
			return tFlags
		}
	case 'o':
		if len(s) >= 10 && s[:10] == "offloaded:" {
			return tOffloaded
		}
	case 'a':
		if len(s) >= 8 && s[:8] == "actions:" {
			return tActions
		}
	case 'd':
		if s[:3] == "dp:" {
			return tDP
		}
		if len(s) >= 14 && s[:14] == "dp-extra-info:" {
			return tExtra
		}
	}
	return -1
}

// Parse parses one line of dpctl/dump-flows output (or a match-only or
// statistics-and-actions-only string as OVS tests print them). A control
// character (line feed, carriage return, NUL, tab, any other byte below
// 0x20, DEL) or invalid UTF-8 anywhere in line is a *ParseError at its
// column: a flow is one line of text.
func Parse(line string) (*Flow, error) {
	p := parser{arena: make([]Node, 0, 32), stack: make([]Node, 0, 8), top: make([]Node, 0, 24)}
	f := new(Flow)
	if err := p.flow(f, line); err != nil {
		return nil, err
	}
	return f, nil
}

// ParseActions parses a datapath action list such as
// "ct(commit,zone=5),recirc(0x1)". Control characters and invalid UTF-8 are
// refused as in Parse.
func ParseActions(s string) ([]Node, error) {
	var p parser
	p.s = s
	if err := p.checkText(); err != nil {
		return nil, err
	}
	acts, err := p.actionList()
	if err != nil {
		return nil, err
	}
	if p.pos != len(s) {
		return nil, p.errAt(p.pos, "unexpected text after the actions")
	}
	if err := p.actions(acts, 0); err != nil {
		return nil, err
	}
	return acts, nil
}

// FormatActions formats an action list as OVS prints it.
func FormatActions(acts []Node) string { return string(appendList(nil, acts)) }

func (p *parser) reset(s string) {
	p.s, p.pos, p.depth = s, 0, 0
	p.arena = p.arena[:0]
	p.stack = p.stack[:0]
	p.top = p.top[:0]
	p.vfields = p.vfields[:0]
}

func (p *parser) flow(f *Flow, line string) error {
	p.reset(line)
	*f = Flow{}
	if err := p.checkText(); err != nil {
		return err
	}
	if strings.HasPrefix(line, "ufid:") {
		if len(line) < 41 {
			return p.errAt(5, "bad ufid")
		}
		u, ok := ParseUFID(line[5:41])
		if !ok {
			return p.errAt(5, "bad ufid")
		}
		f.UFID, f.HasUFID = u, true
		p.pos = 41
		if p.pos < len(line) {
			if !strings.HasPrefix(line[p.pos:], ", ") || p.pos+2 == len(line) {
				return p.errAt(p.pos, "expected ', ' and the flow after the ufid")
			}
			p.pos += 2
		}
	}
	// Fields a fork prints before the match (NVIDIA's mega_ufid:): a key
	// is name(...), never name:.
	for p.pos < len(p.s) && tailAt(p.s[p.pos:]) < 0 {
		n := fieldNameLen(p.s[p.pos:])
		if n == 0 {
			break
		}
		fld, err := p.field(n, true)
		if err != nil {
			return err
		}
		start := p.pos
		if _, err := p.tailSep(); err != nil {
			return p.errAt(start, "expected ', ' and the flow after %s:", fld.Name)
		}
		fld.sep = p.s[start:p.pos]
		p.vfields = append(p.vfields, fld)
	}
	// The match.
	base := len(p.top)
	allFast := true // every key typed by the fast path: no typing pass
	inMatch := p.pos < len(p.s) && tailAt(p.s[p.pos:]) < 0
	for inMatch {
		if sp := p.spaces(); !p.fastKey(sp) {
			allFast = false
			if err := p.push(&p.top, true, sp, 0); err != nil {
				return err
			}
		}
		if p.pos+1 < len(p.s) && p.s[p.pos] == ',' && p.s[p.pos+1] != ' ' {
			p.pos++ // the usual: another key follows
			continue
		}
		if p.pos == len(p.s) {
			break
		}
		sepStart := p.pos
		if p.s[p.pos] == ',' {
			p.pos++
			if p.pos == len(p.s) { // a trailing comma, as in some OVS tests
				f.keySep = ","
				break
			}
		}
		q := p.pos
		for q < len(p.s) && p.s[q] == ' ' {
			q++
		}
		// Statistics and actions follow the match after ", " (or " " in some
		// OVS tests); keys follow each other after a bare ','.
		if q > p.pos && q < len(p.s) && (tailAt(p.s[q:]) >= 0 || fieldNameLen(p.s[q:]) > 0) {
			f.keySep = p.s[sepStart:q]
			p.pos = q
			break
		}
		if p.pos == sepStart {
			return p.errAt(p.pos, "expected ',' between keys")
		}
		inMatch = p.pos < len(p.s)
	}
	f.Match = p.top[base:len(p.top):len(p.top)]
	if !allFast {
		if err := p.keys(f.Match, 0); err != nil {
			return err
		}
	}
	if err := p.tail(f); err != nil {
		return err
	}
	if len(p.vfields) > 0 {
		f.Fields = append([]Field(nil), p.vfields...)
	}
	return nil
}

// tail parses what follows the match: the statistics, the attributes, the
// actions and the dp-extra-info, and the name:value fields among them.
// OVS prints them in one order joined by ", "; a line printed otherwise (a
// fork's fields, flags:/offloaded:/dp: in another order, ',' without a
// space) keeps its layout so that it formats back the same.
func (p *parser) tail(f *Flow) error {
	last := -1 // the last of OVS's own elements, in OVS's order
	var seen uint16
	var buf [12]part // the layout, kept only when it is not OVS's
	parts := buf[:0]
	canon := true
	sep := f.keySep
	for p.pos < len(p.s) {
		t := tailAt(p.s[p.pos:])
		switch {
		case t == tPackets && last < 0 && !p.noFast && p.statsFast(f):
			parts = append(parts, part{tPackets, sep}, part{tBytes, ", "}, part{tUsed, ", "})
			last, seen = tUsed, seen|1<<tPackets|1<<tBytes|1<<tUsed
		case t < 0:
			n := fieldNameLen(p.s[p.pos:])
			if n == 0 {
				return p.errAt(p.pos, "expected packets:, bytes:, used:, flags:, offloaded:, dp:, actions:, dp-extra-info: or a name:value field")
			}
			fld, err := p.field(n, false)
			if err != nil {
				return err
			}
			p.vfields = append(p.vfields, fld)
			parts = append(parts, part{int32(-len(p.vfields)), sep})
			canon = false
		default:
			if seen&(1<<t) != 0 {
				return p.errAt(p.pos, "%s: repeated", tailNames[t])
			}
			// Only flags:, offloaded: and dp: may come in another order
			// (a fork prints dp: before offloaded:).
			if t < last && (t <= tUsed || last >= tActions) {
				return p.errAt(p.pos, "%s: out of order", tailNames[t])
			}
			if err := p.tailElement(f, t, last); err != nil {
				return err
			}
			if t < last {
				canon = false
			} else {
				last = t
			}
			seen |= 1 << t
			parts = append(parts, part{int32(t), sep})
		}
		if p.pos == len(p.s) {
			break
		}
		var err error
		if sep, err = p.tailSep(); err != nil {
			return err
		}
		canon = canon && sep == ", "
	}
	if last >= tPackets && last < tUsed {
		return p.errAt(p.pos, "packets:, bytes: and used: go together")
	}
	if !canon {
		f.layout = append([]part(nil), parts...)
	}
	return nil
}

// tailElement parses the statistic, attribute or actions t, at the
// position, into f; last is the one before it, or -1.
func (p *parser) tailElement(f *Flow, t, last int) error {
	if t < 0 {
		return p.errAt(p.pos, "expected packets:, bytes:, used:, flags:, offloaded:, dp:, actions: or dp-extra-info:")
	}
	if t > tUsed && last < tUsed && last >= tPackets || t > tPackets && t <= tUsed && last != t-1 {
		return p.errAt(p.pos, "packets:, bytes: and used: go together")
	}
	start := p.pos
	p.pos += len(tailNames[t]) + 1
	switch t {
	case tActions:
		slow := p.slow
		acts, err := p.actionList()
		if err != nil {
			return err
		}
		f.HasActions, f.Actions = true, acts
		if p.slow != slow { // not every action typed by the fast path
			if err := p.actions(acts, 0); err != nil {
				return err
			}
		}
	case tExtra:
		f.HasExtraInfo, f.ExtraInfo = true, p.s[p.pos:]
		p.pos = len(p.s)
	default:
		if err := p.statistic(f, t, start); err != nil {
			return err
		}
	}
	return nil
}

// statistic parses the value of the statistic or attribute t (not actions:
// nor dp-extra-info:), whose name starts at start, into f.
func (p *parser) statistic(f *Flow, t, start int) error {
	v := p.tailValue()
	switch t {
	case tPackets, tBytes:
		n, ok := parseCount(v)
		if !ok {
			return p.errAt(start, "bad %s count", tailNames[t])
		}
		if t == tPackets {
			f.Stats.Packets = n
		} else {
			f.Stats.Bytes = n
		}
	case tUsed:
		if !validUsed(v) {
			return p.errAt(start, "used: is never or seconds such as 0.123s")
		}
		f.Stats.Used, f.Stats.Present = Used(v), true
	case tFlags:
		if !validTCPFlags(v) {
			return p.errAt(start, "flags: are TCP flags such as SP. or none")
		}
		f.Stats.TCPFlags = v
	case tOffloaded:
		if v != "yes" && v != "partial" {
			return p.errAt(start, "offloaded: is yes or partial")
		}
		f.Stats.Offloaded = Offload(v)
	case tDP:
		if v == "" {
			return p.errAt(start, "empty dp:")
		}
		f.Stats.DP = v
	}
	return nil
}

// parseCount parses a packet or byte count: decimal digits without a
// leading zero that fit in a uint64.
func parseCount(v string) (uint64, bool) {
	if v == "" || len(v) > 20 || len(v) > 1 && v[0] == '0' {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(v); i++ {
		d := uint64(v[i] - '0')
		if d > 9 {
			return 0, false
		}
		// Only a 20th digit can overflow: 19 digits are below 1e19 < 2^64.
		if i == 19 && n > (math.MaxUint64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// validUsed accepts "never" and seconds as dpctl prints them ("0.123s"),
// also without the unit as some OVS tests rewrite them ("0.0"): digits,
// and if there is a '.', digits on both sides of it.
func validUsed(v string) bool {
	if v == "never" {
		return true
	}
	if n := len(v); n > 0 && v[n-1] == 's' {
		v = v[:n-1]
	}
	dot := -1
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == '.' && dot < 0 {
			dot = i
		} else if c-'0' > 9 {
			return false
		}
	}
	return v != "" && dot != 0 && dot != len(v)-1
}

// statsFast parses "packets:N, bytes:N, used:T", the usual start of the
// statistics, at the position, up to the ',' or the end after it. On
// anything else, valid or not, it returns false with nothing changed, and
// the generic loop of flow takes the statistics.
func (p *parser) statsFast(f *Flow) bool {
	s, i := p.s, p.pos
	if len(s)-i < 8 || s[i:i+8] != "packets:" {
		return false
	}
	end := commaAt(s, i+8)
	packets, ok := parseCount(s[i+8 : end])
	if !ok || len(s)-end < 8 || s[end:end+8] != ", bytes:" {
		return false
	}
	i = end + 8
	end = commaAt(s, i)
	bytes, ok := parseCount(s[i:end])
	if !ok || len(s)-end < 7 || s[end:end+7] != ", used:" {
		return false
	}
	i = end + 7
	end = commaAt(s, i)
	if !validUsed(s[i:end]) {
		return false
	}
	f.Stats.Packets, f.Stats.Bytes, f.Stats.Used, f.Stats.Present = packets, bytes, Used(s[i:end]), true
	p.pos = end
	return true
}

// commaAt returns the index of the first ',' of s from i on, or len(s).
func commaAt(s string, i int) int {
	for i < len(s) && s[i] != ',' {
		i++
	}
	return i
}

// validTCPFlags accepts packet_format_tcp_flags's output: "none", or the
// letters S F P R U . E C N and [200] [400] [800].
func validTCPFlags(v string) bool {
	if v == "none" {
		return true
	}
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case 'S', 'F', 'P', 'R', 'U', '.', 'E', 'C', 'N':
		case '[':
			if !strings.HasPrefix(v[i:], "[200]") && !strings.HasPrefix(v[i:], "[400]") && !strings.HasPrefix(v[i:], "[800]") {
				return false
			}
			i += 4
		default:
			return false
		}
	}
	return true
}

// tailValue scans a statistic's value, up to ", " or the end.
func (p *parser) tailValue() string {
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] != ',' {
		p.pos++
	}
	return p.s[start:p.pos]
}

// actionList parses a top-level action list, up to the end of the line or
// ", dp-extra-info:".
func (p *parser) actionList() ([]Node, error) {
	base := len(p.top)
	if p.pos == len(p.s) {
		return nil, nil
	}
	for {
		if sp := p.spaces(); !p.fastAction(sp) {
			p.slow++
			if err := p.push(&p.top, true, sp, 0); err != nil {
				p.top = p.top[:base]
				return nil, err
			}
		}
		if p.pos == len(p.s) {
			break
		}
		if p.s[p.pos] != ',' {
			p.top = p.top[:base]
			return nil, p.errAt(p.pos, "expected ',' between actions")
		}
		if p.pos+2 < len(p.s) && p.s[p.pos+1] == ' ' && (tailAt(p.s[p.pos+2:]) >= 0 || fieldNameLen(p.s[p.pos+2:]) > 0) {
			break // dp-extra-info, or statistics out of order (reported by the caller)
		}
		p.pos++
	}
	return p.top[base:len(p.top):len(p.top)], nil
}

// String formats the flow exactly as OVS prints it.
func (f *Flow) String() string { return string(f.AppendText(make([]byte, 0, 512))) }

// AppendText appends the flow's text to b.
func (f *Flow) AppendText(b []byte) []byte {
	if f.HasUFID {
		b = append(b, "ufid:"...)
		b = f.UFID.appendTo(b)
		if len(f.Match) > 0 || f.Stats.Present || f.Stats.DP != "" || f.Stats.Offloaded != "" ||
			f.Stats.TCPFlags != "" || f.HasActions || f.HasExtraInfo || len(f.Fields) > 0 {
			b = append(b, ", "...)
		}
	}
	for i := range f.Fields {
		if x := &f.Fields[i]; x.BeforeMatch {
			b = x.appendTo(b)
			if x.sep != "" {
				b = append(b, x.sep...)
			} else {
				b = append(b, ", "...)
			}
		}
	}
	b = appendList(b, f.Match)
	if f.layout != nil {
		return f.appendLayout(b)
	}
	sep := ""
	if len(f.Match) > 0 {
		sep = f.keySep
		if sep == "" {
			sep = ", "
		}
		if !f.Stats.Present && f.Stats.TCPFlags == "" && f.Stats.Offloaded == "" && f.Stats.DP == "" &&
			!f.HasActions && !f.HasExtraInfo {
			b = append(b, f.keySep...)
		}
	}
	put := func(name string) {
		b = append(b, sep...)
		b = append(b, name...)
		b = append(b, ':')
		sep = ", "
	}
	if f.Stats.Present {
		put("packets")
		b = strconv.AppendUint(b, f.Stats.Packets, 10)
		put("bytes")
		b = strconv.AppendUint(b, f.Stats.Bytes, 10)
		put("used")
		b = append(b, f.Stats.Used...)
	}
	if f.Stats.TCPFlags != "" {
		put("flags")
		b = append(b, f.Stats.TCPFlags...)
	}
	if f.Stats.Offloaded != "" {
		put("offloaded")
		b = append(b, f.Stats.Offloaded...)
	}
	if f.Stats.DP != "" {
		put("dp")
		b = append(b, f.Stats.DP...)
	}
	for i := range f.Fields {
		if x := &f.Fields[i]; !x.BeforeMatch {
			put(x.Name)
			b = append(b, x.Value...)
		}
	}
	if f.HasActions {
		put("actions")
		b = appendList(b, f.Actions)
	}
	if f.HasExtraInfo {
		put("dp-extra-info")
		b = append(b, f.ExtraInfo...)
	}
	return b
}

func (x *Field) appendTo(b []byte) []byte {
	b = append(b, x.Name...)
	b = append(b, ':')
	return append(b, x.Value...)
}

// appendLayout appends what follows the match of a line printed otherwise
// than OVS prints it, in its own order and with its own separators.
func (f *Flow) appendLayout(b []byte) []byte {
	for _, pt := range f.layout {
		b = append(b, pt.sep...)
		if pt.id < 0 {
			if i := int(-1 - pt.id); i < len(f.Fields) {
				b = f.Fields[i].appendTo(b)
			}
			continue
		}
		b = append(b, tailNames[pt.id]...)
		b = append(b, ':')
		switch int(pt.id) {
		case tPackets:
			b = strconv.AppendUint(b, f.Stats.Packets, 10)
		case tBytes:
			b = strconv.AppendUint(b, f.Stats.Bytes, 10)
		case tUsed:
			b = append(b, f.Stats.Used...)
		case tFlags:
			b = append(b, f.Stats.TCPFlags...)
		case tOffloaded:
			b = append(b, f.Stats.Offloaded...)
		case tDP:
			b = append(b, f.Stats.DP...)
		case tActions:
			b = appendList(b, f.Actions)
		case tExtra:
			b = append(b, f.ExtraInfo...)
		}
	}
	return b
}

func appendList(b []byte, nodes []Node) []byte {
	for i := range nodes {
		n := &nodes[i]
		if i > 0 && n.form&formAdjacent == 0 {
			b = append(b, ',')
		}
		b = appendNode(b, n)
	}
	return b
}

func appendNode(b []byte, n *Node) []byte {
	for i := uint8(0); i < n.spaces; i++ {
		b = append(b, ' ')
	}
	b = append(b, n.Name...)
	f := n.form
	if f&(formEq|formParens|formBraces|formScalar) == 0 {
		// A node built by hand: name(children), name=value, or a bare value.
		switch {
		case len(n.Children) > 0:
			f |= formParens
		case n.Name != "" && n.Value != "":
			f |= formEq
		}
		if n.Mask != "" {
			f |= formMask
		}
	}
	switch {
	case f&formScalar != 0:
		b = append(b, '(')
		b = append(b, n.Value...)
		if n.form&formMask != 0 {
			b = append(b, '/')
			b = append(b, n.Mask...)
		}
		return append(b, ')')
	case f&formParens != 0:
		b = append(b, '(')
		b = appendList(b, n.Children)
		b = append(b, ')')
	case f&formBraces != 0:
		b = append(b, '{')
		b = appendList(b, n.Children)
		b = append(b, '}')
	case f&formEq != 0:
		b = append(b, '=')
		b = append(b, n.Value...)
	default:
		b = append(b, n.Value...)
	}
	if f&formMask != 0 {
		b = append(b, '/')
		b = append(b, n.Mask...)
	}
	return b
}

// Equal reports whether f and g are the same flow: same UFID, match,
// statistics, actions and dp-extra-info, printed the same way.
func (f *Flow) Equal(g *Flow) bool {
	return f.UFID == g.UFID && f.HasUFID == g.HasUFID && f.Stats == g.Stats &&
		f.HasActions == g.HasActions && f.ExtraInfo == g.ExtraInfo && f.HasExtraInfo == g.HasExtraInfo &&
		f.keySep == g.keySep && EqualNodes(f.Match, g.Match) && EqualNodes(f.Actions, g.Actions) &&
		slices.Equal(f.Fields, g.Fields) && slices.Equal(f.layout, g.layout)
}

// EqualNodes reports whether two node lists are the same, element by
// element (their positions in the parsed text aside).
func EqualNodes(a, b []Node) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.Name != y.Name || x.Value != y.Value || x.Mask != y.Mask || x.Kind != y.Kind ||
			x.Type != y.Type || x.form != y.form || x.spaces != y.spaces || !EqualNodes(x.Children, y.Children) {
			return false
		}
	}
	return true
}
