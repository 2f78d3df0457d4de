/* hcs-runtime-helper.c: hcs-runtime-helper, the process that builds a container.
 *
 * Its users (the argon plugin in a host application, a guest agent) are
 * threaded processes, where clone() and unshare() are unsafe; they exec
 * this helper instead (as libvirt's LXC driver and bubblewrap are used).
 * Invocation:
 *
 *   hcs-runtime-helper create|exec
 *
 * with these file descriptors:
 *   0, 1, 2  the workload's stdio (pipes, /dev/null or a pty slave)
 *   3        the spec: an HcsRuntimeSpec serialised as a GVariant dictionary
 *            (hcs-runtime-spec.h lists its members), read to end of file;
 *            GLib's own binary format, so the helper needs no JSON library
 *   4        status, written by the helper, one JSON object a line:
 *              {"cloned": N}     create with "report_cloned" only, first: the
 *                                init exists (host pid), its set-up (its
 *                                cgroup join too) under way; {"pid": N} or
 *                                an error follows
 *              {"pid": N}        the workload exists (host pid); for create,
 *                                everything is set up and it waits to start
 *              {"error": "..."}  set-up failed (then exit 255)
 *              {"exit": CODE}    the workload ended; the helper exits CODE
 *   5        create only: one byte starts the workload; end of file
 *            without a byte abandons it
 *   6        with "terminal": a unix socket; the workload's pty is opened
 *            inside the container (its own devpts, so ttyname() works
 *            there) and the master is sent back through it (SCM_RIGHTS,
 *            the data is the slave's name inside)
 *
 * The helper (A) stays outside the container as the workload's parent: it
 * clones the container's init (B) into new namespaces, or forks a process
 * into an existing container's, puts it in the cgroup before it runs any
 * set-up, forwards the signals it gets, and mirrors its exit status (128+N
 * for a death by signal N). With "detach" (runc's model) the workload
 * becomes a child of the helper's parent instead, and the helper exits 0
 * once it reported the pid; a detached create's init waits on
 * "start_fifo" instead of fd 5, so that `start` can come from any process.
 *
 * Without "process", create runs the helper's own minimal init, which reaps
 * children and exits on SIGTERM or SIGINT.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hcs-runtime-console.h"
#include "hcs-runtime-oci.h"
#include "hcs-runtime-spec.h"
#include "hcs-runtime-seccomp-bpf.h"

#define SPEC_FD 3
#define STATUS_FD 4
#define START_FD 5
#define CONSOLE_FD 6   /* terminal: a socket the pty master goes back through */

/* Whether fd 6 came from the plugin; if not, the number is free and may be
 * any later descriptor, which must not be closed as if it were it. */
static gboolean console_channel_given;
#define MAX_SPEC_SIZE (1024 * 1024)
#define EXIT_SETUP_FAILED 255

extern char **environ;

static const char *const default_masked_paths[] = {
  "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
  "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
  "/sys/firmware", "/sys/devices/virtual/powercap", NULL,
};

