/* hcs-plugin-private.h: core's side of the plugin contract (not installed).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs-plugin.h"

G_BEGIN_DECLS

gpointer hcs_plugin_check_object (gpointer object, GType interface_type, const char *from,
                                  void (*undo) (gpointer object), GError **error);

/* Core's own keys, the [host] group (element-type HcsOptionSpec). */
GPtrArray *hcs_options_core_specs (void);
/* The spec of @group's @key in @specs, or with @key NULL any of @group's. */
const HcsOptionSpec *hcs_option_spec_find (GPtrArray *specs, const char *group, const char *key);
/* Whether a plugin's declaration is itself sound. */
gboolean hcs_option_spec_check (const HcsOptionSpec *spec, GError **error);
/* Checks @group's keys in @options against @specs; @what says which
 * options ("runtime options", "per-system options"). */
gboolean hcs_options_check_group (GKeyFile *options, const char *what, GPtrArray *specs,
                                  const char *group, GError **error);
/* Checks every group of @options: one with specs key by key, one in
 * @unchecked_groups (a plugin not loaded yet) later, any other is unknown. */
gboolean hcs_options_check (GKeyFile *options, const char *what, GPtrArray *specs,
                            GHashTable *unchecked_groups, GError **error);

/* "; plugin PATH: why" for each plugin the host skipped, or "". */
char *hcs_host_describe_refused_plugins (HcsHost *self);

G_END_DECLS
