/* hcs-protocol-server.h: serves a set of compute systems over the
 * compute-system protocol (hcs-protocol.h), on any number of bridge
 * connections.
 *
 * Its users: the per-system monitor (one system, a unix socket), and the
 * guest agent (the systems of a utility VM, over virtio-serial).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "hcs-container.h"
#include "hcs-protocol.h"

G_BEGIN_DECLS

/* What one connection may leave unread before it is dropped. */
#define HCS_PROTOCOL_SERVER_MAX_QUEUED (8 * 1024 * 1024)
/* How long a stdio relay port waits for its other half (the process's
 * stream, or the client's connection), and how many may wait at once. */
#define HCS_PROTOCOL_SERVER_RELAY_TIMEOUT_MS 30000
#define HCS_PROTOCOL_SERVER_MAX_WAITING_RELAYS 1024

#define HCS_TYPE_PROTOCOL_SERVER (hcs_protocol_server_get_type ())
G_DECLARE_FINAL_TYPE (HcsProtocolServer, hcs_protocol_server, HCS, PROTOCOL_SERVER, GObject)

/**
 * hcs_protocol_server_new:
 *
 * A server that works in the thread-default GMainContext of this call:
 * it reads every connection there, asynchronously, and runs the calls
 * that block (start, shutdown, exec, statistics...) on worker threads, so
 * no request waits for another; waits are answered when the exit happens.
 *
 * Signals, in that context:
 *   "event" (const char *container_id, JsonNode *event): a lifecycle
 *       event of a served system ({Sequence, Event, Time, ExitCode}),
 *       after it was sent to the connections that opened the system;
 *   "container-deleted" (const char *container_id): after a
 *       DeleteContainerState succeeded; the system is no longer served.
 */
HcsProtocolServer *hcs_protocol_server_new (void);

/**
 * hcs_protocol_server_add_container:
 * @self: the object
 * @container: container
 *
 * Serves @container under its id, from now on; a first "create" event is
 * recorded.
 */
void hcs_protocol_server_add_container (HcsProtocolServer *self, HcsContainer *container);
/**
 * hcs_protocol_server_remove_container:
 * @self: the object
 * @id: id
 *
 * Stops serving a system; FALSE when it was not served.
 *
 * Returns: whether it holds
 */
gboolean hcs_protocol_server_remove_container (HcsProtocolServer *self, const char *id);
/**
 * hcs_protocol_server_get_n_containers:
 * @self: the object
 *
 * Returns: the result
 */
guint hcs_protocol_server_get_n_containers (HcsProtocolServer *self);

/**
 * hcs_protocol_server_record_event:
 * @self: the object
 * @id: id
 * @name: name
 * @exit_code: exit code
 *
 * Records lifecycle event @name (with @exit_code for "exit") of a served
 * system and sends it to the connections that opened it.
 */
void hcs_protocol_server_record_event (HcsProtocolServer *self, const char *id, const char *name,
                                       int exit_code);

/**
 * hcs_protocol_server_add_connection:
 * @self: the object
 * @stream: stream
 *
 * Serves one connection (a bridge connection, or a stdio connection that
 * starts with its hello).
 */
void hcs_protocol_server_add_connection (HcsProtocolServer *self, GIOStream *stream);
/**
 * hcs_protocol_server_listen:
 * @self: the object
 * @socket_path: socket path
 * @error: return location for a #GError
 *
 * Listens on a path socket made 0600.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_protocol_server_listen (HcsProtocolServer *self, const char *socket_path,
                                     GError **error);
/**
 * hcs_protocol_server_get_n_connections:
 * @self: the object
 *
 * Returns: the result
 */
guint hcs_protocol_server_get_n_connections (HcsProtocolServer *self);
/**
 * hcs_protocol_server_set_limits:
 * @self: the object
 * @max_message_size: max message size
 * @max_queued: max queued
 *
 * For connections added from now on: the largest message (0: the bridge's
 * default) and what may wait unread (0: MAX_QUEUED).
 */
void hcs_protocol_server_set_limits (HcsProtocolServer *self, gsize max_message_size,
                                     gsize max_queued);

