// SPDX-License-Identifier: Apache-2.0

package ovsdb_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

func startRealDB(t *testing.T, opts ...ovstest.DBOptions) *ovstest.DB {
	t.Helper()
	testenv.RequireOVS(t)
	db := ovstest.StartDB(t, opts...)
	db.Vsctl(t, "init")
	return db
}

func dialT(t *testing.T, ep string, opts ...ovsdb.Option) *ovsdb.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, err := ovsdb.Dial(ctx, ep, opts...)
	if err != nil {
		t.Fatalf("Dial(%s): %v", ep, err)
	}
	t.Cleanup(c.Close)
	return c
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// TestIntegrationReadAfterWrite checks on a real ovsdb-server that every
// read right after a write sees it, and that the server holds it.
func TestIntegrationReadAfterWrite(t *testing.T) {
	db := startRealDB(t)
	c := dialT(t, db.Endpoint())
	ctx := ctxT(t, 60*time.Second)
	if _, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br-int", DatapathType: ovsdb.DatapathNetdev,
		OtherConfig: map[string]string{"hwaddr": "02:00:00:00:00:01"}}); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		name := fmt.Sprintf("vf%d", i)
		id := fmt.Sprintf("pod-%d", i)
		if _, err := c.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br-int", Name: name, Type: "internal",
			ExternalIDs: map[string]string{"iface-id": id}}); err != nil {
			t.Fatal(err)
		}
		p, err := c.Port(ctx, name)
		if err != nil || p.ExternalIDs["iface-id"] != id || p.Bridge != "br-int" {
			t.Fatalf("read after write %d: %+v, %v", i, p, err)
		}
		// an update of an existing row, read back at once
		if _, err := c.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br-int", Name: name, MTURequest: 1400 + i}); err != nil {
			t.Fatal(err)
		}
		if p, _ := c.Port(ctx, name); p.MTURequest != 1400+i {
			t.Fatalf("mtu read after write %d: %d", i, p.MTURequest)
		}
	}
	// removing the last key of a map really clears it on the server
	if _, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br-int", RemoveOtherConfig: []string{"hwaddr"}}); err != nil {
		t.Fatal(err)
	}
	if got := db.Vsctl(t, "get", "Bridge", "br-int", "other_config"); got != "{}" {
		t.Fatalf("server other_config = %s", got)
	}
	if got := db.Vsctl(t, "get", "Interface", "vf42", "external_ids:iface-id"); strings.Trim(got, `"`) != "pod-42" {
		t.Fatalf("server iface-id = %s", got)
	}
	if got := db.Vsctl(t, "list-ports", "br-int"); len(strings.Fields(got)) != 100 {
		t.Fatalf("server has %d ports", len(strings.Fields(got)))
	}
}

// TestIntegrationTxnFailsMidway makes a real server refuse a transaction in
// its middle and checks that nothing of it was applied.
func TestIntegrationTxnFailsMidway(t *testing.T) {
	db := startRealDB(t)
	c := dialT(t, db.Endpoint())
	ctx := ctxT(t, 30*time.Second)
	db.Vsctl(t, "add-br", "br-b")

	// 1. a precondition in the middle fails
	tx := c.Txn().EnsureBridge(ovsdb.BridgeSpec{Name: "br-a"}).
		EnsurePort(ovsdb.PortSpec{Bridge: "br-a", Name: "p1"}).
		RequireBridge("br-gone").
		EnsurePort(ovsdb.PortSpec{Bridge: "br-a", Name: "p2"}).
		SetChassis(ovsdb.Chassis{SystemID: "chassis-1"})
	_, err := tx.Commit(ctx)
	var te *ovsdb.TxnError
	if !errors.As(err, &te) || !errors.Is(err, ovsdb.ErrConflict) {
		t.Fatalf("Commit = %v, want *TxnError matching ErrConflict", err)
	}
	if !strings.Contains(err.Error(), `require Bridge "br-gone" present`) {
		t.Fatalf("error does not name the failed op: %v", err)
	}
	assertNoTrace(t, db, c)

	// 2. a concurrent writer takes a name after the transaction was built:
	// the server refuses at commit time (duplicate name)
	tx = c.Txn().EnsureBridge(ovsdb.BridgeSpec{Name: "br-a"}).
		EnsurePort(ovsdb.PortSpec{Bridge: "br-a", Name: "p1"}).
		EnsurePort(ovsdb.PortSpec{Bridge: "br-a", Name: "px"}).
		EnsurePort(ovsdb.PortSpec{Bridge: "br-a", Name: "p2"}).
		SetChassis(ovsdb.Chassis{SystemID: "chassis-1"})
	db.Vsctl(t, "add-port", "br-b", "px")
	_, err = tx.Commit(ctx)
	if !errors.As(err, &te) || !errors.Is(err, ovsdb.ErrConflict) {
		t.Fatalf("Commit = %v, want *TxnError matching ErrConflict", err)
	}
	if !strings.Contains(err.Error(), "constraint violation") || !strings.Contains(err.Error(), "px") {
		t.Fatalf("error does not explain the violation: %v", err)
	}
	t.Logf("refused as expected: %v", err)
	assertNoTrace(t, db, c)
	if got := db.Vsctl(t, "port-to-br", "px"); got != "br-b" {
		t.Fatalf("px moved to %q", got)
	}
}

