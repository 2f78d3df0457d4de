/* xenon.c: what a hyperv (xenon) container costs, beside a bare QEMU boot
 * of the same kernel and initramfs and beside argon and lcow starts.
 *
 *   hcs-bench-xenon WORK_DIR KERNEL INITRD RUNS [PARTS]
 *
 * In one host process, with templates in WORK_DIR/templates:
 *  - bare: plain qemu-system-x86_64 (the same microvm, memory, devices)
 *    booted to the agent's "ready" line on its console;
 *  - cold: a xenon create with [xenon] template=false, to the create's
 *    return (boot, agent ready, container made in the guest);
 *  - template: create + start to the workload's first line on stdout,
 *    from a template made before the runs;
 *  - PSS: RUNS containers from the template running at once, the
 *    proportional set size of each QEMU (smaps_rollup);
 *    and where one QEMU's PSS lies (smaps: guest RAM, QEMU's anonymous
 *    memory, the kernel's file, the rest);
 *  - with a root: create + start from the template of a container whose
 *    root is the busybox image's folder (VolumePath: an erofs image of
 *    its own and a scratch), one at a time;
 *  - argon and lcow: create + start to the workload's first line.
 * Medians are printed in ms. bench/xenon.sh builds the arguments.
 * PARTS "template" runs the template rows only (the lever-by-lever runs).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs.h"
#include "hcs-image.h"
#include "vm-command.h"
#include "vm-template.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *work_dir;
static const char *kernel;
static const char *initrd;

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  if (values->len == 0)
    return 0;
  qsort (values->data, values->len, sizeof (double), compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

static void
print_row (const char *what, GArray *values)
{
  g_autoptr (GString) all = g_string_new (NULL);

  for (guint i = 0; i < values->len; i++)
    g_string_append_printf (all, " %.0f", g_array_index (values, double, i));
  printf ("  %-34s %8.0f ms  (%s )\n", what, median (values), all->str);
  fflush (stdout);
}

static void
die (const char *what, GError *error)
{
  fprintf (stderr, "hcs-bench-xenon: %s: %s\n", what, error ? error->message : "failed");
  exit (1);
}

static GKeyFile *
make_options (const char *isolation)
{
  GKeyFile *options = g_key_file_new ();
  g_autofree char *state = g_build_filename (work_dir, "state", NULL);
  g_autofree char *layers = g_build_filename (work_dir, "layers", NULL);
  g_autofree char *templates = g_getenv ("TEMPLATE_DIR") != NULL
                                   ? g_strdup (g_getenv ("TEMPLATE_DIR"))
                                   : g_build_filename (work_dir, "templates", NULL);

  g_key_file_set_string (options, "host", "state-dir", state);
  g_key_file_set_string (options, "host", "layer-dir", layers);
  g_key_file_set_string (options, "host", "isolation", isolation);
  g_key_file_set_string (options, "argon", "cgroup-parent", "hcs-bench-xenon");
  g_key_file_set_string (options, "xenon", "kernel", kernel);
  g_key_file_set_string (options, "xenon", "initrd", initrd);
  g_key_file_set_string (options, "xenon", "template-dir", templates);
  if (g_getenv ("BOOT_PARAMETERS") != NULL)
    g_key_file_set_string (options, "xenon", "boot-parameters", g_getenv ("BOOT_PARAMETERS"));
  g_key_file_set_string (options, "lcow", "kernel", kernel);
  g_key_file_set_string (options, "lcow", "initrd", initrd);
  return options;
}

static HcsContainerConfig *
make_config (const char *rootfs, const char *script)
{
  HcsContainerConfig *config = hcs_container_config_new ();
  const char *argv[] = { "sh", "-c", script, NULL };

  config->owner = g_strdup ("hcs-bench-xenon");
  config->volume_path = g_strdup (rootfs);
  config->process = hcs_process_config_new ();
  config->process->command_args = g_strdupv ((char **) argv);
  config->process->create_stdout_pipe = TRUE;
  return config;
}

/* The QEMU children of ours before a clone's create (set by main), and
 * the CPU time the clone's QEMU had used once its create returned. */
