// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func mustParse(t *testing.T, line string) *Flow {
	t.Helper()
	f, err := Parse(line)
	if err != nil {
		t.Fatalf("%v\n%s", err, line)
	}
	if got := f.String(); got != line {
		t.Fatalf("round trip\n got %s\nwant %s", got, line)
	}
	return f
}

func kinds(nodes []Node) []Kind {
	var ks []Kind
	for _, n := range nodes {
		ks = append(ks, n.Kind)
	}
	return ks
}

func TestVerboseTCLine(t *testing.T) {
	f := mustParse(t, "ufid:0d6f33f1-2a3e-4c4b-8f0a-9f2e1b3c4d55, recirc_id(0x2b),dp_hash(0/0),in_port(pf0vf3),ct_state(0x22/0x2f),"+
		"eth(src=0a:58:0a:f4:01:05,dst=0a:58:0a:f4:01:01/ff:ff:ff:00:00:00),eth_type(0x0800),ipv4(src=10.244.1.5/0.0.0.0,dst=10.244.0.0/16,proto=17,ttl=64,frag=no),"+
		"udp(dst=53), packets:1830, bytes:142740, used:0.512s, flags:SP., offloaded:partial, dp:tc, actions:set(eth(dst=0a:58:0a:f4:00:04)),2")
	if !f.HasUFID || f.UFID.String() != "0d6f33f1-2a3e-4c4b-8f0a-9f2e1b3c4d55" {
		t.Errorf("ufid %v", f.UFID)
	}
	if f.InPort() != "pf0vf3" || f.DPLayer() != "tc" || f.OffloadState() != OffloadPartial || f.Stats.TCPFlags != "SP." {
		t.Errorf("in_port %q dp %q offload %q flags %q", f.InPort(), f.DPLayer(), f.OffloadState(), f.Stats.TCPFlags)
	}
	if id, ok := f.RecircID(); !ok || id != 0x2b {
		t.Errorf("recirc_id %d %v", id, ok)
	}
	if f.Stats.Packets != 1830 || f.Stats.Bytes != 142740 {
		t.Errorf("stats %+v", f.Stats)
	}
	if d, ok := f.Stats.Used.Ago(); !ok || d.Milliseconds() != 512 || f.Stats.Used.Never() {
		t.Errorf("used %v %v", d, ok)
	}
	ct, _ := f.Key(KeyCTState)
	if v, _ := ct.Uint(); v != 0x22 {
		t.Errorf("ct_state value %d", v)
	}
	if m, _ := ct.MaskUint(); m != 0x2f {
		t.Errorf("ct_state mask %d", m)
	}
	eth, _ := f.Key(KeyEth)
	dst, _ := eth.Field("dst")
	if m, _ := dst.MaskMAC(); m.String() != "ff:ff:ff:00:00:00" {
		t.Errorf("eth dst mask %v", m)
	}
	if mac, _ := dst.MAC(); mac.String() != "0a:58:0a:f4:01:01" {
		t.Errorf("eth dst %v", mac)
	}
	ip, _ := f.Key(KeyIPv4)
	d, _ := ip.Field("dst")
	if m, err := d.MaskIP(); err != nil || m.String() != "255.255.0.0" {
		t.Errorf("prefix mask %v %v", m, err)
	}
	if d.Type != TypeIPv4 {
		t.Errorf("type %v", d.Type)
	}
	if got := kinds(f.Actions); len(got) != 2 || got[0] != ActionSet || got[1] != ActionOutput {
		t.Errorf("actions %v", got)
	}
}

