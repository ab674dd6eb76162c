// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"context"
	"errors"
	"io/fs"
	"testing"
)

// TestNoSysFS checks the public empty sysfs view a Client in another
// network namespace uses (dpu-setup --netns): discovery finds nothing and
// fails nothing, and a write is refused as absent, never applied.
func TestNoSysFS(t *testing.T) {
	fsys := NoSysFS()
	inv, err := DiscoverSysfs(fsys)
	if err != nil {
		t.Fatalf("DiscoverSysfs(NoSysFS()): %v", err)
	}
	if n := len(inv.Representors()); n != 0 || len(inv.Skipped) != 0 {
		t.Fatalf("NoSysFS shows %d representors, %d skipped; want none", n, len(inv.Skipped))
	}
	if err := fsys.WriteFile("class/net/p0/device/sriov_numvfs", []byte("4")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("WriteFile on NoSysFS = %v, want fs.ErrNotExist", err)
	}
	if _, err := fs.ReadFile(fsys, "class/net/p0/ifindex"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadFile on NoSysFS = %v, want fs.ErrNotExist", err)
	}
}

// TestRealSysFS checks the public view of the real /sys reads the kernel's
// tree: every netdev in class/net has an ifindex.
func TestRealSysFS(t *testing.T) {
	fsys := RealSysFS()
	ents, err := fs.ReadDir(fsys, "class/net")
	if err != nil {
		t.Skipf("no /sys/class/net here: %v", err)
	}
	if len(ents) == 0 {
		t.Fatal("/sys/class/net is empty (no lo?)")
	}
	if _, err := fs.ReadFile(fsys, "class/net/"+ents[0].Name()+"/ifindex"); err != nil {
		t.Fatalf("ifindex of %s: %v", ents[0].Name(), err)
	}
}

// TestNoSysFSInNetns opens a Client in a fresh network namespace with
// NoSysFS: its discovery does not show the caller's netdevs, which the real
// /sys would.
func TestNoSysFSInNetns(t *testing.T) {
	n := newTestNS(t, Config{SysFS: NoSysFS()})
	n.veth(t, "nsv0", "nsv1", true)
	inv, err := n.client.Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Representors()) != 0 || len(inv.Skipped) != 0 {
		t.Fatalf("discovery in the namespace shows %v, skipped %v; want nothing", inv.Representors(), inv.Skipped)
	}
	if _, err := n.client.rt.LinkByName("nsv0"); err != nil {
		t.Fatalf("the Client does not work in the namespace: %v", err)
	}
}
