#!/bin/bash
# The OCI's own validation suite (opencontainers/runtime-tools) against
# hcsctl, crun and runc, side by side on this machine: each
# validation/*/*.t is run from the checkout's root with RUNTIME= each
# runtime, one after the other, and the script prints, per runtime, the
# files passed and the failed assertions, then the per-file table.
#
# A file passes when it exits 0, prints something and no "not ok" line;
# its failed assertions are its "not ok" lines, and a file that fails
# without any counts one: it died, timed out, or printed nothing (the
# files that check inside the container print the checker's TAP, and
# nothing at all when the container's process failed after a successful
# start; a *_fail file that passes prints the runtime's refusal). Nothing is fetched: build the
# checkout first (runtime-tools at 260e151 builds with Debian's Go 1.19):
#
#   git -C RUNTIME_TOOLS_DIR checkout 260e151
#   cd RUNTIME_TOOLS_DIR && GOFLAGS=-mod=vendor make runtimetest validation-executables
#
# Usage (as root, after scripts/setup.sh and meson compile):
#   bench/oci-conformance.sh RUNTIME_TOOLS_DIR [FILE-PATTERN]
# TAP outputs are kept in $OUT (default /tmp/hcs-oci-conformance) as
# RUNTIME/NAME.tap; TIMEOUT (default 120) seconds bounds each file.
set -eu

rt_dir=$(cd "${1:?usage: $0 RUNTIME_TOOLS_DIR [FILE-PATTERN]}" && pwd)
pattern=${2:-*}
runs=1
top=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-/tmp/hcs-oci-conformance}
timeout=${TIMEOUT:-120}
. "$top/bench/runtime-common.sh"

for f in runtimetest validation/create/create.t; do
  [ -x "$rt_dir/$f" ] || { echo "$rt_dir/$f is missing: build runtime-tools first (see $0)" >&2; exit 1; }
done

# runtime-tools runs "$RUNTIME VERB ...": hcsctl through a wrapper with the
# build tree's plugins and the bench's options.
cat > "$work/hcsctl" <<EOT
#!/bin/sh
export HCS_PLUGIN_PATH=$HCS_PLUGIN_PATH HCS_RUNTIME_HELPER=$HCS_RUNTIME_HELPER HCS_MONITOR=$HCS_MONITOR
exec $hcsctl --options $work/options.ini "\$@"
EOT
chmod +x "$work/hcsctl"

runtimes="hcsctl crun runc"
declare -A runtime_cmd=([hcsctl]=$work/hcsctl [crun]=$(command -v crun) [runc]=$(command -v runc))
declare -A passed=() failed=() result=()
files=$(cd "$rt_dir" && ls validation/$pattern/*.t)
rm -rf "$out"
for rt in $runtimes; do
  mkdir -p "$out/$rt"
  passed[$rt]=0 failed[$rt]=0
  for file in $files; do
    name=$(basename "$file" .t)
    status=0
    (cd "$rt_dir" && RUNTIME=${runtime_cmd[$rt]} timeout -k 5 "$timeout" "./$file") \
      > "$out/$rt/$name.tap" 2>&1 </dev/null || status=$?
    not_ok=$(grep -c '^not ok' "$out/$rt/$name.tap" || true)
    if [ "$status" = 0 ] && [ "$not_ok" = 0 ] && [ -s "$out/$rt/$name.tap" ]; then
      passed[$rt]=$(( ${passed[$rt]} + 1 ))
      result[$rt,$name]=pass
    else
      [ "$not_ok" = 0 ] && not_ok=1
      failed[$rt]=$(( ${failed[$rt]} + not_ok ))
      result[$rt,$name]="FAIL $not_ok"
    fi
  done
done

total=$(echo "$files" | wc -w)
echo "runtime-tools $(git -C "$rt_dir" describe --always --tags 2>/dev/null || echo '?'), $total files"
printf '  %-8s %14s %18s\n' runtime "files passed" "failed assertions"
for rt in $runtimes; do
  printf '  %-8s %8s/%-5s %18s\n' "$rt" "${passed[$rt]}" "$total" "${failed[$rt]}"
done
echo
printf '%-36s' file
for rt in $runtimes; do printf ' %-8s' "$rt"; done
echo
for file in $files; do
  name=$(basename "$file" .t)
  printf '%-36s' "$name"
  for rt in $runtimes; do printf ' %-8s' "${result[$rt,$name]}"; done
  echo
done
echo "(TAP outputs in $out)"
