// SPDX-License-Identifier: Apache-2.0

package ovslog_test

import (
	"fmt"
	"strings"

	"github.com/ovsoffload/ovsoffload/ovslog"
)

func Example() {
	log := `2026-12-08T10:00:00.120Z|00047|netdev_offload_tc|INFO|probe tc: supported ovs ct_state bits: 0x27
2026-12-08T10:00:01.500Z|00060|netdev_offload_tc(handler1)|DBG|offloading attribute pkt_mark isn't supported
2026-12-08T10:00:01.500Z|00061|dpif_netlink(handler1)|DBG|failed to offload flow: Operation not supported: pf0vf0
2026-12-08T10:00:01.500Z|00062|dpif_netlink(handler1)|DBG|system@ovs-system: put[create] ufid:1b2c3d4e-0000-4a5b-8c9d-0123456789ab in_port(2),skb_mark(0x1), actions:3
`
	l, err := ovslog.Parse(strings.NewReader(log))
	if err != nil {
		panic(err)
	}
	bits, known := l.CTState()
	fmt.Printf("ct_state bits: %#x (known: %v)\n", bits, known)
	for _, e := range l.Of(ovslog.OffloadFailed) {
		fmt.Printf("%s on %s, flow %s, because %q\n", e.Err, e.Device, e.UFID, e.Reasons[0])
	}
	// Output:
	// ct_state bits: 0x27 (known: true)
	// Operation not supported on pf0vf0, flow 1b2c3d4e-0000-4a5b-8c9d-0123456789ab, because "offloading attribute pkt_mark isn't supported"
}
