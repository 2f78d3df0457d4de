/* hns-endpoint.c: an endpoint: a veth pair, one end on the network's
 * bridge, the other given to a container's network namespace as eth0.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hns-private.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <string.h>

struct _HnsEndpoint
{
  GObject parent_instance;
  HnsNetwork *network; /* weak: the network owns its endpoints */
  char *id;
  char *name;
  guint32 address;
  char *address_text;
  char *mac;
  char *host_link;
  char *peer_link;
  char *netns_path;
  GArray *port_mappings; /* PortMapping */
  gboolean disable_icc;
  guint64 max_bytes_per_second; /* QoS, applied at attach */
  guint16 vlan;                 /* 0: the bridge's default */
  gboolean has_pair;            /* the veth pair exists (made again at attach after a detach) */
  GPtrArray *acls;              /* Acl*, kept so a reload can apply them again */
  GPtrArray *ports;             /* char*: host interfaces taken with attach_port (a VM's tap) */
  gboolean removed;
};

typedef struct {
  char protocol[4];
  guint16 internal_port;
  guint16 external_port;
} PortMapping;

typedef struct {
  gboolean allow;
  gboolean outgoing;
  char *protocol;     /* NULL: any */
  guint16 port;       /* 0: any */
  char *remote;       /* NULL: any */
} Acl;

static void
acl_free (Acl *acl)
{
  g_free (acl->protocol);
  g_free (acl->remote);
  g_free (acl);
}

/* An ACL as an HNS policy object, for the state file and HNS's JSON. */
static void
build_acl (JsonBuilder *builder, const Acl *acl)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Type");
  json_builder_add_string_value (builder, "ACL");
  json_builder_set_member_name (builder, "Action");
  json_builder_add_string_value (builder, acl->allow ? "Allow" : "Block");
  json_builder_set_member_name (builder, "Direction");
  json_builder_add_string_value (builder, acl->outgoing ? "Out" : "In");
  if (acl->protocol != NULL)
    {
      json_builder_set_member_name (builder, "Protocols");
      json_builder_add_string_value (builder, acl->protocol);
    }
  if (acl->port != 0)
    {
      g_autofree char *port = g_strdup_printf ("%u", acl->port);
      json_builder_set_member_name (builder, "RemotePorts");
      json_builder_add_string_value (builder, port);
    }
  if (acl->remote != NULL)
    {
      json_builder_set_member_name (builder, "RemoteAddresses");
      json_builder_add_string_value (builder, acl->remote);
    }
  json_builder_end_object (builder);
}

static void hns_endpoint_iface_init (HcsEndpointInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HnsEndpoint, hns_endpoint, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HCS_TYPE_ENDPOINT, hns_endpoint_iface_init))

static void
hns_endpoint_finalize (GObject *object)
{
  HnsEndpoint *self = HNS_ENDPOINT (object);

  g_ptr_array_unref (self->acls);
  g_ptr_array_unref (self->ports);
  g_free (self->id);
  g_free (self->name);
  g_free (self->address_text);
  g_free (self->mac);
  g_free (self->host_link);
  g_free (self->peer_link);
  g_free (self->netns_path);
  g_array_unref (self->port_mappings);
  G_OBJECT_CLASS (hns_endpoint_parent_class)->finalize (object);
}

static void
hns_endpoint_class_init (HnsEndpointClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hns_endpoint_finalize;
}

static void
hns_endpoint_init (HnsEndpoint *self)
{
  self->acls = g_ptr_array_new_with_free_func ((GDestroyNotify) acl_free);
  self->ports = g_ptr_array_new_with_free_func (g_free);
  self->port_mappings = g_array_new (FALSE, TRUE, sizeof (PortMapping));
}

HnsEndpoint *
hns_endpoint_new (HnsNetwork *network, const char *id, const char *name, guint32 address,
                  GError **error)
{
  g_autoptr (HnsEndpoint) self = g_object_new (HNS_TYPE_ENDPOINT, NULL);
  g_autofree char *bridge = hns_bridge_name (hcs_network_get_id (HCS_NETWORK (network)));

  self->network = network;
  self->id = g_strdup (id);
  self->name = g_strdup (name);
  self->address = address;
  self->address_text = hns_address_to_string (address);
  self->mac = hns_network_mac_for (network, address, error);
  if (self->mac == NULL)
    return NULL;
  self->host_link = g_strdup_printf ("hcsv%.8s", id);
  self->peer_link = g_strdup_printf ("hcsp%.8s", id);
  /* The pair is made at attach, its peer born in the namespace. */
  (void) bridge;
  return g_steal_pointer (&self);
}

/* The members the state file and HNS's JSON share. */
static void
build_namespace (HnsEndpoint *self, JsonBuilder *builder)
{
  json_builder_set_member_name (builder, "Namespace");
  if (self->netns_path != NULL)
    json_builder_add_string_value (builder, self->netns_path);
  else
    json_builder_add_null_value (builder);
}

