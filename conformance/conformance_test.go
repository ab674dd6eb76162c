// SPDX-License-Identifier: Apache-2.0

package conformance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/doca"
	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
	"github.com/ovsoffload/ovsoffload/tc"
)

const pf0 = "devices/pci0000:00/0000:00:00.0/0000:03:00.0"

// representors of a BlueField as eswitch describes them: the uplink, the
// host PF and two host VFs.
var representors = []eswitch.Representor{
	{Name: "p0", Device: pf0, Identity: eswitch.Identity{Flavour: eswitch.FlavourPhysical, PF: 0}},
	{Name: "pf0hpf", Device: pf0, Identity: eswitch.Identity{Flavour: eswitch.FlavourPCIPF, Controller: 1, External: true, PF: 0}},
	{Name: "pf0vf0", Device: pf0, Identity: eswitch.Identity{Flavour: eswitch.FlavourPCIVF, Controller: 1, External: true, PF: 0, VF: 0}},
	{Name: "pf0vf1", Device: pf0, Identity: eswitch.Identity{Flavour: eswitch.FlavourPCIVF, Controller: 1, External: true, PF: 0, VF: 1}},
}

// bridgeOf says which bridge a representor goes to, as the seed guide lays
// out a DPU.
func bridgeOf(name string) string {
	if name == "p0" || name == "pf0hpf" {
		return "brp0"
	}
	return "br-int"
}

// dumps are known dpctl/dump-flows -m --names lines for each backend's
// datapath, with the states the backend must give them.
var dumps = map[string][]struct {
	line  string
	state offload.State
}{
	"tc": {
		{"ufid:0f1e2d3c-0000-4000-8000-000000000001, recirc_id(0),in_port(pf0vf0),eth(src=0a:58:0a:f4:00:05,dst=0a:58:0a:f4:00:06),eth_type(0x0800),ipv4(src=10.244.0.5,dst=10.244.0.6,proto=6,tos=0/0,ttl=0/0,frag=no),tcp(src=0/0,dst=8080), packets:100, bytes:9000, used:0.2s, offloaded:yes, dp:tc, actions:pf0vf1", offload.InHardware},
		{"ufid:0f1e2d3c-0000-4000-8000-000000000002, recirc_id(0),in_port(pf0vf1),eth_type(0x0800),ipv4(frag=no), packets:90, bytes:8100, used:0.2s, dp:tc, actions:pf0vf0", offload.SoftwareTC},
		{"ufid:0f1e2d3c-0000-4000-8000-000000000003, recirc_id(0),in_port(pf0vf0),eth_type(0x0806), packets:1, bytes:42, used:1.0s, dp:ovs, actions:userspace(pid=4294967295,slow_path(action))", offload.OVSOnly},
	},
	"doca": {
		{"ufid:0f1e2d3c-0000-4000-8000-000000000011, recirc_id(0),in_port(pf0vf0),eth(src=0a:58:0a:f4:00:05,dst=0a:58:0a:f4:00:06),eth_type(0x0800),ipv4(frag=no), packets:100, bytes:9000, used:0.2s, offloaded:yes, dp:doca, actions:pf0vf1", offload.InHardware},
		{"ufid:0f1e2d3c-0000-4000-8000-000000000012, recirc_id(0),in_port(pf0vf1),eth_type(0x0800),ipv4(frag=no), packets:90, bytes:8100, used:0.2s, offloaded:partial, dp:ovs, actions:ct(zone=2),recirc(0x1)", offload.Partial},
		{"ufid:0f1e2d3c-0000-4000-8000-000000000013, recirc_id(0),in_port(pf0vf0),eth_type(0x0806), packets:1, bytes:42, used:1.0s, dp:ovs, actions:userspace(pid=4294967295,slow_path(action))", offload.OVSOnly},
	},
}

func backends(t *testing.T) map[string]offload.Backend {
	t.Helper()
	tcb, err := tc.NewBackend(tc.BackendConfig{TCPolicy: ovsdb.TCPolicySkipSW})
	if err != nil {
		t.Fatal(err)
	}
	ct := 100000
	// Current OVS-DOCA: type=doca ports named after the netdev.
	docab, err := doca.New(doca.Config{CTSize: &ct})
	if err != nil {
		t.Fatal(err)
	}
	// An older OVS-DOCA release that plugs type=dpdk ports with
	// dpdk-devargs, so switching away must remove them.
	dpdkb, err := doca.New(doca.Config{PortType: doca.PortDPDK, Naming: doca.NamingDevargs, CTSize: &ct})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]offload.Backend{"tc": tcb, "doca": docab, "doca-dpdk": dpdkb}
}

