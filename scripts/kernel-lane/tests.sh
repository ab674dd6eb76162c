#!/usr/bin/env bash
# tests.sh: finds every package with a test function named TestKernel*, compiles its test
# binary into $KL_RUN/bin and writes $KL_RUN/plan ("<name> <package directory>" per line).
# KERNEL_LANE_PKGS (space-separated ./paths) replaces the discovery.
# KERNEL_LANE_RACE=0 compiles without the race detector.
set -euo pipefail
. "$(dirname "$0")/common.sh"
GO=${GO:-go}
kl_need "$GO" golang

cd "$KL_REPO"
if [ -n "${KERNEL_LANE_PKGS:-}" ]; then
  pkgs=$KERNEL_LANE_PKGS
else
  pkgs=$(git ls-files --cached --others --exclude-standard -- '*_test.go' |
    xargs -r grep -l -E '^func TestKernel[A-Za-z0-9_]*\(' | xargs -r -n1 dirname | sort -u | sed 's|^|./|')
fi
[ -n "$pkgs" ] || kl_die "no package has a TestKernel* test: nothing to run in the kernel lane"

# -race needs cgo: the binaries link the host's libc dynamically, which the guest sees
# because it runs on the host's root filesystem.
race=-race
[ "${KERNEL_LANE_RACE:-1}" = 0 ] && race=
rm -rf "$KL_RUN/bin"; mkdir -p "$KL_RUN/bin"
: >"$KL_RUN/plan"
for p in $pkgs; do
  p=./${p#./}
  [ -d "$p" ] || kl_die "no package directory $p"
  name=$(echo "${p#./}" | tr '/.' '__')
  case "$KL_REPO/${p#./}" in *[[:space:]]*) kl_die "package path with spaces: $p";; esac
  kl_log "compiling $p"
  $GO test -c $race -vet=off -o "$KL_RUN/bin/$name.test" "$p" || kl_die "compiling the tests of $p failed"
  [ -x "$KL_RUN/bin/$name.test" ] || kl_die "go test -c $p wrote no binary"
  echo "$name $KL_REPO/${p#./}" >>"$KL_RUN/plan"
done
