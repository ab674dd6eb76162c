// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"fmt"
	"strings"

	"github.com/ovsoffload/ovsoffload"
)

// Sentinel errors, matched with errors.Is. Each is the module's shared value
// (ovsoffload.ErrNotFound, ...), the same in every package.
var (
	// ErrNotFound: no representor, link, function or device matches. The
	// shared ovsoffload.ErrNotFound.
	ErrNotFound = ovsoffload.ErrNotFound
	// ErrNotSupported: the kernel, driver or device cannot do what was asked
	// (no devlink family, a fixed netdev feature, no SR-IOV). Conclusive. The
	// shared ovsoffload.ErrNotSupported.
	ErrNotSupported = ovsoffload.ErrNotSupported
	// ErrConflict: the request clashes with the state found (two candidates,
	// a name already taken by another link). The shared ovsoffload.ErrConflict.
	ErrConflict = ovsoffload.ErrConflict
)

// AmbiguousError reports a lookup that matched more than one representor or
// link. It matches ErrConflict.
type AmbiguousError struct {
	Query      string        // what was asked, e.g. "VF representor c1pf0vf5"
	Candidates []Representor // every match, in discovery order
}

// Error names the query and every candidate.
func (e *AmbiguousError) Error() string {
	names := make([]string, len(e.Candidates))
	for i, c := range e.Candidates {
		names[i] = c.String()
	}
	return fmt.Sprintf("eswitch: %s is ambiguous, %d candidates: %s", e.Query, len(e.Candidates), strings.Join(names, "; "))
}

// Is reports whether target is ErrConflict.
func (e *AmbiguousError) Is(target error) bool { return target == ErrConflict }

// ParseError reports a phys_port_name (or other attribute text) that does
// not follow the kernel's format.
type ParseError struct {
	Text   string // the offending text
	Column int    // 1-based byte position where parsing stopped
	Msg    string // what was expected there
}

// Error formats the text, the position and the reason.
func (e *ParseError) Error() string {
	return fmt.Sprintf("eswitch: parse %q at column %d: %s", e.Text, e.Column, e.Msg)
}

// OpError reports a kernel operation that failed: which operation, on which
// object, and the underlying error (a *netlink.OpError from mdlayher/netlink
// carries the kernel's extended acknowledgement message).
type OpError struct {
	Op     string // e.g. "rename", "addr add", "devlink eswitch set"
	Object string // link name, address, or devlink handle
	Err    error
}

// Error formats the operation, object and cause.
func (e *OpError) Error() string { return fmt.Sprintf("eswitch: %s %s: %v", e.Op, e.Object, e.Err) }

// Unwrap returns the cause.
func (e *OpError) Unwrap() error { return e.Err }

// RollbackError reports a multi-step change that failed and whose undo also
// failed, leaving the state between the original and the requested one. Err
// is the failure that triggered the rollback; Undo lists the undo steps that
// failed. It matches both Err and each Undo error with errors.Is.
type RollbackError struct {
	Err  error
	Undo []error
}

// Error formats the failure and the failed undo steps.
func (e *RollbackError) Error() string {
	parts := make([]string, len(e.Undo))
	for i, u := range e.Undo {
		parts[i] = u.Error()
	}
	return fmt.Sprintf("eswitch: %v; rollback incomplete: %s", e.Err, strings.Join(parts, "; "))
}

// Unwrap returns the original failure and the undo failures.
func (e *RollbackError) Unwrap() []error { return append([]error{e.Err}, e.Undo...) }
