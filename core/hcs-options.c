/* hcs-options.c: runtime options checked against the keys core and the
 * plugins declare, so that a misspelt key or a wrong value is an error
 * naming group and key rather than a default taken silently.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "hcs-error.h"
#include "hcs-gate.h"
#include "hcs-image.h"
#include "hcs-plugin-private.h"

#include <string.h>

static const HcsOptionSpec core_specs[] = {
  { "host", "state-dir", HCS_OPTION_PATH, .default_value = HCS_DEFAULT_STATE_DIR,
    .description = "Where the state of every compute system is kept" },
  { "host", "layer-dir", HCS_OPTION_PATH, .default_value = HCS_DEFAULT_LAYER_DIR,
    .description = "The layer store" },
  { "host", "image-dir", HCS_OPTION_PATH, .default_value = HCS_DEFAULT_IMAGE_DIR,
    .description = "Where the built-in busybox image is unpacked" },
  { "host", "plugin-dirs", HCS_OPTION_PATH_LIST, .default_value = "",
    .description = "Plugin folders searched before HCS_PLUGIN_PATH and the installed one" },
  { "host", "no-installed-plugins", HCS_OPTION_BOOLEAN, .default_value = "false",
    .description = "Do not load the plugins of the installed plugin folder" },
  { "host", "isolation", HCS_OPTION_STRING, .default_value = HCS_DEFAULT_ISOLATION,
    .description = "The isolation of a compute system whose request names none "
                   "(process, hyperv, lcow)" },
  { "host", "die-with-creator", HCS_OPTION_BOOLEAN, .default_value = "false",
    .description = "A system's processes are killed when the process that created it dies "
                   "(set per system by a monitor; any driver honours it)" },
  { "host", "monitor", HCS_OPTION_BOOLEAN, .default_value = "false",
    .description = "Hold each compute system in a monitor process, so that it outlives "
                   "its creator" },
};

GPtrArray *
hcs_options_core_specs (void)
{
  static GPtrArray *specs;

  if (g_once_init_enter (&specs))
    {
      GPtrArray *array = g_ptr_array_new ();
      for (gsize i = 0; i < G_N_ELEMENTS (core_specs); i++)
        g_ptr_array_add (array, (gpointer) &core_specs[i]);
      g_once_init_leave (&specs, array);
    }
  return specs;
}

const HcsOptionSpec *
hcs_option_spec_find (GPtrArray *specs, const char *group, const char *key)
{
  for (guint i = 0; i < specs->len; i++)
    {
      const HcsOptionSpec *spec = specs->pdata[i];
      if (g_str_equal (spec->group, group) && (key == NULL || g_str_equal (spec->key, key)))
        return spec;
    }
  return NULL;
}

gboolean
hcs_option_spec_check (const HcsOptionSpec *spec, GError **error)
{
  const char *problem = NULL;

  if (spec->group == NULL || *spec->group == '\0' || spec->key == NULL || *spec->key == '\0')
    problem = "has no group or no key";
  else if (spec->type > HCS_OPTION_CHOICE)
    problem = "has an unknown type";
  else if (spec->type == HCS_OPTION_CHOICE && (spec->choices == NULL || spec->choices[0] == NULL))
    problem = "is a choice without choices";
  else if (spec->type == HCS_OPTION_INTEGER && spec->minimum > spec->maximum)
    problem = "has a minimum above its maximum";
  else if (spec->description == NULL)
    problem = "has no description";
  if (problem == NULL)
    return TRUE;
  g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN, "option [%s] %s %s",
               spec->group ? spec->group : "", spec->key ? spec->key : "", problem);
  return FALSE;
}

/* --- "did you mean" ------------------------------------------------------- */

static guint
edit_distance (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diagonal = row[0];
      row[0] = i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint above = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;
          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }
  return row[lb];
}

/* The nearest of @candidates to @word, if near enough to be a slip. */
static const char *
nearest (const char *word, GPtrArray *candidates)
{
  const char *best = NULL;
  guint best_distance = G_MAXUINT;

  for (guint i = 0; i < candidates->len; i++)
    {
      guint distance = edit_distance (word, candidates->pdata[i]);
      if (distance < best_distance)
        {
          best = candidates->pdata[i];
          best_distance = distance;
        }
    }
  if (best == NULL || best_distance > MAX (2u, (guint) strlen (word) / 3))
    return NULL;
  return best;
}

static char *
did_you_mean (const char *word, GPtrArray *candidates, const char *open, const char *close)
{
  const char *suggestion = nearest (word, candidates);

  return suggestion ? g_strdup_printf (" (did you mean %s%s%s?)", open, suggestion, close)
                    : g_strdup ("");
}

/* --- values --------------------------------------------------------------- */