static const char *const default_readonly_paths[] = {
  "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/* Without a mount namespace of its own a process is chroot'ed into a root
 * where nothing is mounted: the /proc and /sys it still reads and writes
 * for its own set-up (oom_score_adj, sysctl, LSM attributes, the start
 * fifo's reopening) are the host's, reached through this fd of the host's
 * root, opened before the chroot and closed on exec. -1: the root's own. */
static int outside_root_fd = -1;

static int
open_system_file (const char *path, int flags)
{
  if (outside_root_fd >= 0)
    return openat (outside_root_fd, path + 1, flags);
  return open (path, flags);
}

static gboolean
read_system_file (const char *path, char **contents)
{
  g_autoptr (GString) text = g_string_new (NULL);
  char buffer[4096];
  gssize length;
  int fd = open_system_file (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return FALSE;
  while ((length = read (fd, buffer, sizeof buffer)) > 0)
    g_string_append_len (text, buffer, length);
  close (fd);
  if (length < 0)
    return FALSE;
  *contents = g_string_free (g_steal_pointer (&text), FALSE);
  return TRUE;
}

/* --- status ------------------------------------------------------------- */

static void
write_all_status (const char *line)
{
  gsize left = strlen (line);

  while (left > 0)
    {
      gssize n = write (STATUS_FD, line, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return; /* nobody listens any more */
      line += n;
      left -= n;
    }
}

static void
report_int (const char *name, gint64 value)
{
  g_autofree char *line = g_strdup_printf ("{\"%s\":%" G_GINT64_FORMAT "}\n", name, value);

  write_all_status (line);
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void
append_json_string (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) text; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if (*p < 0x20)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
report_error (const char *message)
{
  g_autoptr (GString) line = g_string_new ("{\"error\":");

  append_json_string (line, message);
  g_string_append (line, "}\n");
  write_all_status (line->str);
}

static G_NORETURN void
fail_setup (const char *message)
{
  report_error (message);
  report_int ("exit", EXIT_SETUP_FAILED);
  _exit (EXIT_SETUP_FAILED);
}

/* --- the spec ----------------------------------------------------------------- */

static GBytes *
read_spec_bytes (GError **error)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  guint8 buffer[8192];

  for (;;)
    {
      gssize n = read (SPEC_FD, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                       "reading the spec: %s", g_strerror (errno));
          return NULL;
        }
      if (n == 0)
        break;
      g_byte_array_append (data, buffer, n);
      if (data->len > MAX_SPEC_SIZE)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "spec: larger than %d bytes",
                       MAX_SPEC_SIZE);
          return NULL;
        }
    }
  close (SPEC_FD);
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

/* --- errors from the child ------------------------------------------------------ */

/* The child (B) sends a message ("E" + text) or readiness ("R") to A over
 * a close-on-exec pipe. */
static int child_report_fd = -1;
static gboolean child_reported_ready;

static G_NORETURN void
child_fail (int exit_code, const char *format, ...) G_GNUC_PRINTF (2, 3);

static G_NORETURN void
child_fail (int exit_code, const char *format, ...)
{
  g_autofree char *message = NULL;
  g_autofree char *framed = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  framed = g_strconcat ("E", message, NULL);
  /* A socket, not a pipe: MSG_NOSIGNAL keeps a parent that stopped
   * listening from killing us with SIGPIPE. */
  if (child_report_fd >= 0)
    send (child_report_fd, framed, strlen (framed), MSG_NOSIGNAL);
  /* After "ready" nobody reads the report any more: tell the workload's
   * stderr, as runc does. */
  if (child_reported_ready)
    {
      g_autofree char *line = g_strdup_printf ("hcs-runtime-helper: %s\n", message);
      ssize_t ignored = write (STDERR_FILENO, line, strlen (line));
      (void) ignored;
    }
  _exit (exit_code);
}

#define CHILD_CHECK(expr, ...)                                                  \
  G_STMT_START                                                                  \
  {                                                                             \
    if (!(expr))                                                                \
      {                                                                         \
        int saved_errno_ = errno;                                               \
        g_autofree char *what_ = g_strdup_printf (__VA_ARGS__);                 \
        child_fail (EXIT_SETUP_FAILED, "%s: %s", what_, g_strerror (saved_errno_)); \
      }                                                                         \
  }                                                                             \
  G_STMT_END

/* --- paths inside the root ------------------------------------------------------ */

static int
open_in_root (int root_fd, const char *path, int flags)
{
  struct open_how how = {
    .flags = flags | O_CLOEXEC,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };

  while (*path == '/')
    path++;
  if (*path == '\0')
    path = ".";
  return (int) syscall (SYS_openat2, root_fd, path, &how, sizeof how);
}

static int make_path_in_root_by_steps (int root_fd, const char *path, gboolean directory);

/* @name made in @at_fd, a folder or an empty file, unless it is there. */
static gboolean
make_entry_at (int at_fd, const char *name, gboolean directory)
{
  int file;

  if (directory)
    return mkdirat (at_fd, name, 0755) == 0 || errno == EEXIST;
  file = openat (at_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (file < 0)
    return errno == EEXIST;
  close (file);
  return TRUE;
}

/* Makes @path (and its parents) inside the root, every step resolved in
 * the root, so a symlink in a hostile image can never point the mkdir, or
 * the mount made on the result, outside of it. Returns an O_PATH fd.
 * The path as a whole first, then its last part in its parent: a mount
 * point that exists, or whose parent does (the eight v1 hierarchies under
 * a fresh /sys/fs/cgroup), costs one or three calls, not two a step. */
static int
make_path_in_root (int root_fd, const char *path, gboolean directory)
{
  g_autofree char *parent = NULL;
  g_auto (GStrv) parts = NULL;
  const char *name;
  int fd, parent_fd;
  gboolean made;

  /* Only a plain path (no empty, "." or ".." part) takes the short way. */
  while (*path == '/')
    path++;
  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
      return make_path_in_root_by_steps (root_fd, path, directory);
  fd = open_in_root (root_fd, path, O_PATH);
  if (fd >= 0 || errno != ENOENT)
    return fd;
  name = strrchr (path, '/') != NULL ? strrchr (path, '/') + 1 : path;
  parent = g_strndup (path, name - path);
  parent_fd = open_in_root (root_fd, parent, O_PATH | O_DIRECTORY);
  if (parent_fd < 0)
    return make_path_in_root_by_steps (root_fd, path, directory);
  made = make_entry_at (parent_fd, name, directory);
  close (parent_fd);
  if (!made)
    return -1;
  return open_in_root (root_fd, path, O_PATH);
}

/* make_path_in_root() a step at a time, from the root down. */
static int
make_path_in_root_by_steps (int root_fd, const char *path, gboolean directory)
{
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  g_autoptr (GString) prefix = g_string_new (NULL);
  /* Each step's fd is the next one's parent: every prefix is opened once,
   * resolved from the root, never from its parent's fd. */
  int parent_fd = -1;
  int fd;

  for (guint i = 0; parts[i]; i++)
    {
      gboolean last = parts[i + 1] == NULL;
      int at_fd = parent_fd >= 0 ? parent_fd : root_fd;

      if (*parts[i] == '\0' || g_str_equal (parts[i], "."))
        continue;
      if (g_str_equal (parts[i], ".."))
        {
          if (parent_fd >= 0)
            close (parent_fd);
          errno = EINVAL;
          return -1;
        }
      g_string_append_printf (prefix, "/%s", parts[i]);
      fd = open_in_root (root_fd, prefix->str, O_PATH);
      if (fd < 0 && errno == ENOENT)
        fd = make_entry_at (at_fd, parts[i], !last || directory)
                 ? open_in_root (root_fd, prefix->str, O_PATH)
                 : -2;
      if (parent_fd >= 0)
        {
          int saved_errno = errno;
          close (parent_fd);
          errno = saved_errno;
        }
      if (fd < 0)
        return -1;
      if (last)
        return fd;
      parent_fd = fd;
    }
  if (parent_fd >= 0)
    return parent_fd; /* a path ending in "/" or "/." */
  return open_in_root (root_fd, "/", O_PATH | O_DIRECTORY);
}

static char *
fd_path (int fd)
{
  return g_strdup_printf ("/proc/self/fd/%d", fd);
}

/* What a bind mount gets only by a remount. */
#define BIND_REMOUNT_FLAGS                                                                    \
  (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOSYMFOLLOW | MS_NOATIME | MS_NODIRATIME | \
   MS_RELATIME | MS_STRICTATIME)

/* mount(2) onto a path of the container, resolved in the root. */
static void
mount_in_root (int root_fd, const char *destination, gboolean directory, const char *source,
               const char *type, unsigned long flags, const char *data)
{
  g_autofree char *target = NULL;
  int fd = make_path_in_root (root_fd, destination, directory);

  CHILD_CHECK (fd >= 0, "creating the mount point %s", destination);
  target = fd_path (fd);
  CHILD_CHECK (mount (source, target, type, flags, data) == 0, "mounting %s on %s",
               source ? source : type, destination);
  close (fd);
  if ((flags & MS_BIND) && (flags & BIND_REMOUNT_FLAGS))
    {
      /* A bind mount takes its flags from its source: the fd names the
       * directory under the new mount, so reopen to reach the bind mount
       * itself, then remount it with them. */
      g_autofree char *mounted = NULL;

      fd = open_in_root (root_fd, destination, O_PATH);
      CHILD_CHECK (fd >= 0, "reopening %s", destination);
      mounted = fd_path (fd);
      CHILD_CHECK (mount (NULL, mounted, NULL,
                          MS_BIND | MS_REMOUNT | (flags & BIND_REMOUNT_FLAGS), NULL) == 0,
                   "applying the options of %s", destination);
      close (fd);
    }
}

/* --- the root file system ---------------------------------------------------------------- */

static void
make_device (int dev_fd, const char *name, unsigned int major_number, unsigned int minor_number)
{
  g_autofree char *host_path = NULL, *target = NULL;
  int fd;

  if (mknodat (dev_fd, name, S_IFCHR | 0666, makedev (major_number, minor_number)) == 0)
    return;
  /* In a user namespace of its own no device can be made: the host's is
   * bound over an empty file instead, as runc does. */
  CHILD_CHECK (errno == EPERM, "creating /dev/%s", name);
  fd = openat (dev_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0666);
  CHILD_CHECK (fd >= 0, "creating /dev/%s to bind the host's over", name);
  host_path = g_strdup_printf ("/dev/%s", name);
  target = fd_path (fd);
  CHILD_CHECK (mount (host_path, target, NULL, MS_BIND, NULL) == 0, "binding %s", host_path);
  close (fd);
}

static void
setup_dev (int root_fd)
{
  int dev_fd;

  mount_in_root (root_fd, "/dev", TRUE, "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME,
                 "mode=755,size=65536k");
  dev_fd = open_in_root (root_fd, "/dev", O_DIRECTORY | O_RDONLY);
  CHILD_CHECK (dev_fd >= 0, "opening /dev");
  make_device (dev_fd, "null", 1, 3);
  make_device (dev_fd, "zero", 1, 5);
  make_device (dev_fd, "full", 1, 7);
  make_device (dev_fd, "random", 1, 8);
  make_device (dev_fd, "urandom", 1, 9);
  make_device (dev_fd, "tty", 5, 0);
  CHILD_CHECK (symlinkat ("pts/ptmx", dev_fd, "ptmx") == 0, "creating /dev/ptmx");
  CHILD_CHECK (symlinkat ("/proc/self/fd", dev_fd, "fd") == 0, "creating /dev/fd");
  CHILD_CHECK (symlinkat ("/proc/self/fd/0", dev_fd, "stdin") == 0, "creating /dev/stdin");
  CHILD_CHECK (symlinkat ("/proc/self/fd/1", dev_fd, "stdout") == 0, "creating /dev/stdout");
  CHILD_CHECK (symlinkat ("/proc/self/fd/2", dev_fd, "stderr") == 0, "creating /dev/stderr");
  close (dev_fd);

  mount_in_root (root_fd, "/dev/pts", TRUE, "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
                 "newinstance,ptmxmode=0666,mode=0620,gid=5");
  mount_in_root (root_fd, "/dev/shm", TRUE, "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                 "mode=1777,size=65536k");
  {
    /* mqueue needs its own ipc namespace; without one it is left out. */
    int fd = make_path_in_root (root_fd, "/dev/mqueue", TRUE);
    if (fd >= 0)
      {
        g_autofree char *target = fd_path (fd);
        mount ("mqueue", target, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        close (fd);
      }
  }
}

/* One of linux.devices, made at its path in the root with its mode and
 * owner; bound from the host's same path where mknod is refused (a user
 * namespace of its own). */
static void
make_spec_device (int root_fd, const HcsRuntimeDevice *device)
{
  g_autofree char *parent = g_path_get_dirname (device->path);
  g_autofree char *name = g_path_get_basename (device->path);
  mode_t type = device->type == 'b' ? S_IFBLK : device->type == 'p' ? S_IFIFO : S_IFCHR;
  int parent_fd = make_path_in_root (root_fd, parent, TRUE);

  CHILD_CHECK (parent_fd >= 0, "linux.devices: making %s", parent);
  /* A device already there (one of /dev's defaults) is replaced. */
  unlinkat (parent_fd, name, 0);
  if (mknodat (parent_fd, name, type | device->mode,
               makedev ((unsigned int) device->major, (unsigned int) device->minor)) < 0)
    {
      int fd;
      g_autofree char *target = NULL;

      CHILD_CHECK (errno == EPERM, "linux.devices: creating %s", device->path);
      fd = openat (parent_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0666);
      CHILD_CHECK (fd >= 0, "linux.devices: creating %s to bind the host's over", device->path);
      target = fd_path (fd);
      CHILD_CHECK (mount (device->path, target, NULL, MS_BIND, NULL) == 0,
                   "linux.devices: binding the host's %s", device->path);
      close (fd);
    }
  else
    CHILD_CHECK (fchmodat (parent_fd, name, device->mode, 0) == 0 &&
                     fchownat (parent_fd, name, (uid_t) device->uid, (gid_t) device->gid,
                               AT_SYMLINK_NOFOLLOW) == 0,
                 "linux.devices: setting the mode and owner of %s", device->path);
  close (parent_fd);
}

/* procfs and sysfs only on a plain directory of the image: a symlink
 * there (even one that stays in the root) would put them where it points
 * (runc: "must be mounted on ordinary directory"). Mounted through the
 * directory's fd, so the check costs no syscall of its own; a missing one
 * is made. */
static void
mount_on_ordinary_directory (int root_fd, const char *destination, const char *source,
                             const char *type, unsigned long flags, const char *data)
{
  struct open_how how = {
    .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
  };
  const char *relative = destination;
  g_autofree char *target = NULL;
  int fd;

  while (*relative == '/')
    relative++;
  fd = (int) syscall (SYS_openat2, root_fd, *relative ? relative : ".", &how, sizeof how);
  if (fd < 0 && errno == ELOOP)
    child_fail (EXIT_SETUP_FAILED, "%s: a symlink in the image: must be mounted on ordinary "
                "directory", destination);
  if (fd < 0 && errno == ENOTDIR)
    child_fail (EXIT_SETUP_FAILED, "%s: not a directory in the image: must be mounted on "
                "ordinary directory", destination);
  if ((fd < 0 && errno == ENOENT) || (flags & MS_BIND))
    {
      /* Made (or, bound, remounted with its flags) the ordinary way. */
      if (fd >= 0)
        close (fd);
      mount_in_root (root_fd, destination, TRUE, source, type, flags, data);
      return;
    }
  CHILD_CHECK (fd >= 0, "opening %s in the root", destination);
  target = fd_path (fd);
  CHILD_CHECK (mount (source, target, type, flags, data) == 0, "mounting %s on %s",
               source ? source : type, destination);
  close (fd);
}

/* The recursive options and the propagation of a mount just made. */
static void
apply_mount_attributes (int root_fd, const char *destination,
                        const HcsRuntimeMountOptions *options)
{
  g_autofree char *target = NULL;
  int fd;

  if (options->attr_set == 0 && options->attr_clear == 0 && options->propagation == 0)
    return;
  fd = open_in_root (root_fd, destination, O_PATH);
  CHILD_CHECK (fd >= 0, "reopening %s", destination);
  if (options->attr_set != 0 || options->attr_clear != 0)
    {
      struct mount_attr attr = { .attr_set = options->attr_set, .attr_clr = options->attr_clear };

      CHILD_CHECK (syscall (SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
                            sizeof attr) == 0,
                   "applying the recursive options of %s", destination);
    }
  target = fd_path (fd);
  if (options->propagation != 0)
    CHILD_CHECK (mount (NULL, target, NULL, options->propagation, NULL) == 0,
                 "setting the propagation of %s", destination);
  close (fd);
}

static void
setup_user_mount (int root_fd, const HcsRuntimeMount *mount_spec)
{
  g_auto (HcsRuntimeMountOptions) options = { 0 };
  g_autoptr (GError) error = NULL;
  unsigned long flags;
  gboolean bind;

  if (!hcs_runtime_mount_options_parse ((const char *const *) mount_spec->options,
                                        mount_spec->type, &options, &error))
    child_fail (EXIT_SETUP_FAILED, "mount on %s: %s", mount_spec->destination, error->message);
  flags = options.flags;
  bind = (flags & MS_BIND) != 0;

  /* The host's whole hierarchy, never: a spec whose cgroup mounts were not
   * made the container's own (hcs_runtime_spec_set_cgroup). */
  if (g_str_equal (mount_spec->type, "cgroup") || g_str_equal (mount_spec->type, "cgroup2"))
    child_fail (EXIT_SETUP_FAILED, "mount on %s: a cgroup mount must be the container's own "
                "cgroup, bound", mount_spec->destination);

  if (bind)
    {
      g_autofree char *source = NULL;
      struct stat st;
      int source_fd = -1;

      CHILD_CHECK (mount_spec->source != NULL, "bind mount for %s: no source",
                   mount_spec->destination);
      if (options.src_nofollow)
        {
          /* The source's own last component, a symlink or not: bound
           * through its fd, so nothing resolves it again. */
          source_fd = open (mount_spec->source, O_PATH | O_NOFOLLOW | O_CLOEXEC);
          CHILD_CHECK (source_fd >= 0 && fstat (source_fd, &st) == 0,
                       "bind mount source %s for %s", mount_spec->source,
                       mount_spec->destination);
          source = fd_path (source_fd);
        }
      else
        {
          CHILD_CHECK (stat (mount_spec->source, &st) == 0, "bind mount source %s for %s",
                       mount_spec->source, mount_spec->destination);
          source = g_strdup (mount_spec->source);
        }
      mount_in_root (root_fd, mount_spec->destination, S_ISDIR (st.st_mode), source, NULL,
                     flags | MS_BIND, NULL);
      if (source_fd >= 0)
        close (source_fd);
    }
  else
    {
      const char *source = mount_spec->source ? mount_spec->source : mount_spec->type;

      if (g_str_equal (mount_spec->type, "proc") || g_str_equal (mount_spec->type, "sysfs"))
        mount_on_ordinary_directory (root_fd, mount_spec->destination, source, mount_spec->type,
                                     flags, options.data);
      else
        mount_in_root (root_fd, mount_spec->destination, TRUE, source, mount_spec->type, flags,
                       options.data);
    }
  apply_mount_attributes (root_fd, mount_spec->destination, &options);
}

static gboolean
is_new (const char *value)
{
  return value == NULL || g_str_equal (value, "new");
}

/* linux.sysctl, checked by the host (hcs_runtime_sysctl_check); written
 * through the container's own /proc, which shows its namespaces. */
static void
apply_sysctl (const HcsRuntimeSpec *spec)
{
  for (guint i = 0; spec->sysctl && spec->sysctl[i]; i++)
    {
      g_auto (GStrv) pair = g_strsplit (spec->sysctl[i], "=", 2);
      g_autoptr (GError) error = NULL;
      g_autofree char *path = NULL;
      gsize length;
      int fd;

      if (!hcs_runtime_sysctl_check (pair[0], pair[1] ? pair[1] : "",
                                     HCS_RUNTIME_OWN_NET | HCS_RUNTIME_OWN_IPC |
                                         HCS_RUNTIME_OWN_UTS,
                                     &error))
        child_fail (EXIT_SETUP_FAILED, "linux.sysctl: %s", error->message);
      path = g_strconcat ("/proc/sys/", pair[0], NULL);
      g_strdelimit (path + strlen ("/proc/sys/"), ".", '/');
      fd = open_system_file (path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
      CHILD_CHECK (fd >= 0, "linux.sysctl: %s: opening %s", pair[0], path);
      length = strlen (pair[1] ? pair[1] : "");
      CHILD_CHECK (write (fd, pair[1] ? pair[1] : "", length) == (gssize) length,
                   "linux.sysctl: %s: writing '%s'", pair[0], pair[1] ? pair[1] : "");
      close (fd);
    }
}

static void child_run_hooks (const HcsRuntimeSpec *spec, HcsRuntimeHookKind kind,
                             const char *status, pid_t pid);

/* @init_pid: the init's host pid, for the createContainer hooks' state. */
static void
setup_rootfs (const HcsRuntimeSpec *spec, pid_t init_pid)
{
  int root_fd;

  unsigned long propagation = hcs_runtime_propagation_from_name (spec->rootfs_propagation);

  /* Private, unless a slave root was asked for: then the host's mounts
   * keep reaching it (never the other way). */
  CHILD_CHECK (mount (NULL, "/", NULL,
                      MS_REC | ((propagation & MS_SLAVE) ? MS_SLAVE : MS_PRIVATE), NULL) == 0,
               "making the mounts private");

  if (spec->overlay_lower != NULL)
    {
      g_autofree char *lower = NULL, *options = NULL;

      for (guint i = 0; spec->overlay_lower[i]; i++)
        if (strpbrk (spec->overlay_lower[i], ":,") != NULL)
          child_fail (EXIT_SETUP_FAILED, "overlay: layer path '%s' has ':' or ','",
                      spec->overlay_lower[i]);
      /* Made here rather than by the host, so that a spec is only a
       * description and a guest makes them in its own filesystem. */
      CHILD_CHECK (g_mkdir_with_parents (spec->overlay_upper, 0755) == 0 &&
                       g_mkdir_with_parents (spec->overlay_work, 0700) == 0 &&
                       g_mkdir_with_parents (spec->rootfs, 0755) == 0,
                   "creating the overlay's folders %s, %s and %s", spec->overlay_upper,
                   spec->overlay_work, spec->rootfs);
      lower = g_strjoinv (":", spec->overlay_lower);
      options = g_strdup_printf ("lowerdir=%s,upperdir=%s,workdir=%s", lower,
                                 spec->overlay_upper, spec->overlay_work);
      CHILD_CHECK (mount ("overlay", spec->rootfs, "overlay", 0, options) == 0,
                   "mounting the overlay of %s on %s", lower, spec->rootfs);
    }
  else
    CHILD_CHECK (mount (spec->rootfs, spec->rootfs, NULL, MS_BIND | MS_REC, NULL) == 0,
                 "bind mounting the root %s", spec->rootfs);

  root_fd = open (spec->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  CHILD_CHECK (root_fd >= 0, "opening the root %s", spec->rootfs);

  mount_on_ordinary_directory (root_fd, "/proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                               NULL);
  setup_dev (root_fd);
  /* A sysfs mounted here shows the network namespace we are in (new, or
   * joined); only with the host's does the host's /sys serve as well. */
  if (!g_str_equal (spec->net, "host"))
    mount_on_ordinary_directory (root_fd, "/sys", "sysfs", "sysfs",
                                 MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL);
  else
    mount_on_ordinary_directory (root_fd, "/sys", "/sys", NULL, MS_BIND | MS_REC | MS_RDONLY,
                                 NULL);

  for (guint i = 0; i < spec->mounts->len; i++)
    setup_user_mount (root_fd, spec->mounts->pdata[i]);
  for (guint i = 0; spec->devices && i < spec->devices->len; i++)
    make_spec_device (root_fd, spec->devices->pdata[i]);

  /* The container's namespaces, its mounts made, the host's paths still
   * in sight: where the runtime spec runs createContainer. */
  child_run_hooks (spec, HCS_RUNTIME_HOOK_CREATE_CONTAINER, "creating", init_pid);

  /* pivot_root(".", ".") stacks the old root under the new one; detaching
   * it leaves only the new root. */
  CHILD_CHECK (fchdir (root_fd) == 0, "entering the root");
  CHILD_CHECK (syscall (SYS_pivot_root, ".", ".") == 0, "pivot_root into %s", spec->rootfs);
  CHILD_CHECK (umount2 (".", MNT_DETACH) == 0, "detaching the old root");
  CHILD_CHECK (chdir ("/") == 0, "entering /");
  close (root_fd);
  if (propagation != 0 && !(propagation & MS_SLAVE))
    CHILD_CHECK (mount (NULL, "/", NULL, propagation, NULL) == 0,
                 "setting the root's propagation to %s", spec->rootfs_propagation);

  /* Before /proc/sys turns read-only below. */
  apply_sysctl (spec);

  for (const char *const *p = spec->masked_paths ? (const char *const *) spec->masked_paths
                                                 : default_masked_paths;
       *p; p++)
    {
      struct stat st;
      if (stat (*p, &st) < 0)
        continue;
      if (S_ISDIR (st.st_mode))
        CHILD_CHECK (mount ("tmpfs", *p, "tmpfs", MS_RDONLY, "size=0") == 0, "masking %s", *p);
      else
        CHILD_CHECK (mount ("/dev/null", *p, NULL, MS_BIND, NULL) == 0, "masking %s", *p);
    }
  for (const char *const *p = spec->readonly_paths ? (const char *const *) spec->readonly_paths
                                                   : default_readonly_paths;
       *p; p++)
    {
      if (access (*p, F_OK) < 0)
        continue;
      CHILD_CHECK (mount (*p, *p, NULL, MS_BIND | MS_REC, NULL) == 0, "binding %s", *p);
      CHILD_CHECK (mount (NULL, *p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL) == 0,
                   "making %s read-only", *p);
    }
  if (spec->rootfs_readonly)
    CHILD_CHECK (mount (NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) == 0,
                 "making the root read-only");
}

/* The host's mount namespace (no "mount" in linux.namespaces): nothing of
 * the container may be mounted there, so nothing is (not config.json's
 * mounts, nor /proc, /dev and /sys: crun's rule), and the init chroots
 * into the root. The host refused what only a mount gives (root.readonly,
 * rootfsPropagation, layers, linux.devices, a terminal); a masked or
 * read-only path that exists in the root is refused here. */
static void
setup_rootfs_without_mounts (const HcsRuntimeSpec *spec, pid_t init_pid)
{
  const char *const *lists[] = { (const char *const *) spec->masked_paths,
                                 (const char *const *) spec->readonly_paths };
  const char *const names[] = { "linux.maskedPaths", "linux.readonlyPaths" };

  outside_root_fd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  CHILD_CHECK (outside_root_fd >= 0, "opening the host's root");
  child_run_hooks (spec, HCS_RUNTIME_HOOK_CREATE_CONTAINER, "creating", init_pid);
  CHILD_CHECK (chdir (spec->rootfs) == 0 && chroot (".") == 0 && chdir ("/") == 0,
               "chroot into %s", spec->rootfs);
  apply_sysctl (spec);
  /* The defaults hide the host's /proc and /sys, which are not there. */
  for (gsize list = 0; list < G_N_ELEMENTS (lists); list++)
    for (guint i = 0; lists[list] && lists[list][i]; i++)
      if (access (lists[list][i], F_OK) == 0)
        child_fail (EXIT_SETUP_FAILED,
                    "%s: %s needs a mount namespace of the container's own, and "
                    "linux.namespaces has no \"mount\"",
                    names[list], lists[list][i]);
}

static void
bring_up_loopback (void)
{
  struct ifreq request = { 0 };
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

  CHILD_CHECK (fd >= 0, "opening a socket to bring up lo");
  g_strlcpy (request.ifr_name, "lo", sizeof request.ifr_name);
  CHILD_CHECK (ioctl (fd, SIOCGIFFLAGS, &request) == 0, "reading the flags of lo");
  request.ifr_flags |= IFF_UP | IFF_RUNNING;
  CHILD_CHECK (ioctl (fd, SIOCSIFFLAGS, &request) == 0, "bringing up lo");
  close (fd);
}

static gboolean
is_host (const char *value)
{
  return value == NULL || g_str_equal (value, "host");
}

/* Joins the namespace file @path, which must be one of @type: the runtime
 * spec wants a path of another type refused, and setns's EINVAL would not
 * say why. Returns NULL, or what went wrong. */
static char *
try_join_namespace (const char *path, int type, const char *name)
{
  int fd, actual;

  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return g_strdup_printf ("linux.namespaces: opening the %s namespace %s: %s", name, path,
                            g_strerror (errno));
  actual = ioctl (fd, NS_GET_NSTYPE);
  if (actual != type)
    {
      close (fd);
      return g_strdup_printf ("linux.namespaces: %s is not a %s namespace", path, name);
    }
  if (setns (fd, type) < 0)
    {
      int saved_errno = errno;
      close (fd);
      return g_strdup_printf ("linux.namespaces: joining the %s namespace %s: %s", name, path,
                              g_strerror (saved_errno));
    }
  close (fd);
  return NULL;
}

static void
join_namespace (const char *path, int type, const char *name)
{
  g_autofree char *failure = NULL;

  if (is_new (path) || is_host (path))
    return;
  failure = try_join_namespace (path, type, name);
  if (failure != NULL)
    child_fail (EXIT_SETUP_FAILED, "%s", failure);
}

/* The root's set-up (private propagation, pivot_root) would be done to
 * the host's own mount table: a path naming the namespace we are in (the
 * host's) is refused. */
static void
refuse_own_mount_namespace (const char *path)
{
  struct stat target, ours;

  if (stat (path, &target) == 0 && stat ("/proc/self/ns/mnt", &ours) == 0 &&
      target.st_dev == ours.st_dev && target.st_ino == ours.st_ino)
    child_fail (EXIT_SETUP_FAILED,
                "linux.namespaces: %s is the host's mount namespace: the root cannot be "
                "set up there", path);
}

/* In A, before the clone: pid and time namespaces are the children's. */
static void
parent_join_namespace (const char *path, int type, const char *name)
{
  g_autofree char *failure = NULL;

  if (is_new (path) || is_host (path))
    return;
  failure = try_join_namespace (path, type, name);
  if (failure != NULL)
    fail_setup (failure);
}

/* The host id that id 0 of a map ("inside outside count" lines) stands
 * for; -1 (no change) when 0 is not mapped. */
static int
host_id_of_root (const char *map)
{
  g_auto (GStrv) lines = g_strsplit (map ? map : "", "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      guint64 inside, outside;
      if (sscanf (lines[i], "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &inside, &outside) == 2 &&
          inside == 0)
        return (int) outside;
    }
  return -1;
}

/* A new user namespace's mappings, written by A (root outside) before the
 * init goes on. */
static char *
write_id_maps (const HcsRuntimeSpec *spec, pid_t pid)
{
  const char *files[] = { "uid_map", "gid_map" };
  const char *maps[] = { spec->uid_map, spec->gid_map };

  for (int i = 0; i < 2; i++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%d/%s", (int) pid, files[i]);
      g_autoptr (GError) error = NULL;

      if (maps[i] == NULL)
        return g_strdup_printf ("linux: a new user namespace needs its %s", files[i]);
      if (!g_file_set_contents_full (path, maps[i], -1, G_FILE_SET_CONTENTS_NONE, 0644, &error))
        return g_strdup_printf ("linux.%s: %s", i == 0 ? "uidMappings" : "gidMappings",
                                error->message);
    }
  /* The init reopens the start fifo as the namespace's root: it becomes
   * that user's outside. */
  if (spec->start_fifo != NULL &&
      chown (spec->start_fifo, host_id_of_root (spec->uid_map), host_id_of_root (spec->gid_map)) < 0)
    return g_strdup_printf ("giving %s to the user namespace's root: %s", spec->start_fifo,
                            g_strerror (errno));
  return NULL;
}

/* --- the workload's identity and limits ---------------------------------------------------- */

typedef struct {
  uid_t uid;
  gid_t gid;
  GArray *groups; /* gid_t */
  char *home;     /* the passwd entry's home, or NULL */
} Identity;

/* HOME for a workload whose environment has none, as runc and crun give
 * it: the user's home in the container's /etc/passwd, else "/". Found by
 * assume_workload_identity() while /etc/passwd is the container's; used by
 * exec_workload(). */
static char *workload_home;

static gboolean
parse_id (const char *text, guint32 *id)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32 - 1, &value, NULL))
    return FALSE;
  *id = (guint32) value;
  return TRUE;
}

/* Looks a user up in the container's /etc/passwd (never the host's). */
static gboolean
lookup_passwd (const char *name, guint32 *uid, guint32 *gid, char **home)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  guint32 wanted_uid;
  gboolean by_id = parse_id (name, &wanted_uid);

  if (!g_file_get_contents ("/etc/passwd", &contents, NULL, NULL))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], ":", -1);
      guint32 line_uid, line_gid;

      if (g_strv_length (fields) < 4 || !parse_id (fields[2], &line_uid) ||
          !parse_id (fields[3], &line_gid))
        continue;
      if (by_id ? line_uid == wanted_uid : g_str_equal (fields[0], name))
        {
          *uid = line_uid;
          *gid = line_gid;
          if (fields[4] != NULL && fields[5] != NULL && fields[5][0] != '\0')
            *home = g_strdup (fields[5]);
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
lookup_group (const char *name, guint32 *gid)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;

  if (parse_id (name, gid))
    return TRUE;
  if (!g_file_get_contents ("/etc/group", &contents, NULL, NULL))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], ":", -1);
      if (g_strv_length (fields) >= 3 && g_str_equal (fields[0], name))
        return parse_id (fields[2], gid);
    }
  return FALSE;
}

/* Groups of /etc/group that list @user as a member. */
static void
add_supplementary_groups (const char *user, GArray *groups)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;

  if (user == NULL || !g_file_get_contents ("/etc/group", &contents, NULL, NULL))
    return;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], ":", -1);
      g_auto (GStrv) members = NULL;
      guint32 gid;

      if (g_strv_length (fields) < 4 || !parse_id (fields[2], &gid))
        continue;
      members = g_strsplit (fields[3], ",", -1);
      if (g_strv_contains ((const char *const *) members, user))
        g_array_append_val (groups, gid);
    }
}

