// SPDX-License-Identifier: Apache-2.0

package openflow

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// DefaultMaxLineLen is the longest line, in bytes without its line end, that
// a Scanner accepts when its MaxLineLen is 0: 1 MiB, far more than any flow
// OVS prints.
const DefaultMaxLineLen = 1 << 20

// ErrLineTooLong is the error (matched with errors.Is) of a Scanner that met a
// line longer than its limit. The Scanner stops there: it reads at most the
// limit plus one buffer of input, so a huge line or an endless input without
// a line end fails fast in bounded memory.
var ErrLineTooLong = errors.New("openflow: line too long")

// Scanner reads `ovs-ofctl dump-flows` output one flow line at a time. It
// skips blank lines and reply header lines ("NXST_FLOW reply (xid=0x4):",
// "OFPST_FLOW reply (OF1.3) (xid=0x2):") and counts every line it reads, so
// that Line gives the position in the original input. A line ends at a line
// feed, a carriage return followed by a line feed, or a carriage return
// alone. Memory use is bounded by MaxLineLen.
type Scanner struct {
	// MaxLineLen is the longest line accepted, in bytes; 0 means
	// DefaultMaxLineLen. Set it before the first Scan. A longer line stops
	// the Scanner with an error wrapping ErrLineTooLong that names the line.
	MaxLineLen int

	r       io.Reader
	s       *bufio.Scanner
	line    int
	lead    int // bytes of white space trimmed at the start of the line
	text    string
	err     error
	started bool
}

// NewScanner returns a Scanner reading r.
func NewScanner(r io.Reader) *Scanner {
	return &Scanner{r: r}
}

// maxLen returns the line length limit in force.
func (sc *Scanner) maxLen() int {
	if sc.MaxLineLen > 0 {
		return sc.MaxLineLen
	}
	return DefaultMaxLineLen
}

// splitLines is bufio.ScanLines that also ends a line at a carriage return
// that no line feed follows.
func splitLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	for i, c := range data {
		if c == '\n' {
			return i + 1, data[:i], nil
		}
		if c == '\r' {
			if i+1 < len(data) {
				if data[i+1] == '\n' {
					return i + 2, data[:i], nil
				}
				return i + 1, data[:i], nil
			}
			if atEOF {
				return i + 1, data[:i], nil
			}
			return 0, nil, nil // is a line feed next?
		}
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// Scan advances to the next flow line. It returns false at the end of the
// input, on a read error or on a line longer than MaxLineLen (see Err).
func (sc *Scanner) Scan() bool {
	if sc.err != nil {
		return false
	}
	if !sc.started {
		sc.started = true
		max := sc.maxLen()
		sc.s = bufio.NewScanner(sc.r)
		// Room for the line and its line end ("\r\n").
		sc.s.Buffer(make([]byte, 0, min(64<<10, max+2)), max+2)
		sc.s.Split(splitLines)
	}
	for sc.s.Scan() {
		sc.line++
		raw := sc.s.Text()
		if len(raw) > sc.maxLen() {
			sc.err = sc.tooLong(sc.line)
			return false
		}
		t := trimSpace(raw)
		if t == "" || IsReplyHeader(t) {
			continue
		}
		sc.text = t
		sc.lead = len(raw) - len(trimLeft(raw))
		return true
	}
	if err := sc.s.Err(); errors.Is(err, bufio.ErrTooLong) {
		sc.err = sc.tooLong(sc.line + 1)
	} else {
		sc.err = err
	}
	return false
}

func (sc *Scanner) tooLong(line int) error {
	return fmt.Errorf("line %d: longer than %d bytes (Scanner.MaxLineLen): %w", line, sc.maxLen(), ErrLineTooLong)
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

// Err returns the first read error, or the error of a line longer than
// MaxLineLen; not parse errors.
func (sc *Scanner) Err() error { return sc.err }

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
