// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// flowdump runs the tool and returns its exit status and outputs.
func flowdump(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// writeFile writes a dump into the test's temporary directory.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// lastLine returns the last line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// corpusDir is the shared OVS test-vector corpus (see its README.md).
// Without it the test skips (fails in strict mode).
func corpusDir(t *testing.T) string {
	t.Helper()
	return testenv.Corpus(t, "ovs-tests")
}

// The corpus files that hold dump lines, by kind. odp_actions.txt (bare
// action lists), odp_invalid.txt and pytests_kv.txt hold none.
var (
	dpctlCorpus = []string{"odp_dump_lines.txt", "odp_keys.txt", "odp_flows.txt", "odp_stats_actions.txt",
		"odp_flows_normalized.txt", "pytests_odp.txt"}
	ofctlCorpus = []string{"ofp_dump_lines.txt", "ofp_flow_specs.txt", "ofp_flows.txt", "ofp_flowmod_print.txt",
		"ofp_actions.txt", "pytests_ofp.txt"}
)

// rejectedByOVS is the one corpus line that ovs-ofctl rejects too (a shell
// template whose "$id" lost its '$'): --check must report it.
const rejectedByOVS = "priority=id,in_port=ovs-p-1,ip,actions=LOCALid"

// TestCorpusCheck runs every dump file of the corpus through --check, with
// the kind detected and with the kind given, and expects every line checked
// and only the line OVS rejects reported, at its line number.
func TestCorpusCheck(t *testing.T) {
	dir := corpusDir(t)
	for _, c := range []struct {
		kind  string
		files []string
	}{{kindDpctl, dpctlCorpus}, {kindOfctl, ofctlCorpus}} {
		var paths, wantErrs []string
		lines := 0
		for _, name := range c.files {
			path := filepath.Join(dir, name)
			paths = append(paths, path)
			for i, l := range readLines(t, path) {
				if strings.TrimSpace(l) != "" {
					lines++
				}
				if l == rejectedByOVS {
					wantErrs = append(wantErrs, fmt.Sprintf("%s:%d:1: ", path, i+1))
				}
			}
		}
		wantCode := exitOK
		if len(wantErrs) > 0 {
			wantCode = exitFlows
		}
		wantLast := fmt.Sprintf("checked %d flows: %d errors", lines, len(wantErrs))
		for _, kind := range []string{kindAuto, c.kind} {
			code, out, errOut := flowdump(t, "", append([]string{"--check", "--kind", kind}, paths...)...)
			if code != wantCode || lastLine(out) != wantLast {
				t.Errorf("%s files, --kind %s: exit %d, last line %q; want %d, %q", c.kind, kind, code, lastLine(out), wantCode, wantLast)
			}
			if got := strings.Count(errOut, "\n"); got != len(wantErrs) {
				t.Errorf("%s files, --kind %s: %d diagnostics, want %d:\n%s", c.kind, kind, got, len(wantErrs), errOut)
			}
			for _, w := range wantErrs {
				if !strings.Contains(errOut, w) {
					t.Errorf("%s files, --kind %s: no diagnostic %q in\n%s", c.kind, kind, w, errOut)
				}
			}
		}
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// TestCorpusInvalid: each string OVS rejects is reported at its own line,
// with a column inside the line.
func TestCorpusInvalid(t *testing.T) {
	path := filepath.Join(corpusDir(t), "odp_invalid.txt")
	lines := readLines(t, path)
	code, out, errOut := flowdump(t, "", "--check", "--kind", "dpctl", path)
	if code != exitFlows || lastLine(out) != fmt.Sprintf("checked %d flows: %d errors", len(lines), len(lines)) {
		t.Fatalf("exit %d, last line %q", code, lastLine(out))
	}
	diags := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	if len(diags) != len(lines) {
		t.Fatalf("%d diagnostics for %d lines:\n%s", len(diags), len(lines), errOut)
	}
	for i, d := range diags {
		var line, col int
		rest, ok := strings.CutPrefix(d, path+":")
		if _, err := fmt.Sscanf(rest, "%d:%d:", &line, &col); !ok || err != nil || line != i+1 || col < 1 || col > len(lines[i])+1 {
			t.Errorf("diagnostic %q: want %s:%d:COL with COL in the line", d, path, i+1)
		}
	}
}

// A dpctl dump as ovs-appctl dpctl/dump-flows -m prints it on the userspace
// datapath: headers, a blank line, names.
const dpctlDump = `flow-dump from the main thread:
ufid:11111111-2222-3333-4444-555555555501, recirc_id(0),dp_hash(0/0),skb_priority(0/0),in_port(pf0vf0),skb_mark(0/0),ct_state(0/0),ct_zone(0/0),ct_mark(0/0),ct_label(0/0),eth(src=0a:00:00:00:00:01,dst=0a:00:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1/0.0.0.0,dst=10.0.0.2/0.0.0.0,proto=1/0,tos=0/0,ttl=64/0,frag=no),icmp(type=8/0,code=0/0), packets:3, bytes:294, used:0.210s, dp:ovs, actions:pf0vf1, dp-extra-info:miniflow_bits(4,1)

flow-dump from pmd on cpu core: 1
ufid:11111111-2222-3333-4444-555555555502, recirc_id(0),in_port(pf0vf1),eth_type(0x0800),ipv4(frag=no), packets:3, bytes:294, used:0.5s, offloaded:yes, dp:tc, actions:pf0vf0
ufid:11111111-2222-3333-4444-555555555503, recirc_id(0),in_port(pf0vf1),eth_type(0x0806), packets:1, bytes:42, used:1.0s, dp:ovs, actions:pf0vf0
`

// An ofctl dump as ovs-ofctl dump-flows prints it.
const ofctlDump = `NXST_FLOW reply (xid=0x4):
 cookie=0x0, duration=5.123s, table=0, n_packets=10, n_bytes=980, idle_age=1, priority=100,ip,in_port=1 actions=ct(table=1,zone=5)
 cookie=0x0, duration=5.123s, table=1, n_packets=?, n_bytes=?, priority=10,in_port=2 actions=NORMAL
 cookie=0x0, duration=5.124s, table=1, n_packets=0, n_bytes=0, priority=0 actions=NORMAL
`

// TestDefaultOutput prints each flow in canonical form: the dump's flow
// lines without the headers, blank lines and ovs-ofctl's leading space.
func TestDefaultOutput(t *testing.T) {
	for _, dump := range []string{dpctlDump, ofctlDump} {
		var want []string
		for _, l := range strings.Split(dump, "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "flow-dump") && !strings.HasPrefix(l, "NXST") {
				want = append(want, l)
			}
		}
		code, out, errOut := flowdump(t, "", writeFile(t, "dump.txt", dump))
		if code != exitOK || out != strings.Join(want, "\n")+"\n" || errOut != "" {
			t.Errorf("exit %d\n got %s\nwant %s\n%s", code, out, strings.Join(want, "\n"), errOut)
		}
	}
}

// TestStdin reads the dump from the standard input, without FILE or as "-".
func TestStdin(t *testing.T) {
	for _, args := range [][]string{{"--check"}, {"--check", "-"}} {
		code, out, errOut := flowdump(t, dpctlDump, args...)
		if code != exitOK || out != "checked 3 flows: 0 errors\n" {
			t.Errorf("%v: exit %d, output %q %q", args, code, out, errOut)
		}
	}
	// An empty input and one of blank lines hold no flow.
	for _, in := range []string{"", "\n\n  \n"} {
		if code, out, errOut := flowdump(t, in, "--check"); code != exitOK || out != "checked 0 flows: 0 errors\n" || errOut != "" {
			t.Errorf("%q: exit %d, output %q %q", in, code, out, errOut)
		}
	}
	code, out, _ := flowdump(t, "recirc_id(0),in_port(9), packets:0, bytes:0, used:never, actions:drop\n")
	if code != exitOK || out != "recirc_id(0),in_port(9), packets:0, bytes:0, used:never, actions:drop\n" {
		t.Errorf("exit %d, output %q", code, out)
	}
}

// TestJSON: one JSON object per flow and per line, carrying the flow's
// canonical text.
func TestJSON(t *testing.T) {
	dp := writeFile(t, "dp.txt", dpctlDump)
	of := writeFile(t, "of.txt", ofctlDump)
	code, out, errOut := flowdump(t, "", "--json", dp, of)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	_, canonical, _ := flowdump(t, "", dp, of)
	texts := strings.Split(strings.TrimSuffix(canonical, "\n"), "\n")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 6 || len(texts) != 6 {
		t.Fatalf("%d JSON lines, %d text lines, want 6:\n%s", len(lines), len(texts), out)
	}
	for i, l := range lines {
		var obj struct {
			Text    string            `json:"text"`
			Actions []json.RawMessage `json:"actions"`
		}
		if err := json.Unmarshal([]byte(l), &obj); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, l)
		}
		if obj.Text != texts[i] || len(obj.Actions) == 0 {
			t.Errorf("line %d: text %q, %d actions; want %q", i+1, obj.Text, len(obj.Actions), texts[i])
		}
	}
	// --json with --check prints both.
	code, out, _ = flowdump(t, dpctlDump, "--json", "--check")
	if code != exitOK || strings.Count(out, "\n") != 4 || lastLine(out) != "checked 3 flows: 0 errors" {
		t.Errorf("--json --check: exit %d\n%s", code, out)
	}
}

