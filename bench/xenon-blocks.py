#!/usr/bin/env python3
# xenon-blocks.py: where a xenon clone's translated blocks go, from the log
# QEMU wrote with `-d in_asm,trace:serial_write` (bench/xenon-blocks.sh).
#
#   xenon-blocks.py HELPER AGENT TEMPLATE_LOG CLONE_LOG...
#
# Under TCG a block is translated the first time the guest runs it, so the
# blocks of a clone (restored with an empty code cache) are the distinct
# code paths it runs. Each "IN:" of the log is one translated block, at
# the guest PC that follows. The serial port's bytes (trace:serial_write)
# are the guest's console in the same order: the agent booted with
# hcs.blocks says "mark STEP ID" as each step of a Create begins, then its
# executable mappings ("map ...") and the modules' addresses ("module
# ..."), which tell in which binary or module a block lies. The kernel's
# functions come from the template's console (TEMPLATE_LOG, its serial
# bytes only): its first create says the guest's /proc/kallsyms ("ksym
# ADDRESS NAME"; Debian ships no System.map), which its clones share.
# HELPER and AGENT (the build's, with symbols) name the functions of the
# runtime helper (static, not PIE) and the agent. A static workload (the
# guest's busybox) lies at the helper's addresses: the parts are read for
# the Create, before the workload runs.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import bisect
import collections
import os
import re
import subprocess
import sys

KERNEL_START = 0xFFFF800000000000

