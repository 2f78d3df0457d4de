/* test-monitor.c: compute systems held by a monitor, seen from several
 * processes: the creator killed, the monitor killed, racing creators,
 * queries, the event order, corrupt state.
 *
 * Other processes are this program run again with a role (see main), so
 * that no test forks a process with threads.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"

#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *self_path;

typedef struct {
  char *temp_dir;
  char *options_file;
  GKeyFile *options;
  HcsHost *host;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->temp_dir = test_make_temp_dir ("hcs-test-monitor");
  fixture->options = test_make_options (fixture->temp_dir);
  g_key_file_set_boolean (fixture->options, "host", "monitor", TRUE);
  fixture->options_file = g_build_filename (fixture->temp_dir, "options.ini", NULL);
  g_assert_true (g_key_file_save_to_file (fixture->options, fixture->options_file, NULL));
  fixture->host = hcs_host_new (fixture->options, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_autofree char *state_root = g_build_filename (fixture->temp_dir, "state", NULL);

  /* Removed systems leave no state folder (and their monitors exit). */
  test_assert_no_state_folders (state_root);
  g_clear_object (&fixture->host);
  test_assert_no_leftovers (fixture->temp_dir);
  test_remove_tree (fixture->temp_dir);
  g_key_file_unref (fixture->options);
  g_free (fixture->temp_dir);
  g_free (fixture->options_file);
}

static HcsContainerConfig *
make_config (const char *name, const char *const *argv, gboolean stdout_pipe)
{
  HcsContainerConfig *config = hcs_container_config_new ();

  config->name = g_strdup (name);
  config->owner = g_strdup ("test-monitor");
  /* A role process uses its test's root: one killed on purpose must leave
   * no image folder of its own behind. */
  config->volume_path = g_strdup (g_getenv ("HCS_TEST_ROOTFS") ? g_getenv ("HCS_TEST_ROOTFS")
                                                               : test_get_busybox_rootfs ());
  config->process = hcs_process_config_new ();
  config->process->command_args = g_strdupv ((char **) argv);
  config->process->create_stdout_pipe = stdout_pipe;
  return config;
}

/* Runs this program with a role; returns its exit status. */
static int
run_role (const char *role, const char *options_file, const char *id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) child =
      g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, self_path, role, options_file, id, NULL);

  g_assert_no_error (error);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  return g_subprocess_get_if_exited (child) ? g_subprocess_get_exit_status (child)
                                            : 128 + g_subprocess_get_term_sig (child);
}

