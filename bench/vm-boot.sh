#!/bin/bash
# Boot of Debian's kernel (scripts/vm-kernel.sh) and the vm suite's test
# initramfs to its init (the line init writes on a virtio-serial port read
# on the host), by plain qemu-system and through the VM library
# (hcs-bench-vm-boot: QMP, inherited sockets, then quit), in turn, RUNS
# times each; prints the median of each and the ratio library/plain.
#
# Usage (as root, after scripts/setup.sh):  bench/vm-boot.sh [RUNS [q35|microvm]]
set -eu

runs=${1:-5}
machine=${2:-q35}
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
cache=${HCS_VM_CACHE_DIR:-/var/cache/hcs/vm}
helper=$build/bench/hcs-bench-vm-boot
kernel=$cache/vmlinux

work=$(mktemp -d /tmp/hcs-bench-vm-XXXXXX)
qemu_pid=""
cleanup() {
  [ -n "$qemu_pid" ] && kill -9 "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

sh "$top/scripts/vm-initramfs.sh" "$work/initramfs.cpio" "$cache/modules" \
  "$top/tests/data/vm/init" virtio_console virtio_pci virtio_mmio
initrd=$work/initramfs.cpio

# The same machine as the library's, the control port a pipe chardev.
if [ -e /dev/kvm ] && grep -qwE "vmx|svm" /proc/cpuinfo; then accel=(-accel kvm -cpu host); tsc=""
else accel=(-accel tcg,thread=multi -cpu max); tsc=" tsc_early_khz=$("$helper" --tsc-khz)"; fi
if [ "$machine" = microvm ]; then serial=virtio-serial-device; else serial=virtio-serial-pci; fi
mkfifo "$work/control.in" "$work/control.out"

plain_boot() {
  local line
  qemu-system-x86_64 -nodefaults -no-user-config -nographic -no-reboot -machine "$machine" \
    "${accel[@]}" -m 256 -smp 1 -kernel "$kernel" -initrd "$initrd" \
    -append "console=ttyS0$tsc quiet panic=-1" \
    -chardev file,id=console,path="$work/console.log" -serial chardev:console \
    -device "$serial,id=serial0" -chardev pipe,id=control,path="$work/control" \
    -device virtserialport,bus=serial0.0,chardev=control,name=org.hcs.test.control &
  qemu_pid=$!
  read -r line < "$work/control.out"
  [ "$line" = "hcs-vm-test: init reached" ] || { echo "plain: '$line'" >&2; exit 1; }
  kill -9 "$qemu_pid"; wait "$qemu_pid" 2>/dev/null || true; qemu_pid=""
}

library_boot() {
  local line
  coproc BOOT { "$helper" "$kernel" "$initrd" "$machine"; }
  read -r line <&"${BOOT[0]}"
  [ "$line" = ready ] || { echo "library: '$line'" >&2; exit 1; }
  end=$EPOCHREALTIME
  wait "$BOOT_PID"
}

# Microseconds of one boot (to the init's line, not the shut-down after).
time_us() {
  local start=$EPOCHREALTIME
  end=""
  "$1"
  end=${end:-$EPOCHREALTIME}
  echo $(( (${end/./} - ${start/./}) ))
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

plain_us=() library_us=()
for ((i = 0; i < runs; i++)); do
  # Each round starts with the other one, so that neither always goes first.
  if ((i % 2)); then
    library_us+=("$(time_us library_boot)"); plain_us+=("$(time_us plain_boot)")
  else
    plain_us+=("$(time_us plain_boot)"); library_us+=("$(time_us library_boot)")
  fi
done
plain=$(printf '%s\n' "${plain_us[@]}" | median)
library=$(printf '%s\n' "${library_us[@]}" | median)
echo "boot to init, $machine, ${accel[1]}, median of $runs runs in turn"
echo "  plain qemu-system: $((plain / 1000)) ms  (${plain_us[*]} µs)"
echo "  VM library:        $((library / 1000)) ms  (${library_us[*]} µs)"
awk -v l="$library" -v p="$plain" 'BEGIN { printf "  library/plain = %.2f\n", l / p }'
