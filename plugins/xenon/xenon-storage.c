/* xenon-storage.c: layers, root and scratch of a xenon container as disks
 * at boot, its mapped directories in two virtio-9p shares
 * (xenon-storage.h).
 *
 * The guest sees a disk's size as it was when the template booted (it is
 * read at probe time only, and a read-only disk cannot be resized to tell
 * it otherwise), so a layer slot's placeholder is as large as any image
 * put behind it and the scratch image is exactly its slot's size. The
 * template's guest read the placeholders' zeros once when it probed them
 * (partition tables); the kernel drops a block device's cached pages on
 * its last close, so a clone's first mount reads its own file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "xenon-storage.h"

#include "hcs-protocol.h"
#include "vm-layers.h"
#include "vm-netns.h"
#include "vm-shares.h"
#include "vm-tap.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* Sparse: only what a container writes takes room on the host. */
#define XENON_SCRATCH_SIZE (G_GUINT64_CONSTANT (2) << 30)
/* Costs nothing: a placeholder has no file. */
#define XENON_LAYER_SLOT_SIZE (G_GUINT64_CONSTANT (64) << 30)
#define XENON_SCRATCH_SLOT "hcs-scratch"
/* The 9p mount tags, and where the agent mounts them (as lcow's). */
#define XENON_SHARE_RW_TAG "hcs.rw"
#define XENON_SHARE_RO_TAG "hcs.ro"
#define XENON_GUEST_SHARES_DIR "/run/hcs/shares"
/* The NIC slot, and the MAC it has in a template (locally administered):
 * a clone's guest finds it by that MAC and gives it the endpoint's. */
#define XENON_NIC_SLOT "hcs-nic0"
#define XENON_NIC_SLOT_MAC "02:68:63:73:00:00"
/* The record of its folder in the system's state folder; nobody's folder
 * but a xenon storage's is removed from one. */
#define XENON_STORAGE_RECORD "xenon-storage"
#define XENON_STORAGE_DIR_PREFIX "hcs-xenon-"

struct _XenonStorage
{
  char *id;
  char *dir;         /* this container's: images, scratch, share folders */
  GPtrArray *images; /* (element-type utf8): top first, as ContainerConfig.Layers */
  char *scratch;     /* nullable: no root of the host's */
  GSubprocess *scratch_mkfs; /* nullable: making it, while the VM starts */
  char *shares[2];   /* the folders behind hcs.rw and hcs.ro */
  GPtrArray *binds;  /* (element-type utf8): bind mounts in them */
  GPtrArray *guest_paths; /* (element-type utf8): where the guest sees each MappedDirectory */
  GPtrArray *mount_paths; /* (element-type utf8): the same for each OCI mount, NULL for
                           * one the guest makes itself */
  char *tap;         /* nullable: the endpoint's host side, ours to delete */
  HcsEndpoint *endpoint; /* nullable: the one `tap` is a port of while it exists */
  char *mac;         /* the endpoint's */
  JsonObject *adapter; /* nullable: hcsshim's LCOWNetworkAdapter for the guest */
  VmNetnsTap *netns; /* nullable: a host namespace's tap instead of `tap` */
};

static char *
layer_slot_name (guint index)
{
  return g_strdup_printf ("hcs-layer%u", index);
}

void
xenon_storage_add_slots (VmConfig *config)
{
  for (guint i = 0; i < XENON_LAYER_SLOTS; i++)
    {
      g_autofree char *name = layer_slot_name (i);

      vm_config_add_disk (config, name, NULL, XENON_LAYER_SLOT_SIZE, TRUE);
    }
  vm_config_add_disk (config, XENON_SCRATCH_SLOT, NULL, XENON_SCRATCH_SIZE, FALSE);
  vm_config_add_nic (config, XENON_NIC_SLOT, XENON_NIC_SLOT_MAC, NULL);
}

/* The image of layer @index: the store's cached one, or this container's
 * own for a folder outside a store. */
