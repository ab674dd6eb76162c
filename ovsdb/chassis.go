// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ovn-kubernetes/libovsdb/model"
	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/ovsoffload/ovsoffload/internal/ifname"
	vs "github.com/ovsoffload/ovsoffload/ovsdb/internal/vswitchmodel"
)

// Chassis is the set of Open_vSwitch external_ids keys that ovn-controller
// (and OVN-Kubernetes on a DPU) reads. Empty fields are left alone by
// SetChassis; use ClearChassisKeys to remove keys.
type Chassis struct {
	SystemID           string       // system-id
	Hostname           string       // hostname
	EncapIPs           []netip.Addr // ovn-encap-ip, comma-joined when several
	EncapType          string       // ovn-encap-type: geneve, vxlan or stt (comma list allowed)
	Remote             string       // ovn-remote: comma-separated unix:/tcp:/ssl: endpoints
	BridgeMappings     []BridgeMapping
	BridgeDatapathType string      // ovn-bridge-datapath-type: system or netdev
	GWInterface        string      // ovn-gw-interface
	GWNexthop          netip.Addr  // ovn-gw-nexthop
	GWVLANID           int         // ovn-gw-vlanid, 1..4094 when set
	HostK8sNodename    string      // host-k8s-nodename
	PFEncapIPMapping   []PFEncapIP // ovn-pf-encap-ip-mapping
}

// BridgeMapping maps an OVN physical network to a bridge
// (ovn-bridge-mappings "physnet:bridge").
type BridgeMapping struct {
	Network string
	Bridge  string
}

// PFEncapIP maps a PF representor to the encapsulation IP its traffic uses
// (ovn-pf-encap-ip-mapping "pf:ip").
type PFEncapIP struct {
	PF string
	IP netip.Addr
}

// Chassis external_ids keys.
const (
	KeySystemID           = "system-id"
	KeyHostname           = "hostname"
	KeyEncapIP            = "ovn-encap-ip"
	KeyEncapType          = "ovn-encap-type"
	KeyRemote             = "ovn-remote"
	KeyBridgeMappings     = "ovn-bridge-mappings"
	KeyBridgeDatapathType = "ovn-bridge-datapath-type"
	KeyGWInterface        = "ovn-gw-interface"
	KeyGWNexthop          = "ovn-gw-nexthop"
	KeyGWVLANID           = "ovn-gw-vlanid"
	KeyHostK8sNodename    = "host-k8s-nodename"
	KeyPFEncapIPMapping   = "ovn-pf-encap-ip-mapping"
)

// ChassisKeys lists every key Chassis covers.
var ChassisKeys = []string{KeySystemID, KeyHostname, KeyEncapIP, KeyEncapType, KeyRemote, KeyBridgeMappings,
	KeyBridgeDatapathType, KeyGWInterface, KeyGWNexthop, KeyGWVLANID, KeyHostK8sNodename, KeyPFEncapIPMapping}

