/* test-contract.c: what every isolation mode promises through HcsContainer
 * and HcsProcess, written once against the public API only.
 *
 * The same program runs once per isolation mode that is built (see
 * meson.build here): HCS_CONTRACT_MODE names the run (the test paths are
 * /contract/MODE/...), HCS_CONTRACT_ISOLATION is the [host] isolation asked
 * for, and HCS_CONTRACT_OPTIONS adds runtime options, "group.key=value"
 * separated by spaces (host.monitor=true: every call goes through the
 * protocol to a per-system monitor).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *contract_mode;
static const char *contract_isolation;
static gboolean contract_monitor;
/* lcow and hyperv: the systems run in a VM on the guest's own image. */
static gboolean contract_in_guest;

typedef struct {
  char *temp_dir;
  GKeyFile *options;
  HcsHost *host;
  GHashTable *processes_before;
  gboolean stopped_at_gap;
} Fixture;

/* A gap of the monitor variant that the protocol work will close: the
 * test stops there and is reported incomplete (TAP "TODO"), for that
 * variant only; every other mode must pass it. The tear-down discards
 * what the test had made. */
#define MONITOR_GAP(fixture, why)                                                                 \
  G_STMT_START                                                                                    \
  {                                                                                               \
    if (contract_monitor)                                                                         \
      {                                                                                           \
        g_test_incomplete (why);                                                                  \
        (fixture)->stopped_at_gap = TRUE;                                                         \
        return;                                                                                   \
      }                                                                                           \
  }                                                                                               \
  G_STMT_END

/* The same for what plugins/xenon does not do yet (docs/xenon.md): every
 * other mode, lcow included, must pass it. */
#define XENON_GAP(fixture, why)                                                                   \
  G_STMT_START                                                                                    \
  {                                                                                               \
    if (g_str_equal (contract_isolation, "hyperv"))                                               \
      {                                                                                           \
        g_test_incomplete (why);                                                                  \
        (fixture)->stopped_at_gap = TRUE;                                                         \
        return;                                                                                   \
      }                                                                                           \
  }                                                                                               \
  G_STMT_END

static void
apply_extra_options (GKeyFile *options, const char *text)
{
  g_auto (GStrv) items = g_strsplit_set (text ? text : "", " \t\n", -1);

  for (guint i = 0; items[i]; i++)
    {
      const char *equals = strchr (items[i], '=');
      const char *dot = strchr (items[i], '.');
      g_autofree char *group = NULL, *key = NULL;

      if (items[i][0] == '\0')
        continue;
      if (dot == NULL || equals == NULL || dot > equals)
        g_error ("HCS_CONTRACT_OPTIONS: '%s' is not group.key=value", items[i]);
      group = g_strndup (items[i], dot - items[i]);
      key = g_strndup (dot + 1, equals - dot - 1);
      g_key_file_set_string (options, group, key, equals + 1);
    }
}

/* A live process as /proc shows it. */
typedef struct {
  int pid, parent;
  char *cmdline;
} ProcessEntry;

static void
process_entry_free (ProcessEntry *entry)
{
  g_free (entry->cmdline);
  g_free (entry);
}

static ProcessEntry *
read_process (const char *name)
{
  g_autofree char *stat_path = g_build_filename ("/proc", name, "stat", NULL);
  g_autofree char *cmdline_path = g_build_filename ("/proc", name, "cmdline", NULL);
  g_autofree char *stat = NULL;
  ProcessEntry *entry;
  const char *after_name;
  char state;
  gsize length = 0;

  /* "PID (COMM) STATE PPID ...": COMM may hold anything, ')' included. */
  if (!g_file_get_contents (stat_path, &stat, NULL, NULL) ||
      (after_name = strrchr (stat, ')')) == NULL)
    return NULL;
  entry = g_new0 (ProcessEntry, 1);
  if (sscanf (after_name + 1, " %c %d", &state, &entry->parent) != 2 || state == 'Z' ||
      state == 'X')
    {
      process_entry_free (entry);
      return NULL;
    }
  entry->pid = atoi (name);
  if (!g_file_get_contents (cmdline_path, &entry->cmdline, &length, NULL))
    entry->cmdline = g_strdup ("");
  for (gsize i = 0; i + 1 < length; i++)
    if (entry->cmdline[i] == '\0')
      entry->cmdline[i] = ' ';
  return entry;
}

/* The live processes of this run: our children, the programs that hold
 * systems (a monitor runs in a session of its own, the runtime helper may
 * run from a sealed copy, so they are known by their argv[0]), and their
 * descendants. pid -> ProcessEntry. */
static GHashTable *
list_processes_of_ours (void)
{
  const char *programs[] = { g_getenv ("HCS_MONITOR"), g_getenv ("HCS_RUNTIME_HELPER") };
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) process_entry_free);
  GHashTable *ours = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) process_entry_free);
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  gboolean grew = TRUE;

  g_assert_nonnull (proc);
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      ProcessEntry *entry = g_ascii_isdigit (name[0]) ? read_process (name) : NULL;

      /* The utility VM is shared by the whole run (lcow.keep-uvm): the
       * lcow suite checks it goes. */
      if (entry != NULL && contract_in_guest && g_str_has_prefix (entry->cmdline, "qemu-system"))
        {
          process_entry_free (entry);
          continue;
        }
      if (entry != NULL && entry->pid != getpid ())
        g_ptr_array_add (all, entry);
    }
  while (grew)
    {
      grew = FALSE;
      for (guint i = 0; i < all->len; i++)
        {
          ProcessEntry *entry = all->pdata[i];
          gboolean of_ours = entry->parent == getpid () ||
                             g_hash_table_contains (ours, GINT_TO_POINTER (entry->parent));

          for (guint j = 0; j < G_N_ELEMENTS (programs) && !of_ours; j++)
            of_ours = programs[j] != NULL && g_str_has_prefix (entry->cmdline, programs[j]) &&
                      (entry->cmdline[strlen (programs[j])] == ' ' ||
                       entry->cmdline[strlen (programs[j])] == '\0');
          if (of_ours)
            {
              g_hash_table_insert (ours, GINT_TO_POINTER (entry->pid),
                                   g_ptr_array_steal_index (all, i));
              grew = TRUE;
              i--;
            }
        }
    }
  return ours;
}

/* Fails when a process of ours that was not there before the test is
 * still alive, or when any process holds a file, its cwd or its root
 * below @temp_dir. A monitor answers a removal before it exits, so it is
 * given a while (10 s at most) to go. */
