/* hcs-documents.h: the JSON documents, with hcsshim's schema1 field names.
 *
 * Every document is a plain struct with a parser (from JSON text or a
 * JsonNode) and a serializer. Parsers reject malformed JSON, wrong types and
 * out-of-range values with HCS_ERROR_INVALID_DATA (or HCS_ERROR_INVALID_JSON
 * for text that is not JSON at all) and a message that names the field, e.g.
 * "ContainerConfig.MemoryMaximumInMB: must be > 0".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* --- ProcessConfig ------------------------------------------------------ */

typedef struct {
  char *application_name;     /* ApplicationName */
  char *command_line;         /* CommandLine (split with shell rules) */
  GStrv command_args;         /* CommandArgs (argv; wins over CommandLine) */
  char *user;                 /* User: "uid", "uid:gid", "name" or "name:group" */
  char *working_directory;    /* WorkingDirectory */
  GHashTable *environment;    /* Environment: name -> value (owned strings) */
  gboolean emulate_console;   /* EmulateConsole: a pty for stdio */
  gboolean create_stdin_pipe; /* CreateStdInPipe */
  gboolean create_stdout_pipe;/* CreateStdOutPipe */
  gboolean create_stderr_pipe;/* CreateStdErrPipe */
  guint console_height;       /* ConsoleSize[0] */
  guint console_width;        /* ConsoleSize[1] */

  /* Not in the JSON: what a caller in the same process asks for, as the
   * OCI runtime command line does. */
  gboolean inherit_stdio;     /* the calling process's own 0, 1, 2 as stdio */
  char *console_socket;       /* with EmulateConsole: send the pty master to this
                               * unix socket (runc's --console-socket) and keep none */
  gboolean use_stdio_fds;     /* stdio_fds (the caller's, duplicated) as stdio */
  int stdio_fds[3];
  gboolean reap_directly;     /* a process of a running system becomes the calling
                               * process's own child, reaped by libhcs (no helper
                               * waits in between): the exit code is known */
  gboolean detach;            /* runc's model: the process becomes the caller's
                               * child (or its subreaper's), which reaps it; the
                               * exit code is then the caller's to read */

  /* --- OCI process fields (config.json "process", runc exec's flags);
   * each unset one leaves the runtime's default. Not in schema1's JSON. */
  gboolean capabilities_given;/* capabilities: each set exactly as given */
  GStrv cap_bounding;         /* "CAP_*" names */
  GStrv cap_effective;
  GStrv cap_permitted;
  GStrv cap_inheritable;
  GStrv cap_ambient;
  GStrv cap_added;            /* runc exec --cap: added to the sets given or
                               * to the default ones */
  GPtrArray *rlimits;         /* rlimits (HcsRlimit*) */
  GArray *additional_gids;    /* user.additionalGids (guint32) */
  gboolean has_umask;
  guint32 umask;              /* user.umask */
  gboolean has_oom_score_adj;
  gint32 oom_score_adj;       /* oomScoreAdj, -1000..1000 */
  gboolean no_new_privileges_given;
  gboolean no_new_privileges; /* noNewPrivileges (OCI: false when absent) */
  char *apparmor_profile;     /* apparmorProfile */
  char *selinux_label;        /* selinuxLabel */
} HcsProcessConfig;

typedef struct {
  char *type;                 /* "RLIMIT_NOFILE" */
  guint64 soft;
  guint64 hard;
} HcsRlimit;

#define HCS_TYPE_PROCESS_CONFIG (hcs_process_config_get_type ())
GType hcs_process_config_get_type (void);
/**
 * hcs_process_config_new:
 *
 * Returns: (transfer full): a new, empty HcsProcessConfig
 */
HcsProcessConfig *hcs_process_config_new (void);
/**
 * hcs_process_config_copy:
 * @config: config
 *
 * Returns: (transfer full): a deep copy
 */
HcsProcessConfig *hcs_process_config_copy (const HcsProcessConfig *config);
/**
 * hcs_process_config_free:
 * @config: config
 */
