/* json-parse.c: one document read by hcs-json or by json-glib, for
 * callgrind to count (bench/json-parse.sh): parse_once() is the only
 * function it collects, the first call (json-glib's classes made) apart
 * from the others.
 *
 *   hcs-bench-json-parse hcs-json|json-glib FILE [ROUNDS]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-json.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>

#define MAX_LENGTH (4 * 1024 * 1024)

/* Parsed and freed: what a reader costs for one document. Returns the
 * number of the root's members, for the caller to check. */
static G_GNUC_NO_INLINE guint
parse_once (gboolean hcs, const char *text, gsize length, GError **error)
{
  guint members = 0;

  if (hcs)
    {
      g_autoptr (HcsJsonDocument) document = hcs_json_document_parse (text, length, MAX_LENGTH,
                                                                      error);

      if (document != NULL && hcs_json_node_get_type (hcs_json_document_get_root (document)) ==
                                  HCS_JSON_OBJECT)
        members = hcs_json_node_get_length (hcs_json_document_get_root (document));
    }
  else
    {
      g_autoptr (JsonParser) parser = json_parser_new ();

      if (json_parser_load_from_data (parser, text, length, error) &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        members = json_object_get_size (json_node_get_object (json_parser_get_root (parser)));
    }
  return members;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean hcs;
  guint rounds, members = 0;
  gsize length;

  if (argc < 3 || (!g_str_equal (argv[1], "hcs-json") && !g_str_equal (argv[1], "json-glib")))
    {
      g_printerr ("usage: %s hcs-json|json-glib FILE [ROUNDS]\n", argv[0]);
      return 2;
    }
  hcs = g_str_equal (argv[1], "hcs-json");
  rounds = argc > 3 ? (guint) atoi (argv[3]) : 1;
  if (!g_file_get_contents (argv[2], &text, &length, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  for (guint i = 0; i < rounds; i++)
    {
      members = parse_once (hcs, text, length, &error);
      if (error != NULL)
        {
          g_printerr ("%s: %s\n", argv[2], error->message);
          return 1;
        }
    }
  g_print ("%s: %u members, %u rounds\n", argv[1], members, rounds);
  return 0;
}
