/* test-json.c: hcs-json, the GLib-only JSON reader, held to json-glib (the
 * reader of the full path) on every document both accept: the same tree,
 * the same compact text. Its refusals are pinned with their messages.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-json.h"

#include <json-glib/json-glib.h>
#include <locale.h>
#include <math.h>
#include <string.h>

/* The callers' limit in this test, the full path's document limit. */
#define TEST_MAX_LENGTH (4 * 1024 * 1024)

static HcsJsonDocument *
parse (const char *text, GError **error)
{
  return hcs_json_document_parse (text, strlen (text), TEST_MAX_LENGTH, error);
}

static HcsJsonDocument *
parse_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  HcsJsonDocument *document = parse (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (document);
  return document;
}

static char *
compact_text (const HcsJsonNode *node)
{
  GString *out = g_string_new (NULL);

  hcs_json_node_append_text (node, out);
  return g_string_free (out, FALSE);
}

/* Pretty, as hcsctl prints runc's state (indent 2). */
static char *
pretty_text (const HcsJsonNode *node)
{
  GString *out = g_string_new (NULL);

  hcs_json_node_append_pretty (node, 0, out);
  return g_string_free (out, FALSE);
}

static char *
reference_pretty (JsonNode *node)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  return json_generator_to_data (generator, NULL);
}

static JsonNode *
reference_parse (const char *text, gssize length, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, text, length, error))
    return NULL;
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE, "no value");
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

static gboolean
same_double (double a, double b)
{
  return memcmp (&a, &b, sizeof a) == 0;
}

/* json-glib's tree and hcs-json's, the same at every node: types, values
 * (doubles to the bit), members in order, lookups. */
static void
assert_same_tree (JsonNode *reference, const HcsJsonNode *node, const char *path)
{
  HcsJsonType type = hcs_json_node_get_type (node);

  switch (json_node_get_node_type (reference))
    {
    case JSON_NODE_NULL:
      if (type != HCS_JSON_NULL)
        g_error ("%s: null in json-glib, %s here", path, hcs_json_type_describe (type));
      break;
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (reference))
        {
        case G_TYPE_INT64:
          if (type != HCS_JSON_INTEGER)
            g_error ("%s: an integer in json-glib, %s here", path, hcs_json_type_describe (type));
          g_assert_cmpint (json_node_get_int (reference), ==, hcs_json_node_get_integer (node));
          break;
        case G_TYPE_DOUBLE:
          if (type != HCS_JSON_DOUBLE)
            g_error ("%s: a double in json-glib, %s here", path, hcs_json_type_describe (type));
          if (!same_double (json_node_get_double (reference), hcs_json_node_get_double (node)))
            g_error ("%s: %.17g in json-glib, %.17g here", path, json_node_get_double (reference),
                     hcs_json_node_get_double (node));
          break;
        case G_TYPE_BOOLEAN:
          g_assert_cmpint (type, ==, HCS_JSON_BOOLEAN);
          g_assert_cmpint (json_node_get_boolean (reference), ==, hcs_json_node_get_boolean (node));
          break;
        case G_TYPE_STRING:
          if (type != HCS_JSON_STRING)
            g_error ("%s: a string in json-glib, %s here", path, hcs_json_type_describe (type));
          g_assert_cmpstr (json_node_get_string (reference), ==, hcs_json_node_get_string (node));
          break;
        default:
          g_assert_not_reached ();
        }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (reference);

        g_assert_cmpint (type, ==, HCS_JSON_ARRAY);
        g_assert_cmpuint (json_array_get_length (array), ==, hcs_json_node_get_length (node));
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            g_autofree char *element_path = g_strdup_printf ("%s[%u]", path, i);

            assert_same_tree (json_array_get_element (array, i),
                              hcs_json_array_get_element (node, i), element_path);
          }
        break;
      }
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (reference);
        g_autoptr (GList) names = json_object_get_members (object);
        guint index = 0;

        g_assert_cmpint (type, ==, HCS_JSON_OBJECT);
        g_assert_cmpuint (json_object_get_size (object), ==, hcs_json_node_get_length (node));
        for (GList *l = names; l != NULL; l = l->next, index++)
          {
            g_autofree char *member_path = g_strdup_printf ("%s.%s", path, (char *) l->data);

            g_assert_cmpstr (l->data, ==, hcs_json_object_get_name (node, index));
            g_assert_true (hcs_json_object_lookup (node, l->data) ==
                           hcs_json_object_get_value (node, index));
            assert_same_tree (json_object_get_member (object, l->data),
                              hcs_json_object_get_value (node, index), member_path);
          }
        g_assert_null (hcs_json_object_lookup (node, "no member has this name"));
        break;
      }
    }
}

/* Both readers on @text: both refuse it, or hcs-json refuses what
 * json-glib's laxer reader takes when @lax_ok, or both accept it and agree
 * on the tree and on the compact text. Returns whether hcs-json took it. */
