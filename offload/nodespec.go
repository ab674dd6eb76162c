// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/ovsoffload/ovsoffload"
	"github.com/ovsoffload/ovsoffload/internal/ifname"
	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// More sentinel errors of the package, for the node setup.
var (
	// ErrConflict: the live node contradicts the spec in a way the spec does
	// not allow changing (a port held by a bridge the spec keeps, a pod port
	// bound to another pod).
	// The shared ovsoffload.ErrConflict.
	ErrConflict = ovsoffload.ErrConflict
	// ErrInvalid: the spec (or pod) is wrong; nothing was read or sent. The
	// shared ovsoffload.ErrInvalid.
	ErrInvalid = ovsoffload.ErrInvalid
)

// DefaultIntegrationBridge is the name of OVN's integration bridge.
const DefaultIntegrationBridge = "br-int"

// DefaultEncapType is the ovn-encap-type a NodeSpec with encap IPs gets when
// it names none.
const DefaultEncapType = "geneve"

// NodeSpec is the wanted state of a DPU node, as the seed guide sets it up
// by hand: the factory bridges deleted, an uplink bridge (brp0) holding the
// uplink (p0) and the host PF representor (pf0hpf), the node's address and
// default route moved onto that bridge, the offload backend's settings, the
// chassis keys OVN reads, and the integration bridge br-int.
//
// It is a plain value: Plan compares it with the live node and Apply makes
// the node match it.
type NodeSpec struct {
	// Backend is the offload backend (offload.New(name, settings) builds
	// one from its settings). Its Configure writes the Open_vSwitch
	// other_config and its DatapathType is the default datapath of both
	// bridges. Required.
	Backend Backend
	// RemoveBridges are bridges to delete with their ports, such as the
	// factory ovsbr1 and ovsbr2 of a BlueField. Missing ones are ignored.
	RemoveBridges []string
	// UplinkBridge is the bridge that carries the node's traffic to the
	// network.
	UplinkBridge UplinkBridge
	// Move, when set, moves the node's addresses and default route onto
	// the uplink bridge.
	Move *AddressMove
	// Chassis are the Open_vSwitch external_ids OVN reads. Empty fields are
	// left alone, except these defaults: GWInterface is the uplink bridge,
	// GWNexthop is Move.Gateway, EncapType is geneve when an encap IP is
	// given, BridgeDatapathType is the integration
	// bridge's datapath type.
	Chassis ovsdb.Chassis
	// IntegrationBridge is OVN's bridge (br-int), created with fail-mode
	// secure.
	IntegrationBridge IntegrationBridge
}

// UplinkBridge is the bridge holding the NIC's uplink and the host PF
// representor (brp0 with p0 and pf0hpf in the seed guide).
type UplinkBridge struct {
	// Name of the bridge. Required.
	Name string
	// Uplink is the uplink representor's netdev (p0). Required.
	Uplink string
	// HostPF is the host PF representor's netdev (pf0hpf); empty means
	// none (a SmartNIC, not a DPU).
	HostPF string
	// DatapathType is "system" or "netdev"; empty means the backend's.
	DatapathType string
}

// AddressMove says which link's addresses and default routes move to the
// uplink bridge (en3f0pf0sf0's 10.1.65.155/24 in the seed guide).
type AddressMove struct {
	// From is the link holding the addresses now. Required.
	From string
	// Gateway, when valid, makes sure a default route via Gateway on the
	// uplink bridge exists afterwards (`ip r add default via 10.1.65.1 dev
	// brp0`), and is the default ovn-gw-nexthop.
	Gateway netip.Addr
}

// IntegrationBridge is OVN's integration bridge. Its fail mode is always
// secure: without a controller it drops traffic instead of switching it.
type IntegrationBridge struct {
	// Name defaults to DefaultIntegrationBridge.
	Name string
	// DatapathType is "system" or "netdev"; empty means the backend's.
	DatapathType string
}

