// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"cmp"
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

// Link is a netdev found by LinkByOriginalName.
type Link struct {
	Name    string
	Ifindex int
	Alias   string // ifalias: the name the link had before RenameLink
}

// undoStack records how to revert the steps of a multi-step change.
type undoStack []func() error

// rollback runs the undo steps newest first and returns a *RollbackError
// when one of them fails, else cause unchanged.
func (u undoStack) rollback(cause error) error {
	var failed []error
	for i := len(u) - 1; i >= 0; i-- {
		if err := u[i](); err != nil {
			failed = append(failed, err)
		}
	}
	if len(failed) > 0 {
		return &RollbackError{Err: cause, Undo: failed}
	}
	return cause
}

// RenameLink renames the netdev from to to, as the seed guide does with
// VF 0 of the host (ens1f0v0 becomes the management port forOVN0): link
// down, rename, link up again if it was up. The original name goes into the
// link's alias (ifalias) unless the alias already holds one, so the link can
// be found again after a restart with LinkByOriginalName. Running it again
// after success does nothing. If a step fails, the steps before it are
// undone.
func (c *Client) RenameLink(ctx context.Context, from, to string) error {
	if err := ifname.Validate(from); err != nil {
		return err
	}
	if err := ifname.Validate(to); err != nil {
		return err
	}
	if from == to {
		return fmt.Errorf("eswitch: rename %s to itself", from)
	}
	link, err := c.rt.LinkByName(from)
	if err != nil {
		if !isLinkNotFound(err) {
			return &OpError{Op: "link get", Object: from, Err: err}
		}
		// Already renamed by an earlier run?
		if done, err2 := c.rt.LinkByName(to); err2 == nil && done.Attrs().Alias == from {
			return nil
		}
		return fmt.Errorf("eswitch: rename %s: no such link: %w", from, ErrNotFound)
	}
	if other, err := c.rt.LinkByName(to); err == nil {
		return fmt.Errorf("eswitch: rename %s to %s: the name is taken by ifindex %d: %w", from, to, other.Attrs().Index, ErrConflict)
	}
	var undo undoStack
	fail := func(err error) error { return undo.rollback(err) }
	if err := ctx.Err(); err != nil {
		return err
	}
	attrs := link.Attrs()
	wasUp := attrs.Flags&net.FlagUp != 0
	if attrs.Alias == "" {
		if err := c.step("alias " + from); err != nil {
			return fail(err)
		}
		if err := c.rt.LinkSetAlias(link, from); err != nil {
			return fail(&OpError{Op: "set alias " + from, Object: from, Err: err})
		}
		undo = append(undo, func() error { return c.opErr("clear alias", from, c.rt.LinkSetAlias(link, "")) })
	}
	if wasUp {
		if err := c.step("down " + from); err != nil {
			return fail(err)
		}
		if err := c.rt.LinkSetDown(link); err != nil {
			return fail(&OpError{Op: "link down", Object: from, Err: err})
		}
		undo = append(undo, func() error { return c.opErr("link up", from, c.rt.LinkSetUp(link)) })
	}
	if err := c.step("rename " + from + " " + to); err != nil {
		return fail(err)
	}
	if err := c.rt.LinkSetName(link, to); err != nil {
		return fail(&OpError{Op: "rename to " + to, Object: from, Err: err})
	}
	// Link operations address the link by index, so undo steps recorded
	// before the rename still apply; put the name back before them.
	undo = append(undo, func() error { return c.opErr("rename back to "+from, to, c.rt.LinkSetName(link, from)) })
	if wasUp {
		if err := c.step("up " + to); err != nil {
			return fail(err)
		}
		if err := c.rt.LinkSetUp(link); err != nil {
			return fail(&OpError{Op: "link up", Object: to, Err: err})
		}
	}
	return nil
}

func (c *Client) opErr(op, obj string, err error) error {
	if err == nil {
		return nil
	}
	return &OpError{Op: op, Object: obj, Err: err}
}