// Keys validates c and returns the external_ids it stands for (empty fields
// omitted).
func (c Chassis) Keys() (map[string]string, error) {
	m := map[string]string{}
	if c.SystemID != "" {
		if err := validName(KeySystemID, c.SystemID); err != nil {
			return nil, err
		}
		m[KeySystemID] = c.SystemID
	}
	if c.Hostname != "" {
		if err := validName(KeyHostname, c.Hostname); err != nil {
			return nil, err
		}
		m[KeyHostname] = c.Hostname
	}
	if len(c.EncapIPs) > 0 {
		var s []string
		for i, ip := range c.EncapIPs {
			if err := UsableUnicast(ip); err != nil {
				return nil, invalid(KeyEncapIP, ip.String(), "%v", err)
			}
			for _, prev := range c.EncapIPs[:i] {
				if prev == ip {
					return nil, invalid(KeyEncapIP, ip.String(), "listed twice")
				}
			}
			s = append(s, ip.String())
		}
		m[KeyEncapIP] = strings.Join(s, ",")
	}
	if c.EncapType != "" {
		for _, t := range strings.Split(c.EncapType, ",") {
			switch t {
			case "geneve", "vxlan", "stt":
			default:
				return nil, invalid(KeyEncapType, c.EncapType, "want geneve, vxlan or stt")
			}
		}
		m[KeyEncapType] = c.EncapType
	}
	if c.Remote != "" {
		for _, ep := range strings.Split(c.Remote, ",") {
			if err := validateRemote(ep); err != nil {
				return nil, err
			}
		}
		m[KeyRemote] = c.Remote
	}
	if len(c.BridgeMappings) > 0 {
		var s []string
		for _, bm := range c.BridgeMappings {
			if bm.Network == "" || strings.ContainsAny(bm.Network, ":, ") {
				return nil, invalid(KeyBridgeMappings, bm.Network, "bad physical network name")
			}
			if err := ifname.Validate(bm.Bridge); err != nil {
				return nil, &ValidationError{Field: KeyBridgeMappings, Value: bm.Bridge, Err: err}
			}
			s = append(s, bm.Network+":"+bm.Bridge)
		}
		m[KeyBridgeMappings] = strings.Join(s, ",")
	}
	if c.BridgeDatapathType != "" {
		if c.BridgeDatapathType != DatapathSystem && c.BridgeDatapathType != DatapathNetdev {
			return nil, invalid(KeyBridgeDatapathType, c.BridgeDatapathType, "want system or netdev")
		}
		m[KeyBridgeDatapathType] = c.BridgeDatapathType
	}
	if c.GWInterface != "" {
		if err := ifname.Validate(c.GWInterface); err != nil {
			return nil, &ValidationError{Field: KeyGWInterface, Value: c.GWInterface, Err: err}
		}
		m[KeyGWInterface] = c.GWInterface
	}
	if c.GWNexthop.IsValid() {
		if err := UsableUnicast(c.GWNexthop); err != nil {
			return nil, invalid(KeyGWNexthop, c.GWNexthop.String(), "%v", err)
		}
		m[KeyGWNexthop] = c.GWNexthop.String()
	}
	if c.GWVLANID != 0 {
		if c.GWVLANID < 1 || c.GWVLANID > 4094 {
			return nil, invalid(KeyGWVLANID, strconv.Itoa(c.GWVLANID), "want 1..4094")
		}
		m[KeyGWVLANID] = strconv.Itoa(c.GWVLANID)
	}
	if c.HostK8sNodename != "" {
		if err := validNodeName(c.HostK8sNodename); err != nil {
			return nil, err
		}
		m[KeyHostK8sNodename] = c.HostK8sNodename
	}
	if len(c.PFEncapIPMapping) > 0 {
		var s []string
		for _, pm := range c.PFEncapIPMapping {
			if err := ifname.Validate(pm.PF); err != nil {
				return nil, &ValidationError{Field: KeyPFEncapIPMapping, Value: pm.PF, Err: err}
			}
			if err := UsableUnicast(pm.IP); err != nil {
				return nil, invalid(KeyPFEncapIPMapping, pm.IP.String(), "%v", err)
			}
			s = append(s, pm.PF+":"+pm.IP.String())
		}
		m[KeyPFEncapIPMapping] = strings.Join(s, ",")
	}
	// Whatever a field's own rule, no key carries a control character
	// (an ovn-remote "unix:/x\ny" would print as two lines).
	for _, k := range ChassisKeys {
		v, ok := m[k]
		if !ok {
			continue
		}
		for i := 0; i < len(v); i++ {
			if v[i] < 0x20 || v[i] == 0x7f {
				return nil, invalid(k, v, "control character 0x%02x at byte %d", v[i], i)
			}
		}
	}
	return m, nil
}

// MaxNameLen is the longest system-id, hostname or host-k8s-nodename
// accepted: 253 bytes, the longest DNS name and Kubernetes node name.
const MaxNameLen = 253

