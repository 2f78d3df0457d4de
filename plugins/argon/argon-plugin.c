/* argon-plugin.c: the plugin's one exported entry point.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gmodule.h>

#include "argon-private.h"

G_MODULE_EXPORT gboolean hcs_plugin_init (HcsRegistry *registry, guint abi_version,
                                          GError **error);

gboolean
hcs_plugin_init (HcsRegistry *registry, guint abi_version, GError **error)
{
  if (abi_version != HCS_PLUGIN_ABI_VERSION)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN,
                   "argon: built for plugin ABI %d, the host has %u", HCS_PLUGIN_ABI_VERSION,
                   abi_version);
      return FALSE;
    }
  return hcs_registry_add_isolation_driver (registry, ARGON_TYPE_DRIVER, error);
}
