// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/internal/kernellane"
)

// probeChildEnv names the device a re-executed test binary probes in a
// loop until it is stopped (TestKernelProbeKilledMidway).
const probeChildEnv = "OVSOFFLOAD_PROBE_CHILD_DEV"

func kernelIfindex(t testing.TB, name string) int {
	t.Helper()
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return ifi.Index
}

// laneSpec translates a flow from dev to out as OVS 3.1 would (the lane
// runs Debian 12's OVS), matching ct_state when ct is set.
func laneSpec(t testing.TB, dev, out string, ct string) FilterSpec {
	t.Helper()
	line := strings.NewReplacer("pf0vf0", dev, "pf0vf1", out).Replace(edit("ct_state(0/0)", ct))
	f, err := dpflow.Parse(line)
	if err != nil {
		t.Fatal(err)
	}
	tr := (&Translator{Features: OVSFeatures{Version: "3.1.0", CTStateBits: 0x3f, CTStateKnown: true}, Ifindex: func(n string) (int, bool) {
		ifi, err := net.InterfaceByName(n)
		if err != nil {
			return 0, false
		}
		return ifi.Index, true
	}}).Translate(f)
	if !tr.Offloadable || len(tr.Unresolved) > 0 || len(tr.Inexpressible) > 0 {
		t.Fatalf("translation %+v", tr)
	}
	return tr.Spec
}

// probeFilters returns the filters of dev's ingress that carry the probe's
// cookie.
func probeFilters(t testing.TB, c *Client, ifindex int) (probe, all []Filter) {
	t.Helper()
	fs, err := c.Filters(ifindex, ParentIngressQdisc)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if isProbeFilter(f) {
			probe = append(probe, f)
		}
	}
	return probe, fs
}

