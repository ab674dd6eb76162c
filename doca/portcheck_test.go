// SPDX-License-Identifier: Apache-2.0

package doca

import (
	"strings"
	"testing"

	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
)

func TestCheckPortTypes(t *testing.T) {
	inv, err := eswitch.DiscoverSysfs(dpuTree())
	if err != nil {
		t.Fatal(err)
	}
	reps := inv.Representors()
	for _, c := range []struct {
		name  string
		ports []ovsPort
		inv   []eswitch.Representor
		want  offload.CheckStatus
	}{
		{"all doca", []ovsPort{{"p0", "brp0", "doca", ""}, {"pf0vf0", "br-int", "doca", ""}}, reps, offload.CheckPass},
		{"all dpdk", []ovsPort{{"p0", "brp0", "dpdk", "0000:03:00.0,dv_xmeta_en=4,dv_flow_en=2"}, {"pf0vf0", "br-int", "dpdk", ""}}, reps, offload.CheckPass},
		{"mix on one eswitch", []ovsPort{{"p0", "brp0", "doca", ""}, {"pf0vf0", "br-int", "dpdk", ""}}, reps, offload.CheckFail},
		{"mix without inventory", []ovsPort{{"p0", "brp0", "doca", ""}, {"pf0vf0", "br-int", "dpdk", "0000:03:00.0,dv_flow_en=2"}}, nil, offload.CheckFail},
		// A non-mlx5 DPDK port (no dv_flow_en) beside doca ports is no mix.
		{"other dpdk NIC", []ovsPort{{"p0", "brp0", "doca", ""}, {"ice0", "brp0", "dpdk", "0000:81:00.0"}}, nil, offload.CheckPass},
		// Ports outside the inventory are each their own group.
		{"unknown ports", []ovsPort{{"x0", "brp0", "doca", ""}, {"x1", "brp0", "dpdk", ""}}, reps, offload.CheckPass},
	} {
		ch := checkPortTypes(c.ports, c.inv)
		if ch.Status != c.want || ch.Status == offload.CheckFail && (ch.Fix == "" || !strings.Contains(ch.Detail, "type=doca")) {
			t.Errorf("%s: %+v, want %s", c.name, ch, c.want)
		}
	}
}

func TestCheckUplinks(t *testing.T) {
	inv, err := eswitch.DiscoverSysfs(dpuTree())
	if err != nil {
		t.Fatal(err)
	}
	reps := inv.Representors()
	if ch := checkUplinks([]ovsPort{{"p0", "brp0", "doca", ""}, {"pf0vf0", "br-int", "doca", ""}}, reps); ch.Status != offload.CheckPass {
		t.Errorf("with p0: %+v", ch)
	}
	ch := checkUplinks([]ovsPort{{"pf0hpf", "brp0", "doca", ""}, {"pf0vf0", "br-int", "doca", ""}}, reps)
	if ch.Status != offload.CheckFail || !strings.Contains(ch.Detail, "p0") || !strings.Contains(ch.Detail, "pf0vf0") || ch.Fix == "" {
		t.Errorf("without p0: %+v", ch)
	}
	if ch := checkUplinks(nil, reps); ch.Status != offload.CheckPass {
		t.Errorf("no ports in OVS: %+v", ch)
	}
	if ch := checkUplinks([]ovsPort{{"pf0vf0", "br-int", "doca", ""}}, nil); ch.Status != offload.CheckSkip {
		t.Errorf("no inventory: %+v", ch)
	}
}

// TestPreflightRefusesPortTypeMix: a node whose netdev bridges hold a
// type=doca port and an mlx5 type=dpdk port fails preflight, read from a
// real OVSDB.
func TestPreflightRefusesPortTypeMix(t *testing.T) {
	c, ctx := dial(t)
	for _, br := range []string{"brp0", "br-int"} {
		if _, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: br, DatapathType: "netdev"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "brp0", Name: "p0", Type: "doca"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br-int", Name: "pf0vf0", Type: "dpdk",
		Options: map[string]string{"dpdk-devargs": "0000:03:00.0,dv_xmeta_en=4,dv_flow_en=2,representor=[0]"}}); err != nil {
		t.Fatal(err)
	}
	b, _ := New(Config{Library: "/nonexistent/libdoca_common.so.3"})
	checks, err := b.Preflight(ctx, &offload.Node{DB: c})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ch := range checks {
		if ch.Name == "port-type-mix" {
			found = true
			if ch.Status != offload.CheckFail || !strings.Contains(ch.Detail, "brp0/p0") || !strings.Contains(ch.Detail, "br-int/pf0vf0") {
				t.Errorf("port-type-mix: %+v", ch)
			}
		}
		if ch.Name == "eswitch-uplink" && ch.Status != offload.CheckSkip {
			t.Errorf("eswitch-uplink without an eswitch client: %+v", ch)
		}
	}
	if !found {
		t.Errorf("no port-type-mix check in %+v", checks)
	}
}
