// SPDX-License-Identifier: Apache-2.0

// Command demo is the project's main job, run by `make demo`: the seed
// guide's DPU setup on an emulated BlueField, with real Open vSwitch and OVN
// daemons, on this machine.
//
// As root it builds a sandbox of network namespaces: OVN central, an
// underlay network with the gateway 10.1.65.1, and one DPU as it boots (the
// factory bridges ovsbr1 and ovsbr2, uplink p0, host PF representor pf0hpf,
// the SF en3f0pf0sf0 holding 10.1.65.155/24 and the default route). It runs
// dpu-setup on the DPU, starts ovn-controller, plugs two pods behind the
// representors pf0vf0 and pf0vf1 with the library, sends traffic between
// them, and runs offload-check, which prints the verdict table. Then it
// tears everything down and checks nothing is left.
//
// Then, as root with QEMU installed, it runs the guide's last step on an
// emulated switchdev NIC: it boots the kernel lane (scripts/kernel-lane under
// --repo: Debian's kernel under QEMU, netdevsim patched to take flower rules)
// and prints offload-check's table for four pods there, printing progress
// while the lane builds and boots. DEMO_LANE=0 (or --lane=false) skips it.
//
// Without root (or without the daemons) it runs the same dpu-setup and
// pod plugging against the in-process OVSDB server, verifies a recorded
// dump, and says what it skipped.
//
// Usage: demo [--bin DIR] [--record FILE] [--in-process] [--lane=false] [--repo DIR]   (DIR holds the dpu-setup and offload-check binaries; default bin)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("bin", "bin", "`directory` holding the dpu-setup and offload-check binaries")
	inProcess := fs.Bool("in-process", false, "run the in-process variant even as root")
	record := fs.String("record", "", "write the DPU's dpctl/dump-flows -m --names after the traffic to `file` (how testdata/dpu-1-dpctl-m.txt was made)")
	lane := fs.Bool("lane", os.Getenv("DEMO_LANE") != "0", "after the sandbox, run the guide's last step on the emulated switchdev NIC of the kernel lane (QEMU); DEMO_LANE=0 turns it off")
	repo := fs.String("repo", ".", "`directory` of the repository, whose scripts/kernel-lane the lane act runs")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	d := &demo{out: stdout, bin: *bin, record: *record, sb: &sandbox{log: stderr}}
	code := d.sandboxAct(*inProcess)
	if !*inProcess && code == 0 && !d.laneAct(*lane, *repo) {
		code = 1
	}
	return code
}

// sandboxAct runs the seed guide on the emulated BlueField (or the
// in-process variant), tears everything down and checks for leftovers.
func (d *demo) sandboxAct(inProcess bool) (code int) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(stop); !ok {
				panic(r)
			}
			code = 1
		}
		d.sb.teardown()
		if d.full {
			d.checkLeftovers()
		}
		if d.sb.failed {
			code = 1
		}
	}()
	if !inProcess && os.Geteuid() == 0 && daemonsInstalled() {
		d.full = true
		d.fullSandbox()
	} else {
		d.inProcess()
	}
	return 0
}

// daemonsInstalled reports whether the OVS and OVN programs the sandbox
// runs are on PATH.
func daemonsInstalled() bool {
	for _, p := range []string{"ovsdb-server", "ovs-vswitchd", "ovn-northd", "ovn-controller", "ip", "ethtool"} {
		if _, err := exec.LookPath(p); err != nil {
			return false
		}
	}
	return true
}

type demo struct {
	out    io.Writer
	bin    string
	record string
	sb     *sandbox
	full   bool
}

func (d *demo) step(format string, args ...any) {
	fmt.Fprintf(d.out, "\n== "+format+"\n", args...)
}

// tool runs one of the project's example binaries and prints its output.
// It returns the exit status; a binary that cannot start stops the demo.
func (d *demo) tool(name string, args ...string) int {
	path := filepath.Join(d.bin, name)
	fmt.Fprintf(d.out, "$ %s %s\n", name, strings.Join(args, " "))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := cmdexec.Exec{}.Run(ctx, append([]string{path}, args...)...)
	fmt.Fprint(d.out, indent(string(out)))
	if err == nil {
		return 0
	}
	if ee, ok := err.(*cmdexec.ExitError); ok && ee.Code > 0 {
		if ee.Stderr != "" {
			fmt.Fprint(d.out, indent(ee.Stderr+"\n"))
		}
		return ee.Code
	}
	d.sb.Fatalf("%s: %v (build the examples first: go build -o %s/ ./examples/...)", name, err, d.bin)
	return -1
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ") + "\n"
}

