// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/kernellane"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
	"github.com/ovsoffload/ovsoffload/offload"
)

// The scenarios of issue 18 on the emulated eswitch (netdevsim with
// netdevsim-flower.patch), OVS with hw-offload=true and tc-policy=none, five
// pods on the guide's representor names:
//
//	testpod1 pf0vf0  in hardware, no software traffic, hardware hits set by the test
//	testpod2 pf0vf1  hw-tc-offload off: every flow stays in software TC
//	testpod3 pf0vf2  a conntrack flow (ct_state +new+trk, ct(commit)) the driver refuses
//	                 ("netdevsim: matching on ct_state +new isn't supported"); it is put
//	                 with dpctl/add-flow, revalidators paused, because OVS cannot send a
//	                 recirculated flow to TC on this kernel (see testpod5)
//	testpod4 pf0vf3  in hardware, but its packets run through software TC
//	testpod5 pf0vf4  an OVN-style conntrack pipeline (ct, recirc): OVS itself refuses
//	                 it ("flow_put: recirc_id sharing not supported": Debian's kernel is
//	                 built without CONFIG_NET_TC_SKB_EXT), so it stays in OVS
type whyLane struct {
	n    *kernellane.Netdevsim
	ovs  *kernellane.OVS
	vms  map[string]*kernellane.Host // pod -> its traffic injector
	reps map[string]string           // pod -> representor
}

const (
	whyPeer = "10.42.0.100" // where every pod sends; nothing answers
	// ctNewRefusal is what the emulated driver says of a ct_state +new match,
	// as mlx5 does.
	ctNewRefusal = "netdevsim: matching on ct_state +new isn't supported"
	whyPods      = 5
)

func startWhyLane(t *testing.T) *whyLane {
	t.Helper()
	kernellane.LoadModules(t, "openvswitch", "cls_flower", "sch_ingress", "act_mirred", "act_gact",
		"act_ct", "cls_matchall", "veth", "nf_conntrack")
	n := kernellane.NewNetdevsim(t, 42, whyPods)
	n.RenameGuide(t)
	w := &whyLane{n: n, vms: map[string]*kernellane.Host{}, reps: map[string]string{}}
	for i := range whyPods {
		w.reps[fmt.Sprintf("testpod%d", i+1)] = n.VFReps[i]
	}
	for _, pod := range []string{"testpod1", "testpod3", "testpod4", "testpod5"} {
		kernellane.Run(t, "ethtool", "-K", w.reps[pod], "hw-tc-offload", "on")
	}
	kernellane.Run(t, "ethtool", "-K", w.reps["testpod2"], "hw-tc-offload", "off")
	kernellane.Run(t, "ethtool", "-K", n.Uplink, "hw-tc-offload", "on")

	w.ovs = kernellane.StartOVS(t, kernellane.OVSConfig{HWOffload: true, TCPolicy: "none", MaxIdle: 120 * time.Second})
	t.Setenv("OVS_RUNDIR", w.ovs.Dir) // offload-check's ovs-appctl finds this ovs-vswitchd
	args := []string{"add-br", "br-int", "--", "add-port", "br-int", n.Uplink}
	for i := range whyPods {
		pod := fmt.Sprintf("testpod%d", i+1)
		rep := w.reps[pod]
		args = append(args, "--", "add-port", "br-int", rep, "--", "set", "Interface", rep,
			"external_ids:iface-id=default_"+pod, "external_ids:pod-name="+pod, "external_ids:pod-namespace=default")
	}
	w.ovs.Vsctl(t, args...)
	w.ovs.Ofctl(t, "del-flows", "br-int")
	for _, f := range []string{
		"table=0,priority=10,in_port=pf0vf0,actions=output:p0",
		"table=0,priority=10,in_port=pf0vf1,actions=output:p0",
		"table=0,priority=10,in_port=pf0vf3,actions=output:p0",
		"table=0,priority=10,ip,in_port=pf0vf4,actions=ct(table=1)",
		"table=1,priority=10,ip,ct_state=+trk+new,actions=ct(commit),output:p0",
		"table=1,priority=10,ip,ct_state=+trk+est,actions=output:p0",
	} {
		w.ovs.Ofctl(t, "add-flow", "br-int", f)
	}
	for i := range whyPods {
		pod := fmt.Sprintf("testpod%d", i+1)
		if pod == "testpod3" {
			continue // its flow is put by hand
		}
		w.vms[pod] = kernellane.AttachInjector(t, fmt.Sprintf("kwv%d", i), fmt.Sprintf("10.42.0.%d/24", i+1),
			w.reps[pod], map[string]string{whyPeer: "02:00:00:00:2a:64"})
	}
	return w
}

