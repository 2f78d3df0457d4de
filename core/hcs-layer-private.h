/* hcs-layer-private.h: what the layer store's files share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs-layer-store.h"

G_BEGIN_DECLS

/* Temporary folders in the store: an import or a new scratch layer being
 * made (locked with flock while in use), a layer being removed. */
#define HCS_LAYER_STAGING_PREFIX ".import-"
#define HCS_LAYER_TRASH_PREFIX ".destroy-"

gboolean hcs_layer_validate_id (const char *id, GError **error);
/* A layer about to be made: valid ids, @id not taken, @parent (if any)
 * there; @what ("layer", "scratch layer") begins the parent's message. */
gboolean hcs_layer_check_new (HcsLayerStore *self, const char *id, const char *parent,
                              const char *what, GError **error);
gboolean hcs_layer_write_metadata (const char *dir, const HcsLayerInfo *info, GError **error);

/* Kills this process with SIGKILL when $HCS_LAYER_KILL_AT names @name: the
 * tests' fault injection, one point per step of an import. */
void hcs_layer_fault_point (const char *name);

/* Makes <store>/.import-ID-XXXXXX and returns it, with *@lock_fd an open
 * descriptor of it holding an exclusive flock, so garbage collection
 * leaves it alone while its maker lives. */
char *hcs_layer_make_staging (HcsLayerStore *self, const char *id, int *lock_fd, GError **error);
/* Removes a tree without following symlinks or crossing into mounts. */
void hcs_layer_remove_tree (const char *path);

/* Import from @archive_fd (when >= 0; @archive_path then only names it
 * in messages). When *@cancelled is set by the end, nothing is kept: a
 * stream that ends between entries looks complete. */
HcsLayerInfo *hcs_layer_import_fd (HcsLayerStore *self, const char *id, const char *parent,
                                   const char *archive_path, int archive_fd,
                                   const char *expected_diff_id, HcsLayerImportFlags flags,
                                   HcsLayerProgressFunc progress, gpointer user_data,
                                   const gint *cancelled, GError **error);
/* Export to @tar_fd (when >= 0), stopping soon after *@cancelled is set. */
gboolean hcs_layer_export_fd (HcsLayerStore *self, const char *id, const char *tar_path,
                              int tar_fd, HcsLayerProgressFunc progress, gpointer user_data,
                              const gint *cancelled, GError **error);

/* The uncompressed bytes of a layer archive (@fd when >= 0, else @path,
 * which names it in messages either way): plain, or compressed in a
 * format decompressed in this process, every check the stream carries
 * verified. A format only an external program decompresses is
 * HCS_ERROR_NOT_SUPPORTED; a stream that carries no check of its own
 * (compress, lzma, xz with check None, zstd or lz4 without a content
 * checksum) is HCS_ERROR_INVALID_DATA unless @have_digest says the caller
 * verifies the uncompressed bytes itself. */
typedef struct _HcsLayerInput HcsLayerInput;
HcsLayerInput *hcs_layer_input_open (const char *id, const char *path, int fd,
                                     gboolean have_digest, GError **error);
/* Up to @size bytes; 0 at the end, which is reached only once every
 * check has passed; -1 with @error when the data is corrupt. */
gssize hcs_layer_input_read (HcsLayerInput *input, void *buffer, gsize size, GError **error);
const char *hcs_layer_input_get_format (HcsLayerInput *input);
void hcs_layer_input_free (HcsLayerInput *input);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HcsLayerInput, hcs_layer_input_free)

G_END_DECLS
