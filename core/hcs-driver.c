/* hcs-driver.c: driver interfaces, the registry plugins fill, the check of
 * required vfuncs, option lookup.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-driver.h"
#include "hcs-error.h"
#include "hcs-gate.h"
#include "hcs-host.h"
#include "hcs-plugin.h"
#include "hcs-plugin-private.h"

#include <string.h>

/* --- required vfuncs --------------------------------------------------- */

typedef struct {
  const char *name;
  gsize offset;
} RequiredVfunc;

#define REQUIRED(Iface, field) { #field, G_STRUCT_OFFSET (Iface, field) }

static const RequiredVfunc isolation_driver_vfuncs[] = {
  REQUIRED (HcsIsolationDriverInterface, get_isolation),
  REQUIRED (HcsIsolationDriverInterface, create_container),
  REQUIRED (HcsIsolationDriverInterface, open_container),
  REQUIRED (HcsIsolationDriverInterface, list_containers),
};

static const RequiredVfunc network_driver_vfuncs[] = {
  REQUIRED (HcsNetworkDriverInterface, get_network_types),
  REQUIRED (HcsNetworkDriverInterface, create_network),
  REQUIRED (HcsNetworkDriverInterface, open_network),
  REQUIRED (HcsNetworkDriverInterface, list_networks),
};

static const RequiredVfunc container_vfuncs[] = {
  REQUIRED (HcsContainerInterface, get_id),
  REQUIRED (HcsContainerInterface, start),
  REQUIRED (HcsContainerInterface, shutdown),
  REQUIRED (HcsContainerInterface, terminate),
  REQUIRED (HcsContainerInterface, wait_timeout),
  REQUIRED (HcsContainerInterface, wait_async),
  REQUIRED (HcsContainerInterface, wait_finish),
  REQUIRED (HcsContainerInterface, create_process),
  REQUIRED (HcsContainerInterface, open_process),
  REQUIRED (HcsContainerInterface, get_init_process),
  REQUIRED (HcsContainerInterface, get_properties),
  REQUIRED (HcsContainerInterface, close),
  REQUIRED (HcsContainerInterface, remove),
};

static const RequiredVfunc process_vfuncs[] = {
  REQUIRED (HcsProcessInterface, get_pid),
  REQUIRED (HcsProcessInterface, wait_timeout),
  REQUIRED (HcsProcessInterface, wait_async),
  REQUIRED (HcsProcessInterface, wait_finish),
  REQUIRED (HcsProcessInterface, get_exit_code),
  REQUIRED (HcsProcessInterface, get_stdin),
  REQUIRED (HcsProcessInterface, get_stdout),
  REQUIRED (HcsProcessInterface, get_stderr),
  REQUIRED (HcsProcessInterface, close_stdin),
  REQUIRED (HcsProcessInterface, close),
};

static const RequiredVfunc network_vfuncs[] = {
  REQUIRED (HcsNetworkInterface, get_id),
  REQUIRED (HcsNetworkInterface, get_name),
  REQUIRED (HcsNetworkInterface, get_network_type),
  REQUIRED (HcsNetworkInterface, create_endpoint),
  REQUIRED (HcsNetworkInterface, get_endpoint),
  REQUIRED (HcsNetworkInterface, remove),
  REQUIRED (HcsNetworkInterface, to_json),
  REQUIRED (HcsNetworkInterface, list_endpoints),
};

static const RequiredVfunc endpoint_vfuncs[] = {
  REQUIRED (HcsEndpointInterface, get_id),
  REQUIRED (HcsEndpointInterface, get_ip_address),
  REQUIRED (HcsEndpointInterface, get_mac_address),
  REQUIRED (HcsEndpointInterface, attach),
  REQUIRED (HcsEndpointInterface, detach),
  REQUIRED (HcsEndpointInterface, remove),
  REQUIRED (HcsEndpointInterface, to_json),
};

