// SPDX-License-Identifier: Apache-2.0

package openflow

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf16"
)

// Issue 13, defect 3: every entry point that takes one flow refuses control
// characters (all of C0, tab included, and DEL) and invalid UTF-8 wherever
// they are, with a *ParseError at the byte.
func TestParseRefusesControlCharacters(t *testing.T) {
	const flow = "priority=10,in_port=1 actions=output:2"
	bad := []string{"\xff", "\xc3", "\xfe\xff"}
	for c := 0; c < 0x20; c++ {
		bad = append(bad, string(rune(c)))
	}
	bad = append(bad, "\x7f")
	for _, b := range bad {
		for _, at := range []int{0, 12, 22, len(flow)} { // start, in the match, before the actions, end
			in := flow[:at] + b + flow[at:]
			check := func(what string, err error) {
				t.Helper()
				var pe *ParseError
				if !errors.As(err, &pe) || pe.Column != at+1 || pe.Text[:len(b)] != b {
					t.Errorf("%s(%q) = %v, want a *ParseError at column %d", what, in, err, at+1)
				}
			}
			_, err := Parse(in)
			check("Parse", err)
			_, err = ParseBytes([]byte(in))
			check("ParseBytes", err)
			var f Flow
			check("UnmarshalText", f.UnmarshalText([]byte(in)))
		}
		acts := "output:1" + b + ",drop"
		if _, err := ParseActions(acts); err == nil {
			t.Errorf("ParseActions(%q) accepted it", acts)
		}
	}
	// Valid UTF-8 stays accepted (port names may hold it).
	if _, err := Parse(`in_port="pé名" actions=drop`); err != nil {
		t.Errorf("UTF-8 port name: %v", err)
	}
}

// The injection of the issue: the second flow never parses.
func TestParseInjection(t *testing.T) {
	_, err := Parse("priority=10,in_port=1 actions=output:2\npriority=65535 actions=drop")
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Column != 39 || !strings.Contains(pe.Msg, "line feed") {
		t.Fatalf("Parse = %v", err)
	}
}

// A flow built by hand whose text would span lines is refused before
// anything is sent: Apply fails with no client able to run anything.
func TestApplyRefusesControlCharactersBeforeSending(t *testing.T) {
	p := NewProgrammer(nil)
	f, err := Parse("priority=10,in_port=1 actions=output:2")
	if err != nil {
		t.Fatal(err)
	}
	f.Match[0].Value = "1\x00"
	err = p.Apply("br0", new(Bundle).Add(f))
	var be *BundleError
	var pe *ParseError
	if !errors.As(err, &be) || be.Op != 0 || !errors.As(err, &pe) {
		t.Fatalf("Apply = %v, want a *BundleError for operation 0 holding a *ParseError", err)
	}
	sel := &Flow{Match: []MatchField{{Name: "NXM_OF_ETH_TYPE", Value: "(0800)\nadd actions=drop", Raw: true}}}
	if err := p.Apply("br0", new(Bundle).Delete(sel)); !errors.As(err, &be) || be.Op != 0 || !errors.As(err, &pe) {
		t.Fatalf("Apply of a selector with a line feed = %v", err)
	}
	for _, target := range []string{"", "--help", "br0\n", "br\x1b0"} {
		if err := p.Apply(target, new(Bundle).Add(f)); !errors.As(err, &be) || be.Op != -1 {
			t.Errorf("Apply to target %q = %v, want a *BundleError for the bundle", target, err)
		}
	}
}