# A kernel function's subsystem, by its name: the first pattern that
# matches. Names are what System.map has (no source files), so this is a
# reading aid, not an exact attribution; the top functions are printed too.
SUBSYSTEMS = [
    ("exec", r"execve|bprm|load_elf|elf_|begin_new_exec|setup_arg_pages|search_binary|"
             r"setup_new_exec|flush_old_exec|copy_strings|create_elf_tables|start_thread"),
    ("fork/exit", r"copy_process|kernel_clone|dup_mm|dup_mmap|copy_mm|copy_files|copy_fs|"
                  r"copy_sighand|copy_signal|wake_up_new_task|ret_from_fork|__do_sys_clone|"
                  r"do_exit|exit_mm|exit_files|exit_notify|release_task|do_wait|wait_consider|"
                  r"wait_task|exit_mmap|mm_release|pidfd|alloc_pid|free_pid|copy_thread|"
                  r"sched_fork|dup_task|exit_signal|kernel_waitid"),
    ("namespaces", r"namespace|_ns$|_ns_|^ns_|^__ns|unshare|setns|userns|uts|ipc_|mq_|"
                   r"pid_ns|proc_ns|create_new_namespaces|copy_namespaces|nsproxy|put_ns|"
                   r"time_ns|cgroup_ns"),
    ("cgroup", r"cgroup|css_|cpuset|mem_cgroup|memcg|freezer|blkcg|pids_|misc_cg|rdma_cg"),
    ("netns/net", r"^net_|netns|^sock|^inet|ipv6|^ip6|^ip_|^tcp|^udp|netlink|rtnl|^dev_|"
                  r"neigh|fib|^nf_|nft|xfrm|^rt_|addrconf|register_net|^__sock|^sk_|"
                  r"netdev|loopback|^__dev|^raw_|icmp|^arp|igmp|mld|^ndisc|^packet|^unix_"),
    ("mount", r"mount|mnt|pivot_root|propagat|fs_context|fsconfig|fsopen|fsmount|"
              r"get_tree|legacy_|^graft|copy_tree|lock_mount|fs_param|vfs_parse|"
              r"sget|super|^deactivate|kill_|^set_anon|^mntput|^mntget|umount"),
    ("overlay", r"^ovl_"),
    ("erofs", r"^erofs_|z_erofs"),
    ("ext4/jbd2", r"^ext4_|^__ext4|jbd2|^ext4"),
    ("block", r"^blk_|^bio_|^submit_bio|^__blk|virtblk|^bdev|^block_|^mpage|^sb_bread|"
              r"^__bread|^bh_|buffer_head|__getblk|^end_buffer|^__find_get_block"),
    ("tmpfs/shmem", r"shmem|^ramfs"),
    ("proc", r"^proc_|^pid_revalidate|^pid_|seq_|^tid_|^show_|^m_start|^m_next|^do_task_stat|"
             r"^task_dump_owner|^__proc|^call_proc|^proc|^thread_group_cputime|^m_stop|"
             r"^mangle_path|^string_escape|^num_to_str|^format_decode|^vsnprintf|^number|"
             r"^put_dec|^string$|^pointer"),
    ("sysfs/kernfs", r"kernfs|sysfs"),
    ("devpts/tty", r"devpts|tty|^pty|_pty|^n_tty|serial|uart|console|printk|^vt_|^con_"),
    ("seccomp/bpf", r"seccomp|bpf"),
    ("random", r"random|crng|blake2s|chacha|entropy|^mix_pool|^credit_"),
    ("devices/uevent", r"kobject|uevent|^device_|devtmpfs|^kset|^klist|^bus_|^driver_|^dev_uevent|"
                       r"chrdev|^cdev|^kref"),
    ("sysctl", r"sysctl|^insert_header|^get_links|^put_links|^erase_header"),
    ("caps/lsm", r"^cap_|security_|apparmor|^aa_|yama|commoncap|^lsm|capable|^cred|creds|tomoyo|"
                 r"landlock|lockdown|^ima_|^evm_|^integrity|"
                 r"prepare_creds|commit_creds|^__sys_set|setgroups|groups_"),
    ("signals", r"signal|^sig|^do_sig|^send_sig|^__send_sig|kill_pid|^do_send|^get_signal|"
                r"restore_sigcontext|^rt_sig|setup_rt_frame"),
    ("futex/ipc", r"futex|^pipe|^anon_pipe|eventfd|epoll|^do_poll|poll|select|^ep_"),
    ("vfs", r"walk_component|lookup|^path_|^d_|^__d_|dput|dentry|inode|iput|namei|filename|"
            r"getname|^vfs_|do_sys_open|do_filp_open|^fput|^__fput|file|^open|close_fd|^fd_|"
            r"^__fd|^do_dentry|^may_|^step_into|^pick_link|^terminate_walk|^complete_walk|"
            r"^legitimize|^unlazy|^follow|^chmod|^chown|^do_fchmod|^do_fchown|^notify_change|"
            r"^generic_|^iterate_dir|^filldir|^dcache|^__lookup|^link_path|^nd_|^set_root|"
            r"^readlink|^do_readlink|^ksys_|^do_sys|^__close|^xattr|^vfs|^dup_fd|^alloc_fd|"
            r"^do_renameat|^do_unlinkat|^do_mkdirat|^do_symlinkat|^do_mknodat|^do_faccessat|"
            r"^do_linkat|^setattr|^evict|^atime|^touch_atime|^prepend_path|^d_path|^iget|^chroot|"
            r"^set_fs_|^is_subdir|^posix_acl|^simple_|^get_cached_acl|^set_cached_acl|^lockref|"
            r"^locks_|^fget|^do_dup|^do_close_on_exec|^filp_|^__kernel_read|^kernel_read|"
            r"^get_unused_fd|^fcntl|^do_fcntl|^__x64_sys_(open|close|read|write|stat|statx|"
            r"newfstat|fstat|lseek|getdents|mkdir|rmdir|unlink|rename|symlink|chdir|fchdir|chroot)"),
    ("mm/faults", r"page|fault|^mm_|mmap|vma|pte|pmd|pud|p4d|folio|lru|^anon_|alloc_pages|"
                  r"^__alloc|kmem|kmalloc|slab|slub|vmalloc|munmap|brk|tlb|^mprotect|"
                  r"^do_mprotect|^change_p|^zap_|^unmap|^free_|^__free|^copy_page|^clear_page|"
                  r"^memcpy|^memset|^copy_user|^copy_from|^copy_to|^__copy|^rep_movs|^clear_user|"
                  r"^strncpy_from_user|^strnlen_user|rmap|^do_anonymous|^filemap|^wp_|^do_wp|"
                  r"^mlock|^percpu|^pcpu|^get_user|^put_user|^__get_user|^__put_user|"
                  r"^mm_|^mmput|^mmdrop|^__mmdrop|^pgd|^__pgd|^mem_|^lock_vma|^find_vma|"
                  r"^mas_|^mt_|^mtree|^mab_|^xas_|^xa_|^radix_tree|^idr_|^ida_|^expand_|"
                  r"^rmqueue|^steal_suitable|^find_suitable|^__rb_|^rb_|^insert_vm|^get_unmapped|"
                  r"^vm_unmapped|^arch_get_unmapped|^__install_special|^map_vdso|^insert_pfn|"
                  r"^vmf_|^refill_|^drain_stock|^__refill|^mod_objcg|^uncharge|^cache_from|"
                  r"^find_lock_entries|^find_get_entries|^workingset|^zero_user|^_copy_|^__memmove|"
                  r"^walk_system_ram|^find_next_iomem|^policy_node|^__next_zones|^__zone|^load_new_mm|"
                  r"^gup|^get_user_pages|^__get_user_pages|^follow_page|^khugepaged"),
    ("sched/time/irq", r"sched|schedule|^pick_|enqueue|dequeue|update_curr|wake|^task_tick|"
                       r"hrtimer|tick|timer|clock|irq|apic|^ktime|^rcu|^__rcu|^do_idle|"
                       r"idle|^cpu|^native_|^__x2apic|^x2apic|^lapic|^timekeeping|^__hrtimer|"
                       r"^account|^cputime|^vtime|^update_|^load_balance|^rebalance|"
                       r"^set_next|^put_prev|^check_preempt|^resched|^__switch_to|"
                       r"^switch_|^finish_task|^context_switch|^__schedule|^preempt|^softirq|"
                       r"^__softirq|^run_|^__run|^handle_|^common_interrupt|^asm_|^sysvec|"
                       r"^__sysvec|^tsc|^read_tsc|^kthread|^worker|^process_one_work|"
                       r"^queue_|^__queue|^insert_work|^try_to_grab|^mutex|^__mutex|^down|"
                       r"^up_|^_raw_|^raw_|^rwsem|^__rwsem|^percpu_|^osq_|^queued_"),
    ("syscall entry", r"^x64_sys_call|^entry_|^do_syscall|syscall_exit|exit_to_user|^__x64_sys|^__do_sys|"
                      r"^syscall_|^do_int80|^error_entry|^error_return|^restore_regs|"
                      r"^swapgs|^__irqentry|^irqentry|^exc_|^do_user_addr_fault|"
                      r"^fpu|^__fpu|^switch_fpu|^fpregs|^xfeature|^restore_fpregs|^save_fpregs"),
    ("misc kernel", r"."),
]


