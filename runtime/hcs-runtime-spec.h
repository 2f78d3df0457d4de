/* hcs-runtime-spec.h: one container (or one process of a running one) as
 * the runtime builds it: the typed description a ContainerConfig becomes
 * once (hcs-runtime-config.h), that the host serialises once for the
 * helper and the helper reads back into the same struct.
 *
 * The serialised form is a GVariant dictionary (a{sv}): GLib's own binary
 * format, so the statically linked helper needs no JSON library and reads
 * it without a parse. Members (s: string, b: boolean, as: string list,
 * x: int64; the nested ones are a{sv} themselves), shown as JSON:
 *
 *   { "id": "web",
 *     "rootfs": "/abs/dir", "rootfs_readonly": false,
 *     "overlay": {"lower": ["/top", "/base"], "upper": "/s/upper", "work": "/s/work"},
 *     "hostname": "web",
 *     "namespaces": {"net": "new"|"host"|PATH, "uts": ..., "ipc": ...},
 *     "mounts": [{"destination", "type", "source", "options": [...]}],
 *     "masked_paths": [...], "readonly_paths": [...],
 *     "cgroup_procs": ["/sys/fs/cgroup/.../cgroup.procs", ...],
 *     "pid": N,                      (exec: the init whose namespaces to join)
 *     "console_width": W, "console_height": H,
 *     "die_with_parent": true,       (SIGKILL when our parent dies: under a monitor)
 *     "detach": true,                (runc's model: the workload becomes a child
 *                                     of the helper's parent, which reaps it)
 *     "start_fifo": "/run/hcs/ID/exec.fifo"  (detached create: the init waits
 *                                     on this fifo instead of the start pipe)
 *     "report_cloned": true,         (create: {"cloned": N} on the status line
 *                                     as soon as the init exists)
 *     "process": {"args", "env", "cwd", "user", "terminal",
 *                 "no_new_privileges", "seccomp",
 *                 OCI process fields, see HcsRuntimeProcess:
 *                 "capabilities": {"bounding": [...], "effective", "permitted",
 *                                  "inheritable", "ambient"},
 *                 "rlimits": [("RLIMIT_NOFILE", soft, hard)]  (a(stt)),
 *                 "additional_gids": [...] (au), "umask": N, "oom_score_adj": N,
 *                 "apparmor_profile", "selinux_label"},
 *     OCI container fields, see HcsRuntimeSpec:
 *     "domainname": "example.org", "sysctl": ["net.ipv4.ip_forward=1", ...],
 *     "rootfs_propagation": "rslave" }
 *
 * Only GLib here: the helper links this file and nothing of core. Errors
 * from hcs_runtime_spec_deserialize are G_FILE_ERROR_INVAL naming the
 * member; the helper reports them as its set-up error.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *destination;          /* absolute, inside the root */
  char *type;                 /* "bind", "tmpfs", "proc", ... */
  char *source;
  GStrv options;              /* "rbind", "ro", "nosuid", "size=64m", ... */
} HcsRuntimeMount;

typedef struct {
  GStrv args;                 /* never empty */
  GStrv env;                  /* NAME=VALUE, PATH always there */
  char *cwd;
  char *user;                 /* "uid[:gid]" or "name[:group]", resolved inside */
  gboolean terminal;          /* a pty made inside the container */
  gboolean no_new_privileges;
  gboolean seccomp;           /* the build-time filter */

  /* --- OCI process fields (config.json "process") --- */
  gboolean capabilities_given;/* FALSE: the OCI default set, and none for a
                               * user other than root */
  GStrv cap_bounding;         /* given: each set exactly, "CAP_*" names */
  GStrv cap_effective;
  GStrv cap_permitted;
  GStrv cap_inheritable;
  GStrv cap_ambient;
  GArray *rlimits;            /* HcsRuntimeRlimit, NULL: none set */
  GArray *additional_gids;    /* guint32, beside the user's own groups */
  gint64 umask;               /* -1: 0022 */
  gboolean has_oom_score_adj;
  gint64 oom_score_adj;
  char *apparmor_profile;     /* refused where the host has no AppArmor */
  char *selinux_label;        /* refused where the host has no SELinux */
} HcsRuntimeProcess;

typedef struct {
  char *type;                 /* "RLIMIT_NOFILE" */
  guint64 soft, hard;
} HcsRuntimeRlimit;

/* Limits the host applies to the container's cgroup; 0 leaves one alone.
 * The helper has no use for them; a guest agent applies them itself. */