// Issue 13, defect 6: a carriage return alone, or before a line feed, ends
// a line.
func TestScannerLineEnds(t *testing.T) {
	const n = 16
	var lines []string
	for i := range n {
		lines = append(lines, fmt.Sprintf(" cookie=0x0, duration=1s, table=0, n_packets=0, n_bytes=0, priority=%d actions=drop", i+1))
	}
	for name, sep := range map[string]string{"LF": "\n", "CRLF": "\r\n", "CR": "\r"} {
		dump := "NXST_FLOW reply (xid=0x4):" + sep + strings.Join(lines, sep) + sep
		flows, err := ParseDump(strings.NewReader(dump))
		if err != nil || len(flows) != n {
			t.Errorf("%s: %d flows, %v; want %d", name, len(flows), err, n)
			continue
		}
		for i, f := range flows {
			if f.Priority != uint16(i+1) {
				t.Errorf("%s: flow %d has priority %d", name, i, f.Priority)
			}
		}
	}
	// Line numbers count every kind of line end; "\r\r\n" is two.
	sc := NewScanner(strings.NewReader("\r\n\rpriority=1 actions=drop\r\r\npriority=2 actions=drop"))
	var got []int
	for sc.Scan() {
		got = append(got, sc.Line())
	}
	if sc.Err() != nil || fmt.Sprint(got) != "[3 5]" {
		t.Errorf("lines %v, err %v; want [3 5]", got, sc.Err())
	}
}

// A UTF-16 dump is refused line by line with line and column, not parsed
// into NUL-filled names.
func TestScannerUTF16(t *testing.T) {
	text := "\ufeffpriority=1,in_port=1 actions=drop\n"
	var b []byte
	for _, u := range utf16.Encode([]rune(text)) {
		b = append(b, byte(u), byte(u>>8))
	}
	sc := NewScanner(strings.NewReader(string(b)))
	n := 0
	for sc.Scan() {
		n++
		_, err := sc.Flow()
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != sc.Line() || pe.Column < 1 || !strings.Contains(pe.Msg, "UTF-16") {
			t.Errorf("line %d: %v, want a *ParseError suggesting UTF-16", sc.Line(), err)
		}
	}
	if n == 0 || sc.Err() != nil {
		t.Fatalf("%d lines, %v", n, sc.Err())
	}
}

// countingReader serves n bytes of c (or endlessly when n < 0) and counts
// what it served.
type countingReader struct {
	c      byte
	n, off int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	if r.n >= 0 && r.off >= r.n {
		return 0, io.EOF
	}
	k := int64(len(p))
	if r.n >= 0 {
		k = min(k, r.n-r.off)
	}
	for i := range p[:k] {
		p[i] = r.c
	}
	r.off += k
	return int(k), nil
}

// Issue 13, defect 7: a line longer than the limit stops the Scanner with an
// error naming the line, after reading little more than the limit.
func TestScannerLineTooLong(t *testing.T) {
	for _, tt := range []struct {
		max  int
		line int64 // -1: no line end ever (as /dev/zero)
	}{
		{0, -1}, {0, DefaultMaxLineLen + 1}, {1000, 1001}, {1000, -1},
	} {
		cr := &countingReader{c: 'a', n: tt.line}
		sc := NewScanner(io.MultiReader(strings.NewReader("priority=1 actions=drop\n"), cr))
		sc.MaxLineLen = tt.max
		limit := sc.maxLen()
		n := 0
		for sc.Scan() {
			n++
		}
		err := sc.Err()
		if n != 1 || !errors.Is(err, ErrLineTooLong) || !strings.Contains(err.Error(), "line 2:") {
			t.Errorf("max %d, line %d: %d flows, %v; want 1 and ErrLineTooLong at line 2", tt.max, tt.line, n, err)
		}
		if cr.off > int64(limit)+64<<10 {
			t.Errorf("max %d: read %d bytes before failing, limit %d", tt.max, cr.off, limit)
		}
	}
	// A line of exactly the limit is fine, with either line end.
	for _, end := range []string{"", "\n", "\r\n", "\r"} {
		line := "actions=drop," + strings.Repeat(" ", 987) + end
		if end != "" {
			line += "priority=2 actions=drop"
		}
		sc := NewScanner(strings.NewReader(line))
		sc.MaxLineLen = 1000
		n := 0
		for sc.Scan() {
			n++
		}
		if want := 1 + min(len(end), 1); sc.Err() != nil || n != want {
			t.Errorf("line of the limit ending %q: %d lines, %v; want %d", end, n, sc.Err(), want)
		}
	}
}
