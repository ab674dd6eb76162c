// SPDX-License-Identifier: Apache-2.0

package ovstest

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
	"github.com/ovsoffload/ovsoffload/internal/ifname"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// SwitchOptions configures StartSwitch.
type SwitchOptions struct {
	// OtherConfig is written to the Open_vSwitch row's other_config before
	// ovs-vswitchd starts (settings such as hw-offload are read only then).
	OtherConfig map[string]string
	// ExternalIDs is written to the Open_vSwitch row's external_ids.
	ExternalIDs map[string]string
}

// Switch is a running ovsdb-server and ovs-vswitchd pair. ovs-vswitchd runs
// in its own network namespace with the userspace (netdev) datapath; bridges
// made with AddBridge use it.
type Switch struct {
	// DB is the switch's database server.
	DB *DB
	// Netns is the network namespace ovs-vswitchd runs in.
	Netns string
	// Dir is the run directory: control sockets, bridge management sockets
	// (<bridge>.mgmt) and logs.
	Dir string
	// Ctl is ovs-vswitchd's control socket, for ovs-appctl -t.
	Ctl string
	// Log is ovs-vswitchd's log file.
	Log string

	proc  *cmdexec.Process
	hosts int
}

// StartSwitch starts an ovsdb-server and an ovs-vswitchd in a fresh network
// namespace for t, and tears both down (and the namespace) when the test
// ends. It needs root and the openvswitch-switch package.
func StartSwitch(t TB, opts ...SwitchOptions) *Switch {
	t.Helper()
	testenv.RequireOVS(t)
	var o SwitchOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	dir := shortTempDir(t)
	ns := NewNetns(t)
	db := StartDB(t, DBOptions{Dir: dir})
	db.Vsctl(t, "init")
	if len(o.OtherConfig) > 0 || len(o.ExternalIDs) > 0 {
		args := []string{"set", "Open_vSwitch", "."}
		for _, k := range sortedKeys(o.OtherConfig) {
			args = append(args, fmt.Sprintf("other_config:%s=%q", k, o.OtherConfig[k]))
		}
		for _, k := range sortedKeys(o.ExternalIDs) {
			args = append(args, fmt.Sprintf("external_ids:%s=%q", k, o.ExternalIDs[k]))
		}
		db.Vsctl(t, args...)
	}
	s := &Switch{DB: db, Netns: ns, Dir: dir,
		Ctl: filepath.Join(dir, "ovs-vswitchd.ctl"), Log: filepath.Join(dir, "ovs-vswitchd.log")}
	argv := []string{"ip", "netns", "exec", ns, "ovs-vswitchd", db.Endpoint(),
		"--unixctl=" + s.Ctl, "--log-file=" + s.Log, "-vconsole:off", "-vfile:info", "--no-chdir"}
	p, err := startDaemon(dir, "ovs-vswitchd", ovsEnv(dir), argv...)
	if err != nil {
		t.Fatalf("ovstest: starting ovs-vswitchd: %v", err)
	}
	s.proc = p
	remember("pid", p.PID(), "ovs-vswitchd")
	// Registered after the DB's cleanup, so it runs before it (LIFO).
	t.Cleanup(func() {
		if err := p.Stop(10 * time.Second); err != nil {
			t.Errorf("ovstest: stopping ovs-vswitchd: %v", err)
		}
	})
	if err := waitSocket(s.Ctl, p, s.Log, stderrPath(dir, "ovs-vswitchd")); err != nil {
		t.Fatalf("ovstest: ovs-vswitchd did not start: %v", err)
	}
	remember("pid", db.PID(), "ovsdb-server")
	return s
}

// Env returns the environment entries that point OVS tools at this switch's
// run directory (so "ovs-ofctl dump-flows br0" finds <Dir>/br0.mgmt).
func (s *Switch) Env() []string { return ovsEnv(s.Dir) }

// PID returns ovs-vswitchd's process ID.
func (s *Switch) PID() int { return s.proc.PID() }

// Vsctl runs ovs-vsctl against the switch's database, waiting for
// ovs-vswitchd to apply the change, and returns its output.
func (s *Switch) Vsctl(t TB, args ...string) string {
	t.Helper()
	return run(t, s.Env(), append([]string{"ovs-vsctl", "--db=" + s.DB.Endpoint(), "--timeout=30"}, args...)...)
}

// Appctl sends a command (args[0]) with its arguments to ovs-vswitchd's
// control socket, as ovs-appctl -t would, and returns the reply's text. It
// speaks the socket itself (package appctl): no ovs-appctl process is run.
func (s *Switch) Appctl(t TB, args ...string) string {
	t.Helper()
	return appctlCall(t, s.Ctl, args...)
}

// Ofctl runs ovs-ofctl with the switch's run directory, so bridge names
// resolve to this switch's management sockets.
func (s *Switch) Ofctl(t TB, args ...string) string {
	t.Helper()
	return run(t, s.Env(), append([]string{"ovs-ofctl"}, args...)...)
}

// Exec runs a command inside the switch's network namespace.
func (s *Switch) Exec(t TB, argv ...string) string {
	t.Helper()
	return run(t, s.Env(), append([]string{"ip", "netns", "exec", s.Netns}, argv...)...)
}

// AddBridge creates a bridge on the userspace datapath and brings its
// internal interface up.
func (s *Switch) AddBridge(t TB, name string) {
	t.Helper()
	if err := ifname.Validate(name); err != nil {
		t.Fatalf("ovstest: AddBridge: %v", err)
	}
	s.Vsctl(t, "add-br", name, "--", "set", "Bridge", name, "datapath_type=netdev")
	s.Exec(t, "ip", "link", "set", name, "up")
}

// AddInternalPort plugs an internal port (a tap device of the userspace
// datapath) into bridge and brings it up in the switch's namespace.
func (s *Switch) AddInternalPort(t TB, bridge, name string) {
	t.Helper()
	if err := ifname.Validate(name); err != nil {
		t.Fatalf("ovstest: AddInternalPort: %v", err)
	}
	s.Vsctl(t, "add-port", bridge, name, "--", "set", "Interface", name, "type=internal")
	s.Exec(t, "ip", "link", "set", name, "up")
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
