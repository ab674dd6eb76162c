// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/ovsoffload/ovsoffload/internal/testenv"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// testNS is a fresh network namespace for one test, with an rtnetlink
// handle inside it for setting up and checking state, and a Client working
// in it.
type testNS struct {
	ns     netns.NsHandle
	h      *netlink.Handle
	client *Client
}

// newTestNS creates a fresh, anonymous network namespace; it disappears
// when the test ends (the last file descriptor and socket close).
func newTestNS(t testing.TB, cfg Config) *testNS {
	t.Helper()
	testenv.RequireRoot(t)
	ns, err := createNetns()
	if err != nil {
		testenv.Missing(t, "cannot create a network namespace: %v", err)
	}
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		ns.Close()
		t.Fatalf("rtnetlink handle in the new namespace: %v", err)
	}
	cfg.NetNS = int(ns)
	c, err := New(cfg)
	if err != nil {
		h.Close()
		ns.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		h.Close()
		ns.Close()
	})
	return &testNS{ns: ns, h: h, client: c}
}

// createNetns makes a new namespace without leaving this goroutine's
// thread in it: the thread stays locked (and is discarded by the runtime)
// if switching back fails.
func createNetns() (netns.NsHandle, error) {
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return 0, err
	}
	defer orig.Close()
	ns, err := netns.New()
	if err != nil {
		runtime.UnlockOSThread()
		return 0, err
	}
	if err := netns.Set(orig); err != nil {
		ns.Close()
		return 0, fmt.Errorf("back to the original namespace: %w", err) // thread stays locked and dies with the goroutine
	}
	runtime.UnlockOSThread()
	return ns, nil
}

func (n *testNS) veth(t testing.TB, name, peer string, up bool) netlink.Link {
	t.Helper()
	err := n.h.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: name}, PeerName: peer})
	if errors.Is(err, syscall.EOPNOTSUPP) {
		testenv.Missing(t, "kernel without veth: %v", err)
	}
	if err != nil {
		t.Fatalf("add veth %s: %v", name, err)
	}
	l := n.link(t, name)
	if up {
		for _, nm := range []string{name, peer} {
			if err := n.h.LinkSetUp(n.link(t, nm)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return l
}

func (n *testNS) bridge(t testing.TB, name string) netlink.Link {
	t.Helper()
	if err := n.h.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: name}}); err != nil {
		if errors.Is(err, syscall.EOPNOTSUPP) {
			testenv.Missing(t, "kernel without bridge: %v", err)
		}
		t.Fatalf("add bridge %s: %v", name, err)
	}
	return n.link(t, name)
}

func (n *testNS) link(t testing.TB, name string) netlink.Link {
	t.Helper()
	l, err := n.h.LinkByName(name)
	if err != nil {
		t.Fatalf("link %s: %v", name, err)
	}
	return l
}

func (n *testNS) addAddr(t testing.TB, link, cidr string) {
	t.Helper()
	a, err := netlink.ParseAddr(cidr)
	if err != nil {
		t.Fatal(err)
	}
	if a.IP.To4() == nil {
		a.Flags |= syscall.IFA_F_NODAD
	}
	if err := n.h.AddrAdd(n.link(t, link), a); err != nil {
		t.Fatalf("addr add %s dev %s: %v", cidr, link, err)
	}
}

func (n *testNS) addDefault(t testing.TB, link, gw string) {
	t.Helper()
	ip := net.ParseIP(gw)
	if err := n.h.RouteAdd(&netlink.Route{LinkIndex: n.link(t, link).Attrs().Index, Gw: ip}); err != nil {
		t.Fatalf("route add default via %s dev %s: %v", gw, link, err)
	}
}

// state is what `ip -br addr; ip route show default; ip -br link` would
// show for the given links, as sorted strings, so two snapshots compare.
func (n *testNS) state(t testing.TB, links ...string) []string {
	t.Helper()
	var out []string
	for _, name := range links {
		l := n.link(t, name)
		up := l.Attrs().Flags&net.FlagUp != 0
		out = append(out, fmt.Sprintf("link %s up=%v alias=%q", name, up, l.Attrs().Alias))
		addrs, err := n.h.AddrList(l, netlink.FAMILY_ALL)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range addrs {
			if a.IP.IsLinkLocalUnicast() {
				continue
			}
			out = append(out, fmt.Sprintf("addr %s dev %s", a.IPNet, name))
		}
		routes, err := n.h.RouteListFiltered(netlink.FAMILY_ALL, &netlink.Route{LinkIndex: l.Attrs().Index},
			netlink.RT_FILTER_OIF|netlink.RT_FILTER_TABLE)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range routes {
			switch {
			case isDefault(r) && r.Table == MainTable:
				out = append(out, fmt.Sprintf("default via %s dev %s metric %d", r.Gw, name, r.Priority))
			case movable(r):
				// Every other route a move must keep, in any table.
				out = append(out, fmt.Sprintf("route %s dev %s", routeOf(r), name))
			}
		}
	}
	slices.Sort(out)
	return out
}

func diffState(before, after []string) string {
	if slices.Equal(before, after) {
		return ""
	}
	return "before:\n  " + strings.Join(before, "\n  ") + "\nafter:\n  " + strings.Join(after, "\n  ")
}

// addRoute adds a route through link; dst "default" is a default route.
func (n *testNS) addRoute(t testing.TB, link string, r netlink.Route, dst string) {
	t.Helper()
	if dst != "default" {
		_, ipn, err := net.ParseCIDR(dst)
		if err != nil {
			t.Fatal(err)
		}
		r.Dst = ipn
	}
	r.LinkIndex = n.link(t, link).Attrs().Index
	if err := n.h.RouteAdd(&r); err != nil {
		t.Fatalf("route add %s %+v dev %s: %v", dst, r, link, err)
	}
}
