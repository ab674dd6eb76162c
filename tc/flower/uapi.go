// SPDX-License-Identifier: Apache-2.0

package flower

// Numbers from the kernel UAPI headers (linux/pkt_cls.h, linux/gen_stats.h,
// linux/tc_act/*.h). uapi_test.go checks them against the installed headers.

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
