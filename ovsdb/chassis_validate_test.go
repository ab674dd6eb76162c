// SPDX-License-Identifier: Apache-2.0

package ovsdb_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// Chassis.Keys refuses hostile values with a *ValidationError naming the
// key (issue 13, defect 10).
func TestChassisKeysRefusesHostileValues(t *testing.T) {
	ip := netip.MustParseAddr
	long := strings.Repeat("a", 10<<10)
	for _, tc := range []struct {
		name string
		c    ovsdb.Chassis
		key  string
		want string
	}{
		{"encap multicast", ovsdb.Chassis{EncapIPs: []netip.Addr{ip("239.1.1.1")}}, ovsdb.KeyEncapIP, "multicast"},
		{"encap link-local multicast", ovsdb.Chassis{EncapIPs: []netip.Addr{ip("ff02::1")}}, ovsdb.KeyEncapIP, "multicast"},
		{"encap broadcast", ovsdb.Chassis{EncapIPs: []netip.Addr{ip("255.255.255.255")}}, ovsdb.KeyEncapIP, "broadcast"},
		{"encap loopback", ovsdb.Chassis{EncapIPs: []netip.Addr{ip("127.0.0.2")}}, ovsdb.KeyEncapIP, "loopback"},
		{"encap unspecified", ovsdb.Chassis{EncapIPs: []netip.Addr{ip("::")}}, ovsdb.KeyEncapIP, "unspecified"},
		{"encap zoned", ovsdb.Chassis{EncapIPs: []netip.Addr{ip("fe80::1%eth0")}}, ovsdb.KeyEncapIP, "zone"},
		{"encap twice", ovsdb.Chassis{EncapIPs: []netip.Addr{ip("10.0.0.1"), ip("fd00::1"), ip("10.0.0.1")}}, ovsdb.KeyEncapIP, "twice"},
		{"encap invalid", ovsdb.Chassis{EncapIPs: []netip.Addr{{}}}, ovsdb.KeyEncapIP, "no address"},
		{"pf encap multicast", ovsdb.Chassis{PFEncapIPMapping: []ovsdb.PFEncapIP{{PF: "pf0hpf", IP: ip("224.0.0.5")}}}, ovsdb.KeyPFEncapIPMapping, "multicast"},
		{"nexthop broadcast", ovsdb.Chassis{GWNexthop: ip("255.255.255.255")}, ovsdb.KeyGWNexthop, "broadcast"},
		{"nexthop loopback", ovsdb.Chassis{GWNexthop: ip("::1")}, ovsdb.KeyGWNexthop, "loopback"},
		{"nexthop multicast", ovsdb.Chassis{GWNexthop: ip("224.0.0.1")}, ovsdb.KeyGWNexthop, "multicast"},
		{"system-id escape", ovsdb.Chassis{SystemID: "dpu\x1b[2J"}, ovsdb.KeySystemID, "printable ASCII"},
		{"system-id slash", ovsdb.Chassis{SystemID: "dpu/1"}, ovsdb.KeySystemID, "'/'"},
		{"system-id comma", ovsdb.Chassis{SystemID: "dpu,1"}, ovsdb.KeySystemID, "','"},
		{"system-id 10KB", ovsdb.Chassis{SystemID: long}, ovsdb.KeySystemID, "longer than 253"},
		{"hostname newline", ovsdb.Chassis{Hostname: "h\n1"}, ovsdb.KeyHostname, "printable ASCII"},
		{"node control", ovsdb.Chassis{HostK8sNodename: "w\x7f1"}, ovsdb.KeyHostK8sNodename, "DNS-1123"},
		{"node slash", ovsdb.Chassis{HostK8sNodename: "a/b"}, ovsdb.KeyHostK8sNodename, "DNS-1123"},
		{"node upper", ovsdb.Chassis{HostK8sNodename: "Worker1"}, ovsdb.KeyHostK8sNodename, "DNS-1123"},
		{"node dash end", ovsdb.Chassis{HostK8sNodename: "worker-.x"}, ovsdb.KeyHostK8sNodename, "DNS-1123"},
		{"node empty label", ovsdb.Chassis{HostK8sNodename: "a..b"}, ovsdb.KeyHostK8sNodename, "empty label"},
		{"remote newline", ovsdb.Chassis{Remote: "unix:/run/ovn/sb.sock\ntcp:10.0.0.1:6642"}, ovsdb.KeyRemote, "control character"},
		{"mapping escape", ovsdb.Chassis{BridgeMappings: []ovsdb.BridgeMapping{{Network: "phys\x1b[2J", Bridge: "brp0"}}}, ovsdb.KeyBridgeMappings, "control character"},
		{"node 10KB", ovsdb.Chassis{HostK8sNodename: long}, ovsdb.KeyHostK8sNodename, "longer than 253"},
	} {
		_, err := tc.c.Keys()
		var ve *ovsdb.ValidationError
		if !errors.As(err, &ve) || ve.Field != tc.key || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Keys() = %v; want a ValidationError of %s saying %q", tc.name, err, tc.key, tc.want)
		}
		if err != nil && len(err.Error()) > 400 {
			t.Errorf("%s: error of %d bytes echoes the whole value", tc.name, len(err.Error()))
		}
	}
	good := ovsdb.Chassis{SystemID: "3f1c9d2e-0b1a-4c56-9e7f-0123456789ab", Hostname: "dpu-1.example.com",
		EncapIPs: []netip.Addr{ip("10.1.65.155"), ip("fd00::155")}, GWNexthop: ip("10.1.65.1"),
		HostK8sNodename: "host-worker-1.cluster.local", PFEncapIPMapping: []ovsdb.PFEncapIP{{PF: "pf0hpf", IP: ip("10.1.65.156")}}}
	if _, err := good.Keys(); err != nil {
		t.Fatalf("a good chassis is refused: %v", err)
	}
}
