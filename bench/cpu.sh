#!/bin/bash
# The CPU time each verb costs, hcsctl beside crun and runc: `perf stat -e
# task-clock` of the verb's whole process tree (the CLI, what it spawns,
# and a create's init up to its report), medians of RUNS, the runtimes
# taking turns. Wall time shows what a user waits for, and it also shows
# the kernel's moods: crun's cgroup.procs writes wait for RCU grace
# periods on some machines (10 ms a create) and not on others. Time spent
# waiting is not CPU time, so this table is the work each runtime does,
# comparable from machine to machine; read it beside lifecycle.sh and
# oci.sh, not instead of them.
#
# Usage (as root, after scripts/setup.sh):  bench/cpu.sh [RUNS]
#
# BEFORE=DIR adds another build of hcs (DIR: its build folder, say of a
# worktree at the commit before a change, evicted from the page cache as
# this one) to the same rounds, with its own helper and plugins, and
# prints before/hcsctl: the A/B a commit body reports, from one
# interleaved run.
set -eu

runs=${1:-30}
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/runtime-common.sh"
command -v perf >/dev/null || { echo "cpu.sh: perf is needed (Debian's linux-perf)" >&2; exit 1; }

bench_cleanup() {
  for id in c-hcs c-crun c-runc r-hcs r-crun r-runc; do
    "$hcsctl" --options "$work/options.ini" --root "$state/hcs-root" delete -f $id >/dev/null 2>&1 || true
    crun --root "$state/crun-root" delete -f $id >/dev/null 2>&1 || true
    runc --root "$state/runc-root" delete -f $id >/dev/null 2>&1 || true
  done
  if [ -n "$before" ]; then
    for id in c-before r-before; do before_ delete -f $id >/dev/null 2>&1 || true; done
  fi
}
make_bundle /bin/true
mv "$work/bundle" "$work/bundle-true"
make_bundle sleep 1000

hcs() { "$hcsctl" --options "$work/options.ini" --root "$state/hcs-root" "$@"; }
crun_() { crun --root "$state/crun-root" "$@"; }
runc_() { runc --root "$state/runc-root" "$@"; }

# cpu_us FILE COMMAND...: runs COMMAND (its stdio to /dev/null: a create's
# init keeps what it is given) under perf stat, appends the task-clock of
# its whole tree, in µs, to FILE.
cpu_us() {
  local file=$1 wrap=""
  shift
  if [ "$1" = before_ ]; then wrap=before_; shift; fi
  $wrap perf stat -x, -e task-clock -o "$work/perf.out" -- "$@" </dev/null >/dev/null 2>&1 ||
    { echo "bench: '$*' failed" >&2; exit 1; }
  awk -F, '$3 == "task-clock" { printf "%d\n", $1 * 1000 }' "$work/perf.out" >> "$file"
}

# One round of a runtime: run (runc's, of one bundle for all three), then
# create, start, exec and delete -f of a container that sleeps.
round() {
  local rt=$1 name=$2 id=c-$2
  mkdir -p "$work/cpu/$name"
  if [ "$name" = hcs ]; then
    set -- "$hcsctl" --options "$work/options.ini" --root "$state/hcs-root"
  elif [ "$name" = before ]; then
    set -- before_ "$before/tools/hcsctl" --options "$work/options.ini" --root "$state/before-root"
  else
    set -- ${rt%_} --root "$state/$name-root"
  fi
  cpu_us "$work/cpu/$name/run" "$@" run -b "$work/bundle-true" r-$name
  cpu_us "$work/cpu/$name/create" "$@" create --bundle "$work/bundle" $id
  cpu_us "$work/cpu/$name/start" "$@" start $id
  cpu_us "$work/cpu/$name/exec" "$@" exec $id /bin/true
  cpu_us "$work/cpu/$name/delete" "$@" delete -f $id
}

# Three warm-ups each, then RUNS rounds, each starting with the next
# runtime so that none always follows the same other.
names=(hcs crun runc)
rts=(hcs crun_ runc_)
if [ -n "$before" ]; then names+=(before); rts+=(before_); fi
n=${#names[@]}
for ((i = 0; i < 3; i++)); do
  for ((j = 0; j < n; j++)); do round ${rts[$j]} ${names[$j]}; done
done
rm -rf "$work/cpu"
for ((i = 0; i < runs; i++)); do
  for ((k = 0; k < n; k++)); do
    j=$(( (i + k) % n ))
    round ${rts[$j]} ${names[$j]}
  done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
report_baseline
echo "CPU time of each verb's process tree (perf stat task-clock), median of $runs rounds"
for verb in run create start exec delete; do
  what=$verb
  [ $verb = delete ] && what="delete -f"
  [ $verb = exec ] && what="exec /bin/true"
  echo "$what"
  report_ratios "$(median < "$work/cpu/hcs/$verb")" "$(median < "$work/cpu/crun/$verb")" \
    "$(median < "$work/cpu/runc/$verb")"
  [ -z "$before" ] ||
    report_before "$(median < "$work/cpu/hcs/$verb")" "$(median < "$work/cpu/before/$verb")"
done
