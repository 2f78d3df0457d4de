/* hcs-layer-scratch.c: scratch layers with a size limit, and activation.
 *
 * The limit is a real file system: an ext4 image of the asked size on a
 * loop device, mounted as the container's scratch folder. It works on any
 * backing file system (project quotas would need xfs or ext4 mounted with
 * prjquota, which most hosts do not have).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-layer-store.h"
#include "hcs-error.h"
#include "hcs-layer-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <linux/capability.h>
#include <linux/loop.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIN_SCRATCH_SIZE (8 * 1024 * 1024)

static char *
scratch_file (HcsLayerStore *self, const char *id, const char *name)
{
  return g_build_filename (hcs_layer_store_get_path (self), id, name, NULL);
}

static gboolean
run_tool (const char *const *argv, const char *id, GError **error)
{
  g_autofree char *errors = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &errors, &status, error))
    return g_prefix_error (error, "scratch layer '%s': ", id), FALSE;
  /* e2fsck: 1 means it fixed something, which is a success. */
  if (!(WIFEXITED (status) &&
        (WEXITSTATUS (status) == 0 ||
         (WEXITSTATUS (status) == 1 && g_str_equal (argv[0], "e2fsck")))))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "scratch layer '%s': %s %s failed: %s", id,
                   argv[0], argv[g_strv_length ((char **) argv) - 1], errors ? errors : "");
      return FALSE;
    }
  return TRUE;
}

HcsLayerInfo *
hcs_layer_store_create_scratch (HcsLayerStore *self, const char *id, const char *parent,
                                guint64 size_bytes, GError **error)
{
  g_autofree char *staging = NULL, *final = NULL, *image = NULL, *fs = NULL;
  int lock_fd = -1;

  if (!hcs_layer_check_new (self, id, parent, "scratch layer", error))
    return NULL;
  if (size_bytes > 0 && size_bytes < MIN_SCRATCH_SIZE)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "scratch layer '%s': StorageSandboxSize: at least %d MiB", id,
                   MIN_SCRATCH_SIZE / (1024 * 1024));
      return NULL;
    }

  /* Made aside and renamed into place, as an import is: two creators of
   * one id never share (or remove) each other's folder. */
  staging = hcs_layer_make_staging (self, id, &lock_fd, error);
  if (staging == NULL)
    return NULL;
  fs = g_build_filename (staging, "fs", NULL);
  if (g_mkdir (fs, 0755) < 0)
    {
      hcs_set_error_from_errno (error, errno, "scratch layer '%s': creating %s", id, fs);
      goto fail;
    }
  if (size_bytes > 0)
    {
      const char *argv[] = { "mkfs.ext4", "-q", "-F", "-m", "0", "-O", "^has_journal", NULL, NULL };
      int fd;

      image = g_build_filename (staging, "scratch.img", NULL);
      fd = open (image, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
      if (fd < 0 || ftruncate (fd, size_bytes) < 0)
        {
          hcs_set_error_from_errno (error, errno, "scratch layer '%s': creating %s", id, image);
          if (fd >= 0)
            close (fd);
          goto fail;
        }
      close (fd);
      argv[7] = image;
      if (!run_tool (argv, id, error))
        goto fail;
    }
  {
    HcsLayerInfo info = { (char *) id, (char *) parent, (char *) "", 0, g_get_real_time (),
                          size_bytes };
    if (!hcs_layer_write_metadata (staging, &info, error))
      goto fail;
  }
  final = scratch_file (self, id, NULL);
  if (rename (staging, final) < 0)
    {
      g_set_error (error, HCS_ERROR,
                   errno == EEXIST || errno == ENOTEMPTY ? HCS_ERROR_ALREADY_EXISTS
                                                         : HCS_ERROR_FAILED,
                   "scratch layer '%s': moving it into place: %s", id, g_strerror (errno));
      goto fail;
    }
  close (lock_fd);
  return hcs_layer_store_inspect (self, id, error);

fail:
  hcs_layer_remove_tree (staging);
  close (lock_fd);
  return NULL;
}

/* The count file, read and written under an exclusive lock on the layer's
 * lock file; the caller keeps the returned fd (the lock) until done. */
