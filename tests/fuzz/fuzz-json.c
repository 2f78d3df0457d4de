/* fuzz-json.c: hcs-json, the GLib-only JSON reader, held to json-glib.
 *
 * Any bytes, given without a terminating nul (ASan sees a read past
 * them): never a crash, a hang or a leak. What hcs-json takes, json-glib
 * takes too and prints the same compact text; each member is found by
 * its name; and that text read again prints the same (when it reads at
 * all: json-glib writes 1e22 as "1e+22.0" and U+001F bare).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-json.h"

#include <json-glib/json-glib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_lookups (const HcsJsonNode *node)
{
  HcsJsonType type = hcs_json_node_get_type (node);

  if (type == HCS_JSON_ARRAY)
    for (guint i = 0; i < hcs_json_node_get_length (node); i++)
      check_lookups (hcs_json_array_get_element (node, i));
  else if (type == HCS_JSON_OBJECT)
    for (guint i = 0; i < hcs_json_node_get_length (node); i++)
      {
        g_assert (hcs_json_object_lookup (node, hcs_json_object_get_name (node, i)) ==
                  hcs_json_object_get_value (node, i));
        check_lookups (hcs_json_object_get_value (node, i));
      }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (HcsJsonDocument) document = NULL, again = NULL;
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  g_autofree char *reference = NULL;

  document = hcs_json_document_parse ((const char *) data, size, 1024 * 1024, NULL);
  if (document == NULL)
    return 0;
  check_lookups (hcs_json_document_get_root (document));
  hcs_json_node_append_text (hcs_json_document_get_root (document), text);

  parser = json_parser_new ();
  g_assert (json_parser_load_from_data (parser, (const char *) data, size, NULL));
  g_assert (json_parser_get_root (parser) != NULL);
  reference = json_to_string (json_parser_get_root (parser), FALSE);
  g_assert_cmpstr (text->str, ==, reference);

  again = hcs_json_document_parse (text->str, text->len, G_MAXSIZE, NULL);
  if (again != NULL)
    {
      g_autoptr (GString) text_again = g_string_new (NULL);

      hcs_json_node_append_text (hcs_json_document_get_root (again), text_again);
      g_assert_cmpstr (text_again->str, ==, text->str);
    }
  return 0;
}
