/* vm-shares.c: host folders and files bound into a VM's 9p shares
 * (vm-shares.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vm-shares.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* The file systems the guest's runtime makes inside the container: none
 * has a source on the host. */
static const char *const guest_made_types[] = {
  "tmpfs", "proc", "sysfs", "devpts", "mqueue", "cgroup", "cgroup2", NULL,
};

gboolean
vm_mount_classify (const HcsMount *mount, VmMountKind *kind, gboolean *read_only,
                   gboolean *recursive, GError **error)
{
  gboolean bind = g_strcmp0 (mount->type, "bind") == 0;

  *read_only = FALSE;
  *recursive = FALSE;
  for (guint i = 0; mount->options != NULL && mount->options[i] != NULL; i++)
    {
      const char *option = mount->options[i];

      if (g_str_equal (option, "bind"))
        bind = TRUE;
      else if (g_str_equal (option, "rbind"))
        bind = *recursive = TRUE;
      else if (g_str_equal (option, "ro"))
        *read_only = TRUE;
      else if (g_str_equal (option, "rw"))
        *read_only = FALSE;
    }
  if (bind)
    {
      *kind = VM_MOUNT_HOST_BIND;
      return TRUE;
    }
  if (mount->type != NULL && g_strv_contains (guest_made_types, mount->type))
    {
      *kind = VM_MOUNT_IN_GUEST;
      return TRUE;
    }
  g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
               "type '%s': only binds of host paths and %s reach a VM's container",
               mount->type ? mount->type : "(none)", "tmpfs, proc, sysfs, devpts, mqueue, cgroup");
  return FALSE;
}

/* Read-only, below it too when @recursive: mount_setattr (Linux 5.12)
 * takes the whole tree, a remount only the top. */
static gboolean
make_read_only (const char *target, gboolean recursive, GError **error)
{
  if (recursive)
    {
      struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

      if (mount_setattr (AT_FDCWD, target, AT_RECURSIVE | AT_SYMLINK_NOFOLLOW, &attr,
                         sizeof attr) == 0)
        return TRUE;
      if (errno != ENOSYS)
        return hcs_set_error_from_errno (error, errno, "making %s read-only", target), FALSE;
    }
  if (mount (NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
    return hcs_set_error_from_errno (error, errno, "making %s read-only", target), FALSE;
  return TRUE;
}

gboolean
vm_share_bind (const char *source, const char *target, gboolean read_only, gboolean recursive,
               GError **error)
{
  struct stat st;
  gboolean folder;

  if (source == NULL || !g_path_is_absolute (source))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "'%s' is not an absolute path of the host", source ? source : "(null)");
      return FALSE;
    }
  if (stat (source, &st) < 0)
    return hcs_set_error_from_errno (error, errno, "'%s'", source), FALSE;
  if (!S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "'%s' is neither a folder nor a file: it cannot cross a 9p share", source);
      return FALSE;
    }
  folder = S_ISDIR (st.st_mode);
  if (folder ? g_mkdir (target, 0700) < 0 : !g_file_set_contents_full (target, "", 0,
                                                                      G_FILE_SET_CONTENTS_NONE,
                                                                      0600, NULL))
    return hcs_set_error_from_errno (error, errno, "making %s", target), FALSE;
  if (mount (source, target, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
    {
      int saved_errno = errno;

      folder ? g_rmdir (target) : g_unlink (target);
      return hcs_set_error_from_errno (error, saved_errno, "binding %s to %s", source, target),
             FALSE;
    }
  if (read_only && !make_read_only (target, recursive, error))
    {
      vm_share_unbind (target);
      return FALSE;
    }
  return TRUE;
}

void
vm_share_unbind (const char *target)
{
  /* Recursive binds come apart with their top: MNT_DETACH takes the tree. */
  if (umount2 (target, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
    g_debug ("vm: unmounting %s: %s", target, g_strerror (errno));
  /* A folder or an empty file; one still mounted is left alone. */
  if (g_rmdir (target) < 0 && errno == ENOTDIR)
    g_unlink (target);
}

void
vm_share_clear_folder (const char *dir)
{
  g_autoptr (GDir) entries = g_dir_open (dir, 0, NULL);
  const char *name;

  while (entries != NULL && (name = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      vm_share_unbind (path);
    }
}

void
vm_guest_config_set_mount_source (JsonObject *document, guint index, const char *guest_path)
{
  JsonNode *oci = json_object_get_member (document, "Oci");
  JsonNode *mounts_node = oci != NULL && JSON_NODE_HOLDS_OBJECT (oci)
                              ? json_object_get_member (json_node_get_object (oci), "mounts")
                              : NULL;
  JsonArray *mounts = mounts_node != NULL && JSON_NODE_HOLDS_ARRAY (mounts_node)
                          ? json_node_get_array (mounts_node)
                          : NULL;

  if (mounts != NULL && index < json_array_get_length (mounts))
    json_object_set_string_member (json_array_get_object_element (mounts, index), "source",
                                   guest_path);
}
