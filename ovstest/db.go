// SPDX-License-Identifier: Apache-2.0

package ovstest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// VswitchSchema is where Debian's openvswitch-common installs the
// Open_vSwitch database schema.
const VswitchSchema = "/usr/share/openvswitch/vswitch.ovsschema"

// StartTimeout bounds how long a daemon may take to become ready.
var StartTimeout = 20 * time.Second

// DBOptions configures StartDB. The zero value starts an Open_vSwitch
// database on a unix socket.
type DBOptions struct {
	// Schema is the .ovsschema file; empty means VswitchSchema.
	Schema string
	// Remotes are extra --remote arguments (for example "ptcp:6640:127.0.0.1"
	// or "pssl:0:127.0.0.1"); the unix socket is always there.
	Remotes []string
	// ExtraArgs are appended to the ovsdb-server command line (for example
	// --private-key, --certificate, --ca-cert for SSL remotes).
	ExtraArgs []string
	// Dir is the directory for the database, socket and logs; empty means a
	// new t.TempDir().
	Dir string
	// Name distinguishes several servers sharing one Dir (files are named
	// after it); empty means "ovsdb".
	Name string
}

// DB is a running ovsdb-server owned by a test.
type DB struct {
	// Dir holds the database file, socket, control socket and log.
	Dir string
	// File is the database file.
	File string
	// Socket is the path of the unix socket clients connect to.
	Socket string
	// Ctl is the path of the server's unixctl socket (for ovs-appctl -t).
	Ctl string
	// Log is the server's log file.
	Log string

	t    TB
	opts DBOptions
	mu   sync.Mutex
	proc *cmdexec.Process
}

// StartDB starts a real ovsdb-server for t and stops it when the test ends.
// It needs root (for consistency with the switch helpers, not for the server
// itself) and the openvswitch-switch package.
func StartDB(t TB, opts ...DBOptions) *DB {
	t.Helper()
	testenv.RequireBinaries(t, "openvswitch-switch", "ovsdb-server", "ovsdb-tool", "ovs-vsctl")
	var o DBOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.Schema == "" {
		o.Schema = VswitchSchema
	}
	if _, err := os.Stat(o.Schema); err != nil {
		testenv.Missing(t, "OVSDB schema %s: %v (install openvswitch-common)", o.Schema, err)
	}
	if o.Name == "" {
		o.Name = "ovsdb"
	}
	dir := o.Dir
	if dir == "" {
		dir = shortTempDir(t)
	}
	d := &DB{
		Dir:    dir,
		File:   filepath.Join(dir, o.Name+".db"),
		Socket: filepath.Join(dir, o.Name+".sock"),
		Ctl:    filepath.Join(dir, o.Name+".ctl"),
		Log:    filepath.Join(dir, o.Name+".log"),
		t:      t,
		opts:   o,
	}
	run(t, nil, "ovsdb-tool", "create", d.File, o.Schema)
	if err := d.start(); err != nil {
		t.Fatalf("ovstest: %v", err)
	}
	t.Cleanup(func() {
		if err := d.stop(); err != nil {
			t.Errorf("ovstest: stopping ovsdb-server: %v", err)
		}
	})
	return d
}

// Endpoint returns the address clients use: "unix:<socket>".
func (d *DB) Endpoint() string { return "unix:" + d.Socket }

// PID returns the server's process ID, or 0 when it is not running.
func (d *DB) PID() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.proc == nil || d.proc.Exited() {
		return 0
	}
	return d.proc.PID()
}

func (d *DB) start() error {
	argv := []string{"ovsdb-server", d.File,
		"--remote=punix:" + d.Socket,
		"--unixctl=" + d.Ctl,
		"--log-file=" + d.Log,
		"-vconsole:off", "-vfile:info",
		"--no-chdir",
	}
	for _, r := range d.opts.Remotes {
		argv = append(argv, "--remote="+r)
	}
	argv = append(argv, d.opts.ExtraArgs...)
	_ = os.Remove(d.Socket)
	p, err := startDaemon(d.Dir, d.opts.Name, ovsEnv(d.Dir), argv...)
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.proc = p
	d.mu.Unlock()
	if err := waitSocket(d.Socket, p, d.Log, stderrPath(d.Dir, d.opts.Name)); err != nil {
		_ = p.Kill()
		return fmt.Errorf("ovsdb-server did not start: %w", err)
	}
	return nil
}

