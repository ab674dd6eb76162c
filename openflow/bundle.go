// SPDX-License-Identifier: Apache-2.0

package openflow

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/digitalocean/go-openvswitch/ovs"

	"github.com/ovsoffload/ovsoffload/internal/textsafe"
)

// opKind is what a bundle operation does.
type opKind uint8

const (
	opAdd opKind = iota
	opDelete
)

type bundleOp struct {
	kind opKind
	flow *Flow
}

// Bundle is an ordered list of flow additions and deletions that a
// Programmer applies atomically: either every operation takes effect or none
// does. The zero value is an empty bundle.
type Bundle struct {
	ops []bundleOp
}

// Add adds flows. A flow equal in table, priority and match to an installed
// one replaces it (OpenFlow add semantics).
func (b *Bundle) Add(flows ...*Flow) *Bundle {
	for _, f := range flows {
		b.ops = append(b.ops, bundleOp{opAdd, f})
	}
	return b
}

// Delete deletes every installed flow that the selector covers: its table
// (any table when the selector has none), its cookie under CookieMask, and
// its match fields, at any priority. This is OpenFlow's non-strict delete,
// the only delete go-openvswitch's FlowTransaction writes. A selector has no
// actions and at least a table, a cookie or a match field.
func (b *Bundle) Delete(selectors ...*Flow) *Bundle {
	for _, f := range selectors {
		b.ops = append(b.ops, bundleOp{opDelete, f})
	}
	return b
}

// Replace deletes the flows selector covers and adds flows, in one atomic
// step: no packet sees the table without either the old or the new flows.
func (b *Bundle) Replace(selector *Flow, flows ...*Flow) *Bundle {
	return b.Delete(selector).Add(flows...)
}

// Len returns the number of operations.
func (b *Bundle) Len() int { return len(b.ops) }

// BundleError reports a bundle that was not applied. Op is the 0-based index
// of the operation that was invalid, or -1 when ovs-ofctl or the switch
// rejected the bundle as a whole (then nothing was applied).
type BundleError struct {
	Target string // bridge name or OpenFlow target
	Op     int
	Err    error
}

// Error names the target and the operation.
func (e *BundleError) Error() string {
	if e.Op >= 0 {
		return fmt.Sprintf("openflow: bundle for %s: operation %d: %v", e.Target, e.Op, e.Err)
	}
	return fmt.Sprintf("openflow: bundle for %s rejected, nothing applied: %v", e.Target, e.Err)
}

// Unwrap returns the underlying error.
func (e *BundleError) Unwrap() error { return e.Err }

// Programmer installs flows on a switch with ovs-ofctl through
// go-openvswitch. ovs-ofctl is run by go-openvswitch's own exec (or the
// ExecFunc/PipeFunc given to ovs.New): the pinned library is the process
// boundary here, not internal/cmdexec.
type Programmer struct {
	client *ovs.Client
}

// NewProgrammer returns a Programmer using client, or ovs.New() when client
// is nil. Options such as ovs.Timeout or ovs.Sudo are set on the client.
func NewProgrammer(client *ovs.Client) *Programmer {
	if client == nil {
		client = ovs.New()
	}
	return &Programmer{client: client}
}

// Apply sends the bundle to target (a bridge name, or an OpenFlow target
// such as "unix:/run/openvswitch/br0.mgmt") as one OpenFlow 1.4 bundle
// ("ovs-ofctl --bundle add-flow TARGET -"), which the switch commits
// atomically. Every operation is validated before anything is sent, down
// to the text written to ovs-ofctl's input (no control character, so one
// operation is one line); an invalid one returns a *BundleError naming it
// and nothing is sent.
func (p *Programmer) Apply(target string, b *Bundle) error {
	if b == nil || len(b.ops) == 0 {
		return nil
	}
	type prepared struct {
		add *ovs.Flow
		del *ovs.MatchFlow
	}
	if err := checkTarget(target); err != nil {
		return &BundleError{Target: target, Op: -1, Err: err}
	}
	prep := make([]prepared, len(b.ops))
	for i, op := range b.ops {
		var err error
		var text []byte
		if op.kind == opAdd {
			if prep[i].add, err = toOVSFlow(op.flow); err == nil {
				text, err = prep[i].add.MarshalText()
			}
		} else {
			if prep[i].del, err = toOVSMatchFlow(op.flow); err == nil {
				text, err = prep[i].del.MarshalText()
			}
		}
		if err == nil {
			// The exact text go-openvswitch writes as one line of
			// ovs-ofctl's input: a line feed in a field built by hand
			// (not parsed) would start another flow there.
			if pe := checkLine(string(text)); pe != nil {
				err = pe
			}
		}
		if err != nil {
			return &BundleError{Target: target, Op: i, Err: err}
		}
	}
	err := p.client.OpenFlow.AddFlowBundle(target, func(tx *ovs.FlowTransaction) error {
		for _, x := range prep {
			if x.add != nil {
				tx.Add(x.add)
			} else {
				tx.Delete(x.del)
			}
		}
		return tx.Commit()
	})
	if err != nil {
		return &BundleError{Target: target, Op: -1, Err: err}
	}
	return nil
}

