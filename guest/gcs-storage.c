/* gcs-storage.c: layers, scratch and shares inside the utility VM.
 *
 * The host hot-adds a container's layers as read-only erofs disks and a
 * scratch ext4 disk, each with a serial of the host's choosing; the agent
 * finds them by /sys/block/NAME/serial, mounts them under
 * /run/hcs/storage/N and builds the overlay (hcsshim's CombinedLayers)
 * that becomes the container's root. Mapped directories need nothing per
 * container: the host binds them into its 9p shares, mounted once, by the
 * first container that maps one, and names the guest path in the
 * container's MappedDirectories.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gcs-storage.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#define STORAGE_DIR "/run/hcs/storage"
#define SHARES_DIR "/run/hcs/shares"
/* A guard for disks the host has added: the guest's PCIe hot-plug
 * announces them within a few seconds, under TCG too. */
#define DISK_WAIT_MS 60000
/* Layers a container may have: more than the VM has slots for. */
#define MAX_LAYERS 32

struct _GcsStorage
{
  char *dir;
  GPtrArray *mounts; /* (element-type utf8): mounted folders, in mount order */
};

gboolean
gcs_storage_mount_shares (GError **error)
{
  static GMutex lock;
  static gboolean mounted = FALSE;
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&lock);
  static const struct
  {
    const char *tag, *dir;
    unsigned long flags;
  } shares[] = {
    { "hcs.rw", SHARES_DIR "/rw", MS_NOSUID | MS_NODEV },
    /* Read-only here too; QEMU's readonly=on is what holds, whatever a
     * guest does. */
    { "hcs.ro", SHARES_DIR "/ro", MS_NOSUID | MS_NODEV | MS_RDONLY },
  };

  if (mounted)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (shares); i++)
    {
      if (g_mkdir_with_parents (shares[i].dir, 0755) < 0)
        return hcs_set_error_from_errno (error, errno, "creating %s", shares[i].dir);
      if (mount (shares[i].tag, shares[i].dir, "9p", shares[i].flags,
                 "trans=virtio,version=9p2000.L,msize=262144,access=any") < 0)
        {
          /* A VM without that share (ENOENT: no such tag). */
          if (errno == ENOENT)
            continue;
          return hcs_set_error_from_errno (error, errno, "mounting the 9p share %s on %s",
                                           shares[i].tag, shares[i].dir);
        }
    }
  mounted = TRUE;
  return TRUE;
}

/* The /dev node of the virtio disk whose serial is @serial, or NULL. */
static char *
find_disk (const char *serial)
{
  g_autoptr (GDir) dir = g_dir_open ("/sys/block", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/sys/block", name, "serial", NULL);
      g_autofree char *contents = NULL;

      if (g_file_get_contents (path, &contents, NULL, NULL) &&
          g_str_equal (g_strstrip (contents), serial))
        return g_build_filename ("/dev", name, NULL);
    }
  return NULL;
}

/* Whether the block device at @device can be opened: the kernel shows a
 * hot-added disk's serial and /dev node before the disk is live, and an
 * open (a mount) in between fails with ENXIO. */
static gboolean
disk_ready (const char *device)
{
  int fd = open (device, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

  if (fd < 0)
    return errno != ENXIO && errno != ENOENT;
  close (fd);
  return TRUE;
}

static char *
wait_for_disk (const char *serial, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + DISK_WAIT_MS * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      char *device = find_disk (serial);

      if (device != NULL && disk_ready (device))
        return device;
      g_free (device);
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND,
                       "no disk with serial '%s' in /sys/block after %d ms", serial,
                       DISK_WAIT_MS);
          return NULL;
        }
      g_usleep (20 * G_TIME_SPAN_MILLISECOND);
    }
}

/* A string element or member, or NULL for anything else. */
static const char *
node_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* Serials are the host's names: [A-Za-z0-9._-], so never a path. */
static gboolean
check_serial (const char *what, const char *serial, GError **error)
{
  if (serial == NULL || *serial == '\0' || strlen (serial) > 20 ||
      strspn (serial, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
        strlen (serial))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   HCS_PROTOCOL_GUEST_STORAGE ".%s: '%s' is not a disk serial", what,
                   serial ? serial : "(null)");
      return FALSE;
    }
  return TRUE;
}

