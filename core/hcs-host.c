/* hcs-host.c: runtime options, plugin loading and routing to drivers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "hcs-host.h"
#include "hcs-monitor-private.h"
#include "hcs-error.h"
#include "hcs-plugin-private.h"

#include <errno.h>
#include <gmodule.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A plugin whose description (hcs-plugin-NAME.plugin beside its .so) says
 * what it provides is loaded the first time a driver of that kind is asked
 * for: `hcsctl exec` needs argon, not the libnftables and libnl that hns
 * brings (a millisecond of every command). One without a description is
 * loaded with the host. */
typedef struct {
  char *path;
  GStrv isolations;   /* the isolation modes of its drivers */
  gboolean network;   /* it has network drivers */
} PluginDescription;

static void
plugin_description_free (PluginDescription *description)
{
  g_free (description->path);
  g_strfreev (description->isolations);
  g_free (description);
}

/* Whether @description offers network drivers (@network) or else the
 * isolation @isolation (any, for NULL). */
static gboolean
description_offers (const PluginDescription *description, gboolean network,
                    const char *isolation)
{
  if (network)
    return description->network;
  return description->isolations != NULL &&
         (isolation == NULL ||
          g_strv_contains ((const char *const *) description->isolations, isolation));
}

struct _HcsHost
{
  GObject parent_instance;

  GKeyFile *options;
  HcsState *state;               /* [host] state-dir and layer-dir, read once */
  GMutex lock;                   /* loads on demand may come from any thread */
  GPtrArray *plugin_errors;      /* char*, NULL-terminated */
  GHashTable *loaded_plugins;    /* basename -> path, loaded or described */
  GPtrArray *pending_plugins;    /* PluginDescription*, described, not loaded yet */
  GPtrArray *isolation_drivers;  /* HcsIsolationDriver* in load order */
  GPtrArray *network_drivers;    /* HcsNetworkDriver* */
  GPtrArray *option_specs;       /* const HcsOptionSpec*: core's, then loaded plugins' */
  GHashTable *plugin_names;      /* NAME of every hcs-plugin-NAME.so found: its group */
  GError *options_error;         /* the first plugin group whose options were refused */
};

G_DEFINE_FINAL_TYPE (HcsHost, hcs_host, G_TYPE_OBJECT)

static void
hcs_host_finalize (GObject *object)
{
  HcsHost *self = HCS_HOST (object);

  g_key_file_unref (self->options);
  g_clear_object (&self->state);
  g_ptr_array_unref (self->plugin_errors);
  g_hash_table_unref (self->loaded_plugins);
  g_ptr_array_unref (self->pending_plugins);
  g_ptr_array_unref (self->isolation_drivers);
  g_ptr_array_unref (self->network_drivers);
  g_ptr_array_unref (self->option_specs);
  g_hash_table_unref (self->plugin_names);
  g_clear_error (&self->options_error);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (hcs_host_parent_class)->finalize (object);
}

static void
hcs_host_class_init (HcsHostClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hcs_host_finalize;
}

static void
hcs_host_init (HcsHost *self)
{
  self->plugin_errors = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->loaded_plugins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->pending_plugins = g_ptr_array_new_with_free_func ((GDestroyNotify) plugin_description_free);
  g_mutex_init (&self->lock);
  self->isolation_drivers = g_ptr_array_new_with_free_func (g_object_unref);
  self->network_drivers = g_ptr_array_new_with_free_func (g_object_unref);
  self->option_specs = g_ptr_array_copy (hcs_options_core_specs (), NULL, NULL);
  self->plugin_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
add_plugin_error (HcsHost *self, const char *path, const char *message)
{
  g_ptr_array_add (self->plugin_errors, g_strdup_printf ("plugin %s: %s", path, message));
  g_debug ("skipping plugin %s: %s", path, message);
}

/* A plugin runs as root in the host: refuse files that someone other than
 * root (or the user running the host) could have replaced. */
static gboolean
check_plugin_file (const char *path, GError **error)
{
  struct stat st;

  if (stat (path, &st) < 0)
    return hcs_set_error_from_errno (error, errno, "stat %s", path);
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN, "not a regular file");
      return FALSE;
    }
  if (st.st_uid != 0 && st.st_uid != geteuid ())
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN, "owned by uid %u, not by root",
                   (guint) st.st_uid);
      return FALSE;
    }
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN, "writable by group or others");
      return FALSE;
    }
  return TRUE;
}

