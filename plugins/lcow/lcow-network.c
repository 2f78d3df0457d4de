/* lcow-network.c: an hns endpoint as a NIC of the utility VM.
 *
 * The host makes a persistent tap on the endpoint's bridge (the one its
 * HNSEndpoint names in BridgeName) and gives it to the endpoint as a port
 * (hcs_endpoint_attach_port), so the endpoint's policies (DisableICC,
 * QoS, VLAN) hold for the guest's NIC as for a container's eth0; the
 * port is given back once the tap is deleted. QEMU opens the tap by name
 * as the netdev of a hot-added virtio-net-pci whose MAC is the
 * endpoint's, and the guest
 * agent finds that NIC by its MAC, moves it into the container's network
 * namespace as eth0 and sets it up from the LCOWNetworkAdapter the host
 * sends in Create (docs/protocol.md). Here: the adapter and the tap's
 * name; the tap itself is plugins/vm's (vm-tap.h, shared with xenon), the
 * hot-add the driver's, in the UVM's thread.
 *
 * A network namespace the caller made (OCI's linux.namespaces "network"
 * path, as podman and CNI give) becomes a NIC the same way, from a tap
 * made inside that namespace and mirrored with its interface
 * (vm-netns.h); the adapter then carries that interface's MAC, address
 * and gateway, so the guest's container answers for it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "lcow-private.h"
#include "vm-netns.h"
#include "vm-tap.h"

#include <net/if.h>
#include <string.h>
#include <unistd.h>

void
lcow_nic_free (LcowNic *nic)
{
  g_free (nic->container_id);
  g_free (nic->endpoint_id);
  g_free (nic->name);
  g_free (nic->tap);
  g_free (nic->bridge);
  g_clear_object (&nic->endpoint);
  g_free (nic->mac);
  g_clear_pointer (&nic->adapter, json_object_unref);
  g_clear_pointer (&nic->netns, vm_netns_tap_free);
  g_free (nic);
}

static gboolean
valid_bridge_name (const char *name)
{
  return name != NULL && *name != '\0' && strlen (name) < IFNAMSIZ &&
         strchr (name, '/') == NULL && strcmp (name, ".") != 0 && strcmp (name, "..") != 0;
}

LcowNic *
lcow_nic_new (const char *container_id, HcsEndpoint *endpoint, GError **error)
{
  g_autoptr (JsonNode) shown = hcs_endpoint_to_json (endpoint);
  JsonObject *object = shown != NULL && JSON_NODE_HOLDS_OBJECT (shown)
                           ? json_node_get_object (shown)
                           : NULL;
  const char *id = hcs_endpoint_get_id (endpoint);
  const char *bridge, *address, *gateway;
  guint64 mac = 0;
  gint64 prefix_length;
  LcowNic *nic;

  bridge = object ? json_object_get_string_member_with_default (object, "BridgeName", NULL) : NULL;
  address = hcs_endpoint_get_ip_address (endpoint);
  gateway = object ? json_object_get_string_member_with_default (object, "GatewayAddress", "")
                   : "";
  prefix_length = object ? json_object_get_int_member_with_default (object, "PrefixLength", -1)
                         : -1;
  if (!valid_bridge_name (bridge))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "lcow: endpoint %s: its network names no bridge a tap can join", id);
      return NULL;
    }
  if (!hcs_parse_mac (hcs_endpoint_get_mac_address (endpoint), &mac))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "lcow: endpoint %s: MAC '%s'", id,
                   hcs_endpoint_get_mac_address (endpoint));
      return NULL;
    }
  if (address == NULL || *address == '\0' || prefix_length < 0 || prefix_length > 32)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "lcow: endpoint %s: no IPv4 address and prefix length", id);
      return NULL;
    }

  nic = g_new0 (LcowNic, 1);
  nic->container_id = g_strdup (container_id);
  nic->endpoint_id = g_strdup (id);
  nic->tap = vm_tap_name_for (id);
  /* The VM's device: named after the tap, unique as it is. */
  nic->name = g_strdup (nic->tap);
  nic->bridge = g_strdup (bridge);
  nic->endpoint = g_object_ref (endpoint);
  nic->mac = g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x", (guint) (mac >> 40) & 0xff,
                              (guint) (mac >> 32) & 0xff, (guint) (mac >> 24) & 0xff,
                              (guint) (mac >> 16) & 0xff, (guint) (mac >> 8) & 0xff,
                              (guint) mac & 0xff);
  /* hcsshim's LCOWNetworkAdapter. */
  nic->adapter = json_object_new ();
  json_object_set_string_member (nic->adapter, "ID", id);
  json_object_set_string_member (nic->adapter, "MacAddress", nic->mac);
  json_object_set_string_member (nic->adapter, "IPAddress", address);
  json_object_set_int_member (nic->adapter, "PrefixLength", prefix_length);
  json_object_set_string_member (nic->adapter, "GatewayAddress", gateway);
  json_object_set_string_member (nic->adapter, "DNSSuffix",
                                 hcs_endpoint_get_dns_suffix (endpoint)
                                     ? hcs_endpoint_get_dns_suffix (endpoint)
                                     : "");
  json_object_set_string_member (nic->adapter, "DNSServerList",
                                 hcs_endpoint_get_dns_server_list (endpoint)
                                     ? hcs_endpoint_get_dns_server_list (endpoint)
                                     : "");
  return nic;
}

