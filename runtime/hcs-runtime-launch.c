/* hcs-runtime-launch.c: the helper started with a spec.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-runtime-launch.h"
#include "hcs.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

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

static gboolean
write_all (int fd, const char *data, gsize length)
{
  while (length > 0)
    {
      gssize n = write (fd, data, length);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= n;
    }
  return TRUE;
}

/* Reads one newline-terminated JSON object from the helper: the first
 * line, in reads of what the pipe holds (one write of the helper's, most
 * often the whole line) rather than a byte at a time. What may follow it
 * in the same read, an exec's exit line, is dropped: nobody reads the
 * status after the pid, the exit code comes from the process itself. */
static JsonObject *
read_status (int fd, GError **error)
{
  g_autoptr (GString) line = g_string_new (NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  char buffer[512];

  for (;;)
    {
      gssize n = read (fd, buffer, sizeof buffer);
      const char *newline;

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hcs_set_error_from_errno (error, errno, "reading the helper's status"),
               NULL;
      if (n == 0)
        break;
      newline = memchr (buffer, '\n', n);
      g_string_append_len (line, buffer, newline ? newline - buffer : n);
      if (newline != NULL)
        break;
      if (line->len > 64 * 1024)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_UNKNOWN_MESSAGE,
                       "the helper's status line is too long");
          return NULL;
        }
    }
  if (line->len == 0)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                   "the helper exited without reporting");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, line->str, line->len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT ((root = json_parser_get_root (parser))))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNKNOWN_MESSAGE,
                   "the helper sent an unreadable status: %s", line->str);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static void
kill_and_reap (GPid pid)
{
  int status;

  kill (pid, SIGKILL);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
}

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3 */
#endif

