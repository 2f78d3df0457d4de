/* argon-driver.c: the "process" isolation driver.
 *
 * Options ([argon] group, per-system options override the host's):
 *   helper=PATH            the namespace helper (default: $HCS_RUNTIME_HELPER,
 *                          or the older $HCS_ARGON_HELPER, else
 *                          LIBEXECDIR/hcs-runtime-helper)
 *   cgroup-parent=hcs      containers live in PARENT/ID of each hierarchy
 *   cgroup-version=auto    auto | 1 | 2
 *   cgroup-root=           a cgroup mount to use instead of the one found
 *   shutdown-timeout-ms=10000
 *   die-with-creator=false the helpers die with the creating process; a
 *                          monitor sets [host] die-with-creator, which wins
 *
 * The state directory comes from the host (hcs_driver_get_state()): each
 * system has a folder claimed through hcs-state (argon-state.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "argon-private.h"
#include "hcs-plugin.h"

#include <unistd.h>

struct _ArgonDriver
{
  GObject parent_instance;

  GKeyFile *options;
  HcsState *state;        /* the host's (hcs_driver_get_state), from init on */
  GMutex lock;
  GHashTable *containers; /* id -> ArgonContainer (weak: the caller owns it) */
};

static void argon_driver_isolation_iface_init (HcsIsolationDriverInterface *iface);
static void argon_driver_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (
    ArgonDriver, argon_driver, G_TYPE_OBJECT,
    G_IMPLEMENT_INTERFACE (HCS_TYPE_ISOLATION_DRIVER, argon_driver_isolation_iface_init)
    G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, argon_driver_initable_iface_init))

void
argon_settings_clear (ArgonSettings *settings)
{
  g_clear_pointer (&settings->helper_path, g_free);
  g_clear_pointer (&settings->cgroup_parent, g_free);
  g_clear_pointer (&settings->cgroup_name, g_free);
  g_clear_pointer (&settings->cgroup_root, g_free);
  g_clear_pointer (&settings->layer_dir, g_free);
}

void
argon_driver_get_settings (ArgonDriver *self, GKeyFile *system_options,
                           ArgonSettings *settings)
{
  const char *env_helper = g_getenv ("HCS_RUNTIME_HELPER") ? g_getenv ("HCS_RUNTIME_HELPER")
                                                             : g_getenv ("HCS_ARGON_HELPER");
  g_autofree char *default_helper =
      env_helper ? g_strdup (env_helper)
                 : g_build_filename (HCS_LIBEXECDIR, "hcs-runtime-helper", NULL);
  g_autofree char *version = NULL, *timeout = NULL;

  settings->helper_path =
      hcs_options_get_string (self->options, system_options, "argon", "helper", default_helper);
  settings->cgroup_parent =
      hcs_options_get_string (self->options, system_options, "argon", "cgroup-parent", "hcs");
  settings->cgroup_root =
      hcs_options_get_string (self->options, system_options, "argon", "cgroup-root", NULL);
  if (settings->cgroup_root != NULL && *settings->cgroup_root == '\0')
    g_clear_pointer (&settings->cgroup_root, g_free);
  version = hcs_options_get_string (self->options, system_options, "argon", "cgroup-version",
                                    "auto");
  settings->cgroup_version = g_str_equal (version, "1")   ? HCS_RUNTIME_CGROUP_VERSION_1
                             : g_str_equal (version, "2") ? HCS_RUNTIME_CGROUP_VERSION_2
                                                          : HCS_RUNTIME_CGROUP_VERSION_AUTO;
  settings->layer_dir = g_strdup (hcs_state_get_layer_dir (self->state));
  settings->die_with_creator = hcs_options_get_boolean (
      self->options, system_options, "host", "die-with-creator",
      hcs_options_get_boolean (self->options, system_options, "argon", "die-with-creator",
                               FALSE));
  timeout = hcs_options_get_string (self->options, system_options, "argon",
                                    "shutdown-timeout-ms", "10000");
  settings->shutdown_timeout_ms = g_ascii_strtoll (timeout, NULL, 10);
  if (settings->shutdown_timeout_ms <= 0)
    settings->shutdown_timeout_ms = 10000;
}

HcsState *
argon_driver_get_state (ArgonDriver *self)
{
  return self->state;
}

void
argon_driver_forget_container (ArgonDriver *self, const char *id)
{
  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->containers, id);
  g_mutex_unlock (&self->lock);
}

/* --- GObject ------------------------------------------------------------------- */

static void
argon_driver_finalize (GObject *object)
{
  ArgonDriver *self = ARGON_DRIVER (object);

  g_clear_pointer (&self->options, g_key_file_unref);
  g_clear_object (&self->state);
  g_hash_table_unref (self->containers);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (argon_driver_parent_class)->finalize (object);
}

static void
argon_driver_class_init (ArgonDriverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = argon_driver_finalize;
}

