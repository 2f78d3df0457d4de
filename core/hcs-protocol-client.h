/* hcs-protocol-client.h: HcsContainer and HcsProcess proxies over one
 * multiplexed connection to a compute-system protocol server
 * (hcs-protocol-server.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "hcs-container.h"
#include "hcs-protocol.h"

G_BEGIN_DECLS

/* The exit code of a system or process whose connection was lost (the
 * peer died, hung up or broke the protocol): 128 + SIGKILL, what argon
 * reports for a killed process. The system is then Stopped with ExitType
 * UnexpectedExit (docs/protocol.md). */
#define HCS_PROTOCOL_LOST_EXIT_CODE 137

#define HCS_TYPE_PROTOCOL_CLIENT (hcs_protocol_client_get_type ())
G_DECLARE_FINAL_TYPE (HcsProtocolClient, hcs_protocol_client, HCS, PROTOCOL_CLIENT, GObject)

/**
 * hcs_protocol_client_new:
 * @socket_path: the server's unix socket
 *
 * One connection, read by one thread of the client's own (as libvirt
 * reads each agent), shared by every container opened on it and every
 * call: calls from any thread are outstanding together and answered in
 * any order; a sync call waits on a main context private to its thread,
 * so it needs no thread or connection of its own, waits included. Stdio
 * takes one more connection per stream (hcs_protocol_client_open_stdio).
 */
HcsProtocolClient *hcs_protocol_client_new (const char *socket_path, GError **error);

/**
 * hcs_protocol_client_new_for_stream:
 * @stream: stream
 *
 * The same over a connected @stream its owner made (a VM's bridge port,
 * taken by reference). open_stdio then fails: such an owner provides the
 * stdio streams itself (hot-added virtio-serial ports).
 *
 * Returns: (transfer full): the client
 */
HcsProtocolClient *hcs_protocol_client_new_for_stream (GIOStream *stream);

/**
 * hcs_protocol_client_open_container:
 * @self: the object
 * @id: id
 * @error: return location for a #GError
 *
 * A proxy of system @id: HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST when the
 * server holds no such system. Its "event" signal gets the system's past
 * events, then each new one, in order, in the thread-default context of
 * this call; "exited" follows the "exit" event.
 *
 * Returns: (transfer full): a proxy of the compute system, or %NULL on error
 */
HcsContainer *hcs_protocol_client_open_container (HcsProtocolClient *self, const char *id,
                                                  GError **error);

/**
 * hcs_protocol_client_call_async:
 * @self: the object
 * @type: type
 * @body: body
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the response
 * @user_data: (closure callback): data for @callback
 *
 * The callback's source object is the connection (an HcsBridge); finish
 * with hcs_protocol_client_call_finish() all the same.
 */
void hcs_protocol_client_call_async (HcsProtocolClient *self, guint32 type, JsonNode *body,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data);
/**
 * hcs_protocol_client_call_finish:
 * @self: the object
 * @result: result
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the response body, or %NULL on error
 */
JsonNode *hcs_protocol_client_call_finish (HcsProtocolClient *self, GAsyncResult *result,
                                           GError **error);
/**
 * hcs_protocol_client_call_sync:
 * @self: the object
 * @type: type
 * @body: body
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the response body, or %NULL on error
 */
JsonNode *hcs_protocol_client_call_sync (HcsProtocolClient *self, guint32 type, JsonNode *body,
                                         GCancellable *cancellable, GError **error);

/**
 * hcs_protocol_client_set_call_timeout:
 * @self: the object
 * @timeout_ms: the deadline of each call from now on, 0 for none
 *
 * A server that takes a request and never answers (a stalled guest) holds
 * its caller at most @timeout_ms: the call then fails with
 * HCS_ERROR_TIMEOUT and the connection is taken as lost (closed: every
 * proxy of it Stopped with UnexpectedExit, as at the server's death).
 * Waits (WaitForProcess, WaitForContainer) keep their own timeout.
 */
void hcs_protocol_client_set_call_timeout (HcsProtocolClient *self, guint timeout_ms);

/**
 * hcs_protocol_client_is_lost:
 * @self: the object
 *
 * Returns: whether the connection was lost (or closed)
 */
gboolean hcs_protocol_client_is_lost (HcsProtocolClient *self);

/**
 * hcs_protocol_client_new_port:
 * @self: the object
 *
 * A fresh port number, not 0.
 *
 * Returns: the result
 */
guint32 hcs_protocol_client_new_port (HcsProtocolClient *self);
/**
 * hcs_protocol_client_open_stdio:
 * @self: the object
 * @port: port
 * @error: return location for a #GError
 *
 * A stdio connection for @port: connected, its hello written; the fd is
 * the caller's. Opened before the request that names the port, it costs no
 * round trip.
 *
 * Returns: the result
 */