static gboolean
compare_readers (const char *text, gsize length, gboolean lax_ok, const char *what)
{
  g_autoptr (GError) error = NULL, reference_error = NULL;
  g_autoptr (HcsJsonDocument) document = NULL;
  g_autoptr (JsonNode) reference = NULL;
  g_autofree char *ours = NULL, *theirs = NULL;

  document = hcs_json_document_parse (text, length, G_MAXSIZE, &error);
  reference = reference_parse (text, length, &reference_error);
  if (document == NULL)
    {
      if (reference != NULL && !lax_ok)
        g_error ("%s: json-glib takes it, hcs-json says %s", what, error->message);
      return FALSE;
    }
  if (reference == NULL)
    g_error ("%s: hcs-json takes it, json-glib says %s", what, reference_error->message);
  assert_same_tree (reference, hcs_json_document_get_root (document), what);
  ours = compact_text (hcs_json_document_get_root (document));
  theirs = json_to_string (reference, FALSE);
  if (!g_str_equal (ours, theirs))
    g_error ("%s: compact text differs:\n  json-glib %s\n  hcs-json  %s", what, theirs, ours);
  g_free (ours);
  g_free (theirs);
  ours = pretty_text (hcs_json_document_get_root (document));
  theirs = reference_pretty (reference);
  if (!g_str_equal (ours, theirs))
    g_error ("%s: pretty text differs:\n  json-glib %s\n  hcs-json  %s", what, theirs, ours);
  return TRUE;
}

static void
test_values (void)
{
  g_autoptr (HcsJsonDocument) document = parse_ok (
      " {\"n\": null, \"t\": true, \"f\": false, \"i\": -42, \"d\": 2.5, \"s\": \"x\", "
      "\"a\": [1, \"two\", [3]], \"o\": {\"k\": {}}, \"e\": [], \"empty\": \"\"}\n");
  const HcsJsonNode *root = hcs_json_document_get_root (document), *member;

  g_assert_cmpint (hcs_json_node_get_type (root), ==, HCS_JSON_OBJECT);
  g_assert_cmpuint (hcs_json_node_get_length (root), ==, 10);
  g_assert_cmpint (hcs_json_node_get_type (hcs_json_object_lookup (root, "n")), ==, HCS_JSON_NULL);
  g_assert_true (hcs_json_node_get_boolean (hcs_json_object_lookup (root, "t")));
  g_assert_false (hcs_json_node_get_boolean (hcs_json_object_lookup (root, "f")));
  g_assert_cmpint (hcs_json_node_get_integer (hcs_json_object_lookup (root, "i")), ==, -42);
  g_assert_cmpfloat (hcs_json_node_get_double (hcs_json_object_lookup (root, "i")), ==, -42.0);
  g_assert_cmpfloat (hcs_json_node_get_double (hcs_json_object_lookup (root, "d")), ==, 2.5);
  g_assert_cmpstr (hcs_json_node_get_string (hcs_json_object_lookup (root, "s")), ==, "x");
  g_assert_cmpstr (hcs_json_node_get_string (hcs_json_object_lookup (root, "empty")), ==, "");
  member = hcs_json_object_lookup (root, "a");
  g_assert_cmpuint (hcs_json_node_get_length (member), ==, 3);
  g_assert_cmpint (hcs_json_node_get_integer (hcs_json_array_get_element (member, 0)), ==, 1);
  g_assert_cmpstr (hcs_json_node_get_string (hcs_json_array_get_element (member, 1)), ==, "two");
  g_assert_cmpuint (hcs_json_node_get_length (hcs_json_array_get_element (member, 2)), ==, 1);
  member = hcs_json_object_lookup (root, "o");
  g_assert_cmpstr (hcs_json_object_get_name (member, 0), ==, "k");
  g_assert_cmpuint (hcs_json_node_get_length (hcs_json_object_get_value (member, 0)), ==, 0);
  g_assert_cmpuint (hcs_json_node_get_length (hcs_json_object_lookup (root, "e")), ==, 0);
  g_assert_null (hcs_json_object_lookup (root, "N"));
  g_assert_cmpstr (hcs_json_object_get_name (root, 9), ==, "empty");

  /* Any value at the top, as json-glib takes it. */
  for (guint i = 0; i < 5; i++)
    {
      const char *texts[] = { "null", "true", "7", "\"s\"", "[]" };
      const HcsJsonType types[] = { HCS_JSON_NULL, HCS_JSON_BOOLEAN, HCS_JSON_INTEGER,
                                    HCS_JSON_STRING, HCS_JSON_ARRAY };
      g_autoptr (HcsJsonDocument) scalar = parse_ok (texts[i]);

      g_assert_cmpint (hcs_json_node_get_type (hcs_json_document_get_root (scalar)), ==, types[i]);
      compare_readers (texts[i], strlen (texts[i]), FALSE, texts[i]);
    }

  g_assert_cmpstr (hcs_json_type_describe (HCS_JSON_NULL), ==, "null");
  g_assert_cmpstr (hcs_json_type_describe (HCS_JSON_DOUBLE), ==, "a number");
  g_assert_cmpstr (hcs_json_type_describe (HCS_JSON_OBJECT), ==, "an object");
}