/* NULL when @value fits @spec, else what is wrong with it. */
static char *
value_problem (const HcsOptionSpec *spec, const char *value)
{
  switch (spec->type)
    {
    case HCS_OPTION_STRING:
      return NULL;
    case HCS_OPTION_PATH:
      return g_path_is_absolute (value)
                 ? NULL
                 : g_strdup_printf ("'%s' is not an absolute path", value);
    case HCS_OPTION_PATH_LIST:
      {
        g_auto (GStrv) paths = g_strsplit (value, ";", -1);
        for (guint i = 0; paths[i]; i++)
          if (*g_strstrip (paths[i]) != '\0' && !g_path_is_absolute (paths[i]))
            return g_strdup_printf ("'%s' is not an absolute path", paths[i]);
        return NULL;
      }
    case HCS_OPTION_BOOLEAN:
      return hcs_gate_boolean_value (value) >= 0
                 ? NULL
                 : g_strdup_printf ("'%s' is not a boolean (true or false)", value);
    case HCS_OPTION_INTEGER:
      {
        gint64 number;
        if (!g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &number, NULL))
          return g_strdup_printf ("'%s' is not an integer", value);
        if (number < spec->minimum || number > spec->maximum)
          return g_strdup_printf ("%s is out of range (%" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ")",
                                  value, spec->minimum, spec->maximum);
        return NULL;
      }
    case HCS_OPTION_CHOICE:
      {
        g_autofree char *choices = NULL;
        if (g_strv_contains (spec->choices, value))
          return NULL;
        choices = g_strjoinv (", ", (char **) spec->choices);
        return g_strdup_printf ("'%s' is not one of %s", value, choices);
      }
    }
  return g_strdup ("has an unknown type");
}

gboolean
hcs_options_check_group (GKeyFile *options, const char *what, GPtrArray *specs,
                         const char *group, GError **error)
{
  g_auto (GStrv) keys = g_key_file_get_keys (options, group, NULL, NULL);

  for (guint i = 0; keys && keys[i]; i++)
    {
      const HcsOptionSpec *spec = hcs_option_spec_find (specs, group, keys[i]);
      g_autofree char *value = NULL;
      g_autofree char *problem = NULL;

      if (spec == NULL)
        {
          g_autoptr (GPtrArray) known = g_ptr_array_new ();
          g_autofree char *hint = NULL;

          for (guint j = 0; j < specs->len; j++)
            if (g_str_equal (((const HcsOptionSpec *) specs->pdata[j])->group, group))
              g_ptr_array_add (known, (gpointer) ((const HcsOptionSpec *) specs->pdata[j])->key);
          hint = did_you_mean (keys[i], known, "", "");
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "%s: [%s] %s: unknown key%s",
                       what, group, keys[i], hint);
          return FALSE;
        }
      /* Read as hcs_options_get_string() reads it, the raw value when that fails. */
      value = g_key_file_get_string (options, group, keys[i], NULL);
      if (value == NULL)
        value = g_key_file_get_value (options, group, keys[i], NULL);
      if (value == NULL)
        value = g_strdup ("");
      problem = value_problem (spec, g_strstrip (value));
      if (problem != NULL)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "%s: [%s] %s: %s", what, group,
                       keys[i], problem);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
hcs_options_check (GKeyFile *options, const char *what, GPtrArray *specs,
                   GHashTable *unchecked_groups, GError **error)
{
  g_auto (GStrv) groups = g_key_file_get_groups (options, NULL);

  for (guint i = 0; groups[i]; i++)
    {
      if (hcs_option_spec_find (specs, groups[i], NULL) != NULL)
        {
          if (!hcs_options_check_group (options, what, specs, groups[i], error))
            return FALSE;
        }
      else if (unchecked_groups == NULL || !g_hash_table_contains (unchecked_groups, groups[i]))
        {
          g_autoptr (GPtrArray) known = g_ptr_array_new ();
          g_autofree char *hint = NULL;
          GHashTableIter iter;
          gpointer name;

          for (guint j = 0; j < specs->len; j++)
            if (!g_ptr_array_find_with_equal_func (
                    known, ((const HcsOptionSpec *) specs->pdata[j])->group, g_str_equal, NULL))
              g_ptr_array_add (known, (gpointer) ((const HcsOptionSpec *) specs->pdata[j])->group);
          if (unchecked_groups != NULL)
            {
              g_hash_table_iter_init (&iter, unchecked_groups);
              while (g_hash_table_iter_next (&iter, &name, NULL))
                g_ptr_array_add (known, name);
            }
          hint = did_you_mean (groups[i], known, "[", "]");
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "%s: [%s]: unknown group, no plugin declares it%s", what,
                       groups[i], hint);
          return FALSE;
        }
    }
  return TRUE;
}
