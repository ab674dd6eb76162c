// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

// sriovHost is a host PF ens1f0np0 with no VFs yet whose sriov_numvfs file
// behaves like the kernel's: writing N creates N VFs (and, in switchdev
// mode, their representors) a little later, from another goroutine, as a
// driver probing them would; writing 0 removes them before it returns, as
// the kernel does; writing a new non-zero count over a non-zero one fails
// with EBUSY.
type sriovHost struct {
	*fakeTree
	mu       sync.Mutex
	writes   []string
	withReps bool
}

func newSRIOVHost(switchdev, withReps bool) *sriovHost {
	t := newFakeTree()
	sw := ""
	if switchdev {
		sw = "b8cef6030042aa10"
	}
	t.pciDevice(hostPF0, true)
	t.netdev(hostPF0, "ens1f0np0", "p0", sw)
	h := &sriovHost{fakeTree: t, withReps: withReps}
	numvfs := hostPF0 + "/sriov_numvfs"
	t.OnWrite = func(tree fstest.MapFS, name string, data []byte) error {
		if name != "class/net/ens1f0np0/device/sriov_numvfs" {
			return &fs.PathError{Op: "write", Path: name, Err: fs.ErrPermission}
		}
		h.mu.Lock()
		h.writes = append(h.writes, string(data))
		h.mu.Unlock()
		var n int
		if _, err := fmt.Sscan(string(data), &n); err != nil {
			return err
		}
		cur := strings.TrimSpace(string(tree[numvfs].Data))
		if cur != "0" && n != 0 {
			return &fs.PathError{Op: "write", Path: name, Err: errors.New("device or resource busy")}
		}
		tree[numvfs].Data = []byte(fmt.Sprintf("%d\n", n))
		if n == 0 {
			// The kernel removes the VFs (and their representors) before
			// the write returns; it only probes new ones asynchronously.
			removeVFs(tree)
			return nil
		}
		go h.createVFs(n, sw)
		return nil
	}
	return h
}

// removeVFs deletes every VF, VF netdev and VF representor of the tree.
func removeVFs(tree fstest.MapFS) {
	for k := range tree {
		if strings.Contains(k, "/virtfn") || strings.Contains(k, "0000:17:00.") && !strings.HasPrefix(k, hostPF0) ||
			strings.Contains(k, "ens1f0v") || strings.Contains(k, "ens1f0npf0vf") {
			delete(tree, k)
		}
	}
}

// createVFs adds n VFs a little later, and their representors later still.
func (h *sriovHost) createVFs(n int, sw string) {
	time.Sleep(30 * time.Millisecond)
	for i := range n {
		h.vf(hostPF0, i, fmt.Sprintf("0000:17:00.%d", i+2), fmt.Sprintf("ens1f0v%d", i))
	}
	if sw != "" && h.withReps {
		time.Sleep(30 * time.Millisecond)
		for i := range n {
			h.netdev(hostPF0, fmt.Sprintf("ens1f0npf0vf%d", i), fmt.Sprintf("pf0vf%d", i), sw)
		}
	}
}

// client returns a Client that only reads the fake sysfs: devlink is
// marked unavailable so no socket is opened and the host's real devlink
// ports (in the kernel lane) cannot mix into the fake tree.
func (h *sriovHost) client(*testing.T) *Client {
	return &Client{fsys: h, cfg: Config{SysFS: h}, dlErr: fmt.Errorf("devlink disabled for a fake tree: %w", ErrNotSupported)}
}

func TestSetNumVFsWaitsForRepresentors(t *testing.T) {
	h := newSRIOVHost(true, true)
	c := h.client(t)
	inv, err := c.SetNumVFs(context.Background(), "ens1f0np0", 4)
	if err != nil {
		t.Fatal(err)
	}
	for vf := range uint16(4) {
		r, err := inv.VF(Local, 0, vf)
		if err != nil || r.Name != fmt.Sprintf("ens1f0npf0vf%d", vf) {
			t.Fatalf("VF(Local,0,%d) = %s, %v", vf, r, err)
		}
	}
	if n, total, err := c.NumVFs("ens1f0np0"); err != nil || n != 4 || total != 16 {
		t.Fatalf("NumVFs = %d/%d, %v", n, total, err)
	}
	// 4 -> 2 goes through 0, as the kernel demands.
	if _, err := c.SetNumVFs(context.Background(), "ens1f0np0", 2); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(h.writes, ","); got != "4,0,2" {
		t.Fatalf("writes %q, want 4,0,2", got)
	}
	// Same count again: nothing written.
	if _, err := c.SetNumVFs(context.Background(), "ens1f0np0", 2); err != nil || len(h.writes) != 3 {
		t.Fatalf("idempotent SetNumVFs: %v, writes %v", err, h.writes)
	}
}

