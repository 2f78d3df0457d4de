/* test-sentinel.c: see test-sentinel.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-sentinel.h"

#include "test-common.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gstdio.h>

static const char *sentinel_options;

/* hcsctl --options OURS PREFIX... ARGS...: its exit code, its stdout in
 * @out (read to its end). */
static int
run_hcsctl_va (char **out, const char *const *prefix, va_list args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  const char *arg;
  int status = -1;

  g_ptr_array_add (argv, (char *) g_getenv ("HCSCTL"));
  g_ptr_array_add (argv, "--options");
  g_ptr_array_add (argv, (char *) sentinel_options);
  for (guint i = 0; prefix != NULL && prefix[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) prefix[i]);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, NULL,
                &status, &error);
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static int
run_hcsctl (char **out, ...)
{
  va_list args;
  int code;

  va_start (args, out);
  code = run_hcsctl_va (out, NULL, args);
  va_end (args);
  return code;
}

/* Live (not zombie) hcs-sentinel processes of our options. */
static guint
count_sentinels (void)
{
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint count = 0;

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *stat_path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *cmdline_path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *stat = NULL, *cmdline = NULL;
      gsize length = 0;
      const char *after;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (stat_path, &stat, NULL, NULL) ||
          strstr (stat, "(hcs-sentinel)") == NULL || (after = strrchr (stat, ')')) == NULL ||
          after[2] == 'Z' || !g_file_get_contents (cmdline_path, &cmdline, &length, NULL))
        continue;
      for (gsize i = 0; i + 1 < length; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, sentinel_options) != NULL)
        count++;
    }
  return count;
}

static GPid
parent_of (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *after;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (after = strrchr (stat, ')')) == NULL)
    return 0;
  return atoi (after + 4);
}

static GPid
read_pid_file (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  return atoi (text);
}

/* create --pid-file: the sentinel's pid, our child now, as `state` says. */
static GPid
create (const char *bundle, const char *id, const char *pid_path)
{
  g_autofree char *state = NULL, *expected = NULL;
  GPid pid;

  g_assert_cmpint (run_hcsctl (NULL, "create", "--bundle", bundle, "--pid-file", pid_path, id,
                               NULL), ==, 0);
  pid = read_pid_file (pid_path);
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (parent_of (pid), ==, getpid ());
  g_assert_cmpint (run_hcsctl (&state, "state", id, NULL), ==, 0);
  expected = g_strdup_printf ("\"pid\" : %d,", pid);
  g_assert_nonnull (strstr (state, expected));
  return pid;
}

/* exec --detach --pid-file ID ARGS...: hcsctl's exit code; its stdout
 * (the process's, relayed: read to its end) in @out. */
static int
exec_detached (char **out, const char *id, const char *pid_path, ...)
{
  const char *const prefix[] = { "exec", "--detach", "--pid-file", pid_path, id, NULL };
  va_list args;
  int code;

  va_start (args, pid_path);
  code = run_hcsctl_va (out, prefix, args);
  va_end (args);
  return code;
}

