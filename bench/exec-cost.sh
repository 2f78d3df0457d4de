#!/bin/bash
# What one exec costs on this machine, and why machines of one kind differ:
# the CPU time (perf stat task-clock, mean of RUNS) of a program that only
# exits, built three ways (no libc at all; static glibc; dynamic glibc),
# beside the runtimes' own first steps (the helper's start, `hcsctl
# --version`, `crun --version`), and the price of one CPUID instruction.
#
# In a VM, CPUID traps to the hypervisor; nested, that is microseconds.
# glibc's start-up probes the CPU with dozens of them (its IFUNCs and cache
# sizes), in ld.so for a dynamic program and in __libc_start_main for a
# static one, so every exec of a glibc program pays that price once. A
# create pays it for hcsctl and for the helper, crun for itself and for
# its re-exec from a memfd; the gap between the first two rows is what an
# exec without glibc's start-up would save.
#
# Usage (after scripts/setup.sh):  bench/exec-cost.sh [RUNS]
set -eu

runs=${1:-300}
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
command -v perf >/dev/null || { echo "exec-cost.sh: perf is needed (Debian's linux-perf)" >&2; exit 1; }
command -v gcc >/dev/null || { echo "exec-cost.sh: gcc is needed" >&2; exit 1; }

work=$(mktemp -d /tmp/hcs-bench-exec-XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM

cat > "$work/nolibc.c" <<'EOT'
/* exit(0) by the raw system call: no libc, no start-up code. */
void
_start (void)
{
  __asm__ volatile ("mov $60, %eax\n\txor %edi, %edi\n\tsyscall");
}
EOT
cat > "$work/exit.c" <<'EOT'
int
main (void)
{
  return 0;
}
EOT
cat > "$work/cpuid.c" <<'EOT'
#include <cpuid.h>
#include <stdio.h>
#include <time.h>

/* The mean time of one CPUID (leaf 0), over 2000 of them. */
int
main (void)
{
  struct timespec start, end;
  unsigned int a, b, c, d, sum = 0;

  clock_gettime (CLOCK_MONOTONIC, &start);
  for (int i = 0; i < 2000; i++)
    {
      __cpuid (0, a, b, c, d);
      sum += a + b + c + d;
    }
  clock_gettime (CLOCK_MONOTONIC, &end);
  printf ("%.2f %u\n",
          ((end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec)) / 2000 / 1000.0,
          sum & 1);
  return 0;
}
EOT
gcc -O2 -static -nostdlib -o "$work/nolibc" "$work/nolibc.c"
gcc -O2 -static -o "$work/exit-static" "$work/exit.c"
gcc -O2 -o "$work/exit-dynamic" "$work/exit.c"
gcc -O2 -o "$work/cpuid" "$work/cpuid.c"

# cpu_ms COMMAND...: the mean task-clock of RUNS runs of COMMAND, in ms
# ("failed" when perf measured nothing). A non-zero exit is no failure:
# the helper without arguments prints its usage and exits 2.
cpu_ms() {
  rm -f "$work/perf.out"
  perf stat -r "$runs" -x, -e task-clock -o "$work/perf.out" -- "$@" >/dev/null 2>&1 </dev/null ||
    true
  touch "$work/perf.out"
  awk -F, '$3 == "task-clock" { printf "%.3f", $1; found = 1 }
           END { if (!found) printf "failed" }' "$work/perf.out"
}

row() {
  printf '  %-46s %8s ms\n' "$1" "$2"
}

echo "one CPUID instruction: $(cut -d' ' -f1 < <("$work/cpuid")) µs (mean of 2000)"
echo "CPU time of one exec, mean of $runs (perf stat task-clock):"
nolibc=$(cpu_ms "$work/nolibc")
static=$(cpu_ms "$work/exit-static")
row "a program that exits, no libc" "$nolibc"
row "the same, static glibc" "$static"
row "the same, dynamic glibc" "$(cpu_ms "$work/exit-dynamic")"
if [ -x "$build/runtime/hcs-runtime-helper" ]; then
  # Without arguments the helper prints its usage and exits: its start alone.
  row "hcs-runtime-helper's start (static glibc, GLib)" "$(cpu_ms "$build/runtime/hcs-runtime-helper")"
fi
if [ -x "$build/tools/hcsctl" ]; then
  row "hcsctl --version" "$(cpu_ms "$build/tools/hcsctl" --version)"
fi
if command -v crun >/dev/null; then
  row "crun --version (re-execs itself from a memfd)" "$(cpu_ms crun --version)"
fi
awk -v a="$static" -v b="$nolibc" \
  'BEGIN { printf "glibc'\''s start-up: %.3f ms of each exec of a glibc program\n", a - b }'
