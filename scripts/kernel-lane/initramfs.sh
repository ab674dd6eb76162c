#!/usr/bin/env bash
# initramfs.sh <abi>: builds $KL_CACHE/<abi>/initramfs.cpio.gz: a static busybox, the virtio
# and 9p modules of <abi> (loaded in dependency order) and initramfs-init.sh as /init.
set -euo pipefail
. "$(dirname "$0")/common.sh"
abi=${1:?usage: initramfs.sh <abi>}
dir=$KL_CACHE/$abi
mods=$dir/kernel/lib/modules/$abi/kernel
[ -d "$mods" ] || kl_die "no module tree in $mods: run kernel.sh $abi first"
busybox=${KERNEL_LANE_BUSYBOX:-/bin/busybox}
kl_need cpio cpio; kl_need gzip gzip
[ -x "$busybox" ] || kl_die "$busybox missing; install the Debian package busybox-static"
# a dynamic busybox would need the host's libc in the initramfs
if ldd "$busybox" >/dev/null 2>&1; then kl_die "$busybox is dynamically linked; install busybox-static"; fi

# In load order: each module needs only the ones before it.
order="drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev
  drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci net/9p/9pnet net/9p/9pnet_virtio
  fs/netfs/netfs fs/fscache/fscache fs/9p/9p"

key="$(cat "$dir/kernel.stamp") busybox=$(sha256sum "$busybox" | cut -c1-16) $(cat "$0" "$KL_SCRIPTS/initramfs-init.sh" | sha256sum | cut -c1-16)"
out=$dir/initramfs.cpio.gz
stamp=$dir/initramfs.stamp
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && [ -f "$out" ]; then
  kl_log "initramfs cached ($out)"
  exit 0
fi
rm -f "$stamp"
root=$dir/initramfs
rm -rf "$root"; mkdir -p "$root"/{bin,dev,proc,newroot,modules}
cp "$busybox" "$root/bin/busybox"
: >"$root/modules.order"
for m in $order; do
  name=$(basename "$m")
  if [ -f "$mods/$m.ko" ]; then cp "$mods/$m.ko" "$root/modules/"
  elif [ -f "$mods/$m.ko.xz" ]; then xz -dc "$mods/$m.ko.xz" >"$root/modules/$name.ko"
  elif [ -f "$mods/$m.ko.zst" ]; then zstd -qdc "$mods/$m.ko.zst" >"$root/modules/$name.ko"
  else kl_die "module $m missing from $mods (has Debian built it into the kernel or renamed it?)"
  fi
  echo "$name" >>"$root/modules.order"
done
install -m 0755 "$KL_SCRIPTS/initramfs-init.sh" "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1 >"$out.tmp") ||
  kl_die "writing the initramfs failed"
mv "$out.tmp" "$out"
rm -rf "$root"
echo "$key" >"$stamp"
kl_log "initramfs built: $out ($(du -h "$out" | cut -f1))"