func TestNestedActions(t *testing.T) {
	line := "recirc_id(0),in_port(1),eth_type(0x0800),ipv4(frag=no), packets:0, bytes:0, used:never, " +
		"actions:clone(ct(commit,zone=3,mark=0x1/0xff,label=0x1/0x1,nat(src=10.0.0.1-10.0.0.9:1000-2000,random)),recirc(0x7))," +
		"check_pkt_len(size=1500,gt(userspace(pid=3,slow_path(action))),le(dec_ttl(le_1(drop)),sample(sample=50.0%,actions(meter(1),3))))," +
		"hash(l4(0)),tnl_pop(genev_sys_6081),push_vlan(vid=10,pcp=3),pop_vlan,lb_output(1),trunc(100)," +
		"psample(group=12,cookie=0x0102),key99(0102),frobnicate(x=1)"
	f := mustParse(t, line)
	want := []Kind{ActionClone, ActionCheckPktLen, ActionHash, ActionTunnelPop, ActionPushVLAN, ActionPopVLAN,
		ActionLBOutput, ActionTrunc, ActionPsample, ActionUnknown, ActionUnknown}
	if got := kinds(f.Actions); len(got) != len(want) {
		t.Fatalf("kinds %v", got)
	} else {
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("action %d: %v, want %v", i, got[i], want[i])
			}
		}
	}
	clone := f.Actions[0].Actions()
	if got := kinds(clone); len(got) != 2 || got[0] != ActionCT || got[1] != ActionRecirc {
		t.Fatalf("clone %v", got)
	}
	nat, ok := clone[0].Field("nat")
	if !ok || !nat.Has("random") {
		t.Errorf("nat %v", nat)
	}
	le := f.Actions[1].Branch("le")
	if got := kinds(le); len(got) != 2 || got[0] != ActionDecTTL || got[1] != ActionSample {
		t.Fatalf("le %v", got)
	}
	if got := kinds(le[0].Actions()); len(got) != 1 || got[0] != ActionDrop {
		t.Errorf("le_1 %v", got)
	}
	if got := kinds(le[1].Actions()); len(got) != 2 || got[0] != ActionMeter || got[1] != ActionOutput {
		t.Errorf("sample actions %v", got)
	}
	gt := f.Actions[1].Branch("gt")
	if len(gt) != 1 || gt[0].Kind != ActionUserspace {
		t.Errorf("gt %v", kinds(gt))
	}
	if !f.Actions[9].Opaque() || !f.Actions[10].Opaque() {
		t.Errorf("unknown actions not opaque")
	}
	if tp := f.Actions[3]; tp.scalar().Value != "genev_sys_6081" {
		t.Errorf("tnl_pop port %q", tp.scalar().Value)
	}
}

func TestTunnelAndEncap(t *testing.T) {
	f := mustParse(t, "tunnel(tun_id=0x5,src=192.168.1.12,dst=192.168.1.11,ttl=64/0,tp_dst=6081,"+
		"geneve({class=0x102,type=0x80,len=4,0x20003/0x7fffffff}{class=0xffff,type=0x1,len=0}),flags(-df+csum+key)),"+
		"in_port(2),eth_type(0x8100),vlan(vid=99,pcp=7),encap(eth_type(0x8847),mpls(label=10,tc=0,ttl=64,bos=0,label=20,tc=0,ttl=64,bos=1)),"+
		"packet_type(ns=1,id=0x800),nsh(flags=0,ttl=63,mdtype=1,np=3,spi=0x10,si=255,c1=0x1),key77(01020304), actions:drop")
	tun, _ := f.Key(KeyTunnel)
	g, ok := tun.Field("geneve")
	if !ok || len(g.Children) != 2 {
		t.Fatalf("geneve options %v", g)
	}
	cls, _ := g.Children[0].Field("class")
	if v, _ := cls.Uint(); v != 0x102 {
		t.Errorf("class %x", v)
	}
	enc, _ := f.Key(KeyEncap)
	if got := kinds(enc.Children); len(got) != 2 || got[1] != KeyMPLS {
		t.Fatalf("encap %v", got)
	}
	labels := 0
	for _, c := range enc.Children[1].Children {
		if c.Name == "label" {
			labels++
		}
	}
	if labels != 2 {
		t.Errorf("mpls stack of %d labels", labels)
	}
	unk, _ := f.Key(KeyUnknown)
	if unk == nil || unk.Name != "key77" || !unk.Opaque() {
		t.Errorf("unknown key %v", unk)
	}
}