/* Makes one driver of each registered type; a type whose GInitable refuses
 * this host, or that its plugin's description did not announce, is
 * reported and left out. */
static void
instantiate_driver_types (HcsHost *self, const char *path, GArray *types,
                          const PluginDescription *description, gboolean network,
                          GPtrArray *drivers)
{
  for (guint i = 0; i < types->len; i++)
    {
      GType type = g_array_index (types, GType, i);
      g_autoptr (GError) local_error = NULL;
      g_autoptr (GObject) driver = NULL;
      g_autofree char *message = NULL;

      driver = g_object_new (type, NULL);
      hcs_driver_set_options (driver, self->options);
      hcs_driver_set_state (driver, self->state);
      hcs_driver_set_host (driver, self);
      if (!g_initable_init (G_INITABLE (driver), NULL, &local_error))
        {
          message = g_strdup_printf ("driver %s unavailable on this host: %s",
                                     g_type_name (type), local_error->message);
          add_plugin_error (self, path, message);
          continue;
        }
      if (description != NULL &&
          !description_offers (description, network,
                               network ? NULL
                                       : hcs_isolation_driver_get_isolation (
                                             HCS_ISOLATION_DRIVER (driver))))
        {
          message = g_strdup_printf ("driver %s is not in the plugin's description",
                                     g_type_name (type));
          add_plugin_error (self, path, message);
          continue;
        }
      g_ptr_array_add (drivers, g_steal_pointer (&driver));
    }
}

static void
instantiate_drivers (HcsHost *self, const char *path, HcsRegistry *registry,
                     const PluginDescription *description)
{
  instantiate_driver_types (self, path, hcs_registry_get_isolation_driver_types (registry),
                            description, FALSE, self->isolation_drivers);
  instantiate_driver_types (self, path, hcs_registry_get_network_driver_types (registry),
                            description, TRUE, self->network_drivers);
}

/* Takes a plugin's declared keys and checks its groups of the runtime
 * options: a plugin with a wrong value in its group makes no driver. */
static gboolean
add_plugin_options (HcsHost *self, GPtrArray *specs, GError **error)
{
  g_autoptr (GPtrArray) groups = g_ptr_array_new ();

  for (guint i = 0; i < specs->len; i++)
    {
      const HcsOptionSpec *spec = specs->pdata[i];

      if (hcs_option_spec_find (self->option_specs, spec->group, NULL) != NULL)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN,
                       "option group [%s] is declared by another plugin already", spec->group);
          return FALSE;
        }
      if (!g_ptr_array_find_with_equal_func (groups, spec->group, g_str_equal, NULL))
        g_ptr_array_add (groups, (gpointer) spec->group);
    }
  g_ptr_array_extend (self->option_specs, specs, NULL, NULL);
  for (guint i = 0; i < groups->len; i++)
    if (!hcs_options_check_group (self->options, "runtime options", self->option_specs,
                                  groups->pdata[i], error))
      return FALSE;
  return TRUE;
}

/* @description is NULL for a plugin loaded without one. */
static void
load_plugin (HcsHost *self, const char *path, const PluginDescription *description)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (HcsRegistry) registry = NULL;
  g_autofree char *basename = g_path_get_basename (path);
  HcsPluginInitFunc init_func = NULL;
  GModule *module;

  if (!check_plugin_file (path, &local_error))
    {
      add_plugin_error (self, path, local_error->message);
      return;
    }

  module = g_module_open (path, G_MODULE_BIND_LOCAL);
  if (module == NULL)
    {
      add_plugin_error (self, path, g_module_error ());
      return;
    }
  if (!g_module_symbol (module, HCS_PLUGIN_ENTRY_POINT, (gpointer *) &init_func) ||
      init_func == NULL)
    {
      add_plugin_error (self, path, "not an hcs plugin: no " HCS_PLUGIN_ENTRY_POINT " symbol");
      g_module_close (module);
      return;
    }

  /* Once its code has run the module may have registered GTypes, which can
   * never be unregistered: it stays loaded whatever happens next. */
  g_module_make_resident (module);

  registry = hcs_registry_new ();
  if (!init_func (registry, HCS_PLUGIN_ABI_VERSION, &local_error))
    {
      add_plugin_error (self, path,
                        local_error ? local_error->message : "initialisation failed");
      return;
    }
  if (hcs_registry_get_n_drivers (registry) == 0)
    {
      add_plugin_error (self, path, "registered no driver");
      return;
    }
  if (!add_plugin_options (self, hcs_registry_get_options (registry), &local_error))
    {
      add_plugin_error (self, path, local_error->message);
      if (self->options_error == NULL && g_error_matches (local_error, HCS_ERROR,
                                                         HCS_ERROR_INVALID_DATA))
        self->options_error = g_steal_pointer (&local_error);
      return;
    }

  g_hash_table_insert (self->loaded_plugins, g_strdup (basename), g_strdup (path));
  instantiate_drivers (self, path, registry, description);
}