// UsableUnicast reports why ip cannot be a tunnel endpoint or a next hop:
// invalid, unspecified, multicast (link-local multicast included), the IPv4
// broadcast address, loopback, an IPv4-mapped IPv6 address (write the IPv4
// address), or carrying an IPv6 zone (fe80::1%eth0: OVN and OVS take no
// zone). It returns nil for a usable unicast address.
func UsableUnicast(ip netip.Addr) error {
	switch {
	case !ip.IsValid():
		return fmt.Errorf("no address")
	case ip.Zone() != "":
		return fmt.Errorf("an IPv6 zone (%%%s) is not accepted", ip.Zone())
	case ip.Is4In6():
		return fmt.Errorf("an IPv4-mapped IPv6 address: give the IPv4 address %s", ip.Unmap())
	case ip.IsUnspecified():
		return fmt.Errorf("the unspecified address")
	case ip.IsMulticast():
		return fmt.Errorf("a multicast address")
	case ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return fmt.Errorf("the broadcast address")
	case ip.IsLoopback():
		return fmt.Errorf("a loopback address")
	}
	return nil
}

// validName checks a system-id or hostname: 1 to MaxNameLen bytes of
// printable ASCII, without ',' (OVN splits lists on it) or '/'.
func validName(key, v string) error {
	if len(v) > MaxNameLen {
		return &ValidationError{Field: key, Value: v[:32] + "...", Err: fmt.Errorf("%d bytes, longer than %d", len(v), MaxNameLen)}
	}
	for i := 0; i < len(v); i++ {
		switch b := v[i]; {
		case b < 0x21 || b > 0x7e:
			return invalid(key, v, "byte 0x%02x at %d: only printable ASCII without spaces is accepted", b, i)
		case b == ',' || b == '/':
			return invalid(key, v, "%q at %d is not accepted", b, i)
		}
	}
	return nil
}

// validNodeName checks a Kubernetes node name: a DNS-1123 subdomain, at
// most MaxNameLen bytes of lower-case letters, digits, '-' and '.', each
// dot-separated label starting and ending with a letter or digit.
func validNodeName(v string) error {
	if len(v) > MaxNameLen {
		return &ValidationError{Field: KeyHostK8sNodename, Value: v[:32] + "...", Err: fmt.Errorf("%d bytes, longer than %d", len(v), MaxNameLen)}
	}
	for _, label := range strings.Split(v, ".") {
		if label == "" {
			return invalid(KeyHostK8sNodename, v, "empty label: not a Kubernetes node name (DNS-1123 subdomain)")
		}
		for i := 0; i < len(label); i++ {
			b := label[i]
			alnum := b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
			if !alnum && (b != '-' || i == 0 || i == len(label)-1) {
				return invalid(KeyHostK8sNodename, v, "byte %q: not a Kubernetes node name (DNS-1123 subdomain: a-z, 0-9, '-' and '.', starting and ending with a letter or digit)", b)
			}
		}
	}
	return nil
}

func validateRemote(ep string) error {
	scheme, rest, ok := strings.Cut(ep, ":")
	if !ok || rest == "" {
		return invalid(KeyRemote, ep, "want unix:PATH, tcp:IP:PORT or ssl:IP:PORT")
	}
	switch scheme {
	case "unix":
		return nil
	case "tcp", "ssl":
		ap, err := netip.ParseAddrPort(rest)
		if err != nil {
			// OVS also accepts bracketless IPv6 "tcp:fd00::1:6642"; accept
			// host:port where the last colon splits a port.
			i := strings.LastIndex(rest, ":")
			if i < 0 {
				return invalid(KeyRemote, ep, "missing port")
			}
			if _, perr := strconv.ParseUint(rest[i+1:], 10, 16); perr != nil {
				return invalid(KeyRemote, ep, "bad port")
			}
			if _, aerr := netip.ParseAddr(rest[:i]); aerr != nil {
				return invalid(KeyRemote, ep, "not an IP address")
			}
			return nil
		}
		_ = ap
		return nil
	}
	return invalid(KeyRemote, ep, "unknown scheme %q", scheme)
}

