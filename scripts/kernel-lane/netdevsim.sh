#!/usr/bin/env bash
# netdevsim.sh <abi>: builds netdevsim out of tree from Debian's linux-source-<series>
# against linux-headers-<abi>, with netdevsim-flower.patch (flower rules accepted as if
# offloaded), and installs it as updates/netdevsim.ko in the cached module tree of <abi>
# so that `modprobe netdevsim` finds it in the guest. Cached per ABI, source version and patch.
set -euo pipefail
. "$(dirname "$0")/common.sh"
abi=${1:?usage: netdevsim.sh <abi>}
series=$(kl_series "$abi")
[ -n "$series" ] || kl_die "cannot read the kernel series from ABI $abi"
dir=$KL_CACHE/$abi
tree=$dir/kernel/lib/modules/$abi
[ -d "$tree/kernel" ] || kl_die "no module tree in $tree: run kernel.sh $abi first"
patchfile=$KL_SCRIPTS/netdevsim-flower.patch
imgver=$(kl_version "linux-image-$abi")
src=linux-source-$series
headers=/usr/src/linux-headers-$abi

# The source must be the one the kernel was built from, the headers those of the ABI.
have=$(dpkg-query -W -f='${Version}' "$src" 2>/dev/null || true)
if [ "$have" != "$imgver" ]; then
  kl_log "$src is '${have:-not installed}', linux-image-$abi is $imgver: installing $src=$imgver"
  kl_apt_install "$src=$imgver"
fi
[ -d "$headers" ] || kl_apt_install "linux-headers-$abi"
kl_need make make; kl_need gcc gcc; kl_need xz xz-utils; kl_need depmod kmod; kl_need modinfo kmod

key="$src=$imgver headers=$abi patch=$(sha256sum "$patchfile" | cut -c1-16)"
stamp=$dir/netdevsim.stamp
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && [ -f "$tree/updates/netdevsim.ko" ]; then
  kl_log "netdevsim cached ($key)"
  exit 0
fi
t0=$(kl_now)
rm -f "$stamp"
build=$dir/netdevsim-build
rm -rf "$build"; mkdir -p "$build"
tar -xJf "/usr/src/$src.tar.xz" -C "$build" --strip-components=4 \
  "$src/drivers/net/netdevsim" || kl_die "cannot extract drivers/net/netdevsim from /usr/src/$src.tar.xz"
patch -s -d "$build" -p1 <"$patchfile" || kl_die "netdevsim-flower.patch does not apply to $src=$imgver"
# Debian leaves CONFIG_NETDEVSIM unset: the driver's Makefile needs it on the command line.
if ! make -s -C "$headers" M="$build" CONFIG_NETDEVSIM=m -j"$(nproc)" modules >"$dir/netdevsim-build.log" 2>&1; then
  cat "$dir/netdevsim-build.log" >&2
  kl_die "building netdevsim against $headers failed"
fi
magic=$(modinfo -F vermagic "$build/netdevsim.ko")
case "$magic" in "$abi "*) ;; *) kl_die "netdevsim.ko has vermagic '$magic', want $abi";; esac
mkdir -p "$tree/updates"
strip --strip-debug -o "$tree/updates/netdevsim.ko" "$build/netdevsim.ko"
depmod -b "$dir/kernel" "$abi" || kl_die "depmod -b $dir/kernel $abi failed"
echo "$key" >"$stamp"
kl_log "netdevsim built ($key) in $(kl_since "$t0") s"
