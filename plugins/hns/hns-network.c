/* hns-network.c: a network: a Linux bridge holding the gateway address,
 * and for NAT, masquerading in a nftables table of its own.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hns-private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct _HnsNetwork
{
  GObject parent_instance;
  /* In this process (recursive: removing a network removes its
   * endpoints), and across processes with lock_fd, an flock on <id>.lock
   * beside the state file; taken with network_lock (). */
  GRecMutex lock;
  int lock_fd;
  guint lock_depth;
  char *id;
  char *name;
  char *network_type;
  HnsKind kind;
  HnsSubnet subnet;
  char *bridge;
  char *adapter;        /* L2Bridge/Transparent: the host adapter on the bridge */
  char *dns_suffix;
  char *dns_server_list;
  guint64 mac_pool_start, mac_pool_end; /* 0, 0: MACs derived from addresses */
  GPtrArray *endpoints; /* HnsEndpoint*, strong */
  char *state_file;
  gboolean removed;
};

static void hns_network_iface_init (HcsNetworkInterface *iface);
static HcsEndpoint *create_endpoint_locked (HnsNetwork *self, const char *name,
                                            const char *ip_address, GError **error);
static gboolean remove_locked (HnsNetwork *self, gboolean force, GError **error);
static gboolean refresh_locked (HnsNetwork *self, GError **error);

G_DEFINE_FINAL_TYPE_WITH_CODE (HnsNetwork, hns_network, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HCS_TYPE_NETWORK, hns_network_iface_init))

static void
hns_network_finalize (GObject *object)
{
  HnsNetwork *self = HNS_NETWORK (object);

  g_ptr_array_unref (self->endpoints);
  g_free (self->id);
  g_free (self->name);
  g_free (self->network_type);
  g_free (self->bridge);
  g_free (self->adapter);
  g_free (self->dns_suffix);
  g_free (self->dns_server_list);
  g_free (self->state_file);
  if (self->lock_fd >= 0)
    close (self->lock_fd);
  g_rec_mutex_clear (&self->lock);
  G_OBJECT_CLASS (hns_network_parent_class)->finalize (object);
}

static void
hns_network_class_init (HnsNetworkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hns_network_finalize;
}

static void
hns_network_init (HnsNetwork *self)
{
  g_rec_mutex_init (&self->lock);
  self->lock_fd = -1;
  self->endpoints = g_ptr_array_new_with_free_func (g_object_unref);
}

static char *
lock_path (HnsNetwork *self)
{
  g_autofree char *base = g_strndup (self->state_file, strlen (self->state_file) - strlen (".json"));
  return g_strconcat (base, ".lock", NULL);
}

/* Takes the network's lock in this process and, when it has a state file,
 * across processes: every process reads the state under it, changes the
 * kernel and writes the state back before letting go, so no two hand out
 * one address or write over each other's endpoints. */
static gboolean
network_lock (HnsNetwork *self, GError **error)
{
  g_autofree char *path = NULL;

  g_rec_mutex_lock (&self->lock);
  if (self->lock_depth++ > 0 || self->state_file == NULL)
    return TRUE;
  path = lock_path (self);
  for (;;)
    {
      struct stat held, named;
      int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

      if (fd < 0 || flock (fd, LOCK_EX) < 0)
        {
          hcs_set_error_from_errno (error, errno, "hns: network '%s': locking %s", self->name,
                                    path);
          if (fd >= 0)
            close (fd);
          self->lock_depth--;
          g_rec_mutex_unlock (&self->lock);
          return FALSE;
        }
      /* Its remover unlinks the file while holding it: then take a new one. */
      if (fstat (fd, &held) == 0 && stat (path, &named) == 0 && held.st_ino == named.st_ino &&
          held.st_dev == named.st_dev)
        {
          self->lock_fd = fd;
          return TRUE;
        }
      close (fd);
    }
}

static void
network_unlock (HnsNetwork *self)
{
  if (--self->lock_depth == 0 && self->lock_fd >= 0)
    {
      close (self->lock_fd);
      self->lock_fd = -1;
    }
  g_rec_mutex_unlock (&self->lock);
}

