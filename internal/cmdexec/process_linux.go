// SPDX-License-Identifier: Apache-2.0

package cmdexec

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is a long-running child process, such as a daemon started by a test
// harness. It is killed when the parent process dies (Linux parent-death
// signal), so a crashed test run leaves no daemon behind.
type Process struct {
	argv []string
	cmd  *exec.Cmd
	done chan struct{}
	mu   sync.Mutex
	err  error // the result of Wait, valid once done is closed
}

// StartOptions configures Start.
type StartOptions struct {
	// Env entries (KEY=VALUE) added to the environment.
	Env []string
	// Output, when set, receives the process' standard output and error
	// (typically a log file). Otherwise both are discarded.
	Output *os.File
	// Dir is the working directory; empty means the current one.
	Dir string
}

// Start starts argv as a child process and returns at once.
func Start(opts StartOptions, argv ...string) (*Process, error) {
	if len(argv) == 0 {
		return nil, errors.New("cmdexec: empty argument vector")
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(cmd.Environ(), opts.Env...)
	cmd.Dir = opts.Dir
	if opts.Output != nil {
		cmd.Stdout = opts.Output
		cmd.Stderr = opts.Output
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, &ExitError{Argv: append([]string(nil), argv...), Code: -1, Err: err}
	}
	p := &Process{argv: append([]string(nil), argv...), cmd: cmd, done: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(p.done)
	}()
	return p, nil
}

// PID returns the process ID.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Exited reports whether the process has exited (and been reaped).
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Done returns a channel closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err returns how the process ended; nil while it runs or after a clean exit.
func (p *Process) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Signal sends sig to the process' process group (the daemon and anything it
// forked).
func (p *Process) Signal(sig syscall.Signal) error {
	if p.Exited() {
		return nil
	}
	return syscall.Kill(-p.PID(), sig)
}

// Stop asks the process to exit with SIGTERM, waits up to grace, then sends
// SIGKILL. It returns an error if the process is still alive afterwards, and
// it proves the PID is gone (reaped and no longer signalable).
func (p *Process) Stop(grace time.Duration) error {
	if !p.Exited() {
		_ = p.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(grace):
			_ = p.Signal(syscall.SIGKILL)
			select {
			case <-p.done:
			case <-time.After(10 * time.Second):
				return fmt.Errorf("cmdexec: %s (pid %d) survived SIGKILL", strings.Join(p.argv, " "), p.PID())
			}
		}
	}
	// The child has been reaped by Wait; the PID must be gone now.
	if err := syscall.Kill(p.PID(), 0); !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("cmdexec: pid %d still exists after %s exited (kill 0: %v)", p.PID(), p.argv[0], err)
	}
	return nil
}

// Kill ends the process at once with SIGKILL and waits for it.
func (p *Process) Kill() error {
	if !p.Exited() {
		_ = p.Signal(syscall.SIGKILL)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			return fmt.Errorf("cmdexec: pid %d survived SIGKILL", p.PID())
		}
	}
	return nil
}
