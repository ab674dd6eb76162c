// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"encoding/json"
	"strings"
	"testing"
)

// Lines shaped as OVS forks print them (issue 17, item 2): NVIDIA's fork
// prints mega_ufid: after the ufid; Yusur's prints offload_packets: and
// offload_bytes: among the statistics and joins some fields with ','
// alone, in its own order (dp: before offloaded:).
const (
	vendorMegaUFID       = "ufid:2a6058c4-70b1-4db0-9f5f-4d3e8b7fdd3a, mega_ufid:e8b3d054-c036-4e72-967a-9afedf497455, recirc_id(0),in_port(pf0vf0),eth(src=00:00:5e:00:01:b2,dst=10:70:fd:3b:a8:1a),eth_type(0x0800),ipv4(frag=no), packets:12, bytes:1200, used:0.260s, offloaded:yes, dp:dpdk, actions:pf0vf1, dp-extra-info:miniflow_bits(9,2)"
	vendorYusur          = "ufid:67c2e10f-92d4-4574-be70-d072815ff166, recirc_id(0),in_port(pf0vf0),eth_type(0x0800),ipv4(frag=no), packets:75021, bytes:109521630, offload_packets:75019, offload_bytes:109521498, used:3.990s,offloaded:yes,dp:tc, actions:pf0vf1"
	vendorYusurReordered = "ufid:7940666e-a0bd-42a5-8116-1e84e81bb338, recirc_id(0),in_port(pf0vf1),eth_type(0x0800),ipv4(frag=no), packets:6946, bytes:459664, offload_packets:6944, offload_bytes:459532, used:4.170s, dp:tc,offloaded:yes,actions:pf0vf0"
)

func TestVendorFields(t *testing.T) {
	for _, tc := range []struct {
		line   string
		fields []Field
		off    Offload
		dp     string
	}{
		{vendorMegaUFID, []Field{{Name: "mega_ufid", Value: "e8b3d054-c036-4e72-967a-9afedf497455", Type: TypeUFID, BeforeMatch: true}}, OffloadYes, "dpdk"},
		{vendorYusur, []Field{{Name: "offload_packets", Value: "75019", Type: TypeUint}, {Name: "offload_bytes", Value: "109521498", Type: TypeUint}}, OffloadYes, "tc"},
		{vendorYusurReordered, []Field{{Name: "offload_packets", Value: "6944", Type: TypeUint}, {Name: "offload_bytes", Value: "459532", Type: TypeUint}}, OffloadYes, "tc"},
		{"in_port(1), packets:1, bytes:2, used:never, actions:drop, dp-offload-info:'a, b(c)'", []Field{{Name: "dp-offload-info", Value: "'a, b(c)'", Type: TypeString}}, "", ""},
	} {
		f, err := Parse(tc.line)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if s := f.String(); s != tc.line {
			t.Errorf("round trip\n got %s\nwant %s", s, tc.line)
		}
		if len(f.Fields) != len(tc.fields) {
			t.Fatalf("fields %+v, want %+v", f.Fields, tc.fields)
		}
		for i, want := range tc.fields {
			got := f.Fields[i]
			if got.Name != want.Name || got.Value != want.Value || got.Type != want.Type || got.BeforeMatch != want.BeforeMatch {
				t.Errorf("field %d: %+v, want %+v", i, got, want)
			}
		}
		if f.OffloadState() != tc.off || f.DPLayer() != tc.dp || !f.HasActions || len(f.Actions) != 1 {
			t.Errorf("%s: offloaded %q dp %q actions %v", tc.line, f.OffloadState(), f.DPLayer(), f.Actions)
		}
		if c := f.Clone(); !c.Equal(f) || c.String() != tc.line {
			t.Errorf("clone differs: %s", c)
		}
		b, err := json.Marshal(f)
		if err != nil || !strings.Contains(string(b), `"fields":[{"name":"`+tc.fields[0].Name) {
			t.Errorf("JSON %s, %v", b, err)
		}
		// The Scanner gives the same flow, and its Fields survive the next line.
		sc := NewScanner(strings.NewReader(tc.line + "\n" + vendorYusur + "\n"))
		if !sc.Scan() || sc.Flow() == nil || !sc.Flow().Equal(f) {
			t.Fatalf("scanner: %v %v", sc.LineErr(), sc.Err())
		}
		kept := sc.Flow().Fields
		sc.Scan()
		if kept[0] != f.Fields[0] {
			t.Errorf("the next Scan changed a kept field: %+v", kept[0])
		}
	}
	if f, _ := Parse(vendorYusur); f.Stats.Packets != 75021 || f.Stats.Bytes != 109521630 || f.Stats.Used != "3.990s" {
		t.Errorf("stats %+v", f.Stats)
	}
	if f, _ := Parse(vendorYusur); func() bool {
		x, ok := f.Field("offload_packets")
		n, err := x.Uint()
		return !ok || err != nil || n != 75019
	}() {
		t.Error("Field(offload_packets).Uint")
	}
	if f, _ := Parse(vendorMegaUFID); func() bool {
		x, ok := f.Field("mega_ufid")
		u, uok := x.UFID()
		return !ok || !uok || u.String() != x.Value
	}() {
		t.Error("Field(mega_ufid).UFID")
	}
}

// OVS's own fields keep their rules: repeated or misplaced ones, a field
// without a value's end, a separator that is neither ", " nor ',' before
// another field are refused.
func TestVendorFieldsRefused(t *testing.T) {
	for _, l := range []string{
		"in_port(1), packets:1, bytes:2, used:never, dp:tc, dp:tc, actions:drop",
		"in_port(1), dp:tc, packets:1, bytes:2, used:never, actions:drop",
		"in_port(1), actions:drop, dp:tc",
		"in_port(1), packets:1, offload_packets:1, used:never, actions:drop",
		"in_port(1), vendor:'unterminated, actions:drop",
		"in_port(1), vendor:a), actions:drop",
		"in_port(1), packets:1, bytes:2, used:never,,dp:tc, actions:drop",
		"in_port(1), packets:1, bytes:2, used:never,  dp:tc, actions:drop",
		"ufid:2a6058c4-70b1-4db0-9f5f-4d3e8b7fdd3a, mega_ufid:x",
		"ufid:2a6058c4-70b1-4db0-9f5f-4d3e8b7fdd3a, mega_ufid:x,in_port(1)",
	} {
		if f, err := Parse(l); err == nil {
			t.Errorf("accepted %q as %s", l, f)
		}
	}
}

// Fields are not bounded by a small number: 1,000 of them (the layout's
// index once wrapped at 128) round-trip.
func TestVendorManyFields(t *testing.T) {
	var b strings.Builder
	b.WriteString("in_port(1), packets:1, bytes:2, used:never")
	for i := range 1000 {
		b.WriteString(",x")
		b.WriteString(strings.Repeat("y", i%7))
		b.WriteString(":1")
	}
	b.WriteString(", actions:drop")
	f, err := Parse(b.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Fields) != 1000 || f.String() != b.String() {
		t.Errorf("%d fields; round trip %v", len(f.Fields), f.String() == b.String())
	}
}
