/* hcsctl-common.h: what hcsctl's front (hcsctl-front.c, GLib only) and its
 * full path (the module libhcsctl-full.so, everything else) share: the
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

/* The full path's entry point in libhcsctl-full.so: @argv[0] is the verb
 * (@argc 0: print the usage on stderr and return 2; "--help": on stdout).
 * @abi is HCSCTL_FULL_ABI, so that a front never runs a module of another
 * build's layout. */
#define HCSCTL_FULL_ABI 1
#define HCSCTL_FULL_LIBRARY "libhcsctl-full.so"
#define HCSCTL_FULL_ENTRY "hcsctl_full_main"
typedef int (*HcsctlFullMain) (int abi, HcsctlGlobals *globals, int argc, char **argv);

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