static Identity
resolve_user (const char *user)
{
  Identity identity = { 0, 0, g_array_new (FALSE, FALSE, sizeof (gid_t)), NULL };
  g_auto (GStrv) parts = g_strsplit (user && *user ? user : "0", ":", 2);
  guint32 uid = 0, gid = 0;
  gboolean numeric_user = parse_id (parts[0], &uid);

  if (!lookup_passwd (parts[0], &uid, &gid, &identity.home) && !numeric_user)
    child_fail (EXIT_SETUP_FAILED, "user '%s': not found in the container's /etc/passwd",
                parts[0]);
  if (parts[1] != NULL && !lookup_group (parts[1], &gid))
    child_fail (EXIT_SETUP_FAILED, "group '%s': not found in the container's /etc/group",
                parts[1]);
  identity.uid = uid;
  identity.gid = gid;
  if (!numeric_user)
    add_supplementary_groups (parts[0], identity.groups);
  return identity;
}

static int
read_last_cap (void)
{
  g_autofree char *text = NULL;

  if (read_system_file ("/proc/sys/kernel/cap_last_cap", &text))
    return (int) g_ascii_strtoll (text, NULL, 10);
  return CAP_LAST_CAP;
}

/* The numbers of @names this kernel has; the host checked every name. A
 * name newer than the kernel is left out, as runc does. */
