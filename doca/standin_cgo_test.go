// SPDX-License-Identifier: Apache-2.0

//go:build cgo && linux

package doca

import (
	"strings"
	"testing"

	"github.com/ovsoffload/ovsoffload/doca/docalib/docatest"
	"github.com/ovsoffload/ovsoffload/offload"
)

func TestPreflightRuntimeFromStandin(t *testing.T) {
	c, ctx := dial(t)
	lib := docatest.Build(t, "-DSTANDIN_OLD")
	docatest.UseTree(t, docatest.BlueField3)
	b, _ := New(Config{Library: lib})
	checks, err := b.Preflight(ctx, &offload.Node{DB: c})
	if err != nil {
		t.Fatal(err)
	}
	if checks[0].Name != "doca-runtime" || checks[0].Status != offload.CheckPass ||
		!strings.Contains(checks[0].Detail, "older runtime without") {
		t.Errorf("doca-runtime with an older stand-in: %+v", checks[0])
	}
}
