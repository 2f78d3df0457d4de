#!/bin/bash
# The utility VM of plugins/lcow, side by side under the same accelerator
# (not a test; the figures are noisy on a loaded machine):
#   1. boot: plain qemu-system of the same kernel and agent initramfs to
#      its init (busybox as rdinit powering off at once: QEMU's exit),
#      against the VM library booting it to the agent's first answer
#      (hcs-bench-guest-agent), ROUNDS rounds in turn; goal <= 1.2x; and
#      the same ratio of QEMU's CPU time (user + system), which a machine
#      loaded by others stretches far less than the wall clock;
#   2. in that running UVM, at the protocol level: the first container
#      start (it waits for the agent's set-up for containers), container start
#      (Create + Start, goal <= 160 ms under TCG), exec round trip (goal
#      <= 60 ms), QEMU's resident memory per container;
#   3. the same through the plugin and a held UVM, as a client sees it:
#      `hcsctl create` + `start` of a bundle annotated io.hcs.isolation=lcow
#      (each a process of its own, through hcs-lcow-uvm), `hcsctl exec
#      ID true`, and `hcsctl create` + `start` of the same bundle under
#      argon on the busybox root, for comparison.
#
# Each round prints its own figures and the load it ran at. With
# BEFORE=OTHER.cpio, an earlier build's agent initramfs is booted in turn
# with this one (first one, then the other, alternating each round), and
# its figures printed beside: a change to the guest compared under the
# same load (the plain boot is of this build's initramfs).
# BENCH_LCOW_BOOT_ONLY=1 stops after 1 and 2.
#
# Usage (as root, after scripts/setup.sh and a build):
#   [BEFORE=OLD.cpio] bench/lcow.sh [RUNS [ROUNDS]]      (defaults: 5 3)
set -eu