static GArray *
capability_values (const char *const *names, int last_cap)
{
  GArray *values = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint i = 0; names && names[i]; i++)
    {
      int value = hcs_runtime_capability_from_name (names[i]);

      if (value < 0)
        child_fail (EXIT_SETUP_FAILED, "capability '%s': unknown", names[i]);
      if (value <= last_cap)
        g_array_append_val (values, value);
    }
  return values;
}

/* Before the user changes: the bounding set, and whether the permitted
 * set is to survive setuid. */
static void
apply_capabilities_before_setuid (const HcsRuntimeProcess *process, int last_cap)
{
  g_autoptr (GArray) keep = capability_values (
      process->capabilities_given ? (const char *const *) process->cap_bounding
                                  : hcs_runtime_default_capabilities (),
      last_cap);

  for (int cap = 0; cap <= last_cap; cap++)
    {
      gboolean kept = FALSE;
      for (guint i = 0; i < keep->len; i++)
        kept |= g_array_index (keep, int, i) == cap;
      if (!kept)
        CHILD_CHECK (prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) == 0 || errno == EINVAL,
                     "dropping capability %d from the bounding set", cap);
    }
  prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  /* Sets given are for whatever user: keep the permitted set through
   * setuid (runc's way); the default set is root's alone. */
  CHILD_CHECK (prctl (PR_SET_KEEPCAPS, process->capabilities_given ? 1 : 0, 0, 0, 0) == 0,
               "setting keep-caps");
}

/* @values as the bits of one set in capset()'s two 32-bit words. */
static void
set_capability_bits (guint32 set[2], GArray *values)
{
  for (guint i = 0; i < values->len; i++)
    {
      int value = g_array_index (values, int, i);
      set[value / 32] |= 1u << (value % 32);
    }
}

/* After it: effective, permitted, inheritable, then ambient. */
static void
apply_capabilities_after_setuid (const HcsRuntimeProcess *process, uid_t uid, int last_cap)
{
  g_autoptr (GArray) effective = NULL, permitted = NULL, inheritable = NULL, ambient = NULL;
  struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { { 0 } };
  guint32 effective_bits[2] = { 0 }, permitted_bits[2] = { 0 }, inheritable_bits[2] = { 0 };

  if (!process->capabilities_given)
    {
      /* A non-root user lost every capability at setuid, as with runc's
       * default; root keeps the default set, and inherits none. */
      if (uid != 0)
        return;
      effective = capability_values (hcs_runtime_default_capabilities (), last_cap);
      permitted = capability_values (hcs_runtime_default_capabilities (), last_cap);
      inheritable = g_array_new (FALSE, FALSE, sizeof (int));
      ambient = g_array_new (FALSE, FALSE, sizeof (int));
    }
  else
    {
      effective = capability_values ((const char *const *) process->cap_effective, last_cap);
      permitted = capability_values ((const char *const *) process->cap_permitted, last_cap);
      inheritable = capability_values ((const char *const *) process->cap_inheritable, last_cap);
      ambient = capability_values ((const char *const *) process->cap_ambient, last_cap);
    }
  /* capset() itself, as libcap's cap_set_proc() makes it: linking libcap
   * only for this cost every helper's start its constructor's probing. */
  set_capability_bits (effective_bits, effective);
  set_capability_bits (permitted_bits, permitted);
  set_capability_bits (inheritable_bits, inheritable);
  for (guint word = 0; word < _LINUX_CAPABILITY_U32S_3; word++)
    {
      data[word].effective = effective_bits[word];
      data[word].permitted = permitted_bits[word];
      data[word].inheritable = inheritable_bits[word];
    }
  CHILD_CHECK (syscall (SYS_capset, &header, data) == 0,
               "process.capabilities: setting effective, permitted and inheritable (effective "
               "must be within permitted, inheritable within bounding)");
  for (guint i = 0; i < ambient->len; i++)
    {
      int value = g_array_index (ambient, int, i);
      /* runc's own default spec names ambient capabilities that are not
       * inheritable, which the kernel refuses to raise (EPERM): runc and
       * crun go on without them (runc logs a warning), and so does hcs.
       * The workload's stderr is its own, so nothing is printed there. */
      if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, value, 0, 0) != 0)
        CHILD_CHECK (errno == EPERM,
                     "process.capabilities.ambient: raising capability %d", (int) value);
    }
  prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0);
}

/* oomScoreAdj and rlimits, while the process may still raise them (and
 * lower its oom_score_adj: CAP_SYS_RESOURCE). */
