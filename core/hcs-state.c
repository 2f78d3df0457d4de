/* hcs-state.c: the state directory and the systems' folders in it
 * (hcs-state.h says what lies where and why).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "hcs-state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "hcs-error.h"
#include "hcs-gate.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

#define SYSTEMS_NAME "systems"
#define OWNER_NAME "owner"
#define CREATING_NAME "creating"
#define LOCK_NAME "lock"
#define CLAIM_PREFIX ".claim-"
#define REMOVING_PREFIX ".removing-"

/* --- HcsState ------------------------------------------------------------------------ */

struct _HcsState
{
  GObject parent_instance;

  char *state_dir;
  char *layer_dir;
  char *systems_dir;
};

G_DEFINE_FINAL_TYPE (HcsState, hcs_state, G_TYPE_OBJECT)

static void
hcs_state_finalize (GObject *object)
{
  HcsState *self = HCS_STATE (object);

  g_free (self->state_dir);
  g_free (self->layer_dir);
  g_free (self->systems_dir);
  G_OBJECT_CLASS (hcs_state_parent_class)->finalize (object);
}

static void
hcs_state_class_init (HcsStateClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hcs_state_finalize;
}

static void
hcs_state_init (HcsState *self)
{
}

HcsState *
hcs_state_new (const char *state_dir, const char *layer_dir, GError **error)
{
  HcsState *self;

  g_return_val_if_fail (state_dir != NULL && layer_dir != NULL, NULL);
  if (!g_path_is_absolute (state_dir))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "runtime options: [host] state-dir: '%s' is not an absolute path", state_dir);
      return NULL;
    }
  if (!g_path_is_absolute (layer_dir))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "runtime options: [host] layer-dir: '%s' is not an absolute path", layer_dir);
      return NULL;
    }
  self = g_object_new (HCS_TYPE_STATE, NULL);
  self->state_dir = g_canonicalize_filename (state_dir, NULL);
  self->layer_dir = g_canonicalize_filename (layer_dir, NULL);
  self->systems_dir = g_build_filename (self->state_dir, SYSTEMS_NAME, NULL);
  return self;
}

static char *
option_or_default (GKeyFile *options, const char *key, const char *default_value)
{
  char *value = options ? g_key_file_get_string (options, "host", key, NULL) : NULL;

  if (value != NULL && *g_strstrip (value) != '\0')
    return value;
  g_free (value);
  return g_strdup (default_value);
}

HcsState *
hcs_state_new_from_options (GKeyFile *options, GError **error)
{
  g_autofree char *state_dir = option_or_default (options, "state-dir", HCS_DEFAULT_STATE_DIR);
  g_autofree char *layer_dir = option_or_default (options, "layer-dir", HCS_DEFAULT_LAYER_DIR);

  return hcs_state_new (state_dir, layer_dir, error);
}

const char *
hcs_state_get_state_dir (HcsState *self)
{
  g_return_val_if_fail (HCS_IS_STATE (self), NULL);
  return self->state_dir;
}

const char *
hcs_state_get_layer_dir (HcsState *self)
{
  g_return_val_if_fail (HCS_IS_STATE (self), NULL);
  return self->layer_dir;
}

/* A name of one path component that is none of ours to hide: no '/', no
 * leading '.' (temporary files), not empty. */
static gboolean
is_plain_name (const char *name)
{
  return name != NULL && *name != '\0' && *name != '.' && strchr (name, '/') == NULL &&
         strlen (name) <= 255;
}

char *
hcs_state_get_plugin_dir (HcsState *self, const char *name)
{
  g_return_val_if_fail (HCS_IS_STATE (self), NULL);
  g_return_val_if_fail (is_plain_name (name) && !g_str_equal (name, SYSTEMS_NAME), NULL);
  return g_build_filename (self->state_dir, name, NULL);
}

