// SPDX-License-Identifier: Apache-2.0

package eswitch_test

import (
	"errors"
	"fmt"

	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/internal/sysfs"
)

// A BlueField in DPU mode, as its sysfs shows it: the uplink p0, the host
// PF representor pf0hpf (phys_port_name c1pf0) and the representor of the
// host's VF 7, pf0vf7 (c1pf0vf7). A local VF 7 representor also exists,
// named eth7. Lookups go by identity, so the names do not matter.
func Example() {
	tree := sysfs.NewFake()
	dev := "devices/pci0000:00/0000:03:00.0"
	for i, nd := range []struct{ name, portName string }{
		{"p0", "p0"}, {"pf0hpf", "c1pf0"}, {"pf0vf7", "c1pf0vf7"}, {"eth7", "pf0vf7"},
	} {
		dir := dev + "/net/" + nd.name
		tree.File(dir+"/ifindex", fmt.Sprint(i+2))
		tree.File(dir+"/phys_port_name", nd.portName+"\n")
		tree.File(dir+"/phys_switch_id", "e8ebd30300a1b2c3\n")
		tree.Link(dir+"/device", "../../../0000:03:00.0")
		tree.Link("class/net/"+nd.name, "../../"+dir)
	}

	inv, err := eswitch.DiscoverSysfs(tree)
	if err != nil {
		fmt.Println(err)
		return
	}
	up, _ := inv.Uplink(0)
	hpf, _ := inv.HostPF(0)
	hostVF, _ := inv.VF(eswitch.Host, 0, 7)
	localVF, _ := inv.VF(eswitch.Local, 0, 7)
	fmt.Println("uplink:  ", up.Name)
	fmt.Println("host PF: ", hpf.Name)
	fmt.Println("host VF7:", hostVF.Name, hostVF.PortName())
	fmt.Println("local VF7:", localVF.Name, localVF.PortName())
	_, err = inv.VF(eswitch.Host, 0, 8)
	fmt.Println("host VF8 missing:", errors.Is(err, eswitch.ErrNotFound))
	// Output:
	// uplink:   p0
	// host PF:  pf0hpf
	// host VF7: pf0vf7 c1pf0vf7
	// local VF7: eth7 pf0vf7
	// host VF8 missing: true
}

// ParsePortName tells a local VF from the host's VF seen from a DPU.
func ExampleParsePortName() {
	for _, s := range []string{"p1", "c1pf0", "c1pf0vf7", "pf0vf7", "pf0sf0", "eth0"} {
		id, err := eswitch.ParsePortName(s)
		if err != nil {
			fmt.Println(s, "->", err)
			continue
		}
		fmt.Printf("%s -> %s controller=%d external=%v pf=%d vf=%d sf=%d\n", s, id.Flavour, id.Controller, id.External, id.PF, id.VF, id.SF)
	}
	// Output:
	// p1 -> physical controller=0 external=false pf=1 vf=0 sf=0
	// c1pf0 -> pcipf controller=1 external=true pf=0 vf=0 sf=0
	// c1pf0vf7 -> pcivf controller=1 external=true pf=0 vf=7 sf=0
	// pf0vf7 -> pcivf controller=0 external=false pf=0 vf=7 sf=0
	// pf0sf0 -> pcisf controller=0 external=false pf=0 vf=0 sf=0
	// eth0 -> eswitch: parse "eth0" at column 1: expected "pf" (port names look like p0, pf0, c1pf0vf3, pf0sf0)
}
