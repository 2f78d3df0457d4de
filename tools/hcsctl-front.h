/* hcsctl-front.h: what hcsctl's front (hcsctl-front.c, the dispatch) shares
 * with the verbs it serves from files of their own. GLib only.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs-gate.h"
#include "hcsctl-common.h"

#include <signal.h>

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
/* `run [-b|--bundle DIR] [--pid-file FILE] [-d|--detach] ID`, runc's
 * form, and hcs's own bare `run [--rootfs DIR] [--name NAME] [--]
 * COMMAND [ARG…]`, decided as the full path decides between them
 * (hcsctl-front-run.c); anything else is HCSCTL_FRONT_DECLINED, before
 * anything is made. @argv[0] is "run". */
int hcsctl_front_run (HcsctlGlobals *globals, int argc, char **argv);
/* `exec [--env N=V] [--cwd DIR] [--user U] ID COMMAND...` in the
 * foreground, without a terminal (hcsctl-front-exec.c); anything else
 * is HCSCTL_FRONT_DECLINED. @argv[0] is "exec". */
int hcsctl_front_exec (HcsctlGlobals *globals, int argc, char **argv);

/* The full path (the program hcsctl-full) exec'd with the command
 * line's global options and @argv, the verb first; returns only if the
 * exec failed, with the exit code 1. */
int hcsctl_front_run_full (HcsctlGlobals *globals, int argc, char **argv);

/* "--NAME VALUE", "--NAME=VALUE" or "-S VALUE" (@short_name, or NULL) at
 * argv[*index], moved past the value; FALSE for anything else or an empty
 * value. */
gboolean hcsctl_front_option_value (int argc, char **argv, int *index, const char *name,
                                    const char *short_name, const char **value);

/* runc's `create [-b|--bundle DIR] [--pid-file FILE] ID`, and with
 * @with_detach `run`'s -d|--detach too: the options, then the id, parsed
 * strictly (POSIX) as the full path parses them; FALSE for anything else,
 * the full path's to parse or refuse (hcsctl-front-create.c). */
typedef struct {
  const char *id;
  const char *bundle;
  const char *pid_file;
  gboolean detach;
} HcsctlFrontBundleArgs;
gboolean hcsctl_front_parse_bundle_args (int argc, char **argv, gboolean with_detach,
                                         HcsctlFrontBundleArgs *args);

/* argon's start of a created container through its start fifo
 * (hcsctl-front.c), errors logged for @verb; HCSCTL_FRONT_DECLINED when
 * its gate is not one the front trusts. */
int hcsctl_front_start (HcsctlGlobals *globals, const char *verb, const char *id);

/* --- a container the front made (hcsctl-front-create.c) --- */

typedef struct _HcsctlFrontContainer HcsctlFrontContainer;

/* runc's create of @id from @bundle (NULL: the current folder) as
 * hcsctl-oci.c's create_from_bundle() with @detached: claimed, made,
 * recorded (argon's records, oci.json, gate-oci, @pid_file), committed.
 * 0 and *@made on success; 1 when it failed after the claim (logged for
 * @verb, everything undone); HCSCTL_FRONT_DECLINED, nothing made, when
 * the full path must take it. Not detached, the init waits for
 * hcsctl_front_container_release(). */
int hcsctl_front_container_create (HcsctlGlobals *globals, const char *verb, const char *id,
                                   const char *bundle, const char *pid_file, gboolean detached,
                                   HcsctlFrontContainer **made);
/* hcs's own `run [--rootfs DIR] [--name NAME] -- ARGS` as
 * hcsctl_cmd_run() and argon make its container, not detached: @args in
 * @rootfs (NULL: the built-in image under [host] image-dir, declined when
 * not unpacked yet), named @name (or none), with our stdio, no exec
 * defaults, no records of hcsctl's own. Codes as
 * hcsctl_front_container_create(). */
int hcsctl_front_container_create_for_command (HcsctlGlobals *globals, const char *id,
                                               const char *name, const char *rootfs,
                                               const char *const *args,
                                               HcsctlFrontContainer **made);
/* Not detached: releases the init (argon_container_start()). */
gboolean hcsctl_front_container_release (HcsctlFrontContainer *container, GError **error);
/* The init signalled through its pidfd; an exited one is
 * HCS_ERROR_PROCESS_ALREADY_STOPPED. */
gboolean hcsctl_front_container_signal (HcsctlFrontContainer *container, int signum,
                                        GError **error);
/* Readable once the init exited (its pidfd). Not detached, the helper,
 * which mirrors the init's exit, may still be on its way out then: the
 * container can be removed meanwhile, and hcsctl_front_container_reap()
 * then waits for the helper and gives the exit code. */
int hcsctl_front_container_get_exit_fd (HcsctlFrontContainer *container);
int hcsctl_front_container_reap (HcsctlFrontContainer *container);
/* Every process of its cgroup killed, then its init waited for, at most
 * @timeout_ms (argon_container_terminate()). */
void hcsctl_front_container_terminate (HcsctlFrontContainer *container, int timeout_ms);
/* argon_container_remove() of a stopped container: the cgroup, the
 * folder. */
gboolean hcsctl_front_container_remove (HcsctlFrontContainer *container, GError **error);
/* hcs_container_discard(): the init killed and waited for, then removed. */
void hcsctl_front_container_discard (HcsctlFrontContainer *container);
const char *hcsctl_front_container_get_id (HcsctlFrontContainer *container);
void hcsctl_front_container_free (HcsctlFrontContainer *container);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HcsctlFrontContainer, hcsctl_front_container_free)

/* SIGINT, SIGTERM and SIGHUP caught into a pipe while the front waits for
 * a process of the container (hcsctl-front-signals.c): poll the read end,
 * pipe_fds[0], and send each on with hcsctl_front_signals_forward().
 * Initialise with HCSCTL_FRONT_SIGNALS_INIT. */
#define HCSCTL_FRONT_N_FORWARDED_SIGNALS 3
typedef struct {
  int pipe_fds[2];
  struct sigaction saved[HCSCTL_FRONT_N_FORWARDED_SIGNALS];
  gboolean caught;
} HcsctlFrontSignals;
#define HCSCTL_FRONT_SIGNALS_INIT { { -1, -1 }, { { { 0 } } }, FALSE }
typedef void (*HcsctlFrontSignalFunc) (int signum, gpointer data);

gboolean hcsctl_front_signals_catch (HcsctlFrontSignals *signals, GError **error);
/* Each signal caught so far, in order, to @forward. */
void hcsctl_front_signals_forward (HcsctlFrontSignals *signals, HcsctlFrontSignalFunc forward,
                                   gpointer data);
/* The dispositions of before, the pipe closed. */
void hcsctl_front_signals_release (HcsctlFrontSignals *signals);