/* exec --detach --pid-file --cap CAP_NO_SUCH ID true: its stderr in @err. */
static int
exec_failing (char **err, const char *id, const char *pid_path)
{
  const char *argv[] = { g_getenv ("HCSCTL"), "--options", sentinel_options, "exec", "--detach",
                         "--pid-file", pid_path, "--cap", "CAP_NO_SUCH", id, "true", NULL };
  g_autoptr (GError) error = NULL;
  int status = -1;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, err, &status,
                &error);
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* The pid in @pid_path: a host process, our (the subreaper's) child, that
 * stands for an exec'd guest process. */
static GPid
exec_sentinel (const char *pid_path)
{
  GPid pid = read_pid_file (pid_path);

  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (parent_of (pid), ==, getpid ());
  return pid;
}

/* exec --detach --tty --console-socket --pid-file: a terminal whose master
 * comes to us, the process's console in the guest. Modes set on the
 * master (raw, -echo) are the guest pty's before the input written after
 * them: no echo, and stty there says so. */
static void
check_exec_terminal_modes (const char *id, const char *temp_dir, const char *pid_path)
{
  g_autofree char *socket_path = g_build_filename (temp_dir, "exec-console.sock", NULL);
  const char *argv[] = { g_getenv ("HCSCTL"), "--options", sentinel_options, "exec", "--detach",
                         "--tty", "--console-socket", socket_path, "--pid-file", pid_path, id,
                         "sh", "-c", "echo ready; read line; echo got-$line; stty -a; exit 5",
                         NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *ready = NULL, *rest = NULL;
  struct termios modes;
  int listener, master, status = -1;
  GPid pid;

  listener = test_console_socket_listen (socket_path);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  pid = exec_sentinel (pid_path);
  master = test_console_socket_receive (listener, NULL);
  ready = test_console_socket_expect (master, "ready");

  g_assert_cmpint (tcgetattr (master, &modes), ==, 0);
  /* The guest's fresh pty's modes, as on runc's. */
  g_assert_true (modes.c_lflag & ECHO);
  g_assert_true (modes.c_lflag & ICANON);
  cfmakeraw (&modes);
  g_assert_cmpint (tcsetattr (master, TCSANOW, &modes), ==, 0);
  /* Raw: no ICRNL in the guest, so the line ends with \n. */
  g_assert_cmpint (write (master, "hello\n", 6), ==, 6);
  rest = test_console_socket_read_to_end (master);
  g_assert_nonnull (strstr (rest, "got-hello"));
  /* Not echoed: the only "hello" is the one the shell wrote. */
  g_assert_true (strstr (rest, "hello") == strstr (rest, "got-hello") + 4);
  /* stty -a's words (-echo, not -echoe and the like). */
  g_assert_nonnull (strstr (rest, "-echo "));
  g_assert_nonnull (strstr (rest, "-icanon"));
  g_assert_nonnull (strstr (rest, "-isig"));
  close (master);
  close (listener);
  g_unlink (socket_path);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 5);
}

/* exec --detach --pid-file in running system @id: the pid file names a
 * sentinel that made the process and stands for it. */
static void
check_exec_detached (const char *id, const char *temp_dir)
{
  g_autofree char *pid_path = g_build_filename (temp_dir, "exec.pid", NULL);
  g_autofree char *out = NULL, *err = NULL;
  int status;
  GPid pid;

  /* Its exit code, and its stdout relayed to ours (hcsctl's) to its end. */
  g_assert_cmpint (exec_detached (&out, id, pid_path, "sh", "-c", "echo made; exit 7", NULL),
                   ==, 0);
  g_assert_cmpstr (out, ==, "made\n");
  pid = exec_sentinel (pid_path);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 7);

  /* A process that ends at once is not missed: the sentinel made it. */
  g_assert_cmpint (exec_detached (NULL, id, pid_path, "true", NULL), ==, 0);
  pid = exec_sentinel (pid_path);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  /* A signal sent to the sentinel reaches the guest process: sleep dies
   * of SIGTERM (143), which the sentinel re-raises. */
  g_assert_cmpint (exec_detached (NULL, id, pid_path, "sleep", "1000", NULL), ==, 0);
  pid = exec_sentinel (pid_path);
  g_assert_cmpint (kill (pid, SIGTERM), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGTERM);

  check_exec_terminal_modes (id, temp_dir, pid_path);

  /* A program that is not there: the process is made and exits 127, as
   * an exec'd process of any isolation does (the runtime helper's word,
   * which podman maps to its own 127). */
  g_assert_cmpint (exec_detached (NULL, id, pid_path, "/no/such/binary", NULL), ==, 0);
  pid = exec_sentinel (pid_path);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 127);

  /* A process the guest refuses to make: runc's 255 with the guest's
   * reason, no pid file, no sentinel left. */
  g_assert_cmpint (g_unlink (pid_path), ==, 0);
  g_assert_cmpint (exec_failing (&err, id, pid_path), ==, 255);
  g_assert_nonnull (strstr (err, "CAP_NO_SUCH"));
  g_assert_false (g_file_test (pid_path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_sentinels (), ==, 1); /* the init's, only */
}