void hcs_process_config_free (HcsProcessConfig *config);
/**
 * hcs_process_config_from_json:
 * @json: a ProcessConfig as JSON text
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the config, or %NULL naming the field that is wrong
 */
HcsProcessConfig *hcs_process_config_from_json (const char *json, GError **error);
/**
 * hcs_process_config_from_node:
 * @node: a ProcessConfig
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the config, or %NULL naming the field that is wrong
 */
HcsProcessConfig *hcs_process_config_from_node (JsonNode *node, GError **error);
/**
 * hcs_process_config_to_node:
 * @config: config
 *
 * Returns: (transfer full): the JSON document
 */
JsonNode *hcs_process_config_to_node (const HcsProcessConfig *config);
/**
 * hcs_process_config_from_oci_json:
 * @json: an OCI "process" object as JSON text
 * @error: return location for a #GError
 *
 * The "process" object of an OCI runtime spec (runc exec --process FILE).
 *
 * Returns: (transfer full): the config, or %NULL on error
 */
HcsProcessConfig *hcs_process_config_from_oci_json (const char *json, GError **error);
/**
 * hcs_process_config_get_argv:
 * @config: config
 * @error: return location for a #GError
 *
 * The argv to run: CommandArgs, else CommandLine split with shell rules
 * (ApplicationName first when given). Errors name the field.
 *
 * Returns: (transfer full) (array zero-terminated=1): the argv, or %NULL on error
 */
GStrv hcs_process_config_get_argv (const HcsProcessConfig *config, GError **error);
/**
 * hcs_process_config_get_envp:
 * @config: config
 *
 * Environment as a NULL-terminated "NAME=value" vector, sorted by name.
 *
 * Returns: (transfer full) (array zero-terminated=1): the environment
 */
GStrv hcs_process_config_get_envp (const HcsProcessConfig *config);
/**
 * hcs_process_config_new_exec_defaults:
 * @process: a container's process (its init, as config.json gave it)
 *
 * What an exec without a process of its own inherits from @process, as
 * runc's exec without --process does: env, user (uid, gid,
 * additionalGids, umask), cwd, capabilities, rlimits, noNewPrivileges,
 * apparmorProfile, selinuxLabel and oomScoreAdj. The command line,
 * terminal, console and stdio are left out: the exec gives its own. The
 * runtime's defaults are made explicit (PATH when the env has none, user
 * "0:0" when none), so that an exec's --env and --user apply to one
 * complete environment and identity on every path (hcsctl's front edits
 * the rendered one).
 *
 * Returns: (transfer full): the defaults
 */
HcsProcessConfig *hcs_process_config_new_exec_defaults (const HcsProcessConfig *process);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HcsProcessConfig, hcs_process_config_free)
/**
 * hcs_rlimit_free:
 * @rlimit: rlimit
 */
void hcs_rlimit_free (HcsRlimit *rlimit);

/* --- ContainerConfig ---------------------------------------------------- */

typedef struct {
  char *id;                   /* ID */
  char *path;                 /* Path */
} HcsLayer;

typedef struct {
  char *host_path;            /* HostPath */
  char *container_path;       /* ContainerPath */
  gboolean read_only;         /* ReadOnly */
} HcsMappedDirectory;

/* An OCI mount ("mounts" of config.json); MappedDirectories become bind
 * mounts of this shape too. */
typedef struct {
  char *destination;
  char *type;                 /* "bind", "tmpfs", "proc", ... */
  char *source;
  GStrv options;              /* "ro", "rbind", "nosuid", "size=64m", ... */
} HcsMount;

typedef enum {
  HCS_NAMESPACE_MODE_NEW,     /* a new, empty namespace (the default) */
  HCS_NAMESPACE_MODE_HOST,    /* none: share the host's */
  HCS_NAMESPACE_MODE_JOIN,    /* join the namespace at `path` */
} HcsNamespaceMode;

typedef struct {
  HcsNamespaceMode mode;
  char *path;                 /* for HCS_NAMESPACE_MODE_JOIN */
} HcsNamespace;

