// SPDX-License-Identifier: Apache-2.0

package kernellane

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const nsimBus = "/sys/bus/netdevsim"

// Netdevsim is a netdevsim device with SR-IOV VFs in switchdev mode: an
// emulated eswitch. The lane's netdevsim accepts flower rules as if it had
// offloaded them (in_hw), while the port's hw-tc-offload is on.
type Netdevsim struct {
	ID     int               // bus device id: netdevsim<ID>, devlink handle netdevsim/netdevsim<ID>
	Uplink string            // netdev of the physical port (phys_port_name p<N>)
	VFReps map[int]string    // VF number -> representor netdev (phys_port_name pf0vf<N>)
	Ports  map[string]string // phys_port_name -> netdev, every port of the device
}

// DevlinkHandle returns the device's devlink handle, "netdevsim/netdevsim<ID>".
func (n *Netdevsim) DevlinkHandle() string { return fmt.Sprintf("netdevsim/netdevsim%d", n.ID) }

// SysfsDir returns the device's directory on the netdevsim bus.
func (n *Netdevsim) SysfsDir() string {
	return filepath.Join(nsimBus, "devices", fmt.Sprintf("netdevsim%d", n.ID))
}

// NewNetdevsim loads netdevsim, creates device id with one port and numVFs
// VFs, switches its eswitch to switchdev and waits for every representor.
// Cleanup deletes the device.
func NewNetdevsim(t testing.TB, id, numVFs int) *Netdevsim {
	t.Helper()
	LoadModules(t, "netdevsim")
	n := &Netdevsim{ID: id}
	if err := os.WriteFile(filepath.Join(nsimBus, "new_device"), []byte(fmt.Sprintf("%d 1", id)), 0); err != nil {
		t.Fatalf("creating netdevsim%d: %v", id, err)
	}
	t.Cleanup(func() {
		if err := os.WriteFile(filepath.Join(nsimBus, "del_device"), []byte(strconv.Itoa(id)), 0); err != nil {
			t.Errorf("deleting netdevsim%d: %v", id, err)
		}
	})
	if err := Eventually(30*time.Second, 50*time.Millisecond, func() error {
		_, err := os.Stat(filepath.Join(n.SysfsDir(), "net"))
		return err
	}); err != nil {
		t.Fatalf("netdevsim%d has no netdev: %v", id, err)
	}
	if numVFs > nsimDefaultMaxVFs { // netdevsim allows 4 VFs unless debugfs says more
		maxVFs := filepath.Join(nsimDebugfs, fmt.Sprintf("netdevsim%d", id), "max_vfs")
		if err := os.WriteFile(maxVFs, []byte(strconv.Itoa(numVFs)), 0); err != nil {
			t.Fatalf("netdevsim%d: allowing %d VFs: %v", id, numVFs, err)
		}
	}
	if err := os.WriteFile(filepath.Join(n.SysfsDir(), "sriov_numvfs"), []byte(strconv.Itoa(numVFs)), 0); err != nil {
		t.Fatalf("netdevsim%d: enabling %d VFs: %v", id, numVFs, err)
	}
	Run(t, "devlink", "dev", "eswitch", "set", n.DevlinkHandle(), "mode", "switchdev")
	if err := Eventually(30*time.Second, 50*time.Millisecond, func() error {
		if err := n.scan(); err != nil {
			return err
		}
		if n.Uplink == "" || len(n.VFReps) != numVFs {
			return fmt.Errorf("netdevsim%d: uplink %q and %d of %d VF representors (ports %v)",
				id, n.Uplink, len(n.VFReps), numVFs, n.Ports)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, dev := range n.Ports {
		Run(t, "ip", "link", "set", dev, "up")
	}
	t.Logf("netdevsim%d: uplink %s, VF representors %v", id, n.Uplink, n.VFReps)
	return n
}

// scan reads every netdev of the device and its phys_port_name.
func (n *Netdevsim) scan() error {
	entries, err := os.ReadDir(filepath.Join(n.SysfsDir(), "net"))
	if err != nil {
		return err
	}
	n.Ports = map[string]string{}
	n.VFReps = map[int]string{}
	n.Uplink = ""
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("/sys/class/net", e.Name(), "phys_port_name"))
		if err != nil {
			continue // a netdev without a port name is no eswitch port
		}
		name := strings.TrimSpace(string(b))
		n.Ports[name] = e.Name()
		if vf, ok := strings.CutPrefix(name, "pf0vf"); ok {
			if i, err := strconv.Atoi(vf); err == nil {
				n.VFReps[i] = e.Name()
			}
		} else if num, ok := strings.CutPrefix(name, "p"); ok && isDigits(num) {
			n.Uplink = e.Name()
		}
	}
	return nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// AttachInjector makes traffic enter representor rep, which as a netdevsim
// port never receives packets: it creates a Host (see AddVethHost) named
// name with address cidr, whose root-namespace veth end redirects everything
// it receives into rep's ingress (tc matchall, mirred ingress redirect).
// Nothing comes back, so the host gets a static neighbour entry for every
// address in peers (IPv4 address -> MAC) it will send to.
func AttachInjector(t testing.TB, name, cidr, rep string, peers map[string]string) *Host {
	t.Helper()
	h := AddVethHost(t, name, cidr)
	Run(t, "tc", "qdisc", "add", "dev", h.Port, "ingress")
	Run(t, "tc", "filter", "add", "dev", h.Port, "ingress", "matchall",
		"action", "mirred", "ingress", "redirect", "dev", rep)
	for ip, mac := range peers {
		h.Exec(t, "ip", "neigh", "replace", ip, "lladdr", mac, "dev", h.Dev, "nud", "permanent")
	}
	return h
}

// The emulated eswitch's flower controls (netdevsim-flower.patch), per port in
// debugfs: what the "hardware" refuses and what it counts. Emulation only.
const nsimDebugfs = "/sys/kernel/debug/netdevsim"

// nsimDefaultMaxVFs is netdevsim's NSIM_BUS_DEV_MAX_VFS.
const nsimDefaultMaxVFs = 4

// nsimVFPortBase is netdevsim's NSIM_DEV_VF_PORT_INDEX_BASE: VF n's
// representor is port 128+n.
const nsimVFPortBase = 128

// TCDir returns the debugfs directory of the flower controls of port dev
// (the uplink or a VF representor): ports/<index>/tc of the device.
func (n *Netdevsim) TCDir(t testing.TB, dev string) string {
	t.Helper()
	idx := -1
	for name, netdev := range n.Ports {
		if netdev != dev {
			continue
		}
		if vf, ok := strings.CutPrefix(name, "pf0vf"); ok && isDigits(vf) {
			i, _ := strconv.Atoi(vf)
			idx = nsimVFPortBase + i
		} else if p, ok := strings.CutPrefix(name, "p"); ok && isDigits(p) {
			idx, _ = strconv.Atoi(p)
		}
	}
	if idx < 0 {
		t.Fatalf("netdevsim%d has no port %q (ports %v)", n.ID, dev, n.Ports)
	}
	return filepath.Join(nsimDebugfs, fmt.Sprintf("netdevsim%d", n.ID), "ports", strconv.Itoa(idx), "tc")
}

// RefuseFlower makes the emulated eswitch refuse every new flower rule on
// dev that matches on key with msg as the driver's extended ack, verbatim,
// as a real driver refuses what its hardware cannot do. Keys are the
// patch's names of flow dissector keys: any, ct, eth, vlan, cvlan, ipv4,
// ipv6, ip, ports, tcp, icmp, arp, mpls, enc, meta. An empty key clears the
// refusal. Whatever is configured, a match on ct_state +new is refused with
// "netdevsim: matching on ct_state +new isn't supported", as mlx5 does.
func (n *Netdevsim) RefuseFlower(t testing.TB, dev, key, msg string) {
	t.Helper()
	line := ""
	if key != "" {
		line = key + " " + msg
	}
	path := filepath.Join(n.TCDir(t, dev), "refuse")
	if err := os.WriteFile(path, []byte(line), 0); err != nil {
		t.Fatalf("netdevsim%d %s: refusing %q: %v", n.ID, dev, line, err)
	}
}

// SetHWStats sets the packets and bytes the emulated hardware has counted
// for every flower rule of dev. The next stats request of each rule (a
// filter dump) reports what grew since its last one as hardware counts; the
// kernel adds them to the filter's total, apart from what software counted.
// No packet is involved: the count is the test's.
func (n *Netdevsim) SetHWStats(t testing.TB, dev string, packets, bytes uint64) {
	t.Helper()
	dir := n.TCDir(t, dev)
	for name, v := range map[string]uint64{"hw_packets": packets, "hw_bytes": bytes} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strconv.FormatUint(v, 10)), 0); err != nil {
			t.Fatalf("netdevsim%d %s: setting %s: %v", n.ID, dev, name, err)
		}
	}
}

