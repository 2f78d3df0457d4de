/* hns-private.h: the hns plugin's types.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <netinet/in.h>

#include "hcs.h"

G_BEGIN_DECLS

#define HNS_TYPE_DRIVER (hns_driver_get_type ())
G_DECLARE_FINAL_TYPE (HnsDriver, hns_driver, HNS, DRIVER, GObject)

#define HNS_TYPE_NETWORK (hns_network_get_type ())
G_DECLARE_FINAL_TYPE (HnsNetwork, hns_network, HNS, NETWORK, GObject)

#define HNS_TYPE_ENDPOINT (hns_endpoint_get_type ())
G_DECLARE_FINAL_TYPE (HnsEndpoint, hns_endpoint, HNS, ENDPOINT, GObject)

typedef enum {
  HNS_KIND_NAT,
  HNS_KIND_INTERNAL,
  HNS_KIND_L2BRIDGE, /* Transparent and L2Bridge: the bridge holds a host adapter */
} HnsKind;

/* An IPv4 subnet: network address, prefix length, gateway (host order). */
typedef struct {
  guint32 network;
  guint prefix_length;
  guint32 gateway;
} HnsSubnet;

gboolean hns_subnet_parse (const char *prefix, const char *gateway, HnsSubnet *subnet,
                           GError **error);
char *hns_address_to_string (guint32 address);

/* Kills this process with SIGKILL when $HCS_HNS_KILL_AT names @name: the
 * tests' fault injection at each step of an endpoint's create and attach. */
void hns_fault_point (const char *name);

/* Link names: at most 15 characters. */
char *hns_bridge_name (const char *network_id);
char *hns_table_name (const char *network_id);

/* nftables: the ruleset text of a network (golden-tested), applied and
 * removed through libnftables. */
/* @owner goes into the table's comment ("hcs: OWNER"), so stale tables are
 * recognised as this state folder's own and no one else's. */
char *hns_nft_ruleset (HnsKind kind, const char *network_id, const HnsSubnet *subnet,
                       const char *owner);
gboolean hns_nft_apply (const char *ruleset, GError **error);
gboolean hns_nft_delete_table (const char *network_id, GError **error);
char *hns_nft_list (const char *command);
char *hns_nft_icc_ruleset (const char *network_id);
gboolean hns_nft_icc (const char *network_id, const char *host_link, gboolean disable,
                      GError **error);
gboolean hns_nft_delete_bridge_table (const char *network_id, GError **error);
gboolean hns_nft_add_acl (const char *network_id, const char *endpoint_id, guint32 address,
                          gboolean allow, gboolean outgoing, const char *protocol, guint16 port,
                          const char *remote, GError **error);
void hns_nft_remove_acls (const char *network_id, const char *endpoint_id);
/* The bridge-table rules of a port taken with attach_port. */
gboolean hns_nft_add_port_rules (const char *network_id, const char *port,
                                 guint64 max_bytes_per_second, GError **error);
void hns_nft_remove_port_rules (const char *network_id, const char *port);
gboolean hns_nft_table_exists (const char *network_id);
gboolean hns_nft_bridge_table_exists (const char *network_id);
/* @protocol: "tcp" or "udp". */
gboolean hns_nft_port_mapping (const char *network_id, gboolean add, const char *protocol,
                               guint16 external_port, guint32 address, guint16 internal_port,
                               GError **error);
gboolean hns_network_is_nat (HnsNetwork *self);
gboolean hns_network_is_l2bridge (HnsNetwork *self);
const char *hns_network_get_dns_suffix (HnsNetwork *self);
char *hns_network_mac_for (HnsNetwork *self, guint32 address, GError **error);
const char *hns_network_get_dns_server_list (HnsNetwork *self);

/* netlink (libnl-route), in the calling thread's network namespace. */
/* A bridge, up, with @address/@prefix_length (@address 0: none). */
gboolean hns_netlink_create_bridge (const char *name, guint32 address, guint prefix_length,
                                    GError **error);