static void
apply_process_limits (const HcsRuntimeProcess *process)
{
  if (process->has_oom_score_adj)
    {
      char text[32];
      int length = g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, process->oom_score_adj);
      int fd = open_system_file ("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

      CHILD_CHECK (fd >= 0 && write (fd, text, length) == length,
                   "process.oomScoreAdj: writing %s", text);
      close (fd);
    }
  for (guint i = 0; process->rlimits && i < process->rlimits->len; i++)
    {
      const HcsRuntimeRlimit *rlimit = &g_array_index (process->rlimits, HcsRuntimeRlimit, i);
      int resource = hcs_runtime_rlimit_from_name (rlimit->type);
      struct rlimit value = { .rlim_cur = rlimit->soft, .rlim_max = rlimit->hard };

      if (resource < 0)
        child_fail (EXIT_SETUP_FAILED, "process.rlimits: unknown resource '%s'", rlimit->type);
      if (setrlimit (resource, &value) == 0)
        continue;
      if (errno == EPERM && prctl (PR_CAPBSET_READ, CAP_SYS_RESOURCE, 0, 0, 0) == 0)
        {
          /* A host whose own root has no CAP_SYS_RESOURCE (some sandboxes)
           * can raise no hard limit: the limit stops at the host's, as
           * for any process there. Elsewhere EPERM is an error. */
          struct rlimit current;

          CHILD_CHECK (getrlimit (resource, &current) == 0, "reading %s", rlimit->type);
          value.rlim_max = MIN (value.rlim_max, current.rlim_max);
          value.rlim_cur = MIN (value.rlim_cur, value.rlim_max);
        }
      CHILD_CHECK (setrlimit (resource, &value) == 0,
                   "process.rlimits: setting %s to %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                   rlimit->type, rlimit->soft, rlimit->hard);
    }
}

static gboolean
file_has_line (const char *path, const char *wanted)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;

  if (!read_system_file (path, &contents))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_equal (g_strstrip (lines[i]), wanted))
      return TRUE;
  return FALSE;
}

/* The security label the workload's exec takes, or a clear refusal where
 * this kernel has no such LSM (none is ever silently skipped). */
static void
apply_lsm_labels (const HcsRuntimeProcess *process)
{
  if (process->apparmor_profile != NULL)
    {
      g_autofree char *text = g_strdup_printf ("exec %s", process->apparmor_profile);
      int fd;

      if (!file_has_line ("/sys/module/apparmor/parameters/enabled", "Y"))
        child_fail (EXIT_SETUP_FAILED, "process.apparmorProfile '%s': AppArmor is not enabled "
                    "on this host", process->apparmor_profile);
      fd = open_system_file ("/proc/thread-self/attr/apparmor/exec", O_WRONLY | O_CLOEXEC);
      if (fd < 0)
        fd = open_system_file ("/proc/thread-self/attr/exec", O_WRONLY | O_CLOEXEC);
      CHILD_CHECK (fd >= 0 && write (fd, text, strlen (text)) == (gssize) strlen (text),
                   "process.apparmorProfile '%s': setting it for exec", process->apparmor_profile);
      close (fd);
    }
  if (process->selinux_label != NULL)
    {
      const char *label = process->selinux_label;
      int fd;

      if (!file_has_line ("/proc/filesystems", "nodev\tselinuxfs"))
        child_fail (EXIT_SETUP_FAILED, "process.selinuxLabel '%s': SELinux is not enabled on "
                    "this host", label);
      fd = open_system_file ("/proc/thread-self/attr/exec", O_WRONLY | O_CLOEXEC);
      CHILD_CHECK (fd >= 0 && write (fd, label, strlen (label)) == (gssize) strlen (label),
                   "process.selinuxLabel '%s': setting it for exec", label);
      close (fd);
    }
}

/* The filter was compiled at build time (hcs-runtime-seccomp-gen.c: what it
 * denies and why); loading it is one prctl(). @custom replaces it: the
 * config's linux.seccomp compiled on the host, with its seccomp() @flags. */
static void
apply_seccomp (gboolean with_no_new_privs, GBytes *custom, gint64 flags)
{
  struct sock_fprog program = {
    .len = G_N_ELEMENTS (hcs_runtime_seccomp_program),
    .filter = (struct sock_filter *) hcs_runtime_seccomp_program,
  };

  if (custom != NULL)
    {
      program.len = g_bytes_get_size (custom) / sizeof (struct sock_filter);
      program.filter = (struct sock_filter *) g_bytes_get_data (custom, NULL);
    }
  /* As libseccomp would: a filter needs no_new_privs, or CAP_SYS_ADMIN,
   * which a non-root user has dropped by now. */
  if (with_no_new_privs)
    CHILD_CHECK (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "setting no_new_privs");
  if (custom != NULL && flags != 0)
    CHILD_CHECK (syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned int) flags, &program)
                     == 0,
                 "seccomp: loading linux.seccomp's filter");
  else
    CHILD_CHECK (prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0,
                 "seccomp: loading the filter");
}

/* Whether the workload gets a filter: linux.seccomp's program replaces the
 * built-in filter whatever process.seccomp says, and an empty one (a
 * config.json without linux.seccomp) means none, as with runc and crun. */
static gboolean
wants_seccomp (const HcsRuntimeSpec *spec)
{
  if (spec->seccomp_program != NULL)
    return g_bytes_get_size (spec->seccomp_program) > 0;
  return spec->process != NULL ? spec->process->seccomp : TRUE;
}

/* The workload's session, terminal, limits, labels, identity,
 * capabilities, umask and no_new_privs, and the seccomp filter when it
 * must come before the capabilities go (without no_new_privs). A create's
 * init takes them before it reports ready, as runc's and crun's do: the
 * created init is the workload's user with its capabilities and cwd, not
 * root with all. */
static void
assume_workload_identity (const HcsRuntimeProcess *process, gboolean with_seccomp,
                          GBytes *custom_seccomp, gint64 seccomp_flags)
{
  Identity identity = resolve_user (process ? process->user : "0");
  gboolean no_new_privileges = process == NULL || process->no_new_privileges;
  int last_cap = process != NULL ? read_last_cap () : CAP_LAST_CAP;

  setsid ();
  if (process != NULL && process->terminal)
    CHILD_CHECK (ioctl (STDIN_FILENO, TIOCSCTTY, 0) == 0, "making the console the controlling terminal");
  if (process != NULL && process->cwd != NULL)
    CHILD_CHECK (chdir (process->cwd) == 0, "entering the working directory %s", process->cwd);

  if (process != NULL)
    {
      apply_process_limits (process);
      apply_lsm_labels (process);
      if (process->additional_gids != NULL)
        g_array_append_vals (identity.groups, process->additional_gids->data,
                             process->additional_gids->len);
    }
  /* Without no_new_privs the filter must be loaded now, while
   * CAP_SYS_ADMIN is ours (runc's order); it allows what follows. */
  if (with_seccomp && !no_new_privileges)
    apply_seccomp (FALSE, custom_seccomp, seccomp_flags);

  if (process != NULL)
    apply_capabilities_before_setuid (process, last_cap);
  else
    prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0);
  CHILD_CHECK (setgroups (identity.groups->len, (gid_t *) identity.groups->data) == 0,
               "setting the supplementary groups");
  CHILD_CHECK (setgid (identity.gid) == 0, "setting gid %u", (guint) identity.gid);
  CHILD_CHECK (setuid (identity.uid) == 0, "setting uid %u", (guint) identity.uid);
  if (process != NULL)
    apply_capabilities_after_setuid (process, identity.uid, last_cap);
  g_array_unref (identity.groups);
  workload_home = identity.home;
  umask (process != NULL && process->umask >= 0 ? (mode_t) process->umask : 0022);
  if (no_new_privileges)
    CHILD_CHECK (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "setting no_new_privs");
}

/* The last step before exec: the seccomp filter under no_new_privs. */
static void
seal_workload (const HcsRuntimeProcess *process, gboolean with_seccomp, GBytes *custom_seccomp,
               gint64 seccomp_flags)
{
  gboolean no_new_privileges = process == NULL || process->no_new_privileges;

  if (with_seccomp && no_new_privileges)
    apply_seccomp (TRUE, custom_seccomp, seccomp_flags);
}

/* Everything between "go" and exec. */
static void
become_workload (const HcsRuntimeProcess *process, gboolean with_seccomp, GBytes *custom_seccomp,
                 gint64 seccomp_flags)
{
  assume_workload_identity (process, with_seccomp, custom_seccomp, seccomp_flags);
  seal_workload (process, with_seccomp, custom_seccomp, seccomp_flags);
}

static G_NORETURN void
exec_workload (const HcsRuntimeProcess *process)
{
  int saved_errno;

  sigset_t none;

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  /* execvp searches the PATH of the environment it runs in. */
  environ = process->env;
  if (g_environ_getenv (environ, "HOME") == NULL)
    environ = g_environ_setenv (g_strdupv (environ), "HOME",
                                workload_home != NULL ? workload_home : "/", TRUE);
  execvp (process->args[0], process->args);
  saved_errno = errno;
  /* As runc: 127 when the program is not there, 126 when it cannot run. */
  {
    g_autofree char *message = g_strdup_printf ("hcs-runtime-helper: exec %s: %s\n",
                                                process->args[0], g_strerror (saved_errno));
    ssize_t ignored = write (STDERR_FILENO, message, strlen (message));
    (void) ignored;
  }
  _exit (saved_errno == ENOENT ? 127 : 126);
}

/* The init of a system that gave no process of its own: reap, and leave on
 * SIGTERM or SIGINT. Blocked signals reach pid 1 even from outside. */
static G_NORETURN void
run_minimal_init (void)
{
  sigset_t set;

  sigfillset (&set);
  sigprocmask (SIG_BLOCK, &set, NULL);
  for (;;)
    {
      siginfo_t info;
      int signum = sigwaitinfo (&set, &info);

      if (signum == SIGTERM || signum == SIGINT)
        _exit (0);
      if (signum == SIGCHLD)
        while (waitpid (-1, NULL, WNOHANG) > 0)
          ;
    }
}

/* The workload's terminal, made inside the container: /dev/ptmx there is
 * its own devpts instance's. The slave becomes stdio; the master goes back
 * to the plugin through CONSOLE_FD. */
static void
make_console_inside (const HcsRuntimeSpec *spec)
{
  char name[64];
  int master, slave;

  if (!console_channel_given)
    child_fail (EXIT_SETUP_FAILED, "a terminal was asked for without a console channel (fd 6)");
  master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  CHILD_CHECK (master >= 0, "opening /dev/ptmx in the container");
  CHILD_CHECK (unlockpt (master) == 0 && ptsname_r (master, name, sizeof name) == 0,
               "setting up the console");
  slave = open (name, O_RDWR | O_NOCTTY);
  CHILD_CHECK (slave >= 0, "opening %s", name);
  if (spec->console_width > 0 && spec->console_height > 0)
    {
      struct winsize size = { .ws_row = spec->console_height, .ws_col = spec->console_width };
      ioctl (slave, TIOCSWINSZ, &size);
    }
  for (int i = 0; i < 3; i++)
    CHILD_CHECK (dup2 (slave, i) == i, "making the console stdio");
  if (slave > 2)
    close (slave);

  CHILD_CHECK (hcs_runtime_console_send (CONSOLE_FD, master, name) >= 0, "sending the console");
  close (master);
  close (CONSOLE_FD);
}

