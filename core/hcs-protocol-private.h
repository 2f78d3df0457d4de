/* hcs-protocol-private.h: what core's protocol files share and export not.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "hcs-process.h"

G_BEGIN_DECLS

/* All of @length bytes to @fd, through EINTR and short writes: the
 * stdio pumps' and the console relay's copy loop. FALSE at the first
 * write that failed or wrote nothing. */
gboolean hcs_protocol_write_all (int fd, const char *data, gsize length);

/* SetTerminalModes (hcs_protocol_terminal_modes_diff()'s @modes) to the
 * server of @process, a protocol proxy's process (the console relay's):
 * the server applies them to the process's pty. NOT_SUPPORTED for any
 * other process. */
gboolean hcs_protocol_process_set_terminal_modes (HcsProcess *process, JsonNode *modes,
                                                  GError **error);

G_END_DECLS