char *
hcs_state_get_system_path (HcsState *self, const char *id)
{
  g_return_val_if_fail (HCS_IS_STATE (self), NULL);
  if (!hcs_state_validate_id (id, NULL))
    return NULL;
  return g_build_filename (self->systems_dir, id, NULL);
}

gboolean
hcs_state_validate_id (const char *id, GError **error)
{
  gsize len = id ? strlen (id) : 0;

  if (len == 0 || len > 128 || !g_ascii_isalnum (id[0]))
    goto invalid;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '-' && id[i] != '_' && id[i] != '.')
      goto invalid;
  return TRUE;

invalid:
  {
    /* The id may hold anything: say it printably. */
    g_autofree char *shown = g_strescape (id ? id : "", NULL);
    g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                 "compute system id '%s': must be 1-128 letters, digits, '-', '_' or '.', "
                 "starting with a letter or digit", shown);
  }
  return FALSE;
}

guint64
hcs_process_start_time (int pid)
{
  return hcs_gate_process_start_time (pid);
}

void
hcs_state_fault_point (const char *name)
{
  hcs_gate_fault_point (name);
}

/* --- removing a tree, never following a link nor crossing a mount ------------------- */

/* hcs-gate.c's, which hcsctl's front uses for a delete too; a mount point
 * (G_FILE_ERROR_FAILED) is not ours to remove. */
static gboolean
remove_tree (const char *path, GError **error)
{
  g_autoptr (GError) gate_error = NULL;
  HcsError code = HCS_ERROR_FAILED;

  if (hcs_gate_remove_tree (path, &gate_error))
    return TRUE;
  if (gate_error->code == G_FILE_ERROR_FAILED)
    code = HCS_ERROR_INVALID_STATE;
  else if (gate_error->code == G_FILE_ERROR_ACCES || gate_error->code == G_FILE_ERROR_PERM)
    code = HCS_ERROR_ACCESS_DENIED;
  g_set_error (error, HCS_ERROR, code, "state: %s", gate_error->message);
  return FALSE;
}

/* --- writing --------------------------------------------------------------------------- */

static gboolean
write_whole (int fd, const char *data, gsize length)
{
  while (length > 0)
    {
      gssize n = write (fd, data, length);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= (gsize) n;
    }
  return TRUE;
}

/* A new file in a folder nobody sees yet (a claim's): no rename needed. */
static gboolean
write_new_file (const char *folder, const char *name, const char *data, GError **error)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

  if (fd < 0 || !write_whole (fd, data, strlen (data)) || close (fd) < 0)
    {
      int saved_errno = errno;
      if (fd >= 0)
        close (fd);
      return hcs_set_error_from_errno (error, saved_errno, "state: writing %s", path);
    }
  return TRUE;
}

/* A temporary file beside @name, renamed over it. */
static gboolean
write_record (const char *folder, const char *name, const char *data, gsize length,
              GError **error)
{
  g_autofree char *temp = g_strdup_printf ("%s/.%s-XXXXXX", folder, name);
  g_autofree char *path = g_build_filename (folder, name, NULL);
  int fd = g_mkstemp_full (temp, O_WRONLY | O_CLOEXEC, 0600);

  if (fd < 0)
    return hcs_set_error_from_errno (error, errno, "state: writing %s", path);
  if (!write_whole (fd, data, length) || close (fd) < 0)
    {
      int saved_errno = errno;
      unlink (temp);
      return hcs_set_error_from_errno (error, saved_errno, "state: writing %s", path);
    }
  if (rename (temp, path) < 0)
    {
      int saved_errno = errno;
      unlink (temp);
      return hcs_set_error_from_errno (error, saved_errno, "state: writing %s", path);
    }
  return TRUE;
}

/* --- HcsStateFolder -------------------------------------------------------------------- */

struct _HcsStateFolder
{
  GObject parent_instance;

  HcsState *state;
  char *id;
  char *path;
  char *owner;
  int lock_fd;
};

G_DEFINE_FINAL_TYPE (HcsStateFolder, hcs_state_folder, G_TYPE_OBJECT)

