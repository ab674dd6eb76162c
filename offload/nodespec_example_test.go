// SPDX-License-Identifier: Apache-2.0

package offload_test

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// The seed guide's DPU node as one value. Plan(ctx, node, spec) compares it
// with the node and Apply(ctx, node, plan) makes the node match it; here
// only what needs no node: validation, and the warning a datapath the
// backend cannot offload gets.
func ExampleNodeSpec() {
	doca, err := offload.New("doca", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	spec := offload.NodeSpec{
		Backend:       doca,
		RemoveBridges: []string{"ovsbr1", "ovsbr2"},
		UplinkBridge:  offload.UplinkBridge{Name: "brp0", Uplink: "p0", HostPF: "pf0hpf"},
		Move:          &offload.AddressMove{From: "en3f0pf0sf0", Gateway: netip.MustParseAddr("10.1.65.1")},
		Chassis: ovsdb.Chassis{
			EncapIPs:        []netip.Addr{netip.MustParseAddr("10.1.65.155")},
			HostK8sNodename: "host-worker-1",
		},
	}
	fmt.Println("valid:", spec.Validate() == nil)
	fmt.Println(offload.DatapathWarning(doca, ovsdb.DatapathSystem))

	spec.UplinkBridge.HostPF = "p0"
	fmt.Println(errors.Is(spec.Validate(), offload.ErrInvalid))
	// Output:
	// valid: true
	// backend doca offloads the netdev datapath only: flows of system bridges stay in OVS
	// true
}
