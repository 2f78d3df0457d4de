/* hcs-json.c: a JSON reader that links GLib alone (hcs-json.h says what
 * and why). One pass of recursive descent over the text; the tree lives in
 * an arena the document owns, each container's children in one block, so
 * a document is freed with a handful of g_free()s whatever its size.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-json.h"

#include <stdarg.h>
#include <string.h>

G_DEFINE_QUARK (hcs-json-error-quark, hcs_json_error)

typedef struct _HcsJsonMember HcsJsonMember;

struct _HcsJsonNode
{
  HcsJsonType type;
  /* An array's elements, an object's members, a string's bytes. */
  guint length;
  union
  {
    gboolean boolean;
    gint64 integer;
    double number;
    const char *string;
    const HcsJsonNode *elements;
    /* Followed, past HCS_JSON_LINEAR_LOOKUP members, by their indices
     * sorted by name (object_index()). */
    const HcsJsonMember *members;
  };
};

struct _HcsJsonMember
{
  const char *name;
  HcsJsonNode value;
};

/* Up to this many members a lookup compares names one by one; past it an
 * object carries its members' indices sorted by name, for a binary
 * search. */
#define HCS_JSON_LINEAR_LOOKUP 16

typedef struct _ArenaChunk ArenaChunk;
struct _ArenaChunk
{
  ArenaChunk *next;
  gsize size;
  gsize used;
  /* 8-aligned, as arena_alloc() rounds every block to 8 bytes. */
  char data[] __attribute__ ((aligned (8)));
};

struct _HcsJsonDocument
{
  HcsJsonNode root;
  ArenaChunk *chunks;
  /* The first chunk's: one that the usual document's tree fits in. */
  gsize first_chunk_size;
};

/* Every allocation is 8-aligned: nodes hold gint64, doubles, pointers. */
static gpointer
arena_alloc (HcsJsonDocument *document, gsize size)
{
  ArenaChunk *chunk = document->chunks;
  gpointer block;

  if (size == 0)
    return NULL;
  size = (size + 7) & ~(gsize) 7;
  if (chunk == NULL || chunk->size - chunk->used < size)
    {
      /* Each new chunk twice the last, and never smaller than what asks. */
      gsize chunk_size = MAX (chunk != NULL ? chunk->size * 2 : document->first_chunk_size, size);

      chunk = g_malloc (sizeof (ArenaChunk) + chunk_size);
      chunk->size = chunk_size;
      chunk->used = 0;
      chunk->next = document->chunks;
      document->chunks = chunk;
    }
  block = chunk->data + chunk->used;
  chunk->used += size;
  return block;
}

static char *
arena_strndup (HcsJsonDocument *document, const char *text, gsize length)
{
  char *copy = arena_alloc (document, length + 1);

  memcpy (copy, text, length);
  copy[length] = '\0';
  return copy;
}

void
hcs_json_document_free (HcsJsonDocument *document)
{
  if (document == NULL)
    return;
  while (document->chunks != NULL)
    {
      ArenaChunk *next = document->chunks->next;

      g_free (document->chunks);
      document->chunks = next;
    }
  g_free (document);
}

typedef struct
{
  const char *start;
  const char *p;
  const char *end;
  HcsJsonDocument *document;
  /* The children parsed so far of every container still open, innermost
   * last (an array's with no name): a container's are moved into the
   * arena, in one block, when it closes. */
  GArray *stack;
  /* A string with escapes, decoded; made for the first one. */
  GString *scratch;
  GError **error;
} Parser;

static gboolean fail (Parser *parser, const char *at, HcsJsonError code, const char *format,
                      ...) G_GNUC_PRINTF (4, 5);

/* "L:C: message", C counting characters from 1. */
static gboolean
fail (Parser *parser, const char *at, HcsJsonError code, const char *format, ...)
{
  g_autofree char *message = NULL;
  const char *line_start = parser->start;
  guint line = 1, column = 1;
  va_list args;

  for (const char *q = parser->start; q < at; q++)
    if (*q == '\n')
      {
        line++;
        line_start = q + 1;
      }
  for (const char *q = line_start; q < at; q++)
    if (((guchar) *q & 0xc0) != 0x80)
      column++;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (parser->error, HCS_JSON_ERROR, code, "%u:%u: %s", line, column, message);
  return FALSE;
}