static void
hcs_state_folder_finalize (GObject *object)
{
  HcsStateFolder *self = HCS_STATE_FOLDER (object);

  hcs_state_folder_unlock (self);
  g_clear_object (&self->state);
  g_free (self->id);
  g_free (self->path);
  g_free (self->owner);
  G_OBJECT_CLASS (hcs_state_folder_parent_class)->finalize (object);
}

static void
hcs_state_folder_class_init (HcsStateFolderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hcs_state_folder_finalize;
}

static void
hcs_state_folder_init (HcsStateFolder *self)
{
  self->lock_fd = -1;
}

static HcsStateFolder *
folder_new (HcsState *state, const char *id, const char *owner)
{
  HcsStateFolder *self = g_object_new (HCS_TYPE_STATE_FOLDER, NULL);

  self->state = g_object_ref (state);
  self->id = g_strdup (id);
  self->path = g_build_filename (state->systems_dir, id, NULL);
  self->owner = g_strdup (owner);
  return self;
}


HcsStateFolder *
hcs_state_claim (HcsState *self, const char *id, const char *owner, GError **error)
{
  g_autoptr (HcsStateFolder) folder = NULL;
  g_autofree char *temp = NULL, *marker = NULL, *lock_path = NULL;
  int pid = (int) getpid ();
  guint64 start_time;
  int lock_fd;

  g_return_val_if_fail (HCS_IS_STATE (self), NULL);
  g_return_val_if_fail (is_plain_name (owner), NULL);
  if (!hcs_state_validate_id (id, error))
    return NULL;
  if (g_mkdir_with_parents (self->systems_dir, 0711) < 0)
    return hcs_set_error_from_errno (error, errno, "state: creating %s", self->systems_dir),
           NULL;

  /* Built under a name that says who builds it, so that one left by a
   * killed claimer is known for garbage. */
  start_time = hcs_process_start_time (pid);
  temp = g_strdup_printf ("%s/" CLAIM_PREFIX "%d-%" G_GUINT64_FORMAT "-XXXXXX", self->systems_dir,
                          pid, start_time);
  if (g_mkdtemp_full (temp, 0700) == NULL)
    return hcs_set_error_from_errno (error, errno, "state: creating a folder in %s",
                                     self->systems_dir),
           NULL;
  folder = folder_new (self, id, owner);
  marker = g_strdup_printf ("{\"Pid\": %d, \"StartTime\": %" G_GUINT64_FORMAT "}\n", pid,
                            start_time);
  lock_path = g_build_filename (temp, LOCK_NAME, NULL);
  lock_fd = open (lock_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (lock_fd < 0 || flock (lock_fd, LOCK_EX) < 0)
    {
      hcs_set_error_from_errno (error, errno, "state: creating %s", lock_path);
      goto fail;
    }
  folder->lock_fd = lock_fd;
  if (!write_new_file (temp, OWNER_NAME, owner, error) ||
      !write_new_file (temp, CREATING_NAME, marker, error))
    goto fail;

  hcs_state_fault_point ("state-claim");
  if (renameat2 (AT_FDCWD, temp, AT_FDCWD, folder->path, RENAME_NOREPLACE) < 0)
    {
      int saved_errno = errno;

      /* A file system without RENAME_NOREPLACE: rename() of a folder onto a
       * folder that is not empty fails too, and a claimed one never is. */
      if (saved_errno == EINVAL && rename (temp, folder->path) == 0)
        goto claimed;
      if (saved_errno == EINVAL)
        saved_errno = errno;
      if (saved_errno == EEXIST || saved_errno == ENOTEMPTY)
        g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS,
                     "a compute system with id '%s' already exists (%s)", id, folder->path);
      else
        hcs_set_error_from_errno (error, saved_errno, "state: claiming %s", folder->path);
      goto fail;
    }
claimed:
  hcs_state_fault_point ("state-claimed");
  return g_steal_pointer (&folder);

fail:
  hcs_state_folder_unlock (folder);
  remove_tree (temp, NULL);
  return NULL;
}