// ping sends a few packets from pod; none is answered.
func (w *whyLane) ping(pod string) {
	_, _ = w.vms[pod].TryExec("ping", "-c", "3", "-i", "0.2", "-W", "1", whyPeer)
}

// sendWhile pings from vm, starting after a delay, until the returned stop
// is called (which returns once the last ping ended), so that traffic runs
// during all of a window.
func sendWhile(vm *kernellane.Host, after time.Duration) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-quit:
			return
		case <-time.After(after):
		}
		for {
			select {
			case <-quit:
				return
			default:
				_, _ = vm.TryExec("ping", "-c", "2", "-i", "0.2", "-W", "1", whyPeer)
			}
		}
	}()
	return func() { close(quit); <-done }
}

// offloadCheck runs offload-check with args and --json and returns its result.
func offloadCheck(t *testing.T, args ...string) (*result, int, string) {
	t.Helper()
	var out, errs bytes.Buffer
	code := run(append(args, "--json"), &out, &errs)
	if code == exitError {
		t.Fatalf("offload-check %s: exit %d\n%s", strings.Join(args, " "), code, errs.String())
	}
	var res result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("offload-check --json: %v\n%s", err, out.String())
	}
	return &res, code, out.String()
}

// ipv4Flows returns the report's IPv4 flows entering through rep.
func ipv4Flows(r *offload.Report, rep string) []offload.FlowVerdict {
	var out []offload.FlowVerdict
	for _, f := range r.Flows {
		if f.InPort == rep && strings.Contains(f.Match, "eth_type(0x0800)") {
			out = append(out, f)
		}
	}
	return out
}

func reasonCodes(f offload.FlowVerdict) []offload.ReasonCode {
	var out []offload.ReasonCode
	for _, r := range f.Reasons {
		out = append(out, r.Code)
	}
	return out
}

// tcPackets returns total, software and hardware packets of the IPv4
// flower filters on dev's ingress, summed over the filters' first actions
// (IPv6 neighbour discovery from the injector would blur an IPv6 count).
func tcPackets(t *testing.T, dev string) (total, sw, hw uint64) {
	t.Helper()
	out := kernellane.Run(t, "tc", "-s", "-j", "filter", "show", "dev", dev, "ingress")
	var fs []struct {
		Protocol string `json:"protocol"`
		Options  struct {
			Actions []struct {
				Stats struct {
					Packets   uint64  `json:"packets"`
					SWPackets *uint64 `json:"sw_packets"`
					HWPackets *uint64 `json:"hw_packets"`
				} `json:"stats"`
			} `json:"actions"`
		} `json:"options"`
	}
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatalf("tc -j: %v\n%s", err, out)
	}
	for _, f := range fs {
		if len(f.Options.Actions) == 0 || f.Protocol != "ip" {
			continue
		}
		s := f.Options.Actions[0].Stats
		total += s.Packets
		if s.HWPackets != nil && s.SWPackets != nil {
			sw += *s.SWPackets
			hw += *s.HWPackets
		} else { // tc prints the split only when the hardware counted something
			sw += s.Packets
		}
	}
	return total, sw, hw
}

