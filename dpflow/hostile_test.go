// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"unicode/utf16"
	"unsafe"
)

const hostileFlow = "ufid:1e6c1f0a-5c2d-4e7b-8a3f-4d2c1b0a9f88, recirc_id(0),in_port(pf0vf0),eth_type(0x0800),ipv4(frag=no), packets:1, bytes:2, used:never, dp:tc, actions:2"

// Issue 13, defects 3 and 6: a flow is one line of printable UTF-8 text.
// Every C0 control (tab included), DEL and invalid UTF-8 is a *ParseError
// at its column, wherever it is: in a name, a value, the statistics, the
// actions.
func TestParseRefusesControlCharacters(t *testing.T) {
	bad := []string{"\xff", "\xc3", "\xfe\xff"}
	for c := 0; c < 0x20; c++ {
		bad = append(bad, string(rune(c)))
	}
	bad = append(bad, "\x7f")
	at := []int{0, 45, strings.Index(hostileFlow, "pf0") + 3, strings.Index(hostileFlow, "packets"), strings.Index(hostileFlow, "actions:2") + 8, len(hostileFlow)}
	for _, b := range bad {
		for _, i := range at {
			in := hostileFlow[:i] + b + hostileFlow[i:]
			_, err := Parse(in)
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Column != i+1 || pe.Text[:len(b)] != b {
				t.Errorf("Parse(%q) = %v, want a *ParseError at column %d", in, err, i+1)
			}
		}
		if _, err := ParseActions("ct(commit,zone=5)" + b + ",2"); err == nil {
			t.Errorf("ParseActions accepted %q", b)
		}
	}
	// The escape sequence of the issue, in a port name.
	_, err := Parse("in_port(pf0\x1b]0;pwned\a\x1b[2J), packets:0, bytes:0, used:never, actions:drop")
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Column != 12 || !strings.Contains(pe.Msg, "escape") {
		t.Errorf("escape sequence in a name: %v", err)
	}
	// Two flows on one line of text.
	_, err = Parse("in_port(1), packets:0, bytes:0, used:never, actions:drop\nin_port(2), packets:0, bytes:0, used:never, actions:drop")
	if !errors.As(err, &pe) || pe.Column != 57 || !strings.Contains(pe.Msg, "line feed") {
		t.Errorf("line feed: %v", err)
	}
	// Valid UTF-8 names stay accepted.
	if _, err := Parse("in_port(pé名), packets:0, bytes:0, used:never, actions:drop"); err != nil {
		t.Errorf("UTF-8 name: %v", err)
	}
}

func dumpOf(n int, sep string) string {
	var b strings.Builder
	b.WriteString("flow-dump from the main thread:" + sep)
	for i := range n {
		fmt.Fprintf(&b, "recirc_id(0),in_port(%d),eth_type(0x0800), packets:0, bytes:0, used:never, actions:drop%s", i+1, sep)
	}
	return b.String()
}

// Issue 13, defect 6: CR-only and CRLF line ends are line ends.
func TestScannerLineEnds(t *testing.T) {
	for name, sep := range map[string]string{"LF": "\n", "CRLF": "\r\n", "CR": "\r"} {
		sc := NewScanner(strings.NewReader(dumpOf(16, sep)))
		n := 0
		for sc.Scan() {
			if f := sc.Flow(); f != nil {
				n++
				if want := fmt.Sprint(n); f.InPort() != want {
					t.Errorf("%s: flow %d has in_port %q", name, n, f.InPort())
				}
			}
		}
		if sc.Err() != nil || n != 16 || sc.Line() != 17 {
			t.Errorf("%s: %d flows at line %d, %v; want 16 at line 17", name, n, sc.Line(), sc.Err())
		}
	}
	// "\r\r\n" is two line ends; a CR at the very end is one; line numbers
	// count them all.
	in := "\r\n\rin_port(1), packets:0, bytes:0, used:never, actions:drop\r\r\nin_port(2), packets:0, bytes:0, used:never, actions:drop\r"
	sc := NewScanner(strings.NewReader(in))
	var got []int
	for sc.Scan() {
		got = append(got, sc.Line())
	}
	if sc.Err() != nil || fmt.Sprint(got) != "[3 5]" {
		t.Errorf("lines %v, err %v; want [3 5]", got, sc.Err())
	}
	// A CR split from its LF by the reader's chunks is still one line end.
	sc = NewScanner(&oneByteReader{s: dumpOf(3, "\r\n")})
	n := 0
	for sc.Scan() {
		n++
	}
	if sc.Err() != nil || n != 4 || sc.Line() != 4 {
		t.Errorf("one byte at a time: %d lines (last %d), %v; want 4", n, sc.Line(), sc.Err())
	}
}

type oneByteReader struct{ s string }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	p[0] = r.s[0]
	r.s = r.s[1:]
	return 1, nil
}

// Issue 13, defect 6: a UTF-16 dump is refused line by line, with line and
// column, never parsed into NUL-filled names.
func TestScannerUTF16(t *testing.T) {
	var b []byte
	for _, u := range utf16.Encode([]rune("\ufeff" + dumpOf(3, "\n"))) {
		b = append(b, byte(u), byte(u>>8))
	}
	sc := NewScanner(strings.NewReader(string(b)))
	sc.KeepGoing = true
	lines := 0
	for sc.Scan() {
		if sc.Flow() != nil {
			t.Fatalf("line %d of a UTF-16 dump parsed: %s", sc.Line(), sc.Flow())
		}
		if _, ok := sc.Header(); ok {
			t.Fatalf("line %d of a UTF-16 dump is a header", sc.Line())
		}
		var pe *ParseError
		if !errors.As(sc.LineErr(), &pe) || pe.Line != sc.Line() || !strings.Contains(pe.Msg, "UTF-16") {
			t.Errorf("line %d: %v, want a *ParseError suggesting UTF-16", sc.Line(), sc.LineErr())
		}
		lines++
	}
	// Four lines, and the NUL after the last line feed.
	if lines != 5 || sc.Err() != nil {
		t.Errorf("%d lines, %v; want 5 refused", lines, sc.Err())
	}
}

