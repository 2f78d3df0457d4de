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

G_END_DECLS
