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
	if err := Eventually(5*time.Second, 50*time.Millisecond, func() error {
		_, err := os.Stat(filepath.Join(n.SysfsDir(), "net"))
		return err
	}); err != nil {
		t.Fatalf("netdevsim%d has no netdev: %v", id, err)
	}
	if err := os.WriteFile(filepath.Join(n.SysfsDir(), "sriov_numvfs"), []byte(strconv.Itoa(numVFs)), 0); err != nil {
		t.Fatalf("netdevsim%d: enabling %d VFs: %v", id, numVFs, err)
	}
	Run(t, "devlink", "dev", "eswitch", "set", n.DevlinkHandle(), "mode", "switchdev")
	if err := Eventually(5*time.Second, 50*time.Millisecond, func() error {
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
