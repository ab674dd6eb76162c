// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	flagpkg "flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flagpkg.Bool("update-golden", false, "rewrite testdata/parse-trees.golden from the current parser")

const goldenFile = "testdata/parse-trees.golden"

// goldenInputs lists the texts whose parse results are pinned: every corpus
// flow and action list, every invalid line, and every prefix of the
// benchmark lines (most of which are errors, with their columns).
func goldenInputs(t *testing.T) (flows, actions []string) {
	for _, file := range []string{"odp_dump_lines.txt", "odp_keys.txt", "odp_flows.txt",
		"odp_stats_actions.txt", "odp_flows_normalized.txt", "pytests_odp.txt", "odp_invalid.txt"} {
		flows = append(flows, readCorpus(t, file)...)
	}
	for _, l := range ovnLines {
		for i := 1; i <= len(l); i++ {
			flows = append(flows, l[:i])
		}
	}
	return flows, readCorpus(t, "odp_actions.txt")
}

// dumpNodes writes everything a parse decides about nodes, the private
// layout fields included.
func dumpNodes(b *strings.Builder, nodes []Node) {
	b.WriteByte('[')
	for i := range nodes {
		n := &nodes[i]
		fmt.Fprintf(b, "{%q %q %q k%d t%d f%d s%d o%d ", n.Name, n.Value, n.Mask, n.Kind, n.Type, n.form, n.spaces, n.off)
		if n.Children != nil {
			dumpNodes(b, n.Children)
		}
		b.WriteByte('}')
	}
	b.WriteByte(']')
}

