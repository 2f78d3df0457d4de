/* argon-process.c: a process of an argon container, run by the helper.
 *
 * The helper (hcs-runtime-helper) is our child; it clones or forks the
 * workload and mirrors its exit status, so watching the helper with a
 * child watch tells us when the workload ended and how. The watches run on
 * one reaper thread of the plugin so that a blocking wait in any thread, or
 * no main loop at all, still sees the exit.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "argon-private.h"
#include "hcs-runtime-console.h"
#include "hcs-runtime-spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

struct _ArgonProcess
{
  GObject parent_instance;

  GMutex lock;
  GCond exited_cond;

  char *what;           /* "container 'web'" or "process 123 of container 'web'" */
  GPid helper_pid;
  int pid;              /* the workload, in the host's pid namespace */
  int status_fd;        /* helper -> us; kept open so it never sees EPIPE */
  int start_fd;         /* create mode: one byte lets the init exec */
  int console_fd;       /* pty master, or -1 */
  int pidfd;            /* opened (foreign) processes: their pidfd */
  int child_pidfd;      /* our child (the helper, or a workload reaped directly) */
  gboolean foreign;     /* not started through hcs: no exit code */

  GOutputStream *stdin_stream;
  GInputStream *stdout_stream;
  GInputStream *stderr_stream;

  gboolean exited;
  gboolean closed;
  int exit_code;
  GList *pending_waits; /* GTask* */
  GMainContext *creator_context;
};

static void argon_process_iface_init (HcsProcessInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ArgonProcess, argon_process, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HCS_TYPE_PROCESS,
                                                      argon_process_iface_init))

/* --- the reaper thread ----------------------------------------------------- */

static gpointer
reaper_thread_main (gpointer data)
{
  GMainContext *context = data;

  g_main_context_push_thread_default (context);
  for (;;)
    g_main_context_iteration (context, TRUE);
  return NULL;
}

static GMainContext *
get_reaper_context (void)
{
  static GMainContext *context;

  if (g_once_init_enter (&context))
    {
      GMainContext *new_context = g_main_context_new ();
      g_thread_unref (g_thread_new ("argon-reaper", reaper_thread_main, new_context));
      g_once_init_leave (&context, new_context);
    }
  return context;
}

static gboolean
emit_exited_cb (gpointer data)
{
  ArgonProcess *self = data;

  g_signal_emit_by_name (self, "exited", self->exit_code);
  return G_SOURCE_REMOVE;
}

/* Records the end of the process and wakes every waiter. */
static void
mark_exited (ArgonProcess *self, int exit_code)
{
  GList *waits;

  g_mutex_lock (&self->lock);
  self->exit_code = exit_code;
  self->exited = TRUE;
  waits = g_steal_pointer (&self->pending_waits);
  argon_clear_fd (&self->status_fd);
  argon_clear_fd (&self->start_fd);
  argon_clear_fd (&self->pidfd);
  argon_clear_fd (&self->child_pidfd);
  g_cond_broadcast (&self->exited_cond);
  g_mutex_unlock (&self->lock);

  for (GList *l = waits; l; l = l->next)
    {
      GSource *cancel_source = g_task_get_task_data (l->data);

      if (cancel_source)
        g_source_destroy (cancel_source);
      g_task_return_boolean (l->data, TRUE);
      g_object_unref (l->data);
    }
  g_list_free (waits);

  g_main_context_invoke_full (self->creator_context, G_PRIORITY_DEFAULT, emit_exited_cb,
                              g_object_ref (self), g_object_unref);
}

static void
helper_exited_cb (GPid pid, int wait_status, gpointer data)
{
  ArgonProcess *self = data;
  int exit_code = 255;

  if (WIFEXITED (wait_status))
    exit_code = WEXITSTATUS (wait_status);
  else if (WIFSIGNALED (wait_status))
    exit_code = 128 + WTERMSIG (wait_status);
  g_spawn_close_pid (pid);
  mark_exited (self, exit_code);
}

/* Our child's pidfd is readable once it exited: reap it through the pidfd.
 * Unlike a GLib child watch, this needs no SIGCHLD handler in the host's
 * process and no GLib worker thread. */
