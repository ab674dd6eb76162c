// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// podSwitch starts a real switch (userspace datapath) with two "pods" on
// br0, labelled through ovsdb.Client.EnsurePort as a CNI would, and pings
// between them so the datapath holds flows.
func podSwitch(t *testing.T) *ovstest.Switch {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: starts ovs-vswitchd")
	}
	sw := ovstest.StartSwitch(t)
	sw.AddBridge(t, "br0")
	a := sw.AddHost(t, "br0", "10.0.0.1/24", ovstest.HostOptions{Port: "pf0vf0"})
	sw.AddHost(t, "br0", "10.0.0.2/24", ovstest.HostOptions{Port: "pf0vf1"})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := ovsdb.Dial(ctx, sw.DB.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, p := range []struct{ port, pod string }{{"pf0vf0", "testpod1"}, {"pf0vf1", "testpod2"}} {
		att := ovsdb.PodAttachment{IfaceID: "default_" + p.pod, PodName: p.pod, PodNamespace: "default"}
		if _, err := db.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br0", Name: p.port, ExternalIDs: att.ExternalIDs()}); err != nil {
			t.Fatal(err)
		}
	}
	a.Ping(t, "10.0.0.2", 10*time.Second)
	a.Exec(t, "ping", "-c3", "-i0.2", "10.0.0.2")
	return sw
}

func TestIntegrationCheckPodOnUserspaceDatapath(t *testing.T) {
	sw := podSwitch(t)
	t.Log(sw.Appctl(t, "dpctl/dump-flows", "-m", "--names"))
	// The eswitch is read as by default: this machine has no representors,
	// so the facts come from OVS alone (or a warning says why not).
	args := []string{"--target", sw.Ctl, "--db", sw.DB.Endpoint()}

	var out, errOut bytes.Buffer
	code := run(append(args, "--pod", "testpod1"), &out, &errOut)
	t.Logf("exit %d\n%s%s", code, out.String(), errOut.String())
	if code != exitNotAll {
		t.Fatalf("exit status %d, want %d (flows in OVS)", code, exitNotAll)
	}
	text := out.String()
	for _, want := range []string{
		"port pf0vf0: iface-id default_testpod1, pod default/testpod1",
		"backend choice: auto: other_config:hw-offload is not true",
		"hw-offload-disabled",
		"in_port(pf0vf0)",
		"output:pf0vf0",
		"are not verified in hardware",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}

	out.Reset()
	if code := run(append(args, "--pod", "default/testpod1", "--json"), &out, &errOut); code != exitNotAll {
		t.Fatalf("--json: exit status %d, stderr %s", code, errOut.String())
	}
	var res result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Report.Flows) == 0 {
		t.Fatal("no flows selected for the pod after ping")
	}
	var fromPod, toPod int
	for i, f := range res.Report.Flows {
		if f.State != offload.OVSOnly || f.DP != "ovs" {
			t.Errorf("flow %d: state %s dp %s, want ovs-only in dp ovs", i+1, f.State, f.DP)
		}
		if !hasReason(f.Reasons, offload.ReasonHWOffloadDisabled) {
			t.Errorf("flow %d: reasons %v lack %s", i+1, f.Reasons, offload.ReasonHWOffloadDisabled)
		}
		if f.InPort == "pf0vf0" {
			fromPod++
			if f.Pod != "default/testpod1" {
				t.Errorf("flow %d from pf0vf0 attributed to pod %q", i+1, f.Pod)
			}
		}
		if strings.Contains(res.SelectedBy[i], "output:pf0vf0") {
			toPod++
		}
	}
	if fromPod == 0 || toPod == 0 {
		t.Errorf("flows from the pod: %d, toward it: %d; want both after a ping", fromPod, toPod)
	}

	// The pod that does not exist is an error naming what was looked for.
	errOut.Reset()
	if code := run(append(args, "--pod", "nosuchpod"), &out, &errOut); code != exitError ||
		!strings.Contains(errOut.String(), `pod-name="nosuchpod"`) {
		t.Errorf("missing pod: exit %d, stderr %q", code, errOut.String())
	}
}

// With hw-offload=true, auto picks tc. The tc backend is not linked into this
// binary yet: that is a clear error (exit 2), not a silent fallback.
func TestIntegrationCheckAutoTCWithoutBackend(t *testing.T) {
	sw := podSwitch(t)
	sw.Vsctl(t, "set", "Open_vSwitch", ".", "other_config:hw-offload=true")
	var out, errOut bytes.Buffer
	code := run([]string{"--target", sw.Ctl, "--db", sw.DB.Endpoint(), "--eswitch=false", "--port", "pf0vf0"}, &out, &errOut)
	if _, err := offload.New("tc", nil); err == nil {
		if code == exitError {
			t.Fatalf("tc is registered, yet exit 2: %s", errOut.String())
		}
		return
	}
	if code != exitError || !strings.Contains(errOut.String(), "backend tc") {
		t.Errorf("exit %d, stderr %q; want 2 naming backend tc", code, errOut.String())
	}
}

func hasReason(rs []offload.Reason, code offload.ReasonCode) bool {
	for _, r := range rs {
		if r.Code == code {
			return true
		}
	}
	return false
}
