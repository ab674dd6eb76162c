// SPDX-License-Identifier: Apache-2.0

package tc_test

import (
	"fmt"
	"net/netip"

	"github.com/ovsoffload/ovsoffload/tc"
)

// A flower filter as OVS would program it for a flow, with the flow's UFID
// in the action cookie, and the way back from a dumped filter to the UFID.
func Example() {
	ufid, err := tc.ParseUFID("ufid:1d2c3b4a-5f6e-7d8c-90a1-b2c3d4e5f607")
	if err != nil {
		panic(err)
	}
	spec := tc.FilterSpec{
		FilterID: tc.FilterID{Ifindex: 7, Parent: tc.ParentIngress, Prio: 1, Protocol: tc.EthPIP, Handle: 1},
		Flags:    tc.FlagSkipSW,
		Match: tc.Match{
			EthType: tc.EthPIP,
			Dst:     netip.MustParseAddr("10.0.0.2"), DstMask: netip.MustParseAddr("255.255.255.255"),
		},
		Actions: []tc.Action{tc.Redirect(8).WithCookie(tc.UFIDCookie(ufid))},
	}
	fmt.Println("valid:", spec.Validate() == nil)
	// Client.AddFilter(spec) would send it; a dump returns it as a tc.Filter.
	dumped := tc.Filter{FilterID: spec.FilterID, Kind: "flower", Flags: spec.Flags | tc.FlagInHW, Actions: spec.Actions}
	got, ok := dumped.UFID()
	fmt.Println(got, ok, dumped.Flags)
	// Output:
	// valid: true
	// 1d2c3b4a-5f6e-7d8c-90a1-b2c3d4e5f607 true skip_sw in_hw
}
