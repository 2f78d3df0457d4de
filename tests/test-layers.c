/* test-layers.c: the layer store: round trips, compression, hostile
 * archives against a victim folder, and a container on a layer chain.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdarg.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

typedef struct {
  const char *path;
  mode_t type;        /* AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR, AE_IFIFO; 0: hard link */
  const char *data;   /* file content, or the link target */
  mode_t perm;
  uid_t uid;
} Entry;

typedef enum { PLAIN, GZIP, ZSTD } Compression;

/* vfs_cap_data, revision 2: CAP_NET_RAW (13) permitted, little endian. */
static const char cap_net_raw[20] = { 0, 0, 0, 2, 0, 0x20, 0, 0 };

static void
write_archive (const char *path, const Entry *entries, gsize n_entries, Compression compression)
{
  struct archive *tar = archive_write_new ();

  archive_write_set_format_pax_restricted (tar);
  if (compression == GZIP)
    archive_write_add_filter_gzip (tar);
  else if (compression == ZSTD)
    g_assert_cmpint (archive_write_add_filter_zstd (tar), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_filename (tar, path), ==, ARCHIVE_OK);
  for (gsize i = 0; i < n_entries; i++)
    {
      struct archive_entry *entry = archive_entry_new ();
      gsize size = entries[i].type == AE_IFREG && entries[i].data ? strlen (entries[i].data) : 0;

      archive_entry_set_pathname (entry, entries[i].path);
      archive_entry_set_perm (entry, entries[i].perm ? entries[i].perm : 0644);
      archive_entry_set_uid (entry, entries[i].uid);
      archive_entry_set_gid (entry, entries[i].uid);
      archive_entry_set_mtime (entry, 1700000000, 0);
      if (entries[i].type == 0)
        {
          archive_entry_set_filetype (entry, AE_IFREG);
          archive_entry_set_hardlink (entry, entries[i].data);
        }
      else
        archive_entry_set_filetype (entry, entries[i].type);
      if (entries[i].type == AE_IFLNK)
        archive_entry_set_symlink (entry, entries[i].data);
      if (entries[i].type == AE_IFCHR)
        archive_entry_set_rdev (entry, makedev (1, 3));
      if (entries[i].type == AE_IFREG && g_str_has_suffix (entries[i].path, "/xattr-file"))
        archive_entry_xattr_add_entry (entry, "user.hcs", "kept", 4);
      if (entries[i].type == AE_IFREG && g_str_has_suffix (entries[i].path, "/cap-file"))
        archive_entry_xattr_add_entry (entry, "security.capability", cap_net_raw,
                                       sizeof cap_net_raw);
      archive_entry_set_size (entry, size);
      g_assert_cmpint (archive_write_header (tar, entry), ==, ARCHIVE_OK);
      if (size)
        g_assert_cmpint (archive_write_data (tar, entries[i].data, size), ==, (la_ssize_t) size);
      archive_entry_free (entry);
    }
  g_assert_cmpint (archive_write_close (tar), ==, ARCHIVE_OK);
  archive_write_free (tar);
}

static char *
sha256_of_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return g_strconcat ("sha256:", g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                              (const guchar *) contents, length),
                      NULL);
}

typedef struct {
  char *temp_dir;
  char *store_dir;
  char *victim_dir;
  HcsLayerStore *store;
} Fixture;

static const char victim_secret[] = "the victim's own bytes\n";

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *secret = NULL;

  fixture->temp_dir = test_make_temp_dir ("hcs-test-layers");
  fixture->store_dir = g_build_filename (fixture->temp_dir, "store", NULL);
  fixture->victim_dir = g_build_filename (fixture->temp_dir, "victim", NULL);
  g_assert_cmpint (g_mkdir (fixture->victim_dir, 0755), ==, 0);
  secret = g_build_filename (fixture->victim_dir, "secret", NULL);
  g_assert_true (g_file_set_contents (secret, victim_secret, -1, NULL));
  fixture->store = hcs_layer_store_new (fixture->store_dir, &error);
  g_assert_no_error (error);
}

/* The victim folder beside the store holds exactly what it held. */
static void
assert_victim_untouched (Fixture *fixture)
{
  g_autoptr (GDir) dir = g_dir_open (fixture->victim_dir, 0, NULL);
  g_autofree char *secret = g_build_filename (fixture->victim_dir, "secret", NULL);
  g_autofree char *contents = NULL;
  const char *name;
  struct stat st;

  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_cmpstr (name, ==, "secret");
  g_assert_true (g_file_get_contents (secret, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, victim_secret);
  g_assert_cmpint (lstat (secret, &st), ==, 0);
  g_assert_cmpint (st.st_nlink, ==, 1);
  g_assert_cmpint (st.st_mode & 07777, ==, 0644);
}

/* Only finished layers are in the store: no temporary import folder. */
static void
assert_store_clean (Fixture *fixture, guint expected_layers)
{
  g_autoptr (GDir) dir = g_dir_open (fixture->store_dir, 0, NULL);
  const char *name;
  guint count = 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_assert_false (g_str_has_prefix (name, ".import-"));
      g_assert_false (g_str_has_prefix (name, ".destroy-"));
      count++;
    }
  g_assert_cmpuint (count, ==, expected_layers);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->store);
  test_assert_no_leftovers (fixture->temp_dir);
  test_remove_tree (fixture->temp_dir);
  g_free (fixture->temp_dir);
  g_free (fixture->store_dir);
  g_free (fixture->victim_dir);
}

static const Entry round_trip_entries[] = {
  { "a", AE_IFDIR, NULL, 0755, 0 },
  { "a/xattr-file", AE_IFREG, "with an attribute\n", 0640, 1000 },
  { "a/cap-file", AE_IFREG, "with a capability\n", 0755, 1000 },
  { "a/link", AE_IFLNK, "xattr-file", 0777, 0 },
  { "a/hard", 0, "a/xattr-file", 0, 0 },
  { "a/fifo", AE_IFIFO, NULL, 0600, 0 },
  { "a/.wh.gone", AE_IFREG, NULL, 0644, 0 },
  { "opaque", AE_IFDIR, NULL, 0700, 0 },
  { "opaque/.wh..wh..opq", AE_IFREG, NULL, 0644, 0 },
  { "opaque/inner", AE_IFREG, "inside\n", 0600, 0 },
  { "./deep/er/file", AE_IFREG, "made its folders\n", 0644, 0 },
};

static void
test_round_trip (Fixture *fixture, gconstpointer data)
{
  g_autofree char *archive = g_build_filename (fixture->temp_dir, "layer.tar.gz", NULL);
  g_autofree char *plain = g_build_filename (fixture->temp_dir, "layer.tar", NULL);
  g_autofree char *export1 = g_build_filename (fixture->temp_dir, "export1.tar", NULL);
  g_autofree char *export2 = g_build_filename (fixture->temp_dir, "export2.tar", NULL);
  g_autofree char *fs = NULL, *path = NULL, *plain_digest = NULL, *digest1 = NULL, *digest2 = NULL;
  g_autoptr (HcsLayerInfo) info = NULL, again = NULL;
  g_autoptr (GError) error = NULL;
  char value[16];
  struct stat st, st2;

  write_archive (archive, round_trip_entries, G_N_ELEMENTS (round_trip_entries), GZIP);
  write_archive (plain, round_trip_entries, G_N_ELEMENTS (round_trip_entries), PLAIN);
  plain_digest = sha256_of_file (plain);

  info = hcs_layer_store_import (fixture->store, "base", NULL, archive, plain_digest,
                                 HCS_LAYER_IMPORT_NONE, &error);
  g_assert_no_error (error);
  /* The diff id is the digest of the uncompressed tar. */
  g_assert_cmpstr (info->diff_id, ==, plain_digest);

  fs = hcs_layer_store_get_mount_path (fixture->store, "base");
  path = g_build_filename (fs, "a", "xattr-file", NULL);
  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
  g_assert_cmpint (st.st_uid, ==, 1000);
  g_assert_cmpint (st.st_mtim.tv_sec, ==, 1700000000);
  g_assert_cmpint (st.st_nlink, ==, 2);
  g_assert_cmpint (lgetxattr (path, "user.hcs", value, sizeof value), ==, 4);
  g_free (path);
  path = g_build_filename (fs, "a", "hard", NULL);
  g_assert_cmpint (lstat (path, &st2), ==, 0);
  g_assert_cmpint (st2.st_ino, ==, st.st_ino);
  g_free (path);
  path = g_build_filename (fs, "a", "gone", NULL);
  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_true (S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0));
  /* The whiteout's time is the entry's, not the import's: otherwise two
   * exports a second apart differ. */
  g_assert_cmpint (st.st_mtim.tv_sec, ==, 1700000000);
  g_free (path);
  path = g_build_filename (fs, "opaque", NULL);
  g_assert_cmpint (getxattr (path, "trusted.overlay.opaque", value, sizeof value), ==, 1);
  g_free (path);
  path = g_build_filename (fs, "a", "fifo", NULL);
  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_true (S_ISFIFO (st.st_mode));
  g_free (path);
  path = g_build_filename (fs, "a", "link", NULL);
  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));

  /* export -> import -> export: the same bytes, and the same diff id. */
  hcs_layer_store_export (fixture->store, "base", export1, &error);
  g_assert_no_error (error);
  digest1 = sha256_of_file (export1);
  again = hcs_layer_store_import (fixture->store, "again", NULL, export1, digest1,
                                  HCS_LAYER_IMPORT_NONE, &error);
  g_assert_no_error (error);
  hcs_layer_store_export (fixture->store, "again", export2, &error);
  g_assert_no_error (error);
  digest2 = sha256_of_file (export2);
  g_assert_cmpstr (digest1, ==, digest2);
  g_assert_cmpstr (again->diff_id, ==, digest1);
  assert_store_clean (fixture, 2);

  /* Attributes survive import, export and import again; the capability
   * outlives the chown that would clear it if it were set first. */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *layer_fs =
          hcs_layer_store_get_mount_path (fixture->store, i == 0 ? "base" : "again");
      g_autofree char *xattr_file = g_build_filename (layer_fs, "a", "xattr-file", NULL);
      g_autofree char *cap_file = g_build_filename (layer_fs, "a", "cap-file", NULL);
      char cap[32];

      g_assert_cmpint (lgetxattr (xattr_file, "user.hcs", value, sizeof value), ==, 4);
      g_assert_cmpmem (value, 4, "kept", 4);
      g_assert_cmpint (lgetxattr (cap_file, "security.capability", cap, sizeof cap), ==,
                       sizeof cap_net_raw);
      g_assert_cmpmem (cap, sizeof cap_net_raw, cap_net_raw, sizeof cap_net_raw);
      g_assert_cmpint (lstat (cap_file, &st), ==, 0);
      g_assert_cmpint (st.st_uid, ==, 1000);
      g_assert_cmpint (st.st_mode & 07777, ==, 0755);
    }
}

