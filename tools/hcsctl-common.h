/* hcsctl-common.h: what hcsctl's front (hcsctl-front.c, GLib only) and its
 * full path (the program hcsctl-full, everything else) share: the
 * global options, error reporting, signal names. GLib only.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

typedef struct {
  char *options_file;  /* --options FILE: runtime options (GKeyFile) */
  gboolean debug;
  char *root;          /* --root DIR: the state folder (runc's --root) */
  char *log_file;      /* --log FILE: errors also go there (runc's --log) */
  gboolean log_json;   /* --log-format json */
} HcsctlGlobals;

/* The runtime spec version hcsctl implements (`state`, `--version`). */
#define HCSCTL_OCI_VERSION "1.0.2"

/* The full path: the program hcsctl-full, found beside hcsctl (a build
 * folder) or in LIBEXECDIR, and exec'd with hcsctl's own command line.
 * @argv[0] is the verb (none: the usage on stderr, exit code 2;
 * "--help": on stdout). */
#define HCSCTL_FULL_PROGRAM "hcsctl-full"
int hcsctl_full_main (HcsctlGlobals *globals, int argc, char **argv);

/* What hcsctl_parse_globals() found. */
typedef enum {
  HCSCTL_GLOBALS_PARSED,     /* the verb is at *first (or none: *first is argc) */
  HCSCTL_GLOBALS_VERSION,    /* --version, -v */
  HCSCTL_GLOBALS_HELP,       /* --help, -h */
  HCSCTL_GLOBALS_UNKNOWN,    /* argv[*first] is no global option */
  HCSCTL_GLOBALS_BAD_VALUE,  /* said on stderr: exit code 2 */
} HcsctlGlobalsResult;

/* The global options before the verb, runc's and hcs's, into @globals
 * (which points into @argv): one parser, so that the front and the full
 * path read a command line alike. */
HcsctlGlobalsResult hcsctl_parse_globals (int argc, char **argv, HcsctlGlobals *globals,
                                          int *first);
/* runc's two lines: hcsctl's version, then the runtime spec's. */
void hcsctl_print_version (void);

/* Whose errors hcsctl_log_error() also writes to --log. */
void hcsctl_set_globals (HcsctlGlobals *globals);
/* Prints "hcsctl: VERB: MESSAGE" on stderr and, with --log, appends it to
 * the log file (as runc's JSON lines with --log-format json, which conmon
 * and containerd read back). Returns the exit code 1. */
int hcsctl_log_error (const char *verb, const char *message);
/* @value as a JSON string, quotes included, escaped as json-glib does. */
void hcsctl_append_json_string (GString *out, const char *value);
/* "KILL", "SIGKILL", "kill", "9": the number, or -1. */
int hcsctl_parse_signal (const char *text);
/* runc's time format of unix µs: 2006-01-02T15:04:05.000000Z. */
char *hcsctl_format_time (gint64 unix_us);

/* Whether `run` @argv (argv[0] "run") is runc's `run [-d] [--bundle DIR]
 * ID` rather than hcs's own `run [OPTION…] -- COMMAND`: one of runc's
 * options, or a lone id with a config.json in the current folder; a "--"
 * first makes it hcs's. The full path and the front decide with it. */
gboolean hcsctl_run_is_runc_form (int argc, char **argv);