func assertNoTrace(t *testing.T, db *ovstest.DB, c *ovsdb.Client) {
	t.Helper()
	if got := db.Vsctl(t, "list-br"); got != "br-b" {
		t.Fatalf("bridges after failed txn: %q", got)
	}
	for _, p := range []string{"p1", "p2"} {
		if out := db.Vsctl(t, "--columns=name", "find", "Interface", "name="+p); out != "" {
			t.Fatalf("interface %s left by failed txn: %q", p, out)
		}
	}
	if got := db.Vsctl(t, "get", "Open_vSwitch", ".", "external_ids"); strings.Contains(got, "chassis-1") {
		t.Fatalf("chassis key left by failed txn: %s", got)
	}
	if _, err := c.Bridge(context.Background(), "br-a"); !errors.Is(err, ovsdb.ErrNotFound) {
		t.Fatalf("cache shows br-a: %v", err)
	}
}

// TestIntegrationReconnect kills ovsdb-server while ports are being plugged
// and restarts it: the client reconnects on its own and no plug is lost.
func TestIntegrationReconnect(t *testing.T) {
	db := startRealDB(t)
	c := dialT(t, db.Endpoint())
	ctx := ctxT(t, 90*time.Second)
	if _, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br0"}); err != nil {
		t.Fatal(err)
	}
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	progress := make(chan int, n)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range n {
			name := fmt.Sprintf("p%d", i)
			if _, err := c.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br0", Name: name,
				ExternalIDs: map[string]string{"iface-id": name}}); err != nil {
				errs <- fmt.Errorf("plug %s: %w", name, err)
				return
			}
			if p, err := c.Port(ctx, name); err != nil || p.ExternalIDs["iface-id"] != name {
				errs <- fmt.Errorf("read after plug %s: %+v %v", name, p, err)
				return
			}
			progress <- i
		}
	}()
	for i := range progress {
		if i == n/4 {
			db.Kill(t)
			time.Sleep(300 * time.Millisecond)
			db.Restart(t)
		}
		if i == n/2 {
			db.Kill(t)
			time.Sleep(100 * time.Millisecond)
			db.Restart(t)
		}
		if i == n-1 {
			break
		}
		select {
		case err := <-errs:
			t.Fatal(err)
		default:
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	ports := strings.Fields(db.Vsctl(t, "list-ports", "br0"))
	if len(ports) != n {
		t.Fatalf("server holds %d ports, want %d", len(ports), n)
	}
	b, err := c.Bridge(ctx, "br0")
	if err != nil || len(b.Ports) != n+1 {
		t.Fatalf("cache holds %d ports (%v), want %d", len(b.Ports), err, n+1)
	}
	if !c.Connected() {
		t.Fatal("client not connected at the end")
	}
}

// TestIntegrationTCPAndSSL connects over tcp: and over ssl: with client
// certificates generated here; a client without a certificate is refused.
func TestIntegrationTCPAndSSL(t *testing.T) {
	testenv.RequireOVS(t)
	dir := t.TempDir()
	pki := newPKI(t, dir)
	tcpPort, sslPort := freePort(t), freePort(t)
	db := startRealDB(t, ovstest.DBOptions{
		Remotes:   []string{fmt.Sprintf("ptcp:%d:127.0.0.1", tcpPort), fmt.Sprintf("pssl:%d:127.0.0.1", sslPort)},
		ExtraArgs: []string{"--private-key=" + pki.serverKey, "--certificate=" + pki.serverCert, "--ca-cert=" + pki.caCert},
	})
	ctx := ctxT(t, 30*time.Second)
	tcp := dialT(t, fmt.Sprintf("tcp:127.0.0.1:%d", tcpPort))
	if _, err := tcp.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br-tcp"}); err != nil {
		t.Fatal(err)
	}
	ssl := dialT(t, fmt.Sprintf("ssl:127.0.0.1:%d", sslPort), ovsdb.WithTLS(pki.clientTLS))
	if _, err := ssl.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br-ssl"}); err != nil {
		t.Fatal(err)
	}
	if got := db.Vsctl(t, "list-br"); got != "br-ssl\nbr-tcp" {
		t.Fatalf("bridges = %q", got)
	}
	// the ssl client sees the tcp client's write through its monitor
	if b, err := ssl.Bridge(ctx, "br-tcp"); err != nil || b.Name != "br-tcp" {
		t.Fatalf("ssl client does not see br-tcp: %+v, %v", b, err)
	}
	noCert := pki.clientTLS.Clone()
	noCert.Certificates = nil
	short, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if c, err := ovsdb.Dial(short, fmt.Sprintf("ssl:127.0.0.1:%d", sslPort), ovsdb.WithTLS(noCert)); err == nil {
		c.Close()
		t.Fatal("ssl without a client certificate was accepted")
	}
}

