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

G_BEGIN_DECLS

#define HCS_DEFAULT_STATE_DIR "/run/hcs"
#define HCS_DEFAULT_LAYER_DIR "/var/lib/hcs/layers"
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

/* @options may be NULL (all defaults). Plugins that fail to load are
 * skipped; their messages are in hcs_host_get_plugin_errors() and in the
 * error of a request nothing loaded can serve. Fails only when the options
 * themselves are invalid (HCS_ERROR_INVALID_DATA naming group and key):
 * [host] and unknown groups here, a plugin's group when it is loaded (its
 * first driver request then fails with that error). docs/options.md lists
 * every key. */
HcsHost *hcs_host_new (GKeyFile *options, GError **error);
HcsHost *hcs_host_new_from_file (const char *path, GError **error);
GKeyFile *hcs_host_get_options (HcsHost *self);
/* Messages of plugins that were skipped, NULL-terminated. */
const char *const *hcs_host_get_plugin_errors (HcsHost *self);
/* Isolations that loaded drivers provide, sorted, NULL-terminated. */
GStrv hcs_host_list_isolations (HcsHost *self);
HcsIsolationDriver *hcs_host_get_isolation_driver (HcsHost *self, const char *isolation,
                                                   GError **error);

/* Network drivers of the loaded plugins (element-type HcsNetworkDriver),
 * owned by the host. */
GPtrArray *hcs_host_get_network_drivers (HcsHost *self);

/* Picks the isolation: [host] isolation of @system_options, else "hyperv" when
 * the config asks for HvPartition, else the host's [host] isolation.
 * @id NULL: a GUID is made from the config's Name (or a random one). */
HcsContainer *hcs_host_create_container (HcsHost *self, const char *id,
                                         const HcsContainerConfig *config,
                                         GKeyFile *system_options, GError **error);
HcsContainer *hcs_host_open_container (HcsHost *self, const char *id, GError **error);
/* (element-type HcsContainerProperties) of every driver, filtered by @query. */
GPtrArray *hcs_host_list_containers (HcsHost *self, const HcsComputeSystemQuery *query,
                                     GError **error);

/* Routes to the network driver whose types include config->network_type;
 * the id is hcs_name_to_guid (config->name). */
HcsNetwork *hcs_host_create_network (HcsHost *self, const HcsNetworkConfig *config,
                                     GError **error);
HcsNetwork *hcs_host_open_network (HcsHost *self, const char *id, GError **error);
/* (element-type HcsNetwork) of every network driver. */
GPtrArray *hcs_host_list_networks (HcsHost *self, GError **error);

/* The endpoint @id of any network. */
HcsEndpoint *hcs_host_open_endpoint (HcsHost *self, const char *id, GError **error);
/* HNS's JSON-in, JSON-out entry point, with hcsshim's shape: @method GET,
 * POST or DELETE; @path /networks/, /networks/ID, /endpoints/,
 * /endpoints/ID, /endpoints/ID/attach ({"ContainerId"}) or
 * /endpoints/ID/detach; @request the HNSNetwork or HNSEndpoint body. The
 * answer is always hnsResponse's {"Success", "Error", "Output"} with
 * hcsshim's field names; on failure @error is set as well. */
/* hcsshim's ModifyComputeSystem: {"Resource": "Network", "Request":
 * "Add"|"Remove", "Data": "ENDPOINT-ID"} attaches or detaches an endpoint
 * of a running system; without "Resource", the request is a resource update
 * ({"MemoryMaximumInMB": ...}) for hcs_container_modify(). */
gboolean hcs_host_modify_container (HcsHost *self, HcsContainer *container, const char *request,
                                    GError **error);
char *hcs_host_hns_request (HcsHost *self, const char *method, const char *path,
                            const char *request, GError **error);
/* Attaches the endpoints to the network namespace of @container's init;
 * create_container does it for ContainerConfig.EndpointList. */
gboolean hcs_host_attach_endpoints (HcsHost *self, HcsContainer *container,
                                    const char *const *endpoint_ids, GError **error);

/* A deterministic name-based (version 5, SHA-1) GUID of @name, as hcsshim's
 * NameToGuid: the same name gives the same GUID on every client. Lower-case,
 * 36 characters, no braces. */
char *hcs_name_to_guid (const char *name);

/* Every declared runtime option: core's [host] keys, then those of every
 * plugin (all are loaded for it). (element-type HcsOptionSpec) (transfer
 * container) */
GPtrArray *hcs_host_list_options (HcsHost *self);

const char *hcs_get_version (void);

G_END_DECLS
