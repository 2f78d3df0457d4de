/* hcs-monitor-private.h: what the per-system monitor (hcs-monitor.c) and
 * its clients (hcs-remote.c) say to each other over the bridge protocol.
 *
 * The monitor holds one compute system: it is started by the creating
 * client, creates the system through the host's plugins in its own
 * process, and answers on STATE_DIR/systems/ID/monitor.sock (a path socket,
 * mode 0600). Every request body and reply is a JSON object; a reply with
 * "Error"/"ErrorCode" fails the call (hcs-bridge.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs.h"

G_BEGIN_DECLS

/* Category 0x001 (compute system), then the procedure. */
enum {
  HCS_MONITOR_START = 0x10010001,           /* {} */
  HCS_MONITOR_SHUTDOWN = 0x10010002,        /* {} */
  HCS_MONITOR_TERMINATE = 0x10010003,       /* {} */
  HCS_MONITOR_PAUSE = 0x10010004,           /* {} */
  HCS_MONITOR_RESUME = 0x10010005,          /* {} */
  HCS_MONITOR_PROPERTIES = 0x10010006,      /* {} -> ContainerProperties */
  HCS_MONITOR_STATISTICS = 0x10010007,      /* {} -> Statistics */
  HCS_MONITOR_PROCESS_LIST = 0x10010008,    /* {} -> {"ProcessList": [...]} */
  HCS_MONITOR_MODIFY = 0x10010009,          /* {"MemoryMaximumInMB": ...} */
  HCS_MONITOR_WAIT = 0x1001000a,            /* {"TimeoutMs": N|-1} -> {"Stopped": b} */
  HCS_MONITOR_REMOVE = 0x1001000b,          /* {} ; the monitor then exits */
  HCS_MONITOR_SUBSCRIBE = 0x1001000c,       /* {} -> {"Events": [past events]} */
  HCS_MONITOR_CREATE_PROCESS = 0x1001000d,  /* {"Config": ProcessConfig, "StdioFds": 0|3}
                                             * then the fds, each with
                                             * g_unix_connection_send_fd -> {"Pid": N} */
  HCS_MONITOR_PROCESS_SIGNAL = 0x1001000e,  /* {"Pid", "Signal"} */
  HCS_MONITOR_PROCESS_WAIT = 0x1001000f,    /* {"Pid", "TimeoutMs"} -> {"Exited", "ExitCode"} */
  HCS_MONITOR_PROCESS_RESIZE = 0x10010010,  /* {"Pid", "Width", "Height"} */
  HCS_MONITOR_ATTACH_CONSOLE = 0x10010011,  /* {"Pid"}: the monitor keeps each console
                                             * (pty master); this sends a copy of it
                                             * (g_unix_connection_send_fd) before the
                                             * reply, on a connection used for that alone */

  /* {"Sequence": N, "Event": "create"|"start"|"pause"|"resume"|"exit"|"delete",
   *  "Time": unix µs, "ExitCode": N (exit)} */
  HCS_MONITOR_EVENT = 0x30010001,
};

#define HCS_MONITOR_SOCKET_NAME "monitor.sock"
#define HCS_MONITOR_EVENTS_NAME "events.json"

/* STATE_DIR/systems/ID */
char *hcs_monitor_folder (GKeyFile *options, const char *id);

/* Client side (hcs-remote.c). */
/* Spawns a monitor that creates the system; returns the remote once the
 * system exists (or the monitor's error). */
HcsContainer *hcs_remote_container_create (GKeyFile *options, const char *id,
                                           const HcsContainerConfig *config,
                                           GKeyFile *system_options, GError **error);
/* Connects to a system's monitor. HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST
 * when there is no monitor socket, HCS_ERROR_UNEXPECTED_EXIT when nobody
 * answers on it (the monitor was killed). */
HcsContainer *hcs_remote_container_open (GKeyFile *options, const char *id, GError **error);
/* A system whose monitor was killed, seen through its driver (@lost):
 * reported stopped with ExitType "MonitorLost", and removable. */
HcsContainer *hcs_remote_container_new_lost (const char *id, HcsContainer *lost);

G_END_DECLS
