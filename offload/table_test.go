// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"bytes"
	"strings"
	"testing"
)

// Issue 13, defect 11: names from dumps and OVSDB are escaped in the
// table, and a tab in one cannot split a column.
func TestWriteTableEscapes(t *testing.T) {
	r := &Report{
		Backend: "tc",
		Flows: []FlowVerdict{{
			InPort: "pf0\x1b]0;pwned\a\x1b[2J", Pod: "default/evil\x1b[2J\u009b", DP: "tc", State: OVSOnly,
			Reasons: []Reason{{ReasonKernelRefused, "refused:\tthe driver said\r\x1b[1A"}},
		}},
		Ports:  []PortSummary{{Port: "pf0\x1b]0;pwned\a\x1b[2J", Pod: "default/evil\x1b[2J\u009b", Flows: 1, ByState: map[State]int{OVSOnly: 1}}},
		Totals: Totals{Flows: 1, ByState: map[State]int{OVSOnly: 1}},
		Limits: []string{"limit\x1b[2J"},
	}
	var b bytes.Buffer
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for i, c := range []byte(out) {
		if c < 0x20 && c != '\n' || c == 0x7f {
			t.Fatalf("raw control %#x at byte %d:\n%s", c, i, out)
		}
	}
	for _, want := range []string{`pf0\x1b]0;pwned\x07\x1b[2J`, `default/evil\x1b[2J\u009b`, `refused:\tthe driver said\r\x1b[1A`, `limit: limit\x1b[2J`} {
		if !strings.Contains(out, want) {
			t.Errorf("no %s in\n%s", want, out)
		}
	}
	// The flow row keeps its seven columns: the reason's tab did not split it.
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "1 ") && len(strings.Fields(l)) < 7 {
			t.Errorf("flow row lost columns: %q", l)
		}
	}
}
