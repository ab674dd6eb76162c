// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"encoding/json"
	"strings"
	"testing"
)

// Lines with fields upstream OVS does not print, as OVS-DOCA builds add
// them: dp-offload-info before and after actions:, a
// vendor statistic right after the match.
var opaqueLines = []struct {
	line, info string
	names      []string
}{
	{"ufid:1c2d3e4f-0000-4000-8000-000000000001, recirc_id(0),in_port(pf0vf7),eth_type(0x0800),ipv4(frag=no), packets:5, bytes:490, used:0.1s, dp:ovs, dp-offload-info:'match unsupported: ipv4(frag=no), actions unsupported: userspace', actions:ct(zone=5),recirc(0x1)",
		"match unsupported: ipv4(frag=no), actions unsupported: userspace", []string{"dp-offload-info"}},
	{"ufid:1c2d3e4f-0000-4000-8000-000000000002, recirc_id(0),in_port(pf0vf7),eth_type(0x0806), packets:2, bytes:84, used:1.0s, dp:ovs, actions:userspace(pid=0,slow_path(action)), dp-offload-info:'match unsupported: arp'",
		"match unsupported: arp", []string{"dp-offload-info"}},
	{"ufid:1c2d3e4f-0000-4000-8000-000000000004, recirc_id(0),in_port(pf0vf7), vendor_stat:7, packets:5, bytes:490, used:0.1s, offloaded:yes, dp:doca, hw_stats:(pkts=5, bytes=490), actions:p0",
		"", []string{"vendor_stat"}},
}

func TestOpaqueFieldsParseAndRoundTrip(t *testing.T) {
	for _, c := range opaqueLines {
		f, err := Parse(c.line)
		if err != nil {
			t.Fatalf("%s: %v", c.line, err)
		}
		if got := f.String(); got != c.line {
			t.Errorf("round trip:\n got %s\nwant %s", got, c.line)
		}
		if got := f.OffloadInfo(); got != c.info {
			t.Errorf("OffloadInfo %q, want %q", got, c.info)
		}
		for _, n := range c.names {
			if _, ok := f.Field(n); !ok {
				t.Errorf("%s: no field %s in %+v", c.line, n, f.Fields)
			}
		}
		if !f.Equal(f.Clone()) || f.Clone().String() != c.line {
			t.Errorf("clone differs: %s", f.Clone())
		}
		g := mustParse(t, c.line)
		g.Fields[0].Value += "x"
		if f.Equal(g) {
			t.Errorf("Equal ignores the opaque fields")
		}
		b, err := json.Marshal(f)
		if err != nil || !strings.Contains(string(b), `"fields":[{"name":"`+c.names[0]+`"`) {
			t.Errorf("json %s %v", b, err)
		}
	}
	// The flow's other parts are still typed.
	f := mustParse(t, opaqueLines[0].line)
	if f.DPLayer() != "ovs" || len(f.Actions) != 2 || f.Stats.Packets != 5 {
		t.Errorf("typed parts: dp %q actions %d packets %d", f.DPLayer(), len(f.Actions), f.Stats.Packets)
	}
	// dp-extra-info is printed last (lib/dpctl.c): what follows it is its
	// text, kept whole.
	const extra = "ufid:1c2d3e4f-0000-4000-8000-000000000003, recirc_id(0),in_port(pf0vf7), packets:5, bytes:490, used:0.1s, dp:ovs, actions:p0, dp-extra-info:miniflow_bits(4,1), dp-offload-info:\"meter, unsupported\""
	f = mustParse(t, extra)
	if f.String() != extra || !strings.HasPrefix(f.ExtraInfo, "miniflow_bits(4,1)") {
		t.Errorf("dp-extra-info %q, round trip %v", f.ExtraInfo, f.String() == extra)
	}
}

func TestOpaqueFieldsHostile(t *testing.T) {
	for _, s := range []string{
		"in_port(1), packets:1, bytes:1, used:never, dp-offload-info:'open, actions:1",
		"in_port(1), packets:1, bytes:1, used:never, dp-offload-info:(open, actions:1",
		"in_port(1), packets:1, bytes:1, used:never, dp-offload-info:x), actions:1",
		"in_port(1), packets:1, bytes:1, used:never, Upper:x, actions:1",
		"in_port(1), packets:1, bytes:1, used:never, " + strings.Repeat("a", 70) + ":x, actions:1",
		"in_port(1), packets:1, bytes:1, used:never, dp-offload-info:'\x1b[31m', actions:1",
	} {
		if f, err := Parse(s); err == nil {
			t.Errorf("%q accepted: %+v", s, f.Fields)
		}
	}
}
