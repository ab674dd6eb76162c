package dpflow

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
)

// ovnLines are typical lines of an OVN chassis dump (-m, about 350 bytes).
var ovnLines = []string{
	"ufid:b86a2a4a-58a8-4a0b-9b5b-2d0b2b8c7a11, recirc_id(0),dp_hash(0/0),skb_priority(0/0),in_port(3),skb_mark(0/0),ct_state(0/0x2f),ct_zone(0/0),ct_mark(0/0),ct_label(0/0),eth(src=0a:58:0a:f4:01:05,dst=0a:58:0a:f4:01:01),eth_type(0x0800),ipv4(src=10.244.1.5,dst=10.96.0.10/255.255.255.255,proto=17,tos=0/0,ttl=64/0,frag=no),udp(src=0/0,dst=53), packets:1834, bytes:142934, used:0.512s, dp:ovs, actions:ct(zone=14,nat),recirc(0x2b)",
	"ufid:0d6f33f1-2a3e-4c4b-8f0a-9f2e1b3c4d55, recirc_id(0x2b),dp_hash(0/0),skb_priority(0/0),in_port(3),skb_mark(0/0),ct_state(0x22/0x2f),ct_zone(0xe/0),ct_mark(0/0x1),ct_label(0/0),eth(src=0a:58:0a:f4:01:05,dst=0a:58:0a:f4:01:01),eth_type(0x0800),ipv4(src=10.244.1.5/0.0.0.0,dst=10.244.0.4,proto=17,tos=0/0,ttl=64,frag=no),udp(src=0/0,dst=0/0), packets:1830, bytes:142740, used:0.512s, flags:SP., offloaded:yes, dp:tc, actions:set(eth(src=0a:58:0a:f4:01:01,dst=0a:58:0a:f4:00:04)),set(ipv4(ttl=63)),set(tunnel(tun_id=0x5,dst=192.168.1.12,ttl=64,tp_dst=6081,geneve({class=0x102,type=0x80,len=4,0x30002}),flags(df|csum|key))),2",
	"ufid:9a1c8c2e-7f3b-4a55-9d1e-0c6b5a4f3e21, recirc_id(0),dp_hash(0/0),skb_priority(0/0),tunnel(tun_id=0x5,src=192.168.1.12,dst=192.168.1.11,ttl=64/0,tp_dst=6081,geneve({class=0x102,type=0x80,len=4,0x20003/0x7fffffff}),flags(-df+csum+key)),in_port(2),skb_mark(0/0),ct_state(0/0x23),eth(src=0a:58:0a:f4:00:01,dst=0a:58:0a:f4:01:05),eth_type(0x0800),ipv4(frag=no), packets:1290, bytes:161250, used:1.020s, offloaded:partial, dp:ovs, actions:ct_clear,ct(zone=15),recirc(0x2c)",
	"ufid:1e6c1f0a-5c2d-4e7b-8a3f-4d2c1b0a9f88, recirc_id(0x2c),dp_hash(0/0),skb_priority(0/0),in_port(2),skb_mark(0/0),ct_state(0x2a/0x3f),ct_zone(0xf/0),ct_mark(0/0x1),ct_label(0/0),eth(src=0a:58:0a:f4:00:01,dst=0a:58:0a:f4:01:05),eth_type(0x0800),ipv4(src=10.244.0.4/0.0.0.0,dst=10.244.1.5/0.0.0.0,proto=6,tos=0/0,ttl=63/0,frag=no),tcp(src=0/0,dst=0/0), packets:1290, bytes:161250, used:1.020s, flags:P., dp:ovs, actions:5",
}

func benchLines(tb testing.TB) []string {
	lines := ovnLines
	for _, l := range lines {
		if _, err := Parse(l); err != nil {
			tb.Fatalf("benchmark line does not parse: %v", err)
		}
	}
	return lines
}

func totalBytes(lines []string) int {
	n := 0
	for _, l := range lines {
		n += len(l)
	}
	return n
}