static void
argon_driver_init (ArgonDriver *self)
{
  g_mutex_init (&self->lock);
  self->containers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* Refuse a host that cannot run containers, so the host reports it once. */
static gboolean
argon_driver_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  ArgonDriver *self = ARGON_DRIVER (initable);
  g_auto (ArgonSettings) settings = { 0 };

  /* Core's: the host's runtime options, checked against argon's keys. */
  self->options = g_key_file_ref (hcs_driver_get_options (self));
  self->state = hcs_driver_get_state (self, error);
  if (self->state == NULL)
    return FALSE;
  g_object_ref (self->state);
  if (geteuid () != 0)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ACCESS_DENIED,
                   "argon: process isolation needs root (running as uid %u)",
                   (guint) geteuid ());
      return FALSE;
    }
  argon_driver_get_settings (self, NULL, &settings);
  if (!g_file_test (settings.helper_path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "argon: the helper %s is missing or not executable", settings.helper_path);
      return FALSE;
    }
  return TRUE;
}

static void
argon_driver_initable_iface_init (GInitableIface *iface)
{
  iface->init = argon_driver_initable_init;
}

/* --- HcsIsolationDriver -------------------------------------------------------- */

static const char *
argon_driver_get_isolation (HcsIsolationDriver *driver)
{
  return "process";
}

static void
container_finalized_cb (gpointer data, GObject *where_the_object_was)
{
  ArgonDriver *self = data;
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->containers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value == (gpointer) where_the_object_was)
      g_hash_table_iter_remove (&iter);
  g_mutex_unlock (&self->lock);
}

static HcsContainer *
argon_driver_create_container (HcsIsolationDriver *driver, const char *id,
                               const HcsContainerConfig *config, GKeyFile *system_options,
                               GError **error)
{
  ArgonDriver *self = ARGON_DRIVER (driver);
  ArgonContainer *container;

  g_mutex_lock (&self->lock);
  if (g_hash_table_contains (self->containers, id))
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS,
                   "argon: a compute system with id '%s' already exists", id);
      return NULL;
    }
  /* Reserve the id while the container is being built. */
  g_hash_table_insert (self->containers, g_strdup (id), NULL);
  g_mutex_unlock (&self->lock);

  container = argon_container_create (self, id, config, system_options, error);

  g_mutex_lock (&self->lock);
  if (container == NULL)
    g_hash_table_remove (self->containers, id);
  else
    {
      g_hash_table_insert (self->containers, g_strdup (id), container);
      g_object_weak_ref (G_OBJECT (container), container_finalized_cb, self);
    }
  g_mutex_unlock (&self->lock);
  return container ? HCS_CONTAINER (container) : NULL;
}

static HcsContainer *
argon_driver_open_container (HcsIsolationDriver *driver, const char *id, GError **error)
{
  ArgonDriver *self = ARGON_DRIVER (driver);
  ArgonContainer *container;

  g_mutex_lock (&self->lock);
  container = g_hash_table_lookup (self->containers, id);
  if (container != NULL)
    g_object_ref (container);
  g_mutex_unlock (&self->lock);
  if (container != NULL)
    return HCS_CONTAINER (container);
  /* Created by another process (or by this one, and let go): its state
   * folder tells what it is. */
  container = argon_container_load (self, id, error);
  return container ? HCS_CONTAINER (container) : NULL;
}

static GPtrArray *
argon_driver_list_containers (HcsIsolationDriver *driver, GError **error)
{
  ArgonDriver *self = ARGON_DRIVER (driver);
  g_autoptr (GPtrArray) result =
      g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_container_properties_free);
  g_autoptr (GPtrArray) containers = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->containers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value != NULL)
      g_ptr_array_add (containers, g_object_ref (value));
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < containers->len; i++)
    {
      HcsContainerProperties *props =
          hcs_container_query_properties (containers->pdata[i], NULL);
      if (props != NULL) /* a closed handle is no longer listed */
        g_ptr_array_add (result, props);
    }

  /* And those of other processes, from the state folders. */
  {
    g_autoptr (GPtrArray) ids = hcs_state_list (self->state, error);

    if (ids == NULL)
      return NULL;
    for (guint i = 0; i < ids->len; i++)
      {
        g_autoptr (ArgonContainer) loaded = NULL;
        g_autoptr (GError) load_error = NULL;
        HcsContainerProperties *props;
        gboolean seen = FALSE;

        for (guint j = 0; j < result->len && !seen; j++)
          seen = g_strcmp0 (((HcsContainerProperties *) result->pdata[j])->id,
                            ids->pdata[i]) == 0;
        if (seen)
          continue;
        loaded = argon_container_load (self, ids->pdata[i], &load_error);
        if (loaded == NULL)
          {
            /* A corrupt state is reported, and the others still listed. */
            if (!hcs_error_is_not_exist (load_error))
              g_message ("%s", load_error->message);
            continue;
          }
        props = hcs_container_query_properties (HCS_CONTAINER (loaded), NULL);
        if (props != NULL)
          g_ptr_array_add (result, props);
      }
  }
  return g_steal_pointer (&result);
}

static void
argon_driver_isolation_iface_init (HcsIsolationDriverInterface *iface)
{
  iface->get_isolation = argon_driver_get_isolation;
  iface->create_container = argon_driver_create_container;
  iface->open_container = argon_driver_open_container;
  iface->list_containers = argon_driver_list_containers;
}
