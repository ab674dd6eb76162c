// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"fmt"
	"strings"
	"unique"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/ovslog"
)

// Eswitch modes as devlink reports them.
const (
	EswitchSwitchdev = "switchdev"
	EswitchLegacy    = "legacy"
)

// PortFacts is what is known about one datapath port.
type PortFacts struct {
	// Representor is the NIC representor behind the port, if it is one
	// (for example "pf0vf7", or "c1pf0vf7" on a DPU).
	Representor string
	// IfaceID and Pod come from the OVS interface's external_ids.
	IfaceID string
	Pod     string
	// DatapathType is the type of the bridge holding the port: "system"
	// (kernel) or "netdev" (userspace).
	DatapathType string
	// HWTCOffload is the netdev feature hw-tc-offload; nil when unknown.
	HWTCOffload *bool
	// EswitchMode is the mode of the eswitch the port belongs to, "" when
	// unknown or not a representor.
	EswitchMode string
	// Refusal is the last reason the kernel gave for refusing a filter on
	// this port, when the backend found one (for example in ovs-vswitchd's
	// log: "failed to offload flow: Operation not supported"). GatherFacts
	// sets it from Node.Log.
	Refusal string
}

// Facts is what a backend knows about the node while it verifies.
type Facts struct {
	// Backend names the backend ("tc", "doca").
	Backend string
	// HWOffload is other_config:hw-offload as ovs-vswitchd runs with it.
	HWOffload bool
	// TCPolicy is other_config:tc-policy ("" means none).
	TCPolicy string
	// Ports maps a datapath port, as it appears in in_port(...) of the
	// dump, to what is known about it.
	Ports map[string]PortFacts
	// Evidence looks up the backend's own record of a flow by UFID. Nil
	// means the backend has no layer of its own to check (the datapath's
	// word is the evidence, as with OVS-DOCA).
	Evidence func(dpflow.UFID) (Evidence, bool)
	// Limits are written into the report unchanged.
	Limits []string
	// Log is what was read from ovs-vswitchd's log (Node.Log), nil when it
	// was not read. Its offload failures give flows and ports reasons.
	Log *ovslog.Log
	// DumpType is what the dump is known to list when it was taken without
	// -m (Node.DumpType): DumpTypeOffloaded, DumpTypeOVS, or "" when
	// nothing says.
	DumpType string
}

// Values of Facts.DumpType and Node.DumpType: the type= argument the dump
// was taken with (ovs-appctl dpctl/dump-flows type=offloaded).
const (
	DumpTypeOffloaded = "offloaded" // only flows offloaded to hardware (or to TC / DOCA)
	DumpTypeOVS       = "ovs"       // only flows in OVS's own datapath
)

// Classify returns the report for a dump of datapath flows (taken with -m
// and preferably --names) under the given facts.
func Classify(flows []*dpflow.Flow, facts Facts) *Report {
	r, _ := ClassifyEach(func(fn func(*dpflow.Flow) error) error {
		for _, f := range flows {
			if err := fn(f); err != nil {
				return err
			}
		}
		return nil
	}, facts)
	return r
}

