/* hns-driver.c: the network driver for NAT and Internal networks.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hns-private.h"
#include "hcs-plugin.h"

#include <gmodule.h>
#include <string.h>
#include <unistd.h>

struct _HnsDriver
{
  GObject parent_instance;
  GKeyFile *options;
  GMutex lock;
  GHashTable *networks; /* id -> HnsNetwork */
  char *state_dir;
};

static const char *const network_types[] = { "NAT", "Internal", "Private", "Transparent",
                                             "L2Bridge", NULL };

static void hns_driver_network_iface_init (HcsNetworkDriverInterface *iface);
static void hns_driver_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (
    HnsDriver, hns_driver, G_TYPE_OBJECT,
    G_IMPLEMENT_INTERFACE (HCS_TYPE_NETWORK_DRIVER, hns_driver_network_iface_init)
    G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, hns_driver_initable_iface_init))

static void
hns_driver_finalize (GObject *object)
{
  HnsDriver *self = HNS_DRIVER (object);

  g_clear_pointer (&self->options, g_key_file_unref);
  g_hash_table_unref (self->networks);
  g_free (self->state_dir);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (hns_driver_parent_class)->finalize (object);
}

static void
hns_driver_class_init (HnsDriverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hns_driver_finalize;
}

static void
hns_driver_init (HnsDriver *self)
{
  g_mutex_init (&self->lock);
  self->networks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

/* Tables that this state folder made ("comment "hcs: STATE_DIR"") and no
 * saved network owns any more: left by a crash between the kernel and the
 * state file. Other state folders' tables are never touched. */
static void
remove_stale_tables (HnsDriver *self)
{
  g_autofree char *out = NULL, *mark = g_strdup_printf ("comment \"hcs: %s\"", self->state_dir);
  g_auto (GStrv) lines = NULL;
  const char *current = NULL;

  out = hns_nft_list ("list tables ip");
  if (out == NULL)
    return;
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_autofree char *listing = NULL, *command = NULL;
      char id[9];

      if (!g_str_has_prefix (lines[i], "table ip hcs_") || strlen (lines[i]) != 21)
        continue;
      current = lines[i] + 13;
      g_strlcpy (id, current, sizeof id);
      {
        GHashTableIter iter;
        gpointer key;
        gboolean owned = FALSE;

        g_hash_table_iter_init (&iter, self->networks);
        while (g_hash_table_iter_next (&iter, &key, NULL))
          owned |= strncmp (key, id, 8) == 0;
        if (owned)
          continue;
      }
      command = g_strdup_printf ("list table ip hcs_%s", id);
      listing = hns_nft_list (command);
      if (listing != NULL && strstr (listing, mark) != NULL)
        hns_nft_delete_table (id, NULL);
    }
}

static gboolean
hns_driver_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  HnsDriver *self = HNS_DRIVER (initable);
  g_autofree char *host_state = NULL;
  g_autoptr (GDir) dir = NULL;
  const char *name;

  self->options = g_key_file_ref (hcs_driver_get_options (self));
  if (geteuid () != 0)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ACCESS_DENIED,
                   "hns: host networking needs root (running as uid %u)", (guint) geteuid ());
      return FALSE;
    }
  host_state = hcs_options_get_string (self->options, NULL, "host", "state-dir",
                                       HCS_DEFAULT_STATE_DIR);
  {
    g_autofree char *fallback = g_build_filename (host_state, "hns", NULL);
    self->state_dir = hcs_options_get_string (self->options, NULL, "hns", "state-dir", fallback);
  }

  /* Networks outlive the process that made them: load and reconcile. A
   * state file that cannot be read is reported, not fatal. */
  dir = g_dir_open (self->state_dir, 0, NULL);
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr (GError) local_error = NULL;
      HnsNetwork *network;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      path = g_build_filename (self->state_dir, name, NULL);
      network = hns_network_load (path, &local_error);
      if (network == NULL)
        {
          g_message ("%s", local_error->message);
          continue;
        }
      g_hash_table_insert (self->networks, g_strdup (hcs_network_get_id (HCS_NETWORK (network))),
                           network);
    }
  /* Only a folder that has held networks can have left tables behind;
   * skipping the scan keeps hosts that never used networks fast. */
  if (dir != NULL)
    remove_stale_tables (self);
  return TRUE;
}

static void
hns_driver_initable_iface_init (GInitableIface *iface)
{
  iface->init = hns_driver_initable_init;
}

