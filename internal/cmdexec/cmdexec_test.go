// SPDX-License-Identifier: Apache-2.0

package cmdexec

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestRunArgvNotShell(t *testing.T) {
	// A shell would expand $HOME and split on ';'. An argument vector must not.
	out, err := Exec{}.Run(context.Background(), "echo", "$HOME;", "x y")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out); got != "$HOME; x y\n" {
		t.Fatalf("got %q", got)
	}
}

func TestRunExitError(t *testing.T) {
	_, err := Exec{}.Run(context.Background(), "ls", "/nonexistent-ovsoffload")
	var ee *ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("want *ExitError, got %T %v", err, err)
	}
	if ee.Code == 0 || !strings.Contains(ee.Stderr, "nonexistent-ovsoffload") {
		t.Fatalf("exit error lacks code or stderr: %+v", ee)
	}
	if !strings.Contains(err.Error(), "ls /nonexistent-ovsoffload") {
		t.Fatalf("message lacks the command: %v", err)
	}
}

func TestRunEnvAndEmpty(t *testing.T) {
	out, err := Exec{Env: []string{"OVSOFFLOAD_X=42"}}.Run(context.Background(), "printenv", "OVSOFFLOAD_X")
	if err != nil || string(out) != "42\n" {
		t.Fatalf("env not passed: %q %v", out, err)
	}
	if _, err := (Exec{}).Run(context.Background()); err == nil {
		t.Fatal("empty argv accepted")
	}
}
