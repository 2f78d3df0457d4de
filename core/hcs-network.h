/* hcs-network.h: host networks and their endpoints (hcsshim's HNSNetwork
 * and HNSEndpoint), provided by network drivers such as plugins/hns.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* An HNS network request: {"Name", "Type", "NetworkAdapterName",
 * "Subnets": [{"AddressPrefix": "10.0.0.0/24", "GatewayAddress": "10.0.0.1"}]} */
typedef struct {
  char *name;
  char *network_type;         /* "NAT", "Internal", "Private", "Transparent", "L2Bridge" */
  char *network_adapter_name;
  char *address_prefix;       /* the first subnet */
  char *gateway_address;
  char *dns_suffix;           /* DNSSuffix */
  char *dns_server_list;      /* DNSServerList: "10.0.0.2,10.0.0.3" */
  guint64 mac_pool_start;     /* MacPools[0].StartMacAddress, 0 = none */
  guint64 mac_pool_end;       /* MacPools[0].EndMacAddress */
} HcsNetworkConfig;

#define HCS_TYPE_NETWORK_CONFIG (hcs_network_config_get_type ())
GType hcs_network_config_get_type (void);
/**
 * hcs_network_config_copy:
 * @config: a network request
 *
 * Returns: (transfer full): a deep copy
 */
HcsNetworkConfig *hcs_network_config_copy (const HcsNetworkConfig *config);
/**
 * hcs_network_config_from_json:
 * @json: an HNSNetwork request as JSON text
 * @error: return location for a #GError
 *
 * Parses an HNS network request.
 *
 * Returns: (transfer full): the config, or %NULL naming the field that is
 *   wrong
 */
HcsNetworkConfig *hcs_network_config_from_json (const char *json, GError **error);
/**
 * hcs_parse_mac:
 * @text: text
 * @mac: (out): the 48 bits
 *
 * "00-15-5D-52-C0-00" or "00:15:5d:52:c0:00" <-> 48 bits; FALSE if
 * malformed.
 *
 * Returns: %FALSE when @text is malformed
 */
gboolean hcs_parse_mac (const char *text, guint64 *mac);
/**
 * hcs_format_mac:
 * @mac: mac
 *
 * Returns: (transfer full): "00-15-5D-52-C0-00"
 */
char *hcs_format_mac (guint64 mac);
/**
 * hcs_network_config_free:
 * @config: config
 */
void hcs_network_config_free (HcsNetworkConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HcsNetworkConfig, hcs_network_config_free)

#define HCS_TYPE_ENDPOINT (hcs_endpoint_get_type ())
G_DECLARE_INTERFACE (HcsEndpoint, hcs_endpoint, HCS, ENDPOINT, GObject)

struct _HcsEndpointInterface
{
  GTypeInterface parent_iface;

  /* Required, except the optional get_dns_server_list and get_dns_suffix
   * (NULL: no value) and the policies add_port_mapping, set_disable_icc,
   * set_bandwidth_limit, set_vlan, add_acl and the ports attach_port,
   * detach_port (NULL: HCS_ERROR_NOT_SUPPORTED).
   * hcs-plugin.h. */

  const char *(*get_id) (HcsEndpoint *self);
  const char *(*get_ip_address) (HcsEndpoint *self);
  const char *(*get_mac_address) (HcsEndpoint *self);
  /* The network's DNSServerList ("a,b") and DNSSuffix, or NULL. */
  const char *(*get_dns_server_list) (HcsEndpoint *self);
  const char *(*get_dns_suffix) (HcsEndpoint *self);
  /* Moves the endpoint into the network namespace at @netns_path (a
   * /proc/PID/ns/net or a bind-mounted namespace file) as eth0. */
  gboolean (*attach) (HcsEndpoint *self, const char *netns_path, GError **error);
  gboolean (*detach) (HcsEndpoint *self, GError **error);
  gboolean (*remove) (HcsEndpoint *self, GError **error);
  /* An HNS NAT policy: @external_port of the host to @internal_port of
   * the endpoint; @protocol "tcp" or "udp". */
  gboolean (*add_port_mapping) (HcsEndpoint *self, const char *protocol, guint16 internal_port,
                                guint16 external_port, GError **error);
  /* HNS DisableICC: no traffic with the other endpoints of the network. */
  gboolean (*set_disable_icc) (HcsEndpoint *self, gboolean disable, GError **error);
  /* HNS QosPolicy MaximumOutgoingBandwidthInBytes (0: none); taken at attach. */
  gboolean (*set_bandwidth_limit) (HcsEndpoint *self, guint64 max_bytes_per_second,
                                   GError **error);
  /* HNS VlanPolicy: the endpoint's bridge port joins VLAN @vlan (1-4094). */
  gboolean (*set_vlan) (HcsEndpoint *self, guint16 vlan, GError **error);
  /* HNS AclPolicy for traffic routed through the host: @action "Allow" or
   * "Block", @direction "In" or "Out", @protocol "tcp", "udp", "icmp" or
   * NULL (any), @port 0 (any), @remote an address or prefix or NULL. The
   * rule added last is matched first. */
  gboolean (*add_acl) (HcsEndpoint *self, const char *action, const char *direction,
                       const char *protocol, guint16 port, const char *remote, GError **error);
  /* The endpoint as HNS shows it (HNSEndpoint: Id, Name, VirtualNetwork,
   * VirtualNetworkName, MacAddress, IPAddress, PrefixLength,
   * GatewayAddress, DNSSuffix, DNSServerList, DisableICC, Policies). */
  JsonNode *(*to_json) (HcsEndpoint *self);
  /* Optional (NULL: HCS_ERROR_NOT_SUPPORTED). A host interface someone
   * else made (a VM's tap) becomes a port of the endpoint: it joins the
   * network's bridge and takes the endpoint's policies as the endpoint's
   * own host link does, now and as they change, until detach_port or the
   * endpoint's removal. The interface itself stays its maker's. */
  gboolean (*attach_port) (HcsEndpoint *self, const char *ifname, GError **error);
  /* Takes back what attach_port gave @ifname (its policies, its place on
   * the bridge); an interface already deleted only loses its rules. */
  gboolean (*detach_port) (HcsEndpoint *self, const char *ifname, GError **error);
};

