// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/ovsoffload/ovsoffload/dpflow"
)

func TestUFIDRoundTrip(t *testing.T) {
	const s = "ufid:1d2c3b4a-5f6e-7d8c-90a1-b2c3d4e5f607"
	u, err := ParseUFID(s)
	if err != nil {
		t.Fatal(err)
	}
	if u != testUFID {
		t.Fatalf("ParseUFID = %08x, want %08x", u, testUFID)
	}
	if "ufid:"+u.String() != s {
		t.Fatalf("String = %s", u.String())
	}
	if up, err := ParseUFID("1D2C3B4A-5F6E-7D8C-90A1-B2C3D4E5F607"); err != nil || up != u {
		t.Fatalf("ParseUFID of the upper-case form = %v, %v", up, err)
	}
	// OVS copies the in-memory ovs_u128 (u32[0..3], host order) into the
	// cookie.
	want := make([]byte, 16)
	for i, w := range []uint32{0x1d2c3b4a, 0x5f6e7d8c, 0x90a1b2c3, 0xd4e5f607} {
		binary.NativeEndian.PutUint32(want[4*i:], w)
	}
	if got := UFIDCookie(u); !bytes.Equal(got, want) {
		t.Fatalf("Cookie = %x, want %x", got, want)
	}
	back, err := UFIDFromCookie(want)
	if err != nil || back != u {
		t.Fatalf("UFIDFromCookie = %v, %v", back, err)
	}
}

// ufidWords builds a UFID from OVS's four 32-bit words (ovs_u128.u32).
func ufidWords(w0, w1, w2, w3 uint32) UFID {
	var u UFID
	for i, w := range []uint32{w0, w1, w2, w3} {
		binary.BigEndian.PutUint32(u[4*i:], w)
	}
	return u
}

// TestUFIDIsDpflowUFID checks that a filter's UFID, read from the cookie OVS
// wrote, equals the UFID of the dumped datapath flow it belongs to, with no
// conversion between them: tc.UFID is dpflow.UFID.
func TestUFIDIsDpflowUFID(t *testing.T) {
	const line = "ufid:1d2c3b4a-5f6e-7d8c-90a1-b2c3d4e5f607, recirc_id(0),in_port(2),eth_type(0x0800), packets:0, bytes:0, used:never, actions:3"
	fl, err := dpflow.Parse(line)
	if err != nil {
		t.Fatal(err)
	}
	if !fl.HasUFID {
		t.Fatal("the dumped flow has no UFID")
	}
	f := Filter{Actions: []Action{Redirect(8).WithCookie(UFIDCookie(testUFID))}}
	got, ok := f.UFID()
	var fromFlow dpflow.UFID = got // compiles only if tc.UFID is dpflow.UFID
	if !ok || fromFlow != fl.UFID {
		t.Fatalf("filter UFID %v %v, flow UFID %v", got, ok, fl.UFID)
	}
}

func TestUFIDRejects(t *testing.T) {
	for _, s := range []string{"", "ufid:", "ufid:1d2c3b4a-5f6e-7d8c-90a1-b2c3d4e5f60", "ufid:1d2c3b4a-5f6e-7d8c-90a1-b2c3d4e5f60g",
		"ufid:1d2c3b4a5f6e-7d8c-90a1-b2c3d4e5f607-", "ufid:+d2c3b4a-5f6e-7d8c-90a1-b2c3d4e5f607", "ufid:1d2c3b4a-5f6e-7d8c-90a1-b2c3d4e5f6\u00e9"} {
		if _, err := ParseUFID(s); err == nil {
			t.Errorf("ParseUFID(%q) accepted", s)
		}
	}
	if _, err := UFIDFromCookie(make([]byte, 8)); err == nil {
		t.Error("8-byte cookie accepted")
	}
}

func FuzzParseUFID(f *testing.F) {
	f.Add("ufid:1d2c3b4a-5f6e-7d8c-90a1-b2c3d4e5f607")
	f.Add("00000000-0000-0000-0000-000000000000")
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseUFID(s)
		if err != nil {
			return
		}
		again, err := ParseUFID(u.String())
		if err != nil || again != u {
			t.Fatalf("%q -> %s -> %v, %v", s, u, again, err)
		}
	})
}
