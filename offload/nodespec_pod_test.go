// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/internal/sysfs"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// fakeOVNController marks the interface ovn-installed once it appears with
// the wanted iface-id, as ovn-controller does when it has bound the port.
func fakeOVNController(t *testing.T, ep, iface, ifaceID string) <-chan error {
	t.Helper()
	other := dialTest(t, ep)
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for ctx.Err() == nil {
			p, err := other.Port(ctx, iface)
			if err == nil && p.ExternalIDs["iface-id"] == ifaceID {
				_, err := other.SetMap(ctx, ovsdb.TableInterface, iface, "external_ids", map[string]string{"ovn-installed": "true"}, nil)
				done <- err
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		done <- ctx.Err()
	}()
	return done
}

func podNode(t *testing.T) (*Node, string) {
	t.Helper()
	ep := ovstest.StartInProcessDB(t)
	db := dialTest(t, ep)
	if _, err := db.EnsureBridge(context.Background(), ovsdb.BridgeSpec{Name: "br-int", FailMode: "secure"}); err != nil {
		t.Fatal(err)
	}
	return &Node{DB: db}, ep
}

func TestPlugPodWaitsForOVNInstalled(t *testing.T) {
	ctx := context.Background()
	node, ep := podNode(t)
	mac, _ := net.ParseMAC("0a:58:0a:f4:00:05")
	pod := PodPort{Backend: None{}, IfaceID: "default_testpod1", PodUID: "uid-1", PodName: "testpod1",
		PodNamespace: "default", MAC: mac, Representor: "pf0vf7"}

	ovn := fakeOVNController(t, ep, "pf0vf7", "default_testpod1")
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	name, err := PlugPod(wctx, node, pod)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-ovn; err != nil {
		t.Fatal(err)
	}
	p, err := node.DB.Port(ctx, name.Name)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"iface-id": "default_testpod1", "iface-id-ver": "uid-1", "attached_mac": "0a:58:0a:f4:00:05",
		"pod-name": "testpod1", "pod-namespace": "default", "ovn-installed": "true"}
	for k, v := range want {
		if p.ExternalIDs[k] != v {
			t.Errorf("external_ids:%s = %q, want %q (all: %v)", k, p.ExternalIDs[k], v, p.ExternalIDs)
		}
	}
	if name.Name != "pf0vf7" || !name.Created || p.Bridge != "br-int" || p.Type != "" {
		t.Errorf("port %+v on %s type %q", name, p.Bridge, p.Type)
	}

	// Plugging the same pod again returns at once: it is installed.
	qctx, qcancel := context.WithTimeout(ctx, time.Second)
	defer qcancel()
	if _, err := PlugPod(qctx, node, pod); err != nil {
		t.Fatalf("second PlugPod: %v", err)
	}

	// A new pod on the same representor drops the stale ovn-installed and
	// waits for the new binding.
	pod2 := pod
	pod2.PodUID = "uid-2"
	sctx, scancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer scancel()
	if _, err := PlugPod(sctx, node, pod2); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("rebinding without ovn-controller: %v, want a deadline", err)
	}
	p, _ = node.DB.Port(ctx, "pf0vf7")
	if p.ExternalIDs["ovn-installed"] != "" || p.ExternalIDs["iface-id-ver"] != "uid-2" {
		t.Errorf("after rebinding: %v", p.ExternalIDs)
	}

	// Unplug: another pod's iface-id is refused, the right one deletes.
	other := pod
	other.IfaceID = "default_other"
	if _, err := UnplugPod(ctx, node, other); !errors.Is(err, ErrConflict) {
		t.Errorf("unplugging another pod's port: %v, want ErrConflict", err)
	}
	// The earlier pod (uid-1) unplugging late leaves its successor's port.
	if _, err := UnplugPod(ctx, node, pod); !errors.Is(err, ErrConflict) {
		t.Errorf("unplugging with the earlier pod UID: %v, want ErrConflict", err)
	}
	pod2.Backend = nil // UnplugPod only deletes
	if ok, err := UnplugPod(ctx, node, pod2); err != nil || !ok {
		t.Fatalf("UnplugPod = %v, %v", ok, err)
	}
	if ok, err := UnplugPod(ctx, node, pod2); err != nil || ok {
		t.Fatalf("second UnplugPod = %v, %v", ok, err)
	}
	if _, err := node.DB.Port(ctx, "pf0vf7"); !errors.Is(err, ovsdb.ErrNotFound) {
		t.Fatalf("port left behind: %v", err)
	}
}

