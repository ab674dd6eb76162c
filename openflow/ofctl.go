// SPDX-License-Identifier: Apache-2.0

package openflow

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ovsoffload/ovsoffload/internal/cmdexec"
	"github.com/ovsoffload/ovsoffload/internal/textsafe"
)

// Aggregate is what `ovs-ofctl dump-aggregate` prints: the totals of the
// flows a match selects.
type Aggregate struct {
	Packets, Bytes, Flows uint64
}

// Ofctl runs single ovs-ofctl commands with argument vectors (no shell):
// the operations go-openvswitch does not cover or covers without what
// controllers read (its dump-aggregate drops flow_count, which
// OVN-Kubernetes reads).
type Ofctl struct {
	// Program is the ovs-ofctl binary; empty means "ovs-ofctl".
	Program string
	// Env is added to the process environment (KEY=VALUE), such as
	// OVS_RUNDIR; nil leaves it as it is.
	Env []string
	// Version is the OpenFlow version (-O) of the group commands, which
	// need 1.1 or later; empty means "OpenFlow15". The bridge's protocols
	// column must allow it.
	Version string
}

func (o Ofctl) run(ctx context.Context, args ...string) (string, error) {
	prog := o.Program
	if prog == "" {
		prog = "ovs-ofctl"
	}
	out, err := cmdexec.Exec{Env: o.Env}.Run(ctx, append([]string{prog}, args...)...)
	if err != nil {
		return "", fmt.Errorf("openflow: %w", err)
	}
	return string(out), nil
}

// checkArg refuses an argument ovs-ofctl would misread, as checkTarget.
func checkArg(what, s string) error {
	if err := checkTarget(s); err != nil {
		return fmt.Errorf("openflow: %s: %w", what, err)
	}
	if strings.ContainsAny(s, " ") {
		return fmt.Errorf("openflow: %s %q: holds a space", what, s)
	}
	return nil
}

// DumpAggregate runs `ovs-ofctl dump-aggregate TARGET [MATCH]` (MATCH in
// ovs-ofctl's syntax, such as "table=0,ip"; empty means every flow) and
// parses its totals.
func (o Ofctl) DumpAggregate(ctx context.Context, target, match string) (Aggregate, error) {
	if err := checkArg("target", target); err != nil {
		return Aggregate{}, err
	}
	args := []string{"dump-aggregate", target}
	if match != "" {
		if err := checkArg("match", match); err != nil {
			return Aggregate{}, err
		}
		args = append(args, match)
	}
	out, err := o.run(ctx, args...)
	if err != nil {
		return Aggregate{}, err
	}
	return ParseAggregate(out)
}

// ParseAggregate reads the reply of dump-aggregate:
// "NXST_AGGREGATE reply (xid=0x4): packet_count=0 byte_count=0 flow_count=5"
// (OFPST_AGGREGATE with OpenFlow 1.1 and later).
func ParseAggregate(text string) (Aggregate, error) {
	line := strings.TrimRight(text, "\n")
	if strings.Contains(line, "\n") {
		return Aggregate{}, fmt.Errorf("openflow: dump-aggregate: %d lines, want one", strings.Count(line, "\n")+1)
	}
	head, rest, ok := strings.Cut(line, ": ")
	if !ok || !strings.Contains(head, "_AGGREGATE reply") {
		return Aggregate{}, fmt.Errorf("openflow: dump-aggregate: %.80q is not an aggregate reply", line)
	}
	var a Aggregate
	seen := 0
	for _, f := range strings.Fields(rest) {
		k, v, ok := strings.Cut(f, "=")
		n, err := strconv.ParseUint(v, 10, 64)
		if !ok || err != nil {
			return Aggregate{}, fmt.Errorf("openflow: dump-aggregate: %.40q is not key=count", f)
		}
		switch k {
		case "packet_count":
			a.Packets = n
		case "byte_count":
			a.Bytes = n
		case "flow_count":
			a.Flows = n
		default:
			continue
		}
		seen++
	}
	if seen != 3 {
		return Aggregate{}, fmt.Errorf("openflow: dump-aggregate: %.80q lacks packet_count, byte_count or flow_count", line)
	}
	return a, nil
}

// Port configuration changes of `ovs-ofctl mod-port`.
const (
	PortUp           = "up"
	PortDown         = "down"
	PortFlood        = "flood"
	PortNoFlood      = "no-flood"
	PortForward      = "forward"
	PortNoForward    = "no-forward"
	PortReceive      = "receive"
	PortNoReceive    = "no-receive"
	PortPacketIn     = "packet-in"
	PortNoPacketIn   = "no-packet-in"
	PortSTP          = "stp"
	PortNoSTP        = "no-stp"
	PortReceiveSTP   = "receive-stp"
	PortNoReceiveSTP = "no-receive-stp"
)