func TestTunnelPushHeader(t *testing.T) {
	acts, err := ParseActions("tnl_push(tnl_port(6081),header(size=58,type=5,eth(dst=aa:bb:cc:dd:ee:02,src=0e:45:b8:c9:f1:4a,dl_type=0x0800)," +
		"ipv4(src=172.31.0.1,dst=172.31.0.2,proto=17,tos=0,ttl=64,frag=0x4000),udp(src=0,dst=6081,csum=0x0),geneve(crit,vni=0x5,options({class=0x102,type=0x80,len=4,0x30002}))),out_port(3))")
	if err != nil || acts[0].Kind != ActionTunnelPush {
		t.Fatalf("geneve header with options: %v", err)
	}
	s := "tnl_push(tnl_port(6081),header(size=58,type=5,eth(dst=aa:bb:cc:dd:ee:02,src=0e:45:b8:c9:f1:4a,dl_type=0x0800)," +
		"ipv4(src=172.31.0.1,dst=172.31.0.2,proto=17,tos=0,ttl=64,frag=0x4000),udp(src=0,dst=6081,csum=0x0),geneve(vni=0x5)),out_port(3))"
	if _, err := ParseActions(s); err == nil {
		t.Fatalf("wrong size accepted (58 bytes for a header of 50)")
	}
	s = strings.Replace(s, "size=58", "size=50", 1)
	acts, err = ParseActions(s)
	if err != nil {
		t.Fatal(err)
	}
	if acts[0].Kind != ActionTunnelPush || FormatActions(acts) != s {
		t.Errorf("%v %s", acts[0].Kind, FormatActions(acts))
	}
	h, _ := acts[0].Field("header")
	ip, _ := h.Field("ipv4")
	dst, _ := ip.Field("dst")
	if a, _ := dst.IP(); a.String() != "172.31.0.2" {
		t.Errorf("outer dst %v", a)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, text string }{
		{"in_port(1),eth(src=00:01:02:03:04:zz), actions:1", "src=00:01:02:03:04:zz"},
		{"in_port(1),ipv4(src=1.2.3.4,proto=x), actions:1", "proto=x"},
		{"in_port(1), packets:1, actions:1", "actions:1"},
		{"in_port(1), actions:1, packets:1, bytes:1, used:never", "packets:1"},
		{"in_port(1), packets:x, bytes:1, used:never, actions:1", "packets:x"},
		{"in_port(1), offloaded:maybe, actions:1", "offloaded:maybe"},
		{"in_port(1), packets:1, bytes:1, used:soon, actions:1", "used:soon"},
		{"in_port(1), packets:1, bytes:1, used:never, flags:, actions:1", "flags:, actions:1"},
		{"in_port(1), packets:1, bytes:1, used:never, flags:SX, actions:1", "flags:SX"},
		{"in_port(1),eth(, actions:1", ", actions:1"},
		{"in_port(1), actions:ct(commit,zone=x)", "zone=x"},
		{"in_port(1), actions:ct(bogus)", "bogus)"},
		{"in_port(1), actions:2/3", "2/3"},
		{"ufid:xyz, in_port(1)", "xyz, in_port(1)"},
		{"in_port(1),(a), actions:1", "(a), actions:1"},
		{"in_port(1), actions:set(eth(),ipv4())", "set(eth(),ipv4())"},
	} {
		_, err := Parse(tc.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%q: accepted or not a *ParseError: %v", tc.in, err)
			continue
		}
		if !strings.HasPrefix(pe.Text, tc.text) || tc.in[pe.Column-1:][:len(pe.Text)] != pe.Text {
			t.Errorf("%q: error at column %d %q, want at %q (%v)", tc.in, pe.Column, pe.Text, tc.text, err)
		}
	}
}

func TestScannerLineNumbers(t *testing.T) {
	in := "flow-dump from pmd on cpu core: 7\n\nrecirc_id(0),in_port(1), packets:0, bytes:0, used:never, actions:drop\r\n" +
		"recirc_id(0),in_port(1),eth(src=zz), packets:0, bytes:0, used:never, actions:drop\n" +
		"recirc_id(0),in_port(2), packets:0, bytes:0, used:never, actions:1"
	sc := NewScanner(strings.NewReader(in))
	sc.KeepGoing = true
	var lines []int
	var errLine int
	for sc.Scan() {
		if h, ok := sc.Header(); ok {
			if h.PMDCore != 7 || h.Main || sc.Flow() != nil {
				t.Errorf("header %+v", h)
			}
			continue
		}
		if err := sc.LineErr(); err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != 4 || pe.Column != 29 {
				t.Errorf("line error %v", err)
			}
			errLine = sc.Line()
			continue
		}
		lines = append(lines, sc.Line())
		if h, ok := sc.Thread(); !ok || h.PMDCore != 7 {
			t.Errorf("thread %+v %v", h, ok)
		}
		if sc.Flow().String() != sc.Text() {
			t.Errorf("line %d round trip", sc.Line())
		}
	}
	if sc.Err() != nil || errLine != 4 || len(lines) != 2 || lines[0] != 3 || lines[1] != 5 {
		t.Errorf("lines %v err line %d err %v", lines, errLine, sc.Err())
	}
	// Without KeepGoing the scan stops at the bad line.
	sc = NewScanner(strings.NewReader(in))
	n := 0
	for sc.Scan() {
		n++
	}
	var pe *ParseError
	if !errors.As(sc.Err(), &pe) || pe.Line != 4 || n != 2 {
		t.Errorf("stop at error: n=%d err=%v", n, sc.Err())
	}
}

