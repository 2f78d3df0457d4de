/* hcsctl-front.h: what hcsctl's front (hcsctl-front.c, the dispatch) shares
 * with the verbs it serves from files of their own. GLib only.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs-gate.h"
#include "hcsctl-common.h"

/* A verb's answer when it leaves the command to the full path. */
#define HCSCTL_FRONT_DECLINED (-1)

/* The gate of @id, if the front may act on it: a valid id, the state
 * folder found as the full path finds it, a gate it trusts, argon's. */
gboolean hcsctl_front_open_gate (HcsctlGlobals *globals, const char *id, HcsGate *gate);

/* Whether the bundle's config.json is the one the gate recorded the hooks
 * of (the full path reads them again when it is not). */
gboolean hcsctl_front_config_unchanged (const HcsGate *gate);

/* `delete [-f|--force] ID` of a container whose gate says all a delete
 * must undo (hcsctl-front-delete.c); anything else is
 * HCSCTL_FRONT_DECLINED. @argv[0] is "delete". */
int hcsctl_front_delete (HcsctlGlobals *globals, int argc, char **argv);
/* `create [-b|--bundle DIR] [--pid-file FILE] ID` of a bundle whose
 * config.json hcs_runtime_spec_new_for_oci_config translates, under
 * runtime options it reads as the full path does
 * (hcsctl-front-create.c); anything else is HCSCTL_FRONT_DECLINED, before
 * anything is made. @argv[0] is "create". */
int hcsctl_front_create (HcsctlGlobals *globals, int argc, char **argv);
/* `exec [--env N=V] [--cwd DIR] [--user U] ID COMMAND...` in the
 * foreground, without a terminal (hcsctl-front-exec.c); anything else
 * is HCSCTL_FRONT_DECLINED. @argv[0] is "exec". */
int hcsctl_front_exec (HcsctlGlobals *globals, int argc, char **argv);
