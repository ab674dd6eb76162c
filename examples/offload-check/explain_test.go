// SPDX-License-Identifier: Apache-2.0

package main

import (
	"strings"
	"testing"

	"github.com/ovsoffload/ovsoffload/offload"
)

func reasonsOf(f offload.FlowVerdict) string {
	var b strings.Builder
	for _, r := range f.Reasons {
		b.WriteString(string(r.Code) + ": " + r.Detail + "\n")
	}
	return b.String()
}

// TestTranslationReasons: with the tc backend, the flows of a conntrack
// node that are not in hardware carry OVS's own reasons, flow by flow.
func TestTranslationReasons(t *testing.T) {
	ep, _ := podDB(t)
	code, res := checkJSON(t, ep, "ct.dump", "--backend", "tc", "--ovs-version", "3.1.0", "--ct-state-bits", "0x27")
	if code != exitNotAll || len(res.Report.Flows) != 7 {
		t.Fatalf("exit %d, %d flows", code, len(res.Report.Flows))
	}
	for i, want := range map[int]string{
		4: "match-not-offloadable: skb_mark(0x5): \"offloading attribute pkt_mark isn't supported\" (test_key_and_mask in lib/netdev-offload-tc.c, OVS 3.1)",
		6: "unsupported put action type",
	} {
		if got := reasonsOf(res.Report.Flows[i]); !strings.Contains(got, want) {
			t.Errorf("flow %d reasons:\n%s\nwant %q", i+1, got, want)
		}
	}
	// rpl is not among the bits 0x27: a ct_state match on it is refused.
	code, res = checkJSON(t, ep, "ct.dump", "--backend", "tc", "--ovs-version", "4.0.0", "--ct-state-bits", "0x7")
	if got := reasonsOf(res.Report.Flows[1]); code != exitNotAll || !strings.Contains(got, "ct-state-unsupported: ct_state(0x21/0x23): ct_state bits trk are not in the kernel's supported set 0x7") ||
		!strings.Contains(got, "lib/dpif-offload-tc-netdev.c, OVS 4.0") {
		t.Errorf("flow 2 reasons:\n%s", got)
	}
}

// TestProbeDryRunFlags runs --probe --dry-run on this host, where the
// dump's representors do not exist: the probe says so per flow and
// installs nothing.
func TestProbeDryRunFlags(t *testing.T) {
	ep, _ := podDB(t)
	code, res := checkJSON(t, ep, "ct.dump", "--backend", "tc", "--ovs-version", "3.1.0", "--ct-state-bits", "0x2f", "--probe", "--dry-run")
	if code != exitNotAll {
		t.Fatalf("exit %d", code)
	}
	if got := reasonsOf(res.Report.Flows[1]); !strings.Contains(got, "probe-skipped: no netdev here for pf0vf1") {
		t.Errorf("flow 2 reasons:\n%s", got)
	}
}

func TestProbeFlagErrors(t *testing.T) {
	ep, _ := podDB(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--dry-run"}, "--dry-run needs --probe"},
		{[]string{"--ct-state-bits", "lots"}, `--ct-state-bits "lots"`},
		{[]string{"--probe", "--probe-max", "0"}, "must be positive"},
		{[]string{"--probe", "--backend", "none"}, "--probe needs the tc backend, not none"},
	} {
		code, out, errOut := runCheck(t, ep, "ct.dump", c.args...)
		if code != exitError || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q\n%s", c.args, code, errOut, c.want, out)
		}
	}
}