static gboolean
child_exited_cb (int fd, GIOCondition condition, gpointer data)
{
  ArgonProcess *self = data;
  siginfo_t info = { 0 };
  int exit_code = 255;

  while (waitid (P_PIDFD, fd, &info, WEXITED) < 0 && errno == EINTR)
    ;
  if (info.si_code == CLD_EXITED)
    exit_code = info.si_status;
  else if (info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED)
    exit_code = 128 + info.si_status;
  mark_exited (self, exit_code);
  return G_SOURCE_REMOVE;
}

/* A pidfd becomes readable when its process has exited. */
static gboolean
foreign_exited_cb (int fd, GIOCondition condition, gpointer data)
{
  mark_exited (ARGON_PROCESS (data), -1);
  return G_SOURCE_REMOVE;
}

/* --- object ------------------------------------------------------------------ */

static void
argon_process_finalize (GObject *object)
{
  ArgonProcess *self = ARGON_PROCESS (object);

  argon_clear_fd (&self->status_fd);
  argon_clear_fd (&self->start_fd);
  argon_clear_fd (&self->console_fd);
  argon_clear_fd (&self->pidfd);
  argon_clear_fd (&self->child_pidfd);
  g_clear_object (&self->stdin_stream);
  g_clear_object (&self->stdout_stream);
  g_clear_object (&self->stderr_stream);
  g_main_context_unref (self->creator_context);
  g_free (self->what);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->exited_cond);
  G_OBJECT_CLASS (argon_process_parent_class)->finalize (object);
}

static void
argon_process_class_init (ArgonProcessClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = argon_process_finalize;
}

static void
argon_process_init (ArgonProcess *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->exited_cond);
  self->status_fd = self->start_fd = self->console_fd = self->pidfd = self->child_pidfd = -1;
  self->creator_context = g_main_context_ref_thread_default ();
}

/* --- spawning ------------------------------------------------------------------ */

typedef struct {
  int fds[3];       /* what the helper gets as 0, 1, 2 (-1: /dev/null) */
  int ours[3];      /* our ends: stdin write, stdout read, stderr read */
} ArgonStdio;

static void
argon_stdio_clear (ArgonStdio *stdio)
{
  for (int i = 0; i < 3; i++)
    {
      argon_clear_fd (&stdio->fds[i]);
      argon_clear_fd (&stdio->ours[i]);
    }
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ArgonStdio, argon_stdio_clear)

/* runc's --console-socket protocol: connect to the unix socket at @path and
 * send one message whose data is the pty's name and whose SCM_RIGHTS
 * carries the master. */
static gboolean
send_console (const char *path, int master_fd, const char *name, GError **error)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int sock;

  if (strlen (path) >= sizeof address.sun_path)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "argon: the console socket path %s is too long", path);
      return FALSE;
    }
  strcpy (address.sun_path, path);
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return hcs_set_error_from_errno (error, errno, "argon: console socket");
  if (connect (sock, (struct sockaddr *) &address, sizeof address) < 0)
    {
      hcs_set_error_from_errno (error, errno, "argon: connecting to the console socket %s",
                                path);
      close (sock);
      return FALSE;
    }
  if (hcs_runtime_console_send (sock, master_fd, name) < 0)
    {
      hcs_set_error_from_errno (error, errno, "argon: sending the console to %s", path);
      close (sock);
      return FALSE;
    }
  close (sock);
  return TRUE;
}