static void
assert_no_process_left (GHashTable *before, const char *temp_dir)
{
  g_autoptr (GDir) proc = NULL;
  g_autoptr (GString) left = g_string_new (NULL);
  const char *name;

  for (int tries = 0; tries < 500; tries++)
    {
      g_autoptr (GHashTable) now = list_processes_of_ours ();
      GHashTableIter iter;
      ProcessEntry *entry;

      g_string_truncate (left, 0);
      g_hash_table_iter_init (&iter, now);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
        if (!g_hash_table_contains (before, GINT_TO_POINTER (entry->pid)))
          g_string_append_printf (left, "\n  %d (parent %d): %s", entry->pid, entry->parent,
                                  entry->cmdline);
      if (left->len == 0)
        break;
      g_usleep (20000);
    }
  if (left->len > 0)
    g_error ("processes of the test are left:%s", left->str);

  proc = g_dir_open ("/proc", 0, NULL);
  g_assert_nonnull (proc);
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *folder = g_build_filename ("/proc", name, NULL);
      g_autofree char *fd_folder = g_build_filename (folder, "fd", NULL);
      g_autoptr (GDir) fds = NULL;
      const char *links[] = { "cwd", "root" };
      const char *fd;

      if (!g_ascii_isdigit (name[0]) || atoi (name) == getpid ())
        continue;
      for (guint i = 0; i < G_N_ELEMENTS (links); i++)
        {
          g_autofree char *link = g_build_filename (folder, links[i], NULL);
          g_autofree char *target = g_file_read_link (link, NULL);
          if (target != NULL && g_str_has_prefix (target, temp_dir))
            g_error ("process %s has its %s in %s", name, links[i], target);
        }
      fds = g_dir_open (fd_folder, 0, NULL);
      while (fds != NULL && (fd = g_dir_read_name (fds)) != NULL)
        {
          g_autofree char *link = g_build_filename (fd_folder, fd, NULL);
          g_autofree char *target = g_file_read_link (link, NULL);
          if (target != NULL && g_str_has_prefix (target, temp_dir))
            g_error ("process %s holds %s open", name, target);
        }
    }
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *layer_dir = NULL;

  fixture->processes_before = list_processes_of_ours ();
  fixture->temp_dir = test_make_temp_dir ("hcs-test-contract");
  fixture->options = test_make_options (fixture->temp_dir);
  layer_dir = g_build_filename (fixture->temp_dir, "layers", NULL);
  g_key_file_set_string (fixture->options, "host", "layer-dir", layer_dir);
  g_key_file_set_string (fixture->options, "host", "isolation", contract_isolation);
  apply_extra_options (fixture->options, g_getenv ("HCS_CONTRACT_OPTIONS"));
  fixture->host = hcs_host_new (fixture->options, &error);
  g_assert_no_error (error);
  for (const char *const *e = hcs_host_get_plugin_errors (fixture->host); *e; e++)
    g_test_message ("%s", *e);
}

/* What a test stopped at a gap left running. */
static void
discard_every_system (HcsHost *host)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) listed = hcs_host_list_containers (host, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < listed->len; i++)
    {
      HcsContainerProperties *props = listed->pdata[i];
      g_autoptr (HcsContainer) container = hcs_host_open_container (host, props->id, &error);

      g_assert_no_error (error);
      g_assert_true (hcs_container_discard (container, &error));
      g_assert_no_error (error);
    }
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_autofree char *systems = g_build_filename (fixture->temp_dir, "state", "systems", NULL);
  g_autoptr (GDir) dir = NULL;
  const char *left;

  if (fixture->stopped_at_gap)
    discard_every_system (fixture->host);
  g_clear_object (&fixture->host);
  /* Every test removes what it made: no system's state is left. */
  dir = g_dir_open (systems, 0, NULL);
  if (dir != NULL && (left = g_dir_read_name (dir)) != NULL)
    g_error ("the state of system '%s' is left in %s", left, systems);
  assert_no_process_left (fixture->processes_before, fixture->temp_dir);
  test_assert_no_leftovers (fixture->temp_dir);
  test_remove_tree (fixture->temp_dir);
  g_free (fixture->temp_dir);
  g_key_file_unref (fixture->options);
  g_hash_table_unref (fixture->processes_before);
}

/* --- helpers -------------------------------------------------------------------------------- */

/* A system on the busybox image whose init runs @argv with three pipes. */
static HcsContainerConfig *
make_config_argv (const char *const *argv)
{
  HcsContainerConfig *config = hcs_container_config_new ();

  config->name = g_strdup ("contract");
  config->owner = g_strdup ("test-contract");
  if (!contract_in_guest)
    config->volume_path = g_strdup (test_get_busybox_rootfs ());
  config->process = hcs_process_config_new ();
  config->process->command_args = g_strdupv ((char **) argv);
  config->process->create_stdin_pipe = TRUE;
  config->process->create_stdout_pipe = TRUE;
  config->process->create_stderr_pipe = TRUE;
  return config;
}

static HcsContainerConfig *
make_config (const char *script)
{
  const char *argv[] = { "/bin/sh", "-c", script, NULL };

  return make_config_argv (argv);
}

static HcsProcessConfig *
make_exec_config (const char *script)
{
  HcsProcessConfig *config = hcs_process_config_new ();
  const char *argv[] = { "/bin/sh", "-c", script, NULL };

  config->command_args = g_strdupv ((char **) argv);
  config->create_stdout_pipe = TRUE;
  return config;
}

