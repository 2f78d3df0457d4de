/* hcs-json-glib.c: core/hcs-json.h answered by json-glib, for test-oci-spec
 * until branch json's GLib-only reader is merged (it then replaces this
 * file). json-glib is what the reader is held to, so the types, member
 * order and compact text are the reference ones.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-json.h"

#include <json-glib/json-glib.h>

struct _HcsJsonDocument {
  JsonNode *root;
};

G_DEFINE_QUARK (hcs-json-error-quark, hcs_json_error)

HcsJsonDocument *
hcs_json_document_parse (const char *text, gsize length, gsize max_length, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local_error = NULL;
  HcsJsonDocument *document;

  if (length > max_length)
    {
      g_set_error (error, HCS_JSON_ERROR, HCS_JSON_ERROR_LIMIT, "%" G_GSIZE_FORMAT " bytes, over "
                   "the limit of %" G_GSIZE_FORMAT, length, max_length);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, text, length, &local_error) ||
      json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, HCS_JSON_ERROR, HCS_JSON_ERROR_PARSE, "%s",
                   local_error ? local_error->message : "empty document");
      return NULL;
    }
  document = g_new0 (HcsJsonDocument, 1);
  document->root = json_node_copy (json_parser_get_root (parser));
  return document;
}

void
hcs_json_document_free (HcsJsonDocument *document)
{
  if (document == NULL)
    return;
  json_node_unref (document->root);
  g_free (document);
}

const HcsJsonNode *
hcs_json_document_get_root (const HcsJsonDocument *document)
{
  return (const HcsJsonNode *) document->root;
}

#define NODE(node) ((JsonNode *) (node))

HcsJsonType
hcs_json_node_get_type (const HcsJsonNode *node)
{
  switch (JSON_NODE_TYPE (NODE (node)))
    {
    case JSON_NODE_OBJECT:
      return HCS_JSON_OBJECT;
    case JSON_NODE_ARRAY:
      return HCS_JSON_ARRAY;
    case JSON_NODE_NULL:
      return HCS_JSON_NULL;
    case JSON_NODE_VALUE:
    default:
      break;
    }
  switch (json_node_get_value_type (NODE (node)))
    {
    case G_TYPE_INT64:
      return HCS_JSON_INTEGER;
    case G_TYPE_DOUBLE:
      return HCS_JSON_DOUBLE;
    case G_TYPE_BOOLEAN:
      return HCS_JSON_BOOLEAN;
    default:
      return HCS_JSON_STRING;
    }
}

const char *
hcs_json_type_describe (HcsJsonType type)
{
  static const char *const names[] = { "null", "a boolean", "an integer", "a number",
                                       "a string", "an array", "an object" };

  return type < G_N_ELEMENTS (names) ? names[type] : "?";
}

gboolean
hcs_json_node_get_boolean (const HcsJsonNode *node)
{
  return json_node_get_boolean (NODE (node));
}

gint64
hcs_json_node_get_integer (const HcsJsonNode *node)
{
  return json_node_get_int (NODE (node));
}

double
hcs_json_node_get_double (const HcsJsonNode *node)
{
  return json_node_get_double (NODE (node));
}

const char *
hcs_json_node_get_string (const HcsJsonNode *node)
{
  return json_node_get_string (NODE (node));
}

guint
hcs_json_node_get_length (const HcsJsonNode *node)
{
  if (JSON_NODE_HOLDS_ARRAY (NODE (node)))
    return json_array_get_length (json_node_get_array (NODE (node)));
  return json_object_get_size (json_node_get_object (NODE (node)));
}

const HcsJsonNode *
hcs_json_array_get_element (const HcsJsonNode *array, guint index)
{
  return (const HcsJsonNode *) json_array_get_element (json_node_get_array (NODE (array)), index);
}

const char *
hcs_json_object_get_name (const HcsJsonNode *object, guint index)
{
  g_autoptr (GList) members = json_object_get_members (json_node_get_object (NODE (object)));

  return g_list_nth_data (members, index);
}

const HcsJsonNode *
hcs_json_object_get_value (const HcsJsonNode *object, guint index)
{
  return hcs_json_object_lookup (object, hcs_json_object_get_name (object, index));
}

const HcsJsonNode *
hcs_json_object_lookup (const HcsJsonNode *object, const char *name)
{
  return (const HcsJsonNode *) json_object_get_member (json_node_get_object (NODE (object)),
                                                       name);
}

void
hcs_json_node_append_text (const HcsJsonNode *node, GString *out)
{
  g_autofree char *text = json_to_string (NODE (node), FALSE);

  g_string_append (out, text);
}