// TestIntegrationSwitch runs against ovs-vswitchd: waits for ofport and for
// the error column, ovn-installed set by another process, and status.
func TestIntegrationSwitch(t *testing.T) {
	sw := ovstest.StartSwitch(t)
	c := dialT(t, sw.DB.Endpoint())
	ctx := ctxT(t, 60*time.Second)
	tx := c.Txn().EnsureBridge(ovsdb.BridgeSpec{Name: "br0", DatapathType: ovsdb.DatapathNetdev}).
		EnsurePort(ovsdb.PortSpec{Bridge: "br0", Name: "int1", Type: "internal"}).
		EnsurePort(ovsdb.PortSpec{Bridge: "br0", Name: "nodev1"})
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	ofport, err := c.WaitInterfaceReady(ctx, "int1")
	if err != nil || ofport <= 0 {
		t.Fatalf("WaitInterfaceReady(int1) = %d, %v", ofport, err)
	}
	if got := sw.Vsctl(t, "get", "Interface", "int1", "ofport"); got != fmt.Sprint(ofport) {
		t.Fatalf("ofport %d, ovs-vsctl says %s", ofport, got)
	}
	_, err = c.WaitInterfaceReady(ctx, "nodev1")
	var ie *ovsdb.InterfaceError
	if !errors.As(err, &ie) {
		t.Fatalf("WaitInterfaceReady(nodev1) = %v, want *InterfaceError", err)
	}
	t.Logf("nodev1: %v", err)

	done := make(chan error, 1)
	go func() { done <- c.WaitOVNInstalled(ctx, "int1") }()
	time.Sleep(100 * time.Millisecond)
	sw.Vsctl(t, "set", "Interface", "int1", "external_ids:ovn-installed=true")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if err := c.WaitOVNInstalled(short, "nodev1"); !errors.As(err, &ie) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitOVNInstalled(nodev1) = %v, want the interface's error", err)
	}

	// ovs-ctl, not ovs-vswitchd, writes the versions at start-up
	sw.Vsctl(t, "set", "Open_vSwitch", ".", "ovs_version=3.1.0", "db_version=8.3.1")
	if err := c.WaitOVNInstalled(ctx, "int1"); err != nil { // any monitor round trip after the set
		t.Fatal(err)
	}
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.OVSVersion != "3.1.0" || st.DBVersion != "8.3.1" || !slices.Contains(st.DatapathTypes, "netdev") || !slices.Contains(st.IfaceTypes, "internal") || st.HasDOCA {
		t.Fatalf("Status = %+v", st)
	}
	on := true
	res, err := c.SetOffload(ctx, ovsdb.OffloadSettings{HWOffload: &on, TCPolicy: ovsdb.TCPolicySkipHW})
	if err != nil || !slices.Equal(res.RestartNeeded, []string{ovsdb.KeyHWOffload, ovsdb.KeyTCPolicy}) {
		t.Fatalf("SetOffload = %+v, %v", res, err)
	}
	if got := sw.Vsctl(t, "get", "Open_vSwitch", ".", "other_config:tc-policy"); got != "skip_hw" {
		t.Fatalf("tc-policy on server = %s", got)
	}
	if _, err := c.SetChassis(ctx, ovsdb.Chassis{SystemID: "dpu-1", EncapIPs: []netip.Addr{netip.MustParseAddr("10.0.0.1")},
		EncapType: "geneve", Remote: "tcp:127.0.0.1:6642"}); err != nil {
		t.Fatal(err)
	}
	if got := sw.Vsctl(t, "get", "Open_vSwitch", ".", "external_ids:ovn-encap-ip"); got != `"10.0.0.1"` {
		t.Fatalf("ovn-encap-ip on server = %s", got)
	}
}

