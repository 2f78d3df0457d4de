/* argon-state.c: what a container leaves on disk, so that any process can
 * open it again (runc's state.json, HCS's service-owned systems).
 *
 * The folder is core's (hcs-state: claimed with one winner, locked,
 * listed, removed whole); argon keeps one record in it, `argon.json`,
 * written whole through hcs-state, and, for a detached create, `exec.fifo`.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "argon-private.h"

#include <string.h>

#define ARGON_RECORD "argon.json"

void
argon_state_clear (ArgonStateFile *state)
{
  g_clear_pointer (&state->id, g_free);
  g_clear_pointer (&state->name, g_free);
  g_clear_pointer (&state->owner, g_free);
  g_clear_pointer (&state->cgroup_parent, g_free);
  g_clear_pointer (&state->cgroup_root, g_free);
  g_clear_pointer (&state->exit_type, g_free);
}

gboolean
argon_state_save (HcsStateFolder *folder, const ArgonStateFile *state, GError **error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, state->id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, state->name ? state->name : state->id);
  json_builder_set_member_name (builder, "owner");
  json_builder_add_string_value (builder, state->owner ? state->owner : "");
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, state->pid);
  json_builder_set_member_name (builder, "pid_start_time");
  json_builder_add_int_value (builder, (gint64) state->pid_start_time);
  json_builder_set_member_name (builder, "helper_pid");
  json_builder_add_int_value (builder, state->helper_pid);
  json_builder_set_member_name (builder, "helper_start_time");
  json_builder_add_int_value (builder, (gint64) state->helper_start_time);
  json_builder_set_member_name (builder, "created");
  json_builder_add_int_value (builder, state->created);
  json_builder_set_member_name (builder, "started");
  json_builder_add_int_value (builder, state->started);
  json_builder_set_member_name (builder, "detached");
  json_builder_add_boolean_value (builder, state->detached);
  json_builder_set_member_name (builder, "has_own_init");
  json_builder_add_boolean_value (builder, state->has_own_init);
  json_builder_set_member_name (builder, "creator_pid");
  json_builder_add_int_value (builder, state->creator_pid);
  json_builder_set_member_name (builder, "exit_type");
  json_builder_add_string_value (builder, state->exit_type ? state->exit_type : "");
  json_builder_set_member_name (builder, "cgroup");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "parent");
  json_builder_add_string_value (builder, state->cgroup_parent);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, state->cgroup_version);
  json_builder_set_member_name (builder, "root");
  json_builder_add_string_value (builder, state->cgroup_root ? state->cgroup_root : "");
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  return hcs_state_folder_write (folder, ARGON_RECORD, text, -1, error);
}

static gboolean
corrupt (GError **error, const char *path, const char *what)
{
  g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "argon: the state file %s is corrupt: %s",
               path, what);
  return FALSE;
}

gboolean
argon_state_load (HcsStateFolder *folder, gboolean half_created, ArgonStateFile *state,
                  GError **error)
{
  g_autofree char *path = hcs_state_folder_build_path (folder, ARGON_RECORD);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local_error = NULL;
  g_autofree char *text = NULL;
  gsize length;
  JsonObject *object, *cgroup;
  JsonNode *root;

  memset (state, 0, sizeof *state);
  text = hcs_state_folder_read (folder, ARGON_RECORD, &length, error);
  if (text == NULL)
    return FALSE;
  if (!json_parser_load_from_data (parser, text, (gssize) length, &local_error))
    return corrupt (error, path, local_error->message);
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return corrupt (error, path, "not a JSON object");
  object = json_node_get_object (root);
  if (!json_object_has_member (object, "id") || !json_object_has_member (object, "pid") ||
      !json_object_has_member (object, "cgroup") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "cgroup")))
    return corrupt (error, path, "id, pid or cgroup missing");
  cgroup = json_object_get_object_member (object, "cgroup");

  state->id = g_strdup (json_object_get_string_member_with_default (object, "id", ""));
  state->name = g_strdup (json_object_get_string_member_with_default (object, "name", ""));
  state->owner = g_strdup (json_object_get_string_member_with_default (object, "owner", ""));
  state->pid = (int) json_object_get_int_member_with_default (object, "pid", 0);
  state->pid_start_time =
      (guint64) json_object_get_int_member_with_default (object, "pid_start_time", 0);
  state->helper_pid = (int) json_object_get_int_member_with_default (object, "helper_pid", 0);
  state->helper_start_time =
      (guint64) json_object_get_int_member_with_default (object, "helper_start_time", 0);
  state->created = json_object_get_int_member_with_default (object, "created", 0);
  state->started = json_object_get_int_member_with_default (object, "started", 0);
  state->detached = json_object_get_boolean_member_with_default (object, "detached", FALSE);
  state->has_own_init =
      json_object_get_boolean_member_with_default (object, "has_own_init", TRUE);
  state->creator_pid = (int) json_object_get_int_member_with_default (object, "creator_pid", 0);
  state->exit_type =
      g_strdup (json_object_get_string_member_with_default (object, "exit_type", ""));
  state->cgroup_parent =
      g_strdup (json_object_get_string_member_with_default (cgroup, "parent", ""));
  state->cgroup_version = (int) json_object_get_int_member_with_default (cgroup, "version", 0);
  state->cgroup_root = g_strdup (json_object_get_string_member_with_default (cgroup, "root", ""));
  if (*state->cgroup_root == '\0')
    g_clear_pointer (&state->cgroup_root, g_free);
  if (*state->id == '\0' || (state->pid <= 0 && !half_created) || *state->cgroup_parent == '\0')
    {
      argon_state_clear (state);
      return corrupt (error, path, "empty id, pid or cgroup parent");
    }
  return TRUE;
}

/* One process for the whole plugin, kept in core. */
guint64
argon_process_start_time (int pid)
{
  return hcs_process_start_time (pid);
}