static char *
layer_image (XenonStorage *storage, guint index, const HcsLayer *layer,
             const char *layer_store_dir, GError **error)
{
  g_autofree char *layer_dir = NULL;
  char *image;

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
                       "layer '%s' is not in the store %s", layer->id ? layer->id : "(null)",
                       layer_store_dir);
          return NULL;
        }
      files = hcs_layer_store_get_mount_path (store, layer->id);
      layer_dir = g_path_get_dirname (files);
    }
  if (layer_dir != NULL)
    return vm_layer_image_ensure (layer_dir, NULL, error);
  image = g_strdup_printf ("%s/layer%u.erofs", storage->dir, index);
  if (!vm_erofs_image_make (layer->path, image, error))
    g_clear_pointer (&image, g_free);
  return image;
}

/* An image larger than its slot would be cut short in the guest. */
static gboolean
check_fits (const char *image, GError **error)
{
  struct stat st;

  if (stat (image, &st) < 0)
    return hcs_set_error_from_errno (error, errno, "%s", image), FALSE;
  if ((guint64) st.st_size > XENON_LAYER_SLOT_SIZE)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "its image %s is larger than a disk slot (%" G_GUINT64_FORMAT " bytes)",
                   image, XENON_LAYER_SLOT_SIZE);
      return FALSE;
    }
  return TRUE;
}

/* @source (a folder, or a file for a mount) bound as @name into the
 * share @read_only picks: QEMU cannot add a 9p device to a running VM,
 * and a clone's devices are its template's, so host paths reach the
 * guest through the two shares. Read-only on the host as well as in
 * QEMU. Returns where the guest sees it. */
static char *
bind_into_share (XenonStorage *storage, const char *name, const char *source,
                 gboolean read_only, gboolean recursive, GError **error)
{
  g_autofree char *target = g_build_filename (storage->shares[read_only], name, NULL);

  if (!vm_share_bind (source, target, read_only, recursive, error))
    return NULL;
  g_ptr_array_add (storage->binds, g_steal_pointer (&target));
  return g_strdup_printf (XENON_GUEST_SHARES_DIR "/%s/%s", read_only ? "ro" : "rw", name);
}

static gboolean
bind_directory (XenonStorage *storage, guint index, const HcsMappedDirectory *mapped,
                GError **error)
{
  g_autofree char *name = g_strdup_printf ("m%u", index);
  char *guest_path = NULL;

  if (mapped->host_path == NULL || !g_file_test (mapped->host_path, G_FILE_TEST_IS_DIR))
    g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "'%s' is not a folder",
                 mapped->host_path ? mapped->host_path : "(null)");
  else
    guest_path = bind_into_share (storage, name, mapped->host_path, mapped->read_only, FALSE,
                                  error);
  if (guest_path == NULL)
    return g_prefix_error (error, "xenon: compute system '%s': ContainerConfig"
                           ".MappedDirectories[%u].HostPath: ", storage->id, index), FALSE;
  g_ptr_array_add (storage->guest_paths, guest_path);
  return TRUE;
}

/* OCI mount @index: a bind of a host path through a share, or one the
 * guest's runtime makes (its path NULL). */
static gboolean
bind_mount (XenonStorage *storage, guint index, const HcsMount *oci_mount, GError **error)
{
  g_autofree char *name = g_strdup_printf ("o%u", index);
  VmMountKind kind;
  gboolean read_only, recursive;
  char *guest_path = NULL;

  if (!vm_mount_classify (oci_mount, &kind, &read_only, &recursive, error))
    goto fail;
  if (kind == VM_MOUNT_IN_GUEST)
    {
      g_ptr_array_add (storage->mount_paths, NULL);
      return TRUE;
    }
  guest_path = bind_into_share (storage, name, oci_mount->source, read_only, recursive, error);
  if (guest_path == NULL)
    goto fail;
  g_ptr_array_add (storage->mount_paths, guest_path);
  return TRUE;

fail:
  return g_prefix_error (error, "xenon: compute system '%s': mounts[%u] (%s): ", storage->id,
                         index, oci_mount->destination), FALSE;
}

