#!/usr/bin/env bash
# kernel.sh <abi>: downloads Debian's linux-image-<abi> with apt-get download and extracts it
# with dpkg -x into $KL_CACHE/<abi>/kernel (vmlinuz and the module tree). Cached: a second
# run with the same ABI and package version does nothing.
set -euo pipefail
. "$(dirname "$0")/common.sh"
abi=${1:?usage: kernel.sh <abi>}
pkg=linux-image-$abi
ver=$(kl_version "$pkg")
[ -n "$ver" ] || kl_die "Debian has no package $pkg (apt-get update?)"
dir=$KL_CACHE/$abi
stamp=$dir/kernel.stamp
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$pkg=$ver" ]; then
  kl_log "kernel $pkg=$ver cached in $dir/kernel"
  exit 0
fi
kl_need apt-get apt; kl_need dpkg dpkg
t0=$(kl_now)
rm -rf "$dir/kernel" "$dir/download" "$stamp"
mkdir -p "$dir/download"
# apt-get download writes to the current directory; as root it warns that it runs unsandboxed.
if ! (cd "$dir/download" && apt-get download -q "$pkg=$ver") >"$dir/download.log" 2>&1; then
  cat "$dir/download.log" >&2
  kl_die "apt-get download $pkg=$ver failed"
fi
deb=$(ls "$dir"/download/*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || kl_die "apt-get download $pkg=$ver produced no .deb"
dpkg -x "$deb" "$dir/kernel" || kl_die "dpkg -x $deb failed"
rm -rf "$dir/download"
[ -f "$dir/kernel/boot/vmlinuz-$abi" ] || kl_die "$pkg has no boot/vmlinuz-$abi"
[ -d "$dir/kernel/lib/modules/$abi/kernel" ] || kl_die "$pkg has no lib/modules/$abi/kernel"
# the netdevsim stamp refers to the old module tree
rm -f "$dir/netdevsim.stamp" "$dir/initramfs.stamp"
echo "$pkg=$ver" >"$stamp"
kl_log "kernel $pkg=$ver downloaded and extracted in $(kl_since "$t0") s"
