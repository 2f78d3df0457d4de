/* lcow-storage.c: layers, scratch and mapped directories of the
 * containers of a utility VM, on the host's side.
 *
 * Layers reach the guest as read-only erofs disks (hcsshim's
 * MappedVirtualDisk; plugins/vm/vm-layers.c makes and caches the images),
 * with a scratch ext4 disk of the container's own on top, from which the
 * agent builds the overlay (hcsshim's CombinedLayers). Mapped directories
 * are bind-mounted into one of the UVM's two virtio-9p shares: QEMU
 * cannot hot-add a 9p device, and the read-only share is readonly=on in
 * QEMU, so a ReadOnly mapping holds whatever the guest does.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "lcow-storage.h"

#include "vm-layers.h"
#include "vm-shares.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The UVM storage folders' prefix in the temporary folder, and the file
 * in each that names the process holding it ("PID START-TIME"). */
#define LCOW_STORAGE_PREFIX "hcs-lcow-"
#define LCOW_STORAGE_OWNER "owner"

/* A sparse file: only what the container writes takes room. */
#define LCOW_SCRATCH_SIZE (G_GUINT64_CONSTANT (2) << 30)

typedef struct
{
  char *name;       /* the disk's serial and QEMU id: the host's choice */
  char *path;
  gboolean read_only;
  gboolean owned;   /* made for this container: deleted with it */
  gboolean attached;
} LcowDisk;

typedef struct
{
  char *target;     /* in a share folder: the bind mount */
  char *guest_path; /* where the guest sees it */
} LcowBind;

struct _LcowStorage
{
  char *id;
  LcowStorageRoot *root;
  GPtrArray *layers;  /* (element-type LcowDisk): top first, as ContainerConfig.Layers */
  LcowDisk *scratch;  /* nullable: no root of the host's */
  GPtrArray *binds;   /* (element-type LcowBind): as ContainerConfig.MappedDirectories */
  GPtrArray *mounts;  /* (element-type LcowBind): as the OCI mounts, NULL for the guest's own */
};

/* Names unique in the process, so in any UVM of it. */
static char *
new_name (const char *kind)
{
  static gint counter = 0;

  return g_strdup_printf ("hcs-%s%d", kind, g_atomic_int_add (&counter, 1));
}

static void
lcow_disk_free (LcowDisk *disk)
{
  if (disk->owned && disk->path != NULL)
    g_unlink (disk->path);
  g_free (disk->name);
  g_free (disk->path);
  g_free (disk);
}

static void
lcow_bind_free (LcowBind *bind)
{
  if (bind == NULL)
    return;
  if (bind->target != NULL)
    vm_share_unbind (bind->target);
  g_free (bind->target);
  g_free (bind->guest_path);
  g_free (bind);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LcowDisk, lcow_disk_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LcowBind, lcow_bind_free)

/* --- the UVM's folders ------------------------------------------------------------ */