static GArray *qemus_before_create;
static double clone_cpu_at_create_ms;
/* This process's own CPU (every thread, no child) in the last start_one. */
static double host_cpu_ms;

static double
own_cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}
static double qemu_cpu_of_new_child (GArray *before);

/* Create + start of a container whose workload says "running", to that
 * line; gives the container (running `sleep`) and the ms it took. */
static HcsContainer *
start_one (HcsHost *host, const char *id, const char *rootfs, GKeyFile *system_options,
           double *create_ms, double *running_ms)
{
  g_autoptr (HcsContainerConfig) config = make_config (rootfs, "echo running; exec sleep 1000");
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (GError) error = NULL;
  char line[16] = { 0 };
  gint64 start = g_get_monotonic_time ();
  double cpu_before = own_cpu_ms ();

  container = hcs_host_create_container (host, id, config, system_options, &error);
  if (container == NULL)
    die (id, error);
  if (create_ms != NULL)
    *create_ms = (g_get_monotonic_time () - start) / 1000.0;
  if (qemus_before_create != NULL)
    clone_cpu_at_create_ms = qemu_cpu_of_new_child (qemus_before_create);
  init = hcs_container_get_init_process (container, &error);
  if (init == NULL || !hcs_container_start (container, &error) ||
      g_input_stream_read (hcs_process_get_stdout (init), line, 8, NULL, &error) < 8)
    die (id, error);
  if (running_ms != NULL)
    *running_ms = (g_get_monotonic_time () - start) / 1000.0;
  host_cpu_ms = own_cpu_ms () - cpu_before;
  if (strncmp (line, "running\n", 8) != 0)
    die ("the workload's line", NULL);
  return g_steal_pointer (&container);
}

static void
end_one (HcsContainer *container)
{
  hcs_container_terminate (container, NULL);
  hcs_container_wait_timeout (container, 60000, NULL, NULL);
  hcs_container_remove (container, NULL);
}

/* Plain QEMU: the agent's "ready" line on the console, polled every ms. */
static double
bare_boot (void)
{
  g_autofree char *console = g_build_filename (work_dir, "bare-console.log", NULL);
  g_autofree char *bridge = g_build_filename (work_dir, "bare-bridge.sock", NULL);
  g_autofree char *console_arg = g_strdup_printf ("file,id=console,path=%s", console);
  g_autofree char *bridge_arg =
      g_strdup_printf ("socket,id=bridge,path=%s,server=on,wait=off", bridge);
  g_autofree char *append = NULL;
  VmAccel accel = VM_ACCEL_TCG;
  gboolean kvm = vm_accel_resolve (VM_ACCEL_AUTO, &accel, NULL) && accel == VM_ACCEL_KVM;
  g_autoptr (GError) error = NULL;
  double ms = 0;
  GPid pid;

  if (kvm)
    append = g_strdup ("console=ttyS0 quiet panic=-1");
  else
    /* The library's own TSC figure: a guest told another one keeps
     * another time, and its waits last another while. */
    append = g_strdup_printf ("console=ttyS0 tsc_early_khz=%u %s quiet panic=-1",
                              vm_host_tsc_khz (), vm_accel_guest_parameters (VM_ACCEL_TCG));
  {
    const char *argv[] = { "qemu-system-x86_64", "-nodefaults", "-no-user-config", "-nographic",
                           "-no-reboot", "-machine", "microvm", "-accel",
                           kvm ? "kvm" : "tcg,thread=multi", "-cpu", vm_accel_cpu_model (kvm ? VM_ACCEL_KVM : VM_ACCEL_TCG),
                           "-m", "256", "-smp", "1", "-kernel", kernel, "-initrd", initrd,
                           "-append", append, "-chardev", console_arg, "-serial",
                           "chardev:console", "-device", "virtio-serial-device,id=serial0",
                           "-chardev", bridge_arg, "-device",
                           "virtserialport,bus=serial0.0,chardev=bridge,name=hcs.bridge", NULL };
    gint64 start = g_get_monotonic_time ();

    g_unlink (console);
    if (!g_spawn_async (NULL, (char **) argv, NULL,
                        G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                            G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                        NULL, NULL, &pid, &error))
      die ("qemu-system-x86_64", error);
    for (;;)
      {
        g_autofree char *text = NULL;

        if (g_file_get_contents (console, &text, NULL, NULL) &&
            strstr (text, "hcs-gcs: ready") != NULL)
          break;
        if (g_get_monotonic_time () - start > 300 * G_USEC_PER_SEC)
          die ("bare boot: no ready line in 300 s", NULL);
        g_usleep (1000);
      }
    ms = (g_get_monotonic_time () - start) / 1000.0;
  }
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  g_unlink (console);
  g_unlink (bridge);
  return ms;
}

