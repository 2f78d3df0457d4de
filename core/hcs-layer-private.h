/* hcs-layer-private.h: what the layer store's files share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs-layer-store.h"

G_BEGIN_DECLS

gboolean hcs_layer_write_metadata (const char *dir, const HcsLayerInfo *info, GError **error);

G_END_DECLS