/* Empties @dir of the images containers left. */
static void
empty_folder (const char *dir)
{
  g_autoptr (GDir) entries = g_dir_open (dir, 0, NULL);
  const char *name;

  while (entries != NULL && (name = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
}

/* Removes a UVM's storage folder @dir: binds left undone (files or
 * folders; one still mounted stays), images deleted. */
static void
remove_root_folder (const char *dir)
{
  g_autofree char *shares_rw = g_build_filename (dir, "rw", NULL);
  g_autofree char *shares_ro = g_build_filename (dir, "ro", NULL);
  g_autofree char *disks = g_build_filename (dir, "disks", NULL);
  g_autofree char *owner = g_build_filename (dir, LCOW_STORAGE_OWNER, NULL);

  vm_share_clear_folder (shares_rw);
  vm_share_clear_folder (shares_ro);
  empty_folder (disks);
  g_rmdir (shares_rw);
  g_rmdir (shares_ro);
  g_rmdir (disks);
  g_unlink (owner);
  g_rmdir (dir);
}

/* The storage folders of UVMs whose holding process died (a holder or a
 * host killed: QEMU died with it, PR_SET_PDEATHSIG) and so never removed
 * them, with their containers' binds still mounted: removed by the next
 * UVM's maker. A folder without an owner yet is one being made: left. */
static void
remove_stale_roots (const char *own_dir)
{
  g_autoptr (GDir) entries = g_dir_open (g_get_tmp_dir (), 0, NULL);
  const char *name;

  while (entries != NULL && (name = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *dir = NULL;
      g_autofree char *owner_path = NULL;
      g_autofree char *owner = NULL;
      gint64 pid = 0;
      guint64 start_time = 0;

      if (!g_str_has_prefix (name, LCOW_STORAGE_PREFIX))
        continue;
      dir = g_build_filename (g_get_tmp_dir (), name, NULL);
      owner_path = g_build_filename (dir, LCOW_STORAGE_OWNER, NULL);
      if (g_str_equal (dir, own_dir) ||
          !g_file_get_contents (owner_path, &owner, NULL, NULL) ||
          sscanf (owner, "%" G_GINT64_FORMAT " %" G_GUINT64_FORMAT, &pid, &start_time) != 2 ||
          pid <= 0 || (start_time > 0 && hcs_process_start_time ((int) pid) == start_time))
        continue;
      g_debug ("lcow: removing %s, left by process %" G_GINT64_FORMAT, dir, pid);
      remove_root_folder (dir);
    }
}

static void
lcow_storage_root_clear (gpointer data)
{
  LcowStorageRoot *root = data;

  if (root->dir == NULL)
    return;
  remove_root_folder (root->dir);
  g_free (root->dir);
  g_free (root->shares_rw);
  g_free (root->shares_ro);
  g_free (root->disks);
}

LcowStorageRoot *
lcow_storage_root_ref (LcowStorageRoot *root)
{
  return g_atomic_rc_box_acquire (root);
}

void
lcow_storage_root_unref (LcowStorageRoot *root)
{
  if (root != NULL)
    g_atomic_rc_box_release_full (root, lcow_storage_root_clear);
}

LcowStorageRoot *
lcow_storage_root_new (GError **error)
{
  g_autoptr (LcowStorageRoot) root = g_atomic_rc_box_new0 (LcowStorageRoot);
  g_autofree char *dir = g_dir_make_tmp (LCOW_STORAGE_PREFIX "XXXXXX", error);
  g_autofree char *owner_path = NULL;
  g_autofree char *owner = NULL;

  if (dir == NULL)
    {
      g_prefix_error (error, "lcow: the utility VM's storage folder: ");
      return NULL;
    }
  root->dir = g_steal_pointer (&dir);
  root->shares_rw = g_build_filename (root->dir, "rw", NULL);
  root->shares_ro = g_build_filename (root->dir, "ro", NULL);
  root->disks = g_build_filename (root->dir, "disks", NULL);
  owner_path = g_build_filename (root->dir, LCOW_STORAGE_OWNER, NULL);
  owner = g_strdup_printf ("%d %" G_GUINT64_FORMAT, (int) getpid (),
                           hcs_process_start_time (getpid ()));
  if (!g_file_set_contents (owner_path, owner, -1, error))
    return g_prefix_error (error, "lcow: "), NULL;
  if (g_mkdir (root->shares_rw, 0700) < 0 || g_mkdir (root->shares_ro, 0700) < 0 ||
      g_mkdir (root->disks, 0700) < 0)
    return hcs_set_error_from_errno (error, errno, "lcow: making folders in %s", root->dir),
           NULL;
  remove_stale_roots (root->dir);
  return g_steal_pointer (&root);
}

void
lcow_storage_root_add_shares (const LcowStorageRoot *root, VmConfig *config)
{
  vm_config_add_share (config, LCOW_SHARE_RW_TAG, root->shares_rw, FALSE);
  vm_config_add_share (config, LCOW_SHARE_RO_TAG, root->shares_ro, TRUE);
}

/* --- prepare ---------------------------------------------------------------------- */

gboolean
lcow_storage_wanted (const HcsContainerConfig *config)
{
  return config->volume_path != NULL || (config->layers != NULL && config->layers->len > 0) ||
         (config->mapped_directories != NULL && config->mapped_directories->len > 0) ||
         (config->mounts != NULL && config->mounts->len > 0);
}

/* The image of layer @index: the store's cached one, or one of its own
 * for a folder outside a store. */
static LcowDisk *
layer_disk (const char *id, guint index, const HcsLayer *layer, const char *layer_store_dir,
            LcowStorageRoot *root, GError **error)
{
  g_autoptr (LcowDisk) disk = g_new0 (LcowDisk, 1);
  g_autofree char *layer_dir = NULL;

  disk->name = new_name ("l");
  disk->read_only = TRUE;
  if (layer->path != NULL)
    layer_dir = vm_layer_dir_from_files (layer->path);
  else
    {
      g_autoptr (HcsLayerStore) store = hcs_layer_store_new (layer_store_dir, error);
      g_autofree char *files = NULL;

      if (store == NULL)
        return NULL;
      if (layer->id == NULL || !hcs_layer_store_exists (store, layer->id))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND,
                       "lcow: compute system '%s': ContainerConfig.Layers[%u]: layer '%s' is "
                       "not in the store %s", id, index, layer->id ? layer->id : "(null)",
                       layer_store_dir);
          return NULL;
        }
      files = hcs_layer_store_get_mount_path (store, layer->id);
      layer_dir = g_path_get_dirname (files);
    }
  if (layer_dir != NULL)
    disk->path = vm_layer_image_ensure (layer_dir, NULL, error);
  else
    {
      disk->owned = TRUE;
      disk->path = g_strdup_printf ("%s/%s.erofs", root->disks, disk->name);
      if (!vm_erofs_image_make (layer->path, disk->path, error))
        g_clear_pointer (&disk->path, g_free);
    }
  if (disk->path == NULL)
    {
      g_prefix_error (error, "lcow: compute system '%s': ContainerConfig.Layers[%u]: ", id,
                      index);
      return NULL;
    }
  return g_steal_pointer (&disk);
}
/* @source (a folder, or a file for a mount) bound into the share
 * @read_only picks, under a name of the host's: the host's own read-only
 * bind as well as QEMU's readonly=on. */
static LcowBind *
bind_into_share (const char *source, gboolean read_only, gboolean recursive,
                 LcowStorageRoot *root, GError **error)
{
  g_autoptr (LcowBind) bind = g_new0 (LcowBind, 1);
  g_autofree char *name = new_name ("m");
  g_autofree char *target =
      g_build_filename (read_only ? root->shares_ro : root->shares_rw, name, NULL);

  if (!vm_share_bind (source, target, read_only, recursive, error))
    return NULL;
  bind->target = g_steal_pointer (&target);
  bind->guest_path =
      g_strdup_printf (LCOW_GUEST_SHARES_DIR "/%s/%s", read_only ? "ro" : "rw", name);
  return g_steal_pointer (&bind);
}

static LcowBind *
bind_directory (const char *id, guint index, const HcsMappedDirectory *mapped,
                LcowStorageRoot *root, GError **error)
{
  LcowBind *bind = NULL;

  if (mapped->host_path == NULL || !g_file_test (mapped->host_path, G_FILE_TEST_IS_DIR))
    g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "'%s' is not a folder",
                 mapped->host_path ? mapped->host_path : "(null)");
  else
    bind = bind_into_share (mapped->host_path, mapped->read_only, FALSE, root, error);
  if (bind == NULL)
    g_prefix_error (error, "lcow: compute system '%s': ContainerConfig.MappedDirectories[%u]"
                    ".HostPath: ", id, index);
  return bind;
}

