/* hcsctl.c: the command line front end of hcs: its full path, the program
 * hcsctl-full that hcsctl (hcsctl-front.c) execs for every verb its front
 * does not serve itself.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "hcsctl-private.h"

#include <locale.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <string.h>

static int run_either (HcsctlGlobals *globals, int argc, char **argv);

static const HcsctlCommand commands[] = {
  { "run", "[OPTION…] [-- COMMAND [ARG…]]",
    "Run a container in the foreground and exit with its exit code\n"
    "               (runc's form too: run [-d] [--bundle DIR] CONTAINER-ID)", run_either },
  { "layer", "COMMAND …", "Import, export, list and remove image layers", hcsctl_cmd_layer },
  { "network", "COMMAND …", "Create, list and remove host networks", hcsctl_cmd_network },
  { "endpoint", "COMMAND …", "Create, attach, map ports of and remove endpoints",
    hcsctl_cmd_endpoint },
  { "hns", "METHOD PATH [BODY|-]", "HNS's JSON request API (GET/POST/DELETE /networks/, /endpoints/)",
    hcsctl_cmd_hns },
  { "isolations", "", "List the isolation modes the loaded plugins provide",
    hcsctl_cmd_isolations },
  { "image", "default", "Build (once) and print the built-in default root file system",
    hcsctl_cmd_image },
  /* runc's command line */
  { "create", "[--bundle DIR] [--pid-file F] [--console-socket S] ID",
    "Create a container from an OCI bundle (runc create)", hcsctl_cmd_create },
  { "start", "ID", "Start a created container (runc start)", hcsctl_cmd_start },
  { "state", "ID", "Print a container's OCI state JSON", hcsctl_cmd_state },
  { "kill", "[--all] ID [SIGNAL]", "Send a signal (default TERM) to the init", hcsctl_cmd_kill },
  { "delete", "[--force] ID", "Delete a stopped (or, forced, any) container",
    hcsctl_cmd_delete },
  { "exec", "[OPTION…] ID COMMAND…", "Run a process in a running container", hcsctl_cmd_exec },
  { "ps", "[--format json] ID", "List a container's processes", hcsctl_cmd_ps },
  { "pause", "ID", "Freeze every process of a container", hcsctl_cmd_pause },
  { "resume", "ID", "Thaw a paused container", hcsctl_cmd_resume },
  { "list", "[--format table|json] [-q]", "List containers", hcsctl_cmd_list },
  { "events", "[--stats] [--interval D] ID", "Print resource statistics", hcsctl_cmd_events },
  { "update", "[OPTION…] ID", "Change the resource limits of a container", hcsctl_cmd_update },
  { "spec", "[--bundle DIR]", "Write a default config.json", hcsctl_cmd_spec },
  { "features", "", "Print what this runtime supports (JSON)", hcsctl_cmd_features },
  { "checkpoint", "ID", "Refused: no CRIU (runc checkpoint)", hcsctl_cmd_checkpoint },
  { "restore", "ID", "Refused: no CRIU (runc restore)", hcsctl_cmd_restore },
};

/* `run` is ours (`run [OPTION…] -- COMMAND`) or runc's (`run [-d] [--bundle
 * DIR] ID`), told apart as the front tells them. */
static int
run_either (HcsctlGlobals *globals, int argc, char **argv)
{
  if (hcsctl_run_is_runc_form (argc, argv))
    return hcsctl_cmd_oci_run (globals, argc, argv);
  return hcsctl_cmd_run (globals, argc, argv);
}

int
hcsctl_fail (const char *verb, const GError *error)
{
  return hcsctl_log_error (verb, error ? error->message : "failed");
}

