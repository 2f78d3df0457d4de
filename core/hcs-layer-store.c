/* hcs-layer-store.c: importing, exporting and keeping image layers.
 *
 * Unpacking is the classic escape route (CVE-2018-15664, CVE-2021-32760):
 * every write here goes through file descriptors of folders resolved
 * beneath the layer's root with openat2(RESOLVE_BENEATH), never through a
 * joined path string, so an entry can neither name nor follow its way out.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-layer-store.h"
#include "hcs-error.h"
#include "hcs-layer-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <signal.h>
#include <unistd.h>
#include "hcs-archive.h" /* last: it renames libarchive's functions */

#define WHITEOUT_PREFIX ".wh."
#define OPAQUE_MARKER ".wh..wh..opq"
#define OPAQUE_XATTR "trusted.overlay.opaque"
#define MAX_PATH_LENGTH 4096
#define MAX_NAME_LENGTH 255
#define MAX_ENTRY_SIZE ((gint64) 1 << 40)

struct _HcsLayerStore
{
  GObject parent_instance;
  char *path;
};

G_DEFINE_FINAL_TYPE (HcsLayerStore, hcs_layer_store, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (HcsLayerInfo, hcs_layer_info, hcs_layer_info_copy, hcs_layer_info_free)

HcsLayerInfo *
hcs_layer_info_copy (const HcsLayerInfo *info)
{
  HcsLayerInfo *copy;

  if (info == NULL)
    return NULL;
  copy = g_memdup2 (info, sizeof *info);
  copy->id = g_strdup (info->id);
  copy->parent = g_strdup (info->parent);
  copy->diff_id = g_strdup (info->diff_id);
  return copy;
}

void
hcs_layer_info_free (HcsLayerInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->parent);
  g_free (info->diff_id);
  g_free (info);
}

static void
hcs_layer_store_finalize (GObject *object)
{
  g_free (HCS_LAYER_STORE (object)->path);
  G_OBJECT_CLASS (hcs_layer_store_parent_class)->finalize (object);
}

static void
hcs_layer_store_class_init (HcsLayerStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hcs_layer_store_finalize;
}

static void
hcs_layer_store_init (HcsLayerStore *self)
{
}

HcsLayerStore *
hcs_layer_store_new (const char *path, GError **error)
{
  HcsLayerStore *self;

  if (path == NULL || !g_path_is_absolute (path))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "layer store: '%s' is not an absolute path", path ? path : "");
      return NULL;
    }
  if (g_mkdir_with_parents (path, 0700) < 0)
    return hcs_set_error_from_errno (error, errno, "layer store: creating %s", path), NULL;
  self = g_object_new (HCS_TYPE_LAYER_STORE, NULL);
  self->path = g_strdup (path);
  return self;
}

const char *
hcs_layer_store_get_path (HcsLayerStore *self)
{
  return self->path;
}

gboolean
hcs_layer_validate_id (const char *id, GError **error)
{
  gsize length = id ? strlen (id) : 0;

  if (length == 0 || length > 128 || !g_ascii_isalnum (id[0]))
    goto invalid;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (id[i]) && !strchr ("-_.:", id[i]))
      goto invalid;
  return TRUE;
invalid:
  g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
               "layer id '%s': must be 1-128 letters, digits, '-', '_', '.' or ':'",
               id ? id : "");
  return FALSE;
}

static char *
layer_dir (HcsLayerStore *self, const char *id)
{
  return g_build_filename (self->path, id, NULL);
}

gboolean
hcs_layer_store_exists (HcsLayerStore *self, const char *id)
{
  g_autofree char *metadata = NULL;

  if (!hcs_layer_validate_id (id, NULL))
    return FALSE;
  metadata = g_build_filename (self->path, id, "layer.json", NULL);
  return g_file_test (metadata, G_FILE_TEST_IS_REGULAR);
}

char *
hcs_layer_store_get_mount_path (HcsLayerStore *self, const char *id)
{
  /* Never a path built from "../x". */
  if (!hcs_layer_validate_id (id, NULL))
    return NULL;
  return g_build_filename (self->path, id, "fs", NULL);
}

/* --- metadata ------------------------------------------------------------ */

JsonNode *
hcs_layer_info_to_node (const HcsLayerInfo *info)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GDateTime) created = g_date_time_new_from_unix_utc (info->created / G_USEC_PER_SEC);
  g_autofree char *created_text = created ? g_date_time_format_iso8601 (created) : NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Id");
  json_builder_add_string_value (builder, info->id);
  json_builder_set_member_name (builder, "Parent");
  if (info->parent)
    json_builder_add_string_value (builder, info->parent);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "DiffId");
  json_builder_add_string_value (builder, info->diff_id ? info->diff_id : "");
  json_builder_set_member_name (builder, "Size");
  json_builder_add_int_value (builder, info->size);
  json_builder_set_member_name (builder, "Created");
  json_builder_add_string_value (builder, created_text ? created_text : "");
  if (info->scratch_size_limit > 0)
    {
      json_builder_set_member_name (builder, "ScratchSizeLimit");
      json_builder_add_int_value (builder, info->scratch_size_limit);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* layer.json: written to a temporary file, fsynced and renamed. */
gboolean
hcs_layer_write_metadata (const char *dir, const HcsLayerInfo *info, GError **error)
{
  g_autoptr (JsonNode) root = hcs_layer_info_to_node (info);
  g_autofree char *text = json_to_string (root, TRUE);
  g_autofree char *path = g_build_filename (dir, "layer.json", NULL);

  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

HcsLayerInfo *
hcs_layer_store_inspect (HcsLayerStore *self, const char *id, GError **error)
{
  g_autofree char *path = NULL, *text = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (HcsLayerInfo) info = g_new0 (HcsLayerInfo, 1);
  g_autoptr (GError) local_error = NULL;
  JsonObject *object;

  if (!hcs_layer_validate_id (id, error))
    return NULL;
  path = g_build_filename (self->path, id, "layer.json", NULL);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND, "layer '%s' does not exist", id);
      return NULL;
    }
  /* An empty file parses, with no root. */
  if (!json_parser_load_from_data (parser, text, -1, &local_error) ||
      json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "layer '%s': %s is corrupt%s%s", id,
                   path, local_error ? ": " : "", local_error ? local_error->message : "");
      return NULL;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  info->id = g_strdup (id);
  info->parent = g_strdup (json_object_get_string_member_with_default (object, "Parent", NULL));
  info->diff_id = g_strdup (json_object_get_string_member_with_default (object, "DiffId", ""));
  info->size = json_object_get_int_member_with_default (object, "Size", 0);
  info->scratch_size_limit = json_object_get_int_member_with_default (object, "ScratchSizeLimit", 0);
  {
    g_autoptr (GDateTime) created = g_date_time_new_from_iso8601 (
        json_object_get_string_member_with_default (object, "Created", ""), NULL);
    info->created = created ? g_date_time_to_unix (created) * G_USEC_PER_SEC : 0;
  }
  return g_steal_pointer (&info);
}

static int
compare_infos (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 ((*(HcsLayerInfo *const *) a)->id, (*(HcsLayerInfo *const *) b)->id);
}

