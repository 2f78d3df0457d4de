/* hcs-layer-stream.c: building and reading layers entry by entry.
 *
 * The writer streams a tar into an anonymous memory file and imports it at
 * commit, so a layer made this way passes every check an archive does; the
 * reader streams the layer's export the same way.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-layer-store.h"
#include "hcs-error.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int
new_memory_file (const char *name, GError **error)
{
  int fd = memfd_create (name, MFD_CLOEXEC);

  if (fd < 0)
    hcs_set_error_from_errno (error, errno, "creating a memory file for %s", name);
  return fd;
}

/* --- writer ---------------------------------------------------------------- */

struct _HcsLayerWriter
{
  GObject parent_instance;
  HcsLayerStore *store;
  char *id;
  char *parent;
  int fd;
  struct archive *tar;
  gint64 remaining;  /* bytes the current file still expects */
  gboolean done;
};

G_DEFINE_FINAL_TYPE (HcsLayerWriter, hcs_layer_writer, G_TYPE_OBJECT)

static void
hcs_layer_writer_finalize (GObject *object)
{
  HcsLayerWriter *self = HCS_LAYER_WRITER (object);

  if (self->tar != NULL)
    archive_write_free (self->tar);
  if (self->fd >= 0)
    close (self->fd);
  g_clear_object (&self->store);
  g_free (self->id);
  g_free (self->parent);
  G_OBJECT_CLASS (hcs_layer_writer_parent_class)->finalize (object);
}

static void
hcs_layer_writer_class_init (HcsLayerWriterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hcs_layer_writer_finalize;
}

static void
hcs_layer_writer_init (HcsLayerWriter *self)
{
  self->fd = -1;
}

HcsLayerWriter *
hcs_layer_store_new_writer (HcsLayerStore *self, const char *id, const char *parent,
                            GError **error)
{
  g_autoptr (HcsLayerWriter) writer = g_object_new (HCS_TYPE_LAYER_WRITER, NULL);

  if (hcs_layer_store_exists (self, id))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS, "layer '%s' already exists", id);
      return NULL;
    }
  writer->store = g_object_ref (self);
  writer->id = g_strdup (id);
  writer->parent = g_strdup (parent);
  writer->fd = new_memory_file ("hcs-layer-writer", error);
  if (writer->fd < 0)
    return NULL;
  writer->tar = archive_write_new ();
  archive_write_set_format_pax_restricted (writer->tar);
  if (archive_write_open_fd (writer->tar, writer->fd) != ARCHIVE_OK)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "layer '%s': %s", id,
                   archive_error_string (writer->tar));
      return NULL;
    }
  return g_steal_pointer (&writer);
}

static gboolean
check_writable (HcsLayerWriter *self, gboolean between_entries, GError **error)
{
  if (self->done)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_CLOSED,
                   "layer writer '%s': already committed", self->id);
      return FALSE;
    }
  if (between_entries && self->remaining > 0)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "layer writer '%s': the last file still lacks %" G_GINT64_FORMAT " bytes",
                   self->id, self->remaining);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_entry (HcsLayerWriter *self, struct archive_entry *entry, GError **error)
{
  gboolean ok = archive_write_header (self->tar, entry) == ARCHIVE_OK;

  if (!ok)
    g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "layer writer '%s': entry '%s': %s",
                 self->id, archive_entry_pathname (entry), archive_error_string (self->tar));
  archive_entry_free (entry);
  return ok;
}

gboolean
hcs_layer_writer_add (HcsLayerWriter *self, const char *path, guint32 mode, guint32 uid,
                      guint32 gid, gint64 mtime, gint64 size, const char *symlink_target,
                      GError **error)
{
  struct archive_entry *entry;

  if (!check_writable (self, TRUE, error))
    return FALSE;
  if (S_ISLNK (mode) && symlink_target == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "layer writer '%s': entry '%s': a symlink needs a target", self->id, path);
      return FALSE;
    }
  entry = archive_entry_new ();
  archive_entry_set_pathname (entry, path);
  archive_entry_set_filetype (entry, mode & S_IFMT);
  archive_entry_set_perm (entry, mode & 07777);
  archive_entry_set_uid (entry, uid);
  archive_entry_set_gid (entry, gid);
  archive_entry_set_mtime (entry, mtime, 0);
  archive_entry_set_size (entry, S_ISREG (mode) ? size : 0);
  if (S_ISLNK (mode))
    archive_entry_set_symlink (entry, symlink_target);
  self->remaining = S_ISREG (mode) ? size : 0;
  return write_entry (self, entry, error);
}

gboolean
hcs_layer_writer_add_link (HcsLayerWriter *self, const char *path, const char *target,
                           GError **error)
{
  struct archive_entry *entry;

  if (!check_writable (self, TRUE, error))
    return FALSE;
  entry = archive_entry_new ();
  archive_entry_set_pathname (entry, path);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_hardlink (entry, target);
  archive_entry_set_size (entry, 0);
  return write_entry (self, entry, error);
}