/* The text need not be nul-terminated: only @length bytes are read. */
static void
test_length (void)
{
  const char *text = "[1,2]garbage";
  g_autoptr (HcsJsonDocument) document = hcs_json_document_parse (text, 5, 5, NULL);
  g_autoptr (HcsJsonDocument) number = NULL;
  g_autofree char *exact = g_memdup2 ("12345", 3);
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (document);
  g_assert_cmpuint (hcs_json_node_get_length (hcs_json_document_get_root (document)), ==, 2);
  /* A number running to the last byte (valgrind sees a read past it). */
  number = hcs_json_document_parse (exact, 3, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hcs_json_node_get_integer (hcs_json_document_get_root (number)), ==, 123);
  g_clear_pointer (&number, hcs_json_document_free);
  memcpy (exact, "1.5", 3);
  number = hcs_json_document_parse (exact, 3, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (hcs_json_node_get_double (hcs_json_document_get_root (number)), ==, 1.5);
}

static void
test_nesting (void)
{
  const char *text = "{\"a\": [{\"b\": [[], {}, [[\"deep\"]]]}], \"c\": {\"d\": {\"e\": 1}}}";
  g_autoptr (HcsJsonDocument) document = parse_ok (text);
  const HcsJsonNode *node = hcs_json_document_get_root (document);

  node = hcs_json_object_lookup (node, "a");
  node = hcs_json_array_get_element (node, 0);
  node = hcs_json_object_lookup (node, "b");
  node = hcs_json_array_get_element (node, 2);
  node = hcs_json_array_get_element (hcs_json_array_get_element (node, 0), 0);
  g_assert_cmpstr (hcs_json_node_get_string (node), ==, "deep");
  compare_readers (text, strlen (text), FALSE, "nesting");
}

/* A name given again: its last value at its first place, as json-glib's
 * JsonObject has it, in a small object and in one past the linear scan. */
static void
test_repeated_names (void)
{
  g_autoptr (HcsJsonDocument) document = parse_ok ("{\"a\":1,\"b\":2,\"a\":3,\"b\":{},\"c\":4}");
  const HcsJsonNode *root = hcs_json_document_get_root (document);
  g_autofree char *text = compact_text (root);
  g_autoptr (GString) big = g_string_new ("{");

  g_assert_cmpstr (text, ==, "{\"a\":3,\"b\":{},\"c\":4}");
  g_assert_cmpint (hcs_json_node_get_integer (hcs_json_object_lookup (root, "a")), ==, 3);

  for (guint i = 0; i < 100; i++)
    g_string_append_printf (big, "%s\"m%u\":%u", i ? "," : "", (i * 7) % 40, i);
  g_string_append_c (big, '}');
  g_assert_true (compare_readers (big->str, big->len, FALSE, "repeated names, big"));
}

/* Escapes decoded, and the compact text escaped as json-glib escapes it. */
static void
test_escapes (void)
{
  const struct
  {
    const char *json;
    const char *value;
    const char *compact;
  } cases[] = {
    { "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", "\"\\\"\\\\/\\b\\f\\n\\r\\t\"" },
    { "\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac", "\"A\xc3\xa9\xe2\x82\xac\"" },
    /* A surrogate pair is one character. */
    { "\"\\uD83D\\uDE00\"", "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" },
    { "\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"" },
    /* json-glib's quirks: U+001F goes out bare, U+007F escaped. */
    { "\"\\u0001\\u001e\\u001f\\u007f\"", "\x01\x1e\x1f\x7f", "\"\\u0001\\u001e\x1f\\u007f\"" },
    { "\"\x7f\"", "\x7f", "\"\\u007f\"" },
    { "\"\\u000b\\u0010\"", "\v\x10", "\"\\u000b\\u0010\"" },
    { "\"plain \xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80\"", "plain \xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80",
      "\"plain \xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80\"" },
    { "\"a\\u0020b\\\\\"", "a b\\", "\"a b\\\\\"" },
    { "\"\\uFFFF\\uFEFF\"", "\xef\xbf\xbf\xef\xbb\xbf", "\"\xef\xbf\xbf\xef\xbb\xbf\"" },
    /* Noncharacters are UTF-8 all the same. */
    { "\"\xef\xbf\xbe\xf4\x8f\xbf\xbf\xef\xb7\x90\"", "\xef\xbf\xbe\xf4\x8f\xbf\xbf\xef\xb7\x90",
      "\"\xef\xbf\xbe\xf4\x8f\xbf\xbf\xef\xb7\x90\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (HcsJsonDocument) document = parse_ok (cases[i].json);
      g_autofree char *compact = compact_text (hcs_json_document_get_root (document));
      g_autofree char *member = g_strdup_printf ("{%s:%s}", cases[i].json, cases[i].json);

      g_assert_cmpstr (hcs_json_node_get_string (hcs_json_document_get_root (document)), ==,
                       cases[i].value);
      g_assert_cmpstr (compact, ==, cases[i].compact);
      compare_readers (cases[i].json, strlen (cases[i].json), FALSE, cases[i].json);
      /* The same as a member's name. */
      compare_readers (member, strlen (member), FALSE, member);
    }
}

/* Typed, valued and printed as json-glib does, whatever the number. */
static void
test_numbers (void)
{
  const char *numbers[] = {
    "0", "-0", "1", "-1", "42", "9223372036854775807", "-9223372036854775807",
    /* Past gint64: json-glib keeps the 64 bits, and G_MAXUINT64 for more. */
    "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
    "18446744073709551615", "18446744073709551616", "-18446744073709551615",
    "99999999999999999999999999999999", "-99999999999999999999999999999999",
    "0.0", "-0.0", "1.0", "1.5", "-1.5", "0.1", "1e2", "1E2", "1e+2", "1e-2", "-1e-2", "1e0",
    "0e0", "-0e-0", "1e22", "1e21", "1e300", "1e400", "-1e400", "1e-400", "5e-324",
    "2.2250738585072014e-308", "1.7976931348623157e308", "1.7976931348623159e308",
    "123456789.123456789", "3.14159265358979323846264338327950288", "1.0000000000000002",
    "9007199254740993.0", "0.30000000000000004", "4.35", "1234567890123456789012345.5e-10",
    "100000000000000000000000000000000000000000000000000000000000000000000000000000.0",
    "0.00000000000000000000000000000000000000000000000000000000000000000000000000001",
  };

  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      g_autofree char *in_array = g_strdup_printf ("[%s, -%s]", numbers[i],
                                                   numbers[i][0] == '-' ? "1" : numbers[i]);

      g_assert_true (compare_readers (numbers[i], strlen (numbers[i]), FALSE, numbers[i]));
      g_assert_true (compare_readers (in_array, strlen (in_array), FALSE, in_array));
    }
  {
    g_autoptr (HcsJsonDocument) document = parse_ok ("[18446744073709551615, -0, 1e2, -0.0]");
    const HcsJsonNode *root = hcs_json_document_get_root (document);
    g_autofree char *text = compact_text (root);

    /* RLIM_INFINITY as the full path reads it. */
    g_assert_cmpint (hcs_json_node_get_integer (hcs_json_array_get_element (root, 0)), ==, -1);
    g_assert_cmpint (hcs_json_node_get_type (hcs_json_array_get_element (root, 1)), ==,
                     HCS_JSON_INTEGER);
    g_assert_cmpint (hcs_json_node_get_type (hcs_json_array_get_element (root, 2)), ==,
                     HCS_JSON_DOUBLE);
    g_assert_true (signbit (hcs_json_node_get_double (hcs_json_array_get_element (root, 3))));
    g_assert_cmpstr (text, ==, "[-1,0,100.0,-0.0]");
  }
}

/* Under another LC_NUMERIC the doubles read and print the same. */
static void
test_numbers_locale (void)
{
  if (setlocale (LC_NUMERIC, "de_DE.UTF-8") == NULL && setlocale (LC_NUMERIC, "fr_FR.UTF-8") == NULL)
    {
      g_test_skip ("no locale with a decimal comma");
      return;
    }
  {
    g_autoptr (HcsJsonDocument) document = parse_ok ("[1.5, 2e-3]");
    g_autofree char *text = compact_text (hcs_json_document_get_root (document));

    g_assert_cmpstr (text, ==, "[1.5,0.002]");
  }
  setlocale (LC_NUMERIC, "C");
}

static void
test_errors (void)
{
  const struct
  {
    const char *text;
    gssize length; /* -1: strlen */
    HcsJsonError code;
    const char *message;
  } cases[] = {
    { "", -1, HCS_JSON_ERROR_PARSE, "1:1: the text holds no value" },
    { "  \n\t ", -1, HCS_JSON_ERROR_PARSE, "2:3: the text holds no value" },
    /* Truncated. */
    { "[1, 2", -1, HCS_JSON_ERROR_PARSE,
      "1:6: expected ',' or ']' after an array element, got the end of the text" },
    { "{\"a\": ", -1, HCS_JSON_ERROR_PARSE, "1:7: expected a value, got the end of the text" },
    { "{\"a\"", -1, HCS_JSON_ERROR_PARSE,
      "1:5: expected ':' after a member's name, got the end of the text" },
    { "{", -1, HCS_JSON_ERROR_PARSE,
      "1:2: expected a member's name (a string), got the end of the text" },
    { "[\"abc", -1, HCS_JSON_ERROR_PARSE, "1:2: the text ends inside this string" },
    { "\"ab\\", -1, HCS_JSON_ERROR_PARSE, "1:4: the text ends inside an escape" },
    { "tru", -1, HCS_JSON_ERROR_PARSE, "1:1: 'tru' is not a JSON value" },
    { "-", -1, HCS_JSON_ERROR_PARSE, "1:2: expected a digit after '-', got the end of the text" },
    /* Trailing commas. */
    { "[1,2,]", -1, HCS_JSON_ERROR_PARSE, "1:5: a trailing comma before ']'" },
    { "{\"a\":1 , }", -1, HCS_JSON_ERROR_PARSE, "1:8: a trailing comma before '}'" },
    { "[,]", -1, HCS_JSON_ERROR_PARSE, "1:2: expected a value, got ','" },
    /* Comments. */
    { "// a comment\n{}", -1, HCS_JSON_ERROR_PARSE, "1:1: comments are not JSON" },
    { "{\"a\": /* one */ 1}", -1, HCS_JSON_ERROR_PARSE, "1:7: comments are not JSON" },
    { "{} # more", -1, HCS_JSON_ERROR_PARSE, "1:4: '#' after the value" },
    /* What JavaScript has and JSON not. */
    { "NaN", -1, HCS_JSON_ERROR_PARSE, "1:1: 'NaN' is not a JSON value" },
    { "[Infinity]", -1, HCS_JSON_ERROR_PARSE, "1:2: 'Infinity' is not a JSON value" },
    { "-Infinity", -1, HCS_JSON_ERROR_PARSE, "1:2: expected a digit after '-', got 'I'" },
    { "{a: 1}", -1, HCS_JSON_ERROR_PARSE, "1:2: expected a member's name (a string), got 'a'" },
    { "['a']", -1, HCS_JSON_ERROR_PARSE, "1:2: expected a value, got '''" },
    { "var a = 1", -1, HCS_JSON_ERROR_PARSE, "1:1: 'var' is not a JSON value" },
    { "0x10", -1, HCS_JSON_ERROR_PARSE, "1:2: 'x' after the value" },
    /* Numbers. */
    { "01", -1, HCS_JSON_ERROR_PARSE, "1:1: a number may not start with a 0 followed by digits" },
    { "[-012]", -1, HCS_JSON_ERROR_PARSE,
      "1:2: a number may not start with a 0 followed by digits" },
    { "1.", -1, HCS_JSON_ERROR_PARSE, "1:3: expected a digit after '.', got the end of the text" },
    { "[.5]", -1, HCS_JSON_ERROR_PARSE, "1:2: expected a value, got '.'" },
    { "1.e5", -1, HCS_JSON_ERROR_PARSE, "1:3: expected a digit after '.', got 'e'" },
    { "1e", -1, HCS_JSON_ERROR_PARSE,
      "1:3: expected a digit in the exponent, got the end of the text" },
    { "[1e+]", -1, HCS_JSON_ERROR_PARSE, "1:5: expected a digit in the exponent, got ']'" },
    { "+1", -1, HCS_JSON_ERROR_PARSE, "1:1: expected a value, got '+'" },
    { "- 1", -1, HCS_JSON_ERROR_PARSE, "1:2: expected a digit after '-', got ' '" },
    { "1.5.3", -1, HCS_JSON_ERROR_PARSE, "1:4: '.' after the value" },
    /* Escapes. */
    { "\"\\x\"", -1, HCS_JSON_ERROR_PARSE, "1:2: a backslash followed by 'x' is not an escape" },
    { "\"\\'\"", -1, HCS_JSON_ERROR_PARSE, "1:2: a backslash followed by ''' is not an escape" },
    { "\"\\012\"", -1, HCS_JSON_ERROR_PARSE,
      "1:2: a backslash followed by '0' is not an escape" },
    { "\"\\u12\"", -1, HCS_JSON_ERROR_PARSE, "1:2: \\u must be followed by four hex digits" },
    { "\"\\u12G4\"", -1, HCS_JSON_ERROR_PARSE, "1:2: \\u must be followed by four hex digits" },
    { "\"\\U0041\"", -1, HCS_JSON_ERROR_PARSE,
      "1:2: a backslash followed by 'U' is not an escape" },
    { "[\"ok\", \"a\\u0000b\"]", -1, HCS_JSON_ERROR_PARSE,
      "1:10: \\u0000 is not allowed in a string" },
    { "\"\\uD800\"", -1, HCS_JSON_ERROR_PARSE,
      "1:2: \\uD800 is a high surrogate without a low one after it" },
    { "\"\\ud800\\u0041\"", -1, HCS_JSON_ERROR_PARSE,
      "1:2: \\uD800 is a high surrogate without a low one after it" },
    { "\"\\uDBFF\\uDBFF\"", -1, HCS_JSON_ERROR_PARSE,
      "1:2: \\uDBFF is a high surrogate without a low one after it" },
    { "\"\\uDC00\\uD800\"", -1, HCS_JSON_ERROR_PARSE,
      "1:2: \\uDC00 is a low surrogate without a high one before it" },
    { "\"x\\uD83Dy\"", -1, HCS_JSON_ERROR_PARSE,
      "1:3: \\uD83D is a high surrogate without a low one after it" },
    /* Not UTF-8, in a string and outside. */
    { "\"\xff\"", -1, HCS_JSON_ERROR_PARSE, "1:2: the byte 0xFF in a string is not UTF-8" },
    { "[\"\xc3\xa9\", \"\xc0\xaf\"]", -1, HCS_JSON_ERROR_PARSE,
      "1:8: the byte 0xC0 in a string is not UTF-8" },
    { "\"\xed\xa0\x80\"", -1, HCS_JSON_ERROR_PARSE, "1:2: the byte 0xED in a string is not UTF-8" },
    { "\"\xf4\x90\x80\x80\"", -1, HCS_JSON_ERROR_PARSE,
      "1:2: the byte 0xF4 in a string is not UTF-8" },
    { "\"\xe2\x82\"", -1, HCS_JSON_ERROR_PARSE, "1:2: the byte 0xE2 in a string is not UTF-8" },
    { "\"\xe2\x82", -1, HCS_JSON_ERROR_PARSE, "1:2: the byte 0xE2 in a string is not UTF-8" },
    { "\x80", -1, HCS_JSON_ERROR_PARSE, "1:1: expected a value, got the byte 0x80 (not UTF-8)" },
    { "[1]\xfe", -1, HCS_JSON_ERROR_PARSE, "1:4: the byte 0xFE (not UTF-8) after the value" },
    { "\xc3\xa9", -1, HCS_JSON_ERROR_PARSE, "1:1: expected a value, got the character U+00E9" },
    { "\xef\xbb\xbf\xef\xbb\xbf{}", -1, HCS_JSON_ERROR_PARSE,
      "1:1: expected a value, got the character U+FEFF" },
    /* Control characters. */
    { "\"a\tb\"", -1, HCS_JSON_ERROR_PARSE,
      "1:3: the control character U+0009 in a string must be escaped" },
    { "{\n  \"a\": \"line\nbreak\"\n}", -1, HCS_JSON_ERROR_PARSE,
      "2:13: the control character U+000A in a string must be escaped" },
    { "\"\x1f\"", -1, HCS_JSON_ERROR_PARSE,
      "1:2: the control character U+001F in a string must be escaped" },
    { "[\0]", 3, HCS_JSON_ERROR_PARSE, "1:2: expected a value, got the control character U+0000" },
    { "\"a\0b\"", 5, HCS_JSON_ERROR_PARSE,
      "1:3: the control character U+0000 in a string must be escaped" },
    { "[1]\0", 4, HCS_JSON_ERROR_PARSE, "1:4: the control character U+0000 after the value" },
    { "[1,\f2]", -1, HCS_JSON_ERROR_PARSE,
      "1:4: expected a value, got the control character U+000C" },
    /* Trailing garbage. */
    { "{} x", -1, HCS_JSON_ERROR_PARSE, "1:4: 'x' after the value" },
    { "1 2", -1, HCS_JSON_ERROR_PARSE, "1:3: '2' after the value" },
    { "[] []", -1, HCS_JSON_ERROR_PARSE, "1:4: '[' after the value" },
    { "{}}", -1, HCS_JSON_ERROR_PARSE, "1:3: '}' after the value" },
    { "truex", -1, HCS_JSON_ERROR_PARSE, "1:1: 'truex' is not a JSON value" },
    { "nullnullnullnullnullnullnullnullnullnull", -1, HCS_JSON_ERROR_PARSE,
      "1:1: 'nullnullnullnullnullnullnullnull' is not a JSON value" },
    /* Structure. */
    { "[1 2]", -1, HCS_JSON_ERROR_PARSE,
      "1:4: expected ',' or ']' after an array element, got '2'" },
    { "{\"a\" 1}", -1, HCS_JSON_ERROR_PARSE, "1:6: expected ':' after a member's name, got '1'" },
    { "{\"a\":1 \"b\":2}", -1, HCS_JSON_ERROR_PARSE,
      "1:8: expected ',' or '}' after an object member, got '\"'" },
    { "[}", -1, HCS_JSON_ERROR_PARSE, "1:2: expected a value, got '}'" },
    { "{]", -1, HCS_JSON_ERROR_PARSE, "1:2: expected a member's name (a string), got ']'" },
    /* Columns count characters, lines newlines. */
    { "[\"\xc3\xa9\xe2\x82\xac\", x]", -1, HCS_JSON_ERROR_PARSE, "1:8: 'x' is not a JSON value" },
    { "{\r\n  \"a\": tru\n}", -1, HCS_JSON_ERROR_PARSE, "2:8: 'tru' is not a JSON value" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize length = cases[i].length < 0 ? strlen (cases[i].text) : (gsize) cases[i].length;
      g_autoptr (GError) error = NULL;
      g_autoptr (HcsJsonDocument) document =
          hcs_json_document_parse (cases[i].text, length, TEST_MAX_LENGTH, &error);

      g_assert_null (document);
      g_assert_error (error, HCS_JSON_ERROR, (int) cases[i].code);
      if (!g_str_equal (error->message, cases[i].message))
        g_error ("case %u: expected '%s', got '%s'", i, cases[i].message, error->message);
      /* Never one json-glib reads differently from us: at most one it
       * reads and we refuse. */
      compare_readers (cases[i].text, length, TRUE, cases[i].message);
    }
}

static char *
nested (guint depth, const char *open, const char *inner, const char *close)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append (text, open);
  g_string_append (text, inner);
  for (guint i = 0; i < depth; i++)
    g_string_append (text, close);
  return g_string_free (text, FALSE);
}

static void
test_limits (void)
{
  g_autofree char *deepest = nested (HCS_JSON_MAX_DEPTH, "[", "1", "]");
  g_autofree char *too_deep = nested (HCS_JSON_MAX_DEPTH + 1, "[", "1", "]");
  g_autofree char *objects = nested (HCS_JSON_MAX_DEPTH, "{\"a\":", "{}", "}");
  g_autofree char *mixed = nested (HCS_JSON_MAX_DEPTH / 2 + 1, "{\"a\":[", "", "]}");
  g_autoptr (HcsJsonDocument) document = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  document = parse_ok (deepest);
  text = compact_text (hcs_json_document_get_root (document));
  g_assert_cmpstr (text, ==, deepest);
  compare_readers (deepest, strlen (deepest), FALSE, "depth 256");
  g_clear_pointer (&document, hcs_json_document_free);

  document = parse (too_deep, &error);
  g_assert_null (document);
  g_assert_error (error, HCS_JSON_ERROR, HCS_JSON_ERROR_LIMIT);
  g_assert_cmpstr (error->message, ==, "1:257: arrays and objects nested deeper than 256");
  g_clear_error (&error);

  document = parse (objects, &error);
  g_assert_null (document);
  g_assert_error (error, HCS_JSON_ERROR, HCS_JSON_ERROR_LIMIT);
  g_clear_error (&error);
  document = parse (mixed, &error);
  g_assert_null (document);
  g_assert_error (error, HCS_JSON_ERROR, HCS_JSON_ERROR_LIMIT);
  g_assert_cmpstr (error->message, ==, "1:769: arrays and objects nested deeper than 256");
  g_clear_error (&error);

  /* Over the caller's length, refused before a byte is read. */
  document = hcs_json_document_parse ("[1, 2, 3]", 9, 8, &error);
  g_assert_null (document);
  g_assert_error (error, HCS_JSON_ERROR, HCS_JSON_ERROR_LIMIT);
  g_assert_cmpstr (error->message, ==, "the text is 9 bytes, over the limit of 8");
  g_clear_error (&error);
  document = hcs_json_document_parse ("\xff", 1, 0, &error);
  g_assert_error (error, HCS_JSON_ERROR, HCS_JSON_ERROR_LIMIT);
  g_clear_error (&error);
  document = hcs_json_document_parse ("{}", 2, 2, &error);
  g_assert_no_error (error);
  g_assert_nonnull (document);
}

/* What a hostile bundle could hold: refused cleanly, or read in time. */
static void
test_hostile (void)
{
  const gsize ten_mb = 10 * 1024 * 1024;
  g_autofree char *brackets = g_malloc (ten_mb);
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (HcsJsonDocument) document = NULL;
  g_autoptr (GError) error = NULL;
  const HcsJsonNode *root;

  /* 10 MB of '[': the limit on nesting stops it at once. */
  memset (brackets, '[', ten_mb);
  document = hcs_json_document_parse (brackets, ten_mb, ten_mb, &error);
  g_assert_null (document);
  g_assert_error (error, HCS_JSON_ERROR, HCS_JSON_ERROR_LIMIT);
  g_assert_cmpstr (error->message, ==, "1:257: arrays and objects nested deeper than 256");
  g_clear_error (&error);
  document = hcs_json_document_parse (brackets, ten_mb, TEST_MAX_LENGTH, &error);
  g_assert_error (error, HCS_JSON_ERROR, HCS_JSON_ERROR_LIMIT);
  g_assert_true (g_str_has_prefix (error->message, "the text is 10485760 bytes"));
  g_clear_error (&error);
  /* And of '{"a":[': the same. */
  for (gsize i = 0; i + 6 <= ten_mb; i += 6)
    memcpy (brackets + i, "{\"a\":[", 6);
  document = hcs_json_document_parse (brackets, ten_mb - ten_mb % 6, ten_mb, &error);
  g_assert_error (error, HCS_JSON_ERROR, HCS_JSON_ERROR_LIMIT);
  g_clear_error (&error);

  /* A 3 MB string, plain and then with escapes all along. */
  g_string_append_c (text, '"');
  for (guint i = 0; i < 3 * 1024 * 1024 / 8; i++)
    g_string_append (text, "abcd\xc3\xa9xy");
  g_string_append_c (text, '"');
  document = parse_ok (text->str);
  root = hcs_json_document_get_root (document);
  g_assert_cmpuint (strlen (hcs_json_node_get_string (root)), ==, text->len - 2);
  g_clear_pointer (&document, hcs_json_document_free);
  g_string_assign (text, "\"");
  for (guint i = 0; i < 3 * 1024 * 1024 / 12; i++)
    g_string_append (text, "\\n\\u00e9\\\"x");
  g_string_append_c (text, '"');
  document = parse_ok (text->str);
  root = hcs_json_document_get_root (document);
  g_assert_cmpuint (strlen (hcs_json_node_get_string (root)), ==, 3 * 1024 * 1024 / 12 * 5);
  g_clear_pointer (&document, hcs_json_document_free);

  /* 100000 members, each found by name; and 100000 of one name. */
  g_string_assign (text, "{");
  for (guint i = 0; i < 100000; i++)
    g_string_append_printf (text, "%s\"member%u\":%u", i ? "," : "", i, i);
  g_string_append_c (text, '}');
  document = parse_ok (text->str);
  root = hcs_json_document_get_root (document);
  g_assert_cmpuint (hcs_json_node_get_length (root), ==, 100000);
  for (guint i = 0; i < 100000; i += 7)
    {
      char name[32];

      g_snprintf (name, sizeof name, "member%u", i);
      g_assert_cmpint (hcs_json_node_get_integer (hcs_json_object_lookup (root, name)), ==, i);
    }
  g_assert_null (hcs_json_object_lookup (root, "member100000"));
  g_assert_null (hcs_json_object_lookup (root, ""));
  g_assert_true (compare_readers (text->str, text->len, FALSE, "100000 members"));
  g_clear_pointer (&document, hcs_json_document_free);
  g_string_assign (text, "{");
  for (guint i = 0; i < 100000; i++)
    g_string_append_printf (text, "%s\"same\":%u", i ? "," : "", i);
  g_string_append_c (text, '}');
  document = parse_ok (text->str);
  root = hcs_json_document_get_root (document);
  g_assert_cmpuint (hcs_json_node_get_length (root), ==, 1);
  g_assert_cmpint (hcs_json_node_get_integer (hcs_json_object_lookup (root, "same")), ==, 99999);
  g_clear_pointer (&document, hcs_json_document_free);

  /* A million elements. */
  g_string_assign (text, "[");
  for (guint i = 0; i < 1000000; i++)
    g_string_append (text, i ? ",0" : "0");
  g_string_append_c (text, ']');
  document = parse_ok (text->str);
  g_assert_cmpuint (hcs_json_node_get_length (hcs_json_document_get_root (document)), ==, 1000000);
}

static void
collect_json_files (const char *folder, GPtrArray *paths)
{
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  g_autofree char *ninja = g_build_filename (folder, "build.ninja", NULL);
  const char *name;

  /* Not a build tree: what it holds depends on the build. */
  if (dir == NULL || g_file_test (ninja, G_FILE_TEST_EXISTS))
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);

      if (name[0] == '.')
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        collect_json_files (path, paths);
      else if (g_str_has_suffix (name, ".json"))
        g_ptr_array_add (paths, g_steal_pointer (&path));
    }
}

