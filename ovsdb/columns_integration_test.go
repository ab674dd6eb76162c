// SPDX-License-Identifier: Apache-2.0

package ovsdb_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// TestIntegrationPortVLAN sets, reads back, re-sets (no change) and clears
// a port's tag, trunks and vlan_mode on a real ovsdb-server, and checks
// what ovs-vsctl reads; invalid values are refused before anything is sent.
func TestIntegrationPortVLAN(t *testing.T) {
	db := startRealDB(t)
	db.Vsctl(t, "add-br", "br0", "--", "add-port", "br0", "p1")
	c := dialT(t, db.Endpoint())
	ctx := ctxT(t, 30*time.Second)

	tag := 10
	want := ovsdb.PortVLAN{Tag: &tag, Trunks: []int{30, 20}, Mode: ovsdb.VLANModeNativeUntagged}
	changed, err := c.SetPortVLAN(ctx, "p1", want)
	if err != nil || !changed {
		t.Fatalf("SetPortVLAN: %v, %v", changed, err)
	}
	got, err := c.PortVLAN(ctx, "p1")
	if err != nil || got.Tag == nil || *got.Tag != 10 || len(got.Trunks) != 2 || got.Trunks[0] != 20 || got.Mode != "native-untagged" {
		t.Fatalf("read after write: %+v, %v", got, err)
	}
	if s := db.Vsctl(t, "get", "port", "p1", "tag", "trunks", "vlan_mode"); s != "10\n[20, 30]\nnative-untagged" {
		t.Errorf("ovs-vsctl reads %q", s)
	}
	if changed, err := c.SetPortVLAN(ctx, "p1", ovsdb.PortVLAN{Tag: &tag, Trunks: []int{20, 30}, Mode: "native-untagged"}); err != nil || changed {
		t.Errorf("same VLAN again: changed %v, %v", changed, err)
	}
	if changed, err := c.SetPortVLAN(ctx, "p1", ovsdb.PortVLAN{}); err != nil || !changed {
		t.Fatalf("clearing: %v, %v", changed, err)
	}
	if s := db.Vsctl(t, "get", "port", "p1", "tag", "trunks", "vlan_mode"); s != "[]\n[]\n[]" {
		t.Errorf("after clearing ovs-vsctl reads %q", s)
	}
	bad, neg := 4096, -1
	for _, v := range []ovsdb.PortVLAN{{Tag: &bad}, {Tag: &neg}, {Trunks: []int{5, 5}}, {Trunks: []int{4096}}, {Mode: "sideways"}, {Mode: "access", Trunks: []int{1}}} {
		_, err := c.SetPortVLAN(ctx, "p1", v)
		var ve *ovsdb.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%+v: got %v, want a *ValidationError", v, err)
		}
	}
	if _, err := c.SetPortVLAN(ctx, "nope", ovsdb.PortVLAN{Tag: &tag}); !errors.Is(err, ovsdb.ErrNotFound) {
		t.Errorf("missing port: %v", err)
	}
	if s := db.Vsctl(t, "get", "port", "p1", "tag"); s != "[]" {
		t.Errorf("a refused change was applied: tag %q", s)
	}
}

