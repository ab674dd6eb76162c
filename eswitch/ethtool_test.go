// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/mdlayher/netlink"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// goldenFeatureSetHWTCOn is the ETHTOOL_MSG_FEATURES_SET payload that turns
// hw-tc-offload on for brp0, written by hand from
// include/uapi/linux/ethtool_netlink.h (struct nlattr: u16 length with the
// 4-byte header, u16 type; NLA_F_NESTED = 0x8000 on nests; payloads padded
// to 4 bytes). The WANTED bitset has no NOMASK flag, so it lists the one bit
// to change and leaves every other feature alone.
var goldenFeatureSetHWTCOn = []byte{
	0x18, 0x00, 0x01, 0x80, // ETHTOOL_A_FEATURES_HEADER (1), nested, 24 bytes
	0x09, 0x00, 0x02, 0x00, 'b', 'r', 'p', '0', 0x00, 0x00, 0x00, 0x00, //   ETHTOOL_A_HEADER_DEV_NAME (2) "brp0", 3 bytes pad
	0x08, 0x00, 0x03, 0x00, 0x02, 0x00, 0x00, 0x00, //   ETHTOOL_A_HEADER_FLAGS (3) u32 2 = ETHTOOL_FLAG_OMIT_REPLY
	0x24, 0x00, 0x03, 0x80, // ETHTOOL_A_FEATURES_WANTED (3), nested, 36 bytes
	0x20, 0x00, 0x03, 0x80, //   ETHTOOL_A_BITSET_BITS (3), nested, 32 bytes
	0x1c, 0x00, 0x01, 0x80, //     ETHTOOL_A_BITSET_BITS_BIT (1), nested, 28 bytes
	0x12, 0x00, 0x02, 0x00, 'h', 'w', '-', 't', 'c', '-', 'o', 'f', 'f', 'l', 'o', 'a', 'd', 0x00, 0x00, 0x00, //       ETHTOOL_A_BITSET_BIT_NAME (2) "hw-tc-offload", 2 bytes pad
	0x04, 0x00, 0x03, 0x00, //       ETHTOOL_A_BITSET_BIT_VALUE (3), flag: on
}

func TestEncodeFeatureSetGolden(t *testing.T) {
	b, err := encodeFeatureSet("brp0", FeatureHWTCOffload, true)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, goldenFeatureSetHWTCOn) {
		t.Fatalf("encoded:\n% x\ngolden:\n% x", b, goldenFeatureSetHWTCOn)
	}
	off, err := encodeFeatureSet("brp0", FeatureHWTCOffload, false)
	if err != nil {
		t.Fatal(err)
	}
	// Off is the same request without the VALUE flag (4 bytes shorter, and
	// the three nest lengths shrink by 4).
	if len(off) != len(goldenFeatureSetHWTCOn)-4 || bytes.Contains(off, []byte{0x04, 0x00, 0x03, 0x00}) {
		t.Fatalf("off request: % x", off)
	}
}

// featuresReply builds a FEATURES_GET reply payload the way the kernel's
// features_fill_reply does: four verbose bitsets with NOMASK, each listing
// the set bits by index and name.
func featuresReply(t *testing.T, hw, wanted, active, nochange []string) []byte {
	t.Helper()
	ae := netlink.NewAttributeEncoder()
	ae.Nested(ethtoolAFeaturesHeader, func(h *netlink.AttributeEncoder) error {
		h.Uint32(1, 7) // ETHTOOL_A_HEADER_DEV_INDEX
		h.String(ethtoolAHeaderDevName, "p0")
		return nil
	})
	for i, set := range [][]string{hw, wanted, active, nochange} {
		ae.Nested(uint16(ethtoolAFeaturesHW+i), func(bs *netlink.AttributeEncoder) error {
			bs.Flag(1, true) // ETHTOOL_A_BITSET_NOMASK
			bs.Uint32(2, 64) // ETHTOOL_A_BITSET_SIZE
			if len(set) == 0 {
				return nil
			}
			bs.Nested(ethtoolABitsetBits, func(bits *netlink.AttributeEncoder) error {
				for j, name := range set {
					bits.Nested(ethtoolABitsetBitsBit, func(bit *netlink.AttributeEncoder) error {
						bit.Uint32(1, uint32(j)) // ETHTOOL_A_BITSET_BIT_INDEX
						bit.String(ethtoolABitsetBitName, name)
						return nil
					})
				}
				return nil
			})
			return nil
		})
	}
	b, err := ae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeFeatures(t *testing.T) {
	b := featuresReply(t,
		[]string{"rx-gro-list", "hw-tc-offload"}, // changeable
		[]string{"hw-tc-offload"},                // wanted
		[]string{"hw-tc-offload", "rx-checksum"}, // active
		[]string{"rx-checksum"})                  // never changeable
	f, err := decodeFeatures(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.state(FeatureHWTCOffload); got != (FeatureState{Name: FeatureHWTCOffload, Active: true, Wanted: true, Changeable: true}) {
		t.Fatalf("hw-tc-offload: %+v", got)
	}
	if got := f.state("rx-checksum"); got.Changeable || !got.Active {
		t.Fatalf("rx-checksum: %+v", got)
	}
	if got := f.state("rx-gro-list"); got.Active || !got.Changeable {
		t.Fatalf("rx-gro-list: %+v", got)
	}
}

// TestIntegrationFeaturesOnVeth reads and sets netdev features through the
// ethtool netlink family of the running kernel. veth has hw-tc-offload
// fixed off (so the set must be refused before sending) and rx-gro-list
// changeable (so a real set and read-back happen).
func TestIntegrationFeaturesOnVeth(t *testing.T) {
	n := newTestNS(t, Config{})
	n.veth(t, "pf0vf0", "peer0", true)
	ctx := context.Background()
	st, err := n.client.HWTCOffload(ctx, "pf0vf0")
	if errors.Is(err, ErrNotSupported) {
		testenv.Missing(t, "kernel without the ethtool netlink family (Linux 5.6+, CONFIG_ETHTOOL_NETLINK): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if st.Active || st.Changeable {
		t.Fatalf("veth hw-tc-offload: %+v, want off [fixed]", st)
	}
	if err := n.client.SetHWTCOffload(ctx, "pf0vf0", true); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("SetHWTCOffload on veth: %v, want ErrNotSupported", err)
	}
	for _, on := range []bool{true, false} {
		if err := n.client.SetFeature(ctx, "pf0vf0", "rx-gro-list", on); err != nil {
			t.Fatalf("SetFeature rx-gro-list %v: %v", on, err)
		}
		st, err := n.client.Feature(ctx, "pf0vf0", "rx-gro-list")
		if err != nil || st.Active != on || st.Wanted != on || !st.Changeable {
			t.Fatalf("rx-gro-list after set %v: %+v, %v", on, st, err)
		}
	}
	if _, err := n.client.Feature(ctx, "nope0", FeatureHWTCOffload); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Feature of a missing link: %v, want ErrNotFound", err)
	}
}

// FuzzDecodeFeatures feeds arbitrary payloads to the FEATURES_GET reply
// decoder: errors are fine, panics are not.
func FuzzDecodeFeatures(f *testing.F) {
	f.Add(goldenFeatureSetHWTCOn)
	f.Fuzz(func(t *testing.T, b []byte) {
		feats, err := decodeFeatures(b)
		if err == nil {
			_ = feats.state(FeatureHWTCOffload)
		}
	})
}