// TestIntegrationDOCAStatus serves a schema with OVS-DOCA's extra columns
// and checks that Status detects and reads them.
func TestIntegrationDOCAStatus(t *testing.T) {
	testenv.RequireOVS(t)
	raw, err := os.ReadFile(ovstest.VswitchSchema)
	if err != nil {
		testenv.Missing(t, "%v", err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	delete(schema, "cksum")
	cols := schema["tables"].(map[string]any)["Open_vSwitch"].(map[string]any)["columns"].(map[string]any)
	cols["doca_initialized"] = map[string]any{"type": "boolean"}
	cols["doca_version"] = map[string]any{"type": map[string]any{"key": "string", "min": 0, "max": 1}}
	out, _ := json.Marshal(schema)
	path := filepath.Join(t.TempDir(), "doca.ovsschema")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	db := startRealDB(t, ovstest.DBOptions{Schema: path})
	ctx := ctxT(t, 30*time.Second)
	if _, err := (cmdexec.Exec{}).Run(ctx, "ovsdb-client", "transact", db.Endpoint(),
		`["Open_vSwitch",{"op":"update","table":"Open_vSwitch","where":[],"row":{"doca_initialized":true,"doca_version":"2.9.1"}}]`); err != nil {
		t.Fatal(err)
	}
	c := dialT(t, db.Endpoint())
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !st.HasDOCA || !st.DOCAInitialized || st.DOCAVersion != "2.9.1" {
		t.Fatalf("Status = %+v", st)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type testPKI struct {
	caCert, serverCert, serverKey string
	clientTLS                     *tls.Config
}

// newPKI makes a CA, a server certificate for 127.0.0.1 and a client
// certificate, writes the server's files into dir and returns the client's
// TLS configuration.
func newPKI(t *testing.T, dir string) testPKI {
	t.Helper()
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey := newKey()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ovsoffload test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(cn string, serial int64, usage x509.ExtKeyUsage) ([]byte, *ecdsa.PrivateKey) {
		k := newKey()
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return der, k
	}
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	keyDER := func(k *ecdsa.PrivateKey) []byte {
		b, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	srvDER, srvKey := issue("127.0.0.1", 2, x509.ExtKeyUsageServerAuth)
	cliDER, cliKey := issue("ovsoffload-client", 3, x509.ExtKeyUsageClientAuth)
	p := testPKI{
		caCert:     write("ca.pem", "CERTIFICATE", caDER),
		serverCert: write("server-cert.pem", "CERTIFICATE", srvDER),
		serverKey:  write("server-key.pem", "EC PRIVATE KEY", keyDER(srvKey)),
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	p.clientTLS = &tls.Config{
		RootCAs:      pool,
		ServerName:   "127.0.0.1",
		Certificates: []tls.Certificate{{Certificate: [][]byte{cliDER}, PrivateKey: cliKey}},
		MinVersion:   tls.VersionTLS12,
	}
	return p
}

// TestIntegrationReconnectRace kills and restarts ovsdb-server many times,
// while the client is idle right after reconnecting and while it is in use.
// Under -race it caught libovsdb v0.8.1's own reconnection (its disconnect
// handler against connect) within a few cycles; the client now reconnects
// with a fresh libovsdb client each time. Reads and writes keep working and
// nothing is lost.
func TestIntegrationReconnectRace(t *testing.T) {
	db := startRealDB(t)
	c := dialT(t, db.Endpoint())
	ctx := ctxT(t, 120*time.Second)
	if _, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br0"}); err != nil {
		t.Fatal(err)
	}
	waitConnected := func() {
		t.Helper()
		for !c.Connected() {
			if ctx.Err() != nil {
				t.Fatal("client did not reconnect")
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	// Idle: the server goes away right after the client reconnected.
	for range 25 {
		db.Kill(t)
		time.Sleep(20 * time.Millisecond)
		db.Restart(t)
		waitConnected()
		time.Sleep(20 * time.Millisecond)
	}
	// In use: four writers plug and read ports while the server restarts.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	var mu sync.Mutex
	plugged := map[string]bool{}
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("w%dp%d", w, i)
				if _, err := c.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br0", Name: name,
					ExternalIDs: map[string]string{"iface-id": name}}); err != nil {
					errs <- fmt.Errorf("plug %s: %w", name, err)
					return
				}
				if p, err := c.Port(ctx, name); err != nil || p.ExternalIDs["iface-id"] != name {
					errs <- fmt.Errorf("read after plug %s: %+v %v", name, p, err)
					return
				}
				mu.Lock()
				plugged[name] = true
				mu.Unlock()
			}
		}()
	}
	for i := range 12 {
		time.Sleep(time.Duration(10+i%4*15) * time.Millisecond)
		db.Kill(t)
		time.Sleep(time.Duration(i%3) * 20 * time.Millisecond)
		db.Restart(t)
		waitConnected()
	}
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	ports := strings.Fields(db.Vsctl(t, "list-ports", "br0"))
	mu.Lock()
	defer mu.Unlock()
	if len(plugged) == 0 || len(ports) != len(plugged) {
		t.Fatalf("server holds %d ports, %d were plugged", len(ports), len(plugged))
	}
	for _, p := range ports {
		if !plugged[p] {
			t.Fatalf("server holds port %s that no writer reported", p)
		}
	}
	b, err := c.Bridge(ctx, "br0")
	if err != nil || len(b.Ports) != len(plugged)+1 {
		t.Fatalf("cache holds %d ports (%v), want %d", len(b.Ports), err, len(plugged)+1)
	}
}

// TestIntegrationConcurrentEnsure has 16 clients, each on its own
// connection, ensure the same ports and bridges at the same moment on a real
// ovsdb-server: 480 EnsurePort and 480 EnsureBridge calls. Every call must
// succeed (a lost race on an idempotent ensure is retried once the cache
// shows the winner's row), exactly one of the 16 creates each row, and the
// end state holds each row once.
func TestIntegrationConcurrentEnsure(t *testing.T) {
	db := startRealDB(t)
	const clients, rounds = 16, 30
	cs := make([]*ovsdb.Client, clients)
	for i := range cs {
		cs[i] = dialT(t, db.Endpoint())
	}
	ctx := ctxT(t, 120*time.Second)
	if _, err := cs[0].EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br0"}); err != nil {
		t.Fatal(err)
	}
	// Every client sees br0 before the race starts (each has its own cache).
	for _, c := range cs {
		for _, err := c.Bridge(ctx, "br0"); err != nil; _, err = c.Bridge(ctx, "br0") {
			if ctx.Err() != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Millisecond)
		}
	}
	for _, kind := range []string{"port", "bridge"} {
		var errs []error
		for r := range rounds {
			var wg sync.WaitGroup
			var mu sync.Mutex
			created := 0
			start := make(chan struct{})
			for _, c := range cs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					var changed bool
					var err error
					if kind == "port" {
						name := fmt.Sprintf("p%d", r)
						changed, err = c.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br0", Name: name,
							ExternalIDs: map[string]string{"iface-id": name}})
					} else {
						changed, err = c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: fmt.Sprintf("br%d", r+1),
							ExternalIDs: map[string]string{"round": fmt.Sprint(r)}})
					}
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						errs = append(errs, err)
					} else if changed {
						created++
					}
				}()
			}
			close(start)
			wg.Wait()
			if created != 1 {
				t.Errorf("%s round %d: %d of %d clients report a change, want 1", kind, r, created, clients)
			}
		}
		if len(errs) > 0 {
			t.Errorf("%d of %d concurrent Ensure%s calls failed; first: %v", len(errs), clients*rounds,
				strings.ToUpper(kind[:1])+kind[1:], errs[0])
		}
	}
	ports := strings.Fields(db.Vsctl(t, "list-ports", "br0"))
	if len(ports) != rounds {
		t.Errorf("br0 holds %d ports, want %d: %v", len(ports), rounds, ports)
	}
	if brs := strings.Fields(db.Vsctl(t, "list-br")); len(brs) != rounds+1 {
		t.Errorf("server holds %d bridges, want %d: %v", len(brs), rounds+1, brs)
	}
	for _, table := range []string{"Port", "Interface"} {
		names := strings.Fields(db.Vsctl(t, "--format=table", "--no-headings", "--columns=name", "list", table))
		if len(names) != 2*rounds+1 {
			t.Errorf("%s table holds %d rows, want %d", table, len(names), 2*rounds+1)
		}
	}
}

