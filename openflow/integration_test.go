// SPDX-License-Identifier: Apache-2.0

package openflow_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/digitalocean/go-openvswitch/ovs"

	"github.com/ovsoffload/ovsoffload/openflow"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// ovnLikeFlows are add-flow specs in the shapes ovn-controller installs.
var ovnLikeFlows = []string{
	"table=0,priority=100,in_port=1,actions=load:0x1->NXM_NX_REG13[],load:0x2->NXM_NX_REG11[],load:0x3->NXM_NX_REG12[],load:0x1->OXM_OF_METADATA[],load:0x1->NXM_NX_REG14[],resubmit(,8)",
	"table=0,priority=100,in_port=2,actions=move:NXM_OF_ETH_SRC[]->NXM_NX_XXREG0[0..47],resubmit(,8)",
	"cookie=0xabc,table=8,priority=50,metadata=0x1,dl_src=00:00:00:00:00:01,actions=resubmit(,9)",
	"cookie=0xabc,table=8,priority=100,metadata=0x1,vlan_tci=0x1000/0x1000,actions=drop",
	"cookie=0x5adc15c0,table=9,priority=2002,ct_state=+new-est+trk,ip,reg15=0x3,metadata=0x1,actions=load:0x1->NXM_NX_XXREG0[97],resubmit(,10)",
	"table=9,priority=2001,ct_state=-new+est-rel+trk,ct_label=0/0x1,ip,metadata=0x1,actions=conjunction(12,1/2),conjunction(13,2/3)",
	"table=9,priority=2001,conj_id=12,ip,metadata=0x1,actions=resubmit(,10)",
	"table=10,priority=100,ip,metadata=0x1,actions=ct(table=11,zone=NXM_NX_REG13[0..15])",
	"table=10,priority=90,ipv6,metadata=0x1,actions=ct(table=11,zone=NXM_NX_REG13[0..15],nat)",
	"table=11,priority=100,ct_state=+new+trk,ip,metadata=0x1,actions=ct(commit,zone=NXM_NX_REG13[0..15],exec(load:0->NXM_NX_CT_LABEL[0],set_field:0x1/0x1->ct_mark)),resubmit(,12)",
	"table=11,priority=90,ct_state=+new+trk,tcp,metadata=0x1,nw_dst=10.0.0.10,tp_dst=80,actions=ct(commit,table=12,zone=NXM_NX_REG11[0..15],nat(dst=10.0.0.2:8080))",
	"table=11,priority=80,ct_state=+new+trk,udp,metadata=0x1,actions=ct(commit,table=12,zone=7,nat(src=172.16.0.1-172.16.0.9:1000-2000,persistent,random))",
	"table=12,priority=100,arp,arp_op=1,metadata=0x1,actions=controller(userdata=00.00.00.00.00.00.00.00,pause,meter_id=4)",
	"table=12,priority=90,icmp,metadata=0x1,actions=controller(userdata=00.00.00.0a.00.00.00.00.00.19.00.10.80.00.00.00,pause)",
	"table=12,priority=80,udp,metadata=0x1,tp_src=68,tp_dst=67,actions=controller(userdata=00.00.00.02.00.00.00.00)",
	"table=13,priority=100,ip,metadata=0x1,actions=check_pkt_larger(1514)->NXM_NX_REG9[1],resubmit(,14)",
	"table=13,priority=90,ipv6,metadata=0x1,actions=dec_ttl(),push:NXM_NX_REG14[],pop:NXM_NX_REG14[],resubmit(,14)",
	"table=14,priority=100,metadata=0x1,reg15=0x1,actions=clone(ct_clear,load:0->NXM_NX_REG11[],load:0->NXM_NX_REG12[],resubmit(,15))",
	"table=14,priority=90,metadata=0x1,actions=learn(table=17,idle_timeout=30,hard_timeout=60,priority=100,delete_learned,cookie=0x1234,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_NX_REG14[]->NXM_NX_REG15[]),note:00.01.02.03.04.05,resubmit(,15)",
	"table=15,priority=100,ip,reg15=0x1,metadata=0x1,actions=mod_dl_src:00:00:00:00:00:02,mod_nw_ttl:63,output:1",
	"table=15,priority=90,ct_state=+est+trk,ip,reg15=0x2,metadata=0x1,actions=resubmit(1,16,ct),output:2",
	"table=16,priority=100,packet_type=(1,0x800),actions=NORMAL",
	"table=17,priority=10,hard_timeout=3600,importance=5,send_flow_rem,ip,actions=LOCAL",
	"table=17,priority=5,idle_timeout=100,check_overlap,udp6,actions=set_field:fe80::1->ipv6_src,output:2",
}

