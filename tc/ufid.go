// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/ovsoffload/ovsoffload/dpflow"
)

// UFID is an OVS unique flow identifier: the module's one UFID type,
// dpflow.UFID (16 bytes in the order OVS prints them), so a filter's UFID
// is compared with a dumped flow's UFID directly. OVS holds it as four
// 32-bit words (ovs_u128.u32[0..3]) and prints them in that order, each
// big-endian: the first word in full, the second and third split in two
// 16-bit halves, the fourth after the last 16 bits of the third.
// UFIDCookie and UFIDFromCookie convert to and from the action cookie.
type UFID = dpflow.UFID

// ParseUFID parses "ufid:" followed by 8-4-4-4-12 hex digits, as
// ovs-appctl dpctl/dump-flows prints it; the "ufid:" prefix is optional and
// upper-case digits are accepted.
func ParseUFID(s string) (UFID, error) {
	t := strings.TrimPrefix(s, "ufid:")
	if len(t) == 36 {
		if u, ok := dpflow.ParseUFID(strings.ToLower(t)); ok {
			return u, nil
		}
	}
	return UFID{}, fmt.Errorf("tc: bad UFID %q: want ufid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", s)
}

// UFIDCookie returns the 16 bytes OVS puts in TCA_ACT_COOKIE for the flow
// u: the in-memory ovs_u128, that is the four words in the host's byte
// order (lib/netdev-offload-tc.c sets act_cookie.data to the ufid itself).
func UFIDCookie(u UFID) []byte {
	b := make([]byte, 16)
	for i := 0; i < 16; i += 4 {
		binary.NativeEndian.PutUint32(b[i:], binary.BigEndian.Uint32(u[i:]))
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
	for i := 0; i < 16; i += 4 {
		binary.BigEndian.PutUint32(u[i:], binary.NativeEndian.Uint32(b[i:]))
	}
	return u, nil
}
