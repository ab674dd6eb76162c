// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/internal/kernellane"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// verifyNode connects to a lane OVS and returns the node the backend
// verifies: the database, the eswitch of the guest's root namespace, and
// ovs-appctl pointed at this OVS through OVS_RUNDIR.
func verifyNode(t *testing.T, ovs *kernellane.OVS, withEswitch bool) *offload.Node {
	t.Helper()
	t.Setenv("OVS_RUNDIR", ovs.Dir)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := ovsdb.Dial(ctx, "unix:"+ovs.DBSocket())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	node := &offload.Node{DB: db}
	if withEswitch {
		es, err := eswitch.New(eswitch.Config{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { es.Close() })
		node.Eswitch = es
	}
	return node
}

// ipv4From returns the report's IPv4 flows entering through port.
func ipv4From(r *offload.Report, port string) []offload.FlowVerdict {
	var out []offload.FlowVerdict
	for _, v := range r.Flows {
		if v.InPort == port && strings.Contains(v.Match, "eth_type(0x0800)") {
			out = append(out, v)
		}
	}
	return out
}

func hasReason(v offload.FlowVerdict, code offload.ReasonCode) bool {
	for _, r := range v.Reasons {
		if r.Code == code {
			return true
		}
	}
	return false
}

func reportText(r *offload.Report) string {
	var b strings.Builder
	_ = r.WriteTable(&b)
	return b.String()
}

// TestKernelBackendVerifyVeth runs OVS on veth ports under each tc-policy
// and checks the TC backend's verdicts: software TC with the filter's
// not_in_hw as the reason (none), software TC because of tc-policy=skip_hw,
// and in OVS because the kernel refused the hardware-only filter (skip_sw).
func TestKernelBackendVerifyVeth(t *testing.T) {
	testenv.RequireKernelLane(t)
	kernellane.LoadModules(t, "openvswitch", "cls_flower", "sch_ingress", "act_mirred", "act_gact", "veth")
	a := kernellane.AddVethHost(t, "kba", "10.31.0.1/24")
	b := kernellane.AddVethHost(t, "kbb", "10.31.0.2/24")
	for _, c := range []struct {
		policy string
		state  offload.State
		reason offload.ReasonCode
	}{
		{"none", offload.SoftwareTC, offload.ReasonFilterNotInHW},
		{"skip_hw", offload.SoftwareTC, offload.ReasonTCPolicySkipHW},
		{"skip_sw", offload.OVSOnly, offload.ReasonKernelRefused},
	} {
		t.Run(c.policy, func(t *testing.T) {
			t.Cleanup(func() {
				for _, h := range []*kernellane.Host{a, b} {
					_, _ = kernellane.TryRun("tc", "qdisc", "del", "dev", h.Port, "ingress")
				}
			})
			ovs := kernellane.StartOVS(t, kernellane.OVSConfig{HWOffload: true, TCPolicy: c.policy, MaxIdle: 30 * time.Second})
			ovs.Vsctl(t, "add-br", "kbbr0", "--", "add-port", "kbbr0", a.Port, "--", "add-port", "kbbr0", b.Port)
			node := verifyNode(t, ovs, false)
			backend, err := NewBackend(BackendConfig{TCPolicy: c.policy})
			if err != nil {
				t.Fatal(err)
			}
			var report *offload.Report
			if err := kernellane.Eventually(60*time.Second, 300*time.Millisecond, func() error {
				_, _ = a.TryExec("ping", "-c", "2", "-i", "0.2", "-W", "1", "10.31.0.2")
				report, err = backend.Verify(context.Background(), node)
				if err != nil {
					return err
				}
				if len(ipv4From(report, a.Port)) == 0 {
					return fmt.Errorf("no IPv4 flow from %s yet:\n%s", a.Port, reportText(report))
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			for _, v := range ipv4From(report, a.Port) {
				if v.State != c.state || !v.Verified || !hasReason(v, c.reason) {
					t.Errorf("tc-policy=%s: flow from %s: state %s verified %v reasons %+v; want %s with %s\n%s",
						c.policy, a.Port, v.State, v.Verified, v.Reasons, c.state, c.reason, reportText(report))
				}
				if c.state == offload.SoftwareTC && (v.Evidence == nil || !v.Evidence.NotInHW) {
					t.Errorf("tc-policy=%s: software TC flow without its not_in_hw filter: %+v", c.policy, v.Evidence)
				}
			}
			t.Logf("tc-policy=%s:\n%s", c.policy, reportText(report))
		})
	}
}

// TestKernelBackendVerifyNetdevsim runs OVS on the emulated eswitch's
// representors: with hw-tc-offload on, flows are in hardware (in_hw,
// in_hw_count 1); on the representor where it is off, the report and the
// preflight name it.
func TestKernelBackendVerifyNetdevsim(t *testing.T) {
	testenv.RequireKernelLane(t)
	kernellane.LoadModules(t, "openvswitch", "cls_flower", "sch_ingress", "act_mirred", "act_gact", "cls_matchall", "veth")
	n := kernellane.NewNetdevsim(t, 31, 2)
	rep0, rep1 := n.VFReps[0], n.VFReps[1]
	kernellane.Run(t, "ethtool", "-K", rep0, "hw-tc-offload", "on")
	kernellane.Run(t, "ethtool", "-K", rep1, "hw-tc-offload", "off")
	ovs := kernellane.StartOVS(t, kernellane.OVSConfig{HWOffload: true, TCPolicy: "none", MaxIdle: 30 * time.Second})
	ovs.Vsctl(t, "add-br", "kbbr1", "--", "add-port", "kbbr1", rep0, "--", "add-port", "kbbr1", rep1)
	ovs.Ofctl(t, "del-flows", "kbbr1")
	ovs.Ofctl(t, "add-flow", "kbbr1", "in_port="+rep0+",actions=output:"+rep1)
	ovs.Ofctl(t, "add-flow", "kbbr1", "in_port="+rep1+",actions=output:"+rep0)
	vf0 := kernellane.AttachInjector(t, "kbvf0", "10.32.0.1/24", rep0, map[string]string{"10.32.0.2": "02:00:00:00:20:02"})
	vf1 := kernellane.AttachInjector(t, "kbvf1", "10.32.0.2/24", rep1, map[string]string{"10.32.0.1": "02:00:00:00:20:01"})
	node := verifyNode(t, ovs, true)
	backend, err := NewBackend(BackendConfig{TCPolicy: "none"})
	if err != nil {
		t.Fatal(err)
	}
	var report *offload.Report
	if err := kernellane.Eventually(90*time.Second, 500*time.Millisecond, func() error {
		_, _ = vf0.TryExec("ping", "-c", "2", "-i", "0.2", "-W", "1", "10.32.0.2")
		_, _ = vf1.TryExec("ping", "-c", "2", "-i", "0.2", "-W", "1", "10.32.0.1")
		report, err = backend.Verify(context.Background(), node)
		if err != nil {
			return err
		}
		if len(ipv4From(report, rep0)) == 0 || len(ipv4From(report, rep1)) == 0 {
			return fmt.Errorf("want IPv4 flows from %s and %s:\n%s", rep0, rep1, reportText(report))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("netdevsim:\n%s", reportText(report))
	for _, v := range ipv4From(report, rep0) {
		if v.State != offload.InHardware || !v.Verified || v.Evidence == nil || v.Evidence.InHWCount != 1 || v.Representor != rep0 {
			t.Errorf("flow from %s (hw-tc-offload on): %s verified=%v evidence=%+v representor=%q", rep0, v.State, v.Verified, v.Evidence, v.Representor)
		}
	}
	for _, v := range ipv4From(report, rep1) {
		if v.State == offload.InHardware || !hasReason(v, offload.ReasonHWTCOffloadOff) {
			t.Errorf("flow from %s (hw-tc-offload off): %s reasons %+v; want it out of hardware with %s",
				rep1, v.State, v.Reasons, offload.ReasonHWTCOffloadOff)
		}
	}
	var portNamed bool
	for _, p := range report.Ports {
		if p.Port == rep1 {
			for _, r := range p.Reasons {
				portNamed = portNamed || r.Code == offload.ReasonHWTCOffloadOff
			}
		}
	}
	if !portNamed {
		t.Errorf("the port summary of %s does not name hw-tc-offload off: %+v", rep1, report.Ports)
	}
	checks, err := backend.Preflight(context.Background(), node)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		t.Logf("preflight %s: %s %s", c.Name, c.Status, c.Detail)
		if c.Name == "hw-tc-offload" && (c.Status != offload.CheckFail || !strings.Contains(c.Detail, rep1)) {
			t.Errorf("preflight hw-tc-offload: %+v; want a failure naming %s", c, rep1)
		}
		if strings.HasPrefix(c.Name, "eswitch-mode") && c.Status != offload.CheckPass {
			t.Errorf("preflight %s: %+v", c.Name, c)
		}
	}
}
