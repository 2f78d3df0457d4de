/* hcs-runtime-config.h: core's documents (ContainerConfig, ProcessConfig)
 * to the runtime's spec, once.
 *
 * The translation only reads: it checks what the documents ask for
 * against the machine (a VolumePath that is a directory, Layers that are
 * in the store) and makes nothing, so a bad configuration leaves nothing
 * to undo. Its errors are HCS_ERROR_INVALID_DATA (or ELEMENT_NOT_FOUND for
 * a missing layer) naming the container and the field.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs.h"
#include "hcs-runtime-cgroup.h"
#include "hcs-runtime-spec.h"

G_BEGIN_DECLS

/* The spec of a new container @id: root, hostname, namespaces, mounts,
 * resources and, when @config has one, its init process. Layers given by
 * ID are looked up in the store at @layer_dir. A cgroup mount of @config
 * stays a placeholder until hcs_runtime_spec_set_cgroup (hcs-runtime-cgroup.h). */
HcsRuntimeSpec *hcs_runtime_spec_new_for_container (const char *id,
                                                    const HcsContainerConfig *config,
                                                    const char *layer_dir, GError **error);

/* The spec of a further process of the running container @id whose init
 * is @init_pid (host pid). */
HcsRuntimeSpec *hcs_runtime_spec_new_for_exec (const char *id, int init_pid,
                                               const HcsProcessConfig *config, GError **error);

/* Sets the process that @spec runs (args, env with PATH and TERM
 * defaults, cwd, user, terminal and its size). */
gboolean hcs_runtime_spec_set_process (HcsRuntimeSpec *spec, const HcsProcessConfig *config,
                                       GError **error);

/* Refuses what this host cannot apply to @process (an AppArmor profile
 * or SELinux label without that LSM), so that a create fails before
 * anything is made, as runc and crun refuse it. */
gboolean hcs_runtime_process_check_host (const HcsRuntimeProcess *process, GError **error);

G_END_DECLS
