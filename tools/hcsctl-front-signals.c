/* hcsctl-front-signals.c: SIGINT, SIGTERM and SIGHUP caught into a pipe
 * while the front waits for a process of the container, for its `exec`
 * and `run` to send on as the full path's foreground verbs do
 * (hcsctl-run.c). GLib only.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-error.h"
#include "hcsctl-front.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

/* What hcsctl-run.c forwards to a process without a terminal. */
static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP };
G_STATIC_ASSERT (G_N_ELEMENTS (forwarded_signals) == HCSCTL_FRONT_N_FORWARDED_SIGNALS);

/* The handler may only write: the pipe is the waiter's to read. */
static int signal_pipe_write = -1;

static void
signal_caught (int signum)
{
  int saved_errno = errno;
  unsigned char byte = (unsigned char) signum;

  if (write (signal_pipe_write, &byte, 1) < 0)
    { /* full: signals already wait there */ }
  errno = saved_errno;
}

gboolean
hcsctl_front_signals_catch (HcsctlFrontSignals *signals, GError **error)
{
  struct sigaction catch = { .sa_handler = signal_caught, .sa_flags = SA_RESTART };

  if (pipe2 (signals->pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
    {
      signals->pipe_fds[0] = signals->pipe_fds[1] = -1;
      return hcs_set_error_from_errno (error, errno, "a pipe for signals");
    }
  signal_pipe_write = signals->pipe_fds[1];
  sigemptyset (&catch.sa_mask);
  for (gsize i = 0; i < G_N_ELEMENTS (forwarded_signals); i++)
    sigaction (forwarded_signals[i], &catch, &signals->saved[i]);
  signals->caught = TRUE;
  return TRUE;
}

void
hcsctl_front_signals_forward (HcsctlFrontSignals *signals, HcsctlFrontSignalFunc forward,
                              gpointer data)
{
  unsigned char signums[16];
  gssize n;

  if (signals->pipe_fds[0] < 0)
    return;
  while ((n = read (signals->pipe_fds[0], signums, sizeof signums)) > 0)
    for (gssize i = 0; i < n; i++)
      forward (signums[i], data);
}

void
hcsctl_front_signals_release (HcsctlFrontSignals *signals)
{
  for (gsize i = 0; signals->caught && i < G_N_ELEMENTS (forwarded_signals); i++)
    sigaction (forwarded_signals[i], &signals->saved[i], NULL);
  signals->caught = FALSE;
  signal_pipe_write = -1;
  for (int i = 0; i < 2; i++)
    if (signals->pipe_fds[i] >= 0)
      {
        close (signals->pipe_fds[i]);
        signals->pipe_fds[i] = -1;
      }
}