HcsHost *
hcsctl_open_host (HcsctlGlobals *globals, GError **error)
{
  HcsHost *host;

  if (globals->root != NULL)
    {
      /* runc's --root is our state folder, over whatever the options say. */
      g_autoptr (GKeyFile) options = g_key_file_new ();
      g_autoptr (GError) local_error = NULL;
      g_autofree char *root = g_canonicalize_filename (globals->root, NULL);

      if (globals->options_file != NULL &&
          !g_key_file_load_from_file (options, globals->options_file, G_KEY_FILE_NONE,
                                      &local_error))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "runtime options %s: %s",
                       globals->options_file, local_error->message);
          return NULL;
        }
      g_key_file_set_string (options, "host", "state-dir", root);
      host = hcs_host_new (options, error);
    }
  else if (globals->options_file != NULL)
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

  static const HcsctlHelp help = {
    "isolations", "", "list the isolation modes the loaded plugins provide",
    "Prints the isolation modes (process, hyperv, lcow) that the loaded plugins\n"
    "provide, one a line, then on stderr the plugins that were skipped and why."
  };

  if (hcsctl_wants_help (argc, argv, NULL))
    {
      hcsctl_print_help (&help, NULL);
      return 0;
    }
  if (argc > 1)
    {
      g_printerr ("hcsctl: isolations: unexpected argument '%s'\n", argv[1]);
      return 2;
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

  static const HcsctlHelp help = {
    "image", "default", "print the built-in default root file system",
    "Builds (the first time) the default root file system from the host's\n"
    "static busybox under " HCS_DEFAULT_IMAGE_DIR " and prints its path."
  };

  if (hcsctl_wants_help (argc, argv, NULL))
    {
      hcsctl_print_help (&help, NULL);
      return 0;
    }
  if (argc != 2 || !g_str_equal (argv[1], "default"))
    {
      if (argc > 1 && argv[1][0] == '-')
        g_printerr ("hcsctl: image: unknown option '%s'\n", argv[1]);
      else
        g_printerr ("hcsctl: image: expected \"default\" (see hcsctl image --help)\n");
      return 2;
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
           "  --root DIR      the state folder ([host] state-dir; runc's --root)\n"
           "  --log FILE      also write errors to FILE; --log-format text|json\n"
           "  --systemd-cgroup accepted; cgroupfs is used\n"
           "  --version       print the version\n"
           "  --help          this text; COMMAND --help for a command's\n");
}

/* The full path (hcsctl-common.h): every verb the front does not serve. */
int
hcsctl_full_main (HcsctlGlobals *globals, int argc, char **argv)
{
  hcsctl_set_globals (globals);
  if (argc < 1)
    {
      print_usage (stderr);
      return 2;
    }
  if (g_str_equal (argv[0], "--help") || g_str_equal (argv[0], "help"))
    {
      print_usage (stdout);
      return 0;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[0], commands[i].name))
      return commands[i].run (globals, argc, argv);
  g_printerr ("hcsctl: unknown command '%s' (see hcsctl --help)\n", argv[0]);
  return 2;
}

/* hcsctl's command line, as the front (hcsctl-front.c) passes it on. */
int
main (int argc, char **argv)
{
  HcsctlGlobals globals = { 0 };
  int first;

  /* As the front: the user's character set and messages, C otherwise. */
  setlocale (LC_CTYPE, "");
  setlocale (LC_MESSAGES, "");
  hcsctl_set_globals (&globals);
  /* It is hcsctl to whoever looks (ps, pidof, the tests' thread names):
   * the exec named it after its file. */
  prctl (PR_SET_NAME, "hcsctl");

  switch (hcsctl_parse_globals (argc, argv, &globals, &first))
    {
    case HCSCTL_GLOBALS_VERSION:
      hcsctl_print_version ();
      return 0;
    case HCSCTL_GLOBALS_HELP:
      print_usage (stdout);
      return 0;
    case HCSCTL_GLOBALS_UNKNOWN:
      g_printerr ("hcsctl: unknown option '%s'\n", argv[first]);
      print_usage (stderr);
      return 2;
    case HCSCTL_GLOBALS_BAD_VALUE:
      return 2;
    case HCSCTL_GLOBALS_PARSED:
      break;
    }
  return hcsctl_full_main (&globals, argc - first, argv + first);
}