// countingReader serves n bytes of c (endlessly when n < 0) and counts
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

// Issue 13, defect 7: a line longer than the limit stops the Scanner, even
// with KeepGoing, with an error naming the line, after reading little more
// than the limit and allocating little more than that.
func TestScannerLineTooLong(t *testing.T) {
	const good = "in_port(1), packets:0, bytes:0, used:never, actions:drop\n"
	for _, tt := range []struct {
		max  int
		c    byte
		line int64 // -1: no line end ever (as /dev/zero)
	}{
		{0, 0, -1}, {0, 'a', DefaultMaxLineLen + 1}, {1000, 'a', 1001}, {1000, 0, -1},
	} {
		cr := &countingReader{c: tt.c, n: tt.line}
		sc := NewScanner(io.MultiReader(strings.NewReader(good), cr))
		sc.MaxLineLen = tt.max
		sc.KeepGoing = true
		limit := sc.maxLen()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		n := 0
		for sc.Scan() {
			n++
		}
		runtime.ReadMemStats(&after)
		err := sc.Err()
		if n != 1 || !errors.Is(err, ErrLineTooLong) || !strings.Contains(err.Error(), "line 2:") {
			t.Errorf("max %d, byte %#x, line %d: %d lines, %v; want 1 and ErrLineTooLong at line 2", tt.max, tt.c, tt.line, n, err)
		}
		if cr.off > int64(limit)+64<<10 {
			t.Errorf("max %d: read %d bytes before failing, limit %d", tt.max, cr.off, limit)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(4*limit+256<<10) {
			t.Errorf("max %d: allocated %d bytes before failing, limit %d", tt.max, alloc, limit)
		}
	}
	// A line of exactly the limit is fine, with any line end.
	for _, end := range []string{"", "\n", "\r\n", "\r"} {
		line := "in_port(1), packets:0, bytes:0, used:never, actions:drop"
		line += strings.Repeat(" ", 1000-len(line)) + end
		want := 1
		if end != "" {
			line += "in_port(2), packets:0, bytes:0, used:never, actions:drop"
			want = 2
		}
		sc := NewScanner(strings.NewReader(line))
		sc.MaxLineLen = 1000
		sc.KeepGoing = true
		n := 0
		for sc.Scan() {
			n++
		}
		if sc.Err() != nil || n != want {
			t.Errorf("line of the limit ending %q: %d lines, %v; want %d", end, n, sc.Err(), want)
		}
	}
}

// Issue 13, defect 7: a cloned flow costs its nodes and its text, not a
// parser's arenas (it was about 5 KiB for a 445-byte line), and it stays
// unchanged while the Scanner goes on.
func TestCloneCompact(t *testing.T) {
	dump := strings.Join(ovnLines, "\n") + "\n"
	sc := NewScanner(strings.NewReader(dump))
	var clones []*Flow
	var want []string
	for sc.Scan() {
		f := sc.Flow()
		var c *Flow
		allocs := testing.AllocsPerRun(10, func() { c = f.Clone() })
		if allocs > 3 {
			t.Errorf("line %d: Clone makes %v allocations, want at most 3", sc.Line(), allocs)
		}
		if !c.Equal(f) || c.String() != sc.Text() {
			t.Errorf("line %d: clone differs:\n%s\n%s", sc.Line(), c, sc.Text())
		}
		clones, want = append(clones, c), append(want, sc.Text())
	}
	for i, c := range clones {
		if c.String() != want[i] {
			t.Errorf("clone %d changed after later Scans: %s", i, c)
		}
		g, _ := Parse(want[i])
		if !c.Equal(g) {
			t.Errorf("clone %d differs from Parse of its text", i)
		}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f, _ := Parse(ovnLines[3])
	keep := make([]*Flow, 1000)
	for i := range keep {
		keep[i] = f.Clone()
	}
	runtime.ReadMemStats(&after)
	per := (after.TotalAlloc - before.TotalAlloc) / 1000
	// The Flow itself (272 bytes since issue 17 added Fields, Err and the
	// layout) and the allocator's rounding are the rest.
	if limit := uint64(countNodes(f.Match)+countNodes(f.Actions))*uint64(unsafe.Sizeof(Node{})) + uint64(len(ovnLines[3])) +
		uint64(unsafe.Sizeof(Flow{})) + 320; per > limit {
		t.Errorf("a clone of a %d-byte line costs %d bytes, want at most %d", len(ovnLines[3]), per, limit)
	}
	runtime.KeepAlive(keep)
}

// A dump saved as UTF-8 with a byte order mark is refused at line 1,
// column 1, with a message that says so.
func TestScannerUTF8BOM(t *testing.T) {
	sc := NewScanner(strings.NewReader("\ufeff" + dumpOf(1, "\n")))
	sc.KeepGoing = true
	sc.Scan()
	var pe *ParseError
	if !errors.As(sc.LineErr(), &pe) || pe.Line != 1 || pe.Column != 1 || !strings.Contains(pe.Msg, "byte order mark") {
		t.Errorf("line 1: %v", sc.LineErr())
	}
}