static void
write_bundle (const char *bundle, const char *isolation, const char *script)
{
  g_autofree char *config_path = g_build_filename (bundle, "config.json", NULL);
  g_autofree char *config = g_strdup_printf (
      "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"%s\"},"
      " \"process\": {\"cwd\": \"/\", \"args\": [\"sh\", \"-c\", \"%s\"]},"
      " \"annotations\": {\"io.hcs.isolation\": \"%s\"}}",
      test_get_busybox_rootfs (), script, isolation);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (bundle, 0755), ==, 0);
  g_assert_true (g_file_set_contents (config_path, config, -1, &error));
  g_assert_no_error (error);
}

void
test_sentinel_lifecycle (const char *options_path, const char *temp_dir, const char *isolation)
{
  g_autofree char *exits = g_build_filename (temp_dir, "sentinel-exits", NULL);
  g_autofree char *sleeps = g_build_filename (temp_dir, "sentinel-sleeps", NULL);
  g_autofree char *pid_path = g_build_filename (temp_dir, "sentinel.pid", NULL);
  int status;
  GPid pid;

  sentinel_options = options_path;
  /* conmon's place: orphans come to us. */
  g_assert_cmpint (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), ==, 0);
  write_bundle (exits, isolation, "exit 7");
  /* A pid namespace's init gets only the signals it handles. */
  write_bundle (sleeps, isolation, "trap 'exit 143' TERM; sleep 1000 & wait");

  /* The workload's exit code is the sentinel's. */
  pid = create (exits, "sentinel-a", pid_path);
  g_assert_cmpint (run_hcsctl (NULL, "start", "sentinel-a", NULL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 7);
  g_assert_cmpint (run_hcsctl (NULL, "delete", "sentinel-a", NULL), ==, 0);

  /* kill KILL: waitpid sees SIGKILL, as with runc's init. */
  pid = create (sleeps, "sentinel-b", pid_path);
  g_assert_cmpint (run_hcsctl (NULL, "start", "sentinel-b", NULL), ==, 0);
  g_assert_cmpint (run_hcsctl (NULL, "kill", "sentinel-b", "KILL", NULL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
  g_assert_cmpint (run_hcsctl (NULL, "delete", "sentinel-b", NULL), ==, 0);

  /* A signal sent to the sentinel reaches the workload (sh's sleep ends
   * with SIGTERM, and so does sh). */
  pid = create (sleeps, "sentinel-c", pid_path);
  g_assert_cmpint (run_hcsctl (NULL, "start", "sentinel-c", NULL), ==, 0);
  /* The trap is set once sh ran sleep (a guard, not a timing). */
  for (guint i = 0; i < 600; i++)
    {
      g_autofree char *ps = NULL;

      g_assert_cmpint (run_hcsctl (&ps, "ps", "sentinel-c", NULL), ==, 0);
      if (strstr (ps, "sleep") != NULL)
        break;
      g_usleep (100 * 1000);
    }
  /* In the same system (no VM more): exec --detach --pid-file. */
  check_exec_detached ("sentinel-c", temp_dir);
  g_assert_cmpint (kill (pid, SIGTERM), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGTERM);
  g_assert_cmpint (run_hcsctl (NULL, "delete", "sentinel-c", NULL), ==, 0);

  /* delete --force of a running one ends its sentinel: killed, or 255
   * when the monitor went with the system before it answered. */
  pid = create (sleeps, "sentinel-d", pid_path);
  g_assert_cmpint (run_hcsctl (NULL, "start", "sentinel-d", NULL), ==, 0);
  g_assert_cmpint (run_hcsctl (NULL, "delete", "--force", "sentinel-d", NULL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true ((WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL) ||
                 (WIFEXITED (status) && WEXITSTATUS (status) == 255));

  g_assert_cmpuint (count_sentinels (), ==, 0);
  g_assert_cmpint (prctl (PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0), ==, 0);
}
