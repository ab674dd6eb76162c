// SPDX-License-Identifier: Apache-2.0

package ovstest

import (
	"strings"
	"testing"
)

func TestIntegrationDPUFactoryLayout(t *testing.T) {
	u := NewUnderlay(t, "10.1.65.1/24")
	d := StartDPU(t, u)
	if got := d.Vsctl(t, "list-ports", "ovsbr1"); got != "p0\npf0hpf\npf0sf0" {
		t.Fatalf("ovsbr1 ports = %q", got)
	}
	if got := d.Vsctl(t, "list-br"); got != "ovsbr1\novsbr2" {
		t.Fatalf("bridges = %q", got)
	}
	addrs := d.Exec(t, "ip", "-br", "addr", "show", "dev", "en3f0pf0sf0")
	if !strings.Contains(addrs, "10.1.65.155/24") {
		t.Fatalf("en3f0pf0sf0 addresses: %s", addrs)
	}
	if r := d.Exec(t, "ip", "route", "show", "default"); !strings.Contains(r, "via 10.1.65.1 dev en3f0pf0sf0") {
		t.Fatalf("default route: %s", r)
	}
	pod := d.AddPod(t, "pf0vf0", "10.244.0.5/24", "0a:58:0a:f4:00:05", "")
	if pod.MAC != "0a:58:0a:f4:00:05" || pod.Port != "pf0vf0" {
		t.Fatalf("pod: %+v", pod)
	}
	if got := d.Vsctl(t, "port-to-br", "pf0sf0"); got != "ovsbr1" {
		t.Fatalf("pf0sf0 on %q", got)
	}
}
