/* hcs-runtime-launch.c: the helper started with a spec.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-runtime-launch.h"
#include "hcs-runtime-spawn.h"
#include "hcs-error.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Closes *fd if open and marks it closed (g_clear_fd needs GLib 2.76). */
static inline void
launch_clear_fd (int *fd)
{
  if (*fd >= 0)
    {
      int saved_errno = errno;
      close (*fd);
      errno = saved_errno;
    }
  *fd = -1;
}

/* An fd closed when it goes out of scope (g_autofd needs GLib 2.76). */
#define launch_autofd __attribute__ ((cleanup (launch_clear_fd)))

/* The master the helper sent, and the slave's name inside. */
static int
receive_console (int channel, char *name, gsize name_size, GError **error)
{
  union {
    struct cmsghdr header;
    char buffer[CMSG_SPACE (sizeof (int))];
  } control;
  struct iovec iov = { .iov_base = name, .iov_len = name_size - 1 };
  struct msghdr message = { .msg_iov = &iov, .msg_iovlen = 1,
                            .msg_control = control.buffer,
                            .msg_controllen = sizeof control.buffer };
  struct cmsghdr *cmsg;
  gssize n;
  int master = -1;

  memset (name, 0, name_size);
  do
    n = recvmsg (channel, &message, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  cmsg = n > 0 ? CMSG_FIRSTHDR (&message) : NULL;
  if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED,
                   "the helper did not send the console");
      return -1;
    }
  memcpy (&master, CMSG_DATA (cmsg), sizeof master);
  return master;
}

/* One of the helper's status lines (hcs_runtime_spawn_read_status_line)
 * in HCS_ERROR's words: the workload's pid (@cloned: the init's, when it
 * was asked for), or FALSE with why not. */
static gboolean
read_status (int fd, GString *pending, gboolean cloned, const char *what, int *pid,
             GError **error)
{
  g_autofree char *message = NULL;

  switch (hcs_runtime_spawn_read_status_line (fd, pending, pid, &message))
    {
    case HCS_RUNTIME_STATUS_PID:
      if (!cloned)
        return TRUE;
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNKNOWN_MESSAGE,
                   "the helper reported the workload before its clone");
      return FALSE;
    case HCS_RUNTIME_STATUS_CLONED:
      if (cloned)
        return TRUE;
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNKNOWN_MESSAGE,
                   "the helper reported a clone it was not asked for");
      return FALSE;
    case HCS_RUNTIME_STATUS_ERROR:
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "%s: %s", what,
                   message != NULL ? message : "unknown helper error");
      return FALSE;
    case HCS_RUNTIME_STATUS_NONE:
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                   "the helper exited without reporting");
      return FALSE;
    case HCS_RUNTIME_STATUS_UNREADABLE:
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNKNOWN_MESSAGE,
                   "the helper sent an unreadable status: %s", message);
      return FALSE;
    case HCS_RUNTIME_STATUS_TOO_LONG:
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNKNOWN_MESSAGE,
                   "the helper's status line is too long");
      return FALSE;
    case HCS_RUNTIME_STATUS_READ_FAILED:
    default:
      return hcs_set_error_from_errno (error, errno, "reading the helper's status");
    }
}

static void
kill_and_reap (GPid pid)
{
  int status;

  kill (pid, SIGKILL);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
}

void
hcs_runtime_launch_clear (HcsRuntimeLaunch *launch)
{
  launch_clear_fd (&launch->status_fd);
  launch_clear_fd (&launch->start_fd);
  launch_clear_fd (&launch->console_fd);
  launch_clear_fd (&launch->spec_fd);
  launch_clear_fd (&launch->view_fd);
  launch_clear_fd (&launch->console_channel_fd);
}

void
hcs_runtime_launch_abandon (HcsRuntimeLaunch *launch)
{
  if (launch->helper_pid > 0)
    kill_and_reap (launch->helper_pid);
  launch->helper_pid = 0;
  hcs_runtime_launch_clear (launch);
}

