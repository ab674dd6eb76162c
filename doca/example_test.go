package doca_test

import (
	"fmt"

	"github.com/ovsoffload/ovsoffload/doca"
	"github.com/ovsoffload/ovsoffload/eswitch"
)

// How a VF representor is plugged under two OVS-DOCA releases: by netdev name
// on recent ones, with dpdk-devargs on older ones.
func ExampleBackend_Interface() {
	vf7 := eswitch.Representor{
		Identity: eswitch.Identity{Flavour: eswitch.FlavourPCIVF, Controller: 1, External: true, PF: 0, VF: 7},
		Name:     "pf0vf7",
		Device:   "devices/pci0000:00/0000:00:00.0/0000:03:00.0",
	}
	for _, v := range []string{"3.2.1", "2.2.0"} {
		b, err := doca.New(doca.Config{Version: v})
		if err != nil {
			panic(err)
		}
		ic, err := b.Interface(vf7)
		if err != nil {
			panic(err)
		}
		fmt.Printf("OVS-DOCA %s: type=%s devargs=%q\n", v, ic.Type, ic.Options["dpdk-devargs"])
	}
	// Output:
	// OVS-DOCA 3.2.1: type=dpdk devargs=""
	// OVS-DOCA 2.2.0: type=dpdk devargs="0000:03:00.0,dv_xmeta_en=4,dv_flow_en=2,representor=[7]"
}