/* A sealed memfd copy of the helper, for kernels without mount_setattr. */
static int
copy_helper_to_memfd (int source, GError **error)
{
  /* Executable on purpose (vm.memfd_noexec may make memfds noexec by
   * default); kernels before 6.3 know no MFD_EXEC and refuse it. */
  launch_autofd int memfd =
      memfd_create ("hcs-runtime-helper", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  struct stat source_stat;
  off_t offset = 0;

  if (memfd < 0 && errno == EINVAL)
    memfd = memfd_create ("hcs-runtime-helper", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (memfd < 0 || fstat (source, &source_stat) < 0)
    return hcs_set_error_from_errno (error, errno, "copying the helper"), -1;
  while (offset < source_stat.st_size)
    {
      ssize_t sent = sendfile (memfd, source, &offset, source_stat.st_size - offset);
      if (sent < 0 && errno == EINTR)
        continue;
      if (sent <= 0)
        return hcs_set_error_from_errno (error, sent < 0 ? errno : EIO,
                                         "copying the helper"), -1;
    }
  if (fchmod (memfd, 0500) < 0 ||
      fcntl (memfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
    return hcs_set_error_from_errno (error, errno, "sealing the helper's copy"), -1;
  return g_steal_fd (&memfd);
}

/* The helper as a container's processes see it through /proc/PID/exe
 * until they exec their workload: a file nobody can write. Exec'd from its
 * own path, a container process could open that link and, once the helper
 * is gone, reopen it for writing and replace the host's helper
 * (CVE-2019-5736, the runc overwrite). So it is exec'd through a read-only
 * detached bind mount of itself (open_tree + mount_setattr: no mount in
 * any table, gone with its last user), or where the kernel has no
 * mount_setattr (before 5.12), through a sealed memfd copy. */
static int
open_helper_read_only (const char *helper_path, GError **error)
{
  struct mount_attr read_only = {
    .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
  };
  launch_autofd int tree = open_tree (AT_FDCWD, helper_path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  launch_autofd int source = -1;

  if (tree >= 0 && mount_setattr (tree, "", AT_EMPTY_PATH, &read_only, sizeof read_only) == 0)
    return g_steal_fd (&tree);
  if (tree < 0 && errno == ENOENT)
    return hcs_set_error_from_errno (error, errno, "the helper %s", helper_path), -1;
  source = open (helper_path, O_RDONLY | O_CLOEXEC);
  if (source < 0)
    return hcs_set_error_from_errno (error, errno, "the helper %s", helper_path), -1;
  return copy_helper_to_memfd (source, error);
}

/* posix_spawn (a vfork in glibc: no copy of our page tables) of @helper
 * (open_helper_read_only) with @stdio as 0, 1, 2 and each source fd at its
 * target; nothing else of ours gets through. Sources are first moved above
 * every target, so no dup2 can overwrite a source another still needs. */
static gboolean
spawn_helper_here (int helper, const char *const *argv, const int stdio[3],
                   const int *source_fds, const int *target_fds, gsize n_fds, GPid *pid,
                   GError **error)
{
  posix_spawn_file_actions_t actions;
  g_autofree char *helper_exec_path = NULL;
  int high[3 + 4];
  gsize n_high = 0;
  int result;

  g_return_val_if_fail (n_fds <= 4, FALSE);
  /* The kernel opens the file behind the link before it closes the
   * close-on-exec fds, so the fd needs not reach the helper. */
  helper_exec_path = g_strdup_printf ("/proc/self/fd/%d", helper);
  for (gsize i = 0; i < 3 + n_fds; i++)
    {
      int fd = i < 3 ? stdio[i] : source_fds[i - 3];
      high[i] = fcntl (fd, F_DUPFD_CLOEXEC, 64);
      if (high[i] < 0)
        {
          int saved_errno = errno;
          for (gsize j = 0; j < i; j++)
            close (high[j]);
          return hcs_set_error_from_errno (error, saved_errno, "preparing the helper's fds");
        }
      n_high++;
    }
  posix_spawn_file_actions_init (&actions);
  for (gsize i = 0; i < 3 + n_fds; i++)
    posix_spawn_file_actions_adddup2 (&actions, high[i], i < 3 ? (int) i : target_fds[i - 3]);
  /* Whatever our caller left open (and not close-on-exec) stays out. */
  for (int fd = 3; fd <= 6; fd++)
    {
      gboolean mapped = FALSE;
      for (gsize i = 0; i < n_fds; i++)
        mapped |= target_fds[i] == fd;
      if (!mapped && fcntl (fd, F_GETFD) >= 0)
        posix_spawn_file_actions_addclose (&actions, fd);
    }
  /* A clean signal state, whatever thread we are called from. */
  {
    posix_spawnattr_t attributes;
    sigset_t none, all;

    sigemptyset (&none);
    sigfillset (&all);
    posix_spawnattr_init (&attributes);
    posix_spawnattr_setflags (&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setsigmask (&attributes, &none);
    posix_spawnattr_setsigdefault (&attributes, &all);
    result = posix_spawn (pid, helper_exec_path, &actions, &attributes, (char *const *) argv,
                          environ);
    posix_spawnattr_destroy (&attributes);
  }
  posix_spawn_file_actions_destroy (&actions);
  for (gsize i = 0; i < n_high; i++)
    close (high[i]);
  if (result != 0)
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "%s", g_strerror (result));
      return FALSE;
    }
  return TRUE;
}


/* A helper asked to die with its parent (PR_SET_PDEATHSIG) dies when the
 * *thread* that spawned it ends. A host's worker threads come and go (a
 * GTask pool retires idle ones), which killed a monitor's exec'd
 * processes mid-run; so spawns from any thread but the main one are made
 * by one thread that lives as long as the process. */
typedef struct {
  int helper;
  const char *const *argv;
  const int *stdio, *source_fds, *target_fds;
  gsize n_fds;
  GPid *pid;
  GError **error;
  gboolean result, done;
  GMutex lock;
  GCond cond;
} SpawnRequest;

static gpointer
spawner_thread (gpointer data)
{
  GAsyncQueue *requests = data;

  for (;;)
    {
      SpawnRequest *request = g_async_queue_pop (requests);
      gboolean result = spawn_helper_here (request->helper, request->argv, request->stdio,
                                           request->source_fds, request->target_fds,
                                           request->n_fds, request->pid, request->error);

      g_mutex_lock (&request->lock);
      request->result = result;
      request->done = TRUE;
      g_cond_signal (&request->cond);
      g_mutex_unlock (&request->lock);
    }
  return NULL;
}

static gboolean
spawn_helper (int helper, const char *const *argv, const int stdio[3], const int *source_fds,
              const int *target_fds, gsize n_fds, GPid *pid, GError **error)
{
  static GAsyncQueue *requests;
  SpawnRequest request = { helper, argv, stdio, source_fds, target_fds, n_fds, pid, error };

  if (gettid () == getpid ())
    return spawn_helper_here (helper, argv, stdio, source_fds, target_fds, n_fds, pid, error);
  if (g_once_init_enter (&requests))
    {
      GAsyncQueue *queue = g_async_queue_new ();

      g_thread_unref (g_thread_new ("hcs-spawner", spawner_thread, queue));
      g_once_init_leave (&requests, queue);
    }
  g_mutex_init (&request.lock);
  g_cond_init (&request.cond);
  g_async_queue_push (requests, &request);
  g_mutex_lock (&request.lock);
  while (!request.done)
    g_cond_wait (&request.cond, &request.lock);
  g_mutex_unlock (&request.lock);
  g_mutex_clear (&request.lock);
  g_cond_clear (&request.cond);
  return request.result;
}

void
hcs_runtime_launch_clear (HcsRuntimeLaunch *launch)
{
  launch_clear_fd (&launch->status_fd);
  launch_clear_fd (&launch->start_fd);
  launch_clear_fd (&launch->console_fd);
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
hcs_runtime_launch (const char *helper_path, HcsRuntimeLaunchMode mode,
                    const HcsRuntimeSpec *spec, const int stdio[3], const char *what,
                    HcsRuntimeLaunch *launch, GError **error)
{
  g_autoptr (GBytes) spec_bytes = hcs_runtime_spec_serialize (spec);
  g_autoptr (JsonObject) status = NULL;
  g_autoptr (GError) local_error = NULL;
  gboolean terminal = spec->process != NULL && spec->process->terminal;
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
    gpointer spawned_data = launch->spawned_data;

    *launch = (HcsRuntimeLaunch) HCS_RUNTIME_LAUNCH_INIT;
    launch->spawned = spawned_func;
    launch->release_view = release_view_func;
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

  helper = open_helper_read_only (helper_path, &local_error);
  spawned = helper >= 0 && spawn_helper (helper, argv, helper_stdio, source_fds, target_fds,
                                         n_fds, &helper_pid, &local_error);
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
  if (launch->spawned != NULL)
    launch->spawned (helper_pid, launch->spawned_data);
  /* posix_spawn returned: the helper runs its image, and needs the view no
   * more. Its close must neither hold back the spec (the helper would wait
   * for it) nor share a grace period with the init's own unmount of the
   * host's root (a second expedited grace period waits for the first). */
  if (launch->release_view != NULL)
    launch->release_view (g_steal_fd (&helper), launch->spawned_data);

  if (!write_all (spec_write, g_bytes_get_data (spec_bytes, NULL),
                  g_bytes_get_size (spec_bytes)))
    g_debug ("%s: the helper did not read its whole spec", what);
  launch_clear_fd (&spec_write);

  status = read_status (status_read, error);
  /* Only now, unless the caller took it: the last close of the detached
   * mount waits for an RCU grace period, which on a VM whose other CPU is
   * busy starting the helper (exec, libc's CPUID probing) took up to a
   * millisecond, all of it before the helper could read its spec; and
   * during the init's set-up it would make the init's unmount of the
   * host's root wait for a second one. */
  launch_clear_fd (&helper);
  if (status == NULL || !json_object_has_member (status, "pid"))
    {
      if (status != NULL)
        g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "%s: %s", what,
                     json_object_get_string_member_with_default (status, "error",
                                                                 "unknown helper error"));
      hcs_runtime_launch_abandon (launch);
      return FALSE;
    }
  launch->pid = (int) json_object_get_int_member (status, "pid");
  launch->status_fd = g_steal_fd (&status_read);
  launch->start_fd = g_steal_fd (&start_write);

  if (console_ours >= 0)
    {
      /* The helper made the pty inside and sent the master before it
       * reported the pid. */
      launch->console_fd = receive_console (console_ours, launch->console_name,
                                            sizeof launch->console_name, error);
      if (launch->console_fd < 0)
        {
          hcs_runtime_launch_abandon (launch);
          return FALSE;
        }
    }
  return TRUE;

fail_pipes:
  hcs_set_error_from_errno (error, errno, "%s: creating the helper's pipes", what);
fail:
  for (int i = 0; i < 3; i++)
    launch_clear_fd (&null_fds[i]);
  return FALSE;
}