/**
 * hcs_protocol_server_relay_stdio:
 * @self: the object
 * @process: process
 * @relay: relay
 * @error: return location for a #GError
 *
 * Relays the stdio of @process (one of a served system) on the given
 * ports: its stdout/stderr to the connections that say those ports in
 * their hello, with a half-close at their end; and what comes on the stdin
 * port to its stdin, closed at the connection's end of stream.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_protocol_server_relay_stdio (HcsProtocolServer *self, HcsProcess *process,
                                          const HcsProtocolStdioRelay *relay, GError **error);

/**
 * hcs_protocol_server_add_stdio_stream:
 * @self: the object
 * @port: port
 * @stream: stream
 *
 * The stream of stdio relay port @port, handed over by its owner rather
 * than announced by a hello on a connection: the guest agent opens the
 * virtio-serial port the host made for it. Matched with the process's side
 * as a hello's connection is; closed at the relay's end (a port has no
 * half-close: closing it is the reader's end of stream).
 */
void hcs_protocol_server_add_stdio_stream (HcsProtocolServer *self, guint32 port,
                                           GIOStream *stream);

/**
 * HcsProtocolServerCreateFunc:
 * @id: the system's id
 * @config: the ContainerConfig document
 * @user_data: (closure): the data given with the function
 * @error: return location for a #GError
 *
 * Makes the system a Create names, on a worker thread. Without one, Create
 * is refused (a monitor holds the system it was given); the guest agent
 * sets one.
 *
 * Returns: (transfer full): the new system, or %NULL on error
 */
typedef HcsContainer *(*HcsProtocolServerCreateFunc) (const char *id, JsonNode *config,
                                                      gpointer user_data, GError **error);
/**
 * hcs_protocol_server_set_create_func:
 * @self: the object
 * @func: (scope forever) (nullable): makes the system of a Create request
 * @user_data: (closure func): data for @func
 */
void hcs_protocol_server_set_create_func (HcsProtocolServer *self,
                                          HcsProtocolServerCreateFunc func, gpointer user_data);

/**
 * HcsProtocolServerCreateStdioFunc:
 * @id: the system's id
 * @config: the ContainerConfig document
 * @stdio_fds: (array fixed-size=3) (nullable): the init's stdin, stdout and
 *     stderr, the client's own (Create's InitStdioDescriptors), or %NULL;
 *     the function takes duplicates of what it keeps
 * @console_socket: (nullable): the unix socket to send the init's console
 *     to (runc's --console-socket; Create's ConsoleSocket, a path of the
 *     host the client named), or %NULL
 * @user_data: (closure): the data given with the function
 * @error: return location for a #GError
 *
 * A create function that also takes the descriptors a client gave for the
 * init (docs/protocol.md, StdioDescriptors), or its console socket.
 *
 * Returns: (transfer full): the new system, or %NULL on error
 */
typedef HcsContainer *(*HcsProtocolServerCreateStdioFunc) (const char *id, JsonNode *config,
                                                           const int *stdio_fds,
                                                           const char *console_socket,
                                                           gpointer user_data, GError **error);

/**
 * hcs_protocol_server_set_create_stdio_func:
 * @self: the object
 * @func: (scope forever) (nullable): makes the system of a Create request
 * @user_data: (closure func): data for @func
 *
 * As hcs_protocol_server_set_create_func(), which it replaces, for a
 * server that takes given descriptors for an init (a UVM holder).
 */
void hcs_protocol_server_set_create_stdio_func (HcsProtocolServer *self,
                                                HcsProtocolServerCreateStdioFunc func,
                                                gpointer user_data);

/**
 * hcs_protocol_server_set_console_sockets:
 * @self: the object
 * @take: whether Create and ExecuteProcess may name a ConsoleSocket
 *
 * A server of the host whose clients are the host's (a monitor, a UVM
 * holder) takes the unix socket a client names for a console (runc's
 * --console-socket) and has its driver send the console's master there. A
 * guest agent's server never does (the default): no path of the host
 * names anything in a guest.
 */
void hcs_protocol_server_set_console_sockets (HcsProtocolServer *self, gboolean take);

/**
 * hcs_protocol_server_close:
 * @self: the object
 *
 * Stops listening and closes every connection and relay.
 */
void hcs_protocol_server_close (HcsProtocolServer *self);

G_END_DECLS
