/* hcs-runtime-cgroup-oci.h: what a container's cgroup takes that is not
 * GLib alone (hcs-runtime-cgroup.h is): libhcs's HcsResourceUpdate, and
 * config.json's linux.resources read with json-glib. In the runtime
 * library, beside hcs-runtime-cgroup.h's manager.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "hcs-documents.h"
#include "hcs-runtime-cgroup.h"

G_BEGIN_DECLS

/* hcs_runtime_cgroup_set_limits() of @update's limits (its fields < 0 left
 * alone, 0 = unlimited); @update's oci_resources is not read here. */
gboolean hcs_runtime_cgroup_apply (HcsRuntimeCgroup *cgroup, const HcsResourceUpdate *update,
                                   GError **error);

/* --- config.json's linux.resources, as given (hcs-runtime-cgroup-oci.c) --- */

/* Refuses a linux.resources object (JSON text) with a value out of range
 * or of the wrong type, naming the field; writes nothing. */
gboolean hcs_runtime_oci_resources_check (const char *json, GError **error);
/* What hcs_runtime_cgroup_apply_oci would write on v1 or @v2, in order,
 * as "CONTROLLER/FILE=VALUE" lines (for tests: v2 is not mounted with
 * controllers on every machine). */
GStrv hcs_runtime_oci_resources_plan (const char *json, gboolean v2, GError **error);
/* Writes it to @cgroup's files for its version: memory (limit, swap,
 * reservation, swappiness, disableOOMKiller), cpu (shares, quota, period,
 * realtime, cpus, mems), blockIO (weights, throttles), hugepageLimits,
 * network (classID, priorities), devices (v1's allow-list, followed by
 * the OCI defaults). What the host's cgroups cannot do is
 * HCS_ERROR_NOT_SUPPORTED naming the field. */
gboolean hcs_runtime_cgroup_apply_oci (HcsRuntimeCgroup *cgroup, const char *json,
                                       GError **error);
/* Whether @json's device rules begin with a "deny all" (type a), as runc's
 * default spec does: on v1 that write empties the allow-list, so whatever
 * was allowed before it is undone (hcs_runtime_cgroup_apply_oci then
 * writes the OCI defaults again after the config's rules). FALSE for JSON
 * it cannot read: apply_oci says what is wrong with it. */
gboolean hcs_runtime_oci_resources_reset_devices (const char *json);

G_END_DECLS
