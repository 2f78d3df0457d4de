/* test-common.c: helpers shared by the suites.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

char *
test_make_temp_dir (const char *prefix)
{
  g_autofree char *template = g_strdup_printf ("/tmp/%s-XXXXXX", prefix);
  char *dir = g_mkdtemp (template);

  g_assert_nonnull (dir);
  return g_steal_pointer (&template);
}

void
test_remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static char *busybox_dir;

static void
remove_busybox_dir (void)
{
  if (busybox_dir != NULL)
    test_remove_tree (busybox_dir);
}

const char *
test_get_busybox_rootfs (void)
{
  static char *rootfs;
  g_autoptr (GError) error = NULL;

  if (rootfs == NULL)
    {
      busybox_dir = test_make_temp_dir ("hcs-test-images");
      atexit (remove_busybox_dir);
      rootfs = hcs_image_ensure_default (busybox_dir, NULL, &error);
      g_assert_no_error (error);
    }
  return rootfs;
}

const char *
test_find_v2_root (void)
{
  static const char *const candidates[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup", NULL };

  for (guint i = 0; candidates[i]; i++)
    {
      g_autofree char *controllers = g_build_filename (candidates[i], "cgroup.controllers", NULL);
      if (g_file_test (controllers, G_FILE_TEST_EXISTS))
        return candidates[i];
    }
  return NULL;
}

const char *
test_get_cgroup_parent (void)
{
  static char parent[64];

  if (parent[0] == '\0')
    g_snprintf (parent, sizeof parent, "hcs-test-%d", (int) getpid ());
  return parent;
}

GKeyFile *
test_make_options (const char *temp_dir)
{
  GKeyFile *options = g_key_file_new ();
  g_autofree char *state_dir = g_build_filename (temp_dir, "state", NULL);

  g_key_file_set_string (options, "host", "state-dir", state_dir);
  g_key_file_set_boolean (options, "host", "no-installed-plugins", TRUE);
  g_key_file_set_string (options, "argon", "cgroup-parent", test_get_cgroup_parent ());
  return options;
}

/* Every cgroup mount point of the machine, from mountinfo. */
static GPtrArray *
list_cgroup_mounts (void)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *mounts = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], " ", -1);
      guint n = g_strv_length (fields);
      for (guint j = 0; j + 1 < n; j++)
        if (g_str_equal (fields[j], "-") &&
            (g_str_equal (fields[j + 1], "cgroup") || g_str_equal (fields[j + 1], "cgroup2")))
          g_ptr_array_add (mounts, g_strdup (fields[4]));
    }
  return mounts;
}

void
test_assert_no_leftovers (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr (GPtrArray) cgroup_mounts = list_cgroup_mounts ();

  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &contents, NULL, NULL));
  if (path != NULL && strstr (contents, path) != NULL)
    g_error ("a mount below %s is left behind:\n%s", path, contents);

  for (guint i = 0; i < cgroup_mounts->len; i++)
    {
      g_autofree char *parent =
          g_build_filename (cgroup_mounts->pdata[i], test_get_cgroup_parent (), NULL);
      g_autoptr (GDir) dir = g_dir_open (parent, 0, NULL);
      const char *name;

      while (dir && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (parent, name, NULL);
          if (g_file_test (child, G_FILE_TEST_IS_DIR))
            g_error ("cgroup %s is left behind", child);
        }
    }
}

void
test_assert_no_state_folders (const char *state_root)
{
  g_autofree char *systems = g_build_filename (state_root, "systems", NULL);
  g_autoptr (GDir) dir = g_dir_open (systems, 0, NULL);
  const char *name = dir != NULL ? g_dir_read_name (dir) : NULL;

  if (name != NULL)
    g_error ("the state folder %s/%s is left behind", systems, name);
}

void
test_cleanup_cgroup_parent (void)
{
  g_autoptr (GPtrArray) cgroup_mounts = list_cgroup_mounts ();

  for (guint i = 0; i < cgroup_mounts->len; i++)
    {
      g_autofree char *parent =
          g_build_filename (cgroup_mounts->pdata[i], test_get_cgroup_parent (), NULL);
      if (g_rmdir (parent) < 0 && errno != ENOENT)
        g_error ("cannot remove the test's cgroup parent %s: %s", parent, g_strerror (errno));
    }
}

