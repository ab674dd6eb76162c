// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

func dialTest(t *testing.T, ep string) *ovsdb.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := ovsdb.Dial(ctx, ep)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// factoryNode builds a BlueField's factory layout: ovsbr1 with p0, pf0hpf
// and the SF, ovsbr2 with p1 and pf1hpf.
func factoryNode(t *testing.T, db *ovsdb.Client) {
	t.Helper()
	ctx := context.Background()
	txn := db.Txn()
	txn.EnsureBridge(ovsdb.BridgeSpec{Name: "ovsbr1", ExternalIDs: map[string]string{"factory": "yes"}})
	txn.EnsureBridge(ovsdb.BridgeSpec{Name: "ovsbr2"})
	for _, p := range []string{"p0", "pf0hpf", "en3f0pf0sf0"} {
		txn.EnsurePort(ovsdb.PortSpec{Bridge: "ovsbr1", Name: p})
	}
	for _, p := range []string{"p1", "pf1hpf"} {
		txn.EnsurePort(ovsdb.PortSpec{Bridge: "ovsbr2", Name: p, Options: map[string]string{"n_rxq": "2"}})
	}
	if _, err := txn.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

// dbState describes every bridge, port and chassis key, sorted, so two
// states compare.
func dbState(t *testing.T, db *ovsdb.Client) []string {
	t.Helper()
	ctx := context.Background()
	bridges, err := db.Bridges(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, b := range bridges {
		br, err := db.Bridge(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("bridge %s dp=%s fail=%s ext=%v", b, orDefault(br.DatapathType, "system"), br.FailMode, br.ExternalIDs))
		for _, pn := range br.Ports {
			p, err := db.Port(ctx, pn)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("port %s/%s type=%s options=%v ext=%v", b, pn, p.Type, p.Options, p.ExternalIDs))
		}
	}
	ch, err := db.Chassis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := ch.Keys()
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, fmt.Sprintf("chassis %v", keys))
	off, err := db.Offload(ctx)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := off.Keys()
	out = append(out, fmt.Sprintf("offload %v", k))
	slices.Sort(out)
	return out
}

func testSpec() NodeSpec {
	return NodeSpec{
		Backend:       None{Datapath: ovsdb.DatapathNetdev},
		RemoveBridges: []string{"ovsbr1", "ovsbr2"},
		UplinkBridge:  UplinkBridge{Name: "brp0", Uplink: "p0", HostPF: "pf0hpf"},
		Chassis: ovsdb.Chassis{
			SystemID:        "dpu-1",
			EncapIPs:        []netip.Addr{netip.MustParseAddr("10.1.65.155")},
			HostK8sNodename: "host-worker-1",
			GWNexthop:       netip.MustParseAddr("10.1.65.1"),
		},
	}
}

func kindsOf(steps []Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, string(s.Kind)+" "+s.Object)
	}
	return out
}