static gboolean
open_stdio (ArgonStdio *stdio, const HcsProcessConfig *config, GError **error)
{
  gboolean want[3] = { FALSE, FALSE, FALSE };

  for (int i = 0; i < 3; i++)
    stdio->fds[i] = stdio->ours[i] = -1;

  /* The helper makes the pty inside the container and sends its master. */
  if (config != NULL && config->emulate_console)
    return TRUE;
  if (config != NULL && (config->inherit_stdio || config->use_stdio_fds))
    {
      for (int i = 0; i < 3; i++)
        if ((stdio->fds[i] = fcntl (config->use_stdio_fds ? config->stdio_fds[i] : i,
                                    F_DUPFD_CLOEXEC, 3)) < 0)
          return hcs_set_error_from_errno (error, errno, "argon: standard stream %d", i);
      return TRUE;
    }

  if (config != NULL)
    {
      want[0] = config->create_stdin_pipe;
      want[1] = config->create_stdout_pipe;
      want[2] = config->create_stderr_pipe;
    }
  for (int i = 0; i < 3; i++)
    {
      int pipe_fds[2];

      if (!want[i])
        continue;
      if (pipe2 (pipe_fds, O_CLOEXEC) < 0)
        return hcs_set_error_from_errno (error, errno, "argon: creating a stdio pipe");
      /* stdin: the helper reads [0]; stdout/stderr: the helper writes [1]. */
      stdio->fds[i] = i == 0 ? pipe_fds[0] : pipe_fds[1];
      stdio->ours[i] = i == 0 ? pipe_fds[1] : pipe_fds[0];
    }
  return TRUE;
}

ArgonProcess *
argon_process_spawn (const char *helper_path, ArgonProcessMode mode,
                     const HcsRuntimeSpec *spec, const HcsProcessConfig *config,
                     const char *what, GError **error)
{
  return argon_process_spawn_full (helper_path, mode, spec, config, what, NULL, NULL, error);
}

typedef struct {
  ArgonSpawnedFunc func;
  gpointer data;
} SpawnedCall;

/* A create's helper was just spawned and starts (exec, libc, its spec)
 * while we record it and make the reaper's thread (0.2 to 0.3 ms), which
 * would otherwise be made after its report, between the container's
 * readiness and its release. */
static void
helper_spawned (GPid helper_pid, gpointer data)
{
  SpawnedCall *call = data;

  if (call->func != NULL)
    call->func (helper_pid, call->data);
  get_reaper_context ();
}

static gboolean
close_view_cb (gpointer data)
{
  close (GPOINTER_TO_INT (data));
  return G_SOURCE_REMOVE;
}

/* The helper's read-only view is closed by the reaper's thread, which has
 * nothing to do until a process exits: the close waits for an RCU grace
 * period, done before the container's init needs one of its own. */
static void
release_helper_view (int view_fd, gpointer data)
{
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, close_view_cb, GINT_TO_POINTER (view_fd), NULL);
  g_source_attach (source, get_reaper_context ());
  g_source_unref (source);
}