char *
test_read_all (GInputStream *stream)
{
  g_autoptr (GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr (GError) error = NULL;

  if (stream == NULL)
    return g_strdup ("");
  g_output_stream_splice (memory, stream, G_OUTPUT_STREAM_SPLICE_NONE, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write (memory, "", 1, NULL, NULL);
  g_output_stream_close (memory, NULL, NULL);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (memory));
}

/* The QEMU processes that are our children (live ones); @pid_out gets one. */
guint
test_find_child_qemus (GPid *pid_out)
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

/* --- runc's console socket, received ------------------------------------------------- */

/* Against a hang only: a VM under TCG on a loaded machine is slow. */
#define CONSOLE_GUARD_MS (90 * 1000)

int
test_console_socket_listen (const char *path)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int listener = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (listener, >=, 0);
  g_assert_cmpuint (strlen (path), <, sizeof address.sun_path);
  strcpy (address.sun_path, path);
  unlink (path);
  g_assert_cmpint (bind (listener, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (listen (listener, 4), ==, 0);
  return listener;
}

int
test_console_socket_receive (int listener, char **name_out)
{
  union {
    struct cmsghdr header;
    char buffer[CMSG_SPACE (sizeof (int))];
  } control;
  char name[128] = "";
  struct iovec iov = { .iov_base = name, .iov_len = sizeof name - 1 };
  struct msghdr message = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buffer,
                            .msg_controllen = sizeof control.buffer };
  struct pollfd ready = { listener, POLLIN, 0 };
  int connection, master = -1;

  g_assert_cmpint (poll (&ready, 1, CONSOLE_GUARD_MS), ==, 1);
  connection = accept4 (listener, NULL, NULL, SOCK_CLOEXEC);
  g_assert_cmpint (connection, >=, 0);
  g_assert_cmpint (recvmsg (connection, &message, MSG_CMSG_CLOEXEC), >, 0);
  g_assert_nonnull (CMSG_FIRSTHDR (&message));
  g_assert_cmpint (CMSG_FIRSTHDR (&message)->cmsg_type, ==, SCM_RIGHTS);
  memcpy (&master, CMSG_DATA (CMSG_FIRSTHDR (&message)), sizeof master);
  close (connection);
  g_assert_true (isatty (master));
  if (name_out != NULL)
    *name_out = g_strdup (name);
  return master;
}

void
test_console_socket_set_size (int master, guint16 rows, guint16 columns)
{
  struct winsize size = { .ws_row = rows, .ws_col = columns };

  g_assert_cmpint (ioctl (master, TIOCSWINSZ, &size), ==, 0);
}

static char *
console_read (int master, const char *needle)
{
  g_autoptr (GString) output = g_string_new (NULL);
  char buffer[4096];

  while (needle == NULL || strstr (output->str, needle) == NULL)
    {
      struct pollfd ready = { master, POLLIN, 0 };
      gssize n;

      if (poll (&ready, 1, CONSOLE_GUARD_MS) != 1)
        g_error ("console: nothing more after %s (waiting for %s)", output->str,
                 needle ? needle : "its end");
      n = read (master, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          /* EIO once no slave is open. */
          if (needle != NULL)
            g_error ("console: ended after %s (waiting for %s)", output->str, needle);
          break;
        }
      g_string_append_len (output, buffer, n);
    }
  return g_string_free (g_steal_pointer (&output), FALSE);
}

char *
test_console_socket_expect (int master, const char *needle)
{
  return console_read (master, needle);
}

char *
test_console_socket_read_to_end (int master)
{
  return console_read (master, NULL);
}

/* @process's exit, under the same guard as the reads: a hang fails here,
 * naming what was awaited, not at the suite's timeout. */
static void
console_expect_exit (HcsProcess *process, const char *what, int expected_exit_code)
{
  g_autoptr (GError) error = NULL;
  int exit_code = -1;

  if (!hcs_process_wait_timeout (process, CONSOLE_GUARD_MS, NULL, &error))
    g_error ("console: %s (process %d) did not exit within %d s: %s", what,
             hcs_process_get_pid (process), CONSOLE_GUARD_MS / 1000, error->message);
  g_assert_true (hcs_process_get_exit_code (process, &exit_code, &error));
  g_assert_no_error (error);
  g_assert_cmpint (exit_code, ==, expected_exit_code);
}

static void
subprocess_waited_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error);
  g_assert_no_error (error);
  *(gboolean *) data = TRUE;
}

