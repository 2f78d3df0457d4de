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
#define CONSOLE_GUARD_MS (5 * 60 * 1000)

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
