/* test-runtime-launch.c: the helper started through the runtime alone, as
 * a guest agent will start it: no plugin, no host.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"
#include "hcs-runtime-config.h"
#include "hcs-runtime-launch.h"
#include "hcs-runtime-spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  char *temp_dir;
  HcsRuntimeCgroup *cgroup;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->temp_dir = test_make_temp_dir ("hcs-test-launch");
  fixture->cgroup = hcs_runtime_cgroup_create (test_get_cgroup_parent (), "launch",
                                               HCS_RUNTIME_CGROUP_VERSION_AUTO, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  hcs_runtime_cgroup_kill_all (fixture->cgroup, NULL);
  g_assert_true (hcs_runtime_cgroup_destroy (fixture->cgroup, &error));
  g_assert_no_error (error);
  hcs_runtime_cgroup_free (fixture->cgroup);
  test_assert_no_leftovers (fixture->temp_dir);
  test_remove_tree (fixture->temp_dir);
  g_free (fixture->temp_dir);
}

static const char *
helper_path (void)
{
  return g_getenv ("HCS_RUNTIME_HELPER");
}

/* A create spec for the busybox root running @command with sh -c. */
static HcsRuntimeSpec *
make_spec (Fixture *fixture, const char *command, gboolean terminal)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsContainerConfig) config = hcs_container_config_new ();
  HcsRuntimeSpec *spec;

  config->volume_path = g_strdup (test_get_busybox_rootfs ());
  if (command != NULL)
    {
      config->process = hcs_process_config_new ();
      config->process->command_args =
          g_strdupv ((char **) (const char *[]) { "sh", "-c", command, NULL });
      config->process->emulate_console = terminal;
    }
  spec = hcs_runtime_spec_new_for_container ("launch", config, NULL, &error);
  g_assert_no_error (error);
  hcs_runtime_spec_set_cgroup (spec, fixture->cgroup);
  return spec;
}

