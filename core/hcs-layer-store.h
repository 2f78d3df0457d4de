/* hcs-layer-store.h: image layers on disk (hcsshim's wclayer functions).
 *
 * A store is a folder with one sub-folder a layer: <store>/<id>/fs holds
 * the layer's files in overlayfs form (whiteouts are 0:0 character
 * devices, opaque directories carry trusted.overlay.opaque=y), and
 * <store>/<id>/layer.json its metadata (parent, diff id, size, created),
 * written atomically. Imports go to a temporary folder and are renamed
 * into place at the end, so a failed import leaves nothing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  char *id;
  char *parent;      /* NULL for a base layer */
  char *diff_id;     /* "sha256:..." of the uncompressed tar */
  guint64 size;      /* bytes of file data */
  gint64 created;    /* unix µs */
  guint64 scratch_size_limit; /* scratch layers: bytes, 0 = none */
} HcsLayerInfo;

#define HCS_TYPE_LAYER_INFO (hcs_layer_info_get_type ())
GType hcs_layer_info_get_type (void);
/**
 * hcs_layer_info_copy:
 * @info: info
 *
 * Returns: the result
 */
HcsLayerInfo *hcs_layer_info_copy (const HcsLayerInfo *info);
/**
 * hcs_layer_info_free:
 * @info: info
 */
void hcs_layer_info_free (HcsLayerInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HcsLayerInfo, hcs_layer_info_free)
/**
 * hcs_layer_info_to_node:
 * @info: info
 *
 * {"Id", "Parent", "DiffId", "Size", "Created" (RFC 3339),
 * "ScratchSizeLimit"}
 *
 * Returns: the result
 */
JsonNode *hcs_layer_info_to_node (const HcsLayerInfo *info);

typedef enum {
  HCS_LAYER_IMPORT_NONE = 0,
  HCS_LAYER_IMPORT_ALLOW_DEVICES = 1 << 0, /* character and block devices */
} HcsLayerImportFlags;

#define HCS_TYPE_LAYER_STORE (hcs_layer_store_get_type ())
G_DECLARE_FINAL_TYPE (HcsLayerStore, hcs_layer_store, HCS, LAYER_STORE, GObject)

/**
 * hcs_layer_store_new:
 * @path: path
 * @error: return location for a #GError
 *
 * Opens (creating it if needed) the store at @path.
 *
 * Returns: (transfer full): the store, or %NULL on error
 */
HcsLayerStore *hcs_layer_store_new (const char *path, GError **error);
/**
 * hcs_layer_store_get_path:
 * @self: the object
 *
 * Returns: the result
 */
const char *hcs_layer_store_get_path (HcsLayerStore *self);

/**
 * hcs_layer_store_import:
 * @self: the object
 * @id: id
 * @parent: (nullable): the parent layer
 * @archive_path: archive path
 * @expected_diff_id: (nullable): the expected "sha256:..." digest
 * @flags: flags
 * @error: return location for a #GError
 *
 * Imports an OCI layer archive (tar, tar+gzip, tar+zstd, ...: the
 * compression is detected from the data) as layer @id on @parent. When
 * @expected_diff_id is given, a different digest fails the import.
 *
 * Returns: (transfer full): the layer, or %NULL on error
 */
HcsLayerInfo *hcs_layer_store_import (HcsLayerStore *self, const char *id, const char *parent,
                                      const char *archive_path, const char *expected_diff_id,
                                      HcsLayerImportFlags flags, GError **error);
/* Called now and then during an import with the uncompressed bytes and
 * the entries read so far. */
typedef void (*HcsLayerProgressFunc) (guint64 bytes, guint64 entries, gpointer user_data);
/**
 * hcs_layer_store_import_with_progress:
 * @self: the object
 * @id: id
 * @parent: (nullable): the parent layer
 * @archive_path: archive path
 * @expected_diff_id: (nullable): the expected "sha256:..." digest
 * @flags: flags
 * @progress: (scope call) (nullable): called during the import
 * @user_data: (closure progress): data for @progress
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the layer, or %NULL on error
 */
HcsLayerInfo *hcs_layer_store_import_with_progress (HcsLayerStore *self, const char *id,
                                                    const char *parent, const char *archive_path,
                                                    const char *expected_diff_id,
                                                    HcsLayerImportFlags flags,
                                                    HcsLayerProgressFunc progress,
                                                    gpointer user_data, GError **error);
/**
 * hcs_layer_store_export:
 * @self: the object
 * @id: id
 * @tar_path: tar path
 * @error: return location for a #GError
 *
 * Writes layer @id as an uncompressed OCI layer tar, in a deterministic
 * order, whiteouts as .wh. entries.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_layer_store_export (HcsLayerStore *self, const char *id, const char *tar_path,
                                 GError **error);
/**
 * hcs_layer_store_export_with_progress:
 * @self: the object
 * @id: id
 * @tar_path: tar path
 * @progress: (scope call) (nullable): called during the export
 * @user_data: (closure progress): data for @progress
 * @error: return location for a #GError
 *
 * The same, reporting the file bytes and entries written so far.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_layer_store_export_with_progress (HcsLayerStore *self, const char *id,
                                               const char *tar_path,
                                               HcsLayerProgressFunc progress,
                                               gpointer user_data, GError **error);

/**
 * hcs_layer_store_exists:
 * @self: the object
 * @id: id
 *
 * Returns: whether it holds
 */
