/* hcs-network.c: the HcsNetwork and HcsEndpoint interfaces, and the HNS
 * network request document.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-network.h"
#include "hcs-error.h"
#include "hcs-plugin-private.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

G_DEFINE_INTERFACE (HcsEndpoint, hcs_endpoint, G_TYPE_OBJECT)
G_DEFINE_INTERFACE (HcsNetwork, hcs_network, G_TYPE_OBJECT)

static void
hcs_endpoint_default_init (HcsEndpointInterface *iface)
{
}

static void
hcs_network_default_init (HcsNetworkInterface *iface)
{
}

const char *
hcs_endpoint_get_id (HcsEndpoint *self)
{
  g_return_val_if_fail (HCS_IS_ENDPOINT (self), NULL);
  return HCS_ENDPOINT_GET_IFACE (self)->get_id (self);
}

const char *
hcs_endpoint_get_ip_address (HcsEndpoint *self)
{
  g_return_val_if_fail (HCS_IS_ENDPOINT (self), NULL);
  return HCS_ENDPOINT_GET_IFACE (self)->get_ip_address (self);
}

const char *
hcs_endpoint_get_mac_address (HcsEndpoint *self)
{
  g_return_val_if_fail (HCS_IS_ENDPOINT (self), NULL);
  return HCS_ENDPOINT_GET_IFACE (self)->get_mac_address (self);
}

const char *
hcs_endpoint_get_dns_server_list (HcsEndpoint *self)
{
  g_return_val_if_fail (HCS_IS_ENDPOINT (self), NULL);
  return HCS_ENDPOINT_GET_IFACE (self)->get_dns_server_list
             ? HCS_ENDPOINT_GET_IFACE (self)->get_dns_server_list (self)
             : NULL;
}

const char *
hcs_endpoint_get_dns_suffix (HcsEndpoint *self)
{
  g_return_val_if_fail (HCS_IS_ENDPOINT (self), NULL);
  return HCS_ENDPOINT_GET_IFACE (self)->get_dns_suffix
             ? HCS_ENDPOINT_GET_IFACE (self)->get_dns_suffix (self)
             : NULL;
}

gboolean
hcs_endpoint_attach (HcsEndpoint *self, const char *netns_path, GError **error)
{
  g_return_val_if_fail (HCS_IS_ENDPOINT (self), FALSE);
  return HCS_ENDPOINT_GET_IFACE (self)->attach (self, netns_path, error);
}

gboolean
hcs_endpoint_detach (HcsEndpoint *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_ENDPOINT (self), FALSE);
  return HCS_ENDPOINT_GET_IFACE (self)->detach (self, error);
}

gboolean
hcs_endpoint_remove (HcsEndpoint *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_ENDPOINT (self), FALSE);
  return HCS_ENDPOINT_GET_IFACE (self)->remove (self, error);
}

gboolean
hcs_endpoint_set_disable_icc (HcsEndpoint *self, gboolean disable, GError **error)
{
  g_return_val_if_fail (HCS_IS_ENDPOINT (self), FALSE);
  if (HCS_ENDPOINT_GET_IFACE (self)->set_disable_icc == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED, "%s: DisableICC is not supported",
                   G_OBJECT_TYPE_NAME (self));
      return FALSE;
    }
  return HCS_ENDPOINT_GET_IFACE (self)->set_disable_icc (self, disable, error);
}

gboolean
hcs_endpoint_set_bandwidth_limit (HcsEndpoint *self, guint64 max_bytes_per_second,
                                  GError **error)
{
  g_return_val_if_fail (HCS_IS_ENDPOINT (self), FALSE);
  if (HCS_ENDPOINT_GET_IFACE (self)->set_bandwidth_limit == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED, "%s: QoS is not supported",
                   G_OBJECT_TYPE_NAME (self));
      return FALSE;
    }
  return HCS_ENDPOINT_GET_IFACE (self)->set_bandwidth_limit (self, max_bytes_per_second, error);
}

gboolean
hcs_endpoint_set_vlan (HcsEndpoint *self, guint16 vlan, GError **error)
{
  g_return_val_if_fail (HCS_IS_ENDPOINT (self), FALSE);
  if (HCS_ENDPOINT_GET_IFACE (self)->set_vlan == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED, "%s: VLANs are not supported",
                   G_OBJECT_TYPE_NAME (self));
      return FALSE;
    }
  return HCS_ENDPOINT_GET_IFACE (self)->set_vlan (self, vlan, error);
}

gboolean
hcs_endpoint_add_acl (HcsEndpoint *self, const char *action, const char *direction,
                      const char *protocol, guint16 port, const char *remote, GError **error)
{
  g_return_val_if_fail (HCS_IS_ENDPOINT (self), FALSE);
  if (HCS_ENDPOINT_GET_IFACE (self)->add_acl == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED, "%s: ACLs are not supported",
                   G_OBJECT_TYPE_NAME (self));
      return FALSE;
    }
  return HCS_ENDPOINT_GET_IFACE (self)->add_acl (self, action, direction, protocol, port, remote,
                                                 error);
}

gboolean
hcs_endpoint_add_port_mapping (HcsEndpoint *self, const char *protocol, guint16 internal_port,
                               guint16 external_port, GError **error)
{
  g_return_val_if_fail (HCS_IS_ENDPOINT (self), FALSE);
  if (HCS_ENDPOINT_GET_IFACE (self)->add_port_mapping == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED, "%s: port mappings are not supported",
                   G_OBJECT_TYPE_NAME (self));
      return FALSE;
    }
  return HCS_ENDPOINT_GET_IFACE (self)->add_port_mapping (self, protocol, internal_port,
                                                          external_port, error);
}

gboolean
hcs_endpoint_attach_port (HcsEndpoint *self, const char *ifname, GError **error)
{
  g_return_val_if_fail (HCS_IS_ENDPOINT (self), FALSE);
  g_return_val_if_fail (ifname != NULL, FALSE);
  if (HCS_ENDPOINT_GET_IFACE (self)->attach_port == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "%s: endpoint %s cannot take %s as a port: its network driver has no ports",
                   G_OBJECT_TYPE_NAME (self), hcs_endpoint_get_id (self), ifname);
      return FALSE;
    }
  return HCS_ENDPOINT_GET_IFACE (self)->attach_port (self, ifname, error);
}

gboolean
hcs_endpoint_detach_port (HcsEndpoint *self, const char *ifname, GError **error)
{
  g_return_val_if_fail (HCS_IS_ENDPOINT (self), FALSE);
  g_return_val_if_fail (ifname != NULL, FALSE);
  if (HCS_ENDPOINT_GET_IFACE (self)->detach_port == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "%s: endpoint %s has no ports: its network driver has none",
                   G_OBJECT_TYPE_NAME (self), hcs_endpoint_get_id (self));
      return FALSE;
    }
  return HCS_ENDPOINT_GET_IFACE (self)->detach_port (self, ifname, error);
}

const char *
hcs_network_get_id (HcsNetwork *self)
{
  g_return_val_if_fail (HCS_IS_NETWORK (self), NULL);
  return HCS_NETWORK_GET_IFACE (self)->get_id (self);
}

const char *
hcs_network_get_name (HcsNetwork *self)
{
  g_return_val_if_fail (HCS_IS_NETWORK (self), NULL);
  return HCS_NETWORK_GET_IFACE (self)->get_name (self);
}

const char *
hcs_network_get_network_type (HcsNetwork *self)
{
  g_return_val_if_fail (HCS_IS_NETWORK (self), NULL);
  return HCS_NETWORK_GET_IFACE (self)->get_network_type (self);
}

static void
undo_endpoint (gpointer endpoint)
{
  if (HCS_ENDPOINT_GET_IFACE (endpoint)->remove != NULL)
    HCS_ENDPOINT_GET_IFACE (endpoint)->remove (endpoint, NULL);
}

HcsEndpoint *
hcs_network_create_endpoint (HcsNetwork *self, const char *name, const char *ip_address,
                             GError **error)
{
  g_return_val_if_fail (HCS_IS_NETWORK (self), NULL);
  return hcs_plugin_check_object (
      HCS_NETWORK_GET_IFACE (self)->create_endpoint (self, name, ip_address, error),
      HCS_TYPE_ENDPOINT, G_OBJECT_TYPE_NAME (self), undo_endpoint, error);
}

HcsEndpoint *
hcs_network_get_endpoint (HcsNetwork *self, const char *id, GError **error)
{
  g_return_val_if_fail (HCS_IS_NETWORK (self), NULL);
  return hcs_plugin_check_object (HCS_NETWORK_GET_IFACE (self)->get_endpoint (self, id, error),
                                  HCS_TYPE_ENDPOINT, G_OBJECT_TYPE_NAME (self), NULL, error);
}

gboolean
hcs_network_remove (HcsNetwork *self, gboolean force, GError **error)
{
  g_return_val_if_fail (HCS_IS_NETWORK (self), FALSE);
  return HCS_NETWORK_GET_IFACE (self)->remove (self, force, error);
}

JsonNode *
hcs_network_to_json (HcsNetwork *self)
{
  g_return_val_if_fail (HCS_IS_NETWORK (self), NULL);
  return HCS_NETWORK_GET_IFACE (self)->to_json (self);
}

GPtrArray *
hcs_network_list_endpoints (HcsNetwork *self)
{
  g_return_val_if_fail (HCS_IS_NETWORK (self), NULL);
  return HCS_NETWORK_GET_IFACE (self)->list_endpoints (self);
}

JsonNode *
hcs_endpoint_to_json (HcsEndpoint *self)
{
  g_return_val_if_fail (HCS_IS_ENDPOINT (self), NULL);
  return HCS_ENDPOINT_GET_IFACE (self)->to_json (self);
}

static gboolean
policy_int (JsonObject *policy, guint index, const char *type, const char *name, gint64 min,
            gint64 max, gint64 *out, GError **error)
{
  JsonNode *node = json_object_get_member (policy, name);

  if (node == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "Policies[%u] (%s): %s is missing",
                   index, type, name);
      return FALSE;
    }
  if (json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) < min ||
      json_node_get_int (node) > max)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "Policies[%u] (%s): %s must be an integer from %" G_GINT64_FORMAT " to %"
                   G_GINT64_FORMAT, index, type, name, min, max);
      return FALSE;
    }
  *out = json_node_get_int (node);
  return TRUE;
}

/* "tcp", "udp", "icmp", or the IANA numbers hcsshim uses ("6", 17...). */
static const char *
acl_protocol (JsonObject *policy)
{
  JsonNode *node = json_object_get_member (policy, "Protocols");
  g_autofree char *text = NULL;

  if (node == NULL)
    node = json_object_get_member (policy, "Protocol");
  if (node == NULL)
    return NULL;
  text = json_node_get_value_type (node) == G_TYPE_INT64
             ? g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node))
             : g_strdup (json_node_get_string (node));
  if (text == NULL || *text == '\0' || g_str_equal (text, "256"))
    return NULL;
  if (g_str_equal (text, "6") || g_ascii_strcasecmp (text, "tcp") == 0)
    return "tcp";
  if (g_str_equal (text, "17") || g_ascii_strcasecmp (text, "udp") == 0)
    return "udp";
  if (g_str_equal (text, "1") || g_ascii_strcasecmp (text, "icmp") == 0)
    return "icmp";
  return "?";
}

