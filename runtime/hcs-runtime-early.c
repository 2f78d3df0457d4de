/* hcs-runtime-early.c: a create's helper started before its spec exists.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-runtime-early.h"
#include "hcs-runtime-spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void
clear_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

gboolean
hcs_runtime_early_helper_start (const char *helper_path, HcsRuntimeEarlyHelper *early,
                                GError **error)
{
  const char *argv[] = { helper_path, "create", NULL };
  const int stdio[3] = { 0, 1, 2 }, target_fds[3] = { 3, 4, 5 };
  int spec[2] = { -1, -1 }, status[2] = { -1, -1 }, start[2] = { -1, -1 };
  int source_fds[3], view;
  gboolean spawned;
  GPid pid;

  *early = (HcsRuntimeEarlyHelper) HCS_RUNTIME_EARLY_HELPER_INIT;
  if (pipe2 (spec, O_CLOEXEC) < 0 || pipe2 (status, O_CLOEXEC) < 0 ||
      pipe2 (start, O_CLOEXEC) < 0)
    {
      int saved_errno = errno;

      for (int i = 0; i < 2; i++)
        {
          clear_fd (&spec[i]);
          clear_fd (&status[i]);
          clear_fd (&start[i]);
        }
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "the helper's pipes: %s", g_strerror (saved_errno));
      return FALSE;
    }
  source_fds[0] = spec[0];
  source_fds[1] = status[1];
  source_fds[2] = start[0];
  view = hcs_runtime_spawn_open_helper (helper_path, error);
  spawned = view >= 0 && hcs_runtime_spawn_helper (view, argv, stdio, source_fds, target_fds, 3,
                                                   &pid, error);
  clear_fd (&spec[0]);
  clear_fd (&status[1]);
  clear_fd (&start[0]);
  if (!spawned)
    {
      if (view >= 0)
        close (view);
      clear_fd (&spec[1]);
      clear_fd (&status[0]);
      clear_fd (&start[1]);
      return FALSE;
    }
  early->pid = pid;
  early->spec_fd = spec[1];
  early->status_fd = status[0];
  early->start_fd = start[1];
  early->view_fd = view;
  early->helper_path = g_strdup (helper_path);
  return TRUE;
}

void
hcs_runtime_early_helper_discard (HcsRuntimeEarlyHelper *early)
{
  /* Unreaped, our child's pid names it still. */
  if (early->pid > 0)
    {
      int status;

      kill (early->pid, SIGKILL);
      while (waitpid (early->pid, &status, 0) < 0 && errno == EINTR)
        ;
    }
  early->pid = 0;
  clear_fd (&early->spec_fd);
  clear_fd (&early->status_fd);
  clear_fd (&early->start_fd);
  clear_fd (&early->view_fd);
  g_clear_pointer (&early->helper_path, g_free);
}
