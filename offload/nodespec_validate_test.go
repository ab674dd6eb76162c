// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// NodeSpec.Validate refuses hostile names, addresses and gateways with
// ErrInvalid (issue 13, defect 10), so importers get the CLI's checks.
func TestNodeSpecValidateRefusesHostileInput(t *testing.T) {
	ip := netip.MustParseAddr
	for name, mod := range map[string]func(*NodeSpec){
		"bridge \\v":            func(s *NodeSpec) { s.UplinkBridge.Name = "br\vp0" },
		"uplink \\f":            func(s *NodeSpec) { s.UplinkBridge.Uplink = "p\f0" },
		"host PF 0xa0":          func(s *NodeSpec) { s.UplinkBridge.HostPF = "pf0\xa0hpf" },
		"integration non-ASCII": func(s *NodeSpec) { s.IntegrationBridge.Name = "br-ïnt" },
		"remove ESC":            func(s *NodeSpec) { s.RemoveBridges = []string{"ovsbr1\x1b"} },
		"move from DEL":         func(s *NodeSpec) { s.Move = &AddressMove{From: "sf\x7f0"} },
		"encap multicast":       func(s *NodeSpec) { s.Chassis.EncapIPs = []netip.Addr{ip("224.0.0.9")} },
		"encap twice":           func(s *NodeSpec) { s.Chassis.EncapIPs = append(s.Chassis.EncapIPs, ip("10.1.65.155")) },
		"encap zoned":           func(s *NodeSpec) { s.Chassis.EncapIPs = []netip.Addr{ip("fe80::1%p0")} },
		"gateway broadcast":     func(s *NodeSpec) { s.Move = &AddressMove{From: "sf0", Gateway: ip("255.255.255.255")} },
		"gateway loopback":      func(s *NodeSpec) { s.Move = &AddressMove{From: "sf0", Gateway: ip("127.0.0.1")} },
		"gateway multicast":     func(s *NodeSpec) { s.Chassis.GWNexthop = ip("ff02::2") },
		"gateway is encap IP":   func(s *NodeSpec) { s.Move = &AddressMove{From: "sf0", Gateway: ip("10.1.65.155")} },
		"nexthop is encap IP":   func(s *NodeSpec) { s.Chassis.GWNexthop = ip("10.1.65.155") },
		"system-id slash":       func(s *NodeSpec) { s.Chassis.SystemID = "a/b" },
		"system-id 10KB":        func(s *NodeSpec) { s.Chassis.SystemID = strings.Repeat("x", 10<<10) },
		"host-node control":     func(s *NodeSpec) { s.Chassis.HostK8sNodename = "w\x01" },
	} {
		s := testSpec()
		mod(&s)
		if err := s.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Validate() = %v, want ErrInvalid", name, err)
		}
	}
}