func TestSetNumVFsBoundedWaitSaysWhatIsMissing(t *testing.T) {
	h := newSRIOVHost(true, false) // VFs appear, representors never do
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := h.client(t).SetNumVFs(ctx, "ens1f0np0", 2)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "pf0vf0 representor") || !strings.Contains(err.Error(), "pf0vf1 representor") {
		t.Fatalf("err = %v, want a deadline naming pf0vf0 and pf0vf1", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("wait took %v, not bounded by the context", d)
	}
}

// TestSetNumVFsDeadlineAlreadyPassedSaysWhatIsMissing is the load-sensitive
// case of TestSetNumVFsBoundedWaitSaysWhatIsMissing made deterministic: the
// deadline has passed before the first check (as a loaded machine can make
// it), and the error still names what is missing and matches the deadline,
// not devlink's absence.
func TestSetNumVFsDeadlineAlreadyPassedSaysWhatIsMissing(t *testing.T) {
	h := newSRIOVHost(true, false)
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Millisecond))
	defer cancel()
	_, err := h.client(t).SetNumVFs(ctx, "ens1f0np0", 2)
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrNotSupported) ||
		!strings.Contains(err.Error(), "pf0vf0 representor") || !strings.Contains(err.Error(), "pf0vf1 representor") {
		t.Fatalf("err = %v, want a deadline naming pf0vf0 and pf0vf1", err)
	}
}

func TestSetNumVFsHostOfDPUWaitsForVFsOnly(t *testing.T) {
	h := newSRIOVHost(false, false)
	inv, err := h.client(t).SetNumVFs(context.Background(), "ens1f0np0", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Representors()) != 0 {
		t.Fatalf("representors on a DPU's host: %v", inv.Representors())
	}
	vfs, err := VFs(h, "ens1f0np0")
	if err != nil || len(vfs) != 3 || vfs[0].Netdevs[0] != "ens1f0v0" {
		t.Fatalf("VFs = %+v, %v", vfs, err)
	}
}

func TestSetNumVFsRejectsBadCountBeforeWriting(t *testing.T) {
	h := newSRIOVHost(true, true)
	c := h.client(t)
	for _, n := range []int{-1, 17} {
		if _, err := c.SetNumVFs(context.Background(), "ens1f0np0", n); err == nil {
			t.Fatalf("SetNumVFs(%d) accepted", n)
		}
	}
	if len(h.writes) != 0 {
		t.Fatalf("wrote %v for a rejected count", h.writes)
	}
	if _, _, err := c.NumVFs("lo"); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("NumVFs(lo): %v, want ErrNotSupported", err)
	}
}

// A device that does not say its sriov_totalvfs (netdevsim) still gets no
// more than SR-IOV can count (issue 13, defect 10).
func TestSetNumVFsBoundedWithoutTotalVFs(t *testing.T) {
	h := newSRIOVHost(true, true)
	h.Remove(hostPF0 + "/sriov_totalvfs")
	c := h.client(t)
	if _, total, err := c.NumVFs("ens1f0np0"); err != nil || total != -1 {
		t.Fatalf("NumVFs: total %d, %v; want -1 (unknown)", total, err)
	}
	for _, n := range []int{MaxVFs + 1, 9223372036854775807} {
		if _, err := c.SetNumVFs(context.Background(), "ens1f0np0", n); err == nil || !strings.Contains(err.Error(), "0 to 65535") {
			t.Fatalf("SetNumVFs(%d) = %v, want a refusal", n, err)
		}
	}
	if len(h.writes) != 0 {
		t.Fatalf("wrote %v for a rejected count", h.writes)
	}
}
