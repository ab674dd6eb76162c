// SPDX-License-Identifier: Apache-2.0

// Package cmdexec runs external programs with argument vectors, never through
// a shell. It is, with the other internal packages, the only place where the
// project calls os/exec.
package cmdexec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// Runner runs a program and returns its standard output. Implementations must
// not interpret arguments through a shell.
type Runner interface {
	// Run runs argv[0] with the remaining arguments. On a non-zero exit status
	// it returns an *ExitError carrying the program's standard error.
	Run(ctx context.Context, argv ...string) ([]byte, error)
}

// ExitError reports a program that ran and failed, or could not be started.
type ExitError struct {
	Argv   []string // the command as run
	Code   int      // exit status, -1 when the program did not start or was killed
	Stderr string   // what the program wrote to standard error, trimmed
	Err    error    // the underlying error from os/exec
}

// Error formats the command, its exit status and its standard error.
func (e *ExitError) Error() string {
	msg := fmt.Sprintf("%s: %v", strings.Join(e.Argv, " "), e.Err)
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

// Unwrap returns the underlying os/exec error.
func (e *ExitError) Unwrap() error { return e.Err }

// Exec is the Runner that starts real processes. Env, when not nil, is added
// to the process environment (KEY=VALUE entries).
type Exec struct {
	Env []string
}

// Run implements Runner.
func (x Exec) Run(ctx context.Context, argv ...string) ([]byte, error) {
	if len(argv) == 0 {
		return nil, errors.New("cmdexec: empty argument vector")
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	if x.Env != nil {
		cmd.Env = append(cmd.Environ(), x.Env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	if err != nil {
		code := -1
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		return stdout.Bytes(), &ExitError{Argv: append([]string(nil), argv...), Code: code,
			Stderr: strings.TrimSpace(stderr.String()), Err: err}
	}
	return stdout.Bytes(), nil
}
