// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"fmt"
	"maps"
	"slices"
)

// State says where a datapath flow runs.
type State string

// The states of a datapath flow.
const (
	// InHardware: the NIC executes the flow (match and actions).
	InHardware State = "in-hardware"
	// Partial: the NIC matches the flow; its actions run in OVS.
	Partial State = "partial"
	// SoftwareTC: the flow is a TC flower filter executed by the kernel in
	// software (not_in_hw).
	SoftwareTC State = "software-tc"
	// OVSOnly: the flow never left OVS's own datapath (kernel module or
	// userspace).
	OVSOnly State = "ovs-only"
	// Unverified: the dump cannot tell where the flow runs (taken without
	// -m, so it prints neither offloaded: nor dp:, and nothing says which
	// type= of flows it lists).
	Unverified State = "unverified"
	// Unknown: the flow's line could not be parsed; FlowVerdict.ParseError
	// says why. The other flows of the dump are judged.
	Unknown State = "unknown"
)

// States lists every State, in the order reports print them.
var States = []State{InHardware, Partial, SoftwareTC, OVSOnly, Unverified, Unknown}

// ReasonCode names why a flow (or port) is not, or not fully, in hardware.
type ReasonCode string

// Reason codes. Each comes with a human-readable Detail in a Reason.
const (
	// ReasonTCPolicySkipHW: other_config:tc-policy=skip_hw tells OVS to
	// install TC filters in software only.
	ReasonTCPolicySkipHW ReasonCode = "tc-policy-skip_hw"
	// ReasonFilterSkipHW: the filter carries skip_hw although tc-policy does
	// not ask for it.
	ReasonFilterSkipHW ReasonCode = "filter-skip_hw"
	// ReasonHWTCOffloadOff: the netdev feature hw-tc-offload is off on the
	// port, so its driver refuses or ignores flower rules.
	ReasonHWTCOffloadOff ReasonCode = "hw-tc-offload-off"
	// ReasonEswitchLegacy: the NIC's eswitch is in legacy mode; only
	// switchdev mode offloads flows.
	ReasonEswitchLegacy ReasonCode = "eswitch-legacy"
	// ReasonFilterNotInHW: the filter exists and is not_in_hw, and nothing
	// more specific is known (for example a port without offload hardware).
	ReasonFilterNotInHW ReasonCode = "filter-not-in-hw"
	// ReasonKernelRefused: the kernel refused the filter, so OVS kept the
	// flow in its own datapath.
	ReasonKernelRefused ReasonCode = "kernel-refused"
	// ReasonActionNotOffloadable: an action no backend offloads
	// (userspace(...), slow_path).
	ReasonActionNotOffloadable ReasonCode = "action-not-offloadable"
	// ReasonNoFilter: no TC filter carries the flow's UFID in its cookie.
	ReasonNoFilter ReasonCode = "no-filter-for-ufid"
	// ReasonHWOffloadDisabled: other_config:hw-offload is not true.
	ReasonHWOffloadDisabled ReasonCode = "hw-offload-disabled"
	// ReasonUserspaceDatapath: the flow is in OVS's userspace (netdev)
	// datapath, which the backend cannot offload from.
	ReasonUserspaceDatapath ReasonCode = "userspace-datapath"
	// ReasonNoUFID: the dump was taken without -m, so flows cannot be matched
	// with hardware state.
	ReasonNoUFID ReasonCode = "no-ufid"
	// ReasonParseError: the flow's line could not be parsed (state
	// Unknown); Detail is the parse error.
	ReasonParseError ReasonCode = "parse-error"
	// ReasonActionsInOVS: the flow is partially offloaded; its actions run
	// in OVS.
	ReasonActionsInOVS ReasonCode = "actions-in-ovs"
	// ReasonStateMismatch: the datapath and the hardware disagree (for
	// example dpctl says offloaded:yes while the filter is not_in_hw).
	ReasonStateMismatch ReasonCode = "state-mismatch"
	// ReasonUnverified: dpctl says offloaded:yes but the backend's own
	// record does not confirm it (for TC: the filter carries neither in_hw
	// nor not_in_hw, which OVS also prints as offloaded:yes).
	ReasonUnverified ReasonCode = "unverified"
	// ReasonTrafficInSoftware: the flow is in hardware, but its software
	// packet count grew between two reads: traffic that should be switched
	// by the NIC runs in the kernel.
	ReasonTrafficInSoftware ReasonCode = "traffic-in-software"
)

