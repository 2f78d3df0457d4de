/* gcs-storage.h: the guest's side of a container's storage in a utility
 * VM: the virtio-9p shares, and the root built of hot-added disks.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs.h"

G_BEGIN_DECLS

/* Mounts the host's shares (9p tags "hcs.rw" and "hcs.ro") at
 * /run/hcs/shares/rw and /run/hcs/shares/ro, those the VM has; once (the
 * next calls return TRUE), from any thread. Done when a container first
 * maps a folder, not at boot: QEMU refuses to save a VM whose guest has a
 * 9p share mounted, and xenon's templates are saved VMs. */
gboolean gcs_storage_mount_shares (GError **error);
/* Whether @config reaches into the shares: a mapped directory, or a bind
 * mount whose source the host put in one (an OCI mount of a host path). */
gboolean gcs_storage_uses_shares (const HcsContainerConfig *config);

typedef struct _GcsStorage GcsStorage;

/* Builds the root that @guest_storage describes ({"Layers": [serial...],
 * "Scratch": serial}, ContainerConfig's HCS_PROTOCOL_GUEST_STORAGE):
 * each layer disk mounted read-only, the scratch disk, the overlay of
 * them; *@rootfs is the overlay's folder. Waits for the disks to appear
 * (the host added them before Create). Undone on error. */
GcsStorage *gcs_storage_build (JsonObject *guest_storage, char **rootfs, GError **error);
/* Unmounts it all and removes its folders. */
void gcs_storage_free (GcsStorage *storage);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcsStorage, gcs_storage_free)

G_END_DECLS
