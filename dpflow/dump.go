// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ovsoffload/ovsoffload/appctl"
)

// DumpOptions say which ovs-vswitchd to ask and how. Every option of
// dpctl/dump-flows ([-m] [--names | --no-names] [dp] [filter=..] [type=..]
// [pmd=..]) has a field.
type DumpOptions struct {
	// Target is the ovs-appctl target (-t): a control socket path such as
	// /var/run/openvswitch/ovs-vswitchd.1234.ctl, or a daemon name whose
	// socket is found from its pid file in RunDir (appctl.FindSocket).
	// Empty means ovs-vswitchd.
	Target string
	// RunDir is where a daemon named by Target keeps its pid file; empty
	// means appctl.DefaultRunDir().
	RunDir string
	// Verbose adds -m: ufid, all masks, offloaded, dp and dp-extra-info.
	Verbose bool
	// Names adds --names: port names instead of numbers. ovs-appctl's dpctl
	// already prints names with -m unless NoNames is set.
	Names bool
	// NoNames adds --no-names: port numbers even with -m.
	NoNames bool
	// Datapath optionally names the datapath (e.g. "system@ovs-system").
	Datapath string
	// Filter adds filter=: only flows matching this OpenFlow-style match
	// (ovs-ofctl's field syntax, for example "ip,nw_src=10.0.0.7" or
	// "in_port=p1"), as dpctl parses it.
	Filter string
	// Types filters by type= (lib/dpctl.c's list: "ovs", "tc", "dpdk",
	// "offloaded", "non-offloaded", "partially-offloaded", "all"; there is
	// no "doca": OVS-DOCA's flows are "offloaded", its partial ones
	// "partially-offloaded" as dp:ovs, and any other word is an error).
	Types []string
	// PMD adds pmd=: only the flows of this PMD thread (userspace datapath;
	// -1 is the main thread). Nil means every thread.
	PMD *int
}

// Args returns the arguments of the dpctl/dump-flows command that the dump
// sends, after checking the options.
func (o DumpOptions) Args() ([]string, error) {
	var args []string
	if o.Verbose {
		args = append(args, "-m")
	}
	if o.Names && o.NoNames {
		return nil, fmt.Errorf("dpflow: Names and NoNames are exclusive")
	}
	if o.Names {
		args = append(args, "--names")
	}
	if o.NoNames {
		args = append(args, "--no-names")
	}
	if o.Datapath != "" {
		if strings.HasPrefix(o.Datapath, "-") || strings.ContainsAny(o.Datapath, " \t\n=") || strings.ContainsFunc(o.Datapath, isCtl) {
			return nil, fmt.Errorf("dpflow: bad datapath name %q", o.Datapath)
		}
		args = append(args, o.Datapath)
	}
	if o.Filter != "" {
		if strings.ContainsAny(o.Filter, " \t") || strings.ContainsFunc(o.Filter, isCtl) {
			return nil, fmt.Errorf("dpflow: bad dump filter %q: a match without spaces or control characters", o.Filter)
		}
		args = append(args, "filter="+o.Filter)
	}
	if len(o.Types) > 0 {
		for _, t := range o.Types {
			if t == "" || strings.Trim(t, "abcdefghijklmnopqrstuvwxyz-") != "" {
				return nil, fmt.Errorf("dpflow: bad dump type %q", t)
			}
		}
		args = append(args, "type="+strings.Join(o.Types, ","))
	}
	if o.PMD != nil {
		if *o.PMD < -1 {
			return nil, fmt.Errorf("dpflow: bad pmd %d", *o.PMD)
		}
		args = append(args, fmt.Sprintf("pmd=%d", *o.PMD))
	}
	return args, nil
}

func isCtl(r rune) bool { return r < 0x20 || r == 0x7f }

// Argv returns the ovs-appctl command line equivalent to the dump, for
// messages and for running it by hand; the dump itself runs no process.
func (o DumpOptions) Argv() ([]string, error) {
	args, err := o.Args()
	if err != nil {
		return nil, err
	}
	argv := []string{"ovs-appctl"}
	if o.Target != "" {
		if strings.HasPrefix(o.Target, "-") || strings.ContainsAny(o.Target, " \t\n") {
			return nil, fmt.Errorf("dpflow: bad ovs-appctl target %q", o.Target)
		}
		argv = append(argv, "-t", o.Target)
	}
	return append(append(argv, "dpctl/dump-flows"), args...), nil
}

