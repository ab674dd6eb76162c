// SPDX-License-Identifier: Apache-2.0

package conformance

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ovsoffload/ovsoffload/doca"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/offload/offloadtest"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/tc"
)

// TestIntegrationOffloadtestSuite runs the exported suite
// (offload/offloadtest), the one a third-party backend registered with
// offload.Register runs, on the project's two backends, alone and switching
// tc → doca → tc and doca → tc → doca.
func TestIntegrationOffloadtestSuite(t *testing.T) {
	tcb, err := tc.NewBackend(tc.BackendConfig{TCPolicy: ovsdb.TCPolicySkipSW})
	if err != nil {
		t.Fatal(err)
	}
	ct := 100000
	// type=dpdk ports named by dpdk-devargs (older OVS-DOCA), so switching
	// away must remove them.
	docab, err := doca.New(doca.Config{PortType: doca.PortDPDK, Naming: doca.NamingDevargs, CTSize: &ct})
	if err != nil {
		t.Fatal(err)
	}
	// Without a TC filter carrying the UFID, a tc flow cannot be verified
	// and the report must say why.
	noFilter := func(v offload.FlowVerdict) error {
		if v.Verified || len(v.Reasons) == 0 || v.Reasons[0].Code != offload.ReasonNoFilter {
			return fmt.Errorf("verified=%v reasons %+v: want unverified with %s", v.Verified, v.Reasons, offload.ReasonNoFilter)
		}
		return nil
	}
	offloadtest.Run(t,
		offloadtest.Case{
			Backend: tcb,
			Dump: []offloadtest.Flow{
				{Line: "ufid:0f1e2d3c-0000-4000-8000-000000000001, recirc_id(0),in_port(pf0vf0),eth(src=0a:58:0a:f4:00:05,dst=0a:58:0a:f4:00:06),eth_type(0x0800),ipv4(src=10.244.0.5,dst=10.244.0.6,proto=6,tos=0/0,ttl=0/0,frag=no),tcp(src=0/0,dst=8080), packets:100, bytes:9000, used:0.2s, offloaded:yes, dp:tc, actions:pf0vf1", State: offload.InHardware, Check: noFilter},
				{Line: "ufid:0f1e2d3c-0000-4000-8000-000000000002, recirc_id(0),in_port(pf0vf1),eth_type(0x0800),ipv4(frag=no), packets:90, bytes:8100, used:0.2s, dp:tc, actions:pf0vf0", State: offload.SoftwareTC, Check: noFilter},
				{Line: "ufid:0f1e2d3c-0000-4000-8000-000000000003, recirc_id(0),in_port(pf0vf0),eth_type(0x0806), packets:1, bytes:42, used:1.0s, dp:ovs, actions:userspace(pid=4294967295,slow_path(action))", State: offload.OVSOnly},
			},
			CheckSettings: func(s ovsdb.OffloadSettings) error {
				if s.TCPolicy != ovsdb.TCPolicySkipSW || s.DOCAInit != nil || s.CTSize != nil {
					return errors.New("want tc-policy=skip_sw and no doca-init or hw-offload-ct-size")
				}
				return nil
			},
		},
		offloadtest.Case{
			Backend: docab,
			Dump: []offloadtest.Flow{
				{Line: "ufid:0f1e2d3c-0000-4000-8000-000000000011, recirc_id(0),in_port(pf0vf0),eth(src=0a:58:0a:f4:00:05,dst=0a:58:0a:f4:00:06),eth_type(0x0800),ipv4(frag=no), packets:100, bytes:9000, used:0.2s, offloaded:yes, dp:doca, actions:pf0vf1", State: offload.InHardware},
				{Line: "ufid:0f1e2d3c-0000-4000-8000-000000000012, recirc_id(0),in_port(pf0vf1),eth_type(0x0800),ipv4(frag=no), packets:90, bytes:8100, used:0.2s, offloaded:partial, dp:ovs, actions:ct(zone=2),recirc(0x1)", State: offload.Partial},
				{Line: "ufid:0f1e2d3c-0000-4000-8000-000000000013, recirc_id(0),in_port(pf0vf0),eth_type(0x0806), packets:1, bytes:42, used:1.0s, dp:ovs, actions:userspace(pid=4294967295,slow_path(action))", State: offload.OVSOnly},
			},
			CheckSettings: func(s ovsdb.OffloadSettings) error {
				if s.TCPolicy != "" || s.DOCAInit == nil || !*s.DOCAInit || s.CTSize == nil || *s.CTSize != 100000 {
					return errors.New("want doca-init=true, ct size 100000 and no tc-policy")
				}
				return nil
			},
		},
	)
}
