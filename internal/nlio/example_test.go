// SPDX-License-Identifier: Apache-2.0

package nlio_test

import (
	"encoding/binary"
	"fmt"

	"github.com/mdlayher/netlink"
	"github.com/ovsoffload/ovsoffload/internal/nlio"
)

// Dump the links of this network namespace and read the replies in 32 KiB
// datagrams until NLMSG_DONE.
func Example() {
	c, err := netlink.Dial(0 /* NETLINK_ROUTE */, nil)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	if _, err := c.Send(netlink.Message{
		Header: netlink.Header{Type: 18 /* RTM_GETLINK */, Flags: netlink.Request | netlink.Dump},
		Data:   make([]byte, 16),
	}); err != nil {
		panic(err)
	}
	r := nlio.NewReader(c)
	for {
		b, err := r.Next()
		if err != nil {
			panic(err)
		}
		for len(b) >= 16 {
			l := int(binary.NativeEndian.Uint32(b))
			if binary.NativeEndian.Uint16(b[4:]) == 3 { // NLMSG_DONE
				fmt.Println("dump complete")
				return
			}
			b = b[min((l+3)&^3, len(b)):]
		}
	}
	// Output: dump complete
}
