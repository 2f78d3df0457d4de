#!/bin/bash
# hcsctl as an OCI runtime beside crun and runc, in one run, on one bundle:
#   1. create + start + delete of a container running `sleep`, with the
#      init left to the caller (runc's model), through each runtime's CLI,
#      and each of the three verbs on its own (delete -f of a running one);
#   2. exec latency: `exec ID /bin/true` into a running container;
#   3. what keeps a running container alive: the private memory (Private
#      Dirty + Private Clean from smaps_rollup) of hcs's per-system monitor,
#      and of conmon, the monitor podman puts beside crun and runc.
# Prints medians (the runtimes taking turns) and ratios (above 1: hcsctl is
# faster / smaller).
#
# Usage (as root, after scripts/setup.sh):  bench/oci.sh [RUNS [QUIET_RUNS]]
set -eu

runs=${1:-50}
quiet_runs=${2:-$(( (runs + 1) / 2 ))}
top=$(cd "$(dirname "$0")/.." && pwd)
bench_tools=conmon
. "$top/bench/runtime-common.sh"

bench_cleanup() {
  for id in b-hcs b-crun b-runc; do
    "$hcsctl" --options "$work/options.ini" --root "$state/hcs-root" delete -f $id >/dev/null 2>&1 || true
    crun --root "$state/crun-root" delete -f $id >/dev/null 2>&1 || true
    runc --root "$state/runc-root" delete -f $id >/dev/null 2>&1 || true
  done
  for n in 1 2 3; do
    "$hcsctl" --options "$work/monitor.ini" delete -f mon$n >/dev/null 2>&1 || true
    crun --root "$state/crun-root" delete -f mon-crun$n >/dev/null 2>&1 || true
  done
  for pid in ${conmon_pids:-}; do kill "$pid" 2>/dev/null || true; done
}
make_bundle sleep 1000

hcs() { "$hcsctl" --options "$work/options.ini" --root "$state/hcs-root" "$@"; }
crun_() { crun --root "$state/crun-root" "$@"; }
runc_() { runc --root "$state/runc-root" "$@"; }

# The init is left to us, as to conmon: reap what the runtimes leave. Each
# verb's own time goes to $work/steps/ID.$steps, a line a run: create,
# start, delete (the first 3 lines are median_us's warm-ups).
mkdir "$work/steps"
lifecycle() {
  local rt=$1 id=$2 t0 t1 t2 t3
  t0=${EPOCHREALTIME/./}
  $rt create --bundle "$work/bundle" $id >/dev/null 2>&1 </dev/null
  t1=${EPOCHREALTIME/./}
  $rt start $id
  t2=${EPOCHREALTIME/./}
  $rt delete -f $id
  t3=${EPOCHREALTIME/./}
  echo "$((t1 - t0)) $((t2 - t1)) $((t3 - t2))" >> "$work/steps/$id.$steps"
}

# step_medians ID SET: the median µs of create, start and delete, a line each.
step_medians() {
  for column in 1 2 3; do
    tail -n +4 "$work/steps/$1.$2" | awk -v c=$column '{ print $c }' | sort -n |
      awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
  done
}

hcs_lifecycle() { lifecycle hcs b-hcs; }
crun_lifecycle() { lifecycle crun_ b-crun; }
runc_lifecycle() { lifecycle runc_ b-runc; }
read -r hcs_life crun_life runc_life <<< \
  "$(steps=busy median_us hcs_lifecycle crun_lifecycle runc_lifecycle | tr '\n' ' ')"
read -r hcs_life_quiet crun_life_quiet runc_life_quiet <<< \
  "$(steps=quiet runs=$quiet_runs settle=0.1 median_us hcs_lifecycle crun_lifecycle runc_lifecycle |
     tr '\n' ' ')"
for set in busy quiet; do
  for id in b-hcs b-crun b-runc; do
    read -r create start delete <<< "$(step_medians $id $set | tr '\n' ' ')"
    declare "create_${set}_${id#b-}=$create" "start_${set}_${id#b-}=$start" \
            "delete_${set}_${id#b-}=$delete"
  done
done

for rt in hcs crun_ runc_; do
  $rt create --bundle "$work/bundle" b-$(echo $rt | tr -d _) >/dev/null 2>&1 </dev/null
  $rt start b-$(echo $rt | tr -d _)
