// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

// routeState is what `ip addr` and `ip route` show for the two links of
// the move (every route the move handles, in every table), sorted.
func (c *dpuChassis) routeState(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, l := range []string{"en3f0pf0sf0", "brp0"} {
		la, err := c.node.Eswitch.LinkAddresses(context.Background(), l)
		if err != nil {
			continue // brp0 before the bridge exists
		}
		for _, a := range la.Addresses {
			out = append(out, "addr "+a.String()+" dev "+l)
		}
		for _, r := range la.Routes {
			out = append(out, r.String()+" dev "+l)
		}
	}
	slices.Sort(out)
	return out
}

// The spec's gateway replaces the default route the node had, static
// routes of the source link move with it, the plan names each of them,
// and a later failure puts the old gateway and the routes back (issue 13,
// defect 4).
func TestIntegrationNodeSetupMoveRoutesAndGateway(t *testing.T) {
	c := newDPUChassis(t, true)
	c.sw.Exec(t, "ip", "route", "add", "172.16.0.0/16", "via", "10.1.65.1", "dev", "en3f0pf0sf0")
	c.sw.Exec(t, "ip", "route", "add", "172.17.0.0/16", "via", "10.1.65.2", "dev", "en3f0pf0sf0", "metric", "50", "table", "100")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	spec := dpuSpec()
	spec.Move.Gateway = netip.MustParseAddr("10.1.65.254")
	before := c.routeState(t)

	plan, err := Plan(ctx, c.node, spec)
	if err != nil {
		t.Fatal(err)
	}
	wantStep := "move 10.1.65.155/24, default via 10.1.65.1, 172.16.0.0/16 via 10.1.65.1, 172.17.0.0/16 via 10.1.65.2 metric 50 table 100" +
		" from en3f0pf0sf0 to brp0; default route default via 10.1.65.1 becomes default via 10.1.65.254 dev brp0"
	if !strings.Contains(plan.String(), wantStep) {
		t.Fatalf("plan does not show each route:\n%s\nwant %q", plan, wantStep)
	}

	t.Run("gateway is an address the move takes", func(t *testing.T) {
		bad := dpuSpec()
		bad.Chassis.EncapIPs = []netip.Addr{netip.MustParseAddr("10.1.65.200")}
		bad.Move.Gateway = netip.MustParseAddr("10.1.65.155")
		if _, err := Plan(ctx, c.node, bad); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "node's own address") {
			t.Fatalf("Plan = %v, want ErrInvalid for the node's own address", err)
		}
	})

	t.Run("rollback", func(t *testing.T) {
		p, err := Plan(ctx, c.node, spec)
		if err != nil {
			t.Fatal(err)
		}
		injected := errors.New("chassis keys refused")
		var during []string
		p.beforeStep = func(kinds []StepKind) error {
			if slices.Contains(kinds, StepSetChassis) {
				during = c.routeState(t)
				return injected
			}
			return nil
		}
		if _, err := Apply(ctx, c.node, p); !errors.Is(err, injected) {
			t.Fatalf("Apply = %v, want the injected failure", err)
		}
		if !slices.Contains(during, "default via 10.1.65.254 dev brp0") {
			t.Fatalf("failure not injected after the move: %q", during)
		}
		if after := c.routeState(t); !slices.Equal(before, after) {
			t.Fatalf("links not restored:\nbefore:\n  %s\nafter:\n  %s", strings.Join(before, "\n  "), strings.Join(after, "\n  "))
		}
	})

	plan, err = Plan(ctx, c.node, spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(ctx, c.node, plan); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"172.16.0.0/16 via 10.1.65.1 dev brp0",
		"172.17.0.0/16 via 10.1.65.2 metric 50 table 100 dev brp0",
		"addr 10.1.65.155/24 dev brp0",
		"default via 10.1.65.254 dev brp0",
	}
	if got := c.routeState(t); !slices.Equal(got, want) {
		t.Fatalf("after Apply:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if st := strings.Join(c.state(t), "\n"); !strings.Contains(st, "ovn-gw-nexthop:10.1.65.254") {
		t.Errorf("ovn-gw-nexthop is not the kernel's gateway:\n%s", st)
	}
	again, err := Plan(ctx, c.node, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Empty() {
		t.Fatalf("second plan is not empty:\n%s", again)
	}
}