static void
build_nat_and_acl_policies (HnsEndpoint *self, JsonBuilder *builder)
{
  for (guint i = 0; i < self->port_mappings->len; i++)
    {
      PortMapping *mapping = &g_array_index (self->port_mappings, PortMapping, i);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "Type");
      json_builder_add_string_value (builder, "NAT");
      json_builder_set_member_name (builder, "Protocol");
      json_builder_add_string_value (builder, mapping->protocol);
      json_builder_set_member_name (builder, "InternalPort");
      json_builder_add_int_value (builder, mapping->internal_port);
      json_builder_set_member_name (builder, "ExternalPort");
      json_builder_add_int_value (builder, mapping->external_port);
      json_builder_end_object (builder);
    }
  for (guint i = 0; i < self->acls->len; i++)
    build_acl (builder, self->acls->pdata[i]);
}

void
hns_endpoint_save (HnsEndpoint *self, JsonBuilder *builder)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Id");
  json_builder_add_string_value (builder, self->id);
  json_builder_set_member_name (builder, "Name");
  json_builder_add_string_value (builder, self->name ? self->name : "");
  json_builder_set_member_name (builder, "IPAddress");
  json_builder_add_string_value (builder, self->address_text);
  json_builder_set_member_name (builder, "MacAddress");
  json_builder_add_string_value (builder, self->mac);
  build_namespace (self, builder);
  json_builder_set_member_name (builder, "MaximumOutgoingBandwidthInBytes");
  json_builder_add_int_value (builder, self->max_bytes_per_second);
  json_builder_set_member_name (builder, "VLAN");
  json_builder_add_int_value (builder, self->vlan);
  json_builder_set_member_name (builder, "DisableICC");
  json_builder_add_boolean_value (builder, self->disable_icc);
  json_builder_set_member_name (builder, "Policies");
  json_builder_begin_array (builder);
  build_nat_and_acl_policies (self, builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "Ports");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->ports->len; i++)
    json_builder_add_string_value (builder, self->ports->pdata[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

/* --- ports: host interfaces others made, under the endpoint's policies --- */

gboolean
hns_endpoint_owns_link (HnsEndpoint *self, const char *ifname)
{
  return !self->removed &&
         (g_str_equal (self->host_link, ifname) ||
          g_ptr_array_find_with_equal_func (self->ports, ifname, g_str_equal, NULL));
}

/* A name that goes into nft rules as it is: letters, digits, '.', '_'
 * and '-' only (the kernel would take a quote). */
static gboolean
valid_port_name (const char *name)
{
  if (*name == '\0' || strlen (name) >= IFNAMSIZ)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

/* Takes the port's rules, DisableICC element and bridge membership back;
 * best effort, as an endpoint's removal goes. */
static void
port_release (HnsEndpoint *self, const char *port, gboolean unbridge)
{
  const char *network_id = hcs_network_get_id (HCS_NETWORK (self->network));
  g_autofree char *bridge = hns_bridge_name (network_id);
  g_autofree char *master = NULL;

  hns_nft_remove_port_rules (network_id, port);
  if (self->disable_icc)
    hns_nft_icc (network_id, port, FALSE, NULL);
  if (unbridge && hns_netlink_get_master (port, &master, NULL) && g_strcmp0 (master, bridge) == 0)
    hns_netlink_set_master (port, NULL, NULL);
}

/* Puts @port on the bridge (if not yet) and gives it the endpoint's
 * policies as its veth's host end has them; undone whole on error. Again
 * on a port that has them changes nothing (a reload, a policy change). */
static gboolean
port_apply (HnsEndpoint *self, const char *port, GError **error)
{
  const char *network_id = hcs_network_get_id (HCS_NETWORK (self->network));
  g_autofree char *bridge = hns_bridge_name (network_id);
  g_autofree char *master = NULL;
  gboolean bridged_here = FALSE;

  if (!hns_netlink_get_master (port, &master, error))
    return FALSE;
  if (master != NULL && !g_str_equal (master, bridge))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS,
                   "hns: endpoint %s: interface %s is a port of %s, not of this network's "
                   "bridge %s", self->id, port, master, bridge);
      return FALSE;
    }
  /* No router advertisements taken on it, as on the veths' host ends. */
  if (!hns_sysctl_refuse_router_advertisements (port, error))
    return FALSE;
  if (master == NULL)
    {
      if (!hns_netlink_set_master (port, bridge, error))
        return FALSE;
      bridged_here = TRUE;
    }
  hns_nft_remove_port_rules (network_id, port);
  if ((self->vlan != 0 && (!hns_netlink_enable_vlan_filtering (bridge, error) ||
                           !hns_netlink_set_port_vlan (port, self->vlan, error))) ||
      !hns_nft_add_port_rules (network_id, port, self->max_bytes_per_second, error) ||
      (self->disable_icc && !hns_nft_icc (network_id, port, TRUE, error)))
    {
      port_release (self, port, bridged_here);
      g_prefix_error (error, "hns: endpoint %s: port %s: ", self->id, port);
      return FALSE;
    }
  return TRUE;
}

/* A reload: the ports that still exist get their policies again (what a
 * crash or "nft flush" took), the ones their makers deleted meanwhile
 * lose their rules and are let go. */
static void
restore_ports (HnsEndpoint *self, JsonArray *ports, gboolean reconcile)
{
  for (guint i = 0; ports && i < json_array_get_length (ports); i++)
    {
      const char *port = json_array_get_string_element (ports, i);

      if (port == NULL || !valid_port_name (port))
        continue;
      if (reconcile && !hns_netlink_link_exists (port))
        {
          port_release (self, port, FALSE);
          continue;
        }
      if (reconcile)
        port_apply (self, port, NULL);
      g_ptr_array_add (self->ports, g_strdup (port));
    }
}

HnsEndpoint *
hns_endpoint_restore (HnsNetwork *network, JsonObject *saved, gboolean reconcile, GError **error)
{
  g_autoptr (HnsEndpoint) self = g_object_new (HNS_TYPE_ENDPOINT, NULL);
  g_autofree char *bridge = hns_bridge_name (hcs_network_get_id (HCS_NETWORK (network)));
  const char *address_text = json_object_get_string_member_with_default (saved, "IPAddress", "");
  const char *netns = json_object_get_string_member_with_default (saved, "Namespace", NULL);
  JsonArray *policies = json_object_has_member (saved, "Policies")
                            ? json_object_get_array_member (saved, "Policies")
                            : NULL;
  struct in_addr in;

  if (inet_pton (AF_INET, address_text, &in) != 1)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "hns: saved endpoint: IPAddress '%s' is not an address", address_text);
      return NULL;
    }
  self->network = network;
  self->id = g_strdup (json_object_get_string_member_with_default (saved, "Id", ""));
  self->name = g_strdup (json_object_get_string_member_with_default (saved, "Name", ""));
  self->address = ntohl (in.s_addr);
  self->address_text = g_strdup (address_text);
  self->mac = g_strdup (json_object_get_string_member_with_default (saved, "MacAddress", ""));
  self->host_link = g_strdup_printf ("hcsv%.8s", self->id);
  self->peer_link = g_strdup_printf ("hcsp%.8s", self->id);
  /* An attached endpoint whose namespace is gone lost its veth with it;
   * like a new or detached one, it gets a pair at its next attach, born
   * in the namespace (making one here, at every load, for every such
   * endpoint, cost each process a veth and raced with removals). */
  self->has_pair = hns_netlink_link_exists (self->host_link);
  if (netns != NULL && self->has_pair)
    self->netns_path = g_strdup (netns);
  self->disable_icc = json_object_get_boolean_member_with_default (saved, "DisableICC", FALSE);
  self->max_bytes_per_second =
      json_object_get_int_member_with_default (saved, "MaximumOutgoingBandwidthInBytes", 0);
  self->vlan = json_object_get_int_member_with_default (saved, "VLAN", 0);
  if (reconcile && self->vlan != 0 && self->has_pair)
    {
      g_autofree char *bridge_name = hns_bridge_name (hcs_network_get_id (HCS_NETWORK (network)));
      if (!hns_netlink_enable_vlan_filtering (bridge_name, error) ||
          !hns_netlink_set_port_vlan (self->host_link, self->vlan, error))
        return NULL;
    }
  if (reconcile && self->disable_icc &&
      !hns_nft_icc (hcs_network_get_id (HCS_NETWORK (network)), self->host_link, TRUE, error))
    return NULL;
  for (guint i = 0; policies && i < json_array_get_length (policies); i++)
    {
      JsonObject *policy = json_array_get_object_element (policies, i);
      const char *type = json_object_get_string_member_with_default (policy, "Type", "NAT");
      PortMapping mapping = { { 0 },
                              json_object_get_int_member_with_default (policy, "InternalPort", 0),
                              json_object_get_int_member_with_default (policy, "ExternalPort", 0) };
      if (g_str_equal (type, "ACL"))
        continue;
      g_strlcpy (mapping.protocol,
                 json_object_get_string_member_with_default (policy, "Protocol", "tcp"),
                 sizeof mapping.protocol);
      /* Adding an element that is there already changes nothing. */
      if (reconcile && !hns_nft_port_mapping (hcs_network_get_id (HCS_NETWORK (network)), TRUE,
                                 mapping.protocol, mapping.external_port, self->address,
                                 mapping.internal_port, error))
        return NULL;
      g_array_append_val (self->port_mappings, mapping);
    }
  /* ACL rules: this endpoint's are taken out and put back, so a reload
   * neither loses nor doubles them. Only for an endpoint that has some:
   * listing the chain costs a few ms, every load, for every endpoint (a
   * rule added by a process killed before it saved goes with the
   * endpoint's removal, which takes out all of its rules). */
  for (guint i = 0; policies && i < json_array_get_length (policies); i++)
    if (g_strcmp0 (json_object_get_string_member_with_default (
                       json_array_get_object_element (policies, i), "Type", ""),
                   "ACL") == 0)
      {
        if (reconcile && !hns_network_is_l2bridge (network))
          hns_nft_remove_acls (hcs_network_get_id (HCS_NETWORK (network)), self->id);
        break;
      }
  for (guint i = 0; policies && i < json_array_get_length (policies); i++)
    {
      JsonObject *policy = json_array_get_object_element (policies, i);
      const char *protocol, *remote;
      guint64 port = 0;
      Acl *acl;

      if (g_strcmp0 (json_object_get_string_member_with_default (policy, "Type", ""), "ACL") != 0)
        continue;
      protocol = json_object_get_string_member_with_default (policy, "Protocols", NULL);
      remote = json_object_get_string_member_with_default (policy, "RemoteAddresses", NULL);
      g_ascii_string_to_unsigned (
          json_object_get_string_member_with_default (policy, "RemotePorts", "0"), 10, 0, 65535,
          &port, NULL);
      acl = g_new0 (Acl, 1);
      acl->allow = g_strcmp0 (json_object_get_string_member_with_default (policy, "Action", ""),
                              "Allow") == 0;
      acl->outgoing = g_strcmp0 (json_object_get_string_member_with_default (policy, "Direction",
                                                                             ""), "Out") == 0;
      acl->protocol = g_strdup (protocol);
      acl->port = (guint16) port;
      acl->remote = g_strdup (remote);
      g_ptr_array_add (self->acls, acl);
      if (reconcile && !hns_nft_add_acl (hcs_network_get_id (HCS_NETWORK (network)), self->id, self->address,
                            acl->allow, acl->outgoing, acl->protocol, acl->port, acl->remote,
                            error))
        return NULL;
    }
  restore_ports (self, json_object_has_member (saved, "Ports")
                           ? json_object_get_array_member (saved, "Ports")
                           : NULL,
                 reconcile);
  return g_steal_pointer (&self);
}

