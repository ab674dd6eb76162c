// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/ovsoffload/ovsoffload/appctl"
	"github.com/ovsoffload/ovsoffload/examples/internal/nodeflags"
	"github.com/ovsoffload/ovsoffload/internal/textsafe"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovslog"
	"github.com/ovsoffload/ovsoffload/tc"
)

// Exit statuses.
const (
	exitInHardware = 0 // every selected flow is verified in hardware
	exitNotAll     = 1 // some are not, or there is no flow to check
	exitError      = 2 // bad flags, database unreachable, pod not found...
)

func main() {
	// Whatever reaches the terminal is escaped (JSON keeps its meaning).
	stdout, stderr := textsafe.NewWriter(os.Stdout), textsafe.NewWriter(os.Stderr)
	code := run(os.Args[1:], stdout, stderr)
	stdout.Flush()
	stderr.Flush()
	os.Exit(code)
}

// portInfo is one OVS port of the selection.
type portInfo struct {
	Port        string `json:"port"`
	IfaceID     string `json:"iface_id,omitempty"`
	Pod         string `json:"pod,omitempty"`
	Representor string `json:"representor,omitempty"`
}

// result is everything offload-check found; --json prints it as is.
type result struct {
	Selection     selector        `json:"selection"`
	Ports         []portInfo      `json:"ports,omitempty"`
	BackendChoice string          `json:"backend_choice"`
	Warnings      []string        `json:"warnings,omitempty"`
	Report        *offload.Report `json:"report"`
	SelectedBy    []string        `json:"selected_by,omitempty"` // per flow of Report, the rule that selected it
	AllInHardware bool            `json:"all_in_hardware"`
	Verdict       string          `json:"verdict"`
}

// maxDebugWindow bounds --debug-window: OVS at dbg writes a lot.
const maxDebugWindow = 10 * time.Minute

