// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"context"
	"fmt"
	"maps"
	"net"
	"slices"
	"sort"
	"strings"

	"github.com/ovn-kubernetes/libovsdb/model"
	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/ovsoffload/ovsoffload/internal/ifname"
	vs "github.com/ovsoffload/ovsoffload/ovsdb/internal/vswitchmodel"
)

// VLAN modes of a port (the Port table's vlan_mode column).
const (
	VLANModeDefault        = "" // no vlan_mode: OVS picks access when tag is set, trunk otherwise
	VLANModeAccess         = "access"
	VLANModeTrunk          = "trunk"
	VLANModeNativeTagged   = "native-tagged"
	VLANModeNativeUntagged = "native-untagged"
	VLANModeDot1QTunnel    = "dot1q-tunnel"
)

// PortVLAN is a port's VLAN configuration: the Port columns tag, trunks
// and vlan_mode, which ovs-vsctl sets as "set port P tag=10" and
// OVN-Kubernetes sets on its gateway and management ports.
type PortVLAN struct {
	// Tag is the access VLAN (0 to 4095); nil clears it.
	Tag *int
	// Trunks are the VLANs a trunk port carries (each 0 to 4095, no
	// duplicates); empty means all.
	Trunks []int
	// Mode is one of the VLANMode constants.
	Mode string
}

func (v PortVLAN) validate() error {
	if v.Tag != nil && (*v.Tag < 0 || *v.Tag > 4095) {
		return invalid("tag", fmt.Sprint(*v.Tag), "want 0 to 4095")
	}
	if len(v.Trunks) > 4096 {
		return invalid("trunks", fmt.Sprint(len(v.Trunks)), "at most 4096 VLANs")
	}
	seen := map[int]bool{}
	for _, t := range v.Trunks {
		if t < 0 || t > 4095 {
			return invalid("trunks", fmt.Sprint(t), "want 0 to 4095")
		}
		if seen[t] {
			return invalid("trunks", fmt.Sprint(t), "listed twice")
		}
		seen[t] = true
	}
	switch v.Mode {
	case VLANModeDefault, VLANModeAccess, VLANModeTrunk, VLANModeNativeTagged, VLANModeNativeUntagged, VLANModeDot1QTunnel:
	default:
		return invalid("vlan_mode", v.Mode, "want access, trunk, native-tagged, native-untagged or dot1q-tunnel")
	}
	if v.Mode == VLANModeAccess && len(v.Trunks) > 0 {
		return invalid("trunks", fmt.Sprint(v.Trunks), "an access port has no trunks")
	}
	return nil
}

func portVLANOf(p *vs.Port) PortVLAN {
	v := PortVLAN{Trunks: slices.Sorted(slices.Values(p.Trunks))}
	if p.Tag != nil {
		t := *p.Tag
		v.Tag = &t
	}
	if p.VLANMode != nil {
		v.Mode = string(*p.VLANMode)
	}
	return v
}

func (v PortVLAN) equal(w PortVLAN) bool {
	return (v.Tag == nil) == (w.Tag == nil) && (v.Tag == nil || *v.Tag == *w.Tag) &&
		slices.Equal(v.Trunks, w.Trunks) && v.Mode == w.Mode
}

