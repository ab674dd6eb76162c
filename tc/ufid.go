// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// UFID is an OVS unique flow identifier, the 128-bit value OVS prints as
// "ufid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx". OVS holds it as four 32-bit
// words (ovs_u128.u32[0..3]) and prints them in that order: the first word
// in full, the second and third split in two 16-bit halves, the fourth after
// the last 16 bits of the third.
type UFID [4]uint32

// ParseUFID parses "ufid:" followed by 8-4-4-4-12 hex digits; the "ufid:"
// prefix is optional.
func ParseUFID(s string) (UFID, error) {
	t := strings.TrimPrefix(s, "ufid:")
	groups := strings.Split(t, "-")
	if len(groups) != 5 || len(groups[0]) != 8 || len(groups[1]) != 4 || len(groups[2]) != 4 ||
		len(groups[3]) != 4 || len(groups[4]) != 12 {
		return UFID{}, fmt.Errorf("tc: bad UFID %q: want ufid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", s)
	}
	var n [6]uint64
	parts := []string{groups[0], groups[1], groups[2], groups[3], groups[4][:4], groups[4][4:]}
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 16, 32)
		if err != nil {
			return UFID{}, fmt.Errorf("tc: bad UFID %q: %w", s, err)
		}
		n[i] = v
	}
	return UFID{uint32(n[0]), uint32(n[1]<<16 | n[2]), uint32(n[3]<<16 | n[4]), uint32(n[5])}, nil
}

// String formats u the way OVS does ("ufid:" included).
func (u UFID) String() string {
	return fmt.Sprintf("ufid:%08x-%04x-%04x-%04x-%04x%08x",
		u[0], u[1]>>16, u[1]&0xffff, u[2]>>16, u[2]&0xffff, u[3])
}

// Cookie returns the 16 bytes OVS puts in TCA_ACT_COOKIE for this flow: the
// in-memory ovs_u128, that is the four words in the host's byte order
// (lib/netdev-offload-tc.c sets act_cookie.data to the ufid itself).
func (u UFID) Cookie() []byte {
	b := make([]byte, 16)
	for i, w := range u {
		binary.NativeEndian.PutUint32(b[4*i:], w)
	}
	return b
}

// UFIDFromCookie reads a UFID from an action cookie written by OVS on this
// host. The cookie must be exactly 16 bytes.
func UFIDFromCookie(b []byte) (UFID, error) {
	if len(b) != 16 {
		return UFID{}, fmt.Errorf("tc: cookie of %d bytes is not a UFID (want 16)", len(b))
	}
	var u UFID
	for i := range u {
		u[i] = binary.NativeEndian.Uint32(b[4*i:])
	}
	return u, nil
}
