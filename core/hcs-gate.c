/* hcs-gate.c: a compute system's start gate (hcs-gate.h says what and
 * why). GLib only, on purpose: hcsctl's front links nothing else.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-gate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

guint64
hcs_gate_process_start_time (int pid)
{
  char path[64], text[1024];
  const char *after_name;
  int field = 2, fd;
  gssize n;

  if (pid <= 0)
    return 0;
  g_snprintf (path, sizeof path, "/proc/%d/stat", pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  do
    n = read (fd, text, sizeof text - 1);
  while (n < 0 && errno == EINTR);
  close (fd);
  if (n <= 0)
    return 0;
  text[n] = '\0';
  /* The name (field 2) may hold spaces and parentheses: skip to its end. */
  after_name = strrchr (text, ')');
  if (after_name == NULL || after_name[1] != ' ' || after_name[2] == 'Z' || after_name[2] == 'X')
    return 0;
  for (const char *p = after_name + 1; *p; p++)
    if (*p == ' ' && ++field == 22)
      return g_ascii_strtoull (p + 1, NULL, 10);
  return 0;
}

void
hcs_gate_fault_point (const char *name)
{
  const char *points = g_getenv ("HCS_FAULT_POINT");
  g_auto (GStrv) names = NULL;

  if (points == NULL || *points == '\0')
    return;
  names = g_strsplit (points, ",", -1);
  if (g_strv_contains ((const char *const *) names, name))
    {
      kill (getpid (), SIGKILL);
      for (;;)
        pause ();
    }
  /* NAME:stop stops instead, for a test to look at that instant (SIGCONT
   * goes on). */
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_has_prefix (names[i], name) && g_str_equal (names[i] + strlen (name), ":stop"))
      kill (getpid (), SIGSTOP);
}

char *
hcs_gate_format (int pid, guint64 pid_start_time, gint64 created, const char *start_fifo,
                 const char *freezer, int freezer_version)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();

  g_key_file_set_integer (file, "gate", "version", HCS_GATE_VERSION);
  g_key_file_set_integer (file, "gate", "pid", pid);
  g_key_file_set_uint64 (file, "gate", "pid-start-time", pid_start_time);
  g_key_file_set_int64 (file, "gate", "created", created);
  if (start_fifo != NULL)
    g_key_file_set_string (file, "gate", "start-fifo", start_fifo);
  if (freezer != NULL)
    {
      g_key_file_set_string (file, "gate", "freezer", freezer);
      g_key_file_set_integer (file, "gate", "freezer-version", freezer_version);
    }
  return g_key_file_to_data (file, NULL, NULL);
}

char *
hcs_gate_file_stamp (const char *path)
{
  struct stat st;

  if (stat (path, &st) < 0)
    return NULL;
  return g_strdup_printf ("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT, (gint64) st.st_size,
                          (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) +
                              st.st_mtim.tv_nsec);
}

char *
hcs_gate_format_oci (const char *members, const char *annotations, gboolean poststart,
                     gboolean poststop, const char *config, const char *config_stamp)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();

  g_key_file_set_integer (file, "oci", "version", HCS_GATE_VERSION);
  g_key_file_set_string (file, "oci", "members", members);
  if (annotations != NULL)
    g_key_file_set_string (file, "oci", "annotations", annotations);
  g_key_file_set_boolean (file, "oci", "poststart", poststart);
  g_key_file_set_boolean (file, "oci", "poststop", poststop);
  if (config != NULL && config_stamp != NULL)
    {
      g_key_file_set_string (file, "oci", "config", config);
      g_key_file_set_string (file, "oci", "config-stamp", config_stamp);
    }
  return g_key_file_to_data (file, NULL, NULL);
}

void
hcs_gate_clear (HcsGate *gate)
{
  g_clear_pointer (&gate->folder, g_free);
  g_clear_pointer (&gate->id, g_free);
  g_clear_pointer (&gate->owner, g_free);
  g_clear_pointer (&gate->start_fifo, g_free);
  g_clear_pointer (&gate->freezer, g_free);
  g_clear_pointer (&gate->oci_members, g_free);
  g_clear_pointer (&gate->oci_annotations, g_free);
  g_clear_pointer (&gate->oci_config, g_free);
  g_clear_pointer (&gate->oci_config_stamp, g_free);
}

/* A record name as hcs-state allows it: one plain component. */
static gboolean
is_record_name (const char *name)
{
  return name != NULL && *name != '\0' && *name != '.' && strchr (name, '/') == NULL;
}

static gboolean
doubt (GError **error, const char *folder, const char *what)
{
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", folder, what);
  return FALSE;
}

