// SPDX-License-Identifier: Apache-2.0

package ovstest

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/ifname"
)

// HostOptions configures Switch.AddHost.
type HostOptions struct {
	// Port names the near end of the veth pair, in the switch's namespace
	// (for example "pf0vf0" to stand in for a VF representor). Empty means
	// "veth<N>".
	Port string
	// MAC sets the far end's MAC address; empty leaves the kernel's choice.
	MAC string
	// Gateway, when set, becomes the host's default route.
	Gateway string
	// NoPlug leaves the near end out of any bridge (the caller plugs it).
	NoPlug bool
}

// Host is the far end of a veth pair, alone in its own network namespace,
// standing in for a pod or a remote machine.
type Host struct {
	// Netns is the host's network namespace.
	Netns string
	// Iface is the host's interface name inside Netns ("eth0").
	Iface string
	// Port is the near end's name in the switch's namespace.
	Port string
	// Addr is the host's address with its prefix length.
	Addr netip.Prefix
	// MAC is the host interface's MAC address.
	MAC string
}

// AddHost creates a host namespace with address cidr (for example
// "10.0.0.1/24") and a veth pair to the switch, plugs the near end into
// bridge (unless opts say NoPlug) and turns TX checksum offload off on both
// ends. Everything is removed when the test ends.
func (s *Switch) AddHost(t TB, bridge, cidr string, opts ...HostOptions) *Host {
	t.Helper()
	var o HostOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	addr, err := netip.ParsePrefix(cidr)
	if err != nil {
		t.Fatalf("ovstest: AddHost: address %q: %v", cidr, err)
	}
	s.hosts++
	if o.Port == "" {
		o.Port = fmt.Sprintf("veth%d", s.hosts)
	}
	if err := ifname.Validate(o.Port); err != nil {
		t.Fatalf("ovstest: AddHost: %v", err)
	}
	h := &Host{Netns: NewNetns(t), Iface: "eth0", Port: o.Port, Addr: addr}
	remember("link", o.Port, "")
	// Create both ends directly inside their namespaces: nothing appears in
	// the root namespace, and names only need to be unique per namespace.
	run(t, nil, "ip", "link", "add", o.Port, "netns", s.Netns, "type", "veth",
		"peer", "name", h.Iface, "netns", h.Netns)
	if o.MAC != "" {
		run(t, nil, "ip", "-n", h.Netns, "link", "set", h.Iface, "address", o.MAC)
	}
	run(t, nil, "ip", "-n", h.Netns, "addr", "add", cidr, "dev", h.Iface)
	run(t, nil, "ip", "-n", h.Netns, "link", "set", h.Iface, "up")
	run(t, nil, "ip", "-n", s.Netns, "link", "set", o.Port, "up")
	// Without this, the userspace datapath (AF_PACKET) forwards TCP segments
	// whose checksum was never filled in: ping works, TCP does not.
	InNetns(t, h.Netns, "ethtool", "-K", h.Iface, "tx", "off")
	InNetns(t, s.Netns, "ethtool", "-K", o.Port, "tx", "off")
	if o.Gateway != "" {
		run(t, nil, "ip", "-n", h.Netns, "route", "add", "default", "via", o.Gateway)
	}
	h.MAC = strings.TrimSpace(run(t, nil, "ip", "netns", "exec", h.Netns, "cat", "/sys/class/net/"+h.Iface+"/address"))
	if !o.NoPlug {
		s.Vsctl(t, "add-port", bridge, o.Port)
	}
	return h
}

// Exec runs a command inside the host's namespace and returns its output;
// the test fails on error.
func (h *Host) Exec(t TB, argv ...string) string {
	t.Helper()
	return InNetns(t, h.Netns, argv...)
}

// TryExec runs a command inside the host's namespace and returns its output
// and error, without failing the test.
func (h *Host) TryExec(argv ...string) (string, error) {
	return tryRun(nil, append([]string{"ip", "netns", "exec", h.Netns}, argv...)...)
}

// Ping sends pings to dst until one is answered or the timeout passes. The
// first packets of a flow go through ovs-vswitchd's slow path, so a single
// ping may be lost while flows are set up.
func (h *Host) Ping(t TB, dst string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var out string
	var err error
	for time.Now().Before(deadline) {
		out, err = h.TryExec("ping", "-c", "1", "-W", "1", dst)
		if err == nil {
			return
		}
	}
	t.Fatalf("ovstest: %s cannot ping %s within %v: %v\n%s", h.Netns, dst, timeout, err, out)
}
