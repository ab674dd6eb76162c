// SPDX-License-Identifier: Apache-2.0

package openflow

import (
	"path/filepath"
	"testing"

	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// FuzzParse checks that Parse never panics and that whatever it accepts
// formats to text that parses back to the same flow, and that Format is a
// fixed point. It is seeded from every OpenFlow line of the corpus.
func FuzzParse(f *testing.F) {
	if dir, ok := testenv.OptionalCorpus(f, "ovs-tests"); ok {
		for _, name := range corpusFiles {
			for _, line := range readLines(f, filepath.Join(dir, name)) {
				f.Add(line)
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		fl, err := Parse(s)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error is %T, want *ParseError: %v", err, err)
			}
			return
		}
		out := Format(fl)
		g, err := Parse(out)
		if err != nil {
			t.Fatalf("format output does not parse: %v\n in: %q\nout: %q", err, s, out)
		}
		if !equalFlows(fl, g) {
			t.Fatalf("parse(format(x)) != parse(x)\n in: %q\nout: %q", s, out)
		}
		if out2 := Format(g); out2 != out {
			t.Fatalf("format not stable\n1: %q\n2: %q", out, out2)
		}
	})
}
