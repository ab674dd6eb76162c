// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unsafe"
)

// Header is a "flow-dump from ..." line that the userspace datapath prints
// before the flows of each thread.
type Header struct {
	// Main reports "flow-dump from the main thread:".
	Main bool
	// PMDCore is the CPU core of "flow-dump from pmd on cpu core: N"
	// (meaningful when Main is false).
	PMDCore int
}

// String formats the header line as dpctl prints it.
func (h Header) String() string {
	if h.Main {
		return "flow-dump from the main thread:"
	}
	return "flow-dump from pmd on cpu core: " + strconv.Itoa(h.PMDCore)
}

// ParseHeader parses a "flow-dump from ..." line.
func ParseHeader(line string) (Header, bool) {
	if line == "flow-dump from the main thread:" {
		return Header{Main: true}, true
	}
	const pmd = "flow-dump from pmd on cpu core: "
	if rest, ok := strings.CutPrefix(line, pmd); ok && allDigits(rest) {
		n, err := strconv.Atoi(rest)
		return Header{PMDCore: n}, err == nil && strconv.Itoa(n) == rest
	}
	return Header{}, false
}

// DefaultMaxLineLen is the longest line, in bytes without its line end, that
// a Scanner accepts when its MaxLineLen is 0: 1 MiB, far more than any flow
// OVS prints (a few KiB at most).
const DefaultMaxLineLen = 1 << 20

// ErrLineTooLong is the error (matched with errors.Is) of a Scanner that met a
// line longer than its limit. The Scanner stops there, whatever KeepGoing
// says: it has read at most the limit plus one buffer of input, so a huge
// line or an endless input without a line end (/dev/zero) fails fast in
// bounded memory.
var ErrLineTooLong = errors.New("dpflow: line too long")

// Scanner reads a dpctl/dump-flows output one line at a time. Its memory is
// bounded by MaxLineLen: the Flow it returns is reused by the next call to
// Scan (use Flow.Clone to keep one). The strings it returns (Text, and the
// names and values in a Flow) stay valid and unchanged after later Scans;
// lines share 64 KiB blocks, so a string kept keeps its block.
//
// A line ends at a line feed, a carriage return followed by a line feed, or
// a carriage return alone. Blank lines are skipped. "flow-dump from ..."
// lines are returned as headers (Header reports true, Flow returns nil). A
// line holding a control character or invalid UTF-8 (a UTF-16 dump, say)
// does not parse: its *ParseError gives the line and column.
type Scanner struct {
	// KeepGoing makes Scan continue after a line that does not parse: the
	// line's error is then in LineErr, and Err reports only read errors
	// and a line longer than MaxLineLen.
	KeepGoing bool
	// MaxLineLen is the longest line accepted, in bytes; 0 means
	// DefaultMaxLineLen. A longer line stops the Scanner with an error
	// wrapping ErrLineTooLong that names the line.
	MaxLineLen int

	rd      io.Reader
	buf     []byte // input read, not yet returned: buf[r:w]
	r, w    int
	eof     bool  // rd has no more to give
	rerr    error // rd's error, other than io.EOF
	line    int
	text    string
	chunk   []byte // the block that intern copies lines into
	p       parser
	flow    Flow
	header  Header
	hasHead bool
	isHead  bool
	lineErr error
	err     error
}

// NewScanner returns a Scanner reading from r.
func NewScanner(r io.Reader) *Scanner {
	return &Scanner{rd: r}
}

// Scan advances to the next flow or header line. It returns false at the
// end of the input, on a read error, on a line longer than MaxLineLen, or
// on a line that does not parse (unless KeepGoing is set); Err tells which.
func (s *Scanner) Scan() bool {
	for s.err == nil {
		line, err := s.readLine()
		if err != nil {
			if err != io.EOF {
				s.err = err
			}
			return false
		}
		s.line++
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		s.text = s.intern(line)
		s.lineErr, s.isHead = nil, false
		if h, ok := ParseHeader(s.text); ok {
			s.header, s.isHead, s.hasHead = h, true, true
			return true
		}
		s.p.line = s.line
		if err := s.p.flow(&s.flow, s.text); err != nil {
			s.lineErr = err
			if !s.KeepGoing {
				s.err = err
				return false
			}
		}
		return true
	}
	return false
}