static int
lock_layer (HcsLayerStore *self, const char *id, GError **error)
{
  g_autofree char *lock_path = scratch_file (self, id, ".lock");
  int fd;

  if (!hcs_layer_store_exists (self, id))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND, "layer '%s' does not exist",
                   id ? id : "");
      return -1;
    }
  fd = open (lock_path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 || flock (fd, LOCK_EX) < 0)
    {
      hcs_set_error_from_errno (error, errno, "layer '%s': locking %s", id, lock_path);
      if (fd >= 0)
        close (fd);
      return -1;
    }
  return fd;
}

static char *
boot_id (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &text, NULL, NULL))
    return g_strdup ("");
  return g_strdup (g_strstrip (text));
}

static gboolean
is_mount_point (const char *path)
{
  g_autofree char *parent = g_path_get_dirname (path);
  struct stat st, parent_st;

  return stat (path, &st) == 0 && stat (parent, &parent_st) == 0 &&
         st.st_dev != parent_st.st_dev;
}

/* "COUNT BOOT_ID": a count written before the last boot, or one whose
 * mount (@mount_point, when it needs one) someone undid by hand, is 0 --
 * else the next user would be handed a folder with nothing mounted. */
static guint
read_named_count (HcsLayerStore *self, const char *id, const char *name, const char *mount_point)
{
  g_autofree char *path = scratch_file (self, id, name);
  g_autofree char *text = NULL, *boot = boot_id ();
  g_auto (GStrv) fields = NULL;
  guint count;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  fields = g_strsplit (g_strstrip (text), " ", 2);
  if (fields[0] == NULL || fields[1] == NULL || !g_str_equal (fields[1], boot))
    return 0;
  count = (guint) g_ascii_strtoull (fields[0], NULL, 10);
  if (count > 0 && mount_point != NULL && !is_mount_point (mount_point))
    return 0;
  return count;
}

static gboolean
write_named_count (HcsLayerStore *self, const char *id, const char *name, guint count,
                   GError **error)
{
  g_autofree char *path = scratch_file (self, id, name);
  g_autofree char *boot = boot_id ();
  g_autofree char *text = g_strdup_printf ("%u %s\n", count, boot);

  if (count == 0)
    return g_unlink (path) == 0 || errno == ENOENT;
  return g_file_set_contents (path, text, -1, error);
}

/* The scratch volume's mount point when it has one (an image). */
static char *
volume_mount_point (HcsLayerStore *self, const char *id)
{
  g_autofree char *image = scratch_file (self, id, "scratch.img");

  return g_file_test (image, G_FILE_TEST_EXISTS) ? scratch_file (self, id, "fs") : NULL;
}

static guint
read_count (HcsLayerStore *self, const char *id)
{
  g_autofree char *mount_point = volume_mount_point (self, id);

  return read_named_count (self, id, "active", mount_point);
}

static gboolean
write_count (HcsLayerStore *self, const char *id, guint count, GError **error)
{
  return write_named_count (self, id, "active", count, error);
}

guint
hcs_layer_store_get_active_count (HcsLayerStore *self, const char *id)
{
  return hcs_layer_store_exists (self, id) ? read_count (self, id) : 0;
}

/* Attaches @image to a free loop device that detaches itself once it is
 * neither open nor mounted: the caller keeps *@loop_fd open until the
 * mount holds the device. */
static char *
attach_loop (const char *image, int *loop_fd, GError **error)
{
  int control = open ("/dev/loop-control", O_RDWR | O_CLOEXEC);
  int backing = open (image, O_RDWR | O_CLOEXEC);
  char *device = NULL;

  if (control < 0 || backing < 0)
    {
      hcs_set_error_from_errno (error, errno, "opening %s",
                                control < 0 ? "/dev/loop-control" : image);
      goto out;
    }
  for (int attempt = 0; attempt < 8 && device == NULL; attempt++)
    {
      struct loop_config config = { 0 };
      int number = ioctl (control, LOOP_CTL_GET_FREE);
      g_autofree char *path = NULL;
      int loop;

      if (number < 0)
        {
          hcs_set_error_from_errno (error, errno, "finding a free loop device");
          goto out;
        }
      path = g_strdup_printf ("/dev/loop%d", number);
      loop = open (path, O_RDWR | O_CLOEXEC);
      if (loop < 0)
        {
          hcs_set_error_from_errno (error, errno, "opening %s", path);
          goto out;
        }
      config.fd = backing;
      config.info.lo_flags = LO_FLAGS_AUTOCLEAR;
      g_strlcpy ((char *) config.info.lo_file_name, image, LO_NAME_SIZE);
      /* EBUSY: another process took the device first; try the next. */
      if (ioctl (loop, LOOP_CONFIGURE, &config) == 0)
        {
          device = g_steal_pointer (&path);
          *loop_fd = loop;
          break;
        }
      if (errno != EBUSY)
        {
          hcs_set_error_from_errno (error, errno, "attaching %s to %s", image, path);
          close (loop);
          goto out;
        }
      close (loop);
    }
  if (device == NULL && error && *error == NULL)
    g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "no free loop device for %s", image);