// ModPort runs `ovs-ofctl mod-port TARGET PORT ACTION` (PORT a name or an
// OpenFlow port number; ACTION one of the Port constants), as
// OVN-Kubernetes sets no-flood on its gateway's patch port.
func (o Ofctl) ModPort(ctx context.Context, target, port, action string) error {
	if err := checkArg("target", target); err != nil {
		return err
	}
	if err := checkArg("port", port); err != nil {
		return err
	}
	switch action {
	case PortUp, PortDown, PortFlood, PortNoFlood, PortForward, PortNoForward, PortReceive, PortNoReceive,
		PortPacketIn, PortNoPacketIn, PortSTP, PortNoSTP, PortReceiveSTP, PortNoReceiveSTP:
	default:
		return fmt.Errorf("openflow: mod-port: %q is not a port action", action)
	}
	_, err := o.run(ctx, "mod-port", target, port, action)
	return err
}

// GroupDesc is one group of `ovs-ofctl dump-groups`.
type GroupDesc struct {
	// ID is the group_id.
	ID uint32
	// Type is "all", "select", "indirect" or "ff".
	Type string
	// Spec is the group's line as ovs-ofctl prints it, which add-group and
	// mod-group take back.
	Spec string
}

// groupArgs prefixes args with the OpenFlow version groups need.
func (o Ofctl) groupArgs(args ...string) []string {
	v := o.Version
	if v == "" {
		v = "OpenFlow15"
	}
	return append([]string{"-O", v}, args...)
}

func checkGroupSpec(spec string) error {
	if err := checkArg("group", spec); err != nil {
		return err
	}
	if !strings.HasPrefix(spec, "group_id=") {
		return fmt.Errorf("openflow: group %q: want group_id=N,type=T and its buckets", spec)
	}
	return nil
}

// AddGroup runs `ovs-ofctl -O VERSION add-group TARGET SPEC`, SPEC in
// ovs-ofctl's syntax ("group_id=1,type=select,bucket=actions=output:2").
func (o Ofctl) AddGroup(ctx context.Context, target, spec string) error {
	if err := checkArg("target", target); err != nil {
		return err
	}
	if err := checkGroupSpec(spec); err != nil {
		return err
	}
	_, err := o.run(ctx, o.groupArgs("add-group", target, spec)...)
	return err
}

// ModGroup runs `ovs-ofctl -O VERSION mod-group TARGET SPEC`.
func (o Ofctl) ModGroup(ctx context.Context, target, spec string) error {
	if err := checkArg("target", target); err != nil {
		return err
	}
	if err := checkGroupSpec(spec); err != nil {
		return err
	}
	_, err := o.run(ctx, o.groupArgs("mod-group", target, spec)...)
	return err
}

// DelGroup runs `ovs-ofctl -O VERSION del-groups TARGET group_id=ID`, or
// deletes every group when all is true (id is then ignored).
func (o Ofctl) DelGroup(ctx context.Context, target string, id uint32, all bool) error {
	if err := checkArg("target", target); err != nil {
		return err
	}
	args := o.groupArgs("del-groups", target)
	if !all {
		if id > 0xffffff00 {
			return fmt.Errorf("openflow: del-groups: group_id %d is reserved", id)
		}
		args = append(args, fmt.Sprintf("group_id=%d", id))
	}
	_, err := o.run(ctx, args...)
	return err
}

// DumpGroups runs `ovs-ofctl -O VERSION dump-groups TARGET` and parses it;
// the groups are sorted by ID (OVS prints them in hash order).
func (o Ofctl) DumpGroups(ctx context.Context, target string) ([]GroupDesc, error) {
	if err := checkArg("target", target); err != nil {
		return nil, err
	}
	out, err := o.run(ctx, o.groupArgs("dump-groups", target)...)
	if err != nil {
		return nil, err
	}
	gs, err := ParseGroups(out)
	slices.SortFunc(gs, func(a, b GroupDesc) int { return cmp.Compare(a.ID, b.ID) })
	return gs, err
}

// ParseGroups reads the reply of dump-groups: a header line
// ("OFPST_GROUP_DESC reply ...") and one " group_id=N,type=T,..." line per
// group.
func ParseGroups(text string) ([]GroupDesc, error) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) == 0 || !strings.Contains(lines[0], "GROUP_DESC reply") {
		return nil, fmt.Errorf("openflow: dump-groups: %.80q is not a group reply", lines[0])
	}
	var out []GroupDesc
	for i, l := range lines[1:] {
		spec := strings.TrimSpace(l)
		if off, what := textsafe.Check(spec); off >= 0 {
			return nil, fmt.Errorf("openflow: dump-groups: line %d: %s at byte %d", i+2, what, off+1)
		}
		g := GroupDesc{Spec: spec}
		idText, rest, ok := strings.Cut(strings.TrimPrefix(spec, "group_id="), ",")
		id, err := strconv.ParseUint(idText, 10, 32)
		if !strings.HasPrefix(spec, "group_id=") || !ok || err != nil {
			return nil, fmt.Errorf("openflow: dump-groups: line %d %.80q: want group_id=N first", i+2, spec)
		}
		g.ID = uint32(id)
		for _, f := range strings.Split(rest, ",") {
			if t, ok := strings.CutPrefix(f, "type="); ok {
				g.Type = t
				break
			}
		}
		if g.Type == "" {
			return nil, fmt.Errorf("openflow: dump-groups: line %d %.80q: no type", i+2, spec)
		}
		out = append(out, g)
	}
	return out, nil
}
