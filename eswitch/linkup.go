// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"context"
	"fmt"

	"github.com/ovsoffload/ovsoffload/internal/ifname"
)

// SetLinkUp sets the MTU of the link called name when mtu > 0 and it
// differs, then brings the link up: what a CNI does to a VF representor
// before it plugs it into OVS. A missing link matches ErrNotFound.
func (c *Client) SetLinkUp(ctx context.Context, name string, mtu int) error {
	if err := ifname.Validate(name); err != nil {
		return fmt.Errorf("eswitch: link %q: %w", name, err)
	}
	if mtu < 0 || mtu > 65535 {
		return fmt.Errorf("eswitch: link %s: MTU %d out of range 1..65535", name, mtu)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	link, err := c.rt.LinkByName(name)
	if err != nil {
		return linkLookupErr(name, err)
	}
	if mtu > 0 && link.Attrs().MTU != mtu {
		if err := c.rt.LinkSetMTU(link, mtu); err != nil {
			return c.opErr(fmt.Sprintf("set MTU %d", mtu), name, err)
		}
	}
	if err := c.rt.LinkSetUp(link); err != nil {
		return c.opErr("link up", name, err)
	}
	return nil
}