/* Every JSON file of the source tree. Some are broken on purpose (the
 * documents' n_*_truncated); none may be read differently. */
static void
test_source_files (void)
{
  g_autofree char *root = g_test_build_filename (G_TEST_DIST, "..", NULL);
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  guint read = 0;

  collect_json_files (root, paths);
  for (guint i = 0; i < paths->len; i++)
    {
      g_autofree char *text = NULL;
      gsize length;

      /* One a suite running beside this one removed meanwhile. */
      if (!g_file_get_contents (paths->pdata[i], &text, &length, NULL))
        continue;
      if (compare_readers (text, length, FALSE, paths->pdata[i]))
        read++;
    }
  g_test_message ("%u of %u files read alike", read, paths->len);
  g_assert_cmpuint (read, >=, 40);
}

/* A string of characters that exercise the escaping: every control
 * character but U+001F (json-glib writes it bare, and a reader must refuse
 * that), quotes, backslashes, slashes, two- to four-byte characters. */
static char *
random_string (GRand *rand)
{
  static const char *const pieces[] = {
    "a", "Z", " ", "/", "\"", "\\", "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xe2\x80\xa8",
    "\xef\xbf\xbf", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "key", "0",
  };
  guint length = g_rand_int_range (rand, 0, 12);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < length; i++)
    {
      if (g_rand_int_range (rand, 0, 6) == 0)
        g_string_append_c (text, (char) g_rand_int_range (rand, 1, 0x1f));
      else
        g_string_append (text, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
    }
  return g_string_free (text, FALSE);
}