/* Where the PSS of QEMU @pid lies, in MiB: the guest's RAM (a private
 * mapping of the template's RAM file: the pages the clone wrote since the
 * restore, and its share of those it only read), QEMU's own anonymous
 * memory (heap, TCG's code buffer, ROM and device state), the kernel
 * file, and everything else (QEMU's binary, libraries). */
static void
print_pss_breakdown (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/smaps", pid);
  g_autofree char *smaps = NULL;
  g_auto (GStrv) lines = NULL;
  double ram = 0, anonymous = 0, kernel_file = 0, other = 0, largest_anonymous = 0;
  double *current = &other;
  gboolean current_anonymous = FALSE;

  if (!g_file_get_contents (path, &smaps, NULL, NULL))
    return;
  lines = g_strsplit (smaps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      char *name = NULL;

      if (g_ascii_isxdigit (line[0]) && strchr (line, '-') != NULL && strchr (line, ':') != NULL
          && !g_str_has_prefix (line, "Pss"))
        {
          /* A mapping's header: range perms offset dev inode [path]. */
          g_auto (GStrv) fields = g_strsplit_set (line, " ", 6);

          name = g_strv_length (fields) == 6 ? g_strstrip (fields[5]) : NULL;
          current_anonymous = name == NULL || *name == '\0' || name[0] == '[';
          if (current_anonymous)
            current = &anonymous;
          else if (g_str_has_suffix (name, "/" VM_TEMPLATE_RAM))
            current = &ram;
          else if (g_str_equal (name, kernel))
            current = &kernel_file;
          else
            current = &other;
        }
      else if (g_str_has_prefix (line, "Pss:"))
        {
          double mib = g_ascii_strtod (line + strlen ("Pss:"), NULL) / 1024;

          *current += mib;
          if (current_anonymous && mib > largest_anonymous)
            largest_anonymous = mib;
        }
    }
  printf ("  one QEMU's PSS, MiB: guest RAM %.1f, QEMU's anonymous %.1f (largest mapping %.1f), "
          "kernel file %.1f, the rest %.1f\n", ram, anonymous, largest_anonymous, kernel_file,
          other);
}

/* One QEMU child of ours: its pid, the CPU time (user + system) it used
 * so far in ms, and its proportional set size in KiB. */
typedef struct
{
  int pid;
  double cpu_ms;
  double pss_kib;
} QemuChild;

static GArray *
qemu_children (void)
{
  GArray *children = g_array_new (FALSE, FALSE, sizeof (QemuChild));
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *stat_path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *rollup_path = g_build_filename ("/proc", name, "smaps_rollup", NULL);
      g_autofree char *stat = NULL, *rollup = NULL;
      const char *after, *pss;
      int ppid = 0;
      unsigned long long user = 0, system = 0;
      QemuChild child = { 0 };

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (stat_path, &stat, NULL, NULL) ||
          strstr (stat, "(qemu-system-") == NULL || (after = strrchr (stat, ')')) == NULL ||
          sscanf (after + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ppid,
                  &user, &system) != 3 || ppid != getpid ())
        continue;
      child.pid = atoi (name);
      child.cpu_ms = (user + system) * 1000.0 / sysconf (_SC_CLK_TCK);
      if (g_file_get_contents (rollup_path, &rollup, NULL, NULL) &&
          (pss = strstr (rollup, "\nPss:")) != NULL)
        child.pss_kib = g_ascii_strtod (pss + strlen ("\nPss:"), NULL);
      g_array_append_val (children, child);
    }
  return children;
}