static HcsContainer *
create_started (Fixture *fixture, const char *id, const HcsContainerConfig *config)
{
  g_autoptr (GError) error = NULL;
  HcsContainer *container = hcs_host_create_container (fixture->host, id, config, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  return container;
}

static HcsProcess *
get_init (HcsContainer *container)
{
  g_autoptr (GError) error = NULL;
  HcsProcess *init = hcs_container_get_init_process (container, &error);

  g_assert_no_error (error);
  g_assert_nonnull (init);
  return init;
}

/* Everything up to the end of the stream: returns only when EOF arrives. */
static char *
read_all (GInputStream *stream)
{
  g_assert_nonnull (stream);
  return test_read_all (stream);
}

/* Reads until @needle has been seen (a console has no EOF of its own). */
static void
read_until (GInputStream *stream, GString *seen, const char *needle)
{
  while (strstr (seen->str, needle) == NULL)
    {
      char buffer[256];
      g_autoptr (GError) error = NULL;
      gssize n = g_input_stream_read (stream, buffer, sizeof buffer, NULL, &error);

      g_assert_no_error (error);
      if (n <= 0)
        g_error ("the stream ended before '%s'; it gave: %s", needle, seen->str);
      g_string_append_len (seen, buffer, n);
    }
}

static int
wait_exit_code (HcsProcess *process)
{
  g_autoptr (GError) error = NULL;
  int exit_code = -1;

  g_assert_true (hcs_process_wait_timeout (process, 20000, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_get_exit_code (process, &exit_code, &error));
  g_assert_no_error (error);
  return exit_code;
}

static int
container_exit_code (HcsContainer *container)
{
  g_autoptr (GError) error = NULL;
  int exit_code = -1;

  g_assert_true (hcs_container_wait_timeout (container, 20000, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_get_exit_code (container, &exit_code, &error));
  g_assert_no_error (error);
  return exit_code;
}

static HcsContainerProperties *
get_properties (HcsContainer *container)
{
  g_autoptr (GError) error = NULL;
  HcsContainerProperties *props = hcs_container_query_properties (container, &error);

  g_assert_no_error (error);
  return props;
}

static void
assert_state (HcsContainer *container, const char *state)
{
  g_autoptr (HcsContainerProperties) props = get_properties (container);

  g_assert_cmpstr (props->state, ==, state);
}

static void
remove_stopped (HcsContainer *container)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
}

static void
terminate_and_remove (HcsContainer *container)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (hcs_container_terminate (container, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_wait_timeout (container, 20000, NULL, &error));
  g_assert_no_error (error);
  remove_stopped (container);
}

static gboolean
process_list_has (GPtrArray *list, int pid)
{
  for (guint i = 0; i < list->len; i++)
    if ((int) ((HcsProcessListItem *) list->pdata[i])->process_id == pid)
      return TRUE;
  return FALSE;
}

/* --- the contract ----------------------------------------------------------------------------- */

/* Created, then started: the states, the isolation asked for, the init. */
static void
test_create_start (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsContainerConfig) config = make_config ("read line; echo got-$line");
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *output = NULL;

  container = hcs_host_create_container (fixture->host, "create-start", config, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hcs_container_get_id (container), ==, "create-start");
  props = get_properties (container);
  g_assert_cmpstr (props->id, ==, "create-start");
  g_assert_cmpstr (props->state, ==, "Created");
  g_assert_false (props->stopped);
  g_assert_cmpstr (props->isolation, ==, contract_isolation);
  g_assert_cmpstr (props->owner, ==, "test-contract");
  g_clear_pointer (&props, hcs_container_properties_free);

  /* The init's stdio exists before start, so nothing it writes is lost. */
  init = get_init (container);
  g_assert_nonnull (hcs_process_get_stdin (init));
  g_assert_nonnull (hcs_process_get_stdout (init));
  g_assert_nonnull (hcs_process_get_stderr (init));
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  props = get_properties (container);
  g_assert_cmpstr (props->state, ==, "Running");
  g_assert_cmpuint (props->init_process_id, >, 0);
  g_assert_cmpint (hcs_process_get_pid (init), >, 0);

  /* Started twice is an invalid state. */
  g_assert_false (hcs_container_start (container, &error));
  g_assert_true (hcs_error_is_operation_invalid_state (error));
  g_clear_error (&error);

  g_assert_true (g_output_stream_write_all (hcs_process_get_stdin (init), "go\n", 3, NULL, NULL,
                                            &error));
  g_assert_no_error (error);
  output = read_all (hcs_process_get_stdout (init));
  g_assert_cmpstr (output, ==, "got-go\n");
  g_assert_cmpint (container_exit_code (container), ==, 0);
  assert_state (container, "Stopped");
  remove_stopped (container);
}

/* stdin to stdout, stderr apart, stdin's EOF reaches the process and the
 * output's EOF reaches the reader, for the init and an exec'd process. */
static void
assert_stdio_round_trip (HcsProcess *process)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *output = NULL, *errors = NULL;
  static const char text[] = "line one\nline two\n";

  g_assert_true (g_output_stream_write_all (hcs_process_get_stdin (process), text,
                                            strlen (text), NULL, NULL, &error));
  g_assert_no_error (error);
  /* cat ends only when it reads EOF; then the streams end too. */
  g_assert_true (hcs_process_close_stdin (process, &error));
  g_assert_no_error (error);
  output = read_all (hcs_process_get_stdout (process));
  errors = read_all (hcs_process_get_stderr (process));
  g_assert_cmpstr (output, ==, "line one\nline two\nout-end\n");
  g_assert_cmpstr (errors, ==, "to-stderr\n");
  g_assert_cmpint (wait_exit_code (process), ==, 0);
}

static void
test_stdio (Fixture *fixture, gconstpointer data)
{
  static const char script[] = "echo to-stderr >&2; cat; echo out-end";
  g_autoptr (HcsContainerConfig) config = make_config (script);
  g_autoptr (HcsContainer) container = create_started (fixture, "stdio", config);
  g_autoptr (HcsProcess) init = get_init (container);
  g_autoptr (HcsProcessConfig) exec_config = make_exec_config (script);
  g_autoptr (HcsProcess) process = NULL;
  g_autoptr (HcsContainer) second = NULL;
  g_autoptr (HcsContainerConfig) second_config = make_config ("sleep 1000");
  g_autoptr (GError) error = NULL;

  assert_stdio_round_trip (init);
  g_assert_cmpint (container_exit_code (container), ==, 0);
  remove_stopped (container);

  second = create_started (fixture, "stdio-exec", second_config);
  exec_config->create_stdin_pipe = exec_config->create_stderr_pipe = TRUE;
  process = hcs_container_create_process (second, exec_config, &error);
  g_assert_no_error (error);
  assert_stdio_round_trip (process);

  /* Only the pipes asked for exist. */
  {
    g_autoptr (HcsProcessConfig) quiet_config = make_exec_config ("true");
    g_autoptr (HcsProcess) quiet = NULL;

    quiet_config->create_stdout_pipe = FALSE;
    quiet = hcs_container_create_process (second, quiet_config, &error);
    g_assert_no_error (error);
    g_assert_null (hcs_process_get_stdin (quiet));
    g_assert_null (hcs_process_get_stdout (quiet));
    g_assert_null (hcs_process_get_stderr (quiet));
    g_assert_cmpint (wait_exit_code (quiet), ==, 0);
  }
  terminate_and_remove (second);
}

typedef struct {
  GOutputStream *stdin_stream;
  HcsProcess *process;
  GBytes *data;
} Feeder;

/* Writes the whole of the data, then closes stdin: the reader runs
 * meanwhile, as neither side's buffers hold a megabyte. */
