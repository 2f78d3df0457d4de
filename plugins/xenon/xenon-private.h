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

#define XENON_TYPE_DRIVER (xenon_driver_get_type ())
G_DECLARE_FINAL_TYPE (XenonDriver, xenon_driver, XENON, DRIVER, GObject)

/* A compute system: the agent's container (a protocol proxy) in a VM of
 * its own. Takes @guest and @proxy. */
#define XENON_TYPE_CONTAINER (xenon_container_get_type ())
G_DECLARE_FINAL_TYPE (XenonContainer, xenon_container, XENON, CONTAINER, GObject)

XenonContainer *xenon_container_new (const char *id, VmGuest *guest, HcsContainer *proxy);
/* Takes @storage (nullable): freed once its VM has gone. */
typedef struct _XenonStorage XenonStorage;
void xenon_container_set_storage (XenonContainer *self, XenonStorage *storage);
/* Whether it still holds a VM that runs. */
gboolean xenon_container_is_alive (XenonContainer *self);
gboolean xenon_container_is_removed (XenonContainer *self);
/* (transfer none) */
VmGuest *xenon_container_get_guest (XenonContainer *self);

G_END_DECLS
