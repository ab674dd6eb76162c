// SPDX-License-Identifier: Apache-2.0

package openflow

import (
	"reflect"
	"strconv"
	"strings"
	"time"
)

// DefaultPriority is the priority of a flow whose text gives none.
const DefaultPriority = 32768

// Unknown is the counter value OVS prints as "?" (n_packets=?, n_bytes=?):
// the switch did not report it.
const Unknown = ^uint64(0)

// UnknownAge is the idle_age or hard_age value printed as "?".
const UnknownAge = ^uint32(0)

// Flags are the flow-mod flags OVS prints as bare words before the match.
type Flags uint8

// The flow-mod flags, in the order OVS prints them.
const (
	SendFlowRem    Flags = 1 << iota // send_flow_rem
	CheckOverlap                     // check_overlap
	ResetCounts                      // reset_counts
	NoPacketCounts                   // no_packet_counts
	NoByteCounts                     // no_byte_counts
)

var flagNames = [...]string{"send_flow_rem", "check_overlap", "reset_counts", "no_packet_counts", "no_byte_counts"}

// Has reports which optional header fields were written in the text. Format
// writes a field when its bit is set or its value differs from the default,
// so that a line keeps fields that were written with default values (OVS
// prints cookie, duration, table and the counters on every dump line).
type Has uint16

// Header fields whose presence is tracked.
const (
	HasCookie Has = 1 << iota
	HasDuration
	HasTable
	HasPackets
	HasBytes
	HasIdleTimeout
	HasHardTimeout
	HasImportance
	HasIdleAge
	HasHardAge
	HasPriority
	HasActions // "actions=" was present (a delete or dump-flows selector has none)
)

// Flow is one OpenFlow flow: a dump-flows line or an add-flow specification.
//
// Strings in a parsed Flow share memory with the parsed text.
type Flow struct {
	Cookie     uint64 `json:"cookie"`
	CookieMask uint64 `json:"cookie_mask,omitempty"` // "cookie=V/M" in add-flow/del-flows syntax; 0 when absent
	// Duration is how long the flow has been installed. OVS prints whole
	// seconds, milliseconds or nanoseconds depending on the precision. A
	// negative Duration is printed "?s" (unknown).
	Duration    time.Duration `json:"duration_ns,omitempty"`
	Table       uint8         `json:"table"`
	TableName   string        `json:"table_name,omitempty"` // "table=NAME" with --names; Table is 0 then
	Packets     uint64        `json:"n_packets"`            // Unknown when printed as "?"
	Bytes       uint64        `json:"n_bytes"`              // Unknown when printed as "?"
	IdleTimeout uint16        `json:"idle_timeout,omitempty"`
	HardTimeout uint16        `json:"hard_timeout,omitempty"`
	Flags       Flags         `json:"flags,omitempty"`
	Importance  uint16        `json:"importance,omitempty"`
	IdleAge     uint32        `json:"idle_age,omitempty"` // UnknownAge when printed as "?"
	HardAge     uint32        `json:"hard_age,omitempty"` // UnknownAge when printed as "?"
	Priority    uint16        `json:"priority"`
	Match       []MatchField  `json:"match"`
	Actions     []Action      `json:"-"` // marshaled with a "type" member by MarshalJSON
	Has         Has           `json:"has"`
}

