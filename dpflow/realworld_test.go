// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// realworldDPCtl lists the dpctl files of the shared real-world corpus
// (../shared/corpus/realworld, see its PROVENANCE.md: lines from OVN, OVS,
// Kube-OVN and Antrea documents, lab notes and OVS forks, never committed
// here) with what each holds: how many lines, how many of them carry a
// fork's name:value fields, and the document placeholders kept as opaque
// nodes.
var realworldDPCtl = map[string]struct {
	lines, withFields int
	opaque            []string // placeholder keys or actions, kept opaque
}{
	"antrea-docs-dpctl.txt":           {lines: 4},
	"exuuwen-study-dpctl.txt":         {lines: 39, withFields: 2}, // NVIDIA's fork: mega_ufid:
	"kubeovn-docs-dpctl.txt":          {lines: 10, withFields: 2}, // Yusur's fork: offload_packets:, offload_bytes:, ',' alone
	"mellanox-ovs-tests-dpctl.txt":    {lines: 1},
	"ovn-docs-dpctl.txt":              {lines: 2},
	"ovs-docs-dpctl-placeholders.txt": {lines: 2, opaque: []string{"eth(macs)", "outputmeter(0)"}},
}

// TestRealworldDPCtl: every line of every dpctl file of the real-world
// corpus is accounted for: it parses and formats back byte for byte, the
// Scanner reads the same flows, a clone is equal, the fork fields are
// where the table says, and the only opaque nodes are the documents'
// placeholders (eth(macs), a typo'd outputmeter(0) action).
func TestRealworldDPCtl(t *testing.T) {
	dir := testenv.Corpus(t, "realworld")
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	seen := 0
	for _, path := range files {
		name := filepath.Base(path)
		want, ok := realworldDPCtl[name]
		if !ok {
			if !strings.Contains(name, "-ofctl") {
				t.Errorf("%s: a corpus file that no test of this package or of openflow accounts for", name)
			}
			continue
		}
		seen++
		lines := readCorpusFile(t, path)
		if len(lines) != want.lines {
			t.Errorf("%s: %d lines, the table says %d", name, len(lines), want.lines)
		}
		withFields := 0
		var opaque []string
		for i, l := range lines {
			f, err := Parse(l)
			if err != nil {
				t.Errorf("%s:%d: %v", name, i+1, err)
				continue
			}
			if s := f.String(); s != l {
				t.Errorf("%s:%d: round trip\n got %s\nwant %s", name, i+1, s, l)
			}
			if c := f.Clone(); !c.Equal(f) {
				t.Errorf("%s:%d: clone differs", name, i+1)
			}
			if len(f.Fields) > 0 {
				withFields++
			}
			for _, ns := range [][]Node{f.Match, f.Actions} {
				for j := range ns {
					if ns[j].Opaque() {
						opaque = append(opaque, ns[j].String())
					}
				}
			}
		}
		if withFields != want.withFields {
			t.Errorf("%s: %d lines with fork fields, want %d", name, withFields, want.withFields)
		}
		for _, o := range opaque {
			found := false
			for _, w := range want.opaque {
				found = found || o == w
			}
			if !found {
				t.Errorf("%s: %q is opaque: not understood", name, o)
			}
		}
		// The Scanner gives the same flows as Parse.
		sc := NewScanner(strings.NewReader(strings.Join(lines, "\n") + "\n"))
		n := 0
		for sc.Scan() {
			if g, _ := Parse(lines[n]); sc.Flow() == nil || !sc.Flow().Equal(g) {
				t.Errorf("%s:%d: the Scanner's flow differs from Parse's", name, n+1)
			}
			n++
		}
		if sc.Err() != nil || n != len(lines) {
			t.Errorf("%s: scanner read %d of %d lines: %v", name, n, len(lines), sc.Err())
		}
	}
	if seen != len(realworldDPCtl) {
		t.Errorf("%d of the %d dpctl files found", seen, len(realworldDPCtl))
	}
}
