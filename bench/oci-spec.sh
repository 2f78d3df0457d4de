#!/bin/bash
# Instructions to make the helper's spec from a bundle's config.json, the
# GLib-only way (hcs-json and hcs-runtime-oci-spec, what hcsctl's front
# create will run) against the full path's (json-glib, the
# HcsContainerConfig, hcs_runtime_spec_new_for_container), counted by
# callgrind in hcs-bench-oci-spec's spec_once() (or GCC's clone of it)
# alone: not the process's start nor the libraries' load, which the front
# avoids besides. The first spec is shown apart (json-glib's and
# GVariant's types are made then): a create makes one a process.
#
# Usage:  bench/oci-spec.sh [BUNDLE [BUILD_DIR]]
#   BUNDLE defaults to `runc spec`'s config.json with "terminal": false
#   (a terminal is declined) beside an empty rootfs.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${2:-$top/build}
program=$build/bench/hcs-bench-oci-spec
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bundle=${1:-}
if [ -z "$bundle" ]; then
  bundle=$work/bundle
  mkdir -p "$bundle/rootfs"
  runc spec --bundle "$bundle"
  sed -i 's/"terminal": true/"terminal": false/' "$bundle/config.json"
fi

# Instructions of spec_once() over ROUNDS specs made WAY.
instructions() {
  local out=$work/callgrind.$1.$2
  valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no \
    --toggle-collect='spec_once*' "$program" "$1" "$bundle" "$2" >/dev/null 2>&1
  sed -n 's/^totals: \([0-9]*\).*/\1/p' "$out"
}

printf '%s/config.json\n' "$bundle"
printf '%-10s %14s %16s\n' way 'first spec' 'each one after'
for way in glib-only full-path; do
  first=$(instructions "$way" 1)
  eleven=$(instructions "$way" 11)
  printf '%-10s %14s %16s\n' "$way" "$first" "$(( (eleven - first) / 10 ))"
done
