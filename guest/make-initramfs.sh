#!/bin/sh
# Makes the utility VM's initramfs (an uncompressed newc cpio: under TCG
# decompressing costs more than reading):
#
#   guest/make-initramfs.sh OUT.cpio MODULES_DIR INIT AGENT HELPER PLUGIN PLUGIN_DESC
#
# Two archives back to back, which the kernel unpacks in turn: the first
# from scripts/vm-initramfs.sh (busybox-static, the kernel modules the
# devices need and what they depend on, their load order, INIT as /init),
# the second with the agent, the runtime helper (static), the argon plugin
# and the shared libraries the agent and the plugin need, as ldd resolves
# them here at build time. The agent is not static: it loads the argon
# plugin as a GModule, which a static program cannot (see docs/guest.md).
set -eu

die () { echo "make-initramfs: $*" >&2; exit 1; }

[ $# -eq 7 ] || die "usage: make-initramfs.sh OUT.cpio MODULES_DIR INIT AGENT HELPER PLUGIN PLUGIN_DESC"
out=$1 modules_dir=$2 init=$3 agent=$4 helper=$5 plugin=$6 plugin_desc=$7
here=$(dirname "$0")
[ -f "$modules_dir/modules.dep" ] ||
  die "no kernel modules in $modules_dir: run scripts/setup.sh (scripts/vm-kernel.sh), then reconfigure"

root=$(mktemp -d)
trap 'rm -rf "$root" "$out.base"' EXIT

# virtio_console for the bridge and stdio ports, virtio_pci for q35's and
# virtio_mmio for microvm's (xenon) devices; virtio_blk, erofs, ext4 and
# overlay for the layers, the scratch and the root built of them
# (crc32c_generic: ext4's and erofs's checksum, a soft dependency
# modules.dep does not list); 9pnet_virtio and 9p for the mapped
# directories' shares; virtio_net (and its failover and net_failover) for
# endpoints' NICs.
sh "$here/../scripts/vm-initramfs.sh" "$out.base" "$modules_dir" "$init" \
  virtio_console virtio_pci virtio_mmio virtio_blk overlay crc32c_generic erofs ext4 \
  9pnet_virtio 9p virtio_net

mkdir -p "$root/usr/libexec/hcs" "$root/usr/lib/hcs/plugins" "$root/usr/lib/hcs/lib" \
  "$root/lib64" "$root/run" "$root/var/lib/hcs" "$root/etc"
cp "$agent" "$root/usr/libexec/hcs/hcs-gcs"
cp "$helper" "$root/usr/libexec/hcs/hcs-runtime-helper"
cp "$plugin" "$plugin_desc" "$root/usr/lib/hcs/plugins/"
! readelf -l "$helper" | grep -q interpreter || die "$helper is not statically linked"

# The guest's busybox image (the default root of a container), made here
# rather than at every boot; its busybox is the initramfs's own, which the
# agent links in at boot (docs/guest.md).
"$agent" --make-image "$root/var/lib/hcs/images" "$(command -v busybox)" ||
  die "$agent could not make the busybox image"
rm "$root/var/lib/hcs/images/busybox/bin/busybox"

# Every library the agent and the plugin load, under its soname; the
# loader where the programs' interpreter field says.
for program in "$agent" "$plugin"; do
  ldd "$program" | while read -r name arrow path rest; do
    case $name in
      linux-vdso.so.*) ;;
      /*) cp -L "$name" "$root/lib64/$(basename "$name")" ;;
      *)
        [ "$arrow" = "=>" ] && [ -f "$path" ] || die "$program: $name is not found ($arrow $path)"
        cp -L "$path" "$root/usr/lib/hcs/lib/$name" ;;
    esac
  done
done

# libseccomp is opened, not linked, by the plugin (hcs-runtime-seccomp.c),
# only for a configuration with its own linux.seccomp: ldd does not see it.
ldconfig -p | awk '$1 ~ /^libseccomp\.so\.[0-9]+$/ && /x86-64/ { print $1, $NF; exit }' |
  while read -r name path; do cp -L "$path" "$root/usr/lib/hcs/lib/$name"; done
[ -n "$(ls "$root"/usr/lib/hcs/lib/libseccomp.so.* 2>/dev/null)" ] ||
  die "libseccomp is not found (ldconfig -p)"

# Debugging symbols cost boot time (the initramfs is read, then copied to
# a tmpfs) and nothing in the guest reads them.
if command -v strip >/dev/null; then
  find "$root/usr" "$root/lib64" -type f | while read -r file; do
    strip --strip-debug "$file" 2>/dev/null || true
  done
fi

(cd "$root" && find . | LC_ALL=C sort | busybox cpio -o -H newc 2>/dev/null) > "$out.extra"
cat "$out.base" "$out.extra" > "$out.tmp"
rm -f "$out.extra"
mv "$out.tmp" "$out"
