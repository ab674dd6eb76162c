// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
)

// routedNode is guideNode with the default routes and the routes a real
// node has besides: a static route through the gateway
// (`172.16.0.0/16 via 10.1.65.1 dev en3f0pf0sf0`, issue 13), one with a
// metric and a preferred source, a directly connected one (scope link), an
// IPv6 one, and a default route in another table (policy routing).
func routedNode(t testing.TB) *testNS {
	n := guideNode(t, true)
	const link = "en3f0pf0sf0"
	n.addRoute(t, link, netlink.Route{Gw: net.ParseIP("10.1.65.1")}, "172.16.0.0/16")
	n.addRoute(t, link, netlink.Route{Gw: net.ParseIP("10.1.65.2"), Priority: 100, Src: net.ParseIP("10.1.65.156")}, "172.17.0.0/16")
	n.addRoute(t, link, netlink.Route{Scope: netlink.SCOPE_LINK}, "198.51.100.0/24")
	n.addRoute(t, link, netlink.Route{Gw: net.ParseIP("2001:db8:65::2")}, "2001:db8:99::/48")
	n.addRoute(t, link, netlink.Route{Gw: net.ParseIP("10.1.65.1"), Table: 100}, "default")
	return n
}

var routedBefore = []string{
	"addr 10.1.65.155/24 dev en3f0pf0sf0",
	"addr 10.1.65.156/24 dev en3f0pf0sf0",
	"addr 2001:db8:65::155/64 dev en3f0pf0sf0",
	"default via 10.1.65.1 dev en3f0pf0sf0 metric 0",
	"default via 2001:db8:65::1 dev en3f0pf0sf0 metric 1024",
	"link brp0 up=false alias=\"\"",
	"link en3f0pf0sf0 up=true alias=\"\"",
	"route 172.16.0.0/16 via 10.1.65.1 dev en3f0pf0sf0",
	"route 172.17.0.0/16 via 10.1.65.2 src 10.1.65.156 metric 100 dev en3f0pf0sf0",
	"route 198.51.100.0/24 scope link dev en3f0pf0sf0",
	"route 2001:db8:99::/48 via 2001:db8:65::2 metric 1024 dev en3f0pf0sf0",
	"route default via 10.1.65.1 table 100 dev en3f0pf0sf0",
}