out:
  if (control >= 0)
    close (control);
  if (backing >= 0)
    close (backing);
  return device;
}

char *
hcs_layer_store_activate (HcsLayerStore *self, const char *id, GError **error)
{
  g_autofree char *fs = NULL, *image = NULL;
  guint count;
  int lock = lock_layer (self, id, error);

  if (lock < 0)
    return NULL;
  fs = scratch_file (self, id, "fs");
  image = scratch_file (self, id, "scratch.img");
  count = read_count (self, id);
  if (count == 0 && g_file_test (image, G_FILE_TEST_EXISTS))
    {
      int loop_fd = -1;
      g_autofree char *device = attach_loop (image, &loop_fd, error);
      int mounted;

      if (device == NULL)
        {
          g_prefix_error (error, "layer '%s': ", id);
          goto fail;
        }
      mounted = mount (device, fs, "ext4", MS_NOSUID | MS_NODEV, NULL);
      if (mounted < 0)
        hcs_set_error_from_errno (error, errno, "layer '%s': mounting %s on %s", id, device, fs);
      /* From here the mount holds the device; without one, closing our
       * descriptor lets it detach itself. */
      close (loop_fd);
      if (mounted < 0)
        goto fail;
    }
  if (!write_count (self, id, count + 1, error))
    {
      if (count == 0 && g_file_test (image, G_FILE_TEST_EXISTS))
        umount2 (fs, MNT_DETACH);
      goto fail;
    }
  close (lock);
  return g_steal_pointer (&fs);

fail:
  close (lock);
  return NULL;
}

/* Waits, at most @timeout_ms, until the loop device @device no longer backs
 * @image. The unmount drops only this namespace's hold on the ext4: a
 * container's mount namespace holds a copy of the mount, and the kernel
 * releases that (and with it the last opener of an autoclear loop device)
 * from a work queue after the container's last process has gone, some
 * tens of milliseconds later under load. Waiting here means that once
 * deactivate returns, the image is free for destroy, expand or reuse. */
static gboolean
wait_loop_detached (dev_t device, const char *image, guint timeout_ms)
{
  g_autofree char *backing_path = g_strdup_printf ("/sys/dev/block/%u:%u/loop/backing_file",
                                                   major (device), minor (device));
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      g_autofree char *backing = NULL;

      if (!g_file_get_contents (backing_path, &backing, NULL, NULL) ||
          strstr (backing, image) == NULL)
        return TRUE;
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (5 * 1000);
    }
}

gboolean
hcs_layer_store_deactivate (HcsLayerStore *self, const char *id, GError **error)
{
  g_autofree char *fs = NULL, *image = NULL;
  guint count;
  int lock = lock_layer (self, id, error);

  if (lock < 0)
    return FALSE;
  count = read_count (self, id);
  if (count == 0)
    {
      close (lock);
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE, "layer '%s' is not active", id);
      return FALSE;
    }
  fs = scratch_file (self, id, "fs");
  image = scratch_file (self, id, "scratch.img");
  if (count == 1 && g_file_test (image, G_FILE_TEST_EXISTS))
    {
      struct stat mounted;
      gboolean known = stat (fs, &mounted) == 0;

      if (umount2 (fs, 0) < 0)
        {
          int saved_errno = errno;
          close (lock);
          return hcs_set_error_from_errno (error, saved_errno, "layer '%s': unmounting %s", id,
                                           fs);
        }
      /* Not an error past the bound: the device detaches itself once its
       * last holder (a mount namespace still alive) lets it go. */
      if (known && !wait_loop_detached (mounted.st_dev, image, 10 * 1000))
        g_debug ("layer '%s': %s still attached after unmounting", id, image);
    }
  if (!write_count (self, id, count - 1, error))
    {
      close (lock);
      return FALSE;
    }
  close (lock);
  return TRUE;
}

