// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"syscall"
	"time"
)

// Mode is an eswitch mode as devlink(8) names it.
type Mode string

// Eswitch modes.
const (
	// ModeLegacy: SR-IOV without representors; the NIC switches by MAC.
	ModeLegacy Mode = "legacy"
	// ModeSwitchdev: every function has a representor netdev; OVS and TC
	// program the switch.
	ModeSwitchdev Mode = "switchdev"
)

var (
	errEOPNOTSUPP = syscall.EOPNOTSUPP
	errENODEV     = syscall.ENODEV
	zeroTime      time.Time
)