gboolean hns_netlink_delete_link (const char *name, GError **error);
/* Puts @name on @bridge (NULL: takes it off any). */
gboolean hns_netlink_set_master (const char *name, const char *bridge, GError **error);
gboolean hns_netlink_create_plain_bridge (const char *name, GError **error);
gboolean hns_netlink_enable_vlan_filtering (const char *bridge, GError **error);
gboolean hns_netlink_set_port_vlan (const char *port, guint16 vid, GError **error);
gboolean hns_netlink_link_exists (const char *name);
/* @master: the bridge (or other master) @name is enslaved to, or NULL;
 * HCS_ERROR_ELEMENT_NOT_FOUND when there is no such link. */
gboolean hns_netlink_get_master (const char *name, char **master, GError **error);
gboolean hns_netlink_create_veth (const char *name, const char *peer, const char *bridge,
                                  GError **error);
/* Moves @peer into the namespace at @netns_path (or, with
 * @create_host_link, makes the pair @create_host_link on @bridge with @peer
 * born there) and, inside, renames it eth0, gives it @mac,
 * @address/@prefix_length, brings it and lo up and routes by default via
 * @gateway. */
gboolean hns_netlink_attach_peer (const char *peer, const char *netns_path, const char *mac,
                                  guint32 address, guint prefix_length, guint32 gateway,
                                  guint64 max_bytes_per_second, const char *create_host_link,
                                  const char *bridge, GError **error);
gboolean hns_sysctl_enable_forwarding (GError **error);
/* accept_ra, autoconf and accept_redirects 0 on the host link @name. */
gboolean hns_sysctl_refuse_router_advertisements (const char *name, GError **error);

/* @state_dir: where the network keeps <id>.json (NULL: not kept). */
HnsNetwork *hns_network_new (const char *id, const HcsNetworkConfig *config, HnsKind kind,
                             const char *state_dir, GError **error);
/* Reads a saved network and brings the kernel in line with it: a missing
 * bridge, table, veth or port mapping is made again. */
HnsNetwork *hns_network_load (const char *state_file, GError **error);
/* Writes the network's state file atomically; a no-op without one. */
gboolean hns_network_save (HnsNetwork *self, GError **error);
void hns_endpoint_save (HnsEndpoint *self, JsonBuilder *builder);
/* With @reconcile, what the kernel lost (the veth, nft elements) is made
 * again; without, the saved state is only read. */
HnsEndpoint *hns_endpoint_restore (HnsNetwork *network, JsonObject *saved, gboolean reconcile,
                                   GError **error);
/* @self takes the state @read_back was restored with (without reconcile). */
void hns_endpoint_take_state (HnsEndpoint *self, HnsEndpoint *read_back);
/* Another process removed it (or it was never saved): marked removed,
 * the kernel untouched. */
void hns_endpoint_forget (HnsEndpoint *self);
/* Removes it; the caller holds the network's lock. */
gboolean hns_endpoint_remove_locked (HnsEndpoint *self, GError **error);
/* Every change to a network's endpoints happens between these two, which
 * hold the network's lock across processes and read its state file again
 * first: FALSE (and nothing held) when the network or @endpoint (if not
 * NULL) was removed meanwhile. */
gboolean hns_network_begin_change (HnsNetwork *self, HnsEndpoint *endpoint, GError **error);
void hns_network_end_change (HnsNetwork *self);

HnsEndpoint *hns_endpoint_new (HnsNetwork *network, const char *id, const char *name,
                               guint32 address, GError **error);
guint32 hns_endpoint_get_address (HnsEndpoint *self);
const HnsSubnet *hns_network_get_subnet (HnsNetwork *self);
gboolean hns_network_is_removed (HnsNetwork *self);
/* An endpoint changed (attached, detached, a port mapped): save. */
void hns_network_endpoint_changed (HnsNetwork *self);
void hns_network_forget_endpoint (HnsNetwork *self, HnsEndpoint *endpoint);
/* The endpoint of the network whose veth host end or port @ifname is, or
 * NULL. */
HnsEndpoint *hns_network_find_link_owner (HnsNetwork *self, const char *ifname);
gboolean hns_endpoint_owns_link (HnsEndpoint *self, const char *ifname);
/* L2Bridge/Transparent: the host adapter on the bridge; else NULL. */
const char *hns_network_get_adapter (HnsNetwork *self);

G_END_DECLS