/* --- OCI hooks and linux.* fields (config.json only) ---------------------- */

/* The hooks of config.json, in the order the runtime spec runs them. */
typedef enum {
  HCS_OCI_HOOK_PRESTART,          /* runtime namespace, after the namespaces exist */
  HCS_OCI_HOOK_CREATE_RUNTIME,    /* likewise, after prestart */
  HCS_OCI_HOOK_CREATE_CONTAINER,  /* container namespaces, before pivot_root */
  HCS_OCI_HOOK_START_CONTAINER,   /* in the container, before the process execs */
  HCS_OCI_HOOK_POSTSTART,         /* runtime namespace, before `start` returns */
  HCS_OCI_HOOK_POSTSTOP,          /* runtime namespace, before `delete` returns */
  HCS_OCI_HOOK_N_KINDS
} HcsOciHookKind;

typedef struct {
  char *path;                 /* absolute */
  GStrv args;                 /* argv, args[0] included; NULL: { path } */
  GStrv env;                  /* NAME=VALUE; NULL: an empty environment */
  gint64 timeout;             /* seconds, 0: none */
} HcsOciHook;

/* One line of linux.uidMappings or gidMappings. */
typedef struct {
  guint32 container_id;       /* containerID */
  guint32 host_id;            /* hostID */
  guint32 size;
} HcsIdMapping;

/**
 * hcs_oci_hook_kind_name:
 * @kind: kind
 *
 * "prestart", "createRuntime", ...: config.json's member names.
 *
 * Returns: (transfer none): config.json's member name
 */
const char *hcs_oci_hook_kind_name (HcsOciHookKind kind);
/**
 * hcs_oci_hook_free:
 * @hook: hook
 */
void hcs_oci_hook_free (HcsOciHook *hook);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HcsOciHook, hcs_oci_hook_free)

