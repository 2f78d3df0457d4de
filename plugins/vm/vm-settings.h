/* vm-settings.h: what the VM plugins (lcow, xenon) read alike from their
 * runtime options, and the check that this host can start their VMs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs-plugin.h"

G_BEGIN_DECLS

/* The build tree's initramfs (@build_initrd, "" when the build makes
 * none) while it exists, so while the plugin runs from the build tree;
 * else the installed one. */
const char *vm_settings_default_initrd (const char *build_initrd, const char *installed_initrd);

/* Option @key of [@group], @system_options first, then @options, else
 * @fallback, as a number: the host checked its declared range already. */
guint vm_settings_get_uint (GKeyFile *options, GKeyFile *system_options, const char *group,
                            const char *key, const char *fallback);

/* The defaults of the options every VM plugin has. */
typedef struct
{
  const char *kernel;
  const char *initrd;
  const char *boot_parameters;
  const char *memory_mb;
} VmSettingsDefaults;

/* Reads them from [@group] (@system_options first): kernel, initrd,
 * boot-parameters (strings the caller frees), memory-mb and processors.
 * Out parameters, so that each plugin keeps its settings' own struct. */
void vm_settings_read (GKeyFile *options, GKeyFile *system_options, const char *group,
                       const VmSettingsDefaults *defaults, char **kernel, char **initrd,
                       char **boot_parameters, guint *memory_mb, guint *processors);

/* Whether this host can start @plugin's VMs: QEMU installed, a kernel
 * at @kernel and an initramfs at @initrd. HCS_ERROR_NOT_SUPPORTED naming
 * what is missing and the option ([@plugin] kernel, initrd) that names
 * it otherwise. */
gboolean vm_settings_check_host (const char *plugin, const char *kernel, const char *initrd,
                                 GError **error);

G_END_DECLS
