/* lcow-storage.h: what a container of the utility VM stands on: its
 * layers as read-only erofs disks, a scratch ext4 disk, and its mapped
 * directories in the UVM's virtio-9p shares (docs/lcow.md).
 *
 * The host chooses every name and path: the guest learns disk serials and
 * share names only, and nothing the guest says is used as a host path.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs-plugin.h"
#include "vm-machine.h"

G_BEGIN_DECLS

/* The 9p mount tags of the UVM's two shares, and where the agent mounts
 * them (docs/guest.md). */
#define LCOW_SHARE_RW_TAG "hcs.rw"
#define LCOW_SHARE_RO_TAG "hcs.ro"
#define LCOW_GUEST_SHARES_DIR "/run/hcs/shares"

/* The folders one UVM keeps on the host: <dir>/rw and <dir>/ro, the
 * shares (folders mapped into containers are bind-mounted there), and
 * <dir>/disks, the images made for its containers. */
typedef struct
{
  char *dir;
  char *shares_rw;
  char *shares_ro;
  char *disks;
} LcowStorageRoot;

/* Makes them under the temporary folder. Reference counted: the UVM and
 * each container's storage hold it. */
LcowStorageRoot *lcow_storage_root_new (GError **error);
LcowStorageRoot *lcow_storage_root_ref (LcowStorageRoot *root);
/* The last reference removes them: what containers left (mounts, images)
 * goes first. Never recursive through a mount. */
void lcow_storage_root_unref (LcowStorageRoot *root);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LcowStorageRoot, lcow_storage_root_unref)

/* The shares to give the UVM at boot. */
void lcow_storage_root_add_shares (const LcowStorageRoot *root, VmConfig *config);

typedef struct _LcowStorage LcowStorage;

/* On the host, no VM yet: the erofs image of each layer (cached in the
 * layer store, once per layer), or of the root file system (VolumePath,
 * made for this container: not cached, a folder changes under its path),
 * a scratch ext4 image, and the bind mounts of the mapped directories.
 * @layer_store_dir resolves layers given by id. Everything made is undone
 * on error. */
LcowStorage *lcow_storage_prepare (const char *id, const HcsContainerConfig *config,
                                   const char *layer_store_dir, LcowStorageRoot *root,
                                   GError **error);
/* In the VM's thread (@context is its thread-default context, iterated
 * while waiting): hot-adds the disks, the layers read-only. */
gboolean lcow_storage_attach (LcowStorage *storage, VmMachine *vm, GMainContext *context,
                              GError **error);
/* In the VM's thread: removes the disks that were added (device_del, then
 * blockdev-del). A VM that is gone took them with it. */
void lcow_storage_detach (LcowStorage *storage, VmMachine *vm, GMainContext *context);
/* The ContainerConfig document the guest gets: no host path left in it
 * (layers and root become "GuestStorage": disk serials; the mapped
 * directories' HostPath the guest's path in a share). */
JsonNode *lcow_storage_guest_config (LcowStorage *storage, const HcsContainerConfig *config);
/* The UVM folders it was prepared in: a UVM booted meanwhile has others. */
LcowStorageRoot *lcow_storage_get_root (LcowStorage *storage);
/* Undoes prepare on the host: the mounts unmounted, the images made for
 * this container deleted. Detach first. */
void lcow_storage_free (LcowStorage *storage);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LcowStorage, lcow_storage_free)

/* Whether @config asks for anything this module provides. */
gboolean lcow_storage_wanted (const HcsContainerConfig *config);

G_END_DECLS
