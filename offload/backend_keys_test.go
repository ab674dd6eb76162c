// SPDX-License-Identifier: Apache-2.0

package offload_test

import (
	"context"
	"errors"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"
	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/ovsoffload/ovsoffload/doca"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
	_ "github.com/ovsoffload/ovsoffload/tc" // registers "tc"
)

// rootOtherConfig reads Open_vSwitch other_config straight from the server,
// with its own connection, not through the client under test.
func rootOtherConfig(t *testing.T, ep string) map[string]string {
	t.Helper()
	dbModel, err := ovsdb.VSwitchModel()
	if err != nil {
		t.Fatal(err)
	}
	cli, err := client.NewOVSDBClient(dbModel, client.WithEndpoint(ep))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := cli.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	res, err := cli.Transact(ctx, libovsdb.Operation{Op: libovsdb.OperationSelect, Table: ovsdb.TableOpenvSwitch,
		Columns: []string{"other_config"}})
	if err != nil || len(res) != 1 || res[0].Error != "" || len(res[0].Rows) != 1 {
		t.Fatalf("select Open_vSwitch other_config: %+v %v", res, err)
	}
	m, ok := res[0].Rows[0]["other_config"].(libovsdb.OvsMap)
	if !ok {
		t.Fatalf("other_config is %T", res[0].Rows[0]["other_config"])
	}
	out := map[string]string{}
	for k, v := range m.GoMap {
		out[k.(string)] = v.(string)
	}
	return out
}

// TestActivateSwitchRemovesEveryOtherBackendsKeys activates doca with every
// optional key (dpdk-extra among them), then tc, then none: after each
// switch, no key of a backend that is not active remains.
func TestActivateSwitchRemovesEveryOtherBackendsKeys(t *testing.T) {
	ep := ovstest.StartInProcessDB(t)
	c := ovstest.Dial(t, ep)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "brp0"}); err != nil {
		t.Fatal(err)
	}
	n := func(v int) *int { return &v }
	d, err := doca.New(doca.Config{CTSize: n(250000), CtlPipeSize: n(4096), CongestionThreshold: n(80),
		DPDKExtra: "-a 0000:03:00.0"})
	if err != nil {
		t.Fatal(err)
	}
	tcb, err := offload.New("tc", map[string]string{"tc-policy": "skip_sw"})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		b    offload.Backend
		want map[string]string
	}{
		{d, map[string]string{"hw-offload": "true", "doca-init": "true", "dpdk-init": "true", "hw-offload-ct-size": "250000",
			"ctl-pipe-size": "4096", "doca-congestion-threshold": "80", "dpdk-extra": "-a 0000:03:00.0"}},
		{tcb, map[string]string{"hw-offload": "true", "tc-policy": "skip_sw"}},
		{offload.None{}, map[string]string{"hw-offload": "false"}},
		{d, map[string]string{"hw-offload": "true", "doca-init": "true", "dpdk-init": "true", "hw-offload-ct-size": "250000",
			"ctl-pipe-size": "4096", "doca-congestion-threshold": "80", "dpdk-extra": "-a 0000:03:00.0"}},
		{offload.None{}, map[string]string{"hw-offload": "false"}},
	}
	for i, s := range steps {
		if _, err := offload.Activate(ctx, c, s.b, "brp0"); err != nil {
			t.Fatalf("step %d: Activate(%s): %v", i, s.b.Name(), err)
		}
		if got := rootOtherConfig(t, ep); !maps.Equal(got, s.want) {
			t.Fatalf("step %d: after Activate(%s) other_config = %v, want %v", i, s.b.Name(), got, s.want)
		}
	}
}

