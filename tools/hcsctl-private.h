/* hcsctl-private.h: what the verbs of hcsctl share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs.h"

typedef struct {
  char *options_file;  /* --options FILE: runtime options (GKeyFile) */
  gboolean debug;
  char *root;          /* --root DIR: the state folder (runc's --root) */
  char *log_file;      /* --log FILE: errors also go there (runc's --log) */
  gboolean log_json;   /* --log-format json */
} HcsctlGlobals;

typedef struct {
  const char *name;
  const char *parameters;
  const char *summary;
  int (*run) (HcsctlGlobals *globals, int argc, char **argv);
} HcsctlCommand;

/* Prints "hcsctl: VERB: MESSAGE" on stderr; returns the exit code 1. */
int hcsctl_fail (const char *verb, const GError *error);
HcsHost *hcsctl_open_host (HcsctlGlobals *globals, GError **error);
/* Prints "hcsctl: VERB: MESSAGE" on stderr and, with --log, appends it to
 * the log file (as runc's JSON lines with --log-format json, which conmon
 * and containerd read back). Returns the exit code 1. */
int hcsctl_log_error (const char *verb, const char *message);

/* runc's verbs (hcsctl-oci.c). */
int hcsctl_cmd_create (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_start (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_oci_run (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_state (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_list (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_ps (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_kill (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_delete (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_pause (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_resume (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_exec (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_update (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_events (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_spec (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_features (HcsctlGlobals *globals, int argc, char **argv);

gboolean hcsctl_attach_and_wait (HcsContainer *container, HcsProcess *process, gboolean tty,
                                 gboolean start, int *exit_code, GError **error);
int hcsctl_cmd_run (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_isolations (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_layer (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_network (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_endpoint (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_hns (HcsctlGlobals *globals, int argc, char **argv);
HcsNetwork *hcsctl_find_network (HcsHost *host, const char *id_or_name, GError **error);
int hcsctl_cmd_image (HcsctlGlobals *globals, int argc, char **argv);