/* OCI mount @index: a bind of a host path through a share, NULL with no
 * error for one the guest makes itself (tmpfs, proc...). */
static LcowBind *
bind_mount (const char *id, guint index, const HcsMount *oci_mount, LcowStorageRoot *root,
            GError **error)
{
  VmMountKind kind;
  gboolean read_only, recursive;
  LcowBind *bind = NULL;

  if (vm_mount_classify (oci_mount, &kind, &read_only, &recursive, error))
    {
      if (kind == VM_MOUNT_IN_GUEST)
        return NULL;
      bind = bind_into_share (oci_mount->source, read_only, recursive, root, error);
    }
  if (bind == NULL)
    g_prefix_error (error, "lcow: compute system '%s': mounts[%u] (%s): ", id, index,
                    oci_mount->destination);
  return bind;
}

LcowStorage *
lcow_storage_prepare (const char *id, const HcsContainerConfig *config,
                      const char *layer_store_dir, LcowStorageRoot *root, GError **error)
{
  g_autoptr (LcowStorage) storage = g_new0 (LcowStorage, 1);

  storage->id = g_strdup (id);
  storage->root = lcow_storage_root_ref (root);
  storage->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) lcow_disk_free);
  storage->binds = g_ptr_array_new_with_free_func ((GDestroyNotify) lcow_bind_free);
  storage->mounts = g_ptr_array_new_with_free_func ((GDestroyNotify) lcow_bind_free);
  for (guint i = 0; config->layers != NULL && i < config->layers->len; i++)
    {
      LcowDisk *disk = layer_disk (id, i, config->layers->pdata[i], layer_store_dir, root, error);

      if (disk == NULL)
        return NULL;
      g_ptr_array_add (storage->layers, disk);
    }
  if (storage->layers->len == 0 && config->volume_path != NULL)
    {
      /* A root file system of the host: its own image, not cached (the
       * folder may change under the same path and mtime). */
      g_autoptr (LcowDisk) disk = g_new0 (LcowDisk, 1);

      disk->name = new_name ("r");
      disk->read_only = TRUE;
      disk->owned = TRUE;
      disk->path = g_strdup_printf ("%s/%s.erofs", root->disks, disk->name);
      if (!vm_erofs_image_make (config->volume_path, disk->path, error))
        {
          g_clear_pointer (&disk->path, g_free);
          g_prefix_error (error, "lcow: compute system '%s': ContainerConfig.VolumePath: ", id);
          return NULL;
        }
      g_ptr_array_add (storage->layers, g_steal_pointer (&disk));
    }
  if (storage->layers->len > 0)
    {
      g_autoptr (LcowDisk) disk = g_new0 (LcowDisk, 1);

      disk->name = new_name ("s");
      disk->owned = TRUE;
      disk->path = g_strdup_printf ("%s/%s.ext4", root->disks, disk->name);
      if (!vm_scratch_image_make (disk->path, LCOW_SCRATCH_SIZE, error))
        return g_prefix_error (error, "lcow: "), NULL;
      storage->scratch = g_steal_pointer (&disk);
    }
  for (guint i = 0; config->mapped_directories != NULL && i < config->mapped_directories->len;
       i++)
    {
      LcowBind *bind = bind_directory (id, i, config->mapped_directories->pdata[i], root, error);

      if (bind == NULL)
        return NULL;
      g_ptr_array_add (storage->binds, bind);
    }
  for (guint i = 0; config->mounts != NULL && i < config->mounts->len; i++)
    {
      g_autoptr (GError) local_error = NULL;
      LcowBind *bind = bind_mount (id, i, config->mounts->pdata[i], root, &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_ptr_array_add (storage->mounts, bind);
    }
  return g_steal_pointer (&storage);
}

