// SPDX-License-Identifier: Apache-2.0

// Command dpu-setup does the DPU-side steps of the seed guide in one
// declarative, idempotent run: delete the factory bridges, build the uplink
// bridge with the uplink and host-PF representors, move the node's address
// and routes onto it, write the offload backend's settings and the
// chassis keys OVN reads, and create the integration bridge.
//
//	dpu-setup --db unix:/var/run/openvswitch/db.sock --bridge brp0 --uplink p0 --host-pf pf0hpf \
//	    --move-ip-from en3f0pf0sf0 --gateway 10.1.65.1 --encap-ip 10.1.65.155 \
//	    --host-node host-worker-1 --offload doca [--dry-run] [--json]
//
// It prints the plan (the steps that the node still needs), then applies it
// unless --dry-run is given. A second run prints "no changes". When a step
// fails, the earlier ones are undone. Exit status: 0 on success, 1 on
// failure, 2 on bad usage (every value is checked by offload.NodeSpec's
// Validate before anything is contacted).
//
// An ssl:HOST:PORT --db needs --private-key, --certificate and --ca-cert
// (PEM files, as ovs-vsctl's -p, -c and -C): the client presents its
// certificate, and trusts the server when the server's certificate chains
// to the CA, without checking its name, as OVS does. The three flags with
// another kind of --db are refused.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	_ "github.com/ovsoffload/ovsoffload/doca" // registers the "doca" backend
	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/internal/ifname"
	"github.com/ovsoffload/ovsoffload/internal/textsafe"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	_ "github.com/ovsoffload/ovsoffload/tc" // registers the "tc" backend
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// Names read from OVSDB and the kernel reach the terminal escaped
	// (JSON keeps its meaning).
	stdout, stderr := textsafe.NewWriter(os.Stdout), textsafe.NewWriter(os.Stderr)
	code := run(ctx, os.Args[1:], stdout, stderr)
	stdout.Flush()
	stderr.Flush()
	stop()
	os.Exit(code)
}

// config is the command line.
type config struct {
	db, bridge, uplink, hostPF, moveFrom, gateway, encapIP, hostNode string
	backend, datapath, intBridge, ovnRemote, systemID, removeBridges string
	netns, owner                                                     string
	privateKey, certificate, caCert                                  string
	tls                                                              *tls.Config
	settings                                                         settingsFlag
	dryRun, json                                                     bool
	timeout                                                          time.Duration
}

// settingsFlag collects repeated --offload-setting key=value flags.
type settingsFlag map[string]string

func (s settingsFlag) String() string { return fmt.Sprint(map[string]string(s)) }

func (s settingsFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, got %q", v)
	}
	s[k] = val
	return nil
}

// usageError is bad input, found before anything was read or sent.
type usageError struct{ error }

// Unwrap lets errors.Is see flag.ErrHelp through a usage error.
func (e usageError) Unwrap() error { return e.error }