static const RequiredVfunc *
required_vfuncs (GType interface_type, gsize *n)
{
  const struct {
    GType type;
    const RequiredVfunc *vfuncs;
    gsize n;
  } table[] = {
    { HCS_TYPE_ISOLATION_DRIVER, isolation_driver_vfuncs, G_N_ELEMENTS (isolation_driver_vfuncs) },
    { HCS_TYPE_NETWORK_DRIVER, network_driver_vfuncs, G_N_ELEMENTS (network_driver_vfuncs) },
    { HCS_TYPE_CONTAINER, container_vfuncs, G_N_ELEMENTS (container_vfuncs) },
    { HCS_TYPE_PROCESS, process_vfuncs, G_N_ELEMENTS (process_vfuncs) },
    { HCS_TYPE_NETWORK, network_vfuncs, G_N_ELEMENTS (network_vfuncs) },
    { HCS_TYPE_ENDPOINT, endpoint_vfuncs, G_N_ELEMENTS (endpoint_vfuncs) },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)
    if (table[i].type == interface_type)
      {
        *n = table[i].n;
        return table[i].vfuncs;
      }
  *n = 0;
  return NULL;
}

/* A type found complete is remembered on the type: objects are checked
 * each time a driver hands one out, the vtable only once. */
static GQuark
checked_quark (GType interface_type)
{
  g_autofree char *name = g_strdup_printf ("hcs-vfuncs-checked-%s", g_type_name (interface_type));
  return g_quark_from_string (name);
}

gboolean
hcs_plugin_check_vfuncs (GType type, GType interface_type, GError **error)
{
  GQuark quark = checked_quark (interface_type);
  const RequiredVfunc *vfuncs;
  gpointer klass, iface;
  gsize n;

  if (g_type_get_qdata (type, quark) != NULL)
    return TRUE;
  if (!g_type_is_a (type, interface_type))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN, "type '%s' does not implement %s",
                   g_type_name (type), g_type_name (interface_type));
      return FALSE;
    }
  klass = g_type_class_ref (type);
  iface = g_type_interface_peek (klass, interface_type);
  vfuncs = required_vfuncs (interface_type, &n);
  for (gsize i = 0; i < n; i++)
    if (G_STRUCT_MEMBER (gpointer, iface, vfuncs[i].offset) == NULL)
      {
        g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN,
                     "type '%s' lacks the required vfunc %s.%s", g_type_name (type),
                     g_type_name (interface_type), vfuncs[i].name);
        g_type_class_unref (klass);
        return FALSE;
      }
  g_type_class_unref (klass);
  g_type_set_qdata (type, quark, GINT_TO_POINTER (1));
  return TRUE;
}

/* What a driver hands out is checked before anyone calls it: @object
 * (transfer full) is returned, or released with the error set. @undo is
 * tried on an incomplete object, so that a created system is not left. */
gpointer
hcs_plugin_check_object (gpointer object, GType interface_type, const char *from,
                         void (*undo) (gpointer object), GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (object == NULL)
    return NULL;
  if (hcs_plugin_check_vfuncs (G_OBJECT_TYPE (object), interface_type, &local_error))
    return object;
  if (undo != NULL)
    undo (object);
  g_object_unref (object);
  g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN, "%s: %s", from, local_error->message);
  return NULL;
}

static void
undo_container (gpointer object)
{
  HcsContainerInterface *iface = HCS_CONTAINER_GET_IFACE (object);

  if (iface->terminate != NULL)
    iface->terminate (object, NULL);
  if (iface->remove != NULL)
    iface->remove (object, NULL);
}

static void
undo_network (gpointer object)
{
  HcsNetworkInterface *iface = HCS_NETWORK_GET_IFACE (object);

  if (iface->remove != NULL)
    iface->remove (object, TRUE, NULL);
}

/* --- the options every driver has -------------------------------------- */

static GQuark
driver_options_quark (void)
{
  return g_quark_from_static_string ("hcs-driver-options");
}