XenonStorage *
xenon_storage_prepare (const char *id, const HcsContainerConfig *config,
                       const char *layer_store_dir, GError **error)
{
  g_autoptr (XenonStorage) storage = NULL;
  guint n_layers = config->layers != NULL ? config->layers->len : 0;

  if (n_layers > XENON_LAYER_SLOTS)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "xenon: compute system '%s': ContainerConfig.Layers: %u layers, its VM has "
                   "disk slots for %d", id, n_layers, XENON_LAYER_SLOTS);
      return NULL;
    }
  storage = g_new0 (XenonStorage, 1);
  storage->id = g_strdup (id);
  storage->images = g_ptr_array_new_with_free_func (g_free);
  storage->binds = g_ptr_array_new_with_free_func (g_free);
  storage->guest_paths = g_ptr_array_new_with_free_func (g_free);
  storage->mount_paths = g_ptr_array_new_with_free_func (g_free);
  storage->dir = g_dir_make_tmp (XENON_STORAGE_DIR_PREFIX "XXXXXX", error);
  if (storage->dir == NULL)
    return g_prefix_error (error, "xenon: compute system '%s': its storage folder: ", id), NULL;
  for (guint i = 0; i < 2; i++)
    {
      storage->shares[i] = g_build_filename (storage->dir, i == 0 ? "rw" : "ro", NULL);
      if (g_mkdir (storage->shares[i], 0700) < 0)
        return hcs_set_error_from_errno (error, errno, "xenon: %s", storage->shares[i]), NULL;
    }
  for (guint i = 0; config->mapped_directories != NULL && i < config->mapped_directories->len;
       i++)
    if (!bind_directory (storage, i, config->mapped_directories->pdata[i], error))
      return NULL;
  for (guint i = 0; config->mounts != NULL && i < config->mounts->len; i++)
    if (!bind_mount (storage, i, config->mounts->pdata[i], error))
      return NULL;
  if (n_layers == 0 && config->volume_path == NULL)
    return g_steal_pointer (&storage);
  for (guint i = 0; i < n_layers; i++)
    {
      char *image = layer_image (storage, i, config->layers->pdata[i], layer_store_dir, error);

      if (image != NULL)
        g_ptr_array_add (storage->images, image);
      if (image == NULL || !check_fits (image, error))
        return g_prefix_error (error, "xenon: compute system '%s': ContainerConfig.Layers[%u]: ",
                               id, i), NULL;
    }
  if (n_layers == 0)
    {
      /* A root of the host's: its own image, not cached (the folder may
       * change under the same path and times). */
      char *image = g_build_filename (storage->dir, "root.erofs", NULL);

      g_ptr_array_add (storage->images, image);
      if (!vm_erofs_image_make (config->volume_path, image, error) || !check_fits (image, error))
        return g_prefix_error (error, "xenon: compute system '%s': ContainerConfig.VolumePath: ",
                               id), NULL;
    }
  /* Its file system is made while QEMU starts (xenon_storage_finish):
   * QEMU opens the file, and the guest reads it only once asked to
   * create the container. */
  storage->scratch = g_build_filename (storage->dir, "scratch.ext4", NULL);
  storage->scratch_mkfs = vm_scratch_image_start (storage->scratch, XENON_SCRATCH_SIZE, error);
  if (storage->scratch_mkfs == NULL)
    {
      g_clear_pointer (&storage->scratch, g_free);
      return g_prefix_error (error, "xenon: compute system '%s': ", id), NULL;
    }
  return g_steal_pointer (&storage);
}

gboolean
xenon_storage_finish (XenonStorage *storage, GError **error)
{
  g_autoptr (GSubprocess) mkfs = g_steal_pointer (&storage->scratch_mkfs);

  if (mkfs != NULL && !vm_scratch_image_finish (mkfs, storage->scratch, error))
    return g_prefix_error (error, "xenon: compute system '%s': ", storage->id), FALSE;
  return TRUE;
}