static GKeyFile *
load_key_file (const char *folder, const char *name, const char *group, GError **error)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr (GKeyFile) file = g_key_file_new ();

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, error))
    return NULL;
  if (g_key_file_get_integer (file, group, "version", NULL) != HCS_GATE_VERSION)
    {
      doubt (error, path, "not a gate record of version " G_STRINGIFY (HCS_GATE_VERSION));
      return NULL;
    }
  return g_steal_pointer (&file);
}

#define EXEC_RECORD_TYPE "(ua{sv})"

GBytes *
hcs_gate_format_exec (GBytes *spec)
{
  g_autoptr (GVariant) dict =
      g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, spec, FALSE));
  g_autoptr (GVariant) record =
      g_variant_ref_sink (g_variant_new ("(u@a{sv})", HCS_GATE_VERSION, dict));

  return g_variant_get_data_as_bytes (record);
}

GVariant *
hcs_gate_load_exec (const HcsGate *gate, GError **error)
{
  g_autofree char *path = g_build_filename (gate->folder, HCS_GATE_EXEC_RECORD, NULL);
  g_autoptr (GMappedFile) file = g_mapped_file_new (path, FALSE, error);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GVariant) record = NULL;
  guint32 version = 0;
  GVariant *dict = NULL;

  if (file == NULL)
    return NULL;
  bytes = g_mapped_file_get_bytes (file);
  /* Not trusted: checked whole before any member is read. */
  record = g_variant_ref_sink (
      g_variant_new_from_bytes (G_VARIANT_TYPE (EXEC_RECORD_TYPE), bytes, FALSE));
  if (!g_variant_is_normal_form (record))
    {
      doubt (error, path, "not an exec template");
      return NULL;
    }
  g_variant_get (record, "(u@a{sv})", &version, &dict);
  if (version != HCS_GATE_VERSION)
    {
      g_variant_unref (dict);
      doubt (error, path, "not a gate record of version " G_STRINGIFY (HCS_GATE_VERSION));
      return NULL;
    }
  return dict;
}

gboolean
hcs_gate_load (const char *state_dir, const char *id, HcsGate *gate, GError **error)
{
  g_autoptr (GKeyFile) file = NULL, oci = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *owner_path = NULL, *creating_path = NULL, *started_path = NULL;
  g_autofree char *monitor_path = NULL;
  g_autofree char *started = NULL;
  GError *key_error = NULL;

  memset (gate, 0, sizeof *gate);
  gate->id = g_strdup (id);
  gate->folder = g_build_filename (state_dir, "systems", id, NULL);
  owner_path = g_build_filename (gate->folder, "owner", NULL);
  /* No folder, or one without its owner: the full path says which. */
  if (!g_file_get_contents (owner_path, &gate->owner, NULL, error))
    return FALSE;
  g_strstrip (gate->owner);
  creating_path = g_build_filename (gate->folder, "creating", NULL);
  if (access (creating_path, F_OK) == 0 || errno != ENOENT)
    return doubt (error, gate->folder, "created by a process still at work, or killed");
  /* A system held by a monitor answers there (hcs-monitor-private.h): its
   * monitor's own view of it must see every start. */
  monitor_path = g_build_filename (gate->folder, "monitor.sock", NULL);
  if (access (monitor_path, F_OK) == 0 || errno != ENOENT)
    return doubt (error, gate->folder, "held by a monitor");

  file = load_key_file (gate->folder, HCS_GATE_RECORD, "gate", error);
  if (file == NULL)
    return FALSE;
  gate->pid = g_key_file_get_integer (file, "gate", "pid", &key_error);
  if (key_error == NULL)
    gate->pid_start_time = g_key_file_get_uint64 (file, "gate", "pid-start-time", &key_error);
  if (key_error == NULL)
    gate->created = g_key_file_get_int64 (file, "gate", "created", &key_error);
  if (key_error != NULL)
    {
      g_propagate_error (error, key_error);
      return FALSE;
    }
  if (gate->pid <= 0 || gate->pid_start_time == 0)
    return doubt (error, gate->folder, "the gate names no init");
  gate->start_fifo = g_key_file_get_string (file, "gate", "start-fifo", NULL);
  if (gate->start_fifo != NULL && !is_record_name (gate->start_fifo))
    return doubt (error, gate->folder, "the gate's fifo is not a record name");
  gate->freezer = g_key_file_get_string (file, "gate", "freezer", NULL);
  gate->freezer_version = g_key_file_get_integer (file, "gate", "freezer-version", NULL);
  if (gate->freezer != NULL && (!g_path_is_absolute (gate->freezer) ||
                                (gate->freezer_version != 1 && gate->freezer_version != 2)))
    return doubt (error, gate->folder, "the gate's freezer is not understood");

  started_path = g_build_filename (gate->folder, HCS_GATE_STARTED_RECORD, NULL);
  if (g_file_get_contents (started_path, &started, NULL, NULL))
    gate->started = g_ascii_strtoll (started, NULL, 10);

  /* The OCI part is optional here; the verbs that need it ask has_oci. */
  oci = load_key_file (gate->folder, HCS_GATE_OCI_RECORD, "oci", &local_error);
  if (oci != NULL)
    {
      gate->oci_members = g_key_file_get_string (oci, "oci", "members", NULL);
      gate->oci_annotations = g_key_file_get_string (oci, "oci", "annotations", NULL);
      gate->oci_poststart = g_key_file_get_boolean (oci, "oci", "poststart", NULL);
      gate->oci_poststop = g_key_file_get_boolean (oci, "oci", "poststop", NULL);
      gate->oci_config = g_key_file_get_string (oci, "oci", "config", NULL);
      gate->oci_config_stamp = g_key_file_get_string (oci, "oci", "config-stamp", NULL);
      gate->has_oci = gate->oci_members != NULL;
    }
  return TRUE;
}