func TestPlanApplyFreshNode(t *testing.T) {
	ctx := context.Background()
	db := dialTest(t, ovstest.StartInProcessDB(t))
	factoryNode(t, db)
	node := &Node{DB: db}

	plan, err := Plan(ctx, node, testSpec())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"remove-bridge ovsbr1", "remove-bridge ovsbr2",
		"ensure-bridge brp0", "ensure-port brp0/p0", "ensure-port brp0/pf0hpf",
		"ensure-bridge br-int", "configure-backend Open_vSwitch", "set-chassis Open_vSwitch",
	}
	if got := kindsOf(plan.Steps); !slices.Equal(got, want) {
		t.Fatalf("plan steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	text := plan.String()
	for _, s := range []string{"8 changes (backend none)", "delete the bridge with its ports en3f0pf0sf0, p0, pf0hpf",
		"add, type=system (now on ovsbr1, which is removed)", "create, datapath_type=netdev, fail_mode=secure",
		"ovn-encap-ip=10.1.65.155", "ovn-gw-interface=brp0", "ovn-bridge-datapath-type=netdev"} {
		if !strings.Contains(text, s) {
			t.Errorf("plan text lacks %q:\n%s", s, text)
		}
	}
	js, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Backend string `json:"backend"`
		Steps   []Step `json:"steps"`
	}
	if err := json.Unmarshal(js, &back); err != nil || back.Backend != "none" || !slices.Equal(back.Steps, plan.Steps) {
		t.Fatalf("plan JSON %s does not round-trip (%v)", js, err)
	}

	res, err := Apply(ctx, node, plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Done) != len(want) {
		t.Errorf("Done = %v", res.Done)
	}
	bridges, _ := db.Bridges(ctx)
	if !slices.Equal(bridges, []string{"br-int", "brp0"}) {
		t.Fatalf("bridges after Apply: %v", bridges)
	}
	brp0, _ := db.Bridge(ctx, "brp0")
	if brp0.DatapathType != "netdev" || !slices.Equal(brp0.Ports, []string{"brp0", "p0", "pf0hpf"}) {
		t.Errorf("brp0 = %+v", brp0)
	}
	brint, _ := db.Bridge(ctx, "br-int")
	if brint.DatapathType != "netdev" || brint.FailMode != ovsdb.FailModeSecure {
		t.Errorf("br-int = %+v", brint)
	}
	ch, err := db.Chassis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ch.SystemID != "dpu-1" || ch.GWInterface != "brp0" || ch.HostK8sNodename != "host-worker-1" ||
		ch.GWNexthop != netip.MustParseAddr("10.1.65.1") || ch.BridgeDatapathType != "netdev" || ch.EncapType != "geneve" ||
		!slices.Equal(ch.EncapIPs, []netip.Addr{netip.MustParseAddr("10.1.65.155")}) {
		t.Errorf("chassis after Apply: %+v", ch)
	}
	off, _ := db.Offload(ctx)
	if off.HWOffload == nil || *off.HWOffload {
		t.Errorf("hw-offload after Apply with backend none: %v", off.HWOffload)
	}

	again, err := Plan(ctx, node, testSpec())
	if err != nil {
		t.Fatal(err)
	}
	if !again.Empty() {
		t.Fatalf("second plan is not empty:\n%s", again)
	}
	if !strings.HasPrefix(again.String(), "no changes") {
		t.Errorf("empty plan prints %q", again)
	}
	before := dbState(t, db)
	if _, err := Apply(ctx, node, again); err != nil {
		t.Fatal(err)
	}
	// Applying the old, non-empty plan again is harmless too.
	if _, err := Apply(ctx, node, plan); err != nil {
		t.Fatal(err)
	}
	if after := dbState(t, db); !slices.Equal(before, after) {
		t.Fatalf("re-applying changed the node:\nbefore %v\nafter  %v", before, after)
	}
}

func TestPlanUpdatesExistingBridges(t *testing.T) {
	ctx := context.Background()
	db := dialTest(t, ovstest.StartInProcessDB(t))
	node := &Node{DB: db}
	txn := db.Txn()
	txn.EnsureBridge(ovsdb.BridgeSpec{Name: "brp0", DatapathType: "system"})
	txn.EnsurePort(ovsdb.PortSpec{Bridge: "brp0", Name: "p0", Type: "dpdk", Options: map[string]string{"dpdk-devargs": "x"}})
	txn.EnsureBridge(ovsdb.BridgeSpec{Name: "br-int", DatapathType: "netdev"})
	if _, err := txn.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	spec := testSpec()
	spec.UplinkBridge.HostPF = ""
	plan, err := Plan(ctx, node, spec)
	if err != nil {
		t.Fatal(err)
	}
	text := plan.String()
	for _, s := range []string{"ensure-bridge brp0: datapath_type system → netdev", "ensure-bridge br-int: fail_mode unset → secure",
		"ensure-port brp0/p0: set type=system (was type=dpdk options:dpdk-devargs=x)"} {
		if !strings.Contains(text, s) {
			t.Errorf("plan lacks %q:\n%s", s, text)
		}
	}
	if plan.Has(StepRemoveBridge) {
		t.Errorf("nothing to remove, yet:\n%s", text)
	}
	if _, err := Apply(ctx, node, plan); err != nil {
		t.Fatal(err)
	}
	p, _ := db.Port(ctx, "p0")
	if p.Type != "" {
		t.Errorf("p0 type after Apply = %q, want system", p.Type)
	}
	if again, err := Plan(ctx, node, spec); err != nil || !again.Empty() {
		t.Fatalf("second plan: %v, %v", again, err)
	}
}