// TestKernelProbe probes the emulated eswitch: with hw-tc-offload on, the
// driver takes the filter (installed with skip_sw and verbose in the
// highest chain that nothing uses or jumps to, then deleted); with it off,
// the kernel refuses it and its extended ack is returned verbatim; a veth
// has no offload at all. OVS's filter in chain 0 is untouched, nothing of
// the probe is left, and the cost per probe is logged.
func TestKernelProbe(t *testing.T) {
	requireKernelLane(t)
	kernellane.LoadModules(t, "act_ct")
	n := kernellane.NewNetdevsim(t, 61, 2)
	on, off := n.VFReps[0], n.VFReps[1]
	kernellane.Run(t, "ethtool", "-K", on, "hw-tc-offload", "on")
	for _, d := range []string{on, off} {
		kernellane.Run(t, "tc", "qdisc", "add", "dev", d, "ingress")
		kernellane.Run(t, "ip", "link", "set", d, "up")
	}
	// OVS's filter: chain 0 jumps to the probe's first choice.
	kernellane.Run(t, "tc", "filter", "add", "dev", on, "ingress", "chain", "0", "prio", "1", "protocol", "ip",
		"flower", "skip_hw", "action", "goto", "chain", fmt.Sprint(ProbeChainTop))
	c, err := Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := NewProber(c, ProbeConfig{Interval: time.Millisecond})
	ctx := context.Background()

	res, err := p.Probe(ctx, laneSpec(t, on, off, "ct_state(0x22/0x23)"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("hw-tc-offload on: %s -> accepted %v refused %v %q", res.Command, res.Accepted, res.Refused, res.Message)
	if !res.Accepted || res.Spec.Chain != ProbeChainTop-1 {
		t.Errorf("want accepted in chain %d: %+v", ProbeChainTop-1, res)
	}

	res, err = p.Probe(ctx, laneSpec(t, off, on, "ct_state(0x21/0x23)"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("hw-tc-offload off: refused %v errno %v extack %q", res.Refused, res.Errno, res.Message)
	if !res.Refused || res.Message == "" {
		t.Errorf("want a refusal with the kernel's message: %+v", res)
	}

	a := kernellane.AddVethHost(t, "kpv", "10.61.0.1/24")
	vethDev := a.Port
	kernellane.Run(t, "tc", "qdisc", "add", "dev", vethDev, "ingress")
	res, err = p.Probe(ctx, laneSpec(t, vethDev, on, "ct_state(0/0)"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("veth: refused %v errno %v extack %q", res.Refused, res.Errno, res.Message)
	if !res.Refused {
		t.Errorf("a skip_sw filter on a veth was accepted: %+v", res)
	}

	// Cost: 200 probes of each outcome.
	for _, c := range []struct {
		name     string
		dev, out string
	}{{"accepted", on, off}, {"refused", off, on}} {
		spec := laneSpec(t, c.dev, c.out, "ct_state(0/0)")
		start := time.Now()
		var took time.Duration
		const rounds = 200
		for range rounds {
			r, err := p.Probe(ctx, spec)
			if err != nil {
				t.Fatal(err)
			}
			took += r.Took
		}
		t.Logf("probe cost (%s): %v per probe wall time with a 1ms interval, %v from install to delete",
			c.name, time.Since(start)/rounds, took/rounds)
	}

	for _, d := range []string{on, off, vethDev} {
		left, all := probeFilters(t, c, kernelIfindex(t, d))
		if len(left) != 0 {
			t.Errorf("%s: %d probe filters left: %+v", d, len(left), left)
		}
		if d == on && (len(all) != 1 || all[0].Chain != 0) {
			t.Errorf("%s: OVS's filter not intact: %+v", d, all)
		}
	}
	if live := p.Live(); len(live) != 0 {
		t.Errorf("live %v", live)
	}
}

// TestKernelProbeKilledMidway re-executes the test binary as a prober that
// loops on one device, stops it midway with SIGTERM (its context is
// cancelled: the filter in flight is deleted) and finds nothing left; then
// kills one with SIGKILL, which nothing can handle, and a new prober's Sweep
// removes what it left.
func TestKernelProbeKilledMidway(t *testing.T) {
	if dev := os.Getenv(probeChildEnv); dev != "" {
		probeChild(t, dev)
		return
	}
	requireKernelLane(t)
	n := kernellane.NewNetdevsim(t, 62, 2)
	dev, out := n.VFReps[0], n.VFReps[1]
	kernellane.Run(t, "ethtool", "-K", dev, "hw-tc-offload", "on")
	kernellane.Run(t, "tc", "qdisc", "add", "dev", dev, "ingress")
	kernellane.Run(t, "tc", "filter", "add", "dev", dev, "ingress", "prio", "1", "protocol", "ip", "flower", "skip_hw", "action", "drop")
	c, err := Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ifindex := kernelIfindex(t, dev)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKernelProbeKilledMidway$", "-test.v")
		cmd.Env = append(os.Environ(), probeChildEnv+"="+dev+","+out)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		probes := 0
		for sc.Scan() {
			if strings.Contains(sc.Text(), "probing") {
				probes++
			}
			if probes == 50 {
				break
			}
		}
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		go func() {
			for sc.Scan() {
			}
		}()
		err = cmd.Wait()
		t.Logf("%v after %d probes: child exit %v", sig, probes, err)
		left, all := probeFilters(t, c, ifindex)
		switch sig {
		case syscall.SIGTERM:
			if len(left) != 0 {
				t.Errorf("SIGTERM: %d probe filters left", len(left))
			}
		case syscall.SIGKILL:
			t.Logf("SIGKILL: %d probe filters left before the sweep", len(left))
			swept, err := NewProber(c, ProbeConfig{}).Sweep(ifindex, ParentIngressQdisc)
			if err != nil || swept != len(left) {
				t.Errorf("sweep removed %d (%v), %d were left", swept, err, len(left))
			}
			left, all = probeFilters(t, c, ifindex)
			if len(left) != 0 {
				t.Errorf("after the sweep: %d probe filters left", len(left))
			}
		}
		if len(all)-len(left) != 1 {
			t.Errorf("%v: OVS's filter not intact: %+v", sig, all)
		}
	}
}

// probeChild probes in a loop until SIGTERM cancels its context.
func probeChild(t *testing.T, devs string) {
	dev, out, _ := strings.Cut(devs, ",")
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	c, err := Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := NewProber(c, ProbeConfig{Interval: time.Microsecond})
	spec := laneSpec(t, dev, out, "ct_state(0/0)")
	for ctx.Err() == nil {
		if _, err := p.Probe(ctx, spec); err != nil && ctx.Err() == nil {
			t.Fatal(err)
		}
		fmt.Println("probing")
	}
	if live := p.Live(); len(live) != 0 {
		t.Fatalf("stopped with %d filters live", len(live))
	}
}
