/* hcs-layer-stream.c: building and reading layers entry by entry.
 *
 * Both stream through a pipe, never a whole layer in memory: the writer
 * writes a tar into it while a thread imports from the other end (so a
 * layer built this way passes every check an archive does, and lands
 * atomically at commit); the reader reads a tar that a thread exports
 * into it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-layer-store.h"
#include "hcs-error.h"
#include "hcs-layer-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "hcs-archive.h" /* last: it renames libarchive's functions */

/* --- writer ---------------------------------------------------------------- */

struct _HcsLayerWriter
{
  GObject parent_instance;
  HcsLayerStore *store;
  char *id;
  char *parent;
  int fd;            /* the pipe's write end */
  int import_fd;     /* its read end, the import thread's */
  struct archive *tar;
  gint64 remaining;  /* bytes the current file still expects */
  gboolean done;
  gint abandoned;    /* finalized without commit: keep nothing */
  GThread *thread;
  GMutex lock;
  GError *import_error; /* set by the thread when it fails early */
  HcsLayerInfo *info;
};

G_DEFINE_FINAL_TYPE (HcsLayerWriter, hcs_layer_writer, G_TYPE_OBJECT)

static gpointer
import_thread (gpointer data)
{
  HcsLayerWriter *self = data;
  GError *error = NULL;
  HcsLayerInfo *info = hcs_layer_import_fd (self->store, self->id, self->parent, self->id,
                                            self->import_fd, NULL, HCS_LAYER_IMPORT_NONE, NULL,
                                            NULL, &self->abandoned, &error);
  char buffer[16 * 1024];

  g_mutex_lock (&self->lock);
  self->info = info;
  self->import_error = error;
  g_mutex_unlock (&self->lock);
  /* Read on to the end, so the writer never meets a closed pipe. */
  while (read (self->import_fd, buffer, sizeof buffer) > 0)
    ;
  return NULL;
}

/* Joins the import thread once the pipe is closed. */
static void
finish_import (HcsLayerWriter *self)
{
  if (self->fd >= 0)
    {
      close (self->fd);
      self->fd = -1;
    }
  if (self->thread != NULL)
    g_thread_join (g_steal_pointer (&self->thread));
  if (self->import_fd >= 0)
    {
      close (self->import_fd);
      self->import_fd = -1;
    }
}

static void
hcs_layer_writer_finalize (GObject *object)
{
  HcsLayerWriter *self = HCS_LAYER_WRITER (object);

  if (self->tar != NULL)
    {
      /* Not committed: no end-of-archive, and the import keeps nothing. */
      g_atomic_int_set (&self->abandoned, 1);
      archive_write_fail (self->tar);
      finish_import (self);
      archive_write_free (self->tar);
    }
  finish_import (self);
  g_clear_pointer (&self->info, hcs_layer_info_free);
  g_clear_error (&self->import_error);
  g_mutex_clear (&self->lock);
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
  self->import_fd = -1;
  g_mutex_init (&self->lock);
}

HcsLayerWriter *
hcs_layer_store_new_writer (HcsLayerStore *self, const char *id, const char *parent,
                            GError **error)
{
  g_autoptr (HcsLayerWriter) writer = g_object_new (HCS_TYPE_LAYER_WRITER, NULL);
  int fds[2];

  if (!hcs_layer_check_new (self, id, parent, "layer", error))
    return NULL;
  if (!hcs_archive_load (error))
    return NULL;
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return hcs_set_error_from_errno (error, errno, "layer writer '%s': a pipe", id), NULL;
  writer->store = g_object_ref (self);
  writer->id = g_strdup (id);
  writer->parent = g_strdup (parent);
  writer->import_fd = fds[0];
  writer->fd = fds[1];
  writer->tar = archive_write_new ();
  archive_write_set_format_pax_restricted (writer->tar);
  archive_write_set_bytes_in_last_block (writer->tar, 1);
  if (archive_write_open_fd (writer->tar, writer->fd) != ARCHIVE_OK)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "layer '%s': %s", id,
                   archive_error_string (writer->tar));
      return NULL;
    }
  writer->thread = g_thread_new ("hcs-layer-writer", import_thread, writer);
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
  /* The import refused something already: say what, now. */
  g_mutex_lock (&self->lock);
  if (self->import_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->import_error));
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  g_mutex_unlock (&self->lock);
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
  gboolean closed;

  if (!check_writable (self, TRUE, error))
    return NULL;
  self->done = TRUE;
  closed = archive_write_close (self->tar) == ARCHIVE_OK;
  if (!closed)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "layer writer '%s': %s", self->id,
                   archive_error_string (self->tar));
      archive_write_fail (self->tar);
      g_atomic_int_set (&self->abandoned, 1);
    }
  archive_write_free (g_steal_pointer (&self->tar));
  finish_import (self);
  if (!closed)
    return NULL;
  if (self->import_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->import_error));
      return NULL;
    }
  return g_steal_pointer (&self->info);
}

