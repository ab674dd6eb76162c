// SPDX-License-Identifier: Apache-2.0

package ovsdb_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

const benchPorts = 1000

// benchSetup starts a real ovsdb-server holding bridge br0 with benchPorts
// ports and returns it with a long-lived client. ovs-vsctl runs with
// --no-wait: there is no ovs-vswitchd, for either side.
func benchSetup(b *testing.B) (*ovstest.DB, *ovsdb.Client) {
	b.Helper()
	testenv.RequireOVS(b)
	db := ovstest.StartDB(b)
	db.Vsctl(b, "init")
	ctx := context.Background()
	c, err := ovsdb.Dial(ctx, db.Endpoint())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	tx := c.Txn().EnsureBridge(ovsdb.BridgeSpec{Name: "br0"})
	for i := range benchPorts {
		n := fmt.Sprintf("pre%d", i)
		tx.EnsurePort(ovsdb.PortSpec{Bridge: "br0", Name: n, ExternalIDs: map[string]string{"iface-id": n}})
	}
	if _, err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	return db, c
}

func vsctl(ctx context.Context, db *ovstest.DB, args ...string) error {
	_, err := cmdexec.Exec{}.Run(ctx, append([]string{"ovs-vsctl", "--db=" + db.Endpoint(), "--no-wait", "--timeout=300"}, args...)...)
	return err
}

// vsctlEvery is how many of our plugs go with one ovs-vsctl plug in
// BenchmarkPlugOneAtATime: one exec costs hundreds of times more than one of
// our calls, so by default 1 in 10 is timed (100 execs for 1000 plugs) and
// the comparison is per plug. OVSOFFLOAD_BENCH_VSCTL_EVERY=1 times an exec
// for every plug (slow on a loaded machine).
func vsctlEvery() int {
	if n, err := strconv.Atoi(os.Getenv("OVSOFFLOAD_BENCH_VSCTL_EVERY")); err == nil && n >= 1 {
		return n
	}
	return 10
}

// BenchmarkPlugOneAtATime plugs benchPorts ports one call each, as pods
// arrive, on a long-lived client, interleaved with ovs-vsctl execs (one
// "add-port ... -- set interface ... external_ids:iface-id=..." per port) on
// the same server, so both sides see the same database size. It prints
// "RATIO ovsdb-plug-one-at-a-time <vsctl per plug / ours per plug>" and the
// p50/p99 latency of one of our plugs.
func BenchmarkPlugOneAtATime(b *testing.B) {
	db, c := benchSetup(b)
	ctx := context.Background()
	every := vsctlEvery()
	var ours, theirs time.Duration
	var lat []time.Duration
	execs := 0
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		for i := range benchPorts {
			n := fmt.Sprintf("a%d_%d", it, i)
			start := time.Now()
			if _, err := c.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br0", Name: n, ExternalIDs: map[string]string{"iface-id": n}}); err != nil {
				b.Fatal(err)
			}
			d := time.Since(start)
			ours += d
			lat = append(lat, d)
			if i%every != 0 {
				continue
			}
			n = fmt.Sprintf("v%d_%d", it, i)
			start = time.Now()
			if err := vsctl(ctx, db, "add-port", "br0", n, "--", "set", "interface", n, "external_ids:iface-id="+n); err != nil {
				b.Fatal(err)
			}
			theirs += time.Since(start)
			execs++
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	perOurs := ours / time.Duration(len(lat))
	perTheirs := theirs / time.Duration(execs)
	b.ReportMetric(float64(p50.Microseconds()), "p50-us/plug")
	b.ReportMetric(float64(p99.Microseconds()), "p99-us/plug")
	b.ReportMetric(float64(perTheirs.Microseconds()), "vsctl-us/plug")
	fmt.Printf("ovsdb-plug-one-at-a-time: %d plugs, ours %v per plug (p50 %v, p99 %v); %d ovs-vsctl --no-wait execs, %v per plug\n",
		len(lat), perOurs, p50, p99, execs, perTheirs)
	fmt.Printf("RATIO ovsdb-plug-one-at-a-time %.1f\n", float64(perTheirs)/float64(perOurs))
}

// BenchmarkPlugBatch plugs benchPorts ports in one transaction, and the same
// number with a single ovs-vsctl invocation carrying benchPorts "--"-joined
// add-port commands, on the same server. It prints
// "RATIO ovsdb-plug-batch <vsctl/ours>".
func BenchmarkPlugBatch(b *testing.B) {
	db, c := benchSetup(b)
	ctx := context.Background()
	var ours, theirs time.Duration
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		start := time.Now()
		tx := c.Txn()
		for i := range benchPorts {
			n := fmt.Sprintf("b%d_%d", it, i)
			tx.EnsurePort(ovsdb.PortSpec{Bridge: "br0", Name: n, ExternalIDs: map[string]string{"iface-id": n}})
		}
		if _, err := tx.Commit(ctx); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)

		var args []string
		for i := range benchPorts {
			n := fmt.Sprintf("w%d_%d", it, i)
			if i > 0 {
				args = append(args, "--")
			}
			args = append(args, "add-port", "br0", n, "--", "set", "interface", n, "external_ids:iface-id="+n)
		}
		start = time.Now()
		if err := vsctl(ctx, db, args...); err != nil {
			b.Fatal(err)
		}
		theirs += time.Since(start)
	}
	b.StopTimer()
	b.ReportMetric(float64(theirs.Milliseconds())/float64(b.N), "vsctl-ms/batch")
	fmt.Printf("ovsdb-plug-batch: ours %v, one ovs-vsctl --no-wait invocation %v (per %d ports)\n",
		ours/time.Duration(b.N), theirs/time.Duration(b.N), benchPorts)
	fmt.Printf("RATIO ovsdb-plug-batch %.2f\n", float64(theirs)/float64(ours))
}