GKeyFile *
hcs_driver_get_options (gpointer driver)
{
  GKeyFile *options;

  g_return_val_if_fail (G_IS_OBJECT (driver), NULL);
  options = g_object_get_qdata (driver, driver_options_quark ());
  if (options == NULL)
    {
      /* Made outside a host: the defaults. */
      options = g_key_file_new ();
      g_object_set_qdata_full (driver, driver_options_quark (), options,
                               (GDestroyNotify) g_key_file_unref);
    }
  return options;
}

void
hcs_driver_set_options (gpointer driver, GKeyFile *options)
{
  g_return_if_fail (G_IS_OBJECT (driver));
  g_object_set_qdata_full (driver, driver_options_quark (),
                           options ? g_key_file_ref (options) : g_key_file_new (),
                           (GDestroyNotify) g_key_file_unref);
}

static GQuark
driver_state_quark (void)
{
  return g_quark_from_static_string ("hcs-driver-state");
}

HcsState *
hcs_driver_get_state (gpointer driver, GError **error)
{
  HcsState *state;

  g_return_val_if_fail (G_IS_OBJECT (driver), NULL);
  state = g_object_get_qdata (driver, driver_state_quark ());
  if (state == NULL)
    {
      /* Made outside a host: from its options, once. */
      state = hcs_state_new_from_options (hcs_driver_get_options (driver), error);
      if (state == NULL)
        return NULL;
      g_object_set_qdata_full (driver, driver_state_quark (), state, g_object_unref);
    }
  return state;
}

void
hcs_driver_set_state (gpointer driver, HcsState *state)
{
  g_return_if_fail (G_IS_OBJECT (driver));
  g_return_if_fail (HCS_IS_STATE (state));
  g_object_set_qdata_full (driver, driver_state_quark (), g_object_ref (state), g_object_unref);
}

static GQuark
driver_host_quark (void)
{
  return g_quark_from_static_string ("hcs-driver-host");
}

static void
weak_ref_free (GWeakRef *ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

void
hcs_driver_set_host (gpointer driver, gpointer host)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_return_if_fail (G_IS_OBJECT (driver));
  g_return_if_fail (HCS_IS_HOST (host));
  /* Weak: the host holds its drivers. */
  g_weak_ref_init (ref, host);
  g_object_set_qdata_full (driver, driver_host_quark (), ref, (GDestroyNotify) weak_ref_free);
}

HcsEndpoint *
hcs_driver_open_endpoint (gpointer driver, const char *id, GError **error)
{
  GWeakRef *ref;
  g_autoptr (HcsHost) host = NULL;

  g_return_val_if_fail (G_IS_OBJECT (driver), NULL);
  ref = g_object_get_qdata (driver, driver_host_quark ());
  if (ref != NULL)
    host = g_weak_ref_get (ref);
  if (host == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND,
                   "endpoint '%s': no host networks for this driver", id ? id : "");
      return NULL;
    }
  return hcs_host_open_endpoint (host, id, error);
}

static GQuark
driver_takes_endpoints_quark (void)
{
  return g_quark_from_static_string ("hcs-driver-takes-endpoints");
}

void
hcs_driver_set_takes_endpoints (gpointer driver, gboolean takes)
{
  g_return_if_fail (G_IS_OBJECT (driver));
  g_object_set_qdata (driver, driver_takes_endpoints_quark (), GINT_TO_POINTER (takes != FALSE));
}

gboolean
hcs_driver_get_takes_endpoints (gpointer driver)
{
  g_return_val_if_fail (G_IS_OBJECT (driver), FALSE);
  return GPOINTER_TO_INT (g_object_get_qdata (driver, driver_takes_endpoints_quark ()));
}

/* --- isolation drivers ------------------------------------------------- */

G_DEFINE_INTERFACE (HcsIsolationDriver, hcs_isolation_driver, G_TYPE_OBJECT)

/* The runtime options are core's, for every driver: hcs_driver_get_options(). */
static void
hcs_isolation_driver_default_init (HcsIsolationDriverInterface *iface)
{
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
  return hcs_plugin_check_object (
      HCS_ISOLATION_DRIVER_GET_IFACE (self)->create_container (self, id, config, system_options,
                                                               error),
      HCS_TYPE_CONTAINER, G_OBJECT_TYPE_NAME (self), undo_container, error);
}

