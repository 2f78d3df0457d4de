/* hcs-bridge.h: the bridge protocol, as hcsshim's GCS bridge frames it.
 *
 * A message is a 16-byte little-endian header (u32 type, u32 total size
 * with the header, u64 id) and a JSON object as its body. The type's top
 * nibble is its kind (1 request, 2 response, 3 notification); the rest is
 * the caller's (category and procedure). A response carries its request's
 * id. It links a client to a per-system monitor, and (later) the host to a
 * guest agent.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define HCS_BRIDGE_HEADER_SIZE 16
#define HCS_BRIDGE_DEFAULT_MAX_MESSAGE (4 * 1024 * 1024)

typedef enum {
  HCS_BRIDGE_KIND_REQUEST = 0x1,
  HCS_BRIDGE_KIND_RESPONSE = 0x2,
  HCS_BRIDGE_KIND_NOTIFICATION = 0x3,
} HcsBridgeKind;

/* A type's kind (its top nibble), and the type of the response to a
 * request of type @request_type. */
#define HCS_BRIDGE_KIND_OF(type) ((guint32) (type) >> 28)
#define HCS_BRIDGE_RESPONSE_TYPE(request_type) \
  (((guint32) (request_type) & 0x0fffffffu) | ((guint32) HCS_BRIDGE_KIND_RESPONSE << 28))

/**
 * hcs_bridge_header_encode:
 * @out: (out caller-allocates) (array fixed-size=16): the header
 * @type: type
 * @size: size
 * @id: id
 *
 * Fills @out with the header, little-endian: type, size, id.
 */
void hcs_bridge_header_encode (guint8 out[HCS_BRIDGE_HEADER_SIZE], guint32 type, guint32 size,
                               guint64 id);
/**
 * hcs_bridge_header_decode:
 * @in: (array fixed-size=16): the header
 * @max_size: max size
 * @type: (out): the message type
 * @size: (out): the total size
 * @id: (out): the message id
 * @error: return location for a #GError
 *
 * Checks the kind and that HEADER_SIZE <= size <= @max_size; the error
 * (HCS_ERROR_INVALID_DATA) says which.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_bridge_header_decode (const guint8 in[HCS_BRIDGE_HEADER_SIZE], gsize max_size,
                                   guint32 *type, guint32 *size, guint64 *id, GError **error);
/**
 * hcs_bridge_message_encode:
 * @type: type
 * @id: id
 * @body: (nullable): the JSON body
 * @max_size: max size
 * @error: return location for a #GError
 *
 * Header and body (a NULL @body is {}); HCS_ERROR_INVALID_DATA when the
 * whole is over @max_size.
 *
 * Returns: (transfer full): the framed message, or %NULL on error
 */
GBytes *hcs_bridge_message_encode (guint32 type, guint64 id, JsonNode *body, gsize max_size,
                                   GError **error);

#define HCS_TYPE_BRIDGE (hcs_bridge_get_type ())
G_DECLARE_FINAL_TYPE (HcsBridge, hcs_bridge, HCS, BRIDGE, GObject)

/**
 * hcs_bridge_new:
 * @stream: the connection, a unix socket or any GIOStream
 * @max_message_size: the largest message either way, header included; 0
 *     for HCS_BRIDGE_DEFAULT_MAX_MESSAGE
 *
 * One connection. Signals, emitted in the GMainContext that was the
 * thread-default one at hcs_bridge_start():
 *   "request" (guint type, guint64 id, JsonNode *body): answer with
 *       hcs_bridge_respond(), now or later, from any thread; the next
 *       message is read only once the handlers return;
 *   "notification" (guint type, JsonNode *body);
 *   "closed" (GError *error): once; NULL error at a clean end of stream
 *       or at hcs_bridge_close(), which emits it in the calling thread.
 * A bad header, an oversized message or a body that is not a JSON object
 * (or nests deeper than 128 levels) closes the connection with an error
 * naming what was wrong; nothing of an oversized body is read. The read
 * loop holds a reference until the connection closes.
 */
HcsBridge *hcs_bridge_new (GIOStream *stream, gsize max_message_size);
/**
 * hcs_bridge_start:
 * @self: the object
 *
 * Captures the thread-default main context and starts reading.
 */