/* For a look at the endpoints: the lock and a refresh when they can be
 * had, the mutex of this process at least. */
static gboolean
network_lock_to_read (HnsNetwork *self)
{
  if (network_lock (self, NULL))
    {
      refresh_locked (self, NULL);
      return TRUE;
    }
  g_rec_mutex_lock (&self->lock);
  return FALSE;
}

static void
network_unlock_read (HnsNetwork *self, gboolean locked)
{
  if (locked)
    network_unlock (self);
  else
    g_rec_mutex_unlock (&self->lock);
}

/* Under the lock, with the network gone for good: its lock file goes too
 * (a process waiting for it sees that and finds no state file). */
static void
network_unlink_lock (HnsNetwork *self)
{
  g_autofree char *path = NULL;

  if (self->state_file == NULL)
    return;
  path = lock_path (self);
  g_unlink (path);
}

static gboolean
create_locked (HnsNetwork *self, const char *id, const HcsNetworkConfig *config, HnsKind kind,
               const char *state_dir, GError **error)
{
  g_autofree char *ruleset = NULL;

  if (self->state_file != NULL && g_file_test (self->state_file, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS,
                   "hns: a network named '%s' already exists", config->name);
      return FALSE;
    }
  if (hns_netlink_link_exists (self->bridge))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS,
                   "hns: network '%s': its bridge %s already exists", config->name, self->bridge);
      return FALSE;
    }
  if (kind == HNS_KIND_L2BRIDGE)
    {
      /* The endpoints join the adapter's own network: no address, no NAT,
       * no table; the gateway is the outside router. */
      if (config->network_adapter_name == NULL)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "HNSNetwork.NetworkAdapterName: needed for a %s network",
                       config->network_type);
          return FALSE;
        }
      self->adapter = g_strdup (config->network_adapter_name);
      if (!hns_netlink_link_exists (self->adapter))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND,
                       "HNSNetwork.NetworkAdapterName: no interface '%s'", self->adapter);
          return FALSE;
        }
      if (!hns_netlink_create_plain_bridge (self->bridge, error))
        return FALSE;
      if (!hns_netlink_set_master (self->adapter, self->bridge, error))
        {
          hns_netlink_delete_link (self->bridge, NULL);
          return FALSE;
        }
      goto save;
    }
  if (!hns_netlink_create_bridge (self->bridge, self->subnet.gateway, self->subnet.prefix_length,
                                  error))
    return FALSE;
  ruleset = hns_nft_ruleset (kind, id, &self->subnet, state_dir);
  if ((kind == HNS_KIND_NAT && !hns_sysctl_enable_forwarding (error)) ||
      !hns_nft_apply (ruleset, error))
    {
      /* Undo the bridge: a failed create leaves nothing. */
      hns_netlink_delete_link (self->bridge, NULL);
      return FALSE;
    }
save:
  {
    g_autofree char *icc = hns_nft_icc_ruleset (id);
    if (!hns_nft_apply (icc, error))
      {
        if (self->adapter != NULL)
          hns_netlink_set_master (self->adapter, NULL, NULL);
        else
          hns_nft_delete_table (id, NULL);
        hns_netlink_delete_link (self->bridge, NULL);
        return FALSE;
      }
  }
  if (self->state_file != NULL && !hns_network_save (self, error))
    {
      if (self->adapter != NULL)
        hns_netlink_set_master (self->adapter, NULL, NULL);
      else
        hns_nft_delete_table (id, NULL);
      hns_nft_delete_bridge_table (id, NULL);
      hns_netlink_delete_link (self->bridge, NULL);
      return FALSE;
    }
  return TRUE;
}