// TestIntegrationInterfaceColumns runs a real ovs-vswitchd: sets an
// internal interface's mac and ingress policing, reads what ovs-vswitchd
// reports (mac_in_use, mtu, ofport), and finds interfaces by external_ids,
// by ofport=-1 and by error, as OVN-Kubernetes does with ovs-vsctl find.
func TestIntegrationInterfaceColumns(t *testing.T) {
	sw := ovstest.StartSwitch(t)
	sw.AddBridge(t, "br0")
	sw.AddInternalPort(t, "br0", "mgmt0")
	sw.Vsctl(t, "set", "interface", "mgmt0", "external_ids:iface-id=k8s-node1", "external_ids:owner=ovnk")
	// A port of a type that cannot be created: ovs-vswitchd sets ofport -1 and error.
	sw.Vsctl(t, "add-port", "br0", "bad0", "--", "set", "interface", "bad0", "type=no_such_type", "external_ids:owner=ovnk")
	c := dialT(t, sw.DB.Endpoint())
	ctx := ctxT(t, 30*time.Second)

	mac, rate, burst := "0A:58:0A:F4:00:02", 1000, 100
	if _, err := c.SetInterface(ctx, "mgmt0", ovsdb.InterfaceSettings{MAC: &mac, IngressPolicingRate: &rate, IngressPolicingBurst: &burst}); err != nil {
		t.Fatal(err)
	}
	if s := sw.Vsctl(t, "get", "interface", "mgmt0", "mac", "ingress_policing_rate", "ingress_policing_burst"); s != "\"0a:58:0a:f4:00:02\"\n1000\n100" {
		t.Errorf("ovs-vsctl reads %q", s)
	}
	if changed, err := c.SetInterface(ctx, "mgmt0", ovsdb.InterfaceSettings{MAC: &mac, IngressPolicingRate: &rate}); err != nil || changed {
		t.Errorf("same settings again: %v, %v", changed, err)
	}
	// ovs-vswitchd applies the mac: mac_in_use follows.
	var st []ovsdb.InterfaceState
	deadline := time.Now().Add(10 * time.Second)
	for {
		var err error
		st, err = c.Interfaces(ctx, ovsdb.InterfaceQuery{ExternalIDs: map[string]string{"iface-id": "k8s-node1"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(st) == 1 && st[0].MACInUse == "0a:58:0a:f4:00:02" && st[0].MTU > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(st) != 1 || st[0].Name != "mgmt0" || st[0].Port != "mgmt0" || st[0].MAC != "0a:58:0a:f4:00:02" ||
		st[0].MACInUse != "0a:58:0a:f4:00:02" || st[0].MTU <= 0 || !st[0].HasOFPort || st[0].OFPort <= 0 || st[0].IngressPolicingRate != 1000 {
		t.Fatalf("mgmt0: %+v", st)
	}
	owned, err := c.Interfaces(ctx, ovsdb.InterfaceQuery{ExternalIDs: map[string]string{"owner": ""}})
	if err != nil || len(owned) != 2 || owned[0].Name != "bad0" || owned[1].Name != "mgmt0" {
		t.Fatalf("by external_ids key: %+v, %v", owned, err)
	}
	var failed []ovsdb.InterfaceState
	for deadline := time.Now().Add(10 * time.Second); ; {
		failed, err = c.Interfaces(ctx, ovsdb.InterfaceQuery{FailedOFPort: true})
		if err != nil || len(failed) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil || len(failed) != 1 || failed[0].Name != "bad0" || failed[0].OFPort != -1 {
		t.Fatalf("ofport=-1: %+v, %v", failed, err)
	}
	withErr, err := c.Interfaces(ctx, ovsdb.InterfaceQuery{WithError: true, Type: "no_such_type"})
	if err != nil || len(withErr) != 1 || !strings.Contains(withErr[0].Error, "bad0") {
		t.Fatalf("by error: %+v, %v", withErr, err)
	}
	if n, err := c.Interfaces(ctx, ovsdb.InterfaceQuery{ExternalIDs: map[string]string{"owner": "other"}}); err != nil || len(n) != 0 {
		t.Errorf("no match: %+v, %v", n, err)
	}

	empty := ""
	if _, err := c.SetInterface(ctx, "mgmt0", ovsdb.InterfaceSettings{MAC: &empty}); err != nil {
		t.Fatal(err)
	}
	if s := sw.Vsctl(t, "get", "interface", "mgmt0", "mac"); s != "[]" {
		t.Errorf("mac after clearing: %q", s)
	}
	for _, m := range []string{"zz:00:00:00:00:00", "01:00:5e:00:00:01", "0a:58:0a:f4:00:02:03:04"} {
		var ve *ovsdb.ValidationError
		if _, err := c.SetInterface(ctx, "mgmt0", ovsdb.InterfaceSettings{MAC: &m}); !errors.As(err, &ve) {
			t.Errorf("mac %q: %v", m, err)
		}
	}
	neg := -5
	if _, err := c.SetInterface(ctx, "mgmt0", ovsdb.InterfaceSettings{IngressPolicingBurst: &neg}); err == nil {
		t.Error("a negative burst accepted")
	}
	if _, err := c.SetInterface(ctx, "nope", ovsdb.InterfaceSettings{MAC: &mac}); !errors.Is(err, ovsdb.ErrNotFound) {
		t.Errorf("missing interface: %v", err)
	}

	// Any Open_vSwitch external_ids / other_config key.
	sw.Vsctl(t, "set", "open_vswitch", ".", "external_ids:k8s-api-server=https://10.0.0.1:6443", "other_config:vlan-limit=2")
	var v string
	for deadline := time.Now().Add(10 * time.Second); ; {
		v, err = c.SystemExternalID(ctx, "k8s-api-server")
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if v != "https://10.0.0.1:6443" {
		t.Errorf("k8s-api-server: %q, %v", v, err)
	}
	if _, other, err := c.SystemConfig(ctx); err != nil || other["vlan-limit"] != "2" {
		t.Errorf("other_config: %v, %v", other, err)
	}
	if _, err := c.SystemExternalID(ctx, "k8s-no-such-key"); !errors.Is(err, ovsdb.ErrNotFound) {
		t.Errorf("missing key: %v", err)
	}
}