gboolean
hcs_runtime_launch_start (const char *helper_path, HcsRuntimeLaunchMode mode, gboolean terminal,
                          const int stdio[3], const char *what, HcsRuntimeLaunch *launch,
                          GError **error)
{
  g_autoptr (GError) local_error = NULL;
  launch_autofd int spec_read = -1, spec_write = -1, status_read = -1, status_write = -1;
  launch_autofd int start_read = -1, start_write = -1, console_ours = -1, console_theirs = -1;
  launch_autofd int helper = -1;
  int null_fds[3] = { -1, -1, -1 }, helper_stdio[3];
  int source_fds[4], target_fds[4] = { 3, 4 };
  const char *argv[] = { helper_path, mode == HCS_RUNTIME_LAUNCH_CREATE ? "create" : "exec",
                         NULL };
  gsize n_fds = 2;
  gboolean spawned;
  GPid helper_pid;
  int pipe_fds[2];

  {
    /* Everything starts afresh but the caller's callback. */
    void (*spawned_func) (GPid, gpointer) = launch->spawned;
    void (*release_view_func) (int, gpointer) = launch->release_view;
    gboolean (*cloned_func) (int, gpointer, GError **) = launch->cloned;
    gpointer spawned_data = launch->spawned_data;

    *launch = (HcsRuntimeLaunch) HCS_RUNTIME_LAUNCH_INIT;
    launch->spawned = spawned_func;
    launch->release_view = release_view_func;
    launch->cloned = cloned_func;
    launch->spawned_data = spawned_data;
  }
  /* With a terminal the pty is made inside the container (so the
   * workload's ttyname() resolves in its own devpts) and its master comes
   * back through a socket pair; /dev/null until then. */
  if (terminal && socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pipe_fds) < 0)
    return hcs_set_error_from_errno (error, errno, "%s: a console channel", what);
  if (terminal)
    {
      console_ours = pipe_fds[0];
      console_theirs = pipe_fds[1];
    }
  for (int i = 0; i < 3; i++)
    {
      helper_stdio[i] = terminal || stdio == NULL ? -1 : stdio[i];
      if (helper_stdio[i] >= 0)
        continue;
      null_fds[i] = open ("/dev/null", O_RDWR | O_CLOEXEC);
      if (null_fds[i] < 0)
        {
          hcs_set_error_from_errno (error, errno, "%s: opening /dev/null", what);
          goto fail;
        }
      helper_stdio[i] = null_fds[i];
    }

  if (pipe2 (pipe_fds, O_CLOEXEC) < 0)
    goto fail_pipes;
  spec_read = pipe_fds[0];
  spec_write = pipe_fds[1];
  if (pipe2 (pipe_fds, O_CLOEXEC) < 0)
    goto fail_pipes;
  status_read = pipe_fds[0];
  status_write = pipe_fds[1];
  if (mode == HCS_RUNTIME_LAUNCH_CREATE)
    {
      if (pipe2 (pipe_fds, O_CLOEXEC) < 0)
        goto fail_pipes;
      start_read = pipe_fds[0];
      start_write = pipe_fds[1];
    }
  /* 3 spec, 4 status, then 5 start (create) and 6 console (terminal). */
  source_fds[0] = spec_read;
  source_fds[1] = status_write;
  if (mode == HCS_RUNTIME_LAUNCH_CREATE)
    {
      source_fds[n_fds] = start_read;
      target_fds[n_fds++] = 5;
    }
  if (console_theirs >= 0)
    {
      source_fds[n_fds] = console_theirs;
      target_fds[n_fds++] = 6;
    }

  helper = hcs_runtime_spawn_open_helper (helper_path, &local_error);
  spawned = helper >= 0 && hcs_runtime_spawn_helper (helper, argv, helper_stdio, source_fds,
                                                     target_fds, n_fds, &helper_pid,
                                                     &local_error);
  launch_clear_fd (&spec_read);
  launch_clear_fd (&status_write);
  launch_clear_fd (&start_read);
  launch_clear_fd (&console_theirs);
  for (int i = 0; i < 3; i++)
    launch_clear_fd (&null_fds[i]);
  if (!spawned)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "%s: starting %s: %s", what,
                   helper_path, local_error->message);
      return FALSE;
    }
  launch->helper_pid = helper_pid;
  launch->spec_fd = g_steal_fd (&spec_write);
  launch->status_fd = g_steal_fd (&status_read);
  launch->start_fd = g_steal_fd (&start_write);
  launch->console_channel_fd = g_steal_fd (&console_ours);
  if (launch->spawned != NULL)
    launch->spawned (helper_pid, launch->spawned_data);
  /* posix_spawn returned: the helper runs its image, and needs the view no
   * more. Its close must neither hold back the spec (the helper would wait
   * for it) nor share a grace period with the init's own unmount of the
   * host's root (a second expedited grace period waits for the first). */
  if (launch->release_view != NULL)
    launch->release_view (g_steal_fd (&helper), launch->spawned_data);
  launch->view_fd = g_steal_fd (&helper);
  return TRUE;

