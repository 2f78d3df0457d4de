/* hcs-image.h: the built-in default root file system.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HCS_DEFAULT_IMAGE_DIR "/var/lib/hcs/images"

/**
 * hcs_image_ensure_default:
 * @images_dir: the folder of built images
 * @busybox_path: (nullable): a static busybox; %NULL: the first of /bin/busybox, /usr/bin/busybox
 * @error: return location for a #GError
 *
 * Returns the path of a minimal root file system built from the host's
 * static busybox (every applet a symlink in /bin, /etc/passwd and
 * /etc/group with root and nobody, the usual empty folders), building it
 * the first time under @images_dir/busybox. Concurrent callers are safe:
 * the tree is built in a temporary folder and renamed into place.
 * @busybox_path NULL: the first of /bin/busybox, /usr/bin/busybox.
 *
 * Returns: (transfer full): the root file system's path, or %NULL on error
 */
char *hcs_image_ensure_default (const char *images_dir, const char *busybox_path,
                                GError **error);

G_END_DECLS