HnsNetwork *
hns_network_new (const char *id, const HcsNetworkConfig *config, HnsKind kind,
                 const char *state_dir, GError **error)
{
  g_autoptr (HnsNetwork) self = g_object_new (HNS_TYPE_NETWORK, NULL);

  self->id = g_strdup (id);
  self->name = g_strdup (config->name);
  self->network_type = g_strdup (config->network_type);
  self->dns_suffix = g_strdup (config->dns_suffix);
  self->dns_server_list = g_strdup (config->dns_server_list);
  self->mac_pool_start = config->mac_pool_start;
  self->mac_pool_end = config->mac_pool_end;
  self->kind = kind;
  if (!hns_subnet_parse (config->address_prefix, config->gateway_address, &self->subnet, error))
    return NULL;
  self->bridge = hns_bridge_name (id);
  if (state_dir != NULL)
    {
      g_autofree char *name = g_strconcat (id, ".json", NULL);
      self->state_file = g_build_filename (state_dir, name, NULL);
      if (g_mkdir_with_parents (state_dir, 0700) < 0)
        return hcs_set_error_from_errno (error, errno, "hns: creating %s", state_dir), NULL;
    }
  /* Held to the end: another process making the same network waits, then
   * finds its state file. */
  if (!network_lock (self, error))
    return NULL;
  if (!create_locked (self, id, config, kind, state_dir, error))
    {
      network_unlink_lock (self);
      network_unlock (self);
      return NULL;
    }
  network_unlock (self);
  return g_steal_pointer (&self);
}

/* The HNSNetwork members, for the state file and for HNS's JSON alike. */
static void
build_network_members (HnsNetwork *self, JsonBuilder *builder)
{
  g_autofree char *prefix = NULL, *gateway = NULL, *network = NULL;

  network = hns_address_to_string (self->subnet.network);
  prefix = g_strdup_printf ("%s/%u", network, self->subnet.prefix_length);
  gateway = hns_address_to_string (self->subnet.gateway);
  json_builder_set_member_name (builder, "Id");
  json_builder_add_string_value (builder, self->id);
  json_builder_set_member_name (builder, "Name");
  json_builder_add_string_value (builder, self->name);
  json_builder_set_member_name (builder, "Type");
  json_builder_add_string_value (builder, self->network_type);
  if (self->adapter != NULL)
    {
      json_builder_set_member_name (builder, "NetworkAdapterName");
      json_builder_add_string_value (builder, self->adapter);
    }
  if (self->mac_pool_end != 0)
    {
      g_autofree char *start = hcs_format_mac (self->mac_pool_start);
      g_autofree char *end = hcs_format_mac (self->mac_pool_end);
      json_builder_set_member_name (builder, "MacPools");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "StartMacAddress");
      json_builder_add_string_value (builder, start);
      json_builder_set_member_name (builder, "EndMacAddress");
      json_builder_add_string_value (builder, end);
      json_builder_end_object (builder);
      json_builder_end_array (builder);
    }
  if (self->dns_suffix != NULL)
    {
      json_builder_set_member_name (builder, "DNSSuffix");
      json_builder_add_string_value (builder, self->dns_suffix);
    }
  if (self->dns_server_list != NULL)
    {
      json_builder_set_member_name (builder, "DNSServerList");
      json_builder_add_string_value (builder, self->dns_server_list);
    }
  json_builder_set_member_name (builder, "Subnets");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "AddressPrefix");
  json_builder_add_string_value (builder, prefix);
  json_builder_set_member_name (builder, "GatewayAddress");
  json_builder_add_string_value (builder, gateway);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
}

static JsonNode *
hns_network_to_json (HcsNetwork *network)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  build_network_members (HNS_NETWORK (network), builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static GPtrArray *
hns_network_list_endpoints (HcsNetwork *network)
{
  HnsNetwork *self = HNS_NETWORK (network);
  GPtrArray *endpoints = g_ptr_array_new_with_free_func (g_object_unref);
  /* What other processes made or removed since, when that can be read. */
  gboolean locked = network_lock_to_read (self);

  for (guint i = 0; i < self->endpoints->len; i++)
    g_ptr_array_add (endpoints, g_object_ref (self->endpoints->pdata[i]));
  network_unlock_read (self, locked);
  return endpoints;
}

gboolean
hns_network_save (HnsNetwork *self, GError **error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  if (self->state_file == NULL)
    return TRUE;
  json_builder_begin_object (builder);
  build_network_members (self, builder);
  json_builder_set_member_name (builder, "Endpoints");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->endpoints->len; i++)
    hns_endpoint_save (self->endpoints->pdata[i], builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, TRUE);
  return g_file_set_contents_full (self->state_file, text, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                   0600, error);
}

