#!/usr/bin/env bash
# boot.sh <abi>: boots the cached kernel of <abi> under QEMU (software emulation, 2 vCPUs)
# with the host's root shared read-only over 9p and $KL_RUN/results shared writable; the
# guest runs guest-init.sh, which runs the plan. The console goes to stdout and
# $KL_RUN/console.log. Fails when QEMU fails or the guest does not finish in time.
set -euo pipefail
. "$(dirname "$0")/common.sh"
abi=${1:?usage: boot.sh <abi>}
dir=$KL_CACHE/$abi
qemu=${KERNEL_LANE_QEMU:-qemu-system-x86_64}
kl_need "$qemu" qemu-system-x86
kl_need timeout coreutils
[ -f "$KL_RUN/plan" ] || kl_die "no plan in $KL_RUN: run tests.sh first"
for f in "$dir/kernel/boot/vmlinuz-$abi" "$dir/initramfs.cpio.gz"; do
  [ -f "$f" ] || kl_die "$f missing: run kernel.sh and initramfs.sh $abi first"
done

# guest.env, sourced by guest-init.sh; GUEST_ENV (KERNEL_LANE_GUEST_ENV, space-separated
# KEY=VALUE) is exported to the tests.
{
  printf 'MODULES=%q\n' "$dir/kernel/lib/modules"
  printf 'TEST_RUN=%q\n' "${KERNEL_LANE_TEST_RUN:-^TestKernel}"
  printf 'TEST_TIMEOUT=%q\n' "${KERNEL_LANE_TEST_TIMEOUT:-10m}"
  printf 'MIN_UPTIME=%q\n' "${KERNEL_LANE_MIN_UPTIME:-11}"
  printf 'GUEST_ENV=%q\n' "${KERNEL_LANE_GUEST_ENV:-}"
  printf 'REPO=%q\n' "$KL_REPO"
} >"$KL_RUN/guest.env"
rm -rf "$KL_RUN/results"; mkdir -p "$KL_RUN/results"

accel=${KERNEL_LANE_ACCEL:-tcg,thread=multi}
set +e
timeout --foreground -k 10 "${KERNEL_LANE_TIMEOUT:-1200}" \
  "$qemu" -nodefaults -no-user-config -nographic -no-reboot \
  -machine q35 -accel "$accel" -cpu max -smp 2 -m "${KERNEL_LANE_MEM:-2048}" \
  -kernel "$dir/kernel/boot/vmlinuz-$abi" -initrd "$dir/initramfs.cpio.gz" \
  -append "console=ttyS0 quiet loglevel=4 panic=-1 init=$KL_SCRIPTS/guest-init.sh kernel_lane.run=$KL_RUN" \
  -fsdev local,id=hostroot,path=/,readonly=on,security_model=none,multidevs=remap \
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
  -fsdev local,id=results,path="$KL_RUN/results",security_model=none \
  -device virtio-9p-pci,fsdev=results,mount_tag=results \
  -serial stdio </dev/null 2>&1 | tee "$KL_RUN/console.log"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" = 124 ] && kl_die "the guest did not finish within ${KERNEL_LANE_TIMEOUT:-1200} s (console: $KL_RUN/console.log)"
[ "$rc" = 0 ] || kl_die "QEMU exited with status $rc (console: $KL_RUN/console.log)"
[ -f "$KL_RUN/results/guest.done" ] || kl_die "the guest stopped before running every test (console: $KL_RUN/console.log)"