static int
wait_helper (GPid pid)
{
  int status;

  while (waitpid (pid, &status, 0) < 0)
    g_assert_cmpint (errno, ==, EINTR);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static char *
read_all (int fd)
{
  g_autoptr (GString) text = g_string_new (NULL);
  char buffer[256];
  gssize n;

  while ((n = read (fd, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_string_append_len (text, buffer, n);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Created, waiting for its start byte in the cgroup; started, its output
 * on our pipe and its exit code the helper's. */
static void
test_create_start (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsRuntimeSpec) spec = make_spec (fixture, "hostname; exit 7", FALSE);
  g_auto (HcsRuntimeLaunch) launch = HCS_RUNTIME_LAUNCH_INIT;
  g_autoptr (GArray) pids = NULL;
  g_autofree char *output = NULL;
  int out[2], stdio[3] = { -1, -1, -1 };
  gboolean member = FALSE;

  g_assert_cmpint (pipe2 (out, O_CLOEXEC), ==, 0);
  stdio[1] = out[1];
  g_assert_true (hcs_runtime_launch (helper_path (), HCS_RUNTIME_LAUNCH_CREATE, spec, stdio,
                                     "test", &launch, &error));
  g_assert_no_error (error);
  close (out[1]);
  g_assert_cmpint (launch.pid, >, 0);
  g_assert_cmpint (launch.start_fd, >=, 0);
  g_assert_cmpint (launch.console_fd, ==, -1);

  pids = hcs_runtime_cgroup_get_pids (fixture->cgroup, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < pids->len; i++)
    member |= g_array_index (pids, pid_t, i) == launch.pid;
  g_assert_true (member);

  g_assert_cmpint (write (launch.start_fd, "s", 1), ==, 1);
  output = read_all (out[0]);
  close (out[0]);
  g_assert_cmpstr (output, ==, "launch\n");
  g_assert_cmpint (wait_helper (launch.helper_pid), ==, 7);
}

/* With a terminal, the master of a pty made inside comes back, named as
 * the workload sees it. */
static void
test_terminal (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsRuntimeSpec) spec = make_spec (fixture, "tty", TRUE);
  g_auto (HcsRuntimeLaunch) launch = HCS_RUNTIME_LAUNCH_INIT;
  g_autoptr (GString) output = g_string_new (NULL);
  char buffer[256];
  gssize n;

  g_assert_true (hcs_runtime_launch (helper_path (), HCS_RUNTIME_LAUNCH_CREATE, spec, NULL,
                                     "test", &launch, &error));
  g_assert_no_error (error);
  g_assert_cmpint (launch.console_fd, >=, 0);
  g_assert_true (g_str_has_prefix (launch.console_name, "/dev/pts/"));
  g_assert_cmpint (write (launch.start_fd, "s", 1), ==, 1);
  /* A pty master reads EIO once the last slave is closed. */
  while ((n = read (launch.console_fd, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_string_append_len (output, buffer, n);
  g_assert_nonnull (strstr (output->str, launch.console_name));
  g_assert_cmpint (wait_helper (launch.helper_pid), ==, 0);
}

/* An exec joins the running init's namespaces and cgroup. */
static void
test_exec (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsRuntimeSpec) spec = make_spec (fixture, NULL, FALSE);
  g_autoptr (HcsRuntimeSpec) exec = NULL;
  g_autoptr (HcsProcessConfig) process = hcs_process_config_new ();
  g_auto (HcsRuntimeLaunch) init = HCS_RUNTIME_LAUNCH_INIT;
  g_auto (HcsRuntimeLaunch) launch = HCS_RUNTIME_LAUNCH_INIT;
  g_autofree char *output = NULL;
  int out[2], stdio[3] = { -1, -1, -1 };

  /* No process: the helper's own minimal init. */
  g_assert_true (hcs_runtime_launch (helper_path (), HCS_RUNTIME_LAUNCH_CREATE, spec, NULL,
                                     "test", &init, &error));
  g_assert_no_error (error);
  g_assert_cmpint (write (init.start_fd, "s", 1), ==, 1);

  process->command_args =
      g_strdupv ((char **) (const char *[]) { "sh", "-c", "hostname; echo $$", NULL });
  exec = hcs_runtime_spec_new_for_exec ("launch", init.pid, process, &error);
  g_assert_no_error (error);
  hcs_runtime_spec_set_cgroup (exec, fixture->cgroup);
  g_assert_cmpint (pipe2 (out, O_CLOEXEC), ==, 0);
  stdio[1] = out[1];
  g_assert_true (hcs_runtime_launch (helper_path (), HCS_RUNTIME_LAUNCH_EXEC, exec, stdio,
                                     "test exec", &launch, &error));
  g_assert_no_error (error);
  close (out[1]);
  g_assert_cmpint (launch.start_fd, ==, -1);
  output = read_all (out[0]);
  close (out[0]);
  /* The container's hostname, and a pid of its pid namespace (not 1: the
   * init is). */
  g_assert_true (g_str_has_prefix (output, "launch\n"));
  g_assert_cmpint (g_ascii_strtoll (output + strlen ("launch\n"), NULL, 10), >, 1);
  g_assert_cmpint (wait_helper (launch.helper_pid), ==, 0);

  /* The minimal init ends on SIGTERM, and its helper with it. */
  g_assert_cmpint (kill (init.pid, SIGTERM), ==, 0);
  wait_helper (init.helper_pid);
}

typedef struct {
  GPid helper_pid;
  int view_fd;
  gboolean spawned_first;
} ViewRecord;

static void
record_spawned (GPid helper_pid, gpointer data)
{
  ViewRecord *record = data;

  record->helper_pid = helper_pid;
}

static void
record_view (int view_fd, gpointer data)
{
  ViewRecord *record = data;

  record->spawned_first = record->helper_pid > 0;
  record->view_fd = view_fd;
}

/* A caller may take the helper's read-only view once the helper runs
 * (and close it where its grace period waits for nobody): it is given
 * after spawned, it is read-only (a read-only mount, or a write-sealed
 * copy on kernels without mount_setattr), and the container it was for
 * runs as without it. */
static void
test_release_view (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsRuntimeSpec) spec = make_spec (fixture, "exit 3", FALSE);
  g_auto (HcsRuntimeLaunch) launch = HCS_RUNTIME_LAUNCH_INIT;
  ViewRecord record = { 0, -1, FALSE };
  struct statvfs view_fs;
  struct stat view_stat, helper_stat;

  launch.spawned = record_spawned;
  launch.release_view = record_view;
  launch.spawned_data = &record;
  g_assert_true (hcs_runtime_launch (helper_path (), HCS_RUNTIME_LAUNCH_CREATE, spec, NULL,
                                     "test", &launch, &error));
  g_assert_no_error (error);
  g_assert_true (record.spawned_first);
  g_assert_cmpint (record.helper_pid, ==, launch.helper_pid);
  g_assert_cmpint (record.view_fd, >=, 0);
  g_assert_cmpint (fstat (record.view_fd, &view_stat), ==, 0);
  g_assert_cmpint (stat (helper_path (), &helper_stat), ==, 0);
  if (view_stat.st_ino == helper_stat.st_ino && view_stat.st_dev == helper_stat.st_dev)
    {
      g_assert_cmpint (fstatvfs (record.view_fd, &view_fs), ==, 0);
      g_assert_true (view_fs.f_flag & ST_RDONLY);
    }
  else
    g_assert_true (fcntl (record.view_fd, F_GET_SEALS) & F_SEAL_WRITE);
  close (record.view_fd);

  g_assert_cmpint (write (launch.start_fd, "s", 1), ==, 1);
  g_assert_cmpint (wait_helper (launch.helper_pid), ==, 3);
}

/* A set-up that fails is an error carrying the helper's reason, and no
 * helper is left: it was killed and reaped. */
static void
test_failure (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsRuntimeSpec) spec = make_spec (fixture, "true", FALSE);
  g_auto (HcsRuntimeLaunch) launch = HCS_RUNTIME_LAUNCH_INIT;
  int status;

  g_free (spec->rootfs);
  spec->rootfs = g_build_filename (fixture->temp_dir, "missing", NULL);
  g_assert_false (hcs_runtime_launch (helper_path (), HCS_RUNTIME_LAUNCH_CREATE, spec, NULL,
                                      "test", &launch, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (error->message, "test: "));
  g_assert_nonnull (strstr (error->message, "missing"));
  g_assert_cmpint (launch.status_fd, ==, -1);
  g_assert_cmpint (waitpid (-1, &status, WNOHANG), ==, -1);
  g_assert_cmpint (errno, ==, ECHILD);
  g_clear_error (&error);

  /* A helper that is not there. */
  g_assert_false (hcs_runtime_launch ("/nonexistent/hcs-runtime-helper",
                                      HCS_RUNTIME_LAUNCH_CREATE, spec, NULL, "test", &launch,
                                      &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "/nonexistent/hcs-runtime-helper"));
}

/* The two halves: a helper started before its spec exists (the cgroup is
 * set on the spec in between, as a create does) runs it as one launch
 * does; one given up is killed and reaped; one whose starter closes its
 * spec pipe without a spec exits by itself, having started nothing. */
static void
test_start_finish (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsRuntimeSpec) spec = make_spec (fixture, "exit 3", FALSE);
  g_auto (HcsRuntimeLaunch) launch = HCS_RUNTIME_LAUNCH_INIT;
  g_autoptr (GArray) pids = NULL;
  int status;

  g_assert_true (hcs_runtime_launch_start (helper_path (), HCS_RUNTIME_LAUNCH_CREATE, FALSE,
                                           NULL, "test", &launch, &error));
  g_assert_no_error (error);
  g_assert_cmpint (launch.helper_pid, >, 0);
  g_assert_cmpint (launch.spec_fd, >=, 0);
  g_assert_cmpint (launch.pid, ==, 0);
  hcs_runtime_spec_set_cgroup (spec, fixture->cgroup);
  g_assert_true (hcs_runtime_launch_finish (&launch, spec, "test", &error));
  g_assert_no_error (error);
  g_assert_cmpint (launch.spec_fd, ==, -1);
  g_assert_cmpint (launch.view_fd, ==, -1);
  g_assert_cmpint (launch.pid, >, 0);
  g_assert_cmpint (write (launch.start_fd, "s", 1), ==, 1);
  g_assert_cmpint (wait_helper (launch.helper_pid), ==, 3);
  hcs_runtime_launch_clear (&launch);

  /* Given up before its spec: killed and reaped, nothing held. */
  g_assert_true (hcs_runtime_launch_start (helper_path (), HCS_RUNTIME_LAUNCH_CREATE, FALSE,
                                           NULL, "test", &launch, &error));
  g_assert_no_error (error);
  hcs_runtime_launch_abandon (&launch);
  g_assert_cmpint (launch.helper_pid, ==, 0);
  g_assert_cmpint (launch.spec_fd, ==, -1);
  g_assert_cmpint (launch.status_fd, ==, -1);
  g_assert_cmpint (waitpid (-1, &status, WNOHANG), ==, -1);
  g_assert_cmpint (errno, ==, ECHILD);

  /* Its starter gone (the pipe's end): the helper leaves on its own,
   * reporting why, and no process of it is in the cgroup. */
  g_assert_true (hcs_runtime_launch_start (helper_path (), HCS_RUNTIME_LAUNCH_CREATE, FALSE,
                                           NULL, "test", &launch, &error));
  g_assert_no_error (error);
  close (launch.spec_fd);
  launch.spec_fd = -1;
  g_assert_cmpint (wait_helper (launch.helper_pid), !=, 0);
  launch.helper_pid = 0;
  pids = hcs_runtime_cgroup_get_pids (fixture->cgroup, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pids->len, ==, 0);
}

/* The helper's view opened where one of the helper's fds goes (3, its
 * spec), as it is when another thread of a host has just closed that
 * number: the helper runs all the same (it used to be replaced by the
 * spec pipe before the exec, which failed with EACCES). Given an empty
 * spec, it reports that and exits 255. */
static void
test_view_at_a_target (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;
  const char *argv[] = { helper_path (), "create", NULL };
  int stdio[3], spec_pipe[2], status_pipe[2], view, moved, pid_reported;
  int source_fds[2], target_fds[2] = { 3, 4 };
  GPid pid;

  if (fcntl (3, F_GETFD) >= 0)
    {
      g_test_skip ("fd 3 is taken in this test process");
      return;
    }
  view = hcs_runtime_spawn_open_helper (helper_path (), &error);
  g_assert_no_error (error);
  if (view != 3)
    {
      moved = fcntl (view, F_DUPFD_CLOEXEC, 3);
      g_assert_cmpint (moved, ==, 3);
      close (view);
      view = moved;
    }
  g_assert_cmpint (pipe2 (spec_pipe, O_CLOEXEC), ==, 0);
  g_assert_cmpint (pipe2 (status_pipe, O_CLOEXEC), ==, 0);
  for (int i = 0; i < 3; i++)
    stdio[i] = i;
  source_fds[0] = spec_pipe[0];
  source_fds[1] = status_pipe[1];
  g_assert_true (hcs_runtime_spawn_helper (view, argv, stdio, source_fds, target_fds, 2, &pid,
                                           &error));
  g_assert_no_error (error);
  close (view);
  close (spec_pipe[0]);
  close (spec_pipe[1]);
  close (status_pipe[1]);
  g_assert_cmpint (hcs_runtime_spawn_read_status (status_pipe[0], &pid_reported, &message), ==,
                   HCS_RUNTIME_STATUS_ERROR);
  g_assert_nonnull (message);
  close (status_pipe[0]);
  g_assert_cmpint (wait_helper (pid), ==, 255);
}

/* The helper's status line as hcs_runtime_spawn_read_status() reads it
 * (json-glib read it before the split; hcsctl's front has none): the two
 * forms the helper writes, what may follow them, and what is no status. */
static HcsRuntimeStatus
read_status_of (const char *text, int *pid, char **message)
{
  int fds[2];
  HcsRuntimeStatus status;

  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_cmpint (write (fds[1], text, strlen (text)), ==, (gssize) strlen (text));
  close (fds[1]);
  status = hcs_runtime_spawn_read_status (fds[0], pid, message);
  close (fds[0]);
  return status;
}

static void
test_status_line (void)
{
  g_autofree char *message = NULL;
  int pid = 0;

  g_assert_cmpint (read_status_of ("{\"pid\":4242}\n{\"exit\":0}\n", &pid, &message), ==,
                   HCS_RUNTIME_STATUS_PID);
  g_assert_cmpint (pid, ==, 4242);
  g_assert_null (message);
  g_assert_cmpint (read_status_of ("{\"error\":\"a \\\"b\\\" \\\\ c\\n\\u00e9\\u0001\"}\n"
                                   "{\"exit\":255}\n", &pid, &message),
                   ==, HCS_RUNTIME_STATUS_ERROR);
  g_assert_cmpstr (message, ==, "a \"b\" \\ c\n\u00e9\x01");
  g_clear_pointer (&message, g_free);
  /* An exit with no error before it: an error without words. */
  g_assert_cmpint (read_status_of ("{\"exit\":255}\n", &pid, &message), ==,
                   HCS_RUNTIME_STATUS_ERROR);
  g_assert_null (message);
  g_assert_cmpint (read_status_of ("", &pid, &message), ==, HCS_RUNTIME_STATUS_NONE);
  g_assert_cmpint (read_status_of ("{\"pid\":-3}\n", &pid, &message), ==,
                   HCS_RUNTIME_STATUS_UNREADABLE);
  g_assert_cmpstr (message, ==, "{\"pid\":-3}");
  g_clear_pointer (&message, g_free);
  g_assert_cmpint (read_status_of ("{\"error\":\"unterminated}\n", &pid, &message), ==,
                   HCS_RUNTIME_STATUS_UNREADABLE);
  g_clear_pointer (&message, g_free);
  g_assert_cmpint (read_status_of ("not json\n", &pid, &message), ==,
                   HCS_RUNTIME_STATUS_UNREADABLE);
  g_assert_cmpstr (message, ==, "not json");
  g_clear_pointer (&message, g_free);

  /* Line by line: a {"cloned": N} and the report that came with it in
   * one read are both there, in order; then the end. */
  {
    g_autoptr (GString) pending = g_string_new (NULL);
    const char *text = "{\"cloned\":4242}\n{\"pid\":4242}\n";
    int fds[2];

    g_assert_cmpint (pipe (fds), ==, 0);
    g_assert_cmpint (write (fds[1], text, strlen (text)), ==, (gssize) strlen (text));
    close (fds[1]);
    g_assert_cmpint (hcs_runtime_spawn_read_status_line (fds[0], pending, &pid, &message), ==,
                     HCS_RUNTIME_STATUS_CLONED);
    g_assert_cmpint (pid, ==, 4242);
    g_assert_cmpint (hcs_runtime_spawn_read_status_line (fds[0], pending, &pid, &message), ==,
                     HCS_RUNTIME_STATUS_PID);
    g_assert_cmpint (pid, ==, 4242);
    g_assert_cmpint (hcs_runtime_spawn_read_status_line (fds[0], pending, &pid, &message), ==,
                     HCS_RUNTIME_STATUS_NONE);
    close (fds[0]);
  }
}

/* With report_cloned, the init's pid comes before its set-up ends: the
 * callback sees it alive and not yet reported (its pid is the one the
 * launch then reports). A callback that fails abandons the create: the
 * error is its own, and neither the init nor the helper is left. */
typedef struct {
  int pid;
  gboolean fail;
} ClonedCall;

static gboolean
cloned_cb (int pid, gpointer data, GError **error)
{
  ClonedCall *call = data;

  call->pid = pid;
  g_assert_cmpint (kill (pid, 0), ==, 0);
  if (call->fail)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "no records for %d", pid);
      return FALSE;
    }
  return TRUE;
}

static void
test_cloned (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsRuntimeSpec) spec = make_spec (fixture, "exit 5", FALSE);
  g_auto (HcsRuntimeLaunch) launch = HCS_RUNTIME_LAUNCH_INIT;
  g_autoptr (GArray) pids = NULL;
  ClonedCall call = { 0, FALSE };
  int status;

  spec->report_cloned = TRUE;
  launch.cloned = cloned_cb;
  launch.spawned_data = &call;
  g_assert_true (hcs_runtime_launch (helper_path (), HCS_RUNTIME_LAUNCH_CREATE, spec, NULL,
                                     "test", &launch, &error));
  g_assert_no_error (error);
  g_assert_cmpint (call.pid, >, 0);
  g_assert_cmpint (call.pid, ==, launch.pid);
  g_assert_cmpint (write (launch.start_fd, "s", 1), ==, 1);
  g_assert_cmpint (wait_helper (launch.helper_pid), ==, 5);
  hcs_runtime_launch_clear (&launch);

  call = (ClonedCall) { 0, TRUE };
  launch.cloned = cloned_cb;
  launch.spawned_data = &call;
  g_assert_false (hcs_runtime_launch (helper_path (), HCS_RUNTIME_LAUNCH_CREATE, spec, NULL,
                                      "test", &launch, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "no records for"));
  g_clear_error (&error);
  g_assert_cmpint (call.pid, >, 0);
  g_assert_cmpint (launch.helper_pid, ==, 0);
  g_assert_cmpint (waitpid (-1, &status, WNOHANG), ==, -1);
  g_assert_cmpint (errno, ==, ECHILD);
  /* The init was the helper's child, killed with it: gone from its cgroup. */
  for (int i = 0; i < 200; i++)
    {
      g_clear_pointer (&pids, g_array_unref);
      pids = hcs_runtime_cgroup_get_pids (fixture->cgroup, &error);
      g_assert_no_error (error);
      if (pids->len == 0)
        break;
      g_usleep (10000);
    }
  g_assert_cmpint (pids->len, ==, 0);
  /* Dead: gone, or a zombie its new parent has not reaped yet. */
  {
    g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", call.pid);
    g_autofree char *stat = NULL;
    const char *end;

    for (int i = 0; i < 200 && g_file_get_contents (stat_path, &stat, NULL, NULL); i++)
      {
        end = strrchr (stat, ')');
        if (end != NULL && (end[2] == 'Z' || end[2] == 'X'))
          break;
        g_clear_pointer (&stat, g_free);
        g_usleep (10000);
      }
    if (stat != NULL)
      {
        end = strrchr (stat, ')');
        g_assert_true (end != NULL && (end[2] == 'Z' || end[2] == 'X'));
      }
  }
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  if (geteuid () != 0)
    {
      g_test_skip ("containers need root");
      return 0;
    }
#define ADD(path, function)                                                                  \
  g_test_add ("/runtime/launch/" path, Fixture, NULL, fixture_set_up, function, fixture_tear_down)
  ADD ("create-start", test_create_start);
  ADD ("terminal", test_terminal);
  ADD ("exec", test_exec);
  ADD ("release-view", test_release_view);
  ADD ("failure", test_failure);
  ADD ("start-finish", test_start_finish);
  ADD ("cloned", test_cloned);
  ADD ("view-at-a-target", test_view_at_a_target);
#undef ADD
  g_test_add_func ("/runtime/launch/status-line", test_status_line);
  result = g_test_run ();
  test_assert_no_leftovers (NULL);
  test_cleanup_cgroup_parent ();
  return result;
}
