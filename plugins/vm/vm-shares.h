/* vm-shares.h: host folders and files handed to a VM's guest through its
 * virtio-9p shares, for ContainerConfig's MappedDirectories and the bind
 * mounts of an OCI config's `mounts` (lcow and xenon).
 *
 * QEMU cannot hot-add a 9p device, so a VM boots with two shares, one of
 * them readonly=on, each backed by a folder of the host's; what a
 * container maps is bind-mounted into one of those folders under a name
 * the host chooses, and the guest is told that name only. A read-only
 * mapping is also a read-only bind on the host, so it holds whatever the
 * guest's kernel or QEMU do.
 *
 * The other mounts of an OCI config (tmpfs, proc, sysfs, devpts, mqueue,
 * cgroup) name no host path: the runtime in the guest makes them inside
 * the container, as argon does on the host.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs-plugin.h"

G_BEGIN_DECLS

/* How an OCI mount reaches a container in a VM. */
typedef enum
{
  VM_MOUNT_HOST_BIND, /* a host path, through a share */
  VM_MOUNT_IN_GUEST,  /* a file system the guest's runtime makes */
} VmMountKind;

/* What @mount is to a VM: a bind (type "bind", or a "bind"/"rbind"
 * option, as the runtime spec says) of a host path, with whether it is
 * read-only ("ro", the last of "ro"/"rw" wins) and recursive ("rbind"),
 * or one of the kernel file systems the guest makes. Anything else (a
 * block device's file system, overlay, nfs...) is HCS_ERROR_NOT_SUPPORTED:
 * its source would mean something else in the guest. The message names
 * the type; the caller prefixes the system and the mount. */
gboolean vm_mount_classify (const HcsMount *mount, VmMountKind *kind, gboolean *read_only,
                            gboolean *recursive, GError **error);

/* Binds the host's @source, a folder or a regular file given by its
 * absolute path, at @target, which must not exist yet, in a share
 * folder: @target is made a folder or an empty file to match, bound with
 * what is mounted below it when @recursive, and read-only when
 * @read_only. Anything else (a socket, a device) is refused: it cannot
 * cross a 9p share. Nothing is left on error; the message names @source
 * (the caller prefixes the field it came from). */
gboolean vm_share_bind (const char *source, const char *target, gboolean read_only,
                        gboolean recursive, GError **error);

/* Undoes vm_share_bind: unmounts @target (detached, so that a reader in
 * it does not keep it mounted) and removes it, folder or file. */
void vm_share_unbind (const char *target);

/* Undoes every bind left in the share folder @dir (a host that went
 * without its cleanup): each entry unmounted and removed. Never
 * recursive through a mount. */
void vm_share_clear_folder (const char *dir);

/* In a ContainerConfig document for a guest: sets the source of
 * config.json's mount @index (`Oci.mounts[@index]`) to @guest_path. */
void vm_guest_config_set_mount_source (JsonObject *document, guint index,
                                       const char *guest_path);

G_END_DECLS
