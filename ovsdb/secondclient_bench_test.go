// SPDX-License-Identifier: Apache-2.0

package ovsdb_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/testenv"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// BenchmarkSecondClient measures what one more ovsdb.Client costs a
// controller that already holds its own libovsdb client (OVN-Kubernetes):
// the time to Dial (connect, monitor, first full update) and the heap the
// client keeps, on a real ovsdb-server holding one bridge with benchPorts
// ports, each with its interface and OVN's external_ids. It reports
// dial-ms and heap-KB per client.
func BenchmarkSecondClient(b *testing.B) {
	testenv.RequireOVS(b)
	db := ovstest.StartDB(b)
	db.Vsctl(b, "init")
	ctx := context.Background()
	c := ovstest.Dial(b, db.Endpoint())
	tx := c.Txn().EnsureBridge(ovsdb.BridgeSpec{Name: "br-int"})
	for i := range benchPorts {
		n := fmt.Sprintf("pf0vf%d", i)
		tx.EnsurePort(ovsdb.PortSpec{Bridge: "br-int", Name: n, Transient: true, ExternalIDs: map[string]string{
			"iface-id": "ns_pod" + fmt.Sprint(i), "iface-id-ver": "0b6f5a34-1c1e-4f0e-9a3b-5d1f6f4e2c11",
			"attached_mac": "0a:58:0a:f4:00:05", "ip_addresses": "10.244.0.5/24", "ovn-installed": "true",
			"sandbox": "3f2a9c0d4b5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8", "pod-name": "pod", "pod-namespace": "ns"}})
	}
	if _, err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	var dial time.Duration
	var heap int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		second, err := ovsdb.Dial(ctx, db.Endpoint())
		if err != nil {
			b.Fatal(err)
		}
		dial += time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap += int64(after.HeapAlloc) - int64(before.HeapAlloc)
		if _, err := second.Port(ctx, fmt.Sprintf("pf0vf%d", benchPorts-1)); err != nil {
			b.Fatal(err)
		}
		second.Close()
	}
	b.StopTimer()
	b.ReportMetric(float64(dial.Microseconds())/1000/float64(b.N), "dial-ms")
	b.ReportMetric(float64(heap)/1024/float64(b.N), "heap-KB/client")
}