void
hns_endpoint_take_state (HnsEndpoint *self, HnsEndpoint *read_back)
{
  g_ptr_array_set_size (self->ports, 0);
  g_ptr_array_extend_and_steal (self->ports, g_steal_pointer (&read_back->ports));
  read_back->ports = g_ptr_array_new_with_free_func (g_free);
  g_free (self->netns_path);
  self->netns_path = g_steal_pointer (&read_back->netns_path);
  self->has_pair = read_back->has_pair;
  self->disable_icc = read_back->disable_icc;
  self->max_bytes_per_second = read_back->max_bytes_per_second;
  self->vlan = read_back->vlan;
  g_array_set_size (self->port_mappings, 0);
  g_array_append_vals (self->port_mappings, read_back->port_mappings->data,
                       read_back->port_mappings->len);
  g_ptr_array_set_size (self->acls, 0);
  g_ptr_array_extend_and_steal (self->acls, g_steal_pointer (&read_back->acls));
  read_back->acls = g_ptr_array_new_with_free_func ((GDestroyNotify) acl_free);
}

void
hns_endpoint_forget (HnsEndpoint *self)
{
  self->removed = TRUE;
  self->has_pair = FALSE;
  g_clear_pointer (&self->netns_path, g_free);
}

guint32
hns_endpoint_get_address (HnsEndpoint *self)
{
  return self->address;
}

