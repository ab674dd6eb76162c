// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"cmp"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/vishvananda/netlink"
)

// Route is a unicast route through one link, as LinkAddresses reports it and
// MoveAddresses moves it: any table, with its metric, scope and preferred
// source kept.
type Route struct {
	Dst     netip.Prefix // 0.0.0.0/0 or ::/0 for a default route
	Gateway netip.Addr   // next hop; invalid for a route to a directly connected network
	Src     netip.Addr   // preferred source address; invalid when unset
	Metric  int          // priority (IPv6 default routes get 1024 from the kernel)
	Table   int          // routing table; 254 is main
	Scope   int          // 0 global, 253 link, 254 host
}

// MainTable is the kernel's main routing table (RT_TABLE_MAIN).
const MainTable = syscall.RT_TABLE_MAIN

// Default reports whether r is a default route.
func (r Route) Default() bool { return r.Dst.Bits() == 0 }

// String formats r as `ip route` does, without the device: "default via
// 10.1.65.1", "172.16.0.0/16 via 10.1.65.1 metric 100 table 100".
func (r Route) String() string {
	var b strings.Builder
	if r.Default() {
		b.WriteString("default")
	} else {
		b.WriteString(r.Dst.String())
	}
	if r.Gateway.IsValid() {
		b.WriteString(" via " + r.Gateway.String())
	}
	if r.Src.IsValid() {
		b.WriteString(" src " + r.Src.String())
	}
	if r.Metric != 0 {
		b.WriteString(" metric " + strconv.Itoa(r.Metric))
	}
	if r.Table != 0 && r.Table != MainTable {
		b.WriteString(" table " + strconv.Itoa(r.Table))
	}
	switch r.Scope {
	case int(netlink.SCOPE_UNIVERSE):
	case int(netlink.SCOPE_LINK):
		b.WriteString(" scope link")
	case int(netlink.SCOPE_HOST):
		b.WriteString(" scope host")
	default:
		b.WriteString(" scope " + strconv.Itoa(r.Scope))
	}
	return b.String()
}

// routeOf describes a kernel route.
func routeOf(r netlink.Route) Route {
	out := Route{Gateway: addrOf(r.Gw), Src: addrOf(r.Src), Metric: r.Priority, Table: r.Table, Scope: int(r.Scope)}
	switch {
	case r.Dst != nil:
		out.Dst = prefixOf(r.Dst)
	case r.Family == netlink.FAMILY_V6:
		out.Dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
	default:
		out.Dst = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
	}
	return out
}

// movable reports whether MoveAddresses moves r: a unicast route through the
// link in any table but the local one, that the kernel did not make itself
// (a subnet route of an address comes and goes with the address).
// Multipath routes have no single output link and are not listed.
func movable(r netlink.Route) bool {
	return r.Type == syscall.RTN_UNICAST && r.Protocol != syscall.RTPROT_KERNEL &&
		r.Table != syscall.RT_TABLE_LOCAL && len(r.MultiPath) == 0
}

// movableRoutes lists the routes MoveAddresses moves off link, the routes
// to directly connected networks first (host and link scope) so the next
// hops of the others are reachable when they move.
func (c *Client) movableRoutes(link netlink.Link) ([]netlink.Route, error) {
	routes, err := retryDump(func() ([]netlink.Route, error) {
		return c.rt.RouteListFiltered(netlink.FAMILY_ALL, &netlink.Route{LinkIndex: link.Attrs().Index, Table: syscall.RT_TABLE_UNSPEC},
			netlink.RT_FILTER_OIF|netlink.RT_FILTER_TABLE)
	})
	if err != nil {
		return nil, &OpError{Op: "route list", Object: link.Attrs().Name, Err: err}
	}
	routes = slices.DeleteFunc(routes, func(r netlink.Route) bool { return !movable(r) })
	slices.SortStableFunc(routes, func(a, b netlink.Route) int { return cmp.Compare(b.Scope, a.Scope) })
	return routes, nil
}

// defaultRoute builds the main-table default route via gw on link ifindex.
func defaultRoute(ifindex int, gw netip.Addr) netlink.Route {
	fam, bits := familyOf(gw)
	return netlink.Route{LinkIndex: ifindex, Gw: gw.Unmap().AsSlice(), Family: fam, Table: MainTable,
		Dst: &net.IPNet{IP: make(net.IP, bits/8), Mask: net.CIDRMask(0, bits)}}
}

func familyOf(a netip.Addr) (family, bits int) {
	if a.Is6() && !a.Is4In6() {
		return netlink.FAMILY_V6, 128
	}
	return netlink.FAMILY_V4, 32
}

func routeFamily(r netlink.Route) int {
	if r.Family != 0 {
		return r.Family
	}
	if r.Dst != nil && r.Dst.IP.To4() == nil {
		return netlink.FAMILY_V6
	}
	return netlink.FAMILY_V4
}

// sortRoutes orders routes for reports: the main table first, then the
// others by number; in a table by destination, then metric.
func sortRoutes(rs []Route) {
	key := func(r Route) int {
		if r.Table == MainTable {
			return -1
		}
		return r.Table
	}
	slices.SortFunc(rs, func(a, b Route) int {
		return cmp.Or(cmp.Compare(key(a), key(b)), a.Dst.Addr().Compare(b.Dst.Addr()), cmp.Compare(a.Dst.Bits(), b.Dst.Bits()),
			cmp.Compare(a.Metric, b.Metric), a.Gateway.Compare(b.Gateway))
	})
}