// TestStats counts by dp layer, offload state and input port, and by table
// and in_port, for the two dumps above.
func TestStats(t *testing.T) {
	code, out, errOut := flowdump(t, "", "--stats", writeFile(t, "dp.txt", dpctlDump), writeFile(t, "of.txt", ofctlDump))
	want := `dpctl flows: 3
  dp: ovs=2 tc=1
  offloaded: no=2 yes=1
  in_port: pf0vf0=1 pf0vf1=2
ofctl flows: 3
  table: 0=1 1=2
  in_port: 1=1 2=1 none=1
`
	if code != exitOK || out != want {
		t.Errorf("exit %d %s\n got:\n%s\nwant:\n%s", code, errOut, out, want)
	}
	// A dump without -m has neither dp layer nor offload state.
	_, out, _ = flowdump(t, "recirc_id(0),in_port(2),eth_type(0x0806), packets:1, bytes:42, used:1.0s, actions:1\n", "--stats", "--check")
	want = "dpctl flows: 1\n  dp: none=1\n  offloaded: no=1\n  in_port: 2=1\nchecked 1 flows: 0 errors\n"
	if out != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
}

// TestParseErrorPosition: a bad line is reported as FILE:LINE:COL, the
// other lines are still read, and the exit status is 1.
func TestParseErrorPosition(t *testing.T) {
	bad := "recirc_id(0),in_port(1),eth_type(0x0800),ipv4(src=10.0.0.400,frag=no), packets:0, bytes:0, used:never, actions:drop"
	path := writeFile(t, "dump.txt", dpctlDump+"\n"+bad+"\n")
	col := strings.Index(bad, "src=") + 1
	for _, args := range [][]string{{"--check", path}, {path}} {
		code, out, errOut := flowdump(t, "", args...)
		if code != exitFlows {
			t.Errorf("%v: exit %d, want %d", args, code, exitFlows)
		}
		// The column is that of the field or of its value.
		if !strings.HasPrefix(errOut, fmt.Sprintf("%s:8:%d: ", path, col)) && !strings.HasPrefix(errOut, fmt.Sprintf("%s:8:%d: ", path, col+4)) {
			t.Errorf("%v: diagnostic %q, want %s:8:%d (or the value's column)", args, errOut, path, col)
		}
		if args[0] == "--check" && lastLine(out) != "checked 4 flows: 1 errors" {
			t.Errorf("last line %q", lastLine(out))
		}
		if args[0] != "--check" && strings.Count(out, "\n") != 3 {
			t.Errorf("the 3 good flows were not printed:\n%s", out)
		}
	}
	// OpenFlow: the column counts ovs-ofctl's leading space.
	path = writeFile(t, "of.txt", ofctlDump+" cookie=0x0, duration=1s, table=0, n_packets=x, n_bytes=0, priority=0 actions=drop\n")
	code, _, errOut := flowdump(t, "", "--check", path)
	if want := fmt.Sprintf("%s:5:%d: ", path, len(" cookie=0x0, duration=1s, table=0, ")+1); code != exitFlows || !strings.HasPrefix(errOut, want) {
		t.Errorf("exit %d, diagnostic %q, want %q", code, errOut, want)
	}
}

