// SPDX-License-Identifier: Apache-2.0

package doca

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

func TestSettingsValidation(t *testing.T) {
	for _, c := range []struct {
		s  map[string]string
		ok bool
	}{
		{map[string]string{"ctl-pipe-size": "0"}, true}, // DOCA's default size
		{map[string]string{"ctl-pipe-size": "-1"}, false},
		{map[string]string{"ctl-pipe-infra-size": "0"}, true},
		{map[string]string{"doca-congestion-threshold": "29"}, false},
		{map[string]string{"doca-congestion-threshold": "30"}, true},
		{map[string]string{"doca-congestion-threshold": "90"}, true},
		{map[string]string{"doca-congestion-threshold": "91"}, false},
		{map[string]string{"doca-eswitch-max": "0"}, false},
		{map[string]string{"doca-eswitch-max": "2"}, true},
		{map[string]string{"dpdk-max-memzones": "0"}, false},
		{map[string]string{"dpdk-max-memzones": "10000"}, true},
		{map[string]string{"hw-offload-ct-size": "0"}, true}, // conntrack offload off
		{map[string]string{"hw-offload-ct-ipv6-enabled": "true", "hw-offload-ct-unidir-udp-enabled": "false", "pmd-quiet-idle": "true"}, true},
		{map[string]string{"pmd-quiet-idle": "yes please"}, false},
		{map[string]string{"doca-eswitch-max": "two"}, false},
	} {
		_, err := offload.New("doca", c.s)
		if (err == nil) != c.ok {
			t.Errorf("%v: err %v, want ok=%v", c.s, err, c.ok)
		}
	}
}

// TestSettingsRestartAndSwitch: Configure writes dpdk-init=true; a changed
// doca-congestion-threshold, dpdk-extra or dpdk-max-memzones is reported as
// needing a restart, a changed ctl-pipe-size is not; switching to tc
// removes every key the doca backend owns.
func TestSettingsRestartAndSwitch(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv := ovstest.StartDB(t)
	srv.Vsctl(t, "init")
	c, err := ovsdb.Dial(ctx, srv.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	otherConfig := func() map[string]string { // asked of ovsdb-server through ovs-vsctl, not our cache
		out := map[string]string{}
		for _, k := range Keys {
			if v := srv.Vsctl(t, "--if-exists", "get", "Open_vSwitch", ".", "other_config:"+k); v != "" {
				out[k] = strings.Trim(v, `"`)
			}
		}
		return out
	}
	if _, err := c.EnsureBridge(ctx, ovsdb.BridgeSpec{Name: "brp0"}); err != nil {
		t.Fatal(err)
	}
	on, off := true, false
	full := Config{CTSize: intp(0), CtlPipeSize: intp(0), CtlPipeInfraSize: intp(64), CongestionThreshold: intp(80),
		EswitchMax: intp(2), DPDKExtra: "-a 0000:03:00.0", DPDKMaxMemzones: intp(10000), CTUnidirUDP: &on,
		CTIPv6: &off, PMDQuietIdle: &on}
	activate := func(cfg Config) ovsdb.Result {
		t.Helper()
		b, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		res, err := offload.Activate(ctx, c, b, "brp0")
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := activate(full)
	for _, k := range []string{"doca-init", "dpdk-init", "doca-congestion-threshold", "dpdk-extra", "dpdk-max-memzones"} {
		if !slices.Contains(res.RestartNeeded, k) {
			t.Errorf("first Activate: %s not in RestartNeeded %v", k, res.RestartNeeded)
		}
	}
	oc := otherConfig()
	want := map[string]string{"dpdk-init": "true", "doca-init": "true", "hw-offload-ct-size": "0", "ctl-pipe-size": "0",
		"ctl-pipe-infra-size": "64", "doca-congestion-threshold": "80", "doca-eswitch-max": "2", "dpdk-extra": "-a 0000:03:00.0",
		"dpdk-max-memzones": "10000", "hw-offload-ct-unidir-udp-enabled": "true", "hw-offload-ct-ipv6-enabled": "false",
		"pmd-quiet-idle": "true"}
	for k, v := range want {
		if oc[k] != v {
			t.Errorf("other_config:%s = %q, want %q", k, oc[k], v)
		}
	}
	cfg := full
	cfg.CongestionThreshold = intp(70)
	if res := activate(cfg); !slices.Contains(res.RestartNeeded, "doca-congestion-threshold") || slices.Contains(res.RestartNeeded, "dpdk-extra") {
		t.Errorf("threshold changed: RestartNeeded %v", res.RestartNeeded)
	}
	cfg.DPDKExtra = ""
	if res := activate(cfg); !slices.Contains(res.RestartNeeded, "dpdk-extra") {
		t.Errorf("dpdk-extra removed: RestartNeeded %v", res.RestartNeeded)
	}
	cfg.CtlPipeSize = intp(1024)
	if res := activate(cfg); !res.Changed || len(res.RestartNeeded) != 0 {
		t.Errorf("ctl-pipe-size changed: %+v, want a change needing no restart", res)
	}
	tcb, err := offload.New("tc", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := offload.Activate(ctx, c, tcb, "brp0"); err != nil {
		t.Fatal(err)
	}
	oc = otherConfig()
	for _, k := range Keys {
		if v, ok := oc[k]; ok {
			t.Errorf("after switching to tc, %s=%q is left", k, v)
		}
	}
}
