#!/bin/bash
# What a hyperv (xenon) container costs, in one run (bench/xenon.c):
# a bare QEMU microvm boot of the guest agent's kernel and initramfs to
# the agent's "ready" line against xenon's cold create; the start from a
# template to the workload running; the PSS of each QEMU with RUNS
# containers running at once; argon and lcow starts on the same machine.
#
# Usage (as root, after scripts/setup.sh and a build):  bench/xenon.sh [RUNS [template]]
# ("template": the start from the template and the PSS only)
set -eu

runs=${1:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
cache=${HCS_VM_CACHE_DIR:-/var/cache/hcs/vm}
initrd=$build/guest/hcs-gcs-initramfs.cpio
[ -f "$initrd" ] || { echo "no $initrd: build first (scripts/setup.sh, then meson)" >&2; exit 1; }

work=$(mktemp -d /tmp/hcs-bench-xenon-XXXXXX)
cleanup() {
  rm -rf "$work"
  # argon's cgroup parent, in every hierarchy that has it.
  for dir in /sys/fs/cgroup/hcs-bench-xenon /sys/fs/cgroup/*/hcs-bench-xenon; do
    [ -d "$dir" ] && rmdir "$dir" 2>/dev/null || true
  done
}
trap cleanup EXIT INT TERM

export HCS_PLUGIN_PATH=$build/plugins/xenon:$build/plugins/argon:$build/plugins/lcow
export HCS_RUNTIME_HELPER=$build/runtime/hcs-runtime-helper
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
"$build/bench/hcs-bench-xenon" "$work" "$cache/vmlinux" "$initrd" "$runs" ${2:+"$2"}
