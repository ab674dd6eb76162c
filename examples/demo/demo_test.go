// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// binDir holds dpu-setup and offload-check, built once for all tests.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "demo-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	_, err = cmdexec.Exec{}.Run(ctx, "go", "build", "-o", dir+"/", "../dpu-setup", "../offload-check")
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "building the example binaries:", err)
		os.Exit(2)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestDemoInProcess(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run([]string{"--bin", binDir, "--in-process"}, &out, &errs); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errs.String())
	}
	for _, want := range []string{
		"Skipped: ovsdb-server",
		"ensure-bridge brp0",           // dry run plan
		"no changes: the node matches", // second run
		"pf0vf0 on br-int",             // PlugPod
		"userspace-datapath",           // the reason the verdict gives
		"offload-check exit status 1",  // not in hardware
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestIntegrationDemo(t *testing.T) {
	testenv.RequireOVN(t)
	t.Setenv("DEMO_LANE", "0") // the lane act boots a VM: the kernel lane runs its scenario itself
	var out, errs bytes.Buffer
	record := filepath.Join(t.TempDir(), "dump.txt")
	if code := run([]string{"--bin", binDir, "--record", record}, &out, &errs); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errs.String())
	}
	for _, want := range []string{
		"Bridge ovsbr1",                     // the DPU as it boots
		"move-addresses en3f0pf0sf0→brp0",   // dpu-setup's plan
		"default via 10.1.65.1 dev brp0",    // the route moved
		"testpod1 on pf0vf0: ovn-installed", // PlugPod
		"3 received",                        // traffic
		"in_port(pf0vf0)",                   // offload-check's selection
		"offload-check exit status 1",       // userspace datapath: not in hardware
		"nothing left behind",               // teardown
		"skipped: DEMO_LANE=0",              // the lane act, turned off
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if b, err := os.ReadFile(record); err != nil || !bytes.Contains(b, []byte("in_port(pf0vf0)")) {
		t.Errorf("recorded dump: %v\n%s", err, b)
	}
}

func TestDemoHelpExitsZero(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run([]string{"--help"}, &out, &errs); code != 0 || !strings.Contains(errs.String(), "-in-process") {
		t.Fatalf("--help: exit %d, usage %q", code, errs.String())
	}
}

func TestLaneProgress(t *testing.T) {
	for in, want := range map[string]string{
		"kernel-lane: step netdevsim: 1.1 s":                                      "kernel-lane: step netdevsim: 1.1 s",
		"\x1bc\x1b[?7l\x1b[2Jkernel-lane guest [7.49]: up, kernel 6.1.0-57-amd64": "kernel-lane guest [7.49]: up, kernel 6.1.0-57-amd64",
		"SeaBIOS (version 1.16.2-debian-1.16.2-1)":                                "",
		"Booting from ROM...":                                                     "",
		"kernel-lane guest [9.1]: bell\x07 and \x7fdel":                           "kernel-lane guest [9.1]: bell and del",
	} {
		if got := laneProgress(in); got != want {
			t.Errorf("laneProgress(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLaneSkip(t *testing.T) {
	if why := laneSkip(false, "../..", true); !strings.Contains(why, "DEMO_LANE=0") {
		t.Errorf("disabled: %q", why)
	}
	if why := laneSkip(true, "../..", false); !strings.Contains(why, "not root") {
		t.Errorf("not root: %q", why)
	}
	if why := laneSkip(true, t.TempDir(), true); !strings.Contains(why, "no kernel lane in") {
		t.Errorf("no repository: %q", why)
	}
}