gboolean
hcs_layer_writer_remove (HcsLayerWriter *self, const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *whiteout = NULL;
  struct archive_entry *entry;

  if (!check_writable (self, TRUE, error))
    return FALSE;
  whiteout = g_str_equal (dir, ".") ? g_strconcat (".wh.", base, NULL)
                                    : g_strconcat (dir, "/.wh.", base, NULL);
  entry = archive_entry_new ();
  archive_entry_set_pathname (entry, whiteout);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_size (entry, 0);
  return write_entry (self, entry, error);
}

gboolean
hcs_layer_writer_write (HcsLayerWriter *self, const void *data, gsize length, GError **error)
{
  if (!check_writable (self, FALSE, error))
    return FALSE;
  if ((gint64) length > self->remaining)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "layer writer '%s': %" G_GSIZE_FORMAT " bytes written past the file's size",
                   self->id, length);
      return FALSE;
    }
  if (archive_write_data (self->tar, data, length) != (la_ssize_t) length)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "layer writer '%s': %s", self->id,
                   archive_error_string (self->tar));
      return FALSE;
    }
  self->remaining -= length;
  return TRUE;
}

HcsLayerInfo *
hcs_layer_writer_commit (HcsLayerWriter *self, GError **error)
{
  g_autofree char *path = NULL;

  if (!check_writable (self, TRUE, error))
    return NULL;
  self->done = TRUE;
  if (archive_write_close (self->tar) != ARCHIVE_OK)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "layer writer '%s': %s", self->id,
                   archive_error_string (self->tar));
      return NULL;
    }
  path = g_strdup_printf ("/proc/self/fd/%d", self->fd);
  return hcs_layer_store_import (self->store, self->id, self->parent, path, NULL,
                                 HCS_LAYER_IMPORT_NONE, error);
}

/* --- reader ---------------------------------------------------------------- */

struct _HcsLayerReader
{
  GObject parent_instance;
  int fd;
  struct archive *tar;
  char *id;
};

G_DEFINE_FINAL_TYPE (HcsLayerReader, hcs_layer_reader, G_TYPE_OBJECT)

static void
hcs_layer_reader_finalize (GObject *object)
{
  HcsLayerReader *self = HCS_LAYER_READER (object);

  if (self->tar != NULL)
    archive_read_free (self->tar);
  if (self->fd >= 0)
    close (self->fd);
  g_free (self->id);
  G_OBJECT_CLASS (hcs_layer_reader_parent_class)->finalize (object);
}

static void
hcs_layer_reader_class_init (HcsLayerReaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hcs_layer_reader_finalize;
}

static void
hcs_layer_reader_init (HcsLayerReader *self)
{
  self->fd = -1;
}

HcsLayerReader *
hcs_layer_store_new_reader (HcsLayerStore *self, const char *id, GError **error)
{
  g_autoptr (HcsLayerReader) reader = g_object_new (HCS_TYPE_LAYER_READER, NULL);
  g_autofree char *path = NULL;

  reader->id = g_strdup (id);
  reader->fd = new_memory_file ("hcs-layer-reader", error);
  if (reader->fd < 0)
    return NULL;
  path = g_strdup_printf ("/proc/self/fd/%d", reader->fd);
  if (!hcs_layer_store_export (self, id, path, error))
    return NULL;
  lseek (reader->fd, 0, SEEK_SET);
  reader->tar = archive_read_new ();
  archive_read_support_format_tar (reader->tar);
  if (archive_read_open_fd (reader->tar, reader->fd, 64 * 1024) != ARCHIVE_OK)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "layer reader '%s': %s", id,
                   archive_error_string (reader->tar));
      return NULL;
    }
  return g_steal_pointer (&reader);
}

gboolean
hcs_layer_reader_next (HcsLayerReader *self, const char **path, guint32 *mode, gint64 *size,
                       const char **link_target, GError **error)
{
  struct archive_entry *entry;
  int result = archive_read_next_header (self->tar, &entry);

  if (result == ARCHIVE_EOF)
    return FALSE;
  if (result != ARCHIVE_OK)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "layer reader '%s': %s", self->id,
                   archive_error_string (self->tar));
      return FALSE;
    }
  if (path)
    *path = archive_entry_pathname (entry);
  if (mode)
    *mode = archive_entry_mode (entry);
  if (size)
    *size = archive_entry_size (entry);
  if (link_target)
    *link_target = archive_entry_symlink (entry) ? archive_entry_symlink (entry)
                                                 : archive_entry_hardlink (entry);
  return TRUE;
}

gssize
hcs_layer_reader_read (HcsLayerReader *self, void *buffer, gsize length, GError **error)
{
  la_ssize_t n = archive_read_data (self->tar, buffer, length);

  if (n < 0)
    g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "layer reader '%s': %s", self->id,
                 archive_error_string (self->tar));
  return n;
}
