package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ovsoffload/ovsoffload/examples/internal/nodeflags"
	"github.com/ovsoffload/ovsoffload/internal/textsafe"
	"github.com/ovsoffload/ovsoffload/offload"
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

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("offload-check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var node nodeflags.Flags
	node.Register(fs)
	var sel selector
	fs.StringVar(&sel.Pod, "pod", "", "check the pod `[NAMESPACE/]NAME` (external_ids pod-namespace, pod-name)")
	fs.StringVar(&sel.IfaceID, "iface-id", "", "check the interface with external_ids:iface-id=`ID`")
	fs.StringVar(&sel.Port, "port", "", "check the OVS port `NAME`")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
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
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	res, err := check(ctx, &node, sel)
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
// report to the selection.
func check(ctx context.Context, node *nodeflags.Flags, sel selector) (*result, error) {
	s, err := node.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	res := &result{Selection: sel, BackendChoice: s.Why, Warnings: s.Warnings}

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
	inHW := 0
	for _, f := range r.Flows {
		if f.State == offload.InHardware && f.Verified {
			inHW++
		}
	}
	switch {
	case total == 0:
		return fmt.Sprintf("no datapath flow for %s: send traffic through it and run again (idle flows expire after about 10s)", sel)
	case inHW == total:
		return fmt.Sprintf("all %d flows of %s are verified in hardware", total, sel)
	}
	return fmt.Sprintf("%d of %d flows of %s are not verified in hardware", total-inHW, total, sel)
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
