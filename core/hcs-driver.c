/* hcs-driver.c: driver interfaces, the registry plugins fill, option lookup.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-driver.h"
#include "hcs-error.h"

/* --- isolation drivers ------------------------------------------------- */

G_DEFINE_INTERFACE (HcsIsolationDriver, hcs_isolation_driver, G_TYPE_OBJECT)

static void
hcs_isolation_driver_default_init (HcsIsolationDriverInterface *iface)
{
  /* The host's runtime options; a driver reads its own group from them. */
  g_object_interface_install_property (
      iface, g_param_spec_boxed ("options", "Options", "Runtime options", G_TYPE_KEY_FILE,
                                 G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                     G_PARAM_STATIC_STRINGS));
}

const char *
hcs_isolation_driver_get_isolation (HcsIsolationDriver *self)
{
  g_return_val_if_fail (HCS_IS_ISOLATION_DRIVER (self), NULL);
  return HCS_ISOLATION_DRIVER_GET_IFACE (self)->get_isolation (self);
}

HcsContainer *
hcs_isolation_driver_create_container (HcsIsolationDriver *self, const char *id,
                                       const HcsContainerConfig *config,
                                       GKeyFile *system_options, GError **error)
{
  g_return_val_if_fail (HCS_IS_ISOLATION_DRIVER (self), NULL);
  g_return_val_if_fail (id != NULL && config != NULL, NULL);
  return HCS_ISOLATION_DRIVER_GET_IFACE (self)->create_container (self, id, config,
                                                                 system_options, error);
}

HcsContainer *
hcs_isolation_driver_open_container (HcsIsolationDriver *self, const char *id,
                                     GError **error)
{
  g_return_val_if_fail (HCS_IS_ISOLATION_DRIVER (self), NULL);
  return HCS_ISOLATION_DRIVER_GET_IFACE (self)->open_container (self, id, error);
}

GPtrArray *
hcs_isolation_driver_list_containers (HcsIsolationDriver *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_ISOLATION_DRIVER (self), NULL);
  return HCS_ISOLATION_DRIVER_GET_IFACE (self)->list_containers (self, error);
}

/* --- network drivers ------------------------------------------------------ */

G_DEFINE_INTERFACE (HcsNetworkDriver, hcs_network_driver, G_TYPE_OBJECT)

static void
hcs_network_driver_default_init (HcsNetworkDriverInterface *iface)
{
  g_object_interface_install_property (
      iface, g_param_spec_boxed ("options", "Options", "Runtime options", G_TYPE_KEY_FILE,
                                 G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                     G_PARAM_STATIC_STRINGS));
}

const char *const *
hcs_network_driver_get_network_types (HcsNetworkDriver *self)
{
  g_return_val_if_fail (HCS_IS_NETWORK_DRIVER (self), NULL);
  return HCS_NETWORK_DRIVER_GET_IFACE (self)->get_network_types (self);
}

HcsNetwork *
hcs_network_driver_create_network (HcsNetworkDriver *self, const char *id,
                                   const HcsNetworkConfig *config, GError **error)
{
  g_return_val_if_fail (HCS_IS_NETWORK_DRIVER (self), NULL);
  return HCS_NETWORK_DRIVER_GET_IFACE (self)->create_network (self, id, config, error);
}

HcsNetwork *
hcs_network_driver_open_network (HcsNetworkDriver *self, const char *id, GError **error)
{
  g_return_val_if_fail (HCS_IS_NETWORK_DRIVER (self), NULL);
  return HCS_NETWORK_DRIVER_GET_IFACE (self)->open_network (self, id, error);
}

GPtrArray *
hcs_network_driver_list_networks (HcsNetworkDriver *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_NETWORK_DRIVER (self), NULL);
  return HCS_NETWORK_DRIVER_GET_IFACE (self)->list_networks (self, error);
}

/* --- the registry ---------------------------------------------------------- */

struct _HcsRegistry
{
  GObject parent_instance;
  GArray *isolation_types; /* GType */
  GArray *network_types;   /* GType */
};

G_DEFINE_FINAL_TYPE (HcsRegistry, hcs_registry, G_TYPE_OBJECT)