// internChunk is the size of the blocks that hold the lines' texts.
const internChunk = 64 << 10

// intern returns line (not empty) as a string. Lines are copied one after
// the other into a block of internChunk bytes, and a block is never written
// again where a line's string points: so the string is immutable, as Go
// requires, while a block costs one allocation for about a hundred lines
// instead of one each. A string kept past the next Scan keeps its block
// alive, as a substring keeps its string. Lines longer than a quarter of a
// block get an allocation of their own.
func (s *Scanner) intern(line []byte) string {
	if len(line) > internChunk/4 {
		return string(line)
	}
	if len(line) > cap(s.chunk)-len(s.chunk) {
		s.chunk = make([]byte, 0, internChunk)
	}
	start := len(s.chunk)
	s.chunk = append(s.chunk, line...)
	return unsafe.String(&s.chunk[start], len(line))
}

func (s *Scanner) maxLen() int {
	if s.MaxLineLen > 0 {
		return s.MaxLineLen
	}
	return DefaultMaxLineLen
}

// readLine returns the next line without its line end. The slice is valid
// until the next call.
func (s *Scanner) readLine() ([]byte, error) {
	for {
		data := s.buf[s.r:s.w]
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line := data[:i]
			if j := bytes.IndexByte(line, '\r'); j >= 0 && j < i-1 {
				s.r += j + 1 // a carriage return alone
				return s.checkLen(data[:j])
			}
			s.r += i + 1
			return s.checkLen(bytes.TrimSuffix(line, []byte{'\r'}))
		}
		// No line feed: a carriage return followed by something else, or
		// by the end of the input, ends a line.
		if j := bytes.IndexByte(data, '\r'); j >= 0 && (j+1 < len(data) || s.eof) {
			s.r += j + 1
			return s.checkLen(data[:j])
		}
		if s.eof {
			if len(data) == 0 {
				if s.rerr != nil {
					return nil, s.rerr
				}
				return nil, io.EOF
			}
			s.r = s.w
			return s.checkLen(data)
		}
		// An unfinished line (its carriage return, if last, may start a
		// CRLF): fail as soon as it is too long, not when it ends.
		if n := len(bytes.TrimSuffix(data, []byte{'\r'})); n > s.maxLen() {
			return nil, s.tooLong()
		}
		s.fill()
	}
}

func (s *Scanner) checkLen(line []byte) ([]byte, error) {
	if len(line) > s.maxLen() {
		return nil, s.tooLong()
	}
	return line, nil
}

func (s *Scanner) tooLong() error {
	return fmt.Errorf("dpflow: line %d: longer than %d bytes (Scanner.MaxLineLen): %w", s.line+1, s.maxLen(), ErrLineTooLong)
}

// fill reads more input after the unfinished line, growing the buffer (up
// to the line limit and its line end) when the line fills it.
func (s *Scanner) fill() {
	if s.r > 0 {
		s.w = copy(s.buf, s.buf[s.r:s.w])
		s.r = 0
	}
	if s.w == len(s.buf) {
		n := max(64<<10, min(2*len(s.buf), s.maxLen()+2))
		if n <= len(s.buf) {
			n = len(s.buf) + 1 // cannot happen: the line would be too long
		}
		nb := make([]byte, n)
		copy(nb, s.buf[:s.w])
		s.buf = nb
	}
	for range 100 {
		n, err := s.rd.Read(s.buf[s.w:])
		s.w += n
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.rerr = err
			}
			return
		}
		if n > 0 {
			return
		}
	}
	s.eof, s.rerr = true, io.ErrNoProgress
}

// Flow returns the flow of the current line, or nil for a header line or a
// line that did not parse. It is valid until the next call to Scan.
func (s *Scanner) Flow() *Flow {
	if s.isHead || s.lineErr != nil {
		return nil
	}
	return &s.flow
}

