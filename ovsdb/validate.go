// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
)

func sortStrings(s []string) { slices.Sort(s) }

func validateMAC(s string) error {
	hw, err := net.ParseMAC(s)
	if err != nil {
		return err
	}
	if len(hw) != 6 {
		return fmt.Errorf("not a 48-bit Ethernet address")
	}
	return nil
}

func validateIP(field, s string) error {
	if _, err := netip.ParseAddr(s); err != nil {
		return invalid(field, s, "not an IP address")
	}
	return nil
}

// validateToken checks values such as interface types: lowercase letters,
// digits, '-' and '_'.
func validateToken(field, s string) error {
	if s == "" {
		return invalid(field, s, "empty")
	}
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return invalid(field, s, "unexpected %q at byte %d", r, i)
		}
	}
	return nil
}

// validateKeys rejects empty keys and NULs in map keys or values.
func validateKeys(field string, m map[string]string) error {
	for k, v := range m {
		if k == "" {
			return invalid(field, k, "empty key")
		}
		if strings.ContainsRune(k, 0) || strings.ContainsRune(v, 0) {
			return invalid(field+":"+k, v, "contains NUL")
		}
	}
	return nil
}