ArgonProcess *
argon_process_spawn_full (const char *helper_path, ArgonProcessMode mode,
                          const HcsRuntimeSpec *spec, const HcsProcessConfig *config,
                          const char *what, ArgonSpawnedFunc spawned_func,
                          gpointer spawned_data, GError **error)
{
  g_auto (ArgonStdio) stdio = { 0 };
  g_auto (HcsRuntimeLaunch) launch = HCS_RUNTIME_LAUNCH_INIT;
  g_autoptr (ArgonProcess) self = NULL;
  SpawnedCall spawned_call = { spawned_func, spawned_data };
  GSource *watch;
  gboolean launched;

  if (!open_stdio (&stdio, config, error))
    return NULL;
  if (mode == ARGON_PROCESS_MODE_CREATE)
    {
      launch.spawned = helper_spawned;
      launch.release_view = release_helper_view;
      launch.spawned_data = &spawned_call;
    }
  else
    {
      /* An exec's process unmounts nothing, and runs on while we close
       * the view after its report: there the close and the reaper's
       * thread only took CPU from the helper's start (exec +2%, A/B). */
      launch.spawned = spawned_func;
      launch.spawned_data = spawned_data;
    }
  launched = hcs_runtime_launch (helper_path,
                                 mode == ARGON_PROCESS_MODE_CREATE ? HCS_RUNTIME_LAUNCH_CREATE
                                                                   : HCS_RUNTIME_LAUNCH_EXEC,
                                 spec, stdio.fds, what, &launch, error);
  /* The helper's ends are the helper's alone: our stdout reads see EOF
   * when the workload's last writer is gone. */
  for (int i = 0; i < 3; i++)
    argon_clear_fd (&stdio.fds[i]);
  if (!launched)
    {
      g_prefix_error (error, "argon: ");
      return NULL;
    }
  if (launch.console_fd >= 0)
    {
      if (config->console_socket != NULL)
        {
          /* The master is the socket's owner's alone (conmon, containerd). */
          if (!send_console (config->console_socket, launch.console_fd, launch.console_name,
                             error))
            {
              hcs_runtime_launch_abandon (&launch);
              return NULL;
            }
          argon_clear_fd (&launch.console_fd);
        }
      else
        {
          stdio.ours[0] = dup (launch.console_fd);
          stdio.ours[1] = dup (launch.console_fd);
        }
    }

  if (config != NULL && (config->detach || config->reap_directly))
    {
      /* The helper leaves once it reported; the workload is our child now
       * (CLONE_PARENT): detached, to be reaped by whoever inherits it after
       * us; otherwise reaped here, as the helper would have. */
      int wait_status;

      while (waitpid (launch.helper_pid, &wait_status, 0) < 0 && errno == EINTR)
        ;
      g_spawn_close_pid (launch.helper_pid);
      argon_clear_fd (&launch.status_fd);
      argon_clear_fd (&launch.start_fd);
      if (config->detach)
        return argon_process_open_foreign (launch.pid, what, error);
      launch.helper_pid = launch.pid;
    }

  self = g_object_new (ARGON_TYPE_PROCESS, NULL);
  self->what = g_strdup (what);
  self->helper_pid = launch.helper_pid;
  self->pid = launch.pid;
  self->status_fd = g_steal_fd (&launch.status_fd);
  self->start_fd = g_steal_fd (&launch.start_fd);
  self->console_fd = g_steal_fd (&launch.console_fd);
  if (stdio.ours[0] >= 0)
    self->stdin_stream = g_unix_output_stream_new (g_steal_fd (&stdio.ours[0]), TRUE);
  if (stdio.ours[1] >= 0)
    self->stdout_stream = g_unix_input_stream_new (g_steal_fd (&stdio.ours[1]), TRUE);
  if (stdio.ours[2] >= 0)
    self->stderr_stream = g_unix_input_stream_new (g_steal_fd (&stdio.ours[2]), TRUE);

  /* A child watch only on kernels without pidfd_open (before 5.3). */
  self->child_pidfd = (int) syscall (SYS_pidfd_open, self->helper_pid, 0);
  if (self->child_pidfd >= 0)
    {
      watch = g_unix_fd_source_new (self->child_pidfd, G_IO_IN);
      g_source_set_callback (watch, (GSourceFunc) (void (*) (void)) child_exited_cb,
                             g_object_ref (self), g_object_unref);
    }
  else
    {
      watch = g_child_watch_source_new (self->helper_pid);
      g_source_set_callback (watch, (GSourceFunc) (void (*) (void)) helper_exited_cb,
                             g_object_ref (self), g_object_unref);
    }
  g_source_attach (watch, get_reaper_context ());
  g_source_unref (watch);
  return g_steal_pointer (&self);
}

ArgonProcess *
argon_process_open_foreign (int pid, const char *what, GError **error)
{
  g_autoptr (ArgonProcess) self = NULL;
  GSource *watch;
  int pidfd;

  pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (pidfd < 0)
    {
      if (errno == ESRCH)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_PROCESS_NOT_FOUND, "argon: %s: no process %d",
                       what, pid);
          return NULL;
        }
      return hcs_set_error_from_errno (error, errno, "argon: %s: opening process %d", what, pid),
             NULL;
    }
  self = g_object_new (ARGON_TYPE_PROCESS, NULL);
  self->what = g_strdup_printf ("process %d of %s", pid, what);
  self->pid = pid;
  self->pidfd = pidfd;
  self->foreign = TRUE;

  watch = g_unix_fd_source_new (pidfd, G_IO_IN);
  g_source_set_callback (watch, (GSourceFunc) (void (*) (void)) foreign_exited_cb,
                         g_object_ref (self), g_object_unref);
  g_source_attach (watch, get_reaper_context ());
  g_source_unref (watch);
  return g_steal_pointer (&self);
}

