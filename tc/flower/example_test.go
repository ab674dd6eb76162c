// SPDX-License-Identifier: Apache-2.0

package flower_test

import (
	"fmt"
	"net/netip"

	"github.com/ovsoffload/ovsoffload/tc/flower"
)

// Encode the options of a filter that matches TCP to 10.0.0.0/24 port 80
// and drops it, then read them back as a dump would.
func Example() {
	proto := uint8(6)
	m := flower.Match{
		EthType: 0x0800, IPProto: &proto,
		Dst: netip.MustParseAddr("10.0.0.0"), DstMask: netip.MustParseAddr("255.255.255.0"),
		DstPort: 80, DstPortMask: 0xffff,
	}
	drop := flower.Action{Kind: "gact", Verdict: flower.VerdictShot}
	if err := m.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	b, err := flower.AppendOptions(nil, flower.FlagSkipHW, m, []flower.Action{drop})
	if err != nil {
		fmt.Println(err)
		return
	}
	o, err := flower.DecodeOptions(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(o.Flags, o.Match.Dst, o.Match.DstPort, o.Actions[0].Kind, o.Actions[0].Verdict)
	// Output: skip_hw 10.0.0.0 80 gact drop
}
