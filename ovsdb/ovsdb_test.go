// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"

	vs "github.com/ovsoffload/ovsoffload/ovsdb/internal/vswitchmodel"
)

func mustChange(t *testing.T, what string, changed bool, err error, want bool) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if changed != want {
		t.Fatalf("%s: changed = %v, want %v", what, changed, want)
	}
}

func TestEnsureBridgeIdempotent(t *testing.T) {
	ep := startInProcess(t)
	c := dial(t, ep)
	ctx := testCtx(t)

	spec := BridgeSpec{Name: "br-int", DatapathType: DatapathNetdev, FailMode: FailModeSecure,
		OtherConfig: map[string]string{"hwaddr": "02:00:00:00:00:01"}, ExternalIDs: map[string]string{"k": "v"}}
	ch, err := c.EnsureBridge(ctx, spec)
	mustChange(t, "first EnsureBridge", ch, err, true)
	// read right after write, no wait by the caller
	b, err := c.Bridge(ctx, "br-int")
	if err != nil {
		t.Fatal(err)
	}
	want := Bridge{UUID: b.UUID, Name: "br-int", DatapathType: "netdev", FailMode: "secure",
		OtherConfig: map[string]string{"hwaddr": "02:00:00:00:00:01"}, ExternalIDs: map[string]string{"k": "v"},
		Ports: []string{"br-int"}}
	if !reflect.DeepEqual(b, want) {
		t.Fatalf("Bridge = %+v\nwant    %+v", b, want)
	}
	ch, err = c.EnsureBridge(ctx, spec)
	mustChange(t, "second EnsureBridge", ch, err, false)

	spec.FailMode = FailModeStandalone
	spec.OtherConfig = map[string]string{"hwaddr": "02:00:00:00:00:02"}
	spec.RemoveExternalIDs = []string{"k"}
	spec.ExternalIDs = nil
	ch, err = c.EnsureBridge(ctx, spec)
	mustChange(t, "EnsureBridge change", ch, err, true)
	b, _ = c.Bridge(ctx, "br-int")
	if b.FailMode != "standalone" || b.OtherConfig["hwaddr"] != "02:00:00:00:00:02" || len(b.ExternalIDs) != 0 {
		t.Fatalf("after change: %+v", b)
	}
	ch, err = c.EnsureBridge(ctx, spec)
	mustChange(t, "EnsureBridge again", ch, err, false)

	ch, err = c.DeleteBridge(ctx, "br-int")
	mustChange(t, "DeleteBridge", ch, err, true)
	if _, err := c.Bridge(ctx, "br-int"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Bridge after delete: %v, want ErrNotFound", err)
	}
	if _, err := c.Port(ctx, "br-int"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("local port after delete: %v, want ErrNotFound", err)
	}
	ch, err = c.DeleteBridge(ctx, "br-int")
	mustChange(t, "DeleteBridge again", ch, err, false)
}

