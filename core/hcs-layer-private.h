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
gboolean hcs_layer_write_metadata (const char *dir, const HcsLayerInfo *info, GError **error);

/* Makes <store>/.import-XXXXXX and returns it, with *@lock_fd an open
 * descriptor of it holding an exclusive flock, so garbage collection
 * leaves it alone while its maker lives. */
char *hcs_layer_make_staging (HcsLayerStore *self, const char *id, int *lock_fd, GError **error);
/* Removes a tree without following symlinks or crossing into mounts. */
void hcs_layer_remove_tree (const char *path);

G_END_DECLS
