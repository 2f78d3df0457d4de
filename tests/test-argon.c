/* test-argon.c: real process-isolated containers through HcsHost.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"
#include "hcs-runtime-cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  char *temp_dir;
  GKeyFile *options;
  HcsHost *host;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->temp_dir = test_make_temp_dir ("hcs-test-argon");
  fixture->options = test_make_options (fixture->temp_dir);
  fixture->host = hcs_host_new (fixture->options, &error);
  g_assert_no_error (error);
  for (const char *const *e = hcs_host_get_plugin_errors (fixture->host); *e; e++)
    g_test_message ("%s", *e);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->host);
  test_assert_no_leftovers (fixture->temp_dir);
  test_remove_tree (fixture->temp_dir);
  g_free (fixture->temp_dir);
  g_key_file_unref (fixture->options);
}

static HcsContainerConfig *
make_config (const char *const *argv)
{
  HcsContainerConfig *config = hcs_container_config_new ();

  config->volume_path = g_strdup (test_get_busybox_rootfs ());
  if (argv != NULL)
    {
      config->process = hcs_process_config_new ();
      config->process->command_args = g_strdupv ((char **) argv);
      config->process->create_stdin_pipe = TRUE;
      config->process->create_stdout_pipe = TRUE;
      config->process->create_stderr_pipe = TRUE;
    }
  return config;
}

static void
add_mapped_directory (HcsContainerConfig *config, const char *host_path,
                      const char *container_path, gboolean read_only)
{
  HcsMappedDirectory *dir = g_new0 (HcsMappedDirectory, 1);

  dir->host_path = g_strdup (host_path);
  dir->container_path = g_strdup (container_path);
  dir->read_only = read_only;
  if (config->mapped_directories == NULL)
    config->mapped_directories =
        g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_mapped_directory_free);
  g_ptr_array_add (config->mapped_directories, dir);
}

static HcsContainer *
create_started (Fixture *fixture, const char *id, const HcsContainerConfig *config)
{
  g_autoptr (GError) error = NULL;
  HcsContainer *container;

  container = hcs_host_create_container (fixture->host, id, config, NULL, &error);
  g_assert_no_error (error);
  hcs_container_start (container, &error);
  g_assert_no_error (error);
  return container;
}

/* Runs @argv as a container's init to its end: stdout, and the exit code. */
static char *
run_to_end (Fixture *fixture, const char *id, HcsContainerConfig *config, int *exit_code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsContainer) container = create_started (fixture, id, config);
  g_autoptr (HcsProcess) init = hcs_container_get_init_process (container, &error);
  g_autofree char *output = NULL, *errors = NULL;

  g_assert_no_error (error);
  hcs_process_close_stdin (init, &error);
  g_assert_no_error (error);
  output = test_read_all (hcs_process_get_stdout (init));
  errors = test_read_all (hcs_process_get_stderr (init));
  if (*errors)
    g_test_message ("%s stderr: %s", id, errors);
  hcs_container_wait_timeout (container, 30000, NULL, &error);
  g_assert_no_error (error);
  hcs_container_get_exit_code (container, exit_code, &error);
  g_assert_no_error (error);
  hcs_container_remove (container, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&output);
}

static char *
run_simple (Fixture *fixture, const char *id, const char *script, int *exit_code)
{
  const char *argv[] = { "/bin/sh", "-c", script, NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);

  return run_to_end (fixture, id, config, exit_code);
}

static void
test_pid_one_and_hostname (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sh", "-c", "echo pid=$$; hostname; ls /proc/1/ns >/dev/null && echo ok", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autofree char *output = NULL;
  int exit_code = -1;

  config->hostname = g_strdup ("argon-test-host");
  output = run_to_end (fixture, "pid-one", config, &exit_code);
  g_assert_cmpint (exit_code, ==, 0);
  g_assert_cmpstr (output, ==, "pid=1\nargon-test-host\nok\n");
}

static void
test_rootfs_isolated (Fixture *fixture, gconstpointer data)
{
  g_autofree char *marker = g_build_filename (fixture->temp_dir, "host-only-marker", NULL);
  g_autofree char *script = NULL, *output = NULL;
  int exit_code = -1;

  g_assert_true (g_file_set_contents (marker, "x", -1, NULL));
  /* The host's own marker must not be visible; the image's busybox is. */
  script = g_strdup_printf ("test -e %s && echo visible; test -x /bin/busybox && echo busybox;"
                            " test -e /usr/lib/os-release || echo no-host-usr;"
                            " ls /proc/self/fd | tr '\\n' ' '",
                            marker);
  output = run_simple (fixture, "rootfs", script, &exit_code);
  g_assert_cmpint (exit_code, ==, 0);
  /* Only stdio reaches the workload (the 4th entry is ls's own dir fd). */
  g_assert_cmpstr (output, ==, "busybox\nno-host-usr\n0 1 2 3 ");
}

