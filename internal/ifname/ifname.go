// SPDX-License-Identifier: Apache-2.0

// Package ifname validates Linux network interface names and OVS object names
// before they are sent anywhere.
//
// Two rules live here. KernelValid is the kernel's dev_valid_name
// (net/core/dev.c) exactly: 1 to 15 bytes, not "." or "..", no '/', no ':'
// and no byte the kernel's isspace() matches, which besides ' ' and \t \n
// \r is \v, \f and 0xA0 (Latin-1 no-break space, a space in lib/ctype.c).
// The kernel accepts every other byte, control characters and bytes >= 0x80
// included (tried on Debian's kernel: "a\x01b", "a\x1bb", "a\x7fb",
// "a\x85b" and "aüb" are created, "a\xa0b" is refused with EINVAL).
//
// Validate, the rule the library applies to every name it is given, is
// stricter: printable ASCII only (0x21 to 0x7e) on top of the kernel's rule.
// Interface, Port and Bridge names are OVSDB strings, which must be valid
// UTF-8 (RFC 7047), so most bytes >= 0x80 cannot be stored at all; control
// characters (ESC, DEL, ...) would reach terminals and logs as escape
// sequences; and names made of look-alike Unicode letters would be
// ambiguous to the people reading them. No NIC driver, udev or systemd
// naming scheme produces such names.
package ifname

import (
	"errors"
	"fmt"
)

// MaxLen is the longest Linux interface name in bytes (IFNAMSIZ - 1).
const MaxLen = 15

// ErrInvalid is matched by every error this package returns.
var ErrInvalid = errors.New("invalid name")

// kernelSpace reports whether the kernel's isspace() matches b: the C
// locale's six white-space characters and, in the kernel's Latin-1 ctype
// table, 0xA0.
func kernelSpace(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0xa0:
		return true
	}
	return false
}

// KernelValid reports whether the kernel would accept name as a network
// interface name (dev_valid_name). A NUL byte ends a C string, so a name
// holding one is refused too: the kernel would see a different name.
func KernelValid(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty interface name", ErrInvalid)
	case len(name) > MaxLen:
		return fmt.Errorf("%w: interface name %q is %d bytes, longer than %d", ErrInvalid, name, len(name), MaxLen)
	case name == "." || name == "..":
		return fmt.Errorf("%w: interface name %q is reserved", ErrInvalid, name)
	}
	for i := 0; i < len(name); i++ {
		b := name[i]
		if b == '/' || b == ':' || b == 0 || kernelSpace(b) {
			return fmt.Errorf("%w: interface name %q has %q at byte %d, which the kernel refuses", ErrInvalid, name, b, i)
		}
	}
	return nil
}

// Validate reports whether name can be a network interface (or OVS bridge
// or port) name for this library: the kernel's rule (KernelValid), and
// printable ASCII only, so the name can be stored in OVSDB and printed as
// is.
func Validate(name string) error {
	if err := KernelValid(name); err != nil {
		return err
	}
	for i := 0; i < len(name); i++ {
		if b := name[i]; b < 0x21 || b > 0x7e {
			return fmt.Errorf("%w: interface name %q has byte 0x%02x at byte %d: only printable ASCII is accepted (OVSDB needs UTF-8, terminals need no control characters)", ErrInvalid, name, b, i)
		}
	}
	return nil
}