/* --- the parent side --------------------------------------------------------------------- */

static volatile pid_t workload_pid = -1;

static void
forward_signal (int signum)
{
  if (workload_pid > 0)
    kill (workload_pid, signum);
}

static void
install_forwarding (void)
{
  static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
                                   SIGWINCH, SIGCONT };
  struct sigaction action = { 0 };

  action.sa_handler = forward_signal;
  action.sa_flags = SA_RESTART;
  sigemptyset (&action.sa_mask);
  for (gsize i = 0; i < G_N_ELEMENTS (forwarded); i++)
    sigaction (forwarded[i], &action, NULL);
}

/* In the child: signals wait (blocked) until the workload runs, so one
 * sent early is neither lost to the parent's forwarding handler nor fatal
 * during set-up. */
static void
child_hold_signals (void)
{
  static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
                                   SIGWINCH, SIGCONT };
  sigset_t all;

  sigfillset (&all);
  sigprocmask (SIG_BLOCK, &all, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (forwarded); i++)
    signal (forwarded[i], SIG_DFL);
  signal (SIGPIPE, SIG_DFL);
}

/* A workload whose set-up failed: killed; reaped here unless it is our
 * parent's (detached). */
static void
abandon_workload (const HcsRuntimeSpec *spec, pid_t pid)
{
  kill (pid, SIGKILL);
  if (!spec->detach)
    waitpid (pid, NULL, 0);
}

/* How the workload joins its cgroups. A pid written to cgroup.procs takes
 * the kernel's global threadgroup lock, whose first writer waits for an
 * RCU grace period (5 to 15 ms here, most of a create). In a v1 hierarchy
 * a single-threaded process that writes "0" to the `tasks` file beside it
 * moves itself without that lock: so the workload, still single threaded,
 * joins the v1 hierarchies itself, through files opened here before it is
 * cloned. Into a v2 cgroup (no `tasks`) it is cloned directly
 * (CLONE_INTO_CGROUP, Linux 5.7), which takes no such lock either; only
 * where clone3 cannot do that is its pid written to cgroup.procs. */
typedef struct {
  int self_fds[32];    /* v1 `tasks` files: the workload writes "0" */
  const char *self_paths[32];
  guint n_self;
  int v2_folder_fd;    /* the v2 cgroup, for CLONE_INTO_CGROUP, or -1 */
  GPtrArray *by_pid;   /* cgroup.procs paths to write its pid to */
} CgroupJoin;