static void
record_progress (guint64 bytes, guint64 entries, gpointer data)
{
  guint64 *last = data;

  last[0] = bytes;
  last[1] = entries;
}

static void
test_compressions (Fixture *fixture, gconstpointer data)
{
  guint64 progress[2] = { 0, 0 };
  struct stat plain_stat;
  const Entry entries[] = { { "f", AE_IFREG, "same content\n", 0644, 0 } };
  g_autofree char *plain = g_build_filename (fixture->temp_dir, "l.tar", NULL);
  g_autofree char *zstd = g_build_filename (fixture->temp_dir, "l.bin", NULL);
  g_autoptr (HcsLayerInfo) first = NULL, second = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *digest = NULL;

  /* The file name says nothing: the format is read from the data. */
  write_archive (plain, entries, 1, PLAIN);
  write_archive (zstd, entries, 1, ZSTD);
  digest = sha256_of_file (plain);
  first = hcs_layer_store_import (fixture->store, "plain", NULL, plain, NULL, 0, &error);
  g_assert_no_error (error);
  /* libarchive's zstd frames carry no checksum: the digest verifies them. */
  second = hcs_layer_store_import_with_progress (fixture->store, "zstd", "plain", zstd, digest, 0,
                                                 record_progress, progress, &error);
  g_assert_no_error (error);
  /* The last report counts the whole uncompressed tar and its one entry. */
  g_assert_cmpint (stat (plain, &plain_stat), ==, 0);
  g_assert_cmpuint (progress[0], ==, plain_stat.st_size);
  g_assert_cmpuint (progress[1], ==, 1);
  g_assert_cmpstr (first->diff_id, ==, second->diff_id);
  g_assert_cmpstr (second->parent, ==, "plain");
}