// TestIntegrationConcurrentInit has 16 clients Init the same fresh database
// at once, on several databases: every call succeeds and one creates the
// root row. A port ensured under a name an existing port holds on another
// bridge's local port stays a conflict (not retried into success).
func TestIntegrationConcurrentInit(t *testing.T) {
	testenv.RequireOVS(t)
	ctx := ctxT(t, 120*time.Second)
	for round := range 4 {
		db := ovstest.StartDB(t)
		cs := make([]*ovsdb.Client, 16)
		for i := range cs {
			cs[i] = dialT(t, db.Endpoint())
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var errs []error
		created := 0
		start := make(chan struct{})
		for _, c := range cs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				changed, err := c.Init(ctx)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				} else if changed {
					created++
				}
			}()
		}
		close(start)
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("round %d: %d of %d Init calls failed; first: %v", round, len(errs), len(cs), errs[0])
		}
		if created != 1 {
			t.Fatalf("round %d: %d Init calls created the row, want 1", round, created)
		}
		if rows := strings.Fields(db.Vsctl(t, "--format=table", "--no-headings", "--columns=_uuid", "list", "Open_vSwitch")); len(rows) != 1 {
			t.Fatalf("round %d: %d Open_vSwitch rows", round, len(rows))
		}
		if round > 0 {
			continue
		}
		c := cs[0]
		if _, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br0"}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br0", Name: "p1"}); err != nil {
			t.Fatal(err)
		}
		begin := time.Now()
		_, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "p1"})
		if !errors.Is(err, ovsdb.ErrConflict) {
			t.Fatalf("EnsureBridge over port p1: %v, want ErrConflict", err)
		}
		if d := time.Since(begin); d > 5*time.Second {
			t.Fatalf("a real conflict took %v to report: %v", d, err)
		}
	}
}

