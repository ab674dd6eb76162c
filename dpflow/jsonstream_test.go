// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// jsonInputs are flows whose JSON AppendJSON must write exactly as the
// reflection encoder did: the golden inputs, the benchmark and fork lines,
// the real-world dpctl lines when present, and hand-built flows with
// text that needs escapes.
func jsonInputs(t *testing.T) []*Flow {
	flows, _ := goldenInputs(t)
	lines := append(append(append([]string{}, flows...), ovnLines...), extraFastPathLines...)
	if dir, ok := testenv.OptionalCorpus(t, "realworld"); ok {
		files, _ := filepath.Glob(filepath.Join(dir, "*dpctl*.txt"))
		for _, f := range files {
			lines = append(lines, readCorpusFile(t, f)...)
		}
	}
	var out []*Flow
	for _, l := range lines {
		if f, err := Parse(l); err == nil {
			out = append(out, f)
		}
	}
	out = append(out,
		&Flow{Match: []Node{{Name: "in_port", Children: []Node{{Value: "a<b>&\"\\\u2028\x01\xff"}}}}, HasActions: true,
			Actions: []Node{{Value: "drop"}}, Stats: Stats{Present: true, Used: "0.0000001s", DP: "<tc>"}},
		&Flow{HasExtraInfo: true, ExtraInfo: "x\u2029y", Fields: []Field{{Name: "n", Value: "v&", Type: TypeString, BeforeMatch: true}}},
		&Flow{Stats: Stats{Present: true, Used: "123456789012345678901234s"}},
		&Flow{},
	)
	return out
}

// Issue 17, item 1: AppendJSON (the streaming encoder of the typed tree)
// writes what the reflection encoder wrote, byte for byte, and
// json.Marshal of a Flow is that text.
func TestAppendJSONMatchesReflection(t *testing.T) {
	n := 0
	var buf []byte
	for _, f := range jsonInputs(t) {
		want, err := refFlowJSON(f)
		if err != nil {
			t.Fatal(err)
		}
		buf = f.AppendJSON(buf[:0])
		if !bytes.Equal(buf, want) {
			t.Fatalf("%s:\n got %s\nwant %s", f, buf, want)
		}
		got, err := json.Marshal(f)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("json.Marshal: %v\n got %s\nwant %s", err, got, want)
		}
		for i := range f.Match {
			w, _ := refNodeJSON(&f.Match[i])
			if g := f.Match[i].AppendJSON(nil); !bytes.Equal(g, w) {
				t.Fatalf("node %s:\n got %s\nwant %s", f.Match[i].String(), g, w)
			}
		}
		n++
	}
	t.Logf("%d flows compared", n)
}

func BenchmarkAppendJSON(b *testing.B) {
	var flows []*Flow
	for _, l := range ovnLines {
		f, err := Parse(l)
		if err != nil {
			b.Fatal(err)
		}
		flows = append(flows, f)
	}
	var buf []byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = flows[i%len(flows)].AppendJSON(buf[:0])
	}
}

func BenchmarkReflectJSON(b *testing.B) {
	var flows []*Flow
	for _, l := range ovnLines {
		f, _ := Parse(l)
		flows = append(flows, f)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_, _ = refFlowJSON(flows[i%len(flows)])
	}
}
