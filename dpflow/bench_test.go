// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// ovnLines are typical lines of an OVN chassis dump, with -m (about 450
// bytes) and without (about 270 bytes).
var ovnLines = []string{
	"recirc_id(0x2c),in_port(2),ct_state(+est-rel-rpl+trk),ct_mark(0/0x1),eth(src=0a:58:0a:f4:00:01,dst=0a:58:0a:f4:01:05),eth_type(0x0800),ipv4(src=10.244.0.4,dst=10.244.1.5,proto=6,frag=no),tcp(dst=8080), packets:1290, bytes:161250, used:1.020s, flags:P., actions:ct(zone=15,nat),recirc(0x2d)",
	"recirc_id(0),tunnel(tun_id=0x1,src=192.168.1.12,dst=192.168.1.11,flags(-df+csum+key)),in_port(2),eth(dst=0a:58:0a:f4:01:05),eth_type(0x0800),ipv4(dst=10.244.1.5,frag=no), packets:12, bytes:1176, used:2.310s, actions:ct_clear,set(eth(src=0a:58:0a:f4:01:01)),5",
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
// does) and reports ns/flow, flows/s, MB/s and allocs/flow (one flow per
// op). best-ns/flow is the fastest pass over the lines: on a shared machine
// it is the figure least disturbed by other load.
func BenchmarkParse(b *testing.B) {
	lines := benchLines(b)
	b.SetBytes(int64(totalBytes(lines) / len(lines)))
	b.ReportAllocs()
	var p parser
	var f Flow
	best := time.Duration(1 << 62)
	b.ResetTimer()
	for i := 0; i < b.N; {
		start := time.Now()
		for _, l := range lines {
			if err := p.flow(&f, l); err != nil {
				b.Fatal(err)
			}
		}
		i += len(lines)
		if d := time.Since(start); d < best {
			best = d
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/flow")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "flows/s")
	b.ReportMetric(float64(best.Nanoseconds())/float64(len(lines)), "best-ns/flow")
}

// BenchmarkBaselineByteScan only counts the delimiters of the same lines
// with a byte loop: the floor of any parser that reads every byte. On a
// shared machine, compare BenchmarkParse with it rather than with absolute
// figures.
func BenchmarkBaselineByteScan(b *testing.B) {
	lines := benchLines(b)
	b.SetBytes(int64(totalBytes(lines) / len(lines)))
	n := 0
	for i := 0; i < b.N; i++ {
		l := lines[i%len(lines)]
		for j := 0; j < len(l); j++ {
			switch l[j] {
			case '=', '(', ')', ',', '{', '}', '/':
				n++
			}
		}
	}
	if n == 0 {
		b.Fatal("no delimiters")
	}
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
best = None
loop0 = time.perf_counter()
for i in range(n):
    t0 = time.perf_counter()
    for l in ok:
        ODPFlow(l)
    d = time.perf_counter() - t0
    best = d if best is None or d < best else best
print(len(ok), len(ok), best, time.perf_counter() - loop0)
for l in ok:
    print("OK", l)
`

// BenchmarkVsPython compares the parse of the same lines with OVS's Python
// parser (ovs.flow.odp.ODPFlow, Debian python3-openvswitch): the lines of
// ovnLines and odp_dump_lines.txt that Python accepts. Only the parse loops
// are timed. The machine is shared and its load changes by the second, so
// the two sides are interleaved (rounds of Python passes, each followed by
// as long a stretch of our passes) and each side reports its fastest pass.
// It prints "RATIO dpflow-vs-python <x>" once, from TestMain.
func BenchmarkVsPython(b *testing.B) {
	vsPythonOnce.Do(func() { vsPython(b) })
	if vsPythonErr != nil {
		b.Fatal(vsPythonErr)
	}
	var p parser
	var f Flow
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, l := range vsPythonLines {
			if err := p.flow(&f, l); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(vsPythonLines)), "ns/flow")
}

var (
	vsPythonOnce  sync.Once
	vsPythonErr   error
	vsPythonLines []string
	benchReport   string
)

// vsPython runs the interleaved comparison once and sets benchReport.
func vsPython(b *testing.B) {
	// Debian's interpreter, which python3-openvswitch installs into (a
	// python3 earlier on PATH, such as pyenv's, would not see it).
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		py = "python3"
	}
	if _, err := (cmdexec.Exec{}).Run(context.Background(), py, "-c", "import ovs.flow.odp, netaddr"); err != nil {
		testenv.Missing(b, "OVS's Python flow parser (%v); install the Debian packages python3-openvswitch and python3-netaddr", err)
	}
	lines := benchLines(b)
	data, err := os.ReadFile(filepath.Join(testenv.Corpus(b, "ovs-tests"), "odp_dump_lines.txt"))
	if err != nil {
		vsPythonErr = err
		return
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	dir := b.TempDir()
	in := filepath.Join(dir, "lines.txt")
	script := filepath.Join(dir, "bench.py")
	if err := os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		vsPythonErr = err
		return
	}
	if err := os.WriteFile(script, []byte(pythonBench), 0o644); err != nil {
		vsPythonErr = err
		return
	}
	const rounds, pyPasses = 5, 20
	pyBest, goBest := math.Inf(1), math.Inf(1)
	nOK := 0
	var p parser
	var f Flow
	for r := 0; r < rounds; r++ {
		out, err := (cmdexec.Exec{}).Run(context.Background(), py, script, in, strconv.Itoa(pyPasses))
		if err != nil {
			vsPythonErr = err
			return
		}
		first, rest, _ := bytes.Cut(out, []byte("\n"))
		var n, parsed int
		var sec, loop float64
		if _, err := fmt.Sscan(string(first), &n, &parsed, &sec, &loop); err != nil || parsed == 0 {
			vsPythonErr = fmt.Errorf("python output %q: %v", first, err)
			return
		}
		pyBest = math.Min(pyBest, sec/float64(parsed))
		if vsPythonLines == nil {
			nOK = n
			for _, l := range strings.Split(string(rest), "\n") {
				if s, ok := strings.CutPrefix(l, "OK "); ok {
					if _, err := Parse(s); err != nil {
						vsPythonErr = fmt.Errorf("python accepts a line we reject: %v", err)
						return
					}
					vsPythonLines = append(vsPythonLines, s)
				}
			}
		}
		// Our passes, for as long as Python's loop took.
		until := time.Now().Add(time.Duration(loop * float64(time.Second)))
		for time.Now().Before(until) {
			start := time.Now()
			for _, l := range vsPythonLines {
				if err := p.flow(&f, l); err != nil {
					vsPythonErr = err
					return
				}
			}
			goBest = math.Min(goBest, time.Since(start).Seconds()/float64(len(vsPythonLines)))
		}
	}
	benchReport = fmt.Sprintf("python accepted %d of %d lines; fastest pass: python %.0f ns/flow, dpflow %.0f ns/flow\n"+
		"RATIO dpflow-vs-python %.1f\n", nOK, len(lines), pyBest*1e9, goBest*1e9, pyBest/goBest)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchReport != "" {
		fmt.Print(benchReport)
	}
	os.Exit(code)
}

// BenchmarkScanOVNDump streams a real dump through Scanner: both chassis of
// the e2e test (OVN on the userspace datapath, dumped with -m --names; see
// testdata/README.md). Its lines are longer than the kernel datapath's
// (every key is printed with its mask), so it reports bytes/line too.
func BenchmarkScanOVNDump(b *testing.B) {
	dump, err := os.ReadFile(filepath.Join("testdata", "ovn-e2e-dump.txt"))
	if err != nil {
		b.Fatal(err)
	}
	flows, lineBytes := 0, 0
	sc := NewScanner(bytes.NewReader(dump))
	for sc.Scan() {
		if sc.Flow() != nil {
			flows++
			lineBytes += len(sc.Text())
		}
	}
	if err := sc.Err(); err != nil || flows == 0 {
		b.Fatalf("the recorded dump does not scan: %v (%d flows)", err, flows)
	}
	// One Scanner reads the dump b.N times over, as it would read a long
	// dump.
	b.SetBytes(int64(len(dump)))
	b.ReportAllocs()
	b.ResetTimer()
	sc = NewScanner(&repeatReader{data: dump, left: b.N})
	for sc.Scan() {
	}
	if sc.Err() != nil {
		b.Fatal(sc.Err())
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*flows), "ns/flow")
	b.ReportMetric(float64(lineBytes)/float64(flows), "bytes/line")
}

// repeatReader reads data left times over.
type repeatReader struct {
	data []byte
	off  int
	left int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.data[r.off:])
	r.off += n
	if r.off == len(r.data) {
		r.off, r.left = 0, r.left-1
	}
	return n, nil
}
