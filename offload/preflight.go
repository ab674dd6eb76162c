// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"context"

	"github.com/ovsoffload/ovsoffload/eswitch"
)

// CheckEswitchModes returns one check per eswitch device in the inventory:
// pass when it is in switchdev mode, fail (with the devlink command that
// fixes it) otherwise. Offload needs switchdev mode whatever the backend.
func CheckEswitchModes(ctx context.Context, es *eswitch.Client, inv *eswitch.Inventory) []Check {
	seen := map[eswitch.DeviceHandle]bool{}
	var checks []Check
	for _, r := range inv.Representors() {
		if r.Handle.IsZero() || seen[r.Handle.DeviceHandle()] {
			continue
		}
		h := r.Handle.DeviceHandle()
		seen[h] = true
		c := Check{Name: "eswitch-mode " + h.String()}
		mode, err := es.EswitchMode(ctx, h)
		switch {
		case err != nil:
			c.Status, c.Detail = CheckFail, err.Error()
		case mode != eswitch.ModeSwitchdev:
			c.Status, c.Detail = CheckFail, "eswitch is in "+string(mode)+" mode"
			c.Fix = "devlink dev eswitch set " + h.String() + " mode switchdev"
		default:
			c.Status, c.Detail = CheckPass, "switchdev"
		}
		checks = append(checks, c)
	}
	return checks
}
