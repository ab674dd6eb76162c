package openflow

import (
	"bufio"
	"io"
	"strings"
)

// Scanner reads `ovs-ofctl dump-flows` output one flow line at a time. It
// skips blank lines and reply header lines ("NXST_FLOW reply (xid=0x4):",
// "OFPST_FLOW reply (OF1.3) (xid=0x2):") and counts every line it reads, so
// that Line gives the position in the original input. Memory use is bounded
// by the longest line.
type Scanner struct {
	s    *bufio.Scanner
	line int
	lead int // bytes of white space trimmed at the start of the line
	text string
}

// NewScanner returns a Scanner reading r. Lines may be up to 1 MiB long.
func NewScanner(r io.Reader) *Scanner {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 0, 64*1024), 1<<20)
	return &Scanner{s: s}
}

// Scan advances to the next flow line. It returns false at the end of the
// input or on a read error (see Err).
func (sc *Scanner) Scan() bool {
	for sc.s.Scan() {
		sc.line++
		raw := sc.s.Text()
		t := trimSpace(raw)
		if t == "" || IsReplyHeader(t) {
			continue
		}
		sc.text = t
		sc.lead = len(raw) - len(trimLeft(raw))
		return true
	}
	return false
}

// Text returns the current flow line with surrounding white space removed.
func (sc *Scanner) Text() string { return sc.text }

// Line returns the 1-based line number of the current flow line.
func (sc *Scanner) Line() int { return sc.line }

// Flow parses the current line. A *ParseError carries the line number and a
// column counted in the line as read (leading white space included).
func (sc *Scanner) Flow() (*Flow, error) {
	f, err := Parse(sc.text)
	if err != nil {
		if pe, ok := err.(*ParseError); ok {
			pe.Line = sc.line
			pe.Column += sc.lead // a column in the line as read
		}
		return nil, err
	}
	return f, nil
}

// Err returns the first read error, not parse errors.
func (sc *Scanner) Err() error { return sc.s.Err() }

// IsReplyHeader reports whether line is a reply header that ovs-ofctl prints
// before flows, such as "NXST_FLOW reply (xid=0x4):" or
// "OFPST_FLOW reply (OF1.5) (xid=0x2): flags=[more]".
func IsReplyHeader(line string) bool {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "NXST_") && !strings.HasPrefix(line, "OFPST") && !strings.HasPrefix(line, "OFPT_") && !strings.HasPrefix(line, "NXT_") {
		return false
	}
	// "... reply (xid=0x4):", possibly followed by " flags=[more]" in
	// OpenFlow 1.3+ multipart replies.
	return strings.Contains(line, " reply") && strings.Contains(line, "(xid=") && strings.Contains(line, "):")
}

// ParseDump reads a whole dump (as ovs-ofctl prints it, headers included)
// and returns its flows. It stops at the first line that does not parse and
// returns a *ParseError with its line number; no partial result is returned.
func ParseDump(r io.Reader) ([]*Flow, error) {
	sc := NewScanner(r)
	var flows []*Flow
	for sc.Scan() {
		f, err := sc.Flow()
		if err != nil {
			return nil, err
		}
		flows = append(flows, f)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return flows, nil
}
