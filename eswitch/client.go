// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ovsoffload/ovsoffload/internal/sysfs"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// Config says where a Client works. The zero value is the calling
// process's network namespace and the real /sys.
type Config struct {
	// SysFS is the sysfs to read; nil means the real /sys. It must be a
	// sysfs mounted in the namespace NetNS names: /sys/class/net lists the
	// netdevs of the namespace that mounted it. With a NetNS whose sysfs is
	// not mounted anywhere, pass [NoSysFS].
	SysFS SysFS
	// NetNS is an open file descriptor of the network namespace to work
	// in (from vishvananda/netns or /run/netns/NAME); 0 means the caller's.
	// The Client does not close it.
	NetNS int
}

// RealSysFS returns the real /sys of this process's mount namespace, what
// [New] uses when Config.SysFS is nil, for the functions that take a SysFS
// (such as [VFs] and [DiscoverSysfs]).
func RealSysFS() SysFS { return sysfs.Root() }

// NoSysFS returns an empty view of /sys, with an empty class/net, for a
// Client whose NetNS has no sysfs mounted where this process can read it
// (the real /sys shows the caller's namespace, not NetNS's). Discovery from
// sysfs then finds no representor, so the caller names ports and links
// directly; writes fail with an error matching fs.ErrNotExist.
func NoSysFS() SysFS { return sysfs.NewFake().Dir("class/net") }

// Client talks to the kernel about one node's eswitch: devlink, ethtool
// and rtnetlink sockets in one network namespace, and sysfs. It is safe for
// concurrent use; Close releases its sockets.
type Client struct {
	cfg  Config
	fsys SysFS
	rt   *netlink.Handle

	mu      sync.Mutex
	dl      *devlinkConn
	dlErr   error
	et      *ethtoolConn
	etErr   error
	stepErr func(step string) error // fault injection for tests; nil in production
}

// New opens a Client. The rtnetlink socket is opened now; the devlink and
// ethtool generic netlink sockets on first use.
func New(cfg Config) (*Client, error) {
	c := &Client{cfg: cfg, fsys: cfg.SysFS}
	if c.fsys == nil {
		c.fsys = sysfs.Root()
	}
	var err error
	if cfg.NetNS != 0 {
		c.rt, err = netlink.NewHandleAt(netns.NsHandle(cfg.NetNS))
	} else {
		c.rt, err = netlink.NewHandle()
	}
	if err != nil {
		return nil, &OpError{Op: "open rtnetlink socket", Object: "netns", Err: err}
	}
	return c, nil
}

// Close closes every socket the Client opened.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	if c.dl != nil {
		errs = append(errs, c.dl.close())
		c.dl = nil
	}
	if c.et != nil {
		errs = append(errs, c.et.close())
		c.et = nil
	}
	if c.rt != nil {
		c.rt.Close()
		c.rt = nil
	}
	return errors.Join(errs...)
}

// devlink returns the devlink socket, dialling it once.
func (c *Client) devlink() (*devlinkConn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dl == nil && c.dlErr == nil {
		c.dl, c.dlErr = dialDevlink(c.cfg.NetNS)
	}
	return c.dl, c.dlErr
}

// ethtool returns the ethtool socket, dialling it once.
func (c *Client) ethtool() (*ethtoolConn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.et == nil && c.etErr == nil {
		c.et, c.etErr = dialEthtool(c.cfg.NetNS)
	}
	return c.et, c.etErr
}

// clientPorts adapts the Client's devlink socket to portLister, reporting
// a dial failure as the dump's error (discovery then falls back to sysfs).
type clientPorts struct{ c *Client }

func (p clientPorts) ports(ctx context.Context) ([]devlinkPort, error) {
	dl, err := p.c.devlink()
	if err != nil {
		return nil, err
	}
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	return dl.ports(ctx)
}

// Discover finds every representor: the devlink port dump when the kernel
// answers it, sysfs otherwise (Inventory.DevlinkErr says why).
func (c *Client) Discover(ctx context.Context) (*Inventory, error) {
	return discover(ctx, c.fsys, clientPorts{c})
}

// Refresh finds r again by identity, with its current name and ifindex.
// Use it before acting on a representor found earlier: its netdev may have
// been renamed or re-created since.
func (c *Client) Refresh(ctx context.Context, r Representor) (Representor, error) {
	inv, err := c.Discover(ctx)
	if err != nil {
		return Representor{}, err
	}
	return inv.Resolve(r.Identity)
}

// EswitchMode returns the eswitch mode of devlink device h
// ("pci/0000:03:00.0").
func (c *Client) EswitchMode(ctx context.Context, h DeviceHandle) (Mode, error) {
	dl, err := c.devlink()
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return dl.eswitchMode(ctx, h)
}

// SetEswitchMode puts devlink device h in mode. It does nothing when the
// device is already in that mode; it checks the mode after the change.
func (c *Client) SetEswitchMode(ctx context.Context, h DeviceHandle, mode Mode) error {
	if mode != ModeLegacy && mode != ModeSwitchdev {
		return fmt.Errorf("eswitch: unknown eswitch mode %q (want %q or %q)", mode, ModeLegacy, ModeSwitchdev)
	}
	cur, err := c.EswitchMode(ctx, h)
	if err != nil {
		return err
	}
	if cur == mode {
		return nil
	}
	dl, err := c.devlink()
	if err != nil {
		return err
	}
	c.mu.Lock()
	err = dl.setEswitchMode(ctx, h, mode)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	got, err := c.EswitchMode(ctx, h)
	if err != nil {
		return err
	}
	if got != mode {
		return &OpError{Op: "devlink eswitch set mode " + string(mode), Object: h.String(), Err: fmt.Errorf("kernel reports mode %s after the change", got)}
	}
	return nil
}

// step runs the test fault injector, if any, before a named step of a
// multi-step change.
func (c *Client) step(name string) error {
	if c.stepErr != nil {
		return c.stepErr(name)
	}
	return nil
}
