// SPDX-License-Identifier: Apache-2.0

package flower

import "strings"

// Flags are a filter's TCA_CLS_FLAGS_* bits (TCA_FLOWER_FLAGS). A spec sets
// only SkipHW or SkipSW (and maybe Verbose); the kernel adds InHW or NotInHW
// in dumps.
type Flags uint32

// Classifier flags, with the values of linux/pkt_cls.h.
const (
	FlagSkipHW  Flags = clsFlagsSkipHW  // skip_hw: never offload
	FlagSkipSW  Flags = clsFlagsSkipSW  // skip_sw: hardware only
	FlagInHW    Flags = clsFlagsInHW    // in_hw: offloaded to at least one device
	FlagNotInHW Flags = clsFlagsNotInHW // not_in_hw: software only
	FlagVerbose Flags = clsFlagsVerbose // verbose: log offload errors
)

// SkipHW reports whether the filter must not be offloaded.
func (f Flags) SkipHW() bool { return f&FlagSkipHW != 0 }

// SkipSW reports whether the filter runs only in hardware.
func (f Flags) SkipSW() bool { return f&FlagSkipSW != 0 }

// InHW reports whether the kernel says the filter is in hardware.
func (f Flags) InHW() bool { return f&FlagInHW != 0 }

// NotInHW reports whether the kernel says the filter is not in hardware.
func (f Flags) NotInHW() bool { return f&FlagNotInHW != 0 }

// String lists the flags as `tc filter show` prints them, such as
// "skip_hw not_in_hw"; unknown bits are printed in hex.
func (f Flags) String() string {
	var parts []string
	names := []struct {
		bit  Flags
		name string
	}{{FlagSkipHW, "skip_hw"}, {FlagSkipSW, "skip_sw"}, {FlagInHW, "in_hw"}, {FlagNotInHW, "not_in_hw"}, {FlagVerbose, "verbose"}}
	rest := f
	for _, n := range names {
		if f&n.bit != 0 {
			parts = append(parts, n.name)
			rest &^= n.bit
		}
	}
	if rest != 0 {
		parts = append(parts, "0x"+hex32(uint32(rest)))
	}
	return strings.Join(parts, " ")
}

func hex32(v uint32) string {
	const digits = "0123456789abcdef"
	if v == 0 {
		return "0"
	}
	var b []byte
	for v > 0 {
		b = append([]byte{digits[v&0xf]}, b...)
		v >>= 4
	}
	return string(b)
}
