// SPDX-License-Identifier: Apache-2.0

// Package offloadtest is the conformance suite every offload backend must
// pass, exported so that a third-party backend registered with
// offload.Register runs the same suite as the project's tc and doca
// backends: on a real ovsdb-server (started with ovstest), activate the
// backend, plug a BlueField's representors with the interface it asks for,
// check that nothing another backend left is stale, verify a known dump,
// and switch from one backend to another and back.
//
// A backend's own test calls Run:
//
//	func TestConformance(t *testing.T) {
//		b, _ := mybackend.New(...)
//		offloadtest.Run(t, offloadtest.Case{Backend: b, Dump: []offloadtest.Flow{...}})
//	}
//
// Without Open vSwitch installed the suite skips (fails under
// OVSOFFLOAD_STRICT=1), as ovstest does.
package offloadtest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// Flow is one line of a known ovs-appctl dpctl/dump-flows -m --names dump
// and what the backend must make of it.
type Flow struct {
	// Line is the dump line.
	Line string
	// State is the verdict the backend must give it.
	State offload.State
	// Check, when set, checks the flow's verdict further (its reasons,
	// whether it is verified); its error fails the test.
	Check func(offload.FlowVerdict) error
}

// Case is one backend under test.
type Case struct {
	// Backend is the backend; its Name labels the steps. Required.
	Backend offload.Backend
	// Dump is a known dump of the backend's datapath, at least one flow.
	// The report's AllInHardware must agree with the states.
	Dump []Flow
	// CheckSettings, when set, checks the Open_vSwitch offload settings
	// after Activate (such as tc-policy, or doca-init and the CT size), and
	// that none of another backend's is left.
	CheckSettings func(ovsdb.OffloadSettings) error
}

// Representors are the switch ports the suite plugs: a BlueField's uplink,
// host PF and two host VFs, as eswitch describes them.
var Representors = []eswitch.Representor{
	{Name: "p0", Device: pf0, Identity: eswitch.Identity{Flavour: eswitch.FlavourPhysical, PF: 0}},
	{Name: "pf0hpf", Device: pf0, Identity: eswitch.Identity{Flavour: eswitch.FlavourPCIPF, Controller: 1, External: true, PF: 0}},
	{Name: "pf0vf0", Device: pf0, Identity: eswitch.Identity{Flavour: eswitch.FlavourPCIVF, Controller: 1, External: true, PF: 0, VF: 0}},
	{Name: "pf0vf1", Device: pf0, Identity: eswitch.Identity{Flavour: eswitch.FlavourPCIVF, Controller: 1, External: true, PF: 0, VF: 1}},
}

const pf0 = "devices/pci0000:00/0000:00:00.0/0000:03:00.0"

// BridgeOf says which bridge a representor goes to, as the seed guide lays
// out a DPU: the uplink and host PF on brp0, VFs on br-int.
func BridgeOf(name string) string {
	if name == "p0" || name == "pf0hpf" {
		return "brp0"
	}
	return "br-int"
}

// Run runs the suite: each case alone, then, for every pair of cases, a
// switch from the first to the second and back, each on a fresh
// ovsdb-server.
func Run(t *testing.T, cases ...Case) {
	t.Helper()
	if len(cases) == 0 {
		t.Fatal("offloadtest: no case")
	}
	for _, c := range cases {
		if c.Backend == nil || len(c.Dump) == 0 {
			t.Fatalf("offloadtest: a case needs a Backend and a Dump")
		}
	}
	orders := [][]Case{}
	for i := range cases {
		orders = append(orders, []Case{cases[i]})
		for j := range cases {
			if i != j {
				orders = append(orders, []Case{cases[i], cases[j], cases[i]})
			}
		}
	}
	for _, order := range orders {
		names := make([]string, len(order))
		for i, c := range order {
			names[i] = c.Backend.Name()
		}
		t.Run(strings.Join(names, "-"), func(t *testing.T) { runOrder(t, order) })
	}
}

func runOrder(t *testing.T, order []Case) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv := ovstest.StartDB(t)
	srv.Vsctl(t, "init")
	db := ovstest.Dial(t, srv.Endpoint())
	for _, br := range []string{"brp0", "br-int"} {
		if _, err := db.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: br}); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range order {
		step := fmt.Sprintf("step %d (%s)", i+1, c.Backend.Name())
		activate(ctx, t, db, c.Backend, step)
		plug(ctx, t, db, c.Backend, step)
		checkNothingStale(ctx, t, db, c, step)
		verifyKnownDump(ctx, t, db, c, step)
		// Ask ovsdb-server itself, not the client's cache.
		if got := srv.Vsctl(t, "get", "Bridge", "br-int", "datapath_type"); got != c.Backend.DatapathType() {
			t.Fatalf("%s: ovs-vsctl says br-int datapath_type=%s, want %s", step, got, c.Backend.DatapathType())
		}
	}
}

