package dpflow

import (
	"bufio"
	"bytes"
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

// Scanner reads a dpctl/dump-flows output one line at a time. Its memory is
// bounded by the longest line: the Flow it returns is reused by the next
// call to Scan (use Flow.Clone to keep one). The strings it returns (Text,
// and the names and values in a Flow) stay valid and unchanged after later
// Scans; lines share 64 KiB blocks, so a string kept keeps its block.
//
// Blank lines are skipped. "flow-dump from ..." lines are returned as
// headers (Header reports true, Flow returns nil).
type Scanner struct {
	// KeepGoing makes Scan continue after a line that does not parse: the
	// line's error is then in LineErr, and Err reports only read errors.
	KeepGoing bool

	r       *bufio.Reader
	line    int
	text    string
	buf     []byte
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
	return &Scanner{r: bufio.NewReaderSize(r, 64<<10)}
}

// Scan advances to the next flow or header line. It returns false at the
// end of the input, on a read error, or on a line that does not parse
// (unless KeepGoing is set); Err tells which.
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

// readLine returns the next line without its end-of-line bytes.
func (s *Scanner) readLine() ([]byte, error) {
	s.buf = s.buf[:0]
	for {
		frag, err := s.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			s.buf = append(s.buf, frag...)
			continue
		}
		if err != nil && (err != io.EOF || len(frag)+len(s.buf) == 0) {
			return nil, err
		}
		line := frag
		if len(s.buf) > 0 {
			s.buf = append(s.buf, frag...)
			line = s.buf
		}
		line = bytes.TrimSuffix(line, []byte{'\n'})
		line = bytes.TrimSuffix(line, []byte{'\r'})
		return line, nil
	}
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
// Scanner.
func (f *Flow) Clone() *Flow {
	g, err := Parse(f.String())
	if err != nil {
		// Cannot happen for a parsed flow: Format gives back parseable
		// text. Keep a copy that shares nothing mutable.
		c := *f
		return &c
	}
	return g
}
