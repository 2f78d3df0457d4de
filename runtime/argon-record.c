/* argon-record.c: argon's records as text, GLib alone (argon-record.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "argon-record.h"

#include <string.h>

void
argon_state_clear (ArgonStateFile *state)
{
  g_clear_pointer (&state->id, g_free);
  g_clear_pointer (&state->name, g_free);
  g_clear_pointer (&state->owner, g_free);
  g_clear_pointer (&state->cgroup_parent, g_free);
  g_clear_pointer (&state->cgroup_name, g_free);
  g_clear_pointer (&state->cgroup_root, g_free);
  g_clear_pointer (&state->exit_type, g_free);
}

/* A JSON string: quotes, backslashes and control characters escaped;
 * everything else (UTF-8 included) as it is. */
static void
append_json_string (GString *out, const char *value)
{
  g_string_append_c (out, '"');
  for (const char *p = value ? value : ""; *p; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

/* By hand rather than with json-glib's builder and generator (argon-state.c
 * says why), and so with GLib alone. */
char *
argon_state_format (const ArgonStateFile *state)
{
  GString *text = g_string_sized_new (512);

  g_string_append (text, "{\"id\":");
  append_json_string (text, state->id);
  g_string_append (text, ",\"name\":");
  append_json_string (text, state->name ? state->name : state->id);
  g_string_append (text, ",\"owner\":");
  append_json_string (text, state->owner);
  g_string_append_printf (text,
                          ",\"pid\":%d,\"pid_start_time\":%" G_GUINT64_FORMAT
                          ",\"helper_pid\":%d,\"helper_start_time\":%" G_GUINT64_FORMAT
                          ",\"created\":%" G_GINT64_FORMAT ",\"started\":%" G_GINT64_FORMAT
                          ",\"detached\":%s,\"has_own_init\":%s,\"creator_pid\":%d",
                          state->pid, state->pid_start_time, state->helper_pid,
                          state->helper_start_time, state->created, state->started,
                          state->detached ? "true" : "false",
                          state->has_own_init ? "true" : "false", state->creator_pid);
  g_string_append (text, ",\"exit_type\":");
  append_json_string (text, state->exit_type);
  g_string_append (text, ",\"cgroup\":{\"parent\":");
  append_json_string (text, state->cgroup_parent);
  if (state->cgroup_name != NULL)
    {
      g_string_append (text, ",\"name\":");
      append_json_string (text, state->cgroup_name);
    }
  g_string_append_printf (text, ",\"version\":%d,\"root\":", state->cgroup_version);
  append_json_string (text, state->cgroup_root);
  g_string_append (text, "}}");
  return g_string_free (text, FALSE);
}

char *
argon_state_format_pid (int pid, guint64 start_time)
{
  return g_strdup_printf ("%d %" G_GUINT64_FORMAT "\n", pid, start_time);
}

GBytes *
argon_record_format_seccomp (GBytes *program, gint64 flags)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (program, &size);
  GByteArray *record = g_byte_array_sized_new (sizeof (gint64) + size);

  g_byte_array_append (record, (const guint8 *) &flags, sizeof (gint64));
  if (size > 0)
    g_byte_array_append (record, data, size);
  return g_byte_array_free_to_bytes (record);
}

gboolean
argon_record_parse_seccomp (const char *record, gsize length, GBytes **program, gint64 *flags)
{
  /* struct sock_filter is 8 bytes. */
  if (length < sizeof (gint64) || (length - sizeof (gint64)) % 8 != 0)
    return FALSE;
  memcpy (flags, record, sizeof (gint64));
  *program = g_bytes_new (record + sizeof (gint64), length - sizeof (gint64));
  return TRUE;
}