func startBridge(t *testing.T) (*ovstest.Switch, string) {
	t.Helper()
	sw := ovstest.StartSwitch(t)
	sw.AddBridge(t, "br0")
	sw.AddHost(t, "br0", "10.0.0.1/24", ovstest.HostOptions{Port: "vm1"})
	sw.AddHost(t, "br0", "10.0.0.2/24", ovstest.HostOptions{Port: "vm2"})
	// Flows out of the test's way: only ours should be present.
	sw.Ofctl(t, "del-flows", "br0")
	return sw, "unix:" + filepath.Join(sw.Dir, "br0.mgmt")
}

func parseSpecs(t *testing.T, specs []string) []*openflow.Flow {
	t.Helper()
	var out []*openflow.Flow
	for _, s := range specs {
		f, err := openflow.Parse(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		out = append(out, f)
	}
	return out
}

// checkDump parses every flow line of a real dump and requires the exact
// text back.
func checkDump(t *testing.T, dump string) []*openflow.Flow {
	t.Helper()
	sc := openflow.NewScanner(strings.NewReader(dump))
	var flows []*openflow.Flow
	for sc.Scan() {
		f, err := sc.Flow()
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if got := openflow.Format(f); got != sc.Text() {
			t.Errorf("line %d does not round-trip\n ovs: %s\n  us: %s", sc.Line(), sc.Text(), got)
		}
		flows = append(flows, f)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return flows
}

func TestIntegrationBundleInstallAndDump(t *testing.T) {
	sw, target := startBridge(t)
	p := openflow.NewProgrammer(ovs.New(ovs.Timeout(30)))
	var b openflow.Bundle
	b.Add(parseSpecs(t, ovnLikeFlows)...)
	if err := p.Apply(target, &b); err != nil {
		t.Fatal(err)
	}
	// Name table 9: --names then prints "table=acl" and "resubmit(,acl)".
	sw.Vsctl(t, "--", "--id=@ft", "create", "Flow_Table", "name=acl", "--", "set", "Bridge", "br0", "flow_tables:9=@ft")
	for _, args := range [][]string{
		{"dump-flows", "br0"},
		{"--names", "dump-flows", "br0"},
		{"-O", "OpenFlow15", "dump-flows", "br0"},
		{"--no-stats", "dump-flows", "br0"},
		{"--names", "--no-stats", "dump-flows", "br0"},
	} {
		dump := sw.Ofctl(t, args...)
		flows := checkDump(t, dump)
		if len(flows) != len(ovnLikeFlows) {
			t.Errorf("%v: %d flows, installed %d:\n%s", args, len(flows), len(ovnLikeFlows), dump)
		}
		if args[0] == "-O" {
			// OpenFlow 1.5 reports flags and importance: check the typed header.
			found := false
			for _, f := range flows {
				if f.Table == 17 && f.Priority == 10 {
					found = true
					if f.Flags&openflow.SendFlowRem == 0 || f.Importance != 5 || f.HardTimeout != 3600 {
						t.Errorf("table 17 flow header: flags %v importance %d hard_timeout %d in %s", f.Flags.FlagNames(), f.Importance, f.HardTimeout, f)
					}
				}
			}
			if !found {
				t.Errorf("table 17 priority 10 flow missing:\n%s", dump)
			}
		}
		if args[0] == "--names" {
			if !strings.Contains(dump, "in_port=vm1") || !strings.Contains(dump, "output:vm2") {
				t.Errorf("--names dump shows no port names:\n%s", dump)
			}
			named, resub := 0, 0
			for _, f := range flows {
				if f.TableName == "acl" {
					named++
				}
				for _, a := range f.Actions {
					if r, ok := a.(*openflow.Resubmit); ok && r.TableName == "acl" {
						resub++
					}
				}
			}
			if named != 3 || resub == 0 {
				t.Errorf("--names: %d flows in table \"acl\" (want 3), %d resubmits to it:\n%s", named, resub, dump)
			}
		}
	}
	// Every typed action we installed comes back typed, not opaque.
	flows := checkDump(t, sw.Ofctl(t, "dump-flows", "br0"))
	for _, f := range flows {
		for _, a := range f.Actions {
			if o, ok := a.(*openflow.Opaque); ok {
				t.Errorf("opaque action %s in %s", openflow.FormatAction(o), f)
			}
		}
	}

	// A port whose name OVS must quote: --names prints in_port="q,1" and
	// output:"q,1", and both must survive parsing and formatting. (ovs-ofctl
	// 3.1 cannot read that name back in add-flow, so the flow uses the number.)
	sw.Vsctl(t, "add-port", "br0", "q,1", "--", "set", "Interface", "q,1", "type=internal")
	ofport := strings.TrimSpace(sw.Vsctl(t, "get", "Interface", "q,1", "ofport"))
	b = openflow.Bundle{}
	b.Add(parseSpecs(t, []string{"table=20,priority=5,in_port=" + ofport + ",actions=output:" + ofport + ",output:vm1"})...)
	if err := p.Apply(target, &b); err != nil {
		t.Fatal(err)
	}
	dump := sw.Ofctl(t, "--names", "dump-flows", "br0", "table=20")
	flows = checkDump(t, dump)
	if len(flows) != 1 {
		t.Fatalf("quoted port flow:\n%s", dump)
	}
	if port, _ := flows[0].InPort(); port != "q,1" || !strings.Contains(dump, `in_port="q,1"`) || flows[0].ActionsString() != `output:"q,1",output:vm1` {
		t.Errorf("quoted port name: in_port %q actions %s\n%s", port, flows[0].ActionsString(), dump)
	}

	// Replace the cookie 0xabc flows atomically.
	sel, _ := openflow.Parse("cookie=0xabc/-1,table=8")
	b = openflow.Bundle{}
	b.Replace(sel, parseSpecs(t, []string{"cookie=0xdef,table=8,priority=60,metadata=0x1,actions=resubmit(,9)"})...)
	if err := p.Apply(target, &b); err != nil {
		t.Fatal(err)
	}
	dump = sw.Ofctl(t, "dump-flows", "br0", "table=8")
	flows = checkDump(t, dump)
	if len(flows) != 1 || flows[0].Cookie != 0xdef || flows[0].Priority != 60 {
		t.Errorf("after replace:\n%s", dump)
	}

	// Delete.
	sel, _ = openflow.Parse("table=17")
	if err := p.Apply(target, new(openflow.Bundle).Delete(sel)); err != nil {
		t.Fatal(err)
	}
	if flows := checkDump(t, sw.Ofctl(t, "dump-flows", "br0", "table=17")); len(flows) != 0 {
		t.Errorf("table 17 not empty after delete: %d flows", len(flows))
	}
}

func TestIntegrationBundleFailsAtomically(t *testing.T) {
	sw, target := startBridge(t)
	p := openflow.NewProgrammer(nil)
	var b openflow.Bundle
	b.Add(parseSpecs(t, []string{
		"cookie=0x77,table=0,priority=10,ip,actions=output:1",
		"cookie=0x77,table=0,priority=20,ip,actions=output:2",
		// The switch rejects this one (no group 99): the whole bundle must go.
		"cookie=0x77,table=0,priority=30,ip,actions=group:99",
		"cookie=0x77,table=0,priority=40,ip,actions=output:2",
	})...)
	err := p.Apply(target, &b)
	var be *openflow.BundleError
	if !errors.As(err, &be) || be.Op != -1 {
		t.Fatalf("Apply = %v, want a *BundleError for the whole bundle", err)
	}
	if flows := checkDump(t, sw.Ofctl(t, "dump-flows", "br0")); len(flows) != 0 {
		t.Fatalf("a failed bundle left %d flows behind", len(flows))
	}

	// An invalid operation is caught before anything is sent.
	b = openflow.Bundle{}
	good, _ := openflow.Parse("table=0,priority=10,ip,actions=output:1")
	noActions, _ := openflow.Parse("table=0,priority=10,ip")
	b.Add(good, noActions)
	err = p.Apply(target, &b)
	if !errors.As(err, &be) || be.Op != 1 {
		t.Fatalf("Apply = %v, want a *BundleError for operation 1", err)
	}
	if flows := checkDump(t, sw.Ofctl(t, "dump-flows", "br0")); len(flows) != 0 {
		t.Fatalf("an invalid bundle left %d flows behind", len(flows))
	}
}

// The injection of issue 13: a line feed in one flow's text must not reach
// ovs-ofctl's input as a second flow, whether the flow was parsed or built
// by hand. Nothing of a bundle holding such a flow is installed.
func TestIntegrationInjectedFlowRejected(t *testing.T) {
	sw, target := startBridge(t)
	p := openflow.NewProgrammer(ovs.New(ovs.Timeout(30)))

	const injected = "priority=10,in_port=1 actions=output:2\npriority=65535 actions=drop"
	f, err := openflow.Parse(injected)
	var pe *openflow.ParseError
	if !errors.As(err, &pe) || pe.Column != strings.IndexByte(injected, '\n')+1 || !strings.HasPrefix(pe.Text, "\npriority=65535") {
		t.Errorf("Parse(%q) = %v, want a *ParseError at the line feed", injected, err)
	}
	if f != nil {
		if err := p.Apply(target, new(openflow.Bundle).Add(f)); err == nil {
			t.Errorf("Apply of the injected flow succeeded")
		}
	}

	good := parseSpecs(t, []string{"priority=10,in_port=1,actions=output:2"})[0]
	// Built by hand: an action whose text holds a second flow.
	byHand := parseSpecs(t, []string{"priority=11,in_port=2,actions=output:1"})[0]
	byHand.Actions = append(byHand.Actions, &openflow.Opaque{Action: "output:1\nadd priority=65535,actions=drop"})
	// A delete selector whose raw field holds an add.
	sel := &openflow.Flow{Match: []openflow.MatchField{{Name: "NXM_OF_ETH_TYPE", Value: "(0800)\nadd priority=65535,actions=drop", Raw: true}}}
	// A match value with a carriage return.
	crMatch := parseSpecs(t, []string{"priority=12,in_port=2,actions=output:1"})[0]
	crMatch.Match[0].Value = "2\rpriority=65535"

	for name, b := range map[string]*openflow.Bundle{
		"action":   new(openflow.Bundle).Add(good, byHand),
		"selector": new(openflow.Bundle).Add(good).Delete(sel),
		"match":    new(openflow.Bundle).Add(good, crMatch),
	} {
		err := p.Apply(target, b)
		var be *openflow.BundleError
		if !errors.As(err, &be) || be.Op != 1 {
			t.Errorf("%s: Apply = %v, want a *BundleError for operation 1", name, err)
		}
		if !errors.As(err, &pe) {
			t.Errorf("%s: Apply = %v, want a *ParseError inside", name, err)
		}
	}
	if err := p.Apply("br0\nadd", new(openflow.Bundle).Add(good)); err == nil {
		t.Error("Apply to a target with a line feed succeeded")
	}
	dump := sw.Ofctl(t, "dump-flows", "br0")
	if flows := checkDump(t, dump); len(flows) != 0 || strings.Contains(dump, "priority=65535") {
		t.Fatalf("rejected bundles installed flows:\n%s", dump)
	}
}
