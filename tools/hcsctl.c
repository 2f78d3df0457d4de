/* hcsctl.c: the command line front end of hcs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "hcsctl-private.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

static const HcsctlCommand commands[] = {
  { "run", "[OPTION…] [-- COMMAND [ARG…]]",
    "Run a container in the foreground and exit with its exit code", hcsctl_cmd_run },
  { "layer", "COMMAND …", "Import, export, list and remove image layers", hcsctl_cmd_layer },
  { "network", "COMMAND …", "Create, list and remove host networks", hcsctl_cmd_network },
  { "endpoint", "COMMAND …", "Create, attach, map ports of and remove endpoints",
    hcsctl_cmd_endpoint },
  { "isolations", "", "List the isolation modes the loaded plugins provide",
    hcsctl_cmd_isolations },
  { "image", "default", "Build (once) and print the built-in default root file system",
    hcsctl_cmd_image },
};

int
hcsctl_fail (const char *verb, const GError *error)
{
  g_printerr ("hcsctl: %s: %s\n", verb, error ? error->message : "failed");
  return 1;
}

HcsHost *
hcsctl_open_host (HcsctlGlobals *globals, GError **error)
{
  HcsHost *host;

  if (globals->options_file != NULL)
    host = hcs_host_new_from_file (globals->options_file, error);
  else
    host = hcs_host_new (NULL, error);
  if (host != NULL && globals->debug)
    for (const char *const *e = hcs_host_get_plugin_errors (host); *e; e++)
      g_printerr ("hcsctl: %s\n", *e);
  return host;
}

int
hcsctl_cmd_isolations (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_auto (GStrv) isolations = NULL;

  if (argc > 1 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      g_print ("Usage: hcsctl isolations\n\n"
               "Lists the isolation modes that the loaded plugins provide, then the\n"
               "plugins that were skipped and why.\n");
      return 0;
    }
  host = hcsctl_open_host (globals, &error);
  if (host == NULL)
    return hcsctl_fail ("isolations", error);
  isolations = hcs_host_list_isolations (host);
  for (guint i = 0; isolations[i]; i++)
    g_print ("%s\n", isolations[i]);
  for (const char *const *e = hcs_host_get_plugin_errors (host); *e; e++)
    g_printerr ("skipped: %s\n", *e);
  return 0;
}

int
hcsctl_cmd_image (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  if (argc != 2 || !g_str_equal (argv[1], "default"))
    {
      g_print ("Usage: hcsctl image default\n\n"
               "Builds (the first time) the default root file system from the host's\n"
               "static busybox under " HCS_DEFAULT_IMAGE_DIR " and prints its path.\n");
      return argc == 2 && g_str_equal (argv[1], "--help") ? 0 : 2;
    }
  path = hcs_image_ensure_default (NULL, NULL, &error);
  if (path == NULL)
    return hcsctl_fail ("image", error);
  g_print ("%s\n", path);
  return 0;
}

static void
print_usage (FILE *stream)
{
  fprintf (stream,
           "Usage: hcsctl [--options FILE] [--debug] COMMAND [ARG…]\n\n"
           "hcs: compute systems with the isolation asked for (process, hyperv, lcow).\n\n"
           "Commands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-12s %s\n", commands[i].name, commands[i].summary);
  fprintf (stream,
           "\nGlobal options:\n"
           "  --options FILE  runtime options (GKeyFile; every option has a default)\n"
           "  --debug         report plugins that were skipped\n"
           "  --version       print the version\n"
           "  --help          this text; COMMAND --help for a command's\n");
}

int
main (int argc, char **argv)
{
  HcsctlGlobals globals = { 0 };
  int first = 1;

  setlocale (LC_ALL, "");

  while (first < argc && argv[first][0] == '-')
    {
      const char *arg = argv[first];

      if (g_str_equal (arg, "--version") || g_str_equal (arg, "-v"))
        {
          g_print ("hcsctl version %s\n", HCS_VERSION);
          return 0;
        }
      if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h"))
        {
          print_usage (stdout);
          return 0;
        }
      if (g_str_equal (arg, "--debug"))
        globals.debug = TRUE;
      else if (g_str_equal (arg, "--options") && first + 1 < argc)
        globals.options_file = argv[++first];
      else if (g_str_has_prefix (arg, "--options="))
        globals.options_file = (char *) arg + strlen ("--options=");
      else
        {
          g_printerr ("hcsctl: unknown option '%s'\n", arg);
          print_usage (stderr);
          return 2;
        }
      first++;
    }

  if (first >= argc)
    {
      print_usage (stderr);
      return 2;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[first], commands[i].name))
      return commands[i].run (&globals, argc - first, argv + first);
  if (g_str_equal (argv[first], "help"))
    {
      print_usage (stdout);
      return 0;
    }
  g_printerr ("hcsctl: unknown command '%s' (see hcsctl --help)\n", argv[first]);
  return 2;
}