func TestApplyFailureUndoesEarlierSteps(t *testing.T) {
	ctx := context.Background()
	db := dialTest(t, ovstest.StartInProcessDB(t))
	factoryNode(t, db)
	node := &Node{DB: db}
	before := dbState(t, db)

	for _, failAt := range []StepKind{StepRemoveBridge, StepEnsurePort, StepSetChassis} {
		t.Run(string(failAt), func(t *testing.T) {
			plan, err := Plan(ctx, node, testSpec())
			if err != nil {
				t.Fatal(err)
			}
			injected := errors.New("injected failure")
			plan.beforeStep = func(kinds []StepKind) error {
				if slices.Contains(kinds, failAt) {
					return injected
				}
				return nil
			}
			_, err = Apply(ctx, node, plan)
			var ae *ApplyError
			if !errors.As(err, &ae) || !errors.Is(err, injected) || len(ae.Undo) != 0 {
				t.Fatalf("Apply = %v, want an *ApplyError with the injected cause and a clean undo", err)
			}
			if after := dbState(t, db); !slices.Equal(before, after) {
				t.Fatalf("node changed by a failed Apply:\nbefore:\n  %s\nafter:\n  %s",
					strings.Join(before, "\n  "), strings.Join(after, "\n  "))
			}
		})
	}
}

func TestPlanRejects(t *testing.T) {
	ctx := context.Background()
	db := dialTest(t, ovstest.StartInProcessDB(t))
	factoryNode(t, db)
	node := &Node{DB: db}

	// p0 sits on ovsbr1, which the spec keeps.
	spec := testSpec()
	spec.RemoveBridges = []string{"ovsbr2"}
	if _, err := Plan(ctx, node, spec); !errors.Is(err, ErrConflict) {
		t.Errorf("port on a kept bridge: %v, want ErrConflict", err)
	}

	bad := map[string]func(*NodeSpec){
		"no backend":          func(s *NodeSpec) { s.Backend = nil },
		"long bridge name":    func(s *NodeSpec) { s.UplinkBridge.Name = "a-very-long-bridge-name" },
		"no uplink":           func(s *NodeSpec) { s.UplinkBridge.Uplink = "" },
		"same bridges":        func(s *NodeSpec) { s.IntegrationBridge.Name = "brp0" },
		"uplink is host PF":   func(s *NodeSpec) { s.UplinkBridge.HostPF = "p0" },
		"remove wanted":       func(s *NodeSpec) { s.RemoveBridges = append(s.RemoveBridges, "br-int") },
		"bad datapath":        func(s *NodeSpec) { s.UplinkBridge.DatapathType = "dpdk" },
		"bad gateway":         func(s *NodeSpec) { s.Move = &AddressMove{From: "sf0", Gateway: netip.IPv4Unspecified()} },
		"move without switch": func(s *NodeSpec) { s.Move = &AddressMove{From: "sf0"} },
		"bad system-id":       func(s *NodeSpec) { s.Chassis.SystemID = "a b" },
		"move from bridge":    func(s *NodeSpec) { s.Move = &AddressMove{From: "brp0"} },
	}
	before := dbState(t, db)
	for name, mutate := range bad {
		spec := testSpec()
		mutate(&spec)
		if _, err := Plan(ctx, node, spec); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Plan = %v, want ErrInvalid", name, err)
		}
	}
	if after := dbState(t, db); !slices.Equal(before, after) {
		t.Fatal("a rejected plan changed the node")
	}
	if _, err := Apply(ctx, node, &NodePlan{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Apply of a zero plan = %v, want ErrInvalid", err)
	}
}

func TestDatapathWarningNone(t *testing.T) {
	for _, dp := range []string{ovsdb.DatapathSystem, ovsdb.DatapathNetdev} {
		if w := DatapathWarning(None{}, dp); w != "" {
			t.Errorf("backend none warns about %s: %q", dp, w)
		}
	}
}