static void
test_security_defaults (Fixture *fixture, gconstpointer data)
{
  g_autofree char *output = NULL;
  int exit_code = -1;

  /* The OCI default capability set is 0xa80425fb. */
  output = run_simple (fixture, "security",
                       "grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status | tr -s '\t' ' ';"
                       " mount -t tmpfs none /mnt 2>/dev/null && echo mounted || echo mount-refused;"
                       " unshare -U true 2>/dev/null && echo unshared || echo unshare-refused;"
                       " test -s /proc/kcore && echo kcore-visible || echo kcore-masked;"
                       " (echo 1 > /proc/sys/kernel/panic) 2>/dev/null && echo sys-writable || echo sys-readonly;"
                       " ls /sys/class/net | tr '\n' ' '",
                       &exit_code);
  g_assert_cmpint (exit_code, ==, 0);
  g_assert_cmpstr (output, ==,
                   "CapEff: 00000000a80425fb\n"
                   "CapBnd: 00000000a80425fb\n"
                   "NoNewPrivs: 1\n"
                   "Seccomp: 2\n"
                   "mount-refused\n"
                   "unshare-refused\n"
                   "kcore-masked\n"
                   "sys-readonly\n"
                   "lo ");
}

/* Until it execs its workload, a container's process runs the host's
 * helper, which any process of the container can reach through
 * /proc/PID/exe. Reopened for writing once the helper is gone, that link
 * would let the container replace the host's helper (CVE-2019-5736, the
 * runc overwrite). The check is made as host root, with more rights than
 * any container process has. */
static void
assert_helper_link_not_writable (Fixture *fixture, gboolean from_read_only_mount)
{
  const char *argv[] = { "true", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *exe_link = NULL, *reopen_path = NULL;
  struct stat exe_stat, helper_stat;
  int exe, written;
  g_autofree char *helper = g_build_filename (fixture->temp_dir, "helper-copy", NULL);
  g_autofree char *helper_bytes = NULL;
  gsize helper_size = 0;
  g_autoptr (GKeyFile) system_options = g_key_file_new ();

  /* A copy of the helper of this test's own: suites run side by side and
   * exec the build's helper meanwhile, and a file being executed refuses
   * writers with ETXTBSY before its mount can say EROFS. */
  g_assert_true (g_file_get_contents (g_getenv ("HCS_RUNTIME_HELPER"), &helper_bytes,
                                      &helper_size, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents_full (helper, helper_bytes, helper_size,
                                           G_FILE_SET_CONTENTS_NONE, 0755, &error));
  g_assert_no_error (error);
  g_key_file_set_string (system_options, "argon", "helper", helper);

  container = hcs_host_create_container (fixture->host, "exe-link", config, system_options,
                                         &error);
  g_assert_no_error (error);
  init = hcs_container_get_init_process (container, &error);
  g_assert_no_error (error);
  /* Created, not started: the init waits in the helper, in the container. */
  exe_link = g_strdup_printf ("/proc/%d/exe", hcs_process_get_pid (init));
  exe = open (exe_link, O_PATH | O_CLOEXEC);
  g_assert_cmpint (exe, >=, 0);
  g_assert_cmpint (fstat (exe, &exe_stat), ==, 0);
  g_assert_cmpint (stat (helper, &helper_stat), ==, 0);
  /* The helper's own file on a read-only mount, or a sealed copy. */
  if (from_read_only_mount)
    g_assert_true (exe_stat.st_ino == helper_stat.st_ino && exe_stat.st_dev == helper_stat.st_dev);
  else
    g_assert_true (exe_stat.st_ino != helper_stat.st_ino || exe_stat.st_dev != helper_stat.st_dev);

  g_assert_true (hcs_container_discard (container, &error));
  g_assert_no_error (error);
  reopen_path = g_strdup_printf ("/proc/self/fd/%d", exe);
  written = open (reopen_path, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (from_read_only_mount)
    {
      g_assert_cmpint (written, ==, -1);
      g_assert_cmpint (errno, ==, EROFS);
    }
  else if (written >= 0)
    {
      /* A sealed memfd opens, but takes no byte. */
      g_assert_cmpint (write (written, "x", 1), ==, -1);
      g_assert_cmpint (errno, ==, EPERM);
      close (written);
    }
  close (exe);
}

static void
test_helper_not_writable (Fixture *fixture, gconstpointer data)
{
  assert_helper_link_not_writable (fixture, TRUE);
}

/* Makes @syscall_number answer ENOSYS in this process and all it starts,
 * as on a kernel that lacks it: for the fallbacks. Run in a subprocess. */
static void
make_syscall_missing (int syscall_number)
{
  struct sock_filter instructions[] = {
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, syscall_number, 0, 1),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog program = { G_N_ELEMENTS (instructions), instructions };

  g_assert_cmpint (prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program), ==, 0);
}

/* Without mount_setattr (before 5.12) the helper is exec'd from a sealed
 * memfd copy instead. */
static void
test_helper_copy_without_mount_setattr (Fixture *fixture, gconstpointer data)
{
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  make_syscall_missing (__NR_mount_setattr);
  assert_helper_link_not_writable (fixture, FALSE);
}

static void
test_user_env_workdir (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sh", "-c",
                         "id -u; id -g; pwd; echo $GREETING; grep CapEff /proc/self/status | tr -s '\t' ' '",
                         NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autofree char *output = NULL;
  int exit_code = -1;

  /* A name, resolved in the container's own /etc/passwd. */
  config->process->user = g_strdup ("nobody");
  config->process->working_directory = g_strdup ("/tmp");
  config->process->environment = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (config->process->environment, g_strdup ("GREETING"), g_strdup ("hi there"));
  output = run_to_end (fixture, "identity", config, &exit_code);
  g_assert_cmpint (exit_code, ==, 0);
  /* A non-root user keeps no capability. */
  g_assert_cmpstr (output, ==, "65534\n65534\n/tmp\nhi there\nCapEff: 0000000000000000\n");
  g_clear_pointer (&output, g_free);

  g_free (config->process->user);
  config->process->user = g_strdup ("no-such-user");
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (HcsContainer) container =
        hcs_host_create_container (fixture->host, "bad-user", config, NULL, &error);

    /* The user is looked up once the root is in place, before the init
     * reports ready (as runc's create fails): the create fails naming it,
     * and leaves no system. */
    g_assert_null (container);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "no-such-user"));
    g_clear_error (&error);
    g_assert_null (hcs_host_open_container (fixture->host, "bad-user", &error));
    g_assert_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST);
  }
}