static gpointer
feed_stdin_thread (gpointer data)
{
  Feeder *feeder = data;
  g_autoptr (GError) error = NULL;
  gsize size;
  const guint8 *bytes = g_bytes_get_data (feeder->data, &size);

  g_assert_true (g_output_stream_write_all (feeder->stdin_stream, bytes, size, NULL, NULL,
                                            &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_close_stdin (feeder->process, &error));
  g_assert_no_error (error);
  return NULL;
}

/* A megabyte through stdin and back, byte for byte, with its EOF. */
static void
test_stdio_large (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsContainerConfig) config = make_config ("sleep 1000");
  g_autoptr (HcsContainer) container = create_started (fixture, "stdio-large", config);
  g_autoptr (HcsProcessConfig) exec_config = make_exec_config ("cat");
  g_autoptr (HcsProcess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) sent = NULL;
  g_autoptr (GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr (GBytes) received = NULL;
  guint8 *pattern = g_malloc (1 << 20);
  Feeder feeder;
  GThread *thread;

  for (gsize i = 0; i < (1 << 20); i++)
    pattern[i] = (guint8) (i * 7 + i / 251);
  sent = g_bytes_new_take (pattern, 1 << 20);
  exec_config->create_stdin_pipe = TRUE;
  process = hcs_container_create_process (container, exec_config, &error);
  g_assert_no_error (error);

  feeder.stdin_stream = hcs_process_get_stdin (process);
  feeder.process = process;
  feeder.data = sent;
  thread = g_thread_new ("feed-stdin", feed_stdin_thread, &feeder);
  g_output_stream_splice (memory, hcs_process_get_stdout (process),
                          G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  g_thread_join (thread);
  received = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
  g_assert_cmpuint (g_bytes_get_size (received), ==, g_bytes_get_size (sent));
  g_assert_true (g_bytes_equal (received, sent));
  g_assert_cmpint (wait_exit_code (process), ==, 0);
  terminate_and_remove (container);
}

/* 0, 1, 42, and a death by signal N as 128 + N, for exec'd processes and
 * for the system itself (its init's). */
static void
test_exit_codes (Fixture *fixture, gconstpointer data)
{
  static const struct {
    const char *script;
    int exit_code;
  } cases[] = {
    { "exit 0", 0 },
    { "exit 1", 1 },
    { "exit 42", 42 },
    { "kill -KILL $$", 128 + SIGKILL },
    { "kill -TERM $$", 128 + SIGTERM },
  };
  g_autoptr (HcsContainerConfig) config = make_config ("sleep 1000");
  g_autoptr (HcsContainer) container = create_started (fixture, "exit-codes", config);
  g_autoptr (HcsProcess) init = get_init (container);
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (HcsProcessConfig) exec_config = make_exec_config (cases[i].script);
      g_autoptr (HcsProcess) process = NULL;

      exec_config->create_stdout_pipe = FALSE;
      process = hcs_container_create_process (container, exec_config, &error);
      g_assert_no_error (error);
      g_test_message ("%s", cases[i].script);
      g_assert_cmpint (wait_exit_code (process), ==, cases[i].exit_code);
    }

  /* The system's exit code is its init's. */
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("exit-%d", cases[i].exit_code);
      g_autoptr (HcsContainerConfig) short_config = make_config (cases[i].script);
      g_autoptr (HcsContainer) short_lived = create_started (fixture, id, short_config);
      g_autoptr (HcsProcess) short_init = get_init (short_lived);

      g_assert_cmpint (container_exit_code (short_lived), ==, cases[i].exit_code);
      g_assert_cmpint (wait_exit_code (short_init), ==, cases[i].exit_code);
      remove_stopped (short_lived);
    }

  /* An init killed from outside. */
  g_assert_true (hcs_process_kill (init, &error));
  g_assert_no_error (error);
  g_assert_cmpint (container_exit_code (container), ==, 128 + SIGKILL);
  g_assert_cmpint (wait_exit_code (init), ==, 128 + SIGKILL);
  remove_stopped (container);
}

/* A process started in a running system shares it: its pid namespace,
 * its root, its files. */
static void
test_exec (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsContainerConfig) config =
      make_config ("echo made-by-init > /tmp/marker; echo ready; exec sleep 1000");
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL, process = NULL;
  g_autoptr (HcsProcessConfig) exec_config =
      make_exec_config ("cat /proc/1/comm; cat /tmp/marker; echo $FOO; pwd");
  g_autoptr (GString) seen = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *output = NULL;

  container = hcs_host_create_container (fixture->host, "exec", config, NULL, &error);
  g_assert_no_error (error);
  /* Not before the system runs. */
  g_assert_null (hcs_container_create_process (container, exec_config, &error));
  g_assert_true (hcs_error_is_operation_invalid_state (error));
  g_clear_error (&error);

  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  init = get_init (container);
  read_until (hcs_process_get_stdout (init), seen, "ready");

  exec_config->environment = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (exec_config->environment, g_strdup ("FOO"), g_strdup ("bar"));
  exec_config->working_directory = g_strdup ("/tmp");
  process = hcs_container_create_process (container, exec_config, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hcs_process_get_pid (process), >, 0);
  g_assert_cmpint (hcs_process_get_pid (process), !=, hcs_process_get_pid (init));
  output = read_all (hcs_process_get_stdout (process));
  g_assert_cmpstr (output, ==, "sleep\nmade-by-init\nbar\n/tmp\n");
  g_assert_cmpint (wait_exit_code (process), ==, 0);

  /* A process opened by its pid is the same process: a kill through one
   * handle ends what the other waits for. */
  {
    g_autoptr (HcsProcessConfig) sleeper_config = make_exec_config ("exec sleep 1000");
    g_autoptr (HcsProcess) sleeper = NULL, opened = NULL;

    sleeper_config->create_stdout_pipe = FALSE;
    sleeper = hcs_container_create_process (container, sleeper_config, &error);
    g_assert_no_error (error);
    opened = hcs_container_open_process (container, hcs_process_get_pid (sleeper), &error);
    g_assert_no_error (error);
    g_assert_cmpint (hcs_process_get_pid (opened), ==, hcs_process_get_pid (sleeper));
    g_assert_true (hcs_process_kill (opened, &error));
    g_assert_no_error (error);
    g_assert_cmpint (wait_exit_code (sleeper), ==, 128 + SIGKILL);
  }

  /* A program that does not exist: the shell's 127, or an error naming it. */
  {
    g_autoptr (HcsProcessConfig) missing_config = hcs_process_config_new ();
    g_autoptr (HcsProcess) missing = NULL;
    const char *argv[] = { "/no/such/program", NULL };

    missing_config->command_args = g_strdupv ((char **) argv);
    missing = hcs_container_create_process (container, missing_config, &error);
    if (missing == NULL)
      {
        g_assert_nonnull (strstr (error->message, "/no/such/program"));
        g_clear_error (&error);
      }
    else
      g_assert_cmpint (wait_exit_code (missing), ==, 127);
  }
  terminate_and_remove (container);
}

