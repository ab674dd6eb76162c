// Package ifname validates Linux network interface names and OVS object names
// before they are sent anywhere.
package ifname

import (
	"errors"
	"fmt"
	"strings"
)

// MaxLen is the longest Linux interface name in bytes (IFNAMSIZ - 1).
const MaxLen = 15

// ErrInvalid is matched by every error this package returns.
var ErrInvalid = errors.New("invalid name")

// Validate reports whether name can be a Linux network interface name: 1 to 15
// bytes, not "." or "..", no '/', no whitespace, no ':' and no NUL.
func Validate(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty interface name", ErrInvalid)
	case len(name) > MaxLen:
		return fmt.Errorf("%w: interface name %q is %d bytes, longer than %d", ErrInvalid, name, len(name), MaxLen)
	case name == "." || name == "..":
		return fmt.Errorf("%w: interface name %q is reserved", ErrInvalid, name)
	}
	if i := strings.IndexAny(name, "/: \t\n\r\x00"); i >= 0 {
		return fmt.Errorf("%w: interface name %q has %q at byte %d", ErrInvalid, name, name[i], i)
	}
	return nil
}