gboolean
xenon_storage_add_endpoint (XenonStorage *storage, HcsEndpoint *endpoint, GError **error)
{
  g_autoptr (JsonNode) shown = hcs_endpoint_to_json (endpoint);
  JsonObject *object = shown != NULL && JSON_NODE_HOLDS_OBJECT (shown)
                           ? json_node_get_object (shown)
                           : NULL;
  const char *id = hcs_endpoint_get_id (endpoint);
  const char *address = hcs_endpoint_get_ip_address (endpoint);
  const char *bridge =
      object ? json_object_get_string_member_with_default (object, "BridgeName", NULL) : NULL;
  const char *gateway =
      object ? json_object_get_string_member_with_default (object, "GatewayAddress", "") : "";
  gint64 prefix_length =
      object ? json_object_get_int_member_with_default (object, "PrefixLength", -1) : -1;
  guint64 mac = 0;
  g_autofree char *tap = NULL;

  if (storage->tap != NULL || storage->netns != NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "xenon: compute system '%s': its VM has one NIC slot: one endpoint",
                   storage->id);
      return FALSE;
    }
  if (bridge == NULL || *bridge == '\0')
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "xenon: endpoint %s: its network names no bridge a tap can join", id);
      return FALSE;
    }
  if (!hcs_parse_mac (hcs_endpoint_get_mac_address (endpoint), &mac))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "xenon: endpoint %s: MAC '%s'", id,
                   hcs_endpoint_get_mac_address (endpoint));
      return FALSE;
    }
  if (address == NULL || *address == '\0' || prefix_length < 0 || prefix_length > 32)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "xenon: endpoint %s: no IPv4 address and prefix length", id);
      return FALSE;
    }
  tap = vm_tap_name_for (id);
  if (!vm_tap_create (tap, bridge, error))
    return g_prefix_error (error, "xenon: endpoint %s: ", id), FALSE;
  /* The endpoint's policies (DisableICC, QoS, VLAN) hold for the VM's
   * NIC as for a container's eth0, before QEMU opens the tap. */
  {
    g_autoptr (GError) local_error = NULL;

    if (!hcs_endpoint_attach_port (endpoint, tap, &local_error))
      {
        vm_tap_delete (tap);
        g_set_error (error, local_error->domain, local_error->code,
                     "xenon: endpoint %s: its policies cannot reach tap %s: %s", id, tap,
                     local_error->message);
        return FALSE;
      }
  }
  storage->tap = g_steal_pointer (&tap);
  storage->endpoint = g_object_ref (endpoint);
  storage->mac = g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x", (guint) (mac >> 40) & 0xff,
                                  (guint) (mac >> 32) & 0xff, (guint) (mac >> 24) & 0xff,
                                  (guint) (mac >> 16) & 0xff, (guint) (mac >> 8) & 0xff,
                                  (guint) mac & 0xff);
  storage->adapter = json_object_new ();
  json_object_set_string_member (storage->adapter, "ID", id);
  json_object_set_string_member (storage->adapter, "MacAddress", storage->mac);
  json_object_set_string_member (storage->adapter, "IPAddress", address);
  json_object_set_int_member (storage->adapter, "PrefixLength", prefix_length);
  json_object_set_string_member (storage->adapter, "GatewayAddress", gateway);
  json_object_set_string_member (storage->adapter, "DNSSuffix",
                                 hcs_endpoint_get_dns_suffix (endpoint)
                                     ? hcs_endpoint_get_dns_suffix (endpoint)
                                     : "");
  json_object_set_string_member (storage->adapter, "DNSServerList",
                                 hcs_endpoint_get_dns_server_list (endpoint)
                                     ? hcs_endpoint_get_dns_server_list (endpoint)
                                     : "");
  /* A clone's NIC still has its template's MAC (the saved state carries
   * it): the guest finds it by that one and sets the endpoint's. */
  json_object_set_string_member (storage->adapter, "HcsSlotMacAddress", XENON_NIC_SLOT_MAC);
  return TRUE;
}

