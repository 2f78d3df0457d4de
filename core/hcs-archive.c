/* hcs-archive.c: loading libarchive on first use (see hcs-archive.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define HCS_ARCHIVE_NO_REDIRECT
#include "hcs-archive.h"

#include <gmodule.h>

#include "hcs-error.h"

HcsArchiveApi hcs_archive_api;

#define LIBARCHIVE_SONAME "libarchive.so.13"

static const struct {
  const char *name;
  gsize offset;
} symbols[] = {
  { "archive_entry_atime", G_STRUCT_OFFSET (HcsArchiveApi, entry_atime) },
  { "archive_entry_atime_is_set", G_STRUCT_OFFSET (HcsArchiveApi, entry_atime_is_set) },
  { "archive_entry_atime_nsec", G_STRUCT_OFFSET (HcsArchiveApi, entry_atime_nsec) },
  { "archive_entry_filetype", G_STRUCT_OFFSET (HcsArchiveApi, entry_filetype) },
  { "archive_entry_free", G_STRUCT_OFFSET (HcsArchiveApi, entry_free) },
  { "archive_entry_gid", G_STRUCT_OFFSET (HcsArchiveApi, entry_gid) },
  { "archive_entry_hardlink", G_STRUCT_OFFSET (HcsArchiveApi, entry_hardlink) },
  { "archive_entry_mode", G_STRUCT_OFFSET (HcsArchiveApi, entry_mode) },
  { "archive_entry_mtime", G_STRUCT_OFFSET (HcsArchiveApi, entry_mtime) },
  { "archive_entry_mtime_nsec", G_STRUCT_OFFSET (HcsArchiveApi, entry_mtime_nsec) },
  { "archive_entry_new", G_STRUCT_OFFSET (HcsArchiveApi, entry_new) },
  { "archive_entry_pathname", G_STRUCT_OFFSET (HcsArchiveApi, entry_pathname) },
  { "archive_entry_perm", G_STRUCT_OFFSET (HcsArchiveApi, entry_perm) },
  { "archive_entry_rdev", G_STRUCT_OFFSET (HcsArchiveApi, entry_rdev) },
  { "archive_entry_set_filetype", G_STRUCT_OFFSET (HcsArchiveApi, entry_set_filetype) },
  { "archive_entry_set_gid", G_STRUCT_OFFSET (HcsArchiveApi, entry_set_gid) },
  { "archive_entry_set_hardlink", G_STRUCT_OFFSET (HcsArchiveApi, entry_set_hardlink) },
  { "archive_entry_set_mtime", G_STRUCT_OFFSET (HcsArchiveApi, entry_set_mtime) },
  { "archive_entry_set_pathname", G_STRUCT_OFFSET (HcsArchiveApi, entry_set_pathname) },
  { "archive_entry_set_perm", G_STRUCT_OFFSET (HcsArchiveApi, entry_set_perm) },
  { "archive_entry_set_rdev", G_STRUCT_OFFSET (HcsArchiveApi, entry_set_rdev) },
  { "archive_entry_set_size", G_STRUCT_OFFSET (HcsArchiveApi, entry_set_size) },
  { "archive_entry_set_symlink", G_STRUCT_OFFSET (HcsArchiveApi, entry_set_symlink) },
  { "archive_entry_set_uid", G_STRUCT_OFFSET (HcsArchiveApi, entry_set_uid) },
  { "archive_entry_size", G_STRUCT_OFFSET (HcsArchiveApi, entry_size) },
  { "archive_entry_symlink", G_STRUCT_OFFSET (HcsArchiveApi, entry_symlink) },
  { "archive_entry_uid", G_STRUCT_OFFSET (HcsArchiveApi, entry_uid) },
  { "archive_entry_xattr_add_entry", G_STRUCT_OFFSET (HcsArchiveApi, entry_xattr_add_entry) },
  { "archive_entry_xattr_next", G_STRUCT_OFFSET (HcsArchiveApi, entry_xattr_next) },
  { "archive_entry_xattr_reset", G_STRUCT_OFFSET (HcsArchiveApi, entry_xattr_reset) },
  { "archive_error_string", G_STRUCT_OFFSET (HcsArchiveApi, error_string) },
  { "archive_read_data", G_STRUCT_OFFSET (HcsArchiveApi, read_data) },
  { "archive_read_data_block", G_STRUCT_OFFSET (HcsArchiveApi, read_data_block) },
  { "archive_read_free", G_STRUCT_OFFSET (HcsArchiveApi, read_free) },
  { "archive_read_new", G_STRUCT_OFFSET (HcsArchiveApi, read_new) },
  { "archive_read_next_header", G_STRUCT_OFFSET (HcsArchiveApi, read_next_header) },
  { "archive_read_open", G_STRUCT_OFFSET (HcsArchiveApi, read_open) },
  { "archive_read_open_fd", G_STRUCT_OFFSET (HcsArchiveApi, read_open_fd) },
  { "archive_read_open_filename", G_STRUCT_OFFSET (HcsArchiveApi, read_open_filename) },
  { "archive_read_support_filter_bzip2", G_STRUCT_OFFSET (HcsArchiveApi, read_support_filter_bzip2) },
  { "archive_read_support_filter_compress", G_STRUCT_OFFSET (HcsArchiveApi, read_support_filter_compress) },
  { "archive_read_support_filter_lz4", G_STRUCT_OFFSET (HcsArchiveApi, read_support_filter_lz4) },
  { "archive_read_support_filter_lzip", G_STRUCT_OFFSET (HcsArchiveApi, read_support_filter_lzip) },
  { "archive_read_support_filter_lzma", G_STRUCT_OFFSET (HcsArchiveApi, read_support_filter_lzma) },
  { "archive_read_support_filter_xz", G_STRUCT_OFFSET (HcsArchiveApi, read_support_filter_xz) },
  { "archive_read_support_filter_zstd", G_STRUCT_OFFSET (HcsArchiveApi, read_support_filter_zstd) },
  { "archive_read_support_format_raw", G_STRUCT_OFFSET (HcsArchiveApi, read_support_format_raw) },
  { "archive_read_support_format_tar", G_STRUCT_OFFSET (HcsArchiveApi, read_support_format_tar) },
  { "archive_set_error", G_STRUCT_OFFSET (HcsArchiveApi, set_error) },
  { "archive_write_close", G_STRUCT_OFFSET (HcsArchiveApi, write_close) },
  { "archive_write_data", G_STRUCT_OFFSET (HcsArchiveApi, write_data) },
  { "archive_write_fail", G_STRUCT_OFFSET (HcsArchiveApi, write_fail) },
  { "archive_write_free", G_STRUCT_OFFSET (HcsArchiveApi, write_free) },
  { "archive_write_header", G_STRUCT_OFFSET (HcsArchiveApi, write_header) },
  { "archive_write_new", G_STRUCT_OFFSET (HcsArchiveApi, write_new) },
  { "archive_write_open_fd", G_STRUCT_OFFSET (HcsArchiveApi, write_open_fd) },
  { "archive_write_open_filename", G_STRUCT_OFFSET (HcsArchiveApi, write_open_filename) },
  { "archive_write_set_bytes_in_last_block", G_STRUCT_OFFSET (HcsArchiveApi, write_set_bytes_in_last_block) },
  { "archive_write_set_format_pax_restricted", G_STRUCT_OFFSET (HcsArchiveApi, write_set_format_pax_restricted) },
};

gboolean
hcs_archive_load (GError **error)
{
  static gsize loaded = 0;
  static char *load_error = NULL;

  if (g_once_init_enter (&loaded))
    {
      GModule *module = g_module_open (LIBARCHIVE_SONAME, G_MODULE_BIND_LOCAL);

      if (module == NULL)
        load_error = g_strdup_printf ("layers need libarchive (%s): %s", LIBARCHIVE_SONAME,
                                      g_module_error ());
      for (gsize i = 0; module != NULL && i < G_N_ELEMENTS (symbols); i++)
        {
          gpointer address = NULL;

          if (!g_module_symbol (module, symbols[i].name, &address) || address == NULL)
            {
              load_error = g_strdup_printf ("layers need libarchive (%s): it has no %s",
                                            LIBARCHIVE_SONAME, symbols[i].name);
              break;
            }
          G_STRUCT_MEMBER (gpointer, &hcs_archive_api, symbols[i].offset) = address;
        }
      /* Its functions are called through pointers for the rest of our life. */
      if (module != NULL)
        g_module_make_resident (module);
      g_once_init_leave (&loaded, 1);
    }
  if (load_error != NULL)
    {
      g_set_error_literal (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED, load_error);
      return FALSE;
    }
  return TRUE;
}
