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

const char *hcs_container_get_id (HcsContainer *self);
gboolean hcs_container_start (HcsContainer *self, GError **error);
/* Graceful: SIGTERM to the init, then waits. */
gboolean hcs_container_shutdown (HcsContainer *self, GError **error);
/* Forced: SIGKILL to every process of the system. */
gboolean hcs_container_terminate (HcsContainer *self, GError **error);
gboolean hcs_container_wait (HcsContainer *self, GCancellable *cancellable, GError **error);
gboolean hcs_container_wait_timeout (HcsContainer *self, gint64 timeout_ms,
                                     GCancellable *cancellable, GError **error);
void hcs_container_wait_async (HcsContainer *self, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
gboolean hcs_container_wait_finish (HcsContainer *self, GAsyncResult *result,
                                    GError **error);
gboolean hcs_container_pause (HcsContainer *self, GError **error);
gboolean hcs_container_resume (HcsContainer *self, GError **error);
HcsStatistics *hcs_container_get_statistics (HcsContainer *self, GError **error);
/* (element-type HcsProcessListItem) */
GPtrArray *hcs_container_get_process_list (HcsContainer *self, GError **error);
HcsProcess *hcs_container_create_process (HcsContainer *self,
                                          const HcsProcessConfig *config, GError **error);
HcsProcess *hcs_container_open_process (HcsContainer *self, int pid, GError **error);
/* The init process of the configuration (its stdio), or
 * HCS_ERROR_ELEMENT_NOT_FOUND when the system has none of its own. */
HcsProcess *hcs_container_get_init_process (HcsContainer *self, GError **error);
gboolean hcs_container_modify (HcsContainer *self, const HcsResourceUpdate *update,
                               GError **error);
HcsContainerProperties *hcs_container_get_properties (HcsContainer *self, GError **error);
/* Releases the handle without touching the system. */
gboolean hcs_container_close (HcsContainer *self, GError **error);
/* Deletes a stopped system: its cgroups, state and scratch mounts. */
gboolean hcs_container_remove (HcsContainer *self, GError **error);
/* The undo of a create, in any state: terminate if it runs, wait for it
 * (10 s at most), remove. */
gboolean hcs_container_discard (HcsContainer *self, GError **error);
/* The exit code of a stopped system, from its properties. */
gboolean hcs_container_get_exit_code (HcsContainer *self, int *exit_code, GError **error);

G_END_DECLS