/* SIGTERM handled (a trap) and SIGTERM by default (death, 128 + 15). */
static void
test_signals (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsContainerConfig) config = make_config ("sleep 1000");
  g_autoptr (HcsContainer) container = create_started (fixture, "signals", config);
  g_autoptr (HcsProcessConfig) handled_config =
      make_exec_config ("trap 'echo caught; exit 7' TERM; echo ready; "
                        "while true; do sleep 0.05; done");
  g_autoptr (HcsProcessConfig) default_config = make_exec_config ("echo ready; exec sleep 1000");
  g_autoptr (HcsProcess) handled = NULL, by_default = NULL;
  g_autoptr (GString) seen = g_string_new (NULL), seen_default = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *rest = NULL;

  handled = hcs_container_create_process (container, handled_config, &error);
  g_assert_no_error (error);
  read_until (hcs_process_get_stdout (handled), seen, "ready\n");
  g_assert_true (hcs_process_signal (handled, SIGTERM, &error));
  g_assert_no_error (error);
  rest = read_all (hcs_process_get_stdout (handled));
  g_assert_cmpstr (rest, ==, "caught\n");
  g_assert_cmpint (wait_exit_code (handled), ==, 7);

  by_default = hcs_container_create_process (container, default_config, &error);
  g_assert_no_error (error);
  read_until (hcs_process_get_stdout (by_default), seen_default, "ready\n");
  g_assert_true (hcs_process_signal (by_default, SIGTERM, &error));
  g_assert_no_error (error);
  g_assert_cmpint (wait_exit_code (by_default), ==, 128 + SIGTERM);

  /* A signal that is no signal is bad input, not a crash. */
  {
    g_autoptr (HcsProcess) init = get_init (container);

    g_assert_false (hcs_process_signal (init, 12345, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  terminate_and_remove (container);
}

/* A process with a console: a tty, its output, and a resize that `stty
 * size` sees inside. */
static void
test_pty (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsContainerConfig) config =
      make_config ("stty size; read line; stty size; test -t 0 && echo is-a-tty; echo got-$line");
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL, process = NULL;
  g_autoptr (HcsProcessConfig) exec_config =
      make_exec_config ("test -t 1 && echo exec-tty; read line; stty size");
  g_autoptr (GString) seen = g_string_new (NULL), exec_seen = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  config->process->emulate_console = TRUE;
  config->process->console_height = 24;
  config->process->console_width = 80;
  container = create_started (fixture, "pty", config);
  init = get_init (container);
  /* With a console, stdout carries it and there is no stderr. */
  g_assert_nonnull (hcs_process_get_stdout (init));
  g_assert_null (hcs_process_get_stderr (init));
  read_until (hcs_process_get_stdout (init), seen, "24 80");
  g_assert_true (hcs_process_resize_console (init, 132, 43, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (hcs_process_get_stdin (init), "hello\n", 6, NULL,
                                            NULL, &error));
  g_assert_no_error (error);
  read_until (hcs_process_get_stdout (init), seen, "43 132");
  read_until (hcs_process_get_stdout (init), seen, "is-a-tty");
  read_until (hcs_process_get_stdout (init), seen, "got-hello");
  g_assert_cmpint (container_exit_code (container), ==, 0);
  remove_stopped (container);

  /* An exec'd process with a console of its own. */
  g_clear_object (&container);
  g_clear_pointer (&config, hcs_container_config_free);
  config = make_config ("sleep 1000");
  container = create_started (fixture, "pty-exec", config);
  exec_config->emulate_console = TRUE;
  exec_config->create_stdin_pipe = TRUE;
  process = hcs_container_create_process (container, exec_config, &error);
  g_assert_no_error (error);
  g_assert_null (hcs_process_get_stderr (process));
  read_until (hcs_process_get_stdout (process), exec_seen, "exec-tty");
  g_assert_true (hcs_process_resize_console (process, 100, 30, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (hcs_process_get_stdin (process), "\n", 1, NULL, NULL,
                                            &error));
  g_assert_no_error (error);
  read_until (hcs_process_get_stdout (process), exec_seen, "30 100");
  g_assert_cmpint (wait_exit_code (process), ==, 0);

  /* A process without a console has nothing to resize. */
  {
    g_autoptr (HcsProcess) sleeper = get_init (container);

    g_assert_false (hcs_process_resize_console (sleeper, 10, 10, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  terminate_and_remove (container);
}

static guint64
read_counter (const char *path)
{
  /* The writer replaces the file's text; a read may catch it empty. */
  for (int tries = 0; tries < 1000; tries++)
    {
      g_autofree char *text = NULL;

      if (g_file_get_contents (path, &text, NULL, NULL) && g_ascii_isdigit (text[0]))
        return g_ascii_strtoull (text, NULL, 10);
      g_usleep (1000);
    }
  g_error ("no counter in %s", path);
}

/* A paused system makes no progress; resumed, it goes on. */
static void
test_pause_resume (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsContainerConfig) config =
      make_config ("i=0; while true; do i=$((i+1)); echo $i > /data/counter; sleep 0.02; done");
  g_autofree char *data_dir = g_build_filename (fixture->temp_dir, "data", NULL);
  g_autofree char *counter = g_build_filename (data_dir, "counter", NULL);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GError) error = NULL;
  HcsMappedDirectory *mapped = g_new0 (HcsMappedDirectory, 1);
  guint64 paused_at, later, resumed;

  g_assert_cmpint (g_mkdir (data_dir, 0755), ==, 0);
  mapped->host_path = g_strdup (data_dir);
  mapped->container_path = g_strdup ("/data");
  config->mapped_directories =
      g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_mapped_directory_free);
  g_ptr_array_add (config->mapped_directories, mapped);
  container = create_started (fixture, "pause", config);
  while (!g_file_test (counter, G_FILE_TEST_EXISTS) || read_counter (counter) < 3)
    g_usleep (20000);

  g_assert_true (hcs_container_pause (container, &error));
  g_assert_no_error (error);
  assert_state (container, "Paused");
  /* Paused twice, or resumed while running, is an invalid state. */
  g_assert_false (hcs_container_pause (container, &error));
  g_assert_true (hcs_error_is_operation_invalid_state (error));
  g_clear_error (&error);

  /* The loop ticks every 20 ms: 300 ms paused would be ~15 ticks. */
  paused_at = read_counter (counter);
  g_usleep (300000);
  later = read_counter (counter);
  g_assert_cmpuint (later, ==, paused_at);

  g_assert_true (hcs_container_resume (container, &error));
  g_assert_no_error (error);
  assert_state (container, "Running");
  g_assert_false (hcs_container_resume (container, &error));
  g_assert_true (hcs_error_is_operation_invalid_state (error));
  g_clear_error (&error);
  do
    {
      g_usleep (20000);
      resumed = read_counter (counter);
    }
  while (resumed == later);
  g_assert_cmpuint (resumed, >, later);

  /* A paused system can still be terminated. */
  g_assert_true (hcs_container_pause (container, &error));
  g_assert_no_error (error);
  terminate_and_remove (container);
}

/* Memory and processor figures present and sane. */
static void
test_statistics (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsContainerConfig) config =
      make_config ("i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo busy-done; "
                   "exec sleep 1000");
  g_autoptr (HcsContainer) container = create_started (fixture, "statistics", config);
  g_autoptr (HcsProcess) init = get_init (container);
  g_autoptr (HcsStatistics) stats = NULL;
  g_autoptr (GString) seen = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  gint64 before = g_get_real_time ();

  read_until (hcs_process_get_stdout (init), seen, "busy-done");
  stats = hcs_container_get_statistics (container, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stats);
  g_assert_cmpuint (stats->memory_usage_commit_bytes, >, 0);
  /* A shell and a sleep in busybox: far from a gigabyte. */
  g_assert_cmpuint (stats->memory_usage_commit_bytes, <, G_GUINT64_CONSTANT (1) << 30);
  g_assert_cmpuint (stats->memory_usage_commit_peak_bytes, >=, stats->memory_usage_commit_bytes);
  /* 20000 turns of a shell loop cost processor time. */
  g_assert_cmpuint (stats->processor_total_runtime_100ns, >, 0);
  g_assert_cmpuint (stats->processor_total_runtime_100ns, >=,
                    stats->processor_runtime_user_100ns);
  g_assert_cmpint (stats->timestamp, >=, before - 60 * G_USEC_PER_SEC);
  g_assert_cmpint (stats->container_start_time, <=, stats->timestamp);
  terminate_and_remove (container);
}

static GPtrArray *
get_process_list (HcsContainer *container)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *list = hcs_container_get_process_list (container, &error);

  g_assert_no_error (error);
  g_assert_nonnull (list);
  return list;
}

static gboolean
all_named (GPtrArray *list, const char *image_name)
{
  for (guint i = 0; i < list->len; i++)
    if (g_strcmp0 (((HcsProcessListItem *) list->pdata[i])->image_name, image_name) != 0)
      return FALSE;
  return TRUE;
}

/* The process list holds the init and an exec'd process. */
static void
test_process_list (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sleep", "1000", NULL };
  g_autoptr (HcsContainerConfig) config = make_config_argv (argv);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL, process = NULL;
  g_autoptr (HcsProcessConfig) exec_config = hcs_process_config_new ();
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;

  /* Not through a shell: busybox's sh runs applets as /proc/self/exe. */
  exec_config->command_args = g_strdupv ((char **) argv);
  container = create_started (fixture, "process-list", config);
  init = get_init (container);
  process = hcs_container_create_process (container, exec_config, &error);
  g_assert_no_error (error);
  list = get_process_list (container);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_true (process_list_has (list, hcs_process_get_pid (init)));
  g_assert_true (process_list_has (list, hcs_process_get_pid (process)));
  /* A process just made may still be on its way to its program. */
  for (int tries = 0; tries < 500 && !all_named (list, "sleep"); tries++)
    {
      g_usleep (10000);
      g_clear_pointer (&list, g_ptr_array_unref);
      list = get_process_list (container);
    }
  g_assert_true (all_named (list, "sleep"));

  /* The exec'd process gone, the list follows. */
  g_assert_true (hcs_process_kill (process, &error));
  g_assert_no_error (error);
  g_assert_cmpint (wait_exit_code (process), ==, 128 + SIGKILL);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = get_process_list (container);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_true (process_list_has (list, hcs_process_get_pid (init)));
  terminate_and_remove (container);
}

/* Graceful: the init gets SIGTERM and ends on its own terms. */
static void
test_shutdown (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsContainerConfig) config =
      make_config ("trap 'exit 7' TERM; echo ready; while true; do sleep 0.05; done");
  g_autoptr (HcsContainer) container = create_started (fixture, "shutdown", config);
  g_autoptr (HcsProcess) init = get_init (container);
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GString) seen = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  read_until (hcs_process_get_stdout (init), seen, "ready");
  g_assert_true (hcs_container_shutdown (container, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_wait_timeout (container, 20000, NULL, &error));
  g_assert_no_error (error);
  props = get_properties (container);
  g_assert_true (props->stopped);
  g_assert_cmpstr (props->state, ==, "Stopped");
  g_assert_cmpint (props->exit_code, ==, 7);
  g_assert_cmpstr (props->exit_type, ==, "GracefulExit");
  g_assert_false (hcs_container_shutdown (container, &error));
  g_assert_true (hcs_error_is_already_stopped (error));
  g_clear_error (&error);
  remove_stopped (container);
}

