#!/usr/bin/env bash
# lane.sh: the kernel lane (make kernel-lane). Boots Debian's current stock kernel under QEMU
# and runs every TestKernel* test of the project inside it; exits non-zero, saying why, when
# a step fails, a test fails or skips, or no test ran.
#
# Steps (each a script here, each cached under $KERNEL_LANE_CACHE/<abi>):
#   kernel.sh     apt-get download linux-image-<abi> and dpkg -x it
#   netdevsim.sh  build netdevsim with netdevsim-flower.patch from linux-source-<series>
#   initramfs.sh  static busybox + virtio/9p modules
#   tests.sh      go test -c for every package with a TestKernel* test
#   boot.sh       QEMU: guest-init.sh runs the test binaries
# then lanereport prints per-test PASS/FAIL and decides.
#
# Settings (environment): KERNEL_LANE_CACHE (default .cache/kernel-lane), KERNEL_LANE_ABI
# (default: what linux-image-amd64 depends on), KERNEL_LANE_PKGS, KERNEL_LANE_RACE=0,
# KERNEL_LANE_TEST_RUN (default ^TestKernel), KERNEL_LANE_TIMEOUT (s, default 900),
# KERNEL_LANE_TEST_TIMEOUT (per binary, default 5m), KERNEL_LANE_MEM (MiB, default 2048).
set -euo pipefail
. "$(dirname "$0")/common.sh"
GO=${GO:-go}
t0=$(kl_now)
step() { # step <label> <command...>: runs a step, times it, fails the lane when it fails
  local label=$1 s; shift
  s=$(kl_now)
  "$@" || kl_die "step '$label' failed"
  kl_log "step $label: $(kl_since "$s") s"
}
abi=$(kl_abi)
case "$KL_RUN$KL_SCRIPTS$KL_CACHE" in *[[:space:]]*) kl_die "paths with spaces cannot go on the kernel command line: $KL_RUN";; esac
kl_log "kernel ABI $abi (linux-image-$abi $(kl_version "linux-image-$abi")), cache $KL_CACHE"
mkdir -p "$KL_CACHE" "$KL_RUN"
step kernel "$KL_SCRIPTS/kernel.sh" "$abi"
step netdevsim "$KL_SCRIPTS/netdevsim.sh" "$abi"
step initramfs "$KL_SCRIPTS/initramfs.sh" "$abi"
step compile-tests "$KL_SCRIPTS/tests.sh"
step boot-and-test "$KL_SCRIPTS/boot.sh" "$abi"
rc=0
(cd "$KL_REPO" && $GO run ./internal/kernellane/lanereport -run "$KL_RUN") || rc=$?
kl_log "wall time $(kl_since "$t0") s (kernel $abi)"
[ "$rc" = 0 ] || kl_die "kernel lane tests failed (outputs in $KL_RUN/results, console in $KL_RUN/console.log)"
kl_log "PASSED"
