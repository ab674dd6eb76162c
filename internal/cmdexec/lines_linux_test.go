// SPDX-License-Identifier: Apache-2.0

package cmdexec

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

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