/* Forced: every process of the system dies, handlers or not. */
static void
test_terminate (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsContainerConfig) config =
      make_config ("trap '' TERM; sleep 1000 & sleep 1000 & echo ready; wait");
  g_autoptr (HcsContainer) container = create_started (fixture, "terminate", config);
  g_autoptr (HcsProcess) init = get_init (container), process = NULL;
  g_autoptr (HcsProcessConfig) exec_config = make_exec_config ("trap '' TERM; exec sleep 1000");
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GString) seen = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  read_until (hcs_process_get_stdout (init), seen, "ready");
  process = hcs_container_create_process (container, exec_config, &error);
  g_assert_no_error (error);
  for (int tries = 0; tries < 500; tries++)
    {
      g_clear_pointer (&list, g_ptr_array_unref);
      list = hcs_container_get_process_list (container, &error);
      g_assert_no_error (error);
      if (list->len >= 4)
        break;
      g_usleep (20000);
    }
  g_assert_cmpuint (list->len, ==, 4);

  g_assert_true (hcs_container_terminate (container, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_wait_timeout (container, 20000, NULL, &error));
  g_assert_no_error (error);
  props = get_properties (container);
  g_assert_true (props->stopped);
  g_assert_cmpstr (props->exit_type, ==, "ForcedExit");
  g_assert_cmpint (props->exit_code, ==, 128 + SIGKILL);
  /* The exec'd process died with the system. */
  g_assert_cmpint (wait_exit_code (process), ==, 128 + SIGKILL);
  g_assert_false (hcs_container_terminate (container, &error));
  g_assert_true (hcs_error_is_already_stopped (error));
  g_clear_error (&error);
  remove_stopped (container);
}

