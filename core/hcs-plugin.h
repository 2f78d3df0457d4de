/* hcs-plugin.h: the contract between libhcs and the plugins that provide
 * its drivers. A host application needs only hcs.h; a plugin includes this.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs.h"

G_BEGIN_DECLS

/**
 * SECTION:hcs-plugin
 * @title: Writing a plugin
 *
 * ## The module
 *
 * A plugin is a shared module named `hcs-plugin-NAME.so` in a plugin
 * directory (`[host] plugin-dirs`, then `HCS_PLUGIN_PATH`, then the
 * installed `pkg-config --variable=plugindir hcs`). The host refuses a file
 * that is not regular, that is owned by someone other than root or the user
 * running the host, or that its group or others may write: the plugin runs
 * with the host's privileges. The first directory that has a NAME wins.
 *
 * Beside it, an optional description `hcs-plugin-NAME.plugin` lets the host
 * load it only when one of its drivers is first needed:
 *
 * |[
 * [Plugin]
 * Isolation=process;      the isolation modes of its drivers
 * Network=true            it has network drivers
 * ]|
 *
 * A driver the description does not announce is refused. Without a
 * description the plugin is loaded with the host.
 *
 * The module exports exactly one symbol, the entry point
 * %HCS_PLUGIN_ENTRY_POINT, of type #HcsPluginInitFunc (a linker version
 * script with `global: hcs_plugin_init; local: *;` keeps it so). It is
 * loaded with G_MODULE_BIND_LOCAL and made resident: the GTypes it
 * registers are never unregistered, so static strings it hands to the
 * registry stay valid.
 *
 * ## The entry point
 *
 * hcs_plugin_init() receives the registry and the host's
 * %HCS_PLUGIN_ABI_VERSION. A plugin built for another version returns FALSE
 * with an %HCS_ERROR_PLUGIN error that says both numbers. Otherwise it
 * declares its runtime options (hcs_registry_add_options()) and registers
 * each driver type (hcs_registry_add_isolation_driver(),
 * hcs_registry_add_network_driver()). A plugin that registers nothing, or a
 * driver type that lacks a required vfunc, is refused with the reason.
 *
 * ## Drivers
 *
 * A driver type is a GObject type that implements #GInitable and
 * #HcsIsolationDriverInterface or #HcsNetworkDriverInterface. The host
 * makes one instance of each registered type with g_object_new() and
 * g_initable_init(); init refuses a host that cannot run the driver (not
 * root, a helper missing): the message is shown to the user as the reason
 * the isolation is not available, so say what is missing. The runtime
 * options are there from init on: hcs_driver_get_options(). A driver reads
 * its own group and `[host]`, with hcs_options_get_string() and friends,
 * per-system options first.
 *
 * ## Required and optional vfuncs
 *
 * A *required* vfunc must be set; the registry refuses a driver type that
 * lacks one, and core refuses a container or process object whose type
 * lacks one the first time the driver hands such an object out (the error
 * names the type and the vfunc). An *optional* vfunc may be left NULL:
 * the wrapper then answers %HCS_ERROR_NOT_SUPPORTED (or the documented
 * default).
 *
 * #HcsIsolationDriverInterface: all required — get_isolation,
 * create_container, open_container, list_containers.
 *
 * #HcsNetworkDriverInterface: all required — get_network_types,
 * create_network, open_network, list_networks.
 *
 * #HcsContainerInterface: required — get_id, start, shutdown, terminate,
 * wait_timeout, wait_async, wait_finish, create_process, open_process,
 * get_init_process, get_properties, close, remove. Optional — pause,
 * resume, get_statistics, get_process_list, modify.
 *
 * #HcsProcessInterface: required — get_pid, wait_timeout, wait_async,
 * wait_finish, get_exit_code, get_stdin, get_stdout, get_stderr,
 * close_stdin, close. Optional — signal, kill, resize_console.
 *
 * #HcsNetworkInterface: required — get_id, get_name, get_network_type,
 * create_endpoint, get_endpoint, remove, to_json, list_endpoints.
 *
 * #HcsEndpointInterface: required — get_id, get_ip_address,
 * get_mac_address, attach, detach, remove, to_json. Optional —
 * get_dns_server_list, get_dns_suffix (NULL answers no value),
 * add_port_mapping, set_disable_icc, set_bandwidth_limit, set_vlan, add_acl,
 * attach_port, detach_port (NULL answers %HCS_ERROR_NOT_SUPPORTED).
 *
 * Every vfunc that takes a GError sets it when it returns FALSE or NULL,
 * with a message that names the plugin and the object ("argon: container
 * 'web': ..."). Plugins never print: the host application decides what the
 * user sees.
 *
 * ## Stability
 *
 * The application API (hcs.h) follows libhcs's soname: an incompatible
 * change bumps it. The plugin ABI is what this header and the interface
 * structures declare: the layout of the interface structures, the
 * registry's functions and #HcsOptionSpec. Any change to them that a
 * plugin built before would not survive bumps %HCS_PLUGIN_ABI_VERSION,
 * and the host refuses plugins built for another version; a plugin is
 * built for one version of hcs. New optional vfuncs are added at the end of
 * an interface structure, and also bump the version.
 */