static gboolean
load_locked (HnsNetwork *self, const char *state_file, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (HcsNetworkConfig) config = NULL;
  g_autofree char *text = NULL;
  JsonObject *root;
  JsonArray *endpoints;

  /* Removed by another process after the folder was listed. */
  if (!g_file_get_contents (state_file, &text, NULL, error))
    return FALSE;
  config = hcs_network_config_from_json (text, error);
  if (config == NULL || !json_parser_load_from_data (parser, text, -1, error))
    {
      g_prefix_error (error, "hns: state file %s: ", state_file);
      return FALSE;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  self->id = g_strdup (json_object_get_string_member_with_default (root, "Id", ""));
  g_free (self->name);
  self->name = g_strdup (config->name);
  self->network_type = g_strdup (config->network_type);
  self->kind = g_ascii_strcasecmp (config->network_type, "NAT") == 0 ? HNS_KIND_NAT
               : config->network_adapter_name != NULL               ? HNS_KIND_L2BRIDGE
                                                                      : HNS_KIND_INTERNAL;
  self->adapter = g_strdup (config->network_adapter_name);
  self->dns_suffix = g_strdup (config->dns_suffix);
  self->dns_server_list = g_strdup (config->dns_server_list);
  self->mac_pool_start = config->mac_pool_start;
  self->mac_pool_end = config->mac_pool_end;
  if (strlen (self->id) < 8 ||
      !hns_subnet_parse (config->address_prefix, config->gateway_address, &self->subnet, error))
    {
      g_prefix_error (error, "hns: state file %s: ", state_file);
      if (error && *error == NULL)
        g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "hns: state file %s: bad Id",
                     state_file);
      return FALSE;
    }
  self->bridge = hns_bridge_name (self->id);

  /* Reconcile: what the kernel lost is made again. */
  if (self->kind == HNS_KIND_L2BRIDGE)
    {
      if (!hns_netlink_link_exists (self->bridge) &&
          !hns_netlink_create_plain_bridge (self->bridge, error))
        return FALSE;
      if (!hns_netlink_set_master (self->adapter, self->bridge, error))
        return FALSE;
    }
  else if (!hns_netlink_link_exists (self->bridge) &&
           !hns_netlink_create_bridge (self->bridge, self->subnet.gateway,
                                       self->subnet.prefix_length, error))
    return FALSE;
  /* Bridges made before hcs refused router advertisements. */
  if (!hns_sysctl_refuse_router_advertisements (self->bridge, error))
    return FALSE;
  if (self->kind != HNS_KIND_L2BRIDGE && !hns_nft_table_exists (self->id))
    {
      g_autofree char *owner = g_path_get_dirname (state_file);
      g_autofree char *ruleset = hns_nft_ruleset (self->kind, self->id, &self->subnet, owner);
      if ((self->kind == HNS_KIND_NAT && !hns_sysctl_enable_forwarding (error)) ||
          !hns_nft_apply (ruleset, error))
        return FALSE;
    }
  if (!hns_nft_bridge_table_exists (self->id))
    {
      g_autofree char *icc = hns_nft_icc_ruleset (self->id);
      if (!hns_nft_apply (icc, error))
        return FALSE;
    }
  endpoints = json_object_get_array_member (root, "Endpoints");
  for (guint i = 0; endpoints && i < json_array_get_length (endpoints); i++)
    {
      JsonNode *element = json_array_get_element (endpoints, i);
      HnsEndpoint *endpoint;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      endpoint = hns_endpoint_restore (self, json_node_get_object (element), TRUE, error);
      if (endpoint == NULL)
        return FALSE;
      g_ptr_array_add (self->endpoints, endpoint);
    }
  return TRUE;
}

HnsNetwork *
hns_network_load (const char *state_file, GError **error)
{
  g_autoptr (HnsNetwork) self = g_object_new (HNS_TYPE_NETWORK, NULL);
  gboolean loaded;

  /* Read and reconciled under the lock: a process removing the network
   * or one of its endpoints meanwhile would have its veth made again. */
  self->state_file = g_strdup (state_file);
  self->name = g_path_get_basename (state_file);
  if (!network_lock (self, error))
    return NULL;
  loaded = load_locked (self, state_file, error);
  network_unlock (self);
  return loaded ? g_steal_pointer (&self) : NULL;
}