done
hcs_exec_true() { hcs exec b-hcs /bin/true; }
crun_exec_true() { crun_ exec b-crun /bin/true; }
runc_exec_true() { runc_ exec b-runc /bin/true; }
read -r hcs_exec crun_exec runc_exec <<< \
  "$(median_us hcs_exec_true crun_exec_true runc_exec_true | tr '\n' ' ')"
read -r hcs_exec_quiet crun_exec_quiet runc_exec_quiet <<< \
  "$(runs=$quiet_runs settle=0.1 median_us hcs_exec_true crun_exec_true runc_exec_true | tr '\n' ' ')"

# Private memory of what holds a running system.
private_kb() {
  awk '/^Private_(Clean|Dirty):/ { sum += $2 } END { print sum }' /proc/$1/smaps_rollup
}
cat > "$work/monitor.ini" <<EOT
[host]
image-dir=$work/images
no-installed-plugins=true
state-dir=$state/hcs-root
monitor=true
[argon]
cgroup-parent=hcs-bench
EOT
# With [host] monitor=true, runc's verbs give HCS's model: a monitor holds
# the system. Three systems run; the third monitor's private memory is
# what one more system costs (the libraries' pages are shared by then).
for n in 1 2 3; do
  "$hcsctl" --options "$work/monitor.ini" create --bundle "$work/bundle" mon$n >/dev/null 2>&1 </dev/null
  "$hcsctl" --options "$work/monitor.ini" start mon$n
done
sleep 0.3
monitor_kb=""
if [ -f "$state/hcs-root/systems/mon3/monitor.pid" ]; then
  monitor_kb=$(private_kb "$(cat "$state/hcs-root/systems/mon3/monitor.pid")")
fi

# conmon beside crun, as podman runs it (a log file, no tty), three of them.
conmon_pids=""
for n in 1 2 3; do
  mkdir -p "$work/conmon$n"
  conmon --api-version 1 -c mon-crun$n -u mon-crun$n -r "$(command -v crun)" -b "$work/bundle" \
    -p "$work/conmon$n/pid" --container-pidfile "$work/conmon$n/cpid" \
    -l "k8s-file:$work/conmon$n/log" --exit-dir "$work/conmon$n" \
    --socket-dir-path "$work/conmon$n" --runtime-arg --root --runtime-arg "$state/crun-root" \
    --conmon-pidfile "$work/conmon$n/conmon.pid" >/dev/null 2>&1 || true
  crun_ start mon-crun$n >/dev/null 2>&1 || true
  [ -f "$work/conmon$n/conmon.pid" ] && conmon_pids="$conmon_pids $(cat "$work/conmon$n/conmon.pid")"
done
sleep 0.3
conmon_kb=""
if [ -f "$work/conmon3/conmon.pid" ]; then
  conmon_kb=$(private_kb "$(cat "$work/conmon3/conmon.pid")")
fi

report_baseline
echo "create + start + delete (init left to the caller), median of $runs runs back to back"
report_ratios "$hcs_life" "$crun_life" "$runc_life"
echo "  ... and of $quiet_runs runs 0.1 s apart (one at a time, on a quiet machine)"
report_ratios "$hcs_life_quiet" "$crun_life_quiet" "$runc_life_quiet"
for verb in create start delete; do
  what=$verb
  [ $verb = delete ] && what="delete -f (of a running container)"
  echo "$what on its own, median of $runs runs back to back"
  eval report_ratios "\$${verb}_busy_hcs" "\$${verb}_busy_crun" "\$${verb}_busy_runc"
  echo "  ... and of $quiet_runs runs 0.1 s apart"
  eval report_ratios "\$${verb}_quiet_hcs" "\$${verb}_quiet_crun" "\$${verb}_quiet_runc"
done
echo "exec /bin/true into a running container, median of $runs runs back to back"
report_ratios "$hcs_exec" "$crun_exec" "$runc_exec"
echo "  ... and of $quiet_runs runs 0.1 s apart"
report_ratios "$hcs_exec_quiet" "$crun_exec_quiet" "$runc_exec_quiet"
echo "private memory (Private_Clean + Private_Dirty) of what holds a running system, the third of three"
printf '  %-22s %8s KiB\n' "hcs-monitor" "${monitor_kb:-?}" "conmon (podman's)" "${conmon_kb:-?}"
if [ -n "$monitor_kb" ] && [ -n "$conmon_kb" ]; then
  awk -v m="$monitor_kb" -v c="$conmon_kb" 'BEGIN { printf "  conmon/hcs-monitor = %.2f\n", c / m }'
fi
