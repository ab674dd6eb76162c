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
)

var errInjected = errors.New("injected failure")

// failAt makes the client fail at the first step whose name starts with
// prefix, and records every step it saw.
func failAt(c *Client, prefix string) *[]string {
	var seen []string
	c.stepErr = func(step string) error {
		seen = append(seen, step)
		if prefix != "" && strings.HasPrefix(step, prefix) {
			return errInjected
		}
		return nil
	}
	return &seen
}

func TestIntegrationRenameLinkKeepsOriginalNameInAlias(t *testing.T) {
	n := newTestNS(t, Config{})
	before := n.veth(t, "ens1f0v0", "peer0", true)
	ctx := context.Background()
	if err := n.client.RenameLink(ctx, "ens1f0v0", "forOVN0"); err != nil {
		t.Fatal(err)
	}
	after := n.link(t, "forOVN0")
	if after.Attrs().Index != before.Attrs().Index || after.Attrs().Alias != "ens1f0v0" || after.Attrs().Flags&net.FlagUp == 0 {
		t.Fatalf("after rename: index %d (was %d) alias %q flags %v", after.Attrs().Index, before.Attrs().Index, after.Attrs().Alias, after.Attrs().Flags)
	}
	// A restarted controller finds it again by the name it knew.
	l, err := n.client.LinkByOriginalName(ctx, "ens1f0v0")
	if err != nil || l.Name != "forOVN0" || l.Ifindex != before.Attrs().Index {
		t.Fatalf("LinkByOriginalName = %+v, %v", l, err)
	}
	// Running the step again is a no-op.
	if err := n.client.RenameLink(ctx, "ens1f0v0", "forOVN0"); err != nil {
		t.Fatalf("second RenameLink: %v", err)
	}
	// A second rename keeps the first original name.
	if err := n.client.RenameLink(ctx, "forOVN0", "mgmt0"); err != nil {
		t.Fatal(err)
	}
	if l, err := n.client.LinkByOriginalName(ctx, "ens1f0v0"); err != nil || l.Name != "mgmt0" {
		t.Fatalf("after second rename: %+v, %v", l, err)
	}
}

func TestIntegrationRenameLinkDownStaysDown(t *testing.T) {
	n := newTestNS(t, Config{})
	n.veth(t, "ens1f0v1", "peer1", false)
	if err := n.client.RenameLink(context.Background(), "ens1f0v1", "forOVN1"); err != nil {
		t.Fatal(err)
	}
	if l := n.link(t, "forOVN1"); l.Attrs().Flags&net.FlagUp != 0 {
		t.Fatal("a link that was down came up")
	}
}

func TestIntegrationRenameLinkConflictAndMissing(t *testing.T) {
	n := newTestNS(t, Config{})
	n.veth(t, "ens1f0v0", "forOVN0", true)
	ctx := context.Background()
	if err := n.client.RenameLink(ctx, "ens1f0v0", "forOVN0"); !errors.Is(err, ErrConflict) {
		t.Fatalf("rename onto an existing name: %v, want ErrConflict", err)
	}
	if err := n.client.RenameLink(ctx, "nope0", "forOVN9"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("rename of a missing link: %v, want ErrNotFound", err)
	}
	if err := n.client.RenameLink(ctx, "ens1f0v0", "a-name-longer-than-15"); err == nil {
		t.Fatal("invalid name accepted")
	}
	// Two links answering to one original name: say so.
	if err := n.h.LinkSetAlias(n.link(t, "forOVN0"), "ens1f0v0"); err != nil {
		t.Fatal(err)
	}
	var amb *AmbiguousError
	if _, err := n.client.LinkByOriginalName(ctx, "ens1f0v0"); !errors.As(err, &amb) || len(amb.Candidates) != 2 {
		t.Fatalf("LinkByOriginalName with two candidates: %v", err)
	}
}

func TestIntegrationRenameLinkRollback(t *testing.T) {
	for _, step := range []string{"down ", "rename ", "up "} {
		t.Run(strings.TrimSpace(step), func(t *testing.T) {
			n := newTestNS(t, Config{})
			n.veth(t, "ens1f0v0", "peer0", true)
			before := n.state(t, "ens1f0v0")
			seen := failAt(n.client, step)
			err := n.client.RenameLink(context.Background(), "ens1f0v0", "forOVN0")
			if !errors.Is(err, errInjected) {
				t.Fatalf("RenameLink with failure at %q: %v (steps %v)", step, err, *seen)
			}
			if d := diffState(before, n.state(t, "ens1f0v0")); d != "" {
				t.Fatalf("state not restored after failure at %q:\n%s", step, d)
			}
		})
	}
}