// dial checks the options and connects to the daemon's control socket.
func (o DumpOptions) dial() (*appctl.Client, []string, error) {
	if _, err := o.Argv(); err != nil {
		return nil, nil, err
	}
	args, err := o.Args()
	if err != nil {
		return nil, nil, err
	}
	path, err := appctl.FindSocket(o.RunDir, o.Target)
	if err != nil {
		return nil, nil, fmt.Errorf("dpflow: dump flows: %w", err)
	}
	c, err := appctl.Dial(path)
	if err != nil {
		return nil, nil, fmt.Errorf("dpflow: dump flows: %w", err)
	}
	return c, args, nil
}

// DumpRaw asks ovs-vswitchd for dpctl/dump-flows over its control socket
// (no process is run) and returns the text as ovs-appctl would print it.
func DumpRaw(ctx context.Context, o DumpOptions) ([]byte, error) {
	c, args, err := o.dial()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var b bytes.Buffer
	if err := c.CallStream(ctx, &b, "dpctl/dump-flows", args...); err != nil {
		return nil, fmt.Errorf("dpflow: dump flows: %w", err)
	}
	return b.Bytes(), nil
}

// DumpScanner runs the dump and returns a Scanner over its output. The
// output is held whole (a Scanner has no Close to end a streamed dump
// early; DumpEach streams); the flows are parsed one at a time.
func DumpScanner(ctx context.Context, o DumpOptions) (*Scanner, error) {
	out, err := DumpRaw(ctx, o)
	if err != nil {
		return nil, err
	}
	return NewScanner(bytes.NewReader(out)), nil
}

// errStopped ends the socket side of a dump whose reader stopped early.
var errStopped = errors.New("dpflow: dump reader stopped")

// DumpEach streams the dump: each flow is parsed as its line arrives on
// the control socket and passed to fn, before the rest of the dump is
// read, so memory stays bounded by one flow and the first flow comes
// early. fn's *Flow is valid only during the call (Clone keeps it). It
// returns fn's first error, a line's *ParseError, or the daemon's error;
// stopping early closes the connection.
func DumpEach(ctx context.Context, o DumpOptions, fn func(*Flow) error) error {
	c, args, err := o.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	// Stopping early cancels the call, which wakes a read blocked on a
	// daemon that sends nothing more.
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := c.CallStream(cctx, pw, "dpctl/dump-flows", args...)
		if err != nil && !errors.Is(err, errStopped) {
			err = fmt.Errorf("dpflow: dump flows: %w", err)
		}
		pw.CloseWithError(err)
		done <- err
	}()
	sc := NewScanner(pr)
	var fnErr error
	for sc.Scan() {
		if f := sc.Flow(); f != nil {
			if fnErr = fn(f); fnErr != nil {
				break
			}
		}
	}
	stopped := fnErr != nil || sc.Err() != nil
	pr.CloseWithError(errStopped)
	if stopped {
		cancel()
	}
	callErr := <-done
	switch {
	case fnErr != nil:
		return fnErr
	case sc.Err() != nil && (callErr == nil || errors.Is(callErr, errStopped) || errors.Is(callErr, context.Canceled) && ctx.Err() == nil):
		return sc.Err()
	case callErr != nil && !errors.Is(callErr, errStopped):
		return callErr
	}
	return sc.Err()
}

// Dump runs the dump and parses every flow. Header lines are dropped. A line
// that does not parse fails the whole dump with its *ParseError: no partial
// result is returned. The dump is parsed as it arrives (DumpEach).
func Dump(ctx context.Context, o DumpOptions) ([]*Flow, error) {
	var flows []*Flow
	err := DumpEach(ctx, o, func(f *Flow) error {
		flows = append(flows, f.Clone())
		return nil
	})
	if err != nil {
		return nil, err
	}
	return flows, nil
}