HcsStateFolder *
hcs_state_open (HcsState *self, const char *id, GError **error)
{
  g_autoptr (HcsStateFolder) folder = NULL;
  g_autofree char *owner_path = NULL, *owner = NULL;
  struct stat st;

  g_return_val_if_fail (HCS_IS_STATE (self), NULL);
  if (!hcs_state_validate_id (id, error))
    return NULL;
  folder = folder_new (self, id, NULL);
  if (lstat (folder->path, &st) < 0 || !S_ISDIR (st.st_mode))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,
                   "compute system '%s' does not exist", id);
      return NULL;
    }
  /* A folder without an owner (made by hand, or by an older hcs) is
   * still listed and removable; its owner is "". */
  owner_path = g_build_filename (folder->path, OWNER_NAME, NULL);
  if (g_file_get_contents (owner_path, &owner, NULL, NULL))
    folder->owner = g_strdup (g_strstrip (owner));
  else
    folder->owner = g_strdup ("");
  return g_steal_pointer (&folder);
}

/* "PID-START-XXXXXX" of a claim: whether that process is gone. */
static gboolean
claimer_is_gone (const char *rest)
{
  g_auto (GStrv) parts = g_strsplit (rest, "-", 3);
  int pid;
  guint64 start;

  if (g_strv_length (parts) != 3)
    return TRUE;
  pid = (int) g_ascii_strtoll (parts[0], NULL, 10);
  start = g_ascii_strtoull (parts[1], NULL, 10);
  return hcs_process_start_time (pid) != start;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
hcs_state_list (HcsState *self, GError **error)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GError) local_error = NULL;
  const char *name;

  g_return_val_if_fail (HCS_IS_STATE (self), NULL);
  dir = g_dir_open (self->systems_dir, 0, &local_error);
  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&ids);
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "state: reading %s: %s",
                   self->systems_dir, local_error->message);
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_prefix (name, CLAIM_PREFIX) || g_str_has_prefix (name, REMOVING_PREFIX))
        {
          g_autofree char *path = g_build_filename (self->systems_dir, name, NULL);

          /* Garbage of a killed claimer or remover: nothing in it is
           * anyone's any more (a claim holds no resource yet; a removal
           * begins once its resources are undone). */
          if (g_str_has_prefix (name, REMOVING_PREFIX) ||
              claimer_is_gone (name + strlen (CLAIM_PREFIX)))
            remove_tree (path, NULL);
          continue;
        }
      if (hcs_state_validate_id (name, NULL))
        g_ptr_array_add (ids, g_strdup (name));
    }
  g_ptr_array_sort (ids, compare_strings);
  return g_steal_pointer (&ids);
}

const char *
hcs_state_folder_get_id (HcsStateFolder *self)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), NULL);
  return self->id;
}

const char *
hcs_state_folder_get_owner (HcsStateFolder *self)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), NULL);
  return self->owner;
}

const char *
hcs_state_folder_get_path (HcsStateFolder *self)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), NULL);
  return self->path;
}

char *
hcs_state_folder_build_path (HcsStateFolder *self, const char *name)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), NULL);
  g_return_val_if_fail (is_plain_name (name), NULL);
  return g_build_filename (self->path, name, NULL);
}

HcsStateFolderStatus
hcs_state_folder_get_status (HcsStateFolder *self)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *path = NULL;
  JsonNode *root;
  JsonObject *marker;

  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), HCS_STATE_FOLDER_ABANDONED);
  path = g_build_filename (self->path, CREATING_NAME, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return HCS_STATE_FOLDER_CREATED;
  if (!json_parser_load_from_file (parser, path, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return HCS_STATE_FOLDER_ABANDONED;
  marker = json_node_get_object (root);
  if (hcs_process_start_time ((int) json_object_get_int_member_with_default (marker, "Pid", 0)) ==
      (guint64) json_object_get_int_member_with_default (marker, "StartTime", -1))
    return HCS_STATE_FOLDER_CREATING;
  return HCS_STATE_FOLDER_ABANDONED;
}

gboolean
hcs_state_folder_commit (HcsStateFolder *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), FALSE);
  hcs_state_fault_point ("state-commit");
  return hcs_state_folder_remove_record (self, CREATING_NAME, error);
}

