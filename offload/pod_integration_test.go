// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/internal/sysfs"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// On a real ovs-vswitchd: a representor that is not there fails PlugPod
// with the interface's error column well before the context ends, and a
// representor that is there is brought up with the pod's MTU, plugged
// (transient, with OVN-K's external_ids) and unplugged without a Backend.
func TestIntegrationPlugPodCNISemantics(t *testing.T) {
	testenv.RequireRoot(t)
	testenv.RequireOVS(t)
	sw := ovstest.StartSwitch(t)
	sw.AddBridge(t, "br-int")
	db := ovstest.Dial(t, sw.DB.Endpoint())
	f, err := os.Open("/run/netns/" + sw.Netns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	es, err := eswitch.New(eswitch.Config{NetNS: int(f.Fd()), SysFS: sysfs.NewFake().Dir("class/net")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { es.Close() })
	node := &Node{DB: db, Eswitch: es}
	ctx := context.Background()

	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	start := time.Now()
	_, err = PlugPod(wctx, node, PodPort{Backend: None{Datapath: ovsdb.DatapathNetdev}, IfaceID: "default_pod9",
		Representor: "pf0vf9"})
	took := time.Since(start)
	var ie *ovsdb.InterfaceError
	if !errors.As(err, &ie) || !strings.Contains(ie.Message, "pf0vf9") {
		t.Fatalf("PlugPod of a missing representor: %v, want ovs-vswitchd's interface error", err)
	}
	t.Logf("missing representor: %v after %v", err, took)
	if took > 10*time.Second {
		t.Errorf("the interface error took %v", took)
	}
	if _, err := db.Port(ctx, "pf0vf9"); !errors.Is(err, ovsdb.ErrNotFound) {
		t.Errorf("the port PlugPod created for the missing representor stayed: %v", err)
	}

	sw.Exec(t, "ip", "link", "add", "pf0vf7", "type", "veth", "peer", "name", "pf0vf7pod")
	pod := PodPort{Backend: None{Datapath: ovsdb.DatapathNetdev}, IfaceID: "default_pod7", Sandbox: "sb7",
		Representor: "pf0vf7", MTU: 1400, Transient: true, NoWait: true,
		ExternalIDs: map[string]string{"ip_addresses": "10.244.0.7/24", "pod-if-name": "eth0"}}
	res, err := PlugPod(ctx, node, pod)
	if err != nil || !res.Created {
		t.Fatalf("PlugPod pf0vf7 = %+v, %v", res, err)
	}
	if out := sw.Exec(t, "ip", "-o", "link", "show", "pf0vf7"); !strings.Contains(out, "mtu 1400") || !strings.Contains(out, ",UP") {
		t.Errorf("representor after PlugPod: %s", out)
	}
	if _, err := db.WaitInterfaceReady(wctx, "pf0vf7"); err != nil {
		t.Fatalf("ovs-vswitchd did not take pf0vf7: %v", err)
	}
	if got := sw.Vsctl(t, "get", "port", "pf0vf7", "other_config:transient"); strings.TrimSpace(got) != `"true"` {
		t.Errorf("other_config:transient = %s", got)
	}
	pod.Backend = nil
	if ok, err := UnplugPod(ctx, node, pod); !ok || err != nil {
		t.Fatalf("UnplugPod = %v, %v", ok, err)
	}
}
