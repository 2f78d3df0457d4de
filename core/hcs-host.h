/* hcs-host.h: what a host application holds.
 *
 * Runtime options (GKeyFile), every one with a built-in default:
 *
 *   [host]
 *   state-dir=/run/hcs
 *   layer-dir=/var/lib/hcs/layers
 *   plugin-dirs=            ; searched before HCS_PLUGIN_PATH and the installed dir
 *   isolation=process       ; process | hyperv | lcow
 *
 * plus one group per plugin ([argon], [xenon], [lcow], [hns]), each key
 * declared (HcsOptionSpec) and checked; docs/options.md is generated from
 * the declarations.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hcs-container.h"
#include "hcs-documents.h"
#include "hcs-driver.h"
#include "hcs-state.h"

G_BEGIN_DECLS

#define HCS_DEFAULT_ISOLATION "process"

/**
 * HcsOptionType:
 * @HCS_OPTION_STRING: any text
 * @HCS_OPTION_PATH: an absolute path
 * @HCS_OPTION_PATH_LIST: absolute paths separated by ';' (may be empty)
 * @HCS_OPTION_BOOLEAN: true/false, yes/no or 1/0
 * @HCS_OPTION_INTEGER: a decimal integer from @minimum to @maximum
 * @HCS_OPTION_CHOICE: one of @choices
 */
typedef enum {
  HCS_OPTION_STRING,
  HCS_OPTION_PATH,
  HCS_OPTION_PATH_LIST,
  HCS_OPTION_BOOLEAN,
  HCS_OPTION_INTEGER,
  HCS_OPTION_CHOICE,
} HcsOptionType;

/**
 * HcsOptionSpec:
 * @group: the key file group, the plugin's NAME (`[argon]`)
 * @key: the key
 * @type: what a value must be
 * @minimum: the least value of an %HCS_OPTION_INTEGER
 * @maximum: the greatest value of an %HCS_OPTION_INTEGER
 * @choices: the values of an %HCS_OPTION_CHOICE, NULL-terminated
 * @default_value: the default as text, for the documentation
 * @description: one line that says what it does
 *
 * One runtime option key. Specs are static data of the plugin (it stays
 * loaded); the host checks the runtime options and per-system options
 * against them and generates docs/options.md from them.
 */
typedef struct {
  const char *group;
  const char *key;
  HcsOptionType type;
  gint64 minimum;
  gint64 maximum;
  const char *const *choices;
  const char *default_value;
  const char *description;
} HcsOptionSpec;

#define HCS_TYPE_HOST (hcs_host_get_type ())
G_DECLARE_FINAL_TYPE (HcsHost, hcs_host, HCS, HOST, GObject)

/**
 * hcs_host_new:
 * @options: (nullable): the runtime options; %NULL: all defaults
 * @error: return location for a #GError
 *
 * Loads the plugins. Plugins that fail to load are skipped; their messages
 * are in hcs_host_get_plugin_errors() and in the error of a request nothing
 * loaded can serve. Fails only when the options themselves are invalid
 * (%HCS_ERROR_INVALID_DATA naming group and key): `[host]` and unknown
 * groups here, a plugin's group when it is loaded (its first driver request
 * then fails with that error). docs/options.md lists every key.
 *
 * Returns: (transfer full): the host, or %NULL on error
 */
HcsHost *hcs_host_new (GKeyFile *options, GError **error);
/**
 * hcs_host_new_from_file:
 * @path: a runtime options key file
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the host, or %NULL on error
 */
HcsHost *hcs_host_new_from_file (const char *path, GError **error);
/**
 * hcs_host_get_options:
 * @self: the host
 *
 * Returns: (transfer none): the host's runtime options
 */
GKeyFile *hcs_host_get_options (HcsHost *self);
/**
 * hcs_host_get_state:
 * @self: the host
 *
 * The state and layer directories (`[host] state-dir`, `layer-dir`), read
 * once by the host; its drivers get the same one (hcs_driver_get_state()).
 *
 * Returns: (transfer none): the host's state
 */
HcsState *hcs_host_get_state (HcsHost *self);
/**
 * hcs_host_get_plugin_errors:
 * @self: the host
 *
 * Returns: (transfer none) (array zero-terminated=1): messages of plugins
 *   that were skipped
 */
const char *const *hcs_host_get_plugin_errors (HcsHost *self);
/**
 * hcs_host_list_isolations:
 * @self: the host
 *
 * Returns: (transfer full) (array zero-terminated=1): isolations that
 *   loaded drivers provide, sorted
 */
GStrv hcs_host_list_isolations (HcsHost *self);
/**
 * hcs_host_get_isolation_driver:
 * @self: the host
 * @isolation: "process", "hyperv", "lcow", ...
 * @error: return location for a #GError
 *
 * Returns: (transfer none): the driver, or %NULL with
 *   %HCS_ERROR_NOT_SUPPORTED and each plugin's reason
 */
HcsIsolationDriver *hcs_host_get_isolation_driver (HcsHost *self, const char *isolation,
                                                   GError **error);

/**
 * hcs_host_get_network_drivers:
 * @self: the host
 *
 * Returns: (transfer none) (element-type HcsNetworkDriver): network drivers
 *   of the loaded plugins, owned by the host
 */
GPtrArray *hcs_host_get_network_drivers (HcsHost *self);

