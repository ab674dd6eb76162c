package dpflow

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzParse: no panic, and for every accepted input x,
// Parse(Format(Parse(x))) equals Parse(x) and formats to the same text.
func FuzzParse(f *testing.F) {
	for _, file := range []string{"odp_dump_lines.txt", "odp_keys.txt", "odp_stats_actions.txt",
		"odp_flows_normalized.txt", "odp_invalid.txt", "pytests_odp.txt"} {
		for _, l := range readCorpus(f, file) {
			f.Add(l)
		}
	}
	for _, l := range readCorpus(f, "odp_actions.txt") {
		f.Add("in_port(1), packets:0, bytes:0, used:never, actions:" + l)
	}
	for _, l := range ovnLines {
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
		f2, err := Parse(text)
		if err != nil {
			t.Fatalf("formatted text does not parse: %v\n in: %q\nout: %q", err, in, text)
		}
		if f2.String() != text {
			t.Fatalf("format is not stable:\n%q\n%q", text, f2.String())
		}
		if !equalFlows(f1, f2) {
			t.Fatalf("parse(format(x)) != x for %q", in)
		}
		_, _ = f1.MarshalJSON()
	})
}

// FuzzParseActions does the same for action lists.
func FuzzParseActions(f *testing.F) {
	for _, l := range readCorpus(f, "odp_actions.txt") {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, in string) {
		a1, err := ParseActions(in)
		if err != nil {
			return
		}
		text := FormatActions(a1)
		a2, err := ParseActions(text)
		if err != nil {
			t.Fatalf("formatted actions do not parse: %v\n in: %q\nout: %q", err, in, text)
		}
		if FormatActions(a2) != text || !equalNodes(a1, a2) {
			t.Fatalf("parse(format(x)) != x for %q", in)
		}
	})
}

// equalFlows compares two flows ignoring the nodes' byte offsets.
func equalFlows(a, b *Flow) bool {
	ca, cb := *a, *b
	ca.Match, cb.Match, ca.Actions, cb.Actions = nil, nil, nil, nil
	return reflect.DeepEqual(ca, cb) && equalNodes(a.Match, b.Match) && equalNodes(a.Actions, b.Actions)
}

func equalNodes(a, b []Node) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Name != y.Name || x.Value != y.Value || x.Mask != y.Mask || x.Kind != y.Kind ||
			x.Type != y.Type || x.form != y.form || x.spaces != y.spaces || !equalNodes(x.Children, y.Children) {
			return false
		}
	}
	return true
}
