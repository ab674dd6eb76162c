// SPDX-License-Identifier: Apache-2.0

package ovslog

// What OVS's lines say: the messages of lib/dpif-netlink.c,
// lib/netdev-offload-tc.c, lib/tc.c, lib/netdev-offload.c, lib/dpif-netdev.c
// (3.x) and lib/dpif-offload*.c (4.0) that matter for offload.

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// tcModules are the modules of OVS's TC translation (3.x, 4.0).
var tcModules = map[string]bool{"netdev_offload_tc": true, "dpif_offload_tc_netdev": true, "dpif_offload_tc": true, "tc": true}

// refusalPrefixes start the messages with which OVS's TC translation
// refuses a flow (lib/netdev-offload-tc.c, lib/dpif-offload-tc-netdev.c:
// test_key_and_mask, netdev_tc_parse_nl_actions, parse_put_flow_set_action,
// netdev_tc_flow_put and their 4.0 counterparts).
var refusalPrefixes = []string{
	"offloading ", // offloading attribute X isn't supported, of IPv6 fragments, multiple mpls_lses, isn't supported, unknown attribute
	"unsupported ",
	"Can only support ",
	"Can't find ",
	"Flow API provider mismatch",
	"flow_put: recirc_id sharing not supported",
	"flow recirc_id ",
	"match for chain ",
	"set action type ",
	"flow_put: failed to get ifindex",
	"error parsing VXLAN options",
	"couldn't get tc prio",
	"Tunnel options are in the wrong format",
}

// classify recognises the offload events.
func classify(rec record) (Event, bool) {
	ev := Event{Module: rec.module, Thread: rec.thread, Level: rec.level}
	msg := rec.message
	switch {
	case strings.HasPrefix(msg, "failed to offload flow: "):
		ev.Kind = OffloadFailed
		rest := msg[len("failed to offload flow: "):]
		if i := strings.LastIndex(rest, ": "); i >= 0 {
			ev.Err, ev.Device = clean(rest[:i]), clean(rest[i+2:])
		} else {
			ev.Err = clean(rest)
		}
		return ev, true
	case strings.HasPrefix(msg, "Kernel flower acknowledgment does not match request"):
		ev.Kind = AckMismatch
		return ev, true
	case strings.HasPrefix(msg, "failed adding ingress qdisc required for offloading"):
		ev.Kind = IngressQdiscFailed
		rest := msg[len("failed adding ingress qdisc required for offloading"):]
		if dev, ok := strings.CutPrefix(rest, " on "); ok {
			if i := strings.LastIndex(dev, ": "); i >= 0 {
				ev.Device, ev.Err = clean(dev[:i]), clean(dev[i+2:])
			}
		} else if e, ok := strings.CutPrefix(rest, ": "); ok {
			ev.Err = clean(e)
		}
		return ev, true
	case rec.module == "netdev_offload" && strings.HasPrefix(msg, "netdev: Flow API Enabled"),
		rec.module == "dpif_offload" && strings.HasPrefix(msg, "Flow HW offload is enabled"):
		ev.Kind = FlowAPIEnabled
		return ev, true
	case strings.HasPrefix(msg, "probe tc: "):
		ev.Kind = ProbeTC
		if hex, ok := strings.CutPrefix(msg, "probe tc: supported ovs ct_state bits: 0x"); ok {
			if v, err := strconv.ParseUint(strings.TrimSpace(hex), 16, 32); err == nil {
				ev.CTStateBits, ev.CTStateProbe = uint32(v), true
			}
		}
		return ev, true
	case (rec.module == "dpif_netdev" || rec.module == "dpif_offload_dpdk") &&
		(strings.HasPrefix(msg, "failed to add netdev flow ") || strings.HasPrefix(msg, "failed to modify netdev flow ")):
		ev.Kind = OffloadFailed
		i := strings.LastIndexByte(msg, ' ')
		if m, ok := ufidPrefix("ufid:" + msg[i+1:]); ok {
			ev.MegaUFID = m
		}
		ev.Err = msg[:i]
		return ev, true
	case tcModules[rec.module] && hasAnyPrefix(msg, refusalPrefixes):
		ev.Kind = Refusal
		return ev, true
	}
	// "DP: failed to put[create] (ERR) ufid:U ..." (lib/dpif.c
	// log_flow_message; dpif_offload in 4.0 logs offload failures so).
	if rec.module == "dpif_offload" || rec.module == "dpif_netlink" {
		if op, rest, ok := cutDPIF(msg); ok {
			if strings.HasPrefix(op, "failed to put") && strings.HasPrefix(rest, "(") {
				if i := strings.Index(rest, ") "); i > 0 {
					ev.Kind = OffloadFailed
					ev.Err = clean(rest[1:i])
					if u, ok := ufidPrefix(rest[i+2:]); ok {
						ev.UFID = u
					}
					ev.Text = clean(cutAt(msg, " ufid:", 44))
					return ev, true
				}
			}
		}
	}
	return ev, false
}

// cutDPIF splits "system@ovs-system: put[create] rest" into the operation
// ("put[create]", or "failed to put[create]") and the rest.
func cutDPIF(msg string) (op, rest string, ok bool) {
	i := strings.Index(msg, ": ")
	if i <= 0 || i > 128 || strings.ContainsAny(msg[:i], " |") {
		return "", "", false
	}
	msg = msg[i+2:]
	if strings.HasPrefix(msg, "failed to ") {
		j := strings.IndexByte(msg[len("failed to "):], ' ')
		if j < 0 {
			return "", "", false
		}
		j += len("failed to ")
		return msg[:j], msg[j+1:], true
	}
	j := strings.IndexByte(msg, ' ')
	if j < 0 {
		return "", "", false
	}
	return msg[:j], msg[j+1:], true
}

// ufidPrefix reads "ufid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" at the start
// of s (odp_format_ufid).
func ufidPrefix(s string) (string, bool) {
	s, ok := strings.CutPrefix(s, "ufid:")
	if !ok || len(s) < 36 {
		return "", false
	}
	u := s[:36]
	for i := 0; i < 36; i++ {
		c := u[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "", false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return "", false
			}
		}
	}
	return u, true
}

// cutAt keeps s up to sep and n bytes after it (the flow key that follows a
// UFID can be kilobytes long).
func cutAt(s, sep string, n int) string {
	i := strings.Index(s, sep)
	if i < 0 || len(s) <= i+n {
		return s
	}
	return s[:i+n] + " ..."
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// clean makes text safe to print: invalid UTF-8 and control characters
// other than newline are escaped as \xNN, and it is cut at maxText bytes.
func clean(s string) string {
	ok := utf8.ValidString(s) && len(s) <= maxText
	if ok {
		for i := 0; i < len(s); i++ {
			if c := s[i]; (c < 0x20 && c != '\n') || c == 0x7f {
				ok = false
				break
			}
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < maxText; {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	if b.Len() >= maxText {
		return b.String() + " ..."
	}
	return b.String()
}
