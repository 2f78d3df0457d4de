/* test-xenon-held.c: xenon systems held by a per-system monitor
 * (hcs-monitor with the xenon plugin), reached from other processes.
 *
 * runc's verbs, each its own hcsctl process (create with the annotation
 * io.hcs.isolation=hyperv, start, state, list, exec, kill, delete; run
 * --detach, delete --force), with the init's stdin, stdout and stderr
 * the creating hcsctl's after it exited; an exec with its stdin and stdout
 * from this process through the API; shutdown (through the agent) and
 * terminate; a killed monitor (QEMU goes with it, the system is then
 * Stopped and its run folder and state are cleaned by the next look and
 * the delete); a killed QEMU (UnexpectedExit); stdio on given
 * descriptors for an init and an exec. Each test ends with nothing
 * left: no monitor, no QEMU, no run folder, no state folder.
 *
 * Templates are the contract-hyperv suite's (build/xenon-templates): made
 * once for both.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"
#include "test-sentinel.h"

#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Guards, not timings: a restore under TCG at load 15 takes seconds. */
#define GUARD_S 180

static struct
{
  char *temp_dir;
  char *options_path;
  char *systems_dir;
  GKeyFile *options;
} shared;

static int
run_hcsctl (char **out, const char *stdout_path, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  int status = -1;

  if (stdout_path != NULL)
    {
      /* runc's create: the init keeps the creator's stdio. */
      g_ptr_array_add (argv, "sh");
      g_ptr_array_add (argv, "-c");
      g_ptr_array_add (argv, "out=$1; shift; echo from-stdin > \"$out.in\"; "
                             "exec \"$@\" < \"$out.in\" > \"$out\" 2> \"$out.err\"");
      g_ptr_array_add (argv, "sh");
      g_ptr_array_add (argv, (char *) stdout_path);
    }
  g_ptr_array_add (argv, (char *) g_getenv ("HCSCTL"));
  g_ptr_array_add (argv, "--options");
  g_ptr_array_add (argv, shared.options_path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (err != NULL && err[0] != '\0')
    g_test_message ("hcsctl said: %s", err);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

#define HCSCTL(out, ...) run_hcsctl (out, NULL, (const char *const[]){ __VA_ARGS__, NULL })

static gboolean
process_exists (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *after;

  if (pid <= 0 || !g_file_get_contents (path, &stat, NULL, NULL) ||
      (after = strrchr (stat, ')')) == NULL)
    return FALSE;
  return after[1] == ' ' && after[2] != 'Z' && after[2] != 'X';
}

static void
await_gone (GPid pid, const char *what)
{
  for (int i = 0; i < GUARD_S * 20 && process_exists (pid); i++)
    g_usleep (50 * 1000);
  if (process_exists (pid))
    g_error ("%s %d is still there", what, (int) pid);
}

/* What the system's folder says holds it. */
typedef struct
{
  GPid monitor;
  GPid qemu;
  char *run_dir;
} Held;

static void
held_clear (Held *held)
{
  g_clear_pointer (&held->run_dir, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Held, held_clear)

static void
read_held (const char *id, Held *held)
{
  g_autofree char *folder = g_build_filename (shared.systems_dir, id, NULL);
  g_autofree char *record_path = g_build_filename (folder, "xenon.json", NULL);
  g_autofree char *pid_path = g_build_filename (folder, "monitor.pid", NULL);
  g_autofree char *pid_text = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *record;

  g_assert_true (json_parser_load_from_file (parser, record_path, &error));
  g_assert_no_error (error);
  record = json_node_get_object (json_parser_get_root (parser));
  held->qemu = (GPid) json_object_get_int_member (record, "QemuPid");
  held->run_dir = g_strdup (json_object_get_string_member (record, "RunDir"));
  g_assert_true (g_file_get_contents (pid_path, &pid_text, NULL, &error));
  held->monitor = atoi (pid_text);
  g_assert_true (process_exists (held->monitor));
  g_assert_true (process_exists (held->qemu));
  g_assert_true (g_file_test (held->run_dir, G_FILE_TEST_IS_DIR));
}

/* Nothing of the system: no monitor, no QEMU, no run folder, no state. */
static void
assert_nothing_left (const char *id, const Held *held)
{
  g_autofree char *folder = g_build_filename (shared.systems_dir, id, NULL);

  await_gone (held->monitor, "monitor");
  await_gone (held->qemu, "QEMU");
  g_assert_false (g_file_test (held->run_dir, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
}

static void
await_file_has (const char *path, const char *needle)
{
  g_autofree char *text = NULL;

  for (int i = 0; i < GUARD_S * 10; i++)
    {
      g_clear_pointer (&text, g_free);
      if (g_file_get_contents (path, &text, NULL, NULL) && strstr (text, needle) != NULL)
        return;
      g_usleep (100 * 1000);
    }
  g_error ("%s never had '%s' (it has '%s')", path, needle, text ? text : "");
}

static char *
oci_status (const char *id)
{
  g_autofree char *out = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();

  g_assert_cmpint (HCSCTL (&out, "state", id), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  return g_strdup (
      json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "status"));
}

static char *
write_bundle (const char *name, const char *script)
{
  g_autofree char *bundle = g_build_filename (shared.temp_dir, name, NULL);
  g_autofree char *config_path = g_build_filename (bundle, "config.json", NULL);
  g_autofree char *quoted = g_strescape (script, NULL);
  g_autofree char *config = g_strdup_printf (
      "{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"sh\", \"-c\", \"%s\"], "
      "\"cwd\": \"/\", \"env\": [\"PATH=/bin:/sbin:/usr/bin\", \"FOO=bar\"]}, "
      "\"annotations\": {\"io.hcs.isolation\": \"hyperv\"}}",
      quoted);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (bundle, 0755), ==, 0);
  g_assert_true (g_file_set_contents (config_path, config, -1, &error));
  return g_steal_pointer (&bundle);
}

/* runc's verbs, each a process of its own, as podman drives them. */
static void
test_runc_verbs (void)
{
  g_autofree char *bundle =
      write_bundle ("bundle-verbs", "echo init-out; echo init-err >&2; read line; "
                                    "echo got-$line; exec sleep 1000");
  g_autofree char *out_path = g_build_filename (shared.temp_dir, "verbs.out", NULL);
  g_autofree char *err_path = g_strconcat (out_path, ".err", NULL);
  g_autofree char *out = NULL, *status = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcessConfig) config = hcs_process_config_new ();
  g_autoptr (HcsProcess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *exec_out = NULL;
  g_auto (Held) held = { 0 };
  const char *cat_argv[] = { "sh", "-c", "cat; hostname", NULL };
  int exit_code = -1;

  g_assert_cmpint (run_hcsctl (NULL, out_path,
                               (const char *const[]){ "create", "--bundle", bundle, "held-verbs",
                                                      NULL }),
                   ==, 0);
  read_held ("held-verbs", &held);
  status = oci_status ("held-verbs");
  g_assert_cmpstr (status, ==, "created");
  g_assert_cmpint (HCSCTL (NULL, "start", "held-verbs"), ==, 0);
  /* The creating hcsctl is gone: the monitor holds its stdout and stderr. */
  await_file_has (out_path, "init-out");
  await_file_has (err_path, "init-err");
  await_file_has (out_path, "got-from-stdin");
  g_clear_pointer (&status, g_free);
  status = oci_status ("held-verbs");
  g_assert_cmpstr (status, ==, "running");
  g_assert_cmpint (HCSCTL (&out, "list", "-q"), ==, 0);
  g_assert_cmpstr (out, ==, "held-verbs\n");
  g_assert_cmpint (HCSCTL (NULL, "exec", "held-verbs", "sh", "-c", "exit 5"), ==, 5);
  /* Without --process, from the bundle's process (its env), as runc's. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (HCSCTL (&out, "exec", "held-verbs", "sh", "-c", "echo $FOO $PATH"), ==, 0);
  g_assert_cmpstr (out, ==, "bar /bin:/sbin:/usr/bin\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (HCSCTL (&out, "exec", "--env", "FOO=baz", "held-verbs", "sh", "-c",
                           "echo $FOO $PATH"), ==, 0);
  g_assert_cmpstr (out, ==, "baz /bin:/sbin:/usr/bin\n");

  /* From this process through the API: stdin in, stdout out. */
  host = hcs_host_new (shared.options, &error);
  g_assert_no_error (error);
  container = hcs_host_open_container (host, "held-verbs", &error);
  g_assert_no_error (error);
  config->command_args = g_strdupv ((char **) cat_argv);
  config->create_stdin_pipe = config->create_stdout_pipe = TRUE;
  process = hcs_container_create_process (container, config, &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (hcs_process_get_stdin (process), "ping\n", 5, NULL,
                                            NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_close_stdin (process, &error));
  g_assert_no_error (error);
  exec_out = test_read_all (hcs_process_get_stdout (process));
  g_assert_cmpstr (exec_out, ==, "ping\nheld-verbs\n");
  g_assert_true (hcs_process_wait_timeout (process, -1, NULL, &error));
  g_assert_true (hcs_process_get_exit_code (process, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 0);
  g_clear_object (&process);
  g_clear_object (&container);
  g_clear_object (&host);

  g_assert_cmpint (HCSCTL (NULL, "kill", "held-verbs", "KILL"), ==, 0);
  for (int i = 0; i < GUARD_S * 10; i++)
    {
      g_clear_pointer (&status, g_free);
      status = oci_status ("held-verbs");
      if (g_str_equal (status, "stopped"))
        break;
      g_usleep (100 * 1000);
    }
  g_assert_cmpstr (status, ==, "stopped");
  g_assert_cmpint (HCSCTL (NULL, "delete", "held-verbs"), ==, 0);
  assert_nothing_left ("held-verbs", &held);
  g_assert_cmpint (HCSCTL (NULL, "state", "held-verbs"), !=, 0);
}

static void
read_held_cb (gpointer id, gpointer held)
{
  read_held (id, held);
}

/* runc's verbs with a terminal (podman run -t): the monitor makes the
 * host's pty, hands its master to the console socket and relays it. */
static void
test_console_socket (void)
{
  g_autofree char *bundle = g_build_filename (shared.temp_dir, "bundle-tty", NULL);
  g_auto (Held) held = { 0 };

  test_console_socket_runc_verbs (shared.options_path, bundle,
                                  "{\"io.hcs.isolation\": \"hyperv\"}", "held-tty",
                                  read_held_cb, &held);
  assert_nothing_left ("held-tty", &held);
}

/* runc's run --detach: created and started by one hcsctl, which exits;
 * delete --force ends it from another. */
static void
test_run_detached (void)
{
  g_autofree char *bundle = write_bundle ("bundle-run", "echo detached-out; exec sleep 1000");
  g_autofree char *out_path = g_build_filename (shared.temp_dir, "run.out", NULL);
  g_autofree char *status = NULL;
  g_auto (Held) held = { 0 };

  g_assert_cmpint (run_hcsctl (NULL, out_path,
                               (const char *const[]){ "run", "--detach", "--bundle", bundle,
                                                      "held-run", NULL }),
                   ==, 0);
  read_held ("held-run", &held);
  await_file_has (out_path, "detached-out");
  status = oci_status ("held-run");
  g_assert_cmpstr (status, ==, "running");
  g_assert_cmpint (HCSCTL (NULL, "delete", "--force", "held-run"), ==, 0);
  assert_nothing_left ("held-run", &held);
}

/* Made through the API with [host] monitor=true: the init's pipes are
 * this process's, handed to the monitor. */
static HcsContainer *
create_held (HcsHost *host, const char *id, const char *script)
{
  g_autoptr (HcsContainerConfig) config = hcs_container_config_new ();
  g_autoptr (GKeyFile) system_options = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  const char *argv[] = { "sh", "-c", script, NULL };
  HcsContainer *container;

  config->process = hcs_process_config_new ();
  config->process->command_args = g_strdupv ((char **) argv);
  config->process->create_stdout_pipe = TRUE;
  g_key_file_set_boolean (system_options, "host", "monitor", TRUE);
  container = hcs_host_create_container (host, id, config, system_options, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  return container;
}

static void
read_until (GInputStream *stream, const char *needle)
{
  g_autoptr (GString) seen = g_string_new (NULL);
  char buffer[256];

  while (strstr (seen->str, needle) == NULL)
    {
      gssize length = g_input_stream_read (stream, buffer, sizeof buffer, NULL, NULL);

      g_assert_cmpint (length, >, 0);
      g_string_append_len (seen, buffer, length);
    }
}

/* Shutdown goes through the agent (the init's TERM handler runs);
 * terminate kills every process of the system. */
static void
test_shutdown_terminate (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = hcs_host_new (shared.options, &error);
  const char *ids[] = { "held-shutdown", "held-terminate" };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr (HcsContainer) container =
          create_held (host, ids[i], "trap 'exit 7' TERM; echo ready; "
                                     "while true; do sleep 0.1; done");
      g_autoptr (HcsProcess) init = hcs_container_get_init_process (container, &error);
      g_autoptr (HcsContainerProperties) props = NULL;
      g_auto (Held) held = { 0 };

      g_assert_no_error (error);
      read_held (ids[i], &held);
      read_until (hcs_process_get_stdout (init), "ready");
      if (i == 0)
        g_assert_true (hcs_container_shutdown (container, &error));
      else
        g_assert_true (hcs_container_terminate (container, &error));
      g_assert_no_error (error);
      g_assert_true (hcs_container_wait_timeout (container, GUARD_S * 1000, NULL, &error));
      g_assert_no_error (error);
      props = hcs_container_query_properties (container, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (props->state, ==, "Stopped");
      g_assert_cmpint (props->exit_code, ==, i == 0 ? 7 : 128 + SIGKILL);
      g_assert_cmpstr (props->exit_type, ==, i == 0 ? "GracefulExit" : "ForcedExit");
      g_assert_true (hcs_container_remove (container, &error));
      g_assert_no_error (error);
      assert_nothing_left (ids[i], &held);
    }
}

/* A monitor killed with SIGKILL takes its QEMU along; the system is then
 * seen Stopped, its run folder goes at the next look and its state at
 * the delete. */
static void
test_killed_monitor (void)
{
  g_autofree char *bundle = write_bundle ("bundle-killed", "exec sleep 1000");
  g_autofree char *out_path = g_build_filename (shared.temp_dir, "killed.out", NULL);
  g_autofree char *status = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Held) held = { 0 };

  g_assert_cmpint (run_hcsctl (NULL, out_path,
                               (const char *const[]){ "create", "--bundle", bundle, "held-killed",
                                                      NULL }),
                   ==, 0);
  g_assert_cmpint (HCSCTL (NULL, "start", "held-killed"), ==, 0);
  read_held ("held-killed", &held);
  g_assert_cmpint (kill (held.monitor, SIGKILL), ==, 0);
  /* Its death signal: no one cleans up after it but the kernel. */
  await_gone (held.monitor, "monitor");
  await_gone (held.qemu, "QEMU");

  status = oci_status ("held-killed");
  g_assert_cmpstr (status, ==, "stopped");
  g_assert_false (g_file_test (held.run_dir, G_FILE_TEST_EXISTS));
  host = hcs_host_new (shared.options, &error);
  g_assert_no_error (error);
  container = hcs_host_open_container (host, "held-killed", &error);
  g_assert_no_error (error);
  props = hcs_container_query_properties (container, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (props->state, ==, "Stopped");
  g_assert_cmpint (props->exit_code, ==, 128 + SIGKILL);
  /* Core says whose loss it was. */
  g_assert_cmpstr (props->exit_type, ==, "MonitorLost");
  g_assert_true (hcs_container_wait_timeout (container, 0, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&container);
  g_assert_cmpint (HCSCTL (NULL, "delete", "held-killed"), ==, 0);
  assert_nothing_left ("held-killed", &held);
}

/* A QEMU killed under its monitor: the system is Stopped with
 * UnexpectedExit for every client; remove leaves nothing. */
static void
test_killed_qemu (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = hcs_host_new (shared.options, &error);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsContainer) other = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autofree char *status = NULL;
  g_auto (Held) held = { 0 };

  g_assert_no_error (error);
  container = create_held (host, "held-doomed", "exec sleep 1000");
  read_held ("held-doomed", &held);
  g_assert_cmpint (kill (held.qemu, SIGKILL), ==, 0);
  g_assert_false (hcs_container_wait_timeout (container, GUARD_S * 1000, NULL, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);
  g_clear_error (&error);
  other = hcs_host_open_container (host, "held-doomed", &error);
  g_assert_no_error (error);
  props = hcs_container_query_properties (other, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (props->state, ==, "Stopped");
  g_assert_cmpstr (props->exit_type, ==, "UnexpectedExit");
  status = oci_status ("held-doomed");
  g_assert_cmpstr (status, ==, "stopped");
  g_assert_true (hcs_container_remove (other, &error));
  g_assert_no_error (error);
  assert_nothing_left ("held-doomed", &held);
}

/* Everything from @fd to its end. */
static char *
read_fd (int fd)
{
  g_autoptr (GInputStream) stream = g_unix_input_stream_new (fd, TRUE);

  return test_read_all (stream);
}

/* Stdio given as descriptors (use_stdio_fds: what a monitor hands on,
 * and what its server gives for a client's passed descriptors), for the
 * init and for an exec, in a host of its own without a monitor. */
static void
test_given_fds (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = hcs_host_new (shared.options, &error);
  g_autoptr (HcsContainerConfig) config = hcs_container_config_new ();
  g_autoptr (HcsProcessConfig) exec_config = hcs_process_config_new ();
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) process = NULL;
  g_autofree char *init_out = NULL, *init_err = NULL, *exec_out = NULL;
  const char *init_argv[] = { "sh", "-c", "read line; echo out-$line; echo err >&2", NULL };
  const char *exec_argv[] = { "sh", "-c", "cat; echo exec-done", NULL };
  int in[2], out[2], err[2], exec_in[2], exec_out_pipe[2];
  int exit_code = -1;

  g_assert_no_error (error);
  g_assert_cmpint (pipe2 (in, O_CLOEXEC), ==, 0);
  g_assert_cmpint (pipe2 (out, O_CLOEXEC), ==, 0);
  g_assert_cmpint (pipe2 (err, O_CLOEXEC), ==, 0);
  config->process = hcs_process_config_new ();
  config->process->command_args = g_strdupv ((char **) init_argv);
  config->process->use_stdio_fds = TRUE;
  config->process->stdio_fds[0] = in[0];
  config->process->stdio_fds[1] = out[1];
  config->process->stdio_fds[2] = err[1];
  container = hcs_host_create_container (host, "held-fds", config, NULL, &error);
  g_assert_no_error (error);
  /* The driver keeps copies: ours go, so the ends are theirs alone. */
  close (in[0]);
  close (out[1]);
  close (err[1]);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);

  g_assert_cmpint (pipe2 (exec_in, O_CLOEXEC), ==, 0);
  g_assert_cmpint (pipe2 (exec_out_pipe, O_CLOEXEC), ==, 0);
  exec_config->command_args = g_strdupv ((char **) exec_argv);
  exec_config->use_stdio_fds = TRUE;
  exec_config->stdio_fds[0] = exec_in[0];
  exec_config->stdio_fds[1] = exec_out_pipe[1];
  exec_config->stdio_fds[2] = exec_out_pipe[1];
  process = hcs_container_create_process (container, exec_config, &error);
  g_assert_no_error (error);
  close (exec_in[0]);
  close (exec_out_pipe[1]);
  g_assert_cmpint (write (exec_in[1], "exec-in\n", 8), ==, 8);
  close (exec_in[1]);
  exec_out = read_fd (exec_out_pipe[0]);
  g_assert_cmpstr (exec_out, ==, "exec-in\nexec-done\n");
  g_assert_true (hcs_process_wait_timeout (process, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_get_exit_code (process, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 0);

  g_assert_cmpint (write (in[1], "x\n", 2), ==, 2);
  close (in[1]);
  init_out = read_fd (out[0]);
  init_err = read_fd (err[0]);
  g_assert_cmpstr (init_out, ==, "out-x\n");
  g_assert_cmpstr (init_err, ==, "err\n");
  g_assert_true (hcs_container_wait_timeout (container, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_get_exit_code (container, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 0);
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
  g_clear_object (&process);
  g_clear_object (&container);
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 0);
  {
    g_autofree char *folder = g_build_filename (shared.systems_dir, "held-fds", NULL);
    g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
  }
}

/* hcs-sentinel for runc's callers that wait for --pid-file's process. */
static void
test_sentinel (void)
{
  test_sentinel_lifecycle (shared.options_path, shared.temp_dir, "hyperv");
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  const char *templates = g_getenv ("HCS_XENON_TEMPLATE_DIR");
  int status;

  g_test_init (&argc, &argv, NULL);
  shared.temp_dir = test_make_temp_dir ("hcs-test-xenon-held");
  shared.options = test_make_options (shared.temp_dir);
  g_key_file_set_string (shared.options, "host", "isolation", "hyperv");
  if (templates != NULL)
    g_key_file_set_string (shared.options, "xenon", "template-dir", templates);
  shared.options_path = g_build_filename (shared.temp_dir, "options.ini", NULL);
  g_assert_true (g_key_file_save_to_file (shared.options, shared.options_path, &error));
  shared.systems_dir = g_build_filename (shared.temp_dir, "state", "systems", NULL);

  g_test_add_func ("/xenon-held/runc-verbs", test_runc_verbs);
  g_test_add_func ("/xenon-held/sentinel", test_sentinel);
  g_test_add_func ("/xenon-held/run-detached", test_run_detached);
  g_test_add_func ("/xenon-held/console-socket", test_console_socket);
  g_test_add_func ("/xenon-held/shutdown-terminate", test_shutdown_terminate);
  g_test_add_func ("/xenon-held/killed-monitor", test_killed_monitor);
  g_test_add_func ("/xenon-held/killed-qemu", test_killed_qemu);
  g_test_add_func ("/xenon-held/given-fds", test_given_fds);
  status = g_test_run ();

  test_assert_no_leftovers (shared.temp_dir);
  test_cleanup_cgroup_parent ();
  g_key_file_unref (shared.options);
  test_remove_tree (shared.temp_dir);
  g_free (shared.options_path);
  g_free (shared.systems_dir);
  g_free (shared.temp_dir);
  return status;
}
