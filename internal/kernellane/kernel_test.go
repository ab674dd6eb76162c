// SPDX-License-Identifier: Apache-2.0

package kernellane

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// These tests run inside the kernel lane's guest (make kernel-lane) and skip
// on the host. They prove the harness: the modules load, OVS offloads to TC
// on the kernel datapath, and the patched netdevsim reports in_hw.

func TestKernelModules(t *testing.T) {
	testenv.RequireKernelLane(t)
	mods := []string{"openvswitch", "cls_flower", "act_mirred", "act_gact", "sch_ingress", "veth", "netdevsim"}
	LoadModules(t, mods...)
	for _, m := range mods {
		if !ModuleLoaded(m) {
			t.Errorf("module %s: modprobe succeeded but /sys/module/%s is missing", m, m)
		}
	}
	// openvswitch depends on crc32c through libcrc32c; kmod's modprobe loads it.
	if !ModuleLoaded("libcrc32c") {
		t.Errorf("libcrc32c not loaded alongside openvswitch")
	}
}

// tcPolicyCase is what one tc-policy must produce on a veth bridge, where the
// kernel has no hardware to offload to.
type tcPolicyCase struct {
	policy     string
	dp         string   // datapath layer of the flows: dp:tc or dp:ovs
	filterHas  []string // words every flower filter on the ports shows
	noFilters  bool     // the kernel refused every filter: none on the ports
	filterLack []string // words no filter may show
}

func TestKernelOVSTCOffload(t *testing.T) {
	testenv.RequireKernelLane(t)
	LoadModules(t, "openvswitch", "cls_flower", "sch_ingress", "act_mirred", "act_gact", "veth")
	cases := []tcPolicyCase{
		{policy: "none", dp: "dp:tc", filterHas: []string{"not_in_hw"}, filterLack: []string{"skip_hw", "in_hw_count"}},
		{policy: "skip_hw", dp: "dp:tc", filterHas: []string{"skip_hw", "not_in_hw"}, filterLack: []string{"in_hw_count"}},
		// veth has no hardware: the kernel refuses skip_sw, OVS keeps the flow in its own datapath.
		{policy: "skip_sw", dp: "dp:ovs", noFilters: true},
	}
	// The two hosts outlive the subtests; each subtest runs its own OVS.
	a := AddVethHost(t, "kla", "10.11.0.1/24")
	b := AddVethHost(t, "klb", "10.11.0.2/24")
	for _, c := range cases {
		t.Run(c.policy, func(t *testing.T) { testTCPolicy(t, c, a, b) })
	}
}