func (d *demo) fullSandbox() {
	t := d.sb
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	d.step("1. OVN central (NB, SB, ovn-northd) and an underlay network with gateway 10.1.65.1")
	central := ovstest.StartOVNCentral(t)
	under := ovstest.NewUnderlay(t, "10.1.65.1/24")
	central.NBctl(t, "ls-add", "ls1")
	pods := []struct{ name, rep, ip, mac string }{
		{"testpod1", "pf0vf0", "10.244.1.10", "0a:58:0a:f4:01:0a"},
		{"testpod2", "pf0vf1", "10.244.1.11", "0a:58:0a:f4:01:0b"},
	}
	for _, p := range pods {
		lsp := "default_" + p.name
		central.NBctl(t, "lsp-add", "ls1", lsp, "--", "lsp-set-addresses", lsp, p.mac+" "+p.ip)
	}

	d.step("2. a BlueField DPU as it boots (emulated: veths in a network namespace, userspace datapath)")
	dpu := ovstest.StartDPU(t, under)
	fmt.Fprint(d.out, indent(dpu.Vsctl(t, "show")))
	fmt.Fprint(d.out, indent(dpu.Exec(t, "ip", "-br", "addr", "show", "dev", "en3f0pf0sf0")))

	d.step("3. dpu-setup: the guide's DPU steps, first as a dry run, then for real, then once more")
	setup := []string{"--db", dpu.DB.Endpoint(), "--netns", dpu.Netns, "--bridge", "brp0", "--uplink", "p0",
		"--host-pf", "pf0hpf", "--move-ip-from", "en3f0pf0sf0", "--gateway", "10.1.65.1",
		"--encap-ip", "10.1.65.155", "--host-node", "host-worker-1", "--system-id", "dpu-1",
		"--ovn-remote", central.SB.Endpoint(), "--offload", "none", "--datapath", "netdev"}
	d.tool("dpu-setup", append(setup, "--dry-run")...)
	if d.tool("dpu-setup", setup...) != 0 {
		t.Fatalf("dpu-setup failed")
	}
	d.tool("dpu-setup", setup...)
	fmt.Fprint(d.out, indent(dpu.Vsctl(t, "show")))
	fmt.Fprint(d.out, indent(dpu.Exec(t, "ip", "-br", "addr", "show", "dev", "brp0")))
	fmt.Fprint(d.out, indent(dpu.Exec(t, "ip", "route", "show", "default")))
	dpu.Ping(t, "10.1.65.1", 20*time.Second)

	d.step("4. ovn-controller, and two pods plugged by the library (offload.PlugPod waits for ovn-installed)")
	dpu.StartOVNController(t)
	db, err := ovsdb.Dial(ctx, dpu.DB.Endpoint())
	if err != nil {
		t.Fatalf("%v", err)
	}
	defer db.Close()
	node := &offload.Node{DB: db, Target: dpu.Ctl}
	backend := offload.None{Datapath: ovsdb.DatapathNetdev}
	var hosts []*ovstest.Host
	for _, p := range pods {
		hosts = append(hosts, dpu.AddPod(t, p.rep, p.ip+"/24", p.mac, ""))
		mac, _ := net.ParseMAC(p.mac)
		start := time.Now()
		if _, err := offload.PlugPod(ctx, node, offload.PodPort{Backend: backend, IfaceID: "default_" + p.name,
			PodUID: "uid-" + p.name, PodName: p.name, PodNamespace: "default", MAC: mac, Representor: p.rep}); err != nil {
			t.Fatalf("PlugPod %s: %v", p.name, err)
		}
		fmt.Fprintf(d.out, "    %s on %s: ovn-installed after %v\n", p.name, p.rep, time.Since(start).Round(time.Millisecond))
	}

	d.step("5. traffic: %s pings %s", pods[0].name, pods[1].name)
	hosts[0].Ping(t, pods[1].ip, 20*time.Second)
	fmt.Fprint(d.out, indent(hosts[0].Exec(t, "ping", "-c", "3", "-i", "0.2", pods[1].ip)))
	if d.record != "" {
		if err := os.WriteFile(d.record, []byte(dpu.Appctl(t, "dpctl/dump-flows", "-m", "--names")+"\n"), 0o644); err != nil {
			t.Fatalf("%v", err)
		}
	}

	d.step("6. offload-check --pod testpod1: the guide's final check, flow by flow")
	code := d.tool("offload-check", "--db", dpu.DB.Endpoint(), "--target", dpu.Ctl, "--pod", "default/testpod1",
		"--backend", "none", "--eswitch=false")
	fmt.Fprintf(d.out, "offload-check exit status %d: ", code)
	switch code {
	case 0:
		fmt.Fprintln(d.out, "every flow of the pod is in hardware")
	case 1:
		fmt.Fprintln(d.out, "flows stay in OVS, as expected here: the userspace datapath with hw-offload off offloads nothing, and the table says why for each flow")
	default:
		t.Errorf("offload-check failed")
	}

	d.step("7. teardown")
}

// checkLeftovers proves the teardown removed every process, namespace
// and link the sandbox created.
func (d *demo) checkLeftovers() {
	left, err := ovstest.Leftovers()
	switch {
	case err != nil:
		fmt.Fprintf(d.out, "could not check for leftovers: %v\n", err)
		d.sb.failed = true
	case len(left) > 0:
		fmt.Fprintf(d.out, "left behind: %s\n", strings.Join(left, ", "))
		d.sb.failed = true
	default:
		fmt.Fprintln(d.out, "nothing left behind: every daemon stopped, every namespace and link deleted")
	}
}
