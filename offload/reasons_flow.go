// SPDX-License-Identifier: Apache-2.0

package offload

// Flow-level reason codes: why OVS's TC translation or the NIC's driver
// keeps one particular flow out of hardware. The tc package computes them
// from the flow itself (which key, mask or action) and, with its opt-in
// probe, from the driver's own extended acknowledgement.
const (
	// ReasonMatchNotOffloadable: the flow matches a field, or a mask of a
	// field, that OVS does not put into a flower filter (for example
	// skb_mark, dp_hash, an IPv6 fragment, a partial VLAN mask). Detail
	// names the key and the OVS function that refuses it.
	ReasonMatchNotOffloadable ReasonCode = "match-not-offloadable"
	// ReasonCTStateUnsupported: the flow's ct_state mask has bits the
	// kernel's flower does not support, as OVS probed them at start
	// ("probe tc: supported ovs ct_state bits").
	ReasonCTStateUnsupported ReasonCode = "ct-state-unsupported"
	// ReasonDriverRefused: the NIC driver refused the flower filter OVS
	// would install; Detail is the kernel's extended acknowledgement,
	// verbatim, as the probe captured it.
	ReasonDriverRefused ReasonCode = "driver-refused"
	// ReasonDriverAccepted: the probe installed the filter OVS would
	// install with skip_sw and the driver took it: the driver is not the
	// cause.
	ReasonDriverAccepted ReasonCode = "driver-accepted"
	// ReasonProbeSkipped: the probe did not run for the flow (dry run, rate
	// limit, a filter the encoder cannot express); Detail says why.
	ReasonProbeSkipped ReasonCode = "probe-skipped"
	// ReasonOVSVersionUnknown: the answer depends on OVS's version, which
	// is not known; Detail says what each version family would decide.
	ReasonOVSVersionUnknown ReasonCode = "ovs-version-unknown"
)
