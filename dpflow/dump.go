package dpflow

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
)

// DumpOptions say which ovs-vswitchd to ask and how.
type DumpOptions struct {
	// Target is the ovs-appctl target (-t): a control socket path such as
	// /var/run/openvswitch/ovs-vswitchd.1234.ctl, or a daemon name. Empty
	// means ovs-appctl's default, ovs-vswitchd.
	Target string
	// Verbose adds -m: ufid, all masks, offloaded, dp and dp-extra-info.
	Verbose bool
	// Names adds --names: port names instead of numbers. ovs-appctl's dpctl
	// already prints names with -m unless NoNames is set.
	Names bool
	// NoNames adds --no-names: port numbers even with -m.
	NoNames bool
	// Datapath optionally names the datapath (e.g. "system@ovs-system").
	Datapath string
	// Types filters by type= (dpctl's list: "ovs", "tc", "dpdk", "doca",
	// "offloaded", "non-offloaded", "partially-offloaded", "all").
	Types []string
	// Appctl is the program to run; empty means "ovs-appctl".
	Appctl string
	// Runner runs the program; nil runs it as a child process.
	Runner Runner
}

// Runner runs a program with an argument vector (never through a shell)
// and returns its standard output; tests and callers that run ovs-appctl
// elsewhere (in a container, over SSH) supply their own.
type Runner interface {
	// Run runs argv[0] with the remaining arguments.
	Run(ctx context.Context, argv ...string) ([]byte, error)
}

// Argv returns the command line that Dump runs, after checking the options.
func (o DumpOptions) Argv() ([]string, error) {
	prog := o.Appctl
	if prog == "" {
		prog = "ovs-appctl"
	}
	argv := []string{prog}
	if o.Target != "" {
		if strings.HasPrefix(o.Target, "-") || strings.ContainsAny(o.Target, " \t\n") {
			return nil, fmt.Errorf("dpflow: bad ovs-appctl target %q", o.Target)
		}
		argv = append(argv, "-t", o.Target)
	}
	argv = append(argv, "dpctl/dump-flows")
	if o.Verbose {
		argv = append(argv, "-m")
	}
	if o.Names && o.NoNames {
		return nil, fmt.Errorf("dpflow: Names and NoNames are exclusive")
	}
	if o.Names {
		argv = append(argv, "--names")
	}
	if o.NoNames {
		argv = append(argv, "--no-names")
	}
	if o.Datapath != "" {
		if strings.HasPrefix(o.Datapath, "-") || strings.ContainsAny(o.Datapath, " \t\n=") {
			return nil, fmt.Errorf("dpflow: bad datapath name %q", o.Datapath)
		}
		argv = append(argv, o.Datapath)
	}
	if len(o.Types) > 0 {
		for _, t := range o.Types {
			if t == "" || strings.Trim(t, "abcdefghijklmnopqrstuvwxyz-") != "" {
				return nil, fmt.Errorf("dpflow: bad dump type %q", t)
			}
		}
		argv = append(argv, "type="+strings.Join(o.Types, ","))
	}
	return argv, nil
}

// DumpRaw runs ovs-appctl dpctl/dump-flows and returns its output as
// printed.
func DumpRaw(ctx context.Context, o DumpOptions) ([]byte, error) {
	argv, err := o.Argv()
	if err != nil {
		return nil, err
	}
	var r Runner = cmdexec.Exec{}
	if o.Runner != nil {
		r = o.Runner
	}
	out, err := r.Run(ctx, argv...)
	if err != nil {
		return nil, fmt.Errorf("dpflow: dump flows: %w", err)
	}
	return out, nil
}

// DumpScanner runs the dump and returns a Scanner over its output. The
// output is held whole (ovs-appctl itself receives the dump as a single
// reply before printing it); the flows are parsed one at a time.
func DumpScanner(ctx context.Context, o DumpOptions) (*Scanner, error) {
	out, err := DumpRaw(ctx, o)
	if err != nil {
		return nil, err
	}
	return NewScanner(bytes.NewReader(out)), nil
}

// Dump runs the dump and parses every flow. Header lines are dropped. A line
// that does not parse fails the whole dump with its *ParseError: no partial
// result is returned.
func Dump(ctx context.Context, o DumpOptions) ([]*Flow, error) {
	sc, err := DumpScanner(ctx, o)
	if err != nil {
		return nil, err
	}
	var flows []*Flow
	for sc.Scan() {
		if f := sc.Flow(); f != nil {
			flows = append(flows, f.Clone())
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return flows, nil
}
