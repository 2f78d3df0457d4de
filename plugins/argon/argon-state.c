/* argon-state.c: what a container leaves on disk, so that any process can
 * open it again (runc's state.json, HCS's service-owned systems).
 *
 * The folder is core's (hcs-state: claimed with one winner, locked,
 * listed, removed whole); argon keeps its records in it, written whole
 * through hcs-state: `argon.json`, and while a create runs `argon-helper`
 * and `argon-init` ("PID START-TIME"), and, for a detached create,
 * `exec.fifo`.
 *
 * A create writes each record once, as a new file: argon.json (pid 0)
 * before the cgroup, argon-helper as the helper starts, argon-init once
 * the init runs; `start` rewrites argon.json with the pid. Rewriting
 * argon.json at each step instead would replace a file three times, and on
 * ext4 (auto_da_alloc) a rename over a file starts its writeback: 1-4 ms
 * of system time each, measured on this machine's /run.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "argon-private.h"

#include <string.h>

/* Written by hand (argon-record.c), not through JsonBuilder: a create
 * saves this record three times (before its cgroup, with its helper, with
 * its init), and the builder and generator cost ~100k instructions each time, a few percent
 * of a whole `hcsctl run`. The reader is json-glib's parser. */
gboolean
argon_state_save (HcsStateFolder *folder, const ArgonStateFile *state, GError **error)
{
  g_autofree char *text = argon_state_format (state);

  return hcs_state_folder_write (folder, ARGON_RECORD, text, -1, error);
}

gboolean
argon_state_save_pid (HcsStateFolder *folder, const char *record, int pid, guint64 start_time,
                      GError **error)
{
  g_autofree char *text = argon_state_format_pid (pid, start_time);

  return hcs_state_folder_write (folder, record, text, -1, error);
}

/* FALSE when there is no such record or it does not hold two numbers. */
static gboolean
load_pid (HcsStateFolder *folder, const char *record, int *pid, guint64 *start_time)
{
  g_autofree char *text = hcs_state_folder_read (folder, record, NULL, NULL);
  char *end;
  gint64 value;

  if (text == NULL)
    return FALSE;
  value = g_ascii_strtoll (text, &end, 10);
  if (end == text || *end != ' ' || value <= 0 || value > G_MAXINT)
    return FALSE;
  *pid = (int) value;
  *start_time = g_ascii_strtoull (end + 1, NULL, 10);
  return TRUE;
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
  state->cgroup_name =
      g_strdup (json_object_get_string_member_with_default (cgroup, "name", ""));
  if (*state->cgroup_name == '\0')
    g_clear_pointer (&state->cgroup_name, g_free);
  state->cgroup_version = (int) json_object_get_int_member_with_default (cgroup, "version", 0);
  state->cgroup_root = g_strdup (json_object_get_string_member_with_default (cgroup, "root", ""));
  /* The pids a create recorded beside it, until `start` rewrote it (and
   * the init's start time, when `start` came after the workload exited). */
  if (state->pid <= 0 || state->pid_start_time == 0)
    {
      int init_pid = 0;
      guint64 init_start_time = 0;

      if (load_pid (folder, ARGON_INIT_RECORD, &init_pid, &init_start_time) &&
          (state->pid <= 0 || state->pid == init_pid))
        {
          state->pid = init_pid;
          state->pid_start_time = init_start_time;
        }
    }
  load_pid (folder, ARGON_HELPER_RECORD, &state->helper_pid, &state->helper_start_time);
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