/* --- prepare: the union on the host ------------------------------------------------ */

char *
hcs_layer_store_prepare (HcsLayerStore *self, const char *id, GError **error)
{
  g_autoptr (HcsLayerInfo) info = hcs_layer_store_inspect (self, id, error);
  g_autofree char *scratch = NULL, *rootfs = NULL, *upper = NULL, *work = NULL;
  g_autofree char *options = NULL, *lower = NULL;
  g_auto (GStrv) chain = NULL;
  guint count;
  int lock;

  if (info == NULL)
    return NULL;
  if (info->parent == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "layer '%s' has no parent layers to prepare a root from", id);
      return NULL;
    }
  chain = hcs_layer_store_get_chain_paths (self, info->parent, error);
  if (chain == NULL)
    return NULL;
  for (guint i = 0; chain[i]; i++)
    if (strpbrk (chain[i], ":,") != NULL)
      {
        g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                     "layer '%s': the layer folder %s has ':' or ','", id, chain[i]);
        return NULL;
      }

  scratch = hcs_layer_store_activate (self, id, error);
  if (scratch == NULL)
    return NULL;
  lock = lock_layer (self, id, error);
  if (lock < 0)
    goto fail_activated;
  rootfs = scratch_file (self, id, "rootfs");
  count = read_named_count (self, id, "prepared", rootfs);
  if (count == 0)
    {
      upper = g_build_filename (scratch, "upper", NULL);
      work = g_build_filename (scratch, "work", NULL);
      if ((g_mkdir (upper, 0755) < 0 && errno != EEXIST) ||
          (g_mkdir (work, 0700) < 0 && errno != EEXIST) ||
          (g_mkdir (rootfs, 0755) < 0 && errno != EEXIST))
        {
          hcs_set_error_from_errno (error, errno, "layer '%s': creating the overlay folders", id);
          goto fail_locked;
        }
      lower = g_strjoinv (":", chain);
      options = g_strdup_printf ("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
      if (mount ("overlay", rootfs, "overlay", MS_NODEV, options) < 0)
        {
          hcs_set_error_from_errno (error, errno, "layer '%s': mounting the overlay on %s", id,
                                    rootfs);
          goto fail_locked;
        }
    }
  if (!write_named_count (self, id, "prepared", count + 1, error))
    {
      if (count == 0)
        umount2 (rootfs, MNT_DETACH);
      goto fail_locked;
    }
  close (lock);
  return g_steal_pointer (&rootfs);

fail_locked:
  close (lock);
fail_activated:
  hcs_layer_store_deactivate (self, id, NULL);
  return NULL;
}

gboolean
hcs_layer_store_unprepare (HcsLayerStore *self, const char *id, GError **error)
{
  g_autofree char *rootfs = NULL;
  guint count;
  int lock = lock_layer (self, id, error);

  if (lock < 0)
    return FALSE;
  rootfs = scratch_file (self, id, "rootfs");
  count = read_named_count (self, id, "prepared", rootfs);
  if (count == 0)
    {
      close (lock);
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE, "layer '%s' is not prepared", id);
      return FALSE;
    }
  if (count == 1 && umount2 (rootfs, 0) < 0)
    {
      int saved_errno = errno;
      close (lock);
      return hcs_set_error_from_errno (error, saved_errno, "layer '%s': unmounting %s", id,
                                       rootfs);
    }
  if (!write_named_count (self, id, "prepared", count - 1, error))
    {
      close (lock);
      return FALSE;
    }
  close (lock);
  return hcs_layer_store_deactivate (self, id, error);
}

/* --- ExpandSandboxSize -------------------------------------------------------------- */

static gboolean
has_sys_resource (void)
{
  struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { { 0 } };

  if (syscall (SYS_capget, &header, data) < 0)
    return FALSE;
  return (data[CAP_SYS_RESOURCE / 32].effective & (1u << (CAP_SYS_RESOURCE % 32))) != 0;
}

