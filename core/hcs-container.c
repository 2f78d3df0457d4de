/* hcs-container.c: the HcsContainer interface.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-container.h"
#include "hcs-error.h"
#include "hcs-plugin-private.h"

#include <json-glib/json-glib.h>

G_DEFINE_INTERFACE (HcsContainer, hcs_container, G_TYPE_OBJECT)

static void
hcs_container_default_init (HcsContainerInterface *iface)
{
  /**
   * HcsContainer::exited:
   * @container: the compute system
   * @exit_code: the init's exit code (128 + N for a death by signal N)
   */
  g_signal_new ("exited", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL,
                NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
  /**
   * HcsContainer::event:
   * @container: the compute system
   * @name: "create", "start", "pause", "resume", "exit" or "delete"
   * @sequence: its number, from 1, in the order the events happened
   * @details: the event as a JSON object (Sequence, Event, Time, ExitCode)
   *
   * The ordered event stream of a system held by a monitor: a handle
   * opened on it gets the past events first, then each new one, in the
   * thread-default main context of whoever opened it.
   */
  g_signal_new ("event", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_UINT64, JSON_TYPE_NODE);
}

#define CONTAINER_IFACE(self) HCS_CONTAINER_GET_IFACE (self)

/* A process the container hands out must be complete (hcs-plugin.h). */
static void
undo_process (gpointer process)
{
  if (HCS_PROCESS_GET_IFACE (process)->kill != NULL)
    HCS_PROCESS_GET_IFACE (process)->kill (process, NULL);
}

static HcsProcess *
checked_process (HcsContainer *self, HcsProcess *process, GError **error)
{
  return hcs_plugin_check_object (process, HCS_TYPE_PROCESS, G_OBJECT_TYPE_NAME (self),
                                  undo_process, error);
}

static gboolean
not_supported (HcsContainer *self, const char *what, GError **error)
{
  g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED, "%s: %s is not supported",
               G_OBJECT_TYPE_NAME (self), what);
  return FALSE;
}

const char *
hcs_container_get_id (HcsContainer *self)
{
  g_return_val_if_fail (HCS_IS_CONTAINER (self), NULL);
  return CONTAINER_IFACE (self)->get_id (self);
}

gboolean
hcs_container_start (HcsContainer *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_CONTAINER (self), FALSE);
  return CONTAINER_IFACE (self)->start (self, error);
}

gboolean
hcs_container_shutdown (HcsContainer *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_CONTAINER (self), FALSE);
  return CONTAINER_IFACE (self)->shutdown (self, error);
}

gboolean
hcs_container_terminate (HcsContainer *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_CONTAINER (self), FALSE);
  return CONTAINER_IFACE (self)->terminate (self, error);
}

gboolean
hcs_container_wait (HcsContainer *self, GCancellable *cancellable, GError **error)
{
  return hcs_container_wait_timeout (self, -1, cancellable, error);
}

gboolean
hcs_container_wait_timeout (HcsContainer *self, gint64 timeout_ms,
                            GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (HCS_IS_CONTAINER (self), FALSE);
  return CONTAINER_IFACE (self)->wait_timeout (self, timeout_ms, cancellable, error);
}

void
hcs_container_wait_async (HcsContainer *self, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (HCS_IS_CONTAINER (self));
  CONTAINER_IFACE (self)->wait_async (self, cancellable, callback, user_data);
}

gboolean
hcs_container_wait_finish (HcsContainer *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (HCS_IS_CONTAINER (self), FALSE);
  return CONTAINER_IFACE (self)->wait_finish (self, result, error);
}

gboolean
hcs_container_pause (HcsContainer *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_CONTAINER (self), FALSE);
  if (CONTAINER_IFACE (self)->pause == NULL)
    return not_supported (self, "pause", error);
  return CONTAINER_IFACE (self)->pause (self, error);
}

gboolean
hcs_container_resume (HcsContainer *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_CONTAINER (self), FALSE);
  if (CONTAINER_IFACE (self)->resume == NULL)
    return not_supported (self, "resume", error);
  return CONTAINER_IFACE (self)->resume (self, error);
}

HcsStatistics *
hcs_container_get_statistics (HcsContainer *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_CONTAINER (self), NULL);
  if (CONTAINER_IFACE (self)->get_statistics == NULL)
    return not_supported (self, "statistics", error), NULL;
  return CONTAINER_IFACE (self)->get_statistics (self, error);
}

GPtrArray *
hcs_container_get_process_list (HcsContainer *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_CONTAINER (self), NULL);
  if (CONTAINER_IFACE (self)->get_process_list == NULL)
    return not_supported (self, "process list", error), NULL;
  return CONTAINER_IFACE (self)->get_process_list (self, error);
}

HcsProcess *
hcs_container_create_process (HcsContainer *self, const HcsProcessConfig *config,
                              GError **error)
{
  g_return_val_if_fail (HCS_IS_CONTAINER (self), NULL);
  g_return_val_if_fail (config != NULL, NULL);
  return checked_process (self, CONTAINER_IFACE (self)->create_process (self, config, error),
                          error);
}

HcsProcess *
hcs_container_open_process (HcsContainer *self, int pid, GError **error)
{
  g_return_val_if_fail (HCS_IS_CONTAINER (self), NULL);
  return checked_process (self, CONTAINER_IFACE (self)->open_process (self, pid, error), error);
}

HcsProcess *
hcs_container_get_init_process (HcsContainer *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_CONTAINER (self), NULL);
  return checked_process (self, CONTAINER_IFACE (self)->get_init_process (self, error), error);
}

gboolean
hcs_container_modify (HcsContainer *self, const HcsResourceUpdate *update, GError **error)
{
  g_return_val_if_fail (HCS_IS_CONTAINER (self), FALSE);
  g_return_val_if_fail (update != NULL, FALSE);
  if (CONTAINER_IFACE (self)->modify == NULL)
    return not_supported (self, "modify", error);
  return CONTAINER_IFACE (self)->modify (self, update, error);
}

HcsContainerProperties *
hcs_container_query_properties (HcsContainer *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_CONTAINER (self), NULL);
  return CONTAINER_IFACE (self)->get_properties (self, error);
}

gboolean
hcs_container_close (HcsContainer *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_CONTAINER (self), FALSE);
  return CONTAINER_IFACE (self)->close (self, error);
}

gboolean
hcs_container_remove (HcsContainer *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_CONTAINER (self), FALSE);
  return CONTAINER_IFACE (self)->remove (self, error);
}

gboolean
hcs_container_get_exit_code (HcsContainer *self, int *exit_code, GError **error)
{
  g_autoptr (HcsContainerProperties) props = NULL;

  props = hcs_container_query_properties (self, error);
  if (props == NULL)
    return FALSE;
  if (!props->stopped)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "compute system '%s' is still %s", props->id,
                   props->state ? props->state : "running");
      return FALSE;
    }
  *exit_code = props->exit_code;
  return TRUE;
}

gboolean
hcs_container_discard (HcsContainer *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_CONTAINER (self), FALSE);
  /* Already stopped is no failure here: the wait and removal tell. */
  hcs_container_terminate (self, NULL);
  hcs_container_wait_timeout (self, 10000, NULL, NULL);
  return hcs_container_remove (self, error);
}
