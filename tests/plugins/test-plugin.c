/* test-plugin.c: plugins the loader must refuse, and one it must accept.
 *
 * The accepted one provides an isolation named "test-refusing" whose
 * driver refuses every create with a message of its own, so a test can tell
 * that the host routed a request to it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gmodule.h>

#include "hcs.h"

#define TEST_TYPE_DRIVER (test_driver_get_type ())
G_DECLARE_FINAL_TYPE (TestDriver, test_driver, TEST, DRIVER, GObject)

struct _TestDriver
{
  GObject parent_instance;
  GKeyFile *options;
};

static void test_driver_iface_init (HcsIsolationDriverInterface *iface);
static void test_driver_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestDriver, test_driver, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HCS_TYPE_ISOLATION_DRIVER,
                                                      test_driver_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      test_driver_initable_iface_init))

static void
test_driver_set_property (GObject *object, guint prop_id, const GValue *value,
                          GParamSpec *pspec)
{
  TEST_DRIVER (object)->options = g_value_dup_boxed (value);
}

static void
test_driver_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  g_value_set_boxed (value, TEST_DRIVER (object)->options);
}

static void
test_driver_finalize (GObject *object)
{
  g_clear_pointer (&TEST_DRIVER (object)->options, g_key_file_unref);
  G_OBJECT_CLASS (test_driver_parent_class)->finalize (object);
}

static void
test_driver_class_init (TestDriverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = test_driver_set_property;
  object_class->get_property = test_driver_get_property;
  object_class->finalize = test_driver_finalize;
  g_object_class_override_property (object_class, 1, "options");
}

static void
test_driver_init (TestDriver *self)
{
}

static gboolean
test_driver_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  return TRUE;
}

static void
test_driver_initable_iface_init (GInitableIface *iface)
{
  iface->init = test_driver_initable_init;
}

static const char *
test_driver_get_isolation (HcsIsolationDriver *driver)
{
  return "test-refusing";
}

static HcsContainer *
test_driver_create_container (HcsIsolationDriver *driver, const char *id,
                              const HcsContainerConfig *config, GKeyFile *system_options,
                              GError **error)
{
  g_set_error (error, HCS_ERROR, HCS_ERROR_ACCESS_DENIED,
               "test-refusing: refused to create '%s'", id);
  return NULL;
}

static HcsContainer *
test_driver_open_container (HcsIsolationDriver *driver, const char *id, GError **error)
{
  g_set_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,
               "test-refusing: no '%s'", id);
  return NULL;
}

static GPtrArray *
test_driver_list_containers (HcsIsolationDriver *driver, GError **error)
{
  return g_ptr_array_new ();
}

static void
test_driver_iface_init (HcsIsolationDriverInterface *iface)
{
  iface->get_isolation = test_driver_get_isolation;
  iface->create_container = test_driver_create_container;
  iface->open_container = test_driver_open_container;
  iface->list_containers = test_driver_list_containers;
}

#ifndef TEST_VARIANT_NO_ENTRY
G_MODULE_EXPORT gboolean hcs_plugin_init (HcsRegistry *registry, guint abi_version,
                                          GError **error);

gboolean
hcs_plugin_init (HcsRegistry *registry, guint abi_version, GError **error)
{
#if defined(TEST_VARIANT_WRONG_ABI)
  g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN, "test: built for plugin ABI %u, the host has %u",
               abi_version + 1, abi_version);
  return FALSE;
#elif defined(TEST_VARIANT_NO_DRIVER)
  return TRUE;
#elif defined(TEST_VARIANT_BAD_TYPE)
  /* GObject is no driver: the registry must refuse it. */
  return hcs_registry_add_isolation_driver (registry, G_TYPE_OBJECT, error);
#else
  if (abi_version != HCS_PLUGIN_ABI_VERSION)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN, "wrong ABI %u", abi_version);
      return FALSE;
    }
  return hcs_registry_add_isolation_driver (registry, TEST_TYPE_DRIVER, error);
#endif
}
#endif
