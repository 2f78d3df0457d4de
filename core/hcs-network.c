/* hcs-network.c: the HcsNetwork and HcsEndpoint interfaces, and the HNS
 * network request document.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-network.h"
#include "hcs-error.h"

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

HcsEndpoint *
hcs_network_create_endpoint (HcsNetwork *self, const char *name, const char *ip_address,
                             GError **error)
{
  g_return_val_if_fail (HCS_IS_NETWORK (self), NULL);
  return HCS_NETWORK_GET_IFACE (self)->create_endpoint (self, name, ip_address, error);
}

HcsEndpoint *
hcs_network_get_endpoint (HcsNetwork *self, const char *id, GError **error)
{
  g_return_val_if_fail (HCS_IS_NETWORK (self), NULL);
  return HCS_NETWORK_GET_IFACE (self)->get_endpoint (self, id, error);
}

gboolean
hcs_network_remove (HcsNetwork *self, gboolean force, GError **error)
{
  g_return_val_if_fail (HCS_IS_NETWORK (self), FALSE);
  return HCS_NETWORK_GET_IFACE (self)->remove (self, force, error);
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
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
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