/**
 * hcs_endpoint_get_id:
 * @self: the object
 *
 * Returns: the result
 */
const char *hcs_endpoint_get_id (HcsEndpoint *self);
/**
 * hcs_endpoint_get_ip_address:
 * @self: the object
 *
 * Returns: the result
 */
const char *hcs_endpoint_get_ip_address (HcsEndpoint *self);
/**
 * hcs_endpoint_get_mac_address:
 * @self: the object
 *
 * Returns: the result
 */
const char *hcs_endpoint_get_mac_address (HcsEndpoint *self);
/**
 * hcs_endpoint_get_dns_server_list:
 * @self: the object
 *
 * Returns: (transfer none) (nullable): DNSServerList
 */
const char *hcs_endpoint_get_dns_server_list (HcsEndpoint *self);
/**
 * hcs_endpoint_get_dns_suffix:
 * @self: the object
 *
 * Returns: (transfer none) (nullable): DNSSuffix
 */
const char *hcs_endpoint_get_dns_suffix (HcsEndpoint *self);
/**
 * hcs_endpoint_attach:
 * @self: the object
 * @netns_path: netns path
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_endpoint_attach (HcsEndpoint *self, const char *netns_path, GError **error);
/**
 * hcs_endpoint_detach:
 * @self: the object
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_endpoint_detach (HcsEndpoint *self, GError **error);
/**
 * hcs_endpoint_remove:
 * @self: the object
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_endpoint_remove (HcsEndpoint *self, GError **error);
/**
 * hcs_endpoint_set_disable_icc:
 * @self: the object
 * @disable: disable
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_endpoint_set_disable_icc (HcsEndpoint *self, gboolean disable, GError **error);
/**
 * hcs_endpoint_set_bandwidth_limit:
 * @self: the object
 * @max_bytes_per_second: max bytes per second
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_endpoint_set_bandwidth_limit (HcsEndpoint *self, guint64 max_bytes_per_second,
                                           GError **error);
/**
 * hcs_endpoint_set_vlan:
 * @self: the object
 * @vlan: vlan
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_endpoint_set_vlan (HcsEndpoint *self, guint16 vlan, GError **error);
/**
 * hcs_endpoint_add_acl:
 * @self: the object
 * @action: action
 * @direction: direction
 * @protocol: (nullable): "tcp", "udp", "icmp" or %NULL (any)
 * @port: port
 * @remote: (nullable): an address or prefix, or %NULL (any)
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_endpoint_add_acl (HcsEndpoint *self, const char *action, const char *direction,
                               const char *protocol, guint16 port, const char *remote,
                               GError **error);
/**
 * hcs_endpoint_attach_port:
 * @self: the object
 * @ifname: a host interface that the caller made, such as a VM's tap
 * @error: return location for a #GError
 *
 * Makes @ifname a port of @self: it joins the endpoint's network bridge,
 * and the endpoint's policies (VLAN, QoS, DisableICC; ACLs and port
 * mappings follow the endpoint's address) reach the traffic that enters
 * and leaves through it, as they do for an endpoint attached to a
 * namespace; later policy changes reach it too. This is how a
 * VM-isolated container on the endpoint gets the same policies as a
 * process-isolated one. The interface stays the caller's: undo with
 * hcs_endpoint_detach_port() before deleting it (removing the endpoint
 * takes its ports back too). Errors: %HCS_ERROR_NOT_SUPPORTED when the
 * network driver has no ports, %HCS_ERROR_ELEMENT_NOT_FOUND for an
 * interface that does not exist, %HCS_ERROR_ALREADY_EXISTS when it is
 * already an endpoint's port, %HCS_ERROR_INVALID_STATE for a removed
 * endpoint.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_endpoint_attach_port (HcsEndpoint *self, const char *ifname, GError **error);
/**
 * hcs_endpoint_detach_port:
 * @self: the object
 * @ifname: an interface hcs_endpoint_attach_port() gave @self
 * @error: return location for a #GError
 *
 * Takes @ifname's policies back and takes it off the bridge; an interface
 * its maker deleted already only loses its rules.
 * %HCS_ERROR_ELEMENT_NOT_FOUND when @ifname is no port of @self.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_endpoint_detach_port (HcsEndpoint *self, const char *ifname, GError **error);
/**
 * hcs_endpoint_add_port_mapping:
 * @self: the object
 * @protocol: protocol
 * @internal_port: internal port
 * @external_port: external port
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_endpoint_add_port_mapping (HcsEndpoint *self, const char *protocol,
                                        guint16 internal_port, guint16 external_port,
                                        GError **error);

#define HCS_TYPE_NETWORK (hcs_network_get_type ())
G_DECLARE_INTERFACE (HcsNetwork, hcs_network, HCS, NETWORK, GObject)

struct _HcsNetworkInterface
{
  GTypeInterface parent_iface;

  /* Every vfunc is required (hcs-plugin.h). */

  const char *(*get_id) (HcsNetwork *self);
  const char *(*get_name) (HcsNetwork *self);
  const char *(*get_network_type) (HcsNetwork *self);
  /* @ip_address NULL: the next free address of the subnet. */
  HcsEndpoint *(*create_endpoint) (HcsNetwork *self, const char *name, const char *ip_address,
                                   GError **error);
  gboolean (*remove) (HcsNetwork *self, gboolean force, GError **error);
  /* HCS_ERROR_ELEMENT_NOT_FOUND when the network has no such endpoint. */
  HcsEndpoint *(*get_endpoint) (HcsNetwork *self, const char *id, GError **error);
  /* The network as HNS shows it (HNSNetwork: Id, Name, Type,
   * NetworkAdapterName, Subnets, MacPools, DNSSuffix, DNSServerList). */
  JsonNode *(*to_json) (HcsNetwork *self);
  /* (element-type HcsEndpoint) */
  GPtrArray *(*list_endpoints) (HcsNetwork *self);
};