class Symbols:
    """Function start addresses and names, for a lookup by address."""

    def __init__(self, pairs):
        pairs = sorted(pairs)
        self.starts = [a for a, _ in pairs]
        self.names = [n for _, n in pairs]

    def name(self, address):
        i = bisect.bisect_right(self.starts, address) - 1
        return self.names[i] if i >= 0 else "?"


def read_kernel_symbols(template_log):
    _, console, _ = read_log(template_log)
    pairs = []
    for _, text in console:
        if text.startswith("hcs-gcs: ksym "):
            fields = text.split()
            pairs.append((int(fields[2], 16), fields[3]))
    if not pairs:
        raise SystemExit(f"{template_log}: the template's agent said no kernel symbols")
    return Symbols(pairs)


def read_nm(path, base=0):
    out = subprocess.run(["nm", "--defined-only", path], capture_output=True, text=True).stdout
    if not out.strip():  # a stripped library: its exported functions
        out = subprocess.run(["nm", "-D", "--defined-only", path], capture_output=True,
                             text=True).stdout
    pairs = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TtWw":
            pairs.append((int(parts[0], 16) + base, parts[2]))
    return Symbols(pairs)


def find_local_copy(name, agent_path):
    """The file a guest mapping @name was copied from: the build's (beside
    the agent's build folder) or the host's library."""
    build = os.path.dirname(os.path.dirname(os.path.abspath(agent_path)))
    for folder in ("guest", "core", "plugins/argon", "plugins/vm"):
        path = os.path.join(build, folder, name)
        if os.path.exists(path):
            return path
    for folder in ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return path
    return None


