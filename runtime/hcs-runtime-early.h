/* hcs-runtime-early.h: a create's helper started before its spec exists.
 *
 * hcsctl's front starts the helper for `create` and `run` before it loads
 * its full path (libhcs, GIO, json-glib, the argon plugin), so that the
 * helper's exec and start (a process start, 3 to 5 ms of CPU on these
 * VMs) run on the other CPU while the full path loads; the helper then
 * waits on its spec pipe. The full path hands it to the argon plugin's
 * create (HcsProcessConfig's early_helper_*), whose launch writes the spec
 * to it instead of spawning one (hcs_runtime_launch), or discards it and
 * spawns afresh when it does not fit.
 *
 * The helper is exec'd exactly as hcs_runtime_launch() execs it
 * (hcs-runtime-spawn.h: from a read-only view, CVE-2019-5736), in create
 * mode, with the caller's own 0, 1, 2 as its stdio (inherit_stdio) and no
 * console channel. Whoever holds it and gives up discards it: killed,
 * reaped, every end closed. A helper whose holder dies reads end of file
 * as its spec and exits.
 *
 * GLib only: linked by hcsctl's front and by the runtime.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  GPid pid;          /* our child, waiting for its spec; 0: none */
  int spec_fd;       /* our end of its spec (its fd 3) */
  int status_fd;     /* of its status (4) */
  int start_fd;      /* of its start byte (5) */
  int view_fd;       /* the read-only view it was exec'd from */
  char *helper_path; /* what it was exec'd as */
} HcsRuntimeEarlyHelper;

#define HCS_RUNTIME_EARLY_HELPER_INIT { 0, -1, -1, -1, -1, NULL }

/* Spawns the helper at @helper_path in create mode, with our 0, 1, 2. */
gboolean hcs_runtime_early_helper_start (const char *helper_path, HcsRuntimeEarlyHelper *early,
                                         GError **error);
/* Kills and reaps the helper and closes every end: a holder that gives it
 * up. Nothing if @early holds none. */
void hcs_runtime_early_helper_discard (HcsRuntimeEarlyHelper *early);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HcsRuntimeEarlyHelper, hcs_runtime_early_helper_discard)

G_END_DECLS