// SetPortVLAN sets the VLAN columns of the port called name to v (all
// three: a nil Tag, empty Trunks or empty Mode clear theirs). Nothing is
// sent when the port already has v; ErrNotFound when there is no such port.
func (t *Txn) SetPortVLAN(name string, v PortVLAN) *Txn {
	if err := ifname.Validate(name); err != nil {
		t.fail(&ValidationError{Field: "port name", Value: name, Err: err})
		return t
	}
	if err := v.validate(); err != nil {
		t.fail(err)
		return t
	}
	want := v
	want.Trunks = slices.Sorted(slices.Values(v.Trunks))
	if want.Trunks == nil {
		want.Trunks = []int{}
	}
	p := t.c.portByName(name)
	if p == nil {
		t.fail(fmt.Errorf("ovsdb: port %q: %w", name, ErrNotFound))
		return t
	}
	have := portVLANOf(p)
	if have.Trunks == nil {
		have.Trunks = []int{}
	}
	if have.equal(want) {
		return t
	}
	trunks := make([]any, len(want.Trunks))
	for i, x := range want.Trunks {
		trunks[i] = x
	}
	var tag any
	if want.Tag != nil {
		tag = *want.Tag
	}
	row := libovsdb.Row{
		"tag":       optional(tag, want.Tag != nil),
		"trunks":    libovsdb.OvsSet{GoSet: trunks},
		"vlan_mode": optional(want.Mode, want.Mode != ""),
	}
	t.add(libovsdb.Operation{Op: libovsdb.OperationUpdate, Table: vs.PortTable, Where: whereUUID(p.UUID), Row: row},
		fmt.Sprintf("update Port %q tag, trunks, vlan_mode", name),
		expectation{table: vs.PortTable, uuid: p.UUID, opIndex: -1, check: func(m model.Model) bool {
			got := portVLANOf(m.(*vs.Port))
			if got.Trunks == nil {
				got.Trunks = []int{}
			}
			return got.equal(want)
		}})
	return t
}

// SetPortVLAN sets a port's VLAN columns in its own transaction. See
// Txn.SetPortVLAN.
func (c *Client) SetPortVLAN(ctx context.Context, name string, v PortVLAN) (bool, error) {
	r, err := c.single(ctx, func(t *Txn) { t.SetPortVLAN(name, v) })
	return r.Changed, err
}

// PortVLAN returns the VLAN columns of the port called name, as the
// client's cache has them (ErrNotFound when there is no such port).
func (c *Client) PortVLAN(ctx context.Context, name string) (PortVLAN, error) {
	if err := ctx.Err(); err != nil {
		return PortVLAN{}, err
	}
	p := c.portByName(name)
	if p == nil {
		return PortVLAN{}, fmt.Errorf("ovsdb: port %q: %w", name, ErrNotFound)
	}
	return portVLANOf(p), nil
}

// InterfaceSettings are Interface columns a controller writes besides
// those of PortSpec. A nil field is left as it is.
type InterfaceSettings struct {
	// MAC is the interface's requested Ethernet address (the mac column,
	// which OVN-Kubernetes sets on its management port); an empty string
	// clears it.
	MAC *string
	// IngressPolicingRate (kbps) and IngressPolicingBurst (kb) police what
	// the interface receives; 0 disables. Both at most 2^31-1.
	IngressPolicingRate, IngressPolicingBurst *int
	// MTURequest is the requested MTU (mtu_request, 1..65535), such as a
	// bridge's own internal interface's; 0 clears it.
	MTURequest *int
}

