// SPDX-License-Identifier: Apache-2.0

package kernellane

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// The emulated eswitch's refusals and hardware counters
// (netdevsim-flower.patch), driven with tc alone.

// tcRefusal adds a filter that the emulated hardware must refuse and
// returns the kernel's error text (tc's standard error).
func tcRefusal(t *testing.T, argv ...string) string {
	t.Helper()
	out, err := TryRun(argv...)
	var ee *cmdexec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("%s: want a refusal, got err=%v, output %q", strings.Join(argv, " "), err, out)
	}
	return ee.Stderr
}

// TestKernelNetdevsimRefusal: the emulated eswitch refuses a match on
// ct_state +new with mlx5's words, and any key the test names with the
// message it gives, verbatim; what it refuses never reaches its rule table.
func TestKernelNetdevsimRefusal(t *testing.T) {
	testenv.RequireKernelLane(t)
	LoadModules(t, "cls_flower", "sch_ingress", "act_gact")
	n := NewNetdevsim(t, 13, 1)
	rep := n.VFReps[0]
	Run(t, "ethtool", "-K", rep, "hw-tc-offload", "on")
	Run(t, "tc", "qdisc", "add", "dev", rep, "ingress")
	add := func(pref string, args ...string) []string {
		return append([]string{"tc", "filter", "add", "dev", rep, "ingress", "pref", pref}, args...)
	}

	// ct_state +new: always refused, as mlx5 refuses it.
	msg := tcRefusal(t, add("1", "protocol", "ip", "flower", "skip_sw", "ct_state", "+trk+new", "action", "drop")...)
	if want := "netdevsim: matching on ct_state +new isn't supported"; !strings.Contains(msg, want) {
		t.Errorf("ct_state +trk+new: kernel says %q, want it to carry %q", msg, want)
	}
	// ct_state +est is taken.
	Run(t, add("2", "protocol", "ip", "flower", "skip_sw", "ct_state", "+trk+est", "action", "drop")...)
	if out := Run(t, "tc", "filter", "show", "dev", rep, "ingress", "pref", "2"); !strings.Contains(out, "in_hw in_hw_count 1") {
		t.Errorf("ct_state +trk+est not in hardware:\n%s", out)
	}

	// A key and message of the test's choosing, carried verbatim.
	custom := `vendor_x: rule "ipv4" needs firmware ≥ 22.39 (§4.2), got 'ipv4'`
	n.RefuseFlower(t, rep, "ipv4", custom)
	if b, err := os.ReadFile(filepath.Join(n.TCDir(t, rep), "refuse")); err != nil || string(b) != "ipv4 "+custom+"\n" {
		t.Errorf("refuse reads %q, %v; want %q", b, err, "ipv4 "+custom+"\n")
	}
	msg = tcRefusal(t, add("3", "protocol", "ip", "flower", "skip_sw", "dst_ip", "192.0.2.1", "action", "drop")...)
	if !strings.Contains(msg, custom) {
		t.Errorf("dst_ip with ipv4 refused: kernel says %q, want it to carry %q verbatim", msg, custom)
	}
	// A rule without the key is taken.
	Run(t, add("4", "protocol", "ip", "flower", "skip_sw", "ip_proto", "udp", "action", "drop")...)
	// Without skip_sw the kernel keeps the refused rule in software: not_in_hw.
	Run(t, add("5", "protocol", "ip", "flower", "dst_ip", "192.0.2.5", "action", "drop")...)
	if out := Run(t, "tc", "filter", "show", "dev", rep, "ingress", "pref", "5"); !strings.Contains(out, "not_in_hw") {
		t.Errorf("refused rule without skip_sw: want not_in_hw:\n%s", out)
	}
	if got := n.HWRules(t, rep); got != 2 {
		t.Errorf("hardware holds %d rules, want 2 (prefs 2 and 4)", got)
	}

	// Hostile configuration is refused and leaves the last one in place.
	for _, bad := range []string{"ipv4", "ipv4 ", "nokey a message", "ipv4 bell\x07here", "ipv4 line\nbreak",
		"ipv4 " + strings.Repeat("x", 300)} {
		if err := os.WriteFile(filepath.Join(n.TCDir(t, rep), "refuse"), []byte(bad), 0); err == nil {
			t.Errorf("refuse accepted %q", bad)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(n.TCDir(t, rep), "refuse")); string(b) != "ipv4 "+custom+"\n" {
		t.Errorf("after hostile writes refuse reads %q, want the last valid setting", b)
	}

	// Cleared: the same rule is taken.
	n.RefuseFlower(t, rep, "", "")
	Run(t, add("6", "protocol", "ip", "flower", "skip_sw", "dst_ip", "192.0.2.1", "action", "drop")...)
	if got := n.HWRules(t, rep); got != 3 {
		t.Errorf("hardware holds %d rules, want 3", got)
	}
	Run(t, "tc", "filter", "del", "dev", rep, "ingress")
	if got := n.HWRules(t, rep); got != 0 {
		t.Errorf("after deleting every filter the hardware holds %d rules", got)
	}
}

// tcActionStats is the part of `tc -s -j filter show` this test reads.
type tcActionStats struct {
	Options struct {
		InHW    bool `json:"in_hw"`
		Actions []struct {
			Stats struct {
				Packets   uint64  `json:"packets"`
				SWPackets *uint64 `json:"sw_packets"`
				HWPackets *uint64 `json:"hw_packets"`
				HWBytes   *uint64 `json:"hw_bytes"`
			} `json:"stats"`
		} `json:"actions"`
	} `json:"options"`
}

// filterStats dumps the filter of pref on dev and returns its total,
// software and hardware packets and hardware bytes.
func filterStats(t *testing.T, dev, pref string) (total, sw, hw, hwBytes uint64) {
	t.Helper()
	out := Run(t, "tc", "-s", "-j", "filter", "show", "dev", dev, "ingress", "pref", pref)
	var fs []tcActionStats
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatalf("tc -j: %v\n%s", err, out)
	}
	for _, f := range fs {
		if len(f.Options.Actions) == 0 {
			continue
		}
		s := f.Options.Actions[0].Stats
		if !f.Options.InHW {
			t.Fatalf("filter %s on %s not in hardware:\n%s", pref, dev, out)
		}
		if s.HWPackets == nil || s.SWPackets == nil || s.HWBytes == nil {
			// tc prints the split only when the hardware counted something
			return s.Packets, s.Packets, 0, 0
		}
		return s.Packets, *s.SWPackets, *s.HWPackets, *s.HWBytes
	}
	t.Fatalf("no flower filter %s on %s:\n%s", pref, dev, out)
	return
}