/**
 * hcs_network_get_id:
 * @self: the object
 *
 * Returns: the result
 */
const char *hcs_network_get_id (HcsNetwork *self);
/**
 * hcs_network_get_name:
 * @self: the object
 *
 * Returns: the result
 */
const char *hcs_network_get_name (HcsNetwork *self);
/**
 * hcs_network_get_network_type:
 * @self: the object
 *
 * Returns: the result
 */
const char *hcs_network_get_network_type (HcsNetwork *self);
/**
 * hcs_network_create_endpoint:
 * @self: the object
 * @name: name
 * @ip_address: (nullable): the address; %NULL: the next free one of the subnet
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the endpoint, or %NULL on error
 */
HcsEndpoint *hcs_network_create_endpoint (HcsNetwork *self, const char *name,
                                          const char *ip_address, GError **error);
/**
 * hcs_network_get_endpoint:
 * @self: the object
 * @id: id
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the endpoint, or %NULL with %HCS_ERROR_ELEMENT_NOT_FOUND
 */
HcsEndpoint *hcs_network_get_endpoint (HcsNetwork *self, const char *id, GError **error);
/**
 * hcs_network_remove:
 * @self: the object
 * @force: force
 * @error: return location for a #GError
 *
 * Removes the network; one that still has endpoints is refused
 * (HCS_ERROR_INVALID_STATE) unless @force, which removes them too.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_network_remove (HcsNetwork *self, gboolean force, GError **error);
/**
 * hcs_network_to_json:
 * @self: the object
 *
 * Returns: (transfer full): the network as HNS shows it
 */
JsonNode *hcs_network_to_json (HcsNetwork *self);
/**
 * hcs_network_list_endpoints:
 * @self: the object
 *
 * Returns: (transfer container) (element-type HcsEndpoint): the network's endpoints
 */
GPtrArray *hcs_network_list_endpoints (HcsNetwork *self);
/**
 * hcs_endpoint_to_json:
 * @self: the object
 *
 * Returns: (transfer full): the endpoint as HNS shows it
 */
JsonNode *hcs_endpoint_to_json (HcsEndpoint *self);
/**
 * hcs_endpoint_apply_policies:
 * @self: the object
 * @policies: policies
 * @error: return location for a #GError
 *
 * Applies HNS policy objects ({"Type": "NAT"|"QOS"|"VLAN"|"ACL", ...}, as
 * hcsshim's NatPolicy, QosPolicy, VlanPolicy, ACLPolicy) to @self; errors
 * name the policy and the field.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_endpoint_apply_policies (HcsEndpoint *self, JsonArray *policies, GError **error);

G_END_DECLS
