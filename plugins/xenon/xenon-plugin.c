/* xenon-plugin.c: the plugin's one exported entry point and its options.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gmodule.h>

#include "hcs-plugin.h"
#include "xenon-private.h"

/* The [xenon] group; per-system options may set them too. */
static const HcsOptionSpec xenon_options[] = {
  { "xenon", "kernel", HCS_OPTION_PATH, .default_value = XENON_DEFAULT_KERNEL,
    .description = "The containers' VM kernel: an uncompressed vmlinux with a PVH entry "
                   "(scripts/vm-kernel.sh extracts Debian's); HvRuntime.ImagePath's vmlinux "
                   "comes first" },
  { "xenon", "initrd", HCS_OPTION_PATH, .default_value = "DATADIR/hcs/hcs-gcs-initramfs.cpio",
    .description = "The initramfs carrying the guest agent (guest/make-initramfs.sh; the build "
                   "tree's when the plugin runs from it); HvRuntime.ImagePath's "
                   "hcs-gcs-initramfs.cpio comes first" },
  { "xenon", "boot-parameters", HCS_OPTION_STRING, .default_value = XENON_DEFAULT_BOOT_PARAMETERS,
    .description = "More kernel command line (the console and the TSC are set by the VM library)" },
  { "xenon", "memory-mb", HCS_OPTION_INTEGER, 64, 1024 * 1024, .default_value = "256",
    .description = "Each container's VM memory in MiB" },
  { "xenon", "processors", HCS_OPTION_INTEGER, 1, 255, .default_value = "1",
    .description = "Each container's VM virtual processors" },
  { "xenon", "template", HCS_OPTION_BOOLEAN, .default_value = "true",
    .description = "Start each VM from a saved template (booted once per kernel, initramfs, "
                   "memory and processors) rather than booting it; false forces a cold boot" },
  { "xenon", "template-dir", HCS_OPTION_PATH, .default_value = XENON_DEFAULT_TEMPLATE_DIR,
    .description = "Where templates are kept (each holds the guest's RAM file and its saved "
                   "device state; remade when their inputs change)" },
};

G_MODULE_EXPORT gboolean hcs_plugin_init (HcsRegistry *registry, guint abi_version,
                                          GError **error);

gboolean
hcs_plugin_init (HcsRegistry *registry, guint abi_version, GError **error)
{
  if (abi_version != HCS_PLUGIN_ABI_VERSION)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN,
                   "xenon: built for plugin ABI %d, the host has %u", HCS_PLUGIN_ABI_VERSION,
                   abi_version);
      return FALSE;
    }
  return hcs_registry_add_options (registry, xenon_options, G_N_ELEMENTS (xenon_options),
                                   error) &&
         hcs_registry_add_isolation_driver (registry, XENON_TYPE_DRIVER, error);
}
