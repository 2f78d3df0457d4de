/* test-lcow-held.c: utility VMs held by hcs-lcow-uvm ([lcow] uvm-holder):
 * a container outlives the host that made it and is reached from another
 * process (hcsctl list/state/exec/kill/delete); containers-per-vm=2 puts
 * two containers in one UVM (one QEMU) and the third in a new one; a
 * holder goes with its last container, leaving no QEMU and no folder.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"
#include "test-sentinel.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static struct
{
  char *temp_dir;
  char *options_path;
  char *holders_dir;
  GKeyFile *options;
} shared;

/* The pids of the processes whose command line has @needle and whose
 * name is @comm (or whose parent is in @parents, when given). */
static GArray *
find_processes (const char *comm, GArray *parents)
{
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (GPid));
  const char *name;

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *stat_path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *cmdline_path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *stat = NULL;
      g_autofree char *cmdline = NULL;
      g_autofree char *paren = g_strdup_printf ("(%s", comm);
      gsize length = 0;
      g_auto (GStrv) fields = NULL;
      const char *after;
      gboolean ours = FALSE;
      GPid ppid;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (stat_path, &stat, NULL, NULL) ||
          (after = strrchr (stat, ')')) == NULL || strstr (stat, paren) == NULL)
        continue;
      fields = g_strsplit (after + 2, " ", 3);
      if (g_strv_length (fields) < 2 || fields[0][0] == 'Z')
        continue;
      ppid = atoi (fields[1]);
      if (parents != NULL)
        {
          for (guint i = 0; i < parents->len; i++)
            ours = ours || g_array_index (parents, GPid, i) == ppid;
        }
      else if (g_file_get_contents (cmdline_path, &cmdline, &length, NULL))
        {
          for (gsize i = 0; i + 1 < length; i++)
            if (cmdline[i] == '\0')
              cmdline[i] = ' ';
          ours = strstr (cmdline, shared.holders_dir) != NULL;
        }
      if (ours)
        {
          GPid pid = atoi (name);
          g_array_append_val (pids, pid);
        }
    }
  return pids;
}

/* Our holders, and the QEMU processes they run. */
static guint
count_holders (void)
{
  g_autoptr (GArray) holders = find_processes ("hcs-lcow-uvm", NULL);
  return holders->len;
}

static guint
count_qemus (void)
{
  g_autoptr (GArray) holders = find_processes ("hcs-lcow-uvm", NULL);
  g_autoptr (GArray) qemus = find_processes ("qemu-system-", holders);
  return qemus->len;
}

/* A holder exits once its last container was removed and its clients
 * hung up: its end is awaited (a guard, not a timing). */
static void
await_no_holders (void)
{
  for (guint i = 0; i < 600 && count_holders () > 0; i++)
    g_usleep (100 * 1000);
  g_assert_cmpuint (count_holders (), ==, 0);
  g_assert_cmpuint (count_qemus (), ==, 0);
}

static guint
count_holder_folders (void)
{
  g_autoptr (GDir) dir = g_dir_open (shared.holders_dir, 0, NULL);
  guint count = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    count++;
  return count;
}

static HcsContainerConfig *
make_config (const char *const *argv, gboolean pipes)
{
  HcsContainerConfig *config = hcs_container_config_new ();

  config->owner = g_strdup ("test-lcow-held");
  config->process = hcs_process_config_new ();
  config->process->command_args = g_strdupv ((char **) argv);
  config->process->create_stdin_pipe = pipes;
  config->process->create_stdout_pipe = pipes;
  config->process->create_stderr_pipe = pipes;
  return config;
}

/* hcsctl --options OPTIONS ARGS...: its exit status, stdout in @out. */
static int
hcsctl (char **out, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  const char *arg;
  int status = -1;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("HCSCTL"));
  g_ptr_array_add (argv, "--options");
  g_ptr_array_add (argv, shared.options_path);
  va_start (args, out);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  /* Its stderr is ours, not a pipe read to its end: runc's create gives
   * its streams to the system's init, which keeps them after it exits. */
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, NULL,
                &status, &error);
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* hcsctl --options OPTIONS ARGS... with @input on its stdin (NULL: none),
 * its stdout and stderr read to their end: the end comes once every
 * holder of the pipes closed them (the UVM holder's relays too). */
static int
hcsctl_piped (const char *input, char **out, char **err, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("HCSCTL"));
  g_ptr_array_add (argv, "--options");
  g_ptr_array_add (argv, shared.options_path);
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char *const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                   G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, out, err, &error);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

