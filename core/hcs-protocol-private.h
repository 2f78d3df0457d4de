/* hcs-protocol-private.h: what core's protocol files share and export not.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* All of @length bytes to @fd, through EINTR and short writes: the
 * stdio pumps' and the console relay's copy loop. FALSE at the first
 * write that failed or wrote nothing. */
gboolean hcs_protocol_write_all (int fd, const char *data, gsize length);

G_END_DECLS