gboolean
argon_process_release (ArgonProcess *self, GError **error)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (self->exited)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_STOPPED, "argon: %s has already exited",
                   self->what);
      return FALSE;
    }
  if (self->start_fd < 0)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE, "argon: %s was already started",
                   self->what);
      return FALSE;
    }
  if (!hcs_runtime_spawn_write_all (self->start_fd, "s", 1))
    return hcs_set_error_from_errno (error, errno, "argon: %s: starting the init", self->what);
  argon_clear_fd (&self->start_fd);
  return TRUE;
}

gboolean
argon_process_has_exited (ArgonProcess *self)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  return self->exited;
}

/* --- HcsProcess ------------------------------------------------------------------ */

static gboolean
check_open (ArgonProcess *self, GError **error)
{
  if (self->closed)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_CLOSED,
                   "argon: the handle of %s is already closed", self->what);
      return FALSE;
    }
  return TRUE;
}

static int
argon_process_get_pid (HcsProcess *process)
{
  return ARGON_PROCESS (process)->pid;
}

static gboolean
argon_process_signal (HcsProcess *process, int signum, GError **error)
{
  ArgonProcess *self = ARGON_PROCESS (process);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (!check_open (self, error))
    return FALSE;
  /* Once the helper has been reaped the pid may belong to someone else. */
  if (self->exited)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_PROCESS_ALREADY_STOPPED,
                   "argon: %s has already exited", self->what);
      return FALSE;
    }
  /* A pidfd names exactly the process that was opened, never a reuse. */
  if (self->pidfd >= 0 ? syscall (SYS_pidfd_send_signal, self->pidfd, signum, NULL, 0) < 0
                       : kill (self->pid, signum) < 0)
    return hcs_set_error_from_errno (error, errno, "argon: %s: sending signal %d",
                                     self->what, signum);
  return TRUE;
}

static gboolean
argon_process_kill (HcsProcess *process, GError **error)
{
  return argon_process_signal (process, SIGKILL, error);
}

static void
wake_waiters_cb (GCancellable *cancellable, gpointer data)
{
  ArgonProcess *self = data;

  g_mutex_lock (&self->lock);
  g_cond_broadcast (&self->exited_cond);
  g_mutex_unlock (&self->lock);
}

static gboolean
argon_process_wait_timeout (HcsProcess *process, gint64 timeout_ms, GCancellable *cancellable,
                            GError **error)
{
  ArgonProcess *self = ARGON_PROCESS (process);
  gint64 deadline = timeout_ms >= 0 ? g_get_monotonic_time () + timeout_ms * 1000 : -1;
  gulong handler = 0;
  gboolean ok = TRUE;

  if (cancellable)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (wake_waiters_cb), self, NULL);

  g_mutex_lock (&self->lock);
  while (!self->exited)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }
      if (deadline < 0)
        g_cond_wait (&self->exited_cond, &self->lock);
      else if (!g_cond_wait_until (&self->exited_cond, &self->lock, deadline) &&
               !self->exited)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_TIMEOUT,
                       "argon: timed out after %" G_GINT64_FORMAT " ms waiting for %s",
                       timeout_ms, self->what);
          ok = FALSE;
          break;
        }
    }
  g_mutex_unlock (&self->lock);

  if (handler)
    g_cancellable_disconnect (cancellable, handler);
  return ok;
}

/* A cancelled wait leaves the list and fails; one the exit already took
 * from the list is the exit's to complete. The task is alive here: its
 * completion, if any, is dispatched in this same context. */
static gboolean
wait_cancelled_cb (GCancellable *cancellable, gpointer data)
{
  GTask *task = data;
  ArgonProcess *self = g_task_get_source_object (task);
  GList *link;

  g_mutex_lock (&self->lock);
  link = g_list_find (self->pending_waits, task);
  if (link)
    self->pending_waits = g_list_delete_link (self->pending_waits, link);
  g_mutex_unlock (&self->lock);

  if (link)
    {
      g_task_return_error_if_cancelled (task);
      g_object_unref (task);
    }
  return G_SOURCE_REMOVE;
}