runs=${1:-5}
rounds=${2:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
cache=${HCS_VM_CACHE_DIR:-/var/cache/hcs/vm}
kernel=$cache/vmlinux
initrd=$build/guest/hcs-gcs-initramfs.cpio
hcsctl=$build/tools/hcsctl
agent_bench=$build/bench/hcs-bench-guest-agent
export HCS_PLUGIN_PATH=$build/plugins/lcow:$build/plugins/argon
export HCS_RUNTIME_HELPER=$build/runtime/hcs-runtime-helper
export HCS_LCOW_UVM=$build/plugins/lcow/hcs-lcow-uvm

work=$(mktemp -d /tmp/hcs-bench-lcow-XXXXXX)
ids=()
qemu_pid=""
cleanup() {
  [ -n "$qemu_pid" ] && kill -9 "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null
  for id in "${ids[@]}"; do
    "$hcsctl" --options "$work/options.ini" delete --force "$id" >/dev/null 2>&1 || true
  done
  # keep-uvm holders stay until told to go.
  for pid in $(pgrep -f "hcs-lcow-uvm $work/" || true); do kill "$pid" 2>/dev/null || true; done
  while pgrep -f "hcs-lcow-uvm $work/" >/dev/null; do sleep 0.2; done
  rm -rf "$work"
  for dir in /sys/fs/cgroup/*/hcs-bench-lcow /sys/fs/cgroup/hcs-bench-lcow; do
    [ -d "$dir" ] && rmdir "$dir" 2>/dev/null || true
  done
}
trap cleanup EXIT INT TERM

cat > "$work/options.ini" <<EOT
[host]
image-dir=$work/images
state-dir=$work/state
no-installed-plugins=true
[argon]
cgroup-parent=hcs-bench-lcow
[lcow]
keep-uvm=true
EOT

if [ -e /dev/kvm ] && grep -qwE "vmx|svm" /proc/cpuinfo; then accel=(-accel kvm -cpu host); tsc=""
else accel=(-accel tcg,thread=multi -cpu max)
     tsc=" tsc_early_khz=$("$build/bench/hcs-bench-vm-boot" --tsc-khz)"; fi

now_us() { echo "${EPOCHREALTIME/./}"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ms() { echo $(( $1 / 1000 )); }

# 1 and 2 -------------------------------------------------------------------
# User + system time in ms of the children waited for, from `times`
# (line 2) on stdin.
children_cpu_ms() {
  awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/)
                 printf "%d\n", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000 }'
}

# Prints the µs of a plain boot and QEMU's CPU ms for it.
plain_boot_us() {
  local start
  start=$(now_us)
  qemu-system-x86_64 -nodefaults -no-user-config -nographic -no-reboot -machine q35 \
    "${accel[@]}" -m 512 -smp 1 -kernel "$kernel" -initrd "$initrd" \
    -append "console=ttyS0$tsc quiet panic=-1 rdinit=/bin/busybox -- poweroff -f" \
    -chardev file,id=console,path="$work/console.log" -serial chardev:console &
  qemu_pid=$!
  wait "$qemu_pid" || true
  qemu_pid=""
  # `times` here, not in a command substitution (a shell of its own).
  times > "$work/times"
  echo $(( $(now_us) - start )) "$(children_cpu_ms < "$work/times")"
}

# agent_round INITRD PREFIX: one boot of the agent's initramfs and its
# containers; appends to the arrays PREFIXboot, PREFIXboot_cpu, ...
agent_round() {
  local out
  out=$("$agent_bench" "$kernel" "$1" "$runs")
  eval "$2boot+=(\"$(sed -n 's/^boot to agent ready: \([0-9]*\) ms$/\1/p' <<< "$out")\")"
  eval "$2boot_cpu+=(\"$(sed -n 's/^QEMU CPU time to agent ready: \([0-9]*\) ms$/\1/p' <<< "$out")\")"
  eval "$2first+=(\"$(sed -n 's/^first start after the boot.*: \([0-9]*\) ms$/\1/p' <<< "$out")\")"
  eval "$2start+=(\"$(sed -n 's/^container start.*: \([0-9]*\) ms$/\1/p' <<< "$out")\")"
  eval "$2exec+=(\"$(sed -n 's/^exec round trip.*: \([0-9]*\) ms$/\1/p' <<< "$out")\")"
  eval "$2memory+=(\"$(sed -n 's/^QEMU resident memory per running container: \([0-9.]*\) MiB$/\1/p' <<< "$out")\")"
}
# round_line PREFIX I: round I of those arrays, against the plain boot.
round_line() {
  eval "local b=\${$1boot[$2]} c=\${$1boot_cpu[$2]} f=\${$1first[$2]} s=\${$1start[$2]}"
  awk -v b="$b" -v c="$c" -v f="$f" -v s="$s" -v p="$(ms "${plain[$2]}")" -v pc="${plain_cpu[$2]}" \
    'BEGIN { printf "boot %d ms (x%.2f), CPU %d ms (x%.2f), first start %d ms, start %d ms",
             b, b / p, c, c / pc, f, s }'
}

plain=() plain_cpu=() boot=() boot_cpu=() first=() start=() exec=() memory=()
old_boot=() old_boot_cpu=() old_first=() old_start=() old_exec=() old_memory=()
before=${BEFORE:-}
for ((i = 0; i < rounds; i++)); do
  load=$(cut -d' ' -f1 /proc/loadavg)
  read -r wall cpu <<< "$(plain_boot_us)"
  plain+=("$wall") plain_cpu+=("$cpu")
  if [ -n "$before" ] && (( i % 2 == 0 )); then agent_round "$before" old_; fi
  agent_round "$initrd" ""
  if [ -n "$before" ] && (( i % 2 == 1 )); then agent_round "$before" old_; fi
  echo "round $((i + 1)), load $load: plain $(ms "$wall") ms, CPU $cpu ms"
  echo "  agent: $(round_line "" "$i")"
  [ -z "$before" ] || echo "  before: $(round_line old_ "$i")"
done
plain_ms=$(ms "$(printf '%s\n' "${plain[@]}" | median)")
boot_ms=$(printf '%s\n' "${boot[@]}" | median)
echo "UVM boot, ${accel[1]}, median of $rounds rounds in turn"
echo "  plain qemu-system to its init (and off): $plain_ms ms  ($(for p in "${plain[@]}"; do printf '%s ' $((p / 1000)); done)ms)"
echo "  VM library to the agent's answer:        $boot_ms ms  (${boot[*]} ms)"
awk -v a="$boot_ms" -v p="$plain_ms" 'BEGIN { printf "  agent/plain = %.2f (goal <= 1.2)\n", a / p }'
plain_cpu_ms=$(printf '%s\n' "${plain_cpu[@]}" | median)
boot_cpu_ms=$(printf '%s\n' "${boot_cpu[@]}" | median)
echo "  QEMU's CPU time, plain: $plain_cpu_ms ms (${plain_cpu[*]}), agent: $boot_cpu_ms ms (${boot_cpu[*]})"
awk -v a="$boot_cpu_ms" -v p="$plain_cpu_ms" 'BEGIN { printf "  agent/plain in CPU time = %.2f\n", a / p }'
echo "  (load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores)"
echo "in a running UVM, protocol level (medians of $runs, one per round: ${start[*]} / ${exec[*]} ms)"
echo "  first start after the boot (waits for the agent's set-up): $(printf '%s\n' "${first[@]}" | median) ms"
echo "  container start (Create + Start): $(printf '%s\n' "${start[@]}" | median) ms (goal <= 160)"
echo "  exec round trip:                  $(printf '%s\n' "${exec[@]}" | median) ms (goal <= 60)"
echo "  QEMU resident memory per running container: $(printf '%s\n' "${memory[@]}" | median) MiB"
if [ -n "$before" ]; then
  echo "before ($before), the same rounds in turn:"
  echo "  VM library to the agent's answer: $(printf '%s\n' "${old_boot[@]}" | median) ms  (${old_boot[*]} ms)"
  echo "  QEMU's CPU time: $(printf '%s\n' "${old_boot_cpu[@]}" | median) ms (${old_boot_cpu[*]})"
  echo "  first start after the boot: $(printf '%s\n' "${old_first[@]}" | median) ms (${old_first[*]})"
  echo "  container start: $(printf '%s\n' "${old_start[@]}" | median) ms, exec: $(printf '%s\n' "${old_exec[@]}" | median) ms"
fi
[ -z "${BENCH_LCOW_BOOT_ONLY:-}" ] || exit 0

# 3 -------------------------------------------------------------------------
"$hcsctl" --options "$work/options.ini" run -- /bin/true </dev/null >/dev/null  # the busybox image
mkdir -p "$work/lcow" "$work/argon"
bundle_config() { # bundle_config ROOT ANNOTATIONS
  printf '{"ociVersion":"1.0.2","root":{"path":"%s"},"process":{"cwd":"/","args":["sleep","100000"],"env":["PATH=/bin:/sbin:/usr/bin"]},"annotations":{%s}}' "$1" "$2"
}
bundle_config "$work/images/busybox" \
  '"io.hcs.isolation":"lcow","io.hcs.lcow.rootfs":"guest"' > "$work/lcow/config.json"
bundle_config "$work/images/busybox" '' > "$work/argon/config.json"

hcs() { "$hcsctl" --options "$work/options.ini" "$@"; }
# create_start BUNDLE ID: sets `elapsed` (µs). Not in a subshell: `ids`
# must reach the cleanup. The init inherits create's stdio: a log, not
# the caller's pipe.
create_start() {
  local t0
  t0=$(now_us)
  ids+=("$2")
  hcs create --bundle "$1" "$2" </dev/null >>"$work/create.log" 2>&1 ||
    { cat "$work/create.log" >&2; exit 1; }
  hcs start "$2"
  elapsed=$(( $(now_us) - t0 ))
}
qemu_rss_kib() {
  local holder
  holder=$(pgrep -f "hcs-lcow-uvm $work/" | head -1)
  awk '/^VmRSS:/ { print $2 }' "/proc/$(pgrep -P "$holder" qemu-system)/status"
}

# The first boots the held UVM: not counted.
create_start "$work/lcow" lcow-first
rss0=$(qemu_rss_kib)
lcow=() argon=() lexec=()
for ((i = 0; i < runs; i++)); do
  create_start "$work/lcow" "lcow$i"; lcow+=("$elapsed")
  create_start "$work/argon" "argon$i"; argon+=("$elapsed")
  t0=$(now_us); hcs exec "lcow$i" true; lexec+=("$(( $(now_us) - t0 ))")
done
rss1=$(qemu_rss_kib)
lcow_ms=$(ms "$(printf '%s\n' "${lcow[@]}" | median)")
argon_ms=$(ms "$(printf '%s\n' "${argon[@]}" | median)")
echo "through hcsctl (a process per verb) and a held UVM, median of $runs"
echo "  create + start, lcow:  $lcow_ms ms"
echo "  create + start, argon: $argon_ms ms"
echo "  exec true, lcow:       $(ms "$(printf '%s\n' "${lexec[@]}" | median)") ms"
awk -v a="$rss0" -v b="$rss1" -v n="$runs" \
  'BEGIN { printf "  QEMU resident memory: %.0f MiB with one container, +%.1f MiB per container\n", a / 1024, (b - a) / 1024 / n }'
