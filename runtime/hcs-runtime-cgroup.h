/* hcs-runtime-cgroup.h: one container's cgroup, on cgroup v1 or v2.
 *
 * The manager finds the hierarchies from /proc/self/mountinfo: a cgroup2
 * mount at the cgroup root means v2 (unified); otherwise one v1 hierarchy
 * per controller (cpu, cpuacct, cpuset, memory, blkio, pids, freezer,
 * devices), each with the container's directory at PARENT/ID.
 *
 * GLib alone, on purpose (no libhcs, GObject, GIO or json-glib): the
 * static library hcs-runtime-cgroup holds it, and a program linking GLib
 * alone (hcsctl's front, for a create) links it with hcs-base (errors in
 * the HCS_ERROR domain, hcs-error-base.c). What takes libhcs's types or
 * json-glib, config.json's linux.resources and HcsResourceUpdate, is
 * hcs-runtime-cgroup-oci.h's, in the runtime library.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "hcs-runtime-spec.h"

G_BEGIN_DECLS

typedef enum {
  HCS_RUNTIME_CGROUP_VERSION_AUTO = 0,
  HCS_RUNTIME_CGROUP_VERSION_1 = 1,
  HCS_RUNTIME_CGROUP_VERSION_2 = 2,
} HcsRuntimeCgroupVersion;

typedef struct _HcsRuntimeCgroup HcsRuntimeCgroup;

typedef struct {
  guint64 memory_usage_bytes;       /* memory.usage_in_bytes / memory.current */
  guint64 memory_max_usage_bytes;   /* memory.max_usage_in_bytes / memory.peak (0 if absent) */
  guint64 memory_private_bytes;     /* rss+... / anon from memory.stat */
  guint64 cpu_usage_ns;             /* cpuacct.usage / cpu.stat usage_usec*1000 */
  guint64 cpu_user_ns;
  guint64 cpu_system_ns;
  guint64 io_read_ops, io_read_bytes, io_write_ops, io_write_bytes;
  guint64 oom_kills;                /* memory.oom_control oom_kill / memory.events oom_kill */
} HcsRuntimeCgroupStats;

/* Creates the container's cgroup ("PARENT/ID") in every hierarchy.
 * @root_override: NULL, or the mount point to use instead of the one found
 * (a test may point at a cgroup2 mount of its own, e.g. /sys/fs/cgroup/unified),
 * together with @version. On failure nothing is left behind. */
HcsRuntimeCgroup *hcs_runtime_cgroup_create (const char *parent, const char *id,
                                             HcsRuntimeCgroupVersion version,
                                             const char *root_override, GError **error);
/* Opens an existing one (no mkdir); HCS_ERROR_ELEMENT_NOT_FOUND if missing. */
HcsRuntimeCgroup *hcs_runtime_cgroup_open (const char *parent, const char *id,
                                           HcsRuntimeCgroupVersion version,
                                           const char *root_override, GError **error);
/* config.json's linux.cgroupsPath as runc reads it, split into the
 * @parent and @name that create and open take: an absolute path is taken
 * from each hierarchy's root, a relative one from the caller's own cgroup
 * (v2's, or on v1 the pids hierarchy's, for every hierarchy). '..' and
 * the root itself are refused. */
gboolean hcs_runtime_cgroup_split_path (const char *cgroups_path,
                                        HcsRuntimeCgroupVersion version, char **parent,
                                        char **name, GError **error);
void hcs_runtime_cgroup_free (HcsRuntimeCgroup *cgroup);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HcsRuntimeCgroup, hcs_runtime_cgroup_free)

HcsRuntimeCgroupVersion hcs_runtime_cgroup_get_version (HcsRuntimeCgroup *cgroup);
/* Absolute paths of every "cgroup.procs" file a new process is written to. */
GStrv hcs_runtime_cgroup_get_procs_files (HcsRuntimeCgroup *cgroup);
/* The container's directory in the hierarchy of @controller ("memory", "cpu",
 * ...; on v2 the one directory whatever @controller is), or NULL. */
const char *hcs_runtime_cgroup_get_path (HcsRuntimeCgroup *cgroup, const char *controller);

gboolean hcs_runtime_cgroup_add_pid (HcsRuntimeCgroup *cgroup, pid_t pid, GError **error);

/* The workload of @spec joins @cgroup (its cgroup.procs files), and every
 * cgroup mount (HCS_RUNTIME_CGROUP_PLACEHOLDER) shows it that cgroup
 * alone, read-only, as runc does without a cgroup namespace: on v2 its
 * folder bound at the destination; on v1 a tmpfs there with each
 * controller's folder bound below it. In hcs-runtime-spec-cgroup.c, which
 * needs hcs-runtime-spec.c beside (the runtime library and
 * hcs-runtime-oci-spec have both). */
void hcs_runtime_spec_set_cgroup (HcsRuntimeSpec *spec, HcsRuntimeCgroup *cgroup);

/* A change of limits, as HcsResourceUpdate's fields (hcs-documents.h):
 * fields < 0 are left alone, 0 is unlimited. */
typedef struct {
  gint64 memory_maximum_in_mb;
  gint64 processor_count;
  gint64 processor_weight;
  gint64 processor_maximum;
  gint64 storage_iops_maximum;
  gint64 storage_bandwidth_maximum;
  gint64 pids_maximum;
} HcsRuntimeCgroupLimits;

#define HCS_RUNTIME_CGROUP_LIMITS_INIT { -1, -1, -1, -1, -1, -1, -1 }