GPtrArray *
hcs_layer_store_list (HcsLayerStore *self, GError **error)
{
  g_autoptr (GPtrArray) layers =
      g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_layer_info_free);
  g_autoptr (GDir) dir = g_dir_open (self->path, 0, error);
  const char *name;

  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      HcsLayerInfo *info;
      if (name[0] == '.' || !hcs_layer_store_exists (self, name))
        continue; /* temporary import folders and strays */
      info = hcs_layer_store_inspect (self, name, NULL);
      if (info != NULL)
        g_ptr_array_add (layers, info);
    }
  g_ptr_array_sort (layers, compare_infos);
  return g_steal_pointer (&layers);
}

GStrv
hcs_layer_store_get_chain_paths (HcsLayerStore *self, const char *id, GError **error)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *current = g_strdup (id);
  guint depth = 0;

  while (current != NULL)
    {
      g_autoptr (HcsLayerInfo) info = hcs_layer_store_inspect (self, current, error);
      g_autofree char *fs = NULL;

      if (info == NULL)
        return NULL;
      if (++depth > 128)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "layer '%s': the parent chain is longer than 128 (a loop?)", id);
          return NULL;
        }
      fs = hcs_layer_store_get_mount_path (self, current);
      g_strv_builder_add (builder, fs);
      g_free (current);
      current = g_steal_pointer (&info->parent);
    }
  return g_strv_builder_end (builder);
}

/* --- safe file system access ------------------------------------------------ */

static int
open_beneath (int root_fd, const char *path, int flags)
{
  struct open_how how = {
    .flags = flags | O_CLOEXEC,
    .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
  };

  if (path == NULL || *path == '\0')
    path = ".";
  return (int) syscall (SYS_openat2, root_fd, path, &how, sizeof how);
}

/* Removes a tree without following any symlink in it, and without going
 * into a file system mounted inside it (a forced destroy of an active
 * scratch layer must not empty its volume through the mount). */
static void
remove_tree_at (int parent_fd, const char *name, dev_t device)
{
  int fd = openat (parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  DIR *dir;
  struct dirent *entry;

  if (fd < 0)
    {
      unlinkat (parent_fd, name, 0);
      return;
    }
  if (fstat (fd, &st) < 0 || st.st_dev != device)
    {
      close (fd);
      return;
    }
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      close (fd);
      return;
    }
  while ((entry = readdir (dir)) != NULL)
    {
      if (g_str_equal (entry->d_name, ".") || g_str_equal (entry->d_name, ".."))
        continue;
      if (entry->d_type == DT_DIR)
        remove_tree_at (dirfd (dir), entry->d_name, device);
      else if (unlinkat (dirfd (dir), entry->d_name, 0) < 0 && errno == EISDIR)
        remove_tree_at (dirfd (dir), entry->d_name, device);
    }
  closedir (dir);
  unlinkat (parent_fd, name, AT_REMOVEDIR);
}

/* Within one layer folder, the device of that folder. */
static void
remove_child_at (int parent_fd, const char *name)
{
  struct stat st;

  if (fstat (parent_fd, &st) == 0)
    remove_tree_at (parent_fd, name, st.st_dev);
}

void
hcs_layer_remove_tree (const char *path)
{
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *name = g_path_get_basename (path);
  int parent_fd = open (parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat st;

  if (parent_fd < 0)
    return;
  if (fstatat (parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    remove_tree_at (parent_fd, name, st.st_dev);
  close (parent_fd);
}

gboolean
hcs_layer_check_new (HcsLayerStore *self, const char *id, const char *parent, const char *what,
                     GError **error)
{
  if (!hcs_layer_validate_id (id, error) ||
      (parent != NULL && !hcs_layer_validate_id (parent, error)))
    return FALSE;
  if (hcs_layer_store_exists (self, id))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS, "layer '%s' already exists", id);
      return FALSE;
    }
  if (parent != NULL && !hcs_layer_store_exists (self, parent))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND,
                   "%s '%s': parent layer '%s' does not exist", what, id, parent);
      return FALSE;
    }
  return TRUE;
}

void
hcs_layer_fault_point (const char *name)
{
  const char *wanted = g_getenv ("HCS_LAYER_KILL_AT");

  if (G_UNLIKELY (wanted != NULL) && g_str_equal (wanted, name))
    kill (getpid (), SIGKILL);
}

/* <store>/.import-ID-XXXXXX: the id in the name, so that an import whose
 * process died is listed under it and removed with it. */
char *
hcs_layer_make_staging (HcsLayerStore *self, const char *id, int *lock_fd, GError **error)
{
  g_autofree char *name = g_strconcat (HCS_LAYER_STAGING_PREFIX, id, "-XXXXXX", NULL);
  g_autofree char *template = g_build_filename (hcs_layer_store_get_path (self), name, NULL);
  int fd;

  if (g_mkdtemp_full (template, 0700) == NULL)
    return hcs_set_error_from_errno (error, errno, "layer '%s': creating a folder in %s", id,
                                     hcs_layer_store_get_path (self)),
           NULL;
  /* gc takes the same lock without waiting before it removes a staging
   * folder: one that is locked is still being made. */
  fd = open (template, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || flock (fd, LOCK_EX) < 0)
    {
      hcs_set_error_from_errno (error, errno, "layer '%s': locking %s", id, template);
      if (fd >= 0)
        close (fd);
      hcs_layer_remove_tree (template);
      return NULL;
    }
  /* A gc that ran between mkdtemp and flock removed it: make another. */
  {
    struct stat st;
    if (fstat (fd, &st) == 0 && st.st_nlink == 0)
      {
        close (fd);
        return hcs_layer_make_staging (self, id, lock_fd, error);
      }
  }
  *lock_fd = fd;
  return g_steal_pointer (&template);
}

/* --- import ------------------------------------------------------------------- */

typedef struct {
  HcsLayerInput *input; /* the decompressed tar bytes */
  GChecksum *sha256;
  guint64 bytes;
  char buffer[64 * 1024];
  GError *error;
} TarSource;

/* The tar reader pulls its bytes through here, so the digest is taken
 * over exactly the uncompressed tar, as OCI's diff id is. */
static la_ssize_t
tar_source_read (struct archive *tar, void *data, const void **buffer)
{
  TarSource *source = data;
  gssize n;

  if (source->error != NULL)
    return -1;
  n = hcs_layer_input_read (source->input, source->buffer, sizeof source->buffer, &source->error);
  if (n < 0)
    {
      archive_set_error (tar, EIO, "%s", source->error->message);
      return -1;
    }
  if (n > 0)
    {
      g_checksum_update (source->sha256, (const guchar *) source->buffer, n);
      source->bytes += n;
    }
  *buffer = source->buffer;
  return n;
}

typedef struct {
  const char *id;
  int root_fd;
  HcsLayerImportFlags flags;
  guint64 size;
  HcsLayerProgressFunc progress;
  gpointer progress_data;
  GPtrArray *directories; /* char*: folders whose times are set at the end */
  GArray *directory_times; /* struct timespec[2] */
} Unpacker;