def text_range(path):
    """The executable LOAD segment of a non-PIE ELF file (the static helper)."""
    out = subprocess.run(["readelf", "-lW", path], capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] == "LOAD" and "E" in parts[6:-1]:
            start = int(parts[2], 16)
            return start, start + int(parts[5], 16)
    raise SystemExit(f"{path}: no executable LOAD segment")


def subsystem(name, patterns=[(n, re.compile(p)) for n, p in SUBSYSTEMS]):
    for label, pattern in patterns:
        if pattern.search(name):
            return label
    return "misc kernel"


def read_log(path):
    """The blocks' PCs in translation order, the console's lines, each
    with the number of blocks translated before it began, and the number
    translated before the workload ran (PATH with .running for .log: the
    log's size then, bench/xenon.c), or None."""
    pcs = []
    lines = []
    current = bytearray()
    current_start = 0
    expect_pc = False
    serial = re.compile(r"serial_write .*addr 0x0*([0-9a-f]*) val 0x([0-9a-f]+)")
    running_at = None
    running = None
    try:
        with open(re.sub(r"\.log$", ".running", path)) as f:
            running_at = int(f.read())
    except (OSError, ValueError):
        pass
    offset = 0
    with open(path, "rb") as f:
        for raw in f:
            offset += len(raw)
            if running is None and running_at is not None and offset > running_at:
                running = len(pcs)
            line = raw.decode(errors="replace")
            if line.startswith("IN:"):
                expect_pc = True
                continue
            if expect_pc and line.startswith("0x"):
                pcs.append(int(line.split(":", 1)[0], 16))
                expect_pc = False
                continue
            if "serial_write" in line:
                m = serial.search(line)
                if m is None or m.group(1) not in ("", "0"):
                    continue
                byte = int(m.group(2), 16)
                if not current:
                    current_start = len(pcs)
                if byte == 0x0A:
                    lines.append((current_start, current.decode(errors="replace").strip()))
                    current = bytearray()
                elif byte != 0x0D:
                    current.append(byte)
    return pcs, lines, running


