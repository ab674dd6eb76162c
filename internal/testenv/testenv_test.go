package testenv

import "testing"

func TestStrict(t *testing.T) {
	for _, c := range []struct {
		ci, strict string
		want       bool
	}{{"", "", false}, {"true", "", true}, {"", "1", true}, {"false", "0", false}} {
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
	t.Setenv("CI", "true") // even strict mode skips: the lane itself checks that the tests ran
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
