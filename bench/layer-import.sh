#!/bin/sh
# Import of a large real layer (by default a tar of /usr) by `hcsctl layer
# import`, side by side with plain `tar -x` into a folder (the physical
# floor), bsdtar (libarchive's own tool) and `umoci raw unpack` (an OCI
# unpacker from Debian, given the same tar as a one-layer OCI image);
# prints the time of each and the ratios to tar.
#
# Usage (as root, after scripts/setup.sh):
#   bench/layer-import.sh [RUNS] [SOURCE_DIR]      (defaults: 1 /usr)
# BUILD=build-dir picks the build tree; WORK=dir where the tar and the
# unpacked copies go (default /var/tmp; it needs about 3x SOURCE_DIR).
set -eu

runs=${1:-1}
source_dir=${2:-/usr}
top=$(cd "$(dirname "$0")/.." && pwd)
hcsctl=${BUILD:-$top/build}/tools/hcsctl
export DEBIAN_FRONTEND=noninteractive
command -v bsdtar >/dev/null || apt-get install -y -q libarchive-tools >/dev/null
command -v umoci >/dev/null || apt-get install -y -q umoci >/dev/null 2>&1 || true

work=$(mktemp -d "${WORK:-/var/tmp}/hcs-bench-layers-XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
tar -C "$source_dir" -cf "$work/layer.tar" .
printf '[host]\nlayer-dir=%s/store\nno-installed-plugins=true\n' "$work" > "$work/options.ini"
size=$(du -m "$work/layer.tar" | cut -f1)
entries=$(tar -tf "$work/layer.tar" | wc -l)

# The same tar as a one-layer OCI image layout, for umoci.
if command -v umoci >/dev/null; then
  layout=$work/oci
  mkdir -p "$layout/blobs/sha256"
  layer_digest=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  ln "$work/layer.tar" "$layout/blobs/sha256/$layer_digest"
  layer_size=$(stat -c %s "$work/layer.tar")
  blob() { # blob FILE: moves FILE into the blobs, prints "DIGEST SIZE"
    d=$(sha256sum "$1" | cut -d' ' -f1); s=$(stat -c %s "$1")
    mv "$1" "$layout/blobs/sha256/$d"; echo "$d $s"
  }
  printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$layer_digest" > "$work/config.json"
  set -- $(blob "$work/config.json"); config_digest=$1 config_size=$2
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$config_digest" "$config_size" "$layer_digest" "$layer_size" > "$work/manifest.json"
  set -- $(blob "$work/manifest.json"); manifest_digest=$1 manifest_size=$2
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"bench"}}]}' \
    "$manifest_digest" "$manifest_size" > "$layout/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
fi

now_ns() { date +%s%N; }

# ms NAME: runs run_NAME $runs times, each into a fresh target after a
# sync (the sync is timed too: the data must reach the disk), and prints
# the mean in ms.
ms() {
  total=0
  i=0
  while [ $i -lt "$runs" ]; do
    rm -rf "$work/out" "$work/store"
    mkdir -p "$work/out"
    sync
    start=$(now_ns)
    "run_$1" >/dev/null
    sync
    end=$(now_ns)
    total=$((total + end - start))
    i=$((i + 1))
  done
  rm -rf "$work/out" "$work/store"
  echo $((total / runs / 1000000))
}

run_hcs() { "$hcsctl" --options "$work/options.ini" layer import bench "$work/layer.tar"; }
run_tar() { tar -C "$work/out" --same-owner -xpf "$work/layer.tar"; }
run_bsdtar() { bsdtar -C "$work/out" -xpf "$work/layer.tar"; }
run_umoci() { rmdir "$work/out" && umoci raw unpack --image "$layout:bench" "$work/out" 2>/dev/null; }

hcs_ms=$(ms hcs)
tar_ms=$(ms tar)
bsdtar_ms=$(ms bsdtar)
umoci_ms=
if command -v umoci >/dev/null; then umoci_ms=$(ms umoci); fi

echo "import of a ${size} MB layer ($source_dir, $entries entries), mean of $runs run(s)"
printf '  %-22s %7s ms  (diff id taken while unpacking)\n' "hcsctl layer import" "$hcs_ms"
printf '  %-22s %7s ms\n' "tar -x" "$tar_ms" "bsdtar -x" "$bsdtar_ms"
[ -z "$umoci_ms" ] || printf '  %-22s %7s ms  (digest checked while unpacking)\n' "umoci raw unpack" "$umoci_ms"
awk -v h="$hcs_ms" -v t="$tar_ms" -v b="$bsdtar_ms" -v u="$umoci_ms" 'BEGIN {
  printf "  hcsctl/tar = %.2f   hcsctl/bsdtar = %.2f", h / t, h / b
  if (u != "") printf "   hcsctl/umoci = %.2f", h / u
  printf "   (the goal: within 1.2 of tar)\n"
}'
