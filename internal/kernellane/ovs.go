// SPDX-License-Identifier: Apache-2.0

package kernellane

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// ovsSchema is where Debian's openvswitch-common puts the Open_vSwitch schema.
const ovsSchema = "/usr/share/openvswitch/vswitch.ovsschema"

// OVSConfig is what StartOVS writes to the database before ovs-vswitchd starts
// (hw-offload and tc-policy are only read at start-up).
type OVSConfig struct {
	HWOffload bool          // other_config:hw-offload=true
	TCPolicy  string        // other_config:tc-policy: "", none, skip_sw or skip_hw
	MaxIdle   time.Duration // other_config:max-idle; 0 keeps OVS's default (10 s)
}

// OVS is an ovsdb-server and an ovs-vswitchd on the kernel datapath, with
// their database, sockets and logs in a test's temporary directory. The
// kernel datapath is one per kernel: tests using it must not run in parallel.
type OVS struct {
	Dir string   // run, log and database directory
	env []string // OVS_RUNDIR and friends for the ovs-* tools
}

// StartOVS starts ovsdb-server, writes cfg, waits for MinOVSUptime and starts
// ovs-vswitchd. Cleanup stops both, removes the kernel datapath and, when
// the test failed, logs the tail of ovs-vswitchd's log.
func StartOVS(t testing.TB, cfg OVSConfig) *OVS {
	t.Helper()
	testenv.RequireOVS(t)
	switch cfg.TCPolicy {
	case "", "none", "skip_sw", "skip_hw":
	default:
		t.Fatalf("StartOVS: tc-policy %q is not none, skip_sw or skip_hw", cfg.TCPolicy)
	}
	dir, err := os.MkdirTemp("", "kl-ovs-")
	if err != nil {
		t.Fatal(err)
	}
	o := &OVS{Dir: dir, env: []string{
		"OVS_RUNDIR=" + dir, "OVS_LOGDIR=" + dir, "OVS_DBDIR=" + dir, "OVS_SYSCONFDIR=" + dir,
	}}
	db := filepath.Join(dir, "conf.db")
	o.must(t, "ovsdb-tool", "create", db, ovsSchema)
	o.must(t, "ovsdb-server", db, "--remote=punix:"+o.DBSocket(), "--pidfile", "--detach",
		"--log-file="+filepath.Join(dir, "ovsdb-server.log"))
	t.Cleanup(func() { o.stop(t) })

	var settings []string
	if cfg.HWOffload {
		settings = append(settings, "other_config:hw-offload=true")
	}
	if cfg.TCPolicy != "" {
		settings = append(settings, "other_config:tc-policy="+cfg.TCPolicy)
	}
	if cfg.MaxIdle > 0 {
		settings = append(settings, "other_config:max-idle="+strconv.FormatInt(cfg.MaxIdle.Milliseconds(), 10))
	}
	args := []string{"--no-wait", "init"}
	if len(settings) > 0 {
		args = append(append(args, "--", "set", "Open_vSwitch", "."), settings...)
	}
	o.Vsctl(t, args...)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := WaitUptime(ctx, MinOVSUptime); err != nil {
		t.Fatal(err)
	}
	o.must(t, "ovs-vswitchd", "unix:"+o.DBSocket(), "--pidfile", "--detach",
		"--log-file="+filepath.Join(dir, "ovs-vswitchd.log"))
	// ovs-vsctl without --no-wait returns once ovs-vswitchd has applied the database.
	if _, err := o.run("ovs-vsctl", "--db=unix:"+o.DBSocket(), "--timeout=30", "init"); err != nil {
		t.Fatalf("ovs-vswitchd did not come up: %v\n%s", err, o.LogTail(40))
	}
	return o
}

// DBSocket returns the path of ovsdb-server's unix socket.
func (o *OVS) DBSocket() string { return filepath.Join(o.Dir, "db.sock") }

// Vsctl runs ovs-vsctl against this instance and returns its output.
func (o *OVS) Vsctl(t testing.TB, args ...string) string {
	t.Helper()
	return o.must(t, append([]string{"ovs-vsctl", "--db=unix:" + o.DBSocket(), "--timeout=30"}, args...)...)
}

// Appctl runs ovs-appctl against this instance's ovs-vswitchd.
func (o *OVS) Appctl(t testing.TB, args ...string) string {
	t.Helper()
	return o.must(t, append([]string{"ovs-appctl", "--timeout=30"}, args...)...)
}

// Ofctl runs ovs-ofctl against this instance.
func (o *OVS) Ofctl(t testing.TB, args ...string) string {
	t.Helper()
	return o.must(t, append([]string{"ovs-ofctl"}, args...)...)
}

// LogTail returns the last n lines of ovs-vswitchd's log.
func (o *OVS) LogTail(n int) string {
	b, err := os.ReadFile(filepath.Join(o.Dir, "ovs-vswitchd.log"))
	if err != nil {
		return fmt.Sprintf("(no ovs-vswitchd log: %v)", err)
	}
	ls := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, "\n")
}

func (o *OVS) run(argv ...string) (string, error) { return runEnv(o.env, argv...) }

func (o *OVS) must(t testing.TB, argv ...string) string {
	t.Helper()
	out, err := o.run(argv...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return out
}

func (o *OVS) stop(t testing.TB) {
	if t.Failed() || os.Getenv("KERNEL_LANE_OVS_LOG") == "1" {
		t.Logf("ovs-vswitchd log (tail):\n%s", o.LogTail(60))
	}
	if _, err := os.Stat(filepath.Join(o.Dir, "ovs-vswitchd.pid")); err == nil {
		// --cleanup removes the datapath ports and their TC filters.
		if _, err := o.run("ovs-appctl", "--timeout=30", "-t", "ovs-vswitchd", "exit", "--cleanup"); err != nil {
			t.Errorf("stopping ovs-vswitchd: %v", err)
		}
	}
	if _, err := o.run("ovs-appctl", "--timeout=30", "-t", "ovsdb-server", "exit"); err != nil {
		t.Errorf("stopping ovsdb-server: %v", err)
	}
	// The next test gets a fresh kernel datapath; it may already be gone.
	_, _ = TryRun("ovs-dpctl", "del-dp", "ovs-system")
	_ = os.RemoveAll(o.Dir)
}