/* The one holder's open descriptors. */
static guint
count_holder_fds (void)
{
  g_autoptr (GArray) holders = find_processes ("hcs-lcow-uvm", NULL);
  g_autofree char *fd_dir = NULL;
  g_autoptr (GDir) dir = NULL;
  guint count = 0;

  g_assert_cmpuint (holders->len, ==, 1);
  fd_dir = g_strdup_printf ("/proc/%d/fd", (int) g_array_index (holders, GPid, 0));
  dir = g_dir_open (fd_dir, 0, NULL);
  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    count++;
  return count;
}

/* The holder's descriptors once they have stopped changing for half a
 * second: it drops the connections of clients that just went (a host
 * finalized, an hcsctl list or state) as it sees them end, so a count
 * taken at once may still hold some of theirs. */
static guint
settled_holder_fds (void)
{
  guint count = count_holder_fds ();
  guint unchanged = 0;

  for (guint i = 0; i < 300 && unchanged < 5; i++)
    {
      guint now;

      g_usleep (100 * 1000);
      now = count_holder_fds ();
      unchanged = now == count ? unchanged + 1 : 0;
      count = now;
    }
  return count;
}

/* The holder drops a client's connections and relays as they end: its
 * descriptors come back to @before (a guard, not a timing). */
static void
await_holder_fds (guint before)
{
  for (guint i = 0; i < 300 && count_holder_fds () != before; i++)
    g_usleep (100 * 1000);
  g_assert_cmpuint (count_holder_fds (), ==, before);
}

/* Made by one host, which then goes; another process finds the system,
 * runs a process in it, kills and deletes it. */
