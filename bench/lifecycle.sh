#!/bin/sh
# The full lifecycle of a container that runs /bin/true (create, start,
# wait, delete) under hcsctl, crun and runc, on the same busybox rootfs, in
# one run; prints the mean time of each and the ratios to hcsctl.
#
# Usage (as root, after scripts/setup.sh):  bench/lifecycle.sh [RUNS]
#
# On a hybrid cgroup host crun refuses to run while hugetlb sits on the
# unified hierarchy; the script mounts hugetlb as a v1 hierarchy for the
# run and undoes it at the end.
set -eu

runs=${1:-100}
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
hcsctl=$build/tools/hcsctl
export HCS_PLUGIN_PATH=$build/plugins/argon
export HCS_ARGON_HELPER=$build/plugins/argon/hcs-argon-helper

for tool in crun runc; do
  command -v $tool >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q $tool >/dev/null
done

work=$(mktemp -d /tmp/hcs-bench-XXXXXX)
hugetlb_mounted=""
cleanup() {
  crun delete -f hcs-bench-crun >/dev/null 2>&1 || true
  runc delete -f hcs-bench-runc >/dev/null 2>&1 || true
  if [ -n "$hugetlb_mounted" ]; then
    umount /sys/fs/cgroup/hugetlb && rmdir /sys/fs/cgroup/hugetlb
  fi
  rm -rf "$work"
  # hcs keeps a cgroup parent for its containers; the bench's goes with it.
  for dir in /sys/fs/cgroup/*/hcs-bench /sys/fs/cgroup/hcs-bench; do
    [ -d "$dir" ] && rmdir "$dir" 2>/dev/null || true
  done
}
trap cleanup EXIT INT TERM

# hcs's own options: its image and cgroups kept apart from the host's.
cat > "$work/options.ini" <<EOT
[host]
image-dir=$work/images
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

# One OCI bundle for crun and runc: their own default spec, running /bin/true.
mkdir -p "$work/bundle"
(cd "$work/bundle" && runc spec)
sed -i -e 's/"terminal": true/"terminal": false/' -e 's/"sh"$/"\/bin\/true"/' \
  -e "s|\"path\": \"rootfs\"|\"path\": \"$rootfs\"|" "$work/bundle/config.json"

now_ns() { date +%s%N; }

# mean_us COMMAND...: runs it $runs times after 3 warm-ups; prints µs per run.
mean_us() {
  for i in 1 2 3; do "$@" >/dev/null 2>&1; done
  start=$(now_ns)
  i=0
  while [ $i -lt "$runs" ]; do
    "$@" >/dev/null 2>&1 || { echo "bench: '$*' failed" >&2; exit 1; }
    i=$((i + 1))
  done
  end=$(now_ns)
  echo $(((end - start) / runs / 1000))
}

hcs_us=$(mean_us "$hcsctl" --options "$work/options.ini" run --rootfs "$rootfs" -- /bin/true)
crun_us=$(mean_us crun run -b "$work/bundle" hcs-bench-crun)
runc_us=$(mean_us runc run -b "$work/bundle" hcs-bench-runc)

echo "lifecycle of /bin/true (create, start, wait, delete), mean of $runs runs"
printf '  %-8s %8s µs\n' hcsctl "$hcs_us" crun "$crun_us" runc "$runc_us"
awk -v h="$hcs_us" -v c="$crun_us" -v r="$runc_us" 'BEGIN {
  printf "  crun/hcsctl = %.2f   runc/hcsctl = %.2f   (above 1: hcsctl is faster)\n", c / h, r / h
}'