static void
remove_system (HcsContainer *container)
{
  g_autoptr (GError) error = NULL;

  hcs_container_terminate (container, NULL);
  g_assert_true (hcs_container_wait_timeout (container, 10000, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
}

static void
exited_cb (HcsContainer *container, int exit_code, gpointer data)
{
  *(int *) data = exit_code;
}

/* Created here, waited for in another process, which reads the exit code;
 * our own handle gets the output and the "exited" signal. */
static void
test_open_elsewhere (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "sh", "-c", "echo from-monitored; sleep 0.5; exit 42", NULL };
  g_autoptr (HcsContainerConfig) config = make_config ("elsewhere", argv, TRUE);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GSubprocess) waiter = NULL;
  int exited_code = -1000;

  container = hcs_host_create_container (fixture->host, "elsewhere", config, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (container, "exited", G_CALLBACK (exited_cb), &exited_code);
  props = hcs_container_query_properties (container, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (props->state, ==, "Created");
  g_assert_cmpstr (props->owner, ==, "test-monitor");
  g_clear_pointer (&props, hcs_container_properties_free);

  /* Another process opens it and waits for it to end. */
  waiter = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, self_path, "wait-exit-code",
                             fixture->options_file, "elsewhere", NULL);
  g_assert_no_error (error);
  g_usleep (100000);

  init = hcs_container_get_init_process (container, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  lines = g_data_input_stream_new (hcs_process_get_stdout (init));
  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "from-monitored");

  g_assert_true (g_subprocess_wait (waiter, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (waiter), ==, 42);
  g_assert_true (hcs_container_wait_timeout (container, 10000, NULL, &error));
  g_assert_no_error (error);
  props = hcs_container_query_properties (container, &error);
  g_assert_true (props->stopped);
  g_assert_cmpint (props->exit_code, ==, 42);
  while (exited_code == -1000)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (exited_code, ==, 42);

  /* exec through the monitor, with pipes of ours. */
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
}

static void
test_exec (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "sleep", "1000", NULL };
  g_autoptr (HcsContainerConfig) config = make_config ("exec", argv, FALSE);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcessConfig) exec_config = hcs_process_config_new ();
  g_autoptr (HcsProcess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  const char *exec_argv[] = { "sh", "-c", "read x; echo got-$x; exit 3", NULL };
  int exit_code = -1;

  /* An OCI field crosses the monitor's JSON (ContainerConfig.Oci). */
  config->sysctl = g_strdupv ((char **) (const char *[]) { "kernel.shmmni=999", NULL });
  container = hcs_host_create_container (fixture->host, "exec", config, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  exec_config->command_args = g_strdupv ((char **) exec_argv);
  exec_config->create_stdin_pipe = exec_config->create_stdout_pipe = TRUE;
  process = hcs_container_create_process (container, exec_config, &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (hcs_process_get_stdin (process), "ping\n", 5, NULL,
                                            NULL, &error));
  g_assert_true (hcs_process_close_stdin (process, &error));
  lines = g_data_input_stream_new (hcs_process_get_stdout (process));
  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_cmpstr (line, ==, "got-ping");
  g_assert_true (hcs_process_wait_timeout (process, 10000, NULL, &error));
  g_assert_true (hcs_process_get_exit_code (process, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 3);
  {
    g_autoptr (GPtrArray) list = hcs_container_get_process_list (container, &error);
    g_autoptr (HcsStatistics) stats = hcs_container_get_statistics (container, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (list->len, ==, 1);
    g_assert_cmpuint (stats->memory_usage_commit_bytes, >, 0);
  }
  /* And an exec's (ProcessConfig.Oci): runc's exec --cap, a umask. */
  {
    const char *oci_argv[] = { "sh", "-c",
                               "grep CapBnd /proc/self/status | tr -s '\\t' ' ';"
                               " umask; cat /proc/sys/kernel/shmmni", NULL };
    g_autoptr (HcsProcessConfig) oci_config = hcs_process_config_new ();
    g_autoptr (HcsProcess) oci_process = NULL;
    g_autoptr (GDataInputStream) oci_lines = NULL;
    const char *expected[] = { "CapBnd: 00000000a82425fb", "0077", "999" };

    oci_config->command_args = g_strdupv ((char **) oci_argv);
    oci_config->create_stdout_pipe = TRUE;
    oci_config->cap_added = g_strdupv ((char **) (const char *[]) { "CAP_SYS_ADMIN", NULL });
    oci_config->has_umask = TRUE;
    oci_config->umask = 077;
    oci_process = hcs_container_create_process (container, oci_config, &error);
    g_assert_no_error (error);
    oci_lines = g_data_input_stream_new (hcs_process_get_stdout (oci_process));
    for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        g_autofree char *text = g_data_input_stream_read_line (oci_lines, NULL, NULL, &error);
        g_assert_no_error (error);
        g_assert_cmpstr (text, ==, expected[i]);
      }
    g_assert_true (hcs_process_wait_timeout (oci_process, 10000, NULL, &error));
    g_assert_true (hcs_process_get_exit_code (oci_process, &exit_code, &error));
    g_assert_cmpint (exit_code, ==, 0);
  }
  remove_system (container);
}

static char *
namespace_link (guint32 pid, const char *type)
{
  g_autofree char *path = pid ? g_strdup_printf ("/proc/%u/ns/%s", pid, type)
                              : g_strdup_printf ("/proc/self/ns/%s", type);
  char *link = g_file_read_link (path, NULL);

  g_assert_nonnull (link);
  return link;
}

/* An OCI config's linux.namespaces and hooks cross the monitor's JSON
 * (ContainerConfig.Oci): the monitor makes the container the config
 * asks for, the host's namespaces where a type is absent (mount too),
 * and runs its hooks with their state. */
static void
test_oci_namespaces_and_hooks (Fixture *fixture, gconstpointer data)
{
  g_autofree char *hook_out = g_build_filename (fixture->temp_dir, "hook-state", NULL);
  g_autofree char *json = g_strdup_printf (
      "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"%s\"},"
      " \"process\": {\"args\": [\"sleep\", \"1000\"], \"env\": [\"PATH=/bin\"], \"cwd\": \"/\"},"
      " \"hooks\": {\"createRuntime\": [{\"path\": \"/bin/sh\","
      "   \"args\": [\"sh\", \"-c\", \"cat > %s\"], \"timeout\": 30}]},"
      " \"annotations\": {\"org.example.test\": \"monitored\"},"
      " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"uts\"}]}}",
      test_get_busybox_rootfs (), hook_out);
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsContainerConfig) config = hcs_container_config_from_json (json, NULL, &error);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autofree char *state = NULL;
  const char *shared[] = { "net", "ipc", "mnt", "cgroup", "user" };
  const char *own[] = { "pid", "uts" };

  g_assert_no_error (error);
  container = hcs_host_create_container (fixture->host, "oci-monitored", config, NULL, &error);
  g_assert_no_error (error);
  props = hcs_container_query_properties (container, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (props->init_process_id, >, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (shared); i++)
    {
      g_autofree char *ours = namespace_link (0, shared[i]);
      g_autofree char *theirs = namespace_link (props->init_process_id, shared[i]);
      g_test_message ("%s: host %s, container %s", shared[i], ours, theirs);
      g_assert_cmpstr (ours, ==, theirs);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (own); i++)
    {
      g_autofree char *ours = namespace_link (0, own[i]);
      g_autofree char *theirs = namespace_link (props->init_process_id, own[i]);
      g_assert_cmpstr (ours, !=, theirs);
    }
  /* The createRuntime hook ran, in the monitor's helper, with its state. */
  g_assert_true (g_file_get_contents (hook_out, &state, NULL, NULL));
  g_test_message ("hook state: %s", state);
  g_assert_nonnull (strstr (state, "\"id\":\"oci-monitored\""));
  g_assert_nonnull (strstr (state, "\"org.example.test\":\"monitored\""));
  g_assert_nonnull (strstr (state, "\"status\":\"creating\""));
  remove_system (container);
}

/* Reads a pty master until its slave side is gone (EIO). */
static char *
read_console (GInputStream *stream)
{
  g_autoptr (GString) text = g_string_new (NULL);
  char buffer[256];

  for (;;)
    {
      gssize n = g_input_stream_read (stream, buffer, sizeof buffer, NULL, NULL);
      if (n <= 0)
        break;
      g_string_append_len (text, buffer, n);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The monitor keeps the consoles; a client gets a copy of one. */
static void
test_console (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "sh", "-c", "sleep 0.3; tty; echo hi-console", NULL };
  g_autoptr (HcsContainerConfig) config = make_config ("console", argv, FALSE);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL, process = NULL;
  g_autoptr (HcsProcessConfig) exec_config = hcs_process_config_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *output = NULL, *exec_output = NULL;
  const char *exec_argv[] = { "sh", "-c", "tty", NULL };
  int exit_code = -1;

  config->process->emulate_console = TRUE;
  container = hcs_host_create_container (fixture->host, "console", config, NULL, &error);
  g_assert_no_error (error);
  init = hcs_container_get_init_process (container, &error);
  g_assert_no_error (error);
  g_assert_nonnull (hcs_process_get_stdout (init));
  g_assert_true (hcs_container_start (container, &error));

  exec_config->command_args = g_strdupv ((char **) exec_argv);
  exec_config->emulate_console = TRUE;
  process = hcs_container_create_process (container, exec_config, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_process_resize_console (process, 100, 30, &error));
  exec_output = read_console (hcs_process_get_stdout (process));
  g_assert_nonnull (strstr (exec_output, "/dev/pts/"));

  output = read_console (hcs_process_get_stdout (init));
  g_assert_nonnull (strstr (output, "/dev/pts/0"));
  g_assert_nonnull (strstr (output, "hi-console"));
  g_assert_true (hcs_container_wait_timeout (container, 10000, NULL, &error));
  g_assert_true (hcs_container_get_exit_code (container, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 0);
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
}

/* The creator killed right after create: the system is still there for
 * anyone to start, and works. */
static void
test_creator_killed (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (run_role ("create-and-die", fixture->options_file, "orphan"), ==, 128 + SIGKILL);
  container = hcs_host_open_container (fixture->host, "orphan", &error);
  g_assert_no_error (error);
  props = hcs_container_query_properties (container, &error);
  g_assert_cmpstr (props->state, ==, "Created");
  g_clear_pointer (&props, hcs_container_properties_free);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_wait_timeout (container, 10000, NULL, &error));
  g_assert_no_error (error);
  props = hcs_container_query_properties (container, &error);
  g_assert_cmpint (props->exit_code, ==, 7);
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
}

/* The monitor killed: every client reports the system stopped, saying
 * why, and a removal cleans up everything. */
static void
test_monitor_killed (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "sleep", "1000", NULL };
  g_autoptr (HcsContainerConfig) config = make_config ("victim", argv, FALSE);
  g_autoptr (HcsContainer) container = NULL, reopened = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *pid_path = g_build_filename (fixture->temp_dir, "state", "systems", "victim",
                                                "monitor.pid", NULL);
  g_autofree char *pid_text = NULL;
  int monitor_pid, init_pid;

  container = hcs_host_create_container (fixture->host, "victim", config, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  props = hcs_container_query_properties (container, &error);
  init_pid = (int) props->init_process_id;
  g_clear_pointer (&props, hcs_container_properties_free);
  g_assert_true (g_file_get_contents (pid_path, &pid_text, NULL, NULL));
  monitor_pid = (int) g_ascii_strtoll (pid_text, NULL, 10);
  g_assert_cmpint (kill (monitor_pid, SIGKILL), ==, 0);
  /* The workload dies with it (the helper's parent-death signal). */
  for (int i = 0; i < 200 && kill (init_pid, 0) == 0; i++)
    g_usleep (20000);
  g_assert_cmpint (kill (init_pid, 0), !=, 0);

  reopened = hcs_host_open_container (fixture->host, "victim", &error);
  g_assert_no_error (error);
  props = hcs_container_query_properties (reopened, &error);
  g_assert_no_error (error);
  g_assert_true (props->stopped);
  g_assert_cmpstr (props->state, ==, "Stopped");
  g_assert_cmpstr (props->exit_type, ==, "MonitorLost");
  g_assert_true (hcs_container_remove (reopened, &error));
  g_assert_no_error (error);
}

/* Two processes create one id at once: exactly one wins. */
static void
test_racing_creators (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) first = NULL, second = NULL;
  g_autoptr (HcsContainer) container = NULL;
  int codes[2];

  first = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, self_path, "create-only",
                            fixture->options_file, "contested", NULL);
  second = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, self_path, "create-only",
                             fixture->options_file, "contested", NULL);
  g_assert_no_error (error);
  g_subprocess_wait (first, NULL, NULL);
  g_subprocess_wait (second, NULL, NULL);
  codes[0] = g_subprocess_get_exit_status (first);
  codes[1] = g_subprocess_get_exit_status (second);
  /* 0: created; 3: refused with ALREADY_EXISTS. */
  g_assert_true ((codes[0] == 0 && codes[1] == 3) || (codes[0] == 3 && codes[1] == 0));
  container = hcs_host_open_container (fixture->host, "contested", &error);
  g_assert_no_error (error);
  remove_system (container);
}

static void
collect_event_cb (HcsContainer *container, const char *name, guint64 sequence, JsonNode *details,
                  gpointer data)
{
  GPtrArray *names = data;

  /* In order, numbered from 1, whatever was before the subscription. */
  g_assert_cmpuint (sequence, ==, names->len + 1);
  g_ptr_array_add (names, g_strdup (name));
}

static void
test_list_and_events (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "sleep", "1000", NULL };
  g_autoptr (HcsContainerConfig) a = make_config ("alpha", argv, FALSE);
  g_autoptr (HcsContainerConfig) b = make_config ("beta", argv, FALSE);
  g_autoptr (HcsContainer) alpha = NULL, beta = NULL;
  g_autoptr (HcsComputeSystemQuery) query = hcs_compute_system_query_new ();
  g_autoptr (GPtrArray) listed = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *events_path = g_build_filename (fixture->temp_dir, "state", "systems",
                                                   "alpha", "events.json", NULL);
  g_autofree char *events = NULL;
  g_auto (GStrv) lines = NULL;
  const char *expected[] = { "create", "start", "pause", "resume", "exit" };
  const char *names[] = { "beta", NULL };

  g_free (b->owner);
  b->owner = g_strdup ("someone-else");
  alpha = hcs_host_create_container (fixture->host, "alpha", a, NULL, &error);
  g_assert_no_error (error);
  beta = hcs_host_create_container (fixture->host, "beta", b, NULL, &error);
  g_assert_no_error (error);

  listed = hcs_host_list_containers (fixture->host, NULL, &error);
  g_assert_cmpuint (listed->len, ==, 2);
  g_clear_pointer (&listed, g_ptr_array_unref);
  query->names = g_strdupv ((char **) names);
  listed = hcs_host_list_containers (fixture->host, query, &error);
  g_assert_cmpuint (listed->len, ==, 1);
  g_assert_cmpstr (((HcsContainerProperties *) listed->pdata[0])->id, ==, "beta");
  g_clear_pointer (&listed, g_ptr_array_unref);
  g_clear_pointer (&query->names, g_strfreev);
  query->owners = g_strsplit ("test-monitor", ",", -1);
  listed = hcs_host_list_containers (fixture->host, query, &error);
  g_assert_cmpuint (listed->len, ==, 1);
  g_assert_cmpstr (((HcsContainerProperties *) listed->pdata[0])->id, ==, "alpha");

  /* A second handle, opened before start: it gets "create" from the
   * history, then the rest as it happens. */
  {
    g_autoptr (HcsContainer) watcher = hcs_host_open_container (fixture->host, "alpha", &error);
    g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);

    g_assert_no_error (error);
    g_signal_connect (watcher, "event", G_CALLBACK (collect_event_cb), seen);
    g_assert_true (hcs_container_start (alpha, &error));
    g_assert_true (hcs_container_pause (alpha, &error));
    g_assert_true (hcs_container_resume (alpha, &error));
    g_assert_true (hcs_container_terminate (alpha, &error));
    g_assert_no_error (error);
    while (seen->len < G_N_ELEMENTS (expected))
      g_main_context_iteration (NULL, TRUE);
    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      g_assert_cmpstr (seen->pdata[i], ==, expected[i]);
    g_signal_handlers_disconnect_by_data (watcher, seen);
  }
  g_assert_true (hcs_container_wait_timeout (alpha, 10000, NULL, &error));
  g_assert_true (g_file_get_contents (events_path, &events, NULL, NULL));
  lines = g_strsplit (g_strstrip (events), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr (JsonNode) event = json_from_string (lines[i], &error);
      g_assert_no_error (error);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (event), "Event"), ==,
                       expected[i]);
      g_assert_cmpint (json_object_get_int_member (json_node_get_object (event), "Sequence"), ==,
                       i + 1);
    }
  g_assert_true (hcs_container_remove (alpha, &error));
  remove_system (beta);
}