func isLinkNotFound(err error) bool {
	var lnf netlink.LinkNotFoundError
	return errors.As(err, &lnf) || errors.Is(err, syscall.ENODEV)
}

// LinkByOriginalName finds the link that is called name, or that was
// renamed from name by RenameLink (its alias is name). Two such links give
// an *AmbiguousError.
func (c *Client) LinkByOriginalName(ctx context.Context, name string) (Link, error) {
	if err := ifname.Validate(name); err != nil {
		return Link{}, err
	}
	if err := ctx.Err(); err != nil {
		return Link{}, err
	}
	links, err := retryDump(func() ([]netlink.Link, error) { return c.rt.LinkList() })
	if err != nil {
		return Link{}, &OpError{Op: "link list", Object: "all", Err: err}
	}
	var hits []Link
	for _, l := range links {
		a := l.Attrs()
		if a.Name == name || a.Alias == name {
			hits = append(hits, Link{Name: a.Name, Ifindex: a.Index, Alias: a.Alias})
		}
	}
	switch len(hits) {
	case 0:
		return Link{}, fmt.Errorf("eswitch: no link called or renamed from %s: %w", name, ErrNotFound)
	case 1:
		return hits[0], nil
	}
	amb := &AmbiguousError{Query: "link called or renamed from " + name}
	for _, h := range hits {
		amb.Candidates = append(amb.Candidates, Representor{Name: h.Name, Ifindex: h.Ifindex, Identity: Identity{Flavour: FlavourUnused}})
	}
	return Link{}, amb
}

// retryDump retries a netlink dump the kernel interrupted (the state
// changed while it was read), so a partial dump is never used.
func retryDump[T any](dump func() ([]T, error)) ([]T, error) {
	var err error
	for range 5 {
		var out []T
		out, err = dump()
		if err == nil {
			return out, nil
		}
		if !errors.Is(err, netlink.ErrDumpInterrupted) {
			return nil, err
		}
	}
	return nil, err
}

// MoveOptions tunes MoveAddresses.
type MoveOptions struct {
	// Gateway, when valid, is the next hop of the main-table default route
	// of its family on the destination link afterwards (the guide's
	// `ip r add default via 10.1.65.1 dev brp0`): a default route moved from
	// the source link (or one the destination already has) is pointed at
	// it, keeping its metric, and one is added when there is none.
	Gateway netip.Addr
}

// Moved says what MoveAddresses changed. Undo puts it back.
type Moved struct {
	Addresses     []netip.Prefix // addresses now on the destination link
	DefaultRoutes []netip.Addr   // gateways of the main-table default routes now via the destination
	// Routes are the routes now via the destination link that the move
	// put there (moved from the source, or added or changed for
	// MoveOptions.Gateway), as they are after the move.
	Routes []Route `json:",omitempty"`

	undo undoStack
}

// Undo reverts the move newest step first: the addresses go back to the
// source link, every route moved goes back as it was (a default route
// pointed at MoveOptions.Gateway gets its old gateway back), a default
// route the move added is deleted, the addresses leave the destination and
// the destination goes down again if the move brought it up. A step that
// fails does not stop the others; the failures come back in a
// *RollbackError. Undo does nothing the second time.
func (m *Moved) Undo(ctx context.Context) error {
	if m == nil || len(m.undo) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	u := m.undo
	m.undo = nil
	if err := u.rollback(nil); err != nil {
		var rb *RollbackError
		if errors.As(err, &rb) {
			return &RollbackError{Err: errors.New("eswitch: undoing the address move"), Undo: rb.Undo}
		}
		return err
	}
	return nil
}

