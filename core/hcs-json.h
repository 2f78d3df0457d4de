/* hcs-json.h: a JSON reader that links GLib alone, for what must read JSON
 * without json-glib (which links GIO): hcsctl's front reading a bundle's
 * config.json for a create. Not installed; libhcs's documents keep
 * json-glib.
 *
 * A document is parsed whole into a read-only tree owned by the
 * HcsJsonDocument; nodes are borrowed from it and live as long as it. The
 * reader follows RFC 8259 strictly (no comments, no trailing commas, no
 * NaN, nothing after the value but whitespace; a leading byte order mark
 * is skipped, as the RFC allows), and types values as json-glib 1.6
 * does, so that the two agree on every document both accept:
 *  - a number without fraction or exponent is an integer: the 64 bits of
 *    its magnitude read as a gint64 (18446744073709551615 is -1), and
 *    G_MAXUINT64 for a magnitude past 64 bits, negated for a '-'
 *    (-9223372036854775809 is G_MAXINT64); "-0" is the integer 0;
 *  - any other number a double, as g_ascii_strtod() reads it ("-0.0"
 *    keeps its sign; past G_MAXDOUBLE it is infinite);
 *  - an object's members keep their document order, and a name given
 *    twice resolves to its last value, at the place of its first.
 *
 * What it refuses, each with an HCS_JSON_ERROR whose message names the
 * line and column ("3:14: ...", columns in characters from 1): bytes that
 * are not UTF-8, a \u escape of U+0000 or a lone surrogate, control
 * characters in strings (U+0000 to U+001F: json-glib takes them bare),
 * nesting deeper than HCS_JSON_MAX_DEPTH (HCS_JSON_ERROR_LIMIT), and a
 * text longer than the caller's limit (HCS_JSON_ERROR_LIMIT, before
 * anything is read: that message has no position).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Arrays and objects nested deeper than this are refused: a hostile
 * document cannot exhaust the stack of the code that walks the tree. */
#define HCS_JSON_MAX_DEPTH 256

#define HCS_JSON_ERROR (hcs_json_error_quark ())
GQuark hcs_json_error_quark (void);

typedef enum {
  HCS_JSON_ERROR_PARSE, /* not JSON, or not UTF-8 */
  HCS_JSON_ERROR_LIMIT, /* too long or nested too deep */
} HcsJsonError;

typedef enum {
  HCS_JSON_NULL,
  HCS_JSON_BOOLEAN,
  HCS_JSON_INTEGER, /* gint64 */
  HCS_JSON_DOUBLE,
  HCS_JSON_STRING,  /* UTF-8, without U+0000 */
  HCS_JSON_ARRAY,
  HCS_JSON_OBJECT,
} HcsJsonType;

typedef struct _HcsJsonDocument HcsJsonDocument;
typedef struct _HcsJsonNode HcsJsonNode;

/* Parses @length bytes of @text (need not be nul-terminated); refuses a
 * text over @max_length bytes before reading it. */
HcsJsonDocument *hcs_json_document_parse (const char *text, gsize length, gsize max_length,
                                          GError **error);
void hcs_json_document_free (HcsJsonDocument *document);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HcsJsonDocument, hcs_json_document_free)

const HcsJsonNode *hcs_json_document_get_root (const HcsJsonDocument *document);

HcsJsonType hcs_json_node_get_type (const HcsJsonNode *node);
/* "null", "a boolean", "an integer", "a number", "a string", "an array",
 * "an object": for messages such as "expected a string, got an array". */
const char *hcs_json_type_describe (HcsJsonType type);

/* Each getter expects a node of its type (g_return_val_if_fail). */
gboolean hcs_json_node_get_boolean (const HcsJsonNode *node);
gint64 hcs_json_node_get_integer (const HcsJsonNode *node);
/* Of a double, or of an integer converted. */
double hcs_json_node_get_double (const HcsJsonNode *node);
const char *hcs_json_node_get_string (const HcsJsonNode *node);

/* The number of an array's elements or of an object's members. */
guint hcs_json_node_get_length (const HcsJsonNode *node);
const HcsJsonNode *hcs_json_array_get_element (const HcsJsonNode *array, guint index);
/* An object's members in document order; a repeated name appears once,
 * with its last value, at the place json-glib gives it. */
const char *hcs_json_object_get_name (const HcsJsonNode *object, guint index);
const HcsJsonNode *hcs_json_object_get_value (const HcsJsonNode *object, guint index);
/* The member named exactly @name, or NULL. */
const HcsJsonNode *hcs_json_object_lookup (const HcsJsonNode *object, const char *name);

/* Appends @node as compact JSON text, byte for byte what json-glib's
 * json_to_string (node, FALSE) gives for the same value (the records and
 * specs that carry JSON text must not depend on which reader read it),
 * quirks included: doubles as "%.17g" with ".0" added when that has no
 * point (1e22 gives "1e+22.0", infinity "inf.0": neither reads back), and
 * U+001F written bare in strings. */
void hcs_json_node_append_text (const HcsJsonNode *node, GString *out);

/* Appends @node as json-glib 1.6's pretty generator writes it with an
 * indent of 2 spaces, @node being at nesting @level (0: the root; a
 * member of the root is at 1): hcsctl's runc state output pretty-prints
 * config.json's annotations, and records written ahead of it (gate-oci)
 * must hold the same bytes. Its quirks kept: "[]" for an empty array,
 * "{" and "}" around the indentation of @level for an empty object. */
void hcs_json_node_append_pretty (const HcsJsonNode *node, guint level, GString *out);

/* Appends @text (UTF-8) as a JSON string, escaped as json-glib escapes. */
void hcs_json_append_string (GString *out, const char *text);

G_END_DECLS