func dumpFlow(f *Flow, err error) string {
	if f == nil {
		f = &Flow{}
	}
	if err != nil {
		return "error " + err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%v %v %+v %v %q %v %q ", f.UFID, f.HasUFID, f.Stats, f.HasActions, f.ExtraInfo, f.HasExtraInfo, f.keySep)
	dumpNodes(&b, f.Match)
	dumpNodes(&b, f.Actions)
	if f.Fields != nil || f.layout != nil { // issue 17: only lines with them, so older digests hold
		fmt.Fprintf(&b, " fields %+v layout %+v", f.Fields, f.layout)
	}
	return b.String()
}

func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// TestParseTreesGolden pins the full result of parsing (kinds, types, forms,
// offsets, errors and their columns) for a few thousand inputs, so that
// work on the parser's speed cannot change what it decides. After an
// intended change, rewrite the file with -update-golden and review the
// diff of the affected inputs (-v prints them).
func TestParseTreesGolden(t *testing.T) {
	flows, actions := goldenInputs(t)
	var got []string
	var inputs []string
	for _, l := range flows {
		f, err := Parse(l)
		got = append(got, digest(dumpFlow(f, err)))
		inputs = append(inputs, l)
	}
	for _, l := range actions {
		a, err := ParseActions(l)
		got = append(got, digest(dumpFlow(&Flow{Actions: a}, err)))
		inputs = append(inputs, "actions "+l)
	}
	if *updateGolden {
		if err := os.WriteFile(goldenFile, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	fh, err := os.Open(filepath.FromSlash(goldenFile))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var want []string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		want = append(want, sc.Text())
	}
	if len(want) != len(got) {
		t.Fatalf("%s has %d digests, the inputs are %d: rewrite it with -update-golden", goldenFile, len(want), len(got))
	}
	bad := 0
	for i := range got {
		if got[i] != want[i] {
			bad++
			if bad <= 20 {
				in := inputs[i]
				var res string
				if a, ok := strings.CutPrefix(in, "actions "); ok {
					nodes, err := ParseActions(a)
					res = dumpFlow(&Flow{Actions: nodes}, err)
				} else {
					f, err := Parse(in)
					res = dumpFlow(f, err)
				}
				t.Errorf("input %d changed: %q\nnow: %s", i+1, in, res)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d parse results changed", bad, len(got))
	}
}

// extraFastPathLines are mutated by TestFastPathMatchesGeneric and seed
// FuzzFastPath, with the OVN lines: tunnel pushes, whose header the fast
// path checks (size against the headers) as the generic path does; nested
// keys and actions; empty lists.
var extraFastPathLines = []string{
	"recirc_id(0),in_port(1),eth(),eth_type(0x8100),vlan(vid=99,pcp=7/0x0),encap(eth_type(0x0800),ipv4(src=127.0.0.1,proto=17,frag=no),udp(dst=82)), actions:check_pkt_len(size=200,gt(set(ipv4(ttl=1)),clone(drop)),le(3)),sample(sample=50.0%,actions(userspace(pid=1))),pop_nsh(),dec_ttl(le_1(drop)),clone(ct(zone=5),4)",
	"recirc_id(0),in_port(2),eth_type(0x0800), packets:1, bytes:14, used:0.0s, actions:tnl_push(tnl_port(6081),header(size=50,type=5,eth(dst=f8:bc:12:44:34:b6,src=aa:55:aa:55:00:00,dl_type=0x0800),ipv4(src=2.2.2.88,dst=1.1.2.92,proto=17,tos=0,ttl=64,frag=0x4000),udp(src=0,dst=6081,csum=0x0),geneve(vni=0x7b)),out_port(100)),1",
	"actions:tnl_push(tnl_port(4789),header(size=50,type=4,eth(dst=aa:55:00:00:00:02,src=aa:55:00:00:00:01,dl_type=0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=0x4000),udp(src=0,dst=4789,csum=0x0),vxlan(flags=0xc000004,vni=0x0)),out_port(1))",
	vendorMegaUFID, vendorYusur, vendorYusurReordered,
}

// parseBoth parses line with and without the fast path and returns both
// dumps.
func parseBoth(line string) (fast, generic string) {
	var p, g parser
	g.noFast = true
	var f1, f2 Flow
	err1 := p.flow(&f1, line)
	err2 := g.flow(&f2, line)
	return dumpFlow(&f1, err1), dumpFlow(&f2, err2)
}

// TestFastPathMatchesGeneric: on every golden input and on every input with
// one byte changed, the fast path builds exactly what the generic path
// builds, errors included.
func TestFastPathMatchesGeneric(t *testing.T) {
	flows, _ := goldenInputs(t)
	// Single-byte mutations of the benchmark lines reach the fast path's
	// give-up branches: bad values, masks, separators.
	subst := []byte("0x/,()=: .-+{}aZ9")
	mutated := append(append([]string{}, extraFastPathLines...), ovnLines...)
	for _, l := range mutated {
		for i := 0; i < len(l); i++ {
			for _, c := range subst {
				if l[i] != c {
					flows = append(flows, l[:i]+string(c)+l[i+1:])
				}
			}
		}
	}
	bad := 0
	for _, l := range flows {
		if a, b := parseBoth(l); a != b {
			bad++
			if bad <= 10 {
				t.Errorf("%q:\n fast: %s\n slow: %s", l, a, b)
			}
		}
	}
	t.Logf("%d inputs compared", len(flows))
}

// FuzzFastPath: the fast path and the generic path agree on any input.
func FuzzFastPath(f *testing.F) {
	for _, l := range append(append([]string{}, extraFastPathLines...), ovnLines...) {
		f.Add(l)
	}
	for _, l := range seedCorpus(f, "odp_dump_lines.txt") {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if a, b := parseBoth(in); a != b {
			t.Fatalf("%q:\n fast: %s\n slow: %s", in, a, b)
		}
	})
}

// TestByteClassStops: the stop classes of the typed scanner are the bytes
// of the generic scanner's stop tables.
func TestByteClassStops(t *testing.T) {
	for c := range 256 {
		if tokenStop[c] != (charClass[c]&cStopToken != 0) || valueStop[c] != (charClass[c]&cStopValue != 0) {
			t.Errorf("byte %#x: stop classes differ from tokenStop/valueStop", c)
		}
	}
}
