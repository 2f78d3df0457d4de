/* hcs-container.h: a compute system (hcsshim's Container).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hcs-documents.h"
#include "hcs-process.h"

G_BEGIN_DECLS

#define HCS_TYPE_CONTAINER (hcs_container_get_type ())
G_DECLARE_INTERFACE (HcsContainer, hcs_container, HCS, CONTAINER, GObject)

/**
 * HcsContainerInterface:
 *
 * The compute system's life: created (set up, init not yet running) ->
 * start -> running <-> paused -> stopped (its init exited, or shutdown or
 * terminate). The exit code of a system is its init's. The "exited" signal is
 * emitted once, in the thread-default GMainContext of the creator.
 */
struct _HcsContainerInterface
{
  GTypeInterface parent_iface;

  /* Required, except those marked optional (NULL: HCS_ERROR_NOT_SUPPORTED):
   * pause, resume, get_statistics, get_process_list, modify. hcs-plugin.h. */

  const char *(*get_id) (HcsContainer *self);
  gboolean (*start) (HcsContainer *self, GError **error);
  gboolean (*shutdown) (HcsContainer *self, GError **error);
  gboolean (*terminate) (HcsContainer *self, GError **error);
  gboolean (*wait_timeout) (HcsContainer *self, gint64 timeout_ms,
                            GCancellable *cancellable, GError **error);
  void (*wait_async) (HcsContainer *self, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data);
  gboolean (*wait_finish) (HcsContainer *self, GAsyncResult *result, GError **error);
  gboolean (*pause) (HcsContainer *self, GError **error);
  gboolean (*resume) (HcsContainer *self, GError **error);
  HcsStatistics *(*get_statistics) (HcsContainer *self, GError **error);
  GPtrArray *(*get_process_list) (HcsContainer *self, GError **error);
  HcsProcess *(*create_process) (HcsContainer *self, const HcsProcessConfig *config,
                                 GError **error);
  HcsProcess *(*open_process) (HcsContainer *self, int pid, GError **error);
  HcsProcess *(*get_init_process) (HcsContainer *self, GError **error);
  gboolean (*modify) (HcsContainer *self, const HcsResourceUpdate *update,
                      GError **error);
  HcsContainerProperties *(*get_properties) (HcsContainer *self, GError **error);
  gboolean (*close) (HcsContainer *self, GError **error);
  gboolean (*remove) (HcsContainer *self, GError **error);
};

/**
 * hcs_container_get_id:
 * @self: a compute system
 *
 * Returns: (transfer none): the system's id
 */
const char *hcs_container_get_id (HcsContainer *self);
/**
 * hcs_container_start:
 * @self: a created compute system
 * @error: return location for a #GError
 *
 * Starts the init process of a created system.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_container_start (HcsContainer *self, GError **error);
/**
 * hcs_container_shutdown:
 * @self: a compute system
 * @error: return location for a #GError
 *
 * Graceful: SIGTERM to the init, then waits.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_container_shutdown (HcsContainer *self, GError **error);
/**
 * hcs_container_terminate:
 * @self: a compute system
 * @error: return location for a #GError
 *
 * Forced: SIGKILL to every process of the system.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_container_terminate (HcsContainer *self, GError **error);
/**
 * hcs_container_wait:
 * @self: a compute system
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Waits without a limit until the system stops.
 *
 * Returns: %TRUE once it stopped
 */
gboolean hcs_container_wait (HcsContainer *self, GCancellable *cancellable, GError **error);
/**
 * hcs_container_wait_timeout:
 * @self: a compute system
 * @timeout_ms: the longest wait in milliseconds (< 0: forever)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE once it stopped; %HCS_ERROR_TIMEOUT when the time ran out
 */
gboolean hcs_container_wait_timeout (HcsContainer *self, gint64 timeout_ms,
                                     GCancellable *cancellable, GError **error);
