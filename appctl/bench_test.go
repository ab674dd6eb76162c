// SPDX-License-Identifier: Apache-2.0

package appctl_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/appctl"
	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// benchCalls is the number of calls each side of the call benchmark makes.
const benchCalls = 1000

var callVsExecOnce sync.Once

// BenchmarkCallSocketVsExec makes benchCalls dpif/show-dp-features calls
// on a real ovs-vswitchd through one Client (DPFeatures: call and parse)
// against as many `ovs-appctl -t CTL dpif/show-dp-features br0` processes
// with the same parse, interleaved in ten rounds of a tenth each. It
// prints "RATIO appctl-call-vs-exec <exec / socket>" once; b.N times one
// socket call.
func BenchmarkCallSocketVsExec(b *testing.B) {
	s := ovstest.StartSwitch(b)
	s.AddBridge(b, "br0")
	c, err := appctl.Dial(s.Ctl)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	socket := func() {
		if _, err := c.DPFeatures(ctx, "br0"); err != nil {
			b.Fatal(err)
		}
	}
	run := cmdexec.Exec{Env: s.Env()}
	exec := func() {
		out, err := run.Run(ctx, "ovs-appctl", "-t", s.Ctl, "dpif/show-dp-features", "br0")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := appctl.ParseDPFeatures(string(out)); err != nil {
			b.Fatal(err)
		}
	}
	callVsExecOnce.Do(func() {
		var ours, theirs time.Duration
		for range 10 {
			start := time.Now()
			for range benchCalls / 10 {
				socket()
			}
			ours += time.Since(start)
			start = time.Now()
			for range benchCalls / 10 {
				exec()
			}
			theirs += time.Since(start)
		}
		fmt.Printf("appctl-call-vs-exec: %d dpif/show-dp-features calls: socket %v (%v each), ovs-appctl %v (%v each)\n",
			benchCalls, ours, ours/benchCalls, theirs, theirs/benchCalls)
		fmt.Printf("RATIO appctl-call-vs-exec %.1f\n", float64(theirs)/float64(ours))
	})
	b.ResetTimer()
	for range b.N {
		socket()
	}
}