/* Reads hcs-plugin-NAME.plugin beside @path:
 *
 *   [Plugin]
 *   Isolation=process;     the isolation modes of its drivers
 *   Network=true           it has network drivers
 *
 * Returns FALSE with @error for a description that cannot be used, TRUE
 * with *@out NULL where there is none. */
static gboolean
read_plugin_description (const char *path, PluginDescription **out, GError **error)
{
  g_autofree char *stem = g_strndup (path, strlen (path) - strlen (".so"));
  g_autofree char *description_path = g_strconcat (stem, ".plugin", NULL);
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) local_error = NULL;
  PluginDescription *description;

  *out = NULL;
  if (!g_key_file_load_from_file (file, description_path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN, "%s: %s", description_path,
                   local_error->message);
      return FALSE;
    }
  description = g_new0 (PluginDescription, 1);
  description->path = g_strdup (path);
  description->isolations = g_key_file_get_string_list (file, "Plugin", "Isolation", NULL, NULL);
  description->network = g_key_file_get_boolean (file, "Plugin", "Network", NULL);
  if ((description->isolations == NULL || description->isolations[0] == NULL) &&
      !description->network)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN,
                   "%s: [Plugin] names no Isolation and no Network", description_path);
      plugin_description_free (description);
      return FALSE;
    }
  *out = description;
  return TRUE;
}

static void
load_described_plugins_locked (HcsHost *self, const char *isolation, gboolean network)
{
  for (guint i = 0; i < self->pending_plugins->len;)
    {
      PluginDescription *description = self->pending_plugins->pdata[i];

      if (!description_offers (description, network, isolation))
        {
          i++;
          continue;
        }
      description = g_ptr_array_steal_index (self->pending_plugins, i);
      load_plugin (self, description->path, description);
      plugin_description_free (description);
    }
}

/* Loads the described plugins that provide @isolation (any isolation, for
 * NULL) or, with @network, network drivers. The network drivers are handed
 * out as one array that must not grow once seen, so a plugin with drivers
 * of both kinds comes with every other network plugin. */
static void
load_described_plugins (HcsHost *self, const char *isolation, gboolean network)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  gboolean with_network = network;

  for (guint i = 0; !with_network && i < self->pending_plugins->len; i++)
    {
      PluginDescription *description = self->pending_plugins->pdata[i];
      with_network = description->network && description_offers (description, FALSE, isolation);
    }
  if (with_network)
    load_described_plugins_locked (self, NULL, TRUE);
  if (!network)
    load_described_plugins_locked (self, isolation, FALSE);
}

/* The isolation drivers loaded so far, a reference each: another thread's
 * load may grow the host's array meanwhile. */
static GPtrArray *
isolation_drivers_snapshot (HcsHost *self)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  return g_ptr_array_copy (self->isolation_drivers, (GCopyFunc) (void (*) (void)) g_object_ref,
                           NULL);
}