static gboolean
entry_error (GError **error, Unpacker *unpacker, const char *entry, const char *what)
{
  gsize length = strlen (entry);

  /* An absurd name is named by its start and its length. */
  if (length > 200)
    g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                 "layer '%s': entry '%.100s…' (%" G_GSIZE_FORMAT " bytes): %s", unpacker->id,
                 entry, length, what);
  else
    g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "layer '%s': entry '%s': %s",
                 unpacker->id, entry, what);
  return FALSE;
}

static gboolean
entry_errno (GError **error, Unpacker *unpacker, const char *entry, const char *what)
{
  int saved_errno = errno;
  g_autofree char *text = g_strdup_printf ("%s: %s", what,
                                           saved_errno == EXDEV
                                               ? "it leads outside the layer"
                                               : g_strerror (saved_errno));
  return entry_error (error, unpacker, entry, text);
}

/* "./a//b/" -> "a/b"; refuses "..", and names too long. NULL for the root. */
static char *
normalise_path (const char *raw, GError **error, Unpacker *unpacker)
{
  g_auto (GStrv) parts = NULL;
  g_autoptr (GPtrArray) kept = g_ptr_array_new ();

  if (strlen (raw) > MAX_PATH_LENGTH)
    return entry_error (error, unpacker, raw, "the name is too long"), NULL;
  parts = g_strsplit (raw, "/", -1);
  for (guint i = 0; parts[i]; i++)
    {
      if (*parts[i] == '\0' || g_str_equal (parts[i], "."))
        continue;
      if (g_str_equal (parts[i], ".."))
        return entry_error (error, unpacker, raw, "'..' is not allowed in a layer"), NULL;
      if (strlen (parts[i]) > MAX_NAME_LENGTH)
        return entry_error (error, unpacker, raw, "a path component is too long"), NULL;
      g_ptr_array_add (kept, parts[i]);
    }
  if (kept->len == 0)
    return g_strdup ("");
  g_ptr_array_add (kept, NULL);
  return g_strjoinv ("/", (char **) kept->pdata);
}

/* Opens the folder that holds @path, creating missing folders as tar
 * does, every step beneath the root. */
static int
open_parent (Unpacker *unpacker, const char *path, const char **base, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_auto (GStrv) parts = NULL;
  int fd;

  *base = strrchr (path, '/') ? strrchr (path, '/') + 1 : path;
  if (g_str_equal (dir, "."))
    return open_beneath (unpacker->root_fd, ".", O_RDONLY | O_DIRECTORY);

  fd = open_beneath (unpacker->root_fd, dir, O_RDONLY | O_DIRECTORY);
  if (fd >= 0 || errno != ENOENT)
    {
      if (fd < 0)
        entry_errno (error, unpacker, path, "opening its folder");
      return fd;
    }
  fd = open_beneath (unpacker->root_fd, ".", O_RDONLY | O_DIRECTORY);
  parts = g_strsplit (dir, "/", -1);
  for (guint i = 0; parts[i] && fd >= 0; i++)
    {
      int next;
      if (mkdirat (fd, parts[i], 0755) < 0 && errno != EEXIST)
        {
          entry_errno (error, unpacker, path, "creating its folder");
          close (fd);
          return -1;
        }
      next = open_beneath (fd, parts[i], O_RDONLY | O_DIRECTORY);
      close (fd);
      fd = next;
    }
  if (fd < 0)
    entry_errno (error, unpacker, path, "opening its folder");
  return fd;
}

/* Owner first, then mode, then attributes, times last: chown clears
 * set-id bits and security.capability, and every change moves ctime. */
static gboolean
apply_owner_mode (Unpacker *unpacker, int parent_fd, const char *base, const char *path,
                  struct archive_entry *entry, gboolean is_link, GError **error)
{
  if (fchownat (parent_fd, base, archive_entry_uid (entry), archive_entry_gid (entry),
                AT_SYMLINK_NOFOLLOW) < 0)
    return entry_errno (error, unpacker, path, "setting its owner");
  if (!is_link && fchmodat (parent_fd, base, archive_entry_perm (entry), 0) < 0)
    return entry_errno (error, unpacker, path, "setting its mode");
  return TRUE;
}

static gboolean
apply_times (Unpacker *unpacker, int parent_fd, const char *base, const char *path,
             struct archive_entry *entry, GError **error)
{
  struct timespec times[2] = {
    { archive_entry_atime (entry), archive_entry_atime_nsec (entry) },
    { archive_entry_mtime (entry), archive_entry_mtime_nsec (entry) },
  };

  if (!archive_entry_atime_is_set (entry))
    times[0] = times[1];
  if (utimensat (parent_fd, base, times, AT_SYMLINK_NOFOLLOW) < 0)
    return entry_errno (error, unpacker, path, "setting its times");
  return TRUE;
}

static gboolean
apply_metadata (Unpacker *unpacker, int parent_fd, const char *base, const char *path,
                struct archive_entry *entry, gboolean is_link, GError **error)
{
  return apply_owner_mode (unpacker, parent_fd, base, path, entry, is_link, error) &&
         apply_times (unpacker, parent_fd, base, path, entry, error);
}

static gboolean
apply_xattrs (Unpacker *unpacker, int fd, const char *path, struct archive_entry *entry,
              GError **error)
{
  const char *name;
  const void *value;
  size_t size;

  archive_entry_xattr_reset (entry);
  while (archive_entry_xattr_next (entry, &name, &value, &size) == ARCHIVE_OK)
    {
      /* overlay's own attributes inside a layer would forge whiteouts. */
      if (g_str_has_prefix (name, "trusted.overlay."))
        return entry_error (error, unpacker, path, "carries an overlayfs attribute");
      if (fsetxattr (fd, name, value, size, 0) < 0)
        return entry_errno (error, unpacker, path, "setting an extended attribute");
    }
  return TRUE;
}

static gboolean
write_file_data (struct archive *tar, int fd, Unpacker *unpacker, const char *path,
                 struct archive_entry *entry, GError **error)
{
  const void *block;
  size_t size;
  la_int64_t offset;
  int result;

  while ((result = archive_read_data_block (tar, &block, &size, &offset)) == ARCHIVE_OK)
    {
      const char *p = block;
      while (size > 0)
        {
          ssize_t n = pwrite (fd, p, size, offset);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            return entry_errno (error, unpacker, path, "writing");
          p += n;
          size -= n;
          offset += n;
          unpacker->size += n;
        }
    }
  if (result != ARCHIVE_EOF)
    return entry_error (error, unpacker, path, archive_error_string (tar));
  /* A sparse file may end in a hole that no data block reaches. */
  if (ftruncate (fd, archive_entry_size (entry)) < 0)
    return entry_errno (error, unpacker, path, "setting its size");
  return TRUE;
}

