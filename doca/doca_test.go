// SPDX-License-Identifier: Apache-2.0

package doca

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/doca/docalib"
	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/internal/sysfs"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
	_ "github.com/ovsoffload/ovsoffload/tc" // registers "tc": Activate(doca) removes its keys
)

func dial(t *testing.T) (*ovsdb.Client, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ovstest.DialInProcess(t), ctx
}

func intp(n int) *int { return &n }

func TestConfigureAndActivate(t *testing.T) {
	c, ctx := dial(t)
	on := true
	// A node that ran the TC backend.
	if _, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "brp0", DatapathType: "system"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetOffload(ctx, ovsdb.OffloadSettings{HWOffload: &on, TCPolicy: "skip_sw"}); err != nil {
		t.Fatal(err)
	}
	b, err := New(Config{CTSize: intp(250000), CongestionThreshold: intp(80), DPDKExtra: "-a 0000:03:00.0"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := offload.Activate(ctx, c, b, "brp0")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || !strings.Contains(strings.Join(res.RestartNeeded, ","), "doca-init") {
		t.Fatalf("Activate result %+v: want a change and doca-init among restart keys", res)
	}
	s, _ := c.Offload(ctx)
	if s.TCPolicy != "" || s.DOCAInit == nil || !*s.DOCAInit || s.CTSize == nil || *s.CTSize != 250000 {
		t.Fatalf("settings after Activate(doca): %+v", s)
	}
	if br, _ := c.Bridge(ctx, "brp0"); br.DatapathType != "netdev" {
		t.Fatalf("brp0 datapath %q, want netdev", br.DatapathType)
	}
	if res, err := offload.Activate(ctx, c, b, "brp0"); err != nil || res.Changed {
		t.Fatalf("second Activate: %+v %v", res, err)
	}
	// Dropping an optional key from the config removes it on the next Activate.
	b2, _ := New(Config{})
	if _, err := offload.Activate(ctx, c, b2, "brp0"); err != nil {
		t.Fatal(err)
	}
	if s, _ := c.Offload(ctx); s.CTSize != nil {
		t.Fatalf("hw-offload-ct-size left behind: %+v", s)
	}
}

func TestFactoryAndValidation(t *testing.T) {
	if _, err := offload.New("doca", map[string]string{"hw-offload-ct-size": "x"}); err == nil {
		t.Fatal("a non-numeric ct size was accepted")
	}
	if _, err := offload.New("doca", map[string]string{"naming": "magic"}); err == nil {
		t.Fatal("an unknown naming was accepted")
	}
	if _, err := offload.New("doca", map[string]string{"doca-congestion-threshold": "101"}); err == nil {
		t.Fatal("a threshold over 100 was accepted")
	}
	if _, err := offload.New("doca", map[string]string{"version": "three"}); err == nil {
		t.Fatal("a malformed version was accepted")
	}
	b, err := offload.New("doca", map[string]string{"version": "2.2.0", "ctl-pipe-size": "1024"})
	if err != nil || b.Name() != "doca" || b.DatapathType() != "netdev" {
		t.Fatalf("New(doca) = %v, %v", b, err)
	}
}

func rep(flavour eswitch.Flavour, name string, pf, vf uint16, sf uint32) eswitch.Representor {
	return eswitch.Representor{
		Identity: eswitch.Identity{Flavour: flavour, PF: pf, VF: vf, SF: sf, Controller: 1, External: flavour != eswitch.FlavourPhysical && flavour != eswitch.FlavourPCISF},
		Name:     name,
		Device:   "devices/pci0000:00/0000:00:00.0/0000:03:00.0",
	}
}

func TestInterfacePortTypes(t *testing.T) {
	vf7 := rep(eswitch.FlavourPCIVF, "pf0vf7", 0, 7, 0)
	devargs := "0000:03:00.0,dv_xmeta_en=4,dv_flow_en=2,representor=[7]"
	for _, c := range []struct {
		cfg           Config
		typ, wantArgs string
	}{
		{Config{}, "doca", ""},
		{Config{Version: "3.2.1"}, "doca", ""},
		{Config{Version: "2.2.0"}, "doca", ""}, // the version picks nothing
		{Config{PortType: PortDOCA}, "doca", ""},
		{Config{PortType: PortDPDK}, "dpdk", ""},
		{Config{PortType: PortDPDK, Naming: NamingNetdev}, "dpdk", ""},
		{Config{PortType: PortDPDK, Naming: NamingDevargs}, "dpdk", devargs},
	} {
		b, err := New(c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		ic, err := b.Interface(vf7)
		if err != nil {
			t.Fatal(err)
		}
		if ic.Type != c.typ || ic.Options["dpdk-devargs"] != c.wantArgs {
			t.Errorf("%+v: %+v, want type=%s devargs %q", c.cfg, ic, c.typ, c.wantArgs)
		}
		if c.wantArgs == "" && (len(ic.RemoveOptions) != 1 || ic.RemoveOptions[0] != "dpdk-devargs") {
			t.Errorf("netdev naming must remove stale devargs: %+v", ic)
		}
	}
	for _, cfg := range []Config{{PortType: "vhost"}, {Naming: NamingDevargs}, {Multiport: true}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
	if _, err := offload.New("doca", map[string]string{"port-type": "dpdk", "naming": "devargs", "multiport": "maybe"}); err == nil {
		t.Error("multiport=maybe accepted")
	}
	b, err := offload.New("doca", map[string]string{"port-type": "dpdk", "naming": "devargs", "multiport": "true"})
	if err != nil {
		t.Fatal(err)
	}
	p1 := rep(eswitch.FlavourPhysical, "p1", 1, 0, 0)
	p1.Device = "devices/pci0000:00/0000:00:00.0/0000:03:00.1"
	if ic, err := b.Interface(p1); err != nil || ic.Options["dpdk-devargs"] != "0000:03:00.0,dv_xmeta_en=4,dv_flow_en=2,representor=pf1" {
		t.Errorf("multiport second uplink: %+v %v", ic, err)
	}
}

func TestDevArgsMultiport(t *testing.T) {
	pf1 := func(r eswitch.Representor) eswitch.Representor {
		r.Device = "devices/pci0000:00/0000:00:00.0/0000:03:00.1"
		return r
	}
	for _, c := range []struct {
		r    eswitch.Representor
		want string
	}{
		{rep(eswitch.FlavourPhysical, "p0", 0, 0, 0), "0000:03:00.0,dv_xmeta_en=4,dv_flow_en=2"},
		{rep(eswitch.FlavourPCIVF, "pf0vf3", 0, 3, 0), "0000:03:00.0,dv_xmeta_en=4,dv_flow_en=2,representor=[3]"},
		{pf1(rep(eswitch.FlavourPhysical, "p1", 1, 0, 0)), "0000:03:00.0,dv_xmeta_en=4,dv_flow_en=2,representor=pf1"},
		{pf1(rep(eswitch.FlavourPCIVF, "pf1vf2", 1, 2, 0)), "0000:03:00.0,dv_xmeta_en=4,dv_flow_en=2,representor=pf1vf2"},
	} {
		got, err := DevArgsMultiport(c.r)
		if err != nil || got != c.want {
			t.Errorf("%s: %q %v, want %q", c.r.Name, got, err, c.want)
		}
	}
	if _, err := DevArgsMultiport(pf1(rep(eswitch.FlavourPCISF, "pf1sf0", 1, 0, 0))); err == nil {
		t.Error("an SF of PF1 got multiport devargs")
	}
	r := rep(eswitch.FlavourPhysical, "p1", 1, 0, 0)
	r.Device = ""
	if _, err := DevArgsMultiport(r); err == nil {
		t.Error("no PCI address, yet devargs")
	}
}

func TestDevArgs(t *testing.T) {
	for _, c := range []struct {
		r    eswitch.Representor
		want string
	}{
		{rep(eswitch.FlavourPhysical, "p0", 0, 0, 0), "0000:03:00.0,dv_xmeta_en=4,dv_flow_en=2"},
		{rep(eswitch.FlavourPCIPF, "pf0hpf", 0, 0, 0), "0000:03:00.0,dv_xmeta_en=4,dv_flow_en=2,representor=[65535]"},
		{rep(eswitch.FlavourPCIVF, "pf0vf3", 0, 3, 0), "0000:03:00.0,dv_xmeta_en=4,dv_flow_en=2,representor=[3]"},
		{rep(eswitch.FlavourPCISF, "en3f0pf0sf0", 0, 0, 0), "0000:03:00.0,dv_xmeta_en=4,dv_flow_en=2,representor=sf[0]"},
	} {
		got, err := DevArgs(c.r)
		if err != nil || got != c.want {
			t.Errorf("DevArgs(%s) = %q, %v; want %q", c.r.Name, got, err, c.want)
		}
	}
	if _, err := DevArgs(eswitch.Representor{Name: "x", Identity: eswitch.Identity{Flavour: eswitch.FlavourPCIVF}}); err == nil {
		t.Error("DevArgs without a PCI address succeeded")
	}
}

func TestVerifyDOCADump(t *testing.T) {
	c, ctx := dial(t)
	if _, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br-int", DatapathType: "netdev"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br-int", Name: "pf0vf7", Type: "dpdk",
		ExternalIDs: ovsdb.PodAttachment{IfaceID: "default_testpod1", PodName: "testpod1", PodNamespace: "default"}.ExternalIDs()}); err != nil {
		t.Fatal(err)
	}
	on := true
	if _, err := c.SetOffload(ctx, ovsdb.OffloadSettings{HWOffload: &on, DOCAInit: &on}); err != nil {
		t.Fatal(err)
	}
	// Lines in the format OVS-DOCA's dpctl/dump-flows -m --names prints.
	dump := []string{
		"ufid:1c2d3e4f-0000-4000-8000-000000000001, recirc_id(0),dp_hash(0/0),skb_priority(0/0),in_port(pf0vf7),skb_mark(0/0),ct_state(0/0),ct_zone(0/0),ct_mark(0/0),ct_label(0/0),eth(src=00:00:00:00:01:0a,dst=00:00:00:00:01:0b),eth_type(0x0800),ipv4(src=10.1.0.10,dst=10.1.0.11,proto=6,tos=0/0,ttl=0/0,frag=no),tcp(src=0/0,dst=8080), packets:1200, bytes:99000, used:0.2s, offloaded:yes, dp:doca, actions:ct(zone=5),recirc(0x2)",
		"ufid:1c2d3e4f-0000-4000-8000-000000000002, recirc_id(0x2),in_port(pf0vf7),ct_state(+est+trk),eth_type(0x0800),ipv4(frag=no), packets:1100, bytes:90000, used:0.2s, offloaded:partial, dp:ovs, actions:p0",
		"ufid:1c2d3e4f-0000-4000-8000-000000000003, recirc_id(0),in_port(pf0vf7),eth(src=00:00:00:00:01:0a,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806),arp(op=1), packets:2, bytes:84, used:1.0s, dp:ovs, actions:userspace(pid=0,slow_path(action))",
	}
	node := &offload.Node{DB: c, Dump: func(context.Context) ([]*dpflow.Flow, error) {
		var out []*dpflow.Flow
		for _, l := range dump {
			f, err := dpflow.Parse(l)
			if err != nil {
				return nil, err
			}
			out = append(out, f)
		}
		return out, nil
	}}
	b, _ := New(Config{})
	r, err := b.Verify(ctx, node)
	if err != nil {
		t.Fatal(err)
	}
	want := []offload.State{offload.InHardware, offload.Partial, offload.OVSOnly}
	for i, w := range want {
		if r.Flows[i].State != w || r.Flows[i].Pod != "default/testpod1" {
			t.Errorf("flow %d: %s pod %q, want %s", i, r.Flows[i].State, r.Flows[i].Pod, w)
		}
	}
	if len(r.Limits) == 0 || len(r.Ports) != 1 || r.Ports[0].ByState[offload.InHardware] != 1 {
		t.Errorf("report: limits %v ports %+v", r.Limits, r.Ports)
	}
}

func TestPreflightWithoutDOCA(t *testing.T) {
	c, ctx := dial(t)
	if _, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br-kern", DatapathType: "system"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br-kern", Name: "pf0vf1", Type: "dpdk"}); err != nil {
		t.Fatal(err)
	}
	b, _ := New(Config{Library: "/nonexistent/libdoca_common.so.2"})
	checks, err := b.Preflight(ctx, &offload.Node{DB: c})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]offload.Check{}
	for _, ch := range checks {
		byName[ch.Name] = ch
	}
	if ch := byName["doca-runtime"]; ch.Status != offload.CheckFail || ch.Fix == "" {
		t.Errorf("doca-runtime: %+v", ch)
	}
	if ch := byName["doca-initialized"]; ch.Status != offload.CheckFail || !strings.Contains(ch.Detail, "not OVS-DOCA") {
		t.Errorf("doca-initialized on upstream OVS: %+v", ch)
	}
	if ch := byName["eswitch-mode"]; ch.Status != offload.CheckSkip {
		t.Errorf("eswitch-mode without an eswitch client: %+v", ch)
	}
	if ch := byName["datapath-mix"]; ch.Status != offload.CheckFail || !strings.Contains(ch.Detail, "pf0vf1") {
		t.Errorf("datapath-mix with a dpdk port in a kernel bridge: %+v", ch)
	}
	if len(offload.Failed(checks)) != 3 {
		t.Errorf("Failed() = %+v", offload.Failed(checks))
	}
}

