#!/bin/bash
# Instructions to read one JSON document, hcs-json against json-glib,
# counted by callgrind (instruction counts do not depend on the machine's
# load). Only parse_once() of hcs-bench-json-parse is counted: the parse
# and the tree's free, not the process's start nor the libraries' load.
# The first parse is shown apart: json-glib makes its GObject classes
# then, which a create (one parse a process) pays every time.
#
# Usage:  bench/json-parse.sh [FILE [BUILD_DIR]]
#   FILE defaults to the config.json `runc spec` writes.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${2:-$top/build}
program=$build/bench/hcs-bench-json-parse
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

file=${1:-}
if [ -z "$file" ]; then
  (cd "$work" && runc spec)
  file=$work/config.json
fi

# Instructions of parse_once() over ROUNDS parses.
count() {
  local reader=$1 rounds=$2 out=$work/callgrind.$1.$2
  valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no \
    --toggle-collect=parse_once "$program" "$reader" "$file" "$rounds" >/dev/null 2>&1
  sed -n 's/^totals: \([0-9]*\).*/\1/p' "$out"
}

printf '%s, %s bytes\n' "$file" "$(stat -c %s "$file")"
printf '%-10s %14s %16s\n' reader 'first parse' 'each one after'
for reader in hcs-json json-glib; do
  one=$(count "$reader" 1)
  eleven=$(count "$reader" 11)
  printf '%-10s %14s %16s\n' "$reader" "$one" "$(( (eleven - one) / 10 ))"
done