// SetInterface writes s to the interface called name. Nothing is sent when
// the interface already has s; ErrNotFound when there is no such interface.
func (t *Txn) SetInterface(name string, s InterfaceSettings) *Txn {
	if err := ifname.Validate(name); err != nil {
		t.fail(&ValidationError{Field: "interface name", Value: name, Err: err})
		return t
	}
	var mac string
	if s.MAC != nil && *s.MAC != "" {
		hw, err := net.ParseMAC(*s.MAC)
		if err != nil || len(hw) != 6 {
			t.fail(invalid("mac", *s.MAC, "not an Ethernet address"))
			return t
		}
		if hw[0]&1 != 0 {
			t.fail(invalid("mac", *s.MAC, "a multicast address"))
			return t
		}
		mac = hw.String()
	}
	for what, p := range map[string]*int{"ingress_policing_rate": s.IngressPolicingRate, "ingress_policing_burst": s.IngressPolicingBurst} {
		if p != nil && (*p < 0 || *p > 1<<31-1) {
			t.fail(invalid(what, fmt.Sprint(*p), "want 0 to 2147483647"))
			return t
		}
	}
	if p := s.MTURequest; p != nil && (*p < 0 || *p > 65535) {
		t.fail(invalid("mtu_request", fmt.Sprint(*p), "want 1 to 65535, or 0 to clear"))
		return t
	}
	i := t.c.ifaceByName(name)
	if i == nil {
		t.fail(fmt.Errorf("ovsdb: interface %q: %w", name, ErrNotFound))
		return t
	}
	row := libovsdb.Row{}
	checks := []func(*vs.Interface) bool{}
	if p := s.MTURequest; p != nil && derefInt(i.MTURequest) != *p {
		v := *p
		row["mtu_request"] = optional(v, v != 0)
		checks = append(checks, func(x *vs.Interface) bool { return derefInt(x.MTURequest) == v })
	}
	if s.MAC != nil && deref(i.MAC) != mac {
		row["mac"] = optional(mac, mac != "")
		checks = append(checks, func(x *vs.Interface) bool { return deref(x.MAC) == mac })
	}
	if p := s.IngressPolicingRate; p != nil && i.IngressPolicingRate != *p {
		v := *p
		row["ingress_policing_rate"] = v
		checks = append(checks, func(x *vs.Interface) bool { return x.IngressPolicingRate == v })
	}
	if p := s.IngressPolicingBurst; p != nil && i.IngressPolicingBurst != *p {
		v := *p
		row["ingress_policing_burst"] = v
		checks = append(checks, func(x *vs.Interface) bool { return x.IngressPolicingBurst == v })
	}
	if len(row) == 0 {
		return t
	}
	cols := slices.Sorted(maps.Keys(row))
	t.add(libovsdb.Operation{Op: libovsdb.OperationUpdate, Table: vs.InterfaceTable, Where: whereUUID(i.UUID), Row: row},
		fmt.Sprintf("update Interface %q %s", name, strings.Join(cols, ", ")),
		expectation{table: vs.InterfaceTable, uuid: i.UUID, opIndex: -1, check: func(m model.Model) bool {
			x := m.(*vs.Interface)
			for _, c := range checks {
				if !c(x) {
					return false
				}
			}
			return true
		}})
	return t
}