// ParseChassis reads the chassis keys from external_ids. A malformed value
// is returned as a *ValidationError naming the key.
func ParseChassis(ext map[string]string) (Chassis, error) {
	var c Chassis
	c.SystemID = ext[KeySystemID]
	c.Hostname = ext[KeyHostname]
	if v := ext[KeyEncapIP]; v != "" {
		for _, s := range strings.Split(v, ",") {
			ip, err := netip.ParseAddr(strings.TrimSpace(s))
			if err != nil {
				return Chassis{}, invalid(KeyEncapIP, v, "not an IP address list")
			}
			c.EncapIPs = append(c.EncapIPs, ip)
		}
	}
	c.EncapType = ext[KeyEncapType]
	c.Remote = ext[KeyRemote]
	if v := ext[KeyBridgeMappings]; v != "" {
		for _, s := range strings.Split(v, ",") {
			n, b, ok := strings.Cut(s, ":")
			if !ok {
				return Chassis{}, invalid(KeyBridgeMappings, v, "want network:bridge pairs")
			}
			c.BridgeMappings = append(c.BridgeMappings, BridgeMapping{Network: n, Bridge: b})
		}
	}
	c.BridgeDatapathType = ext[KeyBridgeDatapathType]
	c.GWInterface = ext[KeyGWInterface]
	if v := ext[KeyGWNexthop]; v != "" {
		ip, err := netip.ParseAddr(v)
		if err != nil {
			return Chassis{}, invalid(KeyGWNexthop, v, "not an IP address")
		}
		c.GWNexthop = ip
	}
	if v := ext[KeyGWVLANID]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return Chassis{}, invalid(KeyGWVLANID, v, "not a number")
		}
		c.GWVLANID = n
	}
	c.HostK8sNodename = ext[KeyHostK8sNodename]
	if v := ext[KeyPFEncapIPMapping]; v != "" {
		for _, s := range strings.Split(v, ",") {
			pf, ipS, ok := strings.Cut(s, ":")
			ip, err := netip.ParseAddr(ipS)
			if !ok || err != nil {
				return Chassis{}, invalid(KeyPFEncapIPMapping, v, "want pf:ip pairs")
			}
			c.PFEncapIPMapping = append(c.PFEncapIPMapping, PFEncapIP{PF: pf, IP: ip})
		}
	}
	return c, nil
}

// SetChassis writes the non-empty fields of ch into Open_vSwitch
// external_ids, after validating all of them.
func (t *Txn) SetChassis(ch Chassis) *Txn {
	keys, err := ch.Keys()
	if err != nil {
		t.fail(err)
		return t
	}
	return t.setRootMap("external_ids", keys, nil, "chassis keys")
}

// ClearChassisKeys removes the given chassis keys (see ChassisKeys) from
// Open_vSwitch external_ids.
func (t *Txn) ClearChassisKeys(keys ...string) *Txn {
	for _, k := range keys {
		known := false
		for _, ck := range ChassisKeys {
			known = known || k == ck
		}
		if !known {
			t.fail(invalid("chassis key", k, "not a chassis key"))
			return t
		}
	}
	return t.setRootMap("external_ids", nil, keys, "chassis keys")
}

func (t *Txn) setRootMap(column string, want map[string]string, remove []string, what string) *Txn {
	root, err := t.c.root()
	if err != nil {
		t.fail(err)
		return t
	}
	have := root.ExternalIDs
	if column == "other_config" {
		have = root.OtherConfig
	}
	set, del := mapDiff(have, want, remove)
	ms := mapMutations(column, set, del)
	if len(ms) == 0 {
		return t
	}
	t.add(libovsdb.Operation{Op: libovsdb.OperationMutate, Table: vs.OpenvSwitchTable, Where: whereUUID(root.UUID), Mutations: ms},
		fmt.Sprintf("set %s in Open_vSwitch %s", what, column),
		expectation{table: vs.OpenvSwitchTable, uuid: root.UUID, opIndex: -1, check: func(m model.Model) bool {
			o := m.(*vs.OpenvSwitch)
			if column == "other_config" {
				return mapHolds(o.OtherConfig, set, del)
			}
			return mapHolds(o.ExternalIDs, set, del)
		}})
	return t
}

// SetChassis validates ch and writes its non-empty fields, reporting whether
// anything changed.
func (c *Client) SetChassis(ctx context.Context, ch Chassis) (bool, error) {
	r, err := c.single(ctx, func(t *Txn) { t.SetChassis(ch) })
	return r.Changed, err
}

// Chassis reads the chassis keys from the cache.
func (c *Client) Chassis(ctx context.Context) (Chassis, error) {
	if err := ctx.Err(); err != nil {
		return Chassis{}, err
	}
	root, err := c.root()
	if err != nil {
		return Chassis{}, err
	}
	return ParseChassis(root.ExternalIDs)
}
