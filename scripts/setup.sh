#!/bin/sh
# Installs what hcs needs on Debian 12 and builds it in ./build.
# Run as root from the top of the source tree. Safe to run again.
set -eu

packages="meson ninja-build pkg-config gcc libglib2.0-dev libjson-glib-dev libseccomp-dev libcap-dev libarchive-dev zlib1g-dev e2fsprogs libnl-3-dev libnl-route-3-dev libnftables-dev nftables iproute2 iputils-ping util-linux busybox-static clang libclang-rt-14-dev gzip bzip2 xz-utils zstd lz4 podman conmon runc crun hyperfine containerd qemu-system-x86 erofs-utils kmod binutils groff-base man-db bash gobject-introspection libgirepository1.0-dev gir1.2-glib-2.0 gir1.2-json-1.0 python3-gi gi-docgen"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
fi

# The VM backends boot Debian's kernel, kept in /var/cache/hcs/vm.
sh scripts/vm-kernel.sh

# CI's build includes the API reference (gi-docgen, a few seconds).
if [ -f build/build.ninja ]; then
  meson setup --reconfigure -Ddocs=true build >/dev/null
else
  meson setup -Ddocs=true build
fi
meson compile -C build