// MoveAddresses moves every global address and every route from link from
// to link to, as the seed guide moves 10.1.65.155/24 from en3f0pf0sf0 to
// brp0. The routes moved are the unicast routes whose output device is the
// link, in every table but the local one, except those the kernel makes for
// an address (they follow the address); each keeps its table, metric,
// scope, preferred source and next hop. Multipath routes are left alone.
//
// The order keeps the node reachable: bring to up, add each address on
// to, move each route with an atomic replace (routes to directly connected
// networks first), set the default route MoveOptions.Gateway asks for, and
// only then delete the addresses from from. If a step fails, every step
// before it is undone and the original state is back; an undo that fails
// too gives a *RollbackError. Link-local IPv6 addresses stay where they
// are. Running it again after success changes nothing.
func (c *Client) MoveAddresses(ctx context.Context, from, to string, opts MoveOptions) (*Moved, error) {
	if err := ifname.Validate(from); err != nil {
		return nil, err
	}
	if err := ifname.Validate(to); err != nil {
		return nil, err
	}
	if from == to {
		return nil, fmt.Errorf("eswitch: move addresses from %s to itself", from)
	}
	if gw := opts.Gateway; gw.IsValid() && !usableGateway(gw) {
		return nil, fmt.Errorf("eswitch: gateway %s is not a usable next hop (unspecified, multicast, broadcast, loopback or zoned)", gw)
	}
	src, err := c.rt.LinkByName(from)
	if err != nil {
		return nil, linkLookupErr(from, err)
	}
	dst, err := c.rt.LinkByName(to)
	if err != nil {
		return nil, linkLookupErr(to, err)
	}
	addrs, err := retryDump(func() ([]netlink.Addr, error) { return c.rt.AddrList(src, netlink.FAMILY_ALL) })
	if err != nil {
		return nil, &OpError{Op: "addr list", Object: from, Err: err}
	}
	addrs = slices.DeleteFunc(addrs, func(a netlink.Addr) bool { return a.IP.IsLinkLocalUnicast() || a.Scope == int(netlink.SCOPE_HOST) })
	if gw := opts.Gateway.Unmap(); gw.IsValid() {
		for _, a := range addrs {
			if err := GatewayOnSubnet(gw, prefixOf(a.IPNet)); err != nil {
				return nil, fmt.Errorf("eswitch: gateway %s on %s: %w", gw, from, err)
			}
		}
	}
	routes, err := c.movableRoutes(src)
	if err != nil {
		return nil, err
	}

	moved := &Moved{}
	var undo undoStack
	fail := func(err error) (*Moved, error) { return nil, undo.rollback(err) }

	if dst.Attrs().Flags&net.FlagUp == 0 {
		if err := c.step("up " + to); err != nil {
			return fail(err)
		}
		if err := c.rt.LinkSetUp(dst); err != nil {
			return fail(&OpError{Op: "link up", Object: to, Err: err})
		}
		undo = append(undo, func() error { return c.opErr("link down", to, c.rt.LinkSetDown(dst)) })
	}
	for _, a := range addrs {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		na := netlink.Addr{IPNet: a.IPNet, Scope: a.Scope, Broadcast: a.Broadcast, Flags: a.Flags,
			PreferedLft: a.PreferedLft, ValidLft: a.ValidLft}
		if a.IP.To4() == nil {
			na.Flags |= syscall.IFA_F_NODAD // already in use on this node: no duplicate detection
		}
		p := prefixOf(a.IPNet)
		if err := c.step("addr add " + p.String() + " " + to); err != nil {
			return fail(err)
		}
		err := c.rt.AddrAdd(dst, &na)
		switch {
		case errors.Is(err, syscall.EEXIST):
			// Already there (a previous run stopped midway): nothing to undo.
		case err != nil:
			return fail(&OpError{Op: "addr add " + p.String(), Object: to, Err: err})
		default:
			undo = append(undo, func() error { return c.opErr("addr del "+p.String(), to, c.rt.AddrDel(dst, &na)) })
		}
		moved.Addresses = append(moved.Addresses, p)
	}
	// Main-table default routes via the destination after the move, by
	// family, for the gateway below.
	defaults := map[int][]netlink.Route{}
	for _, r := range routes {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		orig := r
		nr := r
		nr.LinkIndex = dst.Attrs().Index
		nr.ILinkIndex = 0
		desc := routeOf(r).String()
		if err := c.step("route replace " + desc + " " + to); err != nil {
			return fail(err)
		}
		if err := c.rt.RouteReplace(&nr); err != nil {
			return fail(&OpError{Op: "route replace " + desc, Object: to, Err: err})
		}
		undo = append(undo, func() error {
			return c.opErr("route replace "+desc, from, c.rt.RouteReplace(&orig))
		})
		if isDefault(r) && r.Table == MainTable {
			defaults[routeFamily(r)] = append(defaults[routeFamily(r)], nr)
		}
		moved.Routes = append(moved.Routes, routeOf(nr))
	}
	if gw := opts.Gateway.Unmap(); gw.IsValid() {
		if err := c.setGateway(ctx, dst, gw, defaults, moved, &undo); err != nil {
			return fail(err)
		}
	}
	for _, fam := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
		for _, r := range defaults[fam] {
			moved.DefaultRoutes = append(moved.DefaultRoutes, addrOf(r.Gw))
		}
	}
	// Delete from the source last, secondaries before primaries (deleting
	// a primary IPv4 address can take its secondaries with it).
	for i := len(addrs) - 1; i >= 0; i-- {
		a := addrs[i]
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		p := prefixOf(a.IPNet)
		if err := c.step("addr del " + p.String() + " " + from); err != nil {
			return fail(err)
		}
		err := c.rt.AddrDel(src, &a)
		switch {
		case errors.Is(err, syscall.EADDRNOTAVAIL):
			// Gone already (flushed with its primary).
		case err != nil:
			return fail(&OpError{Op: "addr del " + p.String(), Object: from, Err: err})
		default:
			restore := netlink.Addr{IPNet: a.IPNet, Scope: a.Scope, Broadcast: a.Broadcast, Flags: a.Flags}
			if a.IP.To4() == nil {
				restore.Flags |= syscall.IFA_F_NODAD
			}
			undo = append(undo, func() error { return c.opErr("addr add "+p.String(), from, c.rt.AddrAdd(src, &restore)) })
		}
	}
	moved.undo = undo
	return moved, nil
}

