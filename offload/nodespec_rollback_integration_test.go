// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/internal/sysfs"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// richDPU is an emulated DPU (ovstest.StartDPU, real ovsdb-server and
// ovs-vswitchd) whose factory bridges, br-int and Open_vSwitch row carry
// configuration of nearly every kind a rollback could lose.
type richDPU struct {
	d     *ovstest.DPU
	node  *Node
	proxy *ovstest.Proxy
	// restarted, when set, is closed once killRestart restarted the server.
	restarted chan struct{}
}

func newRichDPU(t *testing.T) *richDPU {
	t.Helper()
	testenv.RequireRoot(t)
	testenv.RequireOVS(t)
	u := ovstest.NewUnderlay(t, "10.1.65.1/24")
	d := ovstest.StartDPU(t, u)
	d.Vsctl(t,
		// ovsbr1: protocols, fail_mode, maps, a mirror (weak references to
		// p0), NetFlow, sFlow, IPFIX, a controller.
		"set", "bridge", "ovsbr1", "protocols=OpenFlow10,OpenFlow13", "fail_mode=standalone",
		"other_config:mac-aging-time=600", "external_ids:factory=yes",
		"--", "--id=@p0", "get", "port", "p0",
		"--", "--id=@m", "create", "mirror", "name=m0", "select_src_port=@p0", "select_dst_port=@p0",
		"--", "add", "bridge", "ovsbr1", "mirrors", "@m",
		"--", "--id=@nf", "create", "netflow", `targets="192.0.2.9:5566"`, "active_timeout=60",
		"--", "set", "bridge", "ovsbr1", "netflow=@nf",
		"--", "--id=@sf", "create", "sflow", `targets="192.0.2.9:6343"`, "sampling=64",
		"--", "set", "bridge", "ovsbr1", "sflow=@sf",
		"--", "--id=@ipx", "create", "ipfix", `targets="192.0.2.9:4739"`,
		"--", "set", "bridge", "ovsbr1", "ipfix=@ipx",
		"--", "--id=@c", "create", "controller", "target=\"tcp:127.0.0.1:6653\"", "max_backoff=8000",
		"--", "set", "bridge", "ovsbr1", "controller=@c",
		// pf0hpf: VLAN settings and QoS with a queue; its interface: MTU,
		// external_ids. p0's interface: policing.
		"--", "set", "port", "pf0hpf", "tag=100", "trunks=100,200", "vlan_mode=native-untagged", "external_ids:role=hostpf",
		"--", "--id=@q", "create", "qos", "type=linux-noop", "queues:0=@qu",
		"--", "--id=@qu", "create", "queue", "other_config:max-rate=1000000",
		"--", "set", "port", "pf0hpf", "qos=@q",
		"--", "set", "interface", "pf0hpf", "mtu_request=1500", "external_ids:iface-id=hostpf",
		"--", "set", "interface", "p0", "ingress_policing_rate=10000", "ingress_policing_burst=1000",
		// A patch pair between ovsbr1 and ovsbr2 (interface options).
		"--", "add-port", "ovsbr1", "patch-a", "--", "set", "interface", "patch-a", "type=patch", "options:peer=patch-b",
		"--", "add-port", "ovsbr2", "patch-b", "--", "set", "interface", "patch-b", "type=patch", "options:peer=patch-a",
		"--", "set", "bridge", "ovsbr2", "other_config:disable-in-band=true",
		// br-int as some earlier tool left it: no fail_mode.
		"--", "add-br", "br-int", "--", "set", "bridge", "br-int", "datapath_type=netdev", "external_ids:owner=someone",
		// Keys the plan changes or removes.
		"--", "set", "Open_vSwitch", ".", "external_ids:system-id=old-id", "external_ids:ovn-encap-ip=10.9.9.9",
		"other_config:tc-policy=skip_hw", "other_config:doca-init=true")

	f, err := os.Open("/run/netns/" + d.Netns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	es, err := eswitch.New(eswitch.Config{NetNS: int(f.Fd()), SysFS: sysfs.NewFake().Dir("class/net")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { es.Close() })
	p := ovstest.StartProxy(t, d.DB.Socket)
	return &richDPU{d: d, proxy: p, node: &Node{DB: dialTest(t, p.Endpoint()), Eswitch: es, Target: d.Ctl}}
}

// links is what `ip` shows of the SF's addresses and default routes.
func (r *richDPU) links(t *testing.T) []string {
	t.Helper()
	la, err := r.node.Eswitch.LinkAddresses(context.Background(), "en3f0pf0sf0")
	if errors.Is(err, eswitch.ErrNotFound) {
		return []string{"en3f0pf0sf0 absent"}
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range la.Addresses {
		out = append(out, "addr "+a.String())
	}
	for _, gw := range la.DefaultRoutes {
		out = append(out, "default via "+gw.String())
	}
	slices.Sort(out)
	return out
}

// killRestart kills ovsdb-server (returning once it is gone) and restarts
// it a second later in the background; the test waits for the restart
// before it ends.
func (r *richDPU) killRestart(t *testing.T) {
	r.d.DB.Kill(goroutineTB{t})
	done := make(chan struct{})
	r.restarted = done
	go func() {
		defer close(done)
		time.Sleep(time.Second)
		r.d.DB.Restart(goroutineTB{t})
	}()
}

// goroutineTB lets a harness call run on another goroutine: Fatalf reports
// and ends that goroutine only.
type goroutineTB struct{ *testing.T }

func (g goroutineTB) Fatalf(format string, args ...any) { g.Errorf(format, args...); runtime.Goexit() }
func (g goroutineTB) Fatal(args ...any)                 { g.Error(args...); runtime.Goexit() }

// TestIntegrationApplyRollbackRestoresEverything injects a failure at each
// phase of Apply on a DPU with rich configuration and checks that the full
// `ovsdb-client dump` (by content, UUIDs resolved to names, ovs-vswitchd's
// status columns left out) and the SF's addresses are exactly as before,
// and that the error says the undo is clean (issue 13, defects 1 and 2).
func TestIntegrationApplyRollbackRestoresEverything(t *testing.T) {
	type scenario struct {
		name string
		// setup runs before the state is recorded.
		setup func(t *testing.T, r *richDPU)
		// prepare runs after Plan; it may change the spec's plan or the node.
		prepare func(t *testing.T, r *richDPU, plan *NodePlan)
		spec    func() NodeSpec
		// failed is the phase that must fail; unknown whether its outcome
		// was unknown (a lost reply).
		failed  []StepKind
		unknown bool
		// rewrote: the undo had to write (false: nothing had changed).
		rewrote bool
		noLink  bool // the SF is gone: its addresses cannot come back
	}
	refuse := func(at StepKind) func(*testing.T, *richDPU, *NodePlan) {
		return func(_ *testing.T, _ *richDPU, plan *NodePlan) {
			plan.beforeStep = func(kinds []StepKind) error {
				if slices.Contains(kinds, at) {
					return errors.New("injected: the server refused the transaction")
				}
				return nil
			}
		}
	}
	scenarios := []scenario{
		{name: "remove-bridge transaction refused", prepare: refuse(StepRemoveBridge), failed: []StepKind{StepRemoveBridge}, rewrote: false},
		{name: "bridges and ports transaction refused", prepare: refuse(StepEnsurePort), failed: []StepKind{StepEnsureBridge, StepEnsurePort}, rewrote: true},
		{name: "gateway refused by the kernel", setup: func(t *testing.T, r *richDPU) {
			// With a default route on the SF, the move keeps it and never
			// asks for the new gateway (defect 4, not this test's).
			r.d.Exec(t, "ip", "route", "del", "default", "dev", "en3f0pf0sf0")
		}, spec: func() NodeSpec {
			s := dpuSpec()
			s.Move.Gateway = netip.MustParseAddr("198.51.100.1") // on no connected network
			return s
		}, failed: []StepKind{StepMoveAddresses}, rewrote: true},
		{name: "source link deleted between Plan and Apply", prepare: func(t *testing.T, r *richDPU, _ *NodePlan) {
			r.d.Exec(t, "ip", "link", "del", "en3f0pf0sf0")
		}, failed: []StepKind{StepMoveAddresses}, noLink: true, rewrote: true},
		{name: "settings transaction refused after the move", prepare: refuse(StepSetChassis), failed: []StepKind{StepConfigureBackend, StepSetChassis}, rewrote: true},
		{name: "reply of the first transaction lost", prepare: func(_ *testing.T, r *richDPU, _ *NodePlan) {
			r.proxy.LoseReply(1)
		}, failed: []StepKind{StepRemoveBridge}, unknown: true, rewrote: true}, // it had committed
		{name: "first transaction lost before it reached the server", prepare: func(_ *testing.T, r *richDPU, _ *NodePlan) {
			r.proxy.LoseRequest(1)
		}, failed: []StepKind{StepRemoveBridge}, unknown: true, rewrote: false}, // it had not committed
		{name: "reply of the bridges and ports transaction lost", prepare: func(_ *testing.T, r *richDPU, _ *NodePlan) {
			r.proxy.LoseReply(2)
		}, failed: []StepKind{StepEnsureBridge, StepEnsurePort}, unknown: true, rewrote: true},
		{name: "reply of the settings transaction lost", prepare: func(_ *testing.T, r *richDPU, _ *NodePlan) {
			r.proxy.LoseReply(3)
		}, failed: []StepKind{StepConfigureBackend, StepSetChassis}, unknown: true, rewrote: true},
		{name: "ovsdb-server killed right after committing the bridges and ports, restarted a second later", prepare: func(t *testing.T, r *richDPU, _ *NodePlan) {
			r.proxy.LoseReply(2)
			r.proxy.OnLoss(func() { r.killRestart(t) })
		}, failed: []StepKind{StepEnsureBridge, StepEnsurePort}, unknown: true, rewrote: true},
		{name: "ovsdb-server killed as the settings transaction is refused, restarted a second later", prepare: func(t *testing.T, r *richDPU, plan *NodePlan) {
			plan.beforeStep = func(kinds []StepKind) error {
				if !slices.Contains(kinds, StepSetChassis) {
					return nil
				}
				r.killRestart(t)
				return errors.New("injected: the server crashed")
			}
		}, failed: []StepKind{StepConfigureBackend, StepSetChassis}, rewrote: true},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			r := newRichDPU(t)
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			spec := dpuSpec()
			if sc.spec != nil {
				spec = sc.spec()
			}
			if sc.setup != nil {
				sc.setup(t, r)
			}
			before, links := r.d.DB.Dump(t), r.links(t)
			plan, err := Plan(ctx, r.node, spec)
			if err != nil {
				t.Fatal(err)
			}
			if sc.prepare != nil {
				sc.prepare(t, r, plan)
			}
			if sc.noLink {
				links = r.links(t)
			}
			_, err = Apply(ctx, r.node, plan)
			var ae *ApplyError
			if !errors.As(err, &ae) {
				t.Fatalf("Apply = %v, want an *ApplyError", err)
			}
			if !slices.Equal(ae.Steps, sc.failed) && !(len(sc.failed) > 0 && slices.Contains(ae.Steps, sc.failed[len(sc.failed)-1])) {
				t.Errorf("failed phase %v, want %v (%v)", ae.Steps, sc.failed, err)
			}
			if ae.OutcomeUnknown != sc.unknown {
				t.Errorf("OutcomeUnknown = %v, want %v (%v)", ae.OutcomeUnknown, sc.unknown, err)
			}
			if ae.Rewrote != sc.rewrote {
				t.Errorf("Rewrote = %v, want %v (%v)", ae.Rewrote, sc.rewrote, err)
			}
			if r.restarted != nil {
				<-r.restarted
			}
			if len(ae.Undo) != 0 {
				t.Fatalf("undo failed: %v", err)
			}
			if !strings.Contains(err.Error(), "undone") {
				t.Errorf("error does not say the steps were undone: %v", err)
			}
			if after := r.d.DB.Dump(t); after != before {
				t.Fatalf("ovsdb-client dump differs after the rollback:\n%s", lineDiff(before, after))
			}
			if got := r.links(t); !slices.Equal(got, links) {
				t.Fatalf("SF addresses after the rollback = %v, want %v", got, links)
			}
			// The client's own reads agree, right away.
			if _, err := r.node.DB.Bridge(ctx, "brp0"); !errors.Is(err, ovsdb.ErrNotFound) {
				t.Errorf("the client still sees brp0: %v", err)
			}
		})
	}
}

// lineDiff lists the lines only in a and only in b.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for _, l := range al {
		if !slices.Contains(bl, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range bl {
		if !slices.Contains(al, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

// TestIntegrationApplyUndoNeverClaimsWhatItCannotProve kills ovsdb-server
// for good as a late phase fails: the undo waits for a reconnection until
// UndoTimeout, then reports that the database could not be restored,
// instead of "undone".
func TestIntegrationApplyUndoNeverClaimsWhatItCannotProve(t *testing.T) {
	r := newRichDPU(t)
	defer func(d time.Duration) { UndoTimeout = d }(UndoTimeout)
	UndoTimeout = 3 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	plan, err := Plan(ctx, r.node, dpuSpec())
	if err != nil {
		t.Fatal(err)
	}
	plan.beforeStep = func(kinds []StepKind) error {
		if slices.Contains(kinds, StepSetChassis) {
			r.d.DB.Kill(t)
			return errors.New("injected: the server crashed")
		}
		return nil
	}
	start := time.Now()
	_, err = Apply(ctx, r.node, plan)
	took := time.Since(start)
	var ae *ApplyError
	var re *ovsdb.RestoreError
	if !errors.As(err, &ae) || len(ae.Undo) == 0 || !errors.As(err, &re) {
		t.Fatalf("Apply = %v, want an *ApplyError whose undo failed with an *ovsdb.RestoreError", err)
	}
	if strings.Contains(err.Error(), "undone") || !strings.Contains(err.Error(), "half-changed") {
		t.Errorf("the error claims an undo it could not prove: %v", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Apply = %v, want the undo's deadline as the reason", err)
	}
	if took < UndoTimeout {
		t.Errorf("the undo gave up after %v, before UndoTimeout (%v)", took, UndoTimeout)
	}
	// The addresses were moved back all the same (no database needed).
	if got := r.links(t); !slices.Contains(got, "addr 10.1.65.155/24") {
		t.Errorf("SF addresses after the failed undo = %v", got)
	}
}