// checkTarget refuses a target ovs-ofctl would misread: empty, starting
// with '-' (an option), or holding control characters or invalid UTF-8.
func checkTarget(target string) error {
	if target == "" {
		return errors.New("empty target")
	}
	if target[0] == '-' {
		return fmt.Errorf("target %q starts with '-'", target)
	}
	if off, what := textsafe.Check(target); off >= 0 {
		return fmt.Errorf("target %q: %s at byte %d", target, what, off+1)
	}
	return nil
}

// textItem is a go-openvswitch Match or Action made of text this package
// formatted.
type textItem string

// MarshalText implements ovs.Match and ovs.Action.
func (t textItem) MarshalText() ([]byte, error) { return []byte(t), nil }

// GoString implements ovs.Match and ovs.Action.
func (t textItem) GoString() string { return strconv.Quote(string(t)) }

var errNoActions = errors.New("flow to add has no actions")

// checkRoundTrip makes sure text ovs-ofctl will read means what f means.
func checkRoundTrip(f *Flow, spec string) error {
	g, err := Parse(spec)
	if err != nil {
		return fmt.Errorf("flow does not format to valid text: %w", err)
	}
	if g.MatchString() != f.MatchString() || g.ActionsString() != f.ActionsString() {
		return fmt.Errorf("flow text %q does not parse back to the same flow", spec)
	}
	return nil
}

func toOVSFlow(f *Flow) (*ovs.Flow, error) {
	if f == nil {
		return nil, errors.New("nil flow")
	}
	if len(f.Actions) == 0 && f.Has&HasActions == 0 {
		return nil, errNoActions
	}
	if f.TableName != "" {
		return nil, fmt.Errorf("table name %q: %w (use a table number)", f.TableName, ErrNotSupported)
	}
	if f.CookieMask != 0 {
		return nil, errors.New("a flow to add cannot have a cookie mask")
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if err := checkRoundTrip(f, f.FormatSpec()); err != nil {
		return nil, err
	}
	var m []ovs.Match
	if f.HardTimeout != 0 {
		m = append(m, textItem("hard_timeout="+strconv.Itoa(int(f.HardTimeout))))
	}
	if f.Importance != 0 {
		m = append(m, textItem("importance="+strconv.Itoa(int(f.Importance))))
	}
	for _, n := range f.Flags.FlagNames() {
		m = append(m, textItem(n))
	}
	for i := range f.Match {
		m = append(m, textItem(f.Match[i].String()))
	}
	acts := f.ActionsString()
	if acts == "" {
		acts = "drop"
	}
	return &ovs.Flow{
		Priority:    int(f.Priority),
		Table:       int(f.Table),
		IdleTimeout: int(f.IdleTimeout),
		Cookie:      f.Cookie,
		Matches:     m,
		Actions:     []ovs.Action{textItem(acts)},
	}, nil
}

func toOVSMatchFlow(f *Flow) (*ovs.MatchFlow, error) {
	if f == nil {
		return nil, errors.New("nil selector")
	}
	if len(f.Actions) > 0 {
		return nil, errors.New("a delete selector has no actions")
	}
	if f.TableName != "" {
		return nil, fmt.Errorf("table name %q: %w (use a table number)", f.TableName, ErrNotSupported)
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	mf := &ovs.MatchFlow{Table: ovs.AnyTable, Cookie: f.Cookie, CookieMask: f.CookieMask}
	if f.Has&HasTable != 0 || f.Table != 0 {
		mf.Table = int(f.Table)
	}
	if f.Cookie == 0 && f.CookieMask != 0 {
		return nil, fmt.Errorf("cookie 0 with a mask: %w by go-openvswitch's MatchFlow", ErrNotSupported)
	}
	for i := range f.Match {
		mf.Matches = append(mf.Matches, textItem(f.Match[i].String()))
	}
	if mf.Table == ovs.AnyTable && mf.Cookie == 0 && len(mf.Matches) == 0 {
		return nil, errors.New("empty delete selector (it would delete every flow)")
	}
	return mf, nil
}