// dpuTree is a small BlueField DPU eswitch as sysfs shows it: uplink p0,
// host PF representor pf0hpf (c1pf0) and host VF representors pf0vf0,
// pf0vf1 (c1pf0vf0, c1pf0vf1).
func dpuTree() *sysfs.Fake {
	f := sysfs.NewFake()
	dev := "devices/pci0000:00/0000:00:00.0/0000:03:00.0"
	f.File(dev+"/vendor", "0x15b3\n")
	for i, n := range [][2]string{{"p0", "p0"}, {"pf0hpf", "c1pf0"}, {"pf0vf0", "c1pf0vf0"}, {"pf0vf1", "c1pf0vf1"}} {
		dir := dev + "/net/" + n[0]
		f.File(dir+"/ifindex", string(rune('2'+i))+"\n")
		f.File(dir+"/phys_port_name", n[1]+"\n")
		f.File(dir+"/phys_switch_id", "e8ebd30300a1b2c3\n")
		f.Link(dir+"/device", "../../../0000:03:00.0")
		f.Link("class/net/"+n[0], "../../"+dir)
	}
	return f
}

func TestJoinInventories(t *testing.T) {
	inv, err := eswitch.DiscoverSysfs(dpuTree())
	if err != nil {
		t.Fatal(err)
	}
	devs := []docalib.Device{{PCI: "0000:03:00.0", Iface: "p0", Representors: []docalib.Representor{
		{PCI: "0000:3b:00.2", Type: docalib.FuncVF, Iface: "pf0vf0", VUID: "V0", Host: 1, PF: 0, VF: 0},
		// An older runtime: no netdev name, matched by function numbers.
		{PCI: "0000:3b:00.3", Type: docalib.FuncVF, VUID: "V1", Host: -1, PF: 0, VF: 1},
		{PCI: "0000:3b:00.0", Type: docalib.FuncPF, VUID: "P0", Host: -1, PF: 0, VF: -1},
		{PCI: "0000:3b:00.9", Type: docalib.FuncVF, VUID: "V9", Host: -1, PF: 0, VF: 9},
	}}}
	j := Join(devs, inv)
	got := map[string]string{}
	for _, x := range j {
		name := "-"
		if x.Linux != nil {
			name = x.Linux.Name
		}
		got[x.DOCA.VUID] = name
	}
	want := map[string]string{"V0": "pf0vf0", "V1": "pf0vf1", "P0": "pf0hpf", "V9": "-"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s joined with %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}