// guideNode builds the seed guide's DPU before the move: en3f0pf0sf0 (a
// veth here) holding 10.1.65.155/24 (and an IPv6 address) and, when
// withDefault, the default route via 10.1.65.1; brp0 a bridge, down.
func guideNode(t testing.TB, withDefault bool) *testNS {
	n := newTestNS(t, Config{})
	n.veth(t, "en3f0pf0sf0", "sfpeer", true)
	n.bridge(t, "brp0")
	n.addAddr(t, "en3f0pf0sf0", "10.1.65.155/24")
	n.addAddr(t, "en3f0pf0sf0", "10.1.65.156/24") // a secondary
	n.addAddr(t, "en3f0pf0sf0", "2001:db8:65::155/64")
	if withDefault {
		n.addDefault(t, "en3f0pf0sf0", "10.1.65.1")
		n.addDefault(t, "en3f0pf0sf0", "2001:db8:65::1")
	}
	return n
}

func TestIntegrationMoveAddressesGuide(t *testing.T) {
	n := guideNode(t, false)
	ctx := context.Background()
	gw := netip.MustParseAddr("10.1.65.1")
	moved, err := n.client.MoveAddresses(ctx, "en3f0pf0sf0", "brp0", MoveOptions{Gateway: gw})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"addr 10.1.65.155/24 dev brp0",
		"addr 10.1.65.156/24 dev brp0",
		"addr 2001:db8:65::155/64 dev brp0",
		"default via 10.1.65.1 dev brp0 metric 0",
		"link brp0 up=true alias=\"\"",
		"link en3f0pf0sf0 up=true alias=\"\"",
	}
	if got := n.state(t, "en3f0pf0sf0", "brp0"); !slices.Equal(got, want) {
		t.Fatalf("after move:\n%s", diffState(want, got))
	}
	if len(moved.Addresses) != 3 || !slices.Equal(moved.DefaultRoutes, []netip.Addr{gw}) {
		t.Fatalf("Moved = %+v", moved)
	}
	// Again: nothing left to move, nothing changes.
	if _, err := n.client.MoveAddresses(ctx, "en3f0pf0sf0", "brp0", MoveOptions{Gateway: gw}); err != nil {
		t.Fatalf("second move: %v", err)
	}
	if got := n.state(t, "en3f0pf0sf0", "brp0"); !slices.Equal(got, want) {
		t.Fatalf("after second move:\n%s", diffState(want, got))
	}
}

