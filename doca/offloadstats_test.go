// SPDX-License-Identifier: Apache-2.0

package doca

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// realStats is what ovs-vswitchd 3.x answered to dpctl/offload-stats-show
// with hw-offload=true and one netdev bridge (one offload thread).
const realStats = "HW Offload stats:\n" +
	"     Total                 Enqueued offloads:      7\n" +
	"     Total                 Inserted offloads:      5\n" +
	"     Total   Cumulative Average latency (us):   7845\n" +
	"     Total    Cumulative Latency stddev (us):    676\n" +
	"     Total  Exponential Average latency (us):   6649\n" +
	"     Total   Exponential Latency stddev (us):   1640\n" +
	"     [  0]                 Enqueued offloads:      7\n" +
	"     [  0]                 Inserted offloads:      5\n" +
	"     [  0]   Cumulative Average latency (us):   7845\n"

func TestParseOffloadStats(t *testing.T) {
	st, err := ParseOffloadStats(realStats)
	if err != nil {
		t.Fatal(err)
	}
	if st.Enqueued != 7 || st.Inserted != 5 || st.Totals["Cumulative Average latency (us)"] != 7845 || len(st.Totals) != 6 {
		t.Errorf("%+v", st)
	}
	for _, bad := range []string{
		"",
		"HW Offload stats:\n", // no totals
		"Offload stats:\n     Total Inserted offloads: 1\n",     // another header
		"HW Offload stats:\n     Total Inserted offloads: -1\n", // not a count
		"HW Offload stats:\n     Total Inserted offloads: 99999999999999999999999\n",
		"HW Offload stats:\n     Total Inserted offloads: 1\x1b[2J\n",
		"HW Offload stats:\n     Total Inserted offloads 1\n",
		"HW Offload stats:\n     Somebody Inserted offloads: 1\n",
		"HW Offload stats:\n     Total Inserted offloads: 1\n\xff\n",
		"HW Offload stats:\n" + strings.Repeat("     Total x: 1\n", 80000),
	} {
		if st, err := ParseOffloadStats(bad); err == nil {
			t.Errorf("%.60q accepted: %+v", bad, st)
		}
	}
}

// TestIntegrationVerifyReadsAppctl: with a Target, Verify asks the real
// ovs-vswitchd (userspace datapath, hw-offload=true) for its offload
// statistics through the control socket, and says that doca/log-get is
// not there (upstream OVS is not OVS-DOCA).
func TestIntegrationVerifyReadsAppctl(t *testing.T) {
	sw := ovstest.StartSwitch(t)
	sw.DB.Vsctl(t, "set", "Open_vSwitch", ".", "other_config:hw-offload=true")
	sw.DB.Vsctl(t, "add-br", "brx", "--", "set", "Bridge", "brx", "datapath_type=netdev")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := ovsdb.Dial(ctx, sw.DB.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f, err := dpflow.Parse("ufid:1c2d3e4f-0000-4000-8000-000000000001, recirc_id(0),in_port(pf0vf7),eth_type(0x0800),ipv4(frag=no), packets:1, bytes:98, used:0.1s, offloaded:yes, dp:doca, actions:p0")
	if err != nil {
		t.Fatal(err)
	}
	node := &offload.Node{DB: db, Target: sw.Ctl, Dump: func(context.Context) ([]*dpflow.Flow, error) { return []*dpflow.Flow{f}, nil }}
	b, _ := New(Config{})
	var r *offload.Report
	// ovs-vswitchd enables the offload API on its next run after
	// hw-offload=true: until then the statistics are refused (EINVAL).
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if r, err = b.Verify(ctx, node); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.Join(r.Limits, "\n"), "offloads inserted") || time.Now().After(deadline) {
			break
		}
	}
	all := strings.Join(r.Limits, "\n")
	if !strings.Contains(all, "dpctl/offload-stats-show: 0 offloads inserted, 0 enqueued") {
		t.Errorf("limits lack the offload statistics:\n%s", all)
	}
	if !strings.Contains(all, "doca/log-get: ") || !strings.Contains(all, "not a valid command") {
		t.Errorf("limits lack doca/log-get's absence:\n%s", all)
	}
	// No Target: nothing is asked.
	node.Target = ""
	if r, err = b.Verify(ctx, node); err != nil || strings.Contains(strings.Join(r.Limits, "\n"), "offload-stats") {
		t.Errorf("without a target: %v %v", r.Limits, err)
	}
}
