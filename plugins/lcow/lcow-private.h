/* lcow-private.h: the lcow plugin's insides.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs-plugin.h"

G_BEGIN_DECLS

#define LCOW_DEFAULT_KERNEL LCOW_VM_CACHE_DIR "/vmlinux"
#define LCOW_DEFAULT_BOOT_PARAMETERS "quiet panic=-1"

#define LCOW_TYPE_DRIVER (lcow_driver_get_type ())
G_DECLARE_FINAL_TYPE (LcowDriver, lcow_driver, LCOW, DRIVER, GObject)

/* lcow-holder.c: containers in UVMs held by hcs-lcow-uvm processes
 * ([lcow] uvm-holder), which outlive their clients. */
HcsContainer *lcow_holder_create_container (GKeyFile *options, const char *id,
                                            const HcsContainerConfig *config, GError **error);
/* HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST when no holder has @id. */
HcsContainer *lcow_holder_open_container (GKeyFile *options, const char *id, GError **error);
/* Appends the properties of every held container to @properties. */
void lcow_holder_list_containers (GKeyFile *options, GPtrArray *properties);
/* How many holders run (their folders). */
guint lcow_holder_count (GKeyFile *options);

G_END_DECLS