func TestEnsurePort(t *testing.T) {
	ep := startInProcess(t)
	c := dial(t, ep)
	ctx := testCtx(t)
	for _, br := range []string{"br-a", "br-b"} {
		if _, err := c.EnsureBridge(ctx, BridgeSpec{Name: br}); err != nil {
			t.Fatal(err)
		}
	}
	mac, _ := net.ParseMAC("0a:58:0a:f4:00:05")
	pod := PodAttachment{IfaceID: "ns_pod", IfaceIDVer: "uid-1", MAC: mac, PodName: "pod", PodNamespace: "ns"}
	spec := PortSpec{Bridge: "br-a", Name: "pf0vf3", Type: "dpdk", Options: map[string]string{"dpdk-devargs": "0000:03:00.0,representor=[3]"},
		MTURequest: 9000, ExternalIDs: pod.ExternalIDs(), Transient: true}
	ch, err := c.EnsurePort(ctx, spec)
	mustChange(t, "EnsurePort", ch, err, true)
	p, err := c.Port(ctx, "pf0vf3")
	if err != nil {
		t.Fatal(err)
	}
	if p.Bridge != "br-a" || p.Type != "dpdk" || p.Options["dpdk-devargs"] != "0000:03:00.0,representor=[3]" || p.MTURequest != 9000 ||
		p.ExternalIDs["iface-id"] != "ns_pod" || p.ExternalIDs["attached_mac"] != "0a:58:0a:f4:00:05" ||
		p.ExternalIDs["iface-id-ver"] != "uid-1" || p.ExternalIDs["pod-name"] != "pod" || p.PortOtherConfig["transient"] != "true" {
		t.Fatalf("Port = %+v", p)
	}
	ch, err = c.EnsurePort(ctx, spec)
	mustChange(t, "EnsurePort again", ch, err, false)

	// a change of one key keeps the others
	spec.ExternalIDs = map[string]string{"iface-id-ver": "uid-2"}
	spec.MTURequest = 1500
	ch, err = c.EnsurePort(ctx, spec)
	mustChange(t, "EnsurePort change", ch, err, true)
	p, _ = c.Port(ctx, "pf0vf3")
	if p.ExternalIDs["iface-id-ver"] != "uid-2" || p.ExternalIDs["iface-id"] != "ns_pod" || p.MTURequest != 1500 {
		t.Fatalf("after change: %+v", p)
	}
	// removing the last option leaves an empty map, which must clear it
	spec.Options = nil
	spec.RemoveOptions = []string{"dpdk-devargs"}
	ch, err = c.EnsurePort(ctx, spec)
	mustChange(t, "EnsurePort remove option", ch, err, true)
	if p, _ = c.Port(ctx, "pf0vf3"); len(p.Options) != 0 {
		t.Fatalf("options not cleared: %v", p.Options)
	}

	// the same port on another bridge is a conflict
	_, err = c.EnsurePort(ctx, PortSpec{Bridge: "br-b", Name: "pf0vf3"})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("port on other bridge: %v, want ErrConflict", err)
	}
	_, err = c.EnsurePort(ctx, PortSpec{Bridge: "br-nope", Name: "x1"})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing bridge: %v, want ErrNotFound", err)
	}

	ch, err = c.DeletePort(ctx, "pf0vf3")
	mustChange(t, "DeletePort", ch, err, true)
	if _, err := c.Port(ctx, "pf0vf3"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	b, _ := c.Bridge(ctx, "br-a")
	if !reflect.DeepEqual(b.Ports, []string{"br-a"}) {
		t.Fatalf("bridge ports after delete: %v", b.Ports)
	}
	ch, err = c.DeletePort(ctx, "pf0vf3")
	mustChange(t, "DeletePort again", ch, err, false)
	if _, err := c.DeletePort(ctx, "br-a"); !errors.Is(err, ErrConflict) {
		t.Fatalf("deleting a bridge's local port: %v, want ErrConflict", err)
	}
}

func TestTxnAtomic(t *testing.T) {
	ep := startInProcess(t)
	c := dial(t, ep)
	ctx := testCtx(t)

	tx := c.Txn().EnsureBridge(BridgeSpec{Name: "br0"})
	for _, n := range []string{"p1", "p2", "p3"} {
		tx.EnsurePort(PortSpec{Bridge: "br0", Name: n, Type: "internal"})
	}
	tx.RequireBridge("br-missing")
	_, err := tx.Commit(ctx)
	var te *TxnError
	if !errors.As(err, &te) {
		t.Fatalf("Commit = %v, want *TxnError", err)
	}
	if !errors.Is(err, ErrConflict) {
		t.Errorf("TxnError does not match ErrConflict: %v", err)
	}
	if len(te.Failed) == 0 || !strings.Contains(te.Failed[0].Op, `require Bridge "br-missing"`) {
		t.Errorf("failed ops = %+v, want the require op named", te.Failed)
	}
	if _, err := c.Bridge(ctx, "br0"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("bridge of failed txn exists: %v", err)
	}
	if _, err := c.Port(ctx, "p1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("port of failed txn exists: %v", err)
	}

	tx = c.Txn().EnsureBridge(BridgeSpec{Name: "br0"})
	for _, n := range []string{"p1", "p2", "p3"} {
		tx.EnsurePort(PortSpec{Bridge: "br0", Name: n, Type: "internal"})
	}
	tx.RequirePortAbsent("p9")
	res, err := tx.Commit(ctx)
	if err != nil || !res.Changed {
		t.Fatalf("Commit = %+v, %v", res, err)
	}
	b, err := c.Bridge(ctx, "br0")
	if err != nil || !reflect.DeepEqual(b.Ports, []string{"br0", "p1", "p2", "p3"}) {
		t.Fatalf("Bridge = %+v, %v", b, err)
	}
	// the same transaction again changes nothing
	tx = c.Txn().EnsureBridge(BridgeSpec{Name: "br0"})
	for _, n := range []string{"p1", "p2", "p3"} {
		tx.EnsurePort(PortSpec{Bridge: "br0", Name: n, Type: "internal"})
	}
	if tx.Len() != 0 {
		t.Fatalf("idempotent txn has %d ops", tx.Len())
	}
}