gboolean
hcs_endpoint_apply_policies (HcsEndpoint *self, JsonArray *policies, GError **error)
{
  g_return_val_if_fail (HCS_IS_ENDPOINT (self), FALSE);

  for (guint i = 0; policies && i < json_array_get_length (policies); i++)
    {
      JsonNode *node = json_array_get_element (policies, i);
      JsonObject *policy;
      const char *type;
      gint64 a = 0, b = 0;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "Policies[%u]: not an object", i);
          return FALSE;
        }
      policy = json_node_get_object (node);
      type = json_object_get_string_member_with_default (policy, "Type", "");
      if (g_ascii_strcasecmp (type, "NAT") == 0)
        {
          g_autofree char *protocol = g_ascii_strdown (
              json_object_get_string_member_with_default (policy, "Protocol", "tcp"), -1);

          if (!policy_int (policy, i, type, "InternalPort", 1, 65535, &a, error) ||
              !policy_int (policy, i, type, "ExternalPort", 1, 65535, &b, error) ||
              !hcs_endpoint_add_port_mapping (self, protocol, (guint16) a, (guint16) b, error))
            return FALSE;
        }
      else if (g_ascii_strcasecmp (type, "QOS") == 0)
        {
          if (!policy_int (policy, i, type, "MaximumOutgoingBandwidthInBytes", 0, G_MAXINT64, &a,
                           error) ||
              !hcs_endpoint_set_bandwidth_limit (self, (guint64) a, error))
            return FALSE;
        }
      else if (g_ascii_strcasecmp (type, "VLAN") == 0)
        {
          if (!policy_int (policy, i, type, "VLAN", 1, 4094, &a, error) ||
              !hcs_endpoint_set_vlan (self, (guint16) a, error))
            return FALSE;
        }
      else if (g_ascii_strcasecmp (type, "ACL") == 0)
        {
          const char *protocol = acl_protocol (policy);
          const char *ports = json_object_get_string_member_with_default (
              policy, "RemotePorts", json_object_get_string_member_with_default (policy,
                                                                                 "LocalPorts", ""));
          const char *remote =
              json_object_get_string_member_with_default (policy, "RemoteAddresses", "");
          guint64 port = 0;

          if (protocol != NULL && g_str_equal (protocol, "?"))
            {
              g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                           "Policies[%u] (ACL): Protocols: expected tcp (6), udp (17) or icmp (1)",
                           i);
              return FALSE;
            }
          if (*ports != '\0' && !g_ascii_string_to_unsigned (ports, 10, 1, 65535, &port, NULL))
            {
              g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                           "Policies[%u] (ACL): ports: '%s' is not one port number", i, ports);
              return FALSE;
            }
          if (!hcs_endpoint_add_acl (self,
                                     json_object_get_string_member_with_default (policy, "Action",
                                                                                 "Allow"),
                                     json_object_get_string_member_with_default (policy,
                                                                                 "Direction", "In"),
                                     protocol, (guint16) port, *remote ? remote : NULL, error))
            return FALSE;
        }
      else
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "Policies[%u]: unknown Type '%s' (NAT, QOS, VLAN or ACL)", i, type);
          return FALSE;
        }
    }
  return TRUE;
}

