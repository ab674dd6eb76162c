// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mdlayher/netlink"
	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
	"github.com/ovsoffload/ovsoffload/internal/kernellane"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

var updateGolden = flag.Bool("update-golden", false, "record raw kernel dumps into testdata/kernel (kernel lane only)")

// requireKernelLane skips outside the kernel lane's QEMU guest (whose stock
// Debian kernel has cls_flower, act_* and netdevsim) and loads the modules
// the tests need inside it.
func requireKernelLane(t testing.TB) {
	t.Helper()
	testenv.RequireKernelLane(t)
	testenv.RequireBinaries(t, "iproute2", "ip", "tc")
	kernellane.LoadModules(t, "veth", "sch_ingress", "cls_flower", "act_mirred", "act_gact", "act_vlan",
		"act_tunnel_key", "act_pedit", "act_ct")
}

func run(t testing.TB, argv ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := cmdexec.Exec{}.Run(ctx, argv...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return out
}

// vethNS makes a network namespace holding the veth pair v0/v1 (up) and
// returns its name and a Client working in it.
func vethNS(t testing.TB) (string, *Client, int, int) {
	t.Helper()
	ns := fmt.Sprintf("tctest%d", time.Now().UnixNano()%1e9)
	run(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { _, _ = cmdexec.Exec{}.Run(context.Background(), "ip", "netns", "del", ns) })
	run(t, "ip", "-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	run(t, "ip", "-n", ns, "link", "set", "v0", "up")
	run(t, "ip", "-n", ns, "link", "set", "v1", "up")
	fd, err := os.Open(filepath.Join("/run/netns", ns))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fd.Close() })
	c, err := Dial(&Config{NetNS: int(fd.Fd())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return ns, c, ifindexIn(t, ns, "v0"), ifindexIn(t, ns, "v1")
}

func ifindexIn(t testing.TB, ns, dev string) int {
	t.Helper()
	var links []struct {
		Ifindex int `json:"ifindex"`
	}
	if err := json.Unmarshal(run(t, "ip", "-n", ns, "-j", "link", "show", "dev", dev), &links); err != nil || len(links) != 1 {
		t.Fatalf("ip -j link show %s: %v", dev, err)
	}
	return links[0].Ifindex
}

// TestIntegrationProbeMatchesTC checks the ErrNotSupported probe against the
// tc tool on whatever kernel runs the test: on the host (no cls_flower) both
// must refuse, in the kernel lane both must accept.
func TestIntegrationProbeMatchesTC(t *testing.T) {
	testenv.RequireRoot(t)
	testenv.RequireBinaries(t, "iproute2", "ip", "tc")
	ns, c, v0, _ := vethNS(t)
	probeErr := c.ProbeFlower(v0)
	run(t, "tc", "-n", ns, "qdisc", "add", "dev", "v1", "clsact")
	_, tcErr := cmdexec.Exec{}.Run(context.Background(), "tc", "-n", ns, "filter", "add", "dev", "v1", "ingress",
		"protocol", "all", "pref", "7", "flower", "skip_hw", "action", "pass")
	var ee *cmdexec.ExitError
	tcRefused := errors.As(tcErr, &ee) && strings.Contains(ee.Stderr, "classifier not found")
	switch {
	case tcErr == nil && probeErr != nil:
		t.Fatalf("tc installs flower filters but ProbeFlower says %v", probeErr)
	case tcRefused && !errors.Is(probeErr, ErrNotSupported):
		t.Fatalf("tc says %q, ProbeFlower = %v, want ErrNotSupported", ee.Stderr, probeErr)
	case tcErr != nil && !tcRefused:
		t.Fatalf("tc failed for another reason: %v", tcErr)
	}
	if probeErr != nil {
		var oe *OpError
		if !errors.As(probeErr, &oe) || oe.Message == "" {
			t.Fatalf("ProbeFlower error %v carries no extack message", probeErr)
		}
		t.Logf("kernel without cls_flower: %v", probeErr)
	}
}

// kernelSpecs are filters covering every key and action kind the package
// programs; parent and devices are filled in per test.
func kernelSpecs(dev, out int, flags Flags) []FilterSpec {
	id := func(prio uint16, proto uint16, handle uint32, chain uint32) FilterID {
		return FilterID{Ifindex: dev, Parent: ParentIngress, Chain: chain, Prio: prio, Protocol: proto, Handle: handle}
	}
	u := ufidWords(1, 2, 3, 4)
	return []FilterSpec{
		{FilterID: id(1, EthPIP, 1, 0), Flags: flags, Match: Match{
			EthDst: mac("02:00:00:00:00:02"), EthDstMask: mac("ff:ff:ff:ff:ff:ff"), EthType: EthPIP,
			IPProto: Ptr[uint8](6), Dst: netip.MustParseAddr("10.0.0.2"), DstMask: netip.MustParseAddr("255.255.255.255"),
			DstPort: 80, DstPortMask: 0xffff},
			Actions: []Action{Redirect(uint32(out)).WithCookie(UFIDCookie(u))}},
		{FilterID: id(2, EthPIPv6, 1, 0), Flags: flags, Match: Match{EthType: EthPIPv6,
			Src: netip.MustParseAddr("2001:db8::1"), SrcMask: netip.MustParseAddr("ffff:ffff:ffff:ffff::"),
			IPProto: Ptr[uint8](17), SrcPort: 53, SrcPortMask: 0xffff},
			Actions: []Action{Mirror(uint32(out)), Drop().WithCookie(UFIDCookie(ufidWords(5, 6, 7, 8)))}},
		{FilterID: id(3, EthPIP, 1, 0), Flags: flags, Match: Match{EthType: EthPIP,
			CtState: CtTracked | CtEstablished, CtStateMask: CtTracked | CtEstablished},
			Actions: []Action{Conntrack(CT{Zone: 3}), Goto(4)}},
		{FilterID: id(4, EthPIP, 1, 0), Flags: flags, Match: Match{EthType: EthPIP,
			EncKeyID: Ptr[uint32](42), EncDst: netip.MustParseAddr("192.168.1.1"), EncDstMask: netip.MustParseAddr("255.255.255.255"),
			EncDstPort: 6081, EncDstPortMask: 0xffff},
			Actions: []Action{UnsetTunnel(), PushVLAN(100, 2, EthP8021Q), Redirect(uint32(out))}},
		{FilterID: id(5, EthPIP, 1, 4), Flags: flags, Match: Match{EthType: EthPIP, IPTTL: 64, IPTTLMask: 0xff},
			Actions: []Action{Edit(PeditKey{Htype: 2, Off: 8, Mask: 0x00ffffff, Val: 0x3f000000}),
				SetTunnel(TunnelKey{Src: netip.MustParseAddr("10.1.0.1"), Dst: netip.MustParseAddr("10.1.0.2"), KeyID: Ptr[uint32](7), DstPort: 6081, TTL: 64}),
				Redirect(uint32(out))}},
		{FilterID: id(6, EthP8021Q, 1, 0), Flags: flags, Match: Match{EthType: EthP8021Q, VLANID: Ptr[uint16](10), VLANEthType: EthPIP},
			Actions: []Action{PopVLAN(), Pass()}},
	}
}

// tcJSONFilter is what `tc -j filter show` prints for one filter.
type tcJSONFilter struct {
	Protocol string `json:"protocol"`
	Pref     int    `json:"pref"`
	Kind     string `json:"kind"`
	Chain    uint32 `json:"chain"`
	Options  *struct {
		Handle    uint32 `json:"handle"`
		InHW      bool   `json:"in_hw"`
		InHWCount *int   `json:"in_hw_count"`
		NotInHW   bool   `json:"not_in_hw"`
		SkipHW    bool   `json:"skip_hw"`
		SkipSW    bool   `json:"skip_sw"`
		Actions   []struct {
			Order  int    `json:"order"`
			Kind   string `json:"kind"`
			Cookie string `json:"cookie"`
		} `json:"actions"`
	} `json:"options"`
}

// compareWithTC checks our dump against `tc -j filter show` for the same
// device: same filters, flags, in_hw_count, action kinds and cookies.
func compareWithTC(t *testing.T, ns, dev string, ours []Filter) {
	t.Helper()
	var theirs []tcJSONFilter
	argv := []string{"tc", "-j", "filter", "show", "dev", dev, "ingress"}
	if ns != "" {
		argv = append([]string{"tc", "-n", ns}, argv[1:]...)
	}
	if err := json.Unmarshal(run(t, argv...), &theirs); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, j := range theirs {
		if j.Options == nil {
			continue // the per-prio header line
		}
		var f *Filter
		for i := range ours {
			if ours[i].Chain == j.Chain && int(ours[i].Prio) == j.Pref && ours[i].Handle == j.Options.Handle {
				f = &ours[i]
			}
		}
		if f == nil {
			t.Errorf("tc shows chain %d pref %d handle %#x, our dump does not", j.Chain, j.Pref, j.Options.Handle)
			continue
		}
		n++
		if f.Flags.InHW() != j.Options.InHW || f.Flags.NotInHW() != j.Options.NotInHW ||
			f.Flags.SkipHW() != j.Options.SkipHW || f.Flags.SkipSW() != j.Options.SkipSW {
			t.Errorf("pref %d: our flags %q, tc in_hw=%v not_in_hw=%v skip_hw=%v skip_sw=%v", j.Pref, f.Flags,
				j.Options.InHW, j.Options.NotInHW, j.Options.SkipHW, j.Options.SkipSW)
		}
		// tc prints in_hw_count only when it is not 0.
		ours := 0
		if f.InHWCount != nil {
			ours = int(*f.InHWCount)
		}
		theirs := 0
		if j.Options.InHWCount != nil {
			theirs = *j.Options.InHWCount
		}
		if ours != theirs {
			t.Errorf("pref %d: in_hw_count differs (ours %v)", j.Pref, f.InHWCount)
		}
		if len(f.Actions) != len(j.Options.Actions) {
			t.Errorf("pref %d: %d actions, tc shows %d", j.Pref, len(f.Actions), len(j.Options.Actions))
			continue
		}
		for i, a := range j.Options.Actions {
			if f.Actions[i].Kind != a.Kind || hex.EncodeToString(f.Actions[i].Cookie) != a.Cookie {
				t.Errorf("pref %d action %d: ours %s cookie %x, tc %s cookie %s", j.Pref, i+1,
					f.Actions[i].Kind, f.Actions[i].Cookie, a.Kind, a.Cookie)
			}
		}
	}
	if n != len(ours) {
		t.Errorf("tc shows %d filters, we dumped %d", n, len(ours))
	}
}

func programAndCheck(t *testing.T, c *Client, ns, devName string, specs []FilterSpec, wantInHW bool) []Filter {
	t.Helper()
	for _, s := range specs {
		if err := c.ReplaceFilter(s); err != nil {
			t.Fatalf("ReplaceFilter prio %d: %v", s.Prio, err)
		}
	}
	got, err := c.Filters(specs[0].Ifindex, ParentIngress)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstSpecs(t, got, specs, wantInHW)
	compareWithTC(t, ns, devName, got)
	return got
}

// laneResults is the guest's writable share: the host's root is read-only
// inside the lane, so recordings go there (copy them into testdata/kernel).
const laneResults = "/run/kernel-lane-results"

// checkTerse checks that the terse dump names the same filters with the
// same flags and action cookies as the full one.
func checkTerse(t *testing.T, c *Client, ifindex int, specs []FilterSpec) {
	t.Helper()
	full, err := c.Filters(ifindex, ParentIngress)
	if err != nil {
		t.Fatal(err)
	}
	terse, err := c.FiltersTerse(ifindex, ParentIngress)
	if err != nil {
		t.Fatalf("FiltersTerse: %v", err)
	}
	if len(terse) != len(full) {
		t.Fatalf("terse dump: %d filters, full dump %d", len(terse), len(full))
	}
	for i := range full {
		f, tf := full[i], terse[i]
		if tf.FilterID != f.FilterID || tf.Flags != f.Flags {
			t.Errorf("terse %+v %q, full %+v %q", tf.FilterID, tf.Flags, f.FilterID, f.Flags)
		}
		fu, fok := f.UFID()
		tu, tok := tf.UFID()
		if fu != tu || fok != tok {
			t.Errorf("prio %d: terse UFID %v %v, full %v %v", f.Prio, tu, tok, fu, fok)
		}
		if len(tf.Actions) == 0 || tf.Actions[0].Kind != f.Actions[0].Kind {
			t.Errorf("prio %d: terse actions %d", f.Prio, len(tf.Actions))
		}
	}
	_ = specs
}

// checkAgainstSpecs compares dumped filters with the specs that made them,
// and their hardware flags with wantInHW.
func checkAgainstSpecs(t *testing.T, got []Filter, specs []FilterSpec, wantInHW bool) {
	t.Helper()
	if len(got) != len(specs) {
		t.Fatalf("dumped %d filters, programmed %d", len(got), len(specs))
	}
	for i, s := range specs {
		f := got[i]
		if f.Prio != s.Prio || f.Chain != s.Chain {
			// the kernel dumps chain by chain, prio by prio
			for j := range got {
				if got[j].Prio == s.Prio && got[j].Chain == s.Chain {
					f = got[j]
				}
			}
		}
		want := s
		if want.Match.VLANID != nil || want.Match.VLANPrio != nil {
			// The kernel keeps the tag's TPID as the filter protocol and
			// reports the inner ethertype as eth_type (see Match.EthType).
			want.Match.EthType = want.Match.VLANEthType
		}
		assertSpecEqual(t, want, f.Spec())
		if f.Flags.InHW() != wantInHW || f.Flags.NotInHW() == wantInHW {
			t.Errorf("prio %d: flags %q, want in_hw=%v", s.Prio, f.Flags, wantInHW)
		}
		if wantInHW && (f.InHWCount == nil || *f.InHWCount != 1) {
			t.Errorf("prio %d: in_hw_count %v, want 1", s.Prio, f.InHWCount)
		}
	}
}

// recordDump writes the raw dump of a device to testdata/kernel/<name>.hex
// when -update-golden is set, and inside the kernel lane to
// /run/kernel-lane-results/tc-golden/<name>.hex.
func recordDump(t *testing.T, c *Client, ifindex int, name, comment string) {
	t.Helper()
	dir := filepath.Join("testdata", "kernel")
	if !*updateGolden {
		if _, err := os.Stat(laneResults); err != nil || !testenv.InKernelLane() {
			return
		}
		dir = filepath.Join(laneResults, "tc-golden")
	}
	req := netlink.Message{Header: netlink.Header{Type: rtmGetTfilter, Flags: netlink.Request | netlink.Dump},
		Data: tcmsg(ifindex, 0, ParentIngress, 0)}
	msgs, err := c.conn.Execute(req)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	sb.WriteString("# " + comment + "\n")
	for _, m := range msgs {
		m.Header.Sequence, m.Header.PID = 0, 0
		sb.WriteString(hexDump(wire(m)))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".hex"), []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestKernelVeth programs every key and action kind on a veth (software
// TC: not_in_hw), reads them back and compares with tc -j.
func TestKernelVeth(t *testing.T) {
	requireKernelLane(t)
	ns, c, v0, v1 := vethNS(t)
	if err := c.EnsureQdisc(v0, Clsact); err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureQdisc(v0, Clsact); err != nil {
		t.Fatalf("EnsureQdisc is not idempotent: %v", err)
	}
	if err := c.EnsureQdisc(v0, Ingress); !errors.Is(err, ErrConflict) {
		t.Fatalf("EnsureQdisc(ingress) over clsact = %v, want ErrConflict", err)
	}
	specs := kernelSpecs(v0, v1, 0)
	programAndCheck(t, c, ns, "v0", specs, false)
	recordDump(t, c, v0, "veth-not-in-hw", "tc filters of TestKernelVeth on a veth (not_in_hw), recorded in the kernel lane")
	checkTerse(t, c, v0, specs)

	// Errors: duplicate add, skip_sw on a veth, delete of a missing filter.
	if err := c.AddFilter(specs[0]); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate AddFilter = %v, want ErrConflict", err)
	}
	fresh := specs[0]
	fresh.Prio = 50
	err := c.AddFilters(specs[1], fresh)
	var be *BatchError
	if !errors.As(err, &be) || len(be.Failed) != 1 || be.Failed[0].Index != 0 || !errors.Is(err, ErrConflict) {
		t.Errorf("AddFilters(existing, new) = %v, want a BatchError naming filter 0 as a conflict", err)
	}
	if err := c.DeleteFilter(fresh.FilterID); err != nil {
		t.Errorf("the new filter of the batch was not applied: %v", err)
	}
	sw := specs[0]
	sw.Prio, sw.Flags = 40, FlagSkipSW
	var oe *OpError
	if err := c.AddFilter(sw); !errors.As(err, &oe) || !errors.Is(err, ErrNotSupported) {
		t.Errorf("skip_sw on veth = %v, want *OpError matching ErrNotSupported (EOPNOTSUPP)", err)
	} else {
		t.Logf("skip_sw on a veth: %v", err)
	}
	if err := c.DeleteFilter(specs[0].FilterID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteFilter(specs[0].FilterID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second DeleteFilter = %v, want ErrNotFound", err)
	}
	left, err := c.Filters(v0, ParentIngress)
	if err != nil || len(left) != len(specs)-1 {
		t.Errorf("after delete: %d filters, %v", len(left), err)
	}
}

// TestKernelNetdevsim programs filters on an emulated-eswitch representor:
// the kernel reports in_hw and in_hw_count 1.
func TestKernelNetdevsim(t *testing.T) {
	requireKernelLane(t)
	testenv.RequireBinaries(t, "ethtool", "ethtool")
	testenv.RequireBinaries(t, "iproute2", "devlink")
	nsim := kernellane.NewNetdevsim(t, 61, 2)
	name := nsim.VFReps[0]
	run(t, "ethtool", "-K", name, "hw-tc-offload", "on")
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		t.Fatal(err)
	}
	rep := ifi.Index
	c, err := Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.ProbeFlower(rep); err != nil {
		t.Fatalf("ProbeFlower in the lane: %v", err)
	}
	if err := c.EnsureQdisc(rep, Clsact); err != nil {
		t.Fatal(err)
	}
	defer c.DeleteQdisc(rep, Clsact)
	// A representor as output keeps the actions offloadable.
	out, err := net.InterfaceByName(nsim.VFReps[1])
	if err != nil {
		t.Fatal(err)
	}
	run(t, "ethtool", "-K", nsim.VFReps[1], "hw-tc-offload", "on")
	specs := kernelSpecs(rep, out.Index, FlagSkipSW)[:1]
	programAndCheck(t, c, "", name, specs, true)
	recordDump(t, c, rep, "netdevsim-in-hw", "tc filters of TestKernelNetdevsim on a netdevsim representor (in_hw), recorded in the kernel lane")
}

// TestRecordedKernelDumps decodes the dumps recorded in the kernel lane (real
// kernel output) and checks what each must hold.
func TestRecordedKernelDumps(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "kernel", "*.hex"))
	if len(files) == 0 {
		t.Skip("no recorded kernel dumps yet (run the kernel lane with -update-golden)")
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := parseHex(string(b))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		fs, err := DecodeMessages(raw)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if len(fs) == 0 {
			t.Fatalf("%s: no filters", p)
		}
		// Recorded by TestKernelVeth / TestKernelNetdevsim: the filters are
		// kernelSpecs on the dumped device, redirecting to the device of the
		// first mirred action.
		inHW := strings.Contains(p, "netdevsim")
		if fs[0].Actions[0].Mirred == nil {
			t.Fatalf("%s: first action is %q, not mirred", p, fs[0].Actions[0].Kind)
		}
		flags := Flags(0)
		if inHW {
			flags = FlagSkipSW
		}
		specs := kernelSpecs(fs[0].Ifindex, int(fs[0].Actions[0].Mirred.Ifindex), flags)
		if inHW {
			specs = specs[:1]
		}
		checkAgainstSpecs(t, fs, specs, inHW)
	}
}

var (
	ratioMu sync.Mutex
	ratios  = map[string]float64{}
)

func setRatio(name string, v float64) {
	ratioMu.Lock()
	ratios[name] = v
	ratioMu.Unlock()
}

// TestMain prints the RATIO lines of the comparative benchmarks once, with
// the figures of their last (final b.N) run.
func TestMain(m *testing.M) {
	code := m.Run()
	for name, v := range ratios {
		fmt.Printf("RATIO %s %.2f\n", name, v)
	}
	os.Exit(code)
}

const benchFilters = 10000

func benchSpec(dev, i int) FilterSpec {
	return FilterSpec{
		FilterID: FilterID{Ifindex: dev, Parent: ParentIngress, Prio: 1, Protocol: EthPIP, Handle: uint32(i + 1)},
		Match: Match{EthType: EthPIP, IPProto: Ptr[uint8](6), Dst: benchAddr(i), DstMask: netip.MustParseAddr("255.255.255.255"),
			DstPort: 80, DstPortMask: 0xffff},
		Actions: []Action{Drop().WithCookie(UFIDCookie(ufidWords(uint32(i), 0, 0, 1)))},
	}
}

func benchAddr(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
}

func benchBatch(t testing.TB, n int) string {
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, "filter add dev v0 ingress protocol ip pref 1 handle %d flower ip_proto tcp dst_ip %s dst_port 80 action drop cookie %s\n",
			i+1, benchAddr(i), hex.EncodeToString(UFIDCookie(ufidWords(uint32(i), 0, 0, 1))))
	}
	p := filepath.Join(t.TempDir(), "batch")
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// BenchmarkKernelInstall installs 10,000 flower filters with this package
// (AddFilters, 64 requests per system call; and, as a metric, one AddFilter
// at a time) and the same filters with `tc -batch`, each on a fresh clsact
// qdisc.
func BenchmarkKernelInstall(b *testing.B) {
	requireKernelLane(b)
	ns, c, v0, _ := vethNS(b)
	batch := benchBatch(b, benchFilters)
	specs := make([]FilterSpec, benchFilters)
	for i := range specs {
		specs[i] = benchSpec(v0, i)
	}
	var ours, single, theirs time.Duration
	for range b.N {
		if err := c.EnsureQdisc(v0, Clsact); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := c.AddFilters(specs...); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		b.StopTimer()
		if err := c.DeleteQdisc(v0, Clsact); err != nil {
			b.Fatal(err)
		}
		if err := c.EnsureQdisc(v0, Clsact); err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		for _, s := range specs {
			if err := c.AddFilter(s); err != nil {
				b.Fatal(err)
			}
		}
		single += time.Since(start)
		if err := c.DeleteQdisc(v0, Clsact); err != nil {
			b.Fatal(err)
		}
		if err := c.EnsureQdisc(v0, Clsact); err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		run(b, "tc", "-n", ns, "-batch", batch)
		theirs += time.Since(start)
		if err := c.DeleteQdisc(v0, Clsact); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(ours.Milliseconds())/float64(b.N), "ms/10k-ours")
	b.ReportMetric(float64(single.Milliseconds())/float64(b.N), "ms/10k-ours-one-by-one")
	b.ReportMetric(float64(theirs.Milliseconds())/float64(b.N), "ms/10k-tc-batch")
	setRatio("tc-install-vs-tc-batch", theirs.Seconds()/ours.Seconds())
}

