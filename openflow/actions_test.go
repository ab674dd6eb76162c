// SPDX-License-Identifier: Apache-2.0

package openflow

import (
	"reflect"
	"testing"
)

// TestActionsTyped checks the typed value of every modelled action and that
// its canonical text is the input.
func TestActionsTyped(t *testing.T) {
	cases := []struct {
		in   string
		want Action
	}{
		{"output:1", &Output{Port: "1"}},
		{`output:"my port"`, &Output{Port: `"my port"`}},
		{"output(port=2,max_len=64)", &Output{Port: "2", MaxLen: 64}},
		{"output:NXM_NX_REG15[0..15]", &Output{Port: "NXM_NX_REG15[0..15]"}},
		{"NORMAL", &Output{Port: "NORMAL"}},
		{"IN_PORT", &Output{Port: "IN_PORT"}},
		{"resubmit(,8)", &Resubmit{Table: 8}},
		{"resubmit:3", &Resubmit{Port: "3", Table: -1}},
		{"resubmit(1,16,ct)", &Resubmit{Port: "1", Table: 16, CT: true}},
		{"resubmit(,one)", &Resubmit{Table: -1, TableName: "one"}},
		{"conjunction(4294967295,2/3)", &Conjunction{ID: 4294967295, Clause: 2, NClauses: 3}},
		{"CONTROLLER:65535", &Controller{MaxLen: 65535, MeterID: -1}},
		{"controller(reason=no_match,max_len=123,id=456,userdata=00.00.00.12,pause,meter_id=12)",
			&Controller{MaxLen: 123, Reason: "no_match", ID: 456, UserData: "00.00.00.12", Pause: true, MeterID: 12}},
		{"ct(commit,force,table=12,zone=NXM_NX_REG13[0..15],nat(dst=[fe80::1]:80),exec(set_field:0x1/0x1->ct_mark),alg=ftp,timeout=tp1)",
			&CT{Commit: true, Force: true, Table: 12, Zone: "NXM_NX_REG13[0..15]", NAT: &NAT{Kind: "dst", Range: "[fe80::1]:80"},
				Exec: []Action{&SetField{Value: "0x1/0x1", Field: "ct_mark"}}, Alg: "ftp", Timeout: "tp1"}},
		{"ct(nat)", &CT{Table: -1, NAT: &NAT{}}},
		{"ct_clear", &Keyword{Word: "ct_clear"}},
		{"learn(table=17,idle_timeout=30,delete_learned,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_NX_REG14[]->NXM_NX_REG15[],output:NXM_OF_IN_PORT[])",
			&Learn{Args: []LearnArg{{Key: "table", Sep: "=", Value: "17"}, {Key: "idle_timeout", Sep: "=", Value: "30"}, {Key: "delete_learned"},
				{Key: "NXM_OF_ETH_DST[]", Sep: "=", Value: "NXM_OF_ETH_SRC[]"}, {Key: "load", Sep: ":", Value: "NXM_NX_REG14[]->NXM_NX_REG15[]"},
				{Key: "output", Sep: ":", Value: "NXM_OF_IN_PORT[]"}}}},
		{"move:NXM_OF_ETH_SRC[]->NXM_NX_XXREG0[0..47]", &Move{Src: "NXM_OF_ETH_SRC[]", Dst: "NXM_NX_XXREG0[0..47]"}},
		{"load:0x1->NXM_NX_REG10[0]", &Load{Value: "0x1", Dst: "NXM_NX_REG10[0]"}},
		{"set_field:fe80::1->ipv6_src", &SetField{Value: "fe80::1", Field: "ipv6_src"}},
		{"push:NXM_NX_REG14[]", &Push{Field: "NXM_NX_REG14[]"}},
		{"pop:NXM_NX_REG14[]", &Pop{Field: "NXM_NX_REG14[]"}},
		{"group:7", &Group{ID: 7}},
		{"meter:4", &Meter{ID: 4}},
		{"goto_table:3", &GotoTable{Table: "3"}},
		{"note:00.01.02", &Note{Data: "00.01.02"}},
		{"check_pkt_larger(1514)->NXM_NX_REG9[1]", &CheckPktLarger{Len: 1514, Dst: "NXM_NX_REG9[1]"}},
		{"dec_ttl", &DecTTL{IDs: []uint16{0}}},
		{"dec_ttl()", &DecTTL{}},
		{"dec_ttl(1,2)", &DecTTL{IDs: []uint16{1, 2}}},
		{"mod_dl_src:00:00:00:00:ff:01", &Mod{Action: "mod_dl_src", Value: "00:00:00:00:ff:01"}},
		{"push_vlan:0x8100", &Mod{Action: "push_vlan", Value: "0x8100"}},
		{"clone(ct_clear,resubmit(,15))", &Clone{Actions: []Action{&Keyword{Word: "ct_clear"}, &Resubmit{Table: 15}}}},
		{"write_actions(output:13)", &WriteActions{Actions: []Action{&Output{Port: "13"}}}},
		{"sample(probability=12345,collector_set_id=23456)", &Opaque{Action: "sample", Sep: "(", Arg: "probability=12345,collector_set_id=23456"}},
		{"bundle(eth_src,0,hrw,ofport,members:4,8)", &Opaque{Action: "bundle", Sep: "(", Arg: "eth_src,0,hrw,ofport,members:4,8"}},
		{"drop", &Drop{}},
	}
	for _, c := range cases {
		acts, err := ParseActions(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if len(acts) != 1 || !reflect.DeepEqual(acts[0], c.want) {
			t.Errorf("%s:\n got %#v\nwant %#v", c.in, acts[0], c.want)
			continue
		}
		if got := FormatAction(acts[0]); got != c.in {
			t.Errorf("FormatAction = %s, want %s", got, c.in)
		}
	}
}

// TestActionsNormalize checks the add-flow spellings that Format rewrites.
func TestActionsNormalize(t *testing.T) {
	cases := map[string]string{
		"2":                            "output:2",
		"output=2":                     "output:2",
		"controller":                   "CONTROLLER:65535",
		"controller:200":               "CONTROLLER:200",
		"controller(max_len=1,id=2)":   "controller(max_len=1,id=2)",
		"ct(zone=10, table=2, commit)": "ct(commit,table=2,zone=10)",
		"ct(exec(load:1->NXM_NX_CT_MARK[]),commit,nat(src=10.0.0.1))": "ct(commit,nat(src=10.0.0.1),exec(load:1->NXM_NX_CT_MARK[]))",
		"set_field(1->ct_label)": "set_field:1->ct_label",
		"resubmit(IN_PORT,3)":    "resubmit(,3)",
		"resubmit(7)":            "resubmit:7",
		"STRIP_VLAN":             "strip_vlan",
		"":                       "drop",
	}
	for in, want := range cases {
		acts, err := ParseActions(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got := string(appendActions(nil, acts)); got != want {
			t.Errorf("%q formats as %q, want %q", in, got, want)
		}
	}
}