// FlagNames returns the flag words in OVS order.
func (f Flags) FlagNames() []string {
	var out []string
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// Parse parses one flow in dump-flows or add-flow syntax. Leading and
// trailing spaces are ignored. Errors are *ParseError. A flow is one line:
// control characters (line feed, carriage return, NUL, tab and every other
// byte below 0x20, and DEL) and invalid UTF-8 are refused wherever they are,
// so that no text Parse accepts can carry a second flow to ovs-ofctl.
func Parse(line string) (*Flow, error) {
	f := new(Flow)
	if err := f.parse(line); err != nil {
		return nil, err
	}
	return f, nil
}

// ParseBytes is Parse for a byte slice; the Flow does not keep b.
func ParseBytes(b []byte) (*Flow, error) { return Parse(string(b)) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (f *Flow) UnmarshalText(b []byte) error {
	*f = Flow{}
	return f.parse(string(b))
}

// MarshalText implements encoding.TextMarshaler with the dump-flows form.
func (f *Flow) MarshalText() ([]byte, error) { return f.AppendText(nil), nil }

func (f *Flow) parse(s string) error {
	if err := checkLine(s); err != nil {
		return err
	}
	f.Priority = DefaultPriority
	f.Match = make([]MatchField, 0, 8)
	i := skipSpace(s, 0)
	for i < len(s) {
		c := s[i]
		if c == ',' || isSpace(c) {
			i++
			continue
		}
		// key
		k := i
		for i < len(s) && s[i] != '=' && s[i] != ':' && s[i] != ',' && !isSpace(s[i]) && s[i] != '(' && s[i] != '"' {
			i++
		}
		key := s[k:i]
		if key == "" {
			return errAt(s, k, k+1, "expected a field name")
		}
		if i >= len(s) || s[i] == ',' || isSpace(s[i]) {
			if fl, ok := flagByName(key); ok {
				f.Flags |= fl
				continue
			}
			if key == "actions" {
				return errAt(s, k, i, "actions without '='")
			}
			f.Match = append(f.Match, MatchField{Name: key})
			continue
		}
		if s[i] == '(' {
			// ofp-print's raw NXM/OXM form: NXM_OF_ETH_TYPE(0800), NXM_OF_VLAN_TCI_W(1009/1fff).
			c := closeParen(s, i+1)
			if c < 0 {
				return errAt(s, k, len(s), "unbalanced parentheses")
			}
			f.Match = append(f.Match, MatchField{Name: key, Value: s[i : c+1], HasValue: true, Raw: true})
			i = c + 1
			continue
		}
		if s[i] != '=' && s[i] != ':' {
			return errAt(s, k, i+1, "unexpected character after field name")
		}
		i++
		if key == "actions" {
			f.Has |= HasActions
			acts, err := parseActions(s, i, len(s))
			if err != nil {
				return err
			}
			if len(acts) == 0 {
				acts = append(acts, &Drop{})
			}
			f.Actions = acts
			return nil
		}
		v := i
		e := valueEnd(s, i, true)
		if e < 0 {
			return errAt(s, k, len(s), "unbalanced parentheses or quotes")
		}
		i = e
		if err := f.setField(s, k, key, v, e); err != nil {
			return err
		}
	}
	return nil
}

func flagByName(key string) (Flags, bool) {
	for i, n := range flagNames {
		if key == n {
			return 1 << i, true
		}
	}
	return 0, false
}

func (f *Flow) setField(s string, k int, key string, v, e int) error {
	val := s[v:e]
	bad := func(msg string) error { return errAt(s, k, e, msg) }
	switch key {
	case "idle", "hard", "pri":
		// ofp-print's flow-mod spelling ("idle:5 hard:120 pri:100").
		key = map[string]string{"idle": "idle_timeout", "hard": "hard_timeout", "pri": "priority"}[key]
	}
	switch key {
	case "cookie":
		cv, cm, hasMask := strings.Cut(val, "/")
		n, ok := parseUint(cv, 64)
		if !ok {
			return bad("invalid cookie")
		}
		f.Cookie, f.CookieMask = n, 0
		if hasMask {
			if cm == "-1" {
				f.CookieMask = ^uint64(0)
			} else if f.CookieMask, ok = parseUint(cm, 64); !ok {
				return bad("invalid cookie mask")
			}
		}
		f.Has |= HasCookie
	case "duration":
		d, ok := parseDuration(val)
		if !ok {
			return bad("invalid duration")
		}
		f.Duration = d
		f.Has |= HasDuration
	case "table":
		n, ok := parseUint(val, 8)
		if ok {
			f.Table, f.TableName = uint8(n), ""
		} else if val == "" || (val[0] >= '0' && val[0] <= '9') {
			return bad("invalid table")
		} else {
			f.Table, f.TableName = 0, val
		}
		f.Has |= HasTable
	case "n_packets", "n_bytes":
		n, ok := parseUint(val, 64)
		if val == "?" {
			n, ok = Unknown, true
		}
		if !ok {
			return bad("invalid counter")
		}
		if key == "n_packets" {
			f.Packets = n
			f.Has |= HasPackets
		} else {
			f.Bytes = n
			f.Has |= HasBytes
		}
	case "idle_timeout", "hard_timeout", "importance":
		n, ok := parseUint(val, 16)
		if !ok {
			return bad("invalid " + key)
		}
		switch key {
		case "idle_timeout":
			f.IdleTimeout = uint16(n)
			f.Has |= HasIdleTimeout
		case "hard_timeout":
			f.HardTimeout = uint16(n)
			f.Has |= HasHardTimeout
		default:
			f.Importance = uint16(n)
			f.Has |= HasImportance
		}
	case "idle_age", "hard_age":
		n, ok := parseUint(val, 32)
		if val == "?" {
			n, ok = uint64(UnknownAge), true
		}
		if !ok {
			return bad("invalid " + key)
		}
		if key == "idle_age" {
			f.IdleAge = uint32(n)
			f.Has |= HasIdleAge
		} else {
			f.HardAge = uint32(n)
			f.Has |= HasHardAge
		}
	case "priority":
		n, ok := parseUint(val, 16)
		if !ok {
			return bad("invalid priority")
		}
		f.Priority = uint16(n)
		f.Has |= HasPriority
	default:
		m := MatchField{Name: key, Value: val, HasValue: true}
		if j := maskSlash(val); j >= 0 {
			m.Value, m.Mask, m.HasMask = val[:j], val[j+1:], true
		}
		f.Match = append(f.Match, m)
	}
	return nil
}

// parseDuration reads "Ss", "S.MMMs", "S.NNNNNNNNNs" (any 1 to 9 decimals
// are accepted) or "?s".
func parseDuration(v string) (time.Duration, bool) {
	v, ok := strings.CutSuffix(v, "s")
	if !ok {
		return 0, false
	}
	if v == "?" {
		return -1, true
	}
	sec, frac, hasFrac := strings.Cut(v, ".")
	n, ok := parseUint(sec, 32)
	if !ok || (len(sec) > 1 && sec[0] == '0') {
		return 0, false
	}
	d := time.Duration(n) * time.Second
	if hasFrac {
		if len(frac) == 0 || len(frac) > 9 || strings.HasPrefix(frac, "0x") {
			return 0, false
		}
		ns, ok := parseUint(frac, 32)
		if !ok {
			return 0, false
		}
		for i := len(frac); i < 9; i++ {
			ns *= 10
		}
		d += time.Duration(ns)
	}
	return d, true
}

// appendDuration writes d the way OVS ofp_print_duration does: whole seconds,
// then three decimals when the fraction is whole milliseconds, nine otherwise.
func appendDuration(b []byte, d time.Duration) []byte {
	if d < 0 {
		return append(b, "?s"...)
	}
	sec := uint64(d / time.Second)
	ns := uint64(d % time.Second)
	b = strconv.AppendUint(b, sec, 10)
	if ns > 0 {
		b = append(b, '.')
		digits, v := 9, ns
		if ns%1e6 == 0 {
			digits, v = 3, ns/1e6
		}
		var tmp [9]byte
		for i := digits - 1; i >= 0; i-- {
			tmp[i] = byte('0' + v%10)
			v /= 10
		}
		b = append(b, tmp[:digits]...)
	}
	return append(b, 's')
}

// String returns the dump-flows form of f.
func (f *Flow) String() string { return string(f.AppendText(make([]byte, 0, 256))) }

// Format returns the canonical dump-flows text of f: the header fields in OVS
// order, each followed by ", "; bare-word flags each followed by a space; the
// priority and match fields joined by commas, then a space; "actions=" and the
// actions joined by commas.
//
// Input written in add-flow syntax is normalized: ':' between a field and its
// value becomes '=', spaces and commas between fields become the separators
// above, header fields (cookie, table, priority, timeouts, ...) move to their
// place, "drop" stands for an empty action list, whitespace inside action lists
// is removed, and actions are written in their canonical spelling (for example
// "2" becomes "output:2", "resubmit:3" stays, "controller" becomes
// "CONTROLLER:65535"). Values keep their spelling: no case or number-base
// changes are made.
func Format(f *Flow) string { return f.String() }

// AppendText appends the dump-flows form of f to b.
func (f *Flow) AppendText(b []byte) []byte {
	if f.Has&HasCookie != 0 || f.Cookie != 0 || f.CookieMask != 0 {
		b = append(b, "cookie=0x"...)
		b = strconv.AppendUint(b, f.Cookie, 16)
		if f.CookieMask != 0 {
			b = append(b, "/0x"...)
			b = strconv.AppendUint(b, f.CookieMask, 16)
		}
		b = append(b, ", "...)
	}
	if f.Has&HasDuration != 0 || f.Duration != 0 {
		b = append(b, "duration="...)
		b = appendDuration(b, f.Duration)
		b = append(b, ", "...)
	}
	if f.Has&HasTable != 0 || f.Table != 0 || f.TableName != "" {
		b = append(b, "table="...)
		if f.TableName != "" {
			b = append(b, f.TableName...)
		} else {
			b = strconv.AppendUint(b, uint64(f.Table), 10)
		}
		b = append(b, ", "...)
	}
	b = appendCounter(b, "n_packets=", f.Packets, f.Has&HasPackets != 0)
	b = appendCounter(b, "n_bytes=", f.Bytes, f.Has&HasBytes != 0)
	b = appendU(b, "idle_timeout=", uint64(f.IdleTimeout), f.Has&HasIdleTimeout != 0)
	b = appendU(b, "hard_timeout=", uint64(f.HardTimeout), f.Has&HasHardTimeout != 0)
	for i, n := range flagNames {
		if f.Flags&(1<<i) != 0 {
			b = append(b, n...)
			b = append(b, ' ')
		}
	}
	b = appendU(b, "importance=", uint64(f.Importance), f.Has&HasImportance != 0)
	b = appendAge(b, "idle_age=", f.IdleAge, f.Has&HasIdleAge != 0)
	b = appendAge(b, "hard_age=", f.HardAge, f.Has&HasHardAge != 0)
	n := len(b)
	b = f.appendMatch(b)
	if len(b) != n {
		b = append(b, ' ')
	}
	if f.Has&HasActions != 0 || len(f.Actions) > 0 {
		b = append(b, "actions="...)
		if len(f.Actions) == 0 {
			b = append(b, "drop"...)
		}
		b = appendActions(b, f.Actions)
	} else {
		// A selector without actions: drop the trailing separator.
		for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == ',') {
			b = b[:len(b)-1]
		}
	}
	return b
}

// appendMatch writes "priority=N," (when present) and the match fields.
func (f *Flow) appendMatch(b []byte) []byte {
	start := len(b)
	if f.Has&HasPriority != 0 || f.Priority != DefaultPriority {
		b = append(b, "priority="...)
		b = strconv.AppendUint(b, uint64(f.Priority), 10)
		b = append(b, ',')
	}
	for i := range f.Match {
		b = f.Match[i].appendText(b)
		b = append(b, ',')
	}
	if len(b) > start {
		b = b[:len(b)-1]
	}
	return b
}

// MatchString returns the priority and match part of f ("priority=10,ip,...").
func (f *Flow) MatchString() string { return string(f.appendMatch(nil)) }

// ActionsString returns the action list of f ("output:1,resubmit(,2)").
func (f *Flow) ActionsString() string { return string(appendActions(nil, f.Actions)) }

// FormatSpec returns f in the add-flow syntax ovs-ofctl accepts, without the
// statistics: "cookie=0x1,table=2,priority=10,ip,actions=drop".
func (f *Flow) FormatSpec() string {
	b := make([]byte, 0, 128)
	if f.Cookie != 0 || f.CookieMask != 0 {
		b = append(b, "cookie=0x"...)
		b = strconv.AppendUint(b, f.Cookie, 16)
		if f.CookieMask != 0 {
			b = append(b, "/0x"...)
			b = strconv.AppendUint(b, f.CookieMask, 16)
		}
		b = append(b, ',')
	}
	if f.TableName != "" {
		b = append(b, "table="...)
		b = append(b, f.TableName...)
		b = append(b, ',')
	} else if f.Table != 0 || f.Has&HasTable != 0 {
		b = append(b, "table="...)
		b = strconv.AppendUint(b, uint64(f.Table), 10)
		b = append(b, ',')
	}
	if f.IdleTimeout != 0 {
		b = append(b, "idle_timeout="...)
		b = strconv.AppendUint(b, uint64(f.IdleTimeout), 10)
		b = append(b, ',')
	}
	if f.HardTimeout != 0 {
		b = append(b, "hard_timeout="...)
		b = strconv.AppendUint(b, uint64(f.HardTimeout), 10)
		b = append(b, ',')
	}
	for i, n := range flagNames {
		if f.Flags&(1<<i) != 0 {
			b = append(b, n...)
			b = append(b, ',')
		}
	}
	if f.Importance != 0 {
		b = append(b, "importance="...)
		b = strconv.AppendUint(b, uint64(f.Importance), 10)
		b = append(b, ',')
	}
	n := len(b)
	b = f.appendMatch(b)
	if len(b) != n {
		b = append(b, ',')
	}
	if f.Has&HasActions != 0 || len(f.Actions) > 0 {
		b = append(b, "actions="...)
		if len(f.Actions) == 0 {
			b = append(b, "drop"...)
		}
		b = appendActions(b, f.Actions)
	} else if len(b) > 0 {
		b = b[:len(b)-1]
	}
	return string(b)
}

func appendCounter(b []byte, name string, v uint64, has bool) []byte {
	if !has && v == 0 {
		return b
	}
	b = append(b, name...)
	if v == Unknown {
		b = append(b, '?')
	} else {
		b = strconv.AppendUint(b, v, 10)
	}
	return append(b, ", "...)
}

func appendU(b []byte, name string, v uint64, has bool) []byte {
	if !has && v == 0 {
		return b
	}
	b = append(b, name...)
	b = strconv.AppendUint(b, v, 10)
	return append(b, ", "...)
}

func appendAge(b []byte, name string, v uint32, has bool) []byte {
	if v == UnknownAge {
		return append(append(b, name...), "?, "...)
	}
	return appendU(b, name, uint64(v), has)
}

// Field returns the first match field with the given name.
func (f *Flow) Field(name string) (MatchField, bool) {
	for _, m := range f.Match {
		if m.Name == name {
			return m, true
		}
	}
	return MatchField{}, false
}

// InPort returns the in_port the flow matches (a number, a reserved port or,
// with --names, a port name without its quotes), if any.
func (f *Flow) InPort() (string, bool) {
	m, ok := f.Field("in_port")
	if !ok || !m.HasValue {
		return "", false
	}
	return m.PortName(), true
}

// Equal reports whether f and g are the same flow: the same header values
// and presence bits, match fields and actions.
func (f *Flow) Equal(g *Flow) bool { return reflect.DeepEqual(f, g) }