/* A wait that runs out is a timeout error, for systems and processes. */
static void
test_wait_timeout (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsContainerConfig) config = make_config ("sleep 1000");
  g_autoptr (HcsContainer) container = create_started (fixture, "wait-timeout", config);
  g_autoptr (HcsProcess) init = get_init (container), process = NULL;
  g_autoptr (HcsProcessConfig) exec_config = make_exec_config ("exec sleep 1000");
  g_autoptr (GError) error = NULL;
  int exit_code = -1;

  g_assert_false (hcs_container_wait_timeout (container, 100, NULL, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_TIMEOUT);
  g_assert_true (hcs_error_is_timeout (error));
  g_clear_error (&error);

  process = hcs_container_create_process (container, exec_config, &error);
  g_assert_no_error (error);
  g_assert_false (hcs_process_wait_timeout (process, 100, NULL, &error));
  g_assert_true (hcs_error_is_timeout (error));
  g_clear_error (&error);
  g_assert_false (hcs_process_wait_timeout (init, 0, NULL, &error));
  g_assert_true (hcs_error_is_timeout (error));
  g_clear_error (&error);
  /* No exit code while it runs. */
  g_assert_false (hcs_process_get_exit_code (process, &exit_code, &error));
  g_assert_true (hcs_error_is_operation_invalid_state (error));
  g_clear_error (&error);

  /* Still running after the timeouts: it ends when told. */
  g_assert_true (hcs_process_kill (process, &error));
  g_assert_no_error (error);
  g_assert_cmpint (wait_exit_code (process), ==, 128 + SIGKILL);
  terminate_and_remove (container);
}

typedef struct {
  gboolean container_done, process_done;
  int exited_signal_code, process_exited_code;
  GError *container_error, *process_error;
} AsyncWaits;

static void
container_waited_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  AsyncWaits *waits = data;

  hcs_container_wait_finish (HCS_CONTAINER (source), result, &waits->container_error);
  waits->container_done = TRUE;
}

static void
process_waited_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  AsyncWaits *waits = data;

  hcs_process_wait_finish (HCS_PROCESS (source), result, &waits->process_error);
  waits->process_done = TRUE;
}

static void
exited_cb (HcsContainer *container, int exit_code, gpointer data)
{
  ((AsyncWaits *) data)->exited_signal_code = exit_code;
}

static void
process_exited_cb (HcsProcess *process, int exit_code, gpointer data)
{
  ((AsyncWaits *) data)->process_exited_code = exit_code;
}

/* Async waits complete in the caller's main context when the system and
 * the process end; nothing completes before. */
