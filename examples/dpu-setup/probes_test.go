// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/testenv"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// nodeState is what a run could change in the database: every bridge with
// its ports, the chassis keys and the offload settings.
func nodeState(t *testing.T, db *ovsdb.Client) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, name := range bridges(t, db) {
		br, err := db.Bridge(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%+v\n", br)
	}
	ch, err := db.Chassis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	off, err := db.Offload(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "%+v\n%+v\n", ch, off)
	return b.String()
}

// Hostile values (issue 13, defect 10) are each refused with exit status 2
// and an error naming what is wrong, and the node is left as it was. The
// checks are NodeSpec.Validate's, so importers of the library get them.
func TestHostileValuesAreRefused(t *testing.T) {
	ep := ovstest.StartInProcessDB(t)
	db := factory(t, ep)
	before := nodeState(t, db)
	long := strings.Repeat("a", 10<<10)
	base := []string{"--db", ep, "--encap-ip", "10.1.65.155", "--offload", "none", "--datapath", "netdev"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		// Interface names: the kernel's dev_valid_name refuses \v, \f and
		// 0xA0; the library also refuses control characters and non-ASCII.
		{[]string{"--bridge", "br\v0"}, "--bridge"},
		{[]string{"--uplink", "p\f0"}, "--uplink"},
		{[]string{"--host-pf", "pf0\xa0"}, "--host-pf"},
		{[]string{"--integration-bridge", "br-ïnt"}, "printable ASCII"},
		{[]string{"--move-ip-from", "sf\x1b[2J"}, "printable ASCII"},
		{[]string{"--uplink", "p0\x85"}, "printable ASCII"},
		{[]string{"--remove-bridges", "ovsbr1,ovs\vbr2"}, "bridge to remove"},
		{[]string{"--remove-bridges", "ovsbr1,"}, "bridge to remove"},
		// Encap IPs.
		{[]string{"--encap-ip", "224.0.0.1"}, "multicast"},
		{[]string{"--encap-ip", "ff02::1"}, "multicast"},
		{[]string{"--encap-ip", "255.255.255.255"}, "broadcast"},
		{[]string{"--encap-ip", "127.0.0.1"}, "loopback"},
		{[]string{"--encap-ip", "::1"}, "loopback"},
		{[]string{"--encap-ip", "0.0.0.0"}, "unspecified"},
		{[]string{"--encap-ip", "::"}, "unspecified"},
		{[]string{"--encap-ip", "fe80::1%eth0"}, "zone"},
		{[]string{"--encap-ip", "::ffff:10.1.65.155"}, "IPv4-mapped"},
		{[]string{"--encap-ip", "10.1.65.155,10.1.65.155"}, "listed twice"},
		// Gateways, with and without an address move.
		{[]string{"--gateway", "224.0.0.1"}, "multicast"},
		{[]string{"--gateway", "255.255.255.255", "--move-ip-from", "sf0"}, "broadcast"},
		{[]string{"--gateway", "127.0.0.1", "--move-ip-from", "sf0"}, "loopback"},
		{[]string{"--gateway", "::", "--move-ip-from", "sf0"}, "unspecified"},
		{[]string{"--gateway", "fe80::1%eth0"}, "zone"},
		{[]string{"--gateway", "10.1.65.155"}, "node's own address"},
		{[]string{"--gateway", "10.1.65.155", "--move-ip-from", "sf0"}, "node's own address"},
		// system-id and host-node.
		{[]string{"--system-id", "dpu\x1b]0;pwned\a"}, "system-id"},
		{[]string{"--system-id", "dpu/1"}, "system-id"},
		{[]string{"--system-id", "dpu\n1"}, "system-id"},
		{[]string{"--system-id", long}, "longer than 253"},
		{[]string{"--host-node", "worker\x001"}, "host-k8s-nodename"},
		{[]string{"--host-node", "a/b"}, "host-k8s-nodename"},
		{[]string{"--host-node", "worker 1"}, "host-k8s-nodename"},
		{[]string{"--host-node", "Worker_1"}, "DNS-1123"},
		{[]string{"--host-node", long}, "longer than 253"},
		// Timeouts and TLS.
		{[]string{"--timeout", "0"}, "--timeout 0s: must be > 0"},
		{[]string{"--timeout", "-5s"}, "--timeout -5s: must be > 0"},
		{[]string{"--private-key", "k.pem"}, "are for an ssl: --db"},
		{[]string{"--db", "ssl:127.0.0.1:6640"}, "needs --private-key, --certificate and --ca-cert"},
		{[]string{"--db", "ssl:127.0.0.1:6640", "--private-key", "/nonexistent/k.pem", "--certificate", "/nonexistent/c.pem",
			"--ca-cert", "/nonexistent/ca.pem"}, "--certificate /nonexistent/c.pem"},
	} {
		args := append(slices.Clone(base), tc.args...)
		for _, dry := range []bool{true, false} {
			a := args
			if dry {
				a = append(slices.Clone(args), "--dry-run")
			}
			code, out, errs := runCmd(t, a...)
			if code != 2 || !strings.Contains(errs, tc.want) {
				t.Errorf("%q (dry run %v): exit %d, stderr %q; want 2 and %q", tc.args, dry, code, errs, tc.want)
			}
			if out != "" {
				t.Errorf("%q: printed a plan: %s", tc.args, out)
			}
			if strings.ContainsAny(errs, "\x1b\a\x00\v\f") {
				t.Errorf("%q: the error echoes control characters raw: %q", tc.args, errs)
			}
		}
	}
	if after := nodeState(t, db); after != before {
		t.Fatalf("refused runs changed the node:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// writePKI makes a CA, a server certificate for 127.0.0.1 and a client
// certificate as PEM files in dir.
func writePKI(t *testing.T, dir string) (caCert, srvCert, srvKey, cliCert, cliKey string) {
	t.Helper()
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	keyPEM := func(name string, k *ecdsa.PrivateKey) string {
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return write(name, "EC PRIVATE KEY", der)
	}
	caKey := newKey()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "dpu-setup test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(cn string, serial int64, usage x509.ExtKeyUsage, ips []net.IP) ([]byte, *ecdsa.PrivateKey) {
		k := newKey()
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: ips}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return der, k
	}
	// As ovs-pki's, the server's certificate names no host.
	sDER, sKey := issue("ovsdb-server", 2, x509.ExtKeyUsageServerAuth, nil)
	cDER, cKey := issue("dpu-setup", 3, x509.ExtKeyUsageClientAuth, nil)
	return write("ca.pem", "CERTIFICATE", caDER), write("server-cert.pem", "CERTIFICATE", sDER), keyPEM("server-key.pem", sKey),
		write("client-cert.pem", "CERTIFICATE", cDER), keyPEM("client-key.pem", cKey)
}

// ssl: works with the TLS flags against a real ovsdb-server, and a CA that
// did not sign the server's certificate is refused.
func TestIntegrationSSL(t *testing.T) {
	testenv.RequireOVS(t)
	dir := t.TempDir()
	caCert, srvCert, srvKey, cliCert, cliKey := writePKI(t, dir)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	db := ovstest.StartDB(t, ovstest.DBOptions{
		Remotes:   []string{fmt.Sprintf("pssl:%d:127.0.0.1", port)},
		ExtraArgs: []string{"--private-key=" + srvKey, "--certificate=" + srvCert, "--ca-cert=" + caCert},
	})
	db.Vsctl(t, "init")
	endpoint := fmt.Sprintf("ssl:127.0.0.1:%d", port)
	args := []string{"--db", endpoint, "--private-key", cliKey, "--certificate", cliCert, "--ca-cert", caCert,
		"--encap-ip", "10.1.65.155", "--offload", "none", "--datapath", "netdev", "--remove-bridges", "", "--timeout", "20s"}
	code, out, errs := runCmd(t, args...)
	if code != 0 || !strings.Contains(out, "applied") {
		t.Fatalf("over ssl: exit %d\n%s%s", code, out, errs)
	}
	if got := db.Vsctl(t, "list-br"); got != "br-int\nbrp0" {
		t.Fatalf("bridges over ssl: %q", got)
	}
	// Another CA: the server is not trusted.
	otherCA, _, _, _, _ := writePKI(t, t.TempDir())
	bad := slices.Clone(args)
	bad[slices.Index(bad, caCert)] = otherCA
	bad[slices.Index(bad, "20s")] = "3s"
	if code, _, errs := runCmd(t, bad...); code != 1 {
		t.Fatalf("server signed by another CA: exit %d, %s", code, errs)
	}
}

// Gateways that only the live node shows to be wrong (an address the move
// takes, the broadcast or network address of its subnet) are refused with
// exit status 2 by Plan, before anything changes.
func TestIntegrationGatewayProbesOnNode(t *testing.T) {
	testenv.RequireRoot(t)
	testenv.RequireOVS(t)
	sw := ovstest.StartSwitch(t)
	sw.Exec(t, "ip", "link", "add", "en3f0pf0sf0", "type", "veth", "peer", "name", "sf0peer")
	sw.Exec(t, "ip", "link", "set", "en3f0pf0sf0", "up")
	sw.Exec(t, "ip", "addr", "add", "10.1.65.155/24", "dev", "en3f0pf0sf0")
	sw.Exec(t, "ip", "addr", "add", "10.1.65.156/24", "dev", "en3f0pf0sf0")
	sw.Vsctl(t, "add-br", "ovsbr1", "--", "set", "bridge", "ovsbr1", "datapath_type=netdev")
	state := func() string {
		return sw.Vsctl(t, "show") + sw.Exec(t, "ip", "-4", "addr", "show", "dev", "en3f0pf0sf0") + sw.Exec(t, "ip", "route")
	}
	before := state()
	for _, gw := range []string{"10.1.65.156", "10.1.65.255", "10.1.65.0"} {
		code, out, errs := runCmd(t, "--db", sw.DB.Endpoint(), "--netns", sw.Netns, "--uplink", "p0", "--host-pf", "",
			"--move-ip-from", "en3f0pf0sf0", "--gateway", gw, "--encap-ip", "10.1.65.155", "--offload", "none",
			"--datapath", "netdev")
		if code != 2 || !strings.Contains(errs, "gateway "+gw) {
			t.Errorf("--gateway %s: exit %d, stderr %q\n%s", gw, code, errs, out)
		}
	}
	if after := state(); after != before {
		t.Fatalf("refused runs changed the node:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}
