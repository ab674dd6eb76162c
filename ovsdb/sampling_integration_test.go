// SPDX-License-Identifier: Apache-2.0

package ovsdb_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// TestIntegrationBridgeSampling sets, re-sets (no change), changes and
// clears NetFlow, sFlow and IPFIX on a bridge of a real ovsdb-server, and
// checks what ovs-vsctl reads; the server collects the rows a bridge no
// longer references.
func TestIntegrationBridgeSampling(t *testing.T) {
	db := startRealDB(t)
	db.Vsctl(t, "add-br", "br0")
	c := dialT(t, db.Endpoint())
	ctx := ctxT(t, 30*time.Second)
	rows := func(table string) int {
		return len(strings.Fields(db.Vsctl(t, "--columns=_uuid", "--bare", "list", table)))
	}

	eng := 7
	nf := &ovsdb.NetFlowSpec{Targets: []string{"192.0.2.1:2055", "192.0.2.2:2055"}, ActiveTimeout: 60, EngineID: &eng, ExternalIDs: map[string]string{"owner": "ovnk"}}
	sf := &ovsdb.SFlowSpec{Targets: []string{"192.0.2.1:6343"}, Agent: "br0", Sampling: 64, Polling: 10, Header: 128}
	ix := &ovsdb.IPFIXSpec{Targets: []string{"192.0.2.1:4739"}, Sampling: 400, CacheActiveTimeout: 60, CacheMaxFlows: 1000, OtherConfig: map[string]string{"enable-tunnel-sampling": "true"}}
	for name, set := range map[string]func() (bool, error){
		"netflow": func() (bool, error) { return c.SetBridgeNetFlow(ctx, "br0", nf) },
		"sflow":   func() (bool, error) { return c.SetBridgeSFlow(ctx, "br0", sf) },
		"ipfix":   func() (bool, error) { return c.SetBridgeIPFIX(ctx, "br0", ix) },
	} {
		if changed, err := set(); err != nil || !changed {
			t.Fatalf("%s: %v, %v", name, changed, err)
		}
		if changed, err := set(); err != nil || changed {
			t.Errorf("%s again: %v, %v", name, changed, err)
		}
	}
	gnf, gsf, gix, err := c.BridgeSampling(ctx, "br0")
	if err != nil || gnf == nil || len(gnf.Targets) != 2 || *gnf.EngineID != 7 || gsf == nil || gsf.Sampling != 64 || gix == nil || gix.CacheMaxFlows != 1000 {
		t.Fatalf("read after write: %+v %+v %+v %v", gnf, gsf, gix, err)
	}
	if s := db.Vsctl(t, "get", "sflow", strings.TrimSpace(db.Vsctl(t, "get", "bridge", "br0", "sflow")), "sampling", "agent"); s != "64\n\"br0\"" && s != "64\nbr0" {
		t.Errorf("ovs-vsctl reads sflow %q", s)
	}
	nf.ActiveTimeout = 30
	if changed, err := c.SetBridgeNetFlow(ctx, "br0", nf); err != nil || !changed {
		t.Fatalf("changing netflow: %v, %v", changed, err)
	}
	if s := db.Vsctl(t, "get", "netflow", strings.TrimSpace(db.Vsctl(t, "get", "bridge", "br0", "netflow")), "active_timeout"); s != "30" {
		t.Errorf("active_timeout %q", s)
	}
	if n := rows("netflow"); n != 1 {
		t.Errorf("%d NetFlow rows after a change, want 1 (the old one collected)", n)
	}
	for _, clear := range []func() (bool, error){
		func() (bool, error) { return c.SetBridgeNetFlow(ctx, "br0", nil) },
		func() (bool, error) { return c.SetBridgeSFlow(ctx, "br0", nil) },
		func() (bool, error) { return c.SetBridgeIPFIX(ctx, "br0", nil) },
	} {
		if changed, err := clear(); err != nil || !changed {
			t.Fatalf("clearing: %v, %v", changed, err)
		}
	}
	for _, table := range []string{"netflow", "sflow", "ipfix"} {
		if n := rows(table); n != 0 {
			t.Errorf("%d %s rows after clearing", n, table)
		}
	}
	if changed, err := c.SetBridgeSFlow(ctx, "br0", nil); err != nil || changed {
		t.Errorf("clearing again: %v, %v", changed, err)
	}
	bad := 256
	for name, err := range map[string]error{
		"no targets": func() error { _, err := c.SetBridgeNetFlow(ctx, "br0", &ovsdb.NetFlowSpec{}); return err }(),
		"engine 256": func() error {
			_, err := c.SetBridgeNetFlow(ctx, "br0", &ovsdb.NetFlowSpec{Targets: []string{"a:1"}, EngineType: &bad})
			return err
		}(),
		"target ctl": func() error {
			_, err := c.SetBridgeSFlow(ctx, "br0", &ovsdb.SFlowSpec{Targets: []string{"a:1\n"}})
			return err
		}(),
		"timeout": func() error {
			_, err := c.SetBridgeIPFIX(ctx, "br0", &ovsdb.IPFIXSpec{CacheActiveTimeout: 5000})
			return err
		}(),
		"neg polling": func() error {
			_, err := c.SetBridgeSFlow(ctx, "br0", &ovsdb.SFlowSpec{Targets: []string{"a:1"}, Polling: -1})
			return err
		}(),
	} {
		var ve *ovsdb.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: %v, want a *ValidationError", name, err)
		}
	}
	if _, err := c.SetBridgeIPFIX(ctx, "nobr", ix); !errors.Is(err, ovsdb.ErrNotFound) {
		t.Errorf("missing bridge: %v", err)
	}
	if n := rows("ipfix") + rows("sflow") + rows("netflow"); n != 0 {
		t.Errorf("refused calls left %d rows", n)
	}
}
