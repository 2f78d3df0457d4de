# runtime-common.sh: what bench/lifecycle.sh and bench/oci.sh share (sourced,
# not run). Before sourcing: `runs` and `top`; after: `hcsctl`, `work` (a
# temporary folder), `state` (a tmpfs mounted for the runtimes' state
# folders), `work/options.ini` (hcs's own image folder and cgroup
# parent), `rootfs` (the busybox root), `work/bundle` (runc's default spec
# running ARGS given to make_bundle), median_us, report_ratios, `before`
# with before_ and report_before (BEFORE=DIR, another build), and a
# cleanup that runs bench_cleanup (define it, or leave it empty) and then
# undoes the rest.
#
# On a hybrid cgroup host crun refuses to run while hugetlb sits on the
# unified hierarchy; hugetlb is mounted as a v1 hierarchy for the run and
# undone at the end.

build=${BUILD:-$top/build}
hcsctl=$build/tools/hcsctl
# Both plugins, as an installation has them (each loaded only when needed).
export HCS_PLUGIN_PATH=$build/plugins/argon:$build/plugins/hns
export HCS_RUNTIME_HELPER=$build/runtime/hcs-runtime-helper
export HCS_MONITOR=$build/core/hcs-monitor

# A binary or library the linker has just written runs slower until its
# pages are dropped and read back from disk: right after a build a create
# took 21.8 ms of CPU against 19.4, a create and delete 41.1 to 41.8
# against 39.7 to 40.6 (perf stat, 30 runs). hcs's own files are
# dropped from the page cache here (written back first), so that a run
# after a build and one after a reboot start alike; crun and runc come
# from packages and are read back already.
evict_build() {
python3 - "$1" <<'EOT'
import os, sys
for folder in ("tools", "core", "plugins", "runtime"):
    for parent, _, names in os.walk(os.path.join(sys.argv[1], folder)):
        for name in names:
            path = os.path.join(parent, name)
            if os.path.islink(path) or not (name.endswith(".so") or ".so." in name
                                            or os.access(path, os.X_OK)):
                continue
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
EOT
}
evict_build "$build"

# BEFORE=DIR: another build of hcs (DIR its build folder, say a worktree's
# at the commit before a change) in the same rounds, evicted as this one
# is; $before is its path, empty without one.
before=""
if [ -n "${BEFORE:-}" ]; then
  before=$(cd "$BEFORE" && pwd)
  [ -x "$before/tools/hcsctl" ] ||
    { echo "$(basename "$0"): $before holds no build of hcs" >&2; exit 1; }
  evict_build "$before"
fi
# before_ COMMAND...: COMMAND with the other build's helper, plugins and
# monitor (assignments before a command cost no process of their own).
before_() {
  HCS_PLUGIN_PATH=$before/plugins/argon:$before/plugins/hns \
    HCS_RUNTIME_HELPER=$before/runtime/hcs-runtime-helper HCS_MONITOR=$before/core/hcs-monitor \
    "$@"
}
# report_before HCS_US BEFORE_US: the other build's line and its ratio
# (nothing without one).
report_before() {
  [ -n "$before" ] || return 0
  awk -v h="$1" -v b="$2" \
    'BEGIN { printf "  before   %8d µs\n  before/hcsctl = %.2f   (above 1: this build is faster)\n", b, b / h }'
}

for tool in crun runc hyperfine ${bench_tools:-}; do
  command -v $tool >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q $tool >/dev/null
done

