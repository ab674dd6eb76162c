// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/internal/sysfs"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// dpuChassis is an emulated DPU: ovs-vswitchd (userspace datapath) in its
// own namespace, the uplink p0 cabled to an underlay holding the gateway
// 10.1.65.1, a host-PF stand-in pf0hpf, and a veth "SF" en3f0pf0sf0 holding
// the node's address, all plugged into the factory bridges ovsbr1/ovsbr2.
type dpuChassis struct {
	sw   *ovstest.Switch
	node *Node
}

func newDPUChassis(t *testing.T, sfDefaultRoute bool) *dpuChassis {
	t.Helper()
	testenv.RequireRoot(t)
	testenv.RequireOVS(t)
	sw := ovstest.StartSwitch(t)
	u := ovstest.NewUnderlay(t, "10.1.65.1/24")
	u.Attach(t, sw, "p0")
	sw.AddHost(t, "", "192.0.2.10/24", ovstest.HostOptions{Port: "pf0hpf", NoPlug: true})
	sw.Exec(t, "ip", "link", "add", "en3f0pf0sf0", "type", "veth", "peer", "name", "sf0peer")
	sw.Exec(t, "ip", "link", "set", "sf0peer", "up")
	sw.Exec(t, "ip", "addr", "add", "10.1.65.155/24", "dev", "en3f0pf0sf0")
	sw.Exec(t, "ip", "link", "set", "en3f0pf0sf0", "up")
	if sfDefaultRoute {
		sw.Exec(t, "ip", "route", "add", "default", "via", "10.1.65.1", "dev", "en3f0pf0sf0")
	}
	sw.Vsctl(t, "add-br", "ovsbr1", "--", "set", "bridge", "ovsbr1", "datapath_type=netdev",
		"--", "add-port", "ovsbr1", "p0", "--", "add-port", "ovsbr1", "pf0hpf", "--", "add-port", "ovsbr1", "en3f0pf0sf0",
		"--", "add-br", "ovsbr2", "--", "set", "bridge", "ovsbr2", "datapath_type=netdev")

	f, err := os.Open("/run/netns/" + sw.Netns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	// The switch's namespace has no sysfs of its own mounted here, and its
	// links are veths and dummies, no switch ports: an empty sysfs says so.
	es, err := eswitch.New(eswitch.Config{NetNS: int(f.Fd()), SysFS: sysfs.NewFake().Dir("class/net")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { es.Close() })
	return &dpuChassis{sw: sw, node: &Node{DB: dialTest(t, sw.DB.Endpoint()), Eswitch: es, Target: sw.Ctl}}
}

// state is what `ip addr`, `ip route show default` and `ovs-vsctl` show
// for the links and bridges of the setup, sorted.
func (c *dpuChassis) state(t *testing.T) []string {
	t.Helper()
	out := dbState(t, c.node.DB)
	for _, l := range []string{"en3f0pf0sf0", "brp0"} {
		la, err := c.node.Eswitch.LinkAddresses(context.Background(), l)
		if errors.Is(err, eswitch.ErrNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range la.Addresses {
			out = append(out, "addr "+a.String()+" dev "+l)
		}
		for _, gw := range la.DefaultRoutes {
			out = append(out, "default via "+gw.String()+" dev "+l)
		}
	}
	slices.Sort(out)
	return out
}

func dpuSpec() NodeSpec {
	s := testSpec()
	s.Move = &AddressMove{From: "en3f0pf0sf0", Gateway: netip.MustParseAddr("10.1.65.1")}
	s.Chassis.GWNexthop = netip.Addr{}
	return s
}

func TestIntegrationNodeSetup(t *testing.T) {
	c := newDPUChassis(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	plan, err := Plan(ctx, c.node, dpuSpec())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"remove-bridge ovsbr1", "remove-bridge ovsbr2",
		"ensure-bridge brp0", "ensure-port brp0/p0", "ensure-port brp0/pf0hpf", "ensure-bridge br-int",
		"move-addresses en3f0pf0sf0→brp0", "configure-backend Open_vSwitch", "set-chassis Open_vSwitch",
	}
	if got := kindsOf(plan.Steps); !slices.Equal(got, want) {
		t.Fatalf("plan on a fresh node:\n%s", plan)
	}
	if !strings.Contains(plan.String(), "move 10.1.65.155/24, default via 10.1.65.1 from en3f0pf0sf0 to brp0") {
		t.Errorf("move step:\n%s", plan)
	}
	res, err := Apply(ctx, c.node, plan)
	if err != nil {
		t.Fatal(err)
	}
	if res.Moved == nil || !slices.Equal(res.Moved.Addresses, []netip.Prefix{netip.MustParsePrefix("10.1.65.155/24")}) {
		t.Errorf("Moved = %+v", res.Moved)
	}
	st := strings.Join(c.state(t), "\n")
	for _, s := range []string{"addr 10.1.65.155/24 dev brp0", "default via 10.1.65.1 dev brp0",
		"port brp0/p0 ", "port brp0/pf0hpf ", "bridge br-int dp=netdev fail=secure", "ovn-encap-ip:10.1.65.155",
		"ovn-gw-interface:brp0", "ovn-gw-nexthop:10.1.65.1", "host-k8s-nodename:host-worker-1"} {
		if !strings.Contains(st, s) {
			t.Errorf("after Apply the node lacks %q:\n%s", s, st)
		}
	}
	if strings.Contains(st, "dev en3f0pf0sf0") || strings.Contains(st, "ovsbr") {
		t.Errorf("after Apply the SF still has addresses or a factory bridge is left:\n%s", st)
	}
	// The address now works through the OVS bridge: the gateway answers
	// over brp0 → p0 → the underlay.
	c.sw.Exec(t, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.1.65.1")

	again, err := Plan(ctx, c.node, dpuSpec())
	if err != nil {
		t.Fatal(err)
	}
	if !again.Empty() {
		t.Fatalf("second plan is not empty:\n%s", again)
	}
}

func TestIntegrationNodeSetupRollback(t *testing.T) {
	t.Run("late step fails after the move", func(t *testing.T) {
		c := newDPUChassis(t, true)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		before := c.state(t)
		plan, err := Plan(ctx, c.node, dpuSpec())
		if err != nil {
			t.Fatal(err)
		}
		injected := errors.New("chassis keys refused")
		moved := false
		plan.beforeStep = func(kinds []StepKind) error {
			if slices.Contains(kinds, StepSetChassis) {
				// The move happened: the address is on brp0 right now.
				la, err := c.node.Eswitch.LinkAddresses(ctx, "brp0")
				moved = err == nil && len(la.Addresses) == 1
				return injected
			}
			return nil
		}
		_, err = Apply(ctx, c.node, plan)
		var ae *ApplyError
		if !errors.As(err, &ae) || !errors.Is(err, injected) || len(ae.Undo) != 0 {
			t.Fatalf("Apply = %v, want the injected failure with a clean undo", err)
		}
		if !moved {
			t.Fatal("the failure was not injected after the address move")
		}
		if after := c.state(t); !slices.Equal(before, after) {
			t.Fatalf("node not restored:\nbefore:\n  %s\nafter:\n  %s", strings.Join(before, "\n  "), strings.Join(after, "\n  "))
		}
	})
	t.Run("the kernel refuses the gateway", func(t *testing.T) {
		c := newDPUChassis(t, false)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		before := c.state(t)
		spec := dpuSpec()
		spec.Move.Gateway = netip.MustParseAddr("198.51.100.1") // not on any connected network
		plan, err := Plan(ctx, c.node, spec)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Apply(ctx, c.node, plan)
		var ae *ApplyError
		if !errors.As(err, &ae) || !slices.Equal(ae.Steps, []StepKind{StepMoveAddresses}) || len(ae.Undo) != 0 {
			t.Fatalf("Apply = %v, want a failed address move with a clean undo", err)
		}
		if after := c.state(t); !slices.Equal(before, after) {
			t.Fatalf("node not restored:\nbefore:\n  %s\nafter:\n  %s", strings.Join(before, "\n  "), strings.Join(after, "\n  "))
		}
	})
}
