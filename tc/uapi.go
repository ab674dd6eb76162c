// SPDX-License-Identifier: Apache-2.0

package tc

// Numbers from the kernel UAPI headers (linux/rtnetlink.h, linux/pkt_sched.h,
// linux/pkt_cls.h, linux/gen_stats.h, linux/tc_act/*.h). uapi_test.go checks
// the flower and classifier numbers against the installed headers.

// rtnetlink message types.
const (
	rtmNewQdisc   = 36
	rtmDelQdisc   = 37
	rtmGetQdisc   = 38
	rtmNewTfilter = 44
	rtmDelTfilter = 45
	rtmGetTfilter = 46
)

// tcmsg size and top-level TCA_* attributes.
const (
	tcmsgLen = 20

	tcaKind       = 1
	tcaOptions    = 2
	tcaStats      = 3
	tcaXstats     = 4
	tcaStats2     = 7
	tcaChain      = 11
	tcaHwOffload  = 12
	tcaDumpFlags  = 15
	tcaExtWarnMsg = 16

	dumpFlagsTerse = 1 << 0 // TCA_DUMP_FLAGS_TERSE
)

// Handles (linux/pkt_sched.h).
const (
	tcHClsact      = 0xFFFFFFF1 // TC_H_CLSACT == TC_H_INGRESS
	tcHMinIngress  = 0xFFF2
	tcHMinEgress   = 0xFFF3
	qdiscHandleFFF = 0xFFFF0000 // "ffff:"
)

// Ethernet protocols used as filter protocol (linux/if_ether.h).
const (
	// EthPAll matches every protocol (tc "protocol all").
	EthPAll uint16 = 0x0003
	// EthPIP is IPv4.
	EthPIP uint16 = 0x0800
	// EthPIPv6 is IPv6.
	EthPIPv6 uint16 = 0x86DD
	// EthP8021Q is an 802.1Q VLAN tag.
	EthP8021Q uint16 = 0x8100
	// EthP8021AD is an 802.1ad (QinQ) tag.
	EthP8021AD uint16 = 0x88A8
	// EthPARP is ARP.
	EthPARP uint16 = 0x0806
)
