// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// A representor whose port serves another pod is not rebound unless the
// caller takes it over (OVN-K: pod2's port rebound to default_pod3 cut
// pod1 to pod2 traffic).
func TestPlugPodRefusesAnotherPodsRepresentor(t *testing.T) {
	ctx := context.Background()
	node, _ := podNode(t)
	pod2 := PodPort{Backend: None{}, IfaceID: "default_pod2", PodUID: "uid-2", Representor: "pf0vf2", NoWait: true}
	if _, err := PlugPod(ctx, node, pod2); err != nil {
		t.Fatal(err)
	}
	if _, err := node.DB.SetMap(ctx, ovsdb.TableInterface, "pf0vf2", "external_ids", map[string]string{"ovn-installed": "true"}, nil); err != nil {
		t.Fatal(err)
	}
	pod3 := PodPort{Backend: None{}, IfaceID: "default_pod3", PodUID: "uid-3", Representor: "pf0vf2", NoWait: true}
	_, err := PlugPod(ctx, node, pod3)
	var pc *PortConflictError
	if !errors.Is(err, ErrConflict) || !errors.Is(err, ovsdb.ErrConflict) || !errors.As(err, &pc) ||
		pc.Have != "default_pod2" || pc.Key != "iface-id" {
		t.Fatalf("plugging pod3 onto pod2's representor: %v, want a PortConflictError", err)
	}
	p, _ := node.DB.Port(ctx, "pf0vf2")
	if p.ExternalIDs["iface-id"] != "default_pod2" || p.ExternalIDs["ovn-installed"] != "true" {
		t.Fatalf("refused plug changed the port: %v", p.ExternalIDs)
	}
	pod3.TakeOver = true
	res, err := PlugPod(ctx, node, pod3)
	if err != nil || res.TookOver != "default_pod2" || res.Created {
		t.Fatalf("TakeOver: %+v, %v", res, err)
	}
	p, _ = node.DB.Port(ctx, "pf0vf2")
	if p.ExternalIDs["iface-id"] != "default_pod3" || p.ExternalIDs["ovn-installed"] != "" {
		t.Fatalf("after TakeOver: %v", p.ExternalIDs)
	}
}

// After a pod moves to another VF, the old port of the same iface-id goes,
// in the transaction that plugs the new one (OVN-K's deleteStalePodPorts).
func TestPlugPodRemovesStalePortsOfSameIfaceID(t *testing.T) {
	ctx := context.Background()
	node, _ := podNode(t)
	old := PodPort{Backend: None{}, IfaceID: "default_pod1", PodUID: "uid-1", Representor: "pf0vf1", NoWait: true}
	if _, err := PlugPod(ctx, node, old); err != nil {
		t.Fatal(err)
	}
	other := PodPort{Backend: None{}, IfaceID: "default_pod9", Representor: "pf0vf9", NoWait: true}
	if _, err := PlugPod(ctx, node, other); err != nil {
		t.Fatal(err)
	}
	moved := old
	moved.PodUID = "uid-1b"
	moved.Representor = "pf0vf4"
	res, err := PlugPod(ctx, node, moved)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || !slices.Equal(res.RemovedStale, []string{"pf0vf1"}) {
		t.Fatalf("PlugPod after the move = %+v", res)
	}
	if _, err := node.DB.Port(ctx, "pf0vf1"); !errors.Is(err, ovsdb.ErrNotFound) {
		t.Fatalf("stale port pf0vf1 left: %v", err)
	}
	if _, err := node.DB.Port(ctx, "pf0vf9"); err != nil {
		t.Fatalf("another pod's port went: %v", err)
	}
	names, err := node.DB.InterfacesByExternalID(ctx, "iface-id", "default_pod1")
	if err != nil || !slices.Equal(names, []string{"pf0vf4"}) {
		t.Fatalf("ports of default_pod1: %v, %v", names, err)
	}
}