func activate(ctx context.Context, t *testing.T, db *ovsdb.Client, b offload.Backend, step string) {
	t.Helper()
	res, err := offload.Activate(ctx, db, b, "brp0", "br-int")
	if err != nil {
		t.Fatalf("%s: Activate: %v", step, err)
	}
	// Every backend turns hw-offload on, which needs a restart of
	// ovs-vswitchd; a switch changes such settings again.
	if !res.Changed || len(res.RestartNeeded) == 0 {
		t.Fatalf("%s: Activate result %+v: activating a backend changes settings that need an ovs-vswitchd restart", step, res)
	}
	again, err := offload.Activate(ctx, db, b, "brp0", "br-int")
	if err != nil || again.Changed {
		t.Fatalf("%s: second Activate changed something: %+v %v", step, again, err)
	}
}

func plug(ctx context.Context, t *testing.T, db *ovsdb.Client, b offload.Backend, step string) {
	t.Helper()
	for _, r := range Representors {
		ic, err := b.Interface(r)
		if err != nil {
			t.Fatalf("%s: Interface(%s): %v", step, r.Name, err)
		}
		if _, err := db.EnsurePort(ctx, ovsdb.PortSpec{Bridge: BridgeOf(r.Name), Name: r.Name, Type: ic.Type,
			Options: ic.Options, RemoveOptions: ic.RemoveOptions}); err != nil {
			t.Fatalf("%s: plugging %s: %v", step, r.Name, err)
		}
	}
}

func normType(s string) string {
	if s == "system" {
		return ""
	}
	return s
}

// checkNothingStale checks the node holds what the backend asks for and
// nothing it says to remove (what another backend left).
func checkNothingStale(ctx context.Context, t *testing.T, db *ovsdb.Client, c Case, step string) {
	t.Helper()
	b := c.Backend
	s, err := db.Offload(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.HWOffload == nil || !*s.HWOffload {
		t.Errorf("%s: hw-offload %v, want true", step, s.HWOffload)
	}
	if c.CheckSettings != nil {
		if err := c.CheckSettings(s); err != nil {
			t.Errorf("%s: settings %+v: %v", step, s, err)
		}
	}
	for _, br := range []string{"brp0", "br-int"} {
		got, err := db.Bridge(ctx, br)
		if err != nil || got.DatapathType != b.DatapathType() {
			t.Errorf("%s: bridge %s datapath %q (%v), want %s", step, br, got.DatapathType, err, b.DatapathType())
		}
	}
	for _, r := range Representors {
		ic, err := b.Interface(r)
		if err != nil {
			t.Fatal(err)
		}
		p, err := db.Port(ctx, r.Name)
		if err != nil {
			t.Fatal(err)
		}
		if normType(p.Type) != normType(ic.Type) && ic.Type != "" {
			t.Errorf("%s: %s type %q, want %q", step, r.Name, p.Type, ic.Type)
		}
		for k, v := range ic.Options {
			if p.Options[k] != v {
				t.Errorf("%s: %s options:%s=%q, want %q", step, r.Name, k, p.Options[k], v)
			}
		}
		for _, k := range ic.RemoveOptions {
			if v, ok := p.Options[k]; ok {
				t.Errorf("%s: %s still has options:%s=%q, which %s removes", step, r.Name, k, v, b.Name())
			}
		}
	}
}

func verifyKnownDump(ctx context.Context, t *testing.T, db *ovsdb.Client, c Case, step string) {
	t.Helper()
	var flows []*dpflow.Flow
	for _, d := range c.Dump {
		f, err := dpflow.Parse(d.Line)
		if err != nil {
			t.Fatalf("%s: the case's dump line %q: %v", step, d.Line, err)
		}
		flows = append(flows, f)
	}
	node := &offload.Node{DB: db, Dump: func(context.Context) ([]*dpflow.Flow, error) { return flows, nil }}
	r, err := c.Backend.Verify(ctx, node)
	if err != nil {
		t.Fatalf("%s: Verify: %v", step, err)
	}
	if len(r.Flows) != len(flows) {
		t.Fatalf("%s: %d flows in the report, want %d", step, len(r.Flows), len(flows))
	}
	allHW := true
	for i, d := range c.Dump {
		v := r.Flows[i]
		if v.State != d.State {
			t.Errorf("%s: flow %d state %s, want %s (%+v)", step, i+1, v.State, d.State, v.Reasons)
		}
		if d.Check != nil {
			if err := d.Check(v); err != nil {
				t.Errorf("%s: flow %d: %v", step, i+1, err)
			}
		}
		allHW = allHW && d.State == offload.InHardware
	}
	if got := r.AllInHardware(); got != allHW {
		t.Errorf("%s: AllInHardware = %v, want %v", step, got, allHW)
	}
}