fail_pipes:
  hcs_set_error_from_errno (error, errno, "%s: creating the helper's pipes", what);
fail:
  for (int i = 0; i < 3; i++)
    launch_clear_fd (&null_fds[i]);
  return FALSE;
}

gboolean
hcs_runtime_launch_finish (HcsRuntimeLaunch *launch, const HcsRuntimeSpec *spec,
                           const char *what, GError **error)
{
  g_autoptr (GBytes) spec_bytes = hcs_runtime_spec_serialize (spec);
  g_autoptr (GString) pending = g_string_new (NULL);
  gboolean reported;
  int pid = 0;

  g_return_val_if_fail (launch->spec_fd >= 0, FALSE);
  g_return_val_if_fail ((launch->cloned != NULL) == spec->report_cloned, FALSE);
  g_return_val_if_fail ((spec->process != NULL && spec->process->terminal) ==
                            (launch->console_channel_fd >= 0),
                        FALSE);

  if (!hcs_runtime_spawn_write_all (launch->spec_fd, g_bytes_get_data (spec_bytes, NULL),
                                    g_bytes_get_size (spec_bytes)))
    g_debug ("%s: the helper did not read its whole spec", what);
  launch_clear_fd (&launch->spec_fd);

  if (launch->cloned != NULL)
    {
      int cloned_pid = 0;

      if (!read_status (launch->status_fd, pending, TRUE, what, &cloned_pid, error))
        {
          hcs_runtime_launch_abandon (launch);
          return FALSE;
        }
      if (!launch->cloned (cloned_pid, launch->spawned_data, error))
        {
          /* Not reaped yet by the helper, which waits for its report, nor
           * by us (a detached init is our child): the pid is still its. */
          kill (cloned_pid, SIGKILL);
          hcs_runtime_launch_abandon (launch);
          return FALSE;
        }
      reported = read_status (launch->status_fd, pending, FALSE, what, &pid, error);
      if (reported && pid != cloned_pid)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_UNKNOWN_MESSAGE,
                       "the helper reported process %d after cloning %d", pid, cloned_pid);
          reported = FALSE;
        }
    }
  else
    reported = read_status (launch->status_fd, pending, FALSE, what, &pid, error);
  /* Only now, unless the caller took it: the last close of the detached
   * mount waits for an RCU grace period, which on a VM whose other CPU is
   * busy starting the helper (exec, libc's CPUID probing) took up to a
   * millisecond, all of it before the helper could read its spec; and
   * during the init's set-up it would make the init's unmount of the
   * host's root wait for a second one. */
  launch_clear_fd (&launch->view_fd);
  if (!reported)
    {
      hcs_runtime_launch_abandon (launch);
      return FALSE;
    }
  launch->pid = pid;

  if (launch->console_channel_fd >= 0)
    {
      /* The helper made the pty inside and sent the master before it
       * reported the pid. */
      launch->console_fd = receive_console (launch->console_channel_fd, launch->console_name,
                                            sizeof launch->console_name, error);
      launch_clear_fd (&launch->console_channel_fd);
      if (launch->console_fd < 0)
        {
          hcs_runtime_launch_abandon (launch);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
hcs_runtime_launch (const char *helper_path, HcsRuntimeLaunchMode mode,
                    const HcsRuntimeSpec *spec, const int stdio[3], const char *what,
                    HcsRuntimeLaunch *launch, GError **error)
{
  gboolean terminal = spec->process != NULL && spec->process->terminal;

  return hcs_runtime_launch_start (helper_path, mode, terminal, stdio, what, launch, error) &&
         hcs_runtime_launch_finish (launch, spec, what, error);
}
