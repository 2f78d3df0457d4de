/* hcs-layer-input.c: the uncompressed bytes of a layer archive, every
 * stream's own check verified, nothing decompressed outside this process.
 *
 * libarchive's gzip filter never compares the trailer's CRC and length
 * with what it inflated (a flipped bit imports as different file contents),
 * and for formats it has no library for (lzop, grzip, lrzip) it runs a
 * program of that name found on PATH. So gzip is inflated here with zlib,
 * which checks both; the other formats go through libarchive with only the
 * filters it reports as built in, never filter_all; and the formats that
 * carry no check of their own are taken only with a digest to verify them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-error.h"
#include "hcs-layer-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "hcs-archive.h" /* last: it renames libarchive's functions */

#define INPUT_BUFFER_SIZE (64 * 1024)

typedef enum {
  FORMAT_PLAIN,   /* no compression: a tar, or garbage the tar reader refuses */
  FORMAT_GZIP,    /* zlib, here */
  FORMAT_LIBARCHIVE, /* a filter libarchive has built in */
} Format;

struct _HcsLayerInput
{
  char *id;
  char *path;
  int fd;
  gboolean own_fd;
  gboolean eof;
  guchar buffer[INPUT_BUFFER_SIZE];
  gsize start, end; /* the unconsumed bytes of buffer */

  Format format;
  const char *format_name;
  z_stream zlib;
  gboolean zlib_ready;
  gboolean zlib_member_done;
  struct archive *archive;
};

/* What a stream starts with, and what we do with it. */
typedef struct {
  const char *name;
  const guchar *magic;
  gsize magic_length;
  /* libarchive's support function; NULL: not taken at all. */
  int (**support) (struct archive *);
  /* The stream has no check of its own (see has_no_check ()). */
  gboolean never_checked;
} Known;

static gboolean
input_fill (HcsLayerInput *input, GError **error)
{
  gssize n;

  if (input->start > 0 && input->start < input->end)
    memmove (input->buffer, input->buffer + input->start, input->end - input->start);
  input->end -= input->start;
  input->start = 0;
  while (!input->eof && input->end < sizeof input->buffer)
    {
      n = read (input->fd, input->buffer + input->end, sizeof input->buffer - input->end);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          hcs_set_error_from_errno (error, errno, "layer '%s': reading %s", input->id,
                                    input->path);
          return FALSE;
        }
      if (n == 0)
        input->eof = TRUE;
      input->end += n;
      /* A pipe gives what it has: enough to go on with. */
      if (input->end > 0)
        break;
    }
  return TRUE;
}

/* Fills the buffer until it holds @want bytes or the input ends. */
static gboolean
input_peek (HcsLayerInput *input, gsize want, GError **error)
{
  while (input->end - input->start < want && !input->eof)
    if (!input_fill (input, error))
      return FALSE;
  return TRUE;
}

static la_ssize_t
archive_input_read_cb (struct archive *archive, void *data, const void **buffer)
{
  HcsLayerInput *input = data;
  g_autoptr (GError) error = NULL;
  gsize n;

  if (input->start == input->end && !input_fill (input, &error))
    {
      archive_set_error (archive, EIO, "%s", error->message);
      return -1;
    }
  n = input->end - input->start;
  *buffer = input->buffer + input->start;
  input->start = input->end;
  return n;
}

static const guchar gzip_magic[] = { 0x1f, 0x8b };
static const guchar bzip2_magic[] = { 'B', 'Z', 'h' };
static const guchar xz_magic[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
static const guchar lzip_magic[] = { 'L', 'Z', 'I', 'P' };
static const guchar zstd_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };
static const guchar lz4_magic[] = { 0x04, 0x22, 0x4d, 0x18 };
static const guchar lz4_legacy_magic[] = { 0x02, 0x21, 0x4c, 0x18 };
static const guchar compress_magic[] = { 0x1f, 0x9d };
static const guchar lzop_magic[] = { 0x89, 'L', 'Z', 'O', 0x00, 0x0d, 0x0a, 0x1a, 0x0a };
static const guchar grzip_magic[] = { 'G', 'R', 'Z', 'i', 'p', 'I', 'I', 0x00, 0x02, 0x04, ':', ')' };
static const guchar lrzip_magic[] = { 'L', 'R', 'Z', 'I' };
static const guchar rpm_magic[] = { 0xed, 0xab, 0xee, 0xdb };

/* The stream's first header says it carries no check: an xz stream with
 * check type None, a zstd frame without Content_Checksum, an lz4 frame
 * without a content checksum. Only the first stream or frame is looked
 * at; the decoders verify every check that is there. */
static gboolean
has_no_check (const char *name, const guchar *data, gsize length)
{
  if (g_str_equal (name, "xz"))
    return length >= 8 && (data[7] & 0x0f) == 0;
  if (g_str_equal (name, "zstd"))
    return length >= 5 && (data[4] & 0x04) == 0;
  if (g_str_equal (name, "lz4"))
    return length >= 5 && (data[4] & 0x04) == 0;
  return FALSE;
}

/* A tar begins with its first file's name, which may well begin with
 * "BZh" or "LZIP": the short magics are confirmed by what follows. */
