// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// recordedDump is `ovs-appctl dpctl/dump-flows -m --names` taken on the
// DPU of a full (root) run of this demo after testpod1 pinged testpod2.
//
//go:embed testdata/dpu-1-dpctl-m.txt
var recordedDump []byte

// inProcess runs what can run without root or daemons: dpu-setup and pod
// plugging against the in-process OVSDB server, and offload-check on a
// recorded dump.
func (d *demo) inProcess() {
	t := d.sb
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	why := "not running as root"
	if os.Geteuid() == 0 && daemonsInstalled() {
		why = "--in-process was given"
	} else if os.Geteuid() == 0 {
		why = "the OVS/OVN daemons are not installed (make demo installs them as root)"
	}
	fmt.Fprintf(d.out, "Running without real daemons: %s.\n", why)
	fmt.Fprintln(d.out, "Skipped: ovsdb-server, ovs-vswitchd, OVN, the network namespaces, the address and route move, traffic.")

	d.step("1. an in-process OVSDB server holding a DPU's factory bridges")
	// libovsdb's in-process server logs through the standard logger each time
	// it notifies a monitoring client that has exited (here dpu-setup and
	// offload-check); that is expected, so those lines are dropped.
	log.SetOutput(io.Discard)
	defer log.SetOutput(os.Stderr)
	ep := ovstest.StartInProcessDB(t)
	db, err := ovsdb.Dial(ctx, ep)
	if err != nil {
		t.Fatalf("%v", err)
	}
	defer db.Close()
	for br, ports := range map[string][]string{"ovsbr1": {"p0", "pf0hpf", "pf0sf0"}, "ovsbr2": nil} {
		if _, err := db.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: br}); err != nil {
			t.Fatalf("%v", err)
		}
		for _, p := range ports {
			if _, err := db.EnsurePort(ctx, ovsdb.PortSpec{Bridge: br, Name: p}); err != nil {
				t.Fatalf("%v", err)
			}
		}
	}

	d.step("2. dpu-setup (without the address move, which needs the DPU's links)")
	setup := []string{"--db", ep, "--bridge", "brp0", "--uplink", "p0", "--host-pf", "pf0hpf",
		"--gateway", "10.1.65.1", "--encap-ip", "10.1.65.155", "--host-node", "host-worker-1", "--system-id", "dpu-1",
		"--offload", "none", "--datapath", "netdev"}
	d.tool("dpu-setup", append(setup, "--dry-run")...)
	if d.tool("dpu-setup", setup...) != 0 {
		t.Fatalf("dpu-setup failed")
	}
	d.tool("dpu-setup", setup...)

	d.step("3. testpod1 plugged by the library (no ovn-controller here, so no wait for ovn-installed)")
	mac, _ := net.ParseMAC("0a:58:0a:f4:01:0a")
	node := &offload.Node{DB: db}
	if _, err := offload.PlugPod(ctx, node, offload.PodPort{Backend: offload.None{Datapath: ovsdb.DatapathNetdev},
		IfaceID: "default_testpod1", PodUID: "uid-testpod1", PodName: "testpod1", PodNamespace: "default",
		MAC: mac, Representor: "pf0vf0", NoWait: true}); err != nil {
		t.Fatalf("PlugPod: %v", err)
	}
	p, err := db.Port(ctx, "pf0vf0")
	if err != nil {
		t.Fatalf("%v", err)
	}
	fmt.Fprintf(d.out, "    pf0vf0 on %s: external_ids %v\n", p.Bridge, p.ExternalIDs)

	d.step("4. offload-check --pod testpod1 on a dump recorded from a real run of this demo")
	dump := filepath.Join(t.TempDir(), "dpctl-m.txt")
	if err := os.WriteFile(dump, recordedDump, 0o644); err != nil {
		t.Fatalf("%v", err)
	}
	code := d.tool("offload-check", "--db", ep, "--from-file", dump, "--pod", "default/testpod1",
		"--backend", "none", "--eswitch=false")
	if code > 1 {
		t.Errorf("offload-check failed")
	}
	fmt.Fprintf(d.out, "offload-check exit status %d. Run `make demo` as root for the real sandbox.\n", code)
}