/* The QEMU child of ours that is not in @before: the clone just started. */
static gboolean
find_new_child (GArray *before, QemuChild *found)
{
  g_autoptr (GArray) now = qemu_children ();

  for (guint i = 0; i < now->len; i++)
    {
      QemuChild *child = &g_array_index (now, QemuChild, i);
      gboolean seen = FALSE;

      for (guint j = 0; j < before->len && !seen; j++)
        seen = g_array_index (before, QemuChild, j).pid == child->pid;
      if (!seen)
        {
          *found = *child;
          return TRUE;
        }
    }
  return FALSE;
}

/* With hcs.timing on the kernel command line: the agent's line saying
 * how long each step of container @id's Create took, from the console
 * log named on QEMU @pid's command line (the file the VM library gave
 * it); printed as it is. */
static void
print_guest_timing (int pid, const char *id)
{
  g_autofree char *cmdline_path = g_strdup_printf ("/proc/%d/cmdline", pid);
  g_autofree char *cmdline = NULL;
  g_autofree char *log = NULL;
  g_autofree char *wanted = g_strdup_printf ("create %s:", id);
  gsize length = 0;

  if (!g_file_get_contents (cmdline_path, &cmdline, &length, NULL))
    return;
  for (const char *arg = cmdline; arg < cmdline + length; arg += strlen (arg) + 1)
    {
      const char *path = g_str_has_prefix (arg, "file,id=console,path=")
                             ? arg + strlen ("file,id=console,path=")
                             : NULL;
      const char *line;

      if (path == NULL || !g_file_get_contents (path, &log, NULL, NULL))
        continue;
      if ((line = strstr (log, wanted)) != NULL)
        printf ("    guest: %.*s\n", (int) strcspn (line, "\r\n"), line);
      return;
    }
}

/* With BLOCKS_LOG_DIR (bench/xenon-blocks.sh, whose QEMU wrapper has
 * each clone log its translated blocks to DIR/qemu-PID.log, flushed as it
 * goes): how far clone @pid's log was when its workload ran, in
 * DIR/qemu-PID.running, for bench/xenon-blocks.py to tell the start's
 * blocks from those of what follows (statistics, the remove). */
static void
mark_running_in_block_log (int pid)
{
  const char *dir = g_getenv ("BLOCKS_LOG_DIR");
  g_autofree char *log = NULL;
  g_autofree char *mark = NULL;
  g_autofree char *size = NULL;
  GStatBuf st;

  if (dir == NULL)
    return;
  log = g_strdup_printf ("%s/qemu-%d.log", dir, pid);
  if (g_stat (log, &st) < 0)
    return;
  mark = g_strdup_printf ("%s/qemu-%d.running", dir, pid);
  size = g_strdup_printf ("%lld\n", (long long) st.st_size);
  if (!g_file_set_contents (mark, size, -1, NULL))
    fprintf (stderr, "hcs-bench-xenon: could not write %s\n", mark);
}