typedef struct {
  char *system_type;          /* SystemType: "Container" */
  char *name;                 /* Name */
  char *owner;                /* Owner */
  char *hostname;             /* HostName */
  char *volume_path;          /* VolumePath: a directory used as the root */
  gboolean root_read_only;    /* OCI root.readonly */
  char *layer_folder_path;    /* LayerFolderPath: the scratch layer folder */
  GPtrArray *layers;          /* Layers (HcsLayer*): topmost parent first, base last */
  GPtrArray *mapped_directories; /* MappedDirectories (HcsMappedDirectory*) */
  GPtrArray *mounts;          /* OCI mounts (HcsMount*) */
  gint64 processor_count;     /* ProcessorCount, 0 = unlimited */
  gint64 processor_weight;    /* ProcessorWeight 1..10000, 0 = default */
  gint64 processor_maximum;   /* ProcessorMaximum 1..10000 (1/100 %), 0 = unlimited */
  gint64 memory_maximum_in_mb;/* MemoryMaximumInMB, 0 = unlimited */
  gint64 storage_iops_maximum;        /* StorageIOPSMaximum, 0 = unlimited */
  gint64 storage_bandwidth_maximum;   /* StorageBandwidthMaximum (bytes/s) */
  gint64 pids_maximum;        /* OCI linux.resources.pids.limit, 0 = unlimited */
  GStrv endpoint_list;        /* EndpointList */
  char *network_shared_container_name; /* NetworkSharedContainerName */
  gboolean hv_partition;      /* HvPartition: ask for hyper-v isolation */
  HcsNamespace network_namespace; /* OCI linux.namespaces "network" */
  HcsNamespace uts_namespace;
  HcsNamespace ipc_namespace;
  HcsProcessConfig *process;  /* the init process (OCI "process"), or NULL */
  char *oci_version;          /* set when the document was an OCI spec */

  /* --- OCI container fields (config.json); not in schema1's JSON --- */
  char *domainname;           /* domainname */
  GStrv masked_paths;         /* linux.maskedPaths; NULL: the runtime's defaults */
  GStrv readonly_paths;       /* linux.readonlyPaths; NULL: the runtime's defaults */
  GStrv sysctl;               /* linux.sysctl as "key=value", sorted by key */
  char *rootfs_propagation;   /* linux.rootfsPropagation */
  /* OCI only, not in schema1 (nor in to_node): hooks, and the bundle and
   * annotations that their state shows. */
  GPtrArray *oci_hooks[HCS_OCI_HOOK_N_KINDS]; /* HcsOciHook*, NULL: none */
  char *oci_bundle;           /* the bundle folder given to the parser */
  char *oci_annotations;      /* "annotations" as JSON text, or NULL */
  /* linux.namespaces beyond network, uts and ipc (read only when
   * oci_version is set; schema1 containers get new pid and mount
   * namespaces and share the rest). Without a mount namespace the
   * container is chroot'ed in the host's, where nothing is mounted. */
  HcsNamespace pid_namespace;
  HcsNamespace mount_namespace;
  HcsNamespace cgroup_namespace;
  HcsNamespace time_namespace;
  HcsNamespace user_namespace;
  GArray *oci_uid_mappings;   /* HcsIdMapping: linux.uidMappings, or NULL */
  GArray *oci_gid_mappings;   /* HcsIdMapping: linux.gidMappings, or NULL */
  char *oci_resources;        /* linux.resources as JSON text (applied as given), or NULL */
  char *oci_devices;          /* linux.devices as JSON text, or NULL */
  char *oci_seccomp;          /* linux.seccomp as JSON text, or NULL: no filter for an OCI
                               * spec (oci_version set), as runc; the built-in one otherwise */
  char *oci_cgroups_path;     /* linux.cgroupsPath, or NULL (the runtime's PARENT/ID) */
  char *hv_runtime_image_path; /* HvRuntime.ImagePath: the VM's kernel and initramfs folder */
  /* The process an exec without a process of its own starts from, its
   * command line and stdio left to the exec (runc's exec without
   * --process: hcs_process_config_new_exec_defaults() of the bundle's
   * process, set by the OCI front end), or NULL: an exec is its own
   * ProcessConfig alone, as in hcsshim. Drivers that render an exec
   * ahead (argon's gate-exec) start from it. "Oci.execDefaults". */
  HcsProcessConfig *exec_defaults;
  /* OCI only: config.json's "process" as JSON text (compact, as
   * json_to_string() writes it), or NULL; not in to_node. hcsctl keeps it
   * in oci.json, where a create on its GLib-only front writes the same
   * bytes; an exec without --process makes its defaults from it. At the
   * end: the struct's earlier fields keep their places. */
  char *oci_process;
} HcsContainerConfig;

#define HCS_TYPE_CONTAINER_CONFIG (hcs_container_config_get_type ())
GType hcs_container_config_get_type (void);
/**
 * hcs_container_config_new:
 *
 * Returns: (transfer full): a new, empty HcsContainerConfig
 */
HcsContainerConfig *hcs_container_config_new (void);
/**
 * hcs_container_config_copy:
 * @config: config
 *
 * Returns: (transfer full): a deep copy
 */
HcsContainerConfig *hcs_container_config_copy (const HcsContainerConfig *config);
/**
 * hcs_container_config_free:
 * @config: config
 */
void hcs_container_config_free (HcsContainerConfig *config);
/**
 * hcs_container_config_from_json:
 * @json: a ContainerConfig or an OCI runtime spec as JSON text
 * @bundle_dir: (nullable): the bundle folder
 * @error: return location for a #GError
 *
 * Accepts schema1 ContainerConfig or an OCI runtime spec (told apart by
 * the "ociVersion" member). Relative OCI root.path is resolved against
 * @bundle_dir when given.
 *
 * Returns: (transfer full): the config, or %NULL naming the field that is wrong
 */
HcsContainerConfig *hcs_container_config_from_json (const char *json,
                                                    const char *bundle_dir,
                                                    GError **error);