// Counters are a flow's packets and bytes split by where they ran, as the
// backend's own layer reports them (for TC: the filter's hardware counters,
// TCA_STATS_BASIC_HW, and the rest of its total).
type Counters struct {
	HWPackets uint64 `json:"hw_packets"`
	HWBytes   uint64 `json:"hw_bytes"`
	SWPackets uint64 `json:"sw_packets"`
	SWBytes   uint64 `json:"sw_bytes"`
	// HWReported is false when the layer gave no hardware counters: the
	// hardware part is then unknown, not zero.
	HWReported bool `json:"hw_reported"`
}

// Reason explains a verdict.
type Reason struct {
	// Code is machine-readable.
	Code ReasonCode `json:"code"`
	// Detail names the port, setting or action involved.
	Detail string `json:"detail,omitempty"`
}

// Evidence is what a backend found in its own layer for one flow, such as
// the TC flower filter whose action cookie carries the flow's UFID.
type Evidence struct {
	// Source says where it was found, for example
	// "tc filter dev pf0vf0 ingress chain 0 pref 2 handle 0x1".
	Source string `json:"source"`
	// InHW is true when the hardware holds the rule (in_hw, or
	// in_hw_count >= 1).
	InHW bool `json:"in_hw"`
	// NotInHW is true when the rule runs in software only (not_in_hw).
	NotInHW bool `json:"not_in_hw,omitempty"`
	// SkipHW and SkipSW are the rule's placement flags.
	SkipHW bool `json:"skip_hw,omitempty"`
	SkipSW bool `json:"skip_sw,omitempty"`
	// InHWCount is how many hardware devices hold the rule.
	InHWCount uint32 `json:"in_hw_count,omitempty"`
	// Counters are the rule's counters split into hardware and software;
	// nil when the backend did not read them.
	Counters *Counters `json:"counters,omitempty"`
}

// FlowVerdict is the report's answer for one datapath flow.
type FlowVerdict struct {
	// UFID is the flow's unique identifier ("" for dumps without -m).
	UFID string `json:"ufid,omitempty"`
	// InPort is the datapath input port as dumped (a name with --names).
	InPort string `json:"in_port,omitempty"`
	// Port, Representor, IfaceID and Pod identify the input port in OVS,
	// the NIC and the cluster, when known.
	Port        string `json:"port,omitempty"`
	Representor string `json:"representor,omitempty"`
	IfaceID     string `json:"iface_id,omitempty"`
	Pod         string `json:"pod,omitempty"`
	// OutPorts are the ports the flow's actions output to.
	OutPorts []string `json:"out_ports,omitempty"`
	// DP is the datapath layer that owns the flow: ovs, tc, dpdk, doca...
	DP string `json:"dp,omitempty"`
	// Offloaded is dpctl's offloaded: field ("yes", "partial" or "").
	Offloaded string `json:"offloaded,omitempty"`
	// State is the verdict.
	State State `json:"state"`
	// Verified is true when the backend's own layer confirmed the state
	// (for TC: the filter's flags were read).
	Verified bool `json:"verified"`
	// Reasons explain why the flow is not, or not fully, in hardware.
	Reasons []Reason `json:"reasons,omitempty"`
	// Evidence is what the backend found for this flow, if anything.
	Evidence *Evidence `json:"evidence,omitempty"`
	// Packets and Bytes are the flow's counters as dpctl printed them (for
	// TC, OVS adds hardware and software counts together).
	Packets uint64 `json:"packets"`
	Bytes   uint64 `json:"bytes"`
	// Counters split the flow's traffic into hardware and software, from
	// the backend's own layer (nil when it has none or did not read it).
	Counters *Counters `json:"counters,omitempty"`
	// TrafficInSoftware flags a flow in hardware whose software packet count
	// grew between two reads (see Report.CompareCounters).
	TrafficInSoftware bool `json:"traffic_in_software,omitempty"`
	// Match and Actions are the flow's match and actions as dpctl printed
	// them.
	Match   string `json:"match"`
	Actions string `json:"actions"`
	// ParseError is why the flow's line could not be parsed (state
	// Unknown), with its line and column; empty for every parsed flow.
	ParseError string `json:"parse_error,omitempty"`
}

// PortSummary aggregates the verdicts of the flows entering through one port.
type PortSummary struct {
	// Port is the datapath input port as dumped.
	Port string `json:"port"`
	// Representor, IfaceID and Pod identify the port when known.
	Representor string `json:"representor,omitempty"`
	IfaceID     string `json:"iface_id,omitempty"`
	Pod         string `json:"pod,omitempty"`
	// Flows counts the flows entering through the port.
	Flows int `json:"flows"`
	// ByState counts them by verdict.
	ByState map[State]int `json:"by_state"`
	// Reasons are facts about the port itself that stop offload (for
	// example hw-tc-offload off), and the flow reasons seen on it, counted.
	Reasons []Reason `json:"reasons,omitempty"`
}

