// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// readCorpus reads the non-blank lines of a file of the shared OVS test
// vectors (../shared/corpus/ovs-tests, see its README.md). Without the corpus
// the test skips (fails in strict mode).
func readCorpus(t testing.TB, name string) []string {
	t.Helper()
	return readCorpusFile(t, filepath.Join(testenv.Corpus(t, "ovs-tests"), name))
}

// seedCorpus is readCorpus for fuzzers, which also run on their own seeds
// without the corpus: it returns nil when the corpus is absent (outside
// strict mode).
func seedCorpus(t testing.TB, name string) []string {
	t.Helper()
	dir, ok := testenv.OptionalCorpus(t, "ovs-tests")
	if !ok {
		return nil
	}
	return readCorpusFile(t, filepath.Join(dir, name))
}

func readCorpusFile(t testing.TB, path string) []string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatalf("corpus: %v", err)
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
		t.Fatalf("corpus file %s is empty", path)
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

// TestCorpusTyped checks that the corpus is understood, not just kept: every
// key and action has a kind, every field value a type, and the only opaque
// parts are the placeholders of the normalized file and two malformed nsh()
// fields of odp_keys.txt.
func TestCorpusTyped(t *testing.T) {
	allowed := map[string]bool{"nsh/type": true, "nsh/md_type": true}
	var walk func(where, parent string, ns []Node, top bool)
	walk = func(where, parent string, ns []Node, top bool) {
		for i := range ns {
			n := &ns[i]
			if top && n.Kind == KindNone {
				t.Errorf("%s: %q has no kind", where, n.Word())
			}
			if n.Opaque() {
				unknownKey := (n.Kind == KeyUnknown || n.Kind == ActionUnknown) && strings.HasPrefix(n.Word(), "key")
				if !unknownKey && !allowed[parent+"/"+n.Word()] {
					t.Errorf("%s: %q is opaque", where, n.String())
				}
				continue
			}
			if n.IsField() && n.Type == TypeNone {
				t.Errorf("%s: field %q has no type", where, n.Name)
			}
			nested := n.Kind == KeyEncap || n.Kind == ActionSet || n.Kind == ActionSetMasked || n.Kind == ActionClone
			walk(where, n.Name, n.Children, nested)
		}
	}
	check := func(where string, ns []Node) { walk(where, "", ns, true) }
	for _, file := range []string{"odp_dump_lines.txt", "odp_keys.txt", "odp_stats_actions.txt", "pytests_odp.txt"} {
		for i, l := range readCorpus(t, file) {
			f, err := Parse(l)
			if err != nil {
				t.Fatalf("%s:%d: %v", file, i+1, err)
			}
			where := fmt.Sprintf("%s:%d", file, i+1)
			check(where, f.Match)
			check(where, f.Actions)
		}
	}
	for i, l := range readCorpus(t, "odp_actions.txt") {
		if notOVSOutput[l] {
			continue
		}
		acts, err := ParseActions(l)
		if err != nil {
			t.Fatalf("odp_actions.txt:%d: %v", i+1, err)
		}
		check(fmt.Sprintf("odp_actions.txt:%d", i+1), acts)
	}
}