/* 2: required vfuncs enforced, options from hcs_driver_get_options()
 * instead of an interface property, declared runtime options. */
#define HCS_PLUGIN_ABI_VERSION 2
#define HCS_PLUGIN_ENTRY_POINT "hcs_plugin_init"

#define HCS_TYPE_REGISTRY (hcs_registry_get_type ())
G_DECLARE_FINAL_TYPE (HcsRegistry, hcs_registry, HCS, REGISTRY, GObject)

/**
 * HcsPluginInitFunc:
 * @registry: where the plugin registers its drivers and options
 * @abi_version: the host's %HCS_PLUGIN_ABI_VERSION
 * @error: set when the plugin refuses this host
 *
 * The one symbol a plugin exports, as `hcs_plugin_init`.
 */
typedef gboolean (*HcsPluginInitFunc) (HcsRegistry *registry, guint abi_version,
                                       GError **error);

/**
 * hcs_registry_new:
 *
 * Returns: (transfer full): a registry
 */
HcsRegistry *hcs_registry_new (void);
/**
 * hcs_registry_add_isolation_driver:
 * @self: the object
 * @type: type
 * @error: return location for a #GError
 *
 * @type must be an instantiable GObject type implementing
 * HCS_TYPE_ISOLATION_DRIVER (or HCS_TYPE_NETWORK_DRIVER) and GInitable,
 * with every required vfunc set; anything else is refused with
 * HCS_ERROR_PLUGIN naming what is missing.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_registry_add_isolation_driver (HcsRegistry *self, GType type, GError **error);
/**
 * hcs_registry_add_network_driver:
 * @self: the object
 * @type: type
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_registry_add_network_driver (HcsRegistry *self, GType type, GError **error);
/**
 * hcs_registry_get_isolation_driver_types:
 * @self: the object
 *
 * (element-type GType) (transfer none)
 *
 * Returns: (transfer none) (element-type GType): the types registered
 */
GArray *hcs_registry_get_isolation_driver_types (HcsRegistry *self);
/**
 * hcs_registry_get_network_driver_types:
 * @self: the object
 *
 * Returns: (transfer none) (element-type GType): the types registered
 */
GArray *hcs_registry_get_network_driver_types (HcsRegistry *self);
/**
 * hcs_registry_get_n_drivers:
 * @self: the object
 *
 * Returns: the result
 */
guint hcs_registry_get_n_drivers (HcsRegistry *self);

/* --- runtime options ------------------------------------------------------- */

/* HcsOptionSpec and HcsOptionType are in hcs-host.h: applications read
 * them too (hcs_host_list_options()). */