// withDefaults returns a copy of s with the documented defaults filled in.
func (s NodeSpec) withDefaults() NodeSpec {
	s.RemoveBridges = slices.Clone(s.RemoveBridges)
	if s.Move != nil {
		m := *s.Move
		s.Move = &m
	}
	if s.Backend != nil {
		if s.UplinkBridge.DatapathType == "" {
			s.UplinkBridge.DatapathType = s.Backend.DatapathType()
		}
		if s.IntegrationBridge.DatapathType == "" {
			s.IntegrationBridge.DatapathType = s.Backend.DatapathType()
		}
	}
	if s.IntegrationBridge.Name == "" {
		s.IntegrationBridge.Name = DefaultIntegrationBridge
	}
	if s.Chassis.GWInterface == "" {
		s.Chassis.GWInterface = s.UplinkBridge.Name
	}
	if !s.Chassis.GWNexthop.IsValid() && s.Move != nil && s.Move.Gateway.IsValid() {
		s.Chassis.GWNexthop = s.Move.Gateway
	}
	if s.Chassis.BridgeDatapathType == "" {
		s.Chassis.BridgeDatapathType = s.IntegrationBridge.DatapathType
	}
	if s.Chassis.EncapType == "" && len(s.Chassis.EncapIPs) > 0 {
		// ovn-controller builds no tunnel without a type; OVN-Kubernetes
		// uses geneve.
		s.Chassis.EncapType = DefaultEncapType
	}
	s.Chassis.EncapIPs = slices.Clone(s.Chassis.EncapIPs)
	return s
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("offload: node spec: %s: %w", fmt.Sprintf(format, args...), ErrInvalid)
}

// Validate checks the spec, with its defaults filled in, without looking at
// any node. Errors match ErrInvalid.
func (s NodeSpec) Validate() error {
	return s.withDefaults().validate()
}

func (s NodeSpec) validate() error {
	if s.Backend == nil {
		return invalidf("no offload backend")
	}
	names := []struct{ what, name string }{
		{"uplink bridge", s.UplinkBridge.Name},
		{"uplink port", s.UplinkBridge.Uplink},
		{"integration bridge", s.IntegrationBridge.Name},
	}
	if s.UplinkBridge.HostPF != "" {
		names = append(names, struct{ what, name string }{"host PF port", s.UplinkBridge.HostPF})
	}
	if s.Move != nil {
		names = append(names, struct{ what, name string }{"address source link", s.Move.From})
	}
	for _, n := range names {
		if err := ifname.Validate(n.name); err != nil {
			return invalidf("%s %q: %v", n.what, n.name, err)
		}
	}
	for _, dp := range []string{s.UplinkBridge.DatapathType, s.IntegrationBridge.DatapathType} {
		if dp != ovsdb.DatapathSystem && dp != ovsdb.DatapathNetdev {
			return invalidf("datapath type %q: want system or netdev", dp)
		}
	}
	ub, ib := s.UplinkBridge, s.IntegrationBridge.Name
	if ub.Name == ib {
		return invalidf("uplink and integration bridge are both %q", ib)
	}
	ports := []string{ub.Uplink, ub.HostPF}
	if ub.Uplink == ub.HostPF || slices.Contains(ports, ub.Name) || slices.Contains(ports, ib) {
		return invalidf("uplink %q, host PF %q and the bridges %q, %q must have distinct names", ub.Uplink, ub.HostPF, ub.Name, ib)
	}
	for _, b := range s.RemoveBridges {
		if err := ifname.Validate(b); err != nil {
			return invalidf("bridge to remove %q: %v", b, err)
		}
		if b == ub.Name || b == ib {
			return invalidf("bridge %q is both wanted and to be removed", b)
		}
	}
	if s.Move != nil {
		if s.Move.From == ub.Name {
			return invalidf("addresses move from %q to itself", ub.Name)
		}
		if gw := s.Move.Gateway; gw.IsValid() {
			if err := ovsdb.UsableUnicast(gw); err != nil {
				return invalidf("gateway %s is not a usable next hop: %v", gw, err)
			}
		}
	}
	// The gateway is another machine: never one of the node's own
	// addresses (its encap IPs; Plan also checks the addresses it moves).
	for _, gw := range []netip.Addr{s.Chassis.GWNexthop, moveGateway(s.Move)} {
		if gw.IsValid() && slices.ContainsFunc(s.Chassis.EncapIPs, func(ip netip.Addr) bool { return ip.Unmap() == gw.Unmap() }) {
			return invalidf("gateway %s is the node's own address (an encap IP)", gw)
		}
	}
	if _, err := s.Chassis.Keys(); err != nil {
		return fmt.Errorf("offload: node spec: chassis: %w", errors.Join(err, ErrInvalid))
	}
	return nil
}

func moveGateway(m *AddressMove) netip.Addr {
	if m == nil {
		return netip.Addr{}
	}
	return m.Gateway
}

// DatapathWarning says why bridges of datapath type dp cannot offload flows
// under backend b (kernel TC offloads the system datapath only, OVS-DOCA the
// netdev one), or returns "" when they can, or when b offloads nothing.
func DatapathWarning(b Backend, dp string) string {
	if b == nil || b.Name() == "none" || dp == "" || dp == b.DatapathType() {
		return ""
	}
	return fmt.Sprintf("backend %s offloads the %s datapath only: flows of %s bridges stay in OVS",
		b.Name(), b.DatapathType(), dp)
}
