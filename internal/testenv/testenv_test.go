// SPDX-License-Identifier: Apache-2.0

package testenv

import "testing"

func TestStrict(t *testing.T) {
	for _, c := range []struct {
		ci, strict string
		want       bool
	}{{"", "", false}, {"true", "", false}, {"", "1", true}, {"true", "1", true}, {"false", "0", false}} {
		t.Setenv("CI", c.ci)
		t.Setenv("OVSOFFLOAD_STRICT", c.strict)
		if got := Strict(); got != c.want {
			t.Errorf("CI=%q OVSOFFLOAD_STRICT=%q: Strict() = %v, want %v", c.ci, c.strict, got, c.want)
		}
	}
}

func TestRequireBinariesPresent(t *testing.T) {
	// sh is on every machine that runs these tests; this must neither skip nor fail.
	RequireBinaries(t, "dash", "sh")
}

func TestRequireKernelLaneSkipsOnHost(t *testing.T) {
	if InKernelLane() {
		t.Skip("running inside the kernel lane: the host behaviour is not observable here")
	}
	t.Setenv(StrictEnv, "1") // even strict mode skips: the lane itself checks that the tests ran
	var skipped bool
	t.Run("inner", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		RequireKernelLane(t)
		t.Error("RequireKernelLane returned outside the kernel lane")
	})
	if !skipped {
		t.Error("RequireKernelLane did not skip outside the kernel lane")
	}
}

func TestInKernelLane(t *testing.T) {
	t.Setenv(KernelLaneEnv, "1")
	if !InKernelLane() {
		t.Errorf("InKernelLane() = false with %s=1", KernelLaneEnv)
	}
	t.Setenv(KernelLaneEnv, "")
	if InKernelLane() {
		t.Errorf("InKernelLane() = true with %s empty", KernelLaneEnv)
	}
}

func TestFindCorpus(t *testing.T) {
	t.Setenv(CorpusEnv, "")
	if _, ok := FindCorpus("no-such-set-" + t.Name()); ok {
		t.Error("FindCorpus found a set that does not exist")
	}
	dir := t.TempDir()
	t.Setenv(CorpusEnv, dir)
	if d, ok := FindCorpus("ovs-tests"); !ok || d != dir {
		t.Errorf("FindCorpus(ovs-tests) with $%s=%s = %q, %v", CorpusEnv, dir, d, ok)
	}
	t.Setenv(CorpusEnv, dir+"/absent")
	if _, ok := FindCorpus("ovs-tests"); ok {
		t.Errorf("FindCorpus accepted a $%s that does not exist", CorpusEnv)
	}
}

func TestCorpusSkipsOrFails(t *testing.T) {
	for _, strict := range []string{"", "1"} {
		t.Setenv(StrictEnv, strict)
		ft := &fakeT{}
		func() {
			defer func() { _ = recover() }()
			Corpus(ft, "no-such-set-"+t.Name())
		}()
		if strict == "1" && !ft.failed || strict == "" && !ft.skipped {
			t.Errorf("strict=%q: failed=%v skipped=%v", strict, ft.failed, ft.skipped)
		}
		ft = &fakeT{}
		if _, ok := OptionalCorpus(ft, "no-such-set-"+t.Name()); ok || ft.skipped || ft.failed != (strict == "1") {
			t.Errorf("OptionalCorpus strict=%q: ok=%v failed=%v skipped=%v", strict, ok, ft.failed, ft.skipped)
		}
	}
}

type fakeT struct{ failed, skipped bool }

func (f *fakeT) Helper()               {}
func (f *fakeT) Fatalf(string, ...any) { f.failed = true }
func (f *fakeT) Skipf(string, ...any)  { f.skipped = true }
