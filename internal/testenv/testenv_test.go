package testenv

import (
	"testing"
)

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