/**
 * hcs_registry_add_options:
 * @self: the object
 * @specs: (array length=n_specs): the declared keys, static
 * @n_specs: n specs
 * @error: return location for a #GError
 *
 * Declares @n_specs keys. A group belongs to one plugin: a group or key
 * another plugin (or core's [host]) declared already is refused.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_registry_add_options (HcsRegistry *self, const HcsOptionSpec *specs,
                                   gsize n_specs, GError **error);
/**
 * hcs_registry_get_options:
 * @self: the object
 *
 * (element-type HcsOptionSpec) (transfer none)
 *
 * Returns: (transfer none) (element-type HcsOptionSpec): the declared options
 */
GPtrArray *hcs_registry_get_options (HcsRegistry *self);

/**
 * hcs_driver_get_options:
 * @driver: (type GObject): a driver
 *
 * The host's runtime options, for any driver the host made (never NULL: an
 * empty key file when the host has none or @driver was made otherwise).
 *
 * Returns: (transfer none) (nullable): the driver's options
 */
GKeyFile *hcs_driver_get_options (gpointer driver);
/**
 * hcs_driver_set_options:
 * @driver: (type GObject): a driver
 * @options: (nullable): the options
 *
 * Used by the host before g_initable_init().
 */
void hcs_driver_set_options (gpointer driver, GKeyFile *options);
/**
 * hcs_driver_get_state:
 * @driver: (type GObject): a driver
 * @error: return location for a #GError
 *
 * The host's state and layer directories (hcs-state.h), for any driver the
 * host made; one made otherwise gets them from its options. Never NULL
 * once g_initable_init() succeeded: a driver's init calls it, and fails
 * with its error (an option that is not an absolute path).
 *
 * Returns: (transfer none): the driver's state, or %NULL on error
 */
HcsState *hcs_driver_get_state (gpointer driver, GError **error);
/**
 * hcs_driver_set_state:
 * @driver: (type GObject): a driver
 * @state: state
 *
 * Used by the host before g_initable_init().
 */
void hcs_driver_set_state (gpointer driver, HcsState *state);

/**
 * hcs_driver_open_endpoint:
 * @driver: (type GObject): a driver
 * @id: the endpoint's id
 * @error: return location for a #GError
 *
 * The host's endpoint @id (hcs_host_open_endpoint()), for a driver the
 * host made; one made otherwise, or whose host is gone, gets
 * %HCS_ERROR_ELEMENT_NOT_FOUND.
 *
 * Returns: (transfer full): the endpoint, or %NULL on error
 */
HcsEndpoint *hcs_driver_open_endpoint (gpointer driver, const char *id, GError **error);
/**
 * hcs_driver_set_host:
 * @driver: (type GObject): a driver
 * @host: (type GObject) (nullable): its host
 *
 * Used by the host before g_initable_init() (a weak reference).
 */
void hcs_driver_set_host (gpointer driver, gpointer host);
/**
 * hcs_driver_set_takes_endpoints:
 * @driver: (type GObject): a driver
 * @takes: whether it takes them
 *
 * A driver whose systems take ContainerConfig.EndpointList themselves (a
 * VM's NICs: the init's pid is the guest's) says so in its init; the host
 * then neither attaches them to /proc/PID/ns/net nor takes a Network
 * modify request for them.
 */
void hcs_driver_set_takes_endpoints (gpointer driver, gboolean takes);
/**
 * hcs_driver_get_takes_endpoints:
 * @driver: (type GObject): a driver
 *
 * Returns: whether @driver's systems take their endpoints themselves
 */
gboolean hcs_driver_get_takes_endpoints (gpointer driver);

/**
 * hcs_plugin_check_vfuncs:
 * @type: type
 * @interface_type: interface type
 * @error: return location for a #GError
 *
 * Checks that every required vfunc of @type's @interface_type vtable is
 * set; the error names the first missing one. For the host and for tests.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_plugin_check_vfuncs (GType type, GType interface_type, GError **error);

G_END_DECLS