func parse(args []string, stderr io.Writer) (*config, error) {
	c := &config{settings: settingsFlag{}}
	fs := flag.NewFlagSet("dpu-setup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.db, "db", "unix:/var/run/openvswitch/db.sock", "Open_vSwitch database `endpoint` (unix:PATH, tcp:HOST:PORT, ssl:HOST:PORT with the three TLS flags)")
	fs.StringVar(&c.privateKey, "private-key", "", "ssl: this client's private key (PEM `file`)")
	fs.StringVar(&c.certificate, "certificate", "", "ssl: this client's certificate (PEM `file`), signed by a CA the server trusts")
	fs.StringVar(&c.caCert, "ca-cert", "", "ssl: the CA certificate (PEM `file`) the server's certificate must be signed by")
	fs.StringVar(&c.bridge, "bridge", "brp0", "uplink bridge `name`")
	fs.StringVar(&c.uplink, "uplink", "p0", "uplink representor `netdev`")
	fs.StringVar(&c.hostPF, "host-pf", "pf0hpf", "host PF representor `netdev` (empty: none)")
	fs.StringVar(&c.moveFrom, "move-ip-from", "", "`link` whose addresses and routes move to the uplink bridge (empty: none)")
	fs.StringVar(&c.gateway, "gateway", "", "default gateway `IP` via the uplink bridge, also ovn-gw-nexthop")
	fs.StringVar(&c.encapIP, "encap-ip", "", "Geneve encapsulation `IP` (ovn-encap-ip); several comma-separated")
	fs.StringVar(&c.hostNode, "host-node", "", "the host's Kubernetes node `name` (host-k8s-nodename)")
	fs.StringVar(&c.backend, "offload", "", "offload `backend`: tc, doca or none (required)")
	fs.Var(c.settings, "offload-setting", "backend setting `key=value` (repeatable)")
	fs.StringVar(&c.datapath, "datapath", "", "bridges' datapath `type`, system or netdev (default: the backend's)")
	fs.StringVar(&c.intBridge, "integration-bridge", offload.DefaultIntegrationBridge, "OVN integration bridge `name`")
	fs.StringVar(&c.ovnRemote, "ovn-remote", "", "OVN southbound database `endpoints` (ovn-remote)")
	fs.StringVar(&c.systemID, "system-id", "", "chassis `name` (system-id)")
	fs.StringVar(&c.removeBridges, "remove-bridges", "ovsbr1,ovsbr2", "factory `bridges` to delete, comma-separated")
	fs.StringVar(&c.netns, "netns", "", "work on the links of network namespace `NAME` (/run/netns/NAME); representors are then plugged by name")
	fs.StringVar(&c.owner, "owner", "", "label created rows with external_ids:ovsoffload-owner=`OWNER`")
	fs.BoolVar(&c.dryRun, "dry-run", false, "print the plan and change nothing")
	fs.BoolVar(&c.json, "json", false, "print JSON")
	fs.DurationVar(&c.timeout, "timeout", 60*time.Second, "give up after `duration`")
	if err := fs.Parse(args); err != nil {
		return nil, usageError{err}
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	if c.timeout <= 0 {
		return nil, usageError{fmt.Errorf("--timeout %v: must be > 0", c.timeout)}
	}
	tlsFlags := c.privateKey != "" || c.certificate != "" || c.caCert != ""
	switch ssl := strings.HasPrefix(c.db, "ssl:"); {
	case ssl && (c.privateKey == "" || c.certificate == "" || c.caCert == ""):
		return nil, usageError{fmt.Errorf("--db %s needs --private-key, --certificate and --ca-cert", c.db)}
	case !ssl && tlsFlags:
		return nil, usageError{fmt.Errorf("--private-key, --certificate and --ca-cert are for an ssl: --db, not %q", c.db)}
	}
	return c, nil
}

// tlsConfig loads the TLS flags. As OVS does, the server is trusted when
// its certificate chains to --ca-cert; its name is not checked (ovs-pki's
// certificates name no host).
func (c *config) tlsConfig() (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(c.certificate, c.privateKey)
	if err != nil {
		return nil, fmt.Errorf("--certificate %s, --private-key %s: %w", c.certificate, c.privateKey, err)
	}
	pemCA, err := os.ReadFile(c.caCert)
	if err != nil {
		return nil, fmt.Errorf("--ca-cert: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemCA) {
		return nil, fmt.Errorf("--ca-cert %s: no PEM certificate in it", c.caCert)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		// The chain is verified below, without a host name.
		InsecureSkipVerify: true, //nolint:gosec // verified in VerifyConnection
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("the server sent no certificate")
			}
			inter := x509.NewCertPool()
			for _, ic := range cs.PeerCertificates[1:] {
				inter.AddCert(ic)
			}
			_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
			if err != nil {
				return fmt.Errorf("the server's certificate is not signed by --ca-cert %s: %w", c.caCert, err)
			}
			return nil
		},
	}, nil
}

// spec turns the command line into a NodeSpec, validating every value.
func (c *config) spec(stderr io.Writer) (offload.NodeSpec, error) {
	bad := func(format string, args ...any) (offload.NodeSpec, error) {
		return offload.NodeSpec{}, usageError{fmt.Errorf(format, args...)}
	}
	for flagName, v := range map[string]string{"bridge": c.bridge, "uplink": c.uplink, "integration-bridge": c.intBridge} {
		if err := ifname.Validate(v); err != nil {
			return bad("--%s %q: %v", flagName, v, err)
		}
	}
	for flagName, v := range map[string]string{"host-pf": c.hostPF, "move-ip-from": c.moveFrom, "netns": c.netns} {
		if v == "" {
			continue
		}
		if err := ifname.Validate(v); err != nil {
			return bad("--%s %q: %v", flagName, v, err)
		}
	}
	switch c.datapath {
	case "", ovsdb.DatapathSystem, ovsdb.DatapathNetdev:
	default:
		return bad("--datapath %q: want system or netdev", c.datapath)
	}
	if c.backend == "" {
		return bad("--offload is required (tc, doca or none)")
	}
	settings := map[string]string(c.settings)
	if c.backend == "none" && c.datapath != "" {
		if _, set := settings["datapath"]; !set {
			settings = map[string]string{"datapath": c.datapath}
			for k, v := range c.settings {
				settings[k] = v
			}
		}
	}
	backend, err := offload.New(c.backend, settings)
	if errors.Is(err, offload.ErrNotFound) {
		return bad("--offload %s: this build has no %s backend (built in: %s)", c.backend, c.backend, strings.Join(offload.Names(), ", "))
	}
	if err != nil {
		return bad("--offload %s: %v", c.backend, err)
	}
	if w := offload.DatapathWarning(backend, c.datapath); w != "" {
		fmt.Fprintf(stderr, "dpu-setup: warning: --datapath %s with --offload %s: %s\n", c.datapath, c.backend, w)
	}
	s := offload.NodeSpec{
		Backend:           backend,
		UplinkBridge:      offload.UplinkBridge{Name: c.bridge, Uplink: c.uplink, HostPF: c.hostPF, DatapathType: c.datapath},
		IntegrationBridge: offload.IntegrationBridge{Name: c.intBridge, DatapathType: c.datapath},
		Chassis:           ovsdb.Chassis{HostK8sNodename: c.hostNode, Remote: c.ovnRemote, SystemID: c.systemID},
	}
	if c.removeBridges != "" {
		s.RemoveBridges = strings.Split(c.removeBridges, ",")
	}
	if c.encapIP == "" {
		return bad("--encap-ip is required")
	}
	for _, ip := range strings.Split(c.encapIP, ",") {
		a, err := netip.ParseAddr(ip)
		if err != nil {
			return bad("--encap-ip %q: %v", ip, err)
		}
		s.Chassis.EncapIPs = append(s.Chassis.EncapIPs, a)
	}
	var gw netip.Addr
	if c.gateway != "" {
		if gw, err = netip.ParseAddr(c.gateway); err != nil {
			return bad("--gateway %q: %v", c.gateway, err)
		}
		s.Chassis.GWNexthop = gw
	}
	if c.moveFrom != "" {
		s.Move = &offload.AddressMove{From: c.moveFrom, Gateway: gw}
	}
	if err := s.Validate(); err != nil {
		return bad("%v", err)
	}
	return s, nil
}

// output is what --json prints.
type output struct {
	DryRun bool                 `json:"dry_run"`
	Plan   *offload.NodePlan    `json:"plan"`
	Result *offload.ApplyResult `json:"result,omitempty"`
	Error  string               `json:"error,omitempty"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parse(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "dpu-setup: %v\n", err)
		return 2
	}
	spec, err := c.spec(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "dpu-setup: %v\n", err)
		return 2
	}
	if strings.HasPrefix(c.db, "ssl:") {
		if c.tls, err = c.tlsConfig(); err != nil {
			fmt.Fprintf(stderr, "dpu-setup: %v\n", err)
			return 2
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if err := setup(ctx, c, spec, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "dpu-setup: %v\n", err)
		if errors.As(err, new(usageError)) {
			return 2
		}
		return 1
	}
	return 0
}

func setup(ctx context.Context, c *config, spec offload.NodeSpec, stdout, stderr io.Writer) error {
	var opts []ovsdb.Option
	if c.owner != "" {
		opts = append(opts, ovsdb.WithOwner(c.owner))
	}
	if c.tls != nil {
		opts = append(opts, ovsdb.WithTLS(c.tls))
	}
	db, err := ovsdb.Dial(ctx, c.db, opts...)
	if err != nil {
		return err
	}
	defer db.Close()
	es, closeES, err := openEswitch(c.netns)
	if err != nil {
		return err
	}
	defer closeES()
	node := &offload.Node{DB: db, Eswitch: es}

	plan, err := offload.Plan(ctx, node, spec)
	if errors.Is(err, offload.ErrInvalid) {
		// Found against the live node (a gateway that is one of the
		// addresses to move), before anything changed.
		return usageError{err}
	}
	if err != nil {
		return err
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(stderr, "dpu-setup: warning: %s\n", w)
	}
	out := output{DryRun: c.dryRun, Plan: plan}
	if !c.json {
		steps := *plan
		steps.Warnings = nil // on stderr already
		if c.dryRun && !plan.Empty() {
			fmt.Fprint(stdout, "dry run: ")
		}
		if err := steps.WriteText(stdout); err != nil {
			return err
		}
	}
	if !c.dryRun && !plan.Empty() {
		out.Result, err = offload.Apply(ctx, node, plan)
		if err != nil {
			out.Error = err.Error()
		} else if !c.json {
			fmt.Fprintf(stdout, "applied %d changes\n", len(out.Result.Done))
			if len(out.Result.RestartNeeded) > 0 {
				fmt.Fprintf(stdout, "restart ovs-vswitchd for %s to take effect\n", strings.Join(out.Result.RestartNeeded, ", "))
			}
		}
	}
	if c.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if jerr := enc.Encode(out); jerr != nil && err == nil {
			err = jerr
		}
	}
	return err
}

// openEswitch opens the eswitch client in the caller's namespace, or in
// the named one. /sys shows the caller's namespace only, so inside another
// namespace representors are not looked up in sysfs: ports are plugged by
// name.
func openEswitch(netns string) (*eswitch.Client, func(), error) {
	if netns == "" {
		es, err := eswitch.New(eswitch.Config{})
		if err != nil {
			return nil, nil, err
		}
		return es, func() { es.Close() }, nil
	}
	f, err := os.Open("/run/netns/" + netns)
	if err != nil {
		return nil, nil, fmt.Errorf("network namespace %s: %w", netns, err)
	}
	es, err := eswitch.New(eswitch.Config{NetNS: int(f.Fd()), SysFS: eswitch.NoSysFS()})
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return es, func() { es.Close(); f.Close() }, nil
}
