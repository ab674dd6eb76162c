// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"testing"
)

func TestLinkAddressesAndDeleteDefaultRoute(t *testing.T) {
	n := newTestNS(t, Config{})
	ctx := context.Background()
	n.veth(t, "sf0", "sf0peer", true)
	n.bridge(t, "brp0")
	n.addAddr(t, "sf0", "10.1.65.155/24")
	n.addAddr(t, "sf0", "fd00::5/64")
	n.addDefault(t, "sf0", "10.1.65.1")

	got, err := n.client.LinkAddresses(ctx, "sf0")
	if err != nil {
		t.Fatal(err)
	}
	wantAddrs := []netip.Prefix{netip.MustParsePrefix("10.1.65.155/24"), netip.MustParsePrefix("fd00::5/64")}
	if !got.Up || !slices.Equal(got.Addresses, wantAddrs) ||
		!slices.Equal(got.DefaultRoutes, []netip.Addr{netip.MustParseAddr("10.1.65.1")}) {
		t.Fatalf("LinkAddresses(sf0) = %+v", got)
	}
	if _, err := n.client.LinkAddresses(ctx, "nosuch0"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing link: %v, want ErrNotFound", err)
	}

	gw := netip.MustParseAddr("10.1.65.1")
	if _, err := n.client.MoveAddresses(ctx, "sf0", "brp0", MoveOptions{Gateway: gw}); err != nil {
		t.Fatal(err)
	}
	after, err := n.client.LinkAddresses(ctx, "sf0")
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Addresses) != 0 || len(after.DefaultRoutes) != 0 {
		t.Fatalf("sf0 after the move: %+v", after)
	}
	deleted, err := n.client.DeleteDefaultRoute(ctx, "brp0", gw)
	if err != nil || !deleted {
		t.Fatalf("DeleteDefaultRoute = %v, %v; want true", deleted, err)
	}
	br, err := n.client.LinkAddresses(ctx, "brp0")
	if err != nil {
		t.Fatal(err)
	}
	if len(br.DefaultRoutes) != 0 || len(br.Addresses) != 2 {
		t.Fatalf("brp0 after deleting the route: %+v", br)
	}
	deleted, err = n.client.DeleteDefaultRoute(ctx, "brp0", gw)
	if err != nil || deleted {
		t.Fatalf("second DeleteDefaultRoute = %v, %v; want false", deleted, err)
	}
}