/* Under the lock: what other processes did since this one last looked.
 * Endpoints they made are taken in (as they are, the kernel untouched),
 * endpoints they removed are let go, and the state of the others
 * (namespace, veth, policies) is read again. A state file gone means the
 * network was removed. */
static gboolean
refresh_locked (HnsNetwork *self, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GPtrArray) fresh = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GError) local_error = NULL;
  JsonNode *root;
  JsonArray *saved = NULL;

  if (self->state_file == NULL || self->removed)
    return TRUE;
  if (!json_parser_load_from_mapped_file (parser, self->state_file, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "hns: state file %s: %s",
                       self->state_file, local_error->message);
          return FALSE;
        }
      self->removed = TRUE;
      for (guint i = 0; i < self->endpoints->len; i++)
        hns_endpoint_forget (self->endpoints->pdata[i]);
      g_ptr_array_set_size (self->endpoints, 0);
      return TRUE;
    }
  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
      json_object_has_member (json_node_get_object (root), "Endpoints"))
    saved = json_object_get_array_member (json_node_get_object (root), "Endpoints");
  for (guint i = 0; saved && i < json_array_get_length (saved); i++)
    {
      JsonNode *element = json_array_get_element (saved, i);
      g_autoptr (HnsEndpoint) read_back = NULL;
      HnsEndpoint *known = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      read_back = hns_endpoint_restore (self, json_node_get_object (element), FALSE, error);
      if (read_back == NULL)
        return FALSE;
      for (guint k = 0; k < self->endpoints->len && known == NULL; k++)
        if (g_str_equal (hcs_endpoint_get_id (self->endpoints->pdata[k]),
                         hcs_endpoint_get_id (HCS_ENDPOINT (read_back))))
          known = self->endpoints->pdata[k];
      if (known != NULL)
        {
          hns_endpoint_take_state (known, read_back);
          g_ptr_array_add (fresh, g_object_ref (known));
        }
      else
        g_ptr_array_add (fresh, g_steal_pointer (&read_back));
    }
  for (guint i = 0; i < self->endpoints->len; i++)
    if (!g_ptr_array_find (fresh, self->endpoints->pdata[i], NULL))
      hns_endpoint_forget (self->endpoints->pdata[i]);
  g_ptr_array_unref (self->endpoints);
  self->endpoints = g_steal_pointer (&fresh);
  return TRUE;
}

gboolean
hns_network_begin_change (HnsNetwork *self, HnsEndpoint *endpoint, GError **error)
{
  if (!network_lock (self, error))
    return FALSE;
  if (!refresh_locked (self, error))
    {
      network_unlock (self);
      return FALSE;
    }
  if (self->removed)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND, "hns: network '%s' was removed",
                   self->name);
      network_unlock (self);
      return FALSE;
    }
  if (endpoint != NULL && !g_ptr_array_find (self->endpoints, endpoint, NULL))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND, "hns: endpoint %s was removed",
                   hcs_endpoint_get_id (HCS_ENDPOINT (endpoint)));
      network_unlock (self);
      return FALSE;
    }
  return TRUE;
}

void
hns_network_end_change (HnsNetwork *self)
{
  network_unlock (self);
}

const HnsSubnet *
hns_network_get_subnet (HnsNetwork *self)
{
  return &self->subnet;
}

/* The MAC of the endpoint with @address: from the MacPool, offset by the
 * address's place in the subnet (unique as the address is), or derived
 * from the address itself without a pool. */
char *
hns_network_mac_for (HnsNetwork *self, guint32 address, GError **error)
{
  guint64 offset = address - self->subnet.network;

  if (self->mac_pool_end == 0)
    return g_strdup_printf ("02:15:%02x:%02x:%02x:%02x", (address >> 24) & 0xff,
                            (address >> 16) & 0xff, (address >> 8) & 0xff, address & 0xff);
  if (self->mac_pool_start + offset > self->mac_pool_end)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED,
                   "hns: network '%s': its MacPool has no address left for %u", self->name,
                   (guint) offset);
      return NULL;
    }
  return hcs_format_mac (self->mac_pool_start + offset);
}

