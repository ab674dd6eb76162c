// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"context"
	"fmt"

	vs "github.com/ovsoffload/ovsoffload/ovsdb/internal/vswitchmodel"
)

// Keep names the rows an owner still wants.
type Keep struct {
	Bridges []string
	Ports   []string
}

// GCResult lists the rows GC deleted, or would delete in a dry run. A
// bridge's own ports are not listed separately.
type GCResult struct {
	Bridges []string
	Ports   []string
	DryRun  bool
}

// GC deletes, in one transaction, the bridges and ports labelled with
// external_ids:ovsoffload-owner=owner that keep does not name. A deleted
// bridge takes its ports with it. With dryRun nothing is sent and the result
// lists what would be deleted.
func (c *Client) GC(ctx context.Context, owner string, keep Keep, dryRun bool) (GCResult, error) {
	if owner == "" {
		return GCResult{}, invalid("owner", owner, "empty")
	}
	for {
		res, t := c.planGC(owner, keep)
		res.DryRun = dryRun
		if dryRun {
			return res, ctx.Err()
		}
		_, err := t.Commit(ctx)
		if err != nil && isConnErr(err) && ctx.Err() == nil {
			continue
		}
		if err != nil {
			return GCResult{}, fmt.Errorf("ovsdb: gc for owner %q: %w", owner, err)
		}
		return res, nil
	}
}

func (c *Client) planGC(owner string, keep Keep) (GCResult, *Txn) {
	kb := map[string]bool{}
	for _, b := range keep.Bridges {
		kb[b] = true
	}
	kp := map[string]bool{}
	for _, p := range keep.Ports {
		kp[p] = true
	}
	t := c.Txn()
	var res GCResult
	goneBr := map[string]bool{}
	for _, m := range c.ovs.Cache().Table(vs.BridgeTable).Rows() {
		b := m.(*vs.Bridge)
		if b.ExternalIDs[OwnerKey] == owner && !kb[b.Name] {
			res.Bridges = append(res.Bridges, b.Name)
			goneBr[b.Name] = true
		}
	}
	sortStrings(res.Bridges)
	for _, b := range res.Bridges {
		t.DeleteBridge(b)
	}
	for _, m := range c.ovs.Cache().Table(vs.PortTable).Rows() {
		p := m.(*vs.Port)
		if p.ExternalIDs[OwnerKey] != owner || kp[p.Name] {
			continue
		}
		b := c.bridgeOfPort(p.UUID)
		if b != nil && (goneBr[b.Name] || b.Name == p.Name) {
			continue // goes with its bridge, or is a kept bridge's local port
		}
		res.Ports = append(res.Ports, p.Name)
	}
	sortStrings(res.Ports)
	for _, p := range res.Ports {
		t.DeletePort(p)
	}
	return res, t
}
