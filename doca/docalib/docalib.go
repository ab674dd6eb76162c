// SPDX-License-Identifier: Apache-2.0

package docalib

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ovsoffload/ovsoffload"
)

// ErrNotSupported is matched by errors that mean DOCA cannot be used here:
// built without cgo, the runtime library absent, a required symbol missing,
// or DOCA_ERROR_NOT_SUPPORTED from the runtime. It is the module's shared
// ovsoffload.ErrNotSupported, the same value in every package.
var ErrNotSupported = ovsoffload.ErrNotSupported

// ErrNotFound is matched by DOCA_ERROR_NOT_FOUND. It is the module's shared
// ovsoffload.ErrNotFound, the same value in every package.
var ErrNotFound = ovsoffload.ErrNotFound

// DefaultLibraries are the names Open tries, in order, when given no path,
// and OpenDir tries in its directory: the versioned names the DOCA 3.x and
// 2.x runtime packages install, then the unversioned one, which only the
// development package (doca-sdk-common-dev) has.
var DefaultLibraries = []string{"libdoca_common.so.3", "libdoca_common.so.2", "libdoca_common.so"}

// FuncType is a PCI function type (enum doca_pci_func_type).
type FuncType int

// PCI function types, with DOCA's values.
const (
	FuncPF FuncType = 0
	FuncVF FuncType = 1
	FuncSF FuncType = 2
)

// String returns "pf", "vf", "sf", or the number.
func (t FuncType) String() string {
	switch t {
	case FuncPF:
		return "pf"
	case FuncVF:
		return "vf"
	case FuncSF:
		return "sf"
	}
	return fmt.Sprintf("functype(%d)", int(t))
}

// Filter selects representors (enum doca_devinfo_rep_filter).
type Filter int

// Representor filters, with DOCA's values.
const (
	FilterAll      Filter = 0
	FilterNet      Filter = 1 << 1
	FilterEmulated Filter = 1 << 2
)

// Device is one local DOCA device, such as the uplink PF of a BlueField
// (PCI 0000:03:00.0, netdev p0), with its representors.
type Device struct {
	// PCI is the device's PCI address, as DOCA prints it.
	PCI string
	// Iface is the device's network interface name.
	Iface string
	// Representors are the representors DOCA lists for the device with the
	// filter given to Lib.Devices.
	Representors []Representor
	// NotManager reports that the device is no eswitch manager, so it has
	// no representors: doca_devinfo_rep_cap_is_filter_net_supported said
	// so, or listing them returned DOCA_ERROR_NOT_SUPPORTED. Lib.Devices
	// skips such a device's representors instead of failing.
	NotManager bool
}

// Representor is one representor of a device.
type Representor struct {
	// PCI is the represented function's PCI address.
	PCI string
	// Type is the represented function's type.
	Type FuncType
	// VUID is DOCA's vendor unique identifier of the function, stable
	// across renames.
	VUID string
	// Iface is the representor's netdev name (for example pf0vf7).
	Iface string
	// Host, PF and VF are the representor's host, PF and VF indexes; each is
	// -1 when the runtime lacks the function that reports it (older DOCA)
	// or the index does not apply.
	Host, PF, VF int
}

// Error is a DOCA call that returned an error code.
type Error struct {
	// Op is the DOCA function that failed.
	Op string
	// Code is the doca_error_t value.
	Code int
	// Name and Description are what doca_error_get_name and
	// doca_error_get_descr return for Code.
	Name, Description string
}

// DOCA error codes this package gives meaning to (enum doca_error).
const (
	codeNotSupported = 4
	codeNotFound     = 16
)

// Error formats the failed call, the code's name and its description.
func (e *Error) Error() string {
	return fmt.Sprintf("docalib: %s: %s (%d): %s", e.Op, e.Name, e.Code, e.Description)
}

// Is matches ErrNotSupported and ErrNotFound for the corresponding codes.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotSupported:
		return e.Code == codeNotSupported
	case ErrNotFound:
		return e.Code == codeNotFound
	}
	return false
}

// Lookup returns the device with the given PCI address or interface name.
func Lookup(devs []Device, pciOrIface string) (Device, error) {
	for _, d := range devs {
		if d.PCI == pciOrIface || d.Iface == pciOrIface {
			return d, nil
		}
	}
	return Device{}, fmt.Errorf("%w: no DOCA device %q", ErrNotFound, pciOrIface)
}

// OpenDir loads the first of DefaultLibraries that dir holds (a DOCA
// install's library directory, such as /opt/mellanox/doca/lib/aarch64-linux-gnu):
// the versioned names first. When none loads, the error matches
// ErrNotSupported and says why each candidate failed.
func OpenDir(dir string) (*Lib, error) {
	var reasons []string
	for _, name := range DefaultLibraries {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			reasons = append(reasons, name+": absent")
			continue
		}
		l, err := Open(p)
		if err == nil {
			return l, nil
		}
		reasons = append(reasons, err.Error())
	}
	return nil, fmt.Errorf("%w: no DOCA runtime loads from %q: %s", ErrNotSupported, dir, strings.Join(reasons, "; "))
}