gboolean
hcs_state_folder_lock (HcsStateFolder *self, HcsStateLockMode mode, gboolean wait,
                       GError **error)
{
  g_autofree char *path = NULL;
  struct stat st;
  int operation = (mode == HCS_STATE_LOCK_EXCLUSIVE ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);

  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), FALSE);
  path = g_build_filename (self->path, LOCK_NAME, NULL);
  if (self->lock_fd < 0)
    {
      self->lock_fd = open (path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
      if (self->lock_fd < 0 && errno == ENOENT && g_file_test (self->path, G_FILE_TEST_IS_DIR))
        /* A folder of an older hcs, or made by hand: it gets a lock now. */
        self->lock_fd = open (path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (self->lock_fd < 0)
        {
          if (errno == ENOENT)
            {
              g_set_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,
                           "compute system '%s' does not exist", self->id);
              return FALSE;
            }
          return hcs_set_error_from_errno (error, errno, "state: opening %s", path);
        }
    }
  while (flock (self->lock_fd, operation) < 0)
    {
      if (errno == EINTR)
        continue;
      if (errno == EWOULDBLOCK)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_OPERATION_PENDING,
                       "compute system '%s' is locked by another process", self->id);
          return FALSE;
        }
      return hcs_set_error_from_errno (error, errno, "state: locking %s", path);
    }
  /* Removed while we waited: the lock is of a file no folder holds. */
  if (fstat (self->lock_fd, &st) < 0 || st.st_nlink == 0)
    {
      hcs_state_folder_unlock (self);
      g_set_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,
                   "compute system '%s' does not exist (removed)", self->id);
      return FALSE;
    }
  return TRUE;
}

void
hcs_state_folder_unlock (HcsStateFolder *self)
{
  g_return_if_fail (HCS_IS_STATE_FOLDER (self));
  if (self->lock_fd >= 0)
    {
      close (self->lock_fd); /* releases the flock */
      self->lock_fd = -1;
    }
}

static gboolean
check_record_name (HcsStateFolder *self, const char *name, GError **error)
{
  if (is_plain_name (name) && !g_str_equal (name, OWNER_NAME) &&
      !g_str_equal (name, CREATING_NAME) && !g_str_equal (name, LOCK_NAME))
    return TRUE;
  g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
               "compute system '%s': '%s' is not a record name a caller may write", self->id,
               name ? name : "(null)");
  return FALSE;
}

gboolean
hcs_state_folder_write (HcsStateFolder *self, const char *name, const char *data,
                        gssize length, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), FALSE);
  if (!check_record_name (self, name, error))
    return FALSE;
  /* A folder removed meanwhile fails the temporary file's creation: it is
   * never made again. */
  if (!write_record (self->path, name, data, length < 0 ? strlen (data) : (gsize) length,
                     &local_error))
    {
      if (!g_file_test (self->path, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,
                       "compute system '%s' does not exist (removed)", self->id);
          return FALSE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

gboolean
hcs_state_folder_append (HcsStateFolder *self, const char *name, const char *line,
                         GError **error)
{
  g_autofree char *path = NULL, *text = NULL;
  int fd;
  gboolean written;

  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), FALSE);
  if (!check_record_name (self, name, error))
    return FALSE;
  path = g_build_filename (self->path, name, NULL);
  fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return hcs_set_error_from_errno (error, errno, "state: appending to %s", path);
  text = g_strconcat (line, "\n", NULL);
  written = write_whole (fd, text, strlen (text));
  if (!written)
    {
      int saved_errno = errno;
      close (fd);
      return hcs_set_error_from_errno (error, saved_errno, "state: appending to %s", path);
    }
  close (fd);
  return TRUE;
}