/* Applies @limits (fields < 0 left alone, 0 = unlimited):
 * MemoryMaximumInMB -> memory.limit_in_bytes (+memsw when present) / memory.max;
 * ProcessorCount -> cpuset.cpus "0-(N-1)" clamped to the online cpus;
 * ProcessorWeight 1..10000 -> cpu.shares (2..262144 scaled, 10000 -> 1024*10000/5000?)
 *   see hcs-runtime-cgroup.c for the mapping, / cpu.weight 1..10000 unchanged;
 * ProcessorMaximum 1..10000 -> cpu.cfs_quota_us = period * ncpus * max / 10000 / cpu.max;
 * StorageIOPSMaximum, StorageBandwidthMaximum -> blkio.throttle.* / io.max
 *   for every block device that backs a mounted filesystem (major:minor). */
gboolean hcs_runtime_cgroup_set_limits (HcsRuntimeCgroup *cgroup,
                                        const HcsRuntimeCgroupLimits *limits, GError **error);
/* A new container's limits: the default devices (below) and @resources. */
gboolean hcs_runtime_cgroup_apply_resources (HcsRuntimeCgroup *cgroup,
                                             const HcsRuntimeResources *resources,
                                             GError **error);
/* @resources alone, the devices left as they are: for a config whose own
 * device rules start with "deny all" (hcs_runtime_oci_resources_reset_devices),
 * which would undo the default allow-list written first. */
gboolean hcs_runtime_cgroup_apply_limits (HcsRuntimeCgroup *cgroup,
                                          const HcsRuntimeResources *resources, GError **error);
gboolean hcs_runtime_cgroup_set_pids_max (HcsRuntimeCgroup *cgroup, gint64 max, GError **error);
/* v1: the devices allow-list of the OCI default (null, zero, full, random,
 * urandom, tty, console, ptmx, pts); v2: nothing (eBPF, not done here). */
gboolean hcs_runtime_cgroup_set_default_devices (HcsRuntimeCgroup *cgroup, GError **error);
/* The same allow-list without the "deny all" before it (after a config's rules). */
gboolean hcs_runtime_cgroup_allow_default_devices (HcsRuntimeCgroup *cgroup, GError **error);

/* Freezer: v1 freezer.state FROZEN/THAWED, v2 cgroup.freeze; both wait until
 * the kernel reports the state reached. */
gboolean hcs_runtime_cgroup_freeze (HcsRuntimeCgroup *cgroup, GError **error);
gboolean hcs_runtime_cgroup_thaw (HcsRuntimeCgroup *cgroup, GError **error);
gboolean hcs_runtime_cgroup_is_frozen (HcsRuntimeCgroup *cgroup);

/* SIGKILL to every process (v2 cgroup.kill when present, else a loop over
 * cgroup.procs, thawing first so the kill is delivered). */
gboolean hcs_runtime_cgroup_kill_all (HcsRuntimeCgroup *cgroup, GError **error);
/* Host pids in the cgroup, sorted. */
GArray *hcs_runtime_cgroup_get_pids (HcsRuntimeCgroup *cgroup, GError **error);
gboolean hcs_runtime_cgroup_get_stats (HcsRuntimeCgroup *cgroup, HcsRuntimeCgroupStats *stats,
                                       GError **error);
/* Reads one value file, e.g. ("memory", "memory.limit_in_bytes"); for tests
 * and properties. */
char *hcs_runtime_cgroup_read (HcsRuntimeCgroup *cgroup, const char *controller, const char *file,
                               GError **error);

/* Removes the directories (retrying briefly while the kernel still counts
 * exiting tasks); fails with HCS_ERROR_INVALID_STATE if processes remain. */
gboolean hcs_runtime_cgroup_destroy (HcsRuntimeCgroup *cgroup, GError **error);

/* Allows linux.devices (HcsRuntimeDevice*) in v1's devices cgroup, as runc
 * does for the devices it makes; v2: nothing (eBPF, not done here). */
gboolean hcs_runtime_cgroup_allow_devices (HcsRuntimeCgroup *cgroup, GPtrArray *devices,
                                           GError **error);

/* --- config.json's linux.resources: what needs no JSON reader ---------------
 * (hcs-runtime-cgroup-oci.c reads the object with json-glib; hcsctl's
 * front create its devices with hcs-json: both write through these.) */

/* Writes @value to @file in @cgroup's folder of @controller, as
 * linux.resources.@field asks: HCS_ERROR_NOT_SUPPORTED for a controller or
 * file this host lacks, HCS_ERROR_INVALID_DATA for a value refused. */
gboolean hcs_runtime_cgroup_write_oci (HcsRuntimeCgroup *cgroup, const char *controller,
                                       const char *field, const char *file, const char *value,
                                       GError **error);

/* One rule of linux.resources.devices, read (absent members are the
 * defaults: allow false, type "a", access "rwm", major and minor -1). */
typedef struct {
  gboolean allow;
  const char *type;           /* "a", "b" or "c" */
  gint64 major, minor;        /* < 0: any ('*') */
  const char *access;         /* made of r, w and m */
} HcsRuntimeDeviceRule;

/* The write @rule makes in v1's devices controller (@file "devices.allow"
 * or "devices.deny", and @value), or on v2 none (@file NULL: a deny rule
 * is taken, an allow rule refused, eBPF not being loaded). Refuses a
 * type or access it does not know, naming linux.resources.devices. */
gboolean hcs_runtime_device_rule_plan (const HcsRuntimeDeviceRule *rule, gboolean v2,
                                       char **file, char **value, GError **error);

G_END_DECLS
