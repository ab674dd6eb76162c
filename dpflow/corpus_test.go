package dpflow

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusDir holds the OVS test vectors (see its README.md).
var corpusDir = func() string {
	if d := os.Getenv("OVSOFFLOAD_CORPUS"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "shared", "corpus", "ovs-tests")
}()

func readCorpus(t testing.TB, name string) []string {
	t.Helper()
	fh, err := os.Open(filepath.Join(corpusDir, name))
	if err != nil {
		t.Fatalf("corpus: %v (set OVSOFFLOAD_CORPUS to the ovs-tests directory)", err)
	}
	defer fh.Close()
	var lines []string
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if l := sc.Text(); strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(lines) == 0 {
		t.Fatalf("corpus file %s is empty", name)
	}
	return lines
}

// notOVSOutput lists corpus lines that are artifacts of the extraction from
// OVS's test files, not text OVS prints or accepts.
var notOVSOutput = map[string]bool{
	"//": true, // odp_actions.txt: the tail of a sed 's/Datapath actions: //' in ofproto-dpif.at
}

// TestCorpusFlows parses every flow, key and statistics line of the corpus
// and checks that formatting gives back the same bytes. The normalized file
// holds placeholders (<del>, <recirc>, 0xXXXX) that OVS's test harness put in
// place of volatile values: they are kept as opaque values, and those lines
// round-trip too.
func TestCorpusFlows(t *testing.T) {
	for _, file := range []string{"odp_dump_lines.txt", "odp_keys.txt", "odp_flows.txt",
		"odp_stats_actions.txt", "odp_flows_normalized.txt", "pytests_odp.txt"} {
		t.Run(file, func(t *testing.T) {
			for i, l := range readCorpus(t, file) {
				f, err := Parse(l)
				if err != nil {
					t.Errorf("%s:%d: %v", file, i+1, err)
					continue
				}
				if s := f.String(); s != l {
					t.Errorf("%s:%d: round trip\n got %s\nwant %s", file, i+1, s, l)
				}
			}
		})
	}
}

// TestCorpusActions parses every action list of odp_actions.txt.
func TestCorpusActions(t *testing.T) {
	n := 0
	for i, l := range readCorpus(t, "odp_actions.txt") {
		if notOVSOutput[l] {
			continue
		}
		acts, err := ParseActions(l)
		if err != nil {
			t.Errorf("odp_actions.txt:%d: %v", i+1, err)
			continue
		}
		if s := FormatActions(acts); s != l {
			t.Errorf("odp_actions.txt:%d: round trip\n got %s\nwant %s", i+1, s, l)
		}
		n++
	}
	if n < 300 {
		t.Errorf("only %d action lists checked", n)
	}
}

// TestCorpusInvalid checks that every string OVS rejects is rejected, with a
// *ParseError.
func TestCorpusInvalid(t *testing.T) {
	for i, l := range readCorpus(t, "odp_invalid.txt") {
		_, err := Parse(l)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("odp_invalid.txt:%d: accepted or wrong error type (%v): %s", i+1, err, l)
			continue
		}
		if pe.Column < 1 || pe.Column > len(l)+1 || !strings.HasPrefix(l[pe.Column-1:], pe.Text) {
			t.Errorf("odp_invalid.txt:%d: error position %d/%q does not point into the line", i+1, pe.Column, pe.Text)
		}
		t.Logf("odp_invalid.txt:%d: %v", i+1, err)
	}
}
