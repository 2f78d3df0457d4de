/* vm-layers.c: layers as read-only erofs images, made once per layer.
 *
 * erofs rather than ext4 for the read-only layers: it is made in one pass
 * from the folder with no size to guess, is compact, and the guest cannot
 * be tempted to write to it (hcsshim uses read-only VHDs the same way).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vm-layers.h"

#include "hcs-error.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <unistd.h>

gboolean
vm_erofs_image_make (const char *directory, const char *image, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (image);
  g_autofree char *base = g_path_get_basename (image);
  g_autofree char *template = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  g_autofree char *errors = NULL;
  int status = 0;
  int fd;

  if (!g_path_is_absolute (directory) || !g_file_test (directory, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "vm: erofs image of '%s': not a folder given by its absolute path",
                   directory);
      return FALSE;
    }
  fd = g_mkstemp_full (template, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    return hcs_set_error_from_errno (error, errno, "vm: erofs image: creating %s", template);
  close (fd);
  {
    const char *argv[] = { "mkfs.erofs", "--quiet", template, directory, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                       NULL, NULL, NULL, &errors, &status, error))
      {
        g_prefix_error (error, "vm: erofs image of '%s' (erofs-utils, scripts/setup.sh): ",
                        directory);
        g_unlink (template);
        return FALSE;
      }
  }
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "vm: mkfs.erofs of '%s' failed: %s",
                   directory, g_strstrip (errors));
      g_unlink (template);
      return FALSE;
    }
  if (g_rename (template, image) < 0)
    {
      int saved_errno = errno;

      g_unlink (template);
      return hcs_set_error_from_errno (error, saved_errno, "vm: erofs image: renaming to %s",
                                       image);
    }
  return TRUE;
}

char *
vm_layer_image_ensure (const char *layer_dir, gboolean *made, GError **error)
{
  g_autofree char *image = g_build_filename (layer_dir, VM_LAYER_IMAGE_NAME, NULL);
  g_autofree char *files = g_build_filename (layer_dir, "fs", NULL);
  int dir_fd;
  gboolean ok;

  if (made != NULL)
    *made = FALSE;
  if (g_file_test (image, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&image);
  /* A lock on the layer's folder: it exists as long as the layer does,
   * and leaves no lock file behind. */
  dir_fd = open (layer_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0)
    return hcs_set_error_from_errno (error, errno, "vm: layer %s", layer_dir), NULL;
  if (flock (dir_fd, LOCK_EX) < 0)
    {
      int saved_errno = errno;

      close (dir_fd);
      return hcs_set_error_from_errno (error, saved_errno, "vm: locking layer %s", layer_dir),
             NULL;
    }
  /* Made by another while we waited? */
  ok = g_file_test (image, G_FILE_TEST_IS_REGULAR);
  if (!ok)
    {
      ok = vm_erofs_image_make (files, image, error);
      if (ok && made != NULL)
        *made = TRUE;
    }
  close (dir_fd); /* and its lock */
  return ok ? g_steal_pointer (&image) : NULL;
}

char *
vm_layer_dir_from_files (const char *files_dir)
{
  g_autofree char *base = g_path_get_basename (files_dir);
  g_autofree char *layer_dir = g_path_get_dirname (files_dir);
  g_autofree char *metadata = g_build_filename (layer_dir, "layer.json", NULL);

  if (!g_path_is_absolute (files_dir) || !g_str_equal (base, "fs") ||
      !g_file_test (metadata, G_FILE_TEST_IS_REGULAR))
    return NULL;
  return g_steal_pointer (&layer_dir);
}

GSubprocess *
vm_scratch_image_start (const char *path, guint64 size, GError **error)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  g_autofree char *size_text = NULL;
  GSubprocess *mkfs;

  if (fd < 0)
    return hcs_set_error_from_errno (error, errno, "scratch image %s", path), NULL;
  if (ftruncate (fd, (off_t) size) < 0)
    {
      int saved_errno = errno;

      close (fd);
      g_unlink (path);
      return hcs_set_error_from_errno (error, saved_errno, "sizing scratch image %s", path), NULL;
    }
  close (fd);
  mkfs = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                           error, "mkfs.ext4", "-q", "-F", "-m", "0", "-O", "^has_journal", "-E",
                           "root_owner=0:0,lazy_itable_init=1,nodiscard", path, NULL);
  if (mkfs == NULL)
    {
      g_unlink (path);
      return g_prefix_error (error, "scratch image %s: ", path), NULL;
    }
  return mkfs;
}

gboolean
vm_scratch_image_finish (GSubprocess *mkfs, const char *path, GError **error)
{
  g_autofree char *errors = NULL;

  if (!g_subprocess_communicate_utf8 (mkfs, NULL, NULL, NULL, &errors, error))
    return g_prefix_error (error, "scratch image %s: ", path), FALSE;
  if (!g_subprocess_get_successful (mkfs))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "scratch image %s: mkfs.ext4 failed: %s",
                   path, errors ? g_strstrip (errors) : "");
      return FALSE;
    }
  return TRUE;
}

gboolean
vm_scratch_image_make (const char *path, guint64 size, GError **error)
{
  g_autoptr (GSubprocess) mkfs = vm_scratch_image_start (path, size, error);

  return mkfs != NULL && vm_scratch_image_finish (mkfs, path, error);
}
