/* test-lcow.c: plugins/lcow end to end, through the public API and hcsctl.
 *
 * One host (so one utility VM, TCG here) is shared by the tests, in order;
 * the last lets it go and checks nothing is left: no QEMU, no run folder.
 * hcsctl run boots a UVM of its own in its own process.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static struct
{
  char *temp_dir;
  HcsHost *host;
  HcsContainer *sleeper; /* a running container the exec tests use */
} shared;

/* The QEMU processes that are our children; @pid_out gets one. */
static guint
find_our_qemus (GPid *pid_out)
{
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  g_autofree char *parent = g_strdup_printf ("%d", (int) getpid ());
  const char *name;
  guint count = 0;

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *stat_path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *stat = NULL;
      g_auto (GStrv) fields = NULL;
      const char *after;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (stat_path, &stat, NULL, NULL) ||
          (after = strrchr (stat, ')')) == NULL)
        continue;
      fields = g_strsplit (after + 2, " ", 3);
      if (g_strv_length (fields) >= 2 && g_str_equal (fields[1], parent) &&
          strstr (stat, "(qemu-system-") != NULL && fields[0][0] != 'Z')
        {
          count++;
          if (pid_out != NULL)
            *pid_out = atoi (name);
        }
    }
  return count;
}

static guint
count_our_qemus (void)
{
  return find_our_qemus (NULL);
}

static HcsContainerConfig *
make_config (const char *const *argv)
{
  HcsContainerConfig *config = hcs_container_config_new ();

  config->owner = g_strdup ("test-lcow");
  /* No root file system: the guest's busybox image. */
  config->process = hcs_process_config_new ();
  config->process->command_args = g_strdupv ((char **) argv);
  config->process->create_stdin_pipe = TRUE;
  config->process->create_stdout_pipe = TRUE;
  config->process->create_stderr_pipe = TRUE;
  return config;
}

