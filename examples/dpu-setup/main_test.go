// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/testenv"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// factory lays out a BlueField's factory bridges in the database.
func factory(t *testing.T, ep string) *ovsdb.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := ovsdb.Dial(ctx, ep)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	txn := db.Txn()
	txn.EnsureBridge(ovsdb.BridgeSpec{Name: "ovsbr1"})
	txn.EnsureBridge(ovsdb.BridgeSpec{Name: "ovsbr2"})
	for _, p := range []string{"p0", "pf0hpf", "en3f0pf0sf0"} {
		txn.EnsurePort(ovsdb.PortSpec{Bridge: "ovsbr1", Name: p})
	}
	if _, err := txn.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func bridges(t *testing.T, db *ovsdb.Client) []string {
	t.Helper()
	b, err := db.Bridges(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Without --move-ip-from the setup needs no kernel: the in-process
// database is enough.
func TestDryRunThenApplyThenNoChanges(t *testing.T) {
	ep := ovstest.StartInProcessDB(t)
	db := factory(t, ep)
	args := []string{"--db", ep, "--bridge", "brp0", "--uplink", "p0", "--host-pf", "pf0hpf", "--gateway", "10.1.65.1",
		"--encap-ip", "10.1.65.155", "--host-node", "host-worker-1", "--offload", "none", "--datapath", "netdev",
		"--system-id", "dpu-1", "--ovn-remote", "tcp:10.1.65.2:6642"}

	code, out, errs := runCmd(t, append(args, "--dry-run")...)
	if code != 0 {
		t.Fatalf("dry run: exit %d: %s", code, errs)
	}
	for _, s := range []string{"dry run: 8 changes (backend none)", "remove-bridge ovsbr1", "ensure-port brp0/p0",
		"set-chassis Open_vSwitch: host-k8s-nodename=host-worker-1", "ovn-remote=tcp:10.1.65.2:6642"} {
		if !strings.Contains(out, s) {
			t.Errorf("dry run output lacks %q:\n%s", s, out)
		}
	}
	if errs != "" {
		t.Errorf("backend none on netdev warns: %s", errs)
	}
	if got := bridges(t, db); !slices.Equal(got, []string{"ovsbr1", "ovsbr2"}) {
		t.Fatalf("dry run changed the bridges: %v", got)
	}

	code, out, errs = runCmd(t, append(args, "--dry-run", "--json")...)
	var js struct {
		DryRun bool `json:"dry_run"`
		Plan   struct {
			Steps []offload.Step `json:"steps"`
		} `json:"plan"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &js) != nil || !js.DryRun || len(js.Plan.Steps) != 8 {
		t.Fatalf("dry run --json: exit %d, %s\n%s", code, out, errs)
	}

	code, out, errs = runCmd(t, args...)
	if code != 0 || !strings.Contains(out, "applied 8 changes") {
		t.Fatalf("first run: exit %d\n%s%s", code, out, errs)
	}
	if got := bridges(t, db); !slices.Equal(got, []string{"br-int", "brp0"}) {
		t.Fatalf("bridges after the first run: %v", got)
	}
	ch, err := db.Chassis(context.Background())
	if err != nil || ch.HostK8sNodename != "host-worker-1" || ch.SystemID != "dpu-1" || ch.GWInterface != "brp0" {
		t.Fatalf("chassis after the first run: %+v %v", ch, err)
	}

	code, out, errs = runCmd(t, args...)
	if code != 0 || !strings.HasPrefix(out, "no changes") {
		t.Fatalf("second run: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = runCmd(t, append(args, "--json")...)
	var again output
	if code != 0 || json.Unmarshal([]byte(out), &again) != nil || len(again.Plan.Steps) != 0 || again.Result != nil {
		t.Fatalf("second run --json: exit %d\n%s", code, out)
	}
}

func TestDatapathWarning(t *testing.T) {
	ep := ovstest.StartInProcessDB(t)
	factory(t, ep)
	code, out, errs := runCmd(t, "--db", ep, "--encap-ip", "10.1.65.155", "--offload", "doca", "--datapath", "system", "--dry-run")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "warning: --datapath system with --offload doca: backend doca offloads the netdev datapath only") {
		t.Errorf("no warning on stderr: %q", errs)
	}
	if strings.Contains(out, "warning") {
		t.Errorf("warning on stdout:\n%s", out)
	}
	if !strings.Contains(out, "create, datapath_type=system") {
		t.Errorf("an explicit --datapath does not win:\n%s", out)
	}
	// Without --datapath the backend's is used, without a warning.
	code, out, errs = runCmd(t, "--db", ep, "--encap-ip", "10.1.65.155", "--offload", "doca", "--dry-run")
	if code != 0 || errs != "" || !strings.Contains(out, "create, datapath_type=netdev") {
		t.Errorf("doca default datapath: exit %d\n%s%s", code, out, errs)
	}
}

func TestTCBackend(t *testing.T) {
	ep := ovstest.StartInProcessDB(t)
	factory(t, ep)
	code, out, errs := runCmd(t, "--db", ep, "--encap-ip", "10.1.65.155", "--offload", "tc", "--dry-run")
	if !slices.Contains(offload.Names(), "tc") {
		if code != 2 || !strings.Contains(errs, "this build has no tc backend") {
			t.Fatalf("tc not built in: exit %d, %q", code, errs)
		}
		return
	}
	if code != 0 || !strings.Contains(out, "datapath_type=system") {
		t.Fatalf("tc: exit %d\n%s%s", code, out, errs)
	}
}

func TestBadFlagsSendNothing(t *testing.T) {
	ep := ovstest.StartInProcessDB(t)
	db := factory(t, ep)
	base := []string{"--db", ep, "--encap-ip", "10.1.65.155", "--offload", "none"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--bridge", "a-bridge-name-too-long"}, "--bridge"},
		{[]string{"--uplink", "p/0"}, "--uplink"},
		{[]string{"--move-ip-from", "en3f0pf0sf0xxxxx"}, "--move-ip-from"},
		{[]string{"--gateway", "10.1.65"}, "--gateway"},
		{[]string{"--encap-ip", "10.1.65.155,x"}, "--encap-ip"},
		{[]string{"--datapath", "dpdk"}, "--datapath"},
		{[]string{"--offload", "nosuch"}, "no nosuch backend"},
		{[]string{"--offload-setting", "color=blue"}, "unknown settings"},
		{[]string{"--system-id", "a b"}, "system-id"},
		{[]string{"--gateway", "0.0.0.0", "--move-ip-from", "sf0"}, "gateway"},
		{[]string{"extra"}, "unexpected arguments"},
	} {
		code, _, errs := runCmd(t, append(slices.Clone(base), tc.args...)...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
	if code, _, errs := runCmd(t, "--db", ep, "--offload", "none"); code != 2 || !strings.Contains(errs, "--encap-ip is required") {
		t.Errorf("no --encap-ip: exit %d, %q", code, errs)
	}
	if got := bridges(t, db); !slices.Equal(got, []string{"ovsbr1", "ovsbr2"}) {
		t.Fatalf("bad flags changed the node: %v", got)
	}
}

// TestIntegrationDPUSetup runs the seed guide's command on an emulated DPU:
// ovs-vswitchd in its own namespace, p0 cabled to an underlay holding the
// gateway, a veth standing in for the SF that holds the node's address.
func TestIntegrationDPUSetup(t *testing.T) {
	testenv.RequireRoot(t)
	testenv.RequireOVS(t)
	sw := ovstest.StartSwitch(t)
	u := ovstest.NewUnderlay(t, "10.1.65.1/24")
	u.Attach(t, sw, "p0")
	sw.AddHost(t, "", "192.0.2.10/24", ovstest.HostOptions{Port: "pf0hpf", NoPlug: true})
	sw.Exec(t, "ip", "link", "add", "en3f0pf0sf0", "type", "veth", "peer", "name", "sf0peer")
	sw.Exec(t, "ip", "link", "set", "sf0peer", "up")
	sw.Exec(t, "ip", "link", "set", "en3f0pf0sf0", "up")
	sw.Exec(t, "ip", "addr", "add", "10.1.65.155/24", "dev", "en3f0pf0sf0")
	sw.Vsctl(t, "add-br", "ovsbr1", "--", "set", "bridge", "ovsbr1", "datapath_type=netdev",
		"--", "add-port", "ovsbr1", "p0", "--", "add-port", "ovsbr1", "pf0hpf", "--", "add-port", "ovsbr1", "en3f0pf0sf0")

	args := []string{"--db", sw.DB.Endpoint(), "--netns", sw.Netns, "--bridge", "brp0", "--uplink", "p0",
		"--host-pf", "pf0hpf", "--move-ip-from", "en3f0pf0sf0", "--gateway", "10.1.65.1", "--encap-ip", "10.1.65.155",
		"--host-node", "host-worker-1", "--offload", "none", "--datapath", "netdev"}
	code, out, errs := runCmd(t, args...)
	if code != 0 {
		t.Fatalf("first run: exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "move 10.1.65.155/24 from en3f0pf0sf0 to brp0; add default via 10.1.65.1 dev brp0") {
		t.Errorf("first run output:\n%s", out)
	}
	addrs := sw.Exec(t, "ip", "-br", "addr", "show", "dev", "brp0")
	route := sw.Exec(t, "ip", "route", "show", "default")
	if !strings.Contains(addrs, "10.1.65.155/24") || !strings.Contains(route, "default via 10.1.65.1 dev brp0") {
		t.Fatalf("after the first run: %s / %s", addrs, route)
	}
	sw.Exec(t, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.1.65.1")
	if ports := sw.Vsctl(t, "list-ports", "brp0"); fmt.Sprint(strings.Fields(ports)) != "[p0 pf0hpf]" {
		t.Errorf("brp0 ports: %q", ports)
	}
	code, out, errs = runCmd(t, args...)
	if code != 0 || !strings.HasPrefix(out, "no changes") {
		t.Fatalf("second run: exit %d\n%s%s", code, out, errs)
	}
	if _, err := os.Stat("/run/netns/" + sw.Netns); err != nil {
		t.Fatal(err)
	}
}

func TestHelpExitsZero(t *testing.T) {
	code, _, errs := runCmd(t, "--help")
	if code != 0 || !strings.Contains(errs, "-move-ip-from") {
		t.Fatalf("--help: exit %d, usage %q", code, errs)
	}
}