static void
load_all_described_plugins (HcsHost *self)
{
  load_described_plugins (self, NULL, FALSE);
  load_described_plugins (self, NULL, TRUE);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

static void
load_plugin_dir (HcsHost *self, const char *dir_path)
{
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  dir = g_dir_open (dir_path, 0, NULL);
  if (dir == NULL)
    return; /* a directory that does not exist simply adds nothing */

  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "hcs-plugin-") && g_str_has_suffix (name, ".so"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir_path, names->pdata[i], NULL);
      g_autoptr (GError) local_error = NULL;
      PluginDescription *description = NULL;

      if (g_hash_table_contains (self->loaded_plugins, names->pdata[i]))
        continue; /* an earlier directory already provided it */
      g_hash_table_add (self->plugin_names,
                        g_strndup ((const char *) names->pdata[i] + strlen ("hcs-plugin-"),
                                   strlen (names->pdata[i]) - strlen ("hcs-plugin-") -
                                       strlen (".so")));
      if (!read_plugin_description (path, &description, &local_error))
        add_plugin_error (self, path, local_error->message);
      else if (description == NULL)
        load_plugin (self, path, NULL);
      else
        {
          g_hash_table_insert (self->loaded_plugins, g_strdup (names->pdata[i]),
                               g_strdup (path));
          g_ptr_array_add (self->pending_plugins, description);
        }
    }
}

static void
load_plugins (HcsHost *self)
{
  g_auto (GStrv) configured = NULL;
  const char *env_path = g_getenv ("HCS_PLUGIN_PATH");

  configured = g_key_file_get_string_list (self->options, "host", "plugin-dirs", NULL, NULL);
  for (guint i = 0; configured && configured[i]; i++)
    if (*g_strstrip (configured[i]) != '\0')
      load_plugin_dir (self, configured[i]);

  if (env_path != NULL && *env_path != '\0')
    {
      g_auto (GStrv) dirs = g_strsplit (env_path, G_SEARCHPATH_SEPARATOR_S, -1);
      for (guint i = 0; dirs[i]; i++)
        if (*dirs[i] != '\0')
          load_plugin_dir (self, dirs[i]);
    }

  if (!hcs_options_get_boolean (self->options, NULL, "host", "no-installed-plugins", FALSE))
    load_plugin_dir (self, HCS_PLUGIN_DIR);
}

/* [host] is checked before it is used to find the plugins; the other
 * groups once the plugins that declare them are known. */
static gboolean
validate_host_options (GKeyFile *options, GError **error)
{
  g_autofree char *isolation =
      hcs_options_get_string (options, NULL, "host", "isolation", HCS_DEFAULT_ISOLATION);

  if (!hcs_options_check_group (options, "runtime options", hcs_options_core_specs (), "host",
                                error))
    return FALSE;
  if (*isolation == '\0')
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "runtime options: [host] isolation: must not be empty");
      return FALSE;
    }
  return TRUE;
}

HcsHost *
hcs_host_new (GKeyFile *options, GError **error)
{
  g_autoptr (HcsHost) self = NULL;

  if (options != NULL && !validate_host_options (options, error))
    return NULL;

  self = g_object_new (HCS_TYPE_HOST, NULL);
  self->options = options ? g_key_file_ref (options) : g_key_file_new ();
  self->state = hcs_state_new_from_options (self->options, error);
  if (self->state == NULL)
    return NULL;
  load_plugins (self);
  /* A group of a plugin described but not loaded yet is checked when it
   * is; one that no plugin found claims is a mistake now. */
  if (self->options_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->options_error));
      return NULL;
    }
  if (!hcs_options_check (self->options, "runtime options", self->option_specs,
                          self->plugin_names, error))
    return NULL;
  return g_steal_pointer (&self);
}

char *
hcs_host_describe_refused_plugins (HcsHost *self)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; i < self->plugin_errors->len; i++)
    g_string_append_printf (text, "; %s", (const char *) self->plugin_errors->pdata[i]);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

GPtrArray *
hcs_host_list_options (HcsHost *self)
{
  g_autoptr (GMutexLocker) locker = NULL;

  g_return_val_if_fail (HCS_IS_HOST (self), NULL);
  load_all_described_plugins (self);
  locker = g_mutex_locker_new (&self->lock);
  return g_ptr_array_copy (self->option_specs, NULL, NULL);
}

HcsHost *
hcs_host_new_from_file (const char *path, GError **error)
{
  g_autoptr (GKeyFile) options = g_key_file_new ();
  g_autoptr (GError) local_error = NULL;

  if (!g_key_file_load_from_file (options, path, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "runtime options %s: %s", path,
                   local_error->message);
      return NULL;
    }
  return hcs_host_new (options, error);
}

