/* hcs-runtime-oci-spec.h: an OCI bundle's config.json made into the
 * helper's spec (HcsRuntimeSpec) with GLib alone, for hcsctl's front
 * `create`, which must not load json-glib, GIO or libhcs.
 *
 * The full path makes the same spec in three steps: config.json into an
 * HcsContainerConfig (core/hcs-documents.c), what hcsctl's create adds to
 * it (tools/hcsctl-oci.c), then hcs_runtime_spec_new_for_container
 * (hcs-runtime-config.c), called by argon's create. This second way in
 * takes only what it translates exactly as those steps do, and is held to
 * them byte for byte by tests/test-oci-spec.c (hcs_runtime_spec_serialize
 * of both). Everything else it declines, so that the full path, which
 * knows the rest, does the create or gives the one canonical error:
 *
 * - it declines, by an allow-list, every member it does not translate
 *   (any hook, annotations of hcs's own "io.hcs.*", linux.seccomp,
 *   linux.devices, linux.sysctl, uid and gid mappings, resources other
 *   than devices, process.terminal true, apparmor and selinux, ...), and
 *   every member it does not know, at any depth;
 * - it declines every config the full path would refuse (wrong types,
 *   relative paths, unknown capabilities, a root that is no directory,
 *   ...), so it never errs on its own: NULL always comes with a reason.
 *
 * What it accepts: ociVersion (1.x), process (args, env, cwd, terminal
 * false, consoleSize, user uid, gid, additionalGids and umask,
 * capabilities, rlimits, noNewPrivileges, oomScoreAdj), root (path,
 * readonly), hostname, domainname, mounts (destination, type, source,
 * options), annotations (strings, none named io.hcs.*), hooks with
 * every list empty (they make none), and linux with
 * namespaces (all types but user; new or joined by path), maskedPaths,
 * readonlyPaths, resources with devices alone, and an absolute
 * cgroupsPath without '.', '..', ':' or newlines.
 *
 * The spec returned is the full path's as hcs_runtime_spec_new_for_container
 * returns it. What the full path sets on it afterwards, not from
 * config.json, is the caller's:
 *
 * - die_with_parent: argon's setting (die-with-creator);
 * - cgroup_procs, and the HCS_RUNTIME_CGROUP_PLACEHOLDER mounts replaced
 *   by the cgroup's own (hcs_runtime_spec_set_cgroup, GLib only and in
 *   this library too, on base's cgroup library); the cgroup itself
 *   is PARENT/ID or linux.cgroupsPath (which the caller reads from the
 *   config: one this accepts, hcs_runtime_cgroup_split_path takes), with
 *   spec->resources and spec->oci_resources applied to it as argon does
 *   (a leading "deny all" device rule skips the default allow-list);
 * - detach and start_fifo: a detached create (runc's `create`, `run -d`).
 *
 * Also the caller's, before this: the container id (hcs_state_validate_id's
 * rules), config.json's text (the 4 MiB limit, declined with a NUL byte,
 * which the full path reads up to), the isolation (process only: the
 * runtime options may choose another), and after it the records that
 * carry the annotations and the exec template (its spec:
 * hcs_runtime_spec_new_oci_exec_template). tests/test-oci-spec-glib.c
 * reads a bundle as the front will.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs-json.h"
#include "hcs-runtime-spec.h"

G_BEGIN_DECLS

/* The spec of container @id from @config (config.json's root), whose
 * relative root.path is taken from @bundle_dir (an absolute, canonical
 * path; NULL: the current directory, as the full path does). NULL when
 * declined, with @declined (transfer full) set to the reason, which
 * starts with the member it concerns ("linux.seccomp: not translated
 * here", "process.args: must not be empty"). */
HcsRuntimeSpec *hcs_runtime_spec_new_for_oci_config (const char *id, const HcsJsonNode *config,
                                                     const char *bundle_dir, char **declined);

/* The exec template a create writes beside the spec (argon's
 * write_exec_gate: hcsctl's front serves `exec` from it): the spec of an
 * exec of "/bin/true" that starts from config.json's process, as the full
 * path makes it from the container's exec defaults, from @spec (one
 * hcs_runtime_spec_new_for_oci_config returned). Its pid, cgroup_procs
 * (hcs_runtime_spec_set_cgroup), detach (TRUE) and die_with_parent are
 * the caller's, as for the create's spec; the record says the container
 * has exec defaults (an OCI container always has). */
HcsRuntimeSpec *hcs_runtime_spec_new_oci_exec_template (const HcsRuntimeSpec *spec);

/* hcsctl's own `run [--rootfs DIR] [--name NAME] -- COMMAND [ARG...]`,
 * nothing else given: the spec hcs_runtime_spec_new_for_container makes
 * of the ContainerConfig hcsctl_cmd_run builds (VolumePath @rootfs, the
 * name @name or none, a process of @args, everything else default), for
 * container @id. NULL with @declined set when the full path would refuse
 * it (a root that is no directory given by its absolute path, no args).
 * The caller's afterwards, as for the OCI spec: die_with_parent, the
 * cgroup, detach. */
HcsRuntimeSpec *hcs_runtime_spec_new_for_command (const char *id, const char *name,
                                                  const char *rootfs, const char *const *args,
                                                  char **declined);

/* The exec template (argon's write_exec_gate) of a container without
 * exec defaults, such as the one above: an exec of "/bin/true" from a
 * bare ProcessConfig. Its pid, cgroup, detach and die_with_parent are
 * the caller's. */
HcsRuntimeSpec *hcs_runtime_spec_new_exec_template (const char *id);

G_END_DECLS
