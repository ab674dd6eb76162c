// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
)

// The lane act: the guide's last step, offload-check, on an emulated
// switchdev NIC inside the kernel lane (Debian's kernel under QEMU, netdevsim
// with the project's patch). The lane runs one scenario test,
// TestKernelWhyNotInHardware of examples/offload-check, which writes
// offload-check's output to the results share; the demo prints it.
const (
	laneScenario   = "^TestKernelWhyNotInHardware$"
	lanePackage    = "./examples/offload-check"
	laneTranscript = "demo-act.txt"
	// guestResults is where the guest mounts the run's results directory.
	guestResults = "/run/kernel-lane-results"
	laneTimeout  = 30 * time.Minute
	heartbeat    = 15 * time.Second
)

// laneSkip says why the lane act cannot run here, or "" when it can.
func laneSkip(enabled bool, repo string, root bool) string {
	switch {
	case !enabled:
		return "DEMO_LANE=0 (or --lane=false)"
	case !root:
		return "not root: the kernel lane builds and installs what it needs as root"
	}
	if _, err := os.Stat(filepath.Join(repo, "scripts", "kernel-lane", "lane.sh")); err != nil {
		return fmt.Sprintf("no kernel lane in %s (run make demo from the repository, or give --repo)", repo)
	}
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		return "QEMU is not installed (make demo's deps install qemu-system-x86)"
	}
	return ""
}

// laneProgress turns the lane's output into the demo's progress lines: the
// host's steps and the guest's, without the console's escape sequences and
// firmware noise. It returns "" for a line to leave out.
func laneProgress(line string) string {
	if i := strings.Index(line, "kernel-lane"); i >= 0 {
		line = line[i:] // the console prefixes escape sequences to the first guest line
	} else {
		return ""
	}
	var b strings.Builder
	for _, r := range line {
		if r >= 0x20 && r != 0x7f && r != 0x9b {
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// laneAct runs the act and reports whether it passed (a skipped act passes).
func (d *demo) laneAct(enabled bool, repo string) bool {
	d.step("8. the guide's last step on an emulated switchdev NIC (kernel lane: Debian's kernel in QEMU, patched netdevsim)")
	if why := laneSkip(enabled, repo, os.Geteuid() == 0); why != "" {
		fmt.Fprintf(d.out, "    skipped: %s\n", why)
		return true
	}
	repo, err := filepath.Abs(repo)
	if err != nil {
		fmt.Fprintf(d.out, "    %v\n", err)
		return false
	}
	runDir, err := os.MkdirTemp("", "ovsoffload-demo-lane-")
	if err != nil {
		fmt.Fprintf(d.out, "    %v\n", err)
		return false
	}
	defer os.RemoveAll(runDir)
	env := []string{
		"KERNEL_LANE_RUN_DIR=" + runDir,
		"KERNEL_LANE_PKGS=" + lanePackage,
		"KERNEL_LANE_TEST_RUN=" + laneScenario,
		"KERNEL_LANE_GUEST_ENV=OVSOFFLOAD_DEMO_TRANSCRIPT=" + guestResults + "/" + laneTranscript,
	}
	if os.Getenv("KERNEL_LANE_CACHE") == "" {
		env = append(env, "KERNEL_LANE_CACHE="+filepath.Join(repo, ".cache", "kernel-lane"))
	}
	fmt.Fprintln(d.out, "    pods on the emulated eswitch (OVS hw-offload=true, tc-policy=none):")
	fmt.Fprintln(d.out, "      testpod1 pf0vf0: in hardware (its hardware counters are set by the test)")
	fmt.Fprintln(d.out, "      testpod2 pf0vf1: hw-tc-offload off")
	fmt.Fprintln(d.out, "      testpod3 pf0vf2: a conntrack flow (ct_state +new); the emulated driver refuses it, as mlx5 does")
	fmt.Fprintln(d.out, "      testpod4 pf0vf3: in hardware, but its packets enter through software TC")
	fmt.Fprintln(d.out, "      testpod5 pf0vf4: an OVN-style conntrack pipeline (ct, recirc), which OVS keeps out of TC on this kernel")
	fmt.Fprintln(d.out, "    building and booting the lane (a cold cache downloads the kernel and builds netdevsim: minutes)")

	ctx, cancel := context.WithTimeout(context.Background(), laneTimeout)
	defer cancel()
	ctx, stopSignals := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	err = runWithHeartbeat(ctx, d.out, env, filepath.Join(repo, "scripts", "kernel-lane", "lane.sh"))
	b, rerr := os.ReadFile(filepath.Join(runDir, "results", laneTranscript))
	if rerr == nil {
		fmt.Fprintln(d.out, "    inside the guest:")
		fmt.Fprint(d.out, indent(indent(string(b))))
	}
	if err != nil {
		fmt.Fprintf(d.out, "    the kernel lane failed: %v\n", err)
		return false
	}
	if rerr != nil {
		fmt.Fprintf(d.out, "    the lane passed but left no transcript: %v\n", rerr)
		return false
	}
	fmt.Fprintln(d.out, "    What this proves: OVS, the kernel and the driver callback agree flow by flow (in_hw, not_in_hw,")
	fmt.Fprintln(d.out, "    hw-tc-offload off, a rule the driver refused) and the report reads it from the kernel itself.")
	fmt.Fprintln(d.out, "    What it does not: the emulated eswitch refuses only what the test tells it to (and ct_state +new),")
	fmt.Fprintln(d.out, "    and its hardware counters are numbers the test set; no silicon matched a packet.")
	return true
}

// runWithHeartbeat runs the lane script and prints its progress lines, and a
// line every heartbeat while it is silent (builds and boots take a while).
func runWithHeartbeat(ctx context.Context, out io.Writer, env []string, script string) error {
	var mu sync.Mutex
	last := time.Now()
	start := last
	phase := "starting"
	done := make(chan struct{})
	defer close(done)
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				mu.Lock()
				if time.Since(last) >= heartbeat {
					fmt.Fprintf(out, "      ... %ds (last: %s)\n", int(time.Since(start).Seconds()), phase)
					last = time.Now()
				}
				mu.Unlock()
			}
		}
	}()
	err := cmdexec.Exec{Env: env}.RunLines(ctx, func(line string) {
		p := laneProgress(line)
		if p == "" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(out, "      %s\n", p)
		last = time.Now()
		phase = p
		if i := strings.Index(p, ": "); i >= 0 { // "kernel-lane guest [13.13]: running x" -> "running x"
			phase = p[i+2:]
		}
	}, script)
	if err != nil && ctx.Err() != nil {
		return errors.Join(ctx.Err(), err)
	}
	return err
}