/**
 * hcs_container_config_from_node:
 * @node: a ContainerConfig or an OCI runtime spec
 * @bundle_dir: (nullable): the bundle folder
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the config, or %NULL naming the field that is wrong
 */
HcsContainerConfig *hcs_container_config_from_node (JsonNode *node,
                                                    const char *bundle_dir,
                                                    GError **error);
/**
 * hcs_container_config_from_file:
 * @path: a JSON file; an OCI config.json's folder is its bundle
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the config, or %NULL on error
 */
HcsContainerConfig *hcs_container_config_from_file (const char *path, GError **error);
/**
 * hcs_container_config_to_node:
 * @config: config
 *
 * Returns: (transfer full): the JSON document
 */
JsonNode *hcs_container_config_to_node (const HcsContainerConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HcsContainerConfig, hcs_container_config_free)

/**
 * hcs_layer_free:
 * @layer: layer
 */
void hcs_layer_free (HcsLayer *layer);
/**
 * hcs_mapped_directory_free:
 * @dir: dir
 */
void hcs_mapped_directory_free (HcsMappedDirectory *dir);
/**
 * hcs_mount_free:
 * @mount: mount
 */
void hcs_mount_free (HcsMount *mount);

/* --- Statistics ----------------------------------------------------------- */

typedef struct {
  char *endpoint_id;
  guint64 bytes_received, bytes_sent;
  guint64 packets_received, packets_sent;
  guint64 dropped_packets_incoming, dropped_packets_outgoing;
} HcsNetworkStatistics;

typedef struct {
  gint64 timestamp;            /* Timestamp (unix µs; RFC 3339 in JSON) */
  gint64 container_start_time; /* ContainerStartTime (unix µs) */
  guint64 uptime_100ns;        /* Uptime100ns */
  guint64 memory_usage_commit_bytes;          /* Memory.UsageCommitBytes */
  guint64 memory_usage_commit_peak_bytes;     /* Memory.UsageCommitPeakBytes */
  guint64 memory_usage_private_working_set_bytes; /* Memory.UsagePrivateWorkingSetBytes */
  guint64 processor_total_runtime_100ns;      /* Processor.TotalRuntime100ns */
  guint64 processor_runtime_user_100ns;       /* Processor.RuntimeUser100ns */
  guint64 processor_runtime_kernel_100ns;     /* Processor.RuntimeKernel100ns */
  guint64 storage_read_count_normalized;      /* Storage.ReadCountNormalized */
  guint64 storage_read_size_bytes;            /* Storage.ReadSizeBytes */
  guint64 storage_write_count_normalized;     /* Storage.WriteCountNormalized */
  guint64 storage_write_size_bytes;           /* Storage.WriteSizeBytes */
  GPtrArray *network;          /* Network (HcsNetworkStatistics*) */
  /* The utility VM's own cost on the host, for a system in one (0
   * otherwise, and then not written): hcsshim's VirtualMachineStatistics. */
  guint64 vm_processor_total_runtime_ns;      /* VirtualMachine.Processor.TotalRuntimeNS */
  guint64 vm_memory_working_set_bytes;        /* VirtualMachine.Memory.WorkingSetBytes */
  /* Processes the kernel killed for the memory limit since the system was
   * made (hcs's own Memory.OomKillCount, written when not 0): runc's
   * `events` reports each as an "oom" event. */
  guint64 memory_oom_kill_count;
} HcsStatistics;

#define HCS_TYPE_STATISTICS (hcs_statistics_get_type ())
GType hcs_statistics_get_type (void);
/**
 * hcs_statistics_new:
 *
 * Returns: (transfer full): a new, empty HcsStatistics
 */
HcsStatistics *hcs_statistics_new (void);
/**
 * hcs_statistics_copy:
 * @stats: stats
 *
 * Returns: (transfer full): a deep copy
 */
HcsStatistics *hcs_statistics_copy (const HcsStatistics *stats);
/**
 * hcs_statistics_free:
 * @stats: stats
 */