static void
drop_in_exited_cb (HcsContainer *container, int exit_code, gpointer data)
{
  g_object_unref (container);
}

/* Handles dropped while their events arrive: the watcher thread never
 * takes a reference to a handle that is going (GTest makes that critical
 * fatal). A handle may also let go of itself in its "exited" handler. */
static void
test_handles_dropped_amid_events (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "sleep", "1000", NULL };
  g_autoptr (HcsContainerConfig) config = make_config ("dropped", argv, FALSE);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GError) error = NULL;
  GWeakRef last_handle;
  HcsContainer *last;
  gint64 deadline;

  container = hcs_host_create_container (fixture->host, "dropped", config, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 30; i++)
    {
      g_autoptr (HcsContainer) handle = hcs_host_open_container (fixture->host, "dropped", &error);

      g_assert_no_error (error);
      g_assert_true (hcs_container_pause (handle, &error));
      g_assert_true (hcs_container_resume (handle, &error));
      g_assert_no_error (error);
    }

  last = hcs_host_open_container (fixture->host, "dropped", &error);
  g_assert_no_error (error);
  g_weak_ref_init (&last_handle, last);
  g_signal_connect (last, "exited", G_CALLBACK (drop_in_exited_cb), NULL);
  last = NULL;
  g_assert_true (hcs_container_terminate (container, &error));
  g_assert_true (hcs_container_wait_timeout (container, 10000, NULL, &error));
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while ((last = g_weak_ref_get (&last_handle)) != NULL && g_get_monotonic_time () < deadline)
    {
      g_clear_object (&last);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_null (last);
  g_weak_ref_clear (&last_handle);
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
}