gboolean hcs_layer_store_exists (HcsLayerStore *self, const char *id);
/**
 * hcs_layer_store_inspect:
 * @self: the object
 * @id: id
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the layer, or %NULL on error
 */
HcsLayerInfo *hcs_layer_store_inspect (HcsLayerStore *self, const char *id, GError **error);
/**
 * hcs_layer_store_list:
 * @self: the object
 * @error: return location for a #GError
 *
 * (element-type HcsLayerInfo), sorted by id.
 *
 * Returns: (transfer container) (element-type HcsLayerInfo): the layers, or %NULL on error
 */
GPtrArray *hcs_layer_store_list (HcsLayerStore *self, GError **error);
/**
 * hcs_layer_store_get_mount_path:
 * @self: the object
 * @id: id
 *
 * The folder of the layer's files; NULL for an invalid id.
 *
 * Returns: (transfer full) (nullable): the folder
 */
char *hcs_layer_store_get_mount_path (HcsLayerStore *self, const char *id);
/**
 * hcs_layer_store_get_chain_paths:
 * @self: the object
 * @id: id
 * @error: return location for a #GError
 *
 * The file folders of @id and its parents, @id first and the base last:
 * the order of ContainerConfig.Layers and of overlayfs's lowerdir.
 *
 * Returns: (transfer full) (array zero-terminated=1): the folders, or %NULL on error
 */
GStrv hcs_layer_store_get_chain_paths (HcsLayerStore *self, const char *id, GError **error);
/**
 * hcs_layer_store_list_interrupted:
 * @self: the object
 *
 * The ids of imports (and scratch layers) whose process died part way:
 * their temporary folders are still in the store, and
 * hcs_layer_store_destroy() of the id removes them.
 *
 * Returns: (transfer full) (array zero-terminated=1): the ids
 */
GStrv hcs_layer_store_list_interrupted (HcsLayerStore *self);
/**
 * hcs_layer_store_destroy:
 * @self: the object
 * @id: id
 * @force: force
 * @error: return location for a #GError
 *
 * Refuses a layer that is the parent of another, or has a mount below its
 * folder, unless @force. Removes what interrupted imports of @id left, and
 * succeeds with only that to remove.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_layer_store_destroy (HcsLayerStore *self, const char *id, gboolean force,
                                  GError **error);

/**
 * hcs_layer_store_collect_garbage:
 * @self: the object
 * @keep: (array zero-terminated=1) (nullable): the layers to keep
 * @removed: (out) (optional) (transfer full) (array zero-terminated=1): the ids removed
 * @error: return location for a #GError
 *
 * Removes every layer that is neither in @keep, nor a parent of one there,
 * nor active, and leftovers of interrupted imports. The ids removed go to
 * @removed (may be NULL).
 *
 * Returns: %TRUE on success
 */
gboolean hcs_layer_store_collect_garbage (HcsLayerStore *self, const char *const *keep,
                                          GStrv *removed, GError **error);

/**
 * hcs_layer_store_create_scratch:
 * @self: the object
 * @id: id
 * @parent: (nullable): the parent layer
 * @size_bytes: size bytes
 * @error: return location for a #GError
 *
 * A writable scratch layer for one container (CreateSandboxLayer): with
 * @size_bytes > 0, an ext4 file system of that size in <id>/scratch.img,
 * so writing past it fails with ENOSPC; 0 gives a plain folder.
 *
 * Returns: (transfer full): the layer, or %NULL on error
 */
HcsLayerInfo *hcs_layer_store_create_scratch (HcsLayerStore *self, const char *id,
                                              const char *parent, guint64 size_bytes,
                                              GError **error);
/**
 * hcs_layer_store_expand_scratch:
 * @self: the object
 * @id: id
 * @size_bytes: size bytes
 * @error: return location for a #GError
 *
 * ExpandSandboxSize: grows a size-limited scratch layer to @size_bytes,
 * active or not. Shrinking is refused.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_layer_store_expand_scratch (HcsLayerStore *self, const char *id,
                                         guint64 size_bytes, GError **error);
/**
 * hcs_layer_store_activate:
 * @self: the object
 * @id: id
 * @error: return location for a #GError
 *
 * Mounts a scratch layer's volume (ActivateLayer) and returns its folder,
 * the container's LayerFolderPath. Reference counted across processes (a
 * count file under a lock): only the last deactivate unmounts.
 *
 * Returns: (transfer full): the volume's folder, or %NULL on error
 */