// HWRules returns how many flower rules the emulated hardware of dev holds.
func (n *Netdevsim) HWRules(t testing.TB, dev string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(n.TCDir(t, dev), "rules"))
	if err != nil {
		t.Fatalf("netdevsim%d %s: %v", n.ID, dev, err)
	}
	v, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("netdevsim%d %s: rules: %v", n.ID, dev, err)
	}
	return v
}

// RenameGuide renames the device's netdevs to the names the seed guide uses
// on a BlueField: the uplink p0 and VF n's representor pf0vf<n>. Names are
// global to the guest's namespace: one device at a time may use them.
func (n *Netdevsim) RenameGuide(t testing.TB) {
	t.Helper()
	rename := func(from, to string) {
		Run(t, "ip", "link", "set", "dev", from, "down")
		Run(t, "ip", "link", "set", "dev", from, "name", to)
		Run(t, "ip", "link", "set", "dev", to, "up")
	}
	if n.Uplink != "" && n.Uplink != "p0" {
		rename(n.Uplink, "p0")
	}
	for vf, dev := range n.VFReps {
		if want := fmt.Sprintf("pf0vf%d", vf); dev != want {
			rename(dev, want)
		}
	}
	if err := n.scan(); err != nil {
		t.Fatal(err)
	}
}