static gboolean
flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

int
test_subprocess_wait_guarded (GSubprocess *subprocess, const char *what)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GSource) guard = g_timeout_source_new (CONSOLE_GUARD_MS);
  gboolean done = FALSE, timed_out = FALSE;

  g_main_context_push_thread_default (context);
  g_subprocess_wait_async (subprocess, NULL, subprocess_waited_cb, &done);
  g_source_set_callback (guard, flag_cb, &timed_out, NULL);
  g_source_attach (guard, context);
  while (!done && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (guard);
  g_main_context_pop_thread_default (context);
  if (!done)
    {
      g_subprocess_force_exit (subprocess);
      g_error ("%s (pid %s) did not end within %d s", what,
               g_subprocess_get_identifier (subprocess), CONSOLE_GUARD_MS / 1000);
    }
  return g_subprocess_get_if_exited (subprocess) ? g_subprocess_get_exit_status (subprocess) : -1;
}

/* Threads named hcs-console-*, and children that are forks of ours (same
 * name: the watchers; what a test spawns is exec'd). */
static guint
count_console_relays (void)
{
  g_autoptr (GDir) tasks = g_dir_open ("/proc/self/task", 0, NULL);
  g_autofree char *own = NULL;
  const char *name;
  guint count = 0;

  g_file_get_contents ("/proc/self/comm", &own, NULL, NULL);
  while (tasks != NULL && (name = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *comm_path = g_build_filename ("/proc/self/task", name, "comm", NULL);
      g_autofree char *children_path = g_build_filename ("/proc/self/task", name, "children",
                                                         NULL);
      g_autofree char *comm = NULL, *children = NULL;
      g_auto (GStrv) pids = NULL;

      if (g_file_get_contents (comm_path, &comm, NULL, NULL) &&
          g_str_has_prefix (comm, "hcs-console-"))
        count++;
      if (!g_file_get_contents (children_path, &children, NULL, NULL))
        continue;
      pids = g_strsplit (g_strstrip (children), " ", -1);
      for (guint i = 0; pids[i] != NULL; i++)
        {
          g_autofree char *child_comm_path = g_strdup_printf ("/proc/%s/comm", pids[i]);
          g_autofree char *child_comm = NULL;

          if (pids[i][0] != '\0' && own != NULL &&
              g_file_get_contents (child_comm_path, &child_comm, NULL, NULL) &&
              g_str_equal (child_comm, own))
            count++;
        }
    }
  return count;
}

void
test_assert_no_console_relays (void)
{
  g_autoptr (GDir) fds = NULL;
  const char *name;

  /* A relay ends on its own once its process's output ended. */
  for (guint waited = 0; count_console_relays () > 0; waited += 50)
    {
      if (waited > CONSOLE_GUARD_MS)
        g_error ("console relays still run: %u", count_console_relays ());
      g_usleep (50 * 1000);
    }
  fds = g_dir_open ("/proc/self/fd", 0, NULL);
  while (fds != NULL && (name = g_dir_read_name (fds)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      /* The test's own stdio may be a terminal. */
      if (atoi (name) <= 2)
        continue;
      if (target != NULL &&
          (g_str_has_prefix (target, "/dev/pts/") || g_str_equal (target, "/dev/ptmx")))
        g_error ("a pty left open: fd %s is %s", name, target);
    }
}

static int
run_hcsctl_sync (const char *options_path, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) hcsctl = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *what = NULL;

  g_ptr_array_add (argv, (char *) g_getenv ("HCSCTL"));
  g_ptr_array_add (argv, "--options");
  g_ptr_array_add (argv, (char *) options_path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  /* Its stdio is ours, not pipes read to their end. */
  hcsctl = g_subprocess_newv ((const char *const *) argv->pdata, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  what = g_strjoinv (" ", (char **) argv->pdata);
  return test_subprocess_wait_guarded (hcsctl, what);
}

void
test_console_socket_runc_verbs (const char *options_path, const char *bundle,
                                const char *annotations, const char *id, GFunc while_running,
                                gpointer data)
{
  g_autofree char *socket_path = g_build_filename (bundle, "console.sock", NULL);
  g_autofree char *config_path = g_build_filename (bundle, "config.json", NULL);
  g_autofree char *config = g_strdup_printf (
      "{\"ociVersion\": \"1.0.2\", \"process\": {\"terminal\": true, "
      "\"consoleSize\": {\"height\": 33, \"width\": 111}, \"args\": [\"sh\", \"-c\", "
      "\"test -t 0 && echo on-a-tty; stty size; read line; echo got-$line; stty size; "
      "exec sleep 1000\"], \"cwd\": \"/\", \"env\": [\"PATH=/bin:/sbin:/usr/bin\"]}, "
      "\"annotations\": %s}",
      annotations);
  const char *exec_argv[] = { g_getenv ("HCSCTL"), "--options", options_path, "exec", "-t",
                              "--console-socket", socket_path, id, "sh", "-c",
                              "trap 'stty size; exit 3' WINCH; echo armed; "
                              "while :; do sleep 1; done", NULL };
  g_autoptr (GSubprocess) exec = NULL;
  g_autoptr (GError) error = NULL;
  int listener, master;

  g_assert_cmpint (g_mkdir_with_parents (bundle, 0755), ==, 0);
  g_assert_true (g_file_set_contents (config_path, config, -1, &error));
  g_assert_no_error (error);
  listener = test_console_socket_listen (socket_path);

  /* Without a socket a detached terminal is refused, as runc does. */
  g_assert_cmpint (run_hcsctl_sync (options_path, (const char *const[]){ "create", "--bundle",
                                                                         bundle, id, NULL }),
                   ==, 1);
  g_assert_cmpint (run_hcsctl_sync (options_path,
                                    (const char *const[]){ "create", "--console-socket",
                                                           socket_path, "--bundle", bundle, id,
                                                           NULL }),
                   ==, 0);
  /* create has exited: the relay is its holder's, the master ours. */
  master = test_console_socket_receive (listener, NULL);
  g_assert_cmpint (run_hcsctl_sync (options_path, (const char *const[]){ "start", id, NULL }), ==,
                   0);
  if (while_running != NULL)
    while_running ((gpointer) id, data);
  {
    g_autofree char *first = test_console_socket_expect (master, "33 111");
    g_autofree char *rest = NULL;

    g_assert_nonnull (strstr (first, "on-a-tty"));
    /* A size set before the first write is the guest's before it. */
    test_console_socket_set_size (master, 30, 100);
    g_assert_cmpint (write (master, "hello\r", 6), ==, 6);
    rest = test_console_socket_expect (master, "30 100");
    g_assert_nonnull (strstr (rest, "got-hello"));
  }

  /* runc exec -t --console-socket in the foreground: its exit code. */
  exec = g_subprocess_newv (exec_argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  {
    int exec_master = test_console_socket_receive (listener, NULL);
    g_autofree char *armed = test_console_socket_expect (exec_master, "armed");
    g_autofree char *rest = NULL;

    /* No input: the size goes by its SIGWINCH. */
    test_console_socket_set_size (exec_master, 40, 120);
    rest = test_console_socket_read_to_end (exec_master);
    g_assert_nonnull (strstr (rest, "40 120"));
    close (exec_master);
  }
  g_assert_cmpint (test_subprocess_wait_guarded (exec, "hcsctl exec -t"), ==, 3);

  /* The init killed: its console ends (EIO on the master). */
  g_assert_cmpint (run_hcsctl_sync (options_path, (const char *const[]){ "kill", id, "KILL",
                                                                         NULL }),
                   ==, 0);
  g_free (test_console_socket_read_to_end (master));
  close (master);
  close (listener);
  g_assert_cmpint (run_hcsctl_sync (options_path, (const char *const[]){ "delete", "--force", id,
                                                                         NULL }),
                   ==, 0);
  unlink (socket_path);
}

void
test_console_socket_api (HcsHost *host, HcsContainerConfig *config, const char *id,
                         const char *socket_path)
{
  const char *init_argv[] = { "sh", "-c", "test -t 0 && echo on-a-tty; stty size; read line; "
                                          "echo got-$line; stty size; read line; exit 5", NULL };
  const char *winch_argv[] = { "sh", "-c", "trap 'stty size; exit 3' WINCH; echo armed; "
                                           "while :; do sleep 1; done", NULL };
  const char *const hup_argvs[][4] = {
    { "sh", "-c", "trap 'exit 9' HUP; echo armed; while :; do sleep 1; done", NULL },
    { "sh", "-c", "trap 'exit 9' HUP; echo armed; while :; do echo flood; done", NULL },
  };
  const char *const hup_whats[] = { "the exec's SIGHUP trap",
                                    "the exec's SIGHUP trap, its output flowing" };
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (HcsProcessConfig) exec_config = hcs_process_config_new ();
  g_autoptr (HcsProcess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  int listener = test_console_socket_listen (socket_path);
  int master, exec_master;

  g_clear_pointer (&config->process, hcs_process_config_free);
  config->process = hcs_process_config_new ();
  config->process->command_args = g_strdupv ((char **) init_argv);
  config->process->emulate_console = TRUE;
  config->process->console_socket = g_strdup (socket_path);
  config->process->console_height = 33;
  config->process->console_width = 111;
  container = hcs_host_create_container (host, id, config, NULL, &error);
  g_assert_no_error (error);
  /* Handed over by the create, as runc's. */
  master = test_console_socket_receive (listener, &name);
  g_assert_true (g_str_has_prefix (name, "/dev/pts/"));
  init = hcs_container_get_init_process (container, &error);
  g_assert_no_error (error);
  g_assert_null (hcs_process_get_stdout (init));
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  {
    /* ConsoleSize from the start; then a size set before the first write
     * is the guest's before that write. */
    g_autofree char *first = test_console_socket_expect (master, "33 111");
    g_autofree char *rest = NULL;

    g_assert_nonnull (strstr (first, "on-a-tty"));
    test_console_socket_set_size (master, 30, 100);
    g_assert_cmpint (write (master, "hello\r", 6), ==, 6);
    rest = test_console_socket_expect (master, "30 100");
    g_assert_nonnull (strstr (rest, "got-hello"));
  }

  /* runc exec -t --console-socket: a size set while it runs, no input:
   * it goes by its SIGWINCH. */
  exec_config->command_args = g_strdupv ((char **) winch_argv);
  exec_config->emulate_console = TRUE;
  exec_config->console_socket = g_strdup (socket_path);
  exec_config->console_height = 24;
  exec_config->console_width = 80;
  process = hcs_container_create_process (container, exec_config, &error);
  g_assert_no_error (error);
  exec_master = test_console_socket_receive (listener, NULL);
  {
    g_autofree char *armed = test_console_socket_expect (exec_master, "armed");
    g_autofree char *rest = NULL;

    test_console_socket_set_size (exec_master, 40, 120);
    rest = test_console_socket_read_to_end (exec_master);
    g_assert_nonnull (strstr (rest, "40 120"));
  }
  close (exec_master);
  console_expect_exit (process, "the exec's SIGWINCH trap", 3);
  g_clear_object (&process);

  /* The master closed is a hang-up: SIGHUP, as the kernel sends it; also
   * with output on its way (the relay's write to the hung-up slave can
   * fail before the hang-up is read), which a flood makes likely. */
  for (guint i = 0; i < G_N_ELEMENTS (hup_argvs); i++)
    {
      g_strfreev (exec_config->command_args);
      exec_config->command_args = g_strdupv ((char **) hup_argvs[i]);
      process = hcs_container_create_process (container, exec_config, &error);
      g_assert_no_error (error);
      exec_master = test_console_socket_receive (listener, NULL);
      g_free (test_console_socket_expect (exec_master, "armed"));
      close (exec_master);
      console_expect_exit (process, hup_whats[i], 9);
      g_clear_object (&process);
    }

  /* The init's end: EIO on its master, its exit code. */
  g_assert_cmpint (write (master, "bye\r", 4), ==, 4);
  g_free (test_console_socket_read_to_end (master));
  close (master);
  console_expect_exit (init, "the init's read", 5);
  if (!hcs_container_wait_timeout (container, CONSOLE_GUARD_MS, NULL, &error))
    g_error ("console: system %s did not end within %d s of its init: %s", id,
             CONSOLE_GUARD_MS / 1000, error->message);
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
  g_clear_object (&container);

  /* A console socket nobody listens on fails the create: nothing made. */
  close (listener);
  unlink (socket_path);
  container = hcs_host_create_container (host, id, config, NULL, &error);
  g_assert_null (container);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, socket_path));
  test_assert_no_console_relays ();
}