static void
test_outlives_its_client (void)
{
  const char *argv[] = { "sh", "-c", "echo started; read line; echo got $line; sleep 1000",
                         NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv, TRUE);
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *line = NULL;
  g_autofree char *state = NULL;
  g_autofree char *exec_out = NULL;

  {
    g_autoptr (HcsHost) host = hcs_host_new (shared.options, &error);
    g_autoptr (HcsContainer) container = NULL;
    g_autoptr (HcsProcess) init = NULL;
    g_autoptr (GDataInputStream) reader = NULL;

    g_assert_no_error (error);
    container = hcs_host_create_container (host, "held-a", config, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (count_holders (), ==, 1);
    g_assert_cmpuint (count_qemus (), ==, 1);
    g_assert_true (hcs_container_start (container, &error));
    g_assert_no_error (error);
    /* The init's stdio, relayed by the holder. */
    init = hcs_container_get_init_process (container, &error);
    g_assert_no_error (error);
    reader = g_data_input_stream_new (hcs_process_get_stdout (init));
    line = g_data_input_stream_read_line (reader, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (line, ==, "started");
    g_clear_pointer (&line, g_free);
    g_output_stream_write_all (hcs_process_get_stdin (init), "hello\n", 6, NULL, NULL, &error);
    g_assert_no_error (error);
    line = g_data_input_stream_read_line (reader, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (line, ==, "got hello");
  }
  /* Its host is gone; the system is not. */
  g_assert_cmpuint (count_holders (), ==, 1);
  g_assert_cmpuint (count_qemus (), ==, 1);

  g_assert_cmpint (hcsctl (&out, "list", "-q", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "held-a\n");
  g_assert_cmpint (hcsctl (&state, "state", "held-a", NULL), ==, 0);
  g_assert_nonnull (strstr (state, "\"running\""));
  /* hcsctl's exec gives its own stdio to the holder (StdioDescriptors),
   * which relays the guest's ports to them: output, input and the exit
   * code cross, and nothing of them stays in the holder after. */
  {
    g_autofree char *exec_err = NULL;
    guint fds_before = settled_holder_fds ();

    g_assert_cmpint (hcsctl_piped ("fed\n", &exec_out, &exec_err, "exec", "held-a", "sh", "-c",
                                   "echo out; echo err >&2; read line; echo got $line; exit 5",
                                   NULL),
                     ==, 5);
    g_assert_cmpstr (exec_out, ==, "out\ngot fed\n");
    g_assert_cmpstr (exec_err, ==, "err\n");
    await_holder_fds (fds_before);
  }
  /* Another host opens it and runs a process with pipes in it. */
  {
    const char *exec_argv[] = { "sh", "-c", "echo exec in $0", "uvm", NULL };
    g_autoptr (HcsHost) host = hcs_host_new (shared.options, &error);
    g_autoptr (HcsContainer) container = NULL;
    g_autoptr (HcsProcessConfig) process_config = hcs_process_config_new ();
    g_autoptr (HcsProcess) process = NULL;
    g_autofree char *process_out = NULL;
    int exit_code = -1;

    g_assert_no_error (error);
    container = hcs_host_open_container (host, "held-a", &error);
    g_assert_no_error (error);
    process_config->command_args = g_strdupv ((char **) exec_argv);
    process_config->create_stdout_pipe = TRUE;
    process = hcs_container_create_process (container, process_config, &error);
    g_assert_no_error (error);
    process_out = test_read_all (hcs_process_get_stdout (process));
    g_assert_cmpstr (process_out, ==, "exec in uvm\n");
    g_assert_true (hcs_process_wait_timeout (process, -1, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (hcs_process_get_exit_code (process, &exit_code, &error));
    g_assert_cmpint (exit_code, ==, 0);
  }
  g_assert_cmpint (hcsctl (NULL, "kill", "held-a", "KILL", NULL), ==, 0);
  g_assert_cmpint (hcsctl (NULL, "delete", "held-a", NULL), ==, 0);
  /* Its last container gone, the holder goes, and its UVM. */
  await_no_holders ();
  g_assert_cmpuint (count_holder_folders (), ==, 0);
}

/* containers-per-vm=2: two in one UVM, the third boots another; each
 * holder goes with its last container. */
static void
test_containers_per_vm (void)
{
  const char *sleeper[] = { "sleep", "1000", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (sleeper, FALSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = hcs_host_new (shared.options, &error);
  HcsContainer *containers[3] = { NULL };
  const char *ids[3] = { "per-vm-1", "per-vm-2", "per-vm-3" };

  g_assert_no_error (error);

  for (guint i = 0; i < 3; i++)
    {
      containers[i] = hcs_host_create_container (host, ids[i], config, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (hcs_container_start (containers[i], &error));
      g_assert_no_error (error);
      g_assert_cmpuint (count_qemus (), ==, i < 2 ? 1 : 2);
      g_assert_cmpuint (count_holders (), ==, i < 2 ? 1 : 2);
    }
  {
    g_autoptr (GPtrArray) listed = hcs_host_list_containers (host, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (listed->len, ==, 3);
  }
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (hcs_container_terminate (containers[i], &error));
      g_assert_no_error (error);
      g_assert_true (hcs_container_remove (containers[i], &error));
      g_assert_no_error (error);
      g_clear_object (&containers[i]);
    }
  await_no_holders ();
  g_assert_cmpuint (count_holder_folders (), ==, 0);
}

/* runc's verbs on a bundle whose annotation io.hcs.isolation says lcow:
 * its host root reaches the guest (an erofs image), held, through
 * create/start/state/kill/delete (each a process of its own); with
 * io.hcs.lcow.rootfs=guest it runs on the guest's own image. */
static void
test_oci_annotation (void)
{
  g_autofree char *bundle = g_build_filename (shared.temp_dir, "bundle", NULL);
  g_autofree char *config_path = g_build_filename (bundle, "config.json", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *state = NULL;
  const char *config_format =
      "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"%s\"},"
      " \"process\": {\"cwd\": \"/\", \"args\": [\"sleep\", \"1000\"],"
      "   \"env\": [\"PATH=/bin\", \"FOO=bar\"], \"user\": {\"uid\": 1000, \"gid\": 1001}},"
      " \"annotations\": {\"io.hcs.isolation\": \"lcow\"%s}}";
  g_autofree char *host_root = g_strdup_printf (config_format, test_get_busybox_rootfs (), "");
  g_autofree char *guest_root = g_strdup (
      "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"},"
      " \"process\": {\"cwd\": \"/\", \"args\": [\"sh\", \"-c\", \"echo init-out; "
      "echo init-err >&2; read line; echo got $line; sleep 1000\"]},"
      " \"annotations\": {\"io.hcs.isolation\": \"lcow\", \"io.hcs.lcow.rootfs\": \"guest\"}}");
  g_autofree char *bad_value =
      g_strdup_printf (config_format, "rootfs", ", \"io.hcs.lcow.rootfs\": \"host\"");
  g_autofree char *empty_root = g_build_filename (bundle, "rootfs", NULL);

  g_assert_cmpint (g_mkdir_with_parents (empty_root, 0755), ==, 0);
  /* A value the annotation does not know is refused before anything runs. */
  g_assert_true (g_file_set_contents (config_path, bad_value, -1, &error));
  g_assert_cmpint (hcsctl (NULL, "create", "--bundle", bundle, "oci-lcow", NULL), !=, 0);
  g_assert_cmpuint (count_holders (), ==, 0);

  g_assert_true (g_file_set_contents (config_path, host_root, -1, &error));
  g_assert_cmpint (hcsctl (NULL, "create", "--bundle", bundle, "oci-lcow", NULL), ==, 0);
  g_assert_cmpuint (count_qemus (), ==, 1);
  g_assert_cmpint (hcsctl (&state, "state", "oci-lcow", NULL), ==, 0);
  g_assert_nonnull (strstr (state, "\"created\""));
  g_clear_pointer (&state, g_free);
  g_assert_cmpint (hcsctl (NULL, "start", "oci-lcow", NULL), ==, 0);
  g_assert_cmpint (hcsctl (&state, "state", "oci-lcow", NULL), ==, 0);
  g_assert_nonnull (strstr (state, "\"running\""));
  g_clear_pointer (&state, g_free);
  /* exec without --process starts from the bundle's process, as under
   * argon (the full path builds it for every isolation), options over it. */
  g_assert_cmpint (hcsctl (&state, "exec", "oci-lcow", "sh", "-c", "echo $FOO; id -u; id -g",
                           NULL), ==, 0);
  g_assert_cmpstr (state, ==, "bar\n1000\n1001\n");
  g_clear_pointer (&state, g_free);
  g_assert_cmpint (hcsctl (&state, "exec", "--env", "FOO=baz", "--user", "0", "oci-lcow", "sh",
                           "-c", "echo $FOO; id -u; id -g", NULL), ==, 0);
  g_assert_cmpstr (state, ==, "baz\n0\n1001\n");
  g_clear_pointer (&state, g_free);
  g_assert_cmpint (hcsctl (NULL, "kill", "oci-lcow", "KILL", NULL), ==, 0);
  /* The exit reaches the holder asynchronously: delete --force either way. */
  g_assert_cmpint (hcsctl (NULL, "delete", "--force", "oci-lcow", NULL), ==, 0);
  await_no_holders ();

  /* The guest's own image: its (empty) host root is left out. The init's
   * stdio is create's own (runc's model: podman's and conmon's pipes),
   * kept by the holder after create exited, until the init is gone. */
  g_assert_true (g_file_set_contents (config_path, guest_root, -1, &error));
  {
    g_autoptr (GSubprocess) create = NULL;
    g_autoptr (GDataInputStream) out = NULL;
    g_autoptr (GDataInputStream) err = NULL;
    g_autofree char *line = NULL;
    g_autofree char *rest = NULL;
    const char *argv[] = { g_getenv ("HCSCTL"), "--options", shared.options_path, "create",
                           "--bundle", bundle, "oci-lcow", NULL };

    create = g_subprocess_newv (argv,
                                G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                    G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                &error);
    g_assert_no_error (error);
    g_output_stream_write_all (g_subprocess_get_stdin_pipe (create), "fed\n", 4, NULL, NULL,
                               &error);
    g_assert_no_error (error);
    g_output_stream_close (g_subprocess_get_stdin_pipe (create), NULL, NULL);
    g_assert_true (g_subprocess_wait_check (create, NULL, &error));
    g_assert_no_error (error);
    /* create is gone; its streams are the holder's now. */
    g_assert_cmpint (hcsctl (NULL, "start", "oci-lcow", NULL), ==, 0);
    out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (create));
    err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (create));
    line = g_data_input_stream_read_line (out, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (line, ==, "init-out");
    g_clear_pointer (&line, g_free);
    line = g_data_input_stream_read_line (out, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (line, ==, "got fed");
    g_clear_pointer (&line, g_free);
    line = g_data_input_stream_read_line (err, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (line, ==, "init-err");
    g_assert_cmpint (hcsctl (&state, "state", "oci-lcow", NULL), ==, 0);
    g_assert_nonnull (strstr (state, "\"running\""));
    g_clear_pointer (&state, g_free);
    g_assert_cmpint (hcsctl (NULL, "delete", "--force", "oci-lcow", NULL), ==, 0);
    /* The holder let its copies go: the pipes end. */
    rest = test_read_all (G_INPUT_STREAM (out));
    g_assert_cmpstr (rest, ==, "");
  }
  await_no_holders ();
  g_assert_cmpuint (count_holder_folders (), ==, 0);
  g_assert_cmpint (hcsctl (&state, "list", "-q", NULL), ==, 0);
  g_assert_cmpstr (state, ==, "");
}

/* runc's verbs with a terminal (podman run -t): the UVM holder makes the
 * host's pty, hands its master to the console socket and relays it, for
 * the init and an exec; it goes with the container. */
static void
test_console_socket (void)
{
  g_autofree char *bundle = g_build_filename (shared.temp_dir, "bundle-tty", NULL);

  test_console_socket_runc_verbs (shared.options_path, bundle,
                                  "{\"io.hcs.isolation\": \"lcow\"}", "lcow-tty", NULL, NULL);
  await_no_holders ();
  g_assert_cmpuint (count_holder_folders (), ==, 0);
}

/* hcsctl run --isolation lcow --name: held by default (the runtime options
 * say nothing of uvm-holder), so another hcsctl lists it while it runs;
 * its stdio is run's own, relayed by the holder, which goes with it. */
static void
test_run_named (void)
{
  g_autofree char *options_path = g_build_filename (shared.temp_dir, "run-options.ini", NULL);
  g_autoptr (GKeyFile) options = test_make_options (shared.temp_dir);
  g_autoptr (GSubprocess) run = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *list_argv[] = { g_getenv ("HCSCTL"), "--options", options_path, "list", "-q",
                              NULL };
  gboolean listed = FALSE;

  g_assert_true (g_key_file_save_to_file (options, options_path, &error));
  run = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_PIPE,
                          &error, g_getenv ("HCSCTL"), "--options", options_path, "run",
                          "--isolation", "lcow", "--name", "run-held", "--", "sh", "-c",
                          "read line; echo got $line; exit 3", NULL);
  g_assert_no_error (error);
  /* Found from another process while it waits for its input (a guard of
   * the boot's time, not a timing). */
  for (guint i = 0; i < 2400 && !listed; i++)
    {
      g_autofree char *ids = NULL;

      g_assert_true (g_spawn_sync (NULL, (char **) list_argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                                   NULL, NULL, &ids, NULL, NULL, &error));
      listed = ids != NULL && g_str_equal (ids, "run-held\n");
      if (!listed)
        g_usleep (100 * 1000);
    }
  g_assert_true (listed);
  g_assert_cmpuint (count_holders (), ==, 1);
  g_subprocess_communicate_utf8 (run, "fed\n", NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "got fed\n");
  g_assert_true (g_subprocess_get_if_exited (run));
  g_assert_cmpint (g_subprocess_get_exit_status (run), ==, 3);
  await_no_holders ();
  g_assert_cmpuint (count_holder_folders (), ==, 0);
}

/* QEMU killed under a held container: its holder goes, removing the
 * system's folder and its own; the system no longer exists. */
static void
test_killed_uvm (void)
{
  const char *sleeper[] = { "sleep", "1000", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (sleeper, FALSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = hcs_host_new (shared.options, &error);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsContainer) again = NULL;
  g_autoptr (GArray) holders = NULL;
  g_autoptr (GArray) qemus = NULL;

  g_assert_no_error (error);
  container = hcs_host_create_container (host, "killed", config, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  holders = find_processes ("hcs-lcow-uvm", NULL);
  qemus = find_processes ("qemu-system-", holders);
  g_assert_cmpuint (qemus->len, ==, 1);
  g_assert_cmpint (kill (g_array_index (qemus, GPid, 0), SIGKILL), ==, 0);
  await_no_holders ();
  g_assert_cmpuint (count_holder_folders (), ==, 0);
  again = hcs_host_open_container (host, "killed", &error);
  g_assert_null (again);
  g_assert_true (hcs_error_is_not_exist (error));
}

/* A hostile guest agent (the agent's hcs.misbehave= knob, through
 * [lcow] boot-parameters): garbage or an oversized frame on the bridge,
 * or no answer at all. Create fails naming it, and nothing is left: no
 * holder, no QEMU, no folder. */
static void
test_hostile_agent (gconstpointer data)
{
  const char *mode = data;
  const char *argv[] = { "true", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv, FALSE);
  g_autoptr (GKeyFile) options = g_key_file_new ();
  g_autofree char *text = g_key_file_to_data (shared.options, NULL, NULL);
  g_autofree char *parameters = g_strdup_printf ("quiet panic=-1 hcs.misbehave=%s", mode);
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainer) container = NULL;

  g_assert_true (g_key_file_load_from_data (options, text, -1, G_KEY_FILE_NONE, NULL));
  g_key_file_set_string (options, "lcow", "boot-parameters", parameters);
  /* The silent one is given up on after this (a boot under load may take
   * longer: the others keep the default guard, and fail as they answer). */
  if (g_str_equal (mode, "silent"))
    g_key_file_set_integer (options, "lcow", "boot-timeout", 15);
  /* One that answers the negotiation and then takes requests without
   * answering: the Create is given up on after request-timeout. */
  if (g_str_equal (mode, "stall"))
    g_key_file_set_integer (options, "lcow", "request-timeout", 10);
  host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  container = hcs_host_create_container (host, "hostile", config, NULL, &error);
  g_assert_null (container);
  if (g_str_equal (mode, "stall"))
    {
      g_assert_error (error, HCS_ERROR, HCS_ERROR_TIMEOUT);
      g_test_message ("%s: %s", mode, error->message);
      g_assert_nonnull (strstr (error->message, "Create: no answer within 10000 ms"));
      g_clear_error (&error);
    }
  else
    {
      g_assert_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);
      g_test_message ("%s: %s", mode, error->message);
      g_assert_nonnull (strstr (error->message, "did not answer"));
      /* Garbage and an oversized frame are seen as such, not waited out. */
      if (g_str_equal (mode, "garbage"))
        g_assert_nonnull (strstr (error->message, "neither a request, a response nor"));
      else if (g_str_equal (mode, "oversize"))
        g_assert_nonnull (strstr (error->message, "over the limit"));
    }
  await_no_holders ();
  g_assert_cmpuint (count_holder_folders (), ==, 0);
  {
    g_autofree char *state_root = g_build_filename (shared.temp_dir, "state", NULL);

    test_assert_no_state_folders (state_root);
  }
}

/* hcs-sentinel for runc's callers that wait for --pid-file's process. */
static void
test_sentinel (void)
{
  test_sentinel_lifecycle (shared.options_path, shared.temp_dir, "lcow");
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  shared.temp_dir = test_make_temp_dir ("hcs-test-lcow-held");
  shared.options = test_make_options (shared.temp_dir);
  g_key_file_set_string (shared.options, "host", "isolation", "lcow");
  g_key_file_set_boolean (shared.options, "lcow", "uvm-holder", TRUE);
  g_key_file_set_integer (shared.options, "lcow", "containers-per-vm", 2);
  shared.options_path = g_build_filename (shared.temp_dir, "options.ini", NULL);
  g_assert_true (g_key_file_save_to_file (shared.options, shared.options_path, &error));
  shared.holders_dir = g_build_filename (shared.temp_dir, "state", "lcow", NULL);

  g_test_add_func ("/lcow-held/outlives-its-client", test_outlives_its_client);
  g_test_add_func ("/lcow-held/containers-per-vm", test_containers_per_vm);
  g_test_add_func ("/lcow-held/oci-annotation", test_oci_annotation);
  g_test_add_func ("/lcow-held/console-socket", test_console_socket);
  g_test_add_func ("/lcow-held/sentinel", test_sentinel);
  g_test_add_func ("/lcow-held/run-named", test_run_named);
  g_test_add_func ("/lcow-held/killed-uvm", test_killed_uvm);
  g_test_add_data_func ("/lcow-held/hostile-agent/garbage", "garbage", test_hostile_agent);
  g_test_add_data_func ("/lcow-held/hostile-agent/oversize", "oversize", test_hostile_agent);
  g_test_add_data_func ("/lcow-held/hostile-agent/silent", "silent", test_hostile_agent);
  g_test_add_data_func ("/lcow-held/hostile-agent/stall", "stall", test_hostile_agent);
  status = g_test_run ();

  /* A failed test may have left holders: they go now, with their UVMs. */
  {
    g_autoptr (GArray) holders = find_processes ("hcs-lcow-uvm", NULL);

    for (guint i = 0; i < holders->len; i++)
      kill (g_array_index (holders, GPid, i), SIGTERM);
    if (holders->len > 0)
      await_no_holders ();
  }
  test_cleanup_cgroup_parent ();

  g_key_file_unref (shared.options);
  test_remove_tree (shared.temp_dir);
  return status;
}