char *hcs_layer_store_activate (HcsLayerStore *self, const char *id, GError **error);
/**
 * hcs_layer_store_deactivate:
 * @self: the object
 * @id: id
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_layer_store_deactivate (HcsLayerStore *self, const char *id, GError **error);
/**
 * hcs_layer_store_prepare:
 * @self: the object
 * @id: id
 * @error: return location for a #GError
 *
 * PrepareLayer: activates the scratch layer @id and mounts, on the host,
 * the overlay of its parent chain with the scratch on top at <id>/rootfs,
 * returned. Counted as activation is; unprepare undoes one prepare.
 *
 * Returns: (transfer full): the root file system folder, or %NULL on error
 */
char *hcs_layer_store_prepare (HcsLayerStore *self, const char *id, GError **error);
/**
 * hcs_layer_store_unprepare:
 * @self: the object
 * @id: id
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_layer_store_unprepare (HcsLayerStore *self, const char *id, GError **error);

/**
 * hcs_layer_store_get_active_count:
 * @self: the object
 * @id: id
 *
 * How many users hold the layer active.
 *
 * Returns: the result
 */
guint hcs_layer_store_get_active_count (HcsLayerStore *self, const char *id);

/* --- streaming (hcsshim's LayerWriter and LayerReader) ----------------- */

#define HCS_TYPE_LAYER_WRITER (hcs_layer_writer_get_type ())
G_DECLARE_FINAL_TYPE (HcsLayerWriter, hcs_layer_writer, HCS, LAYER_WRITER, GObject)

/**
 * hcs_layer_store_new_writer:
 * @self: the object
 * @id: id
 * @parent: (nullable): the parent layer
 * @error: return location for a #GError
 *
 * Builds layer @id entry by entry; nothing is in the store until commit,
 * which goes through the same checks as an import.
 *
 * Returns: (transfer full): the writer, or %NULL on error
 */
HcsLayerWriter *hcs_layer_store_new_writer (HcsLayerStore *self, const char *id,
                                            const char *parent, GError **error);
/**
 * hcs_layer_writer_add:
 * @self: the object
 * @path: path
 * @mode: mode
 * @uid: uid
 * @gid: gid
 * @mtime: mtime
 * @size: size
 * @symlink_target: (nullable): the target of a symbolic link
 * @error: return location for a #GError
 *
 * @mode carries the type bits (S_IFREG, S_IFDIR, S_IFLNK, ...); a regular
 * file's @size bytes follow with hcs_layer_writer_write().
 *
 * Returns: %TRUE on success
 */
gboolean hcs_layer_writer_add (HcsLayerWriter *self, const char *path, guint32 mode, guint32 uid,
                               guint32 gid, gint64 mtime, gint64 size,
                               const char *symlink_target, GError **error);
/**
 * hcs_layer_writer_add_link:
 * @self: the object
 * @path: path
 * @target: target
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_layer_writer_add_link (HcsLayerWriter *self, const char *path, const char *target,
                                    GError **error);
/**
 * hcs_layer_writer_remove:
 * @self: the object
 * @path: path
 * @error: return location for a #GError
 *
 * Deletes @path of the parent layers (a whiteout).
 *
 * Returns: %TRUE on success
 */
gboolean hcs_layer_writer_remove (HcsLayerWriter *self, const char *path, GError **error);
/**
 * hcs_layer_writer_write:
 * @self: the object
 * @data: (array length=length) (element-type guint8): the bytes
 * @length: length
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_layer_writer_write (HcsLayerWriter *self, const void *data, gsize length,
                                 GError **error);
/**
 * hcs_layer_writer_commit:
 * @self: the object
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the layer, or %NULL on error
 */
HcsLayerInfo *hcs_layer_writer_commit (HcsLayerWriter *self, GError **error);

#define HCS_TYPE_LAYER_READER (hcs_layer_reader_get_type ())
G_DECLARE_FINAL_TYPE (HcsLayerReader, hcs_layer_reader, HCS, LAYER_READER, GObject)

/**
 * hcs_layer_store_new_reader:
 * @self: the object
 * @id: id
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the reader, or %NULL on error
 */
HcsLayerReader *hcs_layer_store_new_reader (HcsLayerStore *self, const char *id, GError **error);
/**
 * hcs_layer_reader_next:
 * @self: the object
 * @path: (out) (optional) (transfer none): the entry's path
 * @mode: (out) (optional): its mode
 * @size: (out) (optional): its size
 * @link_target: (out) (optional) (transfer none) (nullable): a link's target
 * @error: return location for a #GError
 *
 * The next entry, in export order; FALSE with no error at the end.
 * Whiteouts come as their ".wh." names. Out values may be NULL.
 *
 * Returns: %TRUE with an entry; %FALSE at the end or on error
 */
gboolean hcs_layer_reader_next (HcsLayerReader *self, const char **path, guint32 *mode,
                                gint64 *size, const char **link_target, GError **error);
/**
 * hcs_layer_reader_read:
 * @self: the object
 * @buffer: (out caller-allocates) (array length=length) (element-type guint8): where to read to
 * @length: length
 * @error: return location for a #GError
 *
 * Returns: the bytes read, 0 at the end of the entry, -1 on error
 */
gssize hcs_layer_reader_read (HcsLayerReader *self, void *buffer, gsize length, GError **error);

G_END_DECLS
