/* hcs-guid.c: name-based GUIDs (RFC 4122 version 5).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-host.h"

#include <string.h>

/* The namespace of every hcs name: a fixed random GUID of our own, so that
 * the same name maps to the same GUID on every client and every host. */
static const guint8 hcs_guid_namespace[16] = {
  0x6f, 0x2c, 0x1b, 0x8e, 0x47, 0xd3, 0x4a, 0x0b,
  0x9c, 0x55, 0xe1, 0x70, 0x3a, 0x9d, 0x26, 0xb4,
};

char *
hcs_name_to_guid (const char *name)
{
  g_autoptr (GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize length = sizeof digest;

  g_return_val_if_fail (name != NULL, NULL);
  g_checksum_update (sha1, hcs_guid_namespace, sizeof hcs_guid_namespace);
  g_checksum_update (sha1, (const guchar *) name, strlen (name));
  g_checksum_get_digest (sha1, digest, &length);

  digest[6] = (digest[6] & 0x0f) | 0x50; /* version 5 */
  digest[8] = (digest[8] & 0x3f) | 0x80; /* RFC 4122 variant */
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          digest[0], digest[1], digest[2], digest[3], digest[4], digest[5],
                          digest[6], digest[7], digest[8], digest[9], digest[10], digest[11],
                          digest[12], digest[13], digest[14], digest[15]);
}
