// SPDX-License-Identifier: Apache-2.0

package openflow

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

const sampleDump = `NXST_FLOW reply (xid=0x4):
 cookie=0x0, duration=5.028s, table=0, n_packets=0, n_bytes=0, idle_age=5, priority=100,in_port="vm 1" actions=resubmit(,8)

 cookie=0x8f2d, duration=5.027s, table=8, n_packets=?, n_bytes=?, reset_counts priority=50,packet_type=(1,0x800),ct_state=-new+est-rel+trk actions=conjunction(12,1/2),conjunction(13,2/3)
OFPST_FLOW reply (OF1.3) (xid=0x2):
 cookie=0x0, duration=1.000000001s, table=9, n_packets=1, n_bytes=2, hard_timeout=30, importance=7, priority=1 actions=ct(commit,zone=5,nat(src=10.0.0.1:1000-2000,persistent,random),exec(set_field:0x1/0x1->ct_mark)),controller(userdata=00.00.00.1b.00.00.00.00,pause,meter_id=4)
 cookie=0x0, duration=1s, table=9, n_packets=1, n_bytes=2, priority=1 actions=output:1,,
`

func TestScanner(t *testing.T) {
	sc := NewScanner(strings.NewReader(sampleDump))
	var lines []int
	var flows []*Flow
	var perr *ParseError
	for sc.Scan() {
		f, err := sc.Flow()
		if err != nil {
			if !errors.As(err, &perr) {
				t.Fatalf("error %T", err)
			}
			continue
		}
		lines = append(lines, sc.Line())
		flows = append(flows, f)
		if got := Format(f); got != sc.Text() {
			t.Errorf("line %d: round trip\n in: %s\nout: %s", sc.Line(), sc.Text(), got)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if want := []int{2, 4, 6}; len(lines) != 3 || lines[0] != want[0] || lines[1] != want[1] || lines[2] != want[2] {
		t.Fatalf("flow lines %v, want %v", lines, want)
	}
	// " cookie=0x0, ... actions=output:1,," : the empty action is at byte 94 of the line as read.
	if perr == nil || perr.Line != 7 || perr.Column != strings.Index(strings.Split(sampleDump, "\n")[6], ",,")+2 {
		t.Fatalf("parse error %+v, want line 7", perr)
	}
	if got, ok := flows[0].InPort(); !ok || got != "vm 1" {
		t.Errorf("in_port name %q", got)
	}
	f := flows[1]
	if f.Packets != Unknown || f.Bytes != Unknown || f.Flags != ResetCounts || f.Table != 8 {
		t.Errorf("header %+v", f)
	}
	if ns, typ, err := f.Match[0].PacketType(); err != nil || ns != 1 || typ != 0x800 {
		t.Errorf("packet_type %d %#x %v", ns, typ, err)
	}
	if set, clr, ok := f.Match[1].FlagSet(); !ok || strings.Join(set, ",") != "est,trk" || strings.Join(clr, ",") != "new,rel" {
		t.Errorf("ct_state %v %v", set, clr)
	}
	if c, ok := f.Actions[1].(*Conjunction); !ok || c.ID != 13 || c.Clause != 2 || c.NClauses != 3 {
		t.Errorf("conjunction %#v", f.Actions[1])
	}
	f = flows[2]
	if f.Duration != 1000000001 || f.HardTimeout != 30 || f.Importance != 7 {
		t.Errorf("header %+v", f)
	}
	ct, ok := f.Actions[0].(*CT)
	if !ok || !ct.Commit || ct.Zone != "5" || ct.NAT == nil || ct.NAT.Kind != "src" || ct.NAT.Range != "10.0.0.1:1000-2000" || len(ct.NAT.Flags) != 2 {
		t.Fatalf("ct %#v", f.Actions[0])
	}
	if sf, ok := ct.Exec[0].(*SetField); !ok || sf.Value != "0x1/0x1" || sf.Field != "ct_mark" {
		t.Errorf("exec %#v", ct.Exec[0])
	}
	c, ok := f.Actions[1].(*Controller)
	if !ok || !c.Pause || c.MeterID != 4 || c.UserData != "00.00.00.1b.00.00.00.00" || c.MaxLen != 65535 {
		t.Errorf("controller %#v", f.Actions[1])
	}

	js, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	acts := back["actions"].([]any)
	first := acts[0].(map[string]any)
	if first["type"] != "ct" || first["zone"] != "5" || first["actions"].([]any)[0].(map[string]any)["type"] != "set_field" {
		t.Errorf("json actions %s", js)
	}
	if back["text"] != Format(f) || back["hard_timeout"].(float64) != 30 {
		t.Errorf("json %s", js)
	}
}

func TestIsReplyHeader(t *testing.T) {
	for _, h := range []string{"NXST_FLOW reply (xid=0x4):", "OFPST_FLOW reply (OF1.3) (xid=0x2):", " OFPST_FLOW reply (OF1.5) (xid=0x2): ", "OFPST_FLOW reply (OF1.5) (xid=0x2): flags=[more]"} {
		if !IsReplyHeader(h) {
			t.Errorf("%q not a header", h)
		}
	}
	for _, h := range []string{"cookie=0x0, actions=drop", "NXST_FLOW reply", ""} {
		if IsReplyHeader(h) {
			t.Errorf("%q is a header", h)
		}
	}
}

func TestFormatSpec(t *testing.T) {
	f, err := Parse(" cookie=0x2a, duration=1.5s, table=3, n_packets=1, n_bytes=2, idle_timeout=10, send_flow_rem priority=7,ip,nw_dst=10.0.0.0/8 actions=output:2")
	if err != nil {
		t.Fatal(err)
	}
	want := "cookie=0x2a,table=3,idle_timeout=10,send_flow_rem,priority=7,ip,nw_dst=10.0.0.0/8,actions=output:2"
	if got := f.FormatSpec(); got != want {
		t.Errorf("FormatSpec = %s, want %s", got, want)
	}
	if p, err := f.Match[1].Prefix(); err != nil || p.String() != "10.0.0.0/8" {
		t.Errorf("prefix %v %v", p, err)
	}
	g, err := Parse(want)
	if err != nil || g.FormatSpec() != want {
		t.Errorf("spec round trip: %v %s", err, g.FormatSpec())
	}
}

func TestBarePortNamesKeepCase(t *testing.T) {
	f, err := Parse("in_port=Eth0,actions=Eth1,POP_VLAN,Local,DROP")
	if err != nil {
		t.Fatal(err)
	}
	want := "in_port=Eth0 actions=output:Eth1,pop_vlan,LOCAL,drop"
	if got := Format(f); got != want {
		t.Errorf("Format = %s, want %s", got, want)
	}
}