static gboolean
mount_at (GcsStorage *storage, const char *source, const char *target, const char *type,
          unsigned long flags, const char *data, GError **error)
{
  if (g_mkdir_with_parents (target, 0755) < 0)
    return hcs_set_error_from_errno (error, errno, "creating %s", target);
  if (mount (source, target, type, flags, data) < 0)
    {
      int saved_errno = errno;

      g_rmdir (target);
      return hcs_set_error_from_errno (error, saved_errno, "mounting %s (%s) on %s", source,
                                       type, target);
    }
  g_ptr_array_add (storage->mounts, g_strdup (target));
  return TRUE;
}

static gboolean
mount_disk (GcsStorage *storage, const char *serial, const char *target, const char *type,
            unsigned long flags, const char *data, GError **error)
{
  g_autofree char *device = wait_for_disk (serial, error);

  return device != NULL && mount_at (storage, device, target, type, flags, data, error);
}

GcsStorage *
gcs_storage_build (JsonObject *guest_storage, char **rootfs, GError **error)
{
  static gint counter = 0;
  g_autoptr (GcsStorage) storage = g_new0 (GcsStorage, 1);
  g_autoptr (GString) lower = g_string_new (NULL);
  g_autofree char *scratch = NULL;
  g_autofree char *upper = NULL;
  g_autofree char *work = NULL;
  g_autofree char *options = NULL;
  g_autofree char *root = NULL;
  JsonNode *layers_node = json_object_get_member (guest_storage, "Layers");
  const char *scratch_serial = node_string (json_object_get_member (guest_storage, "Scratch"));
  JsonArray *layers;
  guint n_layers;

  storage->mounts = g_ptr_array_new_with_free_func (g_free);
  storage->dir = g_strdup_printf (STORAGE_DIR "/%d", g_atomic_int_add (&counter, 1));
  if (layers_node == NULL || !JSON_NODE_HOLDS_ARRAY (layers_node) ||
      (n_layers = json_array_get_length (json_node_get_array (layers_node))) == 0 ||
      n_layers > MAX_LAYERS)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   HCS_PROTOCOL_GUEST_STORAGE ".Layers: 1 to %d disk serials are needed",
                   MAX_LAYERS);
      return NULL;
    }
  if (!check_serial ("Scratch", scratch_serial, error))
    return NULL;
  layers = json_node_get_array (layers_node);
  for (guint i = 0; i < n_layers; i++)
    {
      const char *serial = node_string (json_array_get_element (layers, i));
      g_autofree char *target = NULL;

      if (!check_serial ("Layers", serial, error))
        return NULL;
      target = g_strdup_printf ("%s/layer%u", storage->dir, i);
      if (!mount_disk (storage, serial, target, "erofs", MS_RDONLY | MS_NODEV, NULL, error))
        return NULL;
      g_string_append_printf (lower, "%s%s", i > 0 ? ":" : "", target);
    }
  /* noinit_itable: the host left the inode tables unzeroed in a sparse
   * file; nothing needs them zeroed. */
  scratch = g_build_filename (storage->dir, "scratch", NULL);
  if (!mount_disk (storage, scratch_serial, scratch, "ext4", MS_NODEV, "noinit_itable", error))
    return NULL;
  upper = g_build_filename (scratch, "upper", NULL);
  work = g_build_filename (scratch, "work", NULL);
  if (g_mkdir_with_parents (upper, 0755) < 0 || g_mkdir_with_parents (work, 0700) < 0)
    return hcs_set_error_from_errno (error, errno, "creating %s/{upper,work}", scratch), NULL;
  root = g_build_filename (storage->dir, "rootfs", NULL);
  options = g_strdup_printf ("lowerdir=%s,upperdir=%s,workdir=%s", lower->str, upper, work);
  if (!mount_at (storage, "overlay", root, "overlay", 0, options, error))
    return NULL;
  *rootfs = g_steal_pointer (&root);
  return g_steal_pointer (&storage);
}

void
gcs_storage_free (GcsStorage *storage)
{
  if (storage == NULL)
    return;
  /* The overlay first, then what it stands on. Detached: a process of the
   * container that lingers does not keep them mounted here. */
  for (guint i = storage->mounts->len; i > 0; i--)
    {
      const char *target = storage->mounts->pdata[i - 1];

      umount2 (target, MNT_DETACH);
      g_rmdir (target);
    }
  g_rmdir (storage->dir);
  g_ptr_array_unref (storage->mounts);
  g_free (storage->dir);
  g_free (storage);
}
