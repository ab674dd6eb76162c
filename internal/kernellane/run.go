// SPDX-License-Identifier: Apache-2.0

package kernellane

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
)

// commandTimeout bounds every command a fixture runs: a hung tool must fail
// the test, not the lane's global timeout.
const commandTimeout = 60 * time.Second

// Run runs argv (never through a shell) and returns its standard output; it
// fails t when the command fails.
func Run(t testing.TB, argv ...string) string {
	t.Helper()
	out, err := TryRun(argv...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return out
}

// TryRun runs argv and returns its standard output, or an error
// (*cmdexec.ExitError) carrying its standard error.
func TryRun(argv ...string) (string, error) {
	return runEnv(nil, argv...)
}

func runEnv(env []string, argv ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	out, err := cmdexec.Exec{Env: env}.Run(ctx, argv...)
	return string(out), err
}

// Eventually calls check every interval until it returns nil or timeout
// passes, and returns check's last error.
func Eventually(timeout, interval time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(interval)
	}
}

// lines returns the non-empty lines of s that contain every one of subs.
func lines(s string, subs ...string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		ok := true
		for _, sub := range subs {
			if !strings.Contains(l, sub) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}
