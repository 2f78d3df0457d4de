/* argon-state.c: what a container leaves on disk, so that any process can
 * open it again (runc's state.json, HCS's service-owned systems).
 *
 * One folder a system, STATE_DIR/systems/ID (mode 0700): `argon.json`
 * (written to a temporary file and renamed, so a reader never sees half of
 * it; not synced to disk: runtime state, like /run, does not outlive a
 * reboot, and its systems do not either) and, for a detached create, `exec.fifo`. The folder is
 * made with mkdir, which fails if it exists: of two processes creating one
 * id, exactly one wins.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "argon-private.h"

#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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

char *
argon_state_folder (const char *state_dir, const char *id)
{
  return g_build_filename (state_dir, "systems", id, NULL);
}

gboolean
argon_state_reserve (const char *folder, const char *id, GError **error)
{
  g_autofree char *systems = g_path_get_dirname (folder);

  if (g_mkdir_with_parents (systems, 0711) < 0)
    return hcs_set_error_from_errno (error, errno, "argon: creating the state folder %s",
                                     systems);
  if (mkdir (folder, 0700) < 0)
    {
      if (errno == EEXIST)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS,
                       "argon: a compute system with id '%s' already exists (%s)", id, folder);
          return FALSE;
        }
      return hcs_set_error_from_errno (error, errno, "argon: creating %s", folder);
    }
  return TRUE;
}

/* A temporary file in the same folder, renamed over @path: readers see the
 * old file or the new one, never half of one. No fsync (see above). */
static gboolean
write_atomically (const char *folder, const char *path, const char *text, GError **error)
{
  g_autofree char *temp = g_build_filename (folder, ".argon-XXXXXX", NULL);
  g_autoptr (GOutputStream) stream = NULL;
  g_autoptr (GError) local_error = NULL;
  int fd = g_mkstemp_full (temp, O_WRONLY | O_CLOEXEC, 0600);

  if (fd < 0)
    return hcs_set_error_from_errno (error, errno, "argon: saving %s", path);
  stream = g_unix_output_stream_new (fd, TRUE);
  if (!g_output_stream_write_all (stream, text, strlen (text), NULL, NULL, &local_error) ||
      !g_output_stream_close (stream, NULL, &local_error) || rename (temp, path) < 0)
    {
      if (local_error == NULL)
        local_error = g_error_new_literal (G_IO_ERROR, g_io_error_from_errno (errno),
                                           g_strerror (errno));
      unlink (temp);
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "argon: saving %s: %s", path,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
argon_state_save (const char *folder, const ArgonStateFile *state, GError **error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *path = g_build_filename (folder, "argon.json", NULL);
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
  return write_atomically (folder, path, text, error);
}

static gboolean
corrupt (GError **error, const char *path, const char *what)
{
  g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "argon: the state file %s is corrupt: %s",
               path, what);
  return FALSE;
}

gboolean
argon_state_load (const char *folder, ArgonStateFile *state, GError **error)
{
  g_autofree char *path = g_build_filename (folder, "argon.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local_error = NULL;
  JsonObject *object, *cgroup;
  JsonNode *root;

  memset (state, 0, sizeof *state);
  if (!json_parser_load_from_mapped_file (parser, path, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,
                       "argon: no compute system has its state in %s", folder);
          return FALSE;
        }
      return corrupt (error, path, local_error->message);
    }
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
  if (*state->id == '\0' || state->pid <= 0 || *state->cgroup_parent == '\0')
    {
      argon_state_clear (state);
      return corrupt (error, path, "empty id, pid or cgroup parent");
    }
  return TRUE;
}

gboolean
argon_state_remove (const char *folder, GError **error)
{
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  if (dir == NULL)
    return TRUE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      if (unlink (path) < 0 && errno != ENOENT)
        return hcs_set_error_from_errno (error, errno, "argon: removing %s", path);
    }
  if (rmdir (folder) < 0 && errno != ENOENT)
    return hcs_set_error_from_errno (error, errno, "argon: removing %s", folder);
  return TRUE;
}

/* Field 22 of /proc/PID/stat, the start time in clock ticks since boot:
 * with the pid it names one process, even once the pid is reused. 0 for a
 * process that is gone or a zombie: it has exited, whoever reaps it. */
guint64
argon_process_start_time (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  const char *after_name;
  guint64 value = 0;
  int field = 2;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  /* The name (field 2) may hold spaces and parentheses: skip to its end. */
  after_name = strrchr (text, ')');
  if (after_name == NULL || after_name[1] != ' ' || after_name[2] == 'Z' || after_name[2] == 'X')
    return 0;
  for (const char *p = after_name + 1; *p; p++)
    if (*p == ' ' && ++field == 22)
      {
        value = g_ascii_strtoull (p + 1, NULL, 10);
        break;
      }
  return value;
}

GPtrArray *
argon_state_list_ids (const char *state_dir)
{
  g_autofree char *systems = g_build_filename (state_dir, "systems", NULL);
  g_autoptr (GDir) dir = g_dir_open (systems, 0, NULL);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (ids, g_strdup (name));
  return ids;
}
