#!/bin/sh
# Makes an uncompressed initramfs (newc cpio: under TCG decompressing one
# costs more than reading it) with busybox-static, kernel modules with
# everything they depend on, and an /init.
#
#   scripts/vm-initramfs.sh OUT.cpio MODULES_DIR INIT [MODULE...]
#
# MODULES_DIR is a lib/modules/VERSION folder with a modules.dep (made by
# scripts/vm-kernel.sh). The modules go to /lib/modules, and their names,
# dependencies first, one a line, to /lib/modules/load-order, for /init to
# insmod in that order (Debian builds virtio as modules).
set -eu

die () { echo "vm-initramfs: $*" >&2; exit 1; }

[ $# -ge 3 ] || die "usage: vm-initramfs.sh OUT.cpio MODULES_DIR INIT [MODULE...]"
out=$1 modules_dir=$2 init=$3
shift 3
busybox=$(command -v busybox) || die "busybox is missing (install busybox-static)"
! readelf -l "$(readlink -f "$busybox")" | grep -q 'interpreter' ||
  die "$busybox is not statically linked (install busybox-static)"
[ -f "$modules_dir/modules.dep" ] || die "$modules_dir/modules.dep is missing (run scripts/vm-kernel.sh)"
[ -f "$init" ] || die "$init is missing"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/lib/modules"
cp "$busybox" "$root/bin/busybox"
cp "$init" "$root/init"
chmod 0755 "$root/init"

# The modules.dep line of a module: "kernel/.../NAME.ko: DEP.ko ...".
dep_line () {
  grep -E "(^|/)$1\.ko(\.[a-z]+)?:" "$modules_dir/modules.dep" | head -n 1
}

# Adds a module after everything it depends on (depth first).
add_module () {
  name=$1
  grep -qx "$name" "$root/lib/modules/load-order" 2>/dev/null && return 0
  line=$(dep_line "$name")
  [ -n "$line" ] || die "module $name is not in $modules_dir/modules.dep"
  for dep in ${line#*:}; do
    dep_name=$(basename "$dep"); dep_name=${dep_name%%.ko*}
    (add_module "$dep_name")
  done
  grep -qx "$name" "$root/lib/modules/load-order" 2>/dev/null && return 0
  path=${line%%:*}
  case $path in
    *.ko) cp "$modules_dir/$path" "$root/lib/modules/$name.ko" ;;
    *.ko.xz) xz -dc "$modules_dir/$path" > "$root/lib/modules/$name.ko" ;;
    *.ko.zst) zstd -dcq "$modules_dir/$path" > "$root/lib/modules/$name.ko" ;;
    *) die "$path: a module of an unknown kind" ;;
  esac
  echo "$name" >> "$root/lib/modules/load-order"
}
touch "$root/lib/modules/load-order"
for module in "$@"; do
  add_module "$module"
done

(cd "$root" && find . | LC_ALL=C sort | busybox cpio -o -H newc 2>/dev/null) > "$out.tmp"
mv "$out.tmp" "$out"
