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

// Classifier flags (TCA_CLS_FLAGS_*, linux/pkt_cls.h).
const (
	clsFlagsSkipHW  = 1 << 0
	clsFlagsSkipSW  = 1 << 1
	clsFlagsInHW    = 1 << 2
	clsFlagsNotInHW = 1 << 3
	clsFlagsVerbose = 1 << 4
)

// TCA_FLOWER_* (linux/pkt_cls.h), in enum order.
const (
	flowerUnspec = iota
	flowerClassID
	flowerIndev
	flowerAct
	flowerKeyEthDst
	flowerKeyEthDstMask
	flowerKeyEthSrc
	flowerKeyEthSrcMask
	flowerKeyEthType
	flowerKeyIPProto
	flowerKeyIPv4Src
	flowerKeyIPv4SrcMask
	flowerKeyIPv4Dst
	flowerKeyIPv4DstMask
	flowerKeyIPv6Src
	flowerKeyIPv6SrcMask
	flowerKeyIPv6Dst
	flowerKeyIPv6DstMask
	flowerKeyTCPSrc
	flowerKeyTCPDst
	flowerKeyUDPSrc
	flowerKeyUDPDst
	flowerFlags
	flowerKeyVlanID
	flowerKeyVlanPrio
	flowerKeyVlanEthType
	flowerKeyEncKeyID
	flowerKeyEncIPv4Src
	flowerKeyEncIPv4SrcMask
	flowerKeyEncIPv4Dst
	flowerKeyEncIPv4DstMask
	flowerKeyEncIPv6Src
	flowerKeyEncIPv6SrcMask
	flowerKeyEncIPv6Dst
	flowerKeyEncIPv6DstMask
	flowerKeyTCPSrcMask
	flowerKeyTCPDstMask
	flowerKeyUDPSrcMask
	flowerKeyUDPDstMask
	flowerKeySCTPSrcMask
	flowerKeySCTPDstMask
	flowerKeySCTPSrc
	flowerKeySCTPDst
	flowerKeyEncUDPSrcPort
	flowerKeyEncUDPSrcPortMask
	flowerKeyEncUDPDstPort
	flowerKeyEncUDPDstPortMask
	flowerKeyFlags
	flowerKeyFlagsMask
	flowerKeyICMPv4Code
	flowerKeyICMPv4CodeMask
	flowerKeyICMPv4Type
	flowerKeyICMPv4TypeMask
	flowerKeyICMPv6Code
	flowerKeyICMPv6CodeMask
	flowerKeyICMPv6Type
	flowerKeyICMPv6TypeMask
	flowerKeyArpSIP
	flowerKeyArpSIPMask
	flowerKeyArpTIP
	flowerKeyArpTIPMask
	flowerKeyArpOp
	flowerKeyArpOpMask
	flowerKeyArpSha
	flowerKeyArpShaMask
	flowerKeyArpTha
	flowerKeyArpThaMask
	flowerKeyMplsTTL
	flowerKeyMplsBos
	flowerKeyMplsTC
	flowerKeyMplsLabel
	flowerKeyTCPFlags
	flowerKeyTCPFlagsMask
	flowerKeyIPTOS
	flowerKeyIPTOSMask
	flowerKeyIPTTL
	flowerKeyIPTTLMask
	flowerKeyCvlanID
	flowerKeyCvlanPrio
	flowerKeyCvlanEthType
	flowerKeyEncIPTOS
	flowerKeyEncIPTOSMask
	flowerKeyEncIPTTL
	flowerKeyEncIPTTLMask
	flowerKeyEncOpts
	flowerKeyEncOptsMask
	flowerInHWCount
	flowerKeyPortSrcMin
	flowerKeyPortSrcMax
	flowerKeyPortDstMin
	flowerKeyPortDstMax
	flowerKeyCtState
	flowerKeyCtStateMask
	flowerKeyCtZone
	flowerKeyCtZoneMask
	flowerKeyCtMark
	flowerKeyCtMarkMask
	flowerKeyCtLabels
	flowerKeyCtLabelsMask
)

// TCA_ACT_* (linux/pkt_cls.h).
const (
	actKind        = 1
	actOptions     = 2
	actIndex       = 3
	actStats       = 4
	actPad         = 5
	actCookie      = 6
	actFlags       = 7
	actHWStats     = 8
	actUsedHWStats = 9
	actInHWCount   = 10
)

// TCA_STATS_* (linux/gen_stats.h).
const (
	statsBasic   = 1
	statsRateEst = 2
	statsQueue   = 3
	statsBasicHW = 7
	statsPkt64   = 8
)

// Per-kind action option attributes (linux/tc_act/*.h). For every kind but
// ct, TM is 1 and PARMS is 2.
const (
	kindTM    = 1
	kindParms = 2

	vlanPushID       = 3
	vlanPushProtocol = 4
	vlanPushPriority = 6

	tunnelKeyEncIPv4Src = 3
	tunnelKeyEncIPv4Dst = 4
	tunnelKeyEncIPv6Src = 5
	tunnelKeyEncIPv6Dst = 6
	tunnelKeyEncKeyID   = 7
	tunnelKeyEncDstPort = 9
	tunnelKeyNoCsum     = 10
	tunnelKeyEncOpts    = 11
	tunnelKeyEncTOS     = 12
	tunnelKeyEncTTL     = 13

	peditParmsEx    = 4
	peditKeysEx     = 5
	peditKeyEx      = 6
	peditKeyExHtype = 1
	peditKeyExCmd   = 2

	ctParms      = 1
	ctTM         = 2
	ctAction     = 3
	ctZone       = 4
	ctMark       = 5
	ctMarkMask   = 6
	ctLabels     = 7
	ctLabelsMask = 8
	ctNatIPv4Min = 9
	ctNatIPv4Max = 10
	ctNatIPv6Min = 11
	ctNatIPv6Max = 12
	ctNatPortMin = 13
	ctNatPortMax = 14
)

// Mirred eactions (linux/tc_act/tc_mirred.h).
const (
	mirredEgressRedir   = 1
	mirredEgressMirror  = 2
	mirredIngressRedir  = 3
	mirredIngressMirror = 4
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
