/* hcs-archive.h: libarchive, loaded the first time a layer is imported or
 * exported rather than by every program that links libhcs.
 *
 * libarchive brings a dozen libraries with it (ICU, libxml2, libstdc++,
 * compressors); loading them costs every hcsctl verb and every monitor a
 * few milliseconds, though only the layer code uses them. The layer code
 * calls libarchive's functions by their own names; this header turns
 * those names into pointers that hcs_archive_load() fills from
 * libarchive.so.13 through GModule. Include it after any other header.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  __typeof__ (archive_entry_atime) *entry_atime;
  __typeof__ (archive_entry_atime_is_set) *entry_atime_is_set;
  __typeof__ (archive_entry_atime_nsec) *entry_atime_nsec;
  __typeof__ (archive_entry_filetype) *entry_filetype;
  __typeof__ (archive_entry_free) *entry_free;
  __typeof__ (archive_entry_gid) *entry_gid;
  __typeof__ (archive_entry_hardlink) *entry_hardlink;
  __typeof__ (archive_entry_mode) *entry_mode;
  __typeof__ (archive_entry_mtime) *entry_mtime;
  __typeof__ (archive_entry_mtime_nsec) *entry_mtime_nsec;
  __typeof__ (archive_entry_new) *entry_new;
  __typeof__ (archive_entry_pathname) *entry_pathname;
  __typeof__ (archive_entry_perm) *entry_perm;
  __typeof__ (archive_entry_rdev) *entry_rdev;
  __typeof__ (archive_entry_set_filetype) *entry_set_filetype;
  __typeof__ (archive_entry_set_gid) *entry_set_gid;
  __typeof__ (archive_entry_set_hardlink) *entry_set_hardlink;
  __typeof__ (archive_entry_set_mtime) *entry_set_mtime;
  __typeof__ (archive_entry_set_pathname) *entry_set_pathname;
  __typeof__ (archive_entry_set_perm) *entry_set_perm;
  __typeof__ (archive_entry_set_rdev) *entry_set_rdev;
  __typeof__ (archive_entry_set_size) *entry_set_size;
  __typeof__ (archive_entry_set_symlink) *entry_set_symlink;
  __typeof__ (archive_entry_set_uid) *entry_set_uid;
  __typeof__ (archive_entry_size) *entry_size;
  __typeof__ (archive_entry_symlink) *entry_symlink;
  __typeof__ (archive_entry_uid) *entry_uid;
  __typeof__ (archive_entry_xattr_add_entry) *entry_xattr_add_entry;
  __typeof__ (archive_entry_xattr_next) *entry_xattr_next;
  __typeof__ (archive_entry_xattr_reset) *entry_xattr_reset;
  __typeof__ (archive_error_string) *error_string;
  __typeof__ (archive_read_data) *read_data;
  __typeof__ (archive_read_data_block) *read_data_block;
  __typeof__ (archive_read_free) *read_free;
  __typeof__ (archive_read_new) *read_new;
  __typeof__ (archive_read_next_header) *read_next_header;
  __typeof__ (archive_read_open) *read_open;
  __typeof__ (archive_read_open_fd) *read_open_fd;
  __typeof__ (archive_read_open_filename) *read_open_filename;
  __typeof__ (archive_read_support_filter_bzip2) *read_support_filter_bzip2;
  __typeof__ (archive_read_support_filter_compress) *read_support_filter_compress;
  __typeof__ (archive_read_support_filter_lz4) *read_support_filter_lz4;
  __typeof__ (archive_read_support_filter_lzip) *read_support_filter_lzip;
  __typeof__ (archive_read_support_filter_lzma) *read_support_filter_lzma;
  __typeof__ (archive_read_support_filter_xz) *read_support_filter_xz;
  __typeof__ (archive_read_support_filter_zstd) *read_support_filter_zstd;
  __typeof__ (archive_read_support_format_raw) *read_support_format_raw;
  __typeof__ (archive_read_support_format_tar) *read_support_format_tar;
  __typeof__ (archive_set_error) *set_error;
  __typeof__ (archive_write_close) *write_close;
  __typeof__ (archive_write_data) *write_data;
  __typeof__ (archive_write_fail) *write_fail;
  __typeof__ (archive_write_free) *write_free;
  __typeof__ (archive_write_header) *write_header;
  __typeof__ (archive_write_new) *write_new;
  __typeof__ (archive_write_open_fd) *write_open_fd;
  __typeof__ (archive_write_open_filename) *write_open_filename;
  __typeof__ (archive_write_set_bytes_in_last_block) *write_set_bytes_in_last_block;
  __typeof__ (archive_write_set_format_pax_restricted) *write_set_format_pax_restricted;
} HcsArchiveApi;

extern HcsArchiveApi hcs_archive_api;

/* Loads libarchive once (thread-safe); HCS_ERROR_NOT_SUPPORTED naming the
 * library, or the symbol it lacks, when it cannot. */