// ClassifyEach is Classify over flows given one at a time: each calls its
// argument with every flow (a *Flow need only be valid during the call, as
// Node.EachFlow gives them), and its error is returned. The report keeps
// no reference to the flows.
func ClassifyEach(each func(func(*dpflow.Flow) error) error, facts Facts) (*Report, error) {
	r := &Report{Backend: facts.Backend, Limits: facts.Limits}
	if !facts.HWOffload {
		r.Node = append(r.Node, Reason{ReasonHWOffloadDisabled, "other_config:hw-offload is not true"})
	}
	var current *ovslog.Log // the running daemon's part of the log
	if facts.Log != nil {
		current = facts.Log.Current()
	}
	r.Node = append(r.Node, logNodeReasons(current)...)
	logFails := failuresByUFID(current)
	r.OVSLog = NewLogEvidence(facts.Log)
	err := each(func(f *dpflow.Flow) error {
		if f.Err != nil {
			r.Flows = append(r.Flows, unknownFlow(f.Err))
			return nil
		}
		v := classifyFlow(f, facts, logFails)
		if r.OVSLog != nil && v.UFID != "" && len(logFails[v.UFID]) > 0 {
			r.OVSLog.Attributed++
		}
		r.Flows = append(r.Flows, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	r.aggregate(func(port string) []Reason { return portReasons(facts, port) })
	return r, nil
}

// unknownFlow is the verdict of a line that did not parse.
func unknownFlow(err error) FlowVerdict {
	msg := err.Error()
	return FlowVerdict{State: Unknown, ParseError: msg, Reasons: []Reason{{ReasonParseError, msg}}}
}

// portReasons returns the facts about a port that stop offload on it.
func portReasons(facts Facts, port string) []Reason {
	pf, ok := facts.Ports[port]
	if !ok {
		return nil
	}
	var rs []Reason
	if pf.HWTCOffload != nil && !*pf.HWTCOffload {
		rs = append(rs, Reason{ReasonHWTCOffloadOff, "hw-tc-offload is off on " + port})
	}
	if pf.EswitchMode == EswitchLegacy {
		rs = append(rs, Reason{ReasonEswitchLegacy, "eswitch of " + port + " is in legacy mode"})
	}
	if pf.Refusal != "" {
		rs = append(rs, Reason{ReasonKernelRefused, pf.Refusal})
	}
	return rs
}

func classifyFlow(f *dpflow.Flow, facts Facts, logFails map[string][]ovslog.Event) (v FlowVerdict) {
	// The verdict keeps no string of f: a streamed flow's strings point
	// into the Scanner's text blocks, which the report would keep alive.
	// Port names and dp layers repeat from flow to flow: one copy each.
	v = FlowVerdict{
		InPort:    unique.Make(f.InPort()).Value(),
		DP:        unique.Make(f.DPLayer()).Value(),
		Offloaded: unique.Make(string(f.OffloadState())).Value(),
		Packets:   f.Stats.Packets,
		Bytes:     f.Stats.Bytes,
		Match:     formatMatch(f),
		Actions:   dpflow.FormatActions(f.Actions),
		OutPorts:  outPorts(f.Actions, nil),
	}
	for i, p := range v.OutPorts {
		v.OutPorts[i] = unique.Make(p).Value()
	}
	if f.HasUFID {
		v.UFID = f.UFID.String()
	}
	pf, known := facts.Ports[v.InPort]
	if known {
		v.Port, v.Representor, v.IfaceID, v.Pod = v.InPort, pf.Representor, pf.IfaceID, pf.Pod
	}
	add := func(code ReasonCode, format string, args ...any) {
		v.Reasons = append(v.Reasons, Reason{code, fmt.Sprintf(format, args...)})
	}
	portFacts := func() {
		if !known {
			return
		}
		if pf.HWTCOffload != nil && !*pf.HWTCOffload {
			add(ReasonHWTCOffloadOff, "hw-tc-offload is off on %s", v.InPort)
		}
		if pf.EswitchMode == EswitchLegacy {
			add(ReasonEswitchLegacy, "the eswitch of %s is in legacy mode", v.InPort)
		}
	}
	// What ovs-vswitchd logged about this very flow, when it is not in
	// hardware.
	own := logFails[v.UFID]
	if v.UFID == "" {
		own = nil
	}
	defer func() {
		if r, ok := offloadInfoReason(f, v.State); ok {
			v.Reasons = append(v.Reasons, r)
		}
		if v.State != InHardware && len(own) > 0 {
			v.Reasons = append(v.Reasons, logFlowReasons(own)...)
		}
	}()
	if !f.HasUFID && v.DP == "" && v.Offloaded == "" {
		// Without -m, dpctl prints neither offloaded: nor dp:, so an
		// offloaded flow and one in OVS look alike: only the dump's type=
		// tells them apart.
		switch facts.DumpType {
		case DumpTypeOffloaded:
			v.State = InHardware // dpctl listed it as offloaded; nothing here confirms it
			add(ReasonNoUFID, "dump taken without -m but with type=offloaded: OVS lists the flow as offloaded, no ufid to confirm it with")
		case DumpTypeOVS:
			v.State = OVSOnly
			add(ReasonNoUFID, "dump taken without -m with type=ovs: OVS lists the flow in its own datapath")
		default:
			v.State = Unverified
			add(ReasonNoUFID, "dump taken without -m: no ufid, dp or offloaded fields, so it cannot tell where the flow runs (dump with -m, or give its type=)")
		}
		for _, a := range notOffloadable(f.Actions, nil) {
			add(ReasonActionNotOffloadable, "%s", a)
		}
		return v
	}
	if !f.HasUFID && v.DP == "" {
		v.State = stateFromDPCtl(f.OffloadState())
		add(ReasonNoUFID, "dump taken without -m: no ufid, dp or offloaded fields")
		return v
	}
	switch v.DP {
	case "tc":
		v.State = stateFromDPCtl(f.OffloadState())
		if v.State == OVSOnly {
			v.State = SoftwareTC // a TC flow that is not offloaded runs in TC software
		}
		if facts.Evidence == nil {
			break
		}
		ev, ok := facts.Evidence(f.UFID)
		if !ok {
			add(ReasonNoFilter, "no TC filter carries ufid %s in its action cookie", v.UFID)
			break
		}
		v.Evidence = &ev
		v.Counters = ev.Counters
		v.Verified = true
		inHW := ev.InHW || ev.InHWCount > 0
		switch {
		case inHW && v.State == Partial:
			add(ReasonActionsInOVS, "the filter is in hardware, the actions run in OVS")
		case inHW:
			v.State = InHardware
		case v.State == InHardware && !ev.NotInHW && !ev.SkipHW:
			// OVS prints offloaded:yes when the kernel reported in_hw or no
			// flag at all (lib/netdev-offload-tc.c): the latter proves nothing.
			v.Verified = false
			add(ReasonUnverified, "dpctl says offloaded:yes but %s carries no in_hw flag (nor not_in_hw): the hardware is not confirmed", ev.Source)
		default:
			if v.State == InHardware {
				add(ReasonStateMismatch, "dpctl says offloaded:yes but %s is not in hardware", ev.Source)
			}
			v.State = SoftwareTC
			switch {
			case ev.SkipHW && facts.TCPolicy == "skip_hw":
				add(ReasonTCPolicySkipHW, "other_config:tc-policy=skip_hw installs filters with skip_hw")
			case ev.SkipHW:
				add(ReasonFilterSkipHW, "%s has skip_hw", ev.Source)
			}
			n := len(v.Reasons)
			portFacts()
			if len(v.Reasons) == n && !ev.SkipHW {
				add(ReasonFilterNotInHW, "%s is not_in_hw: the port's driver did not take it", ev.Source)
			}
		}
	case "ovs", "":
		v.State = OVSOnly
		v.Verified = f.HasUFID
		if stateFromDPCtl(f.OffloadState()) == Partial {
			// lib/dpctl.c prints offloaded:partial only with dp:ovs: the
			// match is in hardware (a netdev-offload-dpdk/DOCA mark), the
			// actions run in the userspace datapath.
			v.State = Partial
			add(ReasonActionsInOVS, "matched in hardware, actions run in OVS (offloaded:partial, dp:ovs)")
			return v
		}
		for _, a := range notOffloadable(f.Actions, nil) {
			add(ReasonActionNotOffloadable, "%s", a)
		}
		if !facts.HWOffload {
			add(ReasonHWOffloadDisabled, "other_config:hw-offload is not true")
		}
		if known && pf.DatapathType == "netdev" && facts.Backend != "doca" {
			add(ReasonUserspaceDatapath, "%s is on a netdev (userspace) bridge: only OVS-DOCA offloads from it; TC offload needs the kernel datapath", v.InPort)
		}
		if known && pf.Refusal != "" && len(own) == 0 {
			add(ReasonKernelRefused, "%s", pf.Refusal)
		} else if facts.Backend == "tc" && facts.TCPolicy == "skip_sw" && facts.HWOffload {
			add(ReasonKernelRefused, "tc-policy=skip_sw: the kernel refused the hardware-only filter for %s", v.InPort)
		}
		portFacts()
	default: // doca, dpdk and any other datapath that reports its own offload state
		v.State = stateFromDPCtl(f.OffloadState())
		v.Verified = true
		switch v.State {
		case Partial:
			add(ReasonActionsInOVS, "matched in hardware, actions run in OVS (dp:%s)", v.DP)
		case OVSOnly:
			for _, a := range notOffloadable(f.Actions, nil) {
				add(ReasonActionNotOffloadable, "%s", a)
			}
			if !facts.HWOffload {
				add(ReasonHWOffloadDisabled, "other_config:hw-offload is not true")
			}
			portFacts()
		}
	}
	return v
}

func stateFromDPCtl(o dpflow.Offload) State {
	switch strings.ToLower(string(o)) {
	case "yes":
		return InHardware
	case "partial":
		return Partial
	}
	return OVSOnly
}

// notOffloadable returns the actions, at any depth, that no backend
// offloads: userspace(...) (which carries slow_path for flows OVS keeps for
// itself) and controller sends.
func notOffloadable(acts []dpflow.Node, out []string) []string {
	for i := range acts {
		a := &acts[i]
		if a.Kind == dpflow.ActionUserspace {
			what := "userspace(...) sends packets to ovs-vswitchd"
			if strings.Contains(a.String(), "slow_path(") {
				what = "userspace(slow_path(...)): OVS keeps this flow in its slow path"
			} else if strings.Contains(a.String(), "controller(") {
				what = "userspace(controller(...)): packets go to the controller"
			}
			out = append(out, what)
			continue
		}
		out = notOffloadable(a.Children, out)
	}
	return out
}

// outPorts returns the output ports of the actions, at any depth.
func outPorts(acts []dpflow.Node, out []string) []string {
	for i := range acts {
		a := &acts[i]
		if a.Kind == dpflow.ActionOutput {
			out = append(out, a.Word())
			continue
		}
		out = outPorts(a.Children, out)
	}
	return out
}

// formatMatch returns the flow's match as dpctl prints it.
func formatMatch(f *dpflow.Flow) string {
	parts := make([]string, len(f.Match))
	for i := range f.Match {
		parts[i] = f.Match[i].String()
	}
	return strings.Join(parts, ",")
}
