// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"syscall"

	"github.com/ovsoffload/ovsoffload/internal/ifname"
	"github.com/vishvananda/netlink"
)

// LinkAddresses is what MoveAddresses would move off a link: its global
// addresses and its routes.
type LinkAddresses struct {
	Name          string
	Ifindex       int
	Up            bool           // administratively up
	Addresses     []netip.Prefix // global addresses (link-local IPv6 and host scope left out)
	DefaultRoutes []netip.Addr   // gateways of the main-table default routes via the link
	// Routes are the routes MoveAddresses moves: unicast routes via the
	// link in every table but local, default ones included, except those
	// the kernel made for an address. Sorted by table, destination, metric.
	Routes []Route `json:",omitempty"`
}

// LinkAddresses reads the global addresses and default routes of link name,
// so a caller can plan MoveAddresses before running it. A missing link
// matches ErrNotFound.
func (c *Client) LinkAddresses(ctx context.Context, name string) (LinkAddresses, error) {
	if err := ifname.Validate(name); err != nil {
		return LinkAddresses{}, err
	}
	if err := ctx.Err(); err != nil {
		return LinkAddresses{}, err
	}
	link, err := c.rt.LinkByName(name)
	if err != nil {
		return LinkAddresses{}, linkLookupErr(name, err)
	}
	out := LinkAddresses{Name: name, Ifindex: link.Attrs().Index, Up: link.Attrs().Flags&net.FlagUp != 0}
	addrs, err := retryDump(func() ([]netlink.Addr, error) { return c.rt.AddrList(link, netlink.FAMILY_ALL) })
	if err != nil {
		return LinkAddresses{}, &OpError{Op: "addr list", Object: name, Err: err}
	}
	for _, a := range addrs {
		if a.IP.IsLinkLocalUnicast() || a.Scope == int(netlink.SCOPE_HOST) {
			continue
		}
		out.Addresses = append(out.Addresses, prefixOf(a.IPNet))
	}
	routes, err := c.movableRoutes(link)
	if err != nil {
		return LinkAddresses{}, err
	}
	for _, r := range routes {
		if isDefault(r) && r.Table == MainTable {
			out.DefaultRoutes = append(out.DefaultRoutes, addrOf(r.Gw))
		}
		out.Routes = append(out.Routes, routeOf(r))
	}
	sortRoutes(out.Routes)
	slices.SortFunc(out.Addresses, func(a, b netip.Prefix) int { return a.Addr().Compare(b.Addr()) })
	slices.SortFunc(out.DefaultRoutes, func(a, b netip.Addr) int { return a.Compare(b) })
	return out, nil
}

// DeleteDefaultRoute deletes the main-table default route via gw on link,
// and reports whether there was one. It undoes the route MoveAddresses adds
// for MoveOptions.Gateway.
func (c *Client) DeleteDefaultRoute(ctx context.Context, link string, gw netip.Addr) (bool, error) {
	if err := ifname.Validate(link); err != nil {
		return false, err
	}
	if !gw.IsValid() {
		return false, fmt.Errorf("eswitch: delete default route on %s: no gateway given", link)
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	l, err := c.rt.LinkByName(link)
	if err != nil {
		return false, linkLookupErr(link, err)
	}
	fam := netlink.FAMILY_V4
	if gw.Is6() && !gw.Is4In6() {
		fam = netlink.FAMILY_V6
	}
	routes, err := retryDump(func() ([]netlink.Route, error) {
		return c.rt.RouteListFiltered(fam, &netlink.Route{LinkIndex: l.Attrs().Index}, netlink.RT_FILTER_OIF)
	})
	if err != nil {
		return false, &OpError{Op: "route list", Object: link, Err: err}
	}
	deleted := false
	for _, r := range routes {
		if !isDefault(r) || addrOf(r.Gw) != gw.Unmap() {
			continue
		}
		if err := c.rt.RouteDel(&r); err != nil && !errors.Is(err, syscall.ESRCH) {
			return deleted, &OpError{Op: "route del default via " + gw.String(), Object: link, Err: err}
		}
		deleted = true
	}
	return deleted, nil
}