// TestKernelWhyNotInHardware runs the scenarios and checks, pod by pod,
// what the report and the kernel say. When OVSOFFLOAD_DEMO_TRANSCRIPT names
// a file, it also writes there what `make demo` prints of the lane act.
func TestKernelWhyNotInHardware(t *testing.T) {
	testenv.RequireKernelLane(t)
	w := startWhyLane(t)
	base := []string{"--db", "unix:" + w.ovs.DBSocket(), "--backend", "tc"}

	// Traffic until every pod that sends has its IPv4 flows, the conntrack
	// pipeline its recirculated ct_state +new flow.
	var res *result
	if err := kernellane.Eventually(90*time.Second, 500*time.Millisecond, func() error {
		for pod := range w.vms {
			if pod != "testpod5" { // it sends in the debug window below
				w.ping(pod)
			}
		}
		res, _, _ = offloadCheck(t, base...)
		for pod := range w.vms {
			if len(ipv4Flows(res.Report, w.reps[pod])) < 1 && pod != "testpod5" {
				return fmt.Errorf("no IPv4 flow of %s (%s) yet", pod, w.reps[pod])
			}
		}
		return nil
	}); err != nil {
		t.Fatalf("%v\n%s", err, w.ovs.Appctl(t, "dpctl/dump-flows", "-m"))
	}
	// testpod5's conntrack pipeline starts while OVS's offload modules log
	// at dbg (--debug-window): OVS's own refusal and its failed put, with
	// the flow's UFID, become the flows' reasons.
	logPath := filepath.Join(w.ovs.Dir, "ovs-vswitchd.log")
	stop5 := sendWhile(w.vms["testpod5"], 2*time.Second) // once the window is open
	windowed, _, _ := offloadCheck(t, append(base, "--log", logPath, "--debug-window", "6s")...)
	stop5()
	pipeline := ipv4Flows(windowed.Report, w.reps["testpod5"])
	if len(pipeline) < 2 {
		t.Errorf("testpod5: %d IPv4 flows after the window, want both flows of the pipeline", len(pipeline))
	}
	for _, f := range pipeline {
		found := false
		for _, r := range f.Reasons {
			if (r.Code == offload.ReasonOVSOffloadFailed || r.Code == offload.ReasonOVSRefused) &&
				strings.Contains(r.Detail, "recirc_id sharing not supported") {
				found = true
			}
		}
		if !found {
			t.Errorf("testpod5 flow %s (%s): no reason from OVS's log naming its refusal: %+v", f.Match, f.State, f.Reasons)
		}
	}

	// testpod3's conntrack flow, put as OVS would put it; the revalidators
	// would delete it (no OpenFlow rule made it), so they stay paused.
	w.ovs.Appctl(t, "revalidator/pause")
	ports := w.ovs.Appctl(t, "dpctl/show")
	w.ovs.Appctl(t, "dpctl/add-flow",
		fmt.Sprintf("recirc_id(0),in_port(%d),ct_state(0x21/0x21),eth_type(0x0800),ipv4(frag=no)", dpPort(t, ports, w.reps["testpod3"])),
		fmt.Sprintf("ct(commit),%d", dpPort(t, ports, w.n.Uplink)))
	res, _, _ = offloadCheck(t, base...)
	t.Logf("datapath flows:\n%s", w.ovs.Appctl(t, "dpctl/dump-flows", "-m"))

	// testpod1: in hardware with hardware hits and no software traffic.
	rep1 := w.reps["testpod1"]
	w.n.SetHWStats(t, rep1, 5000, 490000)
	_, sw1a, hw1a := tcPackets(t, rep1)
	time.Sleep(time.Second)
	_, sw1b, hw1b := tcPackets(t, rep1)
	if hw1a < 5000 || hw1b != hw1a || sw1b != sw1a {
		t.Errorf("testpod1 (%s): hardware %d then %d packets, software %d then %d; want >= 5000, unchanged, software unchanged",
			rep1, hw1a, hw1b, sw1a, sw1b)
	}
	// testpod4: in hardware, but its packets are counted in software.
	rep4 := w.reps["testpod4"]
	_, sw4a, hw4a := tcPackets(t, rep4)
	w.ping("testpod4")
	_, sw4b, hw4b := tcPackets(t, rep4)
	if sw4b <= sw4a || hw4b != 0 || hw4a != 0 {
		t.Errorf("testpod4 (%s): software %d then %d packets, hardware %d then %d; want software growing, hardware 0",
			rep4, sw4a, sw4b, hw4a, hw4b)
	}

	// Two reads 2 s apart (--counter-window) while testpod4 sends.
	stop := sendWhile(w.vms["testpod4"], 0)
	res, _, _ = offloadCheck(t, append(base, "--counter-window", "2s")...)
	stop()
	for _, f := range ipv4Flows(res.Report, rep1) {
		if f.State != offload.InHardware || !f.Verified {
			t.Errorf("testpod1 flow %s: %s (verified %v), want in-hardware: %v", f.Match, f.State, f.Verified, f.Reasons)
		}
		if f.Packets < 5000 {
			t.Errorf("testpod1 flow %s: %d packets, want the 5000 hardware packets in them", f.Match, f.Packets)
		}
		if c := f.Counters; c == nil || c.HWPackets < 5000 || c.HWBytes < 490000 || c.SWPackets >= 5000 {
			t.Errorf("testpod1 flow %s: counters %+v, want >= 5000 hardware packets, 490000 bytes, apart from software", f.Match, c)
		}
		if f.TrafficInSoftware || hasCode(f, offload.ReasonTrafficInSoftware) {
			t.Errorf("testpod1 flow %s: flagged with traffic in software, but nothing ran there: %v", f.Match, f.Reasons)
		}
	}
	for _, f := range ipv4Flows(res.Report, w.reps["testpod2"]) {
		if f.State == offload.InHardware || !hasCode(f, offload.ReasonHWTCOffloadOff) {
			t.Errorf("testpod2 flow %s: %s %v, want not in hardware for hw-tc-offload-off", f.Match, f.State, reasonCodes(f))
		}
	}
	ct := ipv4Flows(res.Report, w.reps["testpod3"])
	if len(ct) != 1 {
		t.Errorf("testpod3: %d IPv4 flows, want its conntrack flow", len(ct))
	}
	for _, f := range ct {
		if f.State != offload.SoftwareTC || f.Evidence == nil || !f.Evidence.NotInHW {
			t.Errorf("testpod3 conntrack flow %s: %s, evidence %+v; want software-tc with a not_in_hw filter", f.Match, f.State, f.Evidence)
		}
		if len(f.Reasons) == 0 {
			t.Errorf("testpod3 conntrack flow %s: no reason", f.Match)
		}
	}
	// The driver's words, through the probe: it installs the filter OVS
	// would install with skip_sw and verbose in a chain nothing uses, reads
	// the extended ack and deletes it.
	rep3 := w.reps["testpod3"]
	before := tcFilters(t, rep3)
	start := time.Now()
	probed, _, _ := offloadCheck(t, append(base, "--probe", "--log", logPath)...)
	t.Logf("offload-check --probe --log on the node's %d flows took %v", len(probed.Report.Flows), time.Since(start))
	// Every flow not in hardware has a flow-level cause: a field, an
	// action, the driver's words or OVS's own, not only node settings.
	for _, f := range probed.Report.Flows {
		if f.State == offload.InHardware {
			continue
		}
		ok := false
		for _, r := range f.Reasons {
			switch r.Code {
			case offload.ReasonDriverRefused, offload.ReasonOVSRefused, offload.ReasonOVSOffloadFailed,
				offload.ReasonMatchNotOffloadable, offload.ReasonActionNotOffloadable, offload.ReasonCTStateUnsupported:
				ok = true
			}
		}
		if !ok {
			t.Errorf("flow %s of %s (%s) has no flow-level reason: %+v", f.Match, f.Pod, f.State, f.Reasons)
		}
	}
	for _, f := range ipv4Flows(probed.Report, rep3) {
		found := false
		for _, r := range f.Reasons {
			if r.Code == offload.ReasonDriverRefused && strings.Contains(r.Detail, ctNewRefusal) {
				found = true
			}
		}
		if !found {
			t.Errorf("testpod3 conntrack flow %s: no %s reason with the driver's words %q: %+v",
				f.Match, offload.ReasonDriverRefused, ctNewRefusal, f.Reasons)
		}
	}
	if after := tcFilters(t, rep3); after != before {
		t.Errorf("the probe left filters on %s:\nbefore:\n%s\nafter:\n%s", rep3, before, after)
	}
	if got := w.n.HWRules(t, rep3); got != 0 {
		t.Errorf("the emulated hardware of %s holds %d rules after the probe", rep3, got)
	}

	// OVS refused the recirculation itself; the report cannot say why from
	// the dump alone (that is OVS's log's part), the log line must be there.
	for _, f := range ipv4Flows(res.Report, w.reps["testpod5"]) {
		if f.State != offload.OVSOnly || f.DP != "ovs" {
			t.Errorf("testpod5 flow %s: %s in dp %s, want ovs-only in OVS's datapath %v", f.Match, f.State, f.DP, reasonCodes(f))
		}
	}
	if log := w.ovs.LogTail(400); !strings.Contains(log, "recirc_id sharing not supported") {
		t.Errorf("ovs-vswitchd's log lacks OVS's refusal of the recirculation:\n%s", log)
	}
	for _, f := range ipv4Flows(res.Report, rep4) {
		if f.State != offload.InHardware {
			t.Errorf("testpod4 flow %s: %s, want in-hardware (by its filter's in_hw)", f.Match, f.State)
		}
		if !f.TrafficInSoftware || !hasCode(f, offload.ReasonTrafficInSoftware) {
			t.Errorf("testpod4 flow %s: not flagged \"in hardware, but traffic in software\": %v", f.Match, f.Reasons)
		}
		if c := f.Counters; c == nil || c.SWPackets == 0 || c.HWPackets != 0 {
			t.Errorf("testpod4 flow %s: counters %+v, want software packets and no hardware ones", f.Match, c)
		}
	}

	if path := os.Getenv("OVSOFFLOAD_DEMO_TRANSCRIPT"); path != "" {
		writeTranscript(t, path, base, w.vms["testpod4"])
	}
}