void hcs_statistics_free (HcsStatistics *stats);
/**
 * hcs_statistics_to_node:
 * @stats: stats
 *
 * Returns: (transfer full): the JSON document
 */
JsonNode *hcs_statistics_to_node (const HcsStatistics *stats);
/**
 * hcs_statistics_from_node:
 * @node: node
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the statistics, or %NULL on error
 */
HcsStatistics *hcs_statistics_from_node (JsonNode *node, GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HcsStatistics, hcs_statistics_free)

/* --- ProcessListItem ------------------------------------------------------ */

typedef struct {
  guint32 process_id;          /* ProcessId (host pid) */
  char *image_name;            /* ImageName */
  gint64 create_timestamp;     /* CreateTimestamp (unix µs) */
  guint64 user_time_100ns;     /* UserTime100ns */
  guint64 kernel_time_100ns;   /* KernelTime100ns */
  guint64 memory_commit_bytes; /* MemoryCommitBytes */
  guint64 memory_working_set_private_bytes; /* MemoryWorkingSetPrivateBytes */
  guint64 memory_working_set_shared_bytes;  /* MemoryWorkingSetSharedBytes */
} HcsProcessListItem;

#define HCS_TYPE_PROCESS_LIST_ITEM (hcs_process_list_item_get_type ())
GType hcs_process_list_item_get_type (void);
/**
 * hcs_process_list_item_new:
 *
 * Returns: (transfer full): a new, empty HcsProcessListItem
 */
HcsProcessListItem *hcs_process_list_item_new (void);
/**
 * hcs_process_list_item_copy:
 * @item: item
 *
 * Returns: (transfer full): a deep copy
 */
HcsProcessListItem *hcs_process_list_item_copy (const HcsProcessListItem *item);
/**
 * hcs_process_list_item_free:
 * @item: item
 */
void hcs_process_list_item_free (HcsProcessListItem *item);
/**
 * hcs_process_list_item_to_node:
 * @item: item
 *
 * Returns: (transfer full): the JSON document
 */
JsonNode *hcs_process_list_item_to_node (const HcsProcessListItem *item);
/**
 * hcs_process_list_to_node:
 * @items: (element-type HcsProcessListItem): the processes
 *
 * Returns: (transfer full): a JSON array
 */
JsonNode *hcs_process_list_to_node (GPtrArray *items);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HcsProcessListItem, hcs_process_list_item_free)

/* --- ContainerProperties -------------------------------------------------- */

typedef struct {
  char *id;                    /* Id */
  char *name;                  /* Name */
  char *system_type;           /* SystemType: "Container" */
  char *owner;                 /* Owner */
  char *runtime_os_type;       /* RuntimeOsType: "linux" */
  char *isolation;             /* Isolation: "process", "hyperv", "lcow" */
  char *state;                 /* State: "Created", "Running", "Paused", "Stopped" */
  gboolean stopped;            /* Stopped */
  char *exit_type;             /* ExitType: "", "GracefulExit", "ForcedExit", "UnexpectedExit" */
  gint exit_code;              /* ExitCode (valid when stopped) */
  guint32 init_process_id;     /* InitProcessId: host pid of the init */
  gint64 created;              /* Created (unix µs) */
  HcsStatistics *statistics;   /* Statistics, when asked for */
  GPtrArray *process_list;     /* ProcessList (HcsProcessListItem*), when asked for */
} HcsContainerProperties;

#define HCS_TYPE_CONTAINER_PROPERTIES (hcs_container_properties_get_type ())
GType hcs_container_properties_get_type (void);
/**
 * hcs_container_properties_new:
 *
 * Returns: (transfer full): a new, empty HcsContainerProperties
 */
HcsContainerProperties *hcs_container_properties_new (void);
/**
 * hcs_container_properties_copy:
 * @props: props
 *
 * Returns: (transfer full): a deep copy
 */
HcsContainerProperties *hcs_container_properties_copy (const HcsContainerProperties *props);
/**
 * hcs_container_properties_free:
 * @props: props
 */
