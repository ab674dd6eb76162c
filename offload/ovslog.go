// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"context"
	"fmt"
	"time"

	"github.com/ovsoffload/ovsoffload/appctl"
	"github.com/ovsoffload/ovsoffload/ovslog"
)

// OVSLogOptions says how ReadOVSLog reads ovs-vswitchd's log.
type OVSLogOptions struct {
	// Path is ovs-vswitchd's log file (its --log-file).
	Path string
	// Window, when positive, is a debug window: Modules are raised to dbg
	// at the file destination for that long before the log is read, and
	// put back to their exact previous levels after (also when ctx ends).
	Window time.Duration
	// Socket is ovs-vswitchd's control socket for the window: a path, a
	// daemon name, or "" for ovs-vswitchd found from its pid file in
	// $OVS_RUNDIR (see appctl.FindSocket).
	Socket string
	// Modules are the modules the window raises; nil means
	// ovslog.DebugModules (OVS's TC offload modules, 3.x and 4.0 names).
	Modules []string
	// During, if set, runs while the window is open (for example traffic
	// that makes OVS install flows); its context ends with the window.
	During func(ctx context.Context) error
}

// ReadOVSLog reads ovs-vswitchd's log for Node.Log, after a debug window
// when opts.Window is set, and returns the modules the window raised. The
// whole file is read, so the lines OVS logs at start (probe tc, Flow API
// enabled) count too. A window whose levels could not be put back fails
// with an *appctl.RestoreError naming them.
func ReadOVSLog(ctx context.Context, opts OVSLogOptions) (*ovslog.Log, []string, error) {
	if opts.Path == "" {
		return nil, nil, fmt.Errorf("offload: reading ovs-vswitchd's log: no path")
	}
	var raised []string
	if opts.Window > 0 {
		if _, err := ovslog.Size(opts.Path); err != nil {
			return nil, nil, fmt.Errorf("offload: %w", err)
		}
		sock, err := appctl.FindSocket("", opts.Socket)
		if err != nil {
			return nil, nil, fmt.Errorf("offload: debug window: %w", err)
		}
		c, err := appctl.Dial(sock)
		if err != nil {
			return nil, nil, fmt.Errorf("offload: debug window: %w", err)
		}
		defer c.Close()
		modules := opts.Modules
		if modules == nil {
			modules = ovslog.DebugModules
		}
		raised, err = appctl.Window{Modules: modules, Duration: opts.Window}.Run(ctx, c, opts.During)
		if err != nil {
			return nil, raised, fmt.Errorf("offload: debug window: %w", err)
		}
	}
	l, err := ovslog.ReadFile(opts.Path, 0)
	if err != nil {
		return nil, raised, fmt.Errorf("offload: %w", err)
	}
	return l, raised, nil
}
