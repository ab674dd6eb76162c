// SPDX-License-Identifier: Apache-2.0

package doca_test

import (
	"fmt"

	"github.com/ovsoffload/ovsoffload/doca"
	"github.com/ovsoffload/ovsoffload/eswitch"
)

// How a VF representor is plugged: type=doca named after the netdev on
// current OVS-DOCA, type=dpdk with dpdk-devargs on older releases.
func ExampleBackend_Interface() {
	vf7 := eswitch.Representor{
		Identity: eswitch.Identity{Flavour: eswitch.FlavourPCIVF, Controller: 1, External: true, PF: 0, VF: 7},
		Name:     "pf0vf7",
		Device:   "devices/pci0000:00/0000:00:00.0/0000:03:00.0",
	}
	for _, cfg := range []doca.Config{{}, {PortType: doca.PortDPDK, Naming: doca.NamingDevargs}} {
		b, err := doca.New(cfg)
		if err != nil {
			panic(err)
		}
		ic, err := b.Interface(vf7)
		if err != nil {
			panic(err)
		}
		fmt.Printf("type=%s devargs=%q\n", ic.Type, ic.Options["dpdk-devargs"])
	}
	// Output:
	// type=doca devargs=""
	// type=dpdk devargs="0000:03:00.0,dv_xmeta_en=4,dv_flow_en=2,representor=[7]"
}