gboolean hcs_archive_load (GError **error);

#ifndef HCS_ARCHIVE_NO_REDIRECT
#define archive_entry_atime (hcs_archive_api.entry_atime)
#define archive_entry_atime_is_set (hcs_archive_api.entry_atime_is_set)
#define archive_entry_atime_nsec (hcs_archive_api.entry_atime_nsec)
#define archive_entry_filetype (hcs_archive_api.entry_filetype)
#define archive_entry_free (hcs_archive_api.entry_free)
#define archive_entry_gid (hcs_archive_api.entry_gid)
#define archive_entry_hardlink (hcs_archive_api.entry_hardlink)
#define archive_entry_mode (hcs_archive_api.entry_mode)
#define archive_entry_mtime (hcs_archive_api.entry_mtime)
#define archive_entry_mtime_nsec (hcs_archive_api.entry_mtime_nsec)
#define archive_entry_new (hcs_archive_api.entry_new)
#define archive_entry_pathname (hcs_archive_api.entry_pathname)
#define archive_entry_perm (hcs_archive_api.entry_perm)
#define archive_entry_rdev (hcs_archive_api.entry_rdev)
#define archive_entry_set_filetype (hcs_archive_api.entry_set_filetype)
#define archive_entry_set_gid (hcs_archive_api.entry_set_gid)
#define archive_entry_set_hardlink (hcs_archive_api.entry_set_hardlink)
#define archive_entry_set_mtime (hcs_archive_api.entry_set_mtime)
#define archive_entry_set_pathname (hcs_archive_api.entry_set_pathname)
#define archive_entry_set_perm (hcs_archive_api.entry_set_perm)
#define archive_entry_set_rdev (hcs_archive_api.entry_set_rdev)
#define archive_entry_set_size (hcs_archive_api.entry_set_size)
#define archive_entry_set_symlink (hcs_archive_api.entry_set_symlink)
#define archive_entry_set_uid (hcs_archive_api.entry_set_uid)
#define archive_entry_size (hcs_archive_api.entry_size)
#define archive_entry_symlink (hcs_archive_api.entry_symlink)
#define archive_entry_uid (hcs_archive_api.entry_uid)
#define archive_entry_xattr_add_entry (hcs_archive_api.entry_xattr_add_entry)
#define archive_entry_xattr_next (hcs_archive_api.entry_xattr_next)
#define archive_entry_xattr_reset (hcs_archive_api.entry_xattr_reset)
#define archive_error_string (hcs_archive_api.error_string)
#define archive_read_data (hcs_archive_api.read_data)
#define archive_read_data_block (hcs_archive_api.read_data_block)
#define archive_read_free (hcs_archive_api.read_free)
#define archive_read_new (hcs_archive_api.read_new)
#define archive_read_next_header (hcs_archive_api.read_next_header)
#define archive_read_open (hcs_archive_api.read_open)
#define archive_read_open_fd (hcs_archive_api.read_open_fd)
#define archive_read_open_filename (hcs_archive_api.read_open_filename)
#define archive_read_support_filter_bzip2 (hcs_archive_api.read_support_filter_bzip2)
#define archive_read_support_filter_compress (hcs_archive_api.read_support_filter_compress)
#define archive_read_support_filter_lz4 (hcs_archive_api.read_support_filter_lz4)
#define archive_read_support_filter_lzip (hcs_archive_api.read_support_filter_lzip)
#define archive_read_support_filter_lzma (hcs_archive_api.read_support_filter_lzma)
#define archive_read_support_filter_xz (hcs_archive_api.read_support_filter_xz)
#define archive_read_support_filter_zstd (hcs_archive_api.read_support_filter_zstd)
#define archive_read_support_format_raw (hcs_archive_api.read_support_format_raw)
#define archive_read_support_format_tar (hcs_archive_api.read_support_format_tar)
#define archive_set_error (hcs_archive_api.set_error)
#define archive_write_close (hcs_archive_api.write_close)
#define archive_write_data (hcs_archive_api.write_data)
#define archive_write_fail (hcs_archive_api.write_fail)
#define archive_write_free (hcs_archive_api.write_free)
#define archive_write_header (hcs_archive_api.write_header)
#define archive_write_new (hcs_archive_api.write_new)
#define archive_write_open_fd (hcs_archive_api.write_open_fd)
#define archive_write_open_filename (hcs_archive_api.write_open_filename)
#define archive_write_set_bytes_in_last_block (hcs_archive_api.write_set_bytes_in_last_block)
#define archive_write_set_format_pax_restricted (hcs_archive_api.write_set_format_pax_restricted)
#endif

G_END_DECLS