// dpPort returns the datapath port number of dev in `ovs-appctl dpctl/show`.
func dpPort(t *testing.T, show, dev string) int {
	t.Helper()
	for _, l := range strings.Split(show, "\n") {
		var n int
		var name string
		if _, err := fmt.Sscanf(strings.TrimSpace(l), "port %d: %s", &n, &name); err == nil && name == dev {
			return n
		}
	}
	t.Fatalf("dpctl/show has no port %s:\n%s", dev, show)
	return -1
}

func hasCode(f offload.FlowVerdict, c offload.ReasonCode) bool {
	for _, r := range f.Reasons {
		if r.Code == c {
			return true
		}
	}
	return false
}

// writeTranscript writes offload-check's table for the whole node, as
// `make demo` prints it after the lane.
func writeTranscript(t *testing.T, path string, base []string, vm4 *kernellane.Host) {
	t.Helper()
	var b bytes.Buffer
	var out, errs bytes.Buffer
	args := append(base, "--counter-window", "2s", "--probe", "--log", filepath.Join(os.Getenv("OVS_RUNDIR"), "ovs-vswitchd.log"))
	stop := sendWhile(vm4, 0) // testpod4's traffic runs in software during the window
	code := run(args, &out, &errs)
	stop()
	fmt.Fprintf(&b, "$ offload-check %s\n%s%s", strings.Join(args, " "), out.String(), errs.String())
	fmt.Fprintf(&b, "offload-check exit status %d\n", code)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Errorf("writing the demo transcript: %v", err)
	}
}