void
xenon_storage_add_shares (XenonStorage *storage, VmConfig *config)
{
  vm_config_add_share (config, XENON_SHARE_RW_TAG, storage->shares[0], FALSE);
  vm_config_add_share (config, XENON_SHARE_RO_TAG, storage->shares[1], TRUE);
}

gboolean
xenon_storage_add_netns (XenonStorage *storage, const char *netns_path, GError **error)
{
  VmNetnsTap *tap;

  if (storage->tap != NULL || storage->netns != NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "xenon: compute system '%s': its VM has one NIC slot: a network "
                   "namespace path (%s) and an endpoint together", storage->id, netns_path);
      return FALSE;
    }
  tap = vm_netns_tap_attach (netns_path, "hcsvm0", error);
  if (tap == NULL)
    return g_prefix_error (error, "xenon: compute system '%s': ", storage->id), FALSE;
  storage->netns = tap;
  storage->mac = g_strdup (tap->mac);
  storage->adapter = json_object_new ();
  json_object_set_string_member (storage->adapter, "ID", XENON_NIC_SLOT);
  vm_netns_tap_fill_adapter (tap, storage->adapter);
  json_object_set_string_member (storage->adapter, "HcsSlotMacAddress", XENON_NIC_SLOT_MAC);
  return TRUE;
}

void
xenon_storage_fill_slots (XenonStorage *storage, VmConfig *config)
{
  VmDisk *disk;

  if (storage->netns != NULL && storage->netns->tap_fd >= 0)
    {
      VmNic *nic = vm_config_find_nic (config, XENON_NIC_SLOT);

      /* The config's copy; QEMU inherits one, and the tap goes with the
       * last (QEMU's, once the configs are freed). */
      if (nic->tap_fd > 0)
        close (nic->tap_fd);
      nic->tap_fd = fcntl (storage->netns->tap_fd, F_DUPFD_CLOEXEC, 3);
      g_free (nic->mac);
      nic->mac = g_strdup (storage->mac);
    }

  if (storage->tap != NULL)
    {
      VmNic *nic = vm_config_find_nic (config, XENON_NIC_SLOT);

      g_free (nic->tap);
      nic->tap = g_strdup (storage->tap);
      /* What a cold boot's guest sees; a clone's sees its template's. */
      g_free (nic->mac);
      nic->mac = g_strdup (storage->mac);
    }
  if (storage->scratch == NULL)
    return;
  for (guint i = 0; i < storage->images->len; i++)
    {
      g_autofree char *name = layer_slot_name (i);

      disk = vm_config_find_disk (config, name);
      g_free (disk->path);
      disk->path = g_strdup (storage->images->pdata[i]);
    }
  disk = vm_config_find_disk (config, XENON_SCRATCH_SLOT);
  g_free (disk->path);
  disk->path = g_strdup (storage->scratch);
}

void
xenon_storage_set_guest_config (XenonStorage *storage, JsonObject *document)
{
  JsonObject *guest;
  JsonArray *layers;

  if (json_object_has_member (document, "MappedDirectories"))
    {
      JsonArray *mapped = json_object_get_array_member (document, "MappedDirectories");

      for (guint i = 0; i < json_array_get_length (mapped) && i < storage->guest_paths->len; i++)
        json_object_set_string_member (json_array_get_object_element (mapped, i), "HostPath",
                                       storage->guest_paths->pdata[i]);
    }
  for (guint i = 0; i < storage->mount_paths->len; i++)
    if (storage->mount_paths->pdata[i] != NULL)
      vm_guest_config_set_mount_source (document, i, storage->mount_paths->pdata[i]);
  json_object_remove_member (document, "EndpointList");
  if (storage->adapter != NULL)
    {
      JsonArray *adapters = json_array_new ();

      json_array_add_object_element (adapters, json_object_ref (storage->adapter));
      json_object_set_array_member (document, "NetworkAdapters", adapters);
    }
  if (storage->scratch == NULL)
    return;
  guest = json_object_new ();
  layers = json_array_new ();
  json_object_remove_member (document, "Layers");
  json_object_remove_member (document, "LayerFolderPath");
  json_object_remove_member (document, "VolumePath");
  for (guint i = 0; i < storage->images->len; i++)
    {
      g_autofree char *name = layer_slot_name (i);

      json_array_add_string_element (layers, name);
    }
  json_object_set_array_member (guest, "Layers", layers);
  json_object_set_string_member (guest, "Scratch", XENON_SCRATCH_SLOT);
  json_object_set_object_member (document, HCS_PROTOCOL_GUEST_STORAGE, guest);
}

