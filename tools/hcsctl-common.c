/* hcsctl-common.c: what hcsctl's front and full path share (GLib only,
 * built into both: hcsctl-common.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "hcsctl-common.h"

#include <signal.h>
#include <string.h>
#include <stdio.h>

static HcsctlGlobals *the_globals;

void
hcsctl_set_globals (HcsctlGlobals *globals)
{
  the_globals = globals;
}

/* "--name VALUE" or "--name=VALUE" at argv[*index]; @value may be NULL
 * for options that are accepted and ignored. */
static gboolean
global_value (int argc, char **argv, int *index, const char *name, char **value)
{
  const char *arg = argv[*index];
  gsize length = strlen (name);
  char *found;

  if (strncmp (arg, name, length) != 0)
    return FALSE;
  if (arg[length] == '=')
    found = (char *) arg + length + 1;
  else if (arg[length] == '\0' && *index + 1 < argc)
    found = argv[++*index];
  else
    return FALSE;
  if (value != NULL)
    *value = found;
  return TRUE;
}

HcsctlGlobalsResult
hcsctl_parse_globals (int argc, char **argv, HcsctlGlobals *globals, int *first)
{
  char *log_format = NULL;

  for (*first = 1; *first < argc && argv[*first][0] == '-'; ++*first)
    {
      const char *arg = argv[*first];

      if (g_str_equal (arg, "--version") || g_str_equal (arg, "-v"))
        return HCSCTL_GLOBALS_VERSION;
      if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h"))
        return HCSCTL_GLOBALS_HELP;
      if (g_str_equal (arg, "--debug"))
        globals->debug = TRUE;
      else if (g_str_equal (arg, "--systemd-cgroup") || g_str_equal (arg, "--rootless=false"))
        ; /* accepted as runc does; cgroupfs is used where systemd is absent */
      else if (global_value (argc, argv, first, "--root", &globals->root) ||
               global_value (argc, argv, first, "--log", &globals->log_file) ||
               global_value (argc, argv, first, "--criu", NULL) ||
               global_value (argc, argv, first, "--rootless", NULL))
        ;
      else if (global_value (argc, argv, first, "--log-format", &log_format))
        {
          if (!g_str_equal (log_format, "json") && !g_str_equal (log_format, "text"))
            {
              g_printerr ("hcsctl: --log-format: expected text or json\n");
              return HCSCTL_GLOBALS_BAD_VALUE;
            }
          globals->log_json = g_str_equal (log_format, "json");
        }
      else if (g_str_equal (arg, "--options") && *first + 1 < argc)
        globals->options_file = argv[++*first];
      else if (g_str_has_prefix (arg, "--options="))
        globals->options_file = (char *) arg + strlen ("--options=");
      else
        return HCSCTL_GLOBALS_UNKNOWN;
    }
  return HCSCTL_GLOBALS_PARSED;
}

void
hcsctl_print_version (void)
{
  g_print ("hcsctl version %s\nspec: %s\n", HCS_VERSION, HCSCTL_OCI_VERSION);
}

void
hcsctl_append_json_string (GString *out, const char *value)
{
  g_string_append_c (out, '"');
  for (const char *p = value ? value : ""; *p; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

int
hcsctl_log_error (const char *verb, const char *message)
{
  g_printerr ("hcsctl: %s: %s\n", verb, message);
  if (the_globals != NULL && the_globals->log_file != NULL)
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *time = g_date_time_format_iso8601 (now);
      g_autoptr (GString) line = g_string_new (NULL);
      FILE *log = fopen (the_globals->log_file, "ae");

      if (the_globals->log_json)
        {
          g_autofree char *text = g_strdup_printf ("%s: %s", verb, message);

          /* runc's logrus line; written by hand so the front needs no
           * JSON library. */
          g_string_append (line, "{\"level\":\"error\",\"msg\":");
          hcsctl_append_json_string (line, text);
          g_string_append (line, ",\"time\":");
          hcsctl_append_json_string (line, time);
          g_string_append_c (line, '}');
        }
      else
        g_string_printf (line, "time=\"%s\" level=error msg=\"%s: %s\"", time, verb, message);
      if (log != NULL)
        {
          fprintf (log, "%s\n", line->str);
          fclose (log);
        }
    }
  return 1;
}

int
hcsctl_parse_signal (const char *text)
{
  static const struct {
    const char *name;
    int number;
  } signals[] = {
    { "HUP", SIGHUP },   { "INT", SIGINT },   { "QUIT", SIGQUIT }, { "ILL", SIGILL },
    { "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "BUS", SIGBUS },   { "FPE", SIGFPE },
    { "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
    { "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "CHLD", SIGCHLD },
    { "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
    { "TTOU", SIGTTOU }, { "URG", SIGURG },   { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
    { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
    { "PWR", SIGPWR },   { "SYS", SIGSYS },
  };
  g_autofree char *upper = g_ascii_strup (text, -1);
  const char *name = upper;
  char *end;
  guint64 number;

  number = g_ascii_strtoull (text, &end, 10);
  if (*text != '\0' && *end == '\0')
    return number >= 1 && number <= 64 ? (int) number : -1;
  if (g_str_has_prefix (name, "SIG"))
    name += 3;
  for (gsize i = 0; i < G_N_ELEMENTS (signals); i++)
    if (g_str_equal (name, signals[i].name))
      return signals[i].number;
  return -1;
}

char *
hcsctl_format_time (gint64 unix_us)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (unix_us / G_USEC_PER_SEC);
  g_autofree char *seconds = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%06dZ", seconds, (int) (unix_us % G_USEC_PER_SEC));
}

gboolean
hcsctl_run_is_runc_form (int argc, char **argv)
{
  static const char *const runc_options[] = { "-b", "--bundle", "-d", "--detach", "--pid-file",
                                              "--console-socket", "--keep", "--no-pivot",
                                              "--no-new-keyring", "--preserve-fds", NULL };
  guint positional = 0;

  for (int i = 1; i < argc; i++)
    {
      g_autofree char *name = g_strndup (argv[i], strcspn (argv[i], "="));

      if (g_str_equal (argv[i], "--"))
        return FALSE;
      if (g_strv_contains (runc_options, name))
        return TRUE;
      if (argv[i][0] != '-')
        positional++;
    }
  return positional == 1 && g_file_test ("config.json", G_FILE_TEST_EXISTS);
}