GKeyFile *
hcs_host_get_options (HcsHost *self)
{
  g_return_val_if_fail (HCS_IS_HOST (self), NULL);
  return self->options;
}

HcsState *
hcs_host_get_state (HcsHost *self)
{
  g_return_val_if_fail (HCS_IS_HOST (self), NULL);
  return self->state;
}

const char *const *
hcs_host_get_plugin_errors (HcsHost *self)
{
  static const char *const none[] = { NULL };

  g_return_val_if_fail (HCS_IS_HOST (self), NULL);
  /* What a plugin's load says is known only once it was tried. */
  load_all_described_plugins (self);
  /* An empty GPtrArray may have no storage at all yet. */
  if (self->plugin_errors->pdata == NULL)
    return none;
  return (const char *const *) self->plugin_errors->pdata;
}

GStrv
hcs_host_list_isolations (HcsHost *self)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GPtrArray) drivers = NULL;
  GStrv isolations;

  g_return_val_if_fail (HCS_IS_HOST (self), NULL);
  load_described_plugins (self, NULL, FALSE);
  drivers = isolation_drivers_snapshot (self);
  for (guint i = 0; i < drivers->len; i++)
    g_strv_builder_add (builder, hcs_isolation_driver_get_isolation (drivers->pdata[i]));
  isolations = g_strv_builder_end (builder);
  qsort (isolations, g_strv_length (isolations), sizeof (char *), compare_strings);
  return isolations;
}

HcsIsolationDriver *
hcs_host_get_isolation_driver (HcsHost *self, const char *isolation, GError **error)
{
  g_auto (GStrv) loaded = NULL;
  g_autofree char *loaded_text = NULL;
  g_autofree char *refused = NULL;
  g_autoptr (GPtrArray) drivers = NULL;

  g_return_val_if_fail (HCS_IS_HOST (self), NULL);
  load_described_plugins (self, isolation, FALSE);
  drivers = isolation_drivers_snapshot (self);
  /* The host keeps every driver it made: the pointer outlives the copy. */
  for (guint i = 0; i < drivers->len; i++)
    if (g_strcmp0 (hcs_isolation_driver_get_isolation (drivers->pdata[i]), isolation) == 0)
      return drivers->pdata[i];

  /* A wrong value in a plugin's group is what the user must fix first. */
  {
    g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
    if (self->options_error != NULL)
      {
        g_propagate_error (error, g_error_copy (self->options_error));
        return NULL;
      }
  }
  loaded = hcs_host_list_isolations (self);
  loaded_text = loaded[0] ? g_strjoinv (", ", loaded) : g_strdup ("none");
  refused = hcs_host_describe_refused_plugins (self);
  g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
               "isolation '%s' is not provided by any loaded plugin (loaded: %s)%s",
               isolation, loaded_text, refused);
  return NULL;
}

GPtrArray *
hcs_host_get_network_drivers (HcsHost *self)
{
  g_return_val_if_fail (HCS_IS_HOST (self), NULL);
  /* Every network plugin is loaded now: the array stays as it is. */
  load_described_plugins (self, NULL, TRUE);
  return self->network_drivers;
}

/* The isolation a create asks for: the system's options, then Hyper-V
 * for HvPartition, then the host's default. */
static char *
isolation_for (HcsHost *self, const HcsContainerConfig *config, GKeyFile *system_options)
{
  char *isolation = NULL;

  if (system_options != NULL)
    isolation = g_key_file_get_string (system_options, "host", "isolation", NULL);
  if (isolation == NULL && config->hv_partition)
    isolation = g_strdup ("hyperv");
  if (isolation == NULL)
    isolation = hcs_options_get_string (self->options, NULL, "host", "isolation",
                                        HCS_DEFAULT_ISOLATION);
  return isolation;
}

static HcsContainer *create_with_driver (HcsHost *self, HcsIsolationDriver *driver,
                                         const char *id, const HcsContainerConfig *config,
                                         GKeyFile *system_options, GError **error);

