// SPDX-License-Identifier: Apache-2.0

package doca

import (
	"github.com/ovsoffload/ovsoffload/doca/docalib"
	"github.com/ovsoffload/ovsoffload/eswitch"
)

// Joined pairs a representor as DOCA lists it with the same representor as
// Linux shows it (eswitch). Linux is nil when no netdev matched.
type Joined struct {
	// Device is the DOCA device the representor belongs to.
	Device docalib.Device
	// DOCA is the representor as the DOCA runtime lists it.
	DOCA docalib.Representor
	// Linux is the eswitch representor with the same netdev, or the same
	// function (PF and VF numbers) when DOCA does not report a netdev name.
	Linux *eswitch.Representor
}

// Join matches DOCA's inventory (PCI addresses, VUIDs) with the eswitch
// inventory (netdevs, devlink ports). It matches by netdev name first; with
// an older runtime that reports no name, by flavour and PF/VF number among
// the external controller's ports (the host's functions on a DPU).
func Join(devs []docalib.Device, inv *eswitch.Inventory) []Joined {
	var out []Joined
	reps := inv.Representors()
	for _, d := range devs {
		for _, dr := range d.Representors {
			j := Joined{Device: d, DOCA: dr}
			for i := range reps {
				if matches(dr, reps[i]) {
					r := reps[i]
					j.Linux = &r
					break
				}
			}
			out = append(out, j)
		}
	}
	return out
}

func matches(d docalib.Representor, r eswitch.Representor) bool {
	if d.Iface != "" {
		return d.Iface == r.Name
	}
	if d.PF < 0 || int(r.PF) != d.PF {
		return false
	}
	switch d.Type {
	case docalib.FuncPF:
		return r.Flavour == eswitch.FlavourPCIPF && r.External
	case docalib.FuncVF:
		return r.Flavour == eswitch.FlavourPCIVF && r.External && d.VF >= 0 && int(r.VF) == d.VF
	}
	return false
}