static gboolean
unpack_entry (struct archive *tar, struct archive_entry *entry, Unpacker *unpacker,
              GError **error)
{
  g_autofree char *path = normalise_path (archive_entry_pathname (entry), error, unpacker);
  const char *base;
  mode_t type = archive_entry_filetype (entry);
  int parent_fd, fd = -1;
  gboolean ok = FALSE;

  if (path == NULL)
    return FALSE;
  if (*path == '\0')
    return TRUE; /* "./" itself */
  if (archive_entry_size (entry) > MAX_ENTRY_SIZE || archive_entry_size (entry) < 0)
    return entry_error (error, unpacker, path, "its size is out of range");

  parent_fd = open_parent (unpacker, path, &base, error);
  if (parent_fd < 0)
    return FALSE;

  /* Whiteouts: the opaque marker, and ".wh.NAME" for a deleted NAME. */
  if (g_str_equal (base, OPAQUE_MARKER))
    {
      if (fsetxattr (parent_fd, OPAQUE_XATTR, "y", 1, 0) < 0)
        entry_errno (error, unpacker, path, "marking its folder opaque");
      else
        ok = TRUE;
      goto out;
    }
  /* AUFS's own bookkeeping (.wh..wh.plnk, .wh..wh.aufs): not content,
   * skipped as moby does. */
  if (g_str_has_prefix (base, WHITEOUT_PREFIX WHITEOUT_PREFIX))
    {
      ok = TRUE;
      goto out;
    }
  if (g_str_has_prefix (base, WHITEOUT_PREFIX))
    {
      const char *name = base + strlen (WHITEOUT_PREFIX);
      if (*name == '\0' || g_str_equal (name, ".") || g_str_equal (name, ".."))
        {
          entry_error (error, unpacker, path, "a whiteout of nothing, '.' or '..'");
          goto out;
        }
      remove_child_at (parent_fd, name);
      /* The whiteout keeps the entry's time, so an export gives the
       * same bytes as the archive it came from. */
      if (mknodat (parent_fd, name, S_IFCHR | 0000, makedev (0, 0)) < 0)
        entry_errno (error, unpacker, path, "creating its whiteout");
      else
        ok = apply_times (unpacker, parent_fd, name, path, entry, error);
      goto out;
    }

  /* An entry replaces what an earlier one of the same layer put there,
   * except a folder over a folder, which is merged. */
  {
    struct stat st;
    if (fstatat (parent_fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        !(type == AE_IFDIR && S_ISDIR (st.st_mode) && archive_entry_hardlink (entry) == NULL))
      {
        if (S_ISDIR (st.st_mode))
          remove_child_at (parent_fd, base);
        else
          unlinkat (parent_fd, base, 0);
      }
  }

  if (archive_entry_hardlink (entry) != NULL)
    {
      g_autoptr (GError) target_error = NULL;
      g_autofree char *target =
          normalise_path (archive_entry_hardlink (entry), &target_error, unpacker);
      int target_fd;

      if (target == NULL || *target == '\0')
        {
          g_autofree char *what = g_strdup_printf (
              "its hard link target '%s' is not inside the layer", archive_entry_hardlink (entry));
          entry_error (error, unpacker, path, what);
          goto out;
        }
      target_fd = open_beneath (unpacker->root_fd, target, O_PATH | O_NOFOLLOW);
      if (target_fd < 0)
        {
          entry_errno (error, unpacker, path, "its hard link target");
          goto out;
        }
      if (linkat (target_fd, "", parent_fd, base, AT_EMPTY_PATH) < 0)
        entry_errno (error, unpacker, path, "creating the hard link");
      else
        ok = TRUE;
      close (target_fd);
      goto out;
    }

  switch (type)
    {
    case AE_IFDIR:
      if (mkdirat (parent_fd, base, 0700) < 0 && errno != EEXIST)
        {
          entry_errno (error, unpacker, path, "creating the folder");
          goto out;
        }
      fd = open_beneath (parent_fd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      if (fd < 0)
        {
          entry_errno (error, unpacker, path, "opening the folder");
          goto out;
        }
      if (!apply_owner_mode (unpacker, parent_fd, base, path, entry, FALSE, error) ||
          !apply_xattrs (unpacker, fd, path, entry, error) ||
          !apply_times (unpacker, parent_fd, base, path, entry, error))
        goto out;
      {
        /* Children change a folder's times: set them again at the end. */
        struct timespec times[2] = {
          { archive_entry_mtime (entry), archive_entry_mtime_nsec (entry) },
          { archive_entry_mtime (entry), archive_entry_mtime_nsec (entry) },
        };
        g_ptr_array_add (unpacker->directories, g_strdup (path));
        g_array_append_vals (unpacker->directory_times, times, 2);
      }
      ok = TRUE;
      break;

    case AE_IFREG:
      fd = openat (parent_fd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0)
        {
          entry_errno (error, unpacker, path, "creating the file");
          goto out;
        }
      ok = write_file_data (tar, fd, unpacker, path, entry, error) &&
           apply_owner_mode (unpacker, parent_fd, base, path, entry, FALSE, error) &&
           apply_xattrs (unpacker, fd, path, entry, error) &&
           apply_times (unpacker, parent_fd, base, path, entry, error);
      break;

    case AE_IFLNK:
      /* A symlink is only text: what it points to is never followed here. */
      if (symlinkat (archive_entry_symlink (entry), parent_fd, base) < 0)
        entry_errno (error, unpacker, path, "creating the symlink");
      else
        ok = apply_metadata (unpacker, parent_fd, base, path, entry, TRUE, error);
      break;

    case AE_IFCHR:
    case AE_IFBLK:
      if (!(unpacker->flags & HCS_LAYER_IMPORT_ALLOW_DEVICES))
        {
          entry_error (error, unpacker, path, "device nodes are not allowed in this store");
          goto out;
        }
      G_GNUC_FALLTHROUGH;
    case AE_IFIFO:
      if (mknodat (parent_fd, base, type | (archive_entry_perm (entry) & 07777),
                   archive_entry_rdev (entry)) < 0)
        entry_errno (error, unpacker, path, "creating the node");
      else
        ok = apply_metadata (unpacker, parent_fd, base, path, entry, FALSE, error);
      break;

    default:
      entry_error (error, unpacker, path, "unsupported entry type");
      break;
    }

out:
  if (fd >= 0)
    close (fd);
  close (parent_fd);
  return ok;
}

static void
restore_directory_times (Unpacker *unpacker)
{
  /* Deepest first, so setting a folder's times is not undone by a child. */
  for (guint i = unpacker->directories->len; i-- > 0;)
    utimensat (unpacker->root_fd, unpacker->directories->pdata[i],
               &g_array_index (unpacker->directory_times, struct timespec, i * 2),
               AT_SYMLINK_NOFOLLOW);
}

static gboolean
unpack (const char *archive_path, int archive_fd, gboolean have_digest, Unpacker *unpacker,
        char **diff_id, GError **error)
{
  struct archive *tar;
  struct archive_entry *entry;
  TarSource source = { 0 };
  gboolean ok = FALSE;
  int result;

  source.input = hcs_layer_input_open (unpacker->id, archive_path, archive_fd, have_digest, error);
  if (source.input == NULL)
    return FALSE;
  tar = archive_read_new ();
  source.sha256 = g_checksum_new (G_CHECKSUM_SHA256);
  archive_read_support_format_tar (tar);

  if (archive_read_open (tar, &source, NULL, tar_source_read, NULL) != ARCHIVE_OK)
    {
      if (source.error != NULL)
        g_propagate_error (error, g_steal_pointer (&source.error));
      else
        g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                     "layer '%s': %s: not a tar archive (%s): %s", unpacker->id, archive_path,
                     hcs_layer_input_get_format (source.input), archive_error_string (tar));
      goto out;
    }

  {
    guint64 entries = 0;
    gint64 last_report = 0;

    while ((result = archive_read_next_header (tar, &entry)) == ARCHIVE_OK)
      {
        if (!unpack_entry (tar, entry, unpacker, error))
          {
            /* The entry failed because the stream under it did: say that. */
            if (source.error != NULL)
              {
                g_clear_error (error);
                g_propagate_error (error, g_steal_pointer (&source.error));
              }
            goto out;
          }
        entries++;
        if (entries == 1)
          hcs_layer_fault_point ("import-unpacking");
        /* A few reports a second are enough for a progress line. */
        if (unpacker->progress != NULL && g_get_monotonic_time () - last_report > 100000)
          {
            last_report = g_get_monotonic_time ();
            unpacker->progress (source.bytes, entries, unpacker->progress_data);
          }
      }
    if (unpacker->progress != NULL && result == ARCHIVE_EOF)
      unpacker->progress (source.bytes, entries, unpacker->progress_data);
  }
  if (result != ARCHIVE_EOF)
    {
      if (source.error != NULL)
        g_propagate_error (error, g_steal_pointer (&source.error));
      else
        g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                     "layer '%s': %s: the archive is truncated or corrupt: %s", unpacker->id,
                     archive_path, archive_error_string (tar));
      goto out;
    }
  /* The digest covers the whole stream, the padding after the end too,
   * and the compressed stream's checks are at its very end. */
  {
    const void *ignored;
    while (tar_source_read (tar, &source, &ignored) > 0)
      ;
    if (source.error != NULL)
      {
        g_propagate_error (error, g_steal_pointer (&source.error));
        goto out;
      }
  }
  restore_directory_times (unpacker);
  *diff_id = g_strconcat ("sha256:", g_checksum_get_string (source.sha256), NULL);
  ok = TRUE;

out:
  archive_read_free (tar);
  hcs_layer_input_free (source.input);
  g_checksum_free (source.sha256);
  g_clear_error (&source.error);
  return ok;
}

