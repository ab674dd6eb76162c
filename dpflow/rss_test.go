// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
)

// dumpReader produces a dump of n flows on the fly (never held in memory),
// with a header line every 10000 flows as the userspace datapath prints.
type dumpReader struct {
	n, i int
	pend []byte
}

func (r *dumpReader) Read(b []byte) (int, error) {
	total := 0
	for len(b) > 0 {
		if len(r.pend) == 0 {
			if r.i == r.n {
				if total == 0 {
					return 0, io.EOF
				}
				return total, nil
			}
			if r.i%10000 == 0 {
				r.pend = append(r.pend, "flow-dump from pmd on cpu core: "+strconv.Itoa(r.i/10000)+"\n"...)
			}
			r.pend = append(r.pend, ovnLines[r.i%len(ovnLines)]...)
			r.pend = append(r.pend, '\n')
			r.i++
		}
		c := copy(b, r.pend)
		b, r.pend, total = b[c:], r.pend[c:], total+c
	}
	return total, nil
}

// TestStreamMillionFlowsRSS streams a 1,000,000-flow dump through a Scanner
// in a child process and checks its peak RSS (VmHWM) stays under 64 MiB.
func TestStreamMillionFlowsRSS(t *testing.T) {
	if os.Getenv("DPFLOW_RSS_CHILD") == "1" {
		streamChild(t)
		return
	}
	if testing.Short() {
		t.Skip("streams a million flows")
	}
	if raceEnabled {
		t.Skip("the race detector's shadow memory makes RSS meaningless; run without -race")
	}
	kib := streamInChild(t)
	if kib >= 64*1024 {
		t.Errorf("peak RSS %d KiB >= 64 MiB", kib)
	}
}

// BenchmarkStreamMillionFlows reports the peak RSS (peak-MiB) and the time
// of streaming a 1,000,000-flow dump through a Scanner in a child process.
func BenchmarkStreamMillionFlows(b *testing.B) {
	if raceEnabled {
		b.Skip("the race detector's shadow memory makes RSS meaningless")
	}
	for i := 0; i < b.N; i++ {
		kib := streamInChild(b)
		b.ReportMetric(float64(kib)/1024, "peak-MiB")
	}
}

// streamInChild runs streamChild in a fresh process of this test binary and
// returns its peak RSS in KiB.
func streamInChild(tb testing.TB) int {
	tb.Helper()
	out, err := (cmdexec.Exec{Env: []string{"DPFLOW_RSS_CHILD=1"}}).Run(context.Background(),
		os.Args[0], "-test.run=^TestStreamMillionFlowsRSS$", "-test.v")
	if err != nil {
		tb.Fatalf("child: %v\n%s", err, out)
	}
	var flows, kib int
	for _, l := range strings.Split(string(out), "\n") {
		if _, s, ok := strings.Cut(l, ": RSS "); ok {
			fmt.Sscan(s, &flows, &kib)
		}
	}
	tb.Logf("streamed %d flows, peak RSS %.1f MiB", flows, float64(kib)/1024)
	if flows != 1000000 || kib <= 0 {
		tb.Fatalf("child streamed %d flows, RSS %d KiB:\n%s", flows, kib, out)
	}
	return kib
}

func streamChild(t *testing.T) {
	sc := NewScanner(&dumpReader{n: 1000000})
	flows, packets := 0, uint64(0)
	for sc.Scan() {
		if f := sc.Flow(); f != nil {
			flows++
			packets += f.Stats.Packets
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	kib := -1
	for _, l := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &kib)
		}
	}
	t.Logf("RSS %d %d", flows, kib)
	if packets == 0 {
		t.Error("no packets counted")
	}
}
