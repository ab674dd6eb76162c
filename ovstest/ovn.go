// SPDX-License-Identifier: Apache-2.0

package ovstest

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// OVN schema files installed by Debian's ovn-common.
const (
	NBSchema = "/usr/share/ovn/ovn-nb.ovsschema"
	SBSchema = "/usr/share/ovn/ovn-sb.ovsschema"
)

// OVNCentral is OVN's central part: the northbound and southbound database
// servers and ovn-northd, running in the root network namespace. Chassis in
// other namespaces reach the southbound database through its unix socket,
// which needs no routing between namespaces.
type OVNCentral struct {
	// NB is the northbound database server.
	NB *DB
	// SB is the southbound database server.
	SB *DB
	// Dir holds the databases, sockets and logs.
	Dir string

	northd *cmdexec.Process
}

// StartOVNCentral starts OVN NB, SB and ovn-northd for t. It needs root and
// the ovn-central package.
func StartOVNCentral(t TB) *OVNCentral {
	t.Helper()
	testenv.RequireOVN(t)
	dir := shortTempDir(t)
	c := &OVNCentral{Dir: dir}
	c.NB = StartDB(t, DBOptions{Schema: NBSchema, Dir: dir, Name: "nb"})
	c.SB = StartDB(t, DBOptions{Schema: SBSchema, Dir: dir, Name: "sb"})
	log := filepath.Join(dir, "northd.log")
	p, err := startDaemon(dir, "ovn-northd", ovnEnv(dir), "ovn-northd",
		"--ovnnb-db="+c.NB.Endpoint(), "--ovnsb-db="+c.SB.Endpoint(),
		"--unixctl="+filepath.Join(dir, "northd.ctl"), "--log-file="+log, "-vconsole:off", "--no-chdir")
	if err != nil {
		t.Fatalf("ovstest: starting ovn-northd: %v", err)
	}
	c.northd = p
	remember("pid", p.PID(), "ovn-northd")
	remember("pid", c.NB.PID(), "ovsdb-server")
	remember("pid", c.SB.PID(), "ovsdb-server")
	t.Cleanup(func() {
		if err := p.Stop(5 * time.Second); err != nil {
			t.Errorf("ovstest: stopping ovn-northd: %v", err)
		}
	})
	if err := waitSocket(filepath.Join(dir, "northd.ctl"), p, log, stderrPath(dir, "ovn-northd")); err != nil {
		t.Fatalf("ovstest: ovn-northd did not start: %v", err)
	}
	return c
}

// NBctl runs ovn-nbctl against the northbound database.
func (c *OVNCentral) NBctl(t TB, args ...string) string {
	t.Helper()
	return run(t, nil, append([]string{"ovn-nbctl", "--db=" + c.NB.Endpoint(), "--timeout=30"}, args...)...)
}

// SBctl runs ovn-sbctl against the southbound database.
func (c *OVNCentral) SBctl(t TB, args ...string) string {
	t.Helper()
	return run(t, nil, append([]string{"ovn-sbctl", "--db=" + c.SB.Endpoint(), "--timeout=30"}, args...)...)
}

// WaitHV waits until every chassis has applied the northbound database's
// current contents (ovn-nbctl --wait=hv sync).
func (c *OVNCentral) WaitHV(t TB) {
	t.Helper()
	c.NBctl(t, "--wait=hv", "sync")
}

// ovnEnv points OVN's run, log and database directories at dir.
func ovnEnv(dir string) []string {
	return []string{"OVN_RUNDIR=" + dir, "OVN_LOGDIR=" + dir, "OVN_DBDIR=" + dir, "OVN_SYSCONFDIR=" + dir}
}

// OVNController is an ovn-controller serving one switch.
type OVNController struct {
	// Ctl is its control socket, for ovs-appctl -t.
	Ctl string
	// Log is its log file.
	Log string

	proc *cmdexec.Process
}

// StartOVNController starts ovn-controller for the switch, in the switch's
// network namespace and run directory (so it finds br-int.mgmt). The
// Open_vSwitch row must already hold the chassis keys (system-id,
// ovn-remote, ovn-encap-type, ovn-encap-ip); the caller writes them.
func (s *Switch) StartOVNController(t TB) *OVNController {
	t.Helper()
	testenv.RequireBinaries(t, "ovn-host", "ovn-controller")
	c := &OVNController{Log: filepath.Join(s.Dir, "ovn-controller.log")}
	env := append(s.Env(), ovnEnv(s.Dir)...)
	// ovn-controller has no --unixctl option: its control socket is
	// $OVN_RUNDIR/ovn-controller.<pid>.ctl.
	p, err := startDaemon(s.Dir, "ovn-controller", env, "ip", "netns", "exec", s.Netns,
		"ovn-controller", s.DB.Endpoint(), "--log-file="+c.Log, "-vconsole:off", "--no-chdir")
	if err != nil {
		t.Fatalf("ovstest: starting ovn-controller: %v", err)
	}
	c.proc = p
	remember("pid", p.PID(), "ovn-controller")
	t.Cleanup(func() {
		if err := p.Stop(10 * time.Second); err != nil {
			t.Errorf("ovstest: stopping ovn-controller: %v", err)
		}
	})
	c.Ctl = filepath.Join(s.Dir, fmt.Sprintf("ovn-controller.%d.ctl", p.PID()))
	if err := waitSocket(c.Ctl, p, c.Log, stderrPath(s.Dir, "ovn-controller")); err != nil {
		t.Fatalf("ovstest: ovn-controller did not start: %v", err)
	}
	return c
}

// Underlay is a network namespace holding a Linux bridge with the gateway
// address: the "top of rack" that chassis uplinks attach to.
type Underlay struct {
	// Netns is the underlay's network namespace.
	Netns string
	// Gateway is the gateway address with prefix (for example 10.1.65.1/24).
	Gateway string

	links int
}

// NewUnderlay creates an underlay network whose bridge holds gatewayCIDR.
func NewUnderlay(t TB, gatewayCIDR string) *Underlay {
	t.Helper()
	u := &Underlay{Netns: NewNetns(t), Gateway: gatewayCIDR}
	run(t, nil, "ip", "-n", u.Netns, "link", "add", "br0", "type", "bridge")
	run(t, nil, "ip", "-n", u.Netns, "addr", "add", gatewayCIDR, "dev", "br0")
	run(t, nil, "ip", "-n", u.Netns, "link", "set", "br0", "up")
	return u
}

// Attach connects the switch to the underlay with a veth pair whose switch
// end is called port (for example "p0", the uplink). The switch end is up
// and carries no address; TX checksum offload is off on both ends.
func (u *Underlay) Attach(t TB, s *Switch, port string) {
	t.Helper()
	u.links++
	far := fmt.Sprintf("u%d", u.links)
	run(t, nil, "ip", "link", "add", port, "netns", s.Netns, "type", "veth", "peer", "name", far, "netns", u.Netns)
	remember("link", port, "")
	run(t, nil, "ip", "-n", u.Netns, "link", "set", far, "master", "br0")
	run(t, nil, "ip", "-n", u.Netns, "link", "set", far, "up")
	run(t, nil, "ip", "-n", s.Netns, "link", "set", port, "up")
	InNetns(t, u.Netns, "ethtool", "-K", far, "tx", "off")
	InNetns(t, s.Netns, "ethtool", "-K", port, "tx", "off")
}
