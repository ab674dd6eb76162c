// SPDX-License-Identifier: Apache-2.0

package ovsoffload_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// TestParsersBuildEverywhere compiles the pure parsers (dpflow, openflow)
// for systems other than Linux: they must not pull Linux-only code (the
// daemon handling of internal/cmdexec lives in _linux.go files).
func TestParsersBuildEverywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles with the go command; not in -short")
	}
	gobin := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		if gobin, err = exec.LookPath("go"); err != nil {
			testenv.Missing(t, "no go command: %v", err)
		}
	}
	for _, goos := range []string{"darwin", "windows", "freebsd"} {
		cmd := exec.Command(gobin, "build", "./dpflow", "./openflow")
		cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("GOOS=%s go build ./dpflow ./openflow: %v\n%s", goos, err, out)
		}
	}
}