static const char *
hns_endpoint_get_id (HcsEndpoint *endpoint)
{
  return HNS_ENDPOINT (endpoint)->id;
}

static const char *
hns_endpoint_get_ip_address (HcsEndpoint *endpoint)
{
  return HNS_ENDPOINT (endpoint)->address_text;
}

static const char *
hns_endpoint_get_mac_address (HcsEndpoint *endpoint)
{
  return HNS_ENDPOINT (endpoint)->mac;
}

static const char *
hns_endpoint_get_dns_server_list (HcsEndpoint *endpoint)
{
  return hns_network_get_dns_server_list (HNS_ENDPOINT (endpoint)->network);
}

static const char *
hns_endpoint_get_dns_suffix (HcsEndpoint *endpoint)
{
  return hns_network_get_dns_suffix (HNS_ENDPOINT (endpoint)->network);
}

static gboolean
attach_locked (HcsEndpoint *endpoint, const char *netns_path, GError **error)
{
  HnsEndpoint *self = HNS_ENDPOINT (endpoint);
  const HnsSubnet *subnet = hns_network_get_subnet (self->network);
  g_autofree char *bridge = hns_bridge_name (hcs_network_get_id (HCS_NETWORK (self->network)));

  if (self->removed || self->netns_path != NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "hns: endpoint %s is %s", self->id, self->removed ? "removed" : "already attached");
      return FALSE;
    }
  /* A pair of an attach killed part way (its peer in that namespace) or
   * of an older hcs (standing ready) is made again: the new pair's peer is
   * born in the namespace. */
  if (self->has_pair)
    {
      if (!hns_netlink_delete_link (self->host_link, error))
        return FALSE;
      self->has_pair = FALSE;
    }
  if (!hns_netlink_attach_peer (self->peer_link, netns_path, self->mac, self->address,
                                subnet->prefix_length, subnet->gateway,
                                self->max_bytes_per_second, self->host_link, bridge, error))
    {
      hns_netlink_delete_link (self->host_link, NULL);
      return FALSE;
    }
  self->has_pair = TRUE;
  hns_fault_point ("attach-after-link");
  if (self->vlan != 0 && !hns_netlink_set_port_vlan (self->host_link, self->vlan, error))
    {
      hns_netlink_delete_link (self->host_link, NULL);
      self->has_pair = FALSE;
      return FALSE;
    }
  self->netns_path = g_strdup (netns_path);
  hns_network_endpoint_changed (self->network);
  hns_fault_point ("attach-after-save");
  return TRUE;
}

