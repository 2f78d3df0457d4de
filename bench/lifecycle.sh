#!/bin/bash
# The full lifecycle of a container that runs /bin/true (create, start,
# wait, delete) under hcsctl, crun and runc, on the same busybox rootfs, in
# one run, in turn; prints the median time of each and the ratios to hcsctl.
# hcsctl runs it twice over: its own `run --rootfs R -- /bin/true` (hcs's
# default spec) and runc's `run -b BUNDLE ID`, the very config.json crun and
# runc run.
#
# Usage (as root, after scripts/setup.sh):  bench/lifecycle.sh [RUNS [QUIET_RUNS]]
#
# BEFORE=DIR adds another build of hcs (DIR: its build folder, say of a
# worktree at the commit before a change, evicted from the page cache as
# this one is) to the same rounds, running the same bundle, and prints
# before/hcsctl for runc's run of it: a change's wall-time A/B.
#
# On a hybrid cgroup host hugetlb is mounted as a v1 hierarchy for the run
# (see runtime-common.sh).
set -eu

runs=${1:-100}
quiet_runs=${2:-$(( (runs + 1) / 2 ))}
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/runtime-common.sh"

bench_cleanup() {
  "$hcsctl" --options "$work/options.ini" --root "$state/hcs-root" delete -f hcs-bench-hcs \
    >/dev/null 2>&1 || true
  [ -z "$before" ] || before_oci_run delete -f >/dev/null 2>&1 || true
  crun --root "$state/crun-root" delete -f hcs-bench-crun >/dev/null 2>&1 || true
  runc --root "$state/runc-root" delete -f hcs-bench-runc >/dev/null 2>&1 || true
}
make_bundle /bin/true

hcs_run() { "$hcsctl" --options "$work/options.ini" run --rootfs "$rootfs" -- /bin/true; }
hcs_oci_run() {
  "$hcsctl" --options "$work/options.ini" --root "$state/hcs-root" run -b "$work/bundle" hcs-bench-hcs
}
# The other build with its own helper and plugins; "delete -f" as
# arguments deletes its container instead.
before_oci_run() {
  local verb=(run -b "$work/bundle")
  [ $# -eq 0 ] || verb=("$@")
  before_ "$before/tools/hcsctl" --options "$work/options.ini" --root "$state/before-root" \
    "${verb[@]}" hcs-bench-before
}
crun_run() { crun --root "$state/crun-root" run -b "$work/bundle" hcs-bench-crun; }
runc_run() { runc --root "$state/runc-root" run -b "$work/bundle" hcs-bench-runc; }
commands=(hcs_run hcs_oci_run crun_run runc_run)
[ -z "$before" ] || commands+=(before_oci_run)
read -r hcs_us hcs_oci_us crun_us runc_us before_us <<< \
  "$(median_us "${commands[@]}" | tr '\n' ' ')"
read -r hcs_quiet hcs_oci_quiet crun_quiet runc_quiet before_quiet <<< \
  "$(runs=$quiet_runs settle=0.1 median_us "${commands[@]}" | tr '\n' ' ')"

report_baseline
echo "lifecycle of /bin/true (create, start, wait, delete), median of $runs runs back to back"
echo " hcsctl run --rootfs R -- /bin/true"
report_ratios "$hcs_us" "$crun_us" "$runc_us"
echo " hcsctl run -b BUNDLE ID (the bundle crun and runc run)"
report_ratios "$hcs_oci_us" "$crun_us" "$runc_us"
report_before "$hcs_oci_us" "$before_us"
echo "  ... and of $quiet_runs runs 0.1 s apart (one at a time, on a quiet machine)"
echo " hcsctl run --rootfs R -- /bin/true"
report_ratios "$hcs_quiet" "$crun_quiet" "$runc_quiet"
echo " hcsctl run -b BUNDLE ID"
report_ratios "$hcs_oci_quiet" "$crun_quiet" "$runc_quiet"
report_before "$hcs_oci_quiet" "$before_quiet"
