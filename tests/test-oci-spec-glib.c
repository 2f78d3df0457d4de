/* test-oci-spec-glib.c: BUNDLE/config.json to the helper's spec in a
 * program that links GLib, hcs-json and the translation alone, as hcsctl's
 * front will: the spec's bytes on stdout, or the reason it declines on
 * stderr and exit status 3. test-oci-spec runs it on its corpus and
 * compares with the full path.
 *
 * Usage: test-oci-spec-glib ID BUNDLE
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-json.h"
#include "hcs-runtime-oci-spec.h"

#include <stdio.h>
#include <string.h>

/* config.json's limit on the full path (core/hcs-documents.c). */
#define MAX_CONFIG_LENGTH (4 * 1024 * 1024)

#define EXIT_DECLINED 3

static int
declined (const char *reason)
{
  fprintf (stderr, "%s\n", reason);
  return EXIT_DECLINED;
}

int
main (int argc, char **argv)
{
  g_autofree char *config_path = NULL, *text = NULL, *declined_reason = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsJsonDocument) document = NULL;
  g_autoptr (HcsRuntimeSpec) spec = NULL;
  g_autoptr (GBytes) bytes = NULL;
  const guint8 *data;
  gsize length;

  if (argc != 3)
    {
      fprintf (stderr, "usage: %s ID BUNDLE\n", argv[0]);
      return 2;
    }
  config_path = g_build_filename (argv[2], "config.json", NULL);
  if (!g_file_get_contents (config_path, &text, &length, &error))
    return declined (error->message);
  /* The full path reads the text up to its first NUL. */
  if (strlen (text) != length)
    return declined ("config.json: a NUL byte");
  document = hcs_json_document_parse (text, length, MAX_CONFIG_LENGTH, &error);
  if (document == NULL)
    return declined (error->message);
  spec = hcs_runtime_spec_new_for_oci_config (argv[1], hcs_json_document_get_root (document),
                                              argv[2], &declined_reason);
  if (spec == NULL)
    return declined (declined_reason);
  bytes = hcs_runtime_spec_serialize (spec);
  data = g_bytes_get_data (bytes, &length);
  if (fwrite (data, 1, length, stdout) != length || fflush (stdout) != 0)
    {
      perror ("stdout");
      return 1;
    }
  return 0;
}
