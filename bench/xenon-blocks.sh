#!/bin/bash
# Where a xenon clone's translated blocks go (issue 12): under TCG every
# code path a clone runs after its restore is translated again, so the
# blocks between the restore and the workload are what its start costs.
# Runs `bench/xenon.sh CLONES template` with a template booted with
# hcs.blocks and hcs.kallsyms (the agent marks each step of a Create on
# its console, and its first create says the kernel's symbols) and
# with each clone's QEMU logging its translated blocks and its serial
# port's bytes to one file (`-d in_asm,trace:serial_write`, through a
# qemu-system-x86_64 wrapper first in PATH: only QEMUs started with
# -incoming, the clones, log; the template logs its serial port's bytes
# only, in which its agent says the kernel's symbols). Then bench/xenon-blocks.py prints the blocks
# per step of the Create, per binary and kernel subsystem, and the
# functions with the most.
#
# Usage (as root, after scripts/setup.sh and a build):  bench/xenon-blocks.sh [CLONES]
# KEEP=DIR keeps the logs in DIR. The clones are slower than the bench's
# own (the log is disassembled): read blocks here, times in bench/xenon.sh.
set -eu

clones=${1:-2}
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
qemu=$(command -v qemu-system-x86_64) || { echo "qemu-system-x86_64 is not installed" >&2; exit 1; }

work=${KEEP:-$(mktemp -d /tmp/hcs-bench-blocks-XXXXXX)}
mkdir -p "$work/bin" "$work/logs"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT INT TERM
rm -f "$work"/logs/*
cat >"$work/bin/qemu-system-x86_64" <<WRAPPER
#!/bin/sh
for arg; do
  [ "\$arg" = -incoming ] &&
    exec "$qemu" "\$@" -d in_asm,trace:serial_write -D "$work/logs/qemu-\$\$.log"
done
# The template: its console only, where its agent says the kernel's symbols.
exec "$qemu" "\$@" -d trace:serial_write -D "$work/logs/template-\$\$.txt"
WRAPPER
chmod +x "$work/bin/qemu-system-x86_64"

PATH=$work/bin:$PATH BLOCKS_LOG_DIR=$work/logs BOOT_PARAMETERS="hcs.blocks hcs.kallsyms ${BOOT_PARAMETERS:-}" TEMPLATE_DIR=$work/templates \
  "$top/bench/xenon.sh" "$clones" template
python3 "$top/bench/xenon-blocks.py" "$build/runtime/hcs-runtime-helper" "$build/guest/hcs-gcs" \
  "$(ls -S "$work"/logs/template-*.txt | head -n1)" "$work"/logs/*.log