// logOptions are the flags that read ovs-vswitchd's log.
type logOptions struct {
	path   string        // --log
	window time.Duration // --debug-window
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("offload-check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var node nodeflags.Flags
	node.Register(fs)
	var sel selector
	fs.StringVar(&sel.Pod, "pod", "", "check the pod `[NAMESPACE/]NAME` (external_ids pod-namespace, pod-name)")
	fs.StringVar(&sel.IfaceID, "iface-id", "", "check the interface with external_ids:iface-id=`ID`")
	fs.StringVar(&sel.Port, "port", "", "check the OVS port `NAME`")
	var lo logOptions
	fs.StringVar(&lo.path, "log", "", "read ovs-vswitchd's log `file` (its --log-file) for offload failures, OVS's own reasons and the probe tc lines")
	fs.DurationVar(&lo.window, "debug-window", 0, "before checking, raise OVS's offload log modules to dbg for this `long` (send traffic meanwhile), then put the exact previous levels back; needs --log; at most 10m")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	var xo explainOpts
	fs.BoolVar(&xo.Probe, "probe", false, "for each flow not in hardware, install the filter OVS would install with skip_sw and verbose in an unused chain, report the driver's answer verbatim, delete it (tc backend)")
	fs.BoolVar(&xo.DryRun, "dry-run", false, "with --probe: list the filters the probe would install, install nothing")
	fs.DurationVar(&xo.Interval, "probe-interval", tc.DefaultProbeInterval, "with --probe: least time between two installs")
	fs.IntVar(&xo.MaxFlows, "probe-max", tc.DefaultProbeMaxFlows, "with --probe: most filters probed in one run")
	fs.StringVar(&xo.OVSVersion, "ovs-version", "", "ovs-vswitchd's `VERSION` for the translation (default: the database's ovs_version)")
	fs.StringVar(&xo.CTStateBits, "ct-state-bits", "", "the ct_state `BITS` ovs-vswitchd found supported (its log: \"probe tc: supported ovs ct_state bits: 0x...\")")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
	window := fs.Duration("counter-window", 0, "verify twice, this long apart, and flag flows in hardware whose software packets grew (0: once)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: offload-check [flags]\n\nChecks which datapath flows of a pod (or of the node) are in hardware.\nExit status: 0 all in hardware, 1 some not (or no flows), 2 error.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitInHardware
		}
		return exitError
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "offload-check: %s\n", textsafe.Escape(err.Error()))
		return exitError
	}
	if fs.NArg() > 0 {
		return fail(fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	n := 0
	for _, s := range []string{sel.Pod, sel.IfaceID, sel.Port} {
		if s != "" {
			n++
		}
	}
	if n > 1 {
		return fail(errors.New("--pod, --iface-id and --port are exclusive: give one"))
	}
	if *timeout <= 0 {
		return fail(fmt.Errorf("--timeout %v: must be > 0", *timeout))
	}
	if err := node.Check(); err != nil {
		return fail(err)
	}
	if *window < 0 || *window >= *timeout {
		return fail(fmt.Errorf("--counter-window %v: want 0 or a duration shorter than --timeout (%v)", *window, *timeout))
	}
	switch {
	case lo.window < 0 || lo.window > maxDebugWindow:
		return fail(fmt.Errorf("--debug-window %v: want a duration from 0 to %v", lo.window, maxDebugWindow))
	case lo.window > 0 && lo.path == "":
		return fail(errors.New("--debug-window needs --log: the window's lines are read from ovs-vswitchd's log file"))
	case lo.window > 0 && node.FromFile != "":
		return fail(errors.New("--debug-window needs a live ovs-vswitchd, not --from-file"))
	case xo.DryRun && !xo.Probe:
		return fail(errors.New("--dry-run needs --probe"))
	case xo.Probe && (xo.Interval <= 0 || xo.MaxFlows <= 0):
		return fail(errors.New("--probe-interval and --probe-max must be positive"))
	}
	feat, err := xo.features()
	if err != nil {
		return fail(err)
	}
	// SIGINT and SIGTERM end the context: a debug window then puts the
	// log levels back, and a probe in flight deletes its filter, before
	// the command exits.
	sigCtx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(sigCtx, *timeout+lo.window)
	defer cancel()
	res, err := check(ctx, &node, sel, *window, lo, stderr, feat, xo.probe())
	if err != nil {
		return fail(err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return fail(err)
		}
	} else if err := res.writeText(stdout); err != nil {
		return fail(err)
	}
	if res.AllInHardware {
		return exitInHardware
	}
	return exitNotAll
}

// check opens the node, verifies its flows with the backend and narrows the
// report to the selection. With a window, it verifies twice, window apart,
// and flags the flows in hardware whose software packets grew in between.
// With lo.path, it first reads ovs-vswitchd's log (after a debug window
// when lo.window is set) as evidence. With the tc backend, feat and probe
// configure the explanation of the flows not in hardware (the probe runs on
// the last verification only).
func check(ctx context.Context, node *nodeflags.Flags, sel selector, window time.Duration, lo logOptions, progress io.Writer,
	feat tc.OVSFeatures, probe *tc.ProbeConfig) (*result, error) {
	s, err := node.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	last := s.Backend // the backend of the last verification
	if tb, ok := s.Backend.(*tc.Backend); ok {
		s.Backend, last = tb.WithVerify(feat, nil), tb.WithVerify(feat, probe)
	} else if probe != nil {
		return nil, fmt.Errorf("--probe needs the tc backend, not %s", s.Backend.Name())
	}
	if window == 0 {
		s.Backend = last
	}
	res := &result{Selection: sel, BackendChoice: s.Why, Warnings: s.Warnings}
	var raised []string
	if lo.path != "" {
		modules := ovslog.DebugModules
		if s.Backend.Name() != "tc" { // OVS-DOCA, or a node whose flows stay in OVS
			modules = append(slices.Clone(modules), ovslog.DebugModulesUserspace...)
		}
		if s.Node.Log, raised, err = readLog(ctx, node.Target, lo, modules, progress); err != nil {
			return nil, err
		}
	}

	var names []string
	if !sel.empty() {
		ports, err := findPorts(ctx, s.Node.DB, sel)
		if err != nil {
			return nil, err
		}
		for _, p := range ports {
			names = append(names, p.Name)
			res.Ports = append(res.Ports, portInfo{Port: p.Name, IfaceID: p.ExternalIDs["iface-id"], Pod: offload.PodName(p.ExternalIDs)})
		}
	}

	report, err := s.Backend.Verify(ctx, s.Node)
	if err != nil {
		return nil, fmt.Errorf("verifying with backend %s: %w", s.Backend.Name(), err)
	}
	if window > 0 {
		t := time.NewTimer(window)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("waiting --counter-window %v: %w", window, ctx.Err())
		case <-t.C:
		}
		first := report
		if report, err = last.Verify(ctx, s.Node); err != nil {
			return nil, fmt.Errorf("verifying again with backend %s after %v: %w", s.Backend.Name(), window, err)
		}
		report.CompareCounters(first)
	}
	if report.OVSLog != nil {
		report.OVSLog.DebugModules = raised
	}
	for i := range res.Ports {
		for _, f := range report.Flows {
			if f.Port == res.Ports[i].Port && f.Representor != "" {
				res.Ports[i].Representor = f.Representor
			}
		}
	}
	if sel.empty() {
		res.Report = report
	} else {
		res.Report, res.SelectedBy = selectFlows(report, names)
	}
	res.AllInHardware = res.Report.AllInHardware()
	res.Verdict = verdict(res.Report, sel)
	return res, nil
}