/* A corrupt state file is an error naming it; listing goes on without it. */
static void
test_corrupt_state (Fixture *fixture, gconstpointer data)
{
  g_autofree char *folder = g_build_filename (fixture->temp_dir, "state", "systems", "broken",
                                              NULL);
  g_autofree char *file = g_build_filename (folder, "argon.json", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GPtrArray) listed = NULL;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "{\"id\": \"broken\", \"pid\": ", -1, NULL));
  container = hcs_host_open_container (fixture->host, "broken", &error);
  g_assert_null (container);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "corrupt"));
  listed = hcs_host_list_containers (fixture->host, NULL, &error);
  g_assert_nonnull (listed);
  g_assert_cmpuint (listed->len, ==, 0);
  g_unlink (file);
  g_rmdir (folder);
}

/* --- roles: this program as another client -------------------------------------------- */

static HcsHost *
role_host (const char *options_file)
{
  g_autoptr (GError) error = NULL;
  HcsHost *host = hcs_host_new_from_file (options_file, &error);

  if (host == NULL)
    {
      g_printerr ("%s\n", error->message);
      exit (100);
    }
  return host;
}

/* The clients that used to stop the monitor for everyone: one that sends
 * half a frame, one whose request promises stdio that never comes (an
 * exec with relay ports nobody connects to; it once was descriptors sent
 * beside the request, read by the monitor in its only thread). The
 * creator's handle and a new one are served meanwhile. */