/* --- the request document ------------------------------------------------- */

gboolean
hcs_parse_mac (const char *text, guint64 *mac)
{
  unsigned int bytes[6];
  char separator;

  if (text == NULL || strlen (text) != 17)
    return FALSE;
  separator = text[2];
  if (separator != ':' && separator != '-')
    return FALSE;
  for (int i = 0; i < 6; i++)
    {
      char hex[3] = { text[i * 3], text[i * 3 + 1], 0 };
      if (!g_ascii_isxdigit (hex[0]) || !g_ascii_isxdigit (hex[1]) ||
          (i < 5 && text[i * 3 + 2] != separator))
        return FALSE;
      bytes[i] = (unsigned int) g_ascii_strtoull (hex, NULL, 16);
    }
  *mac = 0;
  for (int i = 0; i < 6; i++)
    *mac = (*mac << 8) | bytes[i];
  return TRUE;
}

char *
hcs_format_mac (guint64 mac)
{
  return g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x", (guint) (mac >> 40) & 0xff,
                          (guint) (mac >> 32) & 0xff, (guint) (mac >> 24) & 0xff,
                          (guint) (mac >> 16) & 0xff, (guint) (mac >> 8) & 0xff,
                          (guint) mac & 0xff);
}

void
hcs_network_config_free (HcsNetworkConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->name);
  g_free (config->network_type);
  g_free (config->network_adapter_name);
  g_free (config->address_prefix);
  g_free (config->gateway_address);
  g_free (config->dns_suffix);
  g_free (config->dns_server_list);
  g_free (config);
}

