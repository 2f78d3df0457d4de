/* hcs-process.h: a process in a compute system (hcsshim's Process).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HCS_TYPE_PROCESS (hcs_process_get_type ())
G_DECLARE_INTERFACE (HcsProcess, hcs_process, HCS, PROCESS, GObject)

/**
 * HcsProcessInterface:
 *
 * A process started in a compute system. Exit codes follow the shell: a
 * process killed by signal N exits with 128 + N. Stdio streams exist only
 * for the pipes asked for in the ProcessConfig; with EmulateConsole, stdout
 * carries the console's output and stderr is NULL.
 *
 * The "exited" signal is emitted once, in the GMainContext that was the
 * thread-default one when the process object was created.
 */
struct _HcsProcessInterface
{
  GTypeInterface parent_iface;

  /* Required, except those marked optional (NULL: HCS_ERROR_NOT_SUPPORTED):
   * signal, kill, resize_console. hcs-plugin.h. */

  int (*get_pid) (HcsProcess *self);
  gboolean (*signal) (HcsProcess *self, int signum, GError **error);
  gboolean (*kill) (HcsProcess *self, GError **error);
  gboolean (*wait_timeout) (HcsProcess *self, gint64 timeout_ms,
                            GCancellable *cancellable, GError **error);
  void (*wait_async) (HcsProcess *self, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data);
  gboolean (*wait_finish) (HcsProcess *self, GAsyncResult *result, GError **error);
  gboolean (*get_exit_code) (HcsProcess *self, int *exit_code, GError **error);
  gboolean (*resize_console) (HcsProcess *self, guint16 width, guint16 height,
                              GError **error);
  GOutputStream *(*get_stdin) (HcsProcess *self);
  GInputStream *(*get_stdout) (HcsProcess *self);
  GInputStream *(*get_stderr) (HcsProcess *self);
  gboolean (*close_stdin) (HcsProcess *self, GError **error);
  gboolean (*close) (HcsProcess *self, GError **error);
};

/**
 * hcs_process_get_pid:
 * @self: a process
 *
 * Returns: its host pid
 */
int hcs_process_get_pid (HcsProcess *self);
/**
 * hcs_process_signal:
 * @self: a process
 * @signum: the signal number
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_process_signal (HcsProcess *self, int signum, GError **error);
/**
 * hcs_process_kill:
 * @self: a process
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_process_kill (HcsProcess *self, GError **error);
/**
 * hcs_process_wait:
 * @self: a process
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Waits without a limit.
 *
 * Returns: %TRUE once the process exited
 */
gboolean hcs_process_wait (HcsProcess *self, GCancellable *cancellable, GError **error);
/**
 * hcs_process_wait_timeout:
 * @self: a process
 * @timeout_ms: the longest wait in milliseconds (< 0: forever)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE once the process exited; %HCS_ERROR_TIMEOUT when the time
 *   ran out
 */
gboolean hcs_process_wait_timeout (HcsProcess *self, gint64 timeout_ms,
                                   GCancellable *cancellable, GError **error);
/**
 * hcs_process_wait_async:
 * @self: a process
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the process exited
 * @user_data: (closure): data for @callback
 */
void hcs_process_wait_async (HcsProcess *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data);
/**
 * hcs_process_wait_finish:
 * @self: a process
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE once the process exited
 */
gboolean hcs_process_wait_finish (HcsProcess *self, GAsyncResult *result, GError **error);
/**
 * hcs_process_get_exit_code:
 * @self: an exited process
 * @exit_code: (out): its exit code (128 + N when killed by signal N)
 * @error: return location for a #GError
 *
 * Returns: (skip): %TRUE on success; %HCS_ERROR_INVALID_STATE while the process runs
 */
gboolean hcs_process_get_exit_code (HcsProcess *self, int *exit_code, GError **error);
/**
 * hcs_process_resize_console:
 * @self: a process with EmulateConsole
 * @width: columns
 * @height: rows
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_process_resize_console (HcsProcess *self, guint16 width, guint16 height,
                                     GError **error);
/**
 * hcs_process_get_stdin:
 * @self: a process
 *
 * Returns: (transfer none) (nullable): its stdin, when CreateStdInPipe was asked for
 */
GOutputStream *hcs_process_get_stdin (HcsProcess *self);
/**
 * hcs_process_get_stdout:
 * @self: a process
 *
 * Returns: (transfer none) (nullable): its stdout (or console), when asked for
 */
GInputStream *hcs_process_get_stdout (HcsProcess *self);
/**
 * hcs_process_get_stderr:
 * @self: a process
 *
 * Returns: (transfer none) (nullable): its stderr, when asked for
 */
GInputStream *hcs_process_get_stderr (HcsProcess *self);
/**
 * hcs_process_close_stdin:
 * @self: a process
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_process_close_stdin (HcsProcess *self, GError **error);
/**
 * hcs_process_close:
 * @self: a process
 * @error: return location for a #GError
 *
 * Releases the handle; the process keeps running. Later calls fail with
 * %HCS_ERROR_ALREADY_CLOSED.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_process_close (HcsProcess *self, GError **error);

G_END_DECLS
