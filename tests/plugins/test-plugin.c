/* test-plugin.c: plugins the loader must refuse, and one it must accept.
 *
 * The accepted one provides an isolation named "test-refusing" whose
 * driver refuses every create with a message of its own, so a test can tell
 * that the host routed a request to it. The variants built into
 * incomplete/ each leave one required vfunc of the driver NULL
 * (TEST_MISSING=name), or hand out a container without get_init_process
 * (TEST_VARIANT_INCOMPLETE_CONTAINER).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gmodule.h>

#include "hcs-plugin.h"

#define TEST_TYPE_DRIVER (test_driver_get_type ())
G_DECLARE_FINAL_TYPE (TestDriver, test_driver, TEST, DRIVER, GObject)

struct _TestDriver
{
  GObject parent_instance;
};

static void test_driver_iface_init (HcsIsolationDriverInterface *iface);
static void test_driver_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestDriver, test_driver, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HCS_TYPE_ISOLATION_DRIVER,
                                                      test_driver_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      test_driver_initable_iface_init))

/* No "options" property: core gives every driver its options. */
static void
test_driver_class_init (TestDriverClass *klass)
{
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

#ifdef TEST_VARIANT_INCOMPLETE_CONTAINER
/* A container that implements everything but get_init_process: the host
 * must refuse it when the driver hands it out, not crash on first use. */
#define TEST_TYPE_CONTAINER (test_container_get_type ())
G_DECLARE_FINAL_TYPE (TestContainer, test_container, TEST, CONTAINER, GObject)

struct _TestContainer
{
  GObject parent_instance;
};

static void test_container_iface_init (HcsContainerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestContainer, test_container, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HCS_TYPE_CONTAINER,
                                                      test_container_iface_init))

static void test_container_class_init (TestContainerClass *klass) {}
static void test_container_init (TestContainer *self) {}

static const char *
test_container_get_id (HcsContainer *self)
{
  return "incomplete";
}

static gboolean
test_container_refuse (HcsContainer *self, GError **error)
{
  g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "test container: refused");
  return FALSE;
}

static gboolean
test_container_wait_timeout (HcsContainer *self, gint64 timeout_ms, GCancellable *cancellable,
                             GError **error)
{
  return test_container_refuse (self, error);
}

static void
test_container_wait_async (HcsContainer *self, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_task_report_new_error (self, callback, user_data, test_container_wait_async, HCS_ERROR,
                           HCS_ERROR_FAILED, "test container: refused");
}

static gboolean
test_container_wait_finish (HcsContainer *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static HcsProcess *
test_container_create_process (HcsContainer *self, const HcsProcessConfig *config,
                               GError **error)
{
  return test_container_refuse (self, error), NULL;
}

static HcsProcess *
test_container_open_process (HcsContainer *self, int pid, GError **error)
{
  return test_container_refuse (self, error), NULL;
}

static HcsContainerProperties *
test_container_get_properties (HcsContainer *self, GError **error)
{
  return test_container_refuse (self, error), NULL;
}

static void
test_container_iface_init (HcsContainerInterface *iface)
{
  iface->get_id = test_container_get_id;
  iface->start = test_container_refuse;
  iface->shutdown = test_container_refuse;
  iface->terminate = test_container_refuse;
  iface->wait_timeout = test_container_wait_timeout;
  iface->wait_async = test_container_wait_async;
  iface->wait_finish = test_container_wait_finish;
  iface->create_process = test_container_create_process;
  iface->open_process = test_container_open_process;
  iface->get_properties = test_container_get_properties;
  iface->close = test_container_refuse;
  iface->remove = test_container_refuse;
}
#endif

static HcsContainer *
test_driver_create_container (HcsIsolationDriver *driver, const char *id,
                              const HcsContainerConfig *config, GKeyFile *system_options,
                              GError **error)
{
#ifdef TEST_VARIANT_INCOMPLETE_CONTAINER
  return g_object_new (TEST_TYPE_CONTAINER, NULL);
#else
  g_set_error (error, HCS_ERROR, HCS_ERROR_ACCESS_DENIED,
               "test-refusing: refused to create '%s'", id);
  return NULL;
#endif
}

static HcsContainer *
test_driver_open_container (HcsIsolationDriver *driver, const char *id, GError **error)
{
  /* An id it refuses rather than not knows: the host asked this one. */
  if (g_str_has_prefix (id, "refused-"))
    g_set_error (error, HCS_ERROR, HCS_ERROR_ACCESS_DENIED, "test-refusing: refused '%s'", id);
  else
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
#ifdef TEST_MISSING
  /* The one required vfunc this variant leaves out. */
  iface->TEST_MISSING = NULL;
#endif
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
