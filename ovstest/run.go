// SPDX-License-Identifier: Apache-2.0

package ovstest

import (
	"context"
	"strings"
	"time"

	"github.com/ovsoffload/ovsoffload/appctl"
	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
)

// CommandTimeout bounds every command the harness runs for a test.
var CommandTimeout = 60 * time.Second

// run runs argv with extra environment entries and fails the test on error.
func run(t TB, env []string, argv ...string) string {
	t.Helper()
	out, err := tryRun(env, argv...)
	if err != nil {
		t.Fatalf("ovstest: %v", err)
	}
	return out
}

// tryRun runs argv with extra environment entries and returns its standard
// output with the trailing newline removed.
func tryRun(env []string, argv ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), CommandTimeout)
	defer cancel()
	out, err := cmdexec.Exec{Env: env}.Run(ctx, argv...)
	return strings.TrimRight(string(out), "\n"), err
}

// appctlCall sends one command to a daemon's control socket with the
// project's appctl client (no ovs-appctl process) and returns the reply's
// text with the trailing newline removed, as ovs-appctl prints it.
func appctlCall(t TB, socket string, args ...string) string {
	t.Helper()
	if len(args) == 0 {
		t.Fatalf("ovstest: appctl: no command")
	}
	ctx, cancel := context.WithTimeout(context.Background(), CommandTimeout)
	defer cancel()
	c, err := appctl.Dial(socket)
	if err != nil {
		t.Fatalf("ovstest: %v", err)
	}
	defer c.Close()
	out, err := c.Call(ctx, args[0], args[1:]...)
	if err != nil {
		t.Fatalf("ovstest: %v", err)
	}
	return strings.TrimRight(out, "\n")
}
