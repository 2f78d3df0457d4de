/* argon-plugin.c: the plugin's one exported entry point.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gmodule.h>

#include "argon-private.h"
#include "hcs-plugin.h"

static const char *const cgroup_versions[] = { "auto", "1", "2", NULL };

/* The [argon] group; per-system options may set them too. */
static const HcsOptionSpec argon_options[] = {
  { "argon", "helper", HCS_OPTION_PATH, .default_value = "LIBEXECDIR/hcs-runtime-helper",
    .description = "The namespace helper that builds each container ($HCS_RUNTIME_HELPER, "
                   "or the older $HCS_ARGON_HELPER, over the default)" },
  { "argon", "cgroup-parent", HCS_OPTION_STRING, .default_value = "hcs",
    .description = "Containers live in PARENT/ID of each cgroup hierarchy" },
  { "argon", "cgroup-version", HCS_OPTION_CHOICE, .choices = cgroup_versions,
    .default_value = "auto", .description = "The cgroup hierarchy to use: auto, v1 or v2" },
  { "argon", "cgroup-root", HCS_OPTION_PATH, .default_value = "",
    .description = "A cgroup mount to use instead of the one found" },
  { "argon", "shutdown-timeout-ms", HCS_OPTION_INTEGER, 1, 24 * 3600 * 1000,
    .default_value = "10000",
    .description = "How long a graceful shutdown waits before it kills" },
  { "argon", "die-with-creator", HCS_OPTION_BOOLEAN, .default_value = "false",
    .description = "The container is killed when the process that created it dies" },
};

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
  return hcs_registry_add_options (registry, argon_options, G_N_ELEMENTS (argon_options),
                                   error) &&
         hcs_registry_add_isolation_driver (registry, ARGON_TYPE_DRIVER, error);
}