// TestConfigureWritesOnlyDeclaredKeys holds every registered backend to the
// keys it declared: with every registered key and a foreign one already set,
// its Configure (built with all its settings, then with none) changes or
// removes no key outside its own and CommonKeys.
func TestConfigureWritesOnlyDeclaredKeys(t *testing.T) {
	full := map[string]map[string]string{
		"none": {"datapath": "netdev"},
		"tc":   {"tc-policy": "skip_hw"},
		"doca": {"hw-offload-ct-size": "1000", "ctl-pipe-size": "64", "doca-congestion-threshold": "50",
			"dpdk-extra": "-a 0000:03:00.1", "naming": "netdev"},
	}
	names := offload.Names()
	for _, want := range []string{"none", "tc", "doca"} {
		if !slices.Contains(names, want) {
			t.Fatalf("backend %s not registered: %v", want, names)
		}
	}
	// Every key any backend owns, plus one nobody owns, set to a marker.
	seed := map[string]string{"hw-offload": "marker", "foreign-key": "marker"}
	for _, name := range names {
		keys, err := offload.Keys(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			seed[k] = "marker"
		}
	}
	for _, name := range names {
		for _, settings := range []map[string]string{full[name], nil} {
			ep := ovstest.StartInProcessDB(t)
			c := ovstest.Dial(t, ep)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			if _, err := c.SetMap(ctx, ovsdb.TableOpenvSwitch, "", "other_config", seed, nil); err != nil {
				t.Fatal(err)
			}
			b, err := offload.New(name, settings)
			if err != nil {
				t.Fatalf("New(%s, %v): %v", name, settings, err)
			}
			txn := c.Txn()
			if err := b.Configure(txn); err != nil {
				t.Fatalf("%s: Configure: %v", name, err)
			}
			if _, err := txn.Commit(ctx); err != nil {
				t.Fatalf("%s: commit: %v", name, err)
			}
			cancel()
			own, _ := offload.Keys(name)
			own = append(own, offload.CommonKeys...)
			after := rootOtherConfig(t, ep)
			var touched []string
			for k := range maps.Keys(seed) {
				if v, ok := after[k]; (!ok || v != seed[k]) && !slices.Contains(own, k) {
					touched = append(touched, k)
				}
			}
			for k := range maps.Keys(after) {
				if _, ok := seed[k]; !ok && !slices.Contains(own, k) {
					touched = append(touched, k)
				}
			}
			if len(touched) > 0 {
				slices.Sort(touched)
				t.Errorf("%s (settings %v): Configure touched keys it did not declare: %s (declared %v)",
					name, settings, strings.Join(touched, ", "), own)
			}
		}
	}
}

// TestActivateUnregisteredBackend: Activate cannot tell the keys of a
// backend nobody registered from the others', so it refuses, changing
// nothing.
func TestActivateUnregisteredBackend(t *testing.T) {
	c, ctx := dial(t)
	if _, err := offload.Activate(ctx, c, unregistered{}); !errors.Is(err, offload.ErrNotFound) || !strings.Contains(err.Error(), "not registered") {
		t.Fatalf("Activate(unregistered) = %v, want an error naming the missing registration", err)
	}
	if _, err := offload.Keys("nosuch"); err == nil {
		t.Fatal("Keys(nosuch) succeeded")
	}
}

type unregistered struct{ offload.None }

func (unregistered) Name() string { return "unregistered" }

// TestNodeSpecSwitchRemovesOtherBackendsKeys: a node left with doca's keys
// (dpdk-extra among them) and tc's tc-policy is set up with the none
// backend through Plan and Apply: the plan has a configure-backend step, and
// afterwards no other backend's key remains.
func TestNodeSpecSwitchRemovesOtherBackendsKeys(t *testing.T) {
	ep := ovstest.StartInProcessDB(t)
	c := ovstest.Dial(t, ep)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := c.SetMap(ctx, ovsdb.TableOpenvSwitch, "", "other_config", map[string]string{"hw-offload": "true",
		"doca-init": "true", "dpdk-extra": "-a 0000:03:00.0", "ctl-pipe-size": "64", "tc-policy": "skip_sw",
		"foreign-key": "kept"}, nil); err != nil {
		t.Fatal(err)
	}
	spec := offload.NodeSpec{
		Backend:      offload.None{},
		UplinkBridge: offload.UplinkBridge{Name: "brp0", Uplink: "p0"},
		Chassis: ovsdb.Chassis{SystemID: "dpu-1", EncapIPs: []netip.Addr{netip.MustParseAddr("10.1.65.155")},
			HostK8sNodename: "host-worker-1"},
	}
	node := &offload.Node{DB: c}
	plan, err := offload.Plan(ctx, node, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Has(offload.StepConfigureBackend) {
		t.Fatalf("plan has no configure-backend step:\n%s", plan)
	}
	if _, err := offload.Apply(ctx, node, plan); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"hw-offload": "false", "foreign-key": "kept"}
	if got := rootOtherConfig(t, ep); !maps.Equal(got, want) {
		t.Fatalf("other_config after Apply(none) = %v, want %v", got, want)
	}
	if again, err := offload.Plan(ctx, node, spec); err != nil || again.Has(offload.StepConfigureBackend) {
		t.Fatalf("second plan: %v %v", again, err)
	}
}