void hcs_container_properties_free (HcsContainerProperties *props);
/**
 * hcs_container_properties_to_node:
 * @props: props
 *
 * Returns: (transfer full): the JSON document
 */
JsonNode *hcs_container_properties_to_node (const HcsContainerProperties *props);
/**
 * hcs_container_properties_from_node:
 * @node: node
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the properties, or %NULL on error
 */
HcsContainerProperties *hcs_container_properties_from_node (JsonNode *node, GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HcsContainerProperties, hcs_container_properties_free)

/* --- ComputeSystemQuery ----------------------------------------------------- */

typedef struct {
  GStrv ids;                   /* IDs */
  GStrv names;                 /* Names */
  GStrv types;                 /* Types */
  GStrv owners;                /* Owners */
} HcsComputeSystemQuery;

#define HCS_TYPE_COMPUTE_SYSTEM_QUERY (hcs_compute_system_query_get_type ())
GType hcs_compute_system_query_get_type (void);
/**
 * hcs_compute_system_query_new:
 *
 * Returns: (transfer full): a new, empty HcsComputeSystemQuery
 */
HcsComputeSystemQuery *hcs_compute_system_query_new (void);
/**
 * hcs_compute_system_query_copy:
 * @query: query
 *
 * Returns: (transfer full): a deep copy
 */
HcsComputeSystemQuery *hcs_compute_system_query_copy (const HcsComputeSystemQuery *query);
/**
 * hcs_compute_system_query_free:
 * @query: query
 */
void hcs_compute_system_query_free (HcsComputeSystemQuery *query);
/**
 * hcs_compute_system_query_from_json:
 * @json: json
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the query, or %NULL on error
 */
HcsComputeSystemQuery *hcs_compute_system_query_from_json (const char *json, GError **error);
/**
 * hcs_compute_system_query_to_node:
 * @query: query
 *
 * Returns: (transfer full): the JSON document
 */
JsonNode *hcs_compute_system_query_to_node (const HcsComputeSystemQuery *query);
/**
 * hcs_compute_system_query_matches:
 * @query: (nullable): the query; %NULL matches all
 * @props: props
 *
 * TRUE when @props passes every non-empty filter of @query (NULL matches
 * all).
 *
 * Returns: whether it holds
 */
gboolean hcs_compute_system_query_matches (const HcsComputeSystemQuery *query,
                                           const HcsContainerProperties *props);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HcsComputeSystemQuery, hcs_compute_system_query_free)

/* --- Modify requests ---------------------------------------------------------- */

/* A live resource change (hcsshim ResourceModificationRequestResponse for
 * memory and CPU). Fields left at -1 are not changed. */
typedef struct {
  gint64 memory_maximum_in_mb;
  gint64 processor_count;
  gint64 processor_weight;
  gint64 processor_maximum;
  gint64 storage_iops_maximum;
  gint64 storage_bandwidth_maximum;
  gint64 pids_maximum;        /* PidsMaximum (OCI pids.limit; 0 = unlimited) */
  /* OCI linux.resources as JSON text (runc's `update`), written as given
   * after the fields above, as a create writes config.json's; NULL: none.
   * Not owned: the caller keeps it alive for the call. */
  const char *oci_resources;
} HcsResourceUpdate;

#define HCS_RESOURCE_UPDATE_INIT { -1, -1, -1, -1, -1, -1, -1 }
/**
 * hcs_resource_update_from_json:
 * @json: json
 * @update: (out caller-allocates): the update parsed
 * @error: return location for a #GError
 *
 * Parses {"MemoryMaximumInMB": 256, "ProcessorMaximum": 5000, ...}.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_resource_update_from_json (const char *json, HcsResourceUpdate *update,
                                        GError **error);

/* --- helpers ------------------------------------------------------------------ */

/**
 * hcs_json_node_to_string:
 * @node: node
 * @pretty: pretty
 *
 * Returns: (transfer full): the JSON text
 */
char *hcs_json_node_to_string (JsonNode *node, gboolean pretty);

G_END_DECLS
