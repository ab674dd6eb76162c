// SPDX-License-Identifier: Apache-2.0

package docalib_test

import (
	"errors"
	"fmt"

	"github.com/ovsoffload/ovsoffload/doca/docalib"
)

// Load the DOCA runtime where it is installed and list the representors of
// each device. Where DOCA is absent (or the binary was built without cgo),
// the error matches ErrNotSupported and says what is missing.
func ExampleOpen() {
	lib, err := docalib.Open("/opt/absent/lib/libdoca_common.so.2")
	if errors.Is(err, docalib.ErrNotSupported) {
		fmt.Println("DOCA is not available here")
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	defer lib.Close()
	devs, err := lib.Devices(docalib.FilterNet)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range devs {
		for _, r := range d.Representors {
			fmt.Println(d.Iface, r.Iface, r.Type, r.PCI, r.VUID)
		}
	}
	// Output: DOCA is not available here
}