func TestBadInputRejectedBeforeSending(t *testing.T) {
	ep := startInProcess(t)
	c := dial(t, ep)
	ctx := testCtx(t)
	if _, err := c.EnsureBridge(ctx, BridgeSpec{Name: "br0"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		run  func() error
	}{
		{"long bridge name", func() error { _, err := c.EnsureBridge(ctx, BridgeSpec{Name: "br-0123456789abc"}); return err }},
		{"slash in bridge", func() error { _, err := c.EnsureBridge(ctx, BridgeSpec{Name: "br/0"}); return err }},
		{"datapath type", func() error { _, err := c.EnsureBridge(ctx, BridgeSpec{Name: "br1", DatapathType: "dpdk"}); return err }},
		{"hwaddr", func() error {
			_, err := c.EnsureBridge(ctx, BridgeSpec{Name: "br1", OtherConfig: map[string]string{"hwaddr": "zz"}})
			return err
		}},
		{"long port name", func() error {
			_, err := c.EnsurePort(ctx, PortSpec{Bridge: "br0", Name: "pf0vf0123456789a"})
			return err
		}},
		{"slash in port", func() error { _, err := c.EnsurePort(ctx, PortSpec{Bridge: "br0", Name: "a/b"}); return err }},
		{"bad type", func() error {
			_, err := c.EnsurePort(ctx, PortSpec{Bridge: "br0", Name: "p1", Type: "Sys tem"})
			return err
		}},
		{"patch without peer", func() error {
			_, err := c.EnsurePort(ctx, PortSpec{Bridge: "br0", Name: "p1", Type: "patch"})
			return err
		}},
		{"bad mtu", func() error {
			_, err := c.EnsurePort(ctx, PortSpec{Bridge: "br0", Name: "p1", MTURequest: -1})
			return err
		}},
		{"bad attached_mac", func() error {
			_, err := c.EnsurePort(ctx, PortSpec{Bridge: "br0", Name: "p1", ExternalIDs: map[string]string{"attached_mac": "nope"}})
			return err
		}},
		{"bad remote_ip", func() error {
			_, err := c.EnsurePort(ctx, PortSpec{Bridge: "br0", Name: "gnv0", Type: "geneve", Options: map[string]string{"remote_ip": "10.0.0.300"}})
			return err
		}},
		{"bad encap ip", func() error { _, err := c.SetChassis(ctx, Chassis{EncapIPs: []netip.Addr{{}}}); return err }},
		{"bad remote", func() error { _, err := c.SetChassis(ctx, Chassis{Remote: "tcp:10.0.0.1"}); return err }},
		{"bad remote ip", func() error { _, err := c.SetChassis(ctx, Chassis{Remote: "tcp:10.0.0.999:6642"}); return err }},
		{"bad encap type", func() error { _, err := c.SetChassis(ctx, Chassis{EncapType: "gre"}); return err }},
		{"bad mapping bridge", func() error {
			_, err := c.SetChassis(ctx, Chassis{BridgeMappings: []BridgeMapping{{"physnet", "br/ex"}}})
			return err
		}},
		{"bad vlan", func() error { _, err := c.SetChassis(ctx, Chassis{GWVLANID: 4095}); return err }},
		{"bad gw iface", func() error { _, err := c.SetChassis(ctx, Chassis{GWInterface: "an-interface-too-long"}); return err }},
		{"bad tc-policy", func() error { _, err := c.SetOffload(ctx, OffloadSettings{TCPolicy: "skip_both"}); return err }},
		{"bad threads", func() error { n := 0; _, err := c.SetOffload(ctx, OffloadSettings{OffloadThreads: &n}); return err }},
		{"unknown column", func() error {
			_, err := c.SetMap(ctx, TableBridge, "br0", "no_such_column", map[string]string{"a": "b"}, nil)
			return err
		}},
		{"non-map column", func() error {
			_, err := c.SetMap(ctx, TableBridge, "br0", "fail_mode", map[string]string{"a": "b"}, nil)
			return err
		}},
		{"unknown table", func() error { _, err := c.SetMap(ctx, "Bridges", "br0", "external_ids", nil, nil); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %T, want *ValidationError", err)
			}
		})
	}
	// a bad op in a transaction makes the whole transaction fail unsent
	tx := c.Txn().EnsureBridge(BridgeSpec{Name: "br9"}).EnsurePort(PortSpec{Bridge: "br9", Name: "bad/name"})
	if _, err := tx.Commit(ctx); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Commit = %v, want ErrInvalid", err)
	}
	if _, err := c.Bridge(ctx, "br9"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("br9 exists after a rejected txn: %v", err)
	}
}