static gboolean
magic_confirmed (const char *name, const guchar *data, gsize length)
{
  static const guchar bzip2_block[] = { 0x31, 0x41, 0x59, 0x26, 0x53, 0x59 };
  static const guchar bzip2_end[] = { 0x17, 0x72, 0x45, 0x38, 0x50, 0x90 };

  if (g_str_equal (name, "bzip2"))
    return length >= 10 && data[3] >= '1' && data[3] <= '9' &&
           (memcmp (data + 4, bzip2_block, 6) == 0 || memcmp (data + 4, bzip2_end, 6) == 0);
  if (g_str_equal (name, "lzip"))
    return length >= 5 && data[4] <= 1;
  if (g_str_equal (name, "lrzip"))
    return length >= 5 && data[4] == 0;
  return TRUE;
}

/* The old .lzma format has no magic: a properties byte (0x5d for every
 * preset), a power-of-two dictionary size, then the size or all ones. */
static gboolean
looks_like_lzma_alone (const guchar *data, gsize length)
{
  guint32 dictionary;

  if (length < 13 || data[0] != 0x5d)
    return FALSE;
  dictionary = data[1] | data[2] << 8 | data[3] << 16 | (guint32) data[4] << 24;
  return dictionary >= 4096 && (dictionary & (dictionary - 1)) == 0;
}

HcsLayerInput *
hcs_layer_input_open (const char *id, const char *path, int fd, gboolean have_digest,
                      GError **error)
{
  /* Filters are looked up through the loaded libarchive, so these are
   * filled after hcs_archive_load (). */
  int (*support_bzip2) (struct archive *) = NULL, (*support_xz) (struct archive *) = NULL,
      (*support_lzip) (struct archive *) = NULL, (*support_zstd) (struct archive *) = NULL,
      (*support_lz4) (struct archive *) = NULL, (*support_compress) (struct archive *) = NULL,
      (*support_lzma) (struct archive *) = NULL;
  const Known known[] = {
    { "gzip", gzip_magic, sizeof gzip_magic, NULL, FALSE },
    { "bzip2", bzip2_magic, sizeof bzip2_magic, &support_bzip2, FALSE },
    { "xz", xz_magic, sizeof xz_magic, &support_xz, FALSE },
    { "lzip", lzip_magic, sizeof lzip_magic, &support_lzip, FALSE },
    { "zstd", zstd_magic, sizeof zstd_magic, &support_zstd, FALSE },
    { "lz4", lz4_magic, sizeof lz4_magic, &support_lz4, FALSE },
    { "lz4 (legacy)", lz4_legacy_magic, sizeof lz4_legacy_magic, &support_lz4, TRUE },
    { "compress (.Z)", compress_magic, sizeof compress_magic, &support_compress, TRUE },
    { "lzop", lzop_magic, sizeof lzop_magic, NULL, FALSE },
    { "grzip", grzip_magic, sizeof grzip_magic, NULL, FALSE },
    { "lrzip", lrzip_magic, sizeof lrzip_magic, NULL, FALSE },
    { "rpm", rpm_magic, sizeof rpm_magic, NULL, FALSE },
    { "lzma", NULL, 0, &support_lzma, TRUE },
  };
  g_autoptr (HcsLayerInput) input = g_new0 (HcsLayerInput, 1);
  const guchar *head;
  gsize head_length;
  const Known *match = NULL;

  if (!hcs_archive_load (error))
    return NULL;
  support_bzip2 = archive_read_support_filter_bzip2;
  support_xz = archive_read_support_filter_xz;
  support_lzip = archive_read_support_filter_lzip;
  support_zstd = archive_read_support_filter_zstd;
  support_lz4 = archive_read_support_filter_lz4;
  support_compress = archive_read_support_filter_compress;
  support_lzma = archive_read_support_filter_lzma;

  input->id = g_strdup (id);
  input->path = g_strdup (path);
  input->fd = fd;
  if (fd < 0)
    {
      input->fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
      if (input->fd < 0)
        return hcs_set_error_from_errno (error, errno, "layer '%s': opening %s", id, path), NULL;
      input->own_fd = TRUE;
    }
  if (!input_peek (input, 16, error))
    return NULL;
  head = input->buffer + input->start;
  head_length = input->end - input->start;

  for (gsize i = 0; i < G_N_ELEMENTS (known) && match == NULL; i++)
    if (known[i].magic != NULL ? head_length >= known[i].magic_length &&
                                     memcmp (head, known[i].magic, known[i].magic_length) == 0 &&
                                     magic_confirmed (known[i].name, head, head_length)
                               : looks_like_lzma_alone (head, head_length))
      match = &known[i];
  if (match == NULL)
    {
      input->format = FORMAT_PLAIN;
      input->format_name = "tar";
      return g_steal_pointer (&input);
    }
  input->format_name = match->name;
  if (match->support == NULL && !g_str_equal (match->name, "gzip"))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "layer '%s': %s: %s compression is not supported (it is only decompressed by "
                   "an external program, and layers are decompressed in process only)",
                   id, path, match->name);
      return NULL;
    }
  if (!have_digest && (match->never_checked || has_no_check (match->name, head, head_length)))
    goto no_check;
  if (g_str_equal (match->name, "gzip"))
    {
      /* 16 + window bits: a gzip wrapper, its CRC-32 and length checked. */
      if (inflateInit2 (&input->zlib, 16 + MAX_WBITS) != Z_OK)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "layer '%s': zlib: %s", id,
                       input->zlib.msg ? input->zlib.msg : "cannot start");
          return NULL;
        }
      input->zlib_ready = TRUE;
      input->format = FORMAT_GZIP;
      return g_steal_pointer (&input);
    }
  input->format = FORMAT_LIBARCHIVE;
  input->archive = archive_read_new ();
  /* A filter libarchive lacks a library for answers ARCHIVE_WARN and would
   * run a program: refused. */
  if ((*match->support) (input->archive) != ARCHIVE_OK)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "layer '%s': %s: %s compression is not supported: this libarchive would "
                   "run an external program for it, and layers are decompressed in process only",
                   id, path, match->name);
      return NULL;
    }

  {
    struct archive_entry *entry;

    archive_read_support_format_raw (input->archive);
    if (archive_read_open (input->archive, input, NULL, archive_input_read_cb, NULL) !=
            ARCHIVE_OK ||
        archive_read_next_header (input->archive, &entry) != ARCHIVE_OK)
      {
        g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "layer '%s': %s: %s: %s", id, path,
                     input->format_name, archive_error_string (input->archive));
        return NULL;
      }
  }
  return g_steal_pointer (&input);

