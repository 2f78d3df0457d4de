/* hcsctl-private.h: what the verbs of hcsctl share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs.h"
#include "hcsctl-common.h"

typedef struct {
  const char *name;
  const char *parameters;
  const char *summary;
  int (*run) (HcsctlGlobals *globals, int argc, char **argv);
} HcsctlCommand;

/* A verb's --help: printed in runc's shape by hcsctl_print_help(). */
typedef struct {
  const char *name;        /* "create", "layer import" */
  const char *parameters;  /* the operands after the options: "<container-id>" */
  const char *summary;     /* one line, lower case, as runc's */
  const char *description; /* paragraphs, or NULL */
} HcsctlHelp;

/* Whether -h or --help comes among the options of argv[1…] (before the
 * first operand or "--"); @entries say which options take a value. */
gboolean hcsctl_wants_help (int argc, char **argv, const GOptionEntry *entries);
/* The same for verbs whose options may follow operands (layer, network):
 * -h or --help anywhere before "--". */
gboolean hcsctl_wants_help_anywhere (int argc, char **argv, const GOptionEntry *entries);
/* Prints NAME, USAGE, DESCRIPTION and OPTIONS (from @entries, which may be
 * NULL) on stdout. */
void hcsctl_print_help (const HcsctlHelp *help, const GOptionEntry *entries);

/* A command of a group (layer, network, endpoint): its help, and which of
 * the group's options it takes (long names, space-separated). */
typedef struct {
  HcsctlHelp help;   /* name: "layer import" */
  const char *options;
} HcsctlSubcommand;

const HcsctlSubcommand *hcsctl_find_subcommand (const HcsctlSubcommand *table, gsize length,
                                                const char *name);
void hcsctl_print_subcommand_help (const HcsctlSubcommand *command, const GOptionEntry *entries);

/* Prints "hcsctl: VERB: MESSAGE" on stderr; returns the exit code 1. */
int hcsctl_fail (const char *verb, const GError *error);
HcsHost *hcsctl_open_host (HcsctlGlobals *globals, GError **error);

/* runc's verbs (hcsctl-oci.c); the help of one of them by name. */
const HcsctlHelp *hcsctl_oci_help (const char *verb);
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
int hcsctl_cmd_checkpoint (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_restore (HcsctlGlobals *globals, int argc, char **argv);


gboolean hcsctl_catch_signals_early (GError **error);
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
