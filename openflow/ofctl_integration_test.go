// SPDX-License-Identifier: Apache-2.0

package openflow_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/openflow"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// TestIntegrationOfctlAggregateAndModPort runs dump-aggregate and mod-port
// on a real ovs-vswitchd: the totals match the flows installed (with
// flow_count, which go-openvswitch drops), a match narrows them, and
// no-flood shows in ovs-ofctl show's port config.
func TestIntegrationOfctlAggregateAndModPort(t *testing.T) {
	sw := ovstest.StartSwitch(t)
	sw.AddBridge(t, "br0")
	sw.AddInternalPort(t, "br0", "p1")
	sw.Ofctl(t, "del-flows", "br0")
	for _, f := range []string{"table=0,priority=10,ip,actions=drop", "table=0,priority=20,arp,actions=NORMAL", "table=1,priority=1,actions=drop"} {
		sw.Ofctl(t, "add-flow", "br0", f)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	o := openflow.Ofctl{Env: sw.Env()}
	a, err := o.DumpAggregate(ctx, "br0", "")
	if err != nil || a.Flows != 3 {
		t.Fatalf("all flows: %+v, %v", a, err)
	}
	if a, err := o.DumpAggregate(ctx, "br0", "table=0,ip"); err != nil || a.Flows != 1 {
		t.Errorf("table=0,ip: %+v, %v", a, err)
	}
	if _, err := o.DumpAggregate(ctx, "nobridge", ""); err == nil {
		t.Error("a missing bridge: no error")
	}
	for _, bad := range []string{"-O", "br0\nx", ""} {
		if _, err := o.DumpAggregate(ctx, bad, ""); err == nil {
			t.Errorf("target %q accepted", bad)
		}
	}
	if _, err := o.DumpAggregate(ctx, "br0", "ip tcp"); err == nil {
		t.Error("a match with a space accepted")
	}

	if err := o.ModPort(ctx, "br0", "p1", openflow.PortNoFlood); err != nil {
		t.Fatal(err)
	}
	show := sw.Ofctl(t, "show", "br0")
	i := strings.Index(show, "(p1)")
	if i < 0 || !strings.Contains(show[i:], "NO_FLOOD") {
		t.Errorf("ovs-ofctl show after no-flood:\n%s", show)
	}
	if err := o.ModPort(ctx, "br0", "p1", "explode"); err == nil {
		t.Error("an unknown port action accepted")
	}
	if err := o.ModPort(ctx, "br0", "nosuchport", openflow.PortNoFlood); err == nil {
		t.Error("a missing port: no error")
	}
}

func TestParseAggregate(t *testing.T) {
	for text, want := range map[string]openflow.Aggregate{
		"NXST_AGGREGATE reply (xid=0x4): packet_count=7 byte_count=700 flow_count=5\n":       {Packets: 7, Bytes: 700, Flows: 5},
		"OFPST_AGGREGATE reply (OF1.3) (xid=0x2): packet_count=0 byte_count=0 flow_count=12": {Flows: 12},
	} {
		if got, err := openflow.ParseAggregate(text); err != nil || got != want {
			t.Errorf("%q: %+v, %v", text, got, err)
		}
	}
	for _, bad := range []string{"", "hello", "NXST_AGGREGATE reply: packet_count=1 byte_count=2", "NXST_AGGREGATE reply: packet_count=x byte_count=2 flow_count=1", "NXST_AGGREGATE reply: packet_count=1 byte_count=2 flow_count=1\nmore"} {
		if _, err := openflow.ParseAggregate(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestIntegrationOfctlGroups adds, dumps, modifies and deletes groups on a
// real ovs-vswitchd.
func TestIntegrationOfctlGroups(t *testing.T) {
	sw := ovstest.StartSwitch(t)
	sw.AddBridge(t, "br0")
	sw.AddInternalPort(t, "br0", "p1")
	sw.Vsctl(t, "set", "bridge", "br0", "protocols=OpenFlow10,OpenFlow13,OpenFlow15")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	o := openflow.Ofctl{Env: sw.Env()}
	if err := o.AddGroup(ctx, "br0", "group_id=1,type=select,bucket=actions=output:p1,bucket=actions=drop"); err != nil {
		t.Fatal(err)
	}
	if err := o.AddGroup(ctx, "br0", "group_id=2,type=all,bucket=actions=output:p1"); err != nil {
		t.Fatal(err)
	}
	gs, err := o.DumpGroups(ctx, "br0")
	if err != nil || len(gs) != 2 || gs[0].ID != 1 || gs[0].Type != "select" || gs[1].Type != "all" {
		t.Fatalf("dump-groups: %+v, %v", gs, err)
	}
	if err := o.AddGroup(ctx, "br0", "group_id=1,type=all,bucket=actions=drop"); err == nil {
		t.Error("adding group 1 twice: no error")
	}
	if err := o.ModGroup(ctx, "br0", "group_id=1,type=indirect,bucket=actions=output:p1"); err != nil {
		t.Fatal(err)
	}
	if err := o.DelGroup(ctx, "br0", 2, false); err != nil {
		t.Fatal(err)
	}
	gs, err = o.DumpGroups(ctx, "br0")
	if err != nil || len(gs) != 1 || gs[0].ID != 1 || gs[0].Type != "indirect" {
		t.Fatalf("after mod and del: %+v, %v", gs, err)
	}
	if err := o.DelGroup(ctx, "br0", 0, true); err != nil {
		t.Fatal(err)
	}
	if gs, err := o.DumpGroups(ctx, "br0"); err != nil || len(gs) != 0 {
		t.Fatalf("after deleting all: %+v, %v", gs, err)
	}
	for _, bad := range []string{"type=all", "group_id=1,type=all bucket=x", "group_id=1\n"} {
		if err := o.AddGroup(ctx, "br0", bad); err == nil {
			t.Errorf("group %q accepted", bad)
		}
	}
	if _, err := openflow.ParseGroups("OFPST_GROUP_DESC reply (OF1.5):\n group_id=x,type=all\n"); err == nil {
		t.Error("a bad group_id parsed")
	}
}

// TestIntegrationOfctlPortsDesc parses dump-ports-desc of a real
// ovs-vswitchd: the bridge's LOCAL port and an internal port with its
// number and address, and no-flood set by ModPort seen in its config.
func TestIntegrationOfctlPortsDesc(t *testing.T) {
	sw := ovstest.StartSwitch(t)
	sw.AddBridge(t, "br0")
	sw.AddInternalPort(t, "br0", "p1")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	o := openflow.Ofctl{Env: sw.Env()}
	if err := o.ModPort(ctx, "br0", "p1", openflow.PortNoFlood); err != nil {
		t.Fatal(err)
	}
	ports, err := o.PortsDesc(ctx, "br0")
	if err != nil {
		t.Fatal(err)
	}
	var local, p1 *openflow.PortDesc
	for i := range ports {
		switch ports[i].Name {
		case "br0":
			local = &ports[i]
		case "p1":
			p1 = &ports[i]
		}
	}
	ofport := strings.TrimSpace(sw.Vsctl(t, "get", "interface", "p1", "ofport"))
	if p1 == nil || strconv.FormatUint(uint64(p1.Number), 10) != ofport || len(p1.MAC) != 6 || !p1.Has("NO_FLOOD") {
		t.Errorf("p1 (ofport %s): %+v", ofport, p1)
	}
	if local == nil || local.Reserved != "LOCAL" || local.Has("NO_FLOOD") {
		t.Errorf("br0: %+v", local)
	}
	if _, err := o.PortsDesc(ctx, "nobridge"); err == nil {
		t.Error("a missing bridge: no error")
	}
}

func TestParsePortsDesc(t *testing.T) {
	text := "OFPST_PORT_DESC reply (xid=0x2):\n 1(p1): addr:aa:55:aa:55:00:01\n     config:     NO_FLOOD\n     state:      LINK_DOWN\n     current:    10GB-FD COPPER\n     speed: 10000 Mbps now, 0 Mbps max\n LOCAL(br0): addr:aa:55:aa:55:00:02\n     config:     0\n     state:      0\n     speed: 0 Mbps now, 0 Mbps max\n"
	ps, err := openflow.ParsePortsDesc(text)
	if err != nil || len(ps) != 2 || ps[0].Number != 1 || ps[0].Name != "p1" || !ps[0].Has("NO_FLOOD") || ps[0].CurrentMbps != 10000 ||
		len(ps[0].Current) != 2 || ps[1].Reserved != "LOCAL" || ps[1].Config != nil || ps[1].MAC.String() != "aa:55:aa:55:00:02" {
		t.Fatalf("%+v, %v", ps, err)
	}
	for _, bad := range []string{"", "hello", "OFPST_PORT_DESC reply:\n     config: 0", "OFPST_PORT_DESC reply:\n 1(p1): addr:zz", "OFPST_PORT_DESC reply:\n x(p1): addr:aa:55:aa:55:00:01",
		"OFPST_PORT_DESC reply:\n 1(p1): addr:aa:55:aa:55:00:01\n     speed: fast", "OFPST_PORT_DESC reply:\n 1(p\x01): addr:aa:55:aa:55:00:01"} {
		if _, err := openflow.ParsePortsDesc(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