/* --- reader ---------------------------------------------------------------- */

struct _HcsLayerReader
{
  GObject parent_instance;
  HcsLayerStore *store;
  char *id;
  int fd;          /* the pipe's read end */
  int export_fd;   /* its write end, the export thread's */
  struct archive *tar;
  GThread *thread;
  gint stopped;    /* the reader is gone: the export ends early */
  GError *export_error;
};

G_DEFINE_FINAL_TYPE (HcsLayerReader, hcs_layer_reader, G_TYPE_OBJECT)

static gpointer
export_thread (gpointer data)
{
  HcsLayerReader *self = data;

  hcs_layer_export_fd (self->store, self->id, self->id, self->export_fd, NULL, NULL,
                       &self->stopped, &self->export_error);
  close (self->export_fd);
  self->export_fd = -1;
  return NULL;
}

static void
finish_export (HcsLayerReader *self)
{
  char buffer[16 * 1024];

  if (self->thread == NULL)
    return;
  /* Tell it to stop, and read on so that it is never stuck writing. */
  g_atomic_int_set (&self->stopped, 1);
  while (read (self->fd, buffer, sizeof buffer) > 0)
    ;
  g_thread_join (g_steal_pointer (&self->thread));
}

static void
hcs_layer_reader_finalize (GObject *object)
{
  HcsLayerReader *self = HCS_LAYER_READER (object);

  if (self->tar != NULL)
    archive_read_free (self->tar);
  finish_export (self);
  if (self->fd >= 0)
    close (self->fd);
  if (self->export_fd >= 0)
    close (self->export_fd);
  g_clear_error (&self->export_error);
  g_clear_object (&self->store);
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
  self->export_fd = -1;
}

HcsLayerReader *
hcs_layer_store_new_reader (HcsLayerStore *self, const char *id, GError **error)
{
  g_autoptr (HcsLayerReader) reader = g_object_new (HCS_TYPE_LAYER_READER, NULL);
  int fds[2];

  if (!hcs_layer_store_exists (self, id))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND, "layer '%s' does not exist",
                   id ? id : "");
      return NULL;
    }
  if (!hcs_archive_load (error))
    return NULL;
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return hcs_set_error_from_errno (error, errno, "layer reader '%s': a pipe", id), NULL;
  reader->store = g_object_ref (self);
  reader->id = g_strdup (id);
  reader->fd = fds[0];
  reader->export_fd = fds[1];
  reader->thread = g_thread_new ("hcs-layer-reader", export_thread, reader);
  reader->tar = archive_read_new ();
  archive_read_support_format_tar (reader->tar);
  if (archive_read_open_fd (reader->tar, reader->fd, 64 * 1024) != ARCHIVE_OK)
    {
      finish_export (reader);
      if (reader->export_error != NULL)
        g_propagate_error (error, g_steal_pointer (&reader->export_error));
      else
        g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "layer reader '%s': %s", id,
                     archive_error_string (reader->tar));
      return NULL;
    }
  return g_steal_pointer (&reader);
}

/* The export's own error says more than the tar reader's view of it. */
static void
reader_error (HcsLayerReader *self, GError **error)
{
  g_autofree char *text = g_strdup (archive_error_string (self->tar));

  finish_export (self);
  if (self->export_error != NULL)
    g_propagate_error (error, g_error_copy (self->export_error));
  else
    g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "layer reader '%s': %s", self->id,
                 text ? text : "read error");
}

gboolean
hcs_layer_reader_next (HcsLayerReader *self, const char **path, guint32 *mode, gint64 *size,
                       const char **link_target, GError **error)
{
  struct archive_entry *entry;
  int result = archive_read_next_header (self->tar, &entry);

  if (result == ARCHIVE_EOF)
    {
      finish_export (self);
      if (self->export_error != NULL)
        g_propagate_error (error, g_error_copy (self->export_error));
      return FALSE;
    }
  if (result != ARCHIVE_OK)
    {
      reader_error (self, error);
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
    reader_error (self, error);
  return n;
}