work=$(mktemp -d /tmp/hcs-bench-XXXXXX)
# The runtimes' state folders on a tmpfs of the bench's own, as each keeps
# them by default under /run, a tmpfs on most hosts (on this kind of
# machine /run is the ext4 root: a file made there costs 18 to 180 µs
# against 10 to 12 on tmpfs), and the runtimes make different numbers of
# files (hcs ten a create, crun three), so state on disk would measure
# the disk rather than the runtimes.
state=$(mktemp -d /tmp/hcs-bench-state-XXXXXX)
mount -t tmpfs -o mode=0700 hcs-bench-state "$state"
hugetlb_mounted=""
bench_cleanup() { :; }
cleanup() {
  bench_cleanup
  if [ -n "$hugetlb_mounted" ]; then
    umount /sys/fs/cgroup/hugetlb && rmdir /sys/fs/cgroup/hugetlb
  fi
  rm -rf "$work"
  umount "$state" && rmdir "$state"
  # hcs keeps a cgroup parent for its containers; the bench's goes with it.
  for dir in /sys/fs/cgroup/*/hcs-bench /sys/fs/cgroup/hcs-bench; do
    [ -d "$dir" ] && rmdir "$dir" 2>/dev/null || true
  done
}
trap cleanup EXIT INT TERM

# hcs's own options: its image, state and cgroups kept apart from the host's.
cat > "$work/options.ini" <<EOT
[host]
image-dir=$work/images
state-dir=$state/state
no-installed-plugins=true
[argon]
cgroup-parent=hcs-bench
EOT
"$hcsctl" --options "$work/options.ini" run -- /bin/true
rootfs=$work/images/busybox

if [ -d /sys/fs/cgroup/unified ] && grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null &&
   [ ! -d /sys/fs/cgroup/hugetlb ]; then
  mkdir /sys/fs/cgroup/hugetlb
  mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb
  hugetlb_mounted=1
fi

# make_bundle ARG...: one OCI bundle for every runtime, runc's own default
# spec running ARG... (each a JSON string's contents) on the busybox root.
make_bundle() {
  args=""
  for arg in "$@"; do args="$args${args:+, }\"$arg\""; done
  mkdir -p "$work/bundle"
  (cd "$work/bundle" && runc spec)
  sed -i -e 's/"terminal": true/"terminal": false/' -e "s|\"sh\"\$|$args|" \
    -e "s|\"path\": \"rootfs\"|\"path\": \"$rootfs\"|" "$work/bundle/config.json"
}

# median_us COMMAND...: runs each COMMAND (a function or program, no
# arguments) $runs times after 3 warm-ups, in turn, so that a drift of the
# machine touches each alike, and each round starting with the next one, so
# that none always follows the same other (runc leaves the kernel work to
# do); prints the median µs of each, in order. Timed with bash's
# $EPOCHREALTIME, which starts no process. With settle=SECONDS each run
# comes that long after the one before: one operation on a quiet machine,
# as a user's, rather than back to back, where each warms the kernel for
# the next (cgroup v1's threadgroup lock skips its RCU grace period when
# another writer went just before).
median_us() {
  local command i j t0 t1
  local -a commands=("$@")
  local -A samples=()
  for command in "$@"; do
    for i in 1 2 3; do $command >/dev/null 2>&1; done
  done
  for ((i = 0; i < runs; i++)); do
    for ((j = 0; j < ${#commands[@]}; j++)); do
      command=${commands[(i + j) % ${#commands[@]}]}
      if [ "${settle:-0}" != 0 ]; then sleep "$settle"; fi
      t0=${EPOCHREALTIME/./}
      $command >/dev/null 2>&1 || { echo "bench: '$command' failed" >&2; exit 1; }
      t1=${EPOCHREALTIME/./}
      samples[$command]+="$((t1 - t0)) "
    done
  done
  for command in "$@"; do
    printf '%s\n' ${samples[$command]} | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
  done
}

# report_baseline: the machine's floor, a bare /bin/true (fork, exec, exit)
# timed by hyperfine with no shell, so that figures from machines of
# different speed, or of the same one under different load, can be read
# side by side.
report_baseline() {
  hyperfine -N --warmup 10 --runs "${baseline_runs:-200}" --export-json "$work/baseline.json" \
    /bin/true >/dev/null 2>&1 || { echo "baseline: hyperfine failed"; return; }
  python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("baseline: /bin/true by hyperfine, median %.0f µs (mean %.0f, min %.0f) of %d runs"
      % (r["median"] * 1e6, r["mean"] * 1e6, r["min"] * 1e6, len(r["times"])))' "$work/baseline.json"
}

# report_ratios HCS_US CRUN_US RUNC_US: the three and crun's and runc's
# ratios to hcsctl (above 1: hcsctl is faster).
report_ratios() {
  printf '  %-8s %8s µs\n' hcsctl "$1" crun "$2" runc "$3"
  awk -v h="$1" -v c="$2" -v r="$3" 'BEGIN {
    printf "  crun/hcsctl = %.2f   runc/hcsctl = %.2f   (above 1: hcsctl is faster)\n", c / h, r / h
  }'
}