static void
cgroup_join_prepare (const HcsRuntimeSpec *spec, CgroupJoin *join)
{
  join->n_self = 0;
  join->v2_folder_fd = -1;
  join->by_pid = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; spec->cgroup_procs && spec->cgroup_procs[i]; i++)
    {
      g_autofree char *folder = g_path_get_dirname (spec->cgroup_procs[i]);
      g_autofree char *tasks = g_build_filename (folder, "tasks", NULL);
      int fd = join->n_self < G_N_ELEMENTS (join->self_fds)
                   ? open (tasks, O_WRONLY | O_CLOEXEC)
                   : -1;

      if (fd >= 0)
        {
          join->self_paths[join->n_self] = spec->cgroup_procs[i];
          join->self_fds[join->n_self++] = fd;
          continue;
        }
      if (join->v2_folder_fd < 0)
        {
          struct statfs fs;

          fd = open (folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          if (fd >= 0 && fstatfs (fd, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
            {
              join->v2_folder_fd = fd;
              continue;
            }
          if (fd >= 0)
            close (fd);
        }
      g_ptr_array_add (join->by_pid, g_strdup (spec->cgroup_procs[i]));
    }
}

/* A fork (@flags: namespaces, CLONE_PARENT, the exit signal) straight into
 * the v2 cgroup of @join. Where clone3 or CLONE_INTO_CGROUP is missing
 * (before 5.3 and 5.7), a plain clone, and the v2 cgroup is joined by pid
 * after all. */
static pid_t
clone_into_cgroup (unsigned long flags, CgroupJoin *join)
{
  struct clone_args args = {
    .flags = (flags & ~(unsigned long) CSIGNAL),
    .exit_signal = flags & CSIGNAL,
  };
  pid_t pid;

  if (join->v2_folder_fd >= 0)
    {
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = (guint64) join->v2_folder_fd;
      pid = (pid_t) syscall (SYS_clone3, &args, sizeof args);
      if (pid >= 0 || (errno != ENOSYS && errno != E2BIG && errno != EINVAL))
        return pid;
      {
        g_autofree char *folder = fd_path (join->v2_folder_fd);
        g_ptr_array_add (join->by_pid, g_build_filename (folder, "cgroup.procs", NULL));
      }
    }
  return (pid_t) syscall (SYS_clone, flags, NULL, NULL, NULL, NULL);
}

/* In the workload, before anything else it does. None of the host's
 * cgroup files or folders stays open in it: a process.cwd of
 * /proc/self/fd/N would lead out of the root (runc's CVE-2024-21626). */
static void
cgroup_join_self (CgroupJoin *join)
{
  for (guint i = 0; i < join->n_self; i++)
    {
      CHILD_CHECK (write (join->self_fds[i], "0", 1) == 1, "joining the cgroup of %s",
                   join->self_paths[i]);
      close (join->self_fds[i]);
    }
  join->n_self = 0;
  if (join->v2_folder_fd >= 0)
    close (join->v2_folder_fd);
  join->v2_folder_fd = -1;
}

/* In the parent, once the workload exists; closes what was for it. */
static void
cgroup_join_by_pid (const HcsRuntimeSpec *spec, CgroupJoin *join, pid_t pid)
{
  char value[32];
  int length = g_snprintf (value, sizeof value, "%d", (int) pid);

  for (guint i = 0; i < join->n_self; i++)
    close (join->self_fds[i]);
  join->n_self = 0;
  for (guint i = 0; i < join->by_pid->len; i++)
    {
      const char *path = join->by_pid->pdata[i];
      /* A plain write: cgroup files take no truncation or preallocation. */
      int fd = open (path, O_WRONLY | O_CLOEXEC);
      gboolean written = fd >= 0 && write (fd, value, length) == length;
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      if (!written)
        {
          g_autofree char *message = g_strdup_printf ("joining the cgroup %s: %s", path,
                                                      g_strerror (saved_errno));
          abandon_workload (spec, pid);
          fail_setup (message);
        }
    }
  g_clear_pointer (&join->by_pid, g_ptr_array_unref);
  if (join->v2_folder_fd >= 0)
    close (join->v2_folder_fd);
  join->v2_folder_fd = -1;
}

/* Reads what the child reports: "R" (ready), "H" (its namespaces exist:
 * the runtime's hooks are due), or "E" + a message, or end of file (it
 * exec'd, or died). Returns the message, "" for ready, "H", NULL at EOF. */
static char *
read_child_report (int fd)
{
  g_autoptr (GString) text = g_string_new (NULL);
  char buffer[1024];

  for (;;)
    {
      gssize n = read (fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      g_string_append_len (text, buffer, n);
      if (text->str[0] == 'R')
        return g_strdup ("");
      if (text->str[0] == 'H')
        return g_strdup ("H");
    }
  if (text->len == 0)
    return NULL;
  return g_strdup (text->str + 1);
}

static G_NORETURN void
wait_and_exit (pid_t pid)
{
  int status, code;

  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      {
        report_int ("exit", EXIT_SETUP_FAILED);
        _exit (EXIT_SETUP_FAILED);
      }
  code = WIFEXITED (status) ? WEXITSTATUS (status)
         : WIFSIGNALED (status) ? 128 + WTERMSIG (status)
                                : EXIT_SETUP_FAILED;
  report_int ("exit", code);
  _exit (code);
}

/* The workload runs: its pid to the plugin, then, detached, we leave it
 * to our parent; otherwise we wait and mirror its exit. */
static G_NORETURN void
report_pid_and_finish (const HcsRuntimeSpec *spec, pid_t pid)
{
  report_int ("pid", pid);
  if (spec->detach)
    _exit (0);
  wait_and_exit (pid);
}

static void
set_cloexec (int fd)
{
  int flags = fcntl (fd, F_GETFD);

  if (flags >= 0)
    fcntl (fd, F_SETFD, flags | FD_CLOEXEC);
}

/* --- OCI hooks ---------------------------------------------------------------- */

static gboolean
has_hooks (const HcsRuntimeSpec *spec, HcsRuntimeHookKind kind)
{
  return spec->hooks[kind] != NULL && spec->hooks[kind]->len > 0;
}

/* Waits for the hook @pid, at most @timeout seconds (0: no limit), then
 * kills it. Returns its wait status, or -1 when it timed out. */
static int
wait_hook (pid_t pid, gint64 timeout)
{
  int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  gint64 deadline = g_get_monotonic_time () + timeout * G_USEC_PER_SEC;
  gboolean timed_out = FALSE;
  int status;

  while (timeout > 0 && pidfd >= 0)
    {
      struct pollfd poll_fd = { .fd = pidfd, .events = POLLIN };
      gint64 left_ms = (deadline - g_get_monotonic_time () + 999) / 1000;
      int ready = left_ms > 0 ? poll (&poll_fd, 1, (int) MIN (left_ms, G_MAXINT)) : 0;

      if (ready < 0 && errno == EINTR)
        continue;
      if (ready == 0)
        {
          timed_out = TRUE;
          kill (pid, SIGKILL);
        }
      break;
    }
  if (pidfd >= 0)
    close (pidfd);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return timed_out ? -1 : status;
}

/* Runs @kind's hooks one after the other, each with the container's state
 * on stdin (a socket, so that a hook that does not read it cannot raise
 * SIGPIPE here) and its own args and environment; their stdout and stderr
 * go to our stderr. Returns NULL when all succeeded, otherwise what failed:
 * the runtime spec stops at the first failure. */
static char *
run_hooks (const HcsRuntimeSpec *spec, HcsRuntimeHookKind kind, const char *status, pid_t pid)
{
  const char *name = hcs_runtime_hook_kind_name (kind);
  g_autoptr (GString) state = g_string_new (NULL);

  if (!has_hooks (spec, kind))
    return NULL;
  g_string_append_printf (state, "{\"status\":\"%s\",\"pid\":%d", status, (int) pid);
  if (spec->hook_state != NULL && spec->hook_state[0] == '{' && spec->hook_state[1] != '}')
    g_string_append_printf (state, ",%s", spec->hook_state + 1);
  else
    {
      g_string_append (state, ",\"ociVersion\":\"1.0.2\",\"id\":");
      append_json_string (state, spec->id ? spec->id : "");
      g_string_append_c (state, '}');
    }

  for (guint i = 0; i < spec->hooks[kind]->len; i++)
    {
      const HcsRuntimeHook *hook = spec->hooks[kind]->pdata[i];
      char *default_args[] = { hook->path, NULL };
      char *empty_env[] = { NULL };
      int channel[2], wait_status;
      pid_t hook_pid;

      if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel) < 0)
        return g_strdup_printf ("%s hook %s: a socket for its stdin: %s", name, hook->path,
                                g_strerror (errno));
      hook_pid = fork ();
      if (hook_pid < 0)
        {
          close (channel[0]);
          close (channel[1]);
          return g_strdup_printf ("%s hook %s: fork: %s", name, hook->path, g_strerror (errno));
        }
      if (hook_pid == 0)
        {
          sigset_t none;

          for (int signum = 1; signum < NSIG; signum++)
            signal (signum, SIG_DFL);
          sigemptyset (&none);
          sigprocmask (SIG_SETMASK, &none, NULL);
          if (dup2 (channel[0], STDIN_FILENO) < 0 || dup2 (STDERR_FILENO, STDOUT_FILENO) < 0)
            _exit (127);
          execve (hook->path, hook->args && hook->args[0] ? hook->args : default_args,
                  hook->env ? hook->env : empty_env);
          {
            g_autofree char *line = g_strdup_printf ("hcs-runtime-helper: %s hook %s: %s\n",
                                                     name, hook->path, g_strerror (errno));
            ssize_t ignored = write (STDERR_FILENO, line, strlen (line));
            (void) ignored;
          }
          _exit (127);
        }
      close (channel[0]);
      /* The state is small: the socket's buffer takes it whole. */
      if (send (channel[1], state->str, state->len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
        g_debug ("%s hook %s: writing its state: %s", name, hook->path, g_strerror (errno));
      shutdown (channel[1], SHUT_WR);
      wait_status = wait_hook (hook_pid, hook->timeout);
      close (channel[1]);
      if (wait_status == -1)
        return g_strdup_printf ("%s hook %s: timed out after %" G_GINT64_FORMAT " s", name,
                                hook->path, hook->timeout);
      if (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) != 0)
        return g_strdup_printf ("%s hook %s: exited with %d", name, hook->path,
                                WEXITSTATUS (wait_status));
      if (WIFSIGNALED (wait_status))
        return g_strdup_printf ("%s hook %s: killed by signal %d", name, hook->path,
                                WTERMSIG (wait_status));
    }
  return NULL;
}

/* In the container's init: a failed hook ends its set-up. */
static void
child_run_hooks (const HcsRuntimeSpec *spec, HcsRuntimeHookKind kind, const char *status,
                 pid_t pid)
{
  g_autofree char *failure = run_hooks (spec, kind, status, pid);

  if (failure != NULL)
    child_fail (EXIT_SETUP_FAILED, "%s", failure);
}

/* A created init ends on a terminating signal with the shell's status. */
static void
end_created_init (int signo)
{
  _exit (128 + signo);
}

static const int created_terminating[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
                                           SIGALRM };

/* Gives the terminating signals end_created_init and lets them through
 * (the set-up holds every signal), keeping the dispositions they had in
 * @saved; with @restore, holds them again and puts those back instead. */
static void
set_created_signal_handlers (struct sigaction *saved, const struct sigaction *restore)
{
  sigset_t set;

  sigemptyset (&set);
  for (gsize i = 0; i < G_N_ELEMENTS (created_terminating); i++)
    sigaddset (&set, created_terminating[i]);
  if (restore != NULL)
    sigprocmask (SIG_BLOCK, &set, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (created_terminating); i++)
    {
      if (restore != NULL)
        {
          sigaction (created_terminating[i], &restore[i], NULL);
          continue;
        }
      {
        struct sigaction action = { .sa_handler = end_created_init };

        sigemptyset (&action.sa_mask);
        sigaction (created_terminating[i], &action, &saved[i]);
      }
    }
  if (restore == NULL)
    sigprocmask (SIG_UNBLOCK, &set, NULL);
}

static G_NORETURN void
run_create (const HcsRuntimeSpec *spec)
{
  CgroupJoin join;
  int go_pipe[2], report_pipe[2];
  unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | SIGCHLD;
  g_autofree char *message = NULL;
  int fifo_fd = -1;
  pid_t pid;
  /* "G" and the init's host pid, which its hooks' state shows. */
  struct {
    char go;
    pid_t pid;
  } go_message = { 'G', 0 };
  gboolean runtime_hooks = has_hooks (spec, HCS_RUNTIME_HOOK_PRESTART) ||
                           has_hooks (spec, HCS_RUNTIME_HOOK_CREATE_RUNTIME);

  if (spec->detach)
    {
      /* The init becomes our parent's child, as runc's does: the caller
       * (conmon, containerd's shim, or their subreaper) reaps it. */
      flags |= CLONE_PARENT;
      if (spec->start_fifo == NULL)
        fail_setup ("spec: a detached create needs start_fifo");
      /* Opened here (a path, no read or write yet): the init reopens it
       * after pivot_root, when the host path is out of its sight. */
      fifo_fd = open (spec->start_fifo, O_PATH | O_CLOEXEC);
      if (fifo_fd < 0)
        {
          g_autofree char *text = g_strdup_printf ("opening %s: %s", spec->start_fifo,
                                                   g_strerror (errno));
          fail_setup (text);
        }
    }

  if (!is_new (spec->pid_ns))
    {
      flags &= ~CLONE_NEWPID;
      parent_join_namespace (spec->pid_ns, CLONE_NEWPID, "pid");
    }
  if (spec->time_ns != NULL && is_new (spec->time_ns))
    {
      /* A new time namespace is for the children of whoever unshares it. */
      if (unshare (CLONE_NEWTIME) < 0)
        {
          g_autofree char *text = g_strdup_printf ("linux.namespaces: a new time namespace: %s",
                                                   g_strerror (errno));
          fail_setup (text);
        }
    }
  else if (spec->time_ns != NULL)
    parent_join_namespace (spec->time_ns, CLONE_NEWTIME, "time");
  if (spec->user_ns != NULL && is_new (spec->user_ns))
    flags |= CLONE_NEWUSER;
  else if (!is_host (spec->user_ns))
    fail_setup ("linux.namespaces: joining a user namespace by path is not supported yet");
  /* A mount namespace given by path is joined by the init itself, before
   * its root is set up there. */
  if (spec->mnt_ns != NULL)
    {
      if (is_new (spec->mnt_ns))
        fail_setup ("spec: namespaces.mnt must be \"host\" or a namespace file to join");
      flags &= ~CLONE_NEWNS;
    }
  if (is_new (spec->uts))
    flags |= CLONE_NEWUTS;
  if (is_new (spec->ipc))
    flags |= CLONE_NEWIPC;
  if (is_new (spec->net))
    flags |= CLONE_NEWNET;
  if (pipe2 (go_pipe, O_CLOEXEC) < 0 ||
      socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, report_pipe) < 0)
    fail_setup ("creating the helper's pipes");

  cgroup_join_prepare (spec, &join);
  install_forwarding ();
  /* The raw clone forks into the new namespaces: this process is single
   * threaded, so nothing of libc's is left in a broken state. */
  pid = clone_into_cgroup (flags, &join);
  if (pid < 0)
    {
      g_autofree char *text = g_strdup_printf ("clone: %s", g_strerror (errno));
      fail_setup (text);
    }

  if (pid == 0)
    {
      char go;
      gboolean with_seccomp;

      close (go_pipe[1]);
      close (report_pipe[0]);
      child_report_fd = report_pipe[1];
      prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
      child_hold_signals ();
      /* None during set-up: the device nodes get their 0666 (every
       * user's, as everywhere) with no chmod each; what set-up makes
       * otherwise gives its mode. The workload's umask is set last. */
      umask (0);
      if (read (go_pipe[0], &go_message, sizeof go_message) != sizeof go_message)
        _exit (EXIT_SETUP_FAILED);
      cgroup_join_self (&join);
      if (flags & CLONE_NEWUSER)
        {
          /* The maps are written: become the namespace's root, whose
           * files and devices are the ones it may make. */
          CHILD_CHECK (setresgid (0, 0, 0) == 0 && setresuid (0, 0, 0) == 0,
                       "becoming root in the new user namespace");
          prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); /* a change of ids cleared it */
        }

      join_namespace (spec->net, CLONE_NEWNET, "network");
      join_namespace (spec->uts, CLONE_NEWUTS, "uts");
      join_namespace (spec->ipc, CLONE_NEWIPC, "ipc");
      /* After joining its cgroup, whose folder becomes the namespace's root. */
      if (spec->cgroup_ns != NULL && is_new (spec->cgroup_ns))
        CHILD_CHECK (unshare (CLONE_NEWCGROUP) == 0, "a new cgroup namespace");
      else
        join_namespace (spec->cgroup_ns, CLONE_NEWCGROUP, "cgroup");
      if (runtime_hooks)
        {
          /* prestart and createRuntime run outside, in A, while we wait. */
          CHILD_CHECK (send (child_report_fd, "H", 1, MSG_NOSIGNAL) == 1, "asking for hooks");
          if (read (go_pipe[0], &go, 1) != 1)
            _exit (EXIT_SETUP_FAILED);
        }
      close (go_pipe[0]);
      /* Last: the root is set up in it, its paths resolved there. */
      if (spec->mnt_ns != NULL && is_host (spec->mnt_ns))
        setup_rootfs_without_mounts (spec, go_message.pid);
      else
        {
          if (spec->mnt_ns != NULL)
            refuse_own_mount_namespace (spec->mnt_ns);
          join_namespace (spec->mnt_ns, CLONE_NEWNS, "mount");
          setup_rootfs (spec, go_message.pid);
        }
      if (spec->hostname != NULL && is_new (spec->uts))
        CHILD_CHECK (sethostname (spec->hostname, strlen (spec->hostname)) == 0,
                     "setting the host name %s", spec->hostname);
      if (spec->domainname != NULL && is_new (spec->uts))
        CHILD_CHECK (setdomainname (spec->domainname, strlen (spec->domainname)) == 0,
                     "setting the domain name %s", spec->domainname);
      if (is_new (spec->net))
        bring_up_loopback ();
      if (spec->process != NULL && spec->process->terminal)
        make_console_inside (spec);

      with_seccomp = wants_seccomp (spec);
      /* What the host sees once the create returns (its user, capabilities,
       * cwd, rlimits, oomScoreAdj) is the workload's, as runc and crun show
       * it; startContainer hooks run under them, as runc's do. */
      assume_workload_identity (spec->process, with_seccomp, spec->seccomp_program,
                                spec->seccomp_flags);
      if (spec->detach)
        prctl (PR_SET_PDEATHSIG, 0, 0, 0, 0); /* our parent is the caller: it may leave */
      CHILD_CHECK (send (child_report_fd, "R", 1, MSG_NOSIGNAL) == 1, "reporting readiness");
      child_reported_ready = TRUE;
      if (spec->detach)
        {
          g_autofree char *reopen = g_strdup_printf ("/proc/self/fd/%d", fifo_fd);
          struct sigaction saved_actions[G_N_ELEMENTS (created_terminating)];
          int start_fd;

          close (STATUS_FD);
          /* Blocks until `start` opens the fifo to read: runc's exec.fifo.
           * Meanwhile the terminating signals end it, as they end runc's
           * waiting init: as pid 1 of its namespace without a handler it
           * would see none of them but SIGKILL. */
          set_created_signal_handlers (saved_actions, NULL);
          do
            start_fd = open_system_file (reopen, O_WRONLY | O_CLOEXEC);
          while (start_fd < 0 && errno == EINTR);
          set_created_signal_handlers (NULL, saved_actions);
          CHILD_CHECK (start_fd >= 0, "opening the start fifo");
          /* Before the byte: `start` fails when they do. */
          child_run_hooks (spec, HCS_RUNTIME_HOOK_START_CONTAINER, "created", go_message.pid);
          CHILD_CHECK (write (start_fd, "0", 1) == 1, "writing the start fifo");
          close (start_fd);
          close (fifo_fd);
        }
      else
        {
          if (read (START_FD, &go, 1) != 1)
            _exit (EXIT_SETUP_FAILED); /* the create was abandoned */
          close (START_FD);
          close (STATUS_FD);
          child_run_hooks (spec, HCS_RUNTIME_HOOK_START_CONTAINER, "created", go_message.pid);
        }

      seal_workload (spec->process, with_seccomp, spec->seccomp_program, spec->seccomp_flags);
      if (spec->process == NULL)
        {
          close (child_report_fd);
          run_minimal_init ();
        }
      exec_workload (spec->process);
    }

  workload_pid = pid;
  close (go_pipe[0]);
  close (report_pipe[1]);
  close (START_FD);
  if (console_channel_given)
    close (CONSOLE_FD); /* the child's alone: its end of file tells the plugin it died */
  cgroup_join_by_pid (spec, &join, pid);
  if (flags & CLONE_NEWUSER)
    {
      g_autofree char *failure = write_id_maps (spec, pid);
      if (failure != NULL)
        {
          abandon_workload (spec, pid);
          fail_setup (failure);
        }
    }
  go_message.pid = pid;
  if (write (go_pipe[1], &go_message, sizeof go_message) != sizeof go_message)
    fail_setup ("starting the container's init");
  /* The caller writes its records of the init while it sets up. */
  if (spec->report_cloned)
    report_int ("cloned", pid);

  message = read_child_report (report_pipe[0]);
  if (runtime_hooks && g_strcmp0 (message, "H") == 0)
    {
      /* prestart (deprecated) sees "created", as crun gives it and
       * runtime-tools' hooks_stdin checks; createRuntime "creating". */
      g_autofree char *failure = run_hooks (spec, HCS_RUNTIME_HOOK_PRESTART, "created", pid);

      if (failure == NULL)
        failure = run_hooks (spec, HCS_RUNTIME_HOOK_CREATE_RUNTIME, "creating", pid);
      if (failure != NULL)
        {
          abandon_workload (spec, pid);
          fail_setup (failure);
        }
      if (write (go_pipe[1], "G", 1) != 1)
        fail_setup ("resuming the container's init after its hooks");
      g_free (message);
      message = read_child_report (report_pipe[0]);
    }
  close (go_pipe[1]);
  if (message == NULL || *message != '\0')
    {
      abandon_workload (spec, pid);
      fail_setup (message ? message : "the container's init died during set-up");
    }
  close (report_pipe[0]);
  report_pid_and_finish (spec, pid);
}

