// SPDX-License-Identifier: Apache-2.0

package ovsoffload_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/internal/testenv"
)

// CleanCloneEnv set to 1 runs TestCleanClone; CleanClonePkgsEnv narrows the
// packages it tests in the clone (default ./...).
const (
	CleanCloneEnv     = "OVSOFFLOAD_CLEAN_CLONE"
	CleanClonePkgsEnv = "OVSOFFLOAD_CLEAN_CLONE_PKGS"
)

// TestCleanClone clones this repository at HEAD into a temporary directory
// with no ../shared beside it and runs `go test -short` there: what an
// importer or a contributor gets from a fresh clone must pass without the
// shared corpora. It runs only with OVSOFFLOAD_CLEAN_CLONE=1 (it tests the
// whole module again), and never inside the clone: the variable is not
// passed on, nor is strict mode (the corpora are absent by design there).
// Committed state is tested; uncommitted changes are not.
func TestCleanClone(t *testing.T) {
	if os.Getenv(CleanCloneEnv) != "1" {
		t.Skipf("clean-clone test: runs only with %s=1 (it runs go test -short on a fresh clone)", CleanCloneEnv)
	}
	git, err := exec.LookPath("git")
	if err != nil {
		testenv.Missing(t, "git is not installed: %v", err)
	}
	gobin := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		if gobin, err = exec.LookPath("go"); err != nil {
			testenv.Missing(t, "no go command: %v", err)
		}
	}
	ctx := context.Background()
	if d, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-10*time.Second))
		defer cancel()
	}
	run := func(dir string, env []string, argv ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Dir = dir
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s in %s: %v\n%s", strings.Join(argv, " "), dir, err, out)
		}
		return string(out)
	}
	src, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	head := strings.TrimSpace(run(src, os.Environ(), git, "rev-parse", "HEAD"))
	if st := run(src, os.Environ(), git, "status", "--porcelain", "--untracked-files=no"); st != "" {
		t.Logf("uncommitted changes are not part of the clone:\n%s", st)
	}
	// <tmp>/repo, and no <tmp>/shared beside it.
	clone := filepath.Join(t.TempDir(), "repo")
	run(src, os.Environ(), git, "clone", "--quiet", "--no-checkout", src, clone)
	run(clone, os.Environ(), git, "checkout", "--quiet", "--detach", head)
	if _, err := os.Stat(filepath.Join(filepath.Dir(clone), "shared")); err == nil {
		t.Fatal("the clone has a shared directory beside it")
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case CleanCloneEnv, testenv.StrictEnv, testenv.CorpusEnv:
			continue
		}
		env = append(env, kv)
	}
	pkgs := strings.Fields(os.Getenv(CleanClonePkgsEnv))
	if len(pkgs) == 0 {
		pkgs = []string{"./..."}
	}
	start := time.Now()
	out := run(clone, env, append([]string{gobin, "test", "-short", "-count=1"}, pkgs...)...)
	t.Logf("go test -short %s on a clean clone of %s passed in %v:\n%s", strings.Join(pkgs, " "), head[:12], time.Since(start).Round(time.Second), out)
}
