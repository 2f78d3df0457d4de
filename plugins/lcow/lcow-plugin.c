/* lcow-plugin.c: the plugin's one exported entry point and its options.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gmodule.h>

#include "hcs-plugin.h"
#include "lcow-private.h"

/* The [lcow] group (hcsshim's lcowConfig); per-system options may set them too. */
static const HcsOptionSpec lcow_options[] = {
  { "lcow", "kernel", HCS_OPTION_PATH, .default_value = LCOW_DEFAULT_KERNEL,
    .description = "The utility VM's kernel: an uncompressed vmlinux (PVH entry, booted fastest) "
                   "or a bzImage (scripts/vm-kernel.sh extracts Debian's)" },
  { "lcow", "initrd", HCS_OPTION_PATH, .default_value = "DATADIR/hcs/hcs-gcs-initramfs.cpio",
    .description = "The initramfs carrying the guest agent (guest/make-initramfs.sh; the build "
                   "tree's when the plugin runs from it)" },
  { "lcow", "boot-parameters", HCS_OPTION_STRING, .default_value = LCOW_DEFAULT_BOOT_PARAMETERS,
    .description = "More kernel command line (the console and the TSC are set by the VM library)" },
  { "lcow", "memory-mb", HCS_OPTION_INTEGER, 128, 1024 * 1024, .default_value = "512",
    .description = "The utility VM's memory in MiB" },
  { "lcow", "processors", HCS_OPTION_INTEGER, 1, 256, .default_value = "1",
    .description = "The utility VM's virtual processors" },
  { "lcow", "boot-timeout", HCS_OPTION_INTEGER, 1, 3600, .default_value = "240",
    .description = "Seconds the utility VM's guest agent has to answer once QEMU started; "
                   "then the VM is shut down and the create fails" },
  { "lcow", "request-timeout", HCS_OPTION_INTEGER, 1, 86400, .default_value = "300",
    .description = "Seconds the guest agent has to answer a request once it took it (waits "
                   "excepted); then the call fails with a timeout, the UVM's containers are "
                   "Stopped with UnexpectedExit and the next create boots a new UVM" },
  { "lcow", "keep-uvm", HCS_OPTION_BOOLEAN, .default_value = "false",
    .description = "The utility VM stays up when its last container is removed (held: until "
                   "its holder is stopped; in process: until the process exits)" },
  { "lcow", "uvm-holder", HCS_OPTION_BOOLEAN, .default_value = "false",
    .description = "The utility VMs are held by hcs-lcow-uvm processes that serve their "
                   "containers to any client and outlive the one that started them; false: "
                   "one UVM in the host's process, gone with it" },
  { "lcow", "end-with-uvm", HCS_OPTION_BOOLEAN, .default_value = "false",
    .description = "The process sends itself SIGTERM when its utility VM exits on its own "
                   "(hcs-lcow-uvm sets it, so that a dead UVM's holder goes)" },
  { "lcow", "containers-per-vm", HCS_OPTION_INTEGER, 1, 1024, .default_value = "8",
    .description = "The containers a held utility VM takes; the next one boots another" },
};

G_MODULE_EXPORT gboolean hcs_plugin_init (HcsRegistry *registry, guint abi_version,
                                          GError **error);

gboolean
hcs_plugin_init (HcsRegistry *registry, guint abi_version, GError **error)
{
  if (abi_version != HCS_PLUGIN_ABI_VERSION)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN,
                   "lcow: built for plugin ABI %d, the host has %u", HCS_PLUGIN_ABI_VERSION,
                   abi_version);
      return FALSE;
    }
  return hcs_registry_add_options (registry, lcow_options, G_N_ELEMENTS (lcow_options), error) &&
         hcs_registry_add_isolation_driver (registry, LCOW_TYPE_DRIVER, error);
}