LcowNic *
lcow_nic_new_for_netns (const char *container_id, const char *netns_path, GError **error)
{
  g_autoptr (VmNetnsTap) tap = NULL;
  GString *name = g_string_new ("hcsn");
  LcowNic *nic;

  /* The VM's device: after the container, unique in the UVM as its id. */
  for (const char *p = container_id; *p != '\0' && name->len < IFNAMSIZ - 1; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (name, g_ascii_tolower (*p));
  /* One tap in the namespace: a second VM there would answer for the
   * same address. */
  tap = vm_netns_tap_attach (netns_path, "hcsvm0", error);
  if (tap == NULL)
    {
      g_string_free (name, TRUE);
      g_prefix_error (error, "lcow: compute system '%s': ", container_id);
      return NULL;
    }
  nic = g_new0 (LcowNic, 1);
  nic->container_id = g_strdup (container_id);
  nic->endpoint_id = g_strdup (netns_path);
  nic->name = g_string_free (name, FALSE);
  nic->tap = g_strdup (tap->tap);
  nic->mac = g_strdup (tap->mac);
  nic->adapter = json_object_new ();
  json_object_set_string_member (nic->adapter, "ID", nic->name);
  vm_netns_tap_fill_adapter (tap, nic->adapter);
  nic->netns = g_steal_pointer (&tap);
  return nic;
}

gboolean
lcow_nic_make_tap (LcowNic *nic, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (!vm_tap_create (nic->tap, nic->bridge, error))
    return g_prefix_error (error, "lcow: endpoint %s: ", nic->endpoint_id), FALSE;
  /* The endpoint's policies reach the guest's NIC as they would a
   * container's eth0; the tap carries nothing before this holds. */
  if (!hcs_endpoint_attach_port (nic->endpoint, nic->tap, &local_error))
    {
      vm_tap_delete (nic->tap);
      g_set_error (error, local_error->domain, local_error->code,
                   "lcow: endpoint %s: its policies cannot reach tap %s: %s", nic->endpoint_id,
                   nic->tap, local_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
lcow_nic_release_host_side (LcowNic *nic)
{
  g_autoptr (GError) error = NULL;

  if (nic->netns == NULL)
    {
      /* The policies go with the tap, not before: one QEMU still holds
       * stays (vm_tap_delete fails), ruled as before, until QEMU goes. */
      if (!vm_tap_delete (nic->tap))
        return FALSE;
      /* An endpoint removed meanwhile gave its ports back already. */
      if (nic->endpoint != NULL && !hcs_endpoint_detach_port (nic->endpoint, nic->tap, &error))
        g_debug ("lcow: %s: %s", nic->container_id, error->message);
      return TRUE;
    }
  if (nic->netns->tap_fd >= 0)
    {
      close (nic->netns->tap_fd);
      nic->netns->tap_fd = -1;
    }
  if (vm_netns_tap_detach (nic->netns, &error))
    return TRUE;
  g_debug ("lcow: %s: %s", nic->container_id, error->message);
  return FALSE;
}
