# Sourced by the kernel-lane scripts: settings, logging and the kernel ABI.
# Every setting can be overridden from the environment.

KL_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KL_SCRIPTS=$KL_REPO/scripts/kernel-lane
# Cache of extracted kernels, built modules and initramfs images, one directory per kernel ABI.
KL_CACHE=${KERNEL_LANE_CACHE:-$KL_REPO/.cache/kernel-lane}
# Work directory of one lane run: compiled tests, the guest's results, the console log.
KL_RUN=${KERNEL_LANE_RUN_DIR:-$KL_CACHE/run}

kl_log() { printf 'kernel-lane: %s\n' "$*" >&2; }
kl_die() { printf 'kernel-lane: FAILED: %s\n' "$*" >&2; exit 1; }

kl_need() { # kl_need <program> <debian package>
  command -v "$1" >/dev/null 2>&1 || kl_die "$1 not found; install the Debian package $2 (make deps does)"
}

# kl_abi prints the kernel ABI the lane boots, e.g. 6.1.0-56-amd64: KERNEL_LANE_ABI, or the
# linux-image-<abi> package that Debian's current linux-image-amd64 depends on.
kl_abi() {
  if [ -n "${KERNEL_LANE_ABI:-}" ]; then echo "$KERNEL_LANE_ABI"; return; fi
  local abi
  abi=$(apt-cache depends linux-image-amd64 2>/dev/null |
    sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*-amd64\)$/\1/p' | head -n1)
  [ -n "$abi" ] || kl_die "cannot resolve the kernel ABI: apt-cache depends linux-image-amd64 names no linux-image-<abi> (run apt-get update?)"
  echo "$abi"
}

# kl_version <package> prints the candidate version of a Debian package.
kl_version() {
  apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -v '(none)' | head -n1
}

# kl_series <abi> prints the kernel series of an ABI (6.1.0-56-amd64 -> 6.1).
kl_series() { echo "$1" | sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p'; }

# kl_apt_install installs Debian packages as root, or fails saying what to install.
kl_apt_install() {
  if [ "$(id -u)" -ne 0 ]; then kl_die "missing Debian packages: $*; install them as root: apt-get install $*"; fi
  kl_log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
    kl_die "apt-get install $* failed"
}

# kl_now prints seconds since the epoch with milliseconds.
kl_now() { date +%s.%3N; }
# kl_since <start> prints the seconds elapsed since start.
kl_since() { echo "$(kl_now) - $1" | bc; }
