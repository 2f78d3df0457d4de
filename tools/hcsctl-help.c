/* hcsctl-help.c: a verb's --help in runc's shape (NAME, USAGE,
 * DESCRIPTION, OPTIONS), its option lines made from the verb's own
 * GOptionEntry table so the help cannot drift from what is parsed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcsctl-private.h"

#include <stdio.h>
#include <string.h>

static gboolean
takes_value (const GOptionEntry *entry)
{
  return entry->arg != G_OPTION_ARG_NONE;
}

static const GOptionEntry *
find_long (const GOptionEntry *entries, const char *name, gsize length)
{
  for (const GOptionEntry *e = entries; e != NULL && e->long_name != NULL; e++)
    if (*e->long_name != '\0' && strlen (e->long_name) == length &&
        strncmp (e->long_name, name, length) == 0)
      return e;
  return NULL;
}

static const GOptionEntry *
find_short (const GOptionEntry *entries, char name)
{
  for (const GOptionEntry *e = entries; e != NULL && e->long_name != NULL; e++)
    if (e->short_name == name && name != '\0')
      return e;
  return NULL;
}

static gboolean
wants_help (int argc, char **argv, const GOptionEntry *entries, gboolean options_anywhere)
{
  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      const GOptionEntry *entry = NULL;

      if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h"))
        return TRUE;
      if (g_str_equal (arg, "--"))
        return FALSE;
      if (arg[0] != '-' || arg[1] == '\0')
        {
          if (options_anywhere)
            continue;
          return FALSE;
        }
      if (arg[1] == '-')
        {
          if (strchr (arg, '=') == NULL)
            entry = find_long (entries, arg + 2, strlen (arg + 2));
        }
      else if (arg[2] == '\0')
        entry = find_short (entries, arg[1]);
      if (entry != NULL && takes_value (entry))
        i++;
    }
  return FALSE;
}

/* Options come first (strict POSIX, as the verbs parse): a -h or --help
 * before the first operand or "--" asks for help, one after it belongs
 * to the operands (`exec ID sh -h`). */
gboolean
hcsctl_wants_help (int argc, char **argv, const GOptionEntry *entries)
{
  return wants_help (argc, argv, entries, FALSE);
}

/* The layer and network verbs take options among their operands (GOption's
 * default order): -h or --help anywhere before "--" asks for help there
 * (`layer rm ID --help`). */
gboolean
hcsctl_wants_help_anywhere (int argc, char **argv, const GOptionEntry *entries)
{
  return wants_help (argc, argv, entries, TRUE);
}

static void
print_indented (GString *out, const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    g_string_append_printf (out, "%s%s\n", *lines[i] ? "   " : "", lines[i]);
}

void
hcsctl_print_help (const HcsctlHelp *help, const GOptionEntry *entries)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) texts = g_ptr_array_new ();
  gsize width = 0;

  g_string_append_printf (out, "NAME:\n   hcsctl %s - %s\n\nUSAGE:\n   hcsctl %s%s%s%s\n",
                          help->name, help->summary, help->name,
                          entries != NULL && entries->long_name != NULL &&
                                  *entries->long_name != '\0'
                              ? " [command options]"
                              : "",
                          help->parameters && *help->parameters ? " " : "",
                          help->parameters ? help->parameters : "");
  if (help->description != NULL)
    {
      g_string_append (out, "\nDESCRIPTION:\n");
      print_indented (out, help->description);
    }

  for (const GOptionEntry *e = entries; e != NULL && e->long_name != NULL; e++)
    {
      const char *value = e->arg_description ? e->arg_description : "value";
      g_autoptr (GString) name = g_string_new (NULL);

      if (*e->long_name == '\0' || (e->flags & G_OPTION_FLAG_HIDDEN))
        continue; /* G_OPTION_REMAINING */
      /* runc's "--bundle value, -b value", the value named once. */
      g_string_append_printf (name, "--%s", e->long_name);
      if (e->short_name != '\0')
        g_string_append_printf (name, ", -%c", e->short_name);
      if (takes_value (e))
        g_string_append_printf (name, " %s", value);
      width = MAX (width, (gsize) g_utf8_strlen (name->str, -1));
      g_ptr_array_add (texts, (gpointer) (e->description ? e->description : ""));
      g_ptr_array_add (names, g_string_free (g_steal_pointer (&name), FALSE));
    }
  g_ptr_array_add (names, g_strdup ("--help, -h"));
  g_ptr_array_add (texts, (gpointer) "show help");
  width = MAX (width, strlen ("--help, -h"));

  g_string_append (out, "\nOPTIONS:\n");
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      gsize pad = width - (gsize) g_utf8_strlen (name, -1);
      g_string_append_printf (out, "   %s%*s  %s\n", name, (int) pad, "",
                              (const char *) texts->pdata[i]);
    }
  fputs (out->str, stdout);
}

/* @entries narrowed to the long names in @names (space-separated). */
static GArray *
select_entries (const GOptionEntry *entries, const char *names)
{
  g_auto (GStrv) wanted = g_strsplit (names ? names : "", " ", -1);
  GArray *selected = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));

  for (const GOptionEntry *e = entries; e != NULL && e->long_name != NULL; e++)
    if (g_strv_contains ((const char *const *) wanted, e->long_name))
      g_array_append_val (selected, *e);
  return selected;
}

const HcsctlSubcommand *
hcsctl_find_subcommand (const HcsctlSubcommand *table, gsize length, const char *name)
{
  for (gsize i = 0; i < length; i++)
    if (g_str_equal (strchr (table[i].help.name, ' ') + 1, name))
      return &table[i];
  return NULL;
}

void
hcsctl_print_subcommand_help (const HcsctlSubcommand *command, const GOptionEntry *entries)
{
  g_autoptr (GArray) selected = select_entries (entries, command->options);

  hcsctl_print_help (&command->help, (const GOptionEntry *) selected->data);
}
