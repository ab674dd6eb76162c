// SPDX-License-Identifier: Apache-2.0

package offload_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

func dial(t *testing.T) (*ovsdb.Client, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ovstest.DialInProcess(t), ctx
}

func TestRegistry(t *testing.T) {
	if names := offload.Names(); !strings.Contains(strings.Join(names, ","), "none") {
		t.Fatalf("Names() = %v, want none among them", names)
	}
	if _, err := offload.New("nosuch", nil); !errors.Is(err, offload.ErrNotFound) {
		t.Fatalf("New(nosuch): %v", err)
	}
	if _, err := offload.New("none", map[string]string{"datapth": "netdev"}); err == nil || !strings.Contains(err.Error(), "datapth") {
		t.Fatalf("a misspelt setting must be named: %v", err)
	}
	b, err := offload.New("none", map[string]string{"datapath": "netdev"})
	if err != nil || b.DatapathType() != "netdev" {
		t.Fatalf("New(none, netdev) = %v, %v", b, err)
	}
}

func TestActivateNoneRemovesOtherBackendsKeys(t *testing.T) {
	c, ctx := dial(t)
	on := true
	if _, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "brp0", DatapathType: "netdev"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetOffload(ctx, ovsdb.OffloadSettings{HWOffload: &on, TCPolicy: "skip_hw", DOCAInit: &on}); err != nil {
		t.Fatal(err)
	}
	res, err := offload.Activate(ctx, c, offload.None{}, "brp0")
	if err != nil || !res.Changed {
		t.Fatalf("Activate: %+v %v", res, err)
	}
	s, err := c.Offload(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.HWOffload == nil || *s.HWOffload || s.TCPolicy != "" || s.DOCAInit != nil {
		t.Fatalf("after Activate(none): hw-offload=%v tc-policy=%q doca-init=%v", s.HWOffload, s.TCPolicy, s.DOCAInit)
	}
	br, err := c.Bridge(ctx, "brp0")
	if err != nil || br.DatapathType != "system" {
		t.Fatalf("bridge after Activate: %+v %v", br, err)
	}
	res, err = offload.Activate(ctx, c, offload.None{}, "brp0")
	if err != nil || res.Changed {
		t.Fatalf("second Activate changed something: %+v %v", res, err)
	}
	if _, err := offload.Activate(ctx, c, offload.None{}, "nosuchbr"); err == nil {
		t.Fatal("Activate on a missing bridge succeeded")
	}
	// Nothing was half-applied by the failed call.
	if s2, _ := c.Offload(ctx); s2.HWOffload == nil || *s2.HWOffload {
		t.Fatalf("failed Activate changed settings: %+v", s2)
	}
}

func TestNoneVerifyAttributesPods(t *testing.T) {
	c, ctx := dial(t)
	if _, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br-int", DatapathType: "netdev"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br-int", Name: "pf0vf7",
		ExternalIDs: ovsdb.PodAttachment{IfaceID: "default_testpod1", PodName: "testpod1", PodNamespace: "default"}.ExternalIDs()}); err != nil {
		t.Fatal(err)
	}
	line := "ufid:11111111-2222-3333-4444-555555555555, recirc_id(0),in_port(pf0vf7),eth_type(0x0800),ipv4(frag=no), packets:3, bytes:294, used:0.1s, dp:ovs, actions:drop"
	node := &offload.Node{DB: c, Dump: func(context.Context) ([]*dpflow.Flow, error) {
		f, err := dpflow.Parse(line)
		return []*dpflow.Flow{f}, err
	}}
	r, err := offload.None{Datapath: "netdev"}.Verify(ctx, node)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Flows) != 1 || r.Flows[0].Pod != "default/testpod1" || r.Flows[0].IfaceID != "default_testpod1" ||
		r.Flows[0].State != offload.OVSOnly {
		t.Fatalf("verdict: %+v", r.Flows)
	}
	if len(r.Node) == 0 || r.Node[0].Code != offload.ReasonHWOffloadDisabled {
		t.Fatalf("node reasons: %+v", r.Node)
	}
}