func TestChassis(t *testing.T) {
	ep := startInProcess(t)
	c := dial(t, ep)
	ctx := testCtx(t)
	ch := Chassis{
		SystemID: "dpu-1", Hostname: "dpu-1.example", EncapIPs: []netip.Addr{netip.MustParseAddr("192.168.1.10"), netip.MustParseAddr("fd00::10")},
		EncapType: "geneve", Remote: "ssl:10.0.0.1:6642,ssl:10.0.0.2:6642",
		BridgeMappings:     []BridgeMapping{{"physnet", "brp0"}},
		BridgeDatapathType: DatapathNetdev, GWInterface: "brp0", GWNexthop: netip.MustParseAddr("192.168.1.1"), GWVLANID: 100,
		HostK8sNodename: "worker-1", PFEncapIPMapping: []PFEncapIP{{"pf0hpf", netip.MustParseAddr("192.168.1.10")}},
	}
	changed, err := c.SetChassis(ctx, ch)
	mustChange(t, "SetChassis", changed, err, true)
	got, err := c.Chassis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ch) {
		t.Fatalf("Chassis = %+v\nwant      %+v", got, ch)
	}
	root, _ := c.root()
	if root.ExternalIDs["ovn-encap-ip"] != "192.168.1.10,fd00::10" || root.ExternalIDs["ovn-bridge-mappings"] != "physnet:brp0" ||
		root.ExternalIDs["ovn-pf-encap-ip-mapping"] != "pf0hpf:192.168.1.10" || root.ExternalIDs["ovn-gw-vlanid"] != "100" {
		t.Fatalf("external_ids = %v", root.ExternalIDs)
	}
	changed, err = c.SetChassis(ctx, ch)
	mustChange(t, "SetChassis again", changed, err, false)
	// partial update leaves the rest
	changed, err = c.SetChassis(ctx, Chassis{EncapIPs: []netip.Addr{netip.MustParseAddr("192.168.1.11")}})
	mustChange(t, "SetChassis encap", changed, err, true)
	got, _ = c.Chassis(ctx)
	if got.SystemID != "dpu-1" || len(got.EncapIPs) != 1 || got.EncapIPs[0].String() != "192.168.1.11" {
		t.Fatalf("after partial: %+v", got)
	}
	res, err := c.Txn().ClearChassisKeys(KeyGWVLANID, KeyGWNexthop).Commit(ctx)
	if err != nil || !res.Changed {
		t.Fatalf("ClearChassisKeys = %+v, %v", res, err)
	}
	if got, _ = c.Chassis(ctx); got.GWVLANID != 0 || got.GWNexthop.IsValid() {
		t.Fatalf("after clear: %+v", got)
	}
	if _, err := c.Txn().ClearChassisKeys("hw-offload").Commit(ctx); !errors.Is(err, ErrInvalid) {
		t.Fatalf("clearing a non-chassis key: %v", err)
	}
}