static double
qemu_cpu_of_new_child (GArray *before)
{
  QemuChild child = { 0 };

  return find_new_child (before, &child) ? child.cpu_ms : 0;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GKeyFile) options = NULL;
  g_autoptr (GKeyFile) cold_options = g_key_file_new ();
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (GArray) bare = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) cold = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) from_template = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) template_create = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) rooted = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) host_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) rooted_host_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) rooted_create = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) create_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) argon = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) lcow = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) pss = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) clone_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) idle_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) children = NULL;
  g_autoptr (GPtrArray) running = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *images = NULL;
  g_autofree char *rootfs = NULL;
  gint64 runs;
  double template_made_ms;
  gboolean template_only;
  int one_pid = 0;

  if (argc < 5 || argc > 6 || (runs = g_ascii_strtoll (argv[4], NULL, 10)) <= 0
      || (argc == 6 && !g_str_equal (argv[5], "template")))
    {
      fprintf (stderr, "usage: %s WORK_DIR KERNEL INITRD RUNS [template]\n", argv[0]);
      return 2;
    }
  template_only = argc == 6;
  work_dir = argv[1];
  kernel = argv[2];
  initrd = argv[3];
  images = g_build_filename (work_dir, "images", NULL);
  rootfs = hcs_image_ensure_default (images, NULL, &error);
  if (rootfs == NULL)
    die ("the busybox image", error);

  options = make_options ("hyperv");
  host = hcs_host_new (options, &error);
  if (host == NULL)
    die ("host", error);
  g_key_file_set_boolean (cold_options, "xenon", "template", FALSE);

  printf ("xenon (microvm, 256 MiB, 1 vCPU), median of %" G_GINT64_FORMAT " runs\n", runs);
  for (gint64 i = 0; i < runs && !template_only; i++)
    {
      g_autoptr (HcsContainer) container = NULL;
      double ms = 0;

      /* In turn, so that neither always goes first. */
      if (i % 2 == 0)
        {
          double bare_ms = bare_boot ();

          g_array_append_val (bare, bare_ms);
        }
      container = start_one (host, "bench-cold", NULL, cold_options, &ms, NULL);
      g_array_append_val (cold, ms);
      end_one (container);
      if (i % 2 == 1)
        {
          double bare_ms = bare_boot ();

          g_array_append_val (bare, bare_ms);
        }
    }
  if (!template_only)
    {
      print_row ("bare QEMU boot to agent ready", bare);
      print_row ("xenon cold create (agent ready)", cold);
      printf ("  cold/bare = %.2f (goal <= 1.2)\n", median (cold) / median (bare));
    }

  {
    g_autoptr (HcsContainer) first = NULL;

    /* The first create makes the template (a boot and a save). */
    first = start_one (host, "bench-template", NULL, NULL, NULL, &template_made_ms);
    end_one (first);
    printf ("  first create, making the template:  %8.0f ms\n", template_made_ms);
  }
  for (gint64 i = 0; i < runs; i++)
    {
      g_autofree char *id = g_strdup_printf ("bench-clone-%" G_GINT64_FORMAT, i);
      g_autoptr (GArray) before = qemu_children ();
      QemuChild clone = { 0 };
      double ms = 0, create_ms = 0;

      qemus_before_create = before;
      g_ptr_array_add (running, start_one (host, id, NULL, NULL, &create_ms, &ms));
      qemus_before_create = NULL;
      g_array_append_val (create_cpu, clone_cpu_at_create_ms);
      g_array_append_val (host_cpu, host_cpu_ms);
      g_array_append_val (from_template, ms);
      g_array_append_val (template_create, create_ms);
      /* Read at once: what its QEMU used from its start to the workload
       * running (the CPU is steadier than the wall clock under load). */
      if (find_new_child (before, &clone))
        {
          mark_running_in_block_log (clone.pid);
          g_array_append_val (clone_cpu, clone.cpu_ms);
          print_guest_timing (clone.pid, id);
        }
    }
  print_row ("from template, the create", template_create);
  print_row ("from template to workload running", from_template);
  printf ("  (goal <= 800 ms under TCG)\n");
  print_row ("QEMU's CPU time, start to created", create_cpu);
  print_row ("QEMU's CPU time, start to running", clone_cpu);
  print_row ("this process's CPU, create to running", host_cpu);
  /* What an idle clone (its workload asleep) burns, and so takes from
   * the next clone's start: over 5 s, every clone at once. */
  {
    gint64 start = g_get_monotonic_time ();
    g_autoptr (GArray) later = NULL;

    children = qemu_children ();
    g_usleep (5 * G_USEC_PER_SEC);
    later = qemu_children ();
    for (guint i = 0; i < later->len; i++)
      for (guint j = 0; j < children->len; j++)
        if (g_array_index (later, QemuChild, i).pid == g_array_index (children, QemuChild, j).pid)
          {
            double per_s = (g_array_index (later, QemuChild, i).cpu_ms -
                            g_array_index (children, QemuChild, j).cpu_ms) * G_USEC_PER_SEC /
                           (g_get_monotonic_time () - start);

            g_array_append_val (idle_cpu, per_s);
          }
    g_clear_pointer (&children, g_array_unref);
    children = g_steal_pointer (&later);
  }
  print_row ("an idle clone's CPU, ms per s", idle_cpu);
  for (guint i = 0; i < children->len; i++)
    {
      double mib = g_array_index (children, QemuChild, i).pss_kib / 1024;

      g_array_append_val (pss, mib);
      one_pid = g_array_index (children, QemuChild, i).pid;
    }
  printf ("  PSS per running container (%u at once), MiB:", pss->len);
  for (guint i = 0; i < pss->len; i++)
    printf (" %.1f", g_array_index (pss, double, i));
  printf ("  (median %.1f; goal <= 80)\n", median (pss));
  if (one_pid != 0)
    print_pss_breakdown (one_pid);
  for (guint i = 0; i < running->len; i++)
    end_one (running->pdata[i]);
  g_ptr_array_set_size (running, 0);

  /* A clone with a root of the host's, one at a time: its erofs image
   * (made per create: a VolumePath is not cached) and its scratch, whose
   * file system is made while its QEMU starts. */
  for (gint64 i = 0; i < runs; i++)
    {
      g_autofree char *id = g_strdup_printf ("bench-rooted-%" G_GINT64_FORMAT, i);
      g_autoptr (HcsContainer) container = NULL;
      double ms = 0, create_ms = 0;

      container = start_one (host, id, rootfs, NULL, &create_ms, &ms);
      g_array_append_val (rooted_create, create_ms);
      g_array_append_val (rooted, ms);
      g_array_append_val (rooted_host_cpu, host_cpu_ms);
      end_one (container);
    }
  print_row ("with a root: the create", rooted_create);
  print_row ("with a root: to workload running", rooted);
  print_row ("with a root: this process's CPU", rooted_host_cpu);
  g_clear_object (&host);
  if (template_only)
    return 0;

  /* For scale: argon on the busybox image, lcow in its (warm) utility VM. */
  g_clear_pointer (&options, g_key_file_unref);
  options = make_options ("process");
  host = hcs_host_new (options, &error);
  if (host == NULL)
    die ("host", error);
  for (gint64 i = 0; i < runs; i++)
    {
      g_autoptr (HcsContainer) container = NULL;
      double ms = 0;

      container = start_one (host, "bench-argon", rootfs, NULL, NULL, &ms);
      g_array_append_val (argon, ms);
      end_one (container);
    }
  print_row ("argon create + start to running", argon);
  g_clear_object (&host);

  g_clear_pointer (&options, g_key_file_unref);
  options = make_options ("lcow");
  host = hcs_host_new (options, &error);
  if (host == NULL)
    die ("host", error);
  for (gint64 i = 0; i <= runs; i++)
    {
      g_autoptr (HcsContainer) container = NULL;
      double ms = 0;

      container = start_one (host, "bench-lcow", NULL, NULL, NULL, &ms);
      /* The first one boots the utility VM. */
      if (i == 0)
        printf ("  lcow first create (boots its UVM):   %8.0f ms\n", ms);
      else
        g_array_append_val (lcow, ms);
      end_one (container);
    }
  print_row ("lcow create + start (warm UVM)", lcow);
  g_clear_object (&host);
  return 0;
}
