/* hcs-runtime-spawn.h: the GLib-only part of starting the helper, shared
 * by hcs-runtime-launch.c (libhcs's side: the plugin's create and exec)
 * and hcsctl's front (`exec` without GIO, json-glib or libhcs), so that
 * both exec the helper the same way: through a read-only view of itself
 * (CVE-2019-5736), with posix_spawn, nothing of the caller's leaking in.
 *
 * Errors are G_SPAWN_ERROR or G_FILE_ERROR with errno's text; the callers
 * put them in their own words (hcs-runtime-launch.c wraps them as
 * HCS_ERROR_FAILED, as before the split).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The helper at @helper_path as a file nobody can write: a read-only
 * detached bind mount of it (open_tree + mount_setattr), or a sealed memfd
 * copy where the kernel has no mount_setattr. The fd to hand to
 * hcs_runtime_spawn_helper(); its last close dissolves the mount. */
int hcs_runtime_spawn_open_helper (const char *helper_path, GError **error);

/* posix_spawn of @helper (an fd from hcs_runtime_spawn_open_helper) with
 * @argv, @stdio as 0, 1, 2 and each of @source_fds (at most 4) at its
 * @target_fds; nothing else of ours gets through, and the signal mask and
 * dispositions start clean. Called from a thread other than the main one,
 * the spawn is made by one thread that lives as long as the process (a
 * parent-death signal follows the spawning thread). */
gboolean hcs_runtime_spawn_helper (int helper, const char *const *argv, const int stdio[3],
                                   const int *source_fds, const int *target_fds, gsize n_fds,
                                   GPid *pid, GError **error);

/* Writes all of @data to @fd (EINTR retried); FALSE on any error. */
gboolean hcs_runtime_spawn_write_all (int fd, const char *data, gsize length);

typedef enum {
  HCS_RUNTIME_STATUS_PID,         /* {"pid": N}: *pid is the workload's */
  HCS_RUNTIME_STATUS_CLONED,      /* {"cloned": N}: *pid is the init's, set-up goes on */
  HCS_RUNTIME_STATUS_ERROR,       /* {"error": "..."}: *message is the helper's */
  HCS_RUNTIME_STATUS_NONE,        /* end of file first: exited without reporting */
  HCS_RUNTIME_STATUS_UNREADABLE,  /* *message is the line */
  HCS_RUNTIME_STATUS_TOO_LONG,    /* over 64 KiB without a newline */
  HCS_RUNTIME_STATUS_READ_FAILED, /* errno says why */
} HcsRuntimeStatus;

/* Reads the helper's first status line from @fd (the comment at the top
 * of hcs-runtime-helper.c) in reads of what the pipe holds, and parses
 * the two forms it takes there. What follows the line in the same read
 * (an exec's exit line) is dropped: the exit code comes from the process
 * itself. @message (transfer full) is set for ERROR and UNREADABLE. */
HcsRuntimeStatus hcs_runtime_spawn_read_status (int fd, int *pid, char **message);
/* The same, one line at a time: what follows the line in a read is kept
 * in @pending (empty at first) for the next call, so that the line after
 * a {"cloned": N} is not lost. */
HcsRuntimeStatus hcs_runtime_spawn_read_status_line (int fd, GString *pending, int *pid,
                                                     char **message);

G_END_DECLS