// SetInterface writes interface settings in its own transaction. See
// Txn.SetInterface.
func (c *Client) SetInterface(ctx context.Context, name string, s InterfaceSettings) (bool, error) {
	r, err := c.single(ctx, func(t *Txn) { t.SetInterface(name, s) })
	return r.Changed, err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// InterfaceState is what the database says of one interface: what was
// configured and what ovs-vswitchd reported back.
type InterfaceState struct {
	Name string
	Type string
	// Port is the name of the port holding the interface ("" when none).
	Port string
	// ExternalIDs is a copy of the external_ids column.
	ExternalIDs map[string]string
	// MAC is the requested address (mac), MACInUse the one in use
	// (mac_in_use, set by ovs-vswitchd); "" when unset.
	MAC, MACInUse string
	// MTU is the MTU in use (mtu, set by ovs-vswitchd), 0 when unset;
	// MTURequest the requested one, 0 when unset.
	MTU, MTURequest int
	// OFPort is the OpenFlow port number; -1 when ovs-vswitchd could not
	// add the interface; HasOFPort is false while ovs-vswitchd has not
	// assigned one.
	OFPort    int
	HasOFPort bool
	// Error is ovs-vswitchd's error for the interface ("" when none).
	Error string
	// IngressPolicingRate and IngressPolicingBurst as configured.
	IngressPolicingRate, IngressPolicingBurst int
}

// InterfaceQuery selects interfaces; every condition set must hold (an
// empty query selects all).
type InterfaceQuery struct {
	// ExternalIDs: each key must be in external_ids with this value; an
	// empty value means any value (the key must be present).
	ExternalIDs map[string]string
	// PortExternalIDs: the same on the external_ids of the port that holds
	// the interface (OVN-Kubernetes' "find port
	// external_ids:ovn-localnet-port"); an interface in no port never
	// matches a non-empty PortExternalIDs.
	PortExternalIDs map[string]string
	// Type, when set, is the interface type ("internal", "geneve"; "system"
	// matches the empty type too).
	Type string
	// FailedOFPort selects interfaces whose ofport is -1 (ovs-vswitchd
	// failed to add them), as OVN-Kubernetes' "find interface ofport=-1".
	FailedOFPort bool
	// WithError selects interfaces whose error column is set.
	WithError bool
}

// Interfaces returns the interfaces that q selects, sorted by name, from
// the client's cache (one consistent view: no row is read twice).
func (c *Client) Interfaces(ctx context.Context, q InterfaceQuery) ([]InterfaceState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := validateKeys("external_ids", q.ExternalIDs); err != nil {
		return nil, err
	}
	if err := validateKeys("port external_ids", q.PortExternalIDs); err != nil {
		return nil, err
	}
	portOf := map[string]string{}
	portIDs := map[string]map[string]string{}
	for _, m := range c.ovs.Cache().Table(vs.PortTable).RowsShallow() {
		p := m.(*vs.Port)
		for _, u := range p.Interfaces {
			portOf[u] = p.Name
			portIDs[u] = p.ExternalIDs
		}
	}
	var out []InterfaceState
	for _, m := range c.ovs.Cache().Table(vs.InterfaceTable).Rows() {
		i := m.(*vs.Interface)
		if !q.matches(i) || !hasKeys(portIDs[i.UUID], q.PortExternalIDs) {
			continue
		}
		s := InterfaceState{Name: i.Name, Type: i.Type, Port: portOf[i.UUID], ExternalIDs: maps.Clone(i.ExternalIDs),
			MAC: deref(i.MAC), MACInUse: deref(i.MACInUse), Error: deref(i.Error),
			IngressPolicingRate: i.IngressPolicingRate, IngressPolicingBurst: i.IngressPolicingBurst}
		if s.ExternalIDs == nil {
			s.ExternalIDs = map[string]string{}
		}
		if i.MTU != nil {
			s.MTU = *i.MTU
		}
		if i.MTURequest != nil {
			s.MTURequest = *i.MTURequest
		}
		if i.Ofport != nil {
			s.OFPort, s.HasOFPort = *i.Ofport, true
		}
		out = append(out, s)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out, nil
}

func (q InterfaceQuery) matches(i *vs.Interface) bool {
	for k, v := range q.ExternalIDs {
		got, ok := i.ExternalIDs[k]
		if !ok || (v != "" && got != v) {
			return false
		}
	}
	if q.Type != "" && normType(i.Type) != normType(q.Type) {
		return false
	}
	if q.FailedOFPort && (i.Ofport == nil || *i.Ofport != -1) {
		return false
	}
	if q.WithError && deref(i.Error) == "" {
		return false
	}
	return true
}

// SystemConfig returns copies of the Open_vSwitch row's external_ids and
// other_config (where OVN-Kubernetes reads system-id, ovn-encap-ip,
// k8s-api-server and the like).
func (c *Client) SystemConfig(ctx context.Context) (externalIDs, otherConfig map[string]string, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	r, err := c.root()
	if err != nil {
		return nil, nil, err
	}
	externalIDs, otherConfig = maps.Clone(r.ExternalIDs), maps.Clone(r.OtherConfig)
	if externalIDs == nil {
		externalIDs = map[string]string{}
	}
	if otherConfig == nil {
		otherConfig = map[string]string{}
	}
	return externalIDs, otherConfig, nil
}

// SystemExternalID returns one key of the Open_vSwitch row's external_ids;
// a missing key is an error matching ErrNotFound.
func (c *Client) SystemExternalID(ctx context.Context, key string) (string, error) {
	ids, _, err := c.SystemConfig(ctx)
	if err != nil {
		return "", err
	}
	v, ok := ids[key]
	if !ok {
		return "", fmt.Errorf("ovsdb: Open_vSwitch external_ids:%s: %w", key, ErrNotFound)
	}
	return v, nil
}

// hasKeys reports whether have holds each key of want with its value (any
// value when the wanted one is empty).
func hasKeys(have, want map[string]string) bool {
	for k, v := range want {
		got, ok := have[k]
		if !ok || (v != "" && got != v) {
			return false
		}
	}
	return true
}
