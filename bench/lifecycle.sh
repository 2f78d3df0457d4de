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
  crun --root "$state/crun-root" delete -f hcs-bench-crun >/dev/null 2>&1 || true
  runc --root "$state/runc-root" delete -f hcs-bench-runc >/dev/null 2>&1 || true
}
make_bundle /bin/true

hcs_run() { "$hcsctl" --options "$work/options.ini" run --rootfs "$rootfs" -- /bin/true; }
hcs_oci_run() {
  "$hcsctl" --options "$work/options.ini" --root "$state/hcs-root" run -b "$work/bundle" hcs-bench-hcs
}
crun_run() { crun --root "$state/crun-root" run -b "$work/bundle" hcs-bench-crun; }
runc_run() { runc --root "$state/runc-root" run -b "$work/bundle" hcs-bench-runc; }
read -r hcs_us hcs_oci_us crun_us runc_us <<< \
  "$(median_us hcs_run hcs_oci_run crun_run runc_run | tr '\n' ' ')"
read -r hcs_quiet hcs_oci_quiet crun_quiet runc_quiet <<< \
  "$(runs=$quiet_runs settle=0.1 median_us hcs_run hcs_oci_run crun_run runc_run | tr '\n' ' ')"

report_baseline
echo "lifecycle of /bin/true (create, start, wait, delete), median of $runs runs back to back"
echo " hcsctl run --rootfs R -- /bin/true"
report_ratios "$hcs_us" "$crun_us" "$runc_us"
echo " hcsctl run -b BUNDLE ID (the bundle crun and runc run)"
report_ratios "$hcs_oci_us" "$crun_us" "$runc_us"
echo "  ... and of $quiet_runs runs 0.1 s apart (one at a time, on a quiet machine)"
echo " hcsctl run --rootfs R -- /bin/true"
report_ratios "$hcs_quiet" "$crun_quiet" "$runc_quiet"
echo " hcsctl run -b BUNDLE ID"
report_ratios "$hcs_oci_quiet" "$crun_quiet" "$runc_quiet"
