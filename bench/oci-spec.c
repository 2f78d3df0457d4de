/* oci-spec.c: a bundle's config.json made into the helper's spec one way
 * or the other, for callgrind to count (bench/oci-spec.sh): spec_once()
 * is the only function it collects.
 *
 *   glib-only: hcs-json, hcs_runtime_spec_new_for_oci_config (the front's)
 *   full-path: json-glib and hcs_container_config_from_json, then
 *              hcs_runtime_spec_new_for_container (argon's)
 *
 * each followed by hcs_runtime_spec_serialize, the bytes the helper reads.
 *
 *   hcs-bench-oci-spec glib-only|full-path BUNDLE [ROUNDS]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs.h"
#include "hcs-json.h"
#include "hcs-runtime-config.h"
#include "hcs-runtime-oci-spec.h"

#include <stdlib.h>

#define MAX_LENGTH (4 * 1024 * 1024)

/* The spec's bytes, or NULL with @reason (declined or refused). */
static G_GNUC_NO_INLINE GBytes *
spec_once (gboolean glib_only, const char *text, gsize length, const char *bundle,
           char **reason)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsRuntimeSpec) spec = NULL;

  if (glib_only)
    {
      g_autoptr (HcsJsonDocument) document = hcs_json_document_parse (text, length, MAX_LENGTH,
                                                                      &error);

      if (document != NULL)
        spec = hcs_runtime_spec_new_for_oci_config ("bench", hcs_json_document_get_root (document),
                                                    bundle, reason);
    }
  else
    {
      g_autoptr (HcsContainerConfig) config = hcs_container_config_from_json (text, bundle,
                                                                              &error);

      if (config != NULL)
        spec = hcs_runtime_spec_new_for_container ("bench", config, "/nonexistent", &error);
    }
  if (error != NULL)
    *reason = g_strdup (error->message);
  return spec ? hcs_runtime_spec_serialize (spec) : NULL;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *config_path = NULL, *text = NULL;
  gboolean glib_only;
  guint rounds;
  gsize length, size = 0;

  if (argc < 3 || (!g_str_equal (argv[1], "glib-only") && !g_str_equal (argv[1], "full-path")))
    {
      g_printerr ("usage: %s glib-only|full-path BUNDLE [ROUNDS]\n", argv[0]);
      return 2;
    }
  glib_only = g_str_equal (argv[1], "glib-only");
  rounds = argc > 3 ? (guint) atoi (argv[3]) : 1;
  config_path = g_build_filename (argv[2], "config.json", NULL);
  if (!g_file_get_contents (config_path, &text, &length, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  for (guint i = 0; i < rounds; i++)
    {
      g_autofree char *reason = NULL;
      g_autoptr (GBytes) spec = spec_once (glib_only, text, length, argv[2], &reason);

      if (spec == NULL)
        {
          g_printerr ("%s: %s\n", config_path, reason);
          return 1;
        }
      size = g_bytes_get_size (spec);
    }
  g_print ("%s: a spec of %" G_GSIZE_FORMAT " bytes, %u rounds\n", argv[1], size, rounds);
  return 0;
}
