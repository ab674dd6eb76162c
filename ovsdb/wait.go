// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"context"
	"fmt"

	"github.com/ovsoffload/ovsoffload/internal/ifname"
)

// InterfaceError reports an interface ovs-vswitchd could not set up: it
// wrote the reason in the interface's error column.
type InterfaceError struct {
	Name    string
	Message string
}

// Error formats the interface name and ovs-vswitchd's reason.
func (e *InterfaceError) Error() string {
	return fmt.Sprintf("ovsdb: interface %q: %s", e.Name, e.Message)
}

// WaitInterfaceReady blocks until ovs-vswitchd assigned the interface an
// OpenFlow port number, which it returns, or reported an error
// (*InterfaceError). It is driven by monitor updates and returns ctx's
// error, wrapped, when ctx ends first.
func (c *Client) WaitInterfaceReady(ctx context.Context, name string) (int, error) {
	if err := ifname.Validate(name); err != nil {
		return 0, &ValidationError{Field: "interface name", Value: name, Err: err}
	}
	var ofport int
	var ierr error
	err := c.waitFor(ctx, func() bool {
		i := c.ifaceByName(name)
		if i == nil {
			return false
		}
		if i.Error != nil && *i.Error != "" {
			ierr = &InterfaceError{Name: name, Message: *i.Error}
			return true
		}
		if i.Ofport != nil && *i.Ofport > 0 {
			ofport = *i.Ofport
			return true
		}
		return false
	})
	if err != nil {
		return 0, fmt.Errorf("ovsdb: waiting for interface %q to get an ofport: %w", name, err)
	}
	return ofport, ierr
}

// WaitOVNInstalled blocks until ovn-controller marked the interface with
// external_ids:ovn-installed=true, i.e. its flows are installed. It is
// driven by monitor updates and honours ctx. When ovs-vswitchd writes an
// error into the interface's error column first (such as "could not open
// network device pf0vf9 (No such device)"), it returns at once with an
// *InterfaceError: ovn-controller binds no interface OVS could not open.
func (c *Client) WaitOVNInstalled(ctx context.Context, name string) error {
	if err := ifname.Validate(name); err != nil {
		return &ValidationError{Field: "interface name", Value: name, Err: err}
	}
	var ierr error
	err := c.waitFor(ctx, func() bool {
		i := c.ifaceByName(name)
		if i == nil {
			return false
		}
		if i.ExternalIDs["ovn-installed"] == "true" {
			return true
		}
		if i.Error != nil && *i.Error != "" {
			ierr = &InterfaceError{Name: name, Message: *i.Error}
			return true
		}
		return false
	})
	if err != nil {
		return fmt.Errorf("ovsdb: waiting for ovn-installed on interface %q: %w", name, err)
	}
	return ierr
}
