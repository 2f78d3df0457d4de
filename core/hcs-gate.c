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
#include <sys/syscall.h>
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
hcs_gate_format_remove (const char *const *cgroups, const char *members, int helper_pid,
                        guint64 helper_start_time)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autofree char *text = NULL;

  g_key_file_set_integer (file, "remove", "version", HCS_GATE_REMOVE_VERSION);
  g_key_file_set_string_list (file, "remove", "cgroups", cgroups, g_strv_length ((char **) cgroups));
  g_key_file_set_string (file, "remove", "members", members);
  g_key_file_set_integer (file, "remove", "helper", helper_pid);
  g_key_file_set_uint64 (file, "remove", "helper-start-time", helper_start_time);
  text = g_key_file_to_data (file, NULL, NULL);
  /* A group of its own after [gate]'s keys: a blank line between. */
  return g_strconcat ("\n", text, NULL);
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
  g_clear_pointer (&gate->cgroups, g_strfreev);
  g_clear_pointer (&gate->cgroup_members, g_free);
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

/* A cgroup directory the gate may name: absolute, no way up, and so one
 * that rmdir and kill may be pointed at. */
static gboolean
is_cgroup_dir (const char *path)
{
  return path != NULL && g_path_is_absolute (path) && strstr (path, "/..") == NULL &&
         strstr (path, "/./") == NULL && !g_str_equal (path, "/");
}

/* [remove], when every key is there and makes sense; otherwise the gate
 * stays not removable and a delete goes to the driver. */
static void
load_remove (GKeyFile *file, HcsGate *gate)
{
  g_auto (GStrv) cgroups = NULL;
  g_autofree char *members = NULL;
  GError *key_error = NULL;
  int helper_pid;
  guint64 helper_start_time;

  if (!g_key_file_has_group (file, "remove") ||
      g_key_file_get_integer (file, "remove", "version", NULL) != HCS_GATE_REMOVE_VERSION)
    return;
  cgroups = g_key_file_get_string_list (file, "remove", "cgroups", NULL, NULL);
  members = g_key_file_get_string (file, "remove", "members", NULL);
  helper_pid = g_key_file_get_integer (file, "remove", "helper", &key_error);
  if (key_error == NULL)
    helper_start_time = g_key_file_get_uint64 (file, "remove", "helper-start-time", &key_error);
  if (key_error != NULL)
    {
      g_error_free (key_error);
      return;
    }
  if (cgroups == NULL || cgroups[0] == NULL || !is_cgroup_dir (members) || helper_pid < 0 ||
      !g_strv_contains ((const char *const *) cgroups, members))
    return;
  for (guint i = 0; cgroups[i] != NULL; i++)
    if (!is_cgroup_dir (cgroups[i]))
      return;
  gate->cgroups = g_steal_pointer (&cgroups);
  gate->cgroup_members = g_steal_pointer (&members);
  gate->helper_pid = helper_pid;
  gate->helper_start_time = helper_start_time;
  gate->removable = TRUE;
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

#define EXEC_RECORD_TYPE "(uba{sv})"

GBytes *
hcs_gate_format_exec (GBytes *spec, gboolean exec_defaults)
{
  g_autoptr (GVariant) dict =
      g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, spec, FALSE));
  g_autoptr (GVariant) record = g_variant_ref_sink (
      g_variant_new ("(ub@a{sv})", HCS_GATE_EXEC_VERSION, exec_defaults, dict));

  return g_variant_get_data_as_bytes (record);
}

GVariant *
hcs_gate_load_exec (const HcsGate *gate, gboolean *exec_defaults, GError **error)
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
  /* Another version may have another type: its number first. */
  if (g_bytes_get_size (bytes) < sizeof version)
    {
      doubt (error, path, "not an exec template");
      return NULL;
    }
  memcpy (&version, g_bytes_get_data (bytes, NULL), sizeof version);
  if (version != HCS_GATE_EXEC_VERSION)
    {
      doubt (error, path, "not an exec template of version " G_STRINGIFY (HCS_GATE_EXEC_VERSION));
      return NULL;
    }
  /* Not trusted: checked whole before any member is read. */
  record = g_variant_ref_sink (
      g_variant_new_from_bytes (G_VARIANT_TYPE (EXEC_RECORD_TYPE), bytes, FALSE));
  if (!g_variant_is_normal_form (record))
    {
      doubt (error, path, "not an exec template");
      return NULL;
    }
  g_variant_get (record, "(ub@a{sv})", &version, exec_defaults, &dict);
  return dict;
}

