// SPDX-License-Identifier: Apache-2.0

package ovstest

import (
	"os"
	"slices"
	"testing"
	"time"
)

// scopedTB runs cleanups when the scope closes instead of when the test
// ends, so a benchmark can start and stop a switch per iteration.
type scopedTB struct {
	testing.TB
	cleanups []func()
}

func (s *scopedTB) Cleanup(f func()) { s.cleanups = append(s.cleanups, f) }

func (s *scopedTB) TempDir() string {
	dir, err := os.MkdirTemp("", Prefix)
	if err != nil {
		s.Fatal(err)
	}
	s.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func (s *scopedTB) close() {
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		s.cleanups[i]()
	}
	s.cleanups = nil
}

// BenchmarkSwitchStartup measures how long StartSwitch takes until
// ovs-vswitchd answers on its control socket and a bridge exists. Run it as
// -bench SwitchStartup -benchtime=10x for the median of 10 starts.
func BenchmarkSwitchStartup(b *testing.B) {
	var took []time.Duration
	for b.Loop() {
		s := &scopedTB{TB: b}
		start := time.Now()
		sw := StartSwitch(s)
		sw.AddBridge(s, "br0")
		took = append(took, time.Since(start))
		b.StopTimer()
		s.close()
		b.StartTimer()
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
}