/* Removes a container's folder @dir: the binds in its shares, then what
 * prepare made in it (the cached layer images are the store's). Never
 * recursive: a bind that would not go stays. */
static void
remove_storage_dir (const char *dir)
{
  g_autoptr (GDir) entries = NULL;
  const char *name;

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *share = g_build_filename (dir, i == 0 ? "rw" : "ro", NULL);

      /* Detached: a process that lingers in one does not keep it here. */
      vm_share_clear_folder (share);
      g_rmdir (share);
    }
  entries = g_dir_open (dir, 0, NULL);
  while (entries != NULL && (name = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

gboolean
xenon_storage_write_record (XenonStorage *storage, HcsStateFolder *folder, GError **error)
{
  return hcs_state_folder_write (folder, XENON_STORAGE_RECORD, storage->dir, -1, error);
}

void
xenon_storage_remove_leftovers (HcsStateFolder *folder)
{
  g_autofree char *dir = hcs_state_folder_read (folder, XENON_STORAGE_RECORD, NULL, NULL);
  g_autofree char *base = dir != NULL ? g_path_get_basename (dir) : NULL;

  if (dir == NULL || !g_path_is_absolute (dir) ||
      !g_str_has_prefix (base, XENON_STORAGE_DIR_PREFIX) || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    return;
  g_debug ("xenon: removing %s, left by a holder that died", dir);
  remove_storage_dir (dir);
}

void
xenon_storage_free (XenonStorage *storage)
{
  if (storage == NULL)
    return;
  if (storage->scratch_mkfs != NULL)
    {
      /* A create that failed before the scratch was waited for: no mkfs
       * outlives it, nor writes in the folder as it goes. */
      g_subprocess_force_exit (storage->scratch_mkfs);
      g_subprocess_wait (storage->scratch_mkfs, NULL, NULL);
      g_clear_object (&storage->scratch_mkfs);
    }
  if (storage->dir != NULL)
    remove_storage_dir (storage->dir);
  /* QEMU is gone: nothing holds it. Its policies go after it, not
   * before (an endpoint removed meanwhile gave its ports back already). */
  if (storage->tap != NULL && vm_tap_delete (storage->tap) && storage->endpoint != NULL)
    {
      g_autoptr (GError) error = NULL;

      if (!hcs_endpoint_detach_port (storage->endpoint, storage->tap, &error))
        g_debug ("xenon: %s: %s", storage->id, error->message);
    }
  g_clear_object (&storage->endpoint);
  if (storage->netns != NULL)
    {
      g_autoptr (GError) error = NULL;

      if (storage->netns->tap_fd >= 0)
        {
          close (storage->netns->tap_fd);
          storage->netns->tap_fd = -1;
        }
      if (!vm_netns_tap_detach (storage->netns, &error))
        g_debug ("xenon: %s: %s", storage->id, error->message);
      vm_netns_tap_free (storage->netns);
    }
  g_free (storage->tap);
  g_free (storage->mac);
  g_clear_pointer (&storage->adapter, json_object_unref);
  g_ptr_array_unref (storage->images);
  g_clear_pointer (&storage->binds, g_ptr_array_unref);
  g_clear_pointer (&storage->guest_paths, g_ptr_array_unref);
  g_clear_pointer (&storage->mount_paths, g_ptr_array_unref);
  g_free (storage->shares[0]);
  g_free (storage->shares[1]);
  g_free (storage->scratch);
  g_free (storage->dir);
  g_free (storage->id);
  g_free (storage);
}