typedef struct {
  gint64 memory_maximum_in_mb;
  gint64 processor_count;
  gint64 processor_weight;    /* 1..10000 */
  gint64 processor_maximum;   /* 1..10000, hundredths of a percent */
  gint64 storage_iops_maximum;
  gint64 storage_bandwidth_maximum;
  gint64 pids_maximum;
} HcsRuntimeResources;

/* --- OCI hooks and linux.* fields ------------------------------------------
 * Serialised as "hooks": {"prestart": [{"path", "args", "env", "timeout"}],
 * "createRuntime": [...], "createContainer": [...], "startContainer": [...]}
 * and "hook_state": the state members a hook reads on stdin besides
 * "status" and "pid" (ociVersion, id, bundle, annotations), as a JSON object.
 * "namespaces" also has "pid", "cgroup", "time" and "user"; "uid_map" and
 * "gid_map" are strings ("0 100000 65536\n"). */

/* The hooks the helper runs, in the runtime spec's order; poststart and
 * poststop are its caller's (it has left by then). */
typedef enum {
  HCS_RUNTIME_HOOK_PRESTART,          /* in A, the namespaces made, the init waiting */
  HCS_RUNTIME_HOOK_CREATE_RUNTIME,    /* likewise */
  HCS_RUNTIME_HOOK_CREATE_CONTAINER,  /* in B: its namespaces, before pivot_root */
  HCS_RUNTIME_HOOK_START_CONTAINER,   /* in B after start, before the exec */
  HCS_RUNTIME_HOOK_N_KINDS
} HcsRuntimeHookKind;

typedef struct {
  char *path;
  GStrv args;                 /* NULL: { path } */
  GStrv env;                  /* NULL: empty */
  gint64 timeout;             /* seconds; 0: none */
} HcsRuntimeHook;

/* One of linux.devices: serialised as "devices": [{"path", "type" ("c",
 * "b", "u" or "p"), "major", "minor", "mode", "uid", "gid"}]. */
typedef struct {
  char *path;                 /* absolute, inside the root */
  char type;
  gint64 major, minor;
  gint64 mode;                /* permission bits */
  gint64 uid, gid;
} HcsRuntimeDevice;

void hcs_runtime_device_free (HcsRuntimeDevice *device);

const char *hcs_runtime_hook_kind_name (HcsRuntimeHookKind kind);
HcsRuntimeHook *hcs_runtime_hook_new (const char *path, const char *const *args,
                                      const char *const *env, gint64 timeout);
void hcs_runtime_hook_free (HcsRuntimeHook *hook);

typedef struct {
  char *id;
  /* create: the root, a directory or the overlay mounted on it */
  char *rootfs;
  gboolean rootfs_readonly;
  GStrv overlay_lower;        /* topmost first; NULL: rootfs is used as it is */
  char *overlay_upper;
  char *overlay_work;
  char *hostname;
  char *net, *uts, *ipc;      /* "new", "host" or a namespace file to join */
  GPtrArray *mounts;          /* HcsRuntimeMount*, in order */
  GStrv masked_paths;         /* NULL: the OCI defaults */
  GStrv readonly_paths;       /* NULL: the OCI defaults */
  HcsRuntimeResources resources;
  /* create and exec */
  GStrv cgroup_procs;         /* every cgroup.procs the workload joins */
  gint64 pid;                 /* exec: the init whose namespaces it joins */
  HcsRuntimeProcess *process; /* create: NULL runs the helper's minimal init */
  gint64 console_width, console_height;
  gboolean detach;
  gboolean die_with_parent;
  char *start_fifo;
  gboolean report_cloned;     /* create: the init's pid reported before its set-up */

  /* --- OCI container fields (config.json) --- */
  char *domainname;           /* with a uts namespace of its own */
  GStrv sysctl;               /* "key=value", checked by hcs_runtime_sysctl_check */
  char *rootfs_propagation;   /* "private", "rslave", ...; NULL: private */
  /* OCI hooks and linux.* fields (see above) */
  GPtrArray *hooks[HCS_RUNTIME_HOOK_N_KINDS]; /* HcsRuntimeHook*; NULL: none */
  char *hook_state;
  /* More namespaces, in "namespaces" beside net, uts and ipc: "new",
   * "host" or a namespace file to join; pid defaults to "new", the others
   * (NULL) to the host's. */
  char *pid_ns, *cgroup_ns, *time_ns, *user_ns;
  /* A mount namespace file to join, where the root is then set up (as
   * crun does); "host": the host's, the init chroot'ed into the root and
   * nothing mounted; NULL: a new one. */
  char *mnt_ns;
  char *uid_map, *gid_map;    /* a new user namespace's, as /proc/PID/uid_map takes them */
  char *oci_resources;        /* linux.resources (JSON text), applied by the host as given */
  GPtrArray *devices;         /* HcsRuntimeDevice*: linux.devices, made in the root; NULL: none */
  /* linux.seccomp compiled on the host ("seccomp_program": ay, struct
   * sock_filter[]; "seccomp_flags": x), loaded for the init (and for exec,
   * which argon gives the container's) instead of the built-in filter;
   * empty: no filter at all (a config.json without linux.seccomp, as runc
   * and crun load none); NULL: the built-in one (process.seccomp says
   * whether: hcs's own configurations). */
  GBytes *seccomp_program;
  gint64 seccomp_flags;
} HcsRuntimeSpec;

