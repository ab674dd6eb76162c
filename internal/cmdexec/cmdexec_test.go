package cmdexec

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
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

func TestProcessStopProvesGone(t *testing.T) {
	p, err := Start(StartOptions{}, "sleep", "60")
	if err != nil {
		t.Fatal(err)
	}
	pid := p.PID()
	if p.Exited() {
		t.Fatal("exited at once")
	}
	if err := p.Stop(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("pid %d still there: %v", pid, err)
	}
	if !p.Exited() {
		t.Fatal("Exited() false after Stop")
	}
}

func TestProcessIgnoringTERMIsKilled(t *testing.T) {
	p, err := Start(StartOptions{}, "bash", "-c", "trap '' TERM; sleep 60 & wait")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // let bash install the trap
	if err := p.Stop(300 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
}

func TestRunLines(t *testing.T) {
	var got []string
	err := Exec{}.RunLines(context.Background(), func(s string) { got = append(got, s) },
		"sh", "-c", `echo one; echo two >&2; printf 'x%.0s' $(seq 70000); echo; printf last`)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[0] != "one" || got[1] != "two" || len(got[2]) != maxLine || got[3] != "last" {
		t.Fatalf("lines: %d, %q", len(got), got)
	}
	err = Exec{}.RunLines(context.Background(), func(string) {}, "sh", "-c", "echo why; exit 3")
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 3 || ee.Stderr != "why" {
		t.Fatalf("exit 3: %v", err)
	}
}

func TestRunLinesCancelKillsGroup(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	pidFile := filepath.Join(t.TempDir(), "pid")
	start := time.Now()
	// the child sleep would outlive its shell if only the shell were killed
	err := Exec{}.RunLines(ctx, func(string) {}, "sh", "-c", "sleep 30 & echo $! >"+pidFile+"; wait")
	if err == nil || time.Since(start) > 10*time.Second {
		t.Fatalf("cancelled run: err %v after %v", err, time.Since(start))
	}
	b, _ := os.ReadFile(pidFile)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if pid <= 0 {
		t.Fatalf("no pid of the child: %q", b)
	}
	deadline := time.Now().Add(5 * time.Second)
	alive := func() bool { // a zombie waiting for its new parent counts as gone
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
		return err == nil && !strings.Contains(string(b), ") Z ")
	}
	for alive() {
		if time.Now().After(deadline) {
			t.Fatalf("child %d of the cancelled group still runs", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
