// SPDX-License-Identifier: Apache-2.0

package openflow

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// FlowDiff is what ReplaceFlows sends: the desired flows missing from the
// switch, those whose cookie, timeouts, flags, importance or actions differ
// (sent as adds, which replace a flow of the same table, priority and
// match, as `ovs-ofctl replace-flows` does), and the installed flows no
// desired flow has, deleted strictly.
type FlowDiff struct {
	// Add are the desired flows the switch lacks; Modify those it holds
	// with another cookie, timeouts, flags, importance or actions.
	Add, Modify []*Flow
	// Delete are the installed flows no desired flow has.
	Delete []*Flow
}

// Empty reports whether the switch already holds the desired flows.
func (d FlowDiff) Empty() bool { return len(d.Add)+len(d.Modify)+len(d.Delete) == 0 }

// flowKey identifies a flow as OpenFlow does for a strict match: table,
// priority and match.
func flowKey(f *Flow) string {
	b := strconv.AppendUint(nil, uint64(f.Table), 10)
	b = append(b, '/')
	b = strconv.AppendUint(b, uint64(f.Priority), 10)
	for i := range f.Match {
		b = append(b, ',')
		b = f.Match[i].appendText(b)
	}
	return string(b)
}

// flowBody is what a flow carries besides its key and statistics.
func flowBody(f *Flow) string {
	return fmt.Sprintf("%#x/%d/%d/%d/%d/%s", f.Cookie, f.IdleTimeout, f.HardTimeout, f.Flags, f.Importance, f.ActionsString())
}

// DiffFlows computes what turns installed into desired. Flows compare by
// their printed form, so desired flows should be written as ovs-ofctl
// dump-flows prints them (a flow written otherwise, such as
// "nw_dst=10.0.0.1/32" for "nw_dst=10.0.0.1", is sent again, which is
// harmless but not minimal). Two desired flows with the same table,
// priority and match are an error.
func DiffFlows(installed, desired []*Flow) (FlowDiff, error) {
	var d FlowDiff
	have := make(map[string]*Flow, len(installed))
	for _, f := range installed {
		have[flowKey(f)] = f
	}
	want := make(map[string]bool, len(desired))
	for i, f := range desired {
		if f == nil {
			return FlowDiff{}, fmt.Errorf("openflow: desired flow %d is nil", i)
		}
		if f.TableName != "" {
			return FlowDiff{}, fmt.Errorf("openflow: desired flow %d %q: table names are not supported, use numbers", i, f.FormatSpec())
		}
		if f.CookieMask != 0 {
			return FlowDiff{}, fmt.Errorf("openflow: desired flow %d %q: a cookie mask is a selector, not a flow", i, f.FormatSpec())
		}
		k := flowKey(f)
		if want[k] {
			return FlowDiff{}, fmt.Errorf("openflow: desired flow %d %q: same table, priority and match as an earlier one", i, f.FormatSpec())
		}
		want[k] = true
		switch h, ok := have[k]; {
		case !ok:
			d.Add = append(d.Add, f)
		case flowBody(h) != flowBody(f):
			d.Modify = append(d.Modify, f)
		}
	}
	for _, f := range installed {
		if !want[flowKey(f)] {
			d.Delete = append(d.Delete, f)
		}
	}
	return d, nil
}

// selector returns f's table, priority and match in add-flow syntax, what
// delete_strict takes.
func selector(f *Flow) string {
	b := []byte("table=")
	b = strconv.AppendUint(b, uint64(f.Table), 10)
	b = append(b, ",priority="...)
	b = strconv.AppendUint(b, uint64(f.Priority), 10)
	for i := range f.Match {
		b = append(b, ',')
		b = f.Match[i].appendText(b)
	}
	return string(b)
}

// specOf returns f in add-flow syntax with its table always written.
func specOf(f *Flow) string {
	g := *f
	g.Has |= HasTable | HasPriority
	return g.FormatSpec()
}

// DumpFlows runs `ovs-ofctl --no-names dump-flows TARGET [MATCH]` and
// parses it. MATCH is in ovs-ofctl's syntax ("table=65,out_port=3"); empty
// means every flow of every table.
func (o Ofctl) DumpFlows(ctx context.Context, target, match string) ([]*Flow, error) {
	if err := checkArg("target", target); err != nil {
		return nil, err
	}
	args := []string{"--no-names", "dump-flows", target}
	if match != "" {
		if err := checkArg("match", match); err != nil {
			return nil, err
		}
		args = append(args, match)
	}
	out, err := o.run(ctx, args...)
	if err != nil {
		return nil, err
	}
	var flows []*Flow
	for i, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if i == 0 && strings.Contains(l, "_FLOW reply") {
			continue
		}
		f, err := Parse(strings.TrimSpace(l))
		if err != nil {
			return nil, fmt.Errorf("openflow: dump-flows %s: line %d: %w", target, i+1, err)
		}
		flows = append(flows, f)
	}
	return flows, nil
}

// ReplaceFlows makes the flows of TARGET exactly desired, sending only the
// difference: it dumps the flows, computes DiffFlows and, when there is one,
// runs `ovs-ofctl --bundle add-flows TARGET FILE` with "add" and
// "delete_strict" lines, so the change is one OpenFlow bundle: all of it or
// none. The bridge must allow OpenFlow 1.4 or later. The returned diff is
// what was sent. A flow changed by another controller between the dump and
// the bundle is not seen; call again to converge.
func (o Ofctl) ReplaceFlows(ctx context.Context, target string, desired []*Flow) (FlowDiff, error) {
	installed, err := o.DumpFlows(ctx, target, "")
	if err != nil {
		return FlowDiff{}, err
	}
	d, err := DiffFlows(installed, desired)
	if err != nil || d.Empty() {
		return d, err
	}
	var b strings.Builder
	for _, f := range slices.Concat(d.Add, d.Modify) {
		spec := specOf(f)
		if err := checkRoundTrip(f, spec); err != nil {
			return FlowDiff{}, fmt.Errorf("openflow: replace-flows: %w", err)
		}
		if strings.ContainsAny(spec, "\r\n") {
			return FlowDiff{}, fmt.Errorf("openflow: replace-flows: flow %.80q holds a line break", spec)
		}
		b.WriteString("add " + spec + "\n")
	}
	for _, f := range d.Delete {
		b.WriteString("delete_strict " + selector(f) + "\n")
	}
	file, err := os.CreateTemp("", "ovsoffload-flows-*.txt")
	if err != nil {
		return FlowDiff{}, fmt.Errorf("openflow: replace-flows: %w", err)
	}
	defer os.Remove(file.Name())
	if _, err := file.WriteString(b.String()); err != nil {
		file.Close()
		return FlowDiff{}, fmt.Errorf("openflow: replace-flows: %w", err)
	}
	if err := file.Close(); err != nil {
		return FlowDiff{}, fmt.Errorf("openflow: replace-flows: %w", err)
	}
	if _, err := o.run(ctx, "--bundle", "add-flows", target, file.Name()); err != nil {
		return FlowDiff{}, err
	}
	return d, nil
}