func TestIntegrationConformance(t *testing.T) {
	for _, order := range [][]string{{"tc", "doca", "tc"}, {"doca", "tc", "doca"}, {"doca-dpdk", "tc", "doca-dpdk"},
		{"doca-dpdk", "doca", "doca-dpdk"}} {
		t.Run(strings.Join(order, "-"), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			srv := ovstest.StartDB(t)
			srv.Vsctl(t, "init")
			db, err := ovsdb.Dial(ctx, srv.Endpoint())
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, br := range []string{"brp0", "br-int"} {
				if _, err := db.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: br}); err != nil {
					t.Fatal(err)
				}
			}
			bs := backends(t)
			for i, name := range order {
				b := bs[name]
				step := fmt.Sprintf("step %d (%s)", i+1, name)
				configure(t, ctx, db, b, step, i == 0 || bs[order[i-1]].Name() != b.Name())
				plug(t, ctx, db, b, step)
				checkNothingStale(t, ctx, db, b, step)
				checkPortTypeMix(t, ctx, db, b, step)
				verifyKnownDump(t, ctx, db, b, step)
				// Ask ovsdb-server itself, not our cache.
				if got := srv.Vsctl(t, "get", "Bridge", "br-int", "datapath_type"); got != b.DatapathType() {
					t.Fatalf("%s: ovs-vsctl says br-int datapath_type=%s", step, got)
				}
			}
		})
	}
}

// configure activates b; switched says the previous step ran another
// backend (not only another port type of the same one), so settings that
// need a restart change.
func configure(t *testing.T, ctx context.Context, db *ovsdb.Client, b offload.Backend, step string, switched bool) {
	t.Helper()
	res, err := offload.Activate(ctx, db, b, "brp0", "br-int")
	if err != nil {
		t.Fatalf("%s: Activate: %v", step, err)
	}
	if switched && !res.Changed || switched && !slices.Contains(res.RestartNeeded, ovsdb.KeyHWOffload) && !slices.Contains(res.RestartNeeded, ovsdb.KeyTCPolicy) &&
		!slices.Contains(res.RestartNeeded, ovsdb.KeyDOCAInit) {
		t.Fatalf("%s: Activate result %+v: a switch changes settings that need an ovs-vswitchd restart", step, res)
	}
	again, err := offload.Activate(ctx, db, b, "brp0", "br-int")
	if err != nil || again.Changed {
		t.Fatalf("%s: second Activate: %+v %v", step, again, err)
	}
}

func plug(t *testing.T, ctx context.Context, db *ovsdb.Client, b offload.Backend, step string) {
	t.Helper()
	for _, r := range representors {
		ic, err := b.Interface(r)
		if err != nil {
			t.Fatalf("%s: Interface(%s): %v", step, r.Name, err)
		}
		if _, err := db.EnsurePort(ctx, ovsdb.PortSpec{Bridge: bridgeOf(r.Name), Name: r.Name, Type: ic.Type,
			Options: ic.Options, RemoveOptions: ic.RemoveOptions}); err != nil {
			t.Fatalf("%s: plugging %s: %v", step, r.Name, err)
		}
	}
}