func TestScannerLongLine(t *testing.T) {
	acts := strings.Repeat("1,", 60000) + "2"
	in := "in_port(1), packets:0, bytes:0, used:never, actions:" + acts + "\n"
	sc := NewScanner(strings.NewReader(in))
	if !sc.Scan() || len(sc.Flow().Actions) != 60001 || sc.Flow().String() != in[:len(in)-1] {
		t.Fatalf("long line: %v", sc.Err())
	}
}

func TestJSON(t *testing.T) {
	f := mustParse(t, "ufid:0d6f33f1-2a3e-4c4b-8f0a-9f2e1b3c4d55, recirc_id(0x2b),in_port(3),ipv4(src=10.0.0.1,ttl=64/0xff),ct_state(+trk-inv), "+
		"packets:5, bytes:500, used:never, offloaded:yes, dp:tc, actions:ct(zone=3),4, dp-extra-info:miniflow_bits(4,1)")
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		UFID     string  `json:"ufid"`
		InPort   float64 `json:"in_port"`
		RecircID int     `json:"recirc_id"`
		Match    []struct {
			Kind     string `json:"kind"`
			Value    any    `json:"value"`
			Flags    []Flag `json:"flags"`
			Children []struct {
				Name  string `json:"name"`
				Type  string `json:"type"`
				Value any    `json:"value"`
				Mask  any    `json:"mask"`
			} `json:"children"`
		} `json:"match"`
		Packets   int    `json:"packets"`
		DP        string `json:"dp"`
		Offloaded string `json:"offloaded"`
		Actions   []struct {
			Kind  string `json:"kind"`
			Value any    `json:"value"`
		} `json:"actions"`
		ExtraInfo string `json:"dp_extra_info"`
		Text      string `json:"text"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.UFID != "0d6f33f1-2a3e-4c4b-8f0a-9f2e1b3c4d55" || got.InPort != 3 || got.RecircID != 0x2b ||
		got.Packets != 5 || got.DP != "tc" || got.Offloaded != "yes" || got.ExtraInfo != "miniflow_bits(4,1)" || got.Text != f.String() {
		t.Errorf("%s", b)
	}
	ip := got.Match[2]
	if ip.Kind != "ipv4" || ip.Children[0].Type != "ipv4" || ip.Children[0].Value != "10.0.0.1" ||
		ip.Children[1].Value != float64(64) || ip.Children[1].Mask != float64(255) {
		t.Errorf("ipv4 %s", b)
	}
	if ct := got.Match[3]; ct.Kind != "ct_state" || len(ct.Flags) != 2 || ct.Flags[1] != (Flag{"inv", false}) {
		t.Errorf("ct_state flags %s", b)
	}
	if got.Actions[0].Kind != "ct" || got.Actions[1].Kind != "output" || got.Actions[1].Value != float64(4) {
		t.Errorf("actions %s", b)
	}
}

func TestDumpArgv(t *testing.T) {
	pmd, badPMD := -1, -2
	args, err := DumpOptions{Verbose: true, NoNames: true, Filter: "ip,in_port=2", PMD: &pmd}.Args()
	if err != nil || strings.Join(args, " ") != "-m --no-names filter=ip,in_port=2 pmd=-1" {
		t.Errorf("args %q, %v", args, err)
	}
	argv, err := DumpOptions{Target: "/run/ovs/ovs-vswitchd.1.ctl", Verbose: true, Names: true,
		Datapath: "netdev@ovs-netdev", Types: []string{"tc", "offloaded"}}.Argv()
	if err != nil {
		t.Fatal(err)
	}
	want := "ovs-appctl -t /run/ovs/ovs-vswitchd.1.ctl dpctl/dump-flows -m --names netdev@ovs-netdev type=tc,offloaded"
	if strings.Join(argv, " ") != want {
		t.Errorf("argv %q", argv)
	}
	for _, o := range []DumpOptions{
		{Target: "-x"}, {Types: []string{"tc;rm"}}, {Types: []string{""}}, {Names: true, NoNames: true}, {Datapath: "--help"},
		{Filter: "in_port(1) x"}, {Filter: "in_port(1)\x1b"}, {Datapath: "a\x00b"}, {PMD: &badPMD},
	} {
		if _, err := o.Argv(); err == nil {
			t.Errorf("%+v accepted", o)
		}
		if _, err := DumpRaw(t.Context(), o); err == nil {
			t.Errorf("%+v: DumpRaw ran", o)
		}
	}
}

func TestFlagsAndMPLS(t *testing.T) {
	f := mustParse(t, "ct_state(+trk-new+est),tcp_flags(syn|ack),eth_type(0x8847),mpls(label=22/0xfffff,tc=0/0,ttl=64/0x0,bos=0/1,label=7,tc=1,ttl=2,bos=1)")
	ct, _ := f.Key(KeyCTState)
	fl, err := ct.Flags()
	if err != nil || len(fl) != 3 || fl[0] != (Flag{"trk", true}) || fl[1] != (Flag{"new", false}) || fl[2] != (Flag{"est", true}) {
		t.Errorf("ct_state flags %v %v", fl, err)
	}
	tf, _ := f.Key(KeyTCPFlags)
	if fl, _ := tf.Flags(); len(fl) != 2 || fl[1] != (Flag{"ack", true}) {
		t.Errorf("tcp flags %v", fl)
	}
	m, _ := f.Key(KeyMPLS)
	st, err := m.MPLSStack()
	if err != nil || len(st) != 2 || st[0].Label != 22 || st[0].LabelMask != 0xfffff || st[0].TCMask != 0 || st[0].BOSMask != 1 ||
		st[1].Label != 7 || st[1].TTL != 2 || st[1].BOS != 1 || st[1].TTLMask != ^uint64(0) {
		t.Errorf("mpls %+v %v", st, err)
	}
	g := mustParse(t, "ct_state(0x22/0x2f),recirc_id(0)")
	ct, _ = g.Key(KeyCTState)
	fl, _ = ct.Flags()
	want := []Flag{{"new", false}, {"est", true}, {"rel", false}, {"rpl", false}, {"trk", true}}
	if len(fl) != len(want) {
		t.Fatalf("hex ct_state %v", fl)
	}
	for i := range want {
		if fl[i] != want[i] {
			t.Errorf("hex ct_state %v, want %v", fl, want)
		}
	}
}

func TestEqual(t *testing.T) {
	a := mustParse(t, "recirc_id(0),in_port(1),eth(src=00:00:00:00:00:01), packets:1, bytes:2, used:never, actions:ct(zone=1),2")
	b := mustParse(t, "recirc_id(0),in_port(1),eth(src=00:00:00:00:00:01), packets:1, bytes:2, used:never, actions:ct(zone=1),2")
	if !a.Equal(b) || !a.Clone().Equal(a) {
		t.Error("equal flows differ")
	}
	for _, other := range []string{
		"recirc_id(0),in_port(1),eth(src=00:00:00:00:00:02), packets:1, bytes:2, used:never, actions:ct(zone=1),2",
		"recirc_id(0),in_port(1),eth(src=00:00:00:00:00:01), packets:1, bytes:3, used:never, actions:ct(zone=1),2",
		"recirc_id(0),in_port(1),eth(src=00:00:00:00:00:01), packets:1, bytes:2, used:never, actions:ct(zone=2),2",
		"recirc_id(0),in_port(1),eth(src=00:00:00:00:00:01), packets:1, bytes:2, used:never, dp:tc, actions:ct(zone=1),2",
	} {
		if a.Equal(mustParse(t, other)) {
			t.Errorf("equal to %s", other)
		}
	}
}

func TestParseActionsRejectsTrailingText(t *testing.T) {
	for _, s := range []string{"1,2, dp-extra-info:x", "1, packets:1", "ct(", "1,,2", ""} {
		if acts, err := ParseActions(s); err == nil && s != "" {
			t.Errorf("%q accepted: %v", s, acts)
		}
	}
	if acts, err := ParseActions(""); err != nil || len(acts) != 0 {
		t.Errorf("empty action list: %v %v", acts, err)
	}
}

func TestShortMAC(t *testing.T) {
	f := mustParse(t, "in_port(1),eth(src=50:54:0:0:0:1,dst=50:54:00:00:00:0a/ff:ff:ff:ff:ff:0)")
	eth, _ := f.Key(KeyEth)
	src, _ := eth.Field("src")
	if m, err := src.MAC(); err != nil || m.String() != "50:54:00:00:00:01" {
		t.Errorf("short mac %v %v", m, err)
	}
	dst, _ := eth.Field("dst")
	if m, err := dst.MaskMAC(); err != nil || m.String() != "ff:ff:ff:ff:ff:00" {
		t.Errorf("short mask %v %v", m, err)
	}
}

func TestFormatHandBuilt(t *testing.T) {
	acts := []Node{
		{Name: "ct", Children: []Node{{Value: "commit"}, {Name: "zone", Value: "5"}, {Name: "mark", Value: "0x1", Mask: "0xff"}}},
		{Value: "2"},
	}
	if got := FormatActions(acts); got != "ct(commit,zone=5,mark=0x1/0xff),2" {
		t.Errorf("got %s", got)
	}
	if _, err := ParseActions(FormatActions(acts)); err != nil {
		t.Error(err)
	}
}

// TestParseUFIDStrayDash: a dash where a hex digit belongs is rejected (it
// used to index past the end of the UFID).
func TestParseUFIDStrayDash(t *testing.T) {
	for _, s := range []string{
		"b86a2a4a-58a8-4a0b-9b5b-2d0b2b8c7a-1",
		"b86a2a4a-58a8-4a0b-9b5b-2d0b2b8c7a1-",
		"b86a2a4a-58a8-4a0b-9b5b-2d0b2b8c7A11",
		"-86a2a4a-58a8-4a0b-9b5b-2d0b2b8c7a11",
	} {
		if _, ok := ParseUFID(s); ok {
			t.Errorf("ParseUFID(%q) accepted", s)
		}
		if _, err := Parse("ufid:" + s + ", in_port(1), packets:0, bytes:0, used:never, actions:drop"); err == nil {
			t.Errorf("Parse accepted ufid %q", s)
		}
	}
	u, ok := ParseUFID("b86a2a4a-58a8-4a0b-9b5b-2d0b2b8c7a11")
	if !ok || u.String() != "b86a2a4a-58a8-4a0b-9b5b-2d0b2b8c7a11" {
		t.Fatalf("ParseUFID round trip: %v %v", u, ok)
	}
}

// The strings of a flow (its line's text, its values) keep their contents
// after later Scans, whichever block of the Scanner holds them, long lines
// included.
func TestScannerStringsOutliveScan(t *testing.T) {
	var in strings.Builder
	var want []string
	for i := 0; i < 3000; i++ {
		acts := "2"
		if i%500 == 7 {
			acts = strings.Repeat("3,", internChunk/4) + "4" // a line of its own allocation
		}
		l := fmt.Sprintf("in_port(p%d),eth_type(0x%04x), packets:%d, bytes:0, used:never, actions:%s", i, i, i, acts)
		want = append(want, l)
		in.WriteString(l + "\n")
	}
	sc := NewScanner(strings.NewReader(in.String()))
	var texts, ports []string
	for sc.Scan() {
		texts = append(texts, sc.Text())
		ports = append(ports, sc.Flow().InPort())
	}
	if sc.Err() != nil || len(texts) != len(want) {
		t.Fatalf("scanned %d lines: %v", len(texts), sc.Err())
	}
	for i := range want {
		if texts[i] != want[i] || ports[i] != fmt.Sprintf("p%d", i) {
			t.Fatalf("line %d changed after later Scans: %.60q, in_port %q", i+1, texts[i], ports[i])
		}
	}
}