gboolean
hcs_gate_init_holds_fifo (int pid, const char *fifo_path)
{
  char fds_path[64];
  struct stat fifo_stat;
  struct dirent *entry;
  DIR *fds;
  gboolean held = FALSE;

  if (stat (fifo_path, &fifo_stat) < 0)
    return FALSE; /* a start removes it once it has read */
  g_snprintf (fds_path, sizeof fds_path, "/proc/%d/fd", pid);
  fds = opendir (fds_path);
  if (fds == NULL)
    return FALSE;
  while (!held && (entry = readdir (fds)) != NULL)
    {
      struct stat fd_stat;

      if (entry->d_name[0] == '.')
        continue;
      if (fstatat (dirfd (fds), entry->d_name, &fd_stat, 0) == 0 &&
          fd_stat.st_dev == fifo_stat.st_dev && fd_stat.st_ino == fifo_stat.st_ino)
        held = TRUE;
    }
  closedir (fds);
  return held;
}

static gboolean
is_frozen (const HcsGate *gate)
{
  g_autofree char *text = NULL;

  if (gate->freezer == NULL || !g_file_get_contents (gate->freezer, &text, NULL, NULL))
    return FALSE;
  if (gate->freezer_version == 2)
    return strstr (text, "frozen 1") != NULL;
  return g_str_equal (g_strstrip (text), "FROZEN");
}

HcsGateStatus
hcs_gate_get_status (const HcsGate *gate)
{
  if (hcs_gate_process_start_time (gate->pid) != gate->pid_start_time)
    return HCS_GATE_STOPPED;
  if (is_frozen (gate))
    return HCS_GATE_PAUSED;
  if (gate->start_fifo != NULL && gate->started == 0)
    {
      g_autofree char *fifo = g_build_filename (gate->folder, gate->start_fifo, NULL);

      /* Released by a start killed before it could record it: running. */
      if (hcs_gate_init_holds_fifo (gate->pid, fifo))
        return HCS_GATE_CREATED;
    }
  return HCS_GATE_RUNNING;
}

const char *
hcs_gate_status_name (HcsGateStatus status)
{
  static const char *const names[] = { "created", "running", "paused", "stopped" };

  return names[status];
}

gboolean
hcs_gate_write_record (const char *folder, const char *name, const char *data, GError **error)
{
  g_autofree char *temp = g_strdup_printf ("%s/.%s-XXXXXX", folder, name);
  g_autofree char *path = g_build_filename (folder, name, NULL);
  gsize left = strlen (data);
  int fd, saved_errno;

  /* Whole or not at all for a reader: a temporary file renamed into place
   * (not fsynced: the state folder is runtime state, hcs-state.h). */
  fd = g_mkstemp_full (temp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    goto fail;
  while (left > 0)
    {
      gssize n = write (fd, data, left);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        goto fail_written;
      data += n;
      left -= (gsize) n;
    }
  if (close (fd) < 0)
    {
      fd = -1;
      goto fail_written;
    }
  fd = -1;
  if (rename (temp, path) == 0)
    return TRUE;

fail_written:
  saved_errno = errno;
  if (fd >= 0)
    close (fd);
  unlink (temp);
  errno = saved_errno;
fail:
  saved_errno = errno;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), "writing %s: %s", path,
               g_strerror (saved_errno));
  return FALSE;
}