/**
 * hcs_container_wait_async:
 * @self: a compute system
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the system stopped
 * @user_data: (closure): data for @callback
 *
 * Waits in the background; hcs_container_wait_finish() gives the result.
 */
void hcs_container_wait_async (HcsContainer *self, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
/**
 * hcs_container_wait_finish:
 * @self: a compute system
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE once the system stopped
 */
gboolean hcs_container_wait_finish (HcsContainer *self, GAsyncResult *result,
                                    GError **error);
/**
 * hcs_container_pause:
 * @self: a running compute system
 * @error: return location for a #GError
 *
 * Freezes every process of the system (optional for drivers).
 *
 * Returns: %TRUE on success
 */
gboolean hcs_container_pause (HcsContainer *self, GError **error);
/**
 * hcs_container_resume:
 * @self: a paused compute system
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_container_resume (HcsContainer *self, GError **error);
/**
 * hcs_container_get_statistics:
 * @self: a compute system
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the system's statistics, or %NULL on error
 */
HcsStatistics *hcs_container_get_statistics (HcsContainer *self, GError **error);
/**
 * hcs_container_get_process_list:
 * @self: a compute system
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type HcsProcessListItem): the
 *   system's processes, or %NULL on error
 */
GPtrArray *hcs_container_get_process_list (HcsContainer *self, GError **error);
/**
 * hcs_container_create_process:
 * @self: a running compute system
 * @config: what to run
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the new process, or %NULL on error
 */
HcsProcess *hcs_container_create_process (HcsContainer *self,
                                          const HcsProcessConfig *config, GError **error);
/**
 * hcs_container_open_process:
 * @self: a compute system
 * @pid: the process's host pid
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the process, or %NULL on error
 */
HcsProcess *hcs_container_open_process (HcsContainer *self, int pid, GError **error);
/**
 * hcs_container_get_init_process:
 * @self: a compute system
 * @error: return location for a #GError
 *
 * The init process of the configuration (its stdio).
 *
 * Returns: (transfer full): the init process, or %NULL with
 *   %HCS_ERROR_ELEMENT_NOT_FOUND when the system has none of its own
 */
HcsProcess *hcs_container_get_init_process (HcsContainer *self, GError **error);
/**
 * hcs_container_modify:
 * @self: a compute system
 * @update: the resource limits to change
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_container_modify (HcsContainer *self, const HcsResourceUpdate *update,
                               GError **error);
/**
 * hcs_container_query_properties:
 * @self: a compute system
 * @error: return location for a #GError
 *
 * hcsshim's Properties (the vfunc is get_properties; the function is named
 * apart from g_object_get_properties()).
 *
 * Returns: (transfer full): the system's properties, or %NULL on error
 */
HcsContainerProperties *hcs_container_query_properties (HcsContainer *self, GError **error);
/* The name before 0.1's introspection, for callers not updated yet. */
#define hcs_container_get_properties hcs_container_query_properties
/**
 * hcs_container_close:
 * @self: a compute system
 * @error: return location for a #GError
 *
 * Releases the handle without touching the system.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_container_close (HcsContainer *self, GError **error);
/**
 * hcs_container_remove:
 * @self: a stopped compute system
 * @error: return location for a #GError
 *
 * Deletes a stopped system: its cgroups, state and scratch mounts.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_container_remove (HcsContainer *self, GError **error);
/**
 * hcs_container_discard:
 * @self: a compute system
 * @error: return location for a #GError
 *
 * The undo of a create, in any state: terminate if it runs, wait for it
 * (10 s at most), remove.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_container_discard (HcsContainer *self, GError **error);
/**
 * hcs_container_get_exit_code:
 * @self: a stopped compute system
 * @exit_code: (out): the exit code of its init
 * @error: return location for a #GError
 *
 * The exit code of a stopped system, from its properties.
 *
 * Returns: (skip): %TRUE on success
 */
gboolean hcs_container_get_exit_code (HcsContainer *self, int *exit_code, GError **error);

G_END_DECLS
