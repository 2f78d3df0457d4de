#!/bin/bash
# The CLI's own cost, beside crun and runc: the verbs that do little
# besides starting, reading the state and acting on it, on a running
# container (each runtime's own, from one bundle running `sleep`):
#   --version          linking and the runtime's start-up, nothing else
#   state ID           start-up, the state read, the state JSON printed
#   kill ID WINCH      start-up, the state read, one signal (ignored by sleep)
# hcsctl is timed three times: with the plugins bench/oci.sh uses (argon,
# hns), with every plugin the build has, as an installation has them (xenon
# and lcow beside), which a verb on an existing container must not pay for,
# and through its full path (HCSCTL_FRONT=0: libhcs, GIO and the plugin,
# as every verb went before hcsctl's GLib-only front served state and kill).
# Prints medians (the runtimes taking turns) and ratios (above 1: hcsctl is
# faster).
#
# Usage (as root, after scripts/setup.sh):  bench/cli.sh [RUNS [QUIET_RUNS]]
set -eu

runs=${1:-50}
quiet_runs=${2:-$(( (runs + 1) / 2 ))}
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/runtime-common.sh"

all_plugins=$build/plugins/argon:$build/plugins/hns:$build/plugins/xenon:$build/plugins/lcow

bench_cleanup() {
  "$hcsctl" --options "$work/options.ini" --root "$state/hcs-root" delete -f c-hcs >/dev/null 2>&1 || true
  crun --root "$state/crun-root" delete -f c-crun >/dev/null 2>&1 || true
  runc --root "$state/runc-root" delete -f c-runc >/dev/null 2>&1 || true
}
make_bundle sleep 1000

hcs() { "$hcsctl" --options "$work/options.ini" --root "$state/hcs-root" "$@"; }
hcs_installed() { HCS_PLUGIN_PATH=$all_plugins hcs "$@"; }
hcs_full() { HCSCTL_FRONT=0 hcs "$@"; }
crun_() { crun --root "$state/crun-root" "$@"; }
runc_() { runc --root "$state/runc-root" "$@"; }
for rt in hcs crun_ runc_; do
  id=c-$(echo $rt | tr -d _)
  $rt create --bundle "$work/bundle" $id >/dev/null 2>&1 </dev/null
  $rt start $id
done

hcs_version() { hcs --version; }
hcs_installed_version() { hcs_installed --version; }
hcs_full_version() { hcs_full --version; }
crun_version() { crun_ --version; }
runc_version() { runc_ --version; }
hcs_state() { hcs state c-hcs; }
hcs_installed_state() { hcs_installed state c-hcs; }
hcs_full_state() { hcs_full state c-hcs; }
crun_state() { crun_ state c-crun; }
runc_state() { runc_ state c-runc; }
hcs_kill() { hcs kill c-hcs WINCH; }
hcs_installed_kill() { hcs_installed kill c-hcs WINCH; }
hcs_full_kill() { hcs_full kill c-hcs WINCH; }
crun_kill() { crun_ kill c-crun WINCH; }
runc_kill() { runc_ kill c-runc WINCH; }

report_baseline
for verb in version state kill; do
  for set in busy quiet; do
    if [ $set = busy ]; then
      medians=$(median_us hcs_$verb hcs_installed_$verb hcs_full_$verb crun_$verb runc_$verb |
                tr '\n' ' ')
      echo "${verb/version/--version}, median of $runs runs back to back"
    else
      medians=$(runs=$quiet_runs settle=0.1 median_us hcs_$verb hcs_installed_$verb \
                hcs_full_$verb crun_$verb runc_$verb | tr '\n' ' ')
      echo "  ... and of $quiet_runs runs 0.1 s apart"
    fi
    read -r hcs_us installed_us full_us crun_us runc_us <<< "$medians"
    report_ratios "$hcs_us" "$crun_us" "$runc_us"
    printf '  %-8s %8s µs with every plugin of the build (crun/hcsctl = %s)\n' hcsctl \
      "$installed_us" "$(awk -v h="$installed_us" -v c="$crun_us" 'BEGIN { printf "%.2f", c / h }')"
    printf '  %-8s %8s µs through its full path (crun/hcsctl = %s)\n' hcsctl \
      "$full_us" "$(awk -v h="$full_us" -v c="$crun_us" 'BEGIN { printf "%.2f", c / h }')"
  done
done
