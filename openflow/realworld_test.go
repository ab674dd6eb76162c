// SPDX-License-Identifier: Apache-2.0

package openflow

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// realworldOFCtl lists the ofctl files of the shared real-world corpus
// (../shared/corpus/realworld, see its PROVENANCE.md; never committed
// here): how many lines each holds, how many of them Format does not give
// back byte for byte (documents whose authors edited or stripped the
// output: fields reordered, a space added or lost; each is checked to lose
// nothing), and how many are rejected. Only the files of placeholders and
// damage have rejected lines, and each rejected line shows its placeholder.
var realworldOFCtl = map[string]struct{ lines, normalized, rejected int }{
	"antrea-docs-ofctl.txt":                        {185, 0, 0},
	"antrea-docs-ofctl-placeholders.txt":           {6, 3, 0}, // $uplink kept as a port name
	"antrea-docs-ofctl-wrapped.txt":                {1, 0, 1}, // the first physical line of a flow wrapped with '\'
	"exuuwen-study-ofctl.txt":                      {30, 1, 0},
	"kubeovn-docs-ofctl.txt":                       {4, 0, 0},
	"linux-riscv-dev-notes-ofctl.txt":              {18, 0, 0},
	"neutron-docs-ofctl.txt":                       {120, 0, 0},
	"openstack-study-notes-ofctl.txt":              {4679, 0, 0},
	"ovn-kubernetes-docs-ofctl.txt":                {70, 4, 0},
	"ovn-kubernetes-docs-ofctl-placeholders.txt":   {13, 4, 0}, // <patch-X>, ... kept as values
	"ovn-tests-ofctl.txt":                          {178, 0, 0},
	"ovn-tests-ofctl-placeholders.txt":             {383, 0, 54},
	"ovs-docs-ofctl.txt":                           {45, 0, 0},
	"ovs-tests-ofctl-notincorpus.txt":              {1, 0, 0},
	"ovs-tests-ofctl-notincorpus-placeholders.txt": {2, 0, 2}, // duration=<cleared>
}

// placeholderMarks are what a rejected line of the corpus must show: sed's
// mangled conjunction (conjunction,1/2)), a shell line (echo "..." > file,
// ${var}), OVS tests' <cleared>, a document's '\' line wrap.
var placeholderMarks = []string{"conjunction,", "conjunction()", "conj_id=,", "\" > ", "${", "$", "<cleared>", "\\"}

// TestRealworldOFCtl: every line of every ofctl file of the real-world
// corpus is accounted for. A line of a valid file parses, Parse(Format(x))
// equals Parse(x), Format is stable, and it comes back byte for byte or is
// counted as normalized in the table; a rejected line is a *ParseError on a
// line of a placeholder or damaged file that shows its placeholder.
func TestRealworldOFCtl(t *testing.T) {
	dir := testenv.Corpus(t, "realworld")
	files, _ := filepath.Glob(filepath.Join(dir, "*-ofctl*.txt"))
	if len(files) != len(realworldOFCtl) {
		t.Errorf("%d ofctl files in %s, the table has %d", len(files), dir, len(realworldOFCtl))
	}
	total, exact := 0, 0
	for _, path := range files {
		name := filepath.Base(path)
		want, ok := realworldOFCtl[name]
		if !ok {
			t.Errorf("%s: not accounted for", name)
			continue
		}
		valid := !strings.Contains(name, "-placeholders") && !strings.Contains(name, "-wrapped") && !strings.Contains(name, "-damaged")
		lines, normalized, rejected := 0, 0, 0
		for i, line := range readLines(t, path) {
			if strings.TrimSpace(line) == "" {
				continue
			}
			lines++
			f, err := Parse(line)
			if err != nil {
				rejected++
				var pe *ParseError
				marked := false
				for _, m := range placeholderMarks {
					marked = marked || strings.Contains(line, m)
				}
				if valid || !errors.As(err, &pe) || !marked {
					t.Errorf("%s:%d: %v", name, i+1, err)
				}
				continue
			}
			out := Format(f)
			g, err := Parse(out)
			if err != nil || !equalFlows(f, g) {
				t.Errorf("%s:%d: parse(format(x)) != parse(x) (%v)\n in: %s\nout: %s", name, i+1, err, line, out)
				continue
			}
			if Format(g) != out {
				t.Errorf("%s:%d: format not stable", name, i+1)
			}
			if out == strings.TrimSpace(line) {
				exact++
			} else {
				normalized++
				t.Logf("%s:%d: normalized (%s)", name, i+1, normalizationReason(line, out))
			}
		}
		total += lines
		if lines != want.lines || normalized != want.normalized || rejected != want.rejected {
			t.Errorf("%s: %d lines, %d normalized, %d rejected; the table says %+v", name, lines, normalized, rejected, want)
		}
	}
	t.Logf("%d real-world ofctl lines, %d back byte for byte", total, exact)
}
