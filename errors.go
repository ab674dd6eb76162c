// SPDX-License-Identifier: Apache-2.0

package ovsoffload

import "errors"

// The sentinel errors shared by every package of the module. Each package
// re-exports them under its own name (ovsdb.ErrNotFound, tc.ErrNotFound,
// eswitch.ErrNotFound, ...), and every one of those is this same value, so a
// caller matches an error from any package with errors.Is against either
// name. Typed errors (such as *ovsdb.TxnError or *tc.OpError) carry the
// context and match one of these.
var (
	// ErrNotFound: the object asked for (row, device, representor, filter,
	// backend, control socket, ...) does not exist.
	ErrNotFound = errors.New("not found")
	// ErrNotSupported: the kernel, driver, device, daemon, schema or build
	// cannot do what was asked. Conclusive: retrying does not help.
	ErrNotSupported = errors.New("not supported")
	// ErrConflict: the request contradicts the state found (an object that
	// exists already or with another kind, a port held by another bridge or
	// pod, two candidates where one was expected).
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the input was rejected before anything was read or sent.
	ErrInvalid = errors.New("invalid input")
)
