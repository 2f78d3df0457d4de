/* vm-netns.h: a network namespace the host set up (OCI's
 * linux.namespaces "network" path: podman's netavark, CNI) given to a VM.
 *
 * Kata's "tcfilter" model: a tap made inside that namespace, mirrored
 * with the namespace's interface by tc (an ingress match-all u32 filter
 * with a mirred redirect, both ways), the tap's descriptor handed to
 * QEMU; the guest's NIC takes the interface's MAC and addresses. The namespace work is done
 * by a short-lived helper, hcs-vm-netns (never in the threaded host
 * process); the namespace stays the caller's.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _VmNetnsTap
{
  char *netns_path;    /* the caller's namespace */
  char *interface;     /* its interface the tap is mirrored with */
  char *tap;           /* the tap's name in the namespace */
  int tap_fd;          /* -1 once taken */
  char *mac;           /* the interface's, xx:xx:xx:xx:xx:xx */
  guint mtu;
  char *address;       /* IPv4 */
  guint prefix_length;
  char *gateway;       /* IPv4, "" without a default route */
  gboolean made_qdisc; /* the interface's ingress qdisc is ours */
  GStrv addresses;     /* "ADDRESS/PREFIX": its further IPv4 and global IPv6 ones */
  GStrv routes;        /* "DESTINATION/PREFIX GATEWAY" (GATEWAY may be empty) */
} VmNetnsTap;

/* The tap @tap_name in the network namespace at @netns_path, mirrored
 * with its interface (the first by index of type Ethernet with an IPv4
 * address). A path that is no network namespace, the host's own, or one
 * with no such interface is HCS_ERROR_INVALID_DATA naming the path; a
 * namespace whose interface is mirrored already HCS_ERROR_ALREADY_EXISTS.
 * Nothing is left on an error. Blocks while the helper runs (ms). */
VmNetnsTap *vm_netns_tap_attach (const char *netns_path, const char *tap_name, GError **error);

/* Takes the mirroring filter (and qdisc, when ours) back. The tap goes
 * with its last descriptor (QEMU's, tap->tap_fd): detach after QEMU let
 * it go. A namespace that is gone has nothing left; TRUE then too. */
gboolean vm_netns_tap_detach (const VmNetnsTap *tap, GError **error);

/* Sets hcsshim's LCOWNetworkAdapter members of @adapter from @tap (MAC,
 * address, prefix, gateway; DNS empty: the bundle's resolv.conf is the
 * container's) and ours the guest reads beside them: HcsAddresses (its
 * further addresses, IPv6 ones among them) and HcsRoutes ({Destination,
 * Gateway} objects). */
void vm_netns_tap_fill_adapter (const VmNetnsTap *tap, JsonObject *adapter);

void vm_netns_tap_free (VmNetnsTap *tap);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmNetnsTap, vm_netns_tap_free)

G_END_DECLS