void hcs_bridge_start (HcsBridge *self);
/**
 * hcs_bridge_get_stream:
 * @self: the object
 *
 * For what goes beside the messages (fds over a GUnixConnection).
 *
 * Returns: (transfer none): the connection
 */
GIOStream *hcs_bridge_get_stream (HcsBridge *self);
/**
 * hcs_bridge_is_closed:
 * @self: the object
 *
 * Returns: whether it holds
 */
gboolean hcs_bridge_is_closed (HcsBridge *self);
/**
 * hcs_bridge_close:
 * @self: the object
 *
 * Closes the stream, fails pending calls, emits "closed"; idempotent.
 */
void hcs_bridge_close (HcsBridge *self);

/**
 * hcs_bridge_set_max_queued:
 * @self: the object
 * @max_queued: max queued
 *
 * Makes writes never wait for the peer (the stream must be pollable, as a
 * socket is; FALSE otherwise): what it has not read yet is queued and
 * written from the bridge's context as it reads; once more than
 * @max_queued bytes (at least one largest message) wait, the connection is
 * closed with an error saying so. A server sets it on each connection so
 * that a client that stops reading stalls no one but itself.
 *
 * Returns: whether it holds
 */
gboolean hcs_bridge_set_max_queued (HcsBridge *self, gsize max_queued);
/**
 * hcs_bridge_detach:
 * @self: the object
 *
 * From a "request" handler only: the stream is the caller's from the byte
 * after this request (no more is read, nothing is closed); the bridge then
 * closes itself, emitting "closed" with no error. For a connection that
 * says what it is in its first message and then carries raw bytes.
 *
 * Returns: (transfer full): the connection
 */
GIOStream *hcs_bridge_detach (HcsBridge *self);

/**
 * hcs_bridge_respond:
 * @self: the object
 * @request_type: request type
 * @id: id
 * @body: body
 * @error: return location for a #GError
 *
 * Writes are whole messages, written before these return (queued, with
 * hcs_bridge_set_max_queued()), one at a time from any thread. A write
 * that fails part way closes the connection; after the close they fail
 * with HCS_ERROR_UNEXPECTED_EXIT.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_bridge_respond (HcsBridge *self, guint32 request_type, guint64 id, JsonNode *body,
                             GError **error);
/**
 * hcs_bridge_notify:
 * @self: the object
 * @type: type
 * @body: body
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_bridge_notify (HcsBridge *self, guint32 type, JsonNode *body, GError **error);
/**
 * hcs_bridge_respond_error:
 * @self: the object
 * @request_type: request type
 * @id: id
 * @failure: failure
 * @error: return location for a #GError
 *
 * A response that fails the call with @failure at the other end.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_bridge_respond_error (HcsBridge *self, guint32 request_type, guint64 id,
                                   const GError *failure, GError **error);

/**
 * hcs_bridge_call_async:
 * @self: the object
 * @type: type
 * @body: body
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called with the response
 * @user_data: (closure callback): data for @callback
 *
 * A request with a fresh id (1, 2, ...), written before this returns; the
 * reply is matched by id, so calls may be outstanding together and
 * answered in any order. Pending calls fail with HCS_ERROR_UNEXPECTED_EXIT
 * when the connection ends, and with G_IO_ERROR_CANCELLED when
 * @cancellable fires (a late reply is then dropped). A reply whose body
 * has "Error" (a message) and "ErrorCode" (an HcsError) fails the call
 * with that error, so errors cross the bridge intact.
 */
void hcs_bridge_call_async (HcsBridge *self, guint32 type, JsonNode *body,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data);
/**
 * hcs_bridge_call_finish:
 * @self: the object
 * @result: result
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the response body, or %NULL on error
 */
JsonNode *hcs_bridge_call_finish (HcsBridge *self, GAsyncResult *result, GError **error);
/**
 * hcs_bridge_call_sync:
 * @self: the object
 * @type: type
 * @body: body
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Iterates the bridge's main context until the reply: for callers with no
 * main loop running (a command line), as GDBus's sync calls do. No other
 * thread may be running that context meanwhile.
 *
 * Returns: (transfer full): the response body, or %NULL on error
 */
JsonNode *hcs_bridge_call_sync (HcsBridge *self, guint32 type, JsonNode *body,
                                GCancellable *cancellable, GError **error);

G_END_DECLS