// rawDump receives a filter dump without decoding it: the floor set by the
// kernel and the system calls, to tell decoding cost from kernel cost.
func rawDump(c *Client, ifindex int) (int, error) {
	req := netlink.Message{Header: netlink.Header{Type: rtmGetTfilter, Flags: netlink.Request | netlink.Dump},
		Data: tcmsg(ifindex, 0, ParentIngress, 0)}
	c.mu.Lock()
	defer c.mu.Unlock()
	sent, err := c.conn.Send(req)
	if err != nil {
		return 0, err
	}
	total := 0
	for {
		b, err := c.reader.Next()
		if err != nil {
			return total, err
		}
		total += len(b)
		for len(b) > 0 {
			h, _, rest, err := splitMessage(b)
			if err != nil {
				return total, err
			}
			b = rest
			if h.Sequence == sent.Header.Sequence && h.Type == netlink.Done {
				return total, nil
			}
		}
	}
}

// BenchmarkKernelDump dumps and decodes 10,000 filters with this package,
// and with `tc -j filter show` plus JSON decoding; each side is timed three
// times per iteration and the fastest counts (the lane's 2 CPUs are shared).
// It also reports the raw receive time (no decoding) as a floor.
func BenchmarkKernelDump(b *testing.B) {
	requireKernelLane(b)
	ns, c, v0, _ := vethNS(b)
	if err := c.EnsureQdisc(v0, Clsact); err != nil {
		b.Fatal(err)
	}
	run(b, "tc", "-n", ns, "-batch", benchBatch(b, benchFilters))
	var ours, terse, raw, theirs time.Duration
	fastest := func(f func()) time.Duration {
		best := time.Duration(1 << 62)
		for range 3 {
			start := time.Now()
			f()
			best = min(best, time.Since(start))
		}
		return best
	}
	b.ResetTimer()
	for range b.N {
		ours += fastest(func() {
			fs, err := c.Filters(v0, ParentIngress)
			if err != nil || len(fs) != benchFilters {
				b.Fatalf("dumped %d filters: %v", len(fs), err)
			}
		})
		b.StopTimer()
		terse += fastest(func() {
			fs, err := c.FiltersTerse(v0, ParentIngress)
			if err != nil || len(fs) != benchFilters {
				b.Fatalf("terse dump: %d filters: %v", len(fs), err)
			}
		})
		raw += fastest(func() {
			if _, err := rawDump(c, v0); err != nil {
				b.Fatal(err)
			}
		})
		theirs += fastest(func() {
			var js []tcJSONFilter
			if err := json.Unmarshal(run(b, "tc", "-n", ns, "-j", "filter", "show", "dev", "v0", "ingress"), &js); err != nil {
				b.Fatal(err)
			}
			if len(js) < benchFilters {
				b.Fatalf("tc -j shows %d entries", len(js))
			}
		})
		b.StartTimer()
	}
	b.ReportMetric(float64(ours.Microseconds())/1000/float64(b.N), "ms/10k-ours")
	b.ReportMetric(float64(terse.Microseconds())/1000/float64(b.N), "ms/10k-ours-terse")
	b.ReportMetric(float64(raw.Microseconds())/1000/float64(b.N), "ms/10k-raw-receive")
	b.ReportMetric(float64(theirs.Microseconds())/1000/float64(b.N), "ms/10k-tc-json")
	setRatio("tc-dump-vs-tc-json", theirs.Seconds()/ours.Seconds())
}