static gboolean
hns_endpoint_attach (HcsEndpoint *endpoint, const char *netns_path, GError **error)
{
  HnsEndpoint *self = HNS_ENDPOINT (endpoint);
  gboolean done;

  if (!hns_network_begin_change (self->network, self, error))
    return FALSE;
  done = attach_locked (endpoint, netns_path, error);
  hns_network_end_change (self->network);
  return done;
}

/* Deleting the host end takes the namespace's eth0 with it; the next
 * attach makes a new pair (a pair made now would cost a second deletion
 * when the endpoint is removed, as it usually is after a detach). */
static gboolean
detach_locked (HcsEndpoint *endpoint, GError **error)
{
  HnsEndpoint *self = HNS_ENDPOINT (endpoint);

  if (self->netns_path == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE, "hns: endpoint %s is not attached",
                   self->id);
      return FALSE;
    }
  if (!hns_netlink_delete_link (self->host_link, error))
    return FALSE;
  self->has_pair = FALSE;
  g_clear_pointer (&self->netns_path, g_free);
  hns_network_endpoint_changed (self->network);
  return TRUE;
}

static gboolean
hns_endpoint_detach (HcsEndpoint *endpoint, GError **error)
{
  HnsEndpoint *self = HNS_ENDPOINT (endpoint);
  gboolean done;

  if (!hns_network_begin_change (self->network, self, error))
    return FALSE;
  done = detach_locked (endpoint, error);
  hns_network_end_change (self->network);
  return done;
}

gboolean
hns_endpoint_remove_locked (HnsEndpoint *self, GError **error)
{

  if (self->removed)
    return TRUE;
  for (guint i = 0; i < self->port_mappings->len; i++)
    {
      PortMapping *mapping = &g_array_index (self->port_mappings, PortMapping, i);
      hns_nft_port_mapping (hcs_network_get_id (HCS_NETWORK (self->network)), FALSE,
                            mapping->protocol, mapping->external_port, self->address,
                            mapping->internal_port, NULL);
    }
  g_array_set_size (self->port_mappings, 0);
  if (self->disable_icc)
    hns_nft_icc (hcs_network_get_id (HCS_NETWORK (self->network)), self->host_link, FALSE, NULL);
  for (guint i = 0; i < self->ports->len; i++)
    port_release (self, self->ports->pdata[i], TRUE);
  g_ptr_array_set_size (self->ports, 0);
  if (!hns_network_is_l2bridge (self->network))
    hns_nft_remove_acls (hcs_network_get_id (HCS_NETWORK (self->network)), self->id);
  if (self->has_pair && !hns_netlink_delete_link (self->host_link, error))
    return FALSE;
  self->has_pair = FALSE;
  self->removed = TRUE;
  hns_network_forget_endpoint (self->network, self);
  return TRUE;
}

static gboolean
hns_endpoint_remove (HcsEndpoint *endpoint, GError **error)
{
  HnsEndpoint *self = HNS_ENDPOINT (endpoint);
  g_autoptr (GError) local_error = NULL;
  gboolean done;

  if (self->removed)
    return TRUE;
  /* Removed by another process meanwhile: as removed as it gets. */
  if (!hns_network_begin_change (self->network, self, &local_error))
    {
      if (self->removed)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  done = hns_endpoint_remove_locked (self, error);
  hns_network_end_change (self->network);
  return done;
}

static gboolean
add_port_mapping_locked (HcsEndpoint *endpoint, const char *protocol,
                               guint16 internal_port, guint16 external_port, GError **error)
{
  HnsEndpoint *self = HNS_ENDPOINT (endpoint);
  PortMapping mapping = { { 0 }, internal_port, external_port };

  if (g_strcmp0 (protocol, "tcp") != 0 && g_strcmp0 (protocol, "udp") != 0)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "NatPolicy.Protocol: '%s' is neither tcp nor udp", protocol ? protocol : "");
      return FALSE;
    }
  if (internal_port == 0 || external_port == 0)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "NatPolicy: InternalPort and ExternalPort must be 1-65535");
      return FALSE;
    }
  if (!hns_network_is_nat (self->network))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "NatPolicy: port mappings need a NAT network");
      return FALSE;
    }
  /* nftables refuses a second element with the same key: one external
   * port maps to one endpoint. */
  if (!hns_nft_port_mapping (hcs_network_get_id (HCS_NETWORK (self->network)), TRUE, protocol,
                             external_port, self->address, internal_port, error))
    return FALSE;
  g_strlcpy (mapping.protocol, protocol, sizeof mapping.protocol);
  g_array_append_val (self->port_mappings, mapping);
  hns_network_endpoint_changed (self->network);
  return TRUE;
}