func testTCPolicy(t *testing.T, c tcPolicyCase, a, b *Host) {
	start := time.Now()
	t.Cleanup(func() {
		// no filter of this policy may leak into the next subtest's checks
		for _, h := range []*Host{a, b} {
			_, _ = TryRun("tc", "qdisc", "del", "dev", h.Port, "ingress")
		}
		t.Logf("%.1fs: cleaned up", time.Since(start).Seconds())
	})
	ovs := StartOVS(t, OVSConfig{HWOffload: true, TCPolicy: c.policy, MaxIdle: 30 * time.Second})
	t.Logf("%.1fs: OVS up", time.Since(start).Seconds())
	ovs.Vsctl(t, "add-br", "klbr0", "--", "add-port", "klbr0", a.Port, "--", "add-port", "klbr0", b.Port)
	t.Logf("%.1fs: bridge up", time.Since(start).Seconds())

	if err := Eventually(60*time.Second, 200*time.Millisecond, func() error {
		_, err := a.TryExec("ping", "-c", "1", "-W", "1", "10.11.0.2")
		return err
	}); err != nil {
		t.Fatalf("ping through the OVS bridge (tc-policy=%s): %v\n%s", c.policy, err, ovs.LogTail(30))
	}
	t.Logf("%.1fs: first ping answered", time.Since(start).Seconds())
	a.Exec(t, "ping", "-c", "3", "-i", "0.2", "10.11.0.2")

	var flows []string
	if err := Eventually(30*time.Second, 200*time.Millisecond, func() error {
		dump := ovs.Appctl(t, "dpctl/dump-flows", "-m")
		flows = lines(dump, "eth_type(0x0800)")
		if len(flows) < 2 {
			return fmt.Errorf("want an IPv4 flow each way, have:\n%s", dump)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("%.1fs: flows dumped", time.Since(start).Seconds())
	for _, f := range flows {
		if !strings.Contains(f, c.dp) {
			t.Errorf("tc-policy=%s: flow not in %s:\n%s", c.policy, c.dp, f)
		}
	}
	if c.dp == "dp:ovs" {
		if tcFlows := lines(ovs.Appctl(t, "dpctl/dump-flows", "-m"), "dp:tc"); len(tcFlows) > 0 {
			t.Errorf("tc-policy=%s: flows in tc although the kernel must refuse skip_sw on veth:\n%s",
				c.policy, strings.Join(tcFlows, "\n"))
		}
	}

	for _, port := range []string{a.Port, b.Port} {
		out := Run(t, "tc", "-s", "filter", "show", "dev", port, "ingress")
		filters := lines(out, "flower")
		if c.noFilters {
			if len(filters) > 0 {
				t.Errorf("tc-policy=%s: %s has flower filters, want none:\n%s", c.policy, port, out)
			}
			continue
		}
		if len(filters) == 0 {
			t.Errorf("tc-policy=%s: no flower filter on %s:\n%s", c.policy, port, out)
			continue
		}
		for _, w := range c.filterHas {
			if !strings.Contains(out, w) {
				t.Errorf("tc-policy=%s: filters on %s lack %q:\n%s", c.policy, port, w, out)
			}
		}
		for _, w := range c.filterLack {
			if strings.Contains(out, w) {
				t.Errorf("tc-policy=%s: filters on %s show %q:\n%s", c.policy, port, w, out)
			}
		}
	}
	t.Logf("%.1fs: filters checked", time.Since(start).Seconds())
}

func TestKernelNetdevsim(t *testing.T) {
	testenv.RequireKernelLane(t)
	LoadModules(t, "cls_flower", "sch_ingress", "act_gact")
	n := NewNetdevsim(t, 11, 2)

	ports := Run(t, "devlink", "port", "show")
	for vf, want := range map[int]string{0: "pf0vf0", 1: "pf0vf1"} {
		rep, ok := n.VFReps[vf]
		if !ok {
			t.Fatalf("no representor for VF %d (ports %v)", vf, n.Ports)
		}
		if l := lines(ports, "netdev "+rep+" ", "flavour pcivf"); len(l) != 1 {
			t.Errorf("representor %s (%s): devlink port show has no pcivf line for it:\n%s", rep, want, ports)
		}
	}
	if l := lines(ports, "netdev "+n.Uplink+" ", "flavour physical"); len(l) != 1 {
		t.Errorf("uplink %s: devlink port show has no physical line for it:\n%s", n.Uplink, ports)
	}
	mode := Run(t, "devlink", "dev", "eswitch", "show", n.DevlinkHandle())
	if !strings.Contains(mode, "mode switchdev") {
		t.Errorf("eswitch of %s not in switchdev mode: %s", n.DevlinkHandle(), mode)
	}

	// hw-tc-offload on: the emulated eswitch takes the rule.
	on := n.VFReps[0]
	Run(t, "ethtool", "-K", on, "hw-tc-offload", "on")
	Run(t, "tc", "qdisc", "add", "dev", on, "ingress")
	Run(t, "tc", "filter", "add", "dev", on, "ingress", "protocol", "ip", "pref", "1",
		"flower", "skip_sw", "dst_ip", "192.0.2.1", "action", "drop")
	out := Run(t, "tc", "-s", "filter", "show", "dev", on, "ingress")
	if !strings.Contains(out, "skip_sw") || !strings.Contains(out, "in_hw in_hw_count 1") {
		t.Errorf("filter on %s with hw-tc-offload on: want skip_sw and in_hw in_hw_count 1:\n%s", on, out)
	}
	if strings.Contains(out, "not_in_hw") {
		t.Errorf("filter on %s with hw-tc-offload on shows not_in_hw:\n%s", on, out)
	}

	// hw-tc-offload off: like a real driver, the eswitch refuses, and skip_sw leaves the kernel nothing.
	off := n.VFReps[1]
	Run(t, "ethtool", "-K", off, "hw-tc-offload", "off")
	Run(t, "tc", "qdisc", "add", "dev", off, "ingress")
	_, err := TryRun("tc", "filter", "add", "dev", off, "ingress", "protocol", "ip", "pref", "1",
		"flower", "skip_sw", "dst_ip", "192.0.2.1", "action", "drop")
	if err == nil {
		t.Errorf("flower skip_sw on %s with hw-tc-offload off was accepted:\n%s",
			off, Run(t, "tc", "-s", "filter", "show", "dev", off, "ingress"))
	} else {
		t.Logf("refused as expected: %v", err)
	}
	// Without skip_sw the kernel keeps the rule in software.
	Run(t, "tc", "filter", "add", "dev", off, "ingress", "protocol", "ip", "pref", "2",
		"flower", "dst_ip", "192.0.2.2", "action", "drop")
	out = Run(t, "tc", "-s", "filter", "show", "dev", off, "ingress")
	if !strings.Contains(out, "not_in_hw") || strings.Contains(out, "in_hw_count") {
		t.Errorf("filter on %s with hw-tc-offload off: want not_in_hw only:\n%s", off, out)
	}
}

// TestKernelOVSNetdevsimOffload runs OVS on the emulated eswitch's
// representors: with hw-tc-offload on, the flow between two VFs is offloaded
// (offloaded:yes, dp:tc) and its filter reports in_hw.
func TestKernelOVSNetdevsimOffload(t *testing.T) {
	testenv.RequireKernelLane(t)
	LoadModules(t, "openvswitch", "cls_flower", "sch_ingress", "act_mirred", "act_gact", "cls_matchall", "veth")
	n := NewNetdevsim(t, 12, 2)
	rep0, rep1 := n.VFReps[0], n.VFReps[1]
	for _, dev := range []string{rep0, rep1} {
		Run(t, "ethtool", "-K", dev, "hw-tc-offload", "on")
	}
	ovs := StartOVS(t, OVSConfig{HWOffload: true, TCPolicy: "none", MaxIdle: 30 * time.Second})
	ovs.Vsctl(t, "add-br", "klbr1", "--", "add-port", "klbr1", rep0, "--", "add-port", "klbr1", rep1)
	ovs.Ofctl(t, "del-flows", "klbr1")
	ovs.Ofctl(t, "add-flow", "klbr1", "in_port="+rep0+",actions=output:"+rep1)

	vm := AttachInjector(t, "klvf0", "10.12.0.1/24", rep0, map[string]string{"10.12.0.2": "02:00:00:00:0c:02"})
	var flow []string
	if err := Eventually(60*time.Second, 500*time.Millisecond, func() error {
		// no reply can come back through the emulated eswitch: ping's failure is expected
		_, _ = vm.TryExec("ping", "-c", "3", "-i", "0.2", "-W", "1", "10.12.0.2")
		dump := ovs.Appctl(t, "dpctl/dump-flows", "-m")
		flow = lines(dump, "eth_type(0x0800)", "ipv4(")
		if len(flow) == 0 {
			return fmt.Errorf("no IPv4 flow from %s:\n%s", rep0, dump)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, f := range flow {
		if !strings.Contains(f, "offloaded:yes") || !strings.Contains(f, "dp:tc") {
			t.Errorf("flow on representor %s with hw-tc-offload on not offloaded:yes, dp:tc:\n%s", rep0, f)
		}
	}
	out := Run(t, "tc", "-s", "filter", "show", "dev", rep0, "ingress")
	if !strings.Contains(out, "in_hw in_hw_count 1") || strings.Contains(out, "not_in_hw") {
		t.Errorf("filters on %s: want in_hw in_hw_count 1 and no not_in_hw:\n%s", rep0, out)
	}
}
