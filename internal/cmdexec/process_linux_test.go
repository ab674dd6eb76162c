// SPDX-License-Identifier: Apache-2.0

package cmdexec

import (
	"errors"
	"syscall"
	"testing"
	"time"
)

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
