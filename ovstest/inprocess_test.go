// SPDX-License-Identifier: Apache-2.0

package ovstest_test

import (
	"context"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

func TestInProcessDB(t *testing.T) {
	ep := ovstest.StartInProcessDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := ovsdb.Dial(ctx, ep)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.OVSVersion != "3.1.0" || st.DBVersion != ovsdb.VSwitchSchema().Version || st.HasDOCA {
		t.Fatalf("status of the seeded root row: %+v", st)
	}
	changed, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "brp0"})
	if err != nil || !changed {
		t.Fatalf("first EnsureBridge: changed=%v err=%v", changed, err)
	}
	changed, err = c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "brp0"})
	if err != nil || changed {
		t.Fatalf("second EnsureBridge: changed=%v err=%v (want no change)", changed, err)
	}
	brs, err := c.Bridges(ctx)
	if err != nil || len(brs) != 1 || brs[0] != "brp0" {
		t.Fatalf("Bridges() = %v, %v", brs, err)
	}
}

// Two in-process servers in one test are independent.
func TestInProcessDBIsolated(t *testing.T) {
	a, b := ovstest.StartInProcessDB(t), ovstest.StartInProcessDB(t)
	if a == b {
		t.Fatal("two servers share an endpoint")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ca, err := ovsdb.Dial(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close()
	cb, err := ovsdb.Dial(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close()
	if _, err := ca.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "br-a"}); err != nil {
		t.Fatal(err)
	}
	if brs, _ := cb.Bridges(ctx); len(brs) != 0 {
		t.Fatalf("server b sees %v", brs)
	}
}