// setGateway makes the main-table default route of gw's family on dst go
// via gw. defaults holds the default routes the move put on dst; it is
// updated to what is there afterwards. The destination's own default
// routes count too: one already via gw is kept, else the one with the
// lowest metric is pointed at gw, else a route is added.
func (c *Client) setGateway(ctx context.Context, dst netlink.Link, gw netip.Addr, defaults map[int][]netlink.Route, moved *Moved, undo *undoStack) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	to := dst.Attrs().Name
	fam, _ := familyOf(gw)
	have, err := retryDump(func() ([]netlink.Route, error) {
		return c.rt.RouteListFiltered(fam, &netlink.Route{LinkIndex: dst.Attrs().Index}, netlink.RT_FILTER_OIF)
	})
	if err != nil {
		return &OpError{Op: "route list", Object: to, Err: err}
	}
	have = slices.DeleteFunc(have, func(r netlink.Route) bool { return !isDefault(r) || !movable(r) || r.Table != MainTable })
	for _, r := range have {
		if addrOf(r.Gw) == gw {
			if !slices.ContainsFunc(defaults[fam], func(d netlink.Route) bool { return addrOf(d.Gw) == gw }) {
				defaults[fam] = append(defaults[fam], r)
			}
			return nil
		}
	}
	if len(have) > 0 {
		// Point the active default route (lowest metric) at gw, in place.
		cur := slices.MinFunc(have, func(a, b netlink.Route) int { return cmp.Compare(a.Priority, b.Priority) })
		orig := cur
		nr := cur
		nr.Gw = gw.AsSlice()
		nr.Flags = 0 // onlink belonged to the old next hop
		old := routeOf(orig).String()
		if err := c.step("route replace default via " + gw.String() + " " + to + " (was " + old + ")"); err != nil {
			return err
		}
		if err := c.rt.RouteReplace(&nr); err != nil {
			return &OpError{Op: "route replace default via " + gw.String() + " (was " + old + ")", Object: to, Err: err}
		}
		*undo = append(*undo, func() error {
			return c.opErr("route replace "+old, to, c.rt.RouteReplace(&orig))
		})
		oldGw := addrOf(orig.Gw)
		for i, d := range defaults[fam] {
			if d.Priority == orig.Priority && addrOf(d.Gw) == oldGw {
				defaults[fam][i] = nr
			}
		}
		if !slices.ContainsFunc(defaults[fam], func(d netlink.Route) bool { return addrOf(d.Gw) == gw }) {
			defaults[fam] = append(defaults[fam], nr)
		}
		c.replaceMoved(moved, orig, nr)
		return nil
	}
	nr := defaultRoute(dst.Attrs().Index, gw)
	if err := c.step("route add default via " + gw.String() + " " + to); err != nil {
		return err
	}
	if err := c.rt.RouteAdd(&nr); err != nil {
		return &OpError{Op: "route add default via " + gw.String(), Object: to, Err: err}
	}
	*undo = append(*undo, func() error { return c.opErr("route del default via "+gw.String(), to, c.rt.RouteDel(&nr)) })
	defaults[fam] = append(defaults[fam], nr)
	moved.Routes = append(moved.Routes, routeOf(nr))
	return nil
}

