package eswitch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
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
	// Gateway, when valid, makes sure a default route via Gateway on the
	// destination link exists afterwards (the guide's
	// `ip r add default via 10.1.65.1 dev brp0`), for when the source link
	// had no default route of that family to move.
	Gateway netip.Addr
}

// Moved says what MoveAddresses changed.
type Moved struct {
	Addresses     []netip.Prefix // addresses now on the destination link
	DefaultRoutes []netip.Addr   // gateways of the default routes now via the destination
}

// MoveAddresses moves every global address and every default route (main
// table) from link from to link to, as the seed guide moves 10.1.65.155/24
// from en3f0pf0sf0 to brp0. The order keeps the node reachable: bring to
// up, add each address on to, move each default route with an atomic
// replace, add the requested default route, and only then delete the
// addresses from from. If a step fails, every step before it is undone and
// the original state is back; an undo that fails too gives a
// *RollbackError. Link-local IPv6 addresses stay where they are. Running it
// again after success changes nothing.
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
	if opts.Gateway.IsValid() && (opts.Gateway.IsUnspecified() || opts.Gateway.Zone() != "") {
		return nil, fmt.Errorf("eswitch: gateway %s is not a usable next hop", opts.Gateway)
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
	routes, err := retryDump(func() ([]netlink.Route, error) {
		return c.rt.RouteListFiltered(netlink.FAMILY_ALL, &netlink.Route{LinkIndex: src.Attrs().Index}, netlink.RT_FILTER_OIF)
	})
	if err != nil {
		return nil, &OpError{Op: "route list", Object: from, Err: err}
	}
	routes = slices.DeleteFunc(routes, func(r netlink.Route) bool { return !isDefault(r) })

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
	movedFamilies := map[int]bool{}
	for _, r := range routes {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		orig := r
		nr := r
		nr.LinkIndex = dst.Attrs().Index
		nr.ILinkIndex = 0
		gw := addrOf(r.Gw)
		if err := c.step("route replace default via " + gw.String() + " " + to); err != nil {
			return fail(err)
		}
		if err := c.rt.RouteReplace(&nr); err != nil {
			return fail(&OpError{Op: "route replace default via " + gw.String(), Object: to, Err: err})
		}
		undo = append(undo, func() error {
			return c.opErr("route replace default via "+gw.String(), from, c.rt.RouteReplace(&orig))
		})
		movedFamilies[r.Family] = true
		moved.DefaultRoutes = append(moved.DefaultRoutes, gw)
	}
	if gw := opts.Gateway; gw.IsValid() {
		fam := netlink.FAMILY_V4
		bits := 32
		if gw.Is6() && !gw.Is4In6() {
			fam, bits = netlink.FAMILY_V6, 128
		}
		if !movedFamilies[fam] {
			nr := netlink.Route{LinkIndex: dst.Attrs().Index, Gw: gw.Unmap().AsSlice(), Family: fam,
				Dst: &net.IPNet{IP: make(net.IP, bits/8), Mask: net.CIDRMask(0, bits)}}
			if err := c.step("route add default via " + gw.String() + " " + to); err != nil {
				return fail(err)
			}
			err := c.rt.RouteAdd(&nr)
			switch {
			case errors.Is(err, syscall.EEXIST):
				exists, lerr := c.hasDefaultVia(dst.Attrs().Index, gw, fam)
				if lerr != nil {
					return fail(lerr)
				}
				if !exists {
					return fail(fmt.Errorf("eswitch: route add default via %s dev %s: another default route exists: %w", gw, to, ErrConflict))
				}
			case err != nil:
				return fail(&OpError{Op: "route add default via " + gw.String(), Object: to, Err: err})
			default:
				undo = append(undo, func() error { return c.opErr("route del default via "+gw.String(), to, c.rt.RouteDel(&nr)) })
			}
			moved.DefaultRoutes = append(moved.DefaultRoutes, gw.Unmap())
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
	return moved, nil
}

// hasDefaultVia reports whether a main-table default route via gw on link
// ifindex exists.
func (c *Client) hasDefaultVia(ifindex int, gw netip.Addr, family int) (bool, error) {
	routes, err := retryDump(func() ([]netlink.Route, error) {
		return c.rt.RouteListFiltered(family, &netlink.Route{LinkIndex: ifindex}, netlink.RT_FILTER_OIF)
	})
	if err != nil {
		return false, &OpError{Op: "route list", Object: "ifindex " + strconv.Itoa(ifindex), Err: err}
	}
	for _, r := range routes {
		if isDefault(r) && addrOf(r.Gw) == gw.Unmap() {
			return true, nil
		}
	}
	return false, nil
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
