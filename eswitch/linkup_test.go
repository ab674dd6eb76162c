// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"context"
	"errors"
	"net"
	"testing"
)

func TestSetLinkUpSetsMTUAndUp(t *testing.T) {
	n := newTestNS(t, Config{})
	ctx := context.Background()
	n.veth(t, "pf0vf7", "pf0vf7peer", false)
	if err := n.client.SetLinkUp(ctx, "pf0vf7", 1400); err != nil {
		t.Fatal(err)
	}
	l := n.link(t, "pf0vf7")
	if l.Attrs().MTU != 1400 || l.Attrs().Flags&net.FlagUp == 0 {
		t.Fatalf("after SetLinkUp: mtu %d flags %v", l.Attrs().MTU, l.Attrs().Flags)
	}
	// mtu 0 leaves the MTU alone.
	if err := n.client.SetLinkUp(ctx, "pf0vf7", 0); err != nil {
		t.Fatal(err)
	}
	if l := n.link(t, "pf0vf7"); l.Attrs().MTU != 1400 {
		t.Fatalf("mtu 0 changed the MTU to %d", l.Attrs().MTU)
	}
	if err := n.client.SetLinkUp(ctx, "pf0vf9", 1400); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing link: %v, want ErrNotFound", err)
	}
	for _, bad := range []struct {
		name string
		mtu  int
	}{{"pf0vf7", -1}, {"pf0vf7", 70000}, {"bad\x1bname", 1400}, {"", 0}} {
		if err := n.client.SetLinkUp(ctx, bad.name, bad.mtu); err == nil {
			t.Errorf("SetLinkUp(%q, %d) accepted", bad.name, bad.mtu)
		}
	}
}