HcsContainer *
hcs_host_create_container (HcsHost *self, const char *id, const HcsContainerConfig *config,
                           GKeyFile *system_options, GError **error)
{
  g_autofree char *isolation = NULL;
  g_autofree char *generated_id = NULL;
  g_autoptr (HcsContainerConfig) shared = NULL;
  HcsIsolationDriver *driver;

  g_return_val_if_fail (HCS_IS_HOST (self), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  isolation = isolation_for (self, config, system_options);

  if (id == NULL)
    id = generated_id = config->name ? hcs_name_to_guid (config->name) : g_uuid_string_random ();
  if (!hcs_state_validate_id (id, error))
    return NULL;

  driver = hcs_host_get_isolation_driver (self, isolation, error);
  if (driver == NULL)
    return NULL;
  if (system_options != NULL)
    {
      g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
      if (!hcs_options_check (system_options, "per-system options", self->option_specs,
                              self->plugin_names, error))
        return NULL;
    }
  /* NetworkSharedContainerName: the network namespace of that system. */
  if (config->network_shared_container_name != NULL)
    {
      g_autofree char *by_name = hcs_name_to_guid (config->network_shared_container_name);
      g_autoptr (HcsContainer) other = hcs_host_open_container (self, by_name, NULL);
      g_autoptr (HcsContainerProperties) props = NULL;

      if (other == NULL)
        other = hcs_host_open_container (self, config->network_shared_container_name, NULL);
      if (other == NULL || (props = hcs_container_query_properties (other, error)) == NULL ||
          props->stopped || props->init_process_id == 0)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                         "ContainerConfig.NetworkSharedContainerName: '%s' is not a running "
                         "compute system", config->network_shared_container_name);
          return NULL;
        }
      shared = hcs_container_config_copy (config);
      g_free (shared->network_namespace.path);
      shared->network_namespace.mode = HCS_NAMESPACE_MODE_JOIN;
      shared->network_namespace.path = g_strdup_printf ("/proc/%u/ns/net", props->init_process_id);
      config = shared;
    }
  /* With a monitor the system outlives this process: the monitor creates
   * it (endpoints included) through the same plugins, in its own. */
  if (hcs_options_get_boolean (self->options, system_options, "host", "monitor", FALSE))
    return hcs_remote_container_create (self->state, self->options, id, config, system_options,
                                        error);
  return create_with_driver (self, driver, id, config, system_options, error);
}

HcsContainer *
hcs_host_create_container_in_process (HcsHost *self, const char *id,
                                      const HcsContainerConfig *config, GKeyFile *system_options,
                                      GError **error)
{
  g_autofree char *isolation = NULL;
  HcsIsolationDriver *driver;

  g_return_val_if_fail (HCS_IS_HOST (self), NULL);
  g_return_val_if_fail (config != NULL && id != NULL, NULL);
  if (!hcs_state_validate_id (id, error))
    return NULL;
  isolation = isolation_for (self, config, system_options);
  driver = hcs_host_get_isolation_driver (self, isolation, error);
  if (driver == NULL)
    return NULL;
  return create_with_driver (self, driver, id, config, system_options, error);
}

static HcsContainer *
create_with_driver (HcsHost *self, HcsIsolationDriver *driver, const char *id,
                    const HcsContainerConfig *config, GKeyFile *system_options, GError **error)
{
  HcsContainer *container;

  container = hcs_isolation_driver_create_container (driver, id, config, system_options, error);
  if (container == NULL)
    return NULL;
  /* The endpoints go into the system's namespace before it starts; a
   * system whose network cannot be set up is not left behind. A driver
   * that takes them itself did so in its create. */
  if (!hcs_driver_get_takes_endpoints (driver) &&
      !hcs_host_attach_endpoints (self, container, (const char *const *) config->endpoint_list,
                                  error))
    {
      hcs_container_discard (container, NULL);
      g_object_unref (container);
      return NULL;
    }
  return container;
}

static HcsContainer *open_from_drivers (HcsHost *self, const char *id, GError **error);

