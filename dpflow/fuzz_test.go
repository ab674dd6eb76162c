// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"strings"
	"testing"
)

// FuzzParse: no panic, and for every accepted input x, Format(Parse(x)) is x
// byte for byte and Parse(Format(Parse(x))) equals Parse(x).
func FuzzParse(f *testing.F) {
	for _, file := range []string{"odp_dump_lines.txt", "odp_keys.txt", "odp_stats_actions.txt",
		"odp_flows_normalized.txt", "odp_invalid.txt", "pytests_odp.txt"} {
		for _, l := range seedCorpus(f, file) {
			f.Add(l)
		}
	}
	for _, l := range seedCorpus(f, "odp_actions.txt") {
		f.Add("in_port(1), packets:0, bytes:0, used:never, actions:" + l)
	}
	for _, l := range append([]string{vendorMegaUFID, vendorYusur, vendorYusurReordered}, ovnLines...) {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if strings.ContainsAny(in, "\n") {
			return // a line, as the Scanner hands them out
		}
		f1, err := Parse(in)
		if err != nil {
			return
		}
		text := f1.String()
		if text != in {
			// Values are kept as printed and numbers are only accepted in
			// their canonical form: whatever parses formats back exactly.
			t.Fatalf("format(parse(x)) != x:\n in: %q\nout: %q", in, text)
		}
		f2, err := Parse(text)
		if err != nil {
			t.Fatalf("formatted text does not parse: %v\n in: %q\nout: %q", err, in, text)
		}
		if f2.String() != text {
			t.Fatalf("format is not stable:\n%q\n%q", text, f2.String())
		}
		if !f1.Equal(f2) {
			t.Fatalf("parse(format(x)) != x for %q", in)
		}
		_, _ = f1.MarshalJSON()
	})
}

// FuzzParseActions does the same for action lists.
func FuzzParseActions(f *testing.F) {
	for _, l := range seedCorpus(f, "odp_actions.txt") {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, in string) {
		a1, err := ParseActions(in)
		if err != nil {
			return
		}
		text := FormatActions(a1)
		if text != in {
			t.Fatalf("format(parse(x)) != x:\n in: %q\nout: %q", in, text)
		}
		a2, err := ParseActions(text)
		if err != nil {
			t.Fatalf("formatted actions do not parse: %v\n in: %q\nout: %q", err, in, text)
		}
		if FormatActions(a2) != text || !EqualNodes(a1, a2) {
			t.Fatalf("parse(format(x)) != x for %q", in)
		}
	})
}
