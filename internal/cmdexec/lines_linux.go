// SPDX-License-Identifier: Apache-2.0

package cmdexec

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os/exec"
	"strings"
	"syscall"
)

// maxLine bounds one line handed to RunLines' callback; the rest of a
// longer line is dropped (a hostile or broken program cannot make the
// caller buffer without end).
const maxLine = 64 << 10

// RunLines runs argv in a process group of its own and calls line for each
// line it writes to standard output or standard error, merged, as the lines
// come. When ctx ends, the whole group is killed (a script's children too).
// A non-zero exit returns an *ExitError whose Stderr holds the last lines.
func (x Exec) RunLines(ctx context.Context, line func(string), argv ...string) error {
	if len(argv) == 0 {
		return errors.New("cmdexec: empty argument vector")
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	if x.Env != nil {
		cmd.Env = append(cmd.Environ(), x.Env...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		pw.Close()
		return &ExitError{Argv: append([]string(nil), argv...), Code: -1, Err: err}
	}
	var tail []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		r := bufio.NewReaderSize(pr, 4096)
		for {
			s, err := readLine(r)
			if s != "" || err == nil {
				line(s)
				if tail = append(tail, s); len(tail) > 20 {
					tail = tail[1:]
				}
			}
			if err != nil {
				_, _ = io.Copy(io.Discard, pr)
				return
			}
		}
	}()
	err := cmd.Wait()
	pw.Close()
	<-done
	if err != nil {
		code := -1
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		return &ExitError{Argv: append([]string(nil), argv...), Code: code,
			Stderr: strings.Join(tail, "\n"), Err: err}
	}
	return nil
}

// readLine reads one line without its newline, keeping at most maxLine
// bytes of it.
func readLine(r *bufio.Reader) (string, error) {
	var b []byte
	for {
		frag, err := r.ReadSlice('\n')
		if len(b) < maxLine {
			b = append(b, frag[:min(len(frag), maxLine-len(b))]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return strings.TrimRight(string(b), "\r\n"), err
	}
}