HcsLayerInfo *
hcs_layer_store_import (HcsLayerStore *self, const char *id, const char *parent,
                        const char *archive_path, const char *expected_diff_id,
                        HcsLayerImportFlags flags, GError **error)
{
  return hcs_layer_store_import_with_progress (self, id, parent, archive_path, expected_diff_id,
                                               flags, NULL, NULL, error);
}

HcsLayerInfo *
hcs_layer_store_import_with_progress (HcsLayerStore *self, const char *id, const char *parent,
                                      const char *archive_path, const char *expected_diff_id,
                                      HcsLayerImportFlags flags, HcsLayerProgressFunc progress,
                                      gpointer user_data, GError **error)
{
  return hcs_layer_import_fd (self, id, parent, archive_path, -1, expected_diff_id, flags,
                              progress, user_data, NULL, error);
}

HcsLayerInfo *
hcs_layer_import_fd (HcsLayerStore *self, const char *id, const char *parent,
                     const char *archive_path, int archive_fd, const char *expected_diff_id,
                     HcsLayerImportFlags flags, HcsLayerProgressFunc progress,
                     gpointer user_data, const gint *cancelled, GError **error)
{
  g_autofree char *staging = NULL, *fs = NULL, *final = NULL;
  g_autoptr (HcsLayerInfo) info = g_new0 (HcsLayerInfo, 1);
  int lock_fd = -1;
  g_autoptr (GPtrArray) directories = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) directory_times = g_array_new (FALSE, FALSE, sizeof (struct timespec));
  Unpacker unpacker = { .root_fd = -1 };
  char *diff_id = NULL;

  if (!hcs_layer_check_new (self, id, parent, "layer", error))
    return NULL;

  staging = hcs_layer_make_staging (self, id, &lock_fd, error);
  if (staging == NULL)
    return NULL;
  fs = g_build_filename (staging, "fs", NULL);
  if (g_mkdir (fs, 0755) < 0 ||
      (unpacker.root_fd = open (fs, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    {
      hcs_set_error_from_errno (error, errno, "layer '%s': creating %s", id, fs);
      goto fail;
    }
  unpacker.id = id;
  unpacker.flags = flags;
  unpacker.progress = progress;
  unpacker.progress_data = user_data;
  unpacker.directories = directories;
  unpacker.directory_times = directory_times;

  if (!unpack (archive_path, archive_fd, expected_diff_id != NULL, &unpacker, &diff_id, error))
    goto fail;
  if (expected_diff_id != NULL && !g_str_equal (expected_diff_id, diff_id))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "layer '%s': diff id %s, expected %s", id, diff_id, expected_diff_id);
      g_free (diff_id);
      goto fail;
    }

  info->id = g_strdup (id);
  info->parent = g_strdup (parent);
  info->diff_id = diff_id;
  info->size = unpacker.size;
  info->created = g_get_real_time ();
  if (!hcs_layer_write_metadata (staging, info, error))
    goto fail;
  close (unpacker.root_fd);
  unpacker.root_fd = -1;

  /* A stream can end cleanly between entries: only its maker knows
   * whether that was all. */
  if (cancelled != NULL && g_atomic_int_get (cancelled))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_CLOSED,
                   "layer '%s': the import was abandoned", id);
      goto fail;
    }
  final = layer_dir (self, id);
  hcs_layer_fault_point ("import-before-rename");
  if (rename (staging, final) < 0)
    {
      g_set_error (error, HCS_ERROR, errno == EEXIST || errno == ENOTEMPTY
                                         ? HCS_ERROR_ALREADY_EXISTS
                                         : HCS_ERROR_FAILED,
                   "layer '%s': moving it into place: %s", id, g_strerror (errno));
      goto fail;
    }
  hcs_layer_fault_point ("import-after-rename");
  close (lock_fd);
  return g_steal_pointer (&info);

fail:
  if (unpacker.root_fd >= 0)
    close (unpacker.root_fd);
  hcs_layer_remove_tree (staging);
  close (lock_fd);
  return NULL;
}

/* --- export ------------------------------------------------------------------ */

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

typedef struct {
  struct archive *tar;
  GHashTable *hard_links; /* "dev:ino" -> first path */
  const char *id;
  HcsLayerProgressFunc progress;
  gpointer progress_data;
  guint64 bytes;
  guint64 entries;
  gint64 last_report;
  const gint *cancelled; /* set by a reader that stopped reading */
} Packer;

static gboolean
packer_cancelled (Packer *packer, GError **error)
{
  if (packer->cancelled == NULL || !g_atomic_int_get (packer->cancelled))
    return FALSE;
  g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_CLOSED, "layer '%s': the export was abandoned",
               packer->id);
  return TRUE;
}

/* Extended attributes in name order (so the tar is deterministic), but
 * not overlayfs's own: the opaque marker is an entry of its own. */