// TestBenchInLane runs the comparative benchmarks inside the kernel lane,
// whose guest runs tests only (select it with
// KERNEL_LANE_TEST_RUN='^(TestKernel|TestBenchInLane)'). It prints the
// RATIO lines.
func TestBenchInLane(t *testing.T) {
	requireKernelLane(t)
	for _, bm := range []struct {
		name string
		fn   func(*testing.B)
	}{{"dump", BenchmarkKernelDump}, {"install", BenchmarkKernelInstall}} {
		r := testing.Benchmark(bm.fn)
		if r.N == 0 {
			t.Fatalf("benchmark %s did not run (failed or skipped)", bm.name)
		}
		t.Logf("%s: %s %v", bm.name, r, r.Extra)
	}
	ratioMu.Lock()
	defer ratioMu.Unlock()
	for name, v := range ratios {
		fmt.Printf("RATIO %s %.2f\n", name, v)
	}
	clear(ratios) // printed once, not again by TestMain
}

// TestIntegrationQdisc runs on any kernel with clsact (this host has it,
// without cls_flower): EnsureQdisc is idempotent, refuses another kind in
// the ingress slot, and an empty device dumps no filters.
func TestIntegrationQdisc(t *testing.T) {
	testenv.RequireRoot(t)
	testenv.RequireBinaries(t, "iproute2", "ip", "tc")
	ns, c, v0, _ := vethNS(t)
	for range 2 {
		if err := c.EnsureQdisc(v0, Clsact); err != nil {
			t.Fatalf("EnsureQdisc(clsact): %v", err)
		}
	}
	if out := string(run(t, "tc", "-n", ns, "qdisc", "show", "dev", "v0")); !strings.Contains(out, "qdisc clsact ffff:") {
		t.Fatalf("tc does not show the clsact qdisc: %q", out)
	}
	if err := c.EnsureQdisc(v0, Ingress); !errors.Is(err, ErrConflict) {
		t.Fatalf("EnsureQdisc(ingress) over clsact = %v, want ErrConflict", err)
	}
	fs, err := c.Filters(v0, ParentIngress)
	if err != nil || len(fs) != 0 {
		t.Fatalf("Filters on an empty clsact = %v, %v", fs, err)
	}
	if fs, err := c.FiltersTerse(v0, ParentIngress); err != nil || len(fs) != 0 {
		t.Fatalf("FiltersTerse on an empty clsact = %v, %v", fs, err)
	}
	if err := c.DeleteQdisc(v0, Clsact); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteQdisc(v0, Clsact); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second DeleteQdisc = %v, want ErrNotFound", err)
	}
	if err := c.EnsureQdisc(v0, Ingress); err != nil {
		t.Fatalf("EnsureQdisc(ingress): %v", err)
	}
	if err := c.DeleteFilter(FilterID{Ifindex: v0, Parent: ParentIngressQdisc, Prio: 9, Protocol: EthPIP, Handle: 1}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("DeleteFilter of a missing filter = %v, want ErrNotFound", err)
	}
}