static double
random_double (GRand *rand)
{
  for (;;)
    {
      guint64 bits = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
      double value;

      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0:
          return g_rand_int_range (rand, -1000, 1000) / 8.0;
        case 1:
          return g_rand_double_range (rand, -1e6, 1e6);
        default:
          memcpy (&value, &bits, sizeof value);
          if (isfinite (value))
            return value;
        }
    }
}

static JsonNode *
random_node (GRand *rand, guint depth)
{
  guint kind = g_rand_int_range (rand, 0, depth < 5 ? 9 : 6);
  JsonNode *node;

  switch (kind)
    {
    case 0:
      return json_node_new (JSON_NODE_NULL);
    case 1:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_boolean (node, g_rand_boolean (rand));
      return node;
    case 2:
      node = json_node_new (JSON_NODE_VALUE);
      if (g_rand_boolean (rand))
        json_node_set_int (node, (gint64) (((guint64) g_rand_int (rand) << 32) | g_rand_int (rand)));
      else
        json_node_set_int (node, g_rand_int_range (rand, -100, 100));
      return node;
    case 3:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_double (node, random_double (rand));
      return node;
    case 4:
    case 5:
      {
        g_autofree char *text = random_string (rand);

        node = json_node_new (JSON_NODE_VALUE);
        json_node_set_string (node, text);
        return node;
      }
    case 6:
    case 7:
      {
        JsonObject *object = json_object_new ();
        guint count = g_rand_int_range (rand, 0, g_rand_int_range (rand, 0, 4) == 0 ? 40 : 6);

        for (guint i = 0; i < count; i++)
          {
            g_autofree char *name = random_string (rand);

            json_object_set_member (object, name, random_node (rand, depth + 1));
          }
        node = json_node_new (JSON_NODE_OBJECT);
        json_node_take_object (node, object);
        return node;
      }
    default:
      {
        JsonArray *array = json_array_new ();
        guint count = g_rand_int_range (rand, 0, 6);

        for (guint i = 0; i < count; i++)
          json_array_add_element (array, random_node (rand, depth + 1));
        node = json_node_new (JSON_NODE_ARRAY);
        json_node_take_array (node, array);
        return node;
      }
    }
}

