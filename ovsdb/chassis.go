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
		if strings.ContainsAny(c.SystemID, " ,\t\n") {
			return nil, invalid(KeySystemID, c.SystemID, "must not contain spaces or commas")
		}
		m[KeySystemID] = c.SystemID
	}
	if c.Hostname != "" {
		if strings.ContainsAny(c.Hostname, " ,\t\n/") {
			return nil, invalid(KeyHostname, c.Hostname, "not a host name")
		}
		m[KeyHostname] = c.Hostname
	}
	if len(c.EncapIPs) > 0 {
		var s []string
		for _, ip := range c.EncapIPs {
			if !ip.IsValid() || ip.IsUnspecified() {
				return nil, invalid(KeyEncapIP, ip.String(), "not a usable IP address")
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
		if c.GWNexthop.IsUnspecified() {
			return nil, invalid(KeyGWNexthop, c.GWNexthop.String(), "unspecified address")
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
		if strings.ContainsAny(c.HostK8sNodename, " ,\t\n/") {
			return nil, invalid(KeyHostK8sNodename, c.HostK8sNodename, "not a node name")
		}
		m[KeyHostK8sNodename] = c.HostK8sNodename
	}
	if len(c.PFEncapIPMapping) > 0 {
		var s []string
		for _, pm := range c.PFEncapIPMapping {
			if err := ifname.Validate(pm.PF); err != nil {
				return nil, &ValidationError{Field: KeyPFEncapIPMapping, Value: pm.PF, Err: err}
			}
			if !pm.IP.IsValid() || pm.IP.IsUnspecified() {
				return nil, invalid(KeyPFEncapIPMapping, pm.IP.String(), "not a usable IP address")
			}
			s = append(s, pm.PF+":"+pm.IP.String())
		}
		m[KeyPFEncapIPMapping] = strings.Join(s, ",")
	}
	return m, nil
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