/* An empty spec: new namespaces, no mounts, no process. */
HcsRuntimeSpec *hcs_runtime_spec_new (const char *id);
void hcs_runtime_spec_free (HcsRuntimeSpec *spec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HcsRuntimeSpec, hcs_runtime_spec_free)

HcsRuntimeMount *hcs_runtime_mount_new (const char *destination, const char *type,
                                        const char *source, const char *const *options);
void hcs_runtime_mount_free (HcsRuntimeMount *mount);

/* What config.json's mounts become in a spec (both ways in: hcs-runtime-config.c
 * and hcs-runtime-oci-spec.c): NULL for one the helper makes itself
 * (/proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys, as runc's defaults
 * have them), a placeholder of type HCS_RUNTIME_CGROUP_PLACEHOLDER for a
 * cgroup or cgroup2 one, which the helper refuses until the cgroup's own
 * mounts replace it (hcs_runtime_spec_set_cgroup); the mount otherwise. */
#define HCS_RUNTIME_CGROUP_PLACEHOLDER "cgroup"
HcsRuntimeMount *hcs_runtime_mount_new_for_oci (const char *destination, const char *type,
                                                const char *source,
                                                const char *const *options);

/* A process's environment as the spec holds it: @env (NAME=VALUE, NULL
 * for none), then the runtime's PATH when it has none, and TERM=xterm
 * for a @terminal without one. */
GStrv hcs_runtime_env_with_defaults (const char *const *env, gboolean terminal);

/* @exec, an exec into the container @container's spec made, takes its
 * filter: the same program and flags (none: NULL, the built-in one). */
void hcs_runtime_spec_inherit_seccomp (HcsRuntimeSpec *exec, const HcsRuntimeSpec *container);

HcsRuntimeProcess *hcs_runtime_process_new (void);
/* A process of @args with what hcs's documents leave to the runtime
 * filled in (hcs_runtime_spec_set_process's rules, shared with the
 * GLib-only way in): @env with hcs_runtime_env_with_defaults, @cwd or
 * "/", @user or "0:0" (NULL or empty for the default), a @terminal. */
HcsRuntimeProcess *hcs_runtime_process_new_with_defaults (const char *const *args,
                                                          const char *const *env,
                                                          gboolean terminal, const char *cwd,
                                                          const char *user);
void hcs_runtime_process_free (HcsRuntimeProcess *process);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HcsRuntimeProcess, hcs_runtime_process_free)
/* A deep copy. */
HcsRuntimeProcess *hcs_runtime_process_copy (const HcsRuntimeProcess *process);

/* For g_array_set_clear_func on HcsRuntimeProcess.rlimits. */
void hcs_runtime_rlimit_clear (gpointer rlimit);

/* Without a mount namespace of its own (mnt_ns "host") the container is
 * in the host's mount table, where nothing of it may be mounted: the
 * member of config.json that needs one (an overlay root, root.readonly,
 * linux.rootfsPropagation, linux.devices, process.terminal), described
 * for a message, or NULL when the spec needs none. */
const char *hcs_runtime_spec_needs_mount_namespace (const HcsRuntimeSpec *spec);

/* The bytes the helper reads on its spec fd. */
GBytes *hcs_runtime_spec_serialize (const HcsRuntimeSpec *spec);
/* The inverse; @create asks for what a create needs (an absolute rootfs),
 * otherwise what an exec needs (pid and process). */
HcsRuntimeSpec *hcs_runtime_spec_deserialize (GBytes *bytes, gboolean create, GError **error);

G_END_DECLS