/* Random trees as json-glib prints them, compact and pretty: both readers
 * agree on each (fixed seed: a failure is one to replay). */
static void
test_generated (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261203);
  guint read = 0, total = 0;

  for (guint i = 0; i < 3000; i++)
    {
      g_autoptr (JsonNode) tree = random_node (rand, 0);

      for (int pretty = 0; pretty <= 1; pretty++)
        {
          g_autofree char *text = json_to_string (tree, pretty);
          g_autofree char *what = g_strdup_printf ("tree %u (%s)", i, pretty ? "pretty" : "compact");

          total++;
          /* A double json-glib prints as "1e+22.0" can be read by
           * neither. */
          if (compare_readers (text, strlen (text), FALSE, what))
            read++;
        }
    }
  g_test_message ("%u of %u generated texts read alike", read, total);
  g_assert_cmpuint (read, >=, total * 9 / 10);
}

/* Objects written with names given again, as only a text can: both
 * readers keep the same places and the same last values. */
static void
test_generated_repeated_names (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (1203);

  for (guint i = 0; i < 500; i++)
    {
      g_autoptr (GString) text = g_string_new ("{");
      guint count = g_rand_int_range (rand, 0, 60);
      guint names = g_rand_int_range (rand, 1, 30);
      g_autofree char *what = NULL;

      for (guint j = 0; j < count; j++)
        g_string_append_printf (text, "%s\"n%u\":[%u]", j ? "," : "",
                                g_rand_int_range (rand, 0, names), j);
      g_string_append_c (text, '}');
      what = g_strdup_printf ("repeated names %u", i);
      g_assert_true (compare_readers (text->str, text->len, FALSE, what));
    }
}