static gboolean
add_xattrs (Packer *packer, int fd, const char *path, struct archive_entry *entry,
            GError **error)
{
  g_autofree char *names = NULL;
  g_autoptr (GPtrArray) sorted = g_ptr_array_new ();
  ssize_t length = flistxattr (fd, NULL, 0);

  if (length < 0 && (errno == ENOTSUP || errno == ENODATA))
    return TRUE;
  if (length < 0)
    return hcs_set_error_from_errno (error, errno, "layer '%s': listing the attributes of '%s'",
                                     packer->id, path);
  if (length == 0)
    return TRUE;
  names = g_malloc (length);
  length = flistxattr (fd, names, length);
  if (length < 0)
    return hcs_set_error_from_errno (error, errno, "layer '%s': listing the attributes of '%s'",
                                     packer->id, path);
  for (char *name = names; name < names + length; name += strlen (name) + 1)
    if (!g_str_has_prefix (name, "trusted.overlay."))
      g_ptr_array_add (sorted, name);
  g_ptr_array_sort (sorted, compare_names);
  for (guint i = 0; i < sorted->len; i++)
    {
      const char *name = sorted->pdata[i];
      g_autofree char *value = NULL;
      ssize_t size = fgetxattr (fd, name, NULL, 0);

      if (size >= 0)
        {
          value = g_malloc (size + 1);
          size = fgetxattr (fd, name, value, size);
        }
      if (size < 0)
        return hcs_set_error_from_errno (error, errno, "layer '%s': reading %s of '%s'",
                                         packer->id, name, path);
      archive_entry_xattr_add_entry (entry, name, value, size);
    }
  return TRUE;
}

static void
report_progress (Packer *packer, gboolean last)
{
  if (packer->progress == NULL)
    return;
  if (!last && g_get_monotonic_time () - packer->last_report < 100000)
    return;
  packer->last_report = g_get_monotonic_time ();
  packer->progress (packer->bytes, packer->entries, packer->progress_data);
}

static gboolean
write_header (Packer *packer, struct archive_entry *entry, GError **error)
{
  if (archive_write_header (packer->tar, entry) != ARCHIVE_OK)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "layer '%s': writing '%s': %s", packer->id,
                   archive_entry_pathname (entry), archive_error_string (packer->tar));
      return FALSE;
    }
  return TRUE;
}

static gboolean pack_folder (Packer *packer, int dir_fd, const char *prefix, GError **error);

static gboolean
pack_entry (Packer *packer, int dir_fd, const char *name, const char *path, GError **error)
{
  struct archive_entry *entry = archive_entry_new ();
  struct stat st;
  gboolean ok = FALSE;
  int fd = -1;

  if (packer_cancelled (packer, error))
    goto out;
  if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      hcs_set_error_from_errno (error, errno, "layer '%s': reading '%s'", packer->id, path);
      goto out;
    }

  /* An overlayfs whiteout goes back to a ".wh." entry. */
  if (S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0))
    {
      g_autofree char *parent = g_path_get_dirname (path);
      g_autofree char *whiteout = g_strdup_printf ("%s%s%s%s", g_str_equal (parent, ".") ? "" : parent,
                                                   g_str_equal (parent, ".") ? "" : "/",
                                                   WHITEOUT_PREFIX, name);
      archive_entry_set_pathname (entry, whiteout);
      archive_entry_set_filetype (entry, AE_IFREG);
      archive_entry_set_perm (entry, 0644);
      archive_entry_set_size (entry, 0);
      archive_entry_set_mtime (entry, st.st_mtim.tv_sec, 0);
      ok = write_header (packer, entry, error);
      goto out;
    }

  archive_entry_set_pathname (entry, path);
  archive_entry_set_uid (entry, st.st_uid);
  archive_entry_set_gid (entry, st.st_gid);
  archive_entry_set_perm (entry, st.st_mode & 07777);
  archive_entry_set_mtime (entry, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);

  if (S_ISREG (st.st_mode) && st.st_nlink > 1)
    {
      g_autofree char *key = g_strdup_printf ("%lu:%lu", (gulong) st.st_dev, (gulong) st.st_ino);
      const char *first = g_hash_table_lookup (packer->hard_links, key);
      if (first != NULL)
        {
          archive_entry_set_filetype (entry, AE_IFREG);
          archive_entry_set_hardlink (entry, first);
          archive_entry_set_size (entry, 0);
          ok = write_header (packer, entry, error);
          goto out;
        }
      g_hash_table_insert (packer->hard_links, g_steal_pointer (&key), g_strdup (path));
    }

  if (S_ISDIR (st.st_mode))
    {
      char opaque[2];
      archive_entry_set_filetype (entry, AE_IFDIR);
      fd = openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        {
          hcs_set_error_from_errno (error, errno, "layer '%s': opening '%s'", packer->id, path);
          goto out;
        }
      if (!add_xattrs (packer, fd, path, entry, error) || !write_header (packer, entry, error))
        goto out;
      if (fgetxattr (fd, OPAQUE_XATTR, opaque, sizeof opaque) == 1 && opaque[0] == 'y')
        {
          struct archive_entry *marker = archive_entry_new ();
          g_autofree char *marker_path = g_strconcat (path, "/", OPAQUE_MARKER, NULL);
          archive_entry_set_pathname (marker, marker_path);
          archive_entry_set_filetype (marker, AE_IFREG);
          archive_entry_set_perm (marker, 0644);
          archive_entry_set_size (marker, 0);
          archive_entry_set_mtime (marker, st.st_mtim.tv_sec, 0);
          ok = write_header (packer, marker, error);
          archive_entry_free (marker);
          if (!ok)
            goto out;
        }
      ok = pack_folder (packer, fd, path, error);
    }
  else if (S_ISREG (st.st_mode))
    {
      char buffer[64 * 1024];
      ssize_t n;

      archive_entry_set_filetype (entry, AE_IFREG);
      archive_entry_set_size (entry, st.st_size);
      fd = openat (dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        {
          hcs_set_error_from_errno (error, errno, "layer '%s': opening '%s'", packer->id, path);
          goto out;
        }
      if (!add_xattrs (packer, fd, path, entry, error) || !write_header (packer, entry, error))
        goto out;
      while ((n = read (fd, buffer, sizeof buffer)) > 0)
        {
          if (archive_write_data (packer->tar, buffer, n) != n)
            {
              g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "layer '%s': writing '%s': %s",
                           packer->id, path, archive_error_string (packer->tar));
              goto out;
            }
          packer->bytes += n;
          if (packer_cancelled (packer, error))
            goto out;
        }
      ok = n == 0;
      if (!ok)
        hcs_set_error_from_errno (error, errno, "layer '%s': reading '%s'", packer->id, path);
    }
  else if (S_ISLNK (st.st_mode))
    {
      char target[MAX_PATH_LENGTH + 1];
      ssize_t n = readlinkat (dir_fd, name, target, MAX_PATH_LENGTH);
      if (n < 0)
        {
          hcs_set_error_from_errno (error, errno, "layer '%s': reading '%s'", packer->id, path);
          goto out;
        }
      target[n] = '\0';
      archive_entry_set_filetype (entry, AE_IFLNK);
      archive_entry_set_symlink (entry, target);
      ok = write_header (packer, entry, error);
    }
  else
    {
      archive_entry_set_filetype (entry, st.st_mode & S_IFMT);
      archive_entry_set_rdev (entry, st.st_rdev);
      ok = write_header (packer, entry, error);
    }

