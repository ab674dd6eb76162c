// SPDX-License-Identifier: Apache-2.0

//go:build !cgo || !linux

package doca

import (
	"strings"
	"testing"

	"github.com/ovsoffload/ovsoffload/offload"
)

// Without cgo the runtime can never load, and preflight says why.
func TestPreflightRuntimeWithoutCgo(t *testing.T) {
	c, ctx := dial(t)
	b, _ := New(Config{})
	checks, err := b.Preflight(ctx, &offload.Node{DB: c})
	if err != nil {
		t.Fatal(err)
	}
	if checks[0].Name != "doca-runtime" || checks[0].Status != offload.CheckFail ||
		!strings.Contains(checks[0].Detail, "without cgo") {
		t.Errorf("doca-runtime without cgo: %+v", checks[0])
	}
}
