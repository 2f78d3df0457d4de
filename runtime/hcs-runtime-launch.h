/* hcs-runtime-launch.h: the helper started with a spec, the caller's side
 * of the helper's descriptor protocol (the comment at the top of
 * hcs-runtime-helper.c).
 *
 * The helper is exec'd through a read-only view of itself (CVE-2019-5736),
 * with posix_spawn, from any thread; the call returns once it reported the
 * workload's pid (everything set up; a create waits for its start byte) or
 * its error. What happens to the helper afterwards (a child watch, a
 * detach) is the caller's.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "hcs-runtime-spec.h"

G_BEGIN_DECLS

typedef enum {
  HCS_RUNTIME_LAUNCH_CREATE, /* the init of a new container */
  HCS_RUNTIME_LAUNCH_EXEC,   /* a further process in a running one */
} HcsRuntimeLaunchMode;

typedef struct {
  GPid helper_pid;            /* our child */
  int pid;                    /* the workload, host pid */
  int status_fd;              /* the helper's status: kept open so it never sees EPIPE */
  int start_fd;               /* create: one byte lets the init exec its workload */
  int console_fd;             /* with a terminal: the pty master, made inside */
  char console_name[64];      /* and the slave's name inside */
  /* Set by the caller, or NULL: told the helper's pid as soon as it runs,
   * before it reads its spec (a create records it, so that a creator
   * killed then leaves it findable). */
  void (*spawned) (GPid helper_pid, gpointer data);
  /* Set by the caller, or NULL: given the read-only view the helper was
   * exec'd from (an fd) once the helper runs, right after spawned. Its
   * last close dissolves a detached mount and waits for an RCU grace
   * period (0.2 to 2.5 ms here, more under load), which a thread of the
   * caller's may wait for, off the container's way. NULL: closed once the
   * helper has reported, after the container's own set-up. */
  void (*release_view) (int view_fd, gpointer data);
  /* Set by the caller of a create, or NULL: told the init's pid as soon
   * as it exists (the spec's report_cloned is set for it), while the init
   * sets itself up, so that records of it are written meanwhile rather
   * than between its report and its release. FALSE with @error abandons
   * the create: the init is killed, the helper killed and reaped. */
  gboolean (*cloned) (int pid, gpointer data, GError **error);
  gpointer spawned_data;
  /* Between hcs_runtime_launch_start() and _finish(): the helper's spec
   * pipe, the view it was exec'd from (unless released) and, with a
   * terminal, the channel its console comes through. */
  int spec_fd;
  int view_fd;
  int console_channel_fd;
} HcsRuntimeLaunch;

#define HCS_RUNTIME_LAUNCH_INIT { 0, 0, -1, -1, -1, "", NULL, NULL, NULL, NULL, -1, -1, -1 }

/* Starts the helper at @helper_path with @spec; @stdio are what the
 * workload gets as 0, 1, 2 (-1: /dev/null; ignored with a terminal, whose
 * pty the helper makes inside). @what names the process in messages.
 * On failure nothing is left: the helper is killed and reaped. */
gboolean hcs_runtime_launch (const char *helper_path, HcsRuntimeLaunchMode mode,
                             const HcsRuntimeSpec *spec, const int stdio[3], const char *what,
                             HcsRuntimeLaunch *launch, GError **error);
/* hcs_runtime_launch() in two halves, so that a caller's own work (a
 * create's cgroups) runs while the helper starts (its exec, libc's
 * start-up): _start spawns the helper, which waits for its spec, and calls
 * spawned and release_view; _finish sends @spec (whose terminal is the
 * one given to _start) and waits for the report. A caller that gives up
 * in between calls hcs_runtime_launch_abandon(); if it dies instead, the
 * helper reads the end of its spec and exits. Each half leaves nothing on
 * failure. */
gboolean hcs_runtime_launch_start (const char *helper_path, HcsRuntimeLaunchMode mode,
                                   gboolean terminal, const int stdio[3], const char *what,
                                   HcsRuntimeLaunch *launch, GError **error);
gboolean hcs_runtime_launch_finish (HcsRuntimeLaunch *launch, const HcsRuntimeSpec *spec,
                                    const char *what, GError **error);
/* Closes what @launch holds (not the helper: that is the caller's). */
void hcs_runtime_launch_clear (HcsRuntimeLaunch *launch);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HcsRuntimeLaunch, hcs_runtime_launch_clear)
/* Kills and reaps the helper of a launch the caller gives up, and clears it. */
void hcs_runtime_launch_abandon (HcsRuntimeLaunch *launch);

G_END_DECLS