// replaceMoved records in moved that route orig on the destination became
// nr.
func (c *Client) replaceMoved(moved *Moved, orig, nr netlink.Route) {
	o := routeOf(orig)
	for i, r := range moved.Routes {
		if r == o {
			moved.Routes[i] = routeOf(nr)
			return
		}
	}
	moved.Routes = append(moved.Routes, routeOf(nr))
}

// GatewayOnSubnet reports why gw cannot be a next hop for a node holding
// address a: gw is a itself, or, on a's IPv4 subnet (up to /30), its
// network or broadcast address.
func GatewayOnSubnet(gw netip.Addr, a netip.Prefix) error {
	gw = gw.Unmap()
	if gw == a.Addr().Unmap() {
		return fmt.Errorf("%s is the node's own address", gw)
	}
	if !a.Addr().Is4() || a.Bits() > 30 || !a.Contains(gw) {
		return nil
	}
	network := a.Masked().Addr()
	b := network.As4()
	host := uint32(1)<<(32-a.Bits()) - 1
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]) | host
	bcast := netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	switch gw {
	case network:
		return fmt.Errorf("%s is the network address of %s", gw, a.Masked())
	case bcast:
		return fmt.Errorf("%s is the broadcast address of %s", gw, a.Masked())
	}
	return nil
}

// usableGateway reports whether a can be a route's next hop: not
// unspecified, multicast, the IPv4 broadcast address, loopback, or carrying
// an IPv6 zone (the route's device is the zone).
func usableGateway(a netip.Addr) bool {
	a = a.Unmap()
	return !a.IsUnspecified() && !a.IsMulticast() && !a.IsLoopback() && a.Zone() == "" &&
		a != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

func linkLookupErr(name string, err error) error {
	if isLinkNotFound(err) {
		return fmt.Errorf("eswitch: link %s: %w", name, ErrNotFound)
	}
	return &OpError{Op: "link get", Object: name, Err: err}
}

func isDefault(r netlink.Route) bool {
	if r.Dst == nil {
		return true
	}
	ones, _ := r.Dst.Mask.Size()
	return ones == 0 && r.Dst.IP.IsUnspecified()
}

func prefixOf(n *net.IPNet) netip.Prefix {
	a := addrOf(n.IP)
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(a, ones)
}

func addrOf(ip net.IP) netip.Addr {
	a, _ := netip.AddrFromSlice(ip)
	return a.Unmap()
}
