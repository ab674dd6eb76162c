#!/bin/bash
# PID 1 of the kernel-lane guest, after switch_root onto the host's root (read-only 9p).
# It prepares a writable system, waits out OVS 3.1.0's early-boot CPU-count bug, runs every
# test binary of the plan written by lane.sh, writes each one's output and exit status to
# the results share, and powers the VM off. It never decides pass or fail: the host does.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
uptime_s() { cut -d' ' -f1 /proc/uptime; }
say() { echo "kernel-lane guest [$(uptime_s)]: $*"; }
halt() { sync; echo o >/proc/sysrq-trigger; sleep 30; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null

run=
for arg in $(cat /proc/cmdline); do
  case "$arg" in kernel_lane.run=*) run=${arg#kernel_lane.run=} ;; esac
done
[ -n "$run" ] && [ -f "$run/guest.env" ] || { say "no kernel_lane.run= (or no guest.env in it) on the command line"; halt; }
# MODULES, TEST_RUN, TEST_TIMEOUT, MIN_UPTIME, GUEST_ENV
. "$run/guest.env"

# Bind what may live under the host's /tmp or /run before tmpfs covers them: the module
# tree on /lib/modules, the run directory (plan, test binaries) on /mnt.
mount --bind "$MODULES" /lib/modules || { say "cannot bind $MODULES on /lib/modules"; halt; }
mount --bind "$run" /mnt || { say "cannot bind $run on /mnt"; halt; }
# The tests run in their package directories (testdata). A repository under /tmp or /run
# (CI clones may live there) is set aside on /srv and bound back at the same path below.
case "$REPO" in /tmp/*|/run/*) mount --bind "$REPO" /srv || { say "cannot bind $REPO on /srv"; halt; } ;; esac
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
case "$REPO" in /tmp/*|/run/*) mkdir -p "$REPO" && mount --bind /srv "$REPO" || { say "cannot bind the repository back on $REPO"; halt; } ;; esac
for d in /var/log /var/tmp /var/lib/openvswitch /etc/openvswitch; do
  [ -d "$d" ] && mount -t tmpfs tmpfs "$d"
done
mkdir -p /run/lock /run/netns /run/openvswitch
mkdir -p /run/kernel-lane-results
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results /run/kernel-lane-results ||
  { say "cannot mount the results share"; halt; }
R=/run/kernel-lane-results
hostname kernel-lane
ip link set lo up
say "up, kernel $(uname -r)"

# Debian's OVS 3.1.0 counts zero CPUs while CLOCK_MONOTONIC < 10 s (fixed in 3.1.1) and then
# starts ovs-vswitchd without upcall handlers; no test may start it before that.
while [ "$(cut -d. -f1 /proc/uptime)" -lt "$MIN_UPTIME" ]; do sleep 0.2; done

export OVSOFFLOAD_KERNEL_LANE=1 OVSOFFLOAD_STRICT=1 CI=true TMPDIR=/tmp HOME=/tmp
for kv in $GUEST_ENV; do export "$kv"; done
while read -r name dir; do
  [ -n "$name" ] || continue
  say "running $name"
  t0=$(date +%s.%N)
  (cd "$dir" && exec "/mnt/bin/$name.test" -test.run "$TEST_RUN" -test.v -test.count=1 -test.timeout="$TEST_TIMEOUT") \
    >"$R/$name.out" 2>&1
  rc=$?
  t1=$(date +%s.%N)
  echo "$rc $t0 $t1" >"$R/$name.rc"
  say "$name exited $rc"
done </mnt/plan
dmesg >"$R/dmesg.txt"
echo "$(uptime_s)" >"$R/guest.done"
say "done"
halt
