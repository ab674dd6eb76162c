// SPDX-License-Identifier: Apache-2.0

package appctl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/ovsoffload/ovsoffload"
)

// Sentinel errors of the package, matched with errors.Is. Each is the
// module's shared value (ovsoffload.ErrNotFound, ...), the same in every
// package.
var (
	// ErrNotFound: the daemon's pid file or control socket does not exist.
	// The shared ovsoffload.ErrNotFound.
	ErrNotFound = ovsoffload.ErrNotFound
	// ErrNotSupported: the daemon does not know the command (it answered
	// "... is not a valid command"). The shared ovsoffload.ErrNotSupported.
	ErrNotSupported = ovsoffload.ErrNotSupported
)

// DefaultMaxResponse bounds the size of one reply (64 MiB): a reply larger
// than that is an error, not a partial result.
const DefaultMaxResponse = 64 << 20

// Error is the error reply of a daemon to a command, as ovs-appctl prints
// it on stderr.
type Error struct {
	// Command is the command with its arguments, as sent.
	Command string
	// Message is the daemon's text, verbatim.
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("appctl: %s: %s", e.Command, strings.TrimRight(e.Message, "\n"))
}

// Is makes errors.Is(err, ErrNotSupported) true when the daemon said the
// command is not valid (unixctl's own wording).
func (e *Error) Is(target error) bool {
	return target == ErrNotSupported && strings.Contains(e.Message, "is not a valid command")
}

// Client talks to one daemon over its unixctl control socket (the JSON-RPC
// protocol of OVS's lib/unixctl.c that ovs-appctl speaks). Calls are
// serialised; a Client is safe for concurrent use.
type Client struct {
	// MaxResponse bounds the size of one reply in bytes; 0 means
	// DefaultMaxResponse.
	MaxResponse int64

	mu     sync.Mutex
	conn   net.Conn
	path   string
	nextID int64
	broken error
}

// Dial connects to the control socket at path (for example
// /var/run/openvswitch/ovs-vswitchd.1234.ctl, see FindSocket).
func Dial(path string) (*Client, error) {
	conn, err := net.Dial("unix", path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: control socket %s: %v", ErrNotFound, path, err)
		}
		return nil, fmt.Errorf("appctl: connecting to %s: %w", path, err)
	}
	return &Client{conn: conn, path: path}, nil
}

// Close closes the connection.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken == nil {
		c.broken = net.ErrClosed
	}
	return c.conn.Close()
}

// request is a JSON-RPC 1.0 request as unixctl reads it.
type request struct {
	Method string   `json:"method"`
	Params []string `json:"params"`
	ID     int64    `json:"id"`
}

// Call runs cmd with args on the daemon and returns its reply, verbatim as
// ovs-appctl prints it. An error reply is an *Error. The context bounds the
// call: when it ends the connection is unusable and every later Call fails
// (dial again). A reply that is JSON rather than text (daemons asked for
// JSON output) is returned as its JSON text.
func (c *Client) Call(ctx context.Context, cmd string, args ...string) (string, error) {
	var b strings.Builder
	if err := c.CallStream(ctx, &b, cmd, args...); err != nil {
		return "", err
	}
	return b.String(), nil
}

func isNull(m json.RawMessage) bool {
	return len(m) == 0 || string(bytes.TrimSpace(m)) == "null"
}

// DefaultRunDir is OVS's run directory as ovs-appctl finds it: $OVS_RUNDIR,
// or /var/run/openvswitch.
func DefaultRunDir() string {
	if d := os.Getenv("OVS_RUNDIR"); d != "" {
		return d
	}
	return "/var/run/openvswitch"
}

// maxPIDFile bounds what is read from a pid file.
const maxPIDFile = 64

// FindSocket returns the control socket of target as ovs-appctl -t does:
// a target starting with "/" is the socket's path; otherwise target names
// a daemon ("ovs-vswitchd"), whose pid is read from rundir/target.pid and
// whose socket is rundir/target.PID.ctl. An empty rundir means
// DefaultRunDir(); an empty target means "ovs-vswitchd".
func FindSocket(rundir, target string) (string, error) {
	if target == "" {
		target = "ovs-vswitchd"
	}
	if strings.HasPrefix(target, "/") {
		return filepath.Clean(target), nil
	}
	if strings.ContainsAny(target, "/\x00") || target == "." || target == ".." || strings.ContainsFunc(target, isControl) {
		return "", fmt.Errorf("appctl: target %q: want a daemon name or an absolute socket path", target)
	}
	if rundir == "" {
		rundir = DefaultRunDir()
	}
	pidfile := filepath.Join(rundir, target+".pid")
	f, err := os.Open(pidfile)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("%w: pid file %s (is %s running?)", ErrNotFound, pidfile, target)
		}
		return "", fmt.Errorf("appctl: reading pid file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPIDFile+1))
	if err != nil {
		return "", fmt.Errorf("appctl: reading pid file %s: %w", pidfile, err)
	}
	if len(b) > maxPIDFile {
		return "", fmt.Errorf("appctl: pid file %s: longer than %d bytes", pidfile, maxPIDFile)
	}
	s := strings.TrimSpace(string(b))
	pid, err := strconv.ParseUint(s, 10, 31)
	if err != nil || pid == 0 {
		return "", fmt.Errorf("appctl: pid file %s: %q is not a process id", pidfile, s)
	}
	return filepath.Join(rundir, fmt.Sprintf("%s.%d.ctl", target, pid)), nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