static void
argon_process_wait_async (HcsProcess *process, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  ArgonProcess *self = ARGON_PROCESS (process);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, argon_process_wait_async);
  g_mutex_lock (&self->lock);
  if (self->exited)
    {
      g_mutex_unlock (&self->lock);
      g_task_return_boolean (task, TRUE);
      return;
    }
  /* The task completes on the reaper thread's exit callback; GTask
   * dispatches the result to the caller's context. */
  if (cancellable)
    {
      GSource *cancel_source = g_cancellable_source_new (cancellable);

      g_task_attach_source (task, cancel_source, (GSourceFunc) (void (*) (void)) wait_cancelled_cb);
      g_task_set_task_data (task, cancel_source, (GDestroyNotify) g_source_unref);
    }
  self->pending_waits = g_list_prepend (self->pending_waits, g_steal_pointer (&task));
  g_mutex_unlock (&self->lock);
}

static gboolean
argon_process_wait_finish (HcsProcess *process, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, process), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
argon_process_get_exit_code (HcsProcess *process, int *exit_code, GError **error)
{
  ArgonProcess *self = ARGON_PROCESS (process);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (!self->exited)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE, "argon: %s is still running",
                   self->what);
      return FALSE;
    }
  if (self->foreign)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "argon: %s was not started through hcs: its exit code is its parent's to read",
                   self->what);
      return FALSE;
    }
  *exit_code = self->exit_code;
  return TRUE;
}

static gboolean
argon_process_resize_console (HcsProcess *process, guint16 width, guint16 height,
                              GError **error)
{
  ArgonProcess *self = ARGON_PROCESS (process);
  struct winsize size = { .ws_row = height, .ws_col = width };

  if (!check_open (self, error))
    return FALSE;
  if (self->console_fd < 0)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "argon: %s has no console (EmulateConsole was not set)", self->what);
      return FALSE;
    }
  /* The kernel sends SIGWINCH to the terminal's foreground process group. */
  if (ioctl (self->console_fd, TIOCSWINSZ, &size) < 0)
    return hcs_set_error_from_errno (error, errno, "argon: %s: resizing the console",
                                     self->what);
  return TRUE;
}

static GOutputStream *
argon_process_get_stdin (HcsProcess *process)
{
  return ARGON_PROCESS (process)->stdin_stream;
}

static GInputStream *
argon_process_get_stdout (HcsProcess *process)
{
  return ARGON_PROCESS (process)->stdout_stream;
}

static GInputStream *
argon_process_get_stderr (HcsProcess *process)
{
  return ARGON_PROCESS (process)->stderr_stream;
}

static gboolean
argon_process_close_stdin (HcsProcess *process, GError **error)
{
  ArgonProcess *self = ARGON_PROCESS (process);

  if (!check_open (self, error))
    return FALSE;
  if (self->stdin_stream == NULL)
    return TRUE;
  if (self->console_fd >= 0)
    {
      /* A pty has no half-close: send the terminal's end-of-file. */
      return g_output_stream_write_all (self->stdin_stream, "\x04", 1, NULL, NULL, error);
    }
  return g_output_stream_close (self->stdin_stream, NULL, error);
}

static gboolean
argon_process_close (HcsProcess *process, GError **error)
{
  ArgonProcess *self = ARGON_PROCESS (process);

  if (!check_open (self, error))
    return FALSE;
  self->closed = TRUE;
  return TRUE;
}

static void
argon_process_iface_init (HcsProcessInterface *iface)
{
  iface->get_pid = argon_process_get_pid;
  iface->signal = argon_process_signal;
  iface->kill = argon_process_kill;
  iface->wait_timeout = argon_process_wait_timeout;
  iface->wait_async = argon_process_wait_async;
  iface->wait_finish = argon_process_wait_finish;
  iface->get_exit_code = argon_process_get_exit_code;
  iface->resize_console = argon_process_resize_console;
  iface->get_stdin = argon_process_get_stdin;
  iface->get_stdout = argon_process_get_stdout;
  iface->get_stderr = argon_process_get_stderr;
  iface->close_stdin = argon_process_close_stdin;
  iface->close = argon_process_close;
}