// TestIntegrationConnectionLoss: while ovsdb-server is down the cache stays
// readable, a write waits for the connection until its context ends (it
// does not fail at once with "not connected"), Close ends the reconnection
// loop promptly, calls after Close fail at once, and no goroutine is left
// behind. When the server comes back, a client still open picks up writes
// made by others.
func TestIntegrationConnectionLoss(t *testing.T) {
	db := startRealDB(t)
	ctx := ctxT(t, 60*time.Second)
	watcher := dialT(t, db.Endpoint())
	before := runtime.NumGoroutine()
	c, err := ovsdb.Dial(ctx, db.Endpoint(), ovsdb.WithReconnectTimeout(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br0"}); err != nil {
		t.Fatal(err)
	}
	db.Kill(t)
	for c.Connected() {
		if ctx.Err() != nil {
			t.Fatal("the client did not notice the lost connection")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if b, err := c.Bridge(ctx, "br0"); err != nil || b.Name != "br0" {
		t.Fatalf("cache after the connection dropped: %+v %v", b, err)
	}
	wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	start := time.Now()
	_, err = c.EnsureBridge(wctx, ovsdb.BridgeSpec{Name: "br1"})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) < 250*time.Millisecond {
		t.Fatalf("write while disconnected: %v after %v, want it to wait for the connection until its deadline",
			err, time.Since(start))
	}
	time.Sleep(300 * time.Millisecond) // a few failed reconnection attempts
	start = time.Now()
	c.Close()
	c.Close() // twice is harmless
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Close took %v", d)
	}
	start = time.Now()
	if _, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br1"}); err == nil || !strings.Contains(err.Error(), "closed") ||
		time.Since(start) > time.Second {
		t.Fatalf("write after Close: %v after %v, want a closed-client error at once", err, time.Since(start))
	}
	if c.Connected() {
		t.Fatal("Connected after Close")
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}

	db.Restart(t)
	db.Vsctl(t, "add-br", "br9")
	for _, err := watcher.Bridge(ctx, "br9"); err != nil; _, err = watcher.Bridge(ctx, "br9") {
		if ctx.Err() != nil {
			t.Fatalf("the client that stayed open does not see br9 after the restart: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := watcher.EnsurePort(ctx, ovsdb.PortSpec{Bridge: "br9", Name: "p9"}); err != nil {
		t.Fatal(err)
	}
}