static void
hcs_registry_finalize (GObject *object)
{
  HcsRegistry *self = HCS_REGISTRY (object);

  g_array_unref (self->isolation_types);
  g_array_unref (self->network_types);
  G_OBJECT_CLASS (hcs_registry_parent_class)->finalize (object);
}

static void
hcs_registry_class_init (HcsRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hcs_registry_finalize;
}

static void
hcs_registry_init (HcsRegistry *self)
{
  self->isolation_types = g_array_new (FALSE, FALSE, sizeof (GType));
  self->network_types = g_array_new (FALSE, FALSE, sizeof (GType));
}

HcsRegistry *
hcs_registry_new (void)
{
  return g_object_new (HCS_TYPE_REGISTRY, NULL);
}

static gboolean
check_driver_type (GType type, GType required, GError **error)
{
  if (!G_TYPE_IS_OBJECT (type) || G_TYPE_IS_ABSTRACT (type))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN,
                   "driver type '%s' is not an instantiable GObject type",
                   type ? g_type_name (type) : "(invalid)");
      return FALSE;
    }
  if (!g_type_is_a (type, required))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN,
                   "driver type '%s' does not implement %s", g_type_name (type),
                   g_type_name (required));
      return FALSE;
    }
  if (!g_type_is_a (type, G_TYPE_INITABLE))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN,
                   "driver type '%s' does not implement GInitable", g_type_name (type));
      return FALSE;
    }
  return TRUE;
}

gboolean
hcs_registry_add_isolation_driver (HcsRegistry *self, GType type, GError **error)
{
  g_return_val_if_fail (HCS_IS_REGISTRY (self), FALSE);
  if (!check_driver_type (type, HCS_TYPE_ISOLATION_DRIVER, error))
    return FALSE;
  g_array_append_val (self->isolation_types, type);
  return TRUE;
}

gboolean
hcs_registry_add_network_driver (HcsRegistry *self, GType type, GError **error)
{
  g_return_val_if_fail (HCS_IS_REGISTRY (self), FALSE);
  if (!check_driver_type (type, HCS_TYPE_NETWORK_DRIVER, error))
    return FALSE;
  g_array_append_val (self->network_types, type);
  return TRUE;
}

GArray *
hcs_registry_get_isolation_driver_types (HcsRegistry *self)
{
  g_return_val_if_fail (HCS_IS_REGISTRY (self), NULL);
  return self->isolation_types;
}

GArray *
hcs_registry_get_network_driver_types (HcsRegistry *self)
{
  g_return_val_if_fail (HCS_IS_REGISTRY (self), NULL);
  return self->network_types;
}

guint
hcs_registry_get_n_drivers (HcsRegistry *self)
{
  g_return_val_if_fail (HCS_IS_REGISTRY (self), 0);
  return self->isolation_types->len + self->network_types->len;
}

/* --- options ------------------------------------------------------------------ */

char *
hcs_options_get_string (GKeyFile *host_options, GKeyFile *system_options,
                        const char *group, const char *key, const char *default_value)
{
  GKeyFile *sources[] = { system_options, host_options };

  for (gsize i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      g_autofree char *value = NULL;

      if (sources[i] == NULL)
        continue;
      value = g_key_file_get_string (sources[i], group, key, NULL);
      if (value != NULL)
        return g_strstrip (g_steal_pointer (&value));
    }
  return g_strdup (default_value);
}

gboolean
hcs_options_get_boolean (GKeyFile *host_options, GKeyFile *system_options,
                         const char *group, const char *key, gboolean default_value)
{
  g_autofree char *value =
      hcs_options_get_string (host_options, system_options, group, key, NULL);

  if (value == NULL)
    return default_value;
  if (g_ascii_strcasecmp (value, "true") == 0 || g_str_equal (value, "1") ||
      g_ascii_strcasecmp (value, "yes") == 0)
    return TRUE;
  if (g_ascii_strcasecmp (value, "false") == 0 || g_str_equal (value, "0") ||
      g_ascii_strcasecmp (value, "no") == 0)
    return FALSE;
  return default_value;
}