static gboolean
hns_endpoint_add_port_mapping (HcsEndpoint *endpoint, const char *protocol,
                               guint16 internal_port, guint16 external_port, GError **error)
{
  HnsEndpoint *self = HNS_ENDPOINT (endpoint);
  gboolean done;

  if (!hns_network_begin_change (self->network, self, error))
    return FALSE;
  done = add_port_mapping_locked (endpoint, protocol, internal_port, external_port, error);
  hns_network_end_change (self->network);
  return done;
}

static gboolean
set_disable_icc_locked (HcsEndpoint *endpoint, gboolean disable, GError **error)
{
  HnsEndpoint *self = HNS_ENDPOINT (endpoint);

  const char *network_id = hcs_network_get_id (HCS_NETWORK (self->network));

  if (disable == self->disable_icc)
    return TRUE;
  if (!hns_nft_icc (network_id, self->host_link, disable, error))
    return FALSE;
  for (guint i = 0; i < self->ports->len; i++)
    if (!hns_nft_icc (network_id, self->ports->pdata[i], disable, error))
      {
        /* All of its links or none. */
        for (guint k = 0; k < i; k++)
          hns_nft_icc (network_id, self->ports->pdata[k], !disable, NULL);
        hns_nft_icc (network_id, self->host_link, !disable, NULL);
        return FALSE;
      }
  self->disable_icc = disable;
  hns_network_endpoint_changed (self->network);
  return TRUE;
}

static gboolean
hns_endpoint_set_disable_icc (HcsEndpoint *endpoint, gboolean disable, GError **error)
{
  HnsEndpoint *self = HNS_ENDPOINT (endpoint);
  gboolean done;

  if (!hns_network_begin_change (self->network, self, error))
    return FALSE;
  done = set_disable_icc_locked (endpoint, disable, error);
  hns_network_end_change (self->network);
  return done;
}

static gboolean
set_bandwidth_limit_locked (HcsEndpoint *endpoint, guint64 max_bytes_per_second,
                                  GError **error)
{
  HnsEndpoint *self = HNS_ENDPOINT (endpoint);

  if (self->netns_path != NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "QosPolicy: endpoint %s is attached: set it before attaching", self->id);
      return FALSE;
    }
  {
    guint64 before = self->max_bytes_per_second;

    /* The ports take the new limit now: their policer is no qdisc made
     * at attach. */
    self->max_bytes_per_second = max_bytes_per_second;
    for (guint i = 0; i < self->ports->len; i++)
      if (!port_apply (self, self->ports->pdata[i], error))
        {
          self->max_bytes_per_second = before;
          for (guint k = 0; k < i; k++)
            port_apply (self, self->ports->pdata[k], NULL);
          return FALSE;
        }
  }
  hns_network_endpoint_changed (self->network);
  return TRUE;
}

static gboolean
hns_endpoint_set_bandwidth_limit (HcsEndpoint *endpoint, guint64 max_bytes_per_second,
                                  GError **error)
{
  HnsEndpoint *self = HNS_ENDPOINT (endpoint);
  gboolean done;

  if (!hns_network_begin_change (self->network, self, error))
    return FALSE;
  done = set_bandwidth_limit_locked (endpoint, max_bytes_per_second, error);
  hns_network_end_change (self->network);
  return done;
}

static gboolean
set_vlan_locked (HcsEndpoint *endpoint, guint16 vlan, GError **error)
{
  HnsEndpoint *self = HNS_ENDPOINT (endpoint);
  g_autofree char *bridge = hns_bridge_name (hcs_network_get_id (HCS_NETWORK (self->network)));

  if (vlan < 1 || vlan > 4094)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "VlanPolicy.VLAN: %u is not between 1 and 4094", vlan);
      return FALSE;
    }
  if (!hns_netlink_enable_vlan_filtering (bridge, error) ||
      (self->has_pair && !hns_netlink_set_port_vlan (self->host_link, vlan, error)))
    return FALSE;
  for (guint i = 0; i < self->ports->len; i++)
    if (!hns_netlink_set_port_vlan (self->ports->pdata[i], vlan, error))
      return FALSE;
  self->vlan = vlan;
  hns_network_endpoint_changed (self->network);
  return TRUE;
}

static gboolean
hns_endpoint_set_vlan (HcsEndpoint *endpoint, guint16 vlan, GError **error)
{
  HnsEndpoint *self = HNS_ENDPOINT (endpoint);
  gboolean done;

  if (!hns_network_begin_change (self->network, self, error))
    return FALSE;
  done = set_vlan_locked (endpoint, vlan, error);
  hns_network_end_change (self->network);
  return done;
}

