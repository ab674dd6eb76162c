// SPDX-License-Identifier: Apache-2.0

package ovsoffload_test

import (
	"os"
	"strings"
	"testing"
)

// TestToolsOutsideMainModule checks that the development tools (staticcheck,
// modelgen) are pinned in tools/go.mod and not in the main go.mod, whose
// requirements every importer's module graph takes in.
func TestToolsOutsideMainModule(t *testing.T) {
	main, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"honnef.co/go/tools", "libovsdb/cmd/modelgen"} {
		if strings.Contains(string(main), bad) {
			t.Errorf("go.mod names %s: move it to tools/go.mod", bad)
		}
	}
	for _, line := range strings.Split(string(main), "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == "tool" {
			t.Errorf("go.mod has a tool directive %q: tools belong in tools/go.mod", line)
		}
	}
	tools, err := os.ReadFile("tools/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"honnef.co/go/tools/cmd/staticcheck", "github.com/ovn-kubernetes/libovsdb/cmd/modelgen"} {
		if !strings.Contains(string(tools), want) {
			t.Errorf("tools/go.mod does not name the tool %s", want)
		}
	}
}