int hcs_protocol_client_open_stdio (HcsProtocolClient *self, guint32 port, GError **error);

/**
 * hcs_protocol_client_give_stdio:
 * @self: the object
 * @port: a fresh port (hcs_protocol_client_new_port)
 * @fds: (array fixed-size=3): stdin, stdout, stderr, the caller's (-1: /dev/null)
 * @error: return location for a #GError
 *
 * Hands the server duplicates of @fds for the request that will name
 * @port (ExecuteProcess's Settings.StdioDescriptors, Create's
 * InitStdioDescriptors): one more connection, a StdioDescriptors message
 * and the descriptors beside it (SCM_RIGHTS), answered once the server
 * took them. The server holds them until that request or the returned
 * connection's close, which the caller does once the request is answered.
 * Only on a dialled connection (NOT_SUPPORTED otherwise).
 *
 * Returns: the connection (the caller's to close), or -1 on error
 */
int hcs_protocol_client_give_stdio (HcsProtocolClient *self, guint32 port, const int fds[3],
                                    GError **error);

/* How the owner of a handed-over connection provides stdio: returns a
 * connected fd (the caller's) relayed to stdio port @port of the server;
 * @stream is 0 (stdin: the fd is written, its close is the end of input),
 * 1 (stdout) or 2 (stderr) (both read to their end). Called from the
 * thread that creates the process. */
typedef int (*HcsProtocolStdioOpener) (guint32 port, guint stream, gpointer user_data,
                                       GError **error);

/**
 * hcs_protocol_client_set_stdio_opener:
 * @self: the object
 * @opener: (scope notified) (nullable): opens a stdio port
 * @user_data: (closure opener): data for @opener
 * @destroy: (destroy user_data): frees @user_data
 *
 * Sets the opener that process creation uses instead of dialling
 * (hcs_protocol_client_open_stdio) on a connection made with
 * hcs_protocol_client_new_for_stream.
 */
void hcs_protocol_client_set_stdio_opener (HcsProtocolClient *self,
                                           HcsProtocolStdioOpener opener, gpointer user_data,
                                           GDestroyNotify destroy);

/**
 * hcs_protocol_container_set_init_stdio:
 * @proxy: proxy
 * @stdin_stream: (nullable): stdin
 * @stdout_stream: (nullable): stdout
 * @stderr_stream: (nullable): stderr
 *
 * The init's stdio, for the proxy's hcs_container_get_init_process() (its
 * creator has them).
 */
void hcs_protocol_container_set_init_stdio (HcsContainer *proxy, GOutputStream *stdin_stream,
                                            GInputStream *stdout_stream,
                                            GInputStream *stderr_stream);

/**
 * hcs_protocol_container_set_isolation:
 * @proxy: proxy
 * @isolation: isolation
 *
 * The isolation the proxy's properties report, when the server's is not
 * the client's (a guest's containers are "process" inside, "lcow" here).
 */
void hcs_protocol_container_set_isolation (HcsContainer *proxy, const char *isolation);

/**
 * hcs_protocol_container_is_lost:
 * @proxy: proxy
 *
 * Whether the connection of @proxy was lost while its system ran, which
 * made it Stopped with UnexpectedExit: for an owner that tells that apart
 * from the system's own exit (a VM that died under it).
 *
 * Returns: %TRUE when the connection was lost before the system exited
 */
gboolean hcs_protocol_container_is_lost (HcsContainer *proxy);

/* Called in the thread of a successful hcs_container_remove() of @proxy,
 * before it returns: for an owner that holds what the server does not
 * (a VM's disks and shares of the system). @user_data must outlive the
 * proxy. After a lost connection, remove() succeeds locally only for a
 * proxy with such a hook (it runs it): without one, what the lost server
 * held is left to whoever can reopen the system (a killed monitor's
 * system, through its driver), so it fails with UNEXPECTED_EXIT. */
typedef void (*HcsProtocolRemovedFunc) (HcsContainer *proxy, gpointer user_data);
void hcs_protocol_container_set_removed_func (HcsContainer *proxy, HcsProtocolRemovedFunc func,
                                              gpointer user_data);

/* Called in the thread of hcs_container_get_statistics() of @proxy with
 * the server's answer, before it returns: for an owner that knows what
 * the server cannot (a utility VM's own cost on the host, beside the
 * guest's figures). @user_data must outlive the proxy. */
typedef void (*HcsProtocolStatisticsFunc) (HcsContainer *proxy, HcsStatistics *stats,
                                           gpointer user_data);
void hcs_protocol_container_set_statistics_func (HcsContainer *proxy,
                                                 HcsProtocolStatisticsFunc func,
                                                 gpointer user_data);

G_END_DECLS