HcsContainer *
hcs_host_open_container (HcsHost *self, const char *id, GError **error)
{
  g_return_val_if_fail (HCS_IS_HOST (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (!hcs_state_validate_id (id, error))
    return NULL;
  {
    /* A system held by a monitor answers there; one whose monitor was
     * killed is what its driver still sees of it. */
    g_autoptr (GError) remote_error = NULL;
    HcsContainer *remote = hcs_remote_container_open (self->state, id, &remote_error);

    if (remote != NULL)
      return remote;
    if (g_error_matches (remote_error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT))
      {
        g_autoptr (HcsContainer) lost = open_from_drivers (self, id, error);
        return lost ? hcs_remote_container_new_lost (id, lost) : NULL;
      }
  }
  return open_from_drivers (self, id, error);
}

/* Whether hcs-plugin-@name.so is loaded, loading it if it was described
 * and not loaded yet. */
static gboolean
load_named_plugin (HcsHost *self, const char *name)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autofree char *basename = g_strconcat ("hcs-plugin-", name, ".so", NULL);

  for (guint i = 0; i < self->pending_plugins->len; i++)
    {
      PluginDescription *description = self->pending_plugins->pdata[i];
      g_autofree char *pending = g_path_get_basename (description->path);

      if (!g_str_equal (pending, basename))
        continue;
      /* One with network drivers too brings the other network plugins,
       * as load_described_plugins() does. */
      if (description->network)
        return FALSE;
      description = g_ptr_array_steal_index (self->pending_plugins, i);
      load_plugin (self, description->path, description);
      plugin_description_free (description);
      return TRUE;
    }
  /* Not pending: loaded before (or refused then, which the full load
   * after an unanswered open says again). */
  return g_hash_table_contains (self->loaded_plugins, basename);
}

/* Asks the isolation drivers loaded so far; NULL with *@not_found set when
 * none knows @id. */
static HcsContainer *
open_from_loaded_drivers (HcsHost *self, const char *id, gboolean *not_found, GError **error)
{
  g_autoptr (GPtrArray) drivers = isolation_drivers_snapshot (self);

  *not_found = FALSE;
  for (guint i = 0; i < drivers->len; i++)
    {
      g_autoptr (GError) local_error = NULL;
      HcsContainer *container =
          hcs_isolation_driver_open_container (drivers->pdata[i], id, &local_error);
      if (container != NULL)
        return container;
      if (!hcs_error_is_not_exist (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  *not_found = TRUE;
  return NULL;
}

static HcsContainer *
open_from_drivers (HcsHost *self, const char *id, GError **error)
{
  g_autoptr (HcsStateFolder) folder = hcs_state_open (self->state, id, NULL);
  HcsContainer *container;
  gboolean not_found;

  /* A folder's owner is the plugin that claimed it (hcs-plugin-OWNER.so):
   * that one alone is loaded and asked first, so that `hcsctl start` does
   * not load every isolation plugin installed (xenon and lcow bring
   * libhcs-vm: two dlopens and their drivers' checks of QEMU and the guest
   * files). Whatever it does not know is asked of every plugin, as before. */
  if (folder != NULL && *hcs_state_folder_get_owner (folder) != '\0' &&
      load_named_plugin (self, hcs_state_folder_get_owner (folder)))
    {
      container = open_from_loaded_drivers (self, id, &not_found, error);
      if (!not_found)
        return container;
    }
  load_described_plugins (self, NULL, FALSE);
  container = open_from_loaded_drivers (self, id, &not_found, error);
  if (not_found)
    g_set_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,
                 "compute system '%s' does not exist", id);
  return container;
}

GPtrArray *
hcs_host_list_containers (HcsHost *self, const HcsComputeSystemQuery *query, GError **error)
{
  g_autoptr (GPtrArray) result =
      g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_container_properties_free);
  g_autoptr (GPtrArray) drivers = NULL;

  g_return_val_if_fail (HCS_IS_HOST (self), NULL);
  load_described_plugins (self, NULL, FALSE);
  drivers = isolation_drivers_snapshot (self);
  for (guint i = 0; i < drivers->len; i++)
    {
      g_autoptr (GPtrArray) listed =
          hcs_isolation_driver_list_containers (drivers->pdata[i], error);
      if (listed == NULL)
        return NULL;
      for (guint j = 0; j < listed->len; j++)
        if (hcs_compute_system_query_matches (query, listed->pdata[j]))
          g_ptr_array_add (result, hcs_container_properties_copy (listed->pdata[j]));
    }
  return g_steal_pointer (&result);
}

const char *
hcs_get_version (void)
{
  return HCS_VERSION;
}
