// SPDX-License-Identifier: Apache-2.0

package ovstest

import (
	"net/netip"
	"time"
)

// DPUOptions configures StartDPU.
type DPUOptions struct {
	// Addr is the node's address with its prefix, held by the SF
	// en3f0pf0sf0 as the DPU boots. Default 10.1.65.155/24, the seed
	// guide's.
	Addr string
	// Switch configures the underlying switch.
	Switch SwitchOptions
}

// DPU is an emulated NVIDIA BlueField in DPU mode as it boots, built on a
// userspace-datapath switch, with the names the seed guide uses:
//
//   - p0, the uplink: a veth cabled to the underlay;
//   - pf0hpf, the host PF representor: a veth whose far end is the x86
//     host's PF (Host);
//   - en3f0pf0sf0, the SF netdev holding the node's address and default
//     route, whose representor pf0sf0 is a port of ovsbr1;
//   - the factory bridges ovsbr1 (p0, pf0hpf, pf0sf0) and ovsbr2 (empty:
//     the second port is not emulated).
//
// The node's address reaches the underlay through ovsbr1 and p0, as on a
// real DPU. Representors are veths and the eswitch is not emulated (there
// is no devlink): code under test must plug ports by name.
type DPU struct {
	*Switch
	// Host is the x86 host's side of pf0hpf.
	Host *Host
	// Addr is the node's address.
	Addr netip.Prefix
	// Gateway is the underlay gateway, the node's default route.
	Gateway netip.Addr
}

// StartDPU starts an emulated DPU cabled to u and checks that the node's
// address reaches the gateway through the factory bridge.
func StartDPU(t TB, u *Underlay, opts ...DPUOptions) *DPU {
	t.Helper()
	var o DPUOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.Addr == "" {
		o.Addr = "10.1.65.155/24"
	}
	addr, err := netip.ParsePrefix(o.Addr)
	if err != nil {
		t.Fatalf("ovstest: StartDPU: address %q: %v", o.Addr, err)
	}
	gw, err := netip.ParsePrefix(u.Gateway)
	if err != nil {
		t.Fatalf("ovstest: StartDPU: underlay gateway %q: %v", u.Gateway, err)
	}
	d := &DPU{Switch: StartSwitch(t, o.Switch), Addr: addr, Gateway: gw.Addr()}
	u.Attach(t, d.Switch, "p0")
	d.Host = d.AddHost(t, "", "192.0.2.1/30", HostOptions{Port: "pf0hpf", NoPlug: true})
	// The SF and its representor, both in the DPU.
	d.Exec(t, "ip", "link", "add", "en3f0pf0sf0", "type", "veth", "peer", "name", "pf0sf0")
	for _, l := range []string{"en3f0pf0sf0", "pf0sf0"} {
		d.Exec(t, "ethtool", "-K", l, "tx", "off")
		d.Exec(t, "ip", "link", "set", l, "up")
	}
	d.Exec(t, "ip", "addr", "add", o.Addr, "dev", "en3f0pf0sf0")
	d.Exec(t, "ip", "route", "add", "default", "via", d.Gateway.String(), "dev", "en3f0pf0sf0")
	d.AddBridge(t, "ovsbr1")
	d.AddBridge(t, "ovsbr2")
	d.Vsctl(t, "add-port", "ovsbr1", "p0", "--", "add-port", "ovsbr1", "pf0hpf", "--", "add-port", "ovsbr1", "pf0sf0")
	d.Ping(t, d.Gateway.String(), 20*time.Second)
	return d
}

// Ping pings dst from the DPU's own network stack until it answers or the
// timeout passes.
func (d *DPU) Ping(t TB, dst string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var out string
	var err error
	for time.Now().Before(deadline) {
		out, err = tryRun(d.Env(), "ip", "netns", "exec", d.Netns, "ping", "-c", "1", "-W", "1", dst)
		if err == nil {
			return
		}
	}
	t.Fatalf("ovstest: DPU %s cannot ping %s within %v: %v\n%s", d.Netns, dst, timeout, err, out)
}

// AddPod creates a pod: a namespace with address cidr (and MAC and default
// gateway when given) behind a veth whose DPU end, named rep (for example
// pf0vf0), stands in for the pod's VF representor. The representor is not
// plugged into any bridge: plugging pods is the code under test's job.
func (d *DPU) AddPod(t TB, rep, cidr, mac, gateway string) *Host {
	t.Helper()
	return d.AddHost(t, "", cidr, HostOptions{Port: rep, MAC: mac, Gateway: gateway, NoPlug: true})
}
