#!/bin/busybox sh
# PID 1 of the kernel lane's initramfs: load virtio and 9p (Debian builds them as modules),
# mount the host's root (shared read-only over 9p) and switch_root into the init= program
# named on the kernel command line (the kernel keeps init= to itself when it runs /init).
bb=/bin/busybox
$bb mount -t proc proc /proc
$bb mount -t devtmpfs dev /dev
for m in $($bb cat /modules.order); do
  $bb insmod "/modules/$m.ko" || echo "kernel-lane initramfs: insmod $m failed"
done
init=
for arg in $($bb cat /proc/cmdline); do
  case "$arg" in init=*) init=${arg#init=} ;; esac
done
if [ -z "$init" ]; then echo "kernel-lane initramfs: no init= on the kernel command line"; $bb poweroff -f; fi
if ! $bb mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=512000,cache=loose hostroot /newroot; then
  echo "kernel-lane initramfs: mounting the host root over 9p failed"
  $bb poweroff -f
fi
$bb umount /dev
$bb umount /proc
exec $bb switch_root /newroot "$init"
