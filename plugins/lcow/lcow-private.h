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

/* An hns endpoint as a NIC of the UVM (lcow-network.c). */
typedef struct
{
  char *container_id;
  char *endpoint_id;
  char *name;          /* the VM's device (vm_machine_add_nic) */
  char *tap;           /* the host's tap, on `bridge` */
  char *bridge;
  HcsEndpoint *endpoint; /* nullable: the tap is its port while it exists */
  char *mac;           /* xx:xx:xx:xx:xx:xx, the endpoint's */
  JsonObject *adapter; /* hcsshim's LCOWNetworkAdapter, for the guest */
  gboolean added;      /* hot-added: device_del before the tap goes */
  /* A host network namespace's tap instead (no endpoint, no bridge):
   * `tap` is its name in that namespace. */
  struct _VmNetnsTap *netns;
} LcowNic;

LcowNic *lcow_nic_new (const char *container_id, HcsEndpoint *endpoint, GError **error);
/* The NIC for a network namespace the caller made (OCI's network
 * namespace path): a tap in it, mirrored with its interface (vm-netns.h),
 * whose MAC and address the guest's NIC takes. */
LcowNic *lcow_nic_new_for_netns (const char *container_id, const char *netns_path,
                                 GError **error);
/* Gives back what the NIC held on the host once QEMU let it go: the tap
 * (hns) or the namespace's mirroring (netns). TRUE when nothing is left. */
gboolean lcow_nic_release_host_side (LcowNic *nic);
/* The endpoint NIC's tap, on its bridge and its endpoint's port. */
gboolean lcow_nic_make_tap (LcowNic *nic, GError **error);
void lcow_nic_free (LcowNic *nic);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LcowNic, lcow_nic_free)

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