// ovs-vswitchd's error column ends the wait at once (a missing
// representor), instead of a context timeout.
func TestPlugPodFailsFastOnInterfaceError(t *testing.T) {
	ctx := context.Background()
	node, ep := podNode(t)
	vswitchd := dialTest(t, ep)
	errc := make(chan error, 1)
	gctx, gcancel := context.WithTimeout(ctx, 10*time.Second)
	defer gcancel()
	go func() {
		// What ovs-vswitchd does for a netdev that is not there.
		for gctx.Err() == nil {
			if _, err := vswitchd.Port(gctx, "pf0vf9"); err == nil {
				errc <- setInterfaceError(gctx, ep, "pf0vf9", "could not open network device pf0vf9 (No such device)")
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		errc <- gctx.Err()
	}()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	start := time.Now()
	_, err := PlugPod(wctx, node, PodPort{Backend: None{}, IfaceID: "default_pod9", Representor: "pf0vf9"})
	if werr := <-errc; werr != nil {
		t.Fatalf("writing the error column: %v", werr)
	}
	var ie *ovsdb.InterfaceError
	if !errors.As(err, &ie) || !strings.Contains(ie.Message, "No such device") {
		t.Fatalf("PlugPod of a missing representor: %v, want an InterfaceError", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
	if _, err := node.DB.Port(ctx, "pf0vf9"); !errors.Is(err, ovsdb.ErrNotFound) {
		t.Fatalf("the port PlugPod created stayed: %v", err)
	}
}

// OVN-K's other external_ids and other_config:transient ride along; keys
// PlugPod writes itself cannot be overridden.
func TestPlugPodExtraExternalIDsAndTransient(t *testing.T) {
	ctx := context.Background()
	node, _ := podNode(t)
	extra := map[string]string{"ip_addresses": "10.244.1.10/24", "vf-netdev-name": "ens1f0v7",
		"k8s.ovn.org/network": "default", "k8s.ovn.org/nad": "default", "encap-ip": "192.0.2.10", "pod-if-name": "eth0"}
	pod := PodPort{Backend: None{}, IfaceID: "default_pod1", Representor: "pf0vf7", NoWait: true, Transient: true,
		ExternalIDs: extra, Sandbox: "sb1"}
	if _, err := PlugPod(ctx, node, pod); err != nil {
		t.Fatal(err)
	}
	p, err := node.DB.Port(ctx, "pf0vf7")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range extra {
		if p.ExternalIDs[k] != v {
			t.Errorf("external_ids:%s = %q, want %q", k, p.ExternalIDs[k], v)
		}
	}
	if p.PortOtherConfig["transient"] != "true" || p.ExternalIDs["sandbox"] != "sb1" {
		t.Errorf("port other_config %v, sandbox %q", p.PortOtherConfig, p.ExternalIDs["sandbox"])
	}
	for _, bad := range []map[string]string{{"iface-id": "x"}, {"ovn-installed": "true"}, {"": "x"},
		{"ip_addresses": "10.0.0.1\x1b[2J"}} {
		pod.ExternalIDs = bad
		if _, err := PlugPod(ctx, node, pod); !errors.Is(err, ErrInvalid) {
			t.Errorf("ExternalIDs %q: %v, want ErrInvalid", bad, err)
		}
	}
	pod.ExternalIDs = nil
	pod.MTU = 1400
	if _, err := PlugPod(ctx, node, pod); !errors.Is(err, ErrInvalid) {
		t.Errorf("MTU without node.Eswitch: %v, want ErrInvalid", err)
	}
}

// A late unplug of an old sandbox does not remove the next sandbox's port.
func TestUnplugPodSandboxGuard(t *testing.T) {
	ctx := context.Background()
	node, _ := podNode(t)
	pod := PodPort{Backend: None{}, IfaceID: "default_pod1", Sandbox: "sb-old", Representor: "pf0vf1", NoWait: true}
	if _, err := PlugPod(ctx, node, pod); err != nil {
		t.Fatal(err)
	}
	next := pod
	next.Sandbox = "sb-new"
	if _, err := PlugPod(ctx, node, next); err != nil {
		t.Fatal(err)
	}
	late := PodPort{IfaceID: "default_pod1", Sandbox: "sb-old", Representor: "pf0vf1"} // no Backend
	ok, err := UnplugPod(ctx, node, late)
	var pc *PortConflictError
	if ok || !errors.As(err, &pc) || pc.Key != "sandbox" || !errors.Is(err, ErrConflict) {
		t.Fatalf("late unplug of sb-old = %v, %v; want a sandbox conflict", ok, err)
	}
	if _, err := node.DB.Port(ctx, "pf0vf1"); err != nil {
		t.Fatalf("the next sandbox's port went: %v", err)
	}
	late.Sandbox = "sb-new"
	if ok, err := UnplugPod(ctx, node, late); !ok || err != nil {
		t.Fatalf("unplug of sb-new = %v, %v", ok, err)
	}
}

// The server re-checks the binding inside the deleting transaction: a port
// rebound between the read and the delete is left alone.
func TestUnplugPodGuardIsInTheTransaction(t *testing.T) {
	ctx := context.Background()
	node, _ := podNode(t)
	if _, err := PlugPod(ctx, node, PodPort{Backend: None{}, IfaceID: "a", Representor: "pf0vf1", NoWait: true}); err != nil {
		t.Fatal(err)
	}
	_, err := node.DB.Txn().RequireInterfaceExternalIDs("pf0vf1", map[string]string{"iface-id": "b"}).DeletePort("pf0vf1").Commit(ctx)
	if !errors.Is(err, ovsdb.ErrConflict) {
		t.Fatalf("guarded delete of a port bound elsewhere: %v, want ErrConflict", err)
	}
	if _, err := node.DB.Port(ctx, "pf0vf1"); err != nil {
		t.Fatalf("port deleted despite the guard: %v", err)
	}
}

// setInterfaceError writes the interface's error column as ovs-vswitchd
// does (the package's Client does not write that column).
func setInterfaceError(ctx context.Context, ep, iface, msg string) error {
	return rawTransact(ctx, ep, map[string]any{"op": "update", "table": "Interface",
		"where": []any{[]any{"name", "==", iface}}, "row": map[string]any{"error": msg}})
}

// rawTransact runs one JSON-RPC transact on a connection of its own, for
// what the package's Client does not write.
func rawTransact(ctx context.Context, ep string, ops ...map[string]any) error {
	network, addr, _ := strings.Cut(ep, ":")
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	params := []any{"Open_vSwitch"}
	for _, op := range ops {
		params = append(params, op)
	}
	if err := json.NewEncoder(conn).Encode(map[string]any{"id": 1, "method": "transact", "params": params}); err != nil {
		return err
	}
	var resp struct {
		Result []map[string]any `json:"result"`
		Error  any              `json:"error"`
	}
	if err := json.NewDecoder(conn).Decode(&resp); err != nil {
		return err
	}
	if resp.Error != nil || len(resp.Result) != len(ops) {
		return fmt.Errorf("transact: %v %v", resp.Error, resp.Result)
	}
	for _, r := range resp.Result {
		if r["error"] != nil || r["count"] == 0.0 {
			return fmt.Errorf("transact: %v", resp.Result)
		}
	}
	return nil
}

// An interface bound to the pod's iface-id under a port of another name is
// not deleted by a port name it does not have: PlugPod says so, nothing
// applied, instead of claiming it removed it.
func TestPlugPodStaleInterfaceOfAnotherPort(t *testing.T) {
	ctx := context.Background()
	node, ep := podNode(t)
	br, err := node.DB.Bridge(ctx, "br-int")
	if err != nil {
		t.Fatal(err)
	}
	if err := rawTransact(ctx, ep,
		map[string]any{"op": "insert", "table": "Interface", "uuid-name": "i9",
			"row": map[string]any{"name": "eth9", "external_ids": []any{"map", []any{[]any{"iface-id", "default_pod1"}}}}},
		map[string]any{"op": "insert", "table": "Port", "uuid-name": "p9",
			"row": map[string]any{"name": "bond9", "interfaces": []any{"named-uuid", "i9"}}},
		map[string]any{"op": "mutate", "table": "Bridge", "where": []any{[]any{"_uuid", "==", []any{"uuid", br.UUID}}},
			"mutations": []any{[]any{"ports", "insert", []any{"set", []any{[]any{"named-uuid", "p9"}}}}}},
	); err != nil {
		t.Fatal(err)
	}
	for ctx.Err() == nil {
		if names, _ := node.DB.InterfacesByExternalID(ctx, "iface-id", "default_pod1"); len(names) == 1 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	res, err := PlugPod(ctx, node, PodPort{Backend: None{}, IfaceID: "default_pod1", Representor: "pf0vf1", NoWait: true})
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "eth9") || len(res.RemovedStale) != 0 {
		t.Fatalf("PlugPod with a stale interface under another port = %+v, %v; want ErrConflict naming eth9", res, err)
	}
	if _, err := node.DB.Port(ctx, "pf0vf1"); !errors.Is(err, ovsdb.ErrNotFound) {
		t.Fatalf("the refused plug created its port: %v", err)
	}
}