def main():
    if len(sys.argv) < 5:
        raise SystemExit("usage: xenon-blocks.py HELPER AGENT TEMPLATE_LOG CLONE_LOG...")
    helper_path, agent_path = sys.argv[1], sys.argv[2]
    kernel = read_kernel_symbols(sys.argv[3])
    helper_range = text_range(helper_path)
    helper = read_nm(helper_path)
    totals = collections.defaultdict(collections.Counter)
    clones = 0

    for log in sys.argv[4:]:
        pcs, console, running = read_log(log)
        marks = [(start, text.split()[2]) for start, text in console
                 if text.startswith("hcs-gcs: mark ")]
        if not marks or marks[-1][1] != "end":
            print(f"{log}: no create's marks (was the template booted with hcs.blocks?)")
            continue
        clones += 1
        maps = []  # (start, end, offset, path)
        modules = []  # (start, name)
        for _, text in console:
            if text.startswith("hcs-gcs: map "):
                fields = text.split()[2:]
                start, end = (int(x, 16) for x in fields[0].split("-"))
                path = fields[5] if len(fields) > 5 else "[anonymous]"
                maps.append((start, end, int(fields[2], 16), path))
            elif text.startswith("hcs-gcs: module "):
                fields = text.split()
                modules.append((int(fields[-1], 16), fields[2]))
        modules.sort()
        module_starts = [a for a, _ in modules]
        # Each mapped file's functions, from the build's copy (the agent,
        # the argon plugin, libhcs) or the host's (the libraries the
        # initramfs copied from it): (start, end, symbols, name).
        files = []
        for start, end, offset, path in maps:
            short = path.rsplit("/", 1)[-1]
            local = find_local_copy(short, agent_path)
            symbols = read_nm(local, start - offset) if local else None
            if short == "hcs-gcs":
                short = "agent (hcs-gcs)"
            files.append((start, end, symbols, short))

        def classify(pc):
            """(where, what): the binary or kernel part, and the function."""
            if pc >= KERNEL_START:
                i = bisect.bisect_right(module_starts, pc) - 1
                if pc >= 0xFFFFFFFFC0000000 and i >= 0:
                    return "kernel", "module " + modules[i][1], modules[i][1]
                name = kernel.name(pc)
                return "kernel", subsystem(name), name
            if helper_range[0] <= pc < helper_range[1]:
                return "user", "runtime helper", helper.name(pc)
            for start, end, symbols, short in files:
                if start <= pc < end:
                    return "user", short, symbols.name(pc) if symbols else short
            return "user", "other (vdso, an exec'd workload)", "?"

        bounds = [(0, "restore+negotiate")] + [(s, n) for s, n in marks]
        if running is not None and running > marks[-1][0]:
            bounds.append((running, "after (stats, remove)"))
        bounds.append((len(pcs), None))
        print(f"\n{log}: {len(pcs)} blocks translated")
        print(f"  {'step':<22} {'blocks':>7} {'kernel':>7} {'user':>7}")
        create = collections.Counter()
        create_functions = collections.Counter()
        for (start, step), (stop, _) in zip(bounds, bounds[1:]):
            step = step if step != "end" else "start to running" if running else "after the create"
            kinds = collections.Counter()
            for pc in pcs[start:stop]:
                where, what, function = classify(pc)
                kinds[where] += 1
                if start >= marks[0][0] and start < marks[-1][0]:
                    create[(where, what)] += 1
                    create_functions[(what, function)] += 1
                totals[step][where] += 1
            print(f"  {step:<22} {stop - start:>7} {kinds['kernel']:>7} {kinds['user']:>7}")
            totals[step]["blocks"] += stop - start
            totals[step]["clones"] += 1
        if running is not None:
            print(f"  from the restore to the workload running: {running} blocks")
            totals["restore to running"]["blocks"] += running
            kernel_blocks = sum(1 for pc in pcs[:running] if pc >= KERNEL_START)
            totals["restore to running"]["kernel"] += kernel_blocks
            totals["restore to running"]["user"] += running - kernel_blocks
            totals["restore to running"]["clones"] += 1
        in_create = sum(create.values())
        totals["create"]["blocks"] += in_create
        print(f"  the create (set-up to end): {in_create} blocks")
        for (where, what), n in create.most_common():
            totals["by part"][f"{where}: {what}"] += n
            print(f"    {where:<6} {what:<36} {n:>6}")
        print("  its 40 functions with the most blocks:")
        for (what, function), n in create_functions.most_common(40):
            totals["by function"][f"{what}: {function}"] += n
            print(f"    {n:>5}  {function} ({what})")

    if clones > 1:
        print(f"\nmean of {clones} clones:")
        print(f"  {'step':<30} {'blocks':>7} {'kernel':>7} {'user':>7}")
        for step, counts in totals.items():
            if step not in ("create", "by part", "by function"):
                n = counts["clones"]
                print(f"  {step:<30} {counts['blocks'] / n:>7.0f} "
                      f"{counts['kernel'] / n:>7.0f} {counts['user'] / n:>7.0f}  ({n} clones)")
        print(f"  the create {totals['create']['blocks'] / clones:.0f} blocks")
        for what, n in totals["by part"].most_common():
            print(f"    {what:<44} {n / clones:>7.0f}")
        print("  the create's 30 functions with the most blocks, per clone:")
        for what, n in totals["by function"].most_common(30):
            print(f"    {n / clones:>5.0f}  {what}")


if __name__ == "__main__":
    main()