LcowStorageRoot *
lcow_storage_get_root (LcowStorage *storage)
{
  return storage->root;
}

void
lcow_storage_free (LcowStorage *storage)
{
  if (storage == NULL)
    return;
  g_ptr_array_unref (storage->layers);
  g_clear_pointer (&storage->scratch, lcow_disk_free);
  g_ptr_array_unref (storage->binds);
  g_ptr_array_unref (storage->mounts);
  /* Last: its binds and images are in the root's folders. */
  lcow_storage_root_unref (storage->root);
  g_free (storage->id);
  g_free (storage);
}

/* --- the VM ----------------------------------------------------------------------- */

static void
result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
await (GMainContext *context, GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (context, TRUE);
  return *result;
}

static gboolean
attach_disk (LcowDisk *disk, VmMachine *vm, GMainContext *context, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  vm_machine_add_disk_async (vm, disk->name, disk->path, disk->read_only, NULL, result_cb,
                             &result);
  if (!vm_machine_add_disk_finish (vm, await (context, &result), error))
    return FALSE;
  disk->attached = TRUE;
  return TRUE;
}

gboolean
lcow_storage_attach (LcowStorage *storage, VmMachine *vm, GMainContext *context,
                     GError **error)
{
  for (guint i = 0; i < storage->layers->len; i++)
    if (!attach_disk (storage->layers->pdata[i], vm, context, error))
      goto fail;
  if (storage->scratch != NULL && !attach_disk (storage->scratch, vm, context, error))
    goto fail;
  return TRUE;

fail:
  g_prefix_error (error, "lcow: compute system '%s': ", storage->id);
  lcow_storage_detach (storage, vm, context);
  return FALSE;
}

