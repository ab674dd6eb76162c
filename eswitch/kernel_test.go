// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
	"github.com/ovsoffload/ovsoffload/internal/sysfs"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// TestKernelDiscoverNetdevsim runs discovery on real switchdev
// representors: a netdevsim device with one port, put in switchdev mode
// through devlink, given two VFs through sriov_numvfs. It needs the kernel
// lane's VM (testenv.RequireKernelLane): netdevsim is not in every kernel,
// and creating devices changes the machine. netdevsim labels its uplink p1
// (port index 0, port number 1) while its VF ports say PF 0: the uplink
// found before the VFs must resolve after them.
func TestKernelDiscoverNetdevsim(t *testing.T) {
	testenv.RequireKernelLane(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	root := sysfs.Root()
	if _, err := fs.Stat(root, "bus/netdevsim/new_device"); err != nil {
		if _, err := (cmdexec.Exec{}).Run(ctx, "modprobe", "netdevsim"); err != nil {
			testenv.Missing(t, "netdevsim module: %v", err)
		}
	}
	id := 100 + os.Getpid()%800
	dev := fmt.Sprintf("netdevsim%d", id)
	if err := root.WriteFile("bus/netdevsim/new_device", fmt.Appendf(nil, "%d 1", id)); err != nil {
		t.Fatalf("create %s: %v", dev, err)
	}
	t.Cleanup(func() {
		if err := root.WriteFile("bus/netdevsim/del_device", fmt.Appendf(nil, "%d", id)); err != nil {
			t.Errorf("delete %s: %v", dev, err)
		}
	})
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h := DeviceHandle{Bus: "netdevsim", Device: dev}
	// The devlink instance registers asynchronously after new_device.
	var mode Mode
	for {
		mode, err = c.EswitchMode(ctx, h)
		if !errors.Is(err, ErrNotFound) || ctx.Err() != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("devlink eswitch show %s: %v", h, err)
	}
	t.Logf("%s starts in mode %s", h, mode)
	if err := c.SetEswitchMode(ctx, h, ModeSwitchdev); err != nil {
		t.Fatal(err)
	}
	inv, err := c.Discover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if inv.DevlinkErr != nil {
		t.Fatalf("devlink dump: %v", inv.DevlinkErr)
	}
	var uplink Representor
	for _, r := range inv.Representors() {
		if r.Handle.Bus == "netdevsim" && r.Handle.Device == dev && r.Flavour == FlavourPhysical {
			uplink = r
		}
	}
	if uplink.Name == "" {
		t.Fatalf("no uplink of %s in %v", dev, inv.Representors())
	}
	// devlink's port attributes and the netdev's phys_port_name agree.
	if pn, err := sysfs.ReadString(root, "class/net/"+uplink.Name+"/phys_port_name"); err != nil || pn != uplink.PortName() {
		t.Fatalf("uplink %s: phys_port_name %q, %v; devlink says %s", uplink, pn, err, uplink.PortName())
	}
	t.Logf("uplink %s, PF %d before the VFs", uplink, uplink.PF)
	inv, err = c.SetNumVFs(ctx, uplink.Name, 2)
	if err != nil {
		t.Fatalf("SetNumVFs(%s, 2): %v", uplink.Name, err)
	}
	t.Cleanup(func() {
		if _, err := c.SetNumVFs(context.Background(), uplink.Name, 0); err != nil {
			t.Errorf("SetNumVFs(%s, 0): %v", uplink.Name, err)
		}
	})
	for vf := range uint16(2) {
		r, err := inv.VF(Local, 0, vf)
		if err != nil {
			t.Fatalf("VF(Local, 0, %d): %v\nall: %v", vf, err, inv.Representors())
		}
		if r.Name == "" || r.Handle.Device != dev || r.Source != SourceDevlink || r.SwitchID != uplink.SwitchID {
			t.Fatalf("VF(Local, 0, %d) = %+v (uplink %+v)", vf, r, uplink)
		}
		if _, err := inv.VF(Host, 0, vf); !errors.Is(err, ErrNotFound) {
			t.Fatalf("VF(Host, 0, %d) matched a local VF: %v", vf, err)
		}
		t.Logf("found %s", r)
	}
	up, err := inv.Resolve(uplink.Identity)
	if err != nil || up.Name != uplink.Name {
		t.Fatalf("Resolve(uplink) = %s, %v", up, err)
	}
	t.Logf("uplink %s, PF %d with the VFs", up, up.PF)
	// netdevsim lets hw-tc-offload change: a real set and read-back.
	if err := c.SetHWTCOffload(ctx, uplink.Name, true); err != nil {
		t.Fatalf("SetHWTCOffload(%s): %v", uplink.Name, err)
	}
	if st, err := c.HWTCOffload(ctx, uplink.Name); err != nil || !st.Active {
		t.Fatalf("hw-tc-offload of %s: %+v, %v", uplink.Name, st, err)
	}
}