// The routes of the source link move with its addresses, each with its
// table, metric, scope and source; none is lost (issue 13, defect 4).
func TestIntegrationMoveAddressesMovesEveryRoute(t *testing.T) {
	n := routedNode(t)
	if got := n.state(t, "en3f0pf0sf0", "brp0"); !slices.Equal(got, routedBefore) {
		t.Fatalf("test node:\n%s", diffState(routedBefore, got))
	}
	ctx := context.Background()
	la, err := n.client.LinkAddresses(ctx, "en3f0pf0sf0")
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, r := range la.Routes {
		listed = append(listed, r.String())
	}
	wantListed := []string{
		"default via 10.1.65.1",
		"172.16.0.0/16 via 10.1.65.1",
		"172.17.0.0/16 via 10.1.65.2 src 10.1.65.156 metric 100",
		"198.51.100.0/24 scope link",
		"default via 2001:db8:65::1 metric 1024",
		"2001:db8:99::/48 via 2001:db8:65::2 metric 1024",
		"default via 10.1.65.1 table 100",
	}
	if !slices.Equal(listed, wantListed) {
		t.Fatalf("LinkAddresses routes:\n got %q\nwant %q", listed, wantListed)
	}

	moved, err := n.client.MoveAddresses(ctx, "en3f0pf0sf0", "brp0", MoveOptions{Gateway: netip.MustParseAddr("10.1.65.1")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"addr 10.1.65.155/24 dev brp0",
		"addr 10.1.65.156/24 dev brp0",
		"addr 2001:db8:65::155/64 dev brp0",
		"default via 10.1.65.1 dev brp0 metric 0",
		"default via 2001:db8:65::1 dev brp0 metric 1024",
		"link brp0 up=true alias=\"\"",
		"link en3f0pf0sf0 up=true alias=\"\"",
		"route 172.16.0.0/16 via 10.1.65.1 dev brp0",
		"route 172.17.0.0/16 via 10.1.65.2 src 10.1.65.156 metric 100 dev brp0",
		"route 198.51.100.0/24 scope link dev brp0",
		"route 2001:db8:99::/48 via 2001:db8:65::2 metric 1024 dev brp0",
		"route default via 10.1.65.1 table 100 dev brp0",
	}
	if got := n.state(t, "en3f0pf0sf0", "brp0"); !slices.Equal(got, want) {
		t.Fatalf("after move:\n%s", diffState(want, got))
	}
	if len(moved.Routes) != len(wantListed) {
		t.Errorf("Moved.Routes = %v, want the %d routes", moved.Routes, len(wantListed))
	}
	// Again: nothing left to move, nothing changes.
	if _, err := n.client.MoveAddresses(ctx, "en3f0pf0sf0", "brp0", MoveOptions{Gateway: netip.MustParseAddr("10.1.65.1")}); err != nil {
		t.Fatal(err)
	}
	if got := n.state(t, "en3f0pf0sf0", "brp0"); !slices.Equal(got, want) {
		t.Fatalf("after a second move:\n%s", diffState(want, got))
	}
	// Undo puts everything back where it was.
	if err := moved.Undo(ctx); err != nil {
		t.Fatal(err)
	}
	if got := n.state(t, "en3f0pf0sf0", "brp0"); !slices.Equal(got, routedBefore) {
		t.Fatalf("after Undo:\n%s", diffState(routedBefore, got))
	}
}

// A requested gateway wins over the default route the link had: the main
// default route of its family goes via the new gateway (metric kept), the
// other family's moves unchanged, and ovn-gw-nexthop and the kernel agree
// (issue 13, defect 4). Undo brings the old gateway back.
func TestIntegrationMoveAddressesGatewayReplacesOldDefault(t *testing.T) {
	n := guideNode(t, true)
	ctx := context.Background()
	before := n.state(t, "en3f0pf0sf0", "brp0")
	gw := netip.MustParseAddr("10.1.65.254")
	moved, err := n.client.MoveAddresses(ctx, "en3f0pf0sf0", "brp0", MoveOptions{Gateway: gw})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"addr 10.1.65.155/24 dev brp0",
		"addr 10.1.65.156/24 dev brp0",
		"addr 2001:db8:65::155/64 dev brp0",
		"default via 10.1.65.254 dev brp0 metric 0",
		"default via 2001:db8:65::1 dev brp0 metric 1024",
		"link brp0 up=true alias=\"\"",
		"link en3f0pf0sf0 up=true alias=\"\"",
	}
	if got := n.state(t, "en3f0pf0sf0", "brp0"); !slices.Equal(got, want) {
		t.Fatalf("after move:\n%s", diffState(want, got))
	}
	if !slices.Equal(moved.DefaultRoutes, []netip.Addr{gw, netip.MustParseAddr("2001:db8:65::1")}) {
		t.Errorf("Moved.DefaultRoutes = %v", moved.DefaultRoutes)
	}
	// A second run with the same gateway changes nothing.
	if _, err := n.client.MoveAddresses(ctx, "en3f0pf0sf0", "brp0", MoveOptions{Gateway: gw}); err != nil {
		t.Fatal(err)
	}
	if got := n.state(t, "en3f0pf0sf0", "brp0"); !slices.Equal(got, want) {
		t.Fatalf("after a second move:\n%s", diffState(want, got))
	}
	if err := moved.Undo(ctx); err != nil {
		t.Fatal(err)
	}
	if got := n.state(t, "en3f0pf0sf0", "brp0"); !slices.Equal(got, before) {
		t.Fatalf("after Undo:\n%s", diffState(before, got))
	}
	if err := moved.Undo(ctx); err != nil {
		t.Fatalf("second Undo: %v", err)
	}
}

// A destination that already has a default route via another gateway gets
// the requested one (a node left by an earlier run); an IPv6 gateway is
// added next to the moved IPv4 default.
func TestIntegrationMoveAddressesGatewayOnDestination(t *testing.T) {
	n := guideNode(t, false)
	ctx := context.Background()
	if _, err := n.client.MoveAddresses(ctx, "en3f0pf0sf0", "brp0", MoveOptions{Gateway: netip.MustParseAddr("10.1.65.1")}); err != nil {
		t.Fatal(err)
	}
	gw := netip.MustParseAddr("10.1.65.254")
	if _, err := n.client.MoveAddresses(ctx, "en3f0pf0sf0", "brp0", MoveOptions{Gateway: gw}); err != nil {
		t.Fatal(err)
	}
	st := strings.Join(n.state(t, "brp0"), "\n")
	if !strings.Contains(st, "default via 10.1.65.254 dev brp0 metric 0") || strings.Contains(st, "10.1.65.1 ") {
		t.Fatalf("brp0 after asking for %s:\n%s", gw, st)
	}
	gw6 := netip.MustParseAddr("2001:db8:65::1")
	if _, err := n.client.MoveAddresses(ctx, "en3f0pf0sf0", "brp0", MoveOptions{Gateway: gw6}); err != nil {
		t.Fatal(err)
	}
	st = strings.Join(n.state(t, "brp0"), "\n")
	if !strings.Contains(st, "default via 2001:db8:65::1 dev brp0") || !strings.Contains(st, "default via 10.1.65.254 dev brp0") {
		t.Fatalf("brp0 after asking for %s:\n%s", gw6, st)
	}
}