static gboolean
all_digits (const char *text, const char *end)
{
  if (text == end)
    return FALSE;
  for (; text < end; text++)
    if (!g_ascii_isdigit (*text))
      return FALSE;
  return TRUE;
}

int
hcs_gate_boolean_value (const char *value)
{
  const char *const true_words[] = { "true", "yes", "1" };
  const char *const false_words[] = { "false", "no", "0" };

  for (gsize i = 0; i < G_N_ELEMENTS (true_words); i++)
    {
      if (g_ascii_strcasecmp (value, true_words[i]) == 0)
        return TRUE;
      if (g_ascii_strcasecmp (value, false_words[i]) == 0)
        return FALSE;
    }
  return -1;
}

char *
hcs_gate_exec_user (const char *base, const char *given)
{
  const char *base_gid = base ? strchr (base, ':') : NULL;

  /* A name, given or in @base, is resolved in the container with its own
   * group: only numbers combine. */
  if (base_gid == NULL || !all_digits (given, given + strlen (given)) ||
      !all_digits (base, base_gid) || !all_digits (base_gid + 1, base_gid + strlen (base_gid)))
    return g_strdup (given);
  return g_strconcat (given, base_gid, NULL);
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
  load_remove (file, gate);

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

int
hcs_gate_open_init (const HcsGate *gate)
{
  int pidfd = (int) syscall (SYS_pidfd_open, gate->pid, 0);

  if (pidfd >= 0 && hcs_gate_process_start_time (gate->pid) != gate->pid_start_time)
    {
      close (pidfd);
      errno = ESRCH;
      return -1;
    }
  return pidfd;
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

/* --- removing what a system held (a delete on the front, hcs-gate.h) ------------------- */

static gboolean
fail_errno (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), "%s %s: %s", what,
               path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
write_cgroup_file (const char *dir, const char *name, const char *value, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  gsize length = strlen (value);
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  gssize n;

  if (fd < 0)
    return fail_errno (error, errno, "opening", path);
  do
    n = write (fd, value, length);
  while (n < 0 && errno == EINTR);
  if (n != (gssize) length)
    {
      int saved_errno = n < 0 ? errno : EIO;

      close (fd);
      return fail_errno (error, saved_errno, "writing", path);
    }
  close (fd);
  return TRUE;
}

/* A frozen v1 task gets SIGKILL only once thawed; v2 without cgroup.kill
 * likewise. Waits until the freezer says it is thawed. */
static gboolean
thaw (const char *freezer, int freezer_version, gint64 deadline, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (freezer);
  HcsGate probe = { .freezer = (char *) freezer, .freezer_version = freezer_version };

  while (is_frozen (&probe))
    {
      /* v1 may stay FREEZING while a task sleeps uninterruptibly: writing
       * again retries. */
      if (!write_cgroup_file (dir, freezer_version == 2 ? "cgroup.freeze" : "freezer.state",
                              freezer_version == 2 ? "0" : "THAWED", error))
        return FALSE;
      if (!is_frozen (&probe))
        break;
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: timed out thawing", dir);
          return FALSE;
        }
      g_usleep (1000);
    }
  return TRUE;
}

gboolean
hcs_gate_cgroup_kill_all (const char *members_dir, const char *freezer, int freezer_version,
                          GError **error)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  g_autofree char *procs = g_build_filename (members_dir, "cgroup.procs", NULL);
  g_autofree char *kill_file = g_build_filename (members_dir, "cgroup.kill", NULL);
  gboolean has_kill = access (kill_file, F_OK) == 0;

  /* A thaw that fails leaves the SIGKILLs pending: the wait below says so. */
  if (!has_kill && freezer != NULL)
    thaw (freezer, freezer_version, deadline, NULL);
  if (has_kill)
    {
      g_autoptr (GError) kill_error = NULL;

      if (!write_cgroup_file (members_dir, "cgroup.kill", "1", &kill_error))
        {
          if (g_error_matches (kill_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return TRUE; /* removed meanwhile: nobody in it */
          g_propagate_error (error, g_steal_pointer (&kill_error));
          return FALSE;
        }
    }

  /* Killed tasks leave within a fraction of a millisecond, mostly: look
   * again soon, then less and less often. */
  for (gulong pause_us = 100;; pause_us = MIN (pause_us * 2, 2000))
    {
      g_autofree char *text = NULL;
      g_auto (GStrv) lines = NULL;
      guint members = 0;

      if (!g_file_get_contents (procs, &text, NULL, NULL))
        return TRUE; /* no cgroup: nobody in it */
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          gint64 pid = g_ascii_strtoll (lines[i], NULL, 10);

          if (pid <= 0 || pid > G_MAXINT)
            continue;
          members++;
          if (!has_kill)
            kill ((pid_t) pid, SIGKILL);
        }
      if (members == 0)
        return TRUE;
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                       "%s: %u processes survived SIGKILL for 5 s", members_dir, members);
          return FALSE;
        }
      g_usleep (pause_us);
    }
}

