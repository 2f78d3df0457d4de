#!/bin/bash
# Where the time of one container goes: `hcsctl run --rootfs R -- /bin/true`
# beside `crun run` of the same busybox rootfs, traced with ftrace's
# scheduler events (fork, exec, exit, wakeup) and cgroup events (mkdir,
# attach, rmdir), in turns; prints each phase's median over RUNS runs (see
# bench/timeline-phases.py for how the events cut the phases). With
# `create`, runc's detached create of a bundle (`hcsctl create` beside
# `crun create`, each deleted again untraced): the phases up to the init
# reporting ready and what the CLI does after. With `bundle`, runc's run of
# the one bundle both runtimes are given (`hcsctl run -b` beside `crun run
# -b`): runc's default spec, heavier than hcs's own run's (more mounts and
# masked paths).
#
# Usage (as root, after scripts/setup.sh):  bench/timeline.sh [RUNS [run|bundle|create]]
#
# The events go to a tracing instance of our own (instances/hcs-timeline,
# its own buffer and pid filter), removed at the end; tracefs is mounted if
# it is not, and unmounted again if we mounted it. Only the traced command
# and its children are recorded (set_event_pid with event-fork), so the
# rest of the machine does not fill the buffer.
set -eu

runs=${1:-15}
mode=${2:-run}
case $mode in
  run|bundle|create) ;;
  *) echo "usage: bench/timeline.sh [RUNS [run|bundle|create]]" >&2; exit 2 ;;
esac
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/runtime-common.sh"

tracefs=/sys/kernel/tracing
tracefs_mounted=""
instance=""
bench_cleanup() {
  crun --root "$state/crun-root" delete -f hcs-timeline-crun >/dev/null 2>&1 || true
  "$hcsctl" --options "$work/options.ini" --root "$state/hcs-root" delete -f hcs-timeline \
    >/dev/null 2>&1 || true
  if [ -n "$instance" ] && [ -d "$instance" ]; then
    echo 0 > "$instance/tracing_on"
    echo > "$instance/set_event_pid"
    echo 0 > "$instance/events/enable"
    rmdir "$instance"
  fi
  if [ -n "$tracefs_mounted" ]; then umount "$tracefs"; fi
}

if [ ! -f "$tracefs/tracing_on" ]; then
  mount -t tracefs nodev "$tracefs"
  tracefs_mounted=1
fi
instance=$tracefs/instances/hcs-timeline
mkdir "$instance"
# One clock for every CPU: the command's processes move between them.
echo mono > "$instance/trace_clock"
echo 1 > "$instance/options/event-fork"
echo 0 > "$instance/tracing_on"
for event in sched/sched_process_fork sched/sched_process_exec sched/sched_process_exit \
             sched/sched_wakeup cgroup/cgroup_mkdir cgroup/cgroup_attach_task cgroup/cgroup_rmdir; do
  echo 1 > "$instance/events/$event/enable"
done

if [ "$mode" = run ]; then
  make_bundle /bin/true
  hcs_run=("$hcsctl" --options "$work/options.ini" run --rootfs "$rootfs" -- /bin/true)
  crun_run=(crun --root "$state/crun-root" run -b "$work/bundle" hcs-timeline-crun)
elif [ "$mode" = bundle ]; then
  make_bundle /bin/true
  hcs_run=("$hcsctl" --options "$work/options.ini" --root "$state/hcs-root" run
           -b "$work/bundle" hcs-timeline)
  crun_run=(crun --root "$state/crun-root" run -b "$work/bundle" hcs-timeline-crun)
else
  make_bundle sleep 1000
  hcs_run=("$hcsctl" --options "$work/options.ini" --root "$state/hcs-root" create
           --bundle "$work/bundle" hcs-timeline)
  crun_run=(crun --root "$state/crun-root" create -b "$work/bundle" hcs-timeline-crun)
fi
# After a create, its container goes again, untraced.
undo() {
  if [ "$mode" = create ]; then
    "$hcsctl" --options "$work/options.ini" --root "$state/hcs-root" delete -f hcs-timeline
    crun --root "$state/crun-root" delete -f hcs-timeline-crun
  fi
}

# trace NAME COMMAND: runs COMMAND with tracing on for it and its children
# alone (the shell puts its own pid in the filter, then execs), and keeps
# the events in $work/trace/NAME.
trace() {
  local name=$1; shift
  echo > "$instance/trace"
  ( echo $BASHPID > "$instance/set_event_pid"
    echo 1 > "$instance/tracing_on"
    exec "$@" ) >/dev/null 2>&1 </dev/null || { echo "timeline: '$*' failed" >&2; exit 1; }
  echo 0 > "$instance/tracing_on"
  echo > "$instance/set_event_pid"
  grep -v '^#' "$instance/trace" > "$work/trace/$name"
  undo >/dev/null 2>&1
}

mkdir "$work/trace"
for i in 1 2; do
  "${hcs_run[@]}" >/dev/null 2>&1 </dev/null; "${crun_run[@]}" >/dev/null 2>&1 </dev/null
  undo >/dev/null 2>&1
done
for ((i = 0; i < runs; i++)); do
  # Turns alternate, so that neither always follows the other.
  if ((i % 2)); then
    trace "crun.$i" "${crun_run[@]}"; trace "hcsctl.$i" "${hcs_run[@]}"
  else
    trace "hcsctl.$i" "${hcs_run[@]}"; trace "crun.$i" "${crun_run[@]}"
  fi
done

# TIMELINE_KEEP=DIR keeps the raw traces there, for a closer look.
if [ -n "${TIMELINE_KEEP:-}" ]; then mkdir -p "$TIMELINE_KEEP" && cp "$work"/trace/* "$TIMELINE_KEEP"; fi
if [ "$mode" != create ]; then
  what="hcsctl run --rootfs R"
  [ "$mode" = bundle ] && what="runc's run of one bundle"
  echo "timeline of one run of /bin/true ($what), medians of $runs runs (ms)"
  python3 "$top/bench/timeline-phases.py" "$work/trace" hcsctl crun
else
  echo "timeline of one create (runc's default spec, detached), medians of $runs runs (ms)"
  python3 "$top/bench/timeline-phases.py" --create "$work/trace" hcsctl crun
fi