// TestRoundTripDifference: a canonical ofctl line (with statistics) that
// does not format back to itself is reported at the first differing byte.
func TestRoundTripDifference(t *testing.T) {
	// OVS prints "actions=output:2", never "actions=2".
	line := "cookie=0x0, duration=1.500s, table=0, n_packets=0, n_bytes=0, priority=5,ip actions=2"
	path := writeFile(t, "of.txt", line+"\n")
	code, out, errOut := flowdump(t, "", "--check", path)
	want := fmt.Sprintf("%s:1:%d: format(x) != x", path, strings.Index(line, "actions=")+len("actions=")+1)
	if code != exitFlows || !strings.HasPrefix(errOut, want) || out != "checked 1 flows: 1 errors\n" {
		t.Errorf("exit %d %q\n got %q\nwant %q...", code, out, errOut, want)
	}
	// The same line in add-flow syntax is not canonical: Format may
	// normalize it.
	code, out, errOut = flowdump(t, "priority=5,ip actions=2\n", "--check")
	if code != exitOK || out != "checked 1 flows: 0 errors\n" {
		t.Errorf("add-flow syntax: exit %d %q %q", code, out, errOut)
	}
}

func TestCanonicalOfctl(t *testing.T) {
	for line, want := range map[string]bool{
		"cookie=0x0, duration=3600s, table=1, actions=drop":            true,
		"cookie=0x0, duration=0.123s, table=1, actions=drop":           true,
		"cookie=0x0, duration=0.000123s, table=1, actions=drop":        true,
		"cookie=0x0, duration=0.000000123s, table=1, actions=drop":     true,
		"cookie=0x0, duration=?s, table=1, actions=drop":               true,
		"cookie=0x0, duration=3600.0005s, table=1, actions=drop":       false, // written by hand in an OVS test
		"cookie=0x0, table=1, priority=5,ip,nw_dst=10.0.0.1 actions=2": false,
	} {
		if got := canonicalOfctl(line); got != want {
			t.Errorf("canonicalOfctl(%q) = %v, want %v", line, got, want)
		}
	}
}