out:
  if (fd >= 0)
    close (fd);
  archive_entry_free (entry);
  if (ok)
    {
      packer->entries++;
      report_progress (packer, FALSE);
    }
  return ok;
}

static gboolean
pack_folder (Packer *packer, int dir_fd, const char *prefix, GError **error)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  int fd = dup (dir_fd);
  DIR *dir = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *dirent;

  if (dir == NULL)
    return hcs_set_error_from_errno (error, errno, "layer '%s': listing '%s'", packer->id,
                                     prefix ? prefix : ".");
  while ((dirent = readdir (dir)) != NULL)
    if (!g_str_equal (dirent->d_name, ".") && !g_str_equal (dirent->d_name, ".."))
      g_ptr_array_add (names, g_strdup (dirent->d_name));
  closedir (dir);
  /* Sorted, so the same layer always gives the same tar. */
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = prefix ? g_strconcat (prefix, "/", names->pdata[i], NULL)
                                     : g_strdup (names->pdata[i]);
      if (!pack_entry (packer, dir_fd, names->pdata[i], path, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
hcs_layer_store_export (HcsLayerStore *self, const char *id, const char *tar_path,
                        GError **error)
{
  return hcs_layer_store_export_with_progress (self, id, tar_path, NULL, NULL, error);
}

gboolean
hcs_layer_store_export_with_progress (HcsLayerStore *self, const char *id, const char *tar_path,
                                      HcsLayerProgressFunc progress, gpointer user_data,
                                      GError **error)
{
  return hcs_layer_export_fd (self, id, tar_path, -1, progress, user_data, NULL, error);
}

gboolean
hcs_layer_export_fd (HcsLayerStore *self, const char *id, const char *tar_path, int tar_fd,
                     HcsLayerProgressFunc progress, gpointer user_data, const gint *cancelled,
                     GError **error)
{
  g_autofree char *fs = NULL;
  g_autoptr (GHashTable) hard_links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  Packer packer = { 0 };
  gboolean ok;
  int root_fd;

  if (!hcs_layer_store_exists (self, id))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND, "layer '%s' does not exist",
                   id ? id : "");
      return FALSE;
    }
  fs = hcs_layer_store_get_mount_path (self, id);
  root_fd = open (fs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    return hcs_set_error_from_errno (error, errno, "layer '%s': opening %s", id, fs);

  if (!hcs_archive_load (error))
    {
      close (root_fd);
      return FALSE;
    }
  packer.id = id;
  packer.hard_links = hard_links;
  packer.progress = progress;
  packer.progress_data = user_data;
  packer.tar = archive_write_new ();
  packer.cancelled = cancelled;
  archive_write_set_format_pax_restricted (packer.tar);
  /* No padding to a whole block, to a file or a pipe alike. */
  archive_write_set_bytes_in_last_block (packer.tar, 1);
  if ((tar_fd >= 0 ? archive_write_open_fd (packer.tar, tar_fd)
                   : archive_write_open_filename (packer.tar, tar_path)) != ARCHIVE_OK)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "layer '%s': writing %s: %s", id,
                   tar_path, archive_error_string (packer.tar));
      archive_write_free (packer.tar);
      close (root_fd);
      return FALSE;
    }
  ok = pack_folder (&packer, root_fd, NULL, error);
  if (ok)
    report_progress (&packer, TRUE);
  else
    archive_write_fail (packer.tar); /* no end-of-archive after a failure */
  if (archive_write_close (packer.tar) != ARCHIVE_OK && ok)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "layer '%s': finishing %s: %s", id,
                   tar_path, archive_error_string (packer.tar));
      ok = FALSE;
    }
  archive_write_free (packer.tar);
  close (root_fd);
  if (!ok && tar_fd < 0)
    g_unlink (tar_path);
  return ok;
}

/* --- destroy ------------------------------------------------------------------- */

/* The mount points at or below @dir in this mount namespace, deepest
 * last (mountinfo lists a mount after the one it sits on). */
static GPtrArray *
mounts_below (const char *dir)
{
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *mountinfo = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL))
    return g_steal_pointer (&found);
  lines = g_strsplit (mountinfo, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], " ", 6);
      g_autofree char *point = NULL;
      gsize length = strlen (dir);

      if (g_strv_length (fields) < 5)
        continue;
      /* Spaces and the like come octal-escaped ("\040"). */
      point = g_strcompress (fields[4]);
      if (strncmp (point, dir, length) == 0 && (point[length] == '\0' || point[length] == '/'))
        g_ptr_array_add (found, g_steal_pointer (&point));
    }
  return g_steal_pointer (&found);
}

/* Every folder named by an overlay mount (lowerdir, upperdir, workdir) in
 * any mount namespace this process can see: argon mounts a container's
 * root in the container's own namespace, invisible in ours. */
static GPtrArray *
overlay_paths_in_use (void)
{
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (proc && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *ns = NULL, *mountinfo_path = NULL, *mountinfo = NULL;
      g_auto (GStrv) lines = NULL;
      struct stat st;
      gint64 inode;

      if (!g_ascii_isdigit (name[0]))
        continue;
      ns = g_strdup_printf ("/proc/%s/ns/mnt", name);
      if (stat (ns, &st) < 0)
        continue;
      inode = (gint64) st.st_ino;
      if (g_hash_table_contains (seen, &inode))
        continue;
      g_hash_table_add (seen, g_memdup2 (&inode, sizeof inode));
      mountinfo_path = g_strdup_printf ("/proc/%s/mountinfo", name);
      if (!g_file_get_contents (mountinfo_path, &mountinfo, NULL, NULL))
        continue;
      lines = g_strsplit (mountinfo, "\n", -1);
      for (guint i = 0; lines[i]; i++)
        {
          const char *tail = strstr (lines[i], " - overlay ");
          g_auto (GStrv) fields = NULL, options = NULL;

          if (tail == NULL)
            continue;
          fields = g_strsplit (tail + strlen (" - overlay "), " ", 2);
          if (g_strv_length (fields) < 2)
            continue;
          options = g_strsplit (fields[1], ",", -1);
          for (guint j = 0; options[j]; j++)
            {
              const char *value = strchr (options[j], '=');
              g_auto (GStrv) dirs = NULL;

              if (value == NULL || !(g_str_has_prefix (options[j], "lowerdir=") ||
                                     g_str_has_prefix (options[j], "upperdir=") ||
                                     g_str_has_prefix (options[j], "workdir=")))
                continue;
              dirs = g_strsplit (value + 1, ":", -1);
              for (guint k = 0; dirs[k]; k++)
                if (*dirs[k] != '\0')
                  g_ptr_array_add (paths, g_strcompress (dirs[k]));
            }
        }
    }
  return g_steal_pointer (&paths);
}

static gboolean
dir_in_paths (GPtrArray *paths, const char *dir)
{
  gsize length = strlen (dir);

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = paths->pdata[i];
      if (strncmp (path, dir, length) == 0 && (path[length] == '\0' || path[length] == '/'))
        return TRUE;
    }
  return FALSE;
}

/* Calls @func with each staging folder of the store that no live process
 * holds (its maker died: flock is let go with it), and the layer id its
 * name carries. */
