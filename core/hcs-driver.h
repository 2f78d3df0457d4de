/* hcs-driver.h: the driver interfaces a plugin implements. What is
 * required of a plugin, the registry and the ABI version are in
 * hcs-plugin.h; a host application meets drivers only through HcsHost.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hcs-container.h"
#include "hcs-documents.h"
#include "hcs-network.h"

G_BEGIN_DECLS

/* --- isolation drivers ------------------------------------------------- */

#define HCS_TYPE_ISOLATION_DRIVER (hcs_isolation_driver_get_type ())
G_DECLARE_INTERFACE (HcsIsolationDriver, hcs_isolation_driver, HCS, ISOLATION_DRIVER, GObject)

struct _HcsIsolationDriverInterface
{
  GTypeInterface parent_iface;

  /* Every vfunc is required (hcs-plugin.h). */

  /* "process", "hyperv", "lcow" */
  const char *(*get_isolation) (HcsIsolationDriver *self);
  /* @system_options may be NULL; per-system options override the host's. */
  HcsContainer *(*create_container) (HcsIsolationDriver *self, const char *id,
                                     const HcsContainerConfig *config,
                                     GKeyFile *system_options, GError **error);
  /* HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST when this driver has no such id. */
  HcsContainer *(*open_container) (HcsIsolationDriver *self, const char *id,
                                   GError **error);
  /* (element-type HcsContainerProperties) */
  GPtrArray *(*list_containers) (HcsIsolationDriver *self, GError **error);
};

/**
 * hcs_isolation_driver_get_isolation:
 * @self: the object
 *
 * Returns: the result
 */
const char *hcs_isolation_driver_get_isolation (HcsIsolationDriver *self);
/**
 * hcs_isolation_driver_create_container:
 * @self: the object
 * @id: id
 * @config: config
 * @system_options: (nullable): per-system options
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the new compute system, or %NULL on error
 */
HcsContainer *hcs_isolation_driver_create_container (HcsIsolationDriver *self,
                                                     const char *id,
                                                     const HcsContainerConfig *config,
                                                     GKeyFile *system_options,
                                                     GError **error);
/**
 * hcs_isolation_driver_open_container:
 * @self: the object
 * @id: id
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the compute system, or %NULL on error
 */
HcsContainer *hcs_isolation_driver_open_container (HcsIsolationDriver *self,
                                                   const char *id, GError **error);
/**
 * hcs_isolation_driver_list_containers:
 * @self: the object
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type HcsContainerProperties): the
 *   driver's systems, or %NULL on error
 */
GPtrArray *hcs_isolation_driver_list_containers (HcsIsolationDriver *self,
                                                 GError **error);

/* --- network drivers (filled by the networking issue) ------------------- */

#define HCS_TYPE_NETWORK_DRIVER (hcs_network_driver_get_type ())
G_DECLARE_INTERFACE (HcsNetworkDriver, hcs_network_driver, HCS, NETWORK_DRIVER, GObject)

struct _HcsNetworkDriverInterface
{
  GTypeInterface parent_iface;

  /* Every vfunc is required (hcs-plugin.h). */

  /* NULL-terminated: "NAT", "Internal", ... (matched case-insensitively) */
  const char *const *(*get_network_types) (HcsNetworkDriver *self);
  HcsNetwork *(*create_network) (HcsNetworkDriver *self, const char *id,
                                 const HcsNetworkConfig *config, GError **error);
  /* HCS_ERROR_ELEMENT_NOT_FOUND when this driver has no such network. */
  HcsNetwork *(*open_network) (HcsNetworkDriver *self, const char *id, GError **error);
  /* (element-type HcsNetwork) */
  GPtrArray *(*list_networks) (HcsNetworkDriver *self, GError **error);
};

/**
 * hcs_network_driver_get_network_types:
 * @self: the object
 *
 * Returns: (transfer none) (array zero-terminated=1): the network types ("NAT", "Internal", ...)
 */
const char *const *hcs_network_driver_get_network_types (HcsNetworkDriver *self);
/**
 * hcs_network_driver_create_network:
 * @self: the object
 * @id: id
 * @config: config
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the network, or %NULL on error
 */
HcsNetwork *hcs_network_driver_create_network (HcsNetworkDriver *self, const char *id,
                                               const HcsNetworkConfig *config, GError **error);
/**
 * hcs_network_driver_open_network:
 * @self: the object
 * @id: id
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the network, or %NULL on error
 */
HcsNetwork *hcs_network_driver_open_network (HcsNetworkDriver *self, const char *id,
                                             GError **error);
/**
 * hcs_network_driver_list_networks:
 * @self: the object
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type HcsNetwork): the driver's networks, or %NULL on error
 */
GPtrArray *hcs_network_driver_list_networks (HcsNetworkDriver *self, GError **error);

/**
 * hcs_options_get_string:
 * @host_options: (nullable): the host's options
 * @system_options: (nullable): per-system options
 * @group: group
 * @key: key
 * @default_value: (nullable): the value when neither has the key
 *
 * Helpers for drivers: read an option, the system's first, then the
 * host's, then @default_value.
 *
 * Returns: (transfer full) (nullable): the value
 */
char *hcs_options_get_string (GKeyFile *host_options, GKeyFile *system_options,
                              const char *group, const char *key,
                              const char *default_value);
/**
 * hcs_options_get_boolean:
 * @host_options: (nullable): the host's options
 * @system_options: (nullable): per-system options
 * @group: group
 * @key: key
 * @default_value: default value
 *
 * Returns: the value
 */
gboolean hcs_options_get_boolean (GKeyFile *host_options, GKeyFile *system_options,
                                  const char *group, const char *key,
                                  gboolean default_value);

G_END_DECLS