// verdict says in one line what the exit status means.
func verdict(r *offload.Report, sel selector) string {
	total := len(r.Flows)
	inHW, inSW := 0, 0
	for _, f := range r.Flows {
		if f.State == offload.InHardware && f.Verified {
			inHW++
		}
		if f.TrafficInSoftware {
			inSW++
		}
	}
	sw := ""
	if inSW > 0 {
		sw = fmt.Sprintf("; %d in hardware, but with traffic in software", inSW)
	}
	switch {
	case total == 0:
		return fmt.Sprintf("no datapath flow for %s: send traffic through it and run again (idle flows expire after about 10s)", sel)
	case inHW == total:
		return fmt.Sprintf("all %d flows of %s are verified in hardware%s", total, sel, sw)
	}
	return fmt.Sprintf("%d of %d flows of %s are not verified in hardware%s", total-inHW, total, sel, sw)
}

// writeText prints the result for people: what was selected, the report's
// table, which rule selected each flow, and the verdict.
func (res *result) writeText(w io.Writer) error {
	// Names, pods and messages come from OVSDB, dumps and flags: escape
	// what a terminal would act on (each cell is escaped too, so that a tab
	// cannot split it).
	sw := textsafe.NewWriter(w)
	w = sw
	fmt.Fprintf(w, "checking: %s\n", textsafe.Escape(res.Selection.String()))
	for _, p := range res.Ports {
		fmt.Fprintf(w, "  port %s: iface-id %s, pod %s, representor %s\n", dash(p.Port), dash(p.IfaceID), dash(p.Pod), dash(p.Representor))
	}
	fmt.Fprintf(w, "backend choice: %s\n", textsafe.Escape(res.BackendChoice))
	for _, warn := range res.Warnings {
		fmt.Fprintf(w, "warning: %s\n", textsafe.Escape(warn))
	}
	if err := res.Report.WriteTable(w); err != nil {
		return err
	}
	if len(res.SelectedBy) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "\nFLOW\tSELECTED BY")
		for i, why := range res.SelectedBy {
			fmt.Fprintf(tw, "%d\t%s\n", i+1, textsafe.Escape(why))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintf(w, "\nverdict: %s\n", textsafe.Escape(res.Verdict)); err != nil {
		return err
	}
	return sw.Flush()
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return textsafe.Escape(s)
}

// explainOpts are the flags of the translation and the probe.
type explainOpts struct {
	Probe, DryRun bool
	Interval      time.Duration
	MaxFlows      int
	OVSVersion    string
	CTStateBits   string
}

// features returns what the flags say about ovs-vswitchd.
func (o explainOpts) features() (tc.OVSFeatures, error) {
	f := tc.OVSFeatures{Version: o.OVSVersion}
	if o.CTStateBits != "" {
		v, err := strconv.ParseUint(o.CTStateBits, 0, 32)
		if err != nil {
			return f, fmt.Errorf("--ct-state-bits %q: want a number such as 0x2f", o.CTStateBits)
		}
		f.CTStateBits, f.CTStateKnown = uint32(v), true
	}
	return f, nil
}

// probe returns the probe's configuration, nil without --probe.
func (o explainOpts) probe() *tc.ProbeConfig {
	if !o.Probe {
		return nil
	}
	return &tc.ProbeConfig{DryRun: o.DryRun, Interval: o.Interval, MaxFlows: o.MaxFlows}
}

// readLog reads ovs-vswitchd's log file (offload.ReadOVSLog). With a
// debug window, it first raises the modules (OVS's TC offload modules; with
// a backend other than tc also the userspace datapath's) to dbg for the window's duration
// and puts the exact previous levels back (also when ctx ends: SIGINT,
// SIGTERM, timeout). It returns the modules the window raised.
func readLog(ctx context.Context, target string, lo logOptions, modules []string, progress io.Writer) (*ovslog.Log, []string, error) {
	if lo.window > 0 {
		fmt.Fprintf(progress, "offload-check: debug window: OVS's offload modules at dbg in %s for %v; send traffic now\n", lo.path, lo.window)
	}
	l, raised, err := offload.ReadOVSLog(ctx, offload.OVSLogOptions{Path: lo.path, Window: lo.window, Socket: target, Modules: modules})
	var re *appctl.RestoreError
	switch {
	case errors.As(err, &re):
		return nil, nil, fmt.Errorf("%w; put them back by hand with ovs-appctl vlog/set MODULE:%s:LEVEL (vlog/list shows them)", err, re.Dest)
	case err != nil && lo.window > 0 && raised != nil:
		return nil, nil, fmt.Errorf("%w (the previous log levels were put back)", err)
	case err != nil:
		return nil, nil, err
	}
	if lo.window > 0 {
		fmt.Fprintf(progress, "offload-check: debug window closed: %s back to their previous levels\n", strings.Join(raised, ", "))
	}
	return l, raised, nil
}