HcsContainer *
hcs_isolation_driver_open_container (HcsIsolationDriver *self, const char *id,
                                     GError **error)
{
  g_return_val_if_fail (HCS_IS_ISOLATION_DRIVER (self), NULL);
  return hcs_plugin_check_object (
      HCS_ISOLATION_DRIVER_GET_IFACE (self)->open_container (self, id, error),
      HCS_TYPE_CONTAINER, G_OBJECT_TYPE_NAME (self), NULL, error);
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
  return hcs_plugin_check_object (
      HCS_NETWORK_DRIVER_GET_IFACE (self)->create_network (self, id, config, error),
      HCS_TYPE_NETWORK, G_OBJECT_TYPE_NAME (self), undo_network, error);
}

HcsNetwork *
hcs_network_driver_open_network (HcsNetworkDriver *self, const char *id, GError **error)
{
  g_return_val_if_fail (HCS_IS_NETWORK_DRIVER (self), NULL);
  return hcs_plugin_check_object (
      HCS_NETWORK_DRIVER_GET_IFACE (self)->open_network (self, id, error), HCS_TYPE_NETWORK,
      G_OBJECT_TYPE_NAME (self), NULL, error);
}

GPtrArray *
hcs_network_driver_list_networks (HcsNetworkDriver *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_NETWORK_DRIVER (self), NULL);
  g_autoptr (GPtrArray) networks = HCS_NETWORK_DRIVER_GET_IFACE (self)->list_networks (self, error);

  for (guint i = 0; networks != NULL && i < networks->len; i++)
    if (!hcs_plugin_check_vfuncs (G_OBJECT_TYPE (networks->pdata[i]), HCS_TYPE_NETWORK, error))
      return NULL;
  return g_steal_pointer (&networks);
}

/* --- the registry ---------------------------------------------------------- */

struct _HcsRegistry
{
  GObject parent_instance;
  GArray *isolation_types; /* GType */
  GArray *network_types;   /* GType */
  GPtrArray *options;      /* const HcsOptionSpec*, the plugin's static data */
};

G_DEFINE_FINAL_TYPE (HcsRegistry, hcs_registry, G_TYPE_OBJECT)

static void
hcs_registry_finalize (GObject *object)
{
  HcsRegistry *self = HCS_REGISTRY (object);

  g_array_unref (self->isolation_types);
  g_array_unref (self->network_types);
  g_ptr_array_unref (self->options);
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
  self->options = g_ptr_array_new ();
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
  return hcs_plugin_check_vfuncs (type, required, error);
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

gboolean
hcs_registry_add_options (HcsRegistry *self, const HcsOptionSpec *specs, gsize n_specs,
                          GError **error)
{
  g_return_val_if_fail (HCS_IS_REGISTRY (self), FALSE);

  for (gsize i = 0; i < n_specs; i++)
    {
      const HcsOptionSpec *spec = &specs[i];

      if (!hcs_option_spec_check (spec, error))
        return FALSE;
      if (hcs_option_spec_find (hcs_options_core_specs (), spec->group, NULL) != NULL)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN,
                       "option group [%s] is core's: a plugin declares a group of its own",
                       spec->group);
          return FALSE;
        }
      if (hcs_option_spec_find (self->options, spec->group, spec->key) != NULL)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN, "option [%s] %s is declared twice",
                       spec->group, spec->key);
          return FALSE;
        }
      g_ptr_array_add (self->options, (gpointer) spec);
    }
  return TRUE;
}

GPtrArray *
hcs_registry_get_options (HcsRegistry *self)
{
  g_return_val_if_fail (HCS_IS_REGISTRY (self), NULL);
  return self->options;
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

  int boolean;

  if (value == NULL)
    return default_value;
  boolean = hcs_gate_boolean_value (value);
  return boolean < 0 ? default_value : boolean;
}
