// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/ifname"
	"github.com/ovsoffload/ovsoffload/internal/sysfs"
)

// DefaultVFWait bounds SetNumVFs's wait for VFs and representors when the
// context has no deadline.
const DefaultVFWait = 30 * time.Second

// MaxVFs is the most VFs any PF can have: the SR-IOV capability's TotalVFs
// field (sriov_totalvfs) is 16 bits.
const MaxVFs = 65535

// vfPoll is how often SetNumVFs looks for new VFs and representors.
var vfPoll = 50 * time.Millisecond

// NumVFs returns the PF's sriov_numvfs and sriov_totalvfs; totalVFs is -1
// when the device does not say (netdevsim has no sriov_totalvfs).
func (c *Client) NumVFs(pfNetdev string) (numVFs, totalVFs int, err error) {
	if err := ifname.Validate(pfNetdev); err != nil {
		return 0, 0, err
	}
	dir := "class/net/" + pfNetdev + "/device/"
	numVFs, err = readInt(c.fsys, dir+"sriov_numvfs")
	if err != nil {
		return 0, 0, err
	}
	totalVFs, err = readInt(c.fsys, dir+"sriov_totalvfs")
	if errors.Is(err, ErrNotSupported) {
		return numVFs, -1, nil
	}
	return numVFs, totalVFs, err
}

func readInt(fsys SysFS, name string) (int, error) {
	s, err := sysfs.ReadString(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, fmt.Errorf("eswitch: %s: no SR-IOV here: %w", name, ErrNotSupported)
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("eswitch: %s holds %q: %w", name, s, err)
	}
	return n, nil
}

// SetNumVFs sets the PF's VF count (sriov_numvfs) and waits, bounded by ctx
// (DefaultVFWait when ctx has no deadline), until the VFs exist and, when
// the PF is a switchdev uplink, until their representors pf<N>vf0.. have
// appeared. Changing a non-zero count goes through 0 first, as the kernel
// requires. On a timeout the error says what is missing and matches
// context.DeadlineExceeded. It returns the inventory in which the
// representors were found.
func (c *Client) SetNumVFs(ctx context.Context, pfNetdev string, n int) (*Inventory, error) {
	cur, total, err := c.NumVFs(pfNetdev)
	if err != nil {
		return nil, err
	}
	if n < 0 || n > MaxVFs {
		return nil, fmt.Errorf("eswitch: %d VFs asked of %s: a PF has 0 to %d (PCI SR-IOV's TotalVFs is 16 bits)", n, pfNetdev, MaxVFs)
	}
	if total >= 0 && n > total {
		return nil, fmt.Errorf("eswitch: %s supports 0 to %d VFs (sriov_totalvfs), %d asked", pfNetdev, total, n)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultVFWait)
		defer cancel()
	}
	file := "class/net/" + pfNetdev + "/device/sriov_numvfs"
	if cur != n {
		if cur != 0 && n != 0 {
			if err := c.fsys.WriteFile(file, []byte("0")); err != nil {
				return nil, &OpError{Op: "write sriov_numvfs 0", Object: pfNetdev, Err: err}
			}
		}
		if err := c.fsys.WriteFile(file, []byte(strconv.Itoa(n))); err != nil {
			return nil, &OpError{Op: "write sriov_numvfs " + strconv.Itoa(n), Object: pfNetdev, Err: err}
		}
	}
	// The first check runs even when ctx has already ended, and a check the
	// deadline cuts short reports what the previous one found missing: the
	// timeout error always says what is missing, however late the
	// deadline fell.
	var missing []string
	for checked := false; ; checked = true {
		inv, now, err := c.vfsReady(ctx, pfNetdev, n)
		if err != nil {
			if ctx.Err() != nil && checked {
				return nil, vfWaitError(ctx, pfNetdev, n, missing)
			}
			return nil, err
		}
		if missing = now; len(missing) == 0 {
			return inv, nil
		}
		select {
		case <-ctx.Done():
			return nil, vfWaitError(ctx, pfNetdev, n, missing)
		case <-time.After(vfPoll):
		}
	}
}

// vfWaitError is SetNumVFs's timeout: what is missing, matching ctx's error.
func vfWaitError(ctx context.Context, pfNetdev string, n int, missing []string) error {
	return fmt.Errorf("eswitch: %s: %d VFs set but still missing: %s: %w", pfNetdev, n, strings.Join(missing, ", "), ctx.Err())
}

// vfsReady reports what is still missing after asking for n VFs.
func (c *Client) vfsReady(ctx context.Context, pfNetdev string, n int) (*Inventory, []string, error) {
	var missing []string
	// Only a PCI PF has virtfnN links to count (a netdevsim device has VFs
	// but no PCI functions for them).
	if _, err := fs.Stat(c.fsys, "class/net/"+pfNetdev+"/device/vendor"); err == nil {
		vfs, err := VFs(c.fsys, pfNetdev)
		if err != nil {
			return nil, nil, err
		}
		if len(vfs) != n {
			missing = append(missing, fmt.Sprintf("%d of %d VF PCI functions", n-len(vfs), n))
		}
	}
	inv, err := c.Discover(ctx)
	if err != nil {
		return nil, nil, err
	}
	up, err := inv.ByName(pfNetdev)
	if err != nil || up.Flavour != FlavourPhysical {
		return inv, missing, nil // not a switchdev uplink: no representors to wait for
	}
	for vf := range n {
		_, err := inv.find("", func(r Representor) bool {
			return r.Flavour == FlavourPCIVF && !r.External && r.PF == up.PF && int(r.VF) == vf &&
				r.SwitchID == up.SwitchID && r.Name != ""
		})
		if err != nil {
			missing = append(missing, Identity{Flavour: FlavourPCIVF, PF: up.PF, VF: uint16(vf)}.PortName()+" representor")
		}
	}
	return inv, missing, nil
}