/* Networks removed through their own handle leave the table here. */
static void
purge_removed (HnsDriver *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->networks);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (hns_network_is_removed (value))
      g_hash_table_iter_remove (&iter);
}

static const char *const *
hns_driver_get_network_types (HcsNetworkDriver *driver)
{
  return network_types;
}

static HcsNetwork *
hns_driver_create_network (HcsNetworkDriver *driver, const char *id,
                           const HcsNetworkConfig *config, GError **error)
{
  HnsDriver *self = HNS_DRIVER (driver);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  HnsNetwork *network;
  HnsKind kind;

  purge_removed (self);
  if (g_ascii_strcasecmp (config->network_type, "NAT") == 0)
    kind = HNS_KIND_NAT;
  else if (g_ascii_strcasecmp (config->network_type, "Internal") == 0 ||
           g_ascii_strcasecmp (config->network_type, "Private") == 0)
    kind = HNS_KIND_INTERNAL;
  else if (g_ascii_strcasecmp (config->network_type, "Transparent") == 0 ||
           g_ascii_strcasecmp (config->network_type, "L2Bridge") == 0)
    kind = HNS_KIND_L2BRIDGE;
  else
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "HNSNetwork.Type: '%s' is not one of NAT, Internal, Private, Transparent, "
                   "L2Bridge",
                   config->network_type);
      return NULL;
    }
  if (g_hash_table_contains (self->networks, id))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS,
                   "hns: a network named '%s' already exists", config->name);
      return NULL;
    }
  /* Two networks on overlapping subnets would fight over routes. */
  {
    HnsSubnet wanted;
    GHashTableIter iter;
    gpointer value;

    if (!hns_subnet_parse (config->address_prefix, config->gateway_address, &wanted, error))
      return NULL;
    g_hash_table_iter_init (&iter, self->networks);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      {
        const HnsSubnet *other = hns_network_get_subnet (value);
        guint shortest = MIN (other->prefix_length, wanted.prefix_length);
        guint32 mask = 0xffffffffu << (32 - shortest);
        if ((other->network & mask) == (wanted.network & mask))
          {
            g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                         "HNSNetwork.Subnets[0].AddressPrefix: %s overlaps network '%s'",
                         config->address_prefix, hcs_network_get_name (value));
            return NULL;
          }
      }
  }
  network = hns_network_new (id, config, kind, self->state_dir, error);
  if (network == NULL)
    return NULL;
  g_hash_table_insert (self->networks, g_strdup (id), g_object_ref (network));
  return HCS_NETWORK (network);
}

static HcsNetwork *
hns_driver_open_network (HcsNetworkDriver *driver, const char *id, GError **error)
{
  HnsDriver *self = HNS_DRIVER (driver);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  HnsNetwork *network;

  purge_removed (self);
  network = g_hash_table_lookup (self->networks, id ? id : "");
  if (network == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND, "hns: network '%s' does not exist",
                   id ? id : "");
      return NULL;
    }
  return HCS_NETWORK (g_object_ref (network));
}

static GPtrArray *
hns_driver_list_networks (HcsNetworkDriver *driver, GError **error)
{
  HnsDriver *self = HNS_DRIVER (driver);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  GPtrArray *networks = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  purge_removed (self);
  g_hash_table_iter_init (&iter, self->networks);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (networks, g_object_ref (value));
  return networks;
}

static void
hns_driver_network_iface_init (HcsNetworkDriverInterface *iface)
{
  iface->get_network_types = hns_driver_get_network_types;
  iface->create_network = hns_driver_create_network;
  iface->open_network = hns_driver_open_network;
  iface->list_networks = hns_driver_list_networks;
}

/* The [hns] group. */
static const HcsOptionSpec hns_options[] = {
  { "hns", "state-dir", HCS_OPTION_PATH, .default_value = "STATE-DIR/hns",
    .description = "Where networks and endpoints are kept ([host] state-dir's hns folder)" },
};

G_MODULE_EXPORT gboolean hcs_plugin_init (HcsRegistry *registry, guint abi_version,
                                          GError **error);

gboolean
hcs_plugin_init (HcsRegistry *registry, guint abi_version, GError **error)
{
  if (abi_version != HCS_PLUGIN_ABI_VERSION)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN, "hns: built for plugin ABI %d, the host has %u",
                   HCS_PLUGIN_ABI_VERSION, abi_version);
      return FALSE;
    }
  return hcs_registry_add_options (registry, hns_options, G_N_ELEMENTS (hns_options), error) &&
         hcs_registry_add_network_driver (registry, HNS_TYPE_DRIVER, error);
}
