// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/internal/textsafe"
	"github.com/ovsoffload/ovsoffload/openflow"
)

// Exit statuses.
const (
	exitOK    = 0 // every line parsed (and passed the check)
	exitFlows = 1 // a line does not parse or fails the check
	exitUsage = 2 // bad flags, unreadable file
)

// The kinds of dump.
const (
	kindAuto  = "auto"
	kindDpctl = "dpctl" // ovs-appctl dpctl/dump-flows
	kindOfctl = "ofctl" // ovs-ofctl dump-flows
)

func main() {
	// Flow text is escaped where it is printed; messages go through an
	// escaping writer as well.
	stderr := textsafe.NewWriter(os.Stderr)
	code := run(os.Args[1:], os.Stdin, os.Stdout, stderr)
	stderr.Flush()
	os.Exit(code)
}

// tool is one run of flowdump over its input files.
type tool struct {
	kind               string
	check, json, stats bool
	maxLine            int // longest line accepted (--max-line)

	out    *bufio.Writer
	stderr io.Writer
	flows  int // flow lines read (headers and blank lines are not flows)
	errs   int // lines that did not parse or failed the check
	counts counts
	buf    []byte // formatted text, reused from flow to flow
	jbuf   []byte // JSON, reused from flow to flow
}

// jsonAppender is a flow that writes its JSON itself (dpflow.Flow's
// streaming encoder), without encoding/json's reflection.
type jsonAppender interface {
	AppendJSON(b []byte) []byte
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("flowdump", flag.ContinueOnError)
	fs.SetOutput(stderr)
	t := &tool{stderr: stderr}
	fs.StringVar(&t.kind, "kind", kindAuto, "the dump's kind: auto, dpctl (ovs-appctl dpctl/dump-flows) or ofctl (ovs-ofctl dump-flows)")
	fs.BoolVar(&t.check, "check", false, "check that every line round-trips through parse and format")
	fs.BoolVar(&t.json, "json", false, "print one JSON object per flow")
	fs.BoolVar(&t.stats, "stats", false, "print flow counts at the end")
	fs.IntVar(&t.maxLine, "max-line", dpflow.DefaultMaxLineLen, "longest line accepted, in `bytes`: a longer one stops the file with an error")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: flowdump [--kind auto|dpctl|ofctl] [--check] [--json] [--stats] [--max-line BYTES] [FILE ...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if t.kind != kindAuto && t.kind != kindDpctl && t.kind != kindOfctl {
		fmt.Fprintf(stderr, "flowdump: --kind %q: want auto, dpctl or ofctl\n", t.kind)
		return exitUsage
	}
	if t.maxLine < 1 {
		fmt.Fprintf(stderr, "flowdump: --max-line %d: want at least 1\n", t.maxLine)
		return exitUsage
	}
	files := fs.Args()
	if len(files) == 0 {
		files = []string{"-"}
	}
	// Refuse unreadable files before printing anything.
	for _, name := range files {
		if name == "-" {
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "flowdump: %s\n", textsafe.Escape(err.Error()))
			return exitUsage
		}
		f.Close()
	}

	t.out = bufio.NewWriterSize(stdout, 64<<10)
	status := exitOK
	for _, name := range files {
		if err := t.file(name, stdin); err != nil {
			fmt.Fprintf(stderr, "flowdump: %s\n", textsafe.Escape(err.Error()))
			status = exitUsage
		}
	}
	if t.stats {
		t.counts.write(t.out)
	}
	if t.check {
		fmt.Fprintf(t.out, "checked %d flows: %d errors\n", t.flows, t.errs)
	}
	if err := t.out.Flush(); err != nil {
		fmt.Fprintf(stderr, "flowdump: %v\n", err)
		return exitUsage
	}
	if status == exitOK && t.errs > 0 {
		status = exitFlows
	}
	return status
}