const char *
hns_network_get_dns_suffix (HnsNetwork *self)
{
  return self->dns_suffix;
}

const char *
hns_network_get_dns_server_list (HnsNetwork *self)
{
  return self->dns_server_list;
}

gboolean
hns_network_is_l2bridge (HnsNetwork *self)
{
  return self->kind == HNS_KIND_L2BRIDGE;
}

gboolean
hns_network_is_nat (HnsNetwork *self)
{
  return self->kind == HNS_KIND_NAT;
}

gboolean
hns_network_is_removed (HnsNetwork *self)
{
  gboolean removed;

  g_rec_mutex_lock (&self->lock);
  removed = self->removed;
  g_rec_mutex_unlock (&self->lock);
  return removed;
}

/* Both called between hns_network_begin_change () and _end_change (). */
void
hns_network_endpoint_changed (HnsNetwork *self)
{
  g_rec_mutex_lock (&self->lock);
  if (!self->removed)
    hns_network_save (self, NULL);
  g_rec_mutex_unlock (&self->lock);
}

void
hns_network_forget_endpoint (HnsNetwork *self, HnsEndpoint *endpoint)
{
  g_rec_mutex_lock (&self->lock);
  g_ptr_array_remove (self->endpoints, endpoint);
  if (!self->removed)
    hns_network_save (self, NULL);
  g_rec_mutex_unlock (&self->lock);
}

static const char *
hns_network_get_id (HcsNetwork *network)
{
  return HNS_NETWORK (network)->id;
}

static const char *
hns_network_get_name (HcsNetwork *network)
{
  return HNS_NETWORK (network)->name;
}

static const char *
hns_network_get_network_type (HcsNetwork *network)
{
  return HNS_NETWORK (network)->network_type;
}

/* The next address of the subnet that no endpoint and not the gateway has. */
static gboolean
allocate_address (HnsNetwork *self, guint32 *address, GError **error)
{
  guint32 broadcast = self->subnet.network | ~(0xffffffffu << (32 - self->subnet.prefix_length));

  for (guint32 candidate = self->subnet.network + 1; candidate < broadcast; candidate++)
    {
      gboolean used = candidate == self->subnet.gateway;
      for (guint i = 0; !used && i < self->endpoints->len; i++)
        used = hns_endpoint_get_address (self->endpoints->pdata[i]) == candidate;
      if (!used)
        {
          *address = candidate;
          return TRUE;
        }
    }
  g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "hns: network '%s': no free address left",
               self->name);
  return FALSE;
}

static HcsEndpoint *
hns_network_create_endpoint (HcsNetwork *network, const char *name, const char *ip_address,
                             GError **error)
{
  HnsNetwork *self = HNS_NETWORK (network);
  HcsEndpoint *endpoint;

  /* The addresses in use are those of the state file, read under the lock
   * that is held until the new endpoint is in it. */
  if (!hns_network_begin_change (self, NULL, error))
    return NULL;
  endpoint = create_endpoint_locked (self, name, ip_address, error);
  hns_network_end_change (self);
  return endpoint;
}

static HcsEndpoint *
create_endpoint_locked (HnsNetwork *self, const char *name, const char *ip_address,
                        GError **error)
{
  g_autofree char *seed = NULL, *id = NULL;
  HnsEndpoint *endpoint;
  guint32 address;

  if (ip_address != NULL)
    {
      HnsSubnet single;
      g_autofree char *prefix = g_strdup_printf ("%s/%u", ip_address, self->subnet.prefix_length);
      if (!hns_subnet_parse (prefix, NULL, &single, NULL) || single.network != self->subnet.network)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "HNSEndpoint.IPAddress: '%s' is not in the network's subnet", ip_address);
          return NULL;
        }
      struct in_addr in;
      inet_pton (AF_INET, ip_address, &in);
      address = ntohl (in.s_addr);
      for (guint i = 0; i < self->endpoints->len; i++)
        if (hns_endpoint_get_address (self->endpoints->pdata[i]) == address ||
            address == self->subnet.gateway)
          {
            g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS,
                         "HNSEndpoint.IPAddress: %s is already in use", ip_address);
            return NULL;
          }
    }
  else if (!allocate_address (self, &address, error))
    return NULL;

  seed = g_strdup_printf ("%s/%s/%u", self->id, name ? name : "", address);
  id = hcs_name_to_guid (seed);
  endpoint = hns_endpoint_new (self, id, name, address, error);
  if (endpoint == NULL)
    return NULL;
  g_ptr_array_add (self->endpoints, g_object_ref (endpoint));
  hns_fault_point ("create-before-save");
  if (!hns_network_save (self, error))
    {
      g_ptr_array_remove (self->endpoints, endpoint);
      hns_endpoint_forget (endpoint);
      g_object_unref (endpoint);
      return NULL;
    }
  hns_fault_point ("create-after-save");
  return HCS_ENDPOINT (endpoint);
}

