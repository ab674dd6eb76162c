// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ovsoffload/ovsoffload"
)

// Sentinel errors, matched with errors.Is. ErrNotFound, ErrNotSupported,
// ErrConflict and ErrInvalid are the module's shared values
// (ovsoffload.ErrNotFound, ...), the same in every package.
var (
	// ErrNotFound reports a row (bridge, port, interface) that does not
	// exist. The shared ovsoffload.ErrNotFound.
	ErrNotFound = ovsoffload.ErrNotFound
	// ErrNotSupported reports a feature the server's schema does not have.
	// The shared ovsoffload.ErrNotSupported.
	ErrNotSupported = ovsoffload.ErrNotSupported
	// ErrConflict reports a request that contradicts the database, such as a
	// port that already exists on another bridge, or a constraint violation.
	// The shared ovsoffload.ErrConflict.
	ErrConflict = ovsoffload.ErrConflict
	// ErrInvalid reports bad input rejected before anything was sent. The
	// shared ovsoffload.ErrInvalid.
	ErrInvalid = ovsoffload.ErrInvalid
	// ErrCacheLag reports a transaction the server applied whose effect the
	// client's cache did not show in time (see WithSyncTimeout). The write
	// is done; reads may not show it yet.
	ErrCacheLag = errors.New("cache lags behind the applied transaction")
)

// ValidationError reports bad input, found before anything was sent to the
// server. It matches ErrInvalid.
type ValidationError struct {
	Field string // the field or key that is wrong, such as "ovn-encap-ip"
	Value string // the offending value
	Err   error  // why it is wrong
}

// Error formats the field, the value and the reason.
func (e *ValidationError) Error() string {
	return fmt.Sprintf("ovsdb: invalid %s %q: %v", e.Field, e.Value, e.Err)
}

// Unwrap returns the reason.
func (e *ValidationError) Unwrap() error { return e.Err }

// Is makes every ValidationError match ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, value string, format string, args ...any) error {
	return &ValidationError{Field: field, Value: value, Err: fmt.Errorf(format, args...)}
}

// FailedOp is one operation of a failed transaction.
type FailedOp struct {
	Index   int    // position of the operation in the transaction; len(ops) for a commit-time failure
	Op      string // what the operation was, such as `insert Port "p1"`
	Error   string // the OVSDB error, such as "constraint violation"
	Details string // the server's details
}

// TxnError reports a transaction the server refused. Nothing of it was
// applied: OVSDB transactions are atomic.
type TxnError struct {
	Failed []FailedOp
}

// Error lists every failed operation.
func (e *TxnError) Error() string {
	var b strings.Builder
	b.WriteString("ovsdb: transaction aborted, nothing applied:")
	for i, f := range e.Failed {
		if i > 0 {
			b.WriteString(";")
		}
		fmt.Fprintf(&b, " op %d (%s): %s", f.Index, f.Op, f.Error)
		if f.Details != "" {
			fmt.Fprintf(&b, ": %s", f.Details)
		}
	}
	return b.String()
}

// Is makes a TxnError caused by a constraint violation (a duplicate name) or
// a failed precondition match ErrConflict.
func (e *TxnError) Is(target error) bool {
	if target != ErrConflict {
		return false
	}
	for _, f := range e.Failed {
		switch f.Error {
		case "constraint violation", "timed out", "referential integrity violation":
			return true
		}
	}
	return false
}