// Totals counts all flows of a report.
type Totals struct {
	// Flows is the number of flows.
	Flows int `json:"flows"`
	// ByState counts flows by verdict.
	ByState map[State]int `json:"by_state"`
	// ByDP counts flows by datapath layer.
	ByDP map[string]int `json:"by_dp"`
}

// Report is the result of a verification: a verdict per flow, per port and in
// total. It marshals to JSON; WriteTable prints it for people.
type Report struct {
	// Backend names the backend that verified the flows.
	Backend string `json:"backend"`
	// Node holds reasons that apply to the whole node (hw-offload off,
	// eswitch in legacy mode).
	Node []Reason `json:"node_reasons,omitempty"`
	// Flows has one verdict per datapath flow, in dump order.
	Flows []FlowVerdict `json:"flows"`
	// Ports aggregates flows per input port, sorted by port.
	Ports []PortSummary `json:"ports"`
	// Totals counts every flow.
	Totals Totals `json:"totals"`
	// Limits says what the verification could not prove (for example that
	// an emulated eswitch is not silicon).
	Limits []string `json:"limits,omitempty"`
	// OVSLog says what ovs-vswitchd's log gave, when it was read.
	OVSLog *LogEvidence `json:"ovs_log,omitempty"`
}

// AllInHardware reports whether the report has at least one flow and every
// flow is verified to be in hardware.
func (r *Report) AllInHardware() bool {
	if len(r.Flows) == 0 {
		return false
	}
	for _, f := range r.Flows {
		if f.State != InHardware || !f.Verified {
			return false
		}
	}
	return true
}

// Select returns a report holding only the flows for which keep returns
// true, with its ports and totals recomputed.
func (r *Report) Select(keep func(FlowVerdict) bool) *Report {
	out := &Report{Backend: r.Backend, Node: r.Node, Limits: r.Limits, OVSLog: r.OVSLog}
	for _, f := range r.Flows {
		if keep(f) {
			out.Flows = append(out.Flows, f)
		}
	}
	portFacts := map[string][]Reason{}
	for _, p := range r.Ports {
		portFacts[p.Port] = p.Reasons
	}
	out.aggregate(func(port string) []Reason { return portFacts[port] })
	return out
}

// aggregate fills Ports and Totals from Flows. portReasons returns the
// facts about a port that belong in its summary.
func (r *Report) aggregate(portReasons func(port string) []Reason) {
	r.Totals = Totals{ByState: map[State]int{}, ByDP: map[string]int{}}
	ports := map[string]*PortSummary{}
	for _, f := range r.Flows {
		r.Totals.Flows++
		r.Totals.ByState[f.State]++
		r.Totals.ByDP[f.DP]++
		key := f.InPort
		p := ports[key]
		if p == nil {
			p = &PortSummary{Port: key, Representor: f.Representor, IfaceID: f.IfaceID, Pod: f.Pod,
				ByState: map[State]int{}}
			ports[key] = p
		}
		p.Flows++
		p.ByState[f.State]++
	}
	r.Ports = nil
	for _, key := range slices.Sorted(maps.Keys(ports)) {
		p := ports[key]
		p.Reasons = portReasons(key)
		r.Ports = append(r.Ports, *p)
	}
}

// CompareCounters compares r with an earlier report of the same node and
// flags every flow that is in hardware and whose software packet count grew
// since prev (matched by UFID; flows without counters in either report are
// left alone): TrafficInSoftware is set and a ReasonTrafficInSoftware reason
// says by how much. It returns the number of flows flagged.
func (r *Report) CompareCounters(prev *Report) int {
	if prev == nil {
		return 0
	}
	before := map[string]*Counters{}
	for i := range prev.Flows {
		if f := &prev.Flows[i]; f.UFID != "" && f.Counters != nil {
			before[f.UFID] = f.Counters
		}
	}
	n := 0
	for i := range r.Flows {
		f := &r.Flows[i]
		old, ok := before[f.UFID]
		if !ok || f.UFID == "" || f.Counters == nil || f.State != InHardware || f.TrafficInSoftware {
			continue
		}
		if f.Counters.SWPackets <= old.SWPackets {
			continue
		}
		f.TrafficInSoftware = true
		hw := "hardware counters not reported"
		if f.Counters.HWReported && old.HWReported && f.Counters.HWPackets >= old.HWPackets {
			hw = fmt.Sprintf("%d in hardware", f.Counters.HWPackets-old.HWPackets)
		}
		f.Reasons = append(f.Reasons, Reason{ReasonTrafficInSoftware, fmt.Sprintf(
			"in hardware, but traffic in software: %d packets in software since the previous read (%s)",
			f.Counters.SWPackets-old.SWPackets, hw)})
		n++
	}
	return n
}