static G_NORETURN void
run_exec (const HcsRuntimeSpec *spec)
{
  static const struct {
    const char *name;
    int type;
  } namespaces[] = {
    { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "net", CLONE_NEWNET },
    { "pid", CLONE_NEWPID }, { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
    { "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },
  };
  int fds[G_N_ELEMENTS (namespaces)];
  int root_fd = -1;
  CgroupJoin join;
  int go_pipe[2], report_pipe[2];
  g_autofree char *message = NULL;
  pid_t pid;

  /* Open every namespace first: once one is joined, /proc may differ. */
  for (gsize i = 0; i < G_N_ELEMENTS (namespaces); i++)
    {
      g_autofree char *theirs = g_strdup_printf ("/proc/%d/ns/%s", (int) spec->pid,
                                                 namespaces[i].name);
      g_autofree char *ours = g_strdup_printf ("/proc/self/ns/%s", namespaces[i].name);
      struct stat their_stat, our_stat;

      fds[i] = -1;
      if (stat (theirs, &their_stat) < 0)
        {
          g_autofree char *text = g_strdup_printf ("container init %d: %s: %s", (int) spec->pid,
                                                   theirs, g_strerror (errno));
          fail_setup (text);
        }
      if (stat (ours, &our_stat) == 0 && our_stat.st_ino == their_stat.st_ino &&
          our_stat.st_dev == their_stat.st_dev)
        continue; /* shared with the host */
      fds[i] = open (theirs, O_RDONLY | O_CLOEXEC);
      if (fds[i] < 0)
        {
          g_autofree char *text = g_strdup_printf ("opening %s: %s", theirs, g_strerror (errno));
          fail_setup (text);
        }
    }
  /* A container in the host's mount namespace is chroot'ed into its root:
   * the process enters the same root, seen through its init. */
  if (fds[G_N_ELEMENTS (namespaces) - 1] < 0)
    {
      g_autofree char *root = g_strdup_printf ("/proc/%d/root", (int) spec->pid);

      root_fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
      outside_root_fd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (root_fd < 0 || outside_root_fd < 0)
        {
          g_autofree char *text = g_strdup_printf ("opening %s: %s", root, g_strerror (errno));
          fail_setup (text);
        }
    }
  /* All but the user and mount namespaces are joined here (as the host's
   * root, which may join those a container's user namespace owns), so the
   * fork lands in the pid namespace; the child joins the user namespace
   * once it is in its cgroup (cgroup.procs is the host's root's to write)
   * and then the mounts. */
  for (gsize i = 0; i + 2 < G_N_ELEMENTS (namespaces); i++)
    if (fds[i] >= 0 && setns (fds[i], namespaces[i].type) < 0)
      {
        g_autofree char *text = g_strdup_printf ("joining the %s namespace of %d: %s",
                                                 namespaces[i].name, (int) spec->pid,
                                                 g_strerror (errno));
        fail_setup (text);
      }

  if (pipe2 (go_pipe, O_CLOEXEC) < 0 ||
      socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, report_pipe) < 0)
    fail_setup ("creating the helper's pipes");
  cgroup_join_prepare (spec, &join);
  install_forwarding ();
  /* Detached, the process is our parent's child (runc exec -d). */
  pid = clone_into_cgroup ((spec->detach ? CLONE_PARENT : 0) | SIGCHLD, &join);
  if (pid < 0)
    fail_setup ("fork failed");

  if (pid == 0)
    {
      int mnt_fd = fds[G_N_ELEMENTS (namespaces) - 1];
      int user_fd = fds[G_N_ELEMENTS (namespaces) - 2];
      char go;

      close (go_pipe[1]);
      close (report_pipe[0]);
      child_report_fd = report_pipe[1];
      prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
      child_hold_signals ();
      if (read (go_pipe[0], &go, 1) != 1)
        _exit (EXIT_SETUP_FAILED);
      cgroup_join_self (&join);
      /* As the host's root, before a user namespace's root may not. */
      if (root_fd >= 0)
        CHILD_CHECK (fchdir (root_fd) == 0 && chroot (".") == 0,
                     "entering the root of the container's init %d", (int) spec->pid);
      if (user_fd >= 0)
        CHILD_CHECK (setns (user_fd, CLONE_NEWUSER) == 0, "joining the user namespace of %d",
                     (int) spec->pid);
      if (mnt_fd >= 0)
        CHILD_CHECK (setns (mnt_fd, CLONE_NEWNS) == 0, "joining the mount namespace of %d",
                     (int) spec->pid);
      CHILD_CHECK (chdir ("/") == 0, "entering /");
      if (spec->process->terminal)
        make_console_inside (spec);
      close (STATUS_FD);
      /* The container's linux.seccomp (or none), as its init got. */
      become_workload (spec->process, wants_seccomp (spec), spec->seccomp_program,
                       spec->seccomp_flags);
      if (spec->detach)
        prctl (PR_SET_PDEATHSIG, 0, 0, 0, 0);
      CHILD_CHECK (send (child_report_fd, "R", 1, MSG_NOSIGNAL) == 1, "reporting readiness");
      child_reported_ready = TRUE;
      exec_workload (spec->process);
    }

  workload_pid = pid;
  close (go_pipe[0]);
  close (report_pipe[1]);
  if (console_channel_given)
    close (CONSOLE_FD);
  cgroup_join_by_pid (spec, &join, pid);
  if (write (go_pipe[1], "G", 1) != 1)
    fail_setup ("starting the process");
  close (go_pipe[1]);
  message = read_child_report (report_pipe[0]);
  if (message != NULL && *message != '\0')
    {
      abandon_workload (spec, pid);
      fail_setup (message);
    }
  close (report_pipe[0]);
  report_pid_and_finish (spec, pid);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  gboolean create;
  HcsRuntimeSpec *spec;

  if (argc != 2 || (!g_str_equal (argv[1], "create") && !g_str_equal (argv[1], "exec")))
    {
      fprintf (stderr, "usage: hcs-runtime-helper create|exec (started by hcs-runtime-launch.c; "
                       "see the comment at the top of hcs-runtime-helper.c)\n");
      return 2;
    }
  create = g_str_equal (argv[1], "create");
  /* Exec'd through /proc/self/fd/N (see hcs-runtime-launch.c), the kernel named
   * us "N": take our own name back for ps and top. */
  prctl (PR_SET_NAME, "hcs-runtime-helper", 0, 0, 0);

  /* Nothing but stdio, the spec, status and start reaches this process,
   * and none of the last three may reach the workload. */
  syscall (SYS_close_range, CONSOLE_FD + 1, ~0U, 0);
  console_channel_given = fcntl (CONSOLE_FD, F_GETFD) >= 0;
  if (console_channel_given)
    set_cloexec (CONSOLE_FD);
  set_cloexec (SPEC_FD);
  set_cloexec (STATUS_FD);
  if (create)
    set_cloexec (START_FD);
  signal (SIGPIPE, SIG_IGN);

  bytes = read_spec_bytes (&error);
  if (bytes == NULL)
    fail_setup (error->message);
  spec = hcs_runtime_spec_deserialize (bytes, create, &error);
  if (spec == NULL)
    fail_setup (error->message);

  if (spec->die_with_parent)
    {
      /* The workload dies with us (its own parent-death signal), so a
       * monitor killed takes its whole system down: no orphan runs on. */
      pid_t parent = getppid ();
      prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
      if (getppid () != parent)
        _exit (EXIT_SETUP_FAILED);
    }
  if (create)
    run_create (spec);
  run_exec (spec);
}