/* @command (a shell filter) reads @in and writes @out. */
static void
filter_file (const char *command, const char *in, const char *out)
{
  g_autofree char *line = g_strdup_printf ("%s < '%s' > '%s'", command, in, out);
  const char *argv[] = { "/bin/sh", "-c", line, NULL };
  g_autoptr (GError) error = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* A copy of @path with one bit flipped @from_end bytes before its end. */
static char *
flip_bit (const char *path, gssize from_end)
{
  g_autofree char *contents = NULL;
  char *copy = g_strconcat (path, ".flipped", NULL);
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpint ((gssize) length, >=, from_end);
  contents[length - from_end] ^= 0x01;
  g_assert_true (g_file_set_contents (copy, contents, length, NULL));
  return copy;
}

static void
expect_import_refused (Fixture *fixture, const char *archive, const char *digest, gint code,
                       const char *expected, guint layers_in_store)
{
  g_autoptr (HcsLayerInfo) info = NULL;
  g_autoptr (GError) error = NULL;

  info = hcs_layer_store_import (fixture->store, "refused", NULL, archive, digest, 0, &error);
  g_assert_null (info);
  g_assert_error (error, HCS_ERROR, code);
  g_test_message ("%s: %s", archive, error->message);
  if (strstr (error->message, expected) == NULL)
    g_error ("%s: expected '%s' in '%s'", archive, expected, error->message);
  g_assert_false (hcs_layer_store_exists (fixture->store, "refused"));
  assert_store_clean (fixture, layers_in_store);
}

/* Every compressed stream's own check is verified: one flipped bit in a
 * checksum or a length is refused, and nothing is left in the store. */
static void
test_stream_checks (Fixture *fixture, gconstpointer data)
{
  static const struct {
    const char *name;
    const char *command;
    gssize checksum_from_end; /* a byte of the stream's final check */
    const char *message;
  } formats[] = {
    { "gzip-crc", "gzip -c", 8, "incorrect data check" },
    { "gzip-length", "gzip -c", 2, "incorrect length check" },
    { "zstd", "zstd -q -c --check", 2, "checksum" },
    { "xz", "xz -c --check=crc64", 20, "corrupt" },
    { "bzip2", "bzip2 -c", 3, "corrupt" },
    { "lz4", "lz4 -q -c --content-size", 2, "checksum" },
  };
  g_autoptr (GString) big = g_string_new (NULL);
  g_autofree char *plain = g_build_filename (fixture->temp_dir, "l.tar", NULL);
  g_autofree char *digest = NULL;
  guint imported = 0;

  /* Enough data for more than one block of every compressor. */
  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (big, "line %u of a layer file\n", i * 7919 % 10007);
  {
    const Entry entries[] = { { "big", AE_IFREG, big->str, 0644, 0 },
                              { "small", AE_IFREG, "small\n", 0644, 0 } };
    write_archive (plain, entries, G_N_ELEMENTS (entries), PLAIN);
  }
  digest = sha256_of_file (plain);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *packed = g_strdup_printf ("%s/%s.bin", fixture->temp_dir, formats[i].name);
      g_autofree char *corrupt = NULL;
      g_autofree char *id = g_strdup_printf ("intact-%s", formats[i].name);
      g_autoptr (HcsLayerInfo) info = NULL;
      g_autoptr (GError) error = NULL;

      filter_file (formats[i].command, plain, packed);
      /* Intact, with no digest to lean on: its own check passes. */
      info = hcs_layer_store_import (fixture->store, id, NULL, packed, NULL, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (info->diff_id, ==, digest);
      imported++;
      corrupt = flip_bit (packed, formats[i].checksum_from_end);
      expect_import_refused (fixture, corrupt, NULL, HCS_ERROR_INVALID_DATA, formats[i].message,
                             imported);
    }

  /* Two gzip members one after the other are one stream (gzip, pigz
   * --independent); what follows the last must be a member or nothing. */
  {
    g_autofree char *contents = NULL, *first = NULL, *second = NULL, *joined = NULL;
    g_autofree char *half1 = g_build_filename (fixture->temp_dir, "half1", NULL);
    g_autofree char *half2 = g_build_filename (fixture->temp_dir, "half2", NULL);
    g_autofree char *packed1 = NULL, *packed2 = NULL, *trailing = NULL;
    g_autoptr (GString) both = g_string_new (NULL);
    g_autoptr (HcsLayerInfo) info = NULL;
    g_autoptr (GError) error = NULL;
    gsize length, length1, length2;

    g_assert_true (g_file_get_contents (plain, &contents, &length, NULL));
    g_assert_true (g_file_set_contents (half1, contents, length / 2, NULL));
    g_assert_true (g_file_set_contents (half2, contents + length / 2, length - length / 2, NULL));
    packed1 = g_strconcat (half1, ".gz", NULL);
    packed2 = g_strconcat (half2, ".gz", NULL);
    filter_file ("gzip -c", half1, packed1);
    filter_file ("gzip -c", half2, packed2);
    g_assert_true (g_file_get_contents (packed1, &first, &length1, NULL));
    g_assert_true (g_file_get_contents (packed2, &second, &length2, NULL));
    g_string_append_len (both, first, length1);
    g_string_append_len (both, second, length2);
    joined = g_build_filename (fixture->temp_dir, "members.gz", NULL);
    g_assert_true (g_file_set_contents (joined, both->str, both->len, NULL));
    info = hcs_layer_store_import (fixture->store, "members", NULL, joined, NULL, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (info->diff_id, ==, digest);
    imported++;

    g_string_append (both, "trailing garbage");
    trailing = g_build_filename (fixture->temp_dir, "trailing.gz", NULL);
    g_assert_true (g_file_set_contents (trailing, both->str, both->len, NULL));
    expect_import_refused (fixture, trailing, NULL, HCS_ERROR_INVALID_DATA,
                           "data after the end", imported);
  }

  /* A stream that carries no check is taken only with the digest that
   * verifies it, and refused with a wrong one. */
  {
    static const char *const unchecked[] = { "zstd -q -c --no-check", "xz -c --check=none",
                                             "lz4 -q -c --no-frame-crc" };
    for (guint i = 0; i < G_N_ELEMENTS (unchecked); i++)
      {
        g_autofree char *packed = g_strdup_printf ("%s/unchecked-%u", fixture->temp_dir, i);
        g_autofree char *id = g_strdup_printf ("digested-%u", i);
        g_autoptr (HcsLayerInfo) info = NULL;
        g_autoptr (GError) error = NULL;

        filter_file (unchecked[i], plain, packed);
        expect_import_refused (fixture, packed, NULL, HCS_ERROR_INVALID_DATA,
                               "carries no checksum", imported);
        expect_import_refused (fixture, packed, "sha256:0000", HCS_ERROR_INVALID_DATA,
                               "expected sha256:0000", imported);
        info = hcs_layer_store_import (fixture->store, id, NULL, packed, digest, 0, &error);
        g_assert_no_error (error);
        imported++;
      }
  }
}

/* libarchive runs lzop, grzip or lrzip from PATH for formats it has no
 * library for. A fake of each (and of every compressor) first on PATH
 * would leave a mark: none is run, the formats are refused by name, and
 * the formats decompressed in process still import. */
static void
test_no_external_decompressor (Fixture *fixture, gconstpointer data)
{
  static const char *const programs[] = { "lzop", "grzip", "lrzip", "lz4", "zstd", "xz",
                                          "bzip2", "gzip", "lzip", "lzma", "compress",
                                          "uncompress", "gunzip", "unzstd", "unxz" };
  static const struct {
    const char *name;
    const char *header;
    gsize length;
  } foreign[] = {
    /* lzop: magic, version 1.040, library 2.0a0, needs 0.940, method 1, level 5 */
    { "lzop", "\x89LZO\x00\r\n\x1a\n\x10\x40\x20\xa0\x09\x40\x01\x05", 17 },
    { "grzip", "GRZipII\x00\x02\x04:)", 12 },
    { "lrzip", "LRZI\x00\x06", 6 },
  };
  const Entry entries[] = { { "f", AE_IFREG, "in process\n", 0644, 0 } };
  g_autofree char *bin = g_build_filename (fixture->temp_dir, "bin", NULL);
  g_autofree char *mark = g_build_filename (fixture->temp_dir, "ran", NULL);
  g_autofree char *plain = g_build_filename (fixture->temp_dir, "l.tar", NULL);
  g_autofree char *saved_path = g_strdup (g_getenv ("PATH"));
  g_autofree char *fake_path = g_strconcat (bin, ":", saved_path, NULL);
  g_autofree char *script = g_strdup_printf ("#!/bin/sh\necho \"$0\" >> '%s'\ncat\n", mark);
  guint imported = 0;

  write_archive (plain, entries, 1, PLAIN);
  /* Compressed with the real tools before the fakes take their place. */
  {
    static const char *const in_process[] = { "gzip -c", "bzip2 -c", "xz -c", "zstd -q -c",
                                               "lz4 -q -c" };
    char *packed[G_N_ELEMENTS (in_process)];

    for (guint i = 0; i < G_N_ELEMENTS (in_process); i++)
      {
        packed[i] = g_strdup_printf ("%s/packed-%u", fixture->temp_dir, i);
        filter_file (in_process[i], plain, packed[i]);
      }
    g_assert_cmpint (g_mkdir (bin, 0755), ==, 0);
    for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
      {
        g_autofree char *fake = g_build_filename (bin, programs[i], NULL);
        g_assert_true (g_file_set_contents (fake, script, -1, NULL));
        g_assert_cmpint (chmod (fake, 0755), ==, 0);
      }
    g_setenv ("PATH", fake_path, TRUE);

    for (guint i = 0; i < G_N_ELEMENTS (foreign); i++)
      {
        g_autofree char *path = g_strdup_printf ("%s/%s.bin", fixture->temp_dir, foreign[i].name);
        g_autofree char *expected = g_strdup_printf ("%s compression is not supported",
                                                     foreign[i].name);
        GString *contents = g_string_new_len (foreign[i].header, foreign[i].length);

        /* The rest of an lzop header and some data; all zero is enough for
         * libarchive's bidders. */
        for (guint k = 0; k < 1024; k++)
          g_string_append_c (contents, 0);
        g_assert_true (g_file_set_contents (path, contents->str, contents->len, NULL));
        g_string_free (contents, TRUE);
        expect_import_refused (fixture, path, NULL, HCS_ERROR_NOT_SUPPORTED, expected, imported);
        /* With a digest too: the program would run before any digest. */
        expect_import_refused (fixture, path, "sha256:0000", HCS_ERROR_NOT_SUPPORTED, expected,
                               imported);
      }
    for (guint i = 0; i < G_N_ELEMENTS (in_process); i++)
      {
        g_autofree char *id = g_strdup_printf ("in-process-%u", i);
        g_autoptr (GError) error = NULL;
        g_autoptr (HcsLayerInfo) info =
            hcs_layer_store_import (fixture->store, id, NULL, packed[i], NULL, 0, &error);

        g_assert_no_error (error);
        imported++;
      }
    g_setenv ("PATH", saved_path, TRUE);
    for (guint i = 0; i < G_N_ELEMENTS (in_process); i++)
      g_free (packed[i]);
  }
  if (g_file_test (mark, G_FILE_TEST_EXISTS))
    {
      g_autofree char *ran = NULL;
      g_file_get_contents (mark, &ran, NULL, NULL);
      g_error ("a decompressor was run from PATH: %s", ran);
    }
}

/* Runs hcsctl with @argv (NULL-terminated) and the store's options; its
 * wait status, and its output in *@out when asked. */
static int
run_hcsctl_layer (Fixture *fixture, const char *kill_at, char **out, ...)
{
  g_autoptr (GKeyFile) options = test_make_options (fixture->temp_dir);
  g_autofree char *options_file = g_build_filename (fixture->temp_dir, "options.ini", NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_auto (GStrv) env = g_get_environ ();
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL, *discarded = NULL;
  const char *arg;
  va_list args;
  int status;

  /* Never the test's own stdout: that is TAP. */
  if (out == NULL)
    out = &discarded;

  g_key_file_set_string (options, "host", "layer-dir", fixture->store_dir);
  g_assert_true (g_key_file_save_to_file (options, options_file, NULL));
  g_ptr_array_add (argv, (char *) g_getenv ("HCSCTL"));
  g_ptr_array_add (argv, "--options");
  g_ptr_array_add (argv, options_file);
  va_start (args, out);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  env = g_environ_unsetenv (env, "HCS_LAYER_KILL_AT");
  if (kill_at != NULL)
    env = g_environ_setenv (env, "HCS_LAYER_KILL_AT", kill_at, TRUE);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, out,
                               &err, &status, &error));
  g_assert_no_error (error);
  if (err != NULL && *err != '\0')
    g_test_message ("hcsctl: %s", err);
  return status;
}

/* An import killed at each of its steps leaves something `layer ls`
 * shows, `layer rm` removes it completely, and the id is usable again. */
static void
test_killed_import (Fixture *fixture, gconstpointer data)
{
  static const char *const points[] = { "import-unpacking", "import-before-rename",
                                        "import-after-rename" };
  const Entry entries[] = { { "a", AE_IFDIR, NULL, 0755, 0 },
                            { "a/f", AE_IFREG, "kept\n", 0644, 0 },
                            { "b", AE_IFREG, "more\n", 0644, 0 } };
  g_autofree char *archive = g_build_filename (fixture->temp_dir, "l.tar.gz", NULL);

  write_archive (archive, entries, G_N_ELEMENTS (entries), GZIP);
  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    {
      g_autofree char *listing = NULL, *json = NULL;
      int status;

      status = run_hcsctl_layer (fixture, points[i], NULL, "layer", "import", "victim", archive,
                                 NULL);
      g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
      g_assert_cmpint (run_hcsctl_layer (fixture, NULL, &listing, "layer", "ls", NULL), ==, 0);
      g_test_message ("killed at %s:\n%s", points[i], listing);
      g_assert_nonnull (strstr (listing, "victim"));
      g_assert_cmpint (run_hcsctl_layer (fixture, NULL, &json, "layer", "ls", "--format", "json",
                                         NULL), ==, 0);
      g_assert_nonnull (strstr (json, "\"victim\""));
      g_assert_cmpint (run_hcsctl_layer (fixture, NULL, NULL, "layer", "rm", "victim", NULL), ==,
                       0);
      assert_store_clean (fixture, 0);
      g_assert_cmpint (run_hcsctl_layer (fixture, NULL, NULL, "layer", "rm", "victim", NULL), !=,
                       0);
    }
  /* The id is free again. */
  g_assert_cmpint (run_hcsctl_layer (fixture, NULL, NULL, "layer", "import", "victim", archive,
                                     NULL), ==, 0);
  g_assert_cmpint (run_hcsctl_layer (fixture, NULL, NULL, "layer", "rm", "victim", NULL), ==, 0);
  assert_store_clean (fixture, 0);
}

static void
expect_refused (Fixture *fixture, const char *name, const Entry *entries, gsize n_entries,
                const char *expected)
{
  g_autofree char *archive = g_build_filename (fixture->temp_dir, "hostile.tar", NULL);
  g_autoptr (HcsLayerInfo) info = NULL;
  g_autoptr (GError) error = NULL;

  write_archive (archive, entries, n_entries, PLAIN);
  info = hcs_layer_store_import (fixture->store, name, NULL, archive, NULL, 0, &error);
  g_assert_null (info);
  g_assert_nonnull (error);
  g_test_message ("%s: %s", name, error->message);
  if (strstr (error->message, expected) == NULL)
    g_error ("%s: expected '%s' in '%s'", name, expected, error->message);
  g_assert_false (hcs_layer_store_exists (fixture->store, name));
  assert_victim_untouched (fixture);
  assert_store_clean (fixture, 0);
}

/* One header claiming @size bytes, none of them there, and the end. */
static void
write_huge_header (const char *path, gint64 size)
{
  struct archive *tar = archive_write_new ();
  struct archive_entry *entry = archive_entry_new ();
  g_autofree char *buffer = g_malloc0 (64 * 1024);
  size_t used = 0;

  archive_write_set_format_pax_restricted (tar);
  archive_write_set_bytes_per_block (tar, 0);
  g_assert_cmpint (archive_write_open_memory (tar, buffer, 64 * 1024, &used), ==, ARCHIVE_OK);
  archive_entry_set_pathname (entry, "huge");
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_size (entry, size);
  g_assert_cmpint (archive_write_header (tar, entry), ==, ARCHIVE_OK);
  g_assert_cmpuint (used + 1024, <, 64 * 1024);
  g_assert_true (g_file_set_contents (path, buffer, used + 1024, NULL));
  archive_write_fail (tar);
  archive_write_free (tar);
  archive_entry_free (entry);
}

static void
test_hostile_archives (Fixture *fixture, gconstpointer data)
{
  g_autofree char *victim_abs = g_strdup (fixture->victim_dir);
  g_autofree char *secret_abs = g_build_filename (fixture->victim_dir, "secret", NULL);
  const Entry dot_dot[] = { { "../victim/pwned", AE_IFREG, "x", 0644, 0 } };
  const Entry rooted_dot_dot[] = { { "/../../victim/secret", AE_IFREG, "x", 0644, 0 } };
  const Entry relative_symlink[] = { { "evil", AE_IFLNK, "../../victim", 0777, 0 },
                                     { "evil/pwned", AE_IFREG, "x", 0644, 0 } };
  const Entry absolute_symlink[] = { { "abs", AE_IFLNK, victim_abs, 0777, 0 },
                                     { "abs/secret", AE_IFREG, "overwritten", 0644, 0 } };
  const Entry hard_outside[] = { { "h", 0, "../victim/secret", 0, 0 } };
  const Entry hard_absolute[] = { { "h", 0, secret_abs, 0, 0 } };
  const Entry hard_through_symlink[] = { { "s", AE_IFLNK, victim_abs, 0777, 0 },
                                         { "h", 0, "s/secret", 0, 0 } };
  const Entry whiteout_dot_dot[] = { { "a/.wh..", AE_IFREG, NULL, 0644, 0 } };
  const Entry device[] = { { "null", AE_IFCHR, NULL, 0666, 0 } };
  const Entry whiteout_through_symlink[] = { { "s", AE_IFLNK, victim_abs, 0777, 0 },
                                             { "s/.wh.secret", AE_IFREG, NULL, 0644, 0 } };
  const Entry opaque_through_symlink[] = { { "s", AE_IFLNK, "../../victim", 0777, 0 },
                                           { "s/.wh..wh..opq", AE_IFREG, NULL, 0644, 0 } };
  const Entry dir_through_symlink[] = { { "s", AE_IFLNK, victim_abs, 0777, 0 },
                                        { "s/sub", AE_IFDIR, NULL, 0755, 0 } };
  g_autofree char *component = g_strnfill (256, 'c');
  g_autoptr (GString) long_path = g_string_new (NULL);
  const Entry long_component[] = { { component, AE_IFREG, "x", 0644, 0 } };
  const Entry long_name[] = { { NULL, AE_IFREG, "x", 0644, 0 } };
  const Entry forged_overlay[] = { { "a", AE_IFDIR, NULL, 0755, 0 },
                                   { "a/.wh.x/../../victim", AE_IFREG, NULL, 0644, 0 } };

  while (long_path->len <= 4096)
    g_string_append (long_path, "d234567/");
  g_string_append (long_path, "f");
  ((Entry *) long_name)[0].path = long_path->str;

  expect_refused (fixture, "dot-dot", dot_dot, G_N_ELEMENTS (dot_dot), "'../victim/pwned'");
  expect_refused (fixture, "rooted-dot-dot", rooted_dot_dot, G_N_ELEMENTS (rooted_dot_dot), "'..'");
  expect_refused (fixture, "relative-symlink", relative_symlink,
                  G_N_ELEMENTS (relative_symlink), "'evil/pwned'");
  expect_refused (fixture, "absolute-symlink", absolute_symlink,
                  G_N_ELEMENTS (absolute_symlink), "outside the layer");
  expect_refused (fixture, "hard-outside", hard_outside, G_N_ELEMENTS (hard_outside), "'h'");
  expect_refused (fixture, "hard-absolute", hard_absolute, G_N_ELEMENTS (hard_absolute),
                  "hard link target");
  expect_refused (fixture, "hard-through-symlink", hard_through_symlink,
                  G_N_ELEMENTS (hard_through_symlink), "hard link target");
  expect_refused (fixture, "whiteout-dot-dot", whiteout_dot_dot, G_N_ELEMENTS (whiteout_dot_dot),
                  "'..'");
  expect_refused (fixture, "device", device, G_N_ELEMENTS (device), "device nodes are not allowed");
  expect_refused (fixture, "forged", forged_overlay, G_N_ELEMENTS (forged_overlay), "'..'");
  expect_refused (fixture, "whiteout-through-symlink", whiteout_through_symlink,
                  G_N_ELEMENTS (whiteout_through_symlink), "'s/.wh.secret'");
  expect_refused (fixture, "opaque-through-symlink", opaque_through_symlink,
                  G_N_ELEMENTS (opaque_through_symlink), "outside the layer");
  expect_refused (fixture, "dir-through-symlink", dir_through_symlink,
                  G_N_ELEMENTS (dir_through_symlink), "'s/sub'");
  expect_refused (fixture, "long-component", long_component, G_N_ELEMENTS (long_component),
                  "a path component is too long");
  expect_refused (fixture, "long-name", long_name, G_N_ELEMENTS (long_name), "the name is too long");

  {
    g_autofree char *archive = g_build_filename (fixture->temp_dir, "huge.tar", NULL);
    g_autoptr (GError) error = NULL;

    write_huge_header (archive, (gint64) 1 << 50);
    g_assert_null (hcs_layer_store_import (fixture->store, "huge", NULL, archive, NULL, 0, &error));
    g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
    g_test_message ("huge: %s", error->message);
    g_assert_nonnull (strstr (error->message, "'huge'"));
    assert_victim_untouched (fixture);
    assert_store_clean (fixture, 0);
  }

  /* Not hostile: a folder entry replaces a symlink of its name, and what
   * follows lands in the layer, not where the symlink pointed. */
  {
    const Entry replaced[] = { { "s", AE_IFLNK, victim_abs, 0777, 0 },
                               { "s", AE_IFDIR, NULL, 0755, 0 },
                               { "s/secret", AE_IFREG, "mine", 0644, 0 },
                               { "s/.wh..wh.plnk", AE_IFDIR, NULL, 0700, 0 } };
    g_autofree char *archive = g_build_filename (fixture->temp_dir, "replaced.tar", NULL);
    g_autofree char *fs = NULL, *mine = NULL, *aufs = NULL;
    g_autoptr (HcsLayerInfo) info = NULL;
    g_autoptr (GError) error = NULL;

    write_archive (archive, replaced, G_N_ELEMENTS (replaced), PLAIN);
    info = hcs_layer_store_import (fixture->store, "replaced", NULL, archive, NULL, 0, &error);
    g_assert_no_error (error);
    fs = hcs_layer_store_get_mount_path (fixture->store, "replaced");
    mine = g_build_filename (fs, "s", "secret", NULL);
    aufs = g_build_filename (fs, "s", ".wh.plnk", NULL);
    g_assert_true (g_file_test (mine, G_FILE_TEST_IS_REGULAR));
    g_assert_false (g_file_test (aufs, G_FILE_TEST_EXISTS));
    assert_victim_untouched (fixture);
  }
}

static void
test_corrupt_and_digest (Fixture *fixture, gconstpointer data)
{
  const Entry entries[] = { { "big", AE_IFREG,
                              "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                              "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                              0644, 0 },
                            { "second", AE_IFREG, "more data", 0644, 0 } };
  g_autofree char *archive = g_build_filename (fixture->temp_dir, "l.tar.gz", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  gsize length;

  write_archive (archive, entries, G_N_ELEMENTS (entries), GZIP);
  g_assert_null (hcs_layer_store_import (fixture->store, "digest", NULL, archive,
                                         "sha256:0000", 0, &error));
  g_assert_nonnull (strstr (error->message, "expected sha256:0000"));
  g_clear_error (&error);
  assert_store_clean (fixture, 0);

  /* Half a gzip stream. */
  g_assert_true (g_file_get_contents (archive, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (archive, contents, length / 2, NULL));
  g_assert_null (hcs_layer_store_import (fixture->store, "truncated", NULL, archive, NULL, 0,
                                         &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_test_message ("truncated: %s", error->message);
  g_clear_error (&error);
  assert_store_clean (fixture, 0);

  g_assert_null (hcs_layer_store_import (fixture->store, "../escape", NULL, archive, NULL, 0,
                                         &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  assert_victim_untouched (fixture);
}

static void
test_chain_list_destroy (Fixture *fixture, gconstpointer data)
{
  const Entry entries[] = { { "f", AE_IFREG, "x", 0644, 0 } };
  g_autofree char *archive = g_build_filename (fixture->temp_dir, "l.tar", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) listed = NULL;
  g_auto (GStrv) chain = NULL;

  write_archive (archive, entries, 1, PLAIN);
  g_assert_nonnull (hcs_layer_store_import (fixture->store, "l1", NULL, archive, NULL, 0, NULL));
  g_assert_nonnull (hcs_layer_store_import (fixture->store, "l2", "l1", archive, NULL, 0, NULL));
  g_assert_nonnull (hcs_layer_store_import (fixture->store, "l3", "l2", archive, NULL, 0, NULL));
  g_assert_null (hcs_layer_store_import (fixture->store, "l3", NULL, archive, NULL, 0, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);
  g_assert_null (hcs_layer_store_import (fixture->store, "l4", "nope", archive, NULL, 0, &error));
  g_assert_true (hcs_error_is_not_exist (error));
  g_clear_error (&error);

  chain = hcs_layer_store_get_chain_paths (fixture->store, "l3", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (chain), ==, 3);
  g_assert_true (g_str_has_suffix (chain[0], "/l3/fs"));
  g_assert_true (g_str_has_suffix (chain[2], "/l1/fs"));

  listed = hcs_layer_store_list (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 3);

  g_assert_false (hcs_layer_store_destroy (fixture->store, "l2", FALSE, &error));
  g_assert_true (hcs_error_is_operation_invalid_state (error));
  g_assert_nonnull (strstr (error->message, "parent of layer 'l3'"));
  g_clear_error (&error);
  g_assert_true (hcs_layer_store_destroy (fixture->store, "l3", FALSE, &error));
  g_assert_true (hcs_layer_store_destroy (fixture->store, "l2", FALSE, &error));
  g_assert_true (hcs_layer_store_destroy (fixture->store, "l1", FALSE, &error));
  g_assert_no_error (error);
  assert_store_clean (fixture, 0);
}

/* A container on base <- mid <- top sees the merged view: a file the top
 * deletes is gone, an opaque folder shows only the top's content. */
static void
test_container_on_chain (Fixture *fixture, gconstpointer data)
{
  const Entry mid[] = { { "etc", AE_IFDIR, NULL, 0755, 0 },
                        { "etc/mid-file", AE_IFREG, "from mid\n", 0644, 0 },
                        { "etc/kept", AE_IFREG, "kept\n", 0644, 0 },
                        { "opq", AE_IFDIR, NULL, 0755, 0 },
                        { "opq/old", AE_IFREG, "old\n", 0644, 0 } };
  const Entry top[] = { { "etc/.wh.mid-file", AE_IFREG, NULL, 0644, 0 },
                        { "opq", AE_IFDIR, NULL, 0755, 0 },
                        { "opq/.wh..wh..opq", AE_IFREG, NULL, 0644, 0 },
                        { "opq/new", AE_IFREG, "new\n", 0644, 0 } };
  g_autofree char *mid_tar = g_build_filename (fixture->temp_dir, "mid.tar", NULL);
  g_autofree char *top_tar = g_build_filename (fixture->temp_dir, "top.tar", NULL);
  g_autofree char *scratch = g_build_filename (fixture->temp_dir, "scratch", NULL);
  g_autoptr (GKeyFile) options = test_make_options (fixture->temp_dir);
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainerConfig) config = hcs_container_config_new ();
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_auto (GStrv) chain = NULL;
  int exit_code = -1;

  write_archive (mid_tar, mid, G_N_ELEMENTS (mid), PLAIN);
  write_archive (top_tar, top, G_N_ELEMENTS (top), PLAIN);
  g_assert_nonnull (hcs_layer_store_import (fixture->store, "mid", NULL, mid_tar, NULL, 0, NULL));
  g_assert_nonnull (hcs_layer_store_import (fixture->store, "top", "mid", top_tar, NULL, 0, NULL));
  chain = hcs_layer_store_get_chain_paths (fixture->store, "top", &error);
  g_assert_no_error (error);

  config->layer_folder_path = g_strdup (scratch);
  config->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_layer_free);
  /* The store's layers by ID only, as hcsshim gives them; the host's
   * layer-dir says where they are. */
  for (guint i = 0; chain[i]; i++)
    {
      HcsLayer *layer = g_new0 (HcsLayer, 1);
      g_autofree char *folder = g_path_get_dirname (chain[i]);
      layer->id = g_path_get_basename (folder);
      g_ptr_array_add (config->layers, layer);
    }
  g_key_file_set_string (options, "host", "layer-dir", fixture->store_dir);
  {
    /* The busybox image is the base under the store's chain. */
    HcsLayer *base = g_new0 (HcsLayer, 1);
    base->path = g_strdup (test_get_busybox_rootfs ());
    g_ptr_array_add (config->layers, base);
  }
  config->process = hcs_process_config_new ();
  config->process->command_line =
      g_strdup ("/bin/sh -c 'ls /etc | grep -E \"mid-file|kept\"; ls /opq'");
  config->process->create_stdout_pipe = TRUE;

  host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  container = hcs_host_create_container (host, "chain", config, NULL, &error);
  g_assert_no_error (error);
  init = hcs_container_get_init_process (container, &error);
  hcs_container_start (container, &error);
  g_assert_no_error (error);
  g_output_stream_splice (memory, hcs_process_get_stdout (init), G_OUTPUT_STREAM_SPLICE_NONE, NULL,
                          &error);
  g_assert_no_error (error);
  g_output_stream_write (memory, "", 1, NULL, NULL);
  g_output_stream_close (memory, NULL, NULL);
  hcs_container_wait_timeout (container, 10000, NULL, &error);
  g_assert_no_error (error);
  hcs_container_get_exit_code (container, &exit_code, &error);
  g_assert_cmpint (exit_code, ==, 0);
  g_assert_cmpstr (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (memory)), ==,
                   "kept\nnew\n");
  hcs_container_remove (container, &error);
  g_assert_no_error (error);
}

typedef struct {
  HcsLayerStore *store;
  const char *id;
  const char *archive;
  GError *error;
  gboolean ok;
} ImportJob;

static gpointer
import_thread (gpointer data)
{
  ImportJob *job = data;
  g_autoptr (HcsLayerInfo) info =
      hcs_layer_store_import (job->store, job->id, NULL, job->archive, NULL, 0, &job->error);

  job->ok = info != NULL;
  return NULL;
}

/* Two imports of one id: one wins, the other is told; different ids both
 * land. Nothing half-made stays. */
static void
test_concurrent_imports (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *archive = g_build_filename (fixture->temp_dir, "many.tar", NULL);
  g_autofree Entry *list = NULL;
  ImportJob jobs[4] = {
    { fixture->store, "same", archive }, { fixture->store, "same", archive },
    { fixture->store, "other-1", archive }, { fixture->store, "other-2", archive },
  };
  GThread *threads[4];
  guint successes_same = 0;

  list = g_new0 (Entry, 400);
  for (guint i = 0; i < 400; i++)
    {
      char *path = g_strdup_printf ("d%u/f%u", i % 20, i);
      g_ptr_array_add (entries, path);
      list[i] = (Entry){ path, AE_IFREG, "some bytes of content\n", 0644, 0 };
    }
  write_archive (archive, list, 400, GZIP);

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    threads[i] = g_thread_new ("import", import_thread, &jobs[i]);
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    g_thread_join (threads[i]);

  for (guint i = 0; i < 2; i++)
    {
      if (jobs[i].ok)
        successes_same++;
      else
        g_assert_error (jobs[i].error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS);
      g_clear_error (&jobs[i].error);
    }
  g_assert_cmpuint (successes_same, ==, 1);
  g_assert_true (jobs[2].ok && jobs[3].ok);
  assert_store_clean (fixture, 3);
}

static void
test_garbage_collection (Fixture *fixture, gconstpointer data)
{
  const Entry entries[] = { { "f", AE_IFREG, "x", 0644, 0 } };
  g_autofree char *archive = g_build_filename (fixture->temp_dir, "l.tar", NULL);
  g_autofree char *stray = g_build_filename (fixture->store_dir, ".import-stray", NULL);
  g_autofree char *busy_import = g_build_filename (fixture->store_dir, ".import-busy", NULL);
  int busy_fd;
  const char *keep[] = { "app", NULL };
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) removed = NULL;

  write_archive (archive, entries, 1, PLAIN);
  g_assert_nonnull (hcs_layer_store_import (fixture->store, "base", NULL, archive, NULL, 0, NULL));
  g_assert_nonnull (hcs_layer_store_import (fixture->store, "app", "base", archive, NULL, 0, NULL));
  g_assert_nonnull (hcs_layer_store_import (fixture->store, "old", "base", archive, NULL, 0, NULL));
  g_assert_nonnull (hcs_layer_store_import (fixture->store, "orphan", NULL, archive, NULL, 0, NULL));
  g_assert_nonnull (hcs_layer_store_create_scratch (fixture->store, "busy", NULL, 0, NULL));
  g_free (hcs_layer_store_activate (fixture->store, "busy", &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (stray, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (busy_import, 0700), ==, 0);
  busy_fd = open (busy_import, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (flock (busy_fd, LOCK_EX), ==, 0);

  hcs_layer_store_collect_garbage (fixture->store, keep, &removed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (removed), ==, 2);
  g_assert_true (g_strv_contains ((const char *const *) removed, "old"));
  g_assert_true (g_strv_contains ((const char *const *) removed, "orphan"));
  g_assert_true (hcs_layer_store_exists (fixture->store, "base"));
  g_assert_true (hcs_layer_store_exists (fixture->store, "app"));
  g_assert_true (hcs_layer_store_exists (fixture->store, "busy"));
  g_assert_false (g_file_test (stray, G_FILE_TEST_EXISTS));
  /* An import in progress (its folder locked) is left alone. */
  g_assert_true (g_file_test (busy_import, G_FILE_TEST_IS_DIR));
  close (busy_fd);
  g_clear_pointer (&removed, g_strfreev);
  hcs_layer_store_collect_garbage (fixture->store, keep, &removed, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (busy_import, G_FILE_TEST_EXISTS));
  hcs_layer_store_deactivate (fixture->store, "busy", &error);
  g_assert_no_error (error);
}

static gboolean is_mounted (const char *path);

/* A layer built entry by entry, then read back entry by entry. */
static void
test_writer_reader (Fixture *fixture, gconstpointer data)
{
  const Entry base[] = { { "old", AE_IFREG, "old\n", 0644, 0 } };
  g_autofree char *base_tar = g_build_filename (fixture->temp_dir, "b.tar", NULL);
  g_autoptr (HcsLayerWriter) writer = NULL;
  g_autoptr (HcsLayerReader) reader = NULL;
  g_autoptr (HcsLayerInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) listing = g_string_new (NULL);
  g_autofree char *fs = NULL, *file = NULL, *contents = NULL;
  const char *path, *target;
  guint32 mode;
  gint64 size;
  char buffer[64];

  write_archive (base_tar, base, 1, PLAIN);
  g_assert_nonnull (hcs_layer_store_import (fixture->store, "base", NULL, base_tar, NULL, 0, NULL));

  writer = hcs_layer_store_new_writer (fixture->store, "built", "base", &error);
  g_assert_no_error (error);
  g_assert_true (hcs_layer_writer_add (writer, "etc", S_IFDIR | 0755, 0, 0, 1700000000, 0, NULL, &error));
  g_assert_true (hcs_layer_writer_add (writer, "etc/motd", S_IFREG | 0644, 0, 0, 1700000000, 6, NULL, &error));
  /* The size is a promise: more than it is refused, less blocks the next entry. */
  g_assert_false (hcs_layer_writer_write (writer, "hello, world", 12, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_true (hcs_layer_writer_write (writer, "hel", 3, &error));
  g_assert_false (hcs_layer_writer_add_link (writer, "etc/too-soon", "etc/motd", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_true (hcs_layer_writer_write (writer, "lo\n", 3, &error));
  g_assert_true (hcs_layer_writer_add_link (writer, "etc/motd-link", "etc/motd", &error));
  g_assert_true (hcs_layer_writer_add (writer, "etc/sym", S_IFLNK | 0777, 0, 0, 1700000000, 0, "motd", &error));
  g_assert_true (hcs_layer_writer_remove (writer, "old", &error));
  g_assert_no_error (error);
  g_assert_false (hcs_layer_store_exists (fixture->store, "built"));
  info = hcs_layer_writer_commit (writer, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->parent, ==, "base");

  fs = hcs_layer_store_get_mount_path (fixture->store, "built");
  file = g_build_filename (fs, "etc", "motd-link", NULL);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "hello\n");

  reader = hcs_layer_store_new_reader (fixture->store, "built", &error);
  g_assert_no_error (error);
  while (hcs_layer_reader_next (reader, &path, &mode, &size, &target, &error))
    {
      g_string_append_printf (listing, "%s %o %" G_GINT64_FORMAT "%s%s\n", path, mode & S_IFMT ? (mode >> 12) : 0,
                              size, target ? " -> " : "", target ? target : "");
      if (g_str_equal (path, "etc/motd"))
        {
          gssize n = hcs_layer_reader_read (reader, buffer, sizeof buffer, &error);
          g_assert_no_error (error);
          g_assert_cmpint (n, ==, 6);
          g_assert_cmpmem (buffer, 6, "hello\n", 6);
        }
    }
  g_assert_no_error (error);
  /* Export order: sorted by name, a whiteout where its name sorts; a hard
   * link carries no type bits of its own. */
  g_assert_cmpstr (listing->str, ==,
                   "etc/ 4 0\n"
                   "etc/motd 10 6\n"
                   "etc/motd-link 0 0 -> etc/motd\n"
                   "etc/sym 12 0 -> motd\n"
                   ".wh.old 10 0\n");
  g_clear_object (&reader);

  /* A reader dropped half way stops its export and hangs nothing. */
  reader = hcs_layer_store_new_reader (fixture->store, "built", &error);
  g_assert_no_error (error);
  g_assert_true (hcs_layer_reader_next (reader, &path, NULL, NULL, NULL, &error));
  g_clear_object (&reader);

  /* A writer dropped before commit keeps nothing, even after whole
   * entries (a stream that ends between entries looks complete). */
  g_clear_object (&writer);
  writer = hcs_layer_store_new_writer (fixture->store, "dropped", "base", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 64; i++)
    {
      g_autofree char *name = g_strdup_printf ("file-%u", i);
      char block[4096] = { 0 };
      g_assert_true (hcs_layer_writer_add (writer, name, S_IFREG | 0644, 0, 0, 0, sizeof block,
                                           NULL, &error));
      g_assert_true (hcs_layer_writer_write (writer, block, sizeof block, &error));
    }
  g_clear_object (&writer);
  g_assert_false (hcs_layer_store_exists (fixture->store, "dropped"));

  /* Through a writer, a hostile entry is refused as from an archive. */
  writer = hcs_layer_store_new_writer (fixture->store, "hostile", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_layer_writer_add (writer, "../victim/pwned", S_IFREG | 0644, 0, 0, 0, 0,
                                       NULL, &error));
  g_assert_null (hcs_layer_writer_commit (writer, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "'../victim/pwned'"));
  g_clear_error (&error);
  g_assert_false (hcs_layer_store_exists (fixture->store, "hostile"));
  assert_victim_untouched (fixture);
  assert_store_clean (fixture, 2);
}

/* PrepareLayer: the union of a chain with a scratch on top, on the host,
 * mounted once however many users prepare it. */
static void
test_prepare (Fixture *fixture, gconstpointer data)
{
  const Entry base[] = { { "from-base", AE_IFREG, "base\n", 0644, 0 } };
  const Entry top[] = { { ".wh.from-base", AE_IFREG, NULL, 0644, 0 },
                        { "from-top", AE_IFREG, "top\n", 0644, 0 } };
  g_autofree char *base_tar = g_build_filename (fixture->temp_dir, "b.tar", NULL);
  g_autofree char *top_tar = g_build_filename (fixture->temp_dir, "t.tar", NULL);
  g_autofree char *rootfs = NULL, *again = NULL, *seen = NULL, *gone = NULL, *written = NULL;
  g_autoptr (GError) error = NULL;

  write_archive (base_tar, base, G_N_ELEMENTS (base), PLAIN);
  write_archive (top_tar, top, G_N_ELEMENTS (top), PLAIN);
  g_assert_nonnull (hcs_layer_store_import (fixture->store, "base", NULL, base_tar, NULL, 0, NULL));
  g_assert_nonnull (hcs_layer_store_import (fixture->store, "top", "base", top_tar, NULL, 0, NULL));
  g_assert_nonnull (hcs_layer_store_create_scratch (fixture->store, "sandbox", "top",
                                                    16 * 1024 * 1024, &error));
  g_assert_no_error (error);

  rootfs = hcs_layer_store_prepare (fixture->store, "sandbox", &error);
  g_assert_no_error (error);
  seen = g_build_filename (rootfs, "from-top", NULL);
  gone = g_build_filename (rootfs, "from-base", NULL);
  written = g_build_filename (rootfs, "new-file", NULL);
  g_assert_true (g_file_test (seen, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (gone, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_set_contents (written, "scratch\n", -1, NULL));

  again = hcs_layer_store_prepare (fixture->store, "sandbox", &error);
  g_assert_no_error (error);
  hcs_layer_store_unprepare (fixture->store, "sandbox", &error);
  g_assert_no_error (error);
  g_assert_true (is_mounted (rootfs));
  hcs_layer_store_unprepare (fixture->store, "sandbox", &error);
  g_assert_no_error (error);
  g_assert_false (is_mounted (rootfs));
  g_assert_cmpuint (hcs_layer_store_get_active_count (fixture->store, "sandbox"), ==, 0);

  /* The write stayed in the scratch, which keeps it for the next prepare. */
  g_free (rootfs);
  rootfs = hcs_layer_store_prepare (fixture->store, "sandbox", &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (written, G_FILE_TEST_EXISTS));
  hcs_layer_store_unprepare (fixture->store, "sandbox", &error);
  g_assert_no_error (error);
  g_assert_false (hcs_layer_store_unprepare (fixture->store, "sandbox", &error));
  g_assert_true (hcs_error_is_operation_invalid_state (error));
}

static gboolean
loop_backs (const char *image)
{
  g_autoptr (GDir) dir = g_dir_open ("/sys/block", 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/sys/block", name, "loop", "backing_file", NULL);
      g_autofree char *backing = NULL;
      if (g_file_get_contents (path, &backing, NULL, NULL) && strstr (backing, image) != NULL)
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_mounted (const char *path)
{
  g_autofree char *mountinfo = NULL;
  g_autofree char *needle = g_strconcat (" ", path, " ", NULL);

  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL));
  return strstr (mountinfo, needle) != NULL;
}

/* A 16 MiB scratch: the limit holds on the host and inside a container,
 * and activation is counted. */
static void
test_scratch_limit (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsLayerInfo) info = NULL;
  g_autofree char *folder = NULL, *again = NULL, *image = NULL, *big = NULL;
  g_autoptr (GKeyFile) options = test_make_options (fixture->temp_dir);
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainerConfig) config = hcs_container_config_new ();
  g_autoptr (HcsContainer) container = NULL;
  char block[1024 * 1024] = { 0 };
  gsize written = 0;
  int fd, exit_code = -1;

  g_assert_null (hcs_layer_store_create_scratch (fixture->store, "tiny", NULL, 1024, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);

  info = hcs_layer_store_create_scratch (fixture->store, "sandbox", NULL, 16 * 1024 * 1024, &error);
  g_assert_no_error (error);
  image = g_build_filename (fixture->store_dir, "sandbox", "scratch.img", NULL);
  folder = hcs_layer_store_activate (fixture->store, "sandbox", &error);
  g_assert_no_error (error);
  g_assert_true (is_mounted (folder));
  g_assert_true (loop_backs (image));

  /* Writing past the size fails with ENOSPC. */
  big = g_build_filename (folder, "big", NULL);
  fd = open (big, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  for (;;)
    {
      ssize_t n = write (fd, block, sizeof block);
      if (n < 0)
        {
          g_assert_cmpint (errno, ==, ENOSPC);
          break;
        }
      written += n;
      g_assert_cmpuint (written, <=, 16 * 1024 * 1024);
    }
  close (fd);
  g_unlink (big);

  /* Two users: the first deactivate leaves it mounted. */
  again = hcs_layer_store_activate (fixture->store, "sandbox", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hcs_layer_store_get_active_count (fixture->store, "sandbox"), ==, 2);
  g_assert_false (hcs_layer_store_destroy (fixture->store, "sandbox", FALSE, &error));
  g_assert_true (hcs_error_is_operation_invalid_state (error));
  g_clear_error (&error);
  hcs_layer_store_deactivate (fixture->store, "sandbox", &error);
  g_assert_no_error (error);
  g_assert_true (is_mounted (folder));

  /* A container with the scratch as its LayerFolderPath hits the limit. */
  config->layer_folder_path = g_strdup (folder);
  config->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_layer_free);
  {
    HcsLayer *base = g_new0 (HcsLayer, 1);
    base->path = g_strdup (test_get_busybox_rootfs ());
    g_ptr_array_add (config->layers, base);
  }
  config->process = hcs_process_config_new ();
  config->process->command_line =
      g_strdup ("/bin/sh -c 'dd if=/dev/zero of=/fill bs=1M count=64 2>/dev/null'");
  host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  container = hcs_host_create_container (host, "limited", config, NULL, &error);
  g_assert_no_error (error);
  hcs_container_start (container, &error);
  g_assert_no_error (error);
  hcs_container_wait_timeout (container, 30000, NULL, &error);
  g_assert_no_error (error);
  hcs_container_get_exit_code (container, &exit_code, &error);
  g_assert_cmpint (exit_code, !=, 0);
  hcs_container_remove (container, &error);
  g_assert_no_error (error);

  hcs_layer_store_deactivate (fixture->store, "sandbox", &error);
  g_assert_no_error (error);
  g_assert_false (is_mounted (folder));
  g_assert_false (loop_backs (image));
  g_assert_false (hcs_layer_store_deactivate (fixture->store, "sandbox", &error));
  g_assert_true (hcs_error_is_operation_invalid_state (error));
  g_clear_error (&error);
  hcs_layer_store_destroy (fixture->store, "sandbox", FALSE, &error);
  g_assert_no_error (error);
}

static guint64
free_bytes (const char *path)
{
  struct statvfs sv;

  g_assert_cmpint (statvfs (path, &sv), ==, 0);
  return (guint64) sv.f_blocks * sv.f_frsize;
}

/* ExpandSandboxSize offline and online; a count left from before a
 * reboot (or a mount undone by hand) is not trusted; a forced destroy of a
 * mounted scratch unmounts it and frees its loop device. */
static void
test_scratch_lifecycle (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsLayerInfo) info = NULL;
  g_autofree char *folder = NULL, *again = NULL, *image = NULL, *count_file = NULL;
  guint64 before, after;

  info = hcs_layer_store_create_scratch (fixture->store, "sandbox", NULL, 16 * 1024 * 1024, &error);
  g_assert_no_error (error);
  g_assert_null (hcs_layer_store_create_scratch (fixture->store, "sandbox", NULL, 0, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);
  g_assert_null (hcs_layer_store_create_scratch (fixture->store, "../x", NULL, 0, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);
  image = g_build_filename (fixture->store_dir, "sandbox", "scratch.img", NULL);
  count_file = g_build_filename (fixture->store_dir, "sandbox", "active", NULL);

  /* Offline growth. */
  g_assert_false (hcs_layer_store_expand_scratch (fixture->store, "sandbox", 8 * 1024 * 1024, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_true (hcs_layer_store_expand_scratch (fixture->store, "sandbox", 24 * 1024 * 1024, &error));
  g_assert_no_error (error);
  folder = hcs_layer_store_activate (fixture->store, "sandbox", &error);
  g_assert_no_error (error);
  before = free_bytes (folder);
  g_assert_cmpuint (before, >, 16 * 1024 * 1024);

  /* Online growth, through the loop device, where the kernel lets us. */
  if (hcs_layer_store_expand_scratch (fixture->store, "sandbox", 48 * 1024 * 1024, &error))
    {
      after = free_bytes (folder);
      g_assert_cmpuint (after, >, 40 * 1024 * 1024);
      g_clear_pointer (&info, hcs_layer_info_free);
      info = hcs_layer_store_inspect (fixture->store, "sandbox", &error);
      g_assert_cmpuint (info->scratch_size_limit, ==, 48 * 1024 * 1024);
    }
  else
    {
      /* Refused cleanly, the size unchanged. */
      g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
      g_test_message ("online growth not tested: %s", error->message);
      g_clear_error (&error);
      g_assert_cmpuint (free_bytes (folder), ==, before);
      g_clear_pointer (&info, hcs_layer_info_free);
      info = hcs_layer_store_inspect (fixture->store, "sandbox", &error);
      g_assert_cmpuint (info->scratch_size_limit, ==, 24 * 1024 * 1024);
    }

  /* The mount undone behind the store's back, as a reboot does: the
   * count is stale, and the next activation mounts again. */
  g_assert_cmpint (umount2 (folder, 0), ==, 0);
  g_assert_cmpuint (hcs_layer_store_get_active_count (fixture->store, "sandbox"), ==, 0);
  again = hcs_layer_store_activate (fixture->store, "sandbox", &error);
  g_assert_no_error (error);
  g_assert_true (is_mounted (again));
  g_assert_cmpuint (hcs_layer_store_get_active_count (fixture->store, "sandbox"), ==, 1);
  /* A count written in another boot. */
  g_assert_true (g_file_set_contents (count_file, "5 00000000-0000-0000-0000-000000000000\n", -1, NULL));
  g_assert_cmpuint (hcs_layer_store_get_active_count (fixture->store, "sandbox"), ==, 0);
  g_assert_true (g_file_set_contents (count_file, "0", -1, NULL));
  g_free (hcs_layer_store_activate (fixture->store, "sandbox", &error));
  g_assert_no_error (error);

  /* Mounted: refused, unless forced; forced leaves no mount or loop. */
  g_assert_false (hcs_layer_store_destroy (fixture->store, "sandbox", FALSE, &error));
  g_assert_true (hcs_error_is_operation_invalid_state (error));
  g_clear_error (&error);
  g_assert_true (hcs_layer_store_destroy (fixture->store, "sandbox", TRUE, &error));
  g_assert_no_error (error);
  g_assert_false (is_mounted (folder));
  g_assert_false (loop_backs (image));
  g_assert_false (hcs_layer_store_exists (fixture->store, "sandbox"));
  assert_store_clean (fixture, 0);
}

/* A sparse file whose hole runs to its end keeps its size, not its
 * hole's bytes. */
static void
test_sparse (Fixture *fixture, gconstpointer data)
{
  g_autofree char *archive = g_build_filename (fixture->temp_dir, "sparse.tar", NULL);
  g_autofree char *fs = NULL, *file = NULL;
  struct archive *tar = archive_write_new ();
  struct archive_entry *entry = archive_entry_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsLayerInfo) info = NULL;
  struct stat st;

  archive_write_set_format_pax (tar);
  g_assert_cmpint (archive_write_open_filename (tar, archive), ==, ARCHIVE_OK);
  archive_entry_set_pathname (entry, "sparse");
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_size (entry, 64 * 1024 * 1024);
  archive_entry_sparse_add_entry (entry, 0, 4);
  g_assert_cmpint (archive_write_header (tar, entry), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_data (tar, "data", 4), ==, 4);
  g_assert_cmpint (archive_write_close (tar), ==, ARCHIVE_OK);
  archive_write_free (tar);
  archive_entry_free (entry);

  info = hcs_layer_store_import (fixture->store, "sparse", NULL, archive, NULL, 0, &error);
  g_assert_no_error (error);
  fs = hcs_layer_store_get_mount_path (fixture->store, "sparse");
  file = g_build_filename (fs, "sparse", NULL);
  g_assert_cmpint (stat (file, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 64 * 1024 * 1024);
  g_assert_cmpint (st.st_blocks * 512, <, 1024 * 1024);
}

/* A layer under a container's root (an overlay mounted in another mount
 * namespace, as argon mounts it) is neither destroyed nor collected. */
static void
test_destroy_in_use (Fixture *fixture, gconstpointer data)
{
  const Entry entries[] = { { "f", AE_IFREG, "x", 0644, 0 } };
  g_autofree char *archive = g_build_filename (fixture->temp_dir, "l.tar", NULL);
  g_autofree char *upper = g_build_filename (fixture->temp_dir, "upper", NULL);
  g_autofree char *work = g_build_filename (fixture->temp_dir, "work", NULL);
  g_autofree char *root = g_build_filename (fixture->temp_dir, "root", NULL);
  g_autofree char *lower = NULL, *options = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) removed = NULL;
  int ready[2], status;
  char byte;
  pid_t pid;

  write_archive (archive, entries, 1, PLAIN);
  g_assert_nonnull (hcs_layer_store_import (fixture->store, "used", NULL, archive, NULL, 0, NULL));
  g_assert_nonnull (hcs_layer_store_import (fixture->store, "unused", NULL, archive, NULL, 0, NULL));
  g_assert_cmpint (g_mkdir (upper, 0755) | g_mkdir (work, 0755) | g_mkdir (root, 0755), ==, 0);
  lower = hcs_layer_store_get_mount_path (fixture->store, "used");
  options = g_strdup_printf ("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
  g_assert_cmpint (pipe2 (ready, O_CLOEXEC), ==, 0);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
          mount ("overlay", root, "overlay", 0, options) < 0)
        _exit (1);
      if (write (ready[1], "y", 1) != 1)
        _exit (1);
      pause ();
      _exit (0);
    }
  close (ready[1]);
  g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
  close (ready[0]);
  g_assert_false (is_mounted (root));

  g_assert_false (hcs_layer_store_destroy (fixture->store, "used", FALSE, &error));
  g_assert_true (hcs_error_is_operation_invalid_state (error));
  g_assert_nonnull (strstr (error->message, "overlay"));
  g_clear_error (&error);
  hcs_layer_store_collect_garbage (fixture->store, NULL, &removed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (removed), ==, 1);
  g_assert_cmpstr (removed[0], ==, "unused");

  kill (pid, SIGKILL);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (hcs_layer_store_destroy (fixture->store, "used", FALSE, &error));
  g_assert_no_error (error);
  assert_store_clean (fixture, 0);
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  if (geteuid () != 0)
    {
      g_test_skip ("the layer store keeps owners and whiteouts: it needs root");
      return 0;
    }
#define ADD(path, func) \
  g_test_add ("/layers/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("round-trip", test_round_trip);
  ADD ("compressions", test_compressions);
  ADD ("stream-checks", test_stream_checks);
  ADD ("no-external-decompressor", test_no_external_decompressor);
  ADD ("killed-import", test_killed_import);
  ADD ("hostile-archives", test_hostile_archives);
  ADD ("corrupt-and-digest", test_corrupt_and_digest);
  ADD ("chain-list-destroy", test_chain_list_destroy);
  ADD ("container-on-chain", test_container_on_chain);
  ADD ("scratch-limit", test_scratch_limit);
  ADD ("concurrent-imports", test_concurrent_imports);
  ADD ("garbage-collection", test_garbage_collection);
  ADD ("prepare", test_prepare);
  ADD ("writer-reader", test_writer_reader);
  ADD ("scratch-lifecycle", test_scratch_lifecycle);
  ADD ("destroy-in-use", test_destroy_in_use);
  ADD ("sparse", test_sparse);
#undef ADD
  result = g_test_run ();
  test_cleanup_cgroup_parent ();
  return result;
}
