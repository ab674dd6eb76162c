// SPDX-License-Identifier: Apache-2.0

package kernellane

import (
	"testing"

	"github.com/ovsoffload/ovsoffload/internal/ifname"
)

// Host is a network namespace joined to the root namespace by a veth pair:
// Port stays in the root namespace (plug it into a bridge), Dev is inside
// the namespace and holds Addr.
type Host struct {
	NS   string // network namespace name
	Port string // veth end in the root namespace
	Dev  string // veth end inside NS
	Addr string // address of Dev, CIDR notation
}

// AddVethHost creates network namespace name with a veth pair: name in the
// root namespace (up, no address) and "eth0" inside, with cidr. Cleanup
// deletes both.
func AddVethHost(t testing.TB, name, cidr string) *Host {
	t.Helper()
	if err := ifname.Validate(name); err != nil {
		t.Fatal(err)
	}
	h := &Host{NS: name, Port: name, Dev: "eth0", Addr: cidr}
	Run(t, "ip", "netns", "add", h.NS)
	t.Cleanup(func() { _, _ = TryRun("ip", "netns", "del", h.NS) })
	Run(t, "ip", "link", "add", h.Port, "type", "veth", "peer", "name", h.Dev, "netns", h.NS)
	t.Cleanup(func() { _, _ = TryRun("ip", "link", "del", h.Port) })
	Run(t, "ip", "link", "set", h.Port, "up")
	h.Exec(t, "ip", "link", "set", "lo", "up")
	h.Exec(t, "ip", "addr", "add", cidr, "dev", h.Dev)
	h.Exec(t, "ip", "link", "set", h.Dev, "up")
	return h
}

// Exec runs argv inside the host's namespace and fails t when it fails.
func (h *Host) Exec(t testing.TB, argv ...string) string {
	t.Helper()
	return Run(t, append([]string{"ip", "netns", "exec", h.NS}, argv...)...)
}

// TryExec runs argv inside the host's namespace.
func (h *Host) TryExec(argv ...string) (string, error) {
	return TryRun(append([]string{"ip", "netns", "exec", h.NS}, argv...)...)
}
