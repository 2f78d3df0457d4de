/* vm-layers.h: a folder of files as a read-only erofs disk image, the
 * per-layer cache of such images that the VM plugins (lcow, xenon) attach
 * to a guest as virtio-blk disks (hcsshim's MappedVirtualDisk), and the
 * ext4 scratch image a container writes to.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The image of a layer store's layer, beside its files: <store>/<id>/
 * layer.erofs of <store>/<id>/fs. Removing the layer removes it. */
#define VM_LAYER_IMAGE_NAME "layer.erofs"

/* Makes an erofs image of @directory at @image (absolute paths) with
 * mkfs.erofs, keeping owners, modes and extended attributes (overlayfs's
 * whiteouts and opaque folders stay what they are). Written to a
 * temporary file beside @image and renamed: @image is whole or absent. */
gboolean vm_erofs_image_make (const char *directory, const char *image, GError **error);

/* The image of the layer whose folder is @layer_dir (a layer store's
 * <store>/<id>, its files in fs/): <layer_dir>/layer.erofs, made on first
 * use only. Makers in other threads and processes wait for each other
 * (a lock on the layer's folder), so a layer is converted once. @made
 * (nullable) tells whether this call made it. */
char *vm_layer_image_ensure (const char *layer_dir, gboolean *made, GError **error);

/* The layer folder (<store>/<id>) whose files are @files_dir, when
 * @files_dir is a layer store's <store>/<id>/fs; NULL otherwise. */
char *vm_layer_dir_from_files (const char *files_dir);

/* Makes a sparse ext4 image of @size bytes at @path (which must not
 * exist) for a container's writable layer: root's own, no journal (the
 * scratch dies with the container), the inode tables left for the guest
 * to skip (noinit_itable): nothing is written that the container does not. */
gboolean vm_scratch_image_make (const char *path, guint64 size, GError **error);

/* The same in two halves, for a caller with other work to do meanwhile
 * (starting the VM that will use it): the file is made at its full size
 * and mkfs.ext4 started on it; a QEMU may open it at once (the guest
 * must not read it before vm_scratch_image_finish). Gives the running
 * mkfs (transfer full), or NULL with @error set and no file left. */
GSubprocess *vm_scratch_image_start (const char *path, guint64 size, GError **error);
/* Waits for @mkfs (from vm_scratch_image_start for @path); its failure
 * is an error carrying its output. */
gboolean vm_scratch_image_finish (GSubprocess *mkfs, const char *path, GError **error);

G_END_DECLS
