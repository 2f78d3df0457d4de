/* xenon-storage.h: what a xenon container stands on: its layers (or its
 * host root file system) as read-only erofs disks and a scratch ext4
 * disk, all attached at boot (microvm cannot hot-plug a disk), and its
 * mapped directories through two virtio-9p shares and its endpoint as a
 * tap behind a virtio-net NIC, all present at boot too.
 *
 * Every xenon VM has the same disk slots, so that one template serves
 * every container: XENON_LAYER_SLOTS read-only slots and a scratch slot,
 * placeholders (QEMU's null-co, reading zeros) in the template, each
 * clone's own files behind them. The agent builds the overlay from the
 * slots it is told of (guest/gcs-storage.c, as in lcow).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs-plugin.h"
#include "vm-command.h"

G_BEGIN_DECLS

/* Layers (the root counts as one) a container may have. */
#define XENON_LAYER_SLOTS 4

/* Adds the placeholder slots to @config (a template's shape). */
void xenon_storage_add_slots (VmConfig *config);

typedef struct _XenonStorage XenonStorage;

/* On the host, no VM yet, in a folder of the container's own under the
 * temporary folder: the erofs image of each layer (cached in the layer
 * store, once per layer) or of the root file system (VolumePath, this
 * container's own) and a sparse scratch ext4 image, when @config asks
 * for a root of the host's; the folders behind the VM's two 9p shares
 * (hcs.rw and hcs.ro, readonly=on), each mapped directory bind-mounted
 * in one. @layer_store_dir resolves layers given by id. Undone on error. */
XenonStorage *xenon_storage_prepare (const char *id, const HcsContainerConfig *config,
                                     const char *layer_store_dir, GError **error);
/* The endpoint's host side: a tap on its network's bridge, behind the
 * VM's NIC slot (one: a second endpoint is HCS_ERROR_NOT_SUPPORTED), and
 * the adapter the guest sets the NIC up from. */
gboolean xenon_storage_add_endpoint (XenonStorage *storage, HcsEndpoint *endpoint,
                                     GError **error);
/* A network namespace the caller made (OCI's network namespace path)
 * behind the NIC slot instead: a tap in it, mirrored with its interface
 * (vm-netns.h), inherited by QEMU; the adapter takes that interface's
 * MAC, address and gateway. Not with an endpoint (one slot). */
gboolean xenon_storage_add_netns (XenonStorage *storage, const char *netns_path,
                                  GError **error);
/* Adds the two shares, with its folders behind them, to @config. A
 * template's guest never mounts them (the agent mounts them when a
 * container first maps a folder: QEMU cannot save a VM with a 9p share
 * mounted), so a clone's may be other folders. */
void xenon_storage_add_shares (XenonStorage *storage, VmConfig *config);
/* Puts its files behind the slots of @config (made by
 * xenon_storage_add_slots): a cold boot's or a clone's. */
void xenon_storage_fill_slots (XenonStorage *storage, VmConfig *config);
/* Replaces the host's paths in @document (a ContainerConfig): its root
 * with the slots the guest builds it from (HCS_PROTOCOL_GUEST_STORAGE),
 * each MappedDirectories[].HostPath with the guest's path in a share,
 * EndpointList with NetworkAdapters. */
void xenon_storage_set_guest_config (XenonStorage *storage, JsonObject *document);
/* Waits for what prepare left running (the scratch's file system, made
 * while the VM starts): call it before the guest may read a disk. */
gboolean xenon_storage_finish (XenonStorage *storage, GError **error);
/* Deletes what prepare made. QEMU must be gone. */
void xenon_storage_free (XenonStorage *storage);

/* Records its folder in the system's state folder, so that what a holder
 * that died left there (binds in the shares, images) can be undone. */
gboolean xenon_storage_write_record (XenonStorage *storage, HcsStateFolder *folder,
                                     GError **error);
/* Undoes what the storage recorded in @folder left, should its holder
 * have died without doing it (a killed monitor): the binds in its shares
 * unmounted, its images deleted, its folder removed. Idempotent. */
void xenon_storage_remove_leftovers (HcsStateFolder *folder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (XenonStorage, xenon_storage_free)

G_END_DECLS