no_check:
  g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
               "layer '%s': %s: the %s stream carries no checksum of its own; give the layer's "
               "diff id (its digest) to verify it",
               id, path, input->format_name);
  return NULL;
}

const char *
hcs_layer_input_get_format (HcsLayerInput *input)
{
  return input->format_name;
}

static gssize
gzip_read (HcsLayerInput *input, guchar *buffer, gsize size, GError **error)
{
  while (TRUE)
    {
      int result;

      if (input->zlib_member_done)
        {
          /* After a member: another member, zero padding, or the end. */
          if (!input_peek (input, 2, error))
            return -1;
          if (input->start == input->end)
            return 0;
          if (input->end - input->start >= 2 &&
              memcmp (input->buffer + input->start, gzip_magic, 2) == 0)
            {
              inflateReset (&input->zlib);
              input->zlib_member_done = FALSE;
              continue;
            }
          for (gsize i = input->start; i < input->end; i++)
            if (input->buffer[i] != 0)
              {
                g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                             "layer '%s': %s: gzip: data after the end of the compressed stream",
                             input->id, input->path);
                return -1;
              }
          input->start = input->end;
          continue;
        }
      if (input->start == input->end && !input->eof && !input_fill (input, error))
        return -1;
      if (input->start == input->end && input->eof)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "layer '%s': %s: gzip: the compressed stream is truncated", input->id,
                       input->path);
          return -1;
        }
      input->zlib.next_in = input->buffer + input->start;
      input->zlib.avail_in = input->end - input->start;
      input->zlib.next_out = buffer;
      input->zlib.avail_out = size;
      result = inflate (&input->zlib, Z_NO_FLUSH);
      input->start = input->end - input->zlib.avail_in;
      if (result == Z_STREAM_END)
        input->zlib_member_done = TRUE;
      else if (result != Z_OK && result != Z_BUF_ERROR)
        {
          /* "incorrect data check" (CRC-32), "incorrect length check"... */
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "layer '%s': %s: gzip: the compressed data is corrupt: %s", input->id,
                       input->path, input->zlib.msg ? input->zlib.msg : zError (result));
          return -1;
        }
      if (input->zlib.avail_out < size)
        return size - input->zlib.avail_out;
    }
}

gssize
hcs_layer_input_read (HcsLayerInput *input, void *buffer, gsize size, GError **error)
{
  switch (input->format)
    {
    case FORMAT_PLAIN:
      if (input->start == input->end && !input->eof && !input_fill (input, error))
        return -1;
      {
        gsize n = MIN (size, input->end - input->start);
        memcpy (buffer, input->buffer + input->start, n);
        input->start += n;
        return n;
      }
    case FORMAT_GZIP:
      return gzip_read (input, buffer, size, error);
    case FORMAT_LIBARCHIVE:
      {
        la_ssize_t n = archive_read_data (input->archive, buffer, size);
        if (n < 0)
          {
            g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                         "layer '%s': %s: %s: the compressed data is corrupt: %s", input->id,
                         input->path, input->format_name,
                         archive_error_string (input->archive) ? archive_error_string (input->archive)
                                                               : "read error");
            return -1;
          }
        return n;
      }
    }
  g_assert_not_reached ();
}

void
hcs_layer_input_free (HcsLayerInput *input)
{
  if (input == NULL)
    return;
  if (input->archive != NULL)
    archive_read_free (input->archive);
  if (input->zlib_ready)
    inflateEnd (&input->zlib);
  if (input->own_fd)
    close (input->fd);
  g_free (input->id);
  g_free (input->path);
  g_free (input);
}
