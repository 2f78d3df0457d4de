/* test-common.c: helpers shared by the suites.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
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
