#!/bin/sh
# Import of a large real layer (a tar of /usr/include, ~135 MB in many
# small files) by `hcsctl layer import`, side by side with plain `tar -x`
# into a folder (the physical floor) and bsdtar (libarchive's own tool);
# prints the mean of each and the ratios.
#
# Usage (as root, after scripts/setup.sh):  bench/layer-import.sh [RUNS] [SOURCE_DIR]
set -eu

runs=${1:-3}
source_dir=${2:-/usr/include}
top=$(cd "$(dirname "$0")/.." && pwd)
hcsctl=${BUILD:-$top/build}/tools/hcsctl
command -v bsdtar >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q libarchive-tools >/dev/null

work=$(mktemp -d /var/tmp/hcs-bench-layers-XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
tar -C "$source_dir" -cf "$work/layer.tar" .
printf '[host]\nlayer-dir=%s/store\nno-installed-plugins=true\n' "$work" > "$work/options.ini"
size=$(du -m "$work/layer.tar" | cut -f1)

now_ns() { date +%s%N; }

# mean_ms NAME: runs run_NAME $runs times, each into a fresh target after a
# sync, and prints the mean in ms.
mean_ms() {
  total=0
  i=0
  while [ $i -lt "$runs" ]; do
    rm -rf "$work/out" "$work/store"
    mkdir -p "$work/out"
    sync
    start=$(now_ns)
    "run_$1" >/dev/null
    end=$(now_ns)
    total=$((total + end - start))
    i=$((i + 1))
  done
  echo $((total / runs / 1000000))
}

run_hcs() { "$hcsctl" --options "$work/options.ini" layer import bench "$work/layer.tar"; }
run_tar() { tar -C "$work/out" --same-owner -xpf "$work/layer.tar"; }
run_bsdtar() { bsdtar -C "$work/out" -xpf "$work/layer.tar"; }

hcs_ms=$(mean_ms hcs)
tar_ms=$(mean_ms tar)
bsdtar_ms=$(mean_ms bsdtar)

echo "import of a ${size} MB layer ($source_dir), mean of $runs runs"
printf '  %-22s %6s ms\n' "hcsctl layer import" "$hcs_ms" "tar -x" "$tar_ms" "bsdtar -x" "$bsdtar_ms"
awk -v h="$hcs_ms" -v t="$tar_ms" -v b="$bsdtar_ms" 'BEGIN {
  printf "  hcsctl/tar = %.2f   hcsctl/bsdtar = %.2f   (the goal: within 1.2 of tar)\n", h / t, h / b
}'
