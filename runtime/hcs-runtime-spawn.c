/* hcs-runtime-spawn.c: the helper exec'd from a read-only view of itself,
 * and its status line read (hcs-runtime-spawn.h). GLib only, on purpose:
 * hcsctl's front links it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-runtime-spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

/* Closes *fd if open and marks it closed (g_clear_fd needs GLib 2.76). */
static inline void
spawn_clear_fd (int *fd)
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
#define spawn_autofd __attribute__ ((cleanup (spawn_clear_fd)))

static gboolean
set_error_from_errno (GError **error, int saved_errno, const char *what)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), "%s: %s", what,
               g_strerror (saved_errno));
  return FALSE;
}

gboolean
hcs_runtime_spawn_write_all (int fd, const char *data, gsize length)
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

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3 */
#endif

/* A sealed memfd copy of the helper, for kernels without mount_setattr. */
static int
copy_helper_to_memfd (int source, GError **error)
{
  /* Executable on purpose (vm.memfd_noexec may make memfds noexec by
   * default); kernels before 6.3 know no MFD_EXEC and refuse it. */
  spawn_autofd int memfd =
      memfd_create ("hcs-runtime-helper", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  struct stat source_stat;
  off_t offset = 0;

  if (memfd < 0 && errno == EINVAL)
    memfd = memfd_create ("hcs-runtime-helper", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (memfd < 0 || fstat (source, &source_stat) < 0)
    return set_error_from_errno (error, errno, "copying the helper"), -1;
  while (offset < source_stat.st_size)
    {
      ssize_t sent = sendfile (memfd, source, &offset, source_stat.st_size - offset);
      if (sent < 0 && errno == EINTR)
        continue;
      if (sent <= 0)
        return set_error_from_errno (error, sent < 0 ? errno : EIO, "copying the helper"), -1;
    }
  if (fchmod (memfd, 0500) < 0 ||
      fcntl (memfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
    return set_error_from_errno (error, errno, "sealing the helper's copy"), -1;
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
int
hcs_runtime_spawn_open_helper (const char *helper_path, GError **error)
{
  struct mount_attr read_only = {
    .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
  };
  spawn_autofd int tree = open_tree (AT_FDCWD, helper_path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  spawn_autofd int source = -1;
  g_autofree char *what = NULL;

  if (tree >= 0 && mount_setattr (tree, "", AT_EMPTY_PATH, &read_only, sizeof read_only) == 0)
    return g_steal_fd (&tree);
  what = g_strdup_printf ("the helper %s", helper_path);
  if (tree < 0 && errno == ENOENT)
    return set_error_from_errno (error, errno, what), -1;
  source = open (helper_path, O_RDONLY | O_CLOEXEC);
  if (source < 0)
    return set_error_from_errno (error, errno, what), -1;
  return copy_helper_to_memfd (source, error);
}

/* posix_spawn (a vfork in glibc: no copy of our page tables) of @helper
 * with @stdio as 0, 1, 2 and each source fd at its target; nothing else
 * of ours gets through. Sources are first moved above every target, so no
 * dup2 can overwrite a source another still needs. */
static gboolean
spawn_helper_here (int helper, const char *const *argv, const int stdio[3],
                   const int *source_fds, const int *target_fds, gsize n_fds, GPid *pid,
                   GError **error)
{
  posix_spawn_file_actions_t actions;
  g_autofree char *helper_exec_path = NULL;
  spawn_autofd int helper_high = -1;
  int high[3 + 4];
  gsize n_high = 0;
  int result;

  g_return_val_if_fail (n_fds <= 4, FALSE);
  /* The view above every target too: at 3 to 6 (a number another thread
   * of the caller's had just freed) a dup2 below would replace it before
   * the exec, which then ran a pipe (EACCES). The kernel opens the file
   * behind the link before it closes the close-on-exec fds, so the fd
   * needs not reach the helper. */
  helper_high = fcntl (helper, F_DUPFD_CLOEXEC, 64);
  if (helper_high < 0)
    return set_error_from_errno (error, errno, "preparing the helper's fds");
  helper_exec_path = g_strdup_printf ("/proc/self/fd/%d", helper_high);
  for (gsize i = 0; i < 3 + n_fds; i++)
    {
      int fd = i < 3 ? stdio[i] : source_fds[i - 3];
      high[i] = fcntl (fd, F_DUPFD_CLOEXEC, 64);
      if (high[i] < 0)
        {
          int saved_errno = errno;
          for (gsize j = 0; j < i; j++)
            close (high[j]);
          return set_error_from_errno (error, saved_errno, "preparing the helper's fds");
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

gboolean
hcs_runtime_spawn_helper (int helper, const char *const *argv, const int stdio[3],
                          const int *source_fds, const int *target_fds, gsize n_fds, GPid *pid,
                          GError **error)
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

/* --- the status line ------------------------------------------------------------- */

static const char *
skip_space (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\r')
    p++;
  return p;
}

/* A JSON string at @p (its opening quote), as the helper's
 * append_json_string() writes them; NULL if it is not one. */
static char *
parse_json_string (const char *p, const char **end)
{
  g_autoptr (GString) text = g_string_new (NULL);

  if (*p++ != '"')
    return NULL;
  for (; *p != '"'; p++)
    {
      if (*p == '\0')
        return NULL;
      if (*p != '\\')
        {
          g_string_append_c (text, *p);
          continue;
        }
      switch (*++p)
        {
        case '"': case '\\': case '/': g_string_append_c (text, *p); break;
        case 'n': g_string_append_c (text, '\n'); break;
        case 't': g_string_append_c (text, '\t'); break;
        case 'r': g_string_append_c (text, '\r'); break;
        case 'b': g_string_append_c (text, '\b'); break;
        case 'f': g_string_append_c (text, '\f'); break;
        case 'u':
          {
            char hex[5] = { 0 };
            guint64 code;

            memcpy (hex, p + 1, 4);
            if (strlen (hex) != 4 || !g_ascii_string_to_unsigned (hex, 16, 0, 0xffff, &code, NULL))
              return NULL;
            g_string_append_unichar (text, (gunichar) code);
            p += 4;
            break;
          }
        default:
          return NULL;
        }
    }
  *end = p + 1;
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static HcsRuntimeStatus
parse_status (const char *line, int *pid, char **message)
{
  g_autofree char *name = NULL;
  const char *p = skip_space (line);

  if (*p != '{' || (name = parse_json_string (skip_space (p + 1), &p)) == NULL)
    return HCS_RUNTIME_STATUS_UNREADABLE;
  p = skip_space (p);
  if (*p++ != ':')
    return HCS_RUNTIME_STATUS_UNREADABLE;
  p = skip_space (p);
  if (g_str_equal (name, "pid") || g_str_equal (name, "cloned"))
    {
      char *end;
      gint64 value = g_ascii_strtoll (p, &end, 10);

      if (end == p || value <= 0 || value > G_MAXINT || *skip_space (end) != '}')
        return HCS_RUNTIME_STATUS_UNREADABLE;
      *pid = (int) value;
      return g_str_equal (name, "pid") ? HCS_RUNTIME_STATUS_PID : HCS_RUNTIME_STATUS_CLONED;
    }
  if (g_str_equal (name, "error"))
    {
      g_autofree char *text = parse_json_string (p, &p);

      if (text == NULL || *skip_space (p) != '}')
        return HCS_RUNTIME_STATUS_UNREADABLE;
      *message = g_steal_pointer (&text);
      return HCS_RUNTIME_STATUS_ERROR;
    }
  /* Another member first (an exit without its error): no message. */
  return HCS_RUNTIME_STATUS_ERROR;
}

HcsRuntimeStatus
hcs_runtime_spawn_read_status_line (int fd, GString *pending, int *pid, char **message)
{
  g_autoptr (GString) line = g_string_new (NULL);
  HcsRuntimeStatus status;
  const char *newline = memchr (pending->str, '\n', pending->len);
  char buffer[512];

  *pid = 0;
  *message = NULL;
  while (newline == NULL)
    {
      gssize n = read (fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return HCS_RUNTIME_STATUS_READ_FAILED;
      if (n == 0)
        break;
      g_string_append_len (pending, buffer, n);
      newline = memchr (pending->str, '\n', pending->len);
      if (newline == NULL && pending->len > 64 * 1024)
        return HCS_RUNTIME_STATUS_TOO_LONG;
    }
  if (newline != NULL)
    {
      g_string_append_len (line, pending->str, newline - pending->str);
      g_string_erase (pending, 0, newline - pending->str + 1);
    }
  else
    {
      g_string_append_len (line, pending->str, pending->len);
      g_string_truncate (pending, 0);
    }
  if (line->len == 0)
    return HCS_RUNTIME_STATUS_NONE;
  status = parse_status (line->str, pid, message);
  if (status == HCS_RUNTIME_STATUS_UNREADABLE)
    *message = g_strdup (line->str);
  return status;
}

HcsRuntimeStatus
hcs_runtime_spawn_read_status (int fd, int *pid, char **message)
{
  g_autoptr (GString) pending = g_string_new (NULL);

  return hcs_runtime_spawn_read_status_line (fd, pending, pid, message);
}