static void
foreach_interrupted (HcsLayerStore *self, void (*func) (const char *path, const char *id,
                                                        gpointer data),
                     gpointer data)
{
  g_autoptr (GDir) dir = g_dir_open (self->path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL, *id = NULL;
      gsize length = strlen (name);
      int fd;

      /* .import-ID-XXXXXX */
      if (!g_str_has_prefix (name, HCS_LAYER_STAGING_PREFIX) ||
          length < strlen (HCS_LAYER_STAGING_PREFIX) + 8 || name[length - 7] != '-')
        continue;
      id = g_strndup (name + strlen (HCS_LAYER_STAGING_PREFIX),
                      length - strlen (HCS_LAYER_STAGING_PREFIX) - 7);
      path = g_build_filename (self->path, name, NULL);
      fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        continue;
      if (flock (fd, LOCK_EX | LOCK_NB) == 0)
        func (path, id, data);
      close (fd);
    }
}

static void
add_interrupted_id (const char *path, const char *id, gpointer data)
{
  GPtrArray *ids = data;

  if (!g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL))
    g_ptr_array_add (ids, g_strdup (id));
}

GStrv
hcs_layer_store_list_interrupted (HcsLayerStore *self)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  foreach_interrupted (self, add_interrupted_id, ids);
  g_ptr_array_add (ids, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

typedef struct {
  const char *id;
  guint removed;
} InterruptedRemoval;

static void
remove_interrupted_of (const char *path, const char *id, gpointer data)
{
  InterruptedRemoval *removal = data;

  if (!g_str_equal (id, removal->id))
    return;
  hcs_layer_remove_tree (path);
  removal->removed++;
}

gboolean
hcs_layer_store_destroy (HcsLayerStore *self, const char *id, gboolean force, GError **error)
{
  g_autoptr (GPtrArray) layers = NULL, mounts = NULL;
  g_autofree char *dir = NULL, *trash = NULL;
  InterruptedRemoval interrupted = { id, 0 };

  /* What an import of this id killed part way left: the layer itself is
   * there only if the import got as far as its last step. */
  if (id != NULL && hcs_layer_validate_id (id, NULL))
    foreach_interrupted (self, remove_interrupted_of, &interrupted);
  if (!hcs_layer_store_exists (self, id) && interrupted.removed > 0)
    return TRUE;
  if (!hcs_layer_store_exists (self, id))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND, "layer '%s' does not exist",
                   id ? id : "");
      return FALSE;
    }
  dir = layer_dir (self, id);
  mounts = mounts_below (dir);
  if (!force)
    {
      layers = hcs_layer_store_list (self, error);
      if (layers == NULL)
        return FALSE;
      for (guint i = 0; i < layers->len; i++)
        {
          HcsLayerInfo *info = layers->pdata[i];
          if (g_strcmp0 (info->parent, id) == 0)
            {
              g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                           "layer '%s' is the parent of layer '%s'", id, info->id);
              return FALSE;
            }
        }
      if (mounts->len > 0 || hcs_layer_store_get_active_count (self, id) > 0)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE, "layer '%s' is mounted", id);
          return FALSE;
        }
      {
        g_autoptr (GPtrArray) in_use = overlay_paths_in_use ();
        if (dir_in_paths (in_use, dir))
          {
            g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                         "layer '%s' is in a mounted overlay (a container's root?)", id);
            return FALSE;
          }
      }
    }
  /* Forced: the union first, then the scratch volume under it. */
  for (guint i = mounts->len; i-- > 0;)
    if (umount2 (mounts->pdata[i], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
      return hcs_set_error_from_errno (error, errno, "layer '%s': unmounting %s", id,
                                       (char *) mounts->pdata[i]);

  /* Renamed out of the way first, so a crash half way through leaves no
   * half a layer, only a folder that gc removes. */
  trash = g_build_filename (self->path, HCS_LAYER_TRASH_PREFIX "XXXXXX", NULL);
  if (g_mkdtemp_full (trash, 0700) == NULL)
    return hcs_set_error_from_errno (error, errno, "layer '%s': creating a folder in %s", id,
                                     self->path);
  if (rename (dir, trash) < 0)
    {
      int saved_errno = errno;
      g_rmdir (trash);
      return hcs_set_error_from_errno (error, saved_errno, "layer '%s': removing %s", id, dir);
    }
  hcs_layer_remove_tree (trash);
  return TRUE;
}

/* --- garbage collection ---------------------------------------------------------- */

gboolean
hcs_layer_store_collect_garbage (HcsLayerStore *self, const char *const *keep, GStrv *removed,
                                 GError **error)
{
  g_autoptr (GPtrArray) layers = hcs_layer_store_list (self, error);
  g_autoptr (GHashTable) live = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GStrvBuilder) gone = g_strv_builder_new ();
  g_autoptr (GDir) dir = NULL;
  const char *name;

  g_autoptr (GPtrArray) in_use = NULL;

  if (layers == NULL)
    return FALSE;
  in_use = overlay_paths_in_use ();
  /* Mark: what is kept, active or in an overlay mounted anywhere, and
   * every parent of those. */
  for (guint i = 0; i < layers->len; i++)
    {
      HcsLayerInfo *info = layers->pdata[i];
      g_autofree char *dir = layer_dir (self, info->id);
      if ((keep && g_strv_contains (keep, info->id)) ||
          hcs_layer_store_get_active_count (self, info->id) > 0 || dir_in_paths (in_use, dir))
        {
          g_auto (GStrv) chain = hcs_layer_store_get_chain_paths (self, info->id, NULL);
          for (guint j = 0; chain && chain[j]; j++)
            {
              g_autofree char *layer = g_path_get_dirname (chain[j]);
              g_autofree char *layer_id = g_path_get_basename (layer);
              for (guint k = 0; k < layers->len; k++)
                if (g_str_equal (((HcsLayerInfo *) layers->pdata[k])->id, layer_id))
                  g_hash_table_add (live, ((HcsLayerInfo *) layers->pdata[k])->id);
            }
        }
    }
  /* Sweep, children before parents: a forced destroy of a whole chain. */
  for (guint i = layers->len; i-- > 0;)
    {
      HcsLayerInfo *info = layers->pdata[i];
      if (g_hash_table_contains (live, info->id))
        continue;
      if (!hcs_layer_store_destroy (self, info->id, TRUE, error))
        return FALSE;
      g_strv_builder_add (gone, info->id);
    }
  dir = g_dir_open (hcs_layer_store_get_path (self), 0, NULL);
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (hcs_layer_store_get_path (self), name, NULL);
      int fd;

      if (g_str_has_prefix (name, HCS_LAYER_TRASH_PREFIX))
        hcs_layer_remove_tree (path);
      if (!g_str_has_prefix (name, HCS_LAYER_STAGING_PREFIX))
        continue;
      /* Locked: an import in progress, of this process or another. */
      fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        continue;
      if (flock (fd, LOCK_EX | LOCK_NB) == 0)
        hcs_layer_remove_tree (path);
      close (fd);
    }
  if (removed != NULL)
    *removed = g_strv_builder_end (gone);
  return TRUE;
}