static void
test_bind_mounts (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sh", "-c",
                         "cat /in/hello; echo written > /out/result;"
                         " echo x > /in/denied 2>/dev/null && echo rw || echo ro", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autofree char *in = g_build_filename (fixture->temp_dir, "in", NULL);
  g_autofree char *out = g_build_filename (fixture->temp_dir, "out", NULL);
  g_autofree char *hello = g_build_filename (in, "hello", NULL);
  g_autofree char *result = g_build_filename (out, "result", NULL);
  g_autofree char *denied = g_build_filename (in, "denied", NULL);
  g_autofree char *output = NULL, *written = NULL;
  int exit_code = -1;

  g_assert_cmpint (g_mkdir (in, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (out, 0755), ==, 0);
  g_assert_true (g_file_set_contents (hello, "from the host\n", -1, NULL));
  add_mapped_directory (config, in, "/in", TRUE);
  add_mapped_directory (config, out, "/out", FALSE);

  output = run_to_end (fixture, "binds", config, &exit_code);
  g_assert_cmpint (exit_code, ==, 0);
  g_assert_cmpstr (output, ==, "from the host\nro\n");
  g_assert_true (g_file_get_contents (result, &written, NULL, NULL));
  g_assert_cmpstr (written, ==, "written\n");
  g_assert_false (g_file_test (denied, G_FILE_TEST_EXISTS));
}

/* A rootfs symlink must not redirect a mount out of the root. */
static void
test_hostile_symlink_mount (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sh", "-c", "cat /evil/victim/file", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autofree char *layer = g_build_filename (fixture->temp_dir, "layer", NULL);
  g_autofree char *link = g_build_filename (layer, "evil", NULL);
  g_autofree char *scratch = g_build_filename (fixture->temp_dir, "scratch", NULL);
  g_autofree char *victim = g_build_filename (fixture->temp_dir, "victim", NULL);
  g_autofree char *victim_file = g_build_filename (victim, "file", NULL);
  g_autofree char *host_target = g_build_filename (fixture->temp_dir, "host-target", NULL);
  g_autoptr (GError) error = NULL;
  HcsLayer *top, *base;

  g_assert_cmpint (g_mkdir_with_parents (layer, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (host_target, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (victim, 0755), ==, 0);
  g_assert_true (g_file_set_contents (victim_file, "mapped\n", -1, NULL));
  /* /evil in the image points at a host folder by absolute path. */
  g_assert_cmpint (symlink (host_target, link), ==, 0);

  g_clear_pointer (&config->volume_path, g_free);
  config->layer_folder_path = g_strdup (scratch);
  config->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_layer_free);
  top = g_new0 (HcsLayer, 1);
  top->id = g_strdup ("evil");
  top->path = g_strdup (layer);
  base = g_new0 (HcsLayer, 1);
  base->id = g_strdup ("busybox");
  base->path = g_strdup (test_get_busybox_rootfs ());
  g_ptr_array_add (config->layers, top);
  g_ptr_array_add (config->layers, base);
  add_mapped_directory (config, victim, "/evil/victim", TRUE);

  /* /evil leads nowhere inside the root: the mount is refused, and the
   * host folder the symlink names gets nothing. */
  g_assert_null (hcs_host_create_container (fixture->host, "hostile", config, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("hostile: %s", error->message);
  g_assert_nonnull (strstr (error->message, "/evil/victim"));
  {
    g_autofree char *escaped = g_build_filename (host_target, "victim", NULL);
    g_assert_false (g_file_test (escaped, G_FILE_TEST_EXISTS));
  }
}

static void
test_layers_overlay (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sh", "-c", "cat /etc/layer-file; echo new > /created; ls /created", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autofree char *layer = g_build_filename (fixture->temp_dir, "layer", NULL);
  g_autofree char *layer_etc = g_build_filename (layer, "etc", NULL);
  g_autofree char *layer_file = g_build_filename (layer_etc, "layer-file", NULL);
  g_autofree char *scratch = g_build_filename (fixture->temp_dir, "scratch", NULL);
  g_autofree char *upper_file = g_build_filename (scratch, "upper", "created", NULL);
  g_autofree char *base_file = g_build_filename (test_get_busybox_rootfs (), "created", NULL);
  g_autofree char *output = NULL;
  HcsLayer *top, *base;
  int exit_code = -1;

  g_assert_cmpint (g_mkdir_with_parents (layer_etc, 0755), ==, 0);
  g_assert_true (g_file_set_contents (layer_file, "from the top layer\n", -1, NULL));
  g_clear_pointer (&config->volume_path, g_free);
  config->layer_folder_path = g_strdup (scratch);
  config->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_layer_free);
  top = g_new0 (HcsLayer, 1);
  top->path = g_strdup (layer);
  base = g_new0 (HcsLayer, 1);
  base->path = g_strdup (test_get_busybox_rootfs ());
  g_ptr_array_add (config->layers, top);
  g_ptr_array_add (config->layers, base);

  output = run_to_end (fixture, "layers", config, &exit_code);
  g_assert_cmpint (exit_code, ==, 0);
  g_assert_cmpstr (output, ==, "from the top layer\n/created\n");
  /* Writes land in the scratch layer, never in a read-only one. */
  g_assert_true (g_file_test (upper_file, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (base_file, G_FILE_TEST_EXISTS));
}

static char *
read_cgroup_value (const char *id, const char *controller, const char *file)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsRuntimeCgroup) cgroup =
      hcs_runtime_cgroup_open (test_get_cgroup_parent (), id, HCS_RUNTIME_CGROUP_VERSION_AUTO,
                               NULL, &error);
  char *value;

  g_assert_no_error (error);
  value = hcs_runtime_cgroup_read (cgroup, controller, file, &error);
  g_assert_no_error (error);
  return g_strstrip (value);
}

static void
test_limits_and_modify (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sleep", "1000", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *value = NULL;
  HcsResourceUpdate update = HCS_RESOURCE_UPDATE_INIT;
  gboolean v2;

  config->memory_maximum_in_mb = 64;
  config->processor_count = 1;
  config->processor_maximum = 5000;
  container = create_started (fixture, "limits", config);

  {
    g_autoptr (HcsRuntimeCgroup) cgroup = hcs_runtime_cgroup_open (
        test_get_cgroup_parent (), "limits", HCS_RUNTIME_CGROUP_VERSION_AUTO, NULL, &error);
    g_assert_no_error (error);
    v2 = hcs_runtime_cgroup_get_version (cgroup) == HCS_RUNTIME_CGROUP_VERSION_2;
  }

  value = read_cgroup_value ("limits", "memory", v2 ? "memory.max" : "memory.limit_in_bytes");
  g_assert_cmpstr (value, ==, "67108864");
  g_free (value);
  value = read_cgroup_value ("limits", "cpuset", "cpuset.cpus");
  g_assert_cmpstr (value, ==, "0");
  g_free (value);
  if (!v2)
    {
      g_autofree char *expected = g_strdup_printf ("%u", 100000 * g_get_num_processors () / 2);
      value = read_cgroup_value ("limits", "cpu", "cpu.cfs_quota_us");
      g_assert_cmpstr (value, ==, expected);
      g_free (value);
    }

  /* Live changes. */
  update.memory_maximum_in_mb = 128;
  update.processor_weight = 200;
  hcs_container_modify (container, &update, &error);
  g_assert_no_error (error);
  value = read_cgroup_value ("limits", "memory", v2 ? "memory.max" : "memory.limit_in_bytes");
  g_assert_cmpstr (value, ==, "134217728");
  g_free (value);
  value = read_cgroup_value ("limits", "cpu", v2 ? "cpu.weight" : "cpu.shares");
  g_assert_cmpstr (value, ==, v2 ? "200" : "2048");

  hcs_container_terminate (container, &error);
  g_assert_no_error (error);
  hcs_container_remove (container, &error);
  g_assert_no_error (error);
}

static void
test_memory_limit_oom (Fixture *fixture, gconstpointer data)
{
  /* dd's 256 MiB buffer is touched as it reads: far over the limit. */
  const char *argv[] = { "/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=256M", "count=1", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GError) error = NULL;
  HcsRuntimeCgroupStats stats = { 0 };
  int exit_code = -1;

  config->memory_maximum_in_mb = 32;
  container = create_started (fixture, "oom", config);
  hcs_container_wait_timeout (container, 60000, NULL, &error);
  g_assert_no_error (error);
  hcs_container_get_exit_code (container, &exit_code, &error);
  g_assert_no_error (error);
  g_assert_cmpint (exit_code, ==, 128 + SIGKILL);

  {
    g_autoptr (HcsRuntimeCgroup) cgroup = hcs_runtime_cgroup_open (
        test_get_cgroup_parent (), "oom", HCS_RUNTIME_CGROUP_VERSION_AUTO, NULL, &error);
    g_assert_no_error (error);
    hcs_runtime_cgroup_get_stats (cgroup, &stats, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (stats.oom_kills, >=, 1);
  }
  props = hcs_container_query_properties (container, &error);
  g_assert_no_error (error);
  g_assert_true (props->stopped);
  g_assert_cmpstr (props->exit_type, ==, "UnexpectedExit");
  hcs_container_remove (container, &error);
  g_assert_no_error (error);
}

/* The shell rewrites the file each step: a read can catch it truncated,
 * so read until it holds a number. */
static guint64
read_counter (const char *path)
{
  for (int tries = 0; tries < 1000; tries++)
    {
      g_autofree char *text = NULL;

      if (g_file_get_contents (path, &text, NULL, NULL) && g_ascii_isdigit (text[0]))
        return g_ascii_strtoull (text, NULL, 10);
      g_usleep (1000);
    }
  return 0;
}

static void
test_pause_resume (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sh", "-c",
                         "i=0; while true; do i=$((i+1)); echo $i > /data/counter; sleep 0.02; done",
                         NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autofree char *counter = g_build_filename (fixture->temp_dir, "counter", NULL);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GError) error = NULL;
  guint64 first, second, third;

  add_mapped_directory (config, fixture->temp_dir, "/data", FALSE);
  container = create_started (fixture, "pause", config);
  while (read_counter (counter) < 3)
    g_usleep (20000);

  hcs_container_pause (container, &error);
  g_assert_no_error (error);
  props = hcs_container_query_properties (container, &error);
  g_assert_cmpstr (props->state, ==, "Paused");
  /* Pausing twice is an invalid state, as in HCS. */
  g_assert_false (hcs_container_pause (container, &error));
  g_assert_true (hcs_error_is_operation_invalid_state (error));
  g_clear_error (&error);

  first = read_counter (counter);
  g_usleep (300000);
  second = read_counter (counter);
  g_assert_cmpuint (first, ==, second);

  hcs_container_resume (container, &error);
  g_assert_no_error (error);
  g_usleep (300000);
  third = read_counter (counter);
  g_assert_cmpuint (third, >, second);

  hcs_container_terminate (container, &error);
  g_assert_no_error (error);
  hcs_container_remove (container, &error);
  g_assert_no_error (error);
}

static void
test_stdin_round_trip (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/cat", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autoptr (HcsContainer) container = create_started (fixture, "stdin", config);
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsProcess) init = hcs_container_get_init_process (container, &error);
  g_autofree char *output = NULL;
  int exit_code = -1;

  g_assert_no_error (error);
  g_output_stream_write_all (hcs_process_get_stdin (init), "through the pipe\n", 17, NULL, NULL,
                             &error);
  g_assert_no_error (error);
  hcs_process_close_stdin (init, &error);
  g_assert_no_error (error);
  output = test_read_all (hcs_process_get_stdout (init));
  g_assert_cmpstr (output, ==, "through the pipe\n");
  hcs_process_wait_timeout (init, 10000, NULL, &error);
  g_assert_no_error (error);
  hcs_process_get_exit_code (init, &exit_code, &error);
  g_assert_cmpint (exit_code, ==, 0);
  hcs_container_remove (container, &error);
  g_assert_no_error (error);
}

/* Reads from a pty until @needle shows up. */
static void
read_until (GInputStream *stream, GString *seen, const char *needle)
{
  while (strstr (seen->str, needle) == NULL)
    {
      char buffer[256];
      g_autoptr (GError) error = NULL;
      gssize n = g_input_stream_read (stream, buffer, sizeof buffer, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (seen, buffer, n);
    }
}

static void
test_console_resize (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sh", "-c", "stty size; read line; stty size; test -t 0 && echo tty", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) seen = g_string_new (NULL);
  int exit_code = -1;

  config->process->emulate_console = TRUE;
  config->process->console_height = 24;
  config->process->console_width = 80;
  container = create_started (fixture, "console", config);
  init = hcs_container_get_init_process (container, &error);
  g_assert_no_error (error);
  g_assert_null (hcs_process_get_stderr (init));

  read_until (hcs_process_get_stdout (init), seen, "24 80");
  hcs_process_resize_console (init, 132, 43, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (hcs_process_get_stdin (init), "\n", 1, NULL, NULL, &error);
  g_assert_no_error (error);
  read_until (hcs_process_get_stdout (init), seen, "43 132");
  read_until (hcs_process_get_stdout (init), seen, "tty");

  hcs_container_wait_timeout (container, 10000, NULL, &error);
  g_assert_no_error (error);
  hcs_container_get_exit_code (container, &exit_code, &error);
  g_assert_cmpint (exit_code, ==, 0);
  hcs_container_remove (container, &error);
  g_assert_no_error (error);
}

static void
test_exit_codes (Fixture *fixture, gconstpointer data)
{
  g_autofree char *output = NULL;
  int exit_code = -1;

  output = run_simple (fixture, "exit-3", "exit 3", &exit_code);
  g_assert_cmpint (exit_code, ==, 3);
  g_free (output);
  output = run_simple (fixture, "not-found", "exec /no/such/program", &exit_code);
  g_assert_cmpint (exit_code, ==, 127);
}

/* /proc/PID/cgroup, one line a hierarchy: "N:CONTROLLERS:PATH". */
static char *
read_cgroups_of (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cgroup", pid);
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

/* The init and an exec'd process are in the container's cgroup in every
 * hierarchy argon uses, however they joined it. @data: NULL for the host's
 * layout (here v1: the process writes "0" to `tasks` itself), "v2" for the
 * host's v2 hierarchy (cloned into it with CLONE_INTO_CGROUP), "v2-clone"
 * for v2 without clone3 (before 5.3: its pid written to cgroup.procs). */
static void
test_cgroup_membership (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sleep", "1000", NULL };
  gboolean v2 = data != NULL;
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autoptr (GKeyFile) system_options = g_key_file_new ();
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcessConfig) exec_config = hcs_process_config_new ();
  g_autoptr (HcsProcess) init = NULL, process = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *ours = g_strdup_printf ("/%s/member", test_get_cgroup_parent ());
  g_autofree char *init_cgroups = NULL, *exec_cgroups = NULL;
  g_auto (GStrv) lines = NULL;
  guint in_ours = 0;

  if (v2)
    {
      if (test_find_v2_root () == NULL)
        {
          g_test_skip ("no cgroup2 hierarchy is mounted");
          return;
        }
      g_key_file_set_string (system_options, "argon", "cgroup-version", "2");
      g_key_file_set_string (system_options, "argon", "cgroup-root", test_find_v2_root ());
    }
  if (v2 && g_str_equal (data, "v2-clone"))
    {
      if (!g_test_subprocess ())
        {
          g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
          g_test_trap_assert_passed ();
          return;
        }
      make_syscall_missing (__NR_clone3);
    }
  container = hcs_host_create_container (fixture->host, "member", config, system_options, &error);
  g_assert_no_error (error);
  init = hcs_container_get_init_process (container, &error);
  g_assert_no_error (error);
  /* Created, the init waits in the helper: nothing of the host's cgroup
   * tree is open in it (a cwd of /proc/self/fd/N would lead out). */
  {
    g_autofree char *fd_folder = g_strdup_printf ("/proc/%d/fd", hcs_process_get_pid (init));
    g_autoptr (GDir) fds = g_dir_open (fd_folder, 0, NULL);
    const char *name;

    g_assert_nonnull (fds);
    while ((name = g_dir_read_name (fds)) != NULL)
      {
        g_autofree char *link = g_build_filename (fd_folder, name, NULL);
        g_autofree char *target = g_file_read_link (link, NULL);
        g_assert_false (target != NULL && g_str_has_prefix (target, "/sys/fs/cgroup"));
      }
  }
  g_assert_true (hcs_container_start (container, &error));
  exec_config->command_line = g_strdup ("/bin/sleep 1000");
  process = hcs_container_create_process (container, exec_config, &error);
  g_assert_no_error (error);

  init_cgroups = read_cgroups_of (hcs_process_get_pid (init));
  exec_cgroups = read_cgroups_of (hcs_process_get_pid (process));
  g_assert_cmpstr (exec_cgroups, ==, init_cgroups);
  lines = g_strsplit (g_strstrip (init_cgroups), "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_test_message ("init: %s", lines[i]);
      in_ours += g_str_has_suffix (lines[i], ours);
      /* The hierarchies that limit it are never left at the host's. */
      if (v2 ? g_str_has_prefix (lines[i], "0::")
             : strstr (lines[i], ":memory:") || strstr (lines[i], ":pids:") ||
                   strstr (lines[i], ":freezer:") || strstr (lines[i], ":cpu:"))
        g_assert_true (g_str_has_suffix (lines[i], ours));
    }
  g_assert_cmpuint (in_ours, >, 0);

  g_assert_true (hcs_process_kill (process, &error));
  g_assert_true (hcs_process_wait_timeout (process, 10000, NULL, &error));
  g_assert_true (hcs_container_discard (container, &error));
  g_assert_no_error (error);
}

static void
test_exec_and_signal_death (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sleep", "1000", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autoptr (HcsContainer) container = create_started (fixture, "exec", config);
  g_autoptr (HcsProcessConfig) exec_config = hcs_process_config_new ();
  g_autoptr (HcsProcess) process = NULL, opened = NULL, init = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *output = NULL;
  int exit_code = -1;

  exec_config->command_line = g_strdup ("/bin/sh -c 'echo joined $(cat /proc/1/comm); kill -9 $$'");
  exec_config->create_stdout_pipe = TRUE;
  process = hcs_container_create_process (container, exec_config, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hcs_process_get_pid (process), >, 1);
  opened = hcs_container_open_process (container, hcs_process_get_pid (process), &error);
  g_assert_no_error (error);
  g_assert_true (opened == process);

  output = test_read_all (hcs_process_get_stdout (process));
  g_assert_cmpstr (output, ==, "joined sleep\n");
  hcs_process_wait_timeout (process, 10000, NULL, &error);
  g_assert_no_error (error);
  hcs_process_get_exit_code (process, &exit_code, &error);
  g_assert_no_error (error);
  g_assert_cmpint (exit_code, ==, 128 + SIGKILL);

  g_assert_null (hcs_container_open_process (container, 999999, &error));
  g_assert_true (hcs_error_is_not_exist (error));
  g_clear_error (&error);

  /* A signal death of the init from the host: 128 + SIGTERM is not it, as
   * pid 1 has no handler; SIGKILL always arrives. */
  init = hcs_container_get_init_process (container, &error);
  hcs_process_kill (init, &error);
  g_assert_no_error (error);
  hcs_container_wait_timeout (container, 10000, NULL, &error);
  g_assert_no_error (error);
  hcs_container_get_exit_code (container, &exit_code, &error);
  g_assert_cmpint (exit_code, ==, 128 + SIGKILL);

  g_assert_false (hcs_process_kill (init, &error));
  g_assert_true (hcs_error_is_already_stopped (error));
  g_clear_error (&error);
  hcs_container_remove (container, &error);
  g_assert_no_error (error);
}

static void
test_open_foreign_process (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sh", "-c", "sleep 1000 & echo started; wait $!", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autoptr (HcsContainer) container = create_started (fixture, "foreign", config);
  g_autoptr (HcsProcess) init = NULL, child = NULL;
  g_autoptr (GPtrArray) processes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) seen = g_string_new (NULL);
  int child_pid = 0, exit_code = -1;

  init = hcs_container_get_init_process (container, &error);
  read_until (hcs_process_get_stdout (init), seen, "started");
  processes = hcs_container_get_process_list (container, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < processes->len; i++)
    {
      HcsProcessListItem *item = processes->pdata[i];
      if ((int) item->process_id != hcs_process_get_pid (init))
        child_pid = item->process_id;
    }
  g_assert_cmpint (child_pid, >, 0);

  /* Not started through hcs, but a member of the system: it can be opened,
   * killed and waited for; only its parent learns its exit code. */
  child = hcs_container_open_process (container, child_pid, &error);
  g_assert_no_error (error);
  hcs_process_kill (child, &error);
  g_assert_no_error (error);
  hcs_process_wait_timeout (child, 10000, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (hcs_process_get_exit_code (child, &exit_code, &error));
  g_assert_true (hcs_error_is_not_supported (error));
  g_clear_error (&error);

  /* The shell's wait returns 128+9 once its child is killed. */
  hcs_container_wait_timeout (container, 10000, NULL, &error);
  g_assert_no_error (error);
  hcs_container_get_exit_code (container, &exit_code, &error);
  g_assert_cmpint (exit_code, ==, 128 + SIGKILL);
  hcs_container_remove (container, &error);
  g_assert_no_error (error);
}

static void
test_wait_timeout (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sleep", "1000", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autoptr (HcsContainer) container = create_started (fixture, "timeout", config);
  g_autoptr (GError) error = NULL;

  g_assert_false (hcs_container_wait_timeout (container, 200, NULL, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_TIMEOUT);
  g_assert_true (hcs_error_is_timeout (error));
  g_clear_error (&error);

  /* A running system cannot be removed. */
  g_assert_false (hcs_container_remove (container, &error));
  g_assert_true (hcs_error_is_operation_invalid_state (error));
  g_clear_error (&error);

  hcs_container_terminate (container, &error);
  g_assert_no_error (error);
  g_assert_false (hcs_container_terminate (container, &error));
  g_assert_true (hcs_error_is_already_stopped (error));
  g_clear_error (&error);
  hcs_container_remove (container, &error);
  g_assert_no_error (error);
}

static void
wait_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  gboolean *done = data;
  g_autoptr (GError) error = NULL;

  hcs_container_wait_finish (HCS_CONTAINER (source), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

static void
test_terminate_with_children (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sh", "-c", "sleep 1000 & sleep 1000 & wait", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autoptr (HcsContainer) container = create_started (fixture, "children", config);
  g_autoptr (GPtrArray) processes = NULL;
  g_autoptr (HcsStatistics) stats = NULL;
  g_autoptr (GError) error = NULL;
  gboolean done = FALSE;

  for (int tries = 0; tries < 100; tries++)
    {
      g_clear_pointer (&processes, g_ptr_array_unref);
      processes = hcs_container_get_process_list (container, &error);
      g_assert_no_error (error);
      if (processes->len >= 3)
        break;
      g_usleep (20000);
    }
  g_assert_cmpuint (processes->len, ==, 3);
  stats = hcs_container_get_statistics (container, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats->memory_usage_commit_bytes, >, 0);

  hcs_container_wait_async (container, NULL, wait_done_cb, &done);
  hcs_container_terminate (container, &error);
  g_assert_no_error (error);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  for (guint i = 0; i < processes->len; i++)
    {
      HcsProcessListItem *item = processes->pdata[i];
      g_assert_cmpint (kill (item->process_id, 0), ==, -1);
    }
  hcs_container_remove (container, &error);
  g_assert_no_error (error);
}

static void
test_shutdown_graceful (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sh", "-c",
                         "trap 'exit 7' TERM; echo ready; while true; do sleep 0.05; done", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autoptr (HcsContainer) container = create_started (fixture, "shutdown", config);
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) seen = g_string_new (NULL);

  init = hcs_container_get_init_process (container, &error);
  read_until (hcs_process_get_stdout (init), seen, "ready");
  hcs_container_shutdown (container, &error);
  g_assert_no_error (error);
  props = hcs_container_query_properties (container, &error);
  g_assert_no_error (error);
  g_assert_true (props->stopped);
  g_assert_cmpint (props->exit_code, ==, 7);
  g_assert_cmpstr (props->exit_type, ==, "GracefulExit");
  hcs_container_remove (container, &error);
  g_assert_no_error (error);
}

static void
test_open_list_close (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsContainerConfig) config = make_config (NULL);
  g_autoptr (HcsContainer) container = NULL, opened = NULL;
  g_autoptr (HcsComputeSystemQuery) query = hcs_compute_system_query_new ();
  g_autoptr (GPtrArray) listed = NULL;
  g_autoptr (GError) error = NULL;
  const char *ids[] = { "listed", NULL };

  /* No Process: the system runs the helper's own init, as an HCS silo. */
  config->owner = g_strdup ("test-owner");
  container = create_started (fixture, "listed", config);
  g_assert_null (hcs_container_get_init_process (container, &error));
  g_assert_true (hcs_error_is_not_exist (error));
  g_clear_error (&error);

  opened = hcs_host_open_container (fixture->host, "listed", &error);
  g_assert_no_error (error);
  g_assert_true (opened == container);

  query->ids = g_strdupv ((char **) ids);
  listed = hcs_host_list_containers (fixture->host, query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 1);
  g_assert_cmpstr (((HcsContainerProperties *) listed->pdata[0])->owner, ==, "test-owner");
  g_assert_cmpstr (((HcsContainerProperties *) listed->pdata[0])->state, ==, "Running");

  /* The same id twice is refused. */
  g_assert_null (hcs_host_create_container (fixture->host, "listed", config, NULL, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);

  /* The helper's init stops on SIGTERM. */
  hcs_container_shutdown (container, &error);
  g_assert_no_error (error);
  hcs_container_remove (container, &error);
  g_assert_no_error (error);
  hcs_container_close (container, &error);
  g_assert_no_error (error);
  g_assert_false (hcs_container_start (container, &error));
  g_assert_true (hcs_error_is_already_closed (error));
}

static void
test_failed_create_leaves_nothing (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/true", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autofree char *missing = g_build_filename (fixture->temp_dir, "missing", NULL);
  g_autoptr (GError) error = NULL;

  /* A bind source that does not exist fails inside the helper, after the
   * cgroup was made: both must be undone. */
  add_mapped_directory (config, missing, "/missing", FALSE);
  g_assert_null (hcs_host_create_container (fixture->host, "failing", config, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "missing"));
  g_clear_error (&error);

  g_clear_pointer (&config->volume_path, g_free);
  config->volume_path = g_strdup (missing);
  g_assert_null (hcs_host_create_container (fixture->host, "failing", config, NULL, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "VolumePath"));
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  if (geteuid () != 0)
    {
      g_test_skip ("argon needs root");
      return 0;
    }

#define ADD(path, func) \
  g_test_add ("/argon/container/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("pid-one-and-hostname", test_pid_one_and_hostname);
  ADD ("rootfs-isolated", test_rootfs_isolated);
  ADD ("security-defaults", test_security_defaults);
  ADD ("helper-not-writable", test_helper_not_writable);
  ADD ("helper-copy-without-mount-setattr", test_helper_copy_without_mount_setattr);
  ADD ("user-env-workdir", test_user_env_workdir);
  ADD ("bind-mounts", test_bind_mounts);
  ADD ("hostile-symlink-mount", test_hostile_symlink_mount);
  ADD ("layers-overlay", test_layers_overlay);
  ADD ("limits-and-modify", test_limits_and_modify);
  ADD ("memory-limit-oom", test_memory_limit_oom);
  ADD ("pause-resume", test_pause_resume);
  ADD ("stdin-round-trip", test_stdin_round_trip);
  ADD ("console-resize", test_console_resize);
  ADD ("exit-codes", test_exit_codes);
  ADD ("cgroup-membership", test_cgroup_membership);
  g_test_add ("/argon/container/cgroup-membership-v2", Fixture, "v2", fixture_set_up,
              test_cgroup_membership, fixture_tear_down);
  g_test_add ("/argon/container/cgroup-membership-v2-clone", Fixture, "v2-clone",
              fixture_set_up, test_cgroup_membership, fixture_tear_down);
  ADD ("exec-and-signal-death", test_exec_and_signal_death);
  ADD ("open-foreign-process", test_open_foreign_process);
  ADD ("wait-timeout", test_wait_timeout);
  ADD ("terminate-with-children", test_terminate_with_children);
  ADD ("shutdown-graceful", test_shutdown_graceful);
  ADD ("open-list-close", test_open_list_close);
  ADD ("failed-create-leaves-nothing", test_failed_create_leaves_nothing);
#undef ADD

  result = g_test_run ();
  test_cleanup_cgroup_parent ();
  return result;
}