static void
test_stalling_clients (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "sleep", "1000", NULL };
  g_autoptr (HcsContainerConfig) config = make_config ("stalled", argv, FALSE);
  g_autoptr (HcsContainer) container = NULL, other = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (HcsProcessConfig) exec = hcs_process_config_new ();
  g_autoptr (JsonNode) request = hcs_protocol_request_new ("stalled");
  g_autoptr (JsonNode) parameters = NULL;
  g_autoptr (GBytes) frame = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *socket_path = g_build_filename (fixture->temp_dir, "state", "systems",
                                                   "stalled", "monitor.sock", NULL);
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  JsonObject *settings = json_object_new (), *relay = json_object_new ();
  int half, promise;

  container = hcs_host_create_container (fixture->host, "stalled", config, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_cmpuint (strlen (socket_path), <, sizeof address.sun_path);
  strcpy (address.sun_path, socket_path);

  exec->command_args = g_strsplit ("cat", " ", -1);
  parameters = hcs_process_config_to_node (exec);
  hcs_protocol_set_document (settings, "ProcessParameters", parameters);
  json_object_set_int_member (relay, "StdIn", 4242);
  json_object_set_int_member (relay, "StdOut", 4243);
  json_object_set_object_member (settings, "VsockStdioRelaySettings", relay);
  json_object_set_object_member (json_node_get_object (request), "Settings", settings);
  frame = hcs_bridge_message_encode (HCS_PROTOCOL_EXECUTE_PROCESS, 1, request,
                                     HCS_BRIDGE_DEFAULT_MAX_MESSAGE, &error);
  g_assert_no_error (error);

  half = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  promise = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (connect (half, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (connect (promise, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (send (half, g_bytes_get_data (frame, NULL), 20, MSG_NOSIGNAL), ==, 20);
  g_assert_cmpint (send (promise, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame),
                         MSG_NOSIGNAL), ==, (gssize) g_bytes_get_size (frame));

  props = hcs_container_query_properties (container, &error);
  g_assert_no_error (error);
  g_assert_false (props->stopped);
  other = hcs_host_open_container (fixture->host, "stalled", &error);
  g_assert_no_error (error);
  g_clear_pointer (&props, hcs_container_properties_free);
  props = hcs_container_query_properties (other, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (props->id, ==, "stalled");

  close (half);
  close (promise);
  remove_system (container);
}

static int
run_as_role (const char *role, const char *options_file, const char *id)
{
  g_autoptr (HcsHost) host = role_host (options_file);
  g_autoptr (GError) error = NULL;

  if (g_str_equal (role, "wait-exit-code"))
    {
      g_autoptr (HcsContainer) container = hcs_host_open_container (host, id, &error);
      g_autoptr (HcsContainerProperties) props = NULL;

      if (container == NULL || !hcs_container_wait (container, NULL, &error) ||
          (props = hcs_container_query_properties (container, &error)) == NULL)
        {
          g_printerr ("wait-exit-code: %s\n", error->message);
          return 100;
        }
      return props->exit_code;
    }
  if (g_str_equal (role, "create-and-die") || g_str_equal (role, "create-only"))
    {
      const char *argv[] = { "sh", "-c", "exit 7", NULL };
      const char *sleeper[] = { "sleep", "1000", NULL };
      gboolean die = g_str_equal (role, "create-and-die");
      g_autoptr (HcsContainerConfig) config = make_config (id, die ? argv : sleeper, FALSE);
      g_autoptr (HcsContainer) container = hcs_host_create_container (host, id, config, NULL,
                                                                      &error);
      if (container == NULL)
        {
          g_printerr ("%s: %s\n", role, error->message);
          return g_error_matches (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS) ? 3 : 100;
        }
      if (die)
        raise (SIGKILL);
      return 0;
    }
  return 100;
}

/* The caller's own descriptors (runc's create and exec) as an init's and
 * an exec's stdio: the monitor inherits the init's, the exec's cross the
 * socket (StdioDescriptors); both end with their process, no copy kept. */
static void
test_given_stdio (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "sh", "-c", "read x; echo got-$x; echo init-err >&2; sleep 1000", NULL };
  const char *exec_argv[] = { "sh", "-c", "read x; echo exec-$x; exit 4", NULL };
  g_autoptr (HcsContainerConfig) config = make_config ("given", argv, FALSE);
  g_autoptr (HcsProcessConfig) exec_config = hcs_process_config_new ();
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) process = NULL;
  g_autoptr (GError) error = NULL;
  int in[2], out[2], err[2];
  int exit_code = -1;

  g_assert_cmpint (pipe2 (in, O_CLOEXEC), ==, 0);
  g_assert_cmpint (pipe2 (out, O_CLOEXEC), ==, 0);
  g_assert_cmpint (pipe2 (err, O_CLOEXEC), ==, 0);
  config->process->use_stdio_fds = TRUE;
  config->process->stdio_fds[0] = in[0];
  config->process->stdio_fds[1] = out[1];
  config->process->stdio_fds[2] = err[1];
  container = hcs_host_create_container (fixture->host, "given", config, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  g_assert_cmpint (write (in[1], "ping\n", 5), ==, 5);
  {
    g_autoptr (GInputStream) out_stream = g_unix_input_stream_new (out[0], FALSE);
    g_autoptr (GDataInputStream) lines = g_data_input_stream_new (out_stream);
    g_autoptr (GInputStream) err_stream = g_unix_input_stream_new (err[0], FALSE);
    g_autoptr (GDataInputStream) err_lines = g_data_input_stream_new (err_stream);
    g_autofree char *line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
    g_autofree char *err_line = g_data_input_stream_read_line (err_lines, NULL, NULL, &error);

    g_assert_cmpstr (line, ==, "got-ping");
    g_assert_cmpstr (err_line, ==, "init-err");
  }
  /* An exec with the same pipes, from this client through the socket. */
  exec_config->command_args = g_strdupv ((char **) exec_argv);
  exec_config->use_stdio_fds = TRUE;
  memcpy (exec_config->stdio_fds, config->process->stdio_fds, sizeof exec_config->stdio_fds);
  process = hcs_container_create_process (container, exec_config, &error);
  g_assert_no_error (error);
  g_assert_cmpint (write (in[1], "pong\n", 5), ==, 5);
  g_assert_true (hcs_process_wait_timeout (process, -1, NULL, &error));
  g_assert_true (hcs_process_get_exit_code (process, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 4);
  g_assert_true (hcs_container_terminate (container, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
  /* Every writer gone (the init, the exec, the monitor's copies): the
   * pipe ends after the exec's line. */
  close (in[0]);
  close (in[1]);
  close (out[1]);
  close (err[1]);
  {
    g_autoptr (GInputStream) out_stream = g_unix_input_stream_new (out[0], TRUE);
    g_autofree char *rest = test_read_all (out_stream);

    g_assert_cmpstr (rest, ==, "exec-pong\n");
  }
  close (err[0]);
}

int
main (int argc, char **argv)
{
  int result;

  self_path = argv[0];
  if (argc == 4 && !g_str_has_prefix (argv[1], "-"))
    return run_as_role (argv[1], argv[2], argv[3]);

  g_test_init (&argc, &argv, NULL);
  if (geteuid () != 0)
    {
      g_test_skip ("containers need root");
      return 0;
    }
  g_setenv ("HCS_TEST_ROOTFS", test_get_busybox_rootfs (), TRUE);
#define ADD(path, func) \
  g_test_add ("/monitor/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("open-elsewhere", test_open_elsewhere);
  ADD ("exec", test_exec);
  ADD ("oci-namespaces-and-hooks", test_oci_namespaces_and_hooks);
  ADD ("given-stdio", test_given_stdio);
  ADD ("console", test_console);
  ADD ("creator-killed", test_creator_killed);
  ADD ("monitor-killed", test_monitor_killed);
  ADD ("racing-creators", test_racing_creators);
  ADD ("list-and-events", test_list_and_events);
  ADD ("corrupt-state", test_corrupt_state);
  ADD ("handles-dropped-amid-events", test_handles_dropped_amid_events);
  ADD ("stalling-clients", test_stalling_clients);
#undef ADD
  result = g_test_run ();
  test_cleanup_cgroup_parent ();
  return result;
}
