#!/bin/sh
# test-install.sh SOURCE-DIR: hcs as an outside developer meets it. Builds
# and installs hcs into a temporary prefix (not one the dynamic linker
# searches), builds examples/ against that installation with pkg-config
# only, installs the example plugin beside hcs's own, and runs the example
# host application on it and on argon, and the README's example, with no LD_LIBRARY_PATH and no
# build-tree variables: the installed rpath, plugin folder and helper
# paths have to be right.
set -eu

src=$1
work=$(mktemp -d /tmp/hcs-install-XXXXXX)
prefix=$work/prefix
cgroup_parent=hcs-install-test-$$
cleanup () {
  for dir in /sys/fs/cgroup/*/"$cgroup_parent" /sys/fs/cgroup/"$cgroup_parent"; do
    [ -d "$dir" ] && rmdir "$dir" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
unset HCS_PLUGIN_PATH HCS_RUNTIME_HELPER HCS_ARGON_HELPER HCS_MONITOR LD_LIBRARY_PATH G_TEST_SRCDIR G_TEST_BUILDDIR

echo "# hcs into $prefix"
meson setup "$work/build" "$src" --prefix="$prefix" >"$work/setup.log" 2>&1 ||
  { cat "$work/setup.log"; exit 1; }
meson install -C "$work/build" >"$work/install.log" 2>&1 || { tail -50 "$work/install.log"; exit 1; }

# Introspection data is installed with the library (when
# gobject-introspection is there, as scripts/setup.sh makes sure).
if command -v g-ir-scanner >/dev/null; then
  gir=$(find "$prefix" -name Hcs-1.0.gir)
  typelib=$(find "$prefix" -name Hcs-1.0.typelib)
  [ -n "$gir" ] && [ -n "$typelib" ] || { echo "Hcs-1.0.gir or its typelib is not installed"; exit 1; }
  grep -q '<c:include name="hcs/hcs.h"/>' "$gir" || { echo "$gir names no hcs/hcs.h"; exit 1; }
  echo "# introspection: ${gir#$prefix/}, ${typelib#$prefix/}"
fi

PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name hcs.pc)")
export PKG_CONFIG_PATH
echo "# pkg-config: $(pkg-config --cflags --libs hcs)"

# The old include form still compiles.
printf '#include <hcs.h>\nint main (void) { return hcs_get_version () == NULL; }\n' >"$work/old.c"
cc -o "$work/old" "$work/old.c" $(pkg-config --cflags --libs hcs)
"$work/old"

echo "# examples against the installation"
meson setup "$work/examples" "$src/examples" >"$work/examples-setup.log" 2>&1 ||
  { cat "$work/examples-setup.log"; exit 1; }
meson compile -C "$work/examples" >"$work/examples-build.log" 2>&1 ||
  { cat "$work/examples-build.log"; exit 1; }
meson install -C "$work/examples" >/dev/null

# Installed programs carry the rpath; hcsctl's front is static and execs
# its full path from the installed libexec folder, which loads both
# plugins from the installed folder.
full=$(find "$prefix" -name hcsctl-full -type f)
[ -n "$full" ] || { echo "hcsctl-full is not installed"; exit 1; }
readelf -d "$full" | grep -q "R.*PATH.*$prefix" ||
  { echo "hcsctl-full has no rpath to $prefix"; exit 1; }
isolations=$("$prefix/bin/hcsctl" isolations)
echo "$isolations" | sed 's/^/# /'
echo "$isolations" | grep -qx "example" || { echo "the example plugin is not loaded"; exit 1; }
echo "$isolations" | grep -qx "process" || { echo "argon is not loaded"; exit 1; }

for isolation in example process; do
  cat >"$work/options-$isolation" <<OPTIONS
[host]
state-dir=$work/state
isolation=$isolation

[argon]
cgroup-parent=$cgroup_parent
OPTIONS
  output=$("$work/examples/hello-host" "$work/options-$isolation" "$work/images")
  echo "$output" | sed "s/^/# $isolation: /"
  [ "$output" = "hello from hcs
(exit code 0)" ] || { echo "hello-host on $isolation said: $output"; exit 1; }
done

# The README's example uses the default state and image folders: it runs in
# a mount namespace of its own, with tmpfs over /run and /var/lib.
cgroup_before=$(ls -d /sys/fs/cgroup/*/hcs /sys/fs/cgroup/hcs 2>/dev/null || true)
output=$(unshare --mount --propagation private sh -c '
  set -e
  mount -t tmpfs tmpfs /run
  mount -t tmpfs tmpfs /var/lib
  "$1" image default >/dev/null
  "$2"' sh "$prefix/bin/hcsctl" "$work/examples/hello")
if [ -z "$cgroup_before" ]; then
  for dir in /sys/fs/cgroup/*/hcs /sys/fs/cgroup/hcs; do
    [ -d "$dir" ] && rmdir "$dir" 2>/dev/null || true
  done
fi
echo "# hello.c: $output"
[ "$output" = "hello from a container" ] || { echo "examples/hello.c said: $output"; exit 1; }

# As someone other than root, `hcsctl run` says why there is no process
# isolation (issue 15: it said only "loaded: none" without --debug).
chmod 755 "$work"
printf '[example]\nenabled=false\n' >"$work/options-user"
chmod 644 "$work/options-user"
if setpriv --reuid=65534 --regid=65534 --clear-groups \
     "$prefix/bin/hcsctl" --options "$work/options-user" run --rootfs / -- /bin/true \
     2>"$work/user.err"; then
  echo "hcsctl run worked as nobody"; exit 1
fi
sed 's/^/# nobody: /' "$work/user.err"
grep -q "argon: process isolation needs root (running as uid 65534)" "$work/user.err" ||
  { echo "hcsctl run as nobody did not say why"; exit 1; }

# A bad option of the example plugin is refused with its group and key.
printf '[example]\nenabled=maybe\n' >"$work/options-bad"
if "$work/examples/hello-host" "$work/options-bad" "$work/images" 2>"$work/bad.err"; then
  echo "a bad [example] option was accepted"; exit 1
fi
grep -q "\[example\] enabled: 'maybe' is not a boolean" "$work/bad.err" ||
  { cat "$work/bad.err"; exit 1; }
echo "ok"
