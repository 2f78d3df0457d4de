/* hcs-process.c: the HcsProcess interface.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-process.h"
#include "hcs-error.h"

G_DEFINE_INTERFACE (HcsProcess, hcs_process, G_TYPE_OBJECT)

static void
hcs_process_default_init (HcsProcessInterface *iface)
{
  /**
   * HcsProcess::exited:
   * @process: the process
   * @exit_code: the exit code (128 + N for a death by signal N)
   */
  g_signal_new ("exited", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL,
                NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

#define PROCESS_IFACE(self) HCS_PROCESS_GET_IFACE (self)

static gboolean
not_supported (HcsProcess *self, const char *what, GError **error)
{
  g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED, "%s: %s is not supported",
               G_OBJECT_TYPE_NAME (self), what);
  return FALSE;
}

int
hcs_process_get_pid (HcsProcess *self)
{
  g_return_val_if_fail (HCS_IS_PROCESS (self), -1);
  return PROCESS_IFACE (self)->get_pid (self);
}

gboolean
hcs_process_signal (HcsProcess *self, int signum, GError **error)
{
  g_return_val_if_fail (HCS_IS_PROCESS (self), FALSE);
  if (PROCESS_IFACE (self)->signal == NULL)
    return not_supported (self, "signal", error);
  return PROCESS_IFACE (self)->signal (self, signum, error);
}

gboolean
hcs_process_kill (HcsProcess *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_PROCESS (self), FALSE);
  if (PROCESS_IFACE (self)->kill == NULL)
    return not_supported (self, "kill", error);
  return PROCESS_IFACE (self)->kill (self, error);
}

gboolean
hcs_process_wait (HcsProcess *self, GCancellable *cancellable, GError **error)
{
  return hcs_process_wait_timeout (self, -1, cancellable, error);
}

gboolean
hcs_process_wait_timeout (HcsProcess *self, gint64 timeout_ms, GCancellable *cancellable,
                          GError **error)
{
  g_return_val_if_fail (HCS_IS_PROCESS (self), FALSE);
  return PROCESS_IFACE (self)->wait_timeout (self, timeout_ms, cancellable, error);
}

void
hcs_process_wait_async (HcsProcess *self, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (HCS_IS_PROCESS (self));
  PROCESS_IFACE (self)->wait_async (self, cancellable, callback, user_data);
}

gboolean
hcs_process_wait_finish (HcsProcess *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (HCS_IS_PROCESS (self), FALSE);
  return PROCESS_IFACE (self)->wait_finish (self, result, error);
}

gboolean
hcs_process_get_exit_code (HcsProcess *self, int *exit_code, GError **error)
{
  g_return_val_if_fail (HCS_IS_PROCESS (self), FALSE);
  return PROCESS_IFACE (self)->get_exit_code (self, exit_code, error);
}

gboolean
hcs_process_resize_console (HcsProcess *self, guint16 width, guint16 height, GError **error)
{
  g_return_val_if_fail (HCS_IS_PROCESS (self), FALSE);
  if (PROCESS_IFACE (self)->resize_console == NULL)
    return not_supported (self, "resize_console", error);
  return PROCESS_IFACE (self)->resize_console (self, width, height, error);
}

GOutputStream *
hcs_process_get_stdin (HcsProcess *self)
{
  g_return_val_if_fail (HCS_IS_PROCESS (self), NULL);
  return PROCESS_IFACE (self)->get_stdin (self);
}

GInputStream *
hcs_process_get_stdout (HcsProcess *self)
{
  g_return_val_if_fail (HCS_IS_PROCESS (self), NULL);
  return PROCESS_IFACE (self)->get_stdout (self);
}

GInputStream *
hcs_process_get_stderr (HcsProcess *self)
{
  g_return_val_if_fail (HCS_IS_PROCESS (self), NULL);
  return PROCESS_IFACE (self)->get_stderr (self);
}

gboolean
hcs_process_close_stdin (HcsProcess *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_PROCESS (self), FALSE);
  return PROCESS_IFACE (self)->close_stdin (self, error);
}

gboolean
hcs_process_close (HcsProcess *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_PROCESS (self), FALSE);
  return PROCESS_IFACE (self)->close (self, error);
}