// BenchmarkParse parses typical OVN lines with a reused parser (as Scanner
// does) and reports ns/flow, MB/s and allocs/flow.
func BenchmarkParse(b *testing.B) {
	lines := benchLines(b)
	b.SetBytes(int64(totalBytes(lines) / len(lines)))
	b.ReportAllocs()
	var p parser
	var f Flow
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := p.flow(&f, lines[i%len(lines)]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/flow")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "flows/s")
}

// BenchmarkParseNew is Parse, which allocates a new Flow per line.
func BenchmarkParseNew(b *testing.B) {
	lines := benchLines(b)
	b.SetBytes(int64(totalBytes(lines) / len(lines)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(lines[i%len(lines)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFormat formats parsed lines.
func BenchmarkFormat(b *testing.B) {
	lines := benchLines(b)
	flows := make([]*Flow, len(lines))
	for i, l := range lines {
		flows[i], _ = Parse(l)
	}
	b.SetBytes(int64(totalBytes(lines) / len(lines)))
	b.ReportAllocs()
	buf := make([]byte, 0, 1024)
	for i := 0; i < b.N; i++ {
		buf = flows[i%len(flows)].AppendText(buf[:0])
	}
}

const pythonBench = `
import sys, time
from ovs.flow.odp import ODPFlow
lines = [l.rstrip("\n") for l in open(sys.argv[1]) if l.strip()]
n = int(sys.argv[2])
ok = []
for l in lines:
    try:
        ODPFlow(l)
        ok.append(l)
    except Exception:
        pass
t0 = time.perf_counter()
for i in range(n):
    for l in ok:
        ODPFlow(l)
t1 = time.perf_counter()
print(len(ok), n * len(ok), t1 - t0)
for l in ok:
    print("OK", l)
`

// BenchmarkVsPython compares the parse of the same lines with OVS's Python
// parser (ovs.flow.odp.ODPFlow, Debian python3-openvswitch), timing only
// the parse loops, and prints "RATIO dpflow-vs-python <x>".
func BenchmarkVsPython(b *testing.B) {
	// Debian's interpreter, which python3-openvswitch installs into (a
	// python3 earlier on PATH, such as pyenv's, would not see it).
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		py = "python3"
	}
	if _, err := (cmdexec.Exec{}).Run(context.Background(), py, "-c", "import ovs.flow.odp, netaddr"); err != nil {
		b.Skipf("python3-openvswitch / python3-netaddr not available: %v", err)
	}
	lines := benchLines(b)
	// Add the corpus dump lines, so the comparison is not only over ours.
	if data, err := os.ReadFile(filepath.Join(corpusDir, "odp_dump_lines.txt")); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(l) != "" {
				lines = append(lines, l)
			}
		}
	}
	dir := b.TempDir()
	in := filepath.Join(dir, "lines.txt")
	script := filepath.Join(dir, "bench.py")
	if err := os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(script, []byte(pythonBench), 0o644); err != nil {
		b.Fatal(err)
	}
	const rounds = 20
	out, err := (cmdexec.Exec{}).Run(context.Background(), py, script, in, strconv.Itoa(rounds))
	if err != nil {
		b.Fatal(err)
	}
	first, rest, _ := bytes.Cut(out, []byte("\n"))
	var nOK, nParsed int
	var pySec float64
	if _, err := fmt.Sscan(string(first), &nOK, &nParsed, &pySec); err != nil || nParsed == 0 {
		b.Fatalf("python output %q: %v", first, err)
	}
	var same []string
	for _, l := range strings.Split(string(rest), "\n") {
		if s, ok := strings.CutPrefix(l, "OK "); ok {
			same = append(same, s)
		}
	}
	for _, l := range same {
		if _, err := Parse(l); err != nil {
			b.Fatalf("python accepts a line we reject: %v", err)
		}
	}
	var p parser
	var f Flow
	b.ResetTimer()
	start := time.Now()
	n := 0
	for i := 0; i < b.N; i++ {
		for _, l := range same {
			if err := p.flow(&f, l); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	goSec := time.Since(start).Seconds()
	b.StopTimer()
	pyPer := pySec / float64(nParsed)
	goPer := goSec / float64(n)
	b.ReportMetric(goPer*1e9, "ns/flow")
	b.ReportMetric(pyPer*1e9, "python-ns/flow")
	if b.N > 1 || n > 1000 {
		fmt.Printf("python accepted %d of %d lines\n", nOK, len(lines))
		fmt.Printf("RATIO dpflow-vs-python %.1f\n", pyPer/goPer)
	}
}