func TestIntegrationMoveAddressesMovesExistingDefaultRoute(t *testing.T) {
	n := guideNode(t, true)
	moved, err := n.client.MoveAddresses(context.Background(), "en3f0pf0sf0", "brp0", MoveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(moved.DefaultRoutes) != 2 {
		t.Fatalf("moved default routes %v, want the IPv4 and the IPv6 one", moved.DefaultRoutes)
	}
	want := []string{
		"addr 10.1.65.155/24 dev brp0",
		"addr 10.1.65.156/24 dev brp0",
		"addr 2001:db8:65::155/64 dev brp0",
		"default via 10.1.65.1 dev brp0 metric 0",
		"default via 2001:db8:65::1 dev brp0 metric 1024",
		"link brp0 up=true alias=\"\"",
		"link en3f0pf0sf0 up=true alias=\"\"",
	}
	if got := n.state(t, "en3f0pf0sf0", "brp0"); !slices.Equal(got, want) {
		t.Fatalf("after move:\n%s", diffState(want, got))
	}
}

// TestIntegrationMoveAddressesRollback injects a failure at each step of
// the move in turn, on a real kernel, and checks that the node is back in
// its original state every time.
func TestIntegrationMoveAddressesRollback(t *testing.T) {
	steps := []string{
		"up brp0",
		"addr add 10.1.65.155/24",
		"addr add 10.1.65.156/24",
		"addr add 2001:db8:65::155/64",
		"route replace default via 10.1.65.1",
		"route replace default via 2001:db8:65::1",
		"addr del 2001:db8:65::155/64",
		"addr del 10.1.65.156/24",
		"addr del 10.1.65.155/24",
	}
	for _, step := range steps {
		t.Run(step, func(t *testing.T) {
			n := guideNode(t, true)
			before := n.state(t, "en3f0pf0sf0", "brp0")
			seen := failAt(n.client, step)
			_, err := n.client.MoveAddresses(context.Background(), "en3f0pf0sf0", "brp0", MoveOptions{})
			if !errors.Is(err, errInjected) {
				t.Fatalf("failure at %q: err %v, steps %v", step, err, *seen)
			}
			if d := diffState(before, n.state(t, "en3f0pf0sf0", "brp0")); d != "" {
				t.Fatalf("not restored after failure at %q (steps %v):\n%s", step, *seen, d)
			}
		})
	}
}

// TestIntegrationMoveAddressesNeverLeavesNodeWithoutAddress checks, before
// every step of the move and after it, that each address and a default
// route of each family is on one of the two links.
func TestIntegrationMoveAddressesNeverLeavesNodeWithoutAddress(t *testing.T) {
	n := guideNode(t, true)
	check := func(when string) {
		st := strings.Join(n.state(t, "en3f0pf0sf0", "brp0"), "\n")
		for _, must := range []string{"addr 10.1.65.155/24 dev", "addr 10.1.65.156/24 dev", "addr 2001:db8:65::155/64 dev", "default via 10.1.65.1 dev", "default via 2001:db8:65::1 dev"} {
			if !strings.Contains(st, must) {
				t.Fatalf("%s: no %q on either link:\n%s", when, must, st)
			}
		}
	}
	steps := 0
	n.client.stepErr = func(step string) error {
		steps++
		check("before " + step)
		return nil
	}
	if _, err := n.client.MoveAddresses(context.Background(), "en3f0pf0sf0", "brp0", MoveOptions{}); err != nil {
		t.Fatal(err)
	}
	check("after the move")
	if steps < 9 {
		t.Fatalf("only %d steps checked", steps)
	}
}

// TestIntegrationMoveAddressesKernelRefusalRollsBack lets the kernel refuse
// a step (a gateway that is not on the new link's subnet) after the
// addresses were added: they are taken away again.
func TestIntegrationMoveAddressesKernelRefusalRollsBack(t *testing.T) {
	n := guideNode(t, false)
	before := n.state(t, "en3f0pf0sf0", "brp0")
	_, err := n.client.MoveAddresses(context.Background(), "en3f0pf0sf0", "brp0", MoveOptions{Gateway: netip.MustParseAddr("192.0.2.1")})
	var op *OpError
	if !errors.As(err, &op) || !strings.Contains(op.Op, "route add default via 192.0.2.1") {
		t.Fatalf("err = %v, want the kernel's refusal of the route", err)
	}
	if d := diffState(before, n.state(t, "en3f0pf0sf0", "brp0")); d != "" {
		t.Fatalf("not restored after the kernel refused the route:\n%s", d)
	}
}

func TestIntegrationMoveAddressesBadInput(t *testing.T) {
	n := guideNode(t, false)
	ctx := context.Background()
	if _, err := n.client.MoveAddresses(ctx, "en3f0pf0sf0", "nope0", MoveOptions{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing destination: %v", err)
	}
	if _, err := n.client.MoveAddresses(ctx, "brp0", "brp0", MoveOptions{}); err == nil {
		t.Fatal("move onto itself accepted")
	}
}

// BenchmarkIntegrationMoveAddresses measures the guide's move (three
// addresses and the default route, en3f0pf0sf0 to brp0) and the move back,
// on a real kernel in a fresh namespace.
func BenchmarkIntegrationMoveAddresses(b *testing.B) {
	n := guideNode(b, true)
	ctx := context.Background()
	for b.Loop() {
		if _, err := n.client.MoveAddresses(ctx, "en3f0pf0sf0", "brp0", MoveOptions{}); err != nil {
			b.Fatal(err)
		}
		if _, err := n.client.MoveAddresses(ctx, "brp0", "en3f0pf0sf0", MoveOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
