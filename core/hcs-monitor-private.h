/* hcs-monitor-private.h: what the per-system monitor (hcs-monitor.c) and
 * its clients (hcs-remote.c) say to each other over the bridge protocol.
 *
 * The monitor holds one compute system: it is started by the creating
 * client, creates the system through the host's plugins in its own
 * process, and serves it on STATE_DIR/systems/ID/monitor.sock (a path
 * socket, mode 0600) with the compute-system protocol (hcs-protocol.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs.h"

G_BEGIN_DECLS

#define HCS_MONITOR_SOCKET_NAME "monitor.sock"
#define HCS_MONITOR_EVENTS_NAME "events.json"

/* Client side (hcs-remote.c). */
/* Spawns a monitor that creates the system; returns the remote once the
 * system exists (or the monitor's error). */
HcsContainer *hcs_remote_container_create (HcsState *state, GKeyFile *options, const char *id,
                                           const HcsContainerConfig *config,
                                           GKeyFile *system_options, GError **error);
/* Connects to a system's monitor. HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST
 * when there is no monitor socket, HCS_ERROR_UNEXPECTED_EXIT when nobody
 * answers on it (the monitor was killed). */
HcsContainer *hcs_remote_container_open (HcsState *state, const char *id, GError **error);
/* A system whose monitor was killed, seen through its driver (@lost):
 * reported stopped with ExitType "MonitorLost", and removable. */
HcsContainer *hcs_remote_container_new_lost (const char *id, HcsContainer *lost);

G_END_DECLS