// file reads one input. It returns only read errors: bad lines are
// reported and counted as they come.
func (t *tool) file(name string, stdin io.Reader) error {
	r := stdin
	if name == "-" {
		name = "<stdin>"
	} else {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	br := bufio.NewReaderSize(r, 64<<10)
	kind, head, decidedBy, err := t.kind, []byte(nil), 0, error(nil)
	if kind == kindAuto {
		if kind, head, decidedBy, err = sniff(br, t.maxLine); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	// The sniffed lines are read again by the scanner, so that its line
	// numbers are those of the file.
	src := io.MultiReader(bytes.NewReader(head), br)
	switch kind {
	case kindDpctl:
		err = t.dpctl(name, src, decidedBy)
	case kindOfctl:
		err = t.ofctl(name, src, decidedBy)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// sniff reads up to the first non-blank line and returns its kind, the
// bytes read and the line's number. The kind is "" for an empty input. Lines
// end as the Scanners end them (LF, CRLF, or CR alone), so the line number
// is theirs; a line longer than max is an error, found before more than max
// bytes and one buffer are read.
func sniff(br *bufio.Reader, max int) (kind string, head []byte, line int, err error) {
	start := 0 // where the current line starts in head
	for {
		b, rerr := br.ReadSlice('\n')
		if rerr != nil && rerr != bufio.ErrBufferFull && rerr != io.EOF {
			return "", nil, 0, rerr
		}
		head = append(head, b...)
		eof := rerr == io.EOF
		for {
			rest := head[start:]
			i := bytes.IndexAny(rest, "\r\n")
			if i < 0 || rest[i] == '\r' && i+1 == len(rest) && !eof {
				break // the line goes on (or a CR waits for its LF)
			}
			line++
			if k := kindOf(string(rest[:i])); k != "" {
				return k, head, line, nil
			}
			start += i + 1
			if rest[i] == '\r' && i+1 < len(rest) && rest[i+1] == '\n' {
				start++
			}
		}
		if n := len(bytes.TrimSuffix(head[start:], []byte{'\r'})); n > max {
			return "", nil, 0, fmt.Errorf("line %d: longer than %d bytes (--max-line): %w", line+1, max, dpflow.ErrLineTooLong)
		}
		if eof {
			if start < len(head) {
				if k := kindOf(string(head[start:])); k != "" {
					return k, head, line + 1, nil
				}
			}
			return "", head, 0, nil
		}
	}
}

// kindOf tells which tool printed a line: ofctl lines have "actions=" or a
// reply header; dpctl lines start with a "flow-dump from" header, "ufid:",
// the statistics or a key such as "recirc_id(0)". It returns "" for a blank
// line, and ofctl for anything else (a match-only OpenFlow line).
func kindOf(line string) string {
	line = strings.TrimSpace(line)
	switch {
	case line == "":
		return ""
	case strings.Contains(line, "actions=") || openflow.IsReplyHeader(line):
		return kindOfctl
	case strings.HasPrefix(line, "flow-dump from "), strings.HasPrefix(line, "ufid:"),
		strings.HasPrefix(line, "packets:"), strings.HasPrefix(line, "actions:"):
		return kindDpctl
	}
	if i := strings.IndexAny(line, "(,=: "); i >= 0 && line[i] == '(' {
		return kindDpctl
	}
	return kindOfctl
}

// mixed reports a line of the other kind in an auto-detected file.
func (t *tool) mixed(name string, line int, text, kind string, decidedBy int) bool {
	if decidedBy == 0 {
		return false // --kind given: take every line for that kind
	}
	if k := kindOf(text); k != kind {
		t.report(name, line, 1, fmt.Sprintf("%s line in a file of %s lines (line %d decided the kind): the file mixes kinds, give --kind", k, kind, decidedBy))
		return true
	}
	return false
}

// dpctl reads a dpctl/dump-flows output with dpflow's Scanner.
func (t *tool) dpctl(name string, r io.Reader, decidedBy int) error {
	sc := dpflow.NewScanner(r)
	sc.KeepGoing = true // report every bad line, not only the first
	sc.MaxLineLen = t.maxLine
	for sc.Scan() {
		if t.mixed(name, sc.Line(), sc.Text(), kindDpctl, decidedBy) {
			return nil
		}
		if _, ok := sc.Header(); ok {
			continue
		}
		t.flows++
		if err := sc.LineErr(); err != nil {
			t.parseError(name, sc.Line(), err)
			continue
		}
		f := sc.Flow()
		if why := notDpctlFlow(f); why != "" && (t.check || decidedBy > 0) {
			t.report(name, sc.Line(), 1, why)
			continue
		}
		if t.needText() {
			t.buf = f.AppendText(t.buf[:0])
		}
		if t.check {
			t.checkDpctl(name, sc.Line(), sc.Text(), f)
		}
		t.print(f)
		t.counts.dpctl(f)
	}
	return sc.Err()
}

// notDpctlFlow says why a line that parsed is no datapath flow: it has no
// actions and none of its keys is one OVS prints (a word in parentheses
// parses as a key the package does not know). It returns "" for a flow.
func notDpctlFlow(f *dpflow.Flow) string {
	if f.HasActions || f.HasUFID {
		return ""
	}
	for i := range f.Match {
		if f.Match[i].Kind != dpflow.KeyUnknown {
			return ""
		}
	}
	if len(f.Match) > 0 && f.Stats == (dpflow.Stats{}) {
		return "not a datapath flow: no actions and no key OVS knows"
	}
	return ""
}

// notOfctlFlow says why a line that parsed is no OpenFlow flow: it has no
// actions, and a bare word that is no field or protocol OVS knows (as any
// line of text would) or no field OVS knows at all ("foo=bar") and no
// header field (table, priority, cookie...). It returns "" for a flow.
func notOfctlFlow(f *openflow.Flow) string {
	if f.Has&openflow.HasActions != 0 || len(f.Actions) > 0 {
		return ""
	}
	known := false
	for _, m := range f.Match {
		if !m.HasValue && !m.Raw && m.Kind() == openflow.KindOpaque {
			return fmt.Sprintf("not an OpenFlow flow: %q is no field OVS knows, and the line has no actions", textsafe.Escape(m.Name))
		}
		known = known || m.Raw || m.Kind() != openflow.KindOpaque
	}
	if !known && len(f.Match) > 0 && f.Has == 0 {
		return fmt.Sprintf("not an OpenFlow flow: no field OVS knows (%q, ...), and the line has no actions", textsafe.Escape(f.Match[0].Name))
	}
	return ""
}

// checkDpctl checks one datapath flow. OVS's output is canonical: every
// line must format back to itself, and parse again to the same Flow.
func (t *tool) checkDpctl(name string, line int, text string, f *dpflow.Flow) {
	if string(t.buf) != text {
		t.roundTrip(name, line, text, t.buf, "format(x) != x")
		return
	}
	g, err := dpflow.Parse(string(t.buf))
	if err != nil {
		t.roundTrip(name, line, text, t.buf, "formatted text does not parse: "+err.Error())
	} else if !sameFlow(f, g) {
		t.report(name, line, 1, "parse(format(x)) != parse(x)")
	}
}

// sameFlow compares two datapath flows field by field and node by node
// (dpflow has no Equal; reflect.DeepEqual would cost more than parsing,
// and tell the Scanner's reused empty slices from Parse's nil ones).
func sameFlow(a, b *dpflow.Flow) bool {
	return a.UFID == b.UFID && a.HasUFID == b.HasUFID && a.Stats == b.Stats &&
		a.HasActions == b.HasActions && a.ExtraInfo == b.ExtraInfo && a.HasExtraInfo == b.HasExtraInfo &&
		sameNodes(a.Match, b.Match) && sameNodes(a.Actions, b.Actions)
}

func sameNodes(a, b []dpflow.Node) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.Name != y.Name || x.Value != y.Value || x.Mask != y.Mask || x.Kind != y.Kind || x.Type != y.Type ||
			x.HasMask() != y.HasMask() || x.HasParens() != y.HasParens() || x.IsField() != y.IsField() ||
			x.Opaque() != y.Opaque() || !sameNodes(x.Children, y.Children) {
			return false
		}
	}
	return true
}

// ofctl reads an ovs-ofctl dump-flows output with openflow's Scanner.
func (t *tool) ofctl(name string, r io.Reader, decidedBy int) error {
	sc := openflow.NewScanner(r)
	sc.MaxLineLen = t.maxLine
	for sc.Scan() {
		if t.mixed(name, sc.Line(), sc.Text(), kindOfctl, decidedBy) {
			return nil
		}
		t.flows++
		f, err := sc.Flow()
		if err != nil {
			t.parseError(name, sc.Line(), err)
			continue
		}
		if why := notOfctlFlow(f); why != "" && (t.check || decidedBy > 0) {
			t.report(name, sc.Line(), 1, why)
			continue
		}
		if t.needText() {
			t.buf = f.AppendText(t.buf[:0])
		}
		if t.check {
			t.checkOfctl(name, sc.Line(), sc.Text(), f)
		}
		t.print(f)
		t.counts.ofctl(f)
	}
	return sc.Err()
}

// checkOfctl checks one OpenFlow flow: parse(format(x)) must equal
// parse(x), and a canonical line must format back to itself. The
// openflow Scanner trims the line, so columns count from its first
// non-blank byte.
func (t *tool) checkOfctl(name string, line int, text string, f *openflow.Flow) {
	g, err := openflow.ParseBytes(t.buf)
	switch {
	case err != nil:
		t.roundTrip(name, line, text, t.buf, "formatted text does not parse: "+err.Error())
	case !f.Equal(g):
		t.roundTrip(name, line, text, t.buf, "parse(format(x)) != parse(x)")
	case canonicalOfctl(text) && string(t.buf) != text:
		t.roundTrip(name, line, text, t.buf, "format(x) != x")
	}
}

// canonicalOfctl reports whether a line is as ovs-ofctl dump-flows prints
// it, the lines that must format back to themselves: those with the
// statistics, whose duration has 0, 3, 6 or 9 decimals as OVS's
// ofp_print_duration writes it (the openflow corpus test's definition).
// Lines in add-flow syntax are normalized by Format.
func canonicalOfctl(line string) bool {
	_, d, ok := strings.Cut(line, "duration=")
	if !ok {
		return false
	}
	d, _, _ = strings.Cut(d, "s")
	if d == "?" {
		return true
	}
	_, frac, _ := strings.Cut(d, ".")
	return len(frac)%3 == 0
}

// needText reports whether a flow's canonical text is needed in t.buf:
// for --check, and for the default output (--json writes the text inside
// its JSON, --stats prints none).
func (t *tool) needText() bool { return t.check || !t.json && !t.stats }

// print writes the flow as asked: JSON, or the canonical text in t.buf.
func (t *tool) print(f json.Marshaler) {
	switch {
	case t.json:
		var b []byte
		if ja, ok := f.(jsonAppender); ok {
			t.jbuf = ja.AppendJSON(t.jbuf[:0]) // one compact line, as json.Marshal writes it
			b = t.jbuf
		} else {
			var err error
			if b, err = json.Marshal(f); err != nil { // compacts MarshalJSON's output to one line
				fmt.Fprintf(t.stderr, "flowdump: %v\n", err)
				t.errs++
				return
			}
		}
		// encoding/json writes C1 controls and bidirectional overrides
		// raw; their \uNNNN escapes mean the same in JSON.
		if !textsafe.Printable(string(b)) {
			b = textsafe.AppendEscape(nil, string(b))
		}
		t.out.Write(b)
		t.out.WriteByte('\n')
	case !t.check && !t.stats:
		// Parsed text holds no control character, but valid UTF-8 may
		// still hold characters a terminal acts on (C1 controls such as
		// U+009B, bidirectional overrides): escape the line then.
		if !textsafe.Printable(string(t.buf)) {
			t.buf = textsafe.AppendEscape(t.buf[len(t.buf):], string(t.buf))
		}
		t.out.Write(t.buf)
		t.out.WriteByte('\n')
	}
}

// parseError reports a line that does not parse, at the *ParseError's
// position.
func (t *tool) parseError(name string, line int, err error) {
	var dpe *dpflow.ParseError
	var ope *openflow.ParseError
	switch {
	case errors.As(err, &dpe):
		t.report(name, dpe.Line, dpe.Column, fmt.Sprintf("%s near %q", dpe.Msg, dpe.Text))
	case errors.As(err, &ope):
		t.report(name, ope.Line, ope.Column, fmt.Sprintf("%s: %q", ope.Msg, ope.Text))
	default:
		t.report(name, line, 1, err.Error())
	}
}

// roundTrip reports a difference between a line and its formatted text at
// their first differing byte.
func (t *tool) roundTrip(name string, line int, text string, formatted []byte, msg string) {
	i := 0
	for i < len(text) && i < len(formatted) && text[i] == formatted[i] {
		i++
	}
	t.report(name, line, i+1, fmt.Sprintf("%s: formatted %q, line %q", msg, excerpt(string(formatted), i), excerpt(text, i)))
}

// excerpt returns up to 40 bytes of s from i.
func excerpt(s string, i int) string {
	s = s[min(i, len(s)):]
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

func (t *tool) report(name string, line, col int, msg string) {
	t.errs++
	fmt.Fprintf(t.stderr, "%s:%d:%d: %s\n", textsafe.Escape(name), line, col, textsafe.Escape(msg))
}
