// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/kernellane"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/tc"
)

// TestKernelOffloadCheckInHardware runs offload-check, as a user would, on
// a pod whose representor belongs to the emulated eswitch (netdevsim) with
// hw-tc-offload on: every flow of the pod is in hardware and it exits 0.
func TestKernelOffloadCheckInHardware(t *testing.T) {
	testenv.RequireKernelLane(t)
	kernellane.LoadModules(t, "openvswitch", "cls_flower", "sch_ingress", "act_mirred", "act_gact", "cls_matchall", "veth")
	n := kernellane.NewNetdevsim(t, 41, 2)
	rep0, rep1 := n.VFReps[0], n.VFReps[1]
	for _, r := range []string{rep0, rep1} {
		kernellane.Run(t, "ethtool", "-K", r, "hw-tc-offload", "on")
	}
	ovs := kernellane.StartOVS(t, kernellane.OVSConfig{HWOffload: true, TCPolicy: "none", MaxIdle: 30 * time.Second})
	t.Setenv("OVS_RUNDIR", ovs.Dir) // offload-check finds this ovs-vswitchd's control socket from its pid file here
	ovs.Vsctl(t, "add-br", "kcbr", "--", "add-port", "kcbr", rep0, "--", "add-port", "kcbr", rep1,
		"--", "set", "Interface", rep0, "external_ids:iface-id=default_kpod", "external_ids:pod-name=kpod",
		"external_ids:pod-namespace=default")
	ovs.Ofctl(t, "del-flows", "kcbr")
	ovs.Ofctl(t, "add-flow", "kcbr", "in_port="+rep0+",actions=output:"+rep1)
	vf0 := kernellane.AttachInjector(t, "kcvf0", "10.41.0.1/24", rep0, map[string]string{"10.41.0.2": "02:00:00:00:29:02"})

	args := []string{"--db", "unix:" + ovs.DBSocket(), "--pod", "default/kpod", "--backend", "tc"}
	var out, errs bytes.Buffer
	if err := kernellane.Eventually(90*time.Second, 500*time.Millisecond, func() error {
		_, _ = vf0.TryExec("ping", "-c", "2", "-i", "0.2", "-W", "1", "10.41.0.2")
		out.Reset()
		errs.Reset()
		if code := run(args, &out, &errs); code != exitInHardware {
			return fmt.Errorf("offload-check exit %d\n%s%s", code, out.String(), errs.String())
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("offload-check %s:\n%s", strings.Join(args, " "), out.String())
	for _, want := range []string{"in-hardware", "in_port(" + rep0 + ")", "default/kpod"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// TestKernelOffloadCheckProbe runs offload-check --probe --json as a user
// would, with OVS (hw-offload=true, tc-policy=none) on two representors of
// the emulated eswitch: one with hw-tc-offload on, whose flow is in
// hardware, one with it off, whose flow OVS put into software TC. For that
// flow the probe installs the filter OVS installed, with skip_sw and
// verbose, and the report carries the kernel's refusal verbatim; the dry
// run lists the filter; nothing of the probe is left on the device.
func TestKernelOffloadCheckProbe(t *testing.T) {
	testenv.RequireKernelLane(t)
	kernellane.LoadModules(t, "openvswitch", "cls_flower", "sch_ingress", "act_mirred", "act_gact", "cls_matchall", "veth")
	n := kernellane.NewNetdevsim(t, 43, 2)
	on, off := n.VFReps[0], n.VFReps[1]
	kernellane.Run(t, "ethtool", "-K", on, "hw-tc-offload", "on")
	ovs := kernellane.StartOVS(t, kernellane.OVSConfig{HWOffload: true, TCPolicy: "none", MaxIdle: 30 * time.Second})
	t.Setenv("OVS_RUNDIR", ovs.Dir)
	ovs.Vsctl(t, "add-br", "kpbr", "--", "add-port", "kpbr", on, "--", "add-port", "kpbr", off,
		"--", "set", "Interface", off, "external_ids:iface-id=default_kpoff", "external_ids:pod-name=kpoff",
		"external_ids:pod-namespace=default")
	ovs.Ofctl(t, "del-flows", "kpbr")
	ovs.Ofctl(t, "add-flow", "kpbr", "in_port="+off+",ip,actions=output:"+on)
	ovs.Ofctl(t, "add-flow", "kpbr", "in_port="+on+",ip,actions=output:"+off)
	vfOff := kernellane.AttachInjector(t, "kpvf1", "10.43.0.2/24", off, map[string]string{"10.43.0.1": "02:00:00:00:2b:01"})

	const extack = "TC offload is disabled on net device" // the kernel's, for a port with hw-tc-offload off
	args := []string{"--db", "unix:" + ovs.DBSocket(), "--pod", "default/kpoff", "--backend", "tc", "--probe", "--json"}
	var res result
	var out, errs bytes.Buffer
	if err := kernellane.Eventually(90*time.Second, 500*time.Millisecond, func() error {
		_, _ = vfOff.TryExec("ping", "-c", "2", "-i", "0.2", "-W", "1", "10.43.0.1")
		out.Reset()
		errs.Reset()
		if code := run(args, &out, &errs); code != exitNotAll {
			return fmt.Errorf("offload-check exit %d\n%s%s", code, out.String(), errs.String())
		}
		res = result{}
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			return err
		}
		for _, f := range res.Report.Flows {
			for _, r := range f.Reasons {
				if f.InPort == off && r.Code == offload.ReasonDriverRefused && r.Detail == extack {
					return nil
				}
			}
		}
		return fmt.Errorf("no flow from %s with the driver's refusal:\n%s", off, out.String())
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("offload-check %s:\n%s", strings.Join(args, " "), out.String())

	c, err := tc.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ifi, err := net.InterfaceByName(off)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := c.Filters(ifi.Index, tc.ParentIngressQdisc)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Chain >= tc.ProbeChainTop-4096 {
			t.Errorf("a probe filter is left on %s: %+v", off, f.FilterID)
		}
	}

	out.Reset()
	errs.Reset()
	run([]string{"--db", "unix:" + ovs.DBSocket(), "--pod", "default/kpoff", "--backend", "tc", "--probe", "--dry-run"}, &out, &errs)
	t.Logf("dry run:\n%s", out.String())
	if !strings.Contains(out.String(), fmt.Sprintf("dry run: would install: tc filter add dev if%d ingress chain %d prio 1", ifi.Index, tc.ProbeChainTop)) {
		t.Errorf("dry run output lacks the filter:\n%s%s", out.String(), errs.String())
	}
}