func TestPlugPodTimeoutRemovesNewPort(t *testing.T) {
	ctx := context.Background()
	node, _ := podNode(t)
	pod := PodPort{Backend: None{}, IfaceID: "ns_p", Representor: "pf0vf1"}
	tctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := PlugPod(tctx, node, pod); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("PlugPod without ovn-controller: %v", err)
	}
	if _, err := node.DB.Port(ctx, "pf0vf1"); !errors.Is(err, ovsdb.ErrNotFound) {
		t.Fatalf("a port that never got installed was left behind: %v", err)
	}
	pod.NoWait = true
	if name, err := PlugPod(ctx, node, pod); err != nil || name.Name != "pf0vf1" {
		t.Fatalf("PlugPod NoWait = %+v, %v", name, err)
	}
}

func TestPlugPodByVFIdentity(t *testing.T) {
	ctx := context.Background()
	node, ep := podNode(t)
	// A BlueField's view of the host's VF 3: netdev pf0vf3, phys_port_name
	// c1pf0vf3; and a local VF 3 that must not be picked.
	fake := sysfs.NewFake().
		File("class/net/pf0vf3/ifindex", "13").File("class/net/pf0vf3/phys_port_name", "c1pf0vf3").
		File("class/net/pf0vf3/phys_switch_id", "aabbcc").
		File("class/net/rep3/ifindex", "14").File("class/net/rep3/phys_port_name", "pf0vf3").
		File("class/net/rep3/phys_switch_id", "aabbcc")
	es, err := eswitch.New(eswitch.Config{SysFS: fake})
	if err != nil {
		t.Fatal(err)
	}
	defer es.Close()
	node.Eswitch = es
	pod := PodPort{Backend: None{}, IfaceID: "ns_vf", VF: &VFRef{Controller: eswitch.Host, PF: 0, VF: 3}}
	ovn := fakeOVNController(t, ep, "pf0vf3", "ns_vf")
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	name, err := PlugPod(wctx, node, pod)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-ovn; err != nil {
		t.Fatal(err)
	}
	if name.Name != "pf0vf3" {
		t.Fatalf("host VF 3 plugged as %+v, want pf0vf3", name)
	}
	local := pod
	local.VF = &VFRef{Controller: eswitch.Local, PF: 0, VF: 3}
	local.IfaceID = "ns_local"
	local.NoWait = true
	if name, err := PlugPod(ctx, node, local); err != nil || name.Name != "rep3" {
		t.Fatalf("local VF 3 = %+v, %v; want rep3", name, err)
	}
	missing := pod
	missing.VF = &VFRef{Controller: eswitch.Host, PF: 0, VF: 9}
	if _, err := PlugPod(ctx, node, missing); !errors.Is(err, eswitch.ErrNotFound) {
		t.Fatalf("missing VF: %v, want ErrNotFound", err)
	}
}

func TestPlugPodRejects(t *testing.T) {
	ctx := context.Background()
	node, _ := podNode(t)
	for name, pod := range map[string]PodPort{
		"no backend":     {IfaceID: "a", Representor: "pf0vf1"},
		"no iface-id":    {Backend: None{}, Representor: "pf0vf1"},
		"both":           {Backend: None{}, IfaceID: "a", Representor: "pf0vf1", VF: &VFRef{}},
		"neither":        {Backend: None{}, IfaceID: "a"},
		"bad name":       {Backend: None{}, IfaceID: "a", Representor: "a/b"},
		"VF, no eswitch": {Backend: None{}, IfaceID: "a", VF: &VFRef{Controller: eswitch.Host}},
	} {
		if _, err := PlugPod(ctx, node, pod); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}