// TestKernelNetdevsimHWStats: the emulated hardware reports the count the
// test sets as hardware packets of its rule, apart from the packets that
// software TC matched.
func TestKernelNetdevsimHWStats(t *testing.T) {
	testenv.RequireKernelLane(t)
	LoadModules(t, "cls_flower", "sch_ingress", "act_gact", "act_mirred", "cls_matchall", "veth")
	n := NewNetdevsim(t, 14, 1)
	rep := n.VFReps[0]
	Run(t, "ethtool", "-K", rep, "hw-tc-offload", "on")
	Run(t, "tc", "qdisc", "add", "dev", rep, "ingress")
	Run(t, "tc", "filter", "add", "dev", rep, "ingress", "pref", "1", "protocol", "ip",
		"flower", "dst_ip", "10.14.0.2", "action", "drop")

	if total, sw, hw, _ := filterStats(t, rep, "1"); total != 0 || sw != 0 || hw != 0 {
		t.Errorf("fresh rule: total %d, software %d, hardware %d packets; want 0", total, sw, hw)
	}
	n.SetHWStats(t, rep, 1000, 64000)
	if total, sw, hw, hwb := filterStats(t, rep, "1"); total != 1000 || sw != 0 || hw != 1000 || hwb != 64000 {
		t.Errorf("after 1000 hardware packets: total %d, software %d, hardware %d packets, %d bytes", total, sw, hw, hwb)
	}
	// Traffic through software TC counts as software only.
	vm := AttachInjector(t, "klhw0", "10.14.0.1/24", rep, map[string]string{"10.14.0.2": "02:00:00:00:0e:02"})
	_, _ = vm.TryExec("ping", "-c", "3", "-i", "0.2", "-W", "1", "10.14.0.2") // dropped: no reply
	total, sw, hw, _ := filterStats(t, rep, "1")
	if sw != 3 || hw != 1000 || total != 1003 {
		t.Errorf("after 3 pings through software: total %d, software %d, hardware %d; want 1003, 3, 1000", total, sw, hw)
	}
	// Reading again reports nothing new.
	if total2, sw2, hw2, _ := filterStats(t, rep, "1"); total2 != total || sw2 != sw || hw2 != hw {
		t.Errorf("second read changed: total %d->%d, software %d->%d, hardware %d->%d", total, total2, sw, sw2, hw, hw2)
	}
	n.SetHWStats(t, rep, 2500, 160000)
	if _, sw, hw, _ := filterStats(t, rep, "1"); sw != 3 || hw != 2500 {
		t.Errorf("after 2500 hardware packets: software %d, hardware %d", sw, hw)
	}
}