/* /dev/loopN of a device number, by the kernel's name for it (no udev
 * links are needed, a container may have none). */
static char *
loop_device_of (dev_t device)
{
  g_autofree char *uevent_path =
      g_strdup_printf ("/sys/dev/block/%u:%u/uevent", major (device), minor (device));
  g_autofree char *uevent = NULL;
  g_auto (GStrv) lines = NULL;

  if (g_file_get_contents (uevent_path, &uevent, NULL, NULL))
    {
      lines = g_strsplit (uevent, "\n", -1);
      for (guint i = 0; lines[i]; i++)
        if (g_str_has_prefix (lines[i], "DEVNAME="))
          return g_strconcat ("/dev/", lines[i] + strlen ("DEVNAME="), NULL);
    }
  return g_strdup_printf ("/dev/loop%u", minor (device));
}

/* Grows the image, and the ext4 in it: online through the loop device
 * when the scratch is active (the device is told the new capacity first),
 * offline after a forced check otherwise. ext4 cannot shrink online, so
 * a smaller size is refused. */
gboolean
hcs_layer_store_expand_scratch (HcsLayerStore *self, const char *id, guint64 size_bytes,
                                GError **error)
{
  g_autoptr (HcsLayerInfo) info = NULL;
  g_autofree char *image = NULL, *fs = NULL, *device = NULL;
  gboolean ok = FALSE, active;
  int lock, fd;

  lock = lock_layer (self, id, error);
  if (lock < 0)
    return FALSE;
  info = hcs_layer_store_inspect (self, id, error);
  if (info == NULL)
    goto out;
  if (info->scratch_size_limit == 0)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "layer '%s' is not a size-limited scratch layer", id);
      goto out;
    }
  if (size_bytes < info->scratch_size_limit)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "scratch layer '%s': StorageSandboxSize: %" G_GUINT64_FORMAT
                   " is below its size %" G_GUINT64_FORMAT " (a scratch only grows)",
                   id, size_bytes, info->scratch_size_limit);
      goto out;
    }
  if (size_bytes == info->scratch_size_limit)
    {
      ok = TRUE;
      goto out;
    }

  image = scratch_file (self, id, "scratch.img");
  fs = scratch_file (self, id, "fs");
  active = read_count (self, id) > 0;
  /* ext4's online resize needs CAP_SYS_RESOURCE, which a host in a
   * container may lack: say so before touching anything. */
  if (active && !has_sys_resource ())
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "scratch layer '%s' is active, and growing it online needs "
                   "CAP_SYS_RESOURCE, which this process lacks: deactivate it first", id);
      goto out;
    }
  fd = open (image, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || ftruncate (fd, size_bytes) < 0)
    {
      hcs_set_error_from_errno (error, errno, "scratch layer '%s': growing %s", id, image);
      if (fd >= 0)
        close (fd);
      goto out;
    }
  close (fd);

  if (active)
    {
      struct stat st;
      const char *argv[] = { "resize2fs", NULL, NULL };
      int loop;

      if (stat (fs, &st) < 0)
        {
          hcs_set_error_from_errno (error, errno, "scratch layer '%s': %s", id, fs);
          goto out;
        }
      device = loop_device_of (st.st_dev);
      loop = open (device, O_RDWR | O_CLOEXEC);
      if (loop < 0 || ioctl (loop, LOOP_SET_CAPACITY, 0) < 0)
        {
          hcs_set_error_from_errno (error, errno, "scratch layer '%s': resizing %s", id, device);
          if (loop >= 0)
            close (loop);
          goto out;
        }
      close (loop);
      argv[1] = device;
      if (!run_tool (argv, id, error))
        goto out;
    }
  else
    {
      const char *check[] = { "e2fsck", "-f", "-p", image, NULL };
      const char *resize[] = { "resize2fs", image, NULL };
      if (!run_tool (check, id, error) || !run_tool (resize, id, error))
        goto out;
    }
  info->scratch_size_limit = size_bytes;
  {
    g_autofree char *dir = scratch_file (self, id, NULL);
    ok = hcs_layer_write_metadata (dir, info, error);
  }

out:
  close (lock);
  return ok;
}
