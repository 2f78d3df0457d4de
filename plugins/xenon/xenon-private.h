/* xenon-private.h: the xenon plugin's insides.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs-plugin.h"
#include "vm-guest.h"

G_BEGIN_DECLS

#define XENON_DEFAULT_KERNEL XENON_VM_CACHE_DIR "/vmlinux"
#define XENON_DEFAULT_BOOT_PARAMETERS "quiet panic=-1"
#define XENON_DEFAULT_TEMPLATE_DIR "/var/cache/hcs/xenon/templates"
/* Its systems' state folders (hcs-state) are claimed under this owner. */
#define XENON_STATE_OWNER "xenon"

#define XENON_TYPE_DRIVER (xenon_driver_get_type ())
G_DECLARE_FINAL_TYPE (XenonDriver, xenon_driver, XENON, DRIVER, GObject)

/* A compute system: the agent's container (a protocol proxy) in a VM of
 * its own. Takes @guest and @proxy. */
#define XENON_TYPE_CONTAINER (xenon_container_get_type ())
G_DECLARE_FINAL_TYPE (XenonContainer, xenon_container, XENON, CONTAINER, GObject)

XenonContainer *xenon_container_new (const char *id, VmGuest *guest, HcsContainer *proxy);
/* Takes @storage (nullable): freed once its VM has gone. */
typedef struct _XenonStorage XenonStorage;
typedef struct _XenonPumps XenonPumps;
void xenon_container_set_storage (XenonContainer *self, XenonStorage *storage);
/* The init's output pumps (its stdio on given descriptors): its waits
 * and remove drain them first. */
void xenon_container_set_init_pumps (XenonContainer *self, XenonPumps *pumps);
/* Whether it still holds a VM that runs. */
gboolean xenon_container_is_alive (XenonContainer *self);
gboolean xenon_container_is_removed (XenonContainer *self);
/* (transfer none) */
VmGuest *xenon_container_get_guest (XenonContainer *self);
/* Takes @folder (claimed, committed, unlocked): removed with the system,
 * at remove or when the last reference goes. */
void xenon_container_set_state_folder (XenonContainer *self, HcsStateFolder *folder);

/* xenon-held.c: a system that outlives its creator (held by a monitor). */
/* Writes who holds the VM (this process, @guest's QEMU and run folder;
 * @guest may be NULL before the VM starts). */
gboolean xenon_held_write_record (HcsStateFolder *folder, const char *id,
                                  const HcsContainerConfig *config, VmGuest *guest,
                                  GError **error);
/* What is left of system @id whose holder died: Stopped, UnexpectedExit,
 * 137; its QEMU and run folder are cleaned now, its state folder by
 * remove. HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST when there is no such
 * xenon system or its holder (another process) is alive. */
#define XENON_TYPE_REMAINS (xenon_remains_get_type ())
G_DECLARE_FINAL_TYPE (XenonRemains, xenon_remains, XENON, REMAINS, GObject)
HcsContainer *xenon_remains_open (HcsState *state, const char *id, GError **error);
/* The output pumps of a process (stdout, stderr): a wait for it ends
 * only once they have written all it wrote, as argon's wait finds the
 * output in the descriptors already. Reference counted: each pump holds
 * one. */
XenonPumps *xenon_pumps_new (void);
XenonPumps *xenon_pumps_ref (XenonPumps *pumps);
void xenon_pumps_unref (XenonPumps *pumps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (XenonPumps, xenon_pumps_unref)
/* Waits until every output pump of @pumps ended: their ports end once
 * the process's streams are closed (its exit, for an init: the guest
 * kills the rest of its namespace) or the VM went. At most a guard's
 * while, should a guest hold a port open. */
void xenon_pumps_drain (XenonPumps *pumps);
/* Copies between @caller_fd (duplicated; stdin read from, stdout and
 * stderr written to) and @port_fd (taken: a VM stdio port's socket) in a
 * thread of its own until either ends; an output pump counts in @pumps. */
gboolean xenon_held_pump_stdio (const char *id, int caller_fd, int port_fd, guint stream,
                                XenonPumps *pumps, GError **error);

G_END_DECLS