static gboolean
hns_network_remove (HcsNetwork *network, gboolean force, GError **error)
{
  HnsNetwork *self = HNS_NETWORK (network);
  gboolean removed;

  if (!network_lock (self, error))
    return FALSE;
  if (!refresh_locked (self, error))
    {
      network_unlock (self);
      return FALSE;
    }
  removed = remove_locked (self, force, error);
  network_unlock (self);
  return removed;
}

static gboolean
remove_locked (HnsNetwork *self, gboolean force, GError **error)
{
  g_autoptr (GPtrArray) endpoints = NULL;

  if (self->removed)
    return TRUE;
  if (self->endpoints->len > 0 && !force)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "hns: network '%s' still has %u endpoints: remove them, or force", self->name,
                   self->endpoints->len);
      return FALSE;
    }
  self->removed = TRUE;
  endpoints = g_ptr_array_copy (self->endpoints, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
  g_ptr_array_set_free_func (endpoints, g_object_unref);

  for (guint i = 0; i < endpoints->len; i++)
    hns_endpoint_remove_locked (endpoints->pdata[i], NULL);
  if (self->adapter != NULL)
    {
      /* Hand the adapter back to the host before the bridge goes. */
      if (!hns_netlink_set_master (self->adapter, NULL, error))
        return FALSE;
    }
  else if (!hns_nft_delete_table (self->id, error))
    return FALSE;
  if (!hns_nft_delete_bridge_table (self->id, error))
    return FALSE;
  if (!hns_netlink_delete_link (self->bridge, error))
    return FALSE;
  if (self->state_file != NULL)
    g_unlink (self->state_file);
  network_unlink_lock (self);
  return TRUE;
}

static HcsEndpoint *
hns_network_get_endpoint (HcsNetwork *network, const char *id, GError **error)
{
  HnsNetwork *self = HNS_NETWORK (network);
  /* An endpoint another process made since is found too. */
  gboolean locked = network_lock_to_read (self);

  for (guint i = 0; i < self->endpoints->len; i++)
    if (g_strcmp0 (hcs_endpoint_get_id (self->endpoints->pdata[i]), id) == 0)
      {
        HcsEndpoint *endpoint = g_object_ref (self->endpoints->pdata[i]);
        network_unlock_read (self, locked);
        return endpoint;
      }
  network_unlock_read (self, locked);
  g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND,
               "hns: network '%s' has no endpoint %s", self->name, id ? id : "");
  return NULL;
}

static void
hns_network_iface_init (HcsNetworkInterface *iface)
{
  iface->get_endpoint = hns_network_get_endpoint;
  iface->get_id = hns_network_get_id;
  iface->get_name = hns_network_get_name;
  iface->get_network_type = hns_network_get_network_type;
  iface->create_endpoint = hns_network_create_endpoint;
  iface->remove = hns_network_remove;
  iface->to_json = hns_network_to_json;
  iface->list_endpoints = hns_network_list_endpoints;
}

HnsEndpoint *
hns_network_find_link_owner (HnsNetwork *self, const char *ifname)
{
  for (guint i = 0; i < self->endpoints->len; i++)
    if (hns_endpoint_owns_link (self->endpoints->pdata[i], ifname))
      return self->endpoints->pdata[i];
  return NULL;
}

const char *
hns_network_get_adapter (HnsNetwork *self)
{
  return self->adapter;
}
