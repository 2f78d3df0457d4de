/* vm-settings.c: the VM plugins' common options (vm-settings.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vm-settings.h"

const char *
vm_settings_default_initrd (const char *build_initrd, const char *installed_initrd)
{
  if (build_initrd[0] != '\0' && g_file_test (build_initrd, G_FILE_TEST_EXISTS))
    return build_initrd;
  return installed_initrd;
}

guint
vm_settings_get_uint (GKeyFile *options, GKeyFile *system_options, const char *group,
                      const char *key, const char *fallback)
{
  g_autofree char *text = hcs_options_get_string (options, system_options, group, key, fallback);

  return (guint) g_ascii_strtoull (text, NULL, 10);
}

void
vm_settings_read (GKeyFile *options, GKeyFile *system_options, const char *group,
                  const VmSettingsDefaults *defaults, char **kernel, char **initrd,
                  char **boot_parameters, guint *memory_mb, guint *processors)
{
  *kernel = hcs_options_get_string (options, system_options, group, "kernel", defaults->kernel);
  *initrd = hcs_options_get_string (options, system_options, group, "initrd", defaults->initrd);
  *boot_parameters = hcs_options_get_string (options, system_options, group, "boot-parameters",
                                             defaults->boot_parameters);
  *memory_mb = vm_settings_get_uint (options, system_options, group, "memory-mb",
                                     defaults->memory_mb);
  *processors = vm_settings_get_uint (options, system_options, group, "processors", "1");
}

gboolean
vm_settings_check_host (const char *plugin, const char *kernel, const char *initrd,
                        GError **error)
{
  g_autofree char *qemu = g_find_program_in_path ("qemu-system-x86_64");

  if (qemu == NULL)
    g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                 "%s: qemu-system-x86_64 is not installed (scripts/setup.sh installs it)", plugin);
  else if (!g_file_test (kernel, G_FILE_TEST_EXISTS))
    g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                 "%s: no VM kernel at %s ([%s] kernel; scripts/vm-kernel.sh extracts Debian's)",
                 plugin, kernel, plugin);
  else if (!g_file_test (initrd, G_FILE_TEST_EXISTS))
    g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                 "%s: no guest initramfs at %s ([%s] initrd; the build makes it when the "
                 "kernel's modules are there)", plugin, initrd, plugin);
  else
    return TRUE;
  return FALSE;
}
