// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"context"
	"strconv"
)

// Offload settings in Open_vSwitch other_config.
const (
	KeyHWOffload      = "hw-offload"
	KeyTCPolicy       = "tc-policy"
	KeyDOCAInit       = "doca-init"
	KeyHWOffloadCTSz  = "hw-offload-ct-size"
	KeyNOffloadThread = "n-offload-threads"
)

// TC policies accepted by OffloadSettings.TCPolicy.
const (
	TCPolicyNone   = "none"
	TCPolicySkipSW = "skip_sw"
	TCPolicySkipHW = "skip_hw"
)

// restartKeys are the offload keys ovs-vswitchd reads only at start-up
// (vswitchd/vswitch.xml: hw-offload, tc-policy and n-offload-threads say
// "changing ... requires restarting the daemon"; doca-init and
// hw-offload-ct-size are read when OVS-DOCA initialises).
var restartKeys = map[string]bool{KeyHWOffload: true, KeyTCPolicy: true, KeyDOCAInit: true,
	KeyHWOffloadCTSz: true, KeyNOffloadThread: true}

// OffloadSettings are the hardware offload knobs of ovs-vswitchd. Nil
// pointers and an empty TCPolicy leave the key alone.
type OffloadSettings struct {
	HWOffload      *bool  // hw-offload
	TCPolicy       string // tc-policy: none, skip_sw or skip_hw
	DOCAInit       *bool  // doca-init (OVS-DOCA)
	CTSize         *int   // hw-offload-ct-size (OVS-DOCA), >= 0
	OffloadThreads *int   // n-offload-threads, 1..10
}

// Keys validates s and returns the other_config keys it stands for.
func (s OffloadSettings) Keys() (map[string]string, error) {
	m := map[string]string{}
	if s.HWOffload != nil {
		m[KeyHWOffload] = strconv.FormatBool(*s.HWOffload)
	}
	switch s.TCPolicy {
	case "":
	case TCPolicyNone, TCPolicySkipSW, TCPolicySkipHW:
		m[KeyTCPolicy] = s.TCPolicy
	default:
		return nil, invalid(KeyTCPolicy, s.TCPolicy, "want none, skip_sw or skip_hw")
	}
	if s.DOCAInit != nil {
		m[KeyDOCAInit] = strconv.FormatBool(*s.DOCAInit)
	}
	if s.CTSize != nil {
		if *s.CTSize < 0 {
			return nil, invalid(KeyHWOffloadCTSz, strconv.Itoa(*s.CTSize), "must be >= 0")
		}
		m[KeyHWOffloadCTSz] = strconv.Itoa(*s.CTSize)
	}
	if s.OffloadThreads != nil {
		if *s.OffloadThreads < 1 || *s.OffloadThreads > 10 {
			return nil, invalid(KeyNOffloadThread, strconv.Itoa(*s.OffloadThreads), "want 1..10")
		}
		m[KeyNOffloadThread] = strconv.Itoa(*s.OffloadThreads)
	}
	return m, nil
}

// SetOffload writes the offload settings into Open_vSwitch other_config.
// The Result's RestartNeeded lists the keys this call changed that only
// take effect after ovs-vswitchd restarts.
func (t *Txn) SetOffload(s OffloadSettings) *Txn {
	keys, err := s.Keys()
	if err != nil {
		t.fail(err)
		return t
	}
	root, err := t.c.root()
	if err != nil {
		t.fail(err)
		return t
	}
	set, _ := mapDiff(root.OtherConfig, keys, nil)
	for _, k := range sortedKeys(set) {
		if restartKeys[k] {
			t.restart = append(t.restart, k)
		}
	}
	return t.setRootMap("other_config", keys, nil, "offload settings")
}

// SetOffload writes the offload settings in their own transaction. See
// Txn.SetOffload.
func (c *Client) SetOffload(ctx context.Context, s OffloadSettings) (Result, error) {
	return c.single(ctx, func(t *Txn) { t.SetOffload(s) })
}

// Offload reads the offload settings from the cache. Keys that are not set
// stay nil/empty.
func (c *Client) Offload(ctx context.Context) (OffloadSettings, error) {
	if err := ctx.Err(); err != nil {
		return OffloadSettings{}, err
	}
	root, err := c.root()
	if err != nil {
		return OffloadSettings{}, err
	}
	var s OffloadSettings
	oc := root.OtherConfig
	parseBool := func(k string) (*bool, error) {
		v, ok := oc[k]
		if !ok {
			return nil, nil
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, invalid(k, v, "not a boolean")
		}
		return &b, nil
	}
	parseInt := func(k string) (*int, error) {
		v, ok := oc[k]
		if !ok {
			return nil, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, invalid(k, v, "not a number")
		}
		return &n, nil
	}
	if s.HWOffload, err = parseBool(KeyHWOffload); err != nil {
		return OffloadSettings{}, err
	}
	if s.DOCAInit, err = parseBool(KeyDOCAInit); err != nil {
		return OffloadSettings{}, err
	}
	if s.CTSize, err = parseInt(KeyHWOffloadCTSz); err != nil {
		return OffloadSettings{}, err
	}
	if s.OffloadThreads, err = parseInt(KeyNOffloadThread); err != nil {
		return OffloadSettings{}, err
	}
	s.TCPolicy = oc[KeyTCPolicy]
	return s, nil
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sortStrings(ks)
	return ks
}

// RestartIfChanged records, among keys, the Open_vSwitch other_config keys
// that set and remove (as given to SetMap) change from what the database
// holds, in the Result's RestartNeeded: settings outside OffloadSettings
// that ovs-vswitchd reads only at start-up (OVS-DOCA's
// doca-congestion-threshold, dpdk-init, dpdk-extra, ...). It writes
// nothing.
func (t *Txn) RestartIfChanged(set map[string]string, remove []string, keys ...string) *Txn {
	root, err := t.c.root()
	if err != nil {
		t.fail(err)
		return t
	}
	changed, del := mapDiff(root.OtherConfig, set, remove)
	for _, k := range keys {
		_, c := changed[k]
		for _, d := range del {
			c = c || d == k
		}
		if c {
			t.restart = append(t.restart, k)
		}
	}
	return t
}