/**
 * hcs_host_create_container:
 * @self: the host
 * @id: (nullable): the system's id; %NULL: a GUID made from the config's
 *   Name (or a random one)
 * @config: its configuration
 * @system_options: (nullable): per-system options
 * @error: return location for a #GError
 *
 * Picks the isolation: `[host] isolation` of @system_options, else "hyperv"
 * when the config asks for HvPartition, else the host's `[host] isolation`.
 *
 * Returns: (transfer full): the created (not yet started) compute system,
 *   or %NULL on error
 */
HcsContainer *hcs_host_create_container (HcsHost *self, const char *id,
                                         const HcsContainerConfig *config,
                                         GKeyFile *system_options, GError **error);
/**
 * hcs_host_create_container_in_process:
 * @self: the host
 * @id: the system's id
 * @config: its configuration
 * @system_options: (nullable): per-system options
 * @error: return location for a #GError
 *
 * Creates the system with its driver in this process (endpoints attached),
 * whatever `[host] monitor` says: the system lives and dies with the
 * calling process. hcs-monitor creates its system with it.
 *
 * Returns: (transfer full): the new compute system, or %NULL on error
 */
HcsContainer *hcs_host_create_container_in_process (HcsHost *self, const char *id,
                                                    const HcsContainerConfig *config,
                                                    GKeyFile *system_options, GError **error);
/**
 * hcs_host_open_container:
 * @self: the host
 * @id: the system's id
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the compute system, or %NULL with
 *   %HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST
 */
HcsContainer *hcs_host_open_container (HcsHost *self, const char *id, GError **error);
/**
 * hcs_host_list_containers:
 * @self: the host
 * @query: (nullable): the filter; %NULL: every system
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type HcsContainerProperties): the
 *   systems of every driver that pass @query
 */
GPtrArray *hcs_host_list_containers (HcsHost *self, const HcsComputeSystemQuery *query,
                                     GError **error);

/**
 * hcs_host_create_network:
 * @self: the host
 * @config: the network
 * @error: return location for a #GError
 *
 * Routes to the network driver whose types include @config's network_type;
 * the id is hcs_name_to_guid() of its name.
 *
 * Returns: (transfer full): the network, or %NULL on error
 */
HcsNetwork *hcs_host_create_network (HcsHost *self, const HcsNetworkConfig *config,
                                     GError **error);
/**
 * hcs_host_open_network:
 * @self: the host
 * @id: the network's id
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the network, or %NULL on error
 */
HcsNetwork *hcs_host_open_network (HcsHost *self, const char *id, GError **error);
/**
 * hcs_host_list_networks:
 * @self: the host
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type HcsNetwork): the networks of
 *   every network driver
 */
GPtrArray *hcs_host_list_networks (HcsHost *self, GError **error);

/**
 * hcs_host_open_endpoint:
 * @self: the host
 * @id: the endpoint's id
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the endpoint @id of any network, or %NULL
 */
HcsEndpoint *hcs_host_open_endpoint (HcsHost *self, const char *id, GError **error);
/**
 * hcs_host_modify_container:
 * @self: the host
 * @container: a running compute system
 * @request: the request as JSON
 * @error: return location for a #GError
 *
 * hcsshim's ModifyComputeSystem: {"Resource": "Network", "Request":
 * "Add"|"Remove", "Data": "ENDPOINT-ID"} attaches or detaches an endpoint
 * of a running system; without "Resource", the request is a resource update
 * ({"MemoryMaximumInMB": ...}) for hcs_container_modify().
 *
 * Returns: %TRUE on success
 */
gboolean hcs_host_modify_container (HcsHost *self, HcsContainer *container, const char *request,
                                    GError **error);
/**
 * hcs_host_hns_request:
 * @self: the host
 * @method: GET, POST or DELETE
 * @path: /networks/, /networks/ID, /endpoints/, /endpoints/ID,
 *   /endpoints/ID/attach ({"ContainerId"}) or /endpoints/ID/detach
 * @request: (nullable): the HNSNetwork or HNSEndpoint body
 * @error: return location for a #GError
 *
 * HNS's JSON-in, JSON-out entry point, with hcsshim's shape.
 *
 * Returns: (transfer full): hnsResponse's {"Success", "Error", "Output"}
 *   with hcsshim's field names, always; on failure @error is set as well
 */
char *hcs_host_hns_request (HcsHost *self, const char *method, const char *path,
                            const char *request, GError **error);
/**
 * hcs_host_attach_endpoints:
 * @self: the host
 * @container: a running compute system
 * @endpoint_ids: (array zero-terminated=1): the endpoints' ids
 * @error: return location for a #GError
 *
 * Attaches the endpoints to the network namespace of @container's init;
 * hcs_host_create_container() does it for ContainerConfig.EndpointList.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_host_attach_endpoints (HcsHost *self, HcsContainer *container,
                                    const char *const *endpoint_ids, GError **error);

/**
 * hcs_name_to_guid:
 * @name: any text
 *
 * A deterministic name-based (version 5, SHA-1) GUID of @name, as hcsshim's
 * NameToGuid: the same name gives the same GUID on every client.
 *
 * Returns: (transfer full): lower-case, 36 characters, no braces
 */
char *hcs_name_to_guid (const char *name);

/**
 * hcs_host_list_options:
 * @self: the host
 *
 * Every declared runtime option: core's `[host]` keys, then those of every
 * plugin (all are loaded for it).
 *
 * Returns: (transfer container) (element-type HcsOptionSpec): the specs
 */
GPtrArray *hcs_host_list_options (HcsHost *self);

/**
 * hcs_get_version:
 *
 * Returns: (transfer none): libhcs's version, "0.1.0"
 */
const char *hcs_get_version (void);

G_END_DECLS
