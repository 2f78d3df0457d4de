#!/bin/sh
# run-fuzzer.sh FUZZER CORPUS SECONDS: replays every input of the seed
# corpus, then fuzzes for SECONDS from it, new inputs kept in a temporary
# folder (the tree's corpus is only read). A crash, leak or timeout fails;
# the input that caused it is printed as base64, to be added to CORPUS.
set -eu
fuzzer=$1
corpus=$2
seconds=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/hcs-fuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/new"
# What the harnesses make (the layer store) goes with the rest.
export TMPDIR="$work"

report () {
  for artifact in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
    [ -e "$artifact" ] || continue
    echo "# $artifact (base64):"
    base64 "$artifact"
  done
}

# -runs=0 with folders: every input once, no mutation.
if ! "$fuzzer" -runs=0 -timeout=10 -artifact_prefix="$work/" "$corpus"; then
  report
  exit 1
fi
if ! "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$work/" "$work/new" "$corpus"; then
  report
  exit 1
fi