static void
test_init_stdio (void)
{
  const char *argv[] = { "sh", "-c", "echo out; echo err >&2; tr a-z A-Z; exit 7", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  int exit_code = -1;

  g_assert_cmpuint (count_our_qemus (), ==, 0);
  container = hcs_host_create_container (shared.host, "lcow-init", config, NULL, &error);
  g_assert_no_error (error);
  /* The UVM came up for it: one QEMU. */
  g_assert_cmpuint (count_our_qemus (), ==, 1);
  init = hcs_container_get_init_process (container, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  g_output_stream_write_all (hcs_process_get_stdin (init), "ping\n", 5, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_process_close_stdin (init, &error));
  g_assert_no_error (error);
  out = test_read_all (hcs_process_get_stdout (init));
  err = test_read_all (hcs_process_get_stderr (init));
  g_assert_cmpstr (out, ==, "out\nPING\n");
  g_assert_cmpstr (err, ==, "err\n");
  g_assert_true (hcs_process_wait_timeout (init, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_get_exit_code (init, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 7);
  g_assert_true (hcs_container_wait_timeout (container, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
}

static void
test_exec (void)
{
  const char *sleeper[] = { "sleep", "1000", NULL };
  const char *argv[] = { "sh", "-c", "echo from exec; ps -o args; exit 3", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (sleeper);
  g_autoptr (HcsProcessConfig) process = hcs_process_config_new ();
  g_autoptr (HcsProcess) exec = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  int exit_code = -1;

  config->process->create_stdin_pipe = FALSE;
  config->process->create_stdout_pipe = FALSE;
  config->process->create_stderr_pipe = FALSE;
  shared.sleeper = hcs_host_create_container (shared.host, "lcow-sleeper", config, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (shared.sleeper, &error));
  g_assert_no_error (error);
  /* Still the one UVM. */
  g_assert_cmpuint (count_our_qemus (), ==, 1);

  process->command_args = g_strdupv ((char **) argv);
  process->create_stdout_pipe = TRUE;
  exec = hcs_container_create_process (shared.sleeper, process, &error);
  g_assert_no_error (error);
  out = test_read_all (hcs_process_get_stdout (exec));
  g_assert_true (g_str_has_prefix (out, "from exec\n"));
  /* It sees its container's init, in a namespace of its own. */
  g_assert_nonnull (strstr (out, "sleep 1000"));
  g_assert_null (strstr (out, "hcs-gcs"));
  g_assert_true (hcs_process_wait_timeout (exec, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_get_exit_code (exec, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 3);
}

static void
test_signal_and_remove (void)
{
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) listed = NULL;
  int exit_code = -1;

  g_assert_nonnull (shared.sleeper);
  init = hcs_container_get_init_process (shared.sleeper, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_terminate (shared.sleeper, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_wait_timeout (shared.sleeper, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_wait_timeout (init, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_get_exit_code (init, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 128 + SIGKILL);
  g_assert_true (hcs_container_remove (shared.sleeper, &error));
  g_assert_no_error (error);
  g_clear_object (&shared.sleeper);
  listed = hcs_host_list_containers (shared.host, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 0);
}

/* A UVM killed under its containers: calls on them fail rather than hang,
 * and the next create boots another. */
static void
test_killed_uvm (void)
{
  const char *sleeper[] = { "sleep", "1000", NULL };
  const char *exit_4[] = { "sh", "-c", "echo again; exit 4", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (sleeper);
  g_autoptr (HcsContainerConfig) next_config = make_config (exit_4);
  g_autoptr (HcsContainer) doomed = NULL, next = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  GPid qemu = 0;
  int exit_code = -1;

  config->process->create_stdin_pipe = FALSE;
  config->process->create_stdout_pipe = FALSE;
  config->process->create_stderr_pipe = FALSE;
  doomed = hcs_host_create_container (shared.host, "lcow-doomed", config, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (doomed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (find_our_qemus (&qemu), ==, 1);
  g_assert_cmpint (kill (qemu, SIGKILL), ==, 0);
  /* A bounded wait: it must end with an error either way. */
  g_assert_false (hcs_container_wait_timeout (doomed, 60000, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("the doomed container's wait: %s", error->message);
  g_clear_error (&error);

  next = hcs_host_create_container (shared.host, "lcow-next", next_config, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_our_qemus (), ==, 1);
  init = hcs_container_get_init_process (next, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (next, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_close_stdin (init, &error));
  g_assert_no_error (error);
  out = test_read_all (hcs_process_get_stdout (init));
  g_assert_cmpstr (out, ==, "again\n");
  g_assert_true (hcs_process_wait_timeout (init, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_get_exit_code (init, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 4);
  g_assert_true (hcs_container_wait_timeout (next, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_remove (next, &error));
  g_assert_no_error (error);
}

static void
test_refused (void)
{
  const char *argv[] = { "true", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GError) error = NULL;

  /* A host root file system does not reach the guest yet: said, not dropped. */
  config->volume_path = g_strdup (test_get_busybox_rootfs ());
  container = hcs_host_create_container (shared.host, "lcow-refused", config, NULL, &error);
  g_assert_null (container);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "root file system"));
}

static void
test_nothing_left (void)
{
  g_clear_object (&shared.host);
  g_assert_cmpuint (count_our_qemus (), ==, 0);
  test_assert_no_leftovers (shared.temp_dir);
}

static void
test_hcsctl_run (void)
{
  const char *hcsctl = g_getenv ("HCSCTL");
  const char *argv[] = { hcsctl, "run", "--isolation", "lcow", "--", "sh", "-c",
                         "echo hi; exit 3", NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_assert_nonnull (hcsctl);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  g_test_message ("hcsctl said: %s", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 3);
  g_assert_cmpstr (out, ==, "hi\n");
}

int
main (int argc, char **argv)
{
  g_autoptr (GKeyFile) options = NULL;
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  shared.temp_dir = test_make_temp_dir ("hcs-test-lcow");
  options = test_make_options (shared.temp_dir);
  g_key_file_set_string (options, "host", "isolation", "lcow");
  shared.host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  g_test_add_func ("/lcow/init-stdio", test_init_stdio);
  g_test_add_func ("/lcow/exec", test_exec);
  g_test_add_func ("/lcow/signal-and-remove", test_signal_and_remove);
  g_test_add_func ("/lcow/killed-uvm", test_killed_uvm);
  g_test_add_func ("/lcow/refused", test_refused);
  g_test_add_func ("/lcow/nothing-left", test_nothing_left);
  g_test_add_func ("/lcow/hcsctl-run", test_hcsctl_run);
  status = g_test_run ();
  g_clear_object (&shared.sleeper);
  g_clear_object (&shared.host);
  test_cleanup_cgroup_parent ();
  test_remove_tree (shared.temp_dir);
  g_free (shared.temp_dir);
  return status;
}
