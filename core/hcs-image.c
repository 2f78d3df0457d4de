/* hcs-image.c: the built-in default root file system from busybox.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-image.h"
#include "hcs-error.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static const char *const image_dirs[] = {
  "bin", "dev", "etc", "home", "proc", "root", "sys", "tmp", "usr", "var", "var/tmp", NULL,
};

static const char image_passwd[] =
    "root:x:0:0:root:/root:/bin/sh\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
static const char image_group[] = "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n";

static char *
find_busybox (const char *busybox_path, GError **error)
{
  const char *candidates[] = { "/bin/busybox", "/usr/bin/busybox", NULL };

  if (busybox_path != NULL)
    return g_strdup (busybox_path);
  for (guint i = 0; candidates[i]; i++)
    if (g_file_test (candidates[i], G_FILE_TEST_IS_EXECUTABLE))
      return g_strdup (candidates[i]);
  g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND,
               "default image: no busybox on this host (install busybox-static)");
  return NULL;
}

static gboolean
build_image (const char *root, const char *busybox, GError **error)
{
  g_autofree char *list = NULL, *target = NULL, *error_text = NULL;
  g_auto (GStrv) applets = NULL;
  const char *list_argv[] = { busybox, "--list", NULL };
  int wait_status;

  for (guint i = 0; image_dirs[i]; i++)
    {
      g_autofree char *dir = g_build_filename (root, image_dirs[i], NULL);
      if (g_mkdir_with_parents (dir, 0755) < 0)
        return hcs_set_error_from_errno (error, errno, "default image: creating %s", dir);
    }
  {
    g_autofree char *tmp = g_build_filename (root, "tmp", NULL);
    g_autofree char *var_tmp = g_build_filename (root, "var", "tmp", NULL);
    g_chmod (tmp, 01777);
    g_chmod (var_tmp, 01777);
  }

  /* A static busybox runs in any root; a dynamic one would need its
   * libraries, which this image does not carry. */
  target = g_build_filename (root, "bin", "busybox", NULL);
  {
    g_autoptr (GFile) source_file = g_file_new_for_path (busybox);
    g_autoptr (GFile) target_file = g_file_new_for_path (target);
    if (!g_file_copy (source_file, target_file, G_FILE_COPY_NONE, NULL, NULL, NULL, error))
      return FALSE;
    g_chmod (target, 0755);
  }

  if (!g_spawn_sync (NULL, (char **) list_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &list,
                     &error_text, &wait_status, error) ||
      !g_spawn_check_wait_status (wait_status, error))
    return FALSE;
  applets = g_strsplit (list, "\n", -1);
  for (guint i = 0; applets[i]; i++)
    {
      g_autofree char *link = NULL;

      if (*applets[i] == '\0' || strchr (applets[i], '/') || g_str_equal (applets[i], "busybox"))
        continue;
      link = g_build_filename (root, "bin", applets[i], NULL);
      if (symlink ("busybox", link) < 0 && errno != EEXIST)
        return hcs_set_error_from_errno (error, errno, "default image: linking %s", link);
    }

  {
    g_autofree char *passwd = g_build_filename (root, "etc", "passwd", NULL);
    g_autofree char *group = g_build_filename (root, "etc", "group", NULL);
    g_autofree char *hosts = g_build_filename (root, "etc", "hosts", NULL);
    if (!g_file_set_contents (passwd, image_passwd, -1, error) ||
        !g_file_set_contents (group, image_group, -1, error) ||
        !g_file_set_contents (hosts, "127.0.0.1 localhost\n::1 localhost\n", -1, error))
      return FALSE;
  }
  return TRUE;
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

char *
hcs_image_ensure_default (const char *images_dir, const char *busybox_path, GError **error)
{
  g_autofree char *root = NULL, *marker = NULL, *busybox = NULL, *staging = NULL;
  g_autofree char *template = NULL;

  if (images_dir == NULL)
    images_dir = HCS_DEFAULT_IMAGE_DIR;
  root = g_build_filename (images_dir, "busybox", NULL);
  marker = g_build_filename (root, "bin", "busybox", NULL);
  if (g_file_test (marker, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&root);

  busybox = find_busybox (busybox_path, error);
  if (busybox == NULL)
    return NULL;
  if (g_mkdir_with_parents (images_dir, 0755) < 0)
    return hcs_set_error_from_errno (error, errno, "default image: creating %s", images_dir),
           NULL;

  template = g_build_filename (images_dir, ".busybox-XXXXXX", NULL);
  staging = g_mkdtemp_full (template, 0755);
  if (staging == NULL)
    return hcs_set_error_from_errno (error, errno, "default image: creating a folder in %s",
                                     images_dir),
           NULL;
  g_steal_pointer (&template);

  if (!build_image (staging, busybox, error))
    {
      remove_tree (staging);
      return NULL;
    }
  if (rename (staging, root) < 0)
    {
      int saved_errno = errno;
      remove_tree (staging);
      /* Another caller finished first: theirs is as good as ours. */
      if ((saved_errno == EEXIST || saved_errno == ENOTEMPTY) &&
          g_file_test (marker, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&root);
      return hcs_set_error_from_errno (error, saved_errno, "default image: renaming into %s",
                                       root),
             NULL;
    }
  return g_steal_pointer (&root);
}
