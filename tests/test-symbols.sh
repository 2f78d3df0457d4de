#!/bin/sh
# test-symbols.sh LIBHCS HEADER... -- PROGRAM...: libhcs exports exactly
# the functions its installed headers declare (nothing private: no
# hcs_remote_*, no layer or option internals), and every program and plugin
# that links it needs nothing else from it.
set -eu

lib=$1
shift
work=$(mktemp -d /tmp/hcs-symbols-XXXXXX)
trap 'rm -rf "$work"' EXIT

# The declarations, read here with the compiler rather than with the
# script that writes the version script: every hcs_ function the headers
# declare, after the preprocessor.
: >"$work/headers.c"
while [ "$1" != "--" ]; do
  echo "#include \"$(realpath "$1")\"" >>"$work/headers.c"
  shift
done
shift
cc -E -P $(pkg-config --cflags glib-2.0 gio-unix-2.0 json-glib-1.0) "$work/headers.c" |
  tr ';' '\n' | grep -v '^\s*typedef' |
  grep -o '\bhcs_[a-z0-9_]* *(' | tr -d ' (' | sort -u >"$work/declared"
nm -D --defined-only "$lib" | awk '{print $3}' | sort -u >"$work/exported"
echo "# $(wc -l <"$work/exported") symbols exported, $(wc -l <"$work/declared") declared"

status=0
extra=$(comm -23 "$work/exported" "$work/declared")
if [ -n "$extra" ]; then
  echo "not declared in the installed headers, but exported:"; echo "$extra"; status=1
fi
# Static inline functions and G_DEFINE_AUTOPTR helpers are declared but
# never exported; anything else declared must exist.
missing=$(comm -13 "$work/exported" "$work/declared" | grep -v '^hcs_.*_autoptr\|^glib_' || true)
if [ -n "$missing" ]; then
  echo "declared in the installed headers, but not exported:"; echo "$missing"; status=1
fi
for private in hcs_remote_container_create hcs_layer_validate_id hcs_options_check \
               hcs_plugin_check_object; do
  if grep -qx "$private" "$work/exported"; then
    echo "private $private is exported"; status=1
  fi
done

for program in "$@"; do
  wanted=$(nm -D --undefined-only "$program" | awk '{print $2}' | sed 's/@.*//' |
           grep '^hcs_' | sort -u || true)
  unknown=$(echo "$wanted" | comm -23 - "$work/exported" | grep . || true)
  if [ -n "$unknown" ]; then
    echo "$(basename "$program") needs what libhcs does not export:"; echo "$unknown"; status=1
  fi
  echo "# $(basename "$program"): $(echo "$wanted" | grep -c . || true) libhcs symbols, all public"
done
[ $status -eq 0 ] && echo "ok"
exit $status
