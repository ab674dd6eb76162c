// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/kernellane"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
	"github.com/ovsoffload/ovsoffload/offload"
)

// novelMessage is a driver message the project has never seen: the report
// must carry it verbatim, whatever its bytes (UTF-8, quotes, symbols).
const novelMessage = `acme_nic: rule #7 rejected — "eth_type" key needs firmware ≥ 22.39 <see §3.1> & retry`

// tcFilters lists the filters on dev's ingress as tc prints them, without
// the "parent ffff:" that tc adds to its lines once a chain has been created
// and deleted on the block (the probe's) although nothing else changed.
func tcFilters(t *testing.T, dev string) string {
	t.Helper()
	return strings.ReplaceAll(kernellane.Run(t, "tc", "filter", "show", "dev", dev, "ingress"), "filter parent ffff: ", "filter ")
}

// TestKernelProbeCarriesDriverMessage: the emulated driver refuses every
// rule of a pod's representor with a message of the test's choosing; OVS
// keeps the flows in software TC without a word (tc-policy=none), and
// `offload-check --probe --json` carries the message verbatim for each of
// them; the probe leaves nothing behind, in the kernel or the "hardware".
func TestKernelProbeCarriesDriverMessage(t *testing.T) {
	testenv.RequireKernelLane(t)
	kernellane.LoadModules(t, "openvswitch", "cls_flower", "sch_ingress", "act_mirred", "act_gact", "cls_matchall", "veth")
	n := kernellane.NewNetdevsim(t, 43, 1)
	rep := n.VFReps[0]
	kernellane.Run(t, "ethtool", "-K", rep, "hw-tc-offload", "on")
	kernellane.Run(t, "ethtool", "-K", n.Uplink, "hw-tc-offload", "on")
	n.RefuseFlower(t, rep, "any", novelMessage)
	ovs := kernellane.StartOVS(t, kernellane.OVSConfig{HWOffload: true, TCPolicy: "none", MaxIdle: 120 * time.Second})
	t.Setenv("OVS_RUNDIR", ovs.Dir)
	ovs.Vsctl(t, "add-br", "br-int", "--", "add-port", "br-int", n.Uplink, "--", "add-port", "br-int", rep,
		"--", "set", "Interface", rep, "external_ids:iface-id=default_acme", "external_ids:pod-name=acme",
		"external_ids:pod-namespace=default")
	ovs.Ofctl(t, "del-flows", "br-int")
	ovs.Ofctl(t, "add-flow", "br-int", "in_port="+rep+",actions=output:"+n.Uplink)
	vm := kernellane.AttachInjector(t, "kpn0", "10.43.0.1/24", rep, map[string]string{"10.43.0.2": "02:00:00:00:2b:02"})

	base := []string{"--db", "unix:" + ovs.DBSocket(), "--backend", "tc", "--pod", "default/acme"}
	if err := kernellane.Eventually(90*time.Second, 500*time.Millisecond, func() error {
		_, _ = vm.TryExec("ping", "-c", "2", "-i", "0.2", "-W", "1", "10.43.0.2")
		res, _, _ := offloadCheck(t, base...)
		if len(ipv4Flows(res.Report, rep)) == 0 {
			return fmt.Errorf("no IPv4 flow of %s yet", rep)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	before := tcFilters(t, rep)

	// --dry-run lists what it would install and installs nothing.
	_, _, dry := offloadCheck(t, append(base, "--probe", "--dry-run")...)
	if after := tcFilters(t, rep); after != before {
		t.Errorf("--dry-run changed the filters of %s:\nbefore:\n%s\nafter:\n%s", rep, before, after)
	}
	t.Logf("offload-check --probe --dry-run --json:\n%s", dry)

	start := time.Now()
	res, _, out := offloadCheck(t, append(base, "--probe")...)
	took := time.Since(start)
	flows := ipv4Flows(res.Report, rep)
	if len(flows) == 0 {
		t.Fatalf("no IPv4 flow of %s in the probed report:\n%s", rep, out)
	}
	for _, f := range flows {
		if f.State == offload.InHardware {
			t.Errorf("flow %s in hardware although the driver refuses every rule", f.Match)
		}
		found := false
		for _, r := range f.Reasons {
			if r.Code == offload.ReasonDriverRefused && strings.Contains(r.Detail, novelMessage) {
				found = true
			}
		}
		if !found {
			t.Errorf("flow %s: no %s reason carrying %q verbatim: %+v", f.Match, offload.ReasonDriverRefused, novelMessage, f.Reasons)
		}
	}
	t.Logf("offload-check --probe on %d flows of the node took %v", len(res.Report.Flows), took)
	if after := tcFilters(t, rep); after != before {
		t.Errorf("the probe left filters behind on %s:\nbefore:\n%s\nafter:\n%s", rep, before, after)
	}
	if got := n.HWRules(t, rep); got != 0 {
		t.Errorf("the emulated hardware of %s holds %d rules after the probe", rep, got)
	}
}