func (d *DB) stop() error {
	d.mu.Lock()
	p := d.proc
	d.mu.Unlock()
	if p == nil {
		return nil
	}
	return p.Stop(5 * time.Second)
}

// Kill ends the server abruptly with SIGKILL, as a crash would, leaving the
// database file as it is. Restart brings it back.
func (d *DB) Kill(t TB) {
	t.Helper()
	d.mu.Lock()
	p := d.proc
	d.mu.Unlock()
	if p == nil {
		t.Fatalf("ovstest: Kill: ovsdb-server is not running")
	}
	if err := p.Kill(); err != nil {
		t.Fatalf("ovstest: %v", err)
	}
}

// Restart starts the server again on the same database file and socket,
// after Kill or a crash. Clients that reconnect find the same data.
func (d *DB) Restart(t TB) {
	t.Helper()
	if d.PID() != 0 {
		if err := d.stop(); err != nil {
			t.Fatalf("ovstest: %v", err)
		}
	}
	if err := d.start(); err != nil {
		t.Fatalf("ovstest: %v", err)
	}
}

// Vsctl runs ovs-vsctl against this database with --no-wait (there is no
// ovs-vswitchd to wait for) and returns its output; the test fails on error.
func (d *DB) Vsctl(t TB, args ...string) string {
	t.Helper()
	return run(t, nil, append([]string{"ovs-vsctl", "--db=" + d.Endpoint(), "--no-wait", "--timeout=30"}, args...)...)
}

// Appctl sends a command (args[0]) with its arguments to this server's
// control socket, as ovs-appctl -t would, and returns the reply's text (no
// ovs-appctl process is run).
func (d *DB) Appctl(t TB, args ...string) string {
	t.Helper()
	return appctlCall(t, d.Ctl, args...)
}

// ovsEnv points OVS's run, log, database and configuration directories at dir
// so that nothing global is read or written.
func ovsEnv(dir string) []string {
	return []string{"OVS_RUNDIR=" + dir, "OVS_LOGDIR=" + dir, "OVS_DBDIR=" + dir, "OVS_SYSCONFDIR=" + dir}
}

// waitSocket waits until a unix socket accepts a connection, failing early
// when the process exits.
func waitSocket(path string, p *cmdexec.Process, logs ...string) error {
	deadline := time.Now().Add(StartTimeout)
	for delay := time.Millisecond; time.Now().Before(deadline); delay = min(delay*2, 50*time.Millisecond) {
		if p.Exited() {
			return fmt.Errorf("exited early (%v); %s", p.Err(), tails(logs))
		}
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(delay)
	}
	return fmt.Errorf("socket %s not ready after %v; %s", path, StartTimeout, tails(logs))
}

// tails returns the last lines of each log file, for error messages.
func tails(paths []string) string {
	var b strings.Builder
	for _, p := range paths {
		fmt.Fprintf(&b, "\n--- %s:\n%s", p, tail(p))
	}
	return b.String()
}

// startDaemon starts a daemon whose standard output and error go to
// <dir>/<name>.stderr, so a daemon that dies at once explains why.
func startDaemon(dir, name string, env []string, argv ...string) (*cmdexec.Process, error) {
	f, err := os.OpenFile(stderrPath(dir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer f.Close() // the child keeps its own descriptor
	return cmdexec.Start(cmdexec.StartOptions{Env: env, Output: f}, argv...)
}

func stderrPath(dir, name string) string { return filepath.Join(dir, name+".stderr") }

// tail returns the last lines of a log file, for error messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}

// shortTempDir returns a test temporary directory whose path is short enough
// for unix socket names (108 bytes), which long test names can exceed.
func shortTempDir(t TB) string {
	t.Helper()
	dir := t.TempDir()
	if len(dir) < 70 {
		return dir
	}
	short, err := os.MkdirTemp("", Prefix)
	if err != nil {
		t.Fatalf("ovstest: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(short) })
	return short
}
