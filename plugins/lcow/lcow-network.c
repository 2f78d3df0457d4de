/* lcow-network.c: an hns endpoint as a NIC of the utility VM.
 *
 * The host makes a persistent tap on the endpoint's bridge (the one its
 * HNSEndpoint names in BridgeName), QEMU opens it by name as the netdev of
 * a hot-added virtio-net-pci whose MAC is the endpoint's, and the guest
 * agent finds that NIC by its MAC, moves it into the container's network
 * namespace as eth0 and sets it up from the LCOWNetworkAdapter the host
 * sends in Create (docs/protocol.md). Here: the adapter and the tap's
 * name; the tap itself is plugins/vm's (vm-tap.h, shared with xenon), the
 * hot-add the driver's, in the UVM's thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "lcow-private.h"
#include "vm-tap.h"

#include <net/if.h>
#include <string.h>

void
lcow_nic_free (LcowNic *nic)
{
  g_free (nic->container_id);
  g_free (nic->endpoint_id);
  g_free (nic->name);
  g_free (nic->tap);
  g_free (nic->bridge);
  g_free (nic->mac);
  g_clear_pointer (&nic->adapter, json_object_unref);
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