// Failures injected at every step of a move with static routes and a new
// gateway leave the node as it was.
func TestIntegrationMoveAddressesRoutesRollback(t *testing.T) {
	steps := []string{
		"route replace 198.51.100.0/24",
		"route replace default via 10.1.65.1 brp0",
		"route replace 172.16.0.0/16",
		"route replace 172.17.0.0/16",
		"route replace default via 10.1.65.1 table 100",
		"route replace 2001:db8:99::/48",
		"route replace default via 10.1.65.254",
		"addr del 10.1.65.155/24",
	}
	for _, step := range steps {
		t.Run(step, func(t *testing.T) {
			n := routedNode(t)
			seen := failAt(n.client, step)
			_, err := n.client.MoveAddresses(context.Background(), "en3f0pf0sf0", "brp0", MoveOptions{Gateway: netip.MustParseAddr("10.1.65.254")})
			if !errors.Is(err, errInjected) {
				t.Fatalf("failure at %q: err %v, steps %v", step, err, *seen)
			}
			if d := diffState(routedBefore, n.state(t, "en3f0pf0sf0", "brp0")); d != "" {
				t.Fatalf("not restored after failure at %q (steps %v):\n%s", step, *seen, d)
			}
		})
	}
}

// Gateways that cannot be a next hop, or that are the node's own address,
// are refused before anything changes.
func TestIntegrationMoveAddressesRefusesBadGateway(t *testing.T) {
	n := guideNode(t, true)
	before := n.state(t, "en3f0pf0sf0", "brp0")
	for _, gw := range []string{"0.0.0.0", "224.0.0.1", "255.255.255.255", "127.0.0.1", "::1", "ff02::1", "fe80::1%eth0", "10.1.65.155", "2001:db8:65::155", "10.1.65.0", "10.1.65.255"} {
		_, err := n.client.MoveAddresses(context.Background(), "en3f0pf0sf0", "brp0", MoveOptions{Gateway: netip.MustParseAddr(gw)})
		if err == nil || !strings.Contains(err.Error(), "gateway") {
			t.Errorf("gateway %s: %v, want a refusal", gw, err)
		}
	}
	if d := diffState(before, n.state(t, "en3f0pf0sf0", "brp0")); d != "" {
		t.Fatalf("changed:\n%s", d)
	}
}

func TestGatewayOnSubnet(t *testing.T) {
	for _, tc := range []struct {
		gw, addr string
		bad      bool
	}{
		{"10.1.65.1", "10.1.65.155/24", false},
		{"10.1.65.155", "10.1.65.155/24", true},
		{"10.1.65.0", "10.1.65.155/24", true},
		{"10.1.65.255", "10.1.65.155/24", true},
		{"10.1.66.255", "10.1.65.155/24", false}, // another subnet: not ours to judge
		{"10.1.65.127", "10.1.65.100/25", true},
		{"10.1.65.128", "10.1.65.100/25", false},
		{"10.0.0.0", "10.0.0.1/31", false}, // RFC 3021: both addresses are hosts
		{"::ffff:10.1.65.255", "10.1.65.155/24", true},
		{"2001:db8:65::", "2001:db8:65::155/64", false}, // IPv6 has no broadcast
		{"2001:db8:65::155", "2001:db8:65::155/64", true},
	} {
		err := GatewayOnSubnet(netip.MustParseAddr(tc.gw), netip.MustParsePrefix(tc.addr))
		if (err != nil) != tc.bad {
			t.Errorf("GatewayOnSubnet(%s, %s) = %v, want refusal %v", tc.gw, tc.addr, err, tc.bad)
		}
	}
}
