// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"math/rand"
	"net/netip"
	"testing"
)

// validIPv4 must accept exactly what net/netip accepts as an IPv4 address
// (dotted quad, no leading zeros, bytes up to 255).
func checkIPv4(t *testing.T, s string) {
	t.Helper()
	a, err := netip.ParseAddr(s)
	want := err == nil && a.Is4()
	if got := validIPv4(s); got != want {
		t.Fatalf("validIPv4(%q) = %v, netip says %v", s, got, want)
	}
}

func TestValidIPv4MatchesNetip(t *testing.T) {
	for _, s := range []string{"0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.",
		"1..2.3", "1.2.3.04", "10.244.0.4", "1234.1.1.1", "1.2.3.4/24", "", "1.2.3.-1", "::1"} {
		checkIPv4(t, s)
	}
	rng := rand.New(rand.NewSource(1))
	const alphabet = "0123456789..5x"
	for i := 0; i < 200000; i++ {
		b := make([]byte, 1+rng.Intn(16))
		for j := range b {
			b[j] = alphabet[rng.Intn(len(alphabet))]
		}
		checkIPv4(t, string(b))
	}
}

func FuzzValidIPv4(f *testing.F) {
	for _, s := range []string{"10.244.0.4", "255.255.255.255", "01.2.3.4", "1.2.3.256"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkIPv4(t, s) })
}
