package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/kernellane"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
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
	t.Setenv("OVS_RUNDIR", ovs.Dir) // offload-check's ovs-appctl finds this ovs-vswitchd
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