func TestOffloadAndStatus(t *testing.T) {
	ep := startInProcess(t)
	c := dial(t, ep)
	ctx := testCtx(t)
	on, threads := true, 2
	res, err := c.SetOffload(ctx, OffloadSettings{HWOffload: &on, TCPolicy: TCPolicySkipSW, OffloadThreads: &threads})
	if err != nil || !res.Changed {
		t.Fatalf("SetOffload = %+v, %v", res, err)
	}
	if !reflect.DeepEqual(res.RestartNeeded, []string{KeyHWOffload, KeyNOffloadThread, KeyTCPolicy}) {
		t.Fatalf("RestartNeeded = %v", res.RestartNeeded)
	}
	got, err := c.Offload(ctx)
	if err != nil || got.HWOffload == nil || !*got.HWOffload || got.TCPolicy != "skip_sw" || got.OffloadThreads == nil || *got.OffloadThreads != 2 || got.DOCAInit != nil {
		t.Fatalf("Offload = %+v, %v", got, err)
	}
	res, err = c.SetOffload(ctx, OffloadSettings{HWOffload: &on, TCPolicy: TCPolicySkipSW})
	if err != nil || res.Changed || len(res.RestartNeeded) != 0 {
		t.Fatalf("SetOffload again = %+v, %v", res, err)
	}
	res, err = c.SetOffload(ctx, OffloadSettings{HWOffload: &on, TCPolicy: TCPolicySkipHW})
	if err != nil || !res.Changed || !reflect.DeepEqual(res.RestartNeeded, []string{KeyTCPolicy}) {
		t.Fatalf("SetOffload tc-policy = %+v, %v", res, err)
	}
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := Status{OVSVersion: "3.1.0", DBVersion: "8.3.1", DatapathTypes: []string{"netdev", "system"}, IfaceTypes: []string{"internal", "patch", "system"}}
	if !reflect.DeepEqual(st, want) {
		t.Fatalf("Status = %+v, want %+v", st, want)
	}
}

func TestGC(t *testing.T) {
	ep := startInProcess(t)
	c := dial(t, ep, WithOwner("node-setup"))
	foreign := dial(t, ep)
	ctx := testCtx(t)
	tx := c.Txn().EnsureBridge(BridgeSpec{Name: "br-int"}).EnsureBridge(BridgeSpec{Name: "br-old"})
	for _, p := range []string{"pod1", "pod2", "pod3"} {
		tx.EnsurePort(PortSpec{Bridge: "br-int", Name: p})
	}
	tx.EnsurePort(PortSpec{Bridge: "br-old", Name: "old1"})
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := foreign.EnsurePort(ctx, PortSpec{Bridge: "br-int", Name: "theirs"}); err != nil {
		t.Fatal(err)
	}
	keep := Keep{Bridges: []string{"br-int"}, Ports: []string{"pod2"}}
	res, err := c.GC(ctx, "node-setup", keep, true)
	want := GCResult{Bridges: []string{"br-old"}, Ports: []string{"pod1", "pod3"}, DryRun: true}
	if err != nil || !reflect.DeepEqual(res, want) {
		t.Fatalf("GC dry run = %+v, %v; want %+v", res, err, want)
	}
	if _, err := c.Port(ctx, "pod1"); err != nil {
		t.Fatalf("dry run deleted pod1: %v", err)
	}
	res, err = c.GC(ctx, "node-setup", keep, false)
	want.DryRun = false
	if err != nil || !reflect.DeepEqual(res, want) {
		t.Fatalf("GC = %+v, %v; want %+v", res, err, want)
	}
	b, _ := c.Bridge(ctx, "br-int")
	if !reflect.DeepEqual(b.Ports, []string{"br-int", "pod2", "theirs"}) {
		t.Fatalf("br-int ports after GC: %v", b.Ports)
	}
	if _, err := c.Bridge(ctx, "br-old"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("br-old after GC: %v", err)
	}
	if _, err := c.Port(ctx, "old1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old1 after GC: %v", err)
	}
	res, err = c.GC(ctx, "node-setup", keep, false)
	if err != nil || len(res.Bridges)+len(res.Ports) != 0 {
		t.Fatalf("second GC = %+v, %v", res, err)
	}
}

// setIfaceColumns plays ovs-vswitchd's part on the in-process server.
func setIfaceColumns(t *testing.T, c *Client, name string, row libovsdb.Row) {
	t.Helper()
	i := c.ifaceByName(name)
	if i == nil {
		t.Errorf("interface %q not in cache", name)
		return
	}
	r, err := c.ovs.Transact(context.Background(), libovsdb.Operation{Op: libovsdb.OperationUpdate, Table: vs.InterfaceTable,
		Where: whereUUID(i.UUID), Row: row})
	if err != nil || r[0].Error != "" {
		t.Errorf("update interface: %v %+v", err, r)
	}
}