typedef struct
{
  guint pending;
} Detaching;

static void
disk_removed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Detaching *detaching = user_data;

  /* A VM that died took the disk with it. */
  vm_machine_remove_disk_finish (VM_MACHINE (source), result, NULL);
  detaching->pending--;
}

static void
detach_disk (LcowDisk *disk, VmMachine *vm, Detaching *detaching)
{
  if (disk == NULL || !disk->attached)
    return;
  disk->attached = FALSE;
  if (vm == NULL || !vm_machine_is_running (vm))
    return;
  detaching->pending++;
  vm_machine_remove_disk_async (vm, disk->name, NULL, disk_removed_cb, detaching);
}

void
lcow_storage_detach (LcowStorage *storage, VmMachine *vm, GMainContext *context)
{
  Detaching detaching = { 0 };

  /* Together: the guest's hot-unplug of each takes its own while. */
  for (guint i = 0; i < storage->layers->len; i++)
    detach_disk (storage->layers->pdata[i], vm, &detaching);
  detach_disk (storage->scratch, vm, &detaching);
  while (detaching.pending > 0)
    g_main_context_iteration (context, TRUE);
}

/* --- the guest's document --------------------------------------------------------- */

JsonNode *
lcow_storage_guest_config (LcowStorage *storage, const HcsContainerConfig *config)
{
  JsonNode *node = hcs_container_config_to_node (config);
  JsonObject *object = json_node_get_object (node);

  json_object_remove_member (object, "Layers");
  json_object_remove_member (object, "LayerFolderPath");
  json_object_remove_member (object, "VolumePath");
  if (storage->layers->len > 0)
    {
      JsonObject *guest = json_object_new ();
      JsonArray *layers = json_array_new ();

      for (guint i = 0; i < storage->layers->len; i++)
        json_array_add_string_element (layers, ((LcowDisk *) storage->layers->pdata[i])->name);
      json_object_set_array_member (guest, "Layers", layers);
      json_object_set_string_member (guest, "Scratch", storage->scratch->name);
      json_object_set_object_member (object, HCS_PROTOCOL_GUEST_STORAGE, guest);
    }
  if (json_object_has_member (object, "MappedDirectories"))
    {
      JsonArray *mapped = json_object_get_array_member (object, "MappedDirectories");

      for (guint i = 0; i < json_array_get_length (mapped) && i < storage->binds->len; i++)
        json_object_set_string_member (json_array_get_object_element (mapped, i), "HostPath",
                                       ((LcowBind *) storage->binds->pdata[i])->guest_path);
    }
  /* Binds of host paths become binds of their place in a share. */
  for (guint i = 0; i < storage->mounts->len; i++)
    if (storage->mounts->pdata[i] != NULL)
      vm_guest_config_set_mount_source (object, i,
                                        ((LcowBind *) storage->mounts->pdata[i])->guest_path);
  return node;
}