HcsNetworkConfig *
hcs_network_config_copy (const HcsNetworkConfig *config)
{
  HcsNetworkConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);
  copy = g_new0 (HcsNetworkConfig, 1);
  *copy = *config;
  copy->name = g_strdup (config->name);
  copy->network_type = g_strdup (config->network_type);
  copy->network_adapter_name = g_strdup (config->network_adapter_name);
  copy->address_prefix = g_strdup (config->address_prefix);
  copy->gateway_address = g_strdup (config->gateway_address);
  copy->dns_suffix = g_strdup (config->dns_suffix);
  copy->dns_server_list = g_strdup (config->dns_server_list);
  return copy;
}

G_DEFINE_BOXED_TYPE (HcsNetworkConfig, hcs_network_config, hcs_network_config_copy,
                     hcs_network_config_free)

static gboolean
string_member (JsonObject *object, const char *doc, const char *name, char **out, GError **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "%s.%s: expected a string", doc,
                   name);
      return FALSE;
    }
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

HcsNetworkConfig *
hcs_network_config_from_json (const char *json, GError **error)
{
  const char *doc = "HNSNetwork";
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (HcsNetworkConfig) config = g_new0 (HcsNetworkConfig, 1);
  g_autoptr (GError) local_error = NULL;
  JsonObject *object;
  JsonNode *subnets;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, &local_error))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_JSON, "%s: malformed JSON: %s", doc,
                   local_error ? local_error->message : "no document");
      return NULL;
    }
  /* An empty document parses, with no root at all. */
  if (json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "%s: expected a JSON object", doc);
      return NULL;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  if (!string_member (object, doc, "Name", &config->name, error) ||
      !string_member (object, doc, "Type", &config->network_type, error) ||
      !string_member (object, doc, "NetworkAdapterName", &config->network_adapter_name, error) ||
      !string_member (object, doc, "DNSSuffix", &config->dns_suffix, error) ||
      !string_member (object, doc, "DNSServerList", &config->dns_server_list, error))
    return NULL;
  /* Each server must be an address: the list goes into resolv.conf. */
  if (config->dns_server_list != NULL)
    {
      g_auto (GStrv) servers = g_strsplit (config->dns_server_list, ",", -1);
      for (guint i = 0; servers[i]; i++)
        {
          g_autoptr (GInetAddress) address = g_inet_address_new_from_string (g_strstrip (servers[i]));
          if (address == NULL)
            {
              g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                           "%s.DNSServerList: '%s' is not an IP address", doc, servers[i]);
              return NULL;
            }
        }
    }
  if (config->dns_suffix != NULL && (strpbrk (config->dns_suffix, " \t\n/") != NULL))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "%s.DNSSuffix: '%s' is not a domain name", doc, config->dns_suffix);
      return NULL;
    }
  if (config->name == NULL || *config->name == '\0')
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "%s.Name: missing", doc);
      return NULL;
    }
  if (config->network_type == NULL)
    config->network_type = g_strdup ("NAT");

  {
    JsonNode *pools = json_object_get_member (object, "MacPools");
    if (pools != NULL && !JSON_NODE_HOLDS_NULL (pools))
      {
        JsonArray *array;
        g_autofree char *start = NULL, *end = NULL;

        if (!JSON_NODE_HOLDS_ARRAY (pools) || json_array_get_length ((array = json_node_get_array (pools))) == 0 ||
            !JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, 0)))
          {
            g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                         "%s.MacPools: expected an array of {StartMacAddress, EndMacAddress}", doc);
            return NULL;
          }
        if (!string_member (json_array_get_object_element (array, 0), "HNSNetwork.MacPools[0]",
                            "StartMacAddress", &start, error) ||
            !string_member (json_array_get_object_element (array, 0), "HNSNetwork.MacPools[0]",
                            "EndMacAddress", &end, error))
          return NULL;
        if (!hcs_parse_mac (start, &config->mac_pool_start) ||
            !hcs_parse_mac (end, &config->mac_pool_end) ||
            config->mac_pool_end < config->mac_pool_start)
          {
            g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                         "%s.MacPools[0]: '%s'..'%s' is not a range of MAC addresses", doc,
                         start ? start : "", end ? end : "");
            return NULL;
          }
      }
  }

  subnets = json_object_get_member (object, "Subnets");
  if (subnets != NULL)
    {
      JsonArray *array;
      JsonNode *first;

      if (!JSON_NODE_HOLDS_ARRAY (subnets))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "%s.Subnets: expected an array",
                       doc);
          return NULL;
        }
      array = json_node_get_array (subnets);
      if (json_array_get_length (array) > 0)
        {
          first = json_array_get_element (array, 0);
          if (!JSON_NODE_HOLDS_OBJECT (first))
            {
              g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                           "%s.Subnets[0]: expected an object", doc);
              return NULL;
            }
          if (!string_member (json_node_get_object (first), "HNSNetwork.Subnets[0]",
                              "AddressPrefix", &config->address_prefix, error) ||
              !string_member (json_node_get_object (first), "HNSNetwork.Subnets[0]",
                              "GatewayAddress", &config->gateway_address, error))
            return NULL;
        }
    }
  return g_steal_pointer (&config);
}
