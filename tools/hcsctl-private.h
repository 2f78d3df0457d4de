/* hcsctl-private.h: what the verbs of hcsctl share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs.h"

typedef struct {
  char *options_file;  /* --options FILE: runtime options (GKeyFile) */
  gboolean debug;
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

int hcsctl_cmd_run (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_isolations (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_layer (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_network (HcsctlGlobals *globals, int argc, char **argv);
int hcsctl_cmd_endpoint (HcsctlGlobals *globals, int argc, char **argv);
HcsNetwork *hcsctl_find_network (HcsHost *host, const char *id_or_name, GError **error);
int hcsctl_cmd_image (HcsctlGlobals *globals, int argc, char **argv);