// Header returns the current line's header, when it is one.
func (s *Scanner) Header() (Header, bool) { return s.header, s.isHead }

// Thread returns the last header line read: for a flow, the thread
// (main or PMD core) that holds it. It reports false before any header.
func (s *Scanner) Thread() (Header, bool) { return s.header, s.hasHead }

// Text returns the current line as read.
func (s *Scanner) Text() string { return s.text }

// Line returns the 1-based number of the current line.
func (s *Scanner) Line() int { return s.line }

// LineErr returns the *ParseError of the current line (KeepGoing mode).
func (s *Scanner) LineErr() error { return s.lineErr }

// Err returns the first read error, or the first parse error when
// KeepGoing is not set.
func (s *Scanner) Err() error { return s.err }

// Clone returns a deep copy of f that does not share memory with a
// Scanner: its nodes are in one slice of exactly their number, and its
// strings in one block of exactly their length, so a flow kept costs about
// its nodes and its text (a Parse of its text would keep a parser's arenas
// too, several KiB).
func (f *Flow) Clone() *Flow {
	n, size := countNodes(f.Match)+countNodes(f.Actions), len(f.ExtraInfo)+len(f.keySep)+
		len(f.Stats.Used)+len(f.Stats.TCPFlags)+len(f.Stats.Offloaded)+len(f.Stats.DP)
	size += textSize(f.Match) + textSize(f.Actions)
	for _, x := range f.Fields {
		size += len(x.Name) + len(x.Value) + len(x.sep)
	}
	for _, pt := range f.layout {
		size += len(pt.sep)
	}
	c := &cloner{nodes: make([]Node, 0, n), text: make([]byte, 0, size)}
	g := *f
	g.Match = c.nodeList(f.Match)
	g.Actions = c.nodeList(f.Actions)
	g.ExtraInfo, g.keySep = c.str(f.ExtraInfo), c.str(f.keySep)
	g.Stats.Used, g.Stats.TCPFlags = Used(c.str(string(f.Stats.Used))), c.str(f.Stats.TCPFlags)
	g.Stats.Offloaded, g.Stats.DP = Offload(c.str(string(f.Stats.Offloaded))), c.str(f.Stats.DP)
	if f.Fields != nil {
		g.Fields = make([]Field, len(f.Fields))
		for i, x := range f.Fields {
			x.Name, x.Value, x.sep = c.str(x.Name), c.str(x.Value), c.str(x.sep)
			g.Fields[i] = x
		}
	}
	if f.layout != nil {
		g.layout = make([]part, len(f.layout))
		for i, pt := range f.layout {
			g.layout[i] = part{pt.id, c.str(pt.sep)}
		}
	}
	return &g
}

func countNodes(ns []Node) int {
	n := len(ns)
	for i := range ns {
		n += countNodes(ns[i].Children)
	}
	return n
}

func textSize(ns []Node) int {
	n := 0
	for i := range ns {
		n += len(ns[i].Name) + len(ns[i].Value) + len(ns[i].Mask) + textSize(ns[i].Children)
	}
	return n
}

// cloner copies nodes and strings into blocks sized beforehand: appends
// never reallocate, so the slices and strings handed out stay valid.
type cloner struct {
	nodes []Node
	text  []byte
}

func (c *cloner) str(s string) string {
	if s == "" {
		return ""
	}
	start := len(c.text)
	c.text = append(c.text, s...)
	return unsafe.String(&c.text[start], len(s))
}

func (c *cloner) nodeList(src []Node) []Node {
	if src == nil {
		return nil
	}
	start := len(c.nodes)
	c.nodes = append(c.nodes, src...)
	out := c.nodes[start : start+len(src) : start+len(src)]
	for i := range out {
		out[i].Name, out[i].Value, out[i].Mask = c.str(src[i].Name), c.str(src[i].Value), c.str(src[i].Mask)
		out[i].Children = c.nodeList(src[i].Children)
	}
	return out
}
