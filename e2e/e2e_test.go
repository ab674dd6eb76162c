// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/internal/sysfs"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// chassis is one emulated DPU and the library's handles on it.
type chassis struct {
	name string
	dpu  *ovstest.DPU
	node *offload.Node
	spec offload.NodeSpec
}

// pod is one pod of the topology.
type pod struct {
	name, ls, ip, mac, gw string
	ch                    int    // index of its chassis
	rep                   string // its representor on that chassis
	host                  *ovstest.Host
	port                  offload.PodPort
}

func newChassis(t *testing.T, ctx context.Context, name string, dpu *ovstest.DPU, sbRemote string) *chassis {
	t.Helper()
	db, err := ovsdb.Dial(ctx, dpu.DB.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	f, err := os.Open("/run/netns/" + dpu.Netns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	// The DPU's links are veths: no eswitch ports to find, so an empty
	// sysfs, and representors are plugged by name.
	es, err := eswitch.New(eswitch.Config{NetNS: int(f.Fd()), SysFS: sysfs.NewFake().Dir("class/net")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { es.Close() })
	backend := offload.None{Datapath: ovsdb.DatapathNetdev}
	c := &chassis{name: name, dpu: dpu, node: &offload.Node{DB: db, Eswitch: es, Target: dpu.Ctl}}
	c.spec = offload.NodeSpec{
		Backend:       backend,
		RemoveBridges: []string{"ovsbr1", "ovsbr2"},
		UplinkBridge:  offload.UplinkBridge{Name: "brp0", Uplink: "p0", HostPF: "pf0hpf"},
		Move:          &offload.AddressMove{From: "en3f0pf0sf0", Gateway: dpu.Gateway},
		Chassis: ovsdb.Chassis{
			SystemID:        name,
			Hostname:        name,
			EncapIPs:        []netip.Addr{dpu.Addr.Addr()},
			Remote:          sbRemote,
			HostK8sNodename: "host-" + name,
		},
	}
	return c
}

func TestIntegrationTwoChassisOVN(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	central := ovstest.StartOVNCentral(t)
	under := ovstest.NewUnderlay(t, "10.1.65.1/24")
	var chs []*chassis
	for i, addr := range []string{"10.1.65.155/24", "10.1.65.156/24"} {
		dpu := ovstest.StartDPU(t, under, ovstest.DPUOptions{Addr: addr})
		chs = append(chs, newChassis(t, ctx, fmt.Sprintf("dpu-%d", i+1), dpu, central.SB.Endpoint()))
	}

	// The seed guide's DPU steps, by the library: plan, apply, and a second
	// plan that finds nothing to do.
	for _, c := range chs {
		plan, err := offload.Plan(ctx, c.node, c.spec)
		if err != nil {
			t.Fatalf("%s: Plan: %v", c.name, err)
		}
		for _, kind := range []offload.StepKind{offload.StepRemoveBridge, offload.StepEnsureBridge, offload.StepMoveAddresses, offload.StepSetChassis} {
			if !plan.Has(kind) {
				t.Fatalf("%s: plan on a factory DPU lacks %s:\n%s", c.name, kind, planText(plan))
			}
		}
		if _, err := offload.Apply(ctx, c.node, plan); err != nil {
			t.Fatalf("%s: Apply: %v", c.name, err)
		}
		if r := c.dpu.Exec(t, "ip", "route", "show", "default"); !strings.Contains(r, "dev brp0") {
			t.Fatalf("%s: default route not on brp0: %s", c.name, r)
		}
		c.dpu.Ping(t, "10.1.65.1", 20*time.Second) // through brp0 and p0 now
		c.dpu.StartOVNController(t)
	}

	// The logical topology: two switches, a router, ACLs with conntrack,
	// a load balancer.
	pods := []*pod{
		{name: "pa", ls: "ls1", ip: "10.1.0.10", mac: "0a:58:0a:01:00:0a", gw: "10.1.0.1", ch: 0, rep: "pf0vf0"},
		{name: "pb", ls: "ls1", ip: "10.1.0.11", mac: "0a:58:0a:01:00:0b", gw: "10.1.0.1", ch: 1, rep: "pf0vf0"},
		{name: "pc", ls: "ls2", ip: "10.2.0.10", mac: "0a:58:0a:02:00:0a", gw: "10.2.0.1", ch: 0, rep: "pf0vf1"},
		{name: "pd", ls: "ls2", ip: "10.2.0.11", mac: "0a:58:0a:02:00:0b", gw: "10.2.0.1", ch: 1, rep: "pf0vf1"},
	}
	nb := central.NBctl
	nb(t, "ls-add", "ls1")
	nb(t, "ls-add", "ls2")
	nb(t, "lr-add", "lr1")
	nb(t, "lrp-add", "lr1", "lr1-ls1", "00:00:00:00:ff:01", "10.1.0.1/24")
	nb(t, "lrp-add", "lr1", "lr1-ls2", "00:00:00:00:ff:02", "10.2.0.1/24")
	for _, ls := range []string{"ls1", "ls2"} {
		p := ls + "-lr1"
		nb(t, "lsp-add", ls, p, "--", "lsp-set-type", p, "router", "--", "lsp-set-addresses", p, "router",
			"--", "lsp-set-options", p, "router-port=lr1-"+ls)
	}
	for _, p := range pods {
		lsp := "default_" + p.name
		nb(t, "lsp-add", p.ls, lsp, "--", "lsp-set-addresses", lsp, p.mac+" "+p.ip,
			"--", "lsp-set-port-security", lsp, p.mac+" "+p.ip)
	}
	nb(t, "pg-add", "pg_pods", "default_pa", "default_pb", "default_pc", "default_pd")
	nb(t, "acl-add", "pg_pods", "to-lport", "1000", "outport == @pg_pods && ip4 && icmp4", "allow-related")
	nb(t, "acl-add", "pg_pods", "to-lport", "1000", "outport == @pg_pods && tcp && tcp.dst == 8080", "allow-related")
	nb(t, "acl-add", "pg_pods", "to-lport", "900", "outport == @pg_pods && ip4", "drop")
	nb(t, "lb-add", "lb1", "10.1.0.100:80", "10.1.0.11:8080,10.2.0.11:8080", "tcp")
	nb(t, "ls-lb-add", "ls1", "lb1")
	nb(t, "lr-lb-add", "lr1", "lb1")

	// The pods, plugged by the library.
	for _, p := range pods {
		c := chs[p.ch]
		p.host = c.dpu.AddPod(t, p.rep, p.ip+"/24", p.mac, p.gw)
		mac, _ := net.ParseMAC(p.mac)
		p.port = offload.PodPort{Backend: c.spec.Backend, IfaceID: "default_" + p.name, PodUID: "uid-" + p.name,
			PodName: p.name, PodNamespace: "default", MAC: mac, Representor: p.rep}
		if _, err := offload.PlugPod(ctx, c.node, p.port); err != nil {
			t.Fatalf("PlugPod %s on %s: %v", p.name, c.name, err)
		}
	}
	central.WaitHV(t)

	// Pods reach each other on the same chassis and across chassis, on the
	// same switch and through the router.
	for _, src := range pods {
		for _, dst := range pods {
			if src != dst {
				src.host.Ping(t, dst.ip, 20*time.Second)
			}
		}
	}
	// TCP through the load balancer's VIP (conntrack, NAT, the ACLs).
	serve := func(p *pod) func() error {
		done := make(chan error, 1)
		go func() {
			_, err := p.host.TryExec("timeout", "30", "python3", "-c", `import socket
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("`+p.ip+`", 8080)); s.listen(4)
c,_=s.accept(); c.sendall(b"hello from `+p.name+`"); c.close()`)
			done <- err
		}()
		return func() error { return <-done }
	}
	waitB, waitD := serve(pods[1]), serve(pods[3])
	time.Sleep(300 * time.Millisecond)
	seen := map[string]bool{}
	for i := 0; i < 20 && len(seen) < 2; i++ {
		out, err := pods[0].host.TryExec("python3", "-c", `import socket
s=socket.create_connection(("10.1.0.100", 80), timeout=3); print(s.recv(100).decode())`)
		if err == nil && strings.HasPrefix(out, "hello from ") {
			seen[out] = true
		}
	}
	if len(seen) == 0 {
		t.Fatal("no TCP connection through the load balancer VIP 10.1.0.100:80 succeeded")
	}
	// Unblock whichever backend the VIP did not pick, then reap both.
	for _, p := range []*pod{pods[1], pods[3]} {
		_, _ = pods[0].host.TryExec("python3", "-c", `import socket
try: socket.create_connection(("`+p.ip+`", 8080), timeout=2).recv(100)
except Exception: pass`)
	}
	for _, wait := range []func() error{waitB, waitD} {
		if err := wait(); err != nil {
			t.Logf("TCP backend: %v", err)
		}
	}

	// Every flow of both chassis parses, round-trips and is in the report,
	// attributed to the right pod.
	for ci, c := range chs {
		raw, err := dpflow.DumpRaw(ctx, dpflow.DumpOptions{Target: c.dpu.Ctl, Verbose: true, Names: true})
		if err != nil {
			t.Fatal(err)
		}
		if dir := os.Getenv("OVSOFFLOAD_E2E_DUMPDIR"); dir != "" {
			// dpflow's benchmark input testdata/ovn-e2e-dump.txt was recorded so.
			if err := os.WriteFile(filepath.Join(dir, c.name+".dpctl"), raw, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var flows []*dpflow.Flow
		for _, line := range strings.Split(string(raw), "\n") {
			if line == "" {
				continue
			}
			if _, ok := dpflow.ParseHeader(line); ok {
				continue
			}
			f, err := dpflow.Parse(line)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if f.String() != line {
				t.Fatalf("%s: round trip:\n got %s\nwant %s", c.name, f, line)
			}
			flows = append(flows, f)
		}
		if len(flows) == 0 {
			t.Fatalf("%s: no datapath flows after traffic", c.name)
		}
		c.node.Dump = func(context.Context) ([]*dpflow.Flow, error) { return flows, nil }
		report, err := c.spec.Backend.Verify(ctx, c.node)
		c.node.Dump = nil
		if err != nil {
			t.Fatal(err)
		}
		if len(report.Flows) != len(flows) {
			t.Fatalf("%s: %d flows dumped, %d in the report", c.name, len(flows), len(report.Flows))
		}
		for _, p := range pods {
			if p.ch != ci {
				continue
			}
			from := report.Select(func(v offload.FlowVerdict) bool { return v.InPort == p.rep })
			if len(from.Flows) == 0 {
				t.Errorf("%s: no flow from %s's representor %s", c.name, p.name, p.rep)
			}
			for _, v := range from.Flows {
				if v.Pod != "default/"+p.name || v.IfaceID != "default_"+p.name || v.State != offload.OVSOnly {
					t.Errorf("%s: flow from %s attributed to pod %q iface-id %q state %s", c.name, p.rep, v.Pod, v.IfaceID, v.State)
				}
			}
		}
		var table strings.Builder
		if err := report.WriteTable(&table); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s report:\n%s", c.name, table.String())
	}

	// A second Apply changes nothing.
	for _, c := range chs {
		plan, err := offload.Plan(ctx, c.node, c.spec)
		if err != nil {
			t.Fatal(err)
		}
		if !plan.Empty() {
			t.Fatalf("%s: second plan is not empty:\n%s", c.name, planText(plan))
		}
	}

	// Deleting a pod leaves no port behind.
	pa := pods[0]
	if _, err := offload.UnplugPod(ctx, chs[0].node, pa.port); err != nil {
		t.Fatal(err)
	}
	if _, err := chs[0].node.DB.Port(ctx, pa.rep); !errors.Is(err, ovsdb.ErrNotFound) {
		t.Fatalf("port %s after UnplugPod: %v", pa.rep, err)
	}
	if ports := chs[0].dpu.Vsctl(t, "list-ports", "br-int"); strings.Contains(ports, pa.rep) {
		t.Fatalf("br-int still lists %s: %s", pa.rep, ports)
	}
}

func planText(p *offload.NodePlan) string {
	var b strings.Builder
	_ = p.WriteText(&b)
	return b.String()
}