// TestMixedKinds: a file that mixes dpctl and ofctl lines is an error
// naming the line that decided the kind; with --kind, the stray line is a
// parse error like any other.
func TestMixedKinds(t *testing.T) {
	path := writeFile(t, "mixed.txt", "\n"+strings.Join(strings.Split(dpctlDump, "\n")[:2], "\n")+"\n"+ofctlDump)
	code, out, errOut := flowdump(t, "", "--check", path)
	want := path + ":4:1: ofctl line in a file of dpctl lines (line 2 decided the kind): the file mixes kinds, give --kind\n"
	if code != exitFlows || errOut != want || out != "checked 1 flows: 1 errors\n" {
		t.Errorf("exit %d %q\n got %q\nwant %q", code, out, errOut, want)
	}
	code, _, errOut = flowdump(t, "", "--check", "--kind", "dpctl", path)
	if code != exitFlows || !strings.HasPrefix(errOut, path+":4:") || strings.Contains(errOut, "mixes") {
		t.Errorf("--kind dpctl: exit %d %q", code, errOut)
	}
	// The other way round, from the standard input.
	code, _, errOut = flowdump(t, ofctlDump+dpctlDump, "--check")
	if code != exitFlows || !strings.HasPrefix(errOut, "<stdin>:5:1: dpctl line in a file of ofctl lines (line 1 decided the kind)") {
		t.Errorf("exit %d %q", code, errOut)
	}
}

// TestUsage: bad flags and unreadable files exit 2 with a message and
// print nothing on the standard output.
func TestUsage(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--nope"}, "flag provided but not defined: -nope"},
		{[]string{"--kind", "ovs"}, `--kind "ovs": want auto, dpctl or ofctl`},
		{[]string{"--check", filepath.Join(dir, "missing.txt")}, "no such file or directory"},
		{[]string{"--check", dir}, "is a directory"},
	} {
		code, out, errOut := flowdump(t, dpctlDump, c.args...)
		if code != exitUsage || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errOut, exitUsage, c.msg)
		}
		if c.args[0] != "--check" || !strings.Contains(c.msg, "directory") {
			if out != "" {
				t.Errorf("%v: printed %q", c.args, out)
			}
		}
	}
	if code, _, errOut := flowdump(t, "", "--help"); code != exitOK || !strings.Contains(errOut, "usage: flowdump") {
		t.Errorf("--help: exit %d %q", code, errOut)
	}
}

