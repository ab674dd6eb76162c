// SPDX-License-Identifier: Apache-2.0

package openflow

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// corpusDir is the shared OVS test-vector corpus (see its README.md).
// Without it the test skips (fails in strict mode).
func corpusDir(t testing.TB) string {
	t.Helper()
	return testenv.Corpus(t, "ovs-tests")
}

func readLines(t testing.TB, path string) []string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	s := bufio.NewScanner(f)
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		out = append(out, s.Text())
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// corpusFiles are the OpenFlow files of the corpus: dump lines, add-flow
// specs, ofp-print flow-mod text, canonical action strings and the Python
// parser's literal inputs.
var corpusFiles = []string{"ofp_dump_lines.txt", "ofp_flow_specs.txt", "ofp_flowmod_print.txt", "ofp_actions.txt", "pytests_ofp.txt"}

// rejected are corpus lines that ovs-ofctl itself rejects: a shell template
// of tests/system-offloads-traffic.at whose "$id" lost its '$' when the line
// was extracted ("priority=id" is not a number for OVS either).
var rejected = map[string]bool{
	"priority=id,in_port=ovs-p-1,ip,actions=LOCALid": true,
}

// equalFlows compares two parsed flows field by field.
func equalFlows(a, b *Flow) bool { return a.Equal(b) }

// TestCorpus parses every line of the OpenFlow corpus files and checks:
//   - the line parses (except the lines OVS rejects too);
//   - Parse(Format(Parse(x))) equals Parse(x) (nothing lost or changed);
//   - Format is a fixed point: Format(Parse(Format(Parse(x)))) == Format(Parse(x));
//   - canonical lines round-trip exactly: every line that carries the stats
//     OVS prints (duration=) and every canonical action string of
//     tests/ofp-actions.at.
//
// The other lines are in add-flow syntax, which Format normalizes; the test
// logs how many and why (the normalizations of Format's doc comment).
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	total, exact, exactSpec := 0, 0, 0
	reasons := map[string]int{}
	for _, name := range corpusFiles {
		for i, line := range readLines(t, filepath.Join(dir, name)) {
			total++
			f, err := Parse(line)
			if rejected[line] {
				if err == nil {
					t.Errorf("%s:%d: accepted a line OVS rejects: %q", name, i+1, line)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s:%d: %v", name, i+1, err)
				continue
			}
			out := Format(f)
			g, err := Parse(out)
			if err != nil {
				t.Errorf("%s:%d: formatted text does not parse: %v\n in: %s\nout: %s", name, i+1, err, line, out)
				continue
			}
			if !equalFlows(f, g) {
				t.Errorf("%s:%d: parse(format(x)) != parse(x)\n in: %s\nout: %s", name, i+1, line, out)
			}
			if out2 := Format(g); out2 != out {
				t.Errorf("%s:%d: format not stable\n1: %s\n2: %s", name, i+1, out, out2)
			}
			// One dump line has "duration=3600.0005s": OVS prints 0, 3 or 9
			// decimals, so that line was written by hand and normalizes.
			canonical := (strings.Contains(line, "duration=") && !strings.Contains(line, ".0005s")) || name == "ofp_actions.txt"
			if out == strings.TrimSpace(line) {
				exact++
			} else if f.FormatSpec() == strings.TrimSpace(line) {
				exactSpec++
			} else if canonical {
				t.Errorf("%s:%d: canonical line does not round-trip\n in: %s\nout: %s", name, i+1, line, out)
			} else {
				reasons[normalizationReason(line, out)]++
			}
		}
	}
	t.Logf("%d corpus lines: %d round-trip byte for byte through Format, %d more through FormatSpec (add-flow form); normalized (add-flow or ofp-print syntax): %v",
		total, exact, exactSpec, reasons)
	if total < 2000 {
		t.Errorf("only %d corpus lines read", total)
	}
}

// normalizationReason names the first syntactic difference between an
// add-flow line and its canonical form, for the log.
func normalizationReason(in, out string) string {
	ia, _, _ := strings.Cut(in, "actions=")
	oa, _, _ := strings.Cut(out, "actions=")
	switch {
	case strings.Contains(ia, ":") && !strings.Contains(ia, "::") && strings.Count(ia, ":") != strings.Count(oa, ":"):
		return "key:value"
	case strings.Contains(strings.TrimSpace(ia), " ") && !strings.Contains(ia, ", "):
		return "space-separated fields"
	case strings.HasSuffix(strings.TrimSpace(ia), ","):
		return "comma before actions"
	case ia != oa:
		return "header order/separators"
	default:
		return "action spelling or spacing"
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		in  string
		col int
	}{
		{"priority=abc,ip actions=drop", 1},
		{"cookie=0xzz, actions=drop", 1},
		{"ip,nw_dst=(10.0.0.1 actions=drop", 4},
		{"ip actions=output:1,,output:2", 21},
		{"ip actions=ct(commit", 12},
		{"table=0, n_packets=x, ip actions=drop", 10},
		{"in_port=\"unterminated actions=drop", 1},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		pe, ok := err.(*ParseError)
		if !ok {
			t.Errorf("Parse(%q) = %v, want *ParseError", c.in, err)
			continue
		}
		if pe.Column != c.col || pe.Text == "" {
			t.Errorf("Parse(%q): column %d text %q, want column %d (%v)", c.in, pe.Column, pe.Text, c.col, pe)
		}
	}
}
