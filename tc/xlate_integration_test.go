// SPDX-License-Identifier: Apache-2.0

package tc_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovstest"
	"github.com/ovsoffload/ovsoffload/tc"
)

// TestIntegrationTranslateRealSwitch translates the datapath flows a real
// ovs-vswitchd (this machine's OVS, userspace datapath) installs for
// conntrack, a controller action, a meter and a dp_hash group, with the
// version the switch reports: the flows with an action OVS's TC
// translation has no TC equivalent for are refused naming it, the others
// translate into filters that validate and encode.
func TestIntegrationTranslateRealSwitch(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ovs-vswitchd")
	}
	sw := ovstest.StartSwitch(t)
	sw.AddBridge(t, "br0")
	a := sw.AddHost(t, "br0", "10.0.0.1/24", ovstest.HostOptions{Port: "pf0vf0"})
	sw.AddHost(t, "br0", "10.0.0.2/24", ovstest.HostOptions{Port: "pf0vf1"})
	rules := strings.Join([]string{
		"table=0,priority=10,arp,actions=NORMAL",
		"table=0,priority=100,ip,ct_state=-trk,actions=ct(table=1,zone=5)",
		"table=1,priority=100,ip,ct_state=+trk+new,actions=ct(commit,zone=5,exec(set_field:0x1->ct_mark)),NORMAL",
		"table=1,priority=100,ip,ct_state=+trk+est,actions=NORMAL",
	}, "\n") + "\n"
	path := t.TempDir() + "/rules.txt"
	if err := os.WriteFile(path, []byte(rules), 0o600); err != nil {
		t.Fatal(err)
	}
	sw.Ofctl(t, "add-flows", "br0", path)
	sw.Vsctl(t, "set", "bridge", "br0", "protocols=OpenFlow10,OpenFlow13,OpenFlow15")
	sw.Ofctl(t, "-O", "OpenFlow15", "add-group", "br0",
		"group_id=1,type=select,selection_method=dp_hash,bucket=bucket_id=0,output:pf0vf1,bucket=bucket_id=1,output:pf0vf1")
	for _, r := range []string{
		"table=0,priority=300,ip,nw_dst=10.0.9.1,actions=controller",
		"table=0,priority=300,ip,nw_dst=10.0.9.3,actions=group:1",
	} {
		sw.Ofctl(t, "-O", "OpenFlow15", "add-flow", "br0", r)
	}
	for _, ip := range []string{"10.0.9.1", "10.0.9.3"} {
		a.Exec(t, "ip", "neigh", "replace", ip, "lladdr", "02:00:00:00:09:01", "dev", a.Iface, "nud", "permanent")
		a.Exec(t, "ip", "route", "replace", ip+"/32", "dev", a.Iface)
	}
	a.Ping(t, "10.0.0.2", 20*time.Second)
	a.Exec(t, "ping", "-c", "3", "-i", "0.2", "10.0.0.2")
	for _, ip := range []string{"10.0.9.1", "10.0.9.3"} {
		_, _ = a.TryExec("ping", "-c", "2", "-i", "0.2", "-W", "1", ip) // nobody answers
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// ovs_version is written by the distribution's start script, not by
	// ovs-vswitchd: take the binary's own version, as an operator would.
	out, err := cmdexec.Exec{}.Run(ctx, "ovs-vswitchd", "--version")
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	version := first[strings.LastIndexByte(first, ' ')+1:]
	flows, err := dpflow.Dump(ctx, dpflow.DumpOptions{Target: sw.Ctl, Verbose: true, Names: true})
	if err != nil {
		t.Fatal(err)
	}
	feat := tc.OVSFeatures{Version: version, CTStateBits: 0x3f, CTStateKnown: true}
	t.Logf("ovs_version %q: family %q, %d flows", version, feat.Family(), len(flows))
	tr := &tc.Translator{Features: feat, Ifindex: func(string) (int, bool) { return 5, true }, TCChains: tc.RecircTargets(flows)}
	seen := map[string]bool{}
	for _, f := range flows {
		x := tr.Translate(f)
		acts := dpflow.FormatActions(f.Actions)
		reasons := ""
		for _, r := range x.Reasons {
			reasons += string(r.Code) + ": " + r.Detail + "\n"
		}
		// Every reason must be one this dump calls for: an action TC has no
		// equivalent for, the dp_hash match of a select group's second
		// pass, or the 3.6+ chain rule (every flow is in OVS here, so no TC
		// flow jumps to any chain).
		for _, r := range x.Reasons {
			ok := false
			switch r.Code {
			case offload.ReasonActionNotOffloadable:
				ok = strings.Contains(r.Detail, "unsupported put action type") && (strings.Contains(acts, "userspace(") || strings.Contains(acts, "hash("))
			case offload.ReasonMatchNotOffloadable:
				ok = strings.Contains(r.Detail, "non-existing goto chain action") ||
					strings.Contains(r.Detail, "dp_hash isn't supported") && strings.Contains(f.String(), "dp_hash(0x")
			case offload.ReasonOVSVersionUnknown:
				ok = feat.Family() == tc.OVSFamilyUnknown
			}
			if !ok {
				t.Errorf("%s\nunexpected reason %s: %s", f, r.Code, r.Detail)
			}
		}
		switch {
		case strings.Contains(acts, "userspace("), strings.Contains(acts, "hash("):
			seen["refused action"] = true
			if x.Offloadable || !strings.Contains(reasons, string(offload.ReasonActionNotOffloadable)+": ") {
				t.Errorf("%s\nwant refused for its action, got offloadable %v:\n%s", f, x.Offloadable, reasons)
			}
		case strings.Contains(f.String(), "dp_hash(0x"):
			seen["dp_hash match"] = true
			if !strings.Contains(reasons, "dp_hash isn't supported") {
				t.Errorf("%s\nno dp_hash reason:\n%s", f, reasons)
			}
		case strings.Contains(acts, "ct("):
			seen["conntrack"] = true
			if x.Offloadable && len(x.Inexpressible) == 0 {
				s := x.Spec
				s.Prio, s.Flags = 1, tc.FlagSkipSW|tc.FlagVerbose
				if err := s.Validate(); err != nil {
					t.Errorf("%s\nspec does not validate: %v", f, err)
				}
				seen["conntrack spec"] = true
			}
		}
	}
	for _, want := range []string{"refused action", "dp_hash match", "conntrack", "conntrack spec"} {
		if !seen[want] {
			t.Errorf("no flow of kind %q in the dump: the test did not exercise it", want)
		}
	}
	if t.Failed() {
		for _, f := range flows {
			t.Log(f.String())
		}
	}
}
