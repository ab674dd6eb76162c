// SPDX-License-Identifier: Apache-2.0

package tc

// Parents of filters: the ingress and egress hooks of a clsact qdisc (tc's
// "ingress" and "egress" keywords), and the handle of an ingress qdisc
// ("parent ffff:", what OVS uses). ParentIngress and ParentIngressQdisc
// reach the same filter block.
const (
	ParentIngress      uint32 = tcHClsact&0xFFFF0000 | tcHMinIngress
	ParentEgress       uint32 = tcHClsact&0xFFFF0000 | tcHMinEgress
	ParentIngressQdisc uint32 = qdiscHandleFFF
)

// FilterID names one filter in the kernel: the tuple `tc filter del` needs.
type FilterID struct {
	Ifindex  int    // the device
	Parent   uint32 // ParentIngress, ParentEgress, ParentIngressQdisc or a class
	Chain    uint32 // chain index, 0 by default
	Prio     uint16 // priority (tc "pref"), 1..65535
	Protocol uint16 // ethertype (EthPIP, EthPAll, ...), host byte order
	Handle   uint32 // filter handle within prio; 0 on delete removes the whole prio
}

// FilterSpec is a flower filter to program: a plain value that tests compare.
type FilterSpec struct {
	FilterID
	// Flags may hold FlagSkipHW or FlagSkipSW (or FlagVerbose), not both skips.
	Flags   Flags
	Match   Match
	Actions []Action
}

// Filter is a filter as the kernel dumps it.
type Filter struct {
	FilterID
	Kind  string // "flower"; other kinds keep their options in Options
	Flags Flags  // TCA_FLOWER_FLAGS, with in_hw / not_in_hw
	// InHWCount is TCA_FLOWER_IN_HW_COUNT, the number of devices holding the
	// filter; nil when the kernel did not send it.
	InHWCount *uint32
	Match     Match
	Actions   []Action
	// Options holds the raw TCA_OPTIONS of a filter that is not flower.
	Options []byte
	// Unknown holds top-level attributes this package does not decode, in
	// the order received (unknown flower keys are in Match.Unknown).
	Unknown []Attr

	instance bool
}

// IsInstance reports whether f is not a filter but the classifier instance
// of a prio and protocol: the kernel dumps one such entry, with handle 0
// and no options, before the filters of each prio (tc -j prints it as an
// entry without "options"). Client.Filters and DecodeMessages leave them
// out; DecodeFilter returns them.
func (f Filter) IsInstance() bool { return f.instance }

// Spec returns the programmable part of f, so that a dumped filter can be
// compared with the spec that created it.
func (f Filter) Spec() FilterSpec {
	acts := make([]Action, len(f.Actions))
	for i, a := range f.Actions {
		acts[i] = a.SpecPart()
	}
	return FilterSpec{FilterID: f.FilterID, Flags: f.Flags & (FlagSkipHW | FlagSkipSW), Match: f.Match.SpecPart(), Actions: acts}
}

// UFID returns the OVS flow identifier carried in the first action cookie
// that holds one, and false when no action carries a 16-byte cookie.
func (f Filter) UFID() (UFID, bool) {
	for _, a := range f.Actions {
		if u, err := UFIDFromCookie(a.Cookie); err == nil {
			return u, true
		}
	}
	return UFID{}, false
}

// Ptr returns a pointer to v, for the optional keys of Match.
func Ptr[T any](v T) *T { return &v }

// FilterStats are a filter's counters split by where the packets ran.
type FilterStats struct {
	// HWPackets and HWBytes were counted by the hardware (the kernel's
	// TCA_STATS_BASIC_HW); SWPackets and SWBytes by the kernel in software
	// (the total less the hardware part).
	HWPackets, HWBytes uint64
	SWPackets, SWBytes uint64
	// HWReported is true when at least one action carried hardware
	// counters; when false, the hardware counts are unknown, not zero.
	HWReported bool
}

// Stats returns the filter's counters split into hardware and software.
// Every action of a filter sees the same packets, so, as OVS does when it
// reads a filter's stats (lib/tc.c), each part is the largest over the
// actions, taken separately for hardware and software.
func (f Filter) Stats() FilterStats {
	var s FilterStats
	for _, a := range f.Actions {
		st := a.Stats
		if st.HasHW {
			s.HWReported = true
			if st.HWPackets > s.HWPackets {
				s.HWPackets, s.HWBytes = st.HWPackets, st.HWBytes
			}
		}
		if sw := st.SWPackets(); sw > s.SWPackets {
			s.SWPackets, s.SWBytes = sw, st.SWBytes()
		}
	}
	return s
}
