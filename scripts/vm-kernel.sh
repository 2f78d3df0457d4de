#!/bin/sh
# Fetches Debian's kernel for the VM backends into a cache folder (never
# /boot): the package named by linux-image-amd64's dependency, unpacked
# with dpkg -x, its modules indexed with depmod, and the uncompressed
# vmlinux taken out of the bzImage, because under TCG a bzImage spends
# about 5 s decompressing itself while vmlinux boots straight through its
# PVH entry. Safe to run again: a kernel already there is kept.
#
#   scripts/vm-kernel.sh [CACHE_DIR]     (default /var/cache/hcs/vm)
#
# Leaves CACHE_DIR/linux-VERSION/{boot,lib,vmlinux} and the links
# CACHE_DIR/vmlinux and CACHE_DIR/modules (lib/modules/VERSION).
set -eu

cache=${1:-${HCS_VM_CACHE_DIR:-/var/cache/hcs/vm}}

die () { echo "vm-kernel: $*" >&2; exit 1; }

# Reads a little-endian unsigned integer of $3 bytes at offset $2 of $1.
read_le () {
  od -An -tu"$3" -j "$2" -N "$3" "$1" | tr -d ' \n'
}

# Writes the uncompressed vmlinux of bzImage $1 to $2. The boot protocol
# header (2.08 and later) says where the compressed payload is: after the
# setup sectors, at payload_offset, payload_length bytes; its first bytes
# say how it was compressed. Every format but gzip carries the
# uncompressed size in 4 bytes appended to the stream, left out here.
extract_vmlinux () {
  image=$1 out=$2
  [ "$(dd if="$image" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] ||
    die "$image: no Linux boot header (HdrS)"
  protocol=$(read_le "$image" 518 2)
  [ "$protocol" -ge 520 ] || die "$image: boot protocol $protocol is older than 2.08 (no payload fields)"
  setup_sects=$(read_le "$image" 497 1)
  [ "$setup_sects" -ne 0 ] || setup_sects=4
  payload_offset=$(read_le "$image" 584 4)
  payload_length=$(read_le "$image" 588 4)
  start=$(( (setup_sects + 1) * 512 + payload_offset ))
  magic=$(od -An -tx1 -j "$start" -N 6 "$image" | tr -d ' \n')
  case $magic in
    1f8b*)         decompress="gzip -dc";         trailer=0 ;;
    fd377a585a00)  decompress="xz -dc --single-stream"; trailer=4 ;;
    28b52ffd*)     decompress="zstd -dcq";        trailer=4 ;;
    5d0000*)       decompress="xz -dc --format=lzma"; trailer=4 ;;
    425a68*)       decompress="bzip2 -dc";        trailer=4 ;;
    02214c18*)     decompress="lz4 -dc";          trailer=4 ;;
    894c5a4f*)     decompress="lzop -dc";         trailer=4 ;;
    *) die "$image: unknown compression of the payload (magic $magic)" ;;
  esac
  tail -c +"$((start + 1))" "$image" | head -c "$((payload_length - trailer))" |
    $decompress > "$out" || die "$image: '$decompress' failed on the payload"
  [ "$(head -c 4 "$out" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] ||
    die "$out: the payload is not an ELF file"
  # XEN_ELFNOTE_PHYS32_ENTRY (18): the 32-bit entry QEMU's PVH boot jumps to.
  readelf -n "$out" | grep -A1 '^ *Xen ' | grep -q '(0x00000012)' ||
    die "$out: no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY); QEMU cannot boot it directly"
}

version=$(apt-cache depends linux-image-amd64 2>/dev/null |
          sed -n 's/^ *Depends: linux-image-\(.*-amd64\)$/\1/p' | head -n 1)
[ -n "$version" ] || die "apt-cache offers no linux-image-amd64 (run apt-get update)"
dir=$cache/linux-$version

if [ ! -f "$dir/vmlinux" ]; then
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/.fetch-XXXXXX")
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download -q "linux-image-$version" >/dev/null 2>&1) ||
    die "apt-get download linux-image-$version failed"
  dpkg -x "$work"/linux-image-"$version"_*.deb "$work/root"
  depmod -b "$work/root" "$version"
  extract_vmlinux "$work/root/boot/vmlinuz-$version" "$work/root/vmlinux"
  rm -rf "$dir"
  mv "$work/root" "$dir"
fi
ln -sfn "linux-$version/vmlinux" "$cache/vmlinux"
ln -sfn "linux-$version/lib/modules/$version" "$cache/modules"
echo "vm-kernel: $dir/vmlinux"