static gboolean
add_acl_locked (HcsEndpoint *endpoint, const char *action, const char *direction,
                      const char *protocol, guint16 port, const char *remote, GError **error)
{
  HnsEndpoint *self = HNS_ENDPOINT (endpoint);
  gboolean allow, outgoing;

  if (g_strcmp0 (action, "Allow") == 0 || g_strcmp0 (action, "Block") == 0)
    allow = g_str_equal (action, "Allow");
  else
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "AclPolicy.Action: '%s' is neither Allow nor Block", action ? action : "");
      return FALSE;
    }
  if (g_strcmp0 (direction, "Out") == 0 || g_strcmp0 (direction, "In") == 0)
    outgoing = g_str_equal (direction, "Out");
  else
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "AclPolicy.Direction: '%s' is neither In nor Out", direction ? direction : "");
      return FALSE;
    }
  if (protocol != NULL && !g_strv_contains ((const char *const[]){ "tcp", "udp", "icmp", NULL },
                                            protocol))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "AclPolicy.Protocol: '%s' is not tcp, udp or icmp", protocol);
      return FALSE;
    }
  if (port != 0 && (protocol == NULL || g_str_equal (protocol, "icmp")))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "AclPolicy.RemotePort: needs the tcp or udp protocol");
      return FALSE;
    }
  if (remote != NULL)
    {
      g_auto (GStrv) parts = g_strsplit (remote, "/", 2);
      struct in_addr in;
      guint64 length = 32;

      if (inet_pton (AF_INET, parts[0], &in) != 1 ||
          (parts[1] != NULL && !g_ascii_string_to_unsigned (parts[1], 10, 0, 32, &length, NULL)))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "AclPolicy.RemoteAddresses: '%s' is not an IPv4 address or prefix", remote);
          return FALSE;
        }
    }
  if (hns_network_is_l2bridge (self->network))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "AclPolicy: ACLs apply to routed (NAT, Internal) networks");
      return FALSE;
    }
  if (!hns_nft_add_acl (hcs_network_get_id (HCS_NETWORK (self->network)), self->id,
                        self->address, allow, outgoing, protocol, port, remote, error))
    return FALSE;
  {
    Acl *acl = g_new0 (Acl, 1);
    acl->allow = allow;
    acl->outgoing = outgoing;
    acl->protocol = g_strdup (protocol);
    acl->port = port;
    acl->remote = g_strdup (remote);
    g_ptr_array_add (self->acls, acl);
  }
  hns_network_endpoint_changed (self->network);
  return TRUE;
}

static gboolean
hns_endpoint_add_acl (HcsEndpoint *endpoint, const char *action, const char *direction,
                      const char *protocol, guint16 port, const char *remote, GError **error)
{
  HnsEndpoint *self = HNS_ENDPOINT (endpoint);
  gboolean done;

  if (!hns_network_begin_change (self->network, self, error))
    return FALSE;
  done = add_acl_locked (endpoint, action, direction, protocol, port, remote, error);
  hns_network_end_change (self->network);
  return done;
}

static gboolean
attach_port_locked (HnsEndpoint *self, const char *ifname, GError **error)
{
  g_autofree char *bridge = hns_bridge_name (hcs_network_get_id (HCS_NETWORK (self->network)));
  HnsEndpoint *owner;

  if (!valid_port_name (ifname))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "hns: endpoint %s: '%s' is not an interface name", self->id, ifname);
      return FALSE;
    }
  if (g_str_equal (ifname, bridge) ||
      g_strcmp0 (ifname, hns_network_get_adapter (self->network)) == 0)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "hns: endpoint %s: %s is the network's %s, no port", self->id, ifname,
                   g_str_equal (ifname, bridge) ? "bridge" : "adapter");
      return FALSE;
    }
  owner = hns_network_find_link_owner (self->network, ifname);
  /* Its own port again (a tap made anew under the same name after a
   * crash): the policies are given again, the record kept. */
  if (owner == self && !g_str_equal (ifname, self->host_link))
    return port_apply (self, ifname, error);
  if (owner != NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS,
                   "hns: endpoint %s: interface %s is already endpoint %s's %s", self->id,
                   ifname, owner->id,
                   g_str_equal (ifname, owner->host_link) ? "veth" : "port");
      return FALSE;
    }
  if (!port_apply (self, ifname, error))
    return FALSE;
  g_ptr_array_add (self->ports, g_strdup (ifname));
  hns_network_endpoint_changed (self->network);
  return TRUE;
}

static gboolean
hns_endpoint_attach_port (HcsEndpoint *endpoint, const char *ifname, GError **error)
{
  HnsEndpoint *self = HNS_ENDPOINT (endpoint);
  gboolean done;

  if (self->removed)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "hns: endpoint %s is removed: it takes no port %s", self->id, ifname);
      return FALSE;
    }
  if (!hns_network_begin_change (self->network, self, error))
    return FALSE;
  done = attach_port_locked (self, ifname, error);
  hns_network_end_change (self->network);
  return done;
}