/* What is at @at, for "expected X, got Y". */
static char *
describe_at (Parser *parser, const char *at)
{
  guchar c;
  gunichar u;

  if (at >= parser->end)
    return g_strdup ("the end of the text");
  c = (guchar) *at;
  if (c >= 0x20 && c < 0x7f)
    return g_strdup_printf ("'%c'", c);
  if (c < 0x80)
    return g_strdup_printf ("the control character U+%04X", c);
  u = g_utf8_get_char_validated (at, parser->end - at);
  if (u >= 0xfffffffe)
    return g_strdup_printf ("the byte 0x%02X (not UTF-8)", c);
  return g_strdup_printf ("the character U+%04X", u);
}

static gboolean
fail_expected (Parser *parser, const char *what)
{
  g_autofree char *got = describe_at (parser, parser->p);

  return fail (parser, parser->p, HCS_JSON_ERROR_PARSE, "expected %s, got %s", what, got);
}

static void
skip_whitespace (Parser *parser)
{
  const char *p = parser->p;

  while (p < parser->end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
    p++;
  parser->p = p;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* The four hex digits after "\u" at @p, or -1. */
static int
read_hex4 (Parser *parser, const char *p)
{
  int value = 0;

  if (parser->end - p < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      int digit = hex_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

/* The escape at parser->p (its backslash), decoded onto the scratch. */
static gboolean
read_escape (Parser *parser)
{
  const char *backslash = parser->p;
  int unit, low;

  if (parser->end - backslash < 2)
    return fail (parser, backslash, HCS_JSON_ERROR_PARSE, "the text ends inside an escape");
  switch (backslash[1])
    {
    case '"':
    case '\\':
    case '/':
      g_string_append_c (parser->scratch, backslash[1]);
      break;
    case 'b':
      g_string_append_c (parser->scratch, '\b');
      break;
    case 'f':
      g_string_append_c (parser->scratch, '\f');
      break;
    case 'n':
      g_string_append_c (parser->scratch, '\n');
      break;
    case 'r':
      g_string_append_c (parser->scratch, '\r');
      break;
    case 't':
      g_string_append_c (parser->scratch, '\t');
      break;
    case 'u':
      unit = read_hex4 (parser, backslash + 2);
      if (unit < 0)
        return fail (parser, backslash, HCS_JSON_ERROR_PARSE,
                     "\\u must be followed by four hex digits");
      /* json-glib would cut the string there. */
      if (unit == 0)
        return fail (parser, backslash, HCS_JSON_ERROR_PARSE,
                     "\\u0000 is not allowed in a string");
      if (unit >= 0xdc00 && unit <= 0xdfff)
        return fail (parser, backslash, HCS_JSON_ERROR_PARSE,
                     "\\u%04X is a low surrogate without a high one before it", unit);
      if (unit >= 0xd800 && unit <= 0xdbff)
        {
          if (parser->end - backslash < 12 || backslash[6] != '\\' || backslash[7] != 'u' ||
              (low = read_hex4 (parser, backslash + 8)) < 0xdc00 || low > 0xdfff)
            return fail (parser, backslash, HCS_JSON_ERROR_PARSE,
                         "\\u%04X is a high surrogate without a low one after it", unit);
          g_string_append_unichar (parser->scratch,
                                   0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00));
          parser->p += 12;
          return TRUE;
        }
      g_string_append_unichar (parser->scratch, unit);
      parser->p += 6;
      return TRUE;
    default:
      {
        g_autofree char *what = describe_at (parser, backslash + 1);

        return fail (parser, backslash, HCS_JSON_ERROR_PARSE,
                     "a backslash followed by %s is not an escape", what);
      }
    }
  parser->p += 2;
  return TRUE;
}

/* The bytes a string holds as they are: ASCII but for the quote, the
 * backslash and the control characters. */
static const guint8 plain_byte[256] = {
  [0x20 ... 0x21] = 1,
  [0x23 ... 0x5b] = 1,
  [0x5d ... 0x7f] = 1,
};

/* The string at parser->p (its opening quote) into the arena. Text
 * without escapes is copied once from the input; text with some is
 * decoded onto the scratch first. */
static gboolean
read_string (Parser *parser, const char **out, guint *out_length)
{
  const char *open = parser->p;
  const char *run;
  gboolean escaped = FALSE;
  gsize length;

  run = ++parser->p;
  for (;;)
    {
      const char *p = parser->p;
      guchar c;

      while (p < parser->end && plain_byte[(guchar) *p])
        p++;
      parser->p = p;
      if (parser->p >= parser->end)
        return fail (parser, open, HCS_JSON_ERROR_PARSE, "the text ends inside this string");
      c = (guchar) *parser->p;
      if (c == '"')
        break;
      if (c == '\\')
        {
          if (parser->scratch == NULL)
            parser->scratch = g_string_sized_new (64);
          else if (!escaped)
            g_string_truncate (parser->scratch, 0);
          escaped = TRUE;
          g_string_append_len (parser->scratch, run, parser->p - run);
          if (!read_escape (parser))
            return FALSE;
          run = parser->p;
        }
      else if (c < 0x20)
        return fail (parser, parser->p, HCS_JSON_ERROR_PARSE,
                     "the control character U+%04X in a string must be escaped", c);
      else
        {
          /* The same test as g_utf8_validate(): no overlong forms, no
           * surrogates, nothing past U+10FFFF. */
          gunichar u = g_utf8_get_char_validated (parser->p, parser->end - parser->p);

          if (u >= 0xfffffffe)
            return fail (parser, parser->p, HCS_JSON_ERROR_PARSE,
                         "the byte 0x%02X in a string is not UTF-8", c);
          parser->p += g_utf8_skip[c];
        }
    }
  if (escaped)
    {
      g_string_append_len (parser->scratch, run, parser->p - run);
      length = parser->scratch->len;
      *out = arena_strndup (parser->document, parser->scratch->str, length);
    }
  else
    {
      length = parser->p - run;
      *out = arena_strndup (parser->document, run, length);
    }
  parser->p++;
  if (length > G_MAXUINT)
    return fail (parser, open, HCS_JSON_ERROR_LIMIT, "a string of over 4 GiB");
  *out_length = length;
  return TRUE;
}

static gboolean
is_digit (Parser *parser, const char *p)
{
  return p < parser->end && *p >= '0' && *p <= '9';
}

/* RFC 8259's number, typed as json-glib 1.6 types it: without fraction
 * or exponent an integer, the magnitude's 64 bits (G_MAXUINT64 when it
 * has more) read as a gint64 and negated for a '-'; otherwise a double,
 * as g_ascii_strtod() reads it (infinite past G_MAXDOUBLE). */
static gboolean
read_number (Parser *parser, HcsJsonNode *out)
{
  const char *start = parser->p;
  gboolean negative = FALSE, is_double = FALSE;
  guint64 magnitude = 0;

  if (*parser->p == '-')
    {
      negative = TRUE;
      parser->p++;
      if (!is_digit (parser, parser->p))
        return fail_expected (parser, "a digit after '-'");
    }
  if (*parser->p == '0')
    {
      parser->p++;
      if (is_digit (parser, parser->p))
        return fail (parser, start, HCS_JSON_ERROR_PARSE,
                     "a number may not start with a 0 followed by digits");
    }
  else
    while (is_digit (parser, parser->p))
      {
        guint digit = *parser->p++ - '0';

        /* g_ascii_strtoull()'s answer to an overflow, which json-glib
         * keeps. */
        if (magnitude > (G_MAXUINT64 - digit) / 10)
          magnitude = G_MAXUINT64;
        else
          magnitude = magnitude * 10 + digit;
      }
  if (parser->p < parser->end && *parser->p == '.')
    {
      is_double = TRUE;
      parser->p++;
      if (!is_digit (parser, parser->p))
        return fail_expected (parser, "a digit after '.'");
      while (is_digit (parser, parser->p))
        parser->p++;
    }
  if (parser->p < parser->end && (*parser->p == 'e' || *parser->p == 'E'))
    {
      is_double = TRUE;
      parser->p++;
      if (parser->p < parser->end && (*parser->p == '+' || *parser->p == '-'))
        parser->p++;
      if (!is_digit (parser, parser->p))
        return fail_expected (parser, "a digit in the exponent");
      while (is_digit (parser, parser->p))
        parser->p++;
    }
  if (is_double)
    {
      /* The input need not be nul-terminated; and the value of "-x" is
       * exactly minus that of "x", as json-glib computes it. */
      gsize length = parser->p - start;
      char buffer[64];
      g_autofree char *long_copy = NULL;
      char *text = buffer;

      if (length >= sizeof buffer)
        text = long_copy = g_malloc (length + 1);
      memcpy (text, start, length);
      text[length] = '\0';
      out->type = HCS_JSON_DOUBLE;
      out->number = g_ascii_strtod (text, NULL);
    }
  else
    {
      out->type = HCS_JSON_INTEGER;
      /* Two's complement, as json-glib's "v_int64 * -1" wraps. */
      out->integer = (gint64) (negative ? 0 - magnitude : magnitude);
    }
  return TRUE;
}

static gboolean
read_word (Parser *parser, HcsJsonNode *out)
{
  static const struct
  {
    const char *word;
    HcsJsonType type;
    gboolean boolean;
  } words[] = {
    { "true", HCS_JSON_BOOLEAN, TRUE },
    { "false", HCS_JSON_BOOLEAN, FALSE },
    { "null", HCS_JSON_NULL, FALSE },
  };
  const char *word_end = parser->p;

  while (word_end < parser->end && g_ascii_isalnum (*word_end))
    word_end++;
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if ((gsize) (word_end - parser->p) == strlen (words[i].word) &&
        memcmp (parser->p, words[i].word, word_end - parser->p) == 0)
      {
        out->type = words[i].type;
        out->boolean = words[i].boolean;
        parser->p = word_end;
        return TRUE;
      }
  return fail (parser, parser->p, HCS_JSON_ERROR_PARSE, "'%.*s' is not a JSON value",
               (int) MIN (word_end - parser->p, 32), parser->p);
}

static gboolean read_value (Parser *parser, guint depth, HcsJsonNode *out);

static gboolean
push (Parser *parser, const char *name, const HcsJsonNode *value)
{
  HcsJsonMember member = { name, *value };

  if (parser->stack->len == G_MAXUINT - 1)
    return fail (parser, parser->p, HCS_JSON_ERROR_LIMIT, "too many values");
  g_array_append_val (parser->stack, member);
  return TRUE;
}

/* Having read a value in a container: on to the next or the end. */
static gboolean
read_separator (Parser *parser, char close, gboolean *closed)
{
  skip_whitespace (parser);
  if (parser->p < parser->end && *parser->p == close)
    {
      parser->p++;
      *closed = TRUE;
      return TRUE;
    }
  if (parser->p < parser->end && *parser->p == ',')
    {
      const char *comma = parser->p++;

      skip_whitespace (parser);
      if (parser->p < parser->end && *parser->p == close)
        return fail (parser, comma, HCS_JSON_ERROR_PARSE, "a trailing comma before '%c'", close);
      *closed = FALSE;
      return TRUE;
    }
  return fail_expected (parser, close == ']' ? "',' or ']' after an array element"
                                             : "',' or '}' after an object member");
}

static gboolean
read_array (Parser *parser, guint depth, HcsJsonNode *out)
{
  guint base = parser->stack->len;
  gboolean closed = FALSE;
  HcsJsonNode *elements;

  parser->p++;
  skip_whitespace (parser);
  if (parser->p < parser->end && *parser->p == ']')
    {
      parser->p++;
      closed = TRUE;
    }
  while (!closed)
    {
      HcsJsonNode element;

      if (!read_value (parser, depth, &element) || !push (parser, NULL, &element) ||
          !read_separator (parser, ']', &closed))
        return FALSE;
    }
  out->type = HCS_JSON_ARRAY;
  out->length = parser->stack->len - base;
  elements = arena_alloc (parser->document, sizeof (HcsJsonNode) * out->length);
  for (guint i = 0; i < out->length; i++)
    elements[i] = g_array_index (parser->stack, HcsJsonMember, base + i).value;
  out->elements = elements;
  g_array_set_size (parser->stack, base);
  return TRUE;
}

/* Places by name, and by place among the same name's. */
static int
compare_members_cb (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const HcsJsonMember *members = user_data;
  guint first = *(const guint *) a, second = *(const guint *) b;
  int order = strcmp (members[first].name, members[second].name);

  return order != 0 ? order : (first > second) - (first < second);
}

static const guint *
object_index (const HcsJsonNode *object)
{
  return (const guint *) (object->members + object->length);
}

/* The members on the stack from @base, as json-glib's JsonObject keeps
 * them: a name given again takes the new value at its first place. A
 * small object is checked name by name; a big one is sorted by name,
 * which gives its index too. */
static void
close_object (Parser *parser, guint base, HcsJsonNode *out)
{
  guint count = parser->stack->len - base, length = 0;
  const HcsJsonMember *parsed = &g_array_index (parser->stack, HcsJsonMember, base);
  HcsJsonMember *members;

  if (count <= HCS_JSON_LINEAR_LOOKUP)
    {
      members = arena_alloc (parser->document, sizeof (HcsJsonMember) * count);
      for (guint i = 0; i < count; i++)
        {
          guint j = 0;

          while (j < length && strcmp (members[j].name, parsed[i].name) != 0)
            j++;
          if (j < length)
            members[j].value = parsed[i].value;
          else
            members[length++] = parsed[i];
        }
    }
  else
    {
      g_autofree guint *by_name = g_new (guint, count * 2);
      /* For each place: where its value comes from (G_MAXUINT: a name
       * given before), then where it goes. */
      guint *place = by_name + count;
      guint *index, names = 0;

      for (guint i = 0; i < count; i++)
        {
          by_name[i] = i;
          place[i] = G_MAXUINT;
        }
      g_qsort_with_data (by_name, count, sizeof (guint), compare_members_cb, (gpointer) parsed);
      for (guint i = 0, next; i < count; i = next)
        {
          next = i + 1;
          while (next < count && strcmp (parsed[by_name[i]].name, parsed[by_name[next]].name) == 0)
            next++;
          place[by_name[i]] = by_name[next - 1];
          by_name[names++] = by_name[i];
        }
      /* Members, then their index (the room a repeated name leaves
       * unused). */
      members = arena_alloc (parser->document, (sizeof (HcsJsonMember) + sizeof (guint)) * count);
      for (guint i = 0; i < count; i++)
        if (place[i] != G_MAXUINT)
          {
            members[length].name = parsed[i].name;
            members[length].value = parsed[place[i]].value;
            place[i] = length++;
          }
      index = (guint *) (members + length);
      for (guint i = 0; i < names; i++)
        index[i] = place[by_name[i]];
    }
  out->type = HCS_JSON_OBJECT;
  out->length = length;
  out->members = members;
  g_array_set_size (parser->stack, base);
}

static gboolean
read_object (Parser *parser, guint depth, HcsJsonNode *out)
{
  guint base = parser->stack->len;
  gboolean closed = FALSE;

  parser->p++;
  skip_whitespace (parser);
  if (parser->p < parser->end && *parser->p == '}')
    {
      parser->p++;
      closed = TRUE;
    }
  while (!closed)
    {
      HcsJsonNode value;
      const char *name;
      guint name_length;

      if (parser->p >= parser->end || *parser->p != '"')
        return fail_expected (parser, "a member's name (a string)");
      if (!read_string (parser, &name, &name_length))
        return FALSE;
      skip_whitespace (parser);
      if (parser->p >= parser->end || *parser->p != ':')
        return fail_expected (parser, "':' after a member's name");
      parser->p++;
      skip_whitespace (parser);
      if (!read_value (parser, depth, &value) || !push (parser, name, &value) ||
          !read_separator (parser, '}', &closed))
        return FALSE;
      skip_whitespace (parser);
    }
  close_object (parser, base, out);
  return TRUE;
}

/* A value at parser->p, inside @depth arrays and objects. */
static gboolean
read_value (Parser *parser, guint depth, HcsJsonNode *out)
{
  char c;

  skip_whitespace (parser);
  if (parser->p >= parser->end)
    return fail_expected (parser, "a value");
  memset (out, 0, sizeof *out);
  c = *parser->p;
  switch (c)
    {
    case '{':
    case '[':
      if (depth >= HCS_JSON_MAX_DEPTH)
        return fail (parser, parser->p, HCS_JSON_ERROR_LIMIT,
                     "arrays and objects nested deeper than %d", HCS_JSON_MAX_DEPTH);
      return c == '{' ? read_object (parser, depth + 1, out) : read_array (parser, depth + 1, out);
    case '"':
      out->type = HCS_JSON_STRING;
      return read_string (parser, &out->string, &out->length);
    case '-':
    case '0' ... '9':
      return read_number (parser, out);
    case '/':
      return fail (parser, parser->p, HCS_JSON_ERROR_PARSE, "comments are not JSON");
    default:
      if (g_ascii_isalpha (c))
        return read_word (parser, out);
      return fail_expected (parser, "a value");
    }
}

HcsJsonDocument *
hcs_json_document_parse (const char *text, gsize length, gsize max_length, GError **error)
{
  g_autoptr (HcsJsonDocument) document = NULL;
  Parser parser = { 0 };
  gboolean parsed;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length > max_length)
    {
      g_set_error (error, HCS_JSON_ERROR, HCS_JSON_ERROR_LIMIT,
                   "the text is %" G_GSIZE_FORMAT " bytes, over the limit of %" G_GSIZE_FORMAT,
                   length, max_length);
      return NULL;
    }
  document = g_new0 (HcsJsonDocument, 1);
  /* A tree takes under twice its text (runc spec's config.json: 4536
   * bytes for 2560), so the usual document needs one chunk. */
  document->first_chunk_size = CLAMP (length * 2, 256, 1024 * 1024);
  parser.start = text;
  parser.p = text;
  parser.end = text + length;
  parser.document = document;
  parser.error = error;
  /* RFC 8259 lets a reader skip a byte order mark, and json-glib does. */
  if (length >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    parser.start = parser.p = text + 3;
  skip_whitespace (&parser);
  if (parser.p == parser.end)
    {
      fail (&parser, parser.p, HCS_JSON_ERROR_PARSE, "the text holds no value");
      return NULL;
    }
  parser.stack = g_array_sized_new (FALSE, FALSE, sizeof (HcsJsonMember), 64);
  parsed = read_value (&parser, 0, &document->root);
  g_array_unref (parser.stack);
  if (parser.scratch != NULL)
    g_string_free (parser.scratch, TRUE);
  if (!parsed)
    return NULL;
  skip_whitespace (&parser);
  if (parser.p < parser.end)
    {
      g_autofree char *what = describe_at (&parser, parser.p);

      fail (&parser, parser.p, HCS_JSON_ERROR_PARSE, "%s after the value", what);
      return NULL;
    }
  return g_steal_pointer (&document);
}

const HcsJsonNode *
hcs_json_document_get_root (const HcsJsonDocument *document)
{
  g_return_val_if_fail (document != NULL, NULL);

  return &document->root;
}

HcsJsonType
hcs_json_node_get_type (const HcsJsonNode *node)
{
  g_return_val_if_fail (node != NULL, HCS_JSON_NULL);

  return node->type;
}

const char *
hcs_json_type_describe (HcsJsonType type)
{
  switch (type)
    {
    case HCS_JSON_NULL:
      return "null";
    case HCS_JSON_BOOLEAN:
      return "a boolean";
    case HCS_JSON_INTEGER:
      return "an integer";
    case HCS_JSON_DOUBLE:
      return "a number";
    case HCS_JSON_STRING:
      return "a string";
    case HCS_JSON_ARRAY:
      return "an array";
    case HCS_JSON_OBJECT:
      return "an object";
    }
  g_return_val_if_reached ("a value of no known type");
}

gboolean
hcs_json_node_get_boolean (const HcsJsonNode *node)
{
  g_return_val_if_fail (node != NULL && node->type == HCS_JSON_BOOLEAN, FALSE);

  return node->boolean;
}

gint64
hcs_json_node_get_integer (const HcsJsonNode *node)
{
  g_return_val_if_fail (node != NULL && node->type == HCS_JSON_INTEGER, 0);

  return node->integer;
}

double
hcs_json_node_get_double (const HcsJsonNode *node)
{
  g_return_val_if_fail (node != NULL &&
                            (node->type == HCS_JSON_DOUBLE || node->type == HCS_JSON_INTEGER),
                        0.0);

  return node->type == HCS_JSON_DOUBLE ? node->number : (double) node->integer;
}

const char *
hcs_json_node_get_string (const HcsJsonNode *node)
{
  g_return_val_if_fail (node != NULL && node->type == HCS_JSON_STRING, NULL);

  return node->string;
}

guint
hcs_json_node_get_length (const HcsJsonNode *node)
{
  g_return_val_if_fail (node != NULL &&
                            (node->type == HCS_JSON_ARRAY || node->type == HCS_JSON_OBJECT),
                        0);

  return node->length;
}

const HcsJsonNode *
hcs_json_array_get_element (const HcsJsonNode *array, guint index)
{
  g_return_val_if_fail (array != NULL && array->type == HCS_JSON_ARRAY, NULL);
  g_return_val_if_fail (index < array->length, NULL);

  return &array->elements[index];
}

const char *
hcs_json_object_get_name (const HcsJsonNode *object, guint index)
{
  g_return_val_if_fail (object != NULL && object->type == HCS_JSON_OBJECT, NULL);
  g_return_val_if_fail (index < object->length, NULL);

  return object->members[index].name;
}

const HcsJsonNode *
hcs_json_object_get_value (const HcsJsonNode *object, guint index)
{
  g_return_val_if_fail (object != NULL && object->type == HCS_JSON_OBJECT, NULL);
  g_return_val_if_fail (index < object->length, NULL);

  return &object->members[index].value;
}

const HcsJsonNode *
hcs_json_object_lookup (const HcsJsonNode *object, const char *name)
{
  const guint *index;
  guint low = 0, high;

  g_return_val_if_fail (object != NULL && object->type == HCS_JSON_OBJECT, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (object->length <= HCS_JSON_LINEAR_LOOKUP)
    {
      for (guint i = 0; i < object->length; i++)
        if (strcmp (object->members[i].name, name) == 0)
          return &object->members[i].value;
      return NULL;
    }
  index = object_index (object);
  high = object->length;
  while (low < high)
    {
      guint middle = low + (high - low) / 2;
      int order = strcmp (object->members[index[middle]].name, name);

      if (order == 0)
        return &object->members[index[middle]].value;
      if (order < 0)
        low = middle + 1;
      else
        high = middle;
    }
  return NULL;
}

/* json-glib 1.6's json_strescape(), quirks kept: U+001F goes out as it is
 * (its test is "< 0x1f") and U+007F is escaped. */
static void
append_escaped (GString *out, const char *text, gsize length)
{
  const char *run = text, *end = text + length;

  for (const char *p = text; p < end; p++)
    {
      guchar c = (guchar) *p;
      const char *escape;
      char numeric[8];

      if (c == '"')
        escape = "\\\"";
      else if (c == '\\')
        escape = "\\\\";
      else if (c == '\b')
        escape = "\\b";
      else if (c == '\f')
        escape = "\\f";
      else if (c == '\n')
        escape = "\\n";
      else if (c == '\r')
        escape = "\\r";
      else if (c == '\t')
        escape = "\\t";
      else if ((c > 0 && c < 0x1f) || c == 0x7f)
        {
          g_snprintf (numeric, sizeof numeric, "\\u00%02x", c);
          escape = numeric;
        }
      else
        continue;
      g_string_append_len (out, run, p - run);
      g_string_append (out, escape);
      run = p + 1;
    }
  g_string_append_len (out, run, end - run);
}

static void
append_string (GString *out, const char *text, gsize length)
{
  g_string_append_c (out, '"');
  append_escaped (out, text, length);
  g_string_append_c (out, '"');
}

void
hcs_json_node_append_text (const HcsJsonNode *node, GString *out)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_if_fail (node != NULL);
  g_return_if_fail (out != NULL);

  switch (node->type)
    {
    case HCS_JSON_NULL:
      g_string_append (out, "null");
      break;
    case HCS_JSON_BOOLEAN:
      g_string_append (out, node->boolean ? "true" : "false");
      break;
    case HCS_JSON_INTEGER:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, node->integer);
      break;
    case HCS_JSON_DOUBLE:
      /* As json-glib: "%.17g", then ".0" when that has no point (even
       * after an exponent or "inf"). */
      g_ascii_dtostr (buffer, sizeof buffer, node->number);
      g_string_append (out, buffer);
      if (strchr (buffer, '.') == NULL)
        g_string_append (out, ".0");
      break;
    case HCS_JSON_STRING:
      append_string (out, node->string, node->length);
      break;
    case HCS_JSON_ARRAY:
      g_string_append_c (out, '[');
      for (guint i = 0; i < node->length; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          hcs_json_node_append_text (&node->elements[i], out);
        }
      g_string_append_c (out, ']');
      break;
    case HCS_JSON_OBJECT:
      g_string_append_c (out, '{');
      for (guint i = 0; i < node->length; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          append_string (out, node->members[i].name, strlen (node->members[i].name));
          g_string_append_c (out, ':');
          hcs_json_node_append_text (&node->members[i].value, out);
        }
      g_string_append_c (out, '}');
      break;
    }
}

void
hcs_json_append_string (GString *out, const char *text)
{
  g_return_if_fail (out != NULL && text != NULL);
  append_string (out, text, strlen (text));
}

static void
append_indent (GString *out, guint level)
{
  for (guint i = 0; i < level; i++)
    g_string_append (out, "  ");
}

void
hcs_json_node_append_pretty (const HcsJsonNode *node, guint level, GString *out)
{
  g_return_if_fail (node != NULL);
  g_return_if_fail (out != NULL);

  switch (node->type)
    {
    case HCS_JSON_ARRAY:
      /* json-glib 1.6: an empty array is "[]" wherever it is. */
      g_string_append_c (out, '[');
      for (guint i = 0; i < node->length; i++)
        {
          g_string_append (out, i > 0 ? ",\n" : "\n");
          append_indent (out, level + 1);
          hcs_json_node_append_pretty (&node->elements[i], level + 1, out);
        }
      if (node->length > 0)
        {
          g_string_append_c (out, '\n');
          append_indent (out, level);
        }
      g_string_append_c (out, ']');
      break;
    case HCS_JSON_OBJECT:
      /* ... but an empty object has its closing indentation: "{  }" one
       * level down. */
      g_string_append_c (out, '{');
      for (guint i = 0; i < node->length; i++)
        {
          g_string_append (out, i > 0 ? ",\n" : "\n");
          append_indent (out, level + 1);
          append_string (out, node->members[i].name, strlen (node->members[i].name));
          g_string_append (out, " : ");
          hcs_json_node_append_pretty (&node->members[i].value, level + 1, out);
        }
      if (node->length > 0)
        g_string_append_c (out, '\n');
      append_indent (out, level);
      g_string_append_c (out, '}');
      break;
    default:
      hcs_json_node_append_text (node, out);
      break;
    }
}
