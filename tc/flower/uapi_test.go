// SPDX-License-Identifier: Apache-2.0

package flower

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// enumValues reads the members of the enum that contains first from a UAPI
// header, numbering them as C does (explicit "= N" values honoured).
func enumValues(t *testing.T, header, first string) map[string]int {
	t.Helper()
	b, err := os.ReadFile(header)
	if err != nil {
		testenv.Missing(t, "%s: %v (install the Debian package linux-libc-dev)", header, err)
	}
	src := regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(string(b), "")
	i := strings.Index(src, first+",")
	if i < 0 {
		t.Fatalf("%s: %s not found", header, first)
	}
	start := strings.LastIndex(src[:i], "{")
	end := strings.Index(src[i:], "}")
	body := src[start+1 : i+end]
	out := map[string]int{}
	n := 0
	for _, item := range strings.Split(body, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name := item
		if k := strings.Index(item, "="); k >= 0 {
			name = strings.TrimSpace(item[:k])
			var v int
			if _, err := fmtSscan(strings.TrimSpace(item[k+1:]), &v); err == nil {
				n = v
			}
		}
		out[name] = n
		n++
	}
	return out
}

func TestUAPIFlowerEnum(t *testing.T) {
	got := enumValues(t, "/usr/include/linux/pkt_cls.h", "TCA_FLOWER_UNSPEC")
	want := map[string]int{
		"TCA_FLOWER_INDEV": flowerIndev, "TCA_FLOWER_ACT": flowerAct, "TCA_FLOWER_FLAGS": flowerFlags,
		"TCA_FLOWER_KEY_ETH_DST": flowerKeyEthDst, "TCA_FLOWER_KEY_ETH_TYPE": flowerKeyEthType,
		"TCA_FLOWER_KEY_IP_PROTO": flowerKeyIPProto, "TCA_FLOWER_KEY_IPV4_SRC": flowerKeyIPv4Src,
		"TCA_FLOWER_KEY_IPV6_DST_MASK": flowerKeyIPv6DstMask, "TCA_FLOWER_KEY_TCP_SRC": flowerKeyTCPSrc,
		"TCA_FLOWER_KEY_UDP_DST": flowerKeyUDPDst, "TCA_FLOWER_KEY_VLAN_ID": flowerKeyVlanID,
		"TCA_FLOWER_KEY_VLAN_ETH_TYPE": flowerKeyVlanEthType, "TCA_FLOWER_KEY_ENC_KEY_ID": flowerKeyEncKeyID,
		"TCA_FLOWER_KEY_ENC_IPV6_DST_MASK": flowerKeyEncIPv6DstMask, "TCA_FLOWER_KEY_TCP_SRC_MASK": flowerKeyTCPSrcMask,
		"TCA_FLOWER_KEY_SCTP_DST": flowerKeySCTPDst, "TCA_FLOWER_KEY_ENC_UDP_DST_PORT_MASK": flowerKeyEncUDPDstPortMask,
		"TCA_FLOWER_KEY_FLAGS": flowerKeyFlags, "TCA_FLOWER_KEY_TCP_FLAGS_MASK": flowerKeyTCPFlagsMask,
		"TCA_FLOWER_KEY_IP_TTL_MASK": flowerKeyIPTTLMask, "TCA_FLOWER_KEY_ENC_IP_TOS": flowerKeyEncIPTOS,
		"TCA_FLOWER_KEY_ENC_OPTS": flowerKeyEncOpts, "TCA_FLOWER_IN_HW_COUNT": flowerInHWCount,
		"TCA_FLOWER_KEY_CT_STATE": flowerKeyCtState, "TCA_FLOWER_KEY_CT_ZONE_MASK": flowerKeyCtZoneMask,
		"TCA_FLOWER_KEY_CT_MARK": flowerKeyCtMark, "TCA_FLOWER_KEY_CT_LABELS_MASK": flowerKeyCtLabelsMask,
	}
	for name, v := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("%s missing from the header", name)
		} else if g != v {
			t.Errorf("%s = %d in the header, %d here", name, g, v)
		}
	}
}

func TestUAPIActAndFlags(t *testing.T) {
	got := enumValues(t, "/usr/include/linux/pkt_cls.h", "TCA_ACT_UNSPEC")
	for name, v := range map[string]int{"TCA_ACT_KIND": actKind, "TCA_ACT_OPTIONS": actOptions,
		"TCA_ACT_INDEX": actIndex, "TCA_ACT_STATS": actStats, "TCA_ACT_COOKIE": actCookie,
		"TCA_ACT_IN_HW_COUNT": actInHWCount} {
		if got[name] != v {
			t.Errorf("%s = %d in the header, %d here", name, got[name], v)
		}
	}
	b, err := os.ReadFile("/usr/include/linux/pkt_cls.h")
	if err != nil {
		testenv.Missing(t, "pkt_cls.h: %v (install linux-libc-dev)", err)
	}
	for name, bit := range map[string]Flags{"TCA_CLS_FLAGS_SKIP_HW": FlagSkipHW, "TCA_CLS_FLAGS_SKIP_SW": FlagSkipSW,
		"TCA_CLS_FLAGS_IN_HW": FlagInHW, "TCA_CLS_FLAGS_NOT_IN_HW": FlagNotInHW, "TCA_CLS_FLAGS_VERBOSE": FlagVerbose} {
		m := regexp.MustCompile(`#define\s+` + name + `\s+\(1\s*<<\s*(\d)\)`).FindSubmatch(b)
		if m == nil {
			t.Errorf("%s not found", name)
			continue
		}
		if want := Flags(1) << (m[1][0] - '0'); want != bit {
			t.Errorf("%s is %#x in the header, %#x here", name, want, bit)
		}
	}
	st := enumValues(t, "/usr/include/linux/gen_stats.h", "TCA_STATS_UNSPEC")
	if st["TCA_STATS_BASIC"] != statsBasic || st["TCA_STATS_BASIC_HW"] != statsBasicHW || st["TCA_STATS_PKT64"] != statsPkt64 {
		t.Errorf("TCA_STATS_* differ from the header: %v", st)
	}
	ct := enumValues(t, "/usr/include/linux/tc_act/tc_ct.h", "TCA_CT_UNSPEC")
	if ct["TCA_CT_PARMS"] != ctParms || ct["TCA_CT_TM"] != ctTM || ct["TCA_CT_NAT_PORT_MAX"] != ctNatPortMax {
		t.Errorf("TCA_CT_* differ from the header: %v", ct)
	}
	tk := enumValues(t, "/usr/include/linux/tc_act/tc_tunnel_key.h", "TCA_TUNNEL_KEY_UNSPEC")
	if tk["TCA_TUNNEL_KEY_ENC_KEY_ID"] != tunnelKeyEncKeyID || tk["TCA_TUNNEL_KEY_ENC_TTL"] != tunnelKeyEncTTL {
		t.Errorf("TCA_TUNNEL_KEY_* differ from the header: %v", tk)
	}
}

func fmtSscan(s string, v *int) (int, error) { return fmt.Sscan(s, v) }
