// SPDX-License-Identifier: Apache-2.0

package dpflow_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
)

// benchDumpFlows is the number of datapath flows the dump benchmark's
// ovs-vswitchd holds.
const benchDumpFlows = 10000

var dumpVsExecOnce sync.Once

// BenchmarkDumpSocketVsExec dumps and parses benchDumpFlows datapath flows
// of a real ovs-vswitchd with -m: through its control socket (DumpEach,
// parsing as the reply arrives) against running `ovs-appctl -t CTL
// dpctl/dump-flows -m` as a process and parsing its output with the same
// Scanner (what Dump did before). The two sides are interleaved over seven
// rounds (the flows installed again before each dump, untimed, see
// manyFlowsSwitch) and each reports its median; the time to the first flow is also
// taken (the process delivers nothing before it exits). It prints
// "RATIO appctl-dump-vs-exec <exec / socket>" once; b.N times the socket
// side.
func BenchmarkDumpSocketVsExec(b *testing.B) {
	sw, refill := manyFlowsSwitch(b, benchDumpFlows)
	ctx := context.Background()
	o := dpflow.DumpOptions{Target: sw.Ctl, Verbose: true}
	socket := func() (total, first time.Duration, n int) {
		start := time.Now()
		err := dpflow.DumpEach(ctx, o, func(*dpflow.Flow) error {
			if n == 0 {
				first = time.Since(start)
			}
			n++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		return time.Since(start), first, n
	}
	exec := func() (total, first time.Duration, n int) {
		start := time.Now()
		out, err := cmdexec.Exec{Env: sw.Env()}.Run(ctx, "ovs-appctl", "-t", sw.Ctl, "dpctl/dump-flows", "-m")
		if err != nil {
			b.Fatal(err)
		}
		sc := dpflow.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			if sc.Flow() != nil {
				if n == 0 {
					first = time.Since(start)
				}
				n++
			}
		}
		if err := sc.Err(); err != nil {
			b.Fatal(err)
		}
		return time.Since(start), first, n
	}
	dumpVsExecOnce.Do(func() {
		var st, sf, et, ef []time.Duration
		for range 7 {
			refill()
			t, f, n := socket()
			st, sf = append(st, t), append(sf, f)
			if n < benchDumpFlows {
				b.Fatalf("socket dump: %d flows, want at least %d", n, benchDumpFlows)
			}
			refill()
			t, f, n = exec()
			et, ef = append(et, t), append(ef, f)
			if n < benchDumpFlows {
				b.Fatalf("ovs-appctl dump: %d flows, want at least %d", n, benchDumpFlows)
			}
		}
		med := func(d []time.Duration) time.Duration { slices.Sort(d); return d[len(d)/2] }
		fmt.Printf("appctl-dump-vs-exec: %d flows with -m, median of 7: socket %v (first flow %v), ovs-appctl + parse %v (first flow %v)\n",
			benchDumpFlows, med(st), med(sf), med(et), med(ef))
		fmt.Printf("RATIO appctl-dump-vs-exec %.2f\n", float64(med(et))/float64(med(st)))
		fmt.Printf("RATIO appctl-dump-vs-exec-first-flow %.1f\n", float64(med(ef))/float64(med(sf)))
	})
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		refill()
		b.StartTimer()
		socket()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchDumpFlows), "ns/flow")
}
