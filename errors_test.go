// SPDX-License-Identifier: Apache-2.0

package ovsoffload_test

import (
	"errors"
	"fmt"
	"go/build"
	"strings"
	"syscall"
	"testing"

	"github.com/ovsoffload/ovsoffload"
	"github.com/ovsoffload/ovsoffload/appctl"
	"github.com/ovsoffload/ovsoffload/doca/docalib"
	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/openflow"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/tc"
)

// TestSentinelsShared checks that every package's ErrX is the root
// package's value, so errors.Is matches across packages.
func TestSentinelsShared(t *testing.T) {
	cases := []struct {
		root  error
		name  string
		value error
	}{
		{ovsoffload.ErrNotFound, "ovsdb.ErrNotFound", ovsdb.ErrNotFound},
		{ovsoffload.ErrNotFound, "eswitch.ErrNotFound", eswitch.ErrNotFound},
		{ovsoffload.ErrNotFound, "tc.ErrNotFound", tc.ErrNotFound},
		{ovsoffload.ErrNotFound, "offload.ErrNotFound", offload.ErrNotFound},
		{ovsoffload.ErrNotFound, "appctl.ErrNotFound", appctl.ErrNotFound},
		{ovsoffload.ErrNotFound, "docalib.ErrNotFound", docalib.ErrNotFound},
		{ovsoffload.ErrNotSupported, "ovsdb.ErrNotSupported", ovsdb.ErrNotSupported},
		{ovsoffload.ErrNotSupported, "eswitch.ErrNotSupported", eswitch.ErrNotSupported},
		{ovsoffload.ErrNotSupported, "tc.ErrNotSupported", tc.ErrNotSupported},
		{ovsoffload.ErrNotSupported, "offload.ErrNotSupported", offload.ErrNotSupported},
		{ovsoffload.ErrNotSupported, "appctl.ErrNotSupported", appctl.ErrNotSupported},
		{ovsoffload.ErrNotSupported, "docalib.ErrNotSupported", docalib.ErrNotSupported},
		{ovsoffload.ErrNotSupported, "openflow.ErrNotSupported", openflow.ErrNotSupported},
		{ovsoffload.ErrConflict, "ovsdb.ErrConflict", ovsdb.ErrConflict},
		{ovsoffload.ErrConflict, "eswitch.ErrConflict", eswitch.ErrConflict},
		{ovsoffload.ErrConflict, "tc.ErrConflict", tc.ErrConflict},
		{ovsoffload.ErrConflict, "offload.ErrConflict", offload.ErrConflict},
		{ovsoffload.ErrInvalid, "ovsdb.ErrInvalid", ovsdb.ErrInvalid},
		{ovsoffload.ErrInvalid, "offload.ErrInvalid", offload.ErrInvalid},
	}
	for _, c := range cases {
		if c.value != c.root {
			t.Errorf("%s (%p %q) is not the shared value %p %q", c.name, c.value, c.value, c.root, c.root)
		}
	}
	// The four shared values are distinct.
	all := []error{ovsoffload.ErrNotFound, ovsoffload.ErrNotSupported, ovsoffload.ErrConflict, ovsoffload.ErrInvalid}
	for i := range all {
		for j := range all {
			if i != j && errors.Is(all[i], all[j]) {
				t.Errorf("%q matches %q", all[i], all[j])
			}
		}
	}
}

// TestTypedErrorsMatchAcrossPackages checks typed errors of one package
// against another package's sentinel name, as a caller of PlugPod or
// Backend.Verify would match them.
func TestTypedErrorsMatchAcrossPackages(t *testing.T) {
	amb := fmt.Errorf("plug: %w", &eswitch.AmbiguousError{Query: "VF representor pf0vf1"})
	if !errors.Is(amb, offload.ErrConflict) || !errors.Is(amb, ovsdb.ErrConflict) {
		t.Errorf("eswitch.AmbiguousError does not match offload.ErrConflict / ovsdb.ErrConflict: %v", amb)
	}
	txn := &ovsdb.TxnError{Failed: []ovsdb.FailedOp{{Error: "constraint violation"}}}
	if !errors.Is(txn, offload.ErrConflict) || !errors.Is(txn, ovsoffload.ErrConflict) {
		t.Errorf("ovsdb.TxnError (constraint violation) does not match offload.ErrConflict: %v", txn)
	}
	nodev := &tc.OpError{Op: "add filter", Errno: syscall.ENODEV, Err: syscall.ENODEV}
	if !errors.Is(nodev, eswitch.ErrNotFound) || !errors.Is(nodev, ovsdb.ErrNotFound) {
		t.Errorf("tc.OpError ENODEV does not match eswitch.ErrNotFound / ovsdb.ErrNotFound: %v", nodev)
	}
	notsup := &tc.OpError{Op: "add filter", Errno: syscall.EOPNOTSUPP, Err: syscall.EOPNOTSUPP}
	if !errors.Is(notsup, offload.ErrNotSupported) || errors.Is(notsup, offload.ErrNotFound) {
		t.Errorf("tc.OpError EOPNOTSUPP: want offload.ErrNotSupported only: %v", notsup)
	}
}

// TestRootImportsNothingOfTheModule guards against an import cycle: every
// package imports the root for its sentinels.
func TestRootImportsNothingOfTheModule(t *testing.T) {
	p, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range p.Imports {
		if strings.HasPrefix(imp, "github.com/ovsoffload/ovsoffload") {
			t.Errorf("the root package imports %s; it must import nothing of the module", imp)
		}
	}
	if len(p.GoFiles) == 0 {
		t.Fatal("the root package has no Go files")
	}
}