// TestStreaming: the tool streams, it does not read the whole input first:
// nearly every flow is printed while the input is still open.
func TestStreaming(t *testing.T) {
	pr, pw := io.Pipe()
	var out syncBuffer
	done := make(chan int)
	go func() { done <- run(nil, pr, &out, io.Discard) }()
	w := bufio.NewWriter(pw)
	line := "recirc_id(0),in_port(1),eth_type(0x0800),ipv4(frag=no), packets:1, bytes:98, used:0.1s, actions:2\n"
	for range 100000 {
		w.WriteString(line)
	}
	w.Flush()
	// The tool has printed (and flushed past its 64 KiB buffer) most of
	// what it read while the input is still open.
	if n := out.Len(); n < len(line)*90000 {
		t.Errorf("only %d bytes out while the input is open: not streaming", n)
	}
	pw.Close()
	if code := <-done; code != exitOK || out.Len() != len(line)*100000 {
		t.Errorf("exit %d, %d bytes out", code, out.Len())
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

// Issue 13, defect 6: CR-only and CRLF line ends are line ends.
func TestLineEnds(t *testing.T) {
	var lines []string
	for i := range 16 {
		lines = append(lines, fmt.Sprintf("recirc_id(0),in_port(%d),eth_type(0x0800),ipv4(frag=no), packets:0, bytes:0, used:never, actions:drop", i+1))
	}
	for name, sep := range map[string]string{"LF": "\n", "CRLF": "\r\n", "CR": "\r"} {
		code, out, errOut := flowdump(t, strings.Join(lines, sep)+sep, "--check")
		if code != exitOK || lastLine(out) != "checked 16 flows: 0 errors" || errOut != "" {
			t.Errorf("%s: exit %d, %q, %q", name, code, lastLine(out), errOut)
		}
	}
	// OpenFlow too, and the line numbers of the diagnostics count CRs.
	code, out, errOut := flowdump(t, "priority=1 actions=drop\rpriority=2 actions=drop\rpriority=3 actions=bogus(\r", "--check")
	if code != exitFlows || lastLine(out) != "checked 3 flows: 1 errors" || !strings.HasPrefix(errOut, "<stdin>:3:") {
		t.Errorf("ofctl with CRs: exit %d, %q, %q", code, lastLine(out), errOut)
	}
}

// Issue 13, defect 6: a line of text that is no flow is an error with
// --check and with --kind auto.
func TestNotAFlow(t *testing.T) {
	for _, args := range [][]string{{"--check"}, {}, {"--kind", "auto"}, {"--check", "--kind", "ofctl"}, {"--stats"}} {
		code, out, errOut := flowdump(t, "hello world\n", args...)
		if code != exitFlows || !strings.Contains(errOut, "<stdin>:1:1: not an OpenFlow flow") {
			t.Errorf("%v: exit %d, out %q, stderr %q", args, code, out, errOut)
		}
		if strings.Contains(out, "hello") {
			t.Errorf("%v: junk printed as a flow: %q", args, out)
		}
	}
	for _, junk := range []string{"foo=bar baz=qux", "# a comment", "1 2 3", "<html>"} {
		if code, _, errOut := flowdump(t, junk+"\n", "--check"); code != exitFlows || !strings.Contains(errOut, "not an OpenFlow flow") {
			t.Errorf("%q: exit %d, %q", junk, code, errOut)
		}
	}
	code, _, errOut := flowdump(t, "hello(world)\n", "--check")
	if code != exitFlows || !strings.Contains(errOut, "not a datapath flow") {
		t.Errorf("hello(world): exit %d, %q", code, errOut)
	}
	// --kind ofctl without --check still takes a match-only selector.
	if code, out, _ := flowdump(t, "tcp,tp_dst=80\n", "--kind", "ofctl"); code != exitOK || out != "tcp,tp_dst=80\n" {
		t.Errorf("match-only ofctl line: exit %d, %q", code, out)
	}
}

// utf16LE encodes s as UTF-16LE with a byte order mark, as Windows tools
// save text.
func utf16LE(s string) string {
	var b []byte
	for _, r := range "\ufeff" + s {
		if r > 0xffff {
			panic("outside the BMP")
		}
		b = append(b, byte(r), byte(r>>8))
	}
	return string(b)
}

// Issue 13, defect 6: a UTF-16 dump is refused with a line and a column,
// never printed as flows with NUL-filled names.
func TestUTF16(t *testing.T) {
	for _, dump := range []string{dpctlDump, ofctlDump} {
		for _, args := range [][]string{{}, {"--check"}, {"--kind", "dpctl"}, {"--kind", "ofctl"}} {
			code, out, errOut := flowdump(t, utf16LE(dump), args...)
			if code != exitFlows || strings.ContainsRune(out, 0) || strings.Contains(out, "in_port") {
				t.Errorf("%v: exit %d, out %q", args, code, out)
			}
			if !strings.Contains(errOut, "<stdin>:1:") || !strings.Contains(errOut, "UTF-16") || strings.ContainsRune(errOut, 0) {
				t.Errorf("%v: stderr %q", args, errOut)
			}
		}
	}
}

// Issue 13, defect 7: a line longer than --max-line stops the file with an
// error naming the line, after reading little more than the limit, from a
// reader that never ends (as /dev/zero).
func TestMaxLine(t *testing.T) {
	for _, c := range []byte{0, 'a', '('} {
		for _, args := range [][]string{{}, {"--kind", "dpctl"}, {"--kind", "ofctl"}, {"--max-line", "1000"}} {
			r := &endless{c: c}
			var out, errOut bytes.Buffer
			in := io.MultiReader(strings.NewReader("in_port(1), packets:0, bytes:0, used:never, actions:drop\n"), r)
			code := run(args, in, &out, &errOut)
			limit := 1 << 20
			if len(args) == 2 && args[0] == "--max-line" {
				limit = 1000
			}
			if code != exitUsage || !strings.Contains(errOut.String(), "line 2: longer than") {
				t.Errorf("byte %q %v: exit %d, stderr %q", c, args, code, errOut.String())
			}
			if r.n > int64(limit)+128<<10 {
				t.Errorf("byte %q %v: read %d bytes before failing", c, args, r.n)
			}
		}
	}
	// The first line too long: found while sniffing the kind.
	r := &endless{c: 'x'}
	var out, errOut bytes.Buffer
	if code := run(nil, r, &out, &errOut); code != exitUsage || !strings.Contains(errOut.String(), "line 1: longer than") || r.n > 1<<20+128<<10 {
		t.Errorf("endless first line: exit %d, %q, read %d bytes", code, errOut.String(), r.n)
	}
	if code, _, errOut := flowdump(t, "", "--max-line", "0"); code != exitUsage || !strings.Contains(errOut, "--max-line") {
		t.Errorf("--max-line 0: exit %d, %q", code, errOut)
	}
}

// endless serves c forever and counts the bytes served.
type endless struct {
	c byte
	n int64
}

func (r *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.c
	}
	r.n += int64(len(p))
	return len(p), nil
}

// Issue 13, defect 11: text from a dump reaches the terminal escaped.
func TestEscapesOutput(t *testing.T) {
	// A control character in a name is a parse error, printed quoted.
	dump := "in_port(pf0\x1b]0;pwned\a\x1b[2J), packets:0, bytes:0, used:never, actions:drop\n"
	for _, args := range [][]string{{}, {"--stats"}, {"--check"}} {
		code, out, errOut := flowdump(t, dump, args...)
		if code != exitFlows || strings.ContainsRune(out+errOut, 0x1b) || strings.ContainsRune(out+errOut, 7) {
			t.Errorf("%v: exit %d, raw escape in %q %q", args, code, out, errOut)
		}
	}
	// Valid UTF-8 that a terminal acts on (CSI as U+009B, a bidi override)
	// parses, and is escaped in the flow text and in --stats.
	dump = "in_port(pf0\u009b2J\u202e), packets:0, bytes:0, used:never, actions:drop\n"
	for _, args := range [][]string{{}, {"--stats"}} {
		code, out, _ := flowdump(t, dump, args...)
		if code != exitOK || strings.Contains(out, "\u009b") || strings.Contains(out, "\u202e") || !strings.Contains(out, `pf0\u009b2J\u202e`) {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
	code, out, _ := flowdump(t, dump, "--json")
	var v map[string]any
	if code != exitOK || strings.Contains(out, "\u009b") || json.Unmarshal([]byte(out), &v) != nil || v["in_port"] != "pf0\u009b2J\u202e" {
		t.Errorf("--json: exit %d, %q", code, out)
	}
	// A file name with an escape sequence, in an error.
	_, _, errOut := flowdump(t, "", "/nonexistent/\x1b[2J")
	if strings.ContainsRune(errOut, 0x1b) || !strings.Contains(errOut, `\x1b[2J`) {
		t.Errorf("file name: %q", errOut)
	}
}