func TestWaits(t *testing.T) {
	ep := startInProcess(t)
	c := dial(t, ep)
	vswitchd := dial(t, ep)
	ctx := testCtx(t)
	tx := c.Txn().EnsureBridge(BridgeSpec{Name: "br0"})
	tx.EnsurePort(PortSpec{Bridge: "br0", Name: "ok1"}).EnsurePort(PortSpec{Bridge: "br0", Name: "bad1"})
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// nobody sets ofport: the deadline is honoured
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	_, err := c.WaitInterfaceReady(short, "ok1")
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitInterfaceReady without vswitchd = %v, want DeadlineExceeded", err)
	}
	_ = vswitchd.waitFor(ctx, func() bool { return vswitchd.ifaceByName("bad1") != nil })
	go func() {
		time.Sleep(50 * time.Millisecond)
		setIfaceColumns(t, vswitchd, "ok1", libovsdb.Row{"ofport": optional(7, true)})
		setIfaceColumns(t, vswitchd, "bad1", libovsdb.Row{"ofport": optional(-1, true), "error": optional("could not open network device bad1 (No such device)", true)})
		time.Sleep(50 * time.Millisecond)
		setIfaceColumns(t, vswitchd, "ok1", libovsdb.Row{"external_ids": ovsMap(map[string]string{"ovn-installed": "true"})})
	}()
	ofport, err := c.WaitInterfaceReady(ctx, "ok1")
	if err != nil || ofport != 7 {
		t.Fatalf("WaitInterfaceReady(ok1) = %d, %v", ofport, err)
	}
	_, err = c.WaitInterfaceReady(ctx, "bad1")
	var ie *InterfaceError
	if !errors.As(err, &ie) || !strings.Contains(ie.Message, "No such device") {
		t.Fatalf("WaitInterfaceReady(bad1) = %v, want *InterfaceError", err)
	}
	if err := c.WaitOVNInstalled(ctx, "ok1"); err != nil {
		t.Fatal(err)
	}
	short, cancel = context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	// ovn-controller binds no interface OVS could not open: the error
	// column ends the wait at once, not the context.
	if err := c.WaitOVNInstalled(short, "bad1"); !errors.As(err, &ie) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitOVNInstalled(bad1) = %v, want *InterfaceError", err)
	}
}

func TestSetMap(t *testing.T) {
	ep := startInProcess(t)
	c := dial(t, ep)
	ctx := testCtx(t)
	if _, err := c.EnsureBridge(ctx, BridgeSpec{Name: "br0"}); err != nil {
		t.Fatal(err)
	}
	ch, err := c.SetMap(ctx, TableInterface, "br0", "external_ids", map[string]string{"a": "1"}, nil)
	mustChange(t, "SetMap", ch, err, true)
	ch, err = c.SetMap(ctx, TableInterface, "br0", "external_ids", map[string]string{"a": "1"}, nil)
	mustChange(t, "SetMap again", ch, err, false)
	ch, err = c.SetMap(ctx, TableInterface, "br0", "external_ids", nil, []string{"a"})
	mustChange(t, "SetMap remove", ch, err, true)
	if p, _ := c.Port(ctx, "br0"); len(p.ExternalIDs) != 0 {
		t.Fatalf("external_ids = %v", p.ExternalIDs)
	}
	if _, err := c.SetMap(ctx, TablePort, "nope", "external_ids", map[string]string{"a": "1"}, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetMap on missing port = %v", err)
	}
}

func TestDialRejectsBadEndpoint(t *testing.T) {
	for _, ep := range []string{"", "unix:", "tcp:127.0.0.1", "ssl:1.2.3.4:6640", "http://x", "punix:/x"} {
		if _, err := Dial(context.Background(), ep); !errors.Is(err, ErrInvalid) {
			t.Errorf("Dial(%q) = %v, want ErrInvalid", ep, err)
		}
	}
}

func TestTxnOnlyGuardsIsNotAChange(t *testing.T) {
	c := dial(t, startInProcess(t))
	ctx := testCtx(t)
	if _, err := c.EnsureBridge(ctx, BridgeSpec{Name: "br0"}); err != nil {
		t.Fatal(err)
	}
	res, err := c.Txn().RequireBridge("br0").RequirePortAbsent("p9").Commit(ctx)
	if err != nil || res.Changed {
		t.Fatalf("a transaction of guards only: %+v %v (want no change)", res, err)
	}
	if _, err := c.Txn().RequireBridge("nosuch").Commit(ctx); err == nil {
		t.Fatal("a failing guard did not fail the transaction")
	}
}