// checkNothingStale checks the node holds exactly what backend b needs and
// nothing the other backend left.
func checkNothingStale(t *testing.T, ctx context.Context, db *ovsdb.Client, b offload.Backend, step string) {
	t.Helper()
	s, err := db.Offload(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.HWOffload == nil || !*s.HWOffload {
		t.Errorf("%s: hw-offload %v", step, s.HWOffload)
	}
	switch b.Name() {
	case "tc":
		if s.TCPolicy != ovsdb.TCPolicySkipSW || s.DOCAInit != nil || s.CTSize != nil {
			t.Errorf("%s: settings %+v: want tc-policy=skip_sw and no doca-init or hw-offload-ct-size", step, s)
		}
	case "doca":
		if s.TCPolicy != "" || s.DOCAInit == nil || !*s.DOCAInit || s.CTSize == nil || *s.CTSize != 100000 {
			t.Errorf("%s: settings %+v: want doca-init=true, ct size 100000 and no tc-policy", step, s)
		}
	}
	for _, br := range []string{"brp0", "br-int"} {
		got, err := db.Bridge(ctx, br)
		if err != nil || got.DatapathType != b.DatapathType() {
			t.Errorf("%s: bridge %s datapath %q (%v), want %s", step, br, got.DatapathType, err, b.DatapathType())
		}
	}
	for _, r := range representors {
		p, err := db.Port(ctx, r.Name)
		if err != nil {
			t.Fatal(err)
		}
		devargs, has := p.Options["dpdk-devargs"]
		switch b.Name() {
		case "tc":
			if p.Type != "" && p.Type != "system" || has {
				t.Errorf("%s: %s type %q options %v: want a system interface without dpdk-devargs", step, r.Name, p.Type, p.Options)
			}
		case "doca":
			want := ""
			if b.(*doca.Backend).PortType() == doca.PortDPDK {
				want, _ = doca.DevArgs(r)
			}
			if p.Type != string(b.(*doca.Backend).PortType()) || devargs != want {
				t.Errorf("%s: %s type %q devargs %q, want %s with %q", step, r.Name, p.Type, devargs, b.(*doca.Backend).PortType(), want)
			}
		}
	}
}

func verifyKnownDump(t *testing.T, ctx context.Context, db *ovsdb.Client, b offload.Backend, step string) {
	t.Helper()
	var flows []*dpflow.Flow
	for _, d := range dumps[b.Name()] {
		f, err := dpflow.Parse(d.line)
		if err != nil {
			t.Fatal(err)
		}
		flows = append(flows, f)
	}
	node := &offload.Node{DB: db, Dump: func(context.Context) ([]*dpflow.Flow, error) { return flows, nil }}
	r, err := b.Verify(ctx, node)
	if err != nil {
		t.Fatalf("%s: Verify: %v", step, err)
	}
	if len(r.Flows) != len(flows) {
		t.Fatalf("%s: %d flows in the report, want %d", step, len(r.Flows), len(flows))
	}
	for i, d := range dumps[b.Name()] {
		v := r.Flows[i]
		if v.State != d.state {
			t.Errorf("%s: flow %d state %s, want %s (%+v)", step, i+1, v.State, d.state, v.Reasons)
		}
		// Without a TC filter carrying the UFID, a tc flow cannot be verified
		// and the report must say why.
		if b.Name() == "tc" && v.DP == "tc" && (v.Verified || v.Reasons[0].Code != offload.ReasonNoFilter) {
			t.Errorf("%s: flow %d: verified=%v reasons %+v: want unverified with %s", step, i+1, v.Verified, v.Reasons, offload.ReasonNoFilter)
		}
	}
	if r.AllInHardware() {
		t.Errorf("%s: AllInHardware on a dump with flows in OVS", step)
	}
}

// checkPortTypeMix: after a doca backend plugged every port with one type,
// its preflight passes the port-type check; one port replugged with the
// other type (as a half-done switch between OVS-DOCA releases would leave
// it) is refused, and plugging it back makes the check pass again.
func checkPortTypeMix(t *testing.T, ctx context.Context, db *ovsdb.Client, b offload.Backend, step string) {
	t.Helper()
	d, ok := b.(*doca.Backend)
	if !ok {
		return
	}
	status := func() offload.Check {
		checks, err := d.Preflight(ctx, &offload.Node{DB: db})
		if err != nil {
			t.Fatalf("%s: Preflight: %v", step, err)
		}
		for _, ch := range checks {
			if ch.Name == "port-type-mix" {
				return ch
			}
		}
		t.Fatalf("%s: no port-type-mix check", step)
		return offload.Check{}
	}
	if ch := status(); ch.Status != offload.CheckPass {
		t.Errorf("%s: port-type-mix after plugging: %+v", step, ch)
	}
	other := doca.PortDOCA
	if d.PortType() == doca.PortDOCA {
		other = doca.PortDPDK
	}
	r := representors[len(representors)-1]
	if _, err := db.EnsurePort(ctx, ovsdb.PortSpec{Bridge: bridgeOf(r.Name), Name: r.Name, Type: string(other)}); err != nil {
		t.Fatal(err)
	}
	if ch := status(); ch.Status != offload.CheckFail || !strings.Contains(ch.Detail, r.Name) {
		t.Errorf("%s: port-type-mix with %s as type=%s: %+v", step, r.Name, other, ch)
	}
	plug(t, ctx, db, b, step)
	if ch := status(); ch.Status != offload.CheckPass {
		t.Errorf("%s: port-type-mix after replugging: %+v", step, ch)
	}
}