/* A string written alone as json-glib writes a string node. */
static void
test_string_text (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (16);

  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *text = random_string (rand);
      g_autoptr (JsonNode) node = json_node_new (JSON_NODE_VALUE);
      g_autofree char *theirs = NULL;
      g_autoptr (GString) ours = g_string_new (NULL);

      json_node_set_string (node, text);
      theirs = json_to_string (node, FALSE);
      hcs_json_append_string (ours, text);
      g_assert_cmpstr (ours->str, ==, theirs);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/values", test_values);
  g_test_add_func ("/json/length", test_length);
  g_test_add_func ("/json/nesting", test_nesting);
  g_test_add_func ("/json/repeated-names", test_repeated_names);
  g_test_add_func ("/json/escapes", test_escapes);
  g_test_add_func ("/json/string-text", test_string_text);
  g_test_add_func ("/json/numbers", test_numbers);
  g_test_add_func ("/json/numbers-locale", test_numbers_locale);
  g_test_add_func ("/json/errors", test_errors);
  g_test_add_func ("/json/limits", test_limits);
  g_test_add_func ("/json/hostile", test_hostile);
  g_test_add_func ("/json/differential/source-files", test_source_files);
  g_test_add_func ("/json/differential/generated", test_generated);
  g_test_add_func ("/json/differential/repeated-names", test_generated_repeated_names);
  return g_test_run ();
}