static void
test_wait_async (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsContainerConfig) config = make_config ("read line; exit 5");
  g_autoptr (HcsContainer) container = create_started (fixture, "wait-async", config);
  g_autoptr (HcsProcess) init = get_init (container), process = NULL;
  g_autoptr (HcsProcessConfig) exec_config = make_exec_config ("read line; exit 6");
  g_autoptr (GError) error = NULL;
  AsyncWaits waits = { FALSE, FALSE, -1000, -1000, NULL, NULL };
  int exit_code = -1;

  g_signal_connect (container, "exited", G_CALLBACK (exited_cb), &waits);
  exec_config->create_stdin_pipe = TRUE;
  process = hcs_container_create_process (container, exec_config, &error);
  g_assert_no_error (error);
  g_signal_connect (process, "exited", G_CALLBACK (process_exited_cb), &waits);
  hcs_container_wait_async (container, NULL, container_waited_cb, &waits);
  hcs_process_wait_async (process, NULL, process_waited_cb, &waits);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (waits.container_done);
  g_assert_false (waits.process_done);

  /* Each ends when its stdin reaches EOF. */
  g_assert_true (hcs_process_close_stdin (process, &error));
  g_assert_no_error (error);
  while (!waits.process_done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (waits.process_error);
  g_assert_true (hcs_process_get_exit_code (process, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 6);
  g_assert_false (waits.container_done);

  g_assert_true (hcs_process_close_stdin (init, &error));
  g_assert_no_error (error);
  while (!waits.container_done || waits.exited_signal_code == -1000)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (waits.container_error);
  g_assert_cmpint (waits.exited_signal_code, ==, 5);
  g_assert_true (hcs_container_get_exit_code (container, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 5);

  /* Waiting for what already ended completes at once. */
  waits.container_done = FALSE;
  hcs_container_wait_async (container, NULL, container_waited_cb, &waits);
  while (!waits.container_done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (waits.container_error);

  g_signal_handlers_disconnect_by_data (container, &waits);
  remove_stopped (container);

  /* The process's own "exited" signal, with its exit code. */
  while (waits.process_exited_code == -1000)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (waits.process_exited_code, ==, 6);
  g_signal_handlers_disconnect_by_data (process, &waits);
}

/* A cancelled async wait fails with G_IO_ERROR_CANCELLED and leaves the
 * process running; a later wait still sees its exit. */
static void
test_wait_cancel (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsContainerConfig) config = make_config ("sleep 1000");
  g_autoptr (HcsContainer) container = create_started (fixture, "wait-cancel", config);
  g_autoptr (HcsProcessConfig) exec_config = make_exec_config ("read line; exit 8");
  g_autoptr (HcsProcess) process = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  AsyncWaits waits = { FALSE, FALSE, -1000, -1000, NULL, NULL };
  int exit_code = -1;

  exec_config->create_stdin_pipe = TRUE;
  process = hcs_container_create_process (container, exec_config, &error);
  g_assert_no_error (error);
  hcs_process_wait_async (process, cancellable, process_waited_cb, &waits);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (waits.process_done);

  g_cancellable_cancel (cancellable);
  while (!waits.process_done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (waits.process_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&waits.process_error);

  /* Still running: a new wait ends with its exit, not before. */
  waits.process_done = FALSE;
  hcs_process_wait_async (process, NULL, process_waited_cb, &waits);
  g_assert_true (hcs_process_close_stdin (process, &error));
  g_assert_no_error (error);
  while (!waits.process_done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (waits.process_error);
  g_assert_true (hcs_process_get_exit_code (process, &exit_code, &error));
  g_assert_no_error (error);
  g_assert_cmpint (exit_code, ==, 8);
  terminate_and_remove (container);
}

/* Removed, a system is gone: opening it says it does not exist, and its
 * id is free again. */
static void
test_remove (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsContainerConfig) config = make_config ("sleep 1000");
  g_autoptr (HcsContainer) container = create_started (fixture, "remove", config);
  g_autoptr (HcsContainer) opened = NULL, again = NULL;
  g_autoptr (GError) error = NULL;

  /* Not while it runs. */
  g_assert_false (hcs_container_remove (container, &error));
  g_assert_true (hcs_error_is_operation_invalid_state (error));
  g_clear_error (&error);

  opened = hcs_host_open_container (fixture->host, "remove", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hcs_container_get_id (opened), ==, "remove");
  assert_state (opened, "Running");
  g_clear_object (&opened);

  terminate_and_remove (container);
  opened = hcs_host_open_container (fixture->host, "remove", &error);
  g_assert_null (opened);
  g_assert_true (hcs_error_is_not_exist (error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST);
  g_clear_error (&error);

  /* The id can be used again. */
  again = create_started (fixture, "remove", config);
  terminate_and_remove (again);
}

/* The predicates callers branch on, each where hcsshim gives it. */
static void
test_error_predicates (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsContainerConfig) config = make_config ("sleep 1000");
  g_autoptr (HcsContainer) container = NULL, missing = NULL, duplicate = NULL;
  g_autoptr (HcsProcess) init = NULL, process = NULL;
  g_autoptr (HcsProcessConfig) exec_config = make_exec_config ("exit 0");
  g_autoptr (GError) error = NULL;

  /* Does not exist: a system, a process. */
  missing = hcs_host_open_container (fixture->host, "no-such-system", &error);
  g_assert_null (missing);
  g_assert_true (hcs_error_is_not_exist (error));
  g_clear_error (&error);

  container = hcs_host_create_container (fixture->host, "predicates", config, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);

  /* Already exists: the same id twice. */
  duplicate = hcs_host_create_container (fixture->host, "predicates", config, NULL, &error);
  g_assert_null (duplicate);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);

  g_assert_null (hcs_container_open_process (container, 999999, &error));
  g_assert_true (hcs_error_is_not_exist (error));
  g_clear_error (&error);

  /* Already stopped: a process that ended, a system that ended. */
  exec_config->create_stdout_pipe = FALSE;
  process = hcs_container_create_process (container, exec_config, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wait_exit_code (process), ==, 0);
  g_assert_false (hcs_process_kill (process, &error));
  g_assert_true (hcs_error_is_already_stopped (error));
  g_clear_error (&error);
  g_assert_false (hcs_process_signal (process, SIGTERM, &error));
  g_assert_true (hcs_error_is_already_stopped (error));
  g_clear_error (&error);

  init = get_init (container);
  g_assert_true (hcs_container_terminate (container, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_wait_timeout (container, 20000, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (hcs_container_terminate (container, &error));
  g_assert_true (hcs_error_is_already_stopped (error));
  g_clear_error (&error);
  g_assert_false (hcs_process_kill (init, &error));
  g_assert_true (hcs_error_is_already_stopped (error));
  g_clear_error (&error);
  /* Invalid state: a stopped system neither starts nor pauses. */
  g_assert_false (hcs_container_pause (container, &error));
  g_assert_nonnull (error);
  g_assert_true (hcs_error_is_operation_invalid_state (error) ||
                 hcs_error_is_already_stopped (error));
  g_clear_error (&error);
  g_assert_null (hcs_container_create_process (container, exec_config, &error));
  g_assert_true (hcs_error_is_operation_invalid_state (error) ||
                 hcs_error_is_already_stopped (error));
  g_clear_error (&error);
  remove_stopped (container);

  /* Already closed: a handle let go. */
  g_assert_true (hcs_container_close (container, &error));
  g_assert_no_error (error);
  g_assert_false (hcs_container_start (container, &error));
  g_assert_true (hcs_error_is_already_closed (error));
  g_clear_error (&error);
  g_assert_true (hcs_process_close (process, &error));
  g_assert_no_error (error);
  g_assert_false (hcs_process_kill (process, &error));
  g_assert_true (hcs_error_is_already_closed (error));
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  contract_mode = g_getenv ("HCS_CONTRACT_MODE");
  contract_isolation = g_getenv ("HCS_CONTRACT_ISOLATION");
  if (contract_mode == NULL || contract_isolation == NULL)
    g_error ("HCS_CONTRACT_MODE and HCS_CONTRACT_ISOLATION name the mode to test "
             "(meson.build sets them)");
  {
    g_autoptr (GKeyFile) extra = g_key_file_new ();

    apply_extra_options (extra, g_getenv ("HCS_CONTRACT_OPTIONS"));
    contract_monitor = g_key_file_get_boolean (extra, "host", "monitor", NULL);
  }
  contract_in_guest =
      g_str_equal (contract_isolation, "lcow") || g_str_equal (contract_isolation, "hyperv");
  if (geteuid () != 0)
    {
      g_test_skip ("compute systems need root");
      return 0;
    }

#define ADD(name, func)                                                                           \
  G_STMT_START                                                                                    \
  {                                                                                               \
    g_autofree char *path = g_strdup_printf ("/contract/%s/%s", contract_mode, name);             \
    g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);                    \
  }                                                                                               \
  G_STMT_END
  ADD ("create-start", test_create_start);
  ADD ("stdio", test_stdio);
  ADD ("stdio-large", test_stdio_large);
  ADD ("exit-codes", test_exit_codes);
  ADD ("exec", test_exec);
  ADD ("signals", test_signals);
  ADD ("pty", test_pty);
  ADD ("pause-resume", test_pause_resume);
  ADD ("statistics", test_statistics);
  ADD ("process-list", test_process_list);
  ADD ("shutdown", test_shutdown);
  ADD ("terminate", test_terminate);
  ADD ("wait-timeout", test_wait_timeout);
  ADD ("wait-async", test_wait_async);
  ADD ("wait-cancel", test_wait_cancel);
  ADD ("remove", test_remove);
  ADD ("error-predicates", test_error_predicates);
#undef ADD

  result = g_test_run ();
  test_cleanup_cgroup_parent ();
  return result;
}