static gboolean
remove_cgroup_dir (const char *dir, gint64 deadline, GError **error)
{
  DIR *children;

  /* Most often the directory goes at once: nothing in it but the
   * kernel's files. Only a busy one is looked into. */
  if (rmdir (dir) == 0 || errno == ENOENT)
    return TRUE;
  if (errno != EBUSY)
    return fail_errno (error, errno, "removing", dir);
  children = opendir (dir);
  /* Sub-cgroups the workload made (with a cgroup namespace): first. */
  if (children != NULL)
    {
      struct dirent *entry;
      gboolean ok = TRUE;

      while (ok && (entry = readdir (children)) != NULL)
        {
          g_autofree char *child = NULL;

          if (entry->d_type != DT_DIR || g_str_equal (entry->d_name, ".") ||
              g_str_equal (entry->d_name, ".."))
            continue;
          child = g_build_filename (dir, entry->d_name, NULL);
          ok = remove_cgroup_dir (child, deadline, error);
        }
      closedir (children);
      if (!ok)
        return FALSE;
    }
  /* Tasks just killed can keep the directory busy a moment after they
   * are gone from cgroup.procs. */
  while (rmdir (dir) < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      if (errno != EBUSY || g_get_monotonic_time () > deadline)
        {
          if (errno == EBUSY)
            {
              g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s still has processes",
                           dir);
              return FALSE;
            }
          return fail_errno (error, errno, "removing", dir);
        }
      g_usleep (10000);
    }
  return TRUE;
}

gboolean
hcs_gate_cgroup_remove (const char *const *dirs, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  for (guint i = 0; dirs[i] != NULL; i++)
    if (!remove_cgroup_dir (dirs[i], deadline, error))
      return FALSE;
  return TRUE;
}

static gboolean
remove_tree_at (int parent_fd, const char *name, dev_t device, const char *path, GError **error)
{
  struct stat st;
  struct dirent *entry;
  gboolean ok = TRUE;
  DIR *dir;
  int fd;

  if (fstatat (parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? TRUE : fail_errno (error, errno, "removing", path);
  if (!S_ISDIR (st.st_mode))
    {
      if (unlinkat (parent_fd, name, 0) < 0 && errno != ENOENT)
        return fail_errno (error, errno, "removing", path);
      return TRUE;
    }
  if (st.st_dev != device)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "%s is a mount point: not removing what is mounted there", path);
      return FALSE;
    }
  fd = openat (parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? TRUE : fail_errno (error, errno, "opening", path);
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      int saved_errno = errno;

      close (fd);
      return fail_errno (error, saved_errno, "reading", path);
    }
  while (ok && (entry = readdir (dir)) != NULL)
    {
      g_autofree char *child = NULL;

      if (g_str_equal (entry->d_name, ".") || g_str_equal (entry->d_name, ".."))
        continue;
      child = g_build_filename (path, entry->d_name, NULL);
      ok = remove_tree_at (dirfd (dir), entry->d_name, device, child, error);
    }
  closedir (dir);
  if (ok && unlinkat (parent_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return fail_errno (error, errno, "removing", path);
  return ok;
}

gboolean
hcs_gate_remove_tree (const char *path, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *name = g_path_get_basename (path);
  struct stat st;
  int parent_fd;
  gboolean ok;

  parent_fd = open (parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (parent_fd < 0)
    return errno == ENOENT ? TRUE : fail_errno (error, errno, "opening", parent);
  if (fstat (parent_fd, &st) < 0)
    {
      int saved_errno = errno;

      close (parent_fd);
      return fail_errno (error, saved_errno, "reading", parent);
    }
  ok = remove_tree_at (parent_fd, name, st.st_dev, path, error);
  close (parent_fd);
  return ok;
}
