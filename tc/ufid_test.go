// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"bytes"
	"encoding/binary"
	"testing"
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
	if u.String() != s {
		t.Fatalf("String = %s", u.String())
	}
	// OVS copies the in-memory ovs_u128 (u32[0..3], host order) into the
	// cookie.
	want := make([]byte, 16)
	for i, w := range []uint32{0x1d2c3b4a, 0x5f6e7d8c, 0x90a1b2c3, 0xd4e5f607} {
		binary.NativeEndian.PutUint32(want[4*i:], w)
	}
	if got := u.Cookie(); !bytes.Equal(got, want) {
		t.Fatalf("Cookie = %x, want %x", got, want)
	}
	back, err := UFIDFromCookie(want)
	if err != nil || back != u {
		t.Fatalf("UFIDFromCookie = %v, %v", back, err)
	}
}

func TestUFIDRejects(t *testing.T) {
	for _, s := range []string{"", "ufid:", "ufid:1d2c3b4a-5f6e-7d8c-90a1-b2c3d4e5f60", "ufid:1d2c3b4a-5f6e-7d8c-90a1-b2c3d4e5f60g",
		"ufid:1d2c3b4a5f6e-7d8c-90a1-b2c3d4e5f607-", "ufid:+d2c3b4a-5f6e-7d8c-90a1-b2c3d4e5f607"} {
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