static gboolean
detach_port_locked (HnsEndpoint *self, const char *ifname, GError **error)
{
  guint index;

  if (!g_ptr_array_find_with_equal_func (self->ports, ifname, g_str_equal, &index))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND,
                   "hns: endpoint %s has no port %s", self->id, ifname);
      return FALSE;
    }
  port_release (self, ifname, TRUE);
  g_ptr_array_remove_index (self->ports, index);
  hns_network_endpoint_changed (self->network);
  return TRUE;
}

static gboolean
hns_endpoint_detach_port (HcsEndpoint *endpoint, const char *ifname, GError **error)
{
  HnsEndpoint *self = HNS_ENDPOINT (endpoint);
  gboolean done;

  /* A removed endpoint gave its ports back already. */
  if (self->removed)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND,
                   "hns: endpoint %s is removed: it has no port %s", self->id, ifname);
      return FALSE;
    }
  if (!hns_network_begin_change (self->network, self, error))
    return FALSE;
  done = detach_port_locked (self, ifname, error);
  hns_network_end_change (self->network);
  return done;
}

/* HNSEndpoint, as hcsshim's tools read it. */
static JsonNode *
hns_endpoint_to_json (HcsEndpoint *endpoint)
{
  HnsEndpoint *self = HNS_ENDPOINT (endpoint);
  const HnsSubnet *subnet = hns_network_get_subnet (self->network);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *gateway = hns_address_to_string (subnet->gateway);
  const char *dns_suffix = hns_network_get_dns_suffix (self->network);
  const char *dns_servers = hns_network_get_dns_server_list (self->network);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Id");
  json_builder_add_string_value (builder, self->id);
  json_builder_set_member_name (builder, "Name");
  json_builder_add_string_value (builder, self->name ? self->name : "");
  json_builder_set_member_name (builder, "VirtualNetwork");
  json_builder_add_string_value (builder, hcs_network_get_id (HCS_NETWORK (self->network)));
  json_builder_set_member_name (builder, "VirtualNetworkName");
  json_builder_add_string_value (builder, hcs_network_get_name (HCS_NETWORK (self->network)));
  json_builder_set_member_name (builder, "MacAddress");
  json_builder_add_string_value (builder, self->mac);
  json_builder_set_member_name (builder, "IPAddress");
  json_builder_add_string_value (builder, self->address_text);
  json_builder_set_member_name (builder, "PrefixLength");
  json_builder_add_int_value (builder, subnet->prefix_length);
  json_builder_set_member_name (builder, "GatewayAddress");
  json_builder_add_string_value (builder, gateway);
  json_builder_set_member_name (builder, "DNSSuffix");
  json_builder_add_string_value (builder, dns_suffix ? dns_suffix : "");
  json_builder_set_member_name (builder, "DNSServerList");
  json_builder_add_string_value (builder, dns_servers ? dns_servers : "");
  json_builder_set_member_name (builder, "DisableICC");
  json_builder_add_boolean_value (builder, self->disable_icc);
  /* Linux's counterpart of the attached container's compartment. */
  build_namespace (self, builder);
  /* Where a VM's tap for this endpoint joins the network (plugins/lcow). */
  json_builder_set_member_name (builder, "BridgeName");
  {
    g_autofree char *bridge = hns_bridge_name (hcs_network_get_id (HCS_NETWORK (self->network)));

    json_builder_add_string_value (builder, bridge);
  }
  json_builder_set_member_name (builder, "Policies");
  json_builder_begin_array (builder);
  build_nat_and_acl_policies (self, builder);
  if (self->max_bytes_per_second != 0)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "Type");
      json_builder_add_string_value (builder, "QOS");
      json_builder_set_member_name (builder, "MaximumOutgoingBandwidthInBytes");
      json_builder_add_int_value (builder, self->max_bytes_per_second);
      json_builder_end_object (builder);
    }
  if (self->vlan != 0)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "Type");
      json_builder_add_string_value (builder, "VLAN");
      json_builder_set_member_name (builder, "VLAN");
      json_builder_add_int_value (builder, self->vlan);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
hns_endpoint_iface_init (HcsEndpointInterface *iface)
{
  iface->to_json = hns_endpoint_to_json;
  iface->attach_port = hns_endpoint_attach_port;
  iface->detach_port = hns_endpoint_detach_port;
  iface->add_acl = hns_endpoint_add_acl;
  iface->set_vlan = hns_endpoint_set_vlan;
  iface->set_bandwidth_limit = hns_endpoint_set_bandwidth_limit;
  iface->set_disable_icc = hns_endpoint_set_disable_icc;
  iface->add_port_mapping = hns_endpoint_add_port_mapping;
  iface->get_id = hns_endpoint_get_id;
  iface->get_ip_address = hns_endpoint_get_ip_address;
  iface->get_mac_address = hns_endpoint_get_mac_address;
  iface->get_dns_server_list = hns_endpoint_get_dns_server_list;
  iface->get_dns_suffix = hns_endpoint_get_dns_suffix;
  iface->attach = hns_endpoint_attach;
  iface->detach = hns_endpoint_detach;
  iface->remove = hns_endpoint_remove;
}