char *
hcs_state_folder_read (HcsStateFolder *self, const char *name, gsize *length, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr (GError) local_error = NULL;
  char *contents = NULL;

  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), NULL);
  g_return_val_if_fail (is_plain_name (name), NULL);
  path = g_build_filename (self->path, name, NULL);
  if (!g_file_get_contents (path, &contents, length, &local_error))
    {
      g_set_error (error, HCS_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                       ? HCS_ERROR_ELEMENT_NOT_FOUND
                       : HCS_ERROR_FAILED,
                   "compute system '%s': reading %s: %s", self->id, name, local_error->message);
      return NULL;
    }
  return contents;
}

gboolean
hcs_state_folder_has (HcsStateFolder *self, const char *name)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), FALSE);
  g_return_val_if_fail (is_plain_name (name), FALSE);
  path = g_build_filename (self->path, name, NULL);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

gboolean
hcs_state_folder_remove_record (HcsStateFolder *self, const char *name, GError **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), FALSE);
  g_return_val_if_fail (is_plain_name (name), FALSE);
  path = g_build_filename (self->path, name, NULL);
  if (unlink (path) < 0 && errno != ENOENT)
    return hcs_set_error_from_errno (error, errno, "state: removing %s", path);
  return TRUE;
}

gboolean
hcs_state_folder_remove (HcsStateFolder *self, GError **error)
{
  g_autofree char *doomed = NULL;

  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), FALSE);
  hcs_state_fault_point ("state-remove");
  /* Out of the way first: the id is free at once, and a remover killed
   * below leaves a name that hcs_state_list() finishes. */
  doomed = g_strdup_printf ("%s/" REMOVING_PREFIX "%s-%08x", self->state->systems_dir, self->id,
                            g_random_int ());
  if (rename (self->path, doomed) < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      return hcs_set_error_from_errno (error, errno, "state: removing %s", self->path);
    }
  hcs_state_fault_point ("state-removing");
  return remove_tree (doomed, error);
}

/* --- the start gate (hcs-gate.h) ---------------------------------------------------- */

gboolean
hcs_state_folder_write_gate (HcsStateFolder *self, const HcsStateGate *gate, GError **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), FALSE);
  g_return_val_if_fail (gate != NULL && gate->pid > 0, FALSE);
  g_return_val_if_fail (gate->start_fifo == NULL || is_plain_name (gate->start_fifo), FALSE);
  g_return_val_if_fail (gate->cgroups == NULL || gate->cgroup_members != NULL, FALSE);
  text = hcs_gate_format (gate->pid, gate->pid_start_time, gate->created, gate->start_fifo,
                          gate->freezer, gate->freezer_version);
  if (gate->cgroups != NULL)
    {
      g_autofree char *remove = hcs_gate_format_remove (gate->cgroups, gate->cgroup_members,
                                                        gate->helper_pid,
                                                        gate->helper_start_time);
      char *both = g_strconcat (text, remove, NULL);

      g_free (text);
      text = both;
    }
  return hcs_state_folder_write (self, HCS_GATE_RECORD, text, -1, error);
}

gboolean
hcs_state_folder_write_gate_exec (HcsStateFolder *self, GBytes *spec, gboolean exec_defaults,
                                  GError **error)
{
  g_autoptr (GBytes) record = NULL;
  gsize size = 0;
  const char *data;

  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);
  record = hcs_gate_format_exec (spec, exec_defaults);
  data = g_bytes_get_data (record, &size);
  return hcs_state_folder_write (self, HCS_GATE_EXEC_RECORD, data, size, error);
}

gint64
hcs_state_folder_get_gate_started (HcsStateFolder *self)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), 0);
  text = hcs_state_folder_read (self, HCS_GATE_STARTED_RECORD, NULL, NULL);
  return text ? MAX (g_ascii_strtoll (text, NULL, 10), 0) : 0;
}
