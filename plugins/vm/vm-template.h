/* vm-template.h: saved VMs to start from instead of booting.
 *
 * A template is a VM booted once to its agent's first answer, its RAM in
 * a shared file (memory-backend-file, share=on) and its device state
 * saved with QEMU's x-ignore-shared migration capability, so the state
 * file holds devices and ROMs only (a few MB, saved in tens of ms). A
 * clone maps that RAM file copy-on-write (share=off: nothing is written
 * back, nothing of the clone's is on disk) and takes the state in with
 * -incoming. It must have exactly the template's devices: the VmConfig a
 * template is made from is the one clones are started from.
 *
 * Templates live in a folder, one subfolder each, named after what they
 * were made from: NAME-KEY, NAME a hash of the paths and the shape
 * (kernel, initrd, command line, memory, processors, machine, ports), KEY
 * a hash of the contents (the files' sizes and times, QEMU's binary, the
 * accelerator). A changed initramfs gives a new KEY: the template is made
 * again and the older ones of the same NAME are removed. One is made
 * under a lock (flock on NAME-KEY.lock), in a temporary folder renamed
 * into place, so concurrent creates make it once and never see half of
 * one.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vm-command.h"
#include "vm-guest.h"

G_BEGIN_DECLS

#define VM_TEMPLATE_RAM "ram"
#define VM_TEMPLATE_STATE "state"

/* The template folder's name for @config (NAME-KEY, see above). */
char *vm_template_name (const VmConfig *config, GError **error);

/* Called on a template's VM once its agent answered, before it is saved:
 * what it warms (the agent's first container loads its plugin, the
 * runtime helper's pages...) every clone gets for free. */
typedef gboolean (*VmTemplateWarmFunc) (VmGuest *guest, gpointer user_data, GError **error);

/* The folder of the template for @config under @templates_dir, made (a
 * boot, @warm if given, a save) when it is missing or stale. @made says
 * whether this call made it. @label names the VM in errors. */
char *vm_template_ensure (const char *templates_dir, const VmConfig *config, const char *label,
                         guint timeout_s, VmTemplateWarmFunc warm, gpointer warm_data,
                         gboolean *made, GError **error);

/* The config of a clone of the template in @template_dir: @config with
 * its RAM mapped copy-on-write from the template's and waiting for the
 * template's state (VM_TEMPLATE_STATE in @template_dir). */
VmConfig *vm_template_clone_config (const VmConfig *config, const char *template_dir);

G_END_DECLS
