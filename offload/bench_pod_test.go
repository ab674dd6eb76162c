// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"context"
	"fmt"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// benchPodPorts is how many pod ports br-int holds while one more is
// plugged.
const benchPodPorts = 1000

// BenchmarkPodPlug plugs one pod at a time (PlugPod with its guards: the
// binding check, the stale-port search and the server-side re-checks,
// NoWait, OVN-K's external_ids) into a br-int that holds benchPodPorts pod
// ports on a real ovsdb-server, and every tenth time the same plug as one
// ovs-vsctl --no-wait exec. Each plug is unplugged again outside the timer,
// so the database keeps its size. It reports the p50/p99 latency of one
// PlugPod, allocations per plug (-benchmem; they include what the client's
// monitor does with the update), and prints
// "RATIO pod-plug-vs-vsctl <vsctl per plug / PlugPod per plug>".
func BenchmarkPodPlug(b *testing.B) {
	testenv.RequireOVS(b)
	db := ovstest.StartDB(b)
	db.Vsctl(b, "init")
	ctx := context.Background()
	c := ovstest.Dial(b, db.Endpoint())
	tx := c.Txn().EnsureBridge(ovsdb.BridgeSpec{Name: "br-int", FailMode: "secure"})
	for i := range benchPodPorts {
		n := fmt.Sprintf("pf1vf%d", i)
		tx.EnsurePort(ovsdb.PortSpec{Bridge: "br-int", Name: n, Transient: true,
			ExternalIDs: map[string]string{"iface-id": "ns_pre" + fmt.Sprint(i), "iface-id-ver": "uid", "ovn-installed": "true"}})
	}
	if _, err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	node := &Node{DB: c}
	mac, _ := net.ParseMAC("0a:58:0a:f4:00:05")
	pod := func(i int) PodPort {
		return PodPort{Backend: None{}, IfaceID: fmt.Sprintf("ns_pod%d", i), PodUID: fmt.Sprintf("uid-%d", i),
			PodName: fmt.Sprintf("pod%d", i), PodNamespace: "ns", Sandbox: fmt.Sprintf("sb%d", i), MAC: mac,
			Representor: "pf0vf0", NoWait: true, Transient: true,
			ExternalIDs: map[string]string{"ip_addresses": "10.244.0.5/24", "vf-netdev-name": "ens1f0v0", "pod-if-name": "eth0"}}
	}
	vsctl := func(args ...string) {
		if _, err := (cmdexec.Exec{}).Run(ctx, append([]string{"ovs-vsctl", "--db=" + db.Endpoint(), "--no-wait", "--timeout=300"}, args...)...); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	var rtt, bare []time.Duration // untimed side measures, where the time goes
	var ours, theirs time.Duration
	execs := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := pod(i)
		start := time.Now()
		if _, err := PlugPod(ctx, node, p); err != nil {
			b.Fatal(err)
		}
		d := time.Since(start)
		lat = append(lat, d)
		ours += d
		b.StopTimer()
		p.Backend = nil
		if ok, err := UnplugPod(ctx, node, p); !ok || err != nil {
			b.Fatalf("UnplugPod = %v, %v", ok, err)
		}
		if i%10 == 0 {
			// A guard-only transaction: the round trip to ovsdb-server,
			// no commit, no monitor update. A bare EnsurePort: the commit,
			// the monitor update and the cache, without PlugPod's reads.
			start = time.Now()
			if _, err := c.Txn().RequireBridge("br-int").Commit(ctx); err != nil {
				b.Fatal(err)
			}
			rtt = append(rtt, time.Since(start))
			start = time.Now()
			if _, err := c.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br-int", Name: "pf0vf2", ExternalIDs: map[string]string{"iface-id": "x"}}); err != nil {
				b.Fatal(err)
			}
			bare = append(bare, time.Since(start))
			if _, err := c.DeletePort(ctx, "pf0vf2"); err != nil {
				b.Fatal(err)
			}
			start = time.Now()
			vsctl("--may-exist", "add-port", "br-int", "pf0vf1", "--", "set", "port", "pf0vf1", "other_config:transient=true",
				"--", "set", "interface", "pf0vf1", "external_ids:iface-id="+p.IfaceID, "external_ids:iface-id-ver="+p.PodUID,
				"external_ids:attached_mac="+mac.String(), "external_ids:sandbox="+p.Sandbox, "external_ids:pod-name="+p.PodName,
				"external_ids:pod-namespace=ns", "external_ids:ip_addresses=10.244.0.5/24", "external_ids:vf-netdev-name=ens1f0v0",
				"external_ids:pod-if-name=eth0")
			theirs += time.Since(start)
			execs++
			vsctl("del-port", "br-int", "pf0vf1")
		}
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(lat)
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	b.ReportMetric(float64(p50.Microseconds()), "p50-us/plug")
	b.ReportMetric(float64(p99.Microseconds()), "p99-us/plug")
	if b.N == 1 {
		return // the first, probing run of -benchtime: too few plugs to say anything
	}
	if len(rtt) > 0 {
		slices.Sort(rtt)
		slices.Sort(bare)
		b.ReportMetric(float64(rtt[len(rtt)/2].Microseconds()), "rtt-p50-us")
		b.ReportMetric(float64(bare[len(bare)/2].Microseconds()), "ensureport-p50-us")
		fmt.Printf("pod-plug-vs-vsctl: where the time goes (p50): a guard-only round trip %v, a bare EnsurePort (commit, monitor update, cache) %v, PlugPod %v\n",
			rtt[len(rtt)/2], bare[len(bare)/2], p50)
	}
	if execs > 0 && ours > 0 {
		perTheirs := theirs / time.Duration(execs)
		b.ReportMetric(float64(perTheirs.Microseconds()), "vsctl-us/plug")
		fmt.Printf("pod-plug-vs-vsctl: %d PlugPod into %d ports, %v per plug (p50 %v, p99 %v); %d ovs-vsctl --no-wait execs, %v per plug\n",
			len(lat), benchPodPorts, ours/time.Duration(len(lat)), p50, p99, execs, perTheirs)
		fmt.Printf("RATIO pod-plug-vs-vsctl %.1f\n", float64(perTheirs)/float64(ours/time.Duration(len(lat))))
	}
}
