/* vm-qmp.h: a QMP client (QEMU's machine protocol) over a unix socket.
 *
 * Threading: a VmQmp does its I/O in the thread-default main context of
 * the thread that made it, and every callback and signal runs there. A
 * user that must not be stalled by a slow QEMU gives each VM a thread
 * with a context of its own.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define VM_TYPE_QMP (vm_qmp_get_type ())
G_DECLARE_FINAL_TYPE (VmQmp, vm_qmp, VM, QMP, GObject)

/* QEMU is the host's own process and its replies are trusted as such;
 * what a guest controls never reaches QMP unchecked (port names are
 * validated before they are used as ids).
 *
 * Takes @stream (a connected socket) and enters command mode
 * (qmp_capabilities, sent at once: QEMU reads it after its greeting,
 * which is not waited for). Signals:
 *   "event" (const char *name, JsonObject *data (nullable)): every event;
 *   "closed" (GError *error (nullable)): the connection ended; every
 *     command in flight fails with HCS_ERROR_UNEXPECTED_EXIT. */
void vm_qmp_new_async (GIOStream *stream, GCancellable *cancellable, GAsyncReadyCallback callback,
                       gpointer user_data);
VmQmp *vm_qmp_new_finish (GAsyncResult *result, GError **error);

/* The same, but the client is given at once (transfer full): commands
 * run and event waits made on it before @callback are queued behind
 * qmp_capabilities, which is sent without waiting for QEMU's greeting
 * (QEMU reads what waits in the socket once the greeting is out). A
 * caller that knows what QEMU must do first (an incoming migration)
 * saves the round trips: QEMU finds it all queued when its main loop
 * starts. Events come once the capabilities are negotiated, so a wait
 * for an event that a queued command causes sees it. */
VmQmp *vm_qmp_new_early (GIOStream *stream, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data);

/* Runs @command with @arguments (nullable; not modified) and gives its
 * "return" value (transfer full; an empty object when QEMU returns
 * nothing). A QMP error is a GError naming the command: CommandNotFound
 * is HCS_ERROR_NOT_SUPPORTED, DeviceNotFound HCS_ERROR_ELEMENT_NOT_FOUND,
 * anything else HCS_ERROR_FAILED. Commands may be in flight at once;
 * replies are matched by id. @cancellable is checked before the command
 * is sent (QMP cannot take a command back). */
void vm_qmp_execute_async (VmQmp *qmp, const char *command, JsonObject *arguments,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data);
JsonNode *vm_qmp_execute_finish (VmQmp *qmp, GAsyncResult *result, GError **error);

/* The same with the descriptor @fd (copied; the caller keeps its own)
 * sent along (SCM_RIGHTS) for a command that takes one, as getfd does.
 * Finished with vm_qmp_execute_finish. */
void vm_qmp_execute_with_fd_async (VmQmp *qmp, const char *command, JsonObject *arguments,
                                   int fd, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);

/* Waits for the event @name whose data member @key is the string @value
 * (both nullable: any), for at most @timeout_ms (then HCS_ERROR_TIMEOUT).
 * The wait starts now, so call it before the command that causes the
 * event. Gives the event's data (transfer full; empty when it has none). */
void vm_qmp_wait_event_async (VmQmp *qmp, const char *name, const char *key, const char *value,
                              guint timeout_ms, GAsyncReadyCallback callback, gpointer user_data);
JsonObject *vm_qmp_wait_event_finish (VmQmp *qmp, GAsyncResult *result, GError **error);

/* Closes the connection; commands in flight fail. The connection holds a
 * reference to @qmp until it is closed, by QEMU or by this call. */
void vm_qmp_close (VmQmp *qmp);
gboolean vm_qmp_is_closed (VmQmp *qmp);

G_END_DECLS
