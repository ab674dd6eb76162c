// SPDX-License-Identifier: Apache-2.0

package nlio

import (
	"encoding/binary"
	"testing"

	"github.com/mdlayher/netlink"
)

// A real rtnetlink dump (the links of this namespace) read through the
// Reader ends with NLMSG_DONE and carries the request's sequence number.
func TestReaderDump(t *testing.T) {
	c, err := netlink.Dial(0, nil) // NETLINK_ROUTE
	if err != nil {
		t.Skipf("no rtnetlink socket: %v", err)
	}
	defer c.Close()
	req, err := c.Send(netlink.Message{
		Header: netlink.Header{Type: 18 /* RTM_GETLINK */, Flags: netlink.Request | netlink.Dump},
		Data:   make([]byte, 16), // struct ifinfomsg
	})
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(c)
	links := 0
	for done := false; !done; {
		b, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		for len(b) >= 16 {
			l := int(binary.NativeEndian.Uint32(b))
			typ := binary.NativeEndian.Uint16(b[4:])
			seq := binary.NativeEndian.Uint32(b[8:])
			if l < 16 || l > len(b) {
				t.Fatalf("bad message length %d", l)
			}
			if seq != req.Header.Sequence {
				t.Fatalf("sequence %d, want %d", seq, req.Header.Sequence)
			}
			switch typ {
			case 3: // NLMSG_DONE
				done = true
			case 16: // RTM_NEWLINK
				links++
			}
			b = b[(l+3)&^3:]
		}
	}
	if links == 0 {
		t.Fatal("no links dumped (lo exists in every namespace)")
	}
}
