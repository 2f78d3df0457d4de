/* test-bridge.c: the bridge protocol on its own, over socket pairs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQUEST_ECHO 0x10000101u
#define NOTIFY_TICK 0x30000101u
#define NOTIFY_TOCK 0x30000202u

/* --- helpers ------------------------------------------------------------------------ */

/* A connected pair: a GIOStream on one end, @raw gets the other as a
 * plain fd (for a peer bridge, or for bytes written by hand). */
static GIOStream *
make_pair (int *raw)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) socket = NULL;
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  socket = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  *raw = fds[1];
  return G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
}

static GIOStream *
stream_from_fd (int fd)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) socket = g_socket_new_from_fd (fd, &error);

  g_assert_no_error (error);
  return G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
}

static JsonNode *
object_node (const char *json)
{
  g_autoptr (GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

/* json_node_init_object() would take a reference of its own. */
static JsonNode *
new_object_node (void)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  return node;
}

static const char *
string_member (JsonNode *node, const char *name)
{
  return json_object_get_string_member (json_node_get_object (node), name);
}

/* MSG_NOSIGNAL: the bridge may close its end first, which is no crash
 * of the test. */
static gboolean
send_raw (int fd, const void *data, gsize length)
{
  const guint8 *bytes = data;

  while (length > 0)
    {
      gssize n = send (fd, bytes, length, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      bytes += n;
      length -= n;
    }
  return TRUE;
}

static void
read_exact (int fd, void *data, gsize length)
{
  guint8 *bytes = data;

  while (length > 0)
    {
      gssize n = read (fd, bytes, length);
      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >, 0);
      bytes += n;
      length -= n;
    }
}

/* Drops what the closed bridges still have queued on the default context
 * (their cancelled reads), so each test ends with nothing pending. */
static void
drain_default_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
iterate_until (const gboolean *flag)
{
  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
}

/* --- pure functions ----------------------------------------------------------------- */

static void
test_header (void)
{
  guint8 header[HCS_BRIDGE_HEADER_SIZE];
  const guint8 expected[HCS_BRIDGE_HEADER_SIZE] = { 0x01, 0x01, 0x00, 0x10, 0x20, 0x00, 0x00,
                                                    0x00, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03,
                                                    0x02, 0x01 };
  g_autoptr (GError) error = NULL;
  guint32 type, size;
  guint64 id;

  hcs_bridge_header_encode (header, REQUEST_ECHO, 32, 0x0102030405060708ull);
  /* Little-endian, type then size then id, whatever the host's order. */
  g_assert_cmpmem (header, sizeof header, expected, sizeof expected);
  g_assert_true (hcs_bridge_header_decode (header, 1024, &type, &size, &id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (type, ==, REQUEST_ECHO);
  g_assert_cmpuint (size, ==, 32);
  g_assert_cmpuint (id, ==, 0x0102030405060708ull);

  /* The boundaries are allowed: a bare header, a message of exactly max. */
  hcs_bridge_header_encode (header, NOTIFY_TICK, 16, 0);
  g_assert_true (hcs_bridge_header_decode (header, 1024, &type, &size, &id, &error));
  hcs_bridge_header_encode (header, 0x2fffffffu, 1024, G_MAXUINT64);
  g_assert_true (hcs_bridge_header_decode (header, 1024, &type, &size, &id, &error));
  g_assert_cmpuint (type, ==, 0x2fffffffu);
  g_assert_cmpuint (id, ==, G_MAXUINT64);
  g_assert_no_error (error);

  g_assert_cmpuint (HCS_BRIDGE_KIND_OF (REQUEST_ECHO), ==, HCS_BRIDGE_KIND_REQUEST);
  g_assert_cmpuint (HCS_BRIDGE_KIND_OF (NOTIFY_TICK), ==, HCS_BRIDGE_KIND_NOTIFICATION);
  g_assert_cmpuint (HCS_BRIDGE_RESPONSE_TYPE (REQUEST_ECHO), ==, 0x20000101u);
  g_assert_cmpuint (HCS_BRIDGE_RESPONSE_TYPE (0x1abcdef0u), ==, 0x2abcdef0u);
}

static void
test_header_rejects (void)
{
  static const struct {
    guint32 type;
    guint32 size;
    const char *expected;
  } cases[] = {
    { REQUEST_ECHO, 15, "smaller than its 16-byte header" },
    { REQUEST_ECHO, 0, "smaller than its 16-byte header" },
    { REQUEST_ECHO, 1025, "over the limit of 1024" },
    { REQUEST_ECHO, G_MAXUINT32, "over the limit of 1024" },
    { 0x00000101u, 20, "neither a request" },
    { 0x40000101u, 20, "neither a request" },
    { 0xf0000101u, 20, "neither a request" },
  };
  guint8 header[HCS_BRIDGE_HEADER_SIZE];
  guint32 type, size;
  guint64 id;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;

      hcs_bridge_header_encode (header, cases[i].type, cases[i].size, 1);
      g_assert_false (hcs_bridge_header_decode (header, 1024, &type, &size, &id, &error));
      g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, cases[i].expected));
    }
}

static void
test_message_encode (void)
{
  g_autoptr (JsonNode) body = object_node ("{\"a\":1}");
  g_autoptr (JsonNode) big = object_node ("{\"a\":\"0123456789012345678901234567890123456789\"}");
  g_autoptr (GBytes) message = NULL, empty = NULL;
  g_autoptr (GError) error = NULL;
  const guint8 *data;
  gsize length;
  guint32 type, size;
  guint64 id;

  message = hcs_bridge_message_encode (REQUEST_ECHO, 5, body, 1024, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (message, &length);
  g_assert_true (hcs_bridge_header_decode (data, 1024, &type, &size, &id, &error));
  /* The size counts the header; the body is the JSON text, nothing else. */
  g_assert_cmpuint (size, ==, length);
  g_assert_cmpuint (type, ==, REQUEST_ECHO);
  g_assert_cmpuint (id, ==, 5);
  g_assert_cmpmem (data + HCS_BRIDGE_HEADER_SIZE, length - HCS_BRIDGE_HEADER_SIZE, "{\"a\":1}", 7);

  /* No body is an empty object. */
  empty = hcs_bridge_message_encode (NOTIFY_TICK, 0, NULL, 1024, &error);
  data = g_bytes_get_data (empty, &length);
  g_assert_cmpmem (data + HCS_BRIDGE_HEADER_SIZE, length - HCS_BRIDGE_HEADER_SIZE, "{}", 2);

  /* Over the limit: refused, whole. */
  g_assert_null (hcs_bridge_message_encode (REQUEST_ECHO, 1, big, 32, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "over the limit of 32"));
}

/* --- two bridges in this thread ---------------------------------------------------- */

/* The server end: echoes a request's body back; an "Error" member makes
 * it answer with that error; "Later" holds the answer until the test
 * releases it. */
typedef struct {
  guint requests;
  GArray *held;        /* guint64 ids waiting */
  GPtrArray *bodies;   /* JsonNode of the held ones */
  GPtrArray *notifications;
  guint32 notification_type;
} Server;

static void
server_request_cb (HcsBridge *bridge, guint type, guint64 id, JsonNode *body, gpointer data)
{
  Server *server = data;
  JsonObject *object = json_node_get_object (body);
  g_autoptr (GError) error = NULL;

  server->requests++;
  g_assert_cmpuint (type, ==, REQUEST_ECHO);
  if (json_object_has_member (object, "Later"))
    {
      g_array_append_val (server->held, id);
      g_ptr_array_add (server->bodies, json_node_copy (body));
      return;
    }
  if (json_object_has_member (object, "Error"))
    {
      g_autoptr (GError) failure = g_error_new (HCS_ERROR, HCS_ERROR_ALREADY_STOPPED, "%s",
                                                json_object_get_string_member (object, "Error"));
      g_assert_true (hcs_bridge_respond_error (bridge, type, id, failure, &error));
      g_assert_no_error (error);
      return;
    }
  g_assert_true (hcs_bridge_respond (bridge, type, id, body, &error));
  g_assert_no_error (error);
}

static void
server_notification_cb (HcsBridge *bridge, guint type, JsonNode *body, gpointer data)
{
  Server *server = data;

  server->notification_type = type;
  g_ptr_array_add (server->notifications, json_node_copy (body));
}

typedef struct {
  Server server;
  HcsBridge *client;
  HcsBridge *peer;
} Pair;

static void
pair_open (Pair *pair, gsize client_max)
{
  g_autoptr (GIOStream) client_stream = NULL, server_stream = NULL;
  int raw;

  pair->server.held = g_array_new (FALSE, FALSE, sizeof (guint64));
  pair->server.bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  pair->server.notifications = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  client_stream = make_pair (&raw);
  server_stream = stream_from_fd (raw);
  pair->client = hcs_bridge_new (client_stream, client_max);
  pair->peer = hcs_bridge_new (server_stream, 0);
  g_signal_connect (pair->peer, "request", G_CALLBACK (server_request_cb), &pair->server);
  g_signal_connect (pair->peer, "notification", G_CALLBACK (server_notification_cb),
                    &pair->server);
  hcs_bridge_start (pair->client);
  hcs_bridge_start (pair->peer);
}

static void
pair_close (Pair *pair)
{
  hcs_bridge_close (pair->client);
  hcs_bridge_close (pair->peer);
  g_clear_object (&pair->client);
  g_clear_object (&pair->peer);
  g_array_unref (pair->server.held);
  g_ptr_array_unref (pair->server.bodies);
  g_ptr_array_unref (pair->server.notifications);
  drain_default_context ();
}

typedef struct {
  GPtrArray *replies;   /* char * "value" members, in completion order */
  guint outstanding;
} Client;

static void
client_call_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Client *client = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = hcs_bridge_call_finish (HCS_BRIDGE (source), result, &error);

  g_assert_no_error (error);
  g_ptr_array_add (client->replies, g_strdup (string_member (reply, "value")));
  client->outstanding--;
}

/* Several calls outstanding, answered in reverse order: each caller gets
 * its own reply. */
static void
test_interleaved_ids (void)
{
  Pair pair = { { 0 } };
  Client client = { g_ptr_array_new_with_free_func (g_free), 3 };

  pair_open (&pair, 0);
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"Later\": true, \"value\": \"v%d\"}", i);
      g_autoptr (JsonNode) body = object_node (json);
      hcs_bridge_call_async (pair.client, REQUEST_ECHO, body, NULL, client_call_done_cb, &client);
    }
  while (pair.server.held->len < 3)
    g_main_context_iteration (NULL, TRUE);
  /* Fresh ids from 1, in order of sending. */
  g_assert_cmpuint (g_array_index (pair.server.held, guint64, 0), ==, 1);
  g_assert_cmpuint (g_array_index (pair.server.held, guint64, 1), ==, 2);
  g_assert_cmpuint (g_array_index (pair.server.held, guint64, 2), ==, 3);
  for (int i = 2; i >= 0; i--)
    g_assert_true (hcs_bridge_respond (pair.peer, REQUEST_ECHO,
                                       g_array_index (pair.server.held, guint64, i),
                                       pair.server.bodies->pdata[i], NULL));
  while (client.outstanding > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (client.replies->len, ==, 3);
  g_assert_cmpstr (client.replies->pdata[0], ==, "v2");
  g_assert_cmpstr (client.replies->pdata[1], ==, "v1");
  g_assert_cmpstr (client.replies->pdata[2], ==, "v0");

  g_ptr_array_unref (client.replies);
  pair_close (&pair);
}

/* A command line's use: no main loop running; errors cross intact. */
static void
test_sync_call_and_errors (void)
{
  Pair pair = { { 0 } };
  g_autoptr (JsonNode) reply = NULL, body = object_node ("{\"value\": \"sync\"}");
  g_autoptr (JsonNode) failing = object_node ("{\"Error\": \"it has stopped\"}");
  g_autoptr (GError) error = NULL;

  pair_open (&pair, 0);
  reply = hcs_bridge_call_sync (pair.client, REQUEST_ECHO, body, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (string_member (reply, "value"), ==, "sync");
  g_assert_null (hcs_bridge_call_sync (pair.client, REQUEST_ECHO, failing, NULL, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ALREADY_STOPPED);
  g_assert_cmpstr (error->message, ==, "it has stopped");
  /* An error reply leaves the connection up. */
  g_assert_false (hcs_bridge_is_closed (pair.client));
  g_assert_cmpuint (pair.server.requests, ==, 2);
  pair_close (&pair);
}

/* Notifications go either way and reach "notification" with their type. */
static void
test_notifications (void)
{
  Pair pair = { { 0 } };
  g_autoptr (JsonNode) tick = object_node ("{\"value\": \"tick\"}");
  g_autoptr (JsonNode) tock = object_node ("{\"value\": \"tock\"}");
  g_autoptr (GError) error = NULL;
  Server back = { 0 };

  pair_open (&pair, 0);
  back.notifications = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_signal_connect (pair.client, "notification", G_CALLBACK (server_notification_cb), &back);

  g_assert_true (hcs_bridge_notify (pair.client, NOTIFY_TICK, tick, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_bridge_notify (pair.peer, NOTIFY_TOCK, tock, &error));
  while (pair.server.notifications->len < 1 || back.notifications->len < 1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (pair.server.notification_type, ==, NOTIFY_TICK);
  g_assert_cmpstr (string_member (pair.server.notifications->pdata[0], "value"), ==, "tick");
  g_assert_cmpuint (back.notification_type, ==, NOTIFY_TOCK);
  g_assert_cmpstr (string_member (back.notifications->pdata[0], "value"), ==, "tock");
  /* Neither was taken for a request. */
  g_assert_cmpuint (pair.server.requests, ==, 0);

  g_ptr_array_unref (back.notifications);
  pair_close (&pair);
}

typedef struct {
  GError *error;
  gboolean done;
} Pending;

static void
pending_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Pending *pending = data;
  g_autoptr (JsonNode) reply = hcs_bridge_call_finish (HCS_BRIDGE (source), result,
                                                       &pending->error);

  g_assert_null (reply);
  pending->done = TRUE;
}

/* A cancelled call fails at once; its late reply is dropped, and the
 * connection goes on. */
static void
test_cancel (void)
{
  Pair pair = { { 0 } };
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (JsonNode) later = object_node ("{\"Later\": true}");
  g_autoptr (JsonNode) body = object_node ("{\"value\": \"after\"}");
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (GError) error = NULL;
  Pending pending = { NULL, FALSE }, early = { NULL, FALSE };

  pair_open (&pair, 0);
  hcs_bridge_call_async (pair.client, REQUEST_ECHO, later, cancellable, pending_done_cb,
                         &pending);
  while (pair.server.held->len < 1)
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (cancellable);
  iterate_until (&pending.done);
  g_assert_error (pending.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&pending.error);

  /* Already cancelled: nothing is sent. */
  hcs_bridge_call_async (pair.client, REQUEST_ECHO, body, cancellable, pending_done_cb, &early);
  iterate_until (&early.done);
  g_assert_error (early.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&early.error);

  g_assert_true (hcs_bridge_respond (pair.peer, REQUEST_ECHO,
                                     g_array_index (pair.server.held, guint64, 0), later, NULL));
  reply = hcs_bridge_call_sync (pair.client, REQUEST_ECHO, body, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (string_member (reply, "value"), ==, "after");
  g_assert_cmpuint (pair.server.requests, ==, 2);
  g_assert_false (hcs_bridge_is_closed (pair.client));
  pair_close (&pair);
}

/* A message over our own limit is refused before it is written; the
 * connection stays up. */
static void
test_oversized_send (void)
{
  Pair pair = { { 0 } };
  g_autofree char *long_text = g_strnfill (200, 'x');
  g_autofree char *json = g_strdup_printf ("{\"value\": \"%s\"}", long_text);
  g_autoptr (JsonNode) big = object_node (json);
  g_autoptr (JsonNode) small = object_node ("{\"value\": \"ok\"}");
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (GError) error = NULL;

  pair_open (&pair, 128);
  g_assert_null (hcs_bridge_call_sync (pair.client, REQUEST_ECHO, big, NULL, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (hcs_bridge_notify (pair.client, NOTIFY_TICK, big, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);

  reply = hcs_bridge_call_sync (pair.client, REQUEST_ECHO, small, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (string_member (reply, "value"), ==, "ok");
  g_assert_cmpuint (pair.server.requests, ==, 1);
  g_assert_cmpuint (pair.server.notifications->len, ==, 0);
  pair_close (&pair);
}

static void
count_closed_cb (HcsBridge *bridge, GError *error, gpointer data)
{
  guint *count = data;

  g_assert_no_error (error);
  (*count)++;
}

/* Our own close: once, cleanly; pending calls fail, later writes too, and
 * the peer sees a clean end. */
static void
test_local_close (void)
{
  Pair pair = { { 0 } };
  g_autoptr (JsonNode) later = object_node ("{\"Later\": true}");
  g_autoptr (GError) error = NULL;
  Pending pending = { NULL, FALSE };
  guint client_closed = 0, peer_closed = 0;

  pair_open (&pair, 0);
  g_signal_connect (pair.client, "closed", G_CALLBACK (count_closed_cb), &client_closed);
  g_signal_connect (pair.peer, "closed", G_CALLBACK (count_closed_cb), &peer_closed);
  hcs_bridge_call_async (pair.client, REQUEST_ECHO, later, NULL, pending_done_cb, &pending);
  while (pair.server.held->len < 1)
    g_main_context_iteration (NULL, TRUE);

  hcs_bridge_close (pair.client);
  g_assert_cmpuint (client_closed, ==, 1);
  g_assert_true (hcs_bridge_is_closed (pair.client));
  hcs_bridge_close (pair.client);
  g_assert_cmpuint (client_closed, ==, 1);
  iterate_until (&pending.done);
  g_assert_error (pending.error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);
  g_clear_error (&pending.error);
  g_assert_false (hcs_bridge_notify (pair.client, NOTIFY_TICK, later, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);

  while (peer_closed == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (hcs_bridge_is_closed (pair.peer));
  pair_close (&pair);
  g_assert_cmpuint (client_closed, ==, 1);
  g_assert_cmpuint (peer_closed, ==, 1);
}

/* --- a bridge and raw bytes --------------------------------------------------------- */

/* What a bridge makes of bytes written by hand. */
typedef struct {
  GPtrArray *requests;   /* JsonNode */
  GPtrArray *notifications;
  guint closed;
  GError *closed_error;
} Sink;

static void
sink_request_cb (HcsBridge *bridge, guint type, guint64 id, JsonNode *body, gpointer data)
{
  g_ptr_array_add (((Sink *) data)->requests, json_node_copy (body));
}

static void
sink_notification_cb (HcsBridge *bridge, guint type, JsonNode *body, gpointer data)
{
  g_ptr_array_add (((Sink *) data)->notifications, json_node_copy (body));
}

static void
sink_closed_cb (HcsBridge *bridge, GError *error, gpointer data)
{
  Sink *sink = data;

  sink->closed++;
  sink->closed_error = error ? g_error_copy (error) : NULL;
}

static HcsBridge *
sink_bridge (Sink *sink, int *raw, gsize max)
{
  g_autoptr (GIOStream) stream = make_pair (raw);
  HcsBridge *bridge = hcs_bridge_new (stream, max);

  sink->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  sink->notifications = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_signal_connect (bridge, "request", G_CALLBACK (sink_request_cb), sink);
  g_signal_connect (bridge, "notification", G_CALLBACK (sink_notification_cb), sink);
  g_signal_connect (bridge, "closed", G_CALLBACK (sink_closed_cb), sink);
  hcs_bridge_start (bridge);
  return bridge;
}

static void
sink_clear (Sink *sink)
{
  g_ptr_array_unref (sink->requests);
  g_ptr_array_unref (sink->notifications);
  g_clear_error (&sink->closed_error);
  drain_default_context ();
}

static void
wait_closed (Sink *sink)
{
  while (sink->closed == 0)
    g_main_context_iteration (NULL, TRUE);
}

/* Writes bytes from a thread of its own, @chunk at a time, so the bridge
 * reads them as they come and a big write never blocks the test. */
typedef struct {
  int fd;
  GBytes *bytes;
  gsize chunk;
  gboolean shutdown;   /* then a half close: the end of the stream */
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *writer = data;
  gsize size;
  const guint8 *bytes = g_bytes_get_data (writer->bytes, &size);

  for (gsize i = 0; i < size; i += writer->chunk)
    {
      if (!send_raw (writer->fd, bytes + i, MIN (writer->chunk, size - i)))
        break;
      if (writer->chunk == 1)
        g_usleep (100);
    }
  if (writer->shutdown)
    shutdown (writer->fd, SHUT_WR);
  return NULL;
}

/* Messages cut into single bytes arrive whole. */
static void
test_partial_reads (void)
{
  Sink sink = { 0 };
  int raw;
  g_autoptr (HcsBridge) bridge = sink_bridge (&sink, &raw, 0);
  g_autoptr (JsonNode) first = object_node ("{\"n\": 1}");
  g_autoptr (JsonNode) second = object_node ("{\"n\": 2, \"text\": \"two\"}");
  g_autoptr (GBytes) a = hcs_bridge_message_encode (REQUEST_ECHO, 7, first, 1024, NULL);
  g_autoptr (GBytes) b = hcs_bridge_message_encode (NOTIFY_TICK, 0, second, 1024, NULL);
  g_autoptr (GByteArray) both = g_byte_array_new ();
  Writer writer = { raw, NULL, 1, FALSE };
  GThread *thread;

  g_byte_array_append (both, g_bytes_get_data (a, NULL), g_bytes_get_size (a));
  g_byte_array_append (both, g_bytes_get_data (b, NULL), g_bytes_get_size (b));
  writer.bytes = g_byte_array_free_to_bytes (g_steal_pointer (&both));
  thread = g_thread_new ("trickle", writer_thread, &writer);
  while (sink.requests->len < 1 || sink.notifications->len < 1)
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  g_assert_cmpuint (sink.requests->len, ==, 1);
  g_assert_cmpuint (sink.notifications->len, ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (sink.requests->pdata[0]),
                                               "n"), ==, 1);
  g_assert_cmpstr (string_member (sink.notifications->pdata[0], "text"), ==, "two");
  g_assert_cmpuint (sink.closed, ==, 0);

  /* The peer leaving between messages is a clean close. */
  close (raw);
  wait_closed (&sink);
  g_assert_no_error (sink.closed_error);
  g_bytes_unref (writer.bytes);
  sink_clear (&sink);
}

/* Each bad frame closes the connection with an error naming it, once; the
 * valid message behind it is never delivered. */
static void
test_bad_frames (void)
{
  static const struct {
    const char *name;
    const char *expected;
    int code;
  } cases[] = {
    { "oversized", "over the limit", HCS_ERROR_INVALID_DATA },
    { "garbage", "neither a request", HCS_ERROR_INVALID_DATA },
    { "kind-zero", "neither a request", HCS_ERROR_INVALID_DATA },
    { "under-header", "smaller than its 16-byte header", HCS_ERROR_INVALID_DATA },
    { "bad-json", "not a JSON object", HCS_ERROR_INVALID_JSON },
    { "array-body", "not a JSON object", HCS_ERROR_INVALID_JSON },
    { "empty-body", "not a JSON object", HCS_ERROR_INVALID_JSON },
    { "bad-utf8", "not a JSON object", HCS_ERROR_INVALID_JSON },
    { "deep", "nested deeper than", HCS_ERROR_INVALID_JSON },
    { "truncated-body", "ended inside a message body", HCS_ERROR_INVALID_DATA },
    { "truncated-header", "ended inside a header", HCS_ERROR_INVALID_DATA },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *name = cases[i].name;
      Sink sink = { 0 };
      int raw;
      g_autoptr (HcsBridge) bridge = sink_bridge (&sink, &raw, 1024 * 1024);
      g_autoptr (GByteArray) bytes = g_byte_array_new ();
      g_autoptr (JsonNode) valid = object_node ("{\"after\": true}");
      g_autoptr (GBytes) after = hcs_bridge_message_encode (REQUEST_ECHO, 9, valid, 4096, NULL);
      guint8 header[HCS_BRIDGE_HEADER_SIZE];
      g_autofree char *body = NULL;
      Writer writer = { raw, NULL, G_MAXSIZE, FALSE };
      GThread *thread;

      g_test_message ("case %s", name);
      if (g_str_equal (name, "oversized"))
        /* A header claiming 1 GiB: refused before any body is read (the
         * few bytes behind it could never complete one). */
        hcs_bridge_header_encode (header, REQUEST_ECHO, 1u << 30, 1);
      else if (g_str_equal (name, "garbage"))
        /* Every bit set: the kind nibble is 0xf. */
        memset (header, 0xff, sizeof header);
      else if (g_str_equal (name, "kind-zero"))
        hcs_bridge_header_encode (header, 0x00000101u, sizeof header, 1);
      else if (g_str_equal (name, "under-header"))
        hcs_bridge_header_encode (header, REQUEST_ECHO, 8, 1);
      else if (g_str_equal (name, "truncated-header"))
        {
          hcs_bridge_header_encode (header, REQUEST_ECHO, 64, 1);
          writer.shutdown = TRUE;
        }
      else
        {
          if (g_str_equal (name, "bad-json"))
            body = g_strdup ("{\"a\": ");
          else if (g_str_equal (name, "array-body"))
            body = g_strdup ("[1, 2]");
          else if (g_str_equal (name, "empty-body"))
            body = g_strdup ("");
          else if (g_str_equal (name, "bad-utf8"))
            body = g_strdup ("{\"a\": \"\xff\xfe\"}");
          else if (g_str_equal (name, "deep"))
            /* Deep enough to overflow a parser's stack if it were parsed. */
            body = g_strnfill (200000, '[');
          else
            {
              body = g_strdup ("{\"a\":");
              writer.shutdown = TRUE;
            }
          /* The truncated body claims 100 bytes more than it has. */
          hcs_bridge_header_encode (header, REQUEST_ECHO,
                                    sizeof header + strlen (body) + (writer.shutdown ? 100 : 0),
                                    1);
        }
      g_byte_array_append (bytes, header,
                           g_str_equal (name, "truncated-header") ? 10 : sizeof header);
      if (body != NULL)
        g_byte_array_append (bytes, (const guint8 *) body, strlen (body));
      if (!writer.shutdown)
        g_byte_array_append (bytes, g_bytes_get_data (after, NULL), g_bytes_get_size (after));
      writer.bytes = g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
      thread = g_thread_new ("writer", writer_thread, &writer);

      wait_closed (&sink);
      g_thread_join (thread);
      g_assert_nonnull (sink.closed_error);
      g_assert_error (sink.closed_error, HCS_ERROR, cases[i].code);
      g_assert_nonnull (strstr (sink.closed_error->message, cases[i].expected));
      g_assert_cmpuint (sink.requests->len, ==, 0);
      g_assert_true (hcs_bridge_is_closed (bridge));
      /* Once, even with more bytes and the end of stream still to come. */
      close (raw);
      drain_default_context ();
      g_assert_cmpuint (sink.closed, ==, 1);
      g_bytes_unref (writer.bytes);
      sink_clear (&sink);
    }
}

/* On the wire: ids from 1, the response type, notifications with id 0;
 * a response to no pending call is dropped. */
static void
test_wire (void)
{
  Sink sink = { 0 };
  int raw;
  g_autoptr (HcsBridge) bridge = sink_bridge (&sink, &raw, 0);
  g_autoptr (JsonNode) body = object_node ("{\"q\":1}");
  g_autoptr (JsonNode) answer = object_node ("{\"value\":\"right\"}");
  g_autoptr (JsonNode) wrong = object_node ("{\"value\":\"wrong\"}");
  g_autoptr (GBytes) stray = NULL, reply = NULL;
  g_autoptr (GError) error = NULL;
  guint8 header[HCS_BRIDGE_HEADER_SIZE];
  char text[64];
  guint32 type, size;
  guint64 id;
  Client client = { g_ptr_array_new_with_free_func (g_free), 1 };
  Pending unanswered = { NULL, FALSE };

  hcs_bridge_call_async (bridge, REQUEST_ECHO, body, NULL, client_call_done_cb, &client);
  /* Written before call_async returned. */
  read_exact (raw, header, sizeof header);
  g_assert_true (hcs_bridge_header_decode (header, 1024, &type, &size, &id, &error));
  g_assert_cmpuint (type, ==, REQUEST_ECHO);
  g_assert_cmpuint (id, ==, 1);
  g_assert_cmpuint (size, ==, sizeof header + 7);
  read_exact (raw, text, size - sizeof header);
  g_assert_cmpmem (text, size - sizeof header, "{\"q\":1}", 7);

  stray = hcs_bridge_message_encode (HCS_BRIDGE_RESPONSE_TYPE (REQUEST_ECHO), 42, wrong, 1024,
                                     NULL);
  reply = hcs_bridge_message_encode (HCS_BRIDGE_RESPONSE_TYPE (REQUEST_ECHO), 1, answer, 1024,
                                     NULL);
  g_assert_true (send_raw (raw, g_bytes_get_data (stray, NULL), g_bytes_get_size (stray)));
  g_assert_true (send_raw (raw, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply)));
  while (client.outstanding > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (client.replies->pdata[0], ==, "right");
  g_assert_cmpuint (sink.closed, ==, 0);

  /* The next call takes the next id. */
  hcs_bridge_call_async (bridge, REQUEST_ECHO, body, NULL, pending_done_cb, &unanswered);
  read_exact (raw, header, sizeof header);
  g_assert_true (hcs_bridge_header_decode (header, 1024, &type, &size, &id, &error));
  g_assert_cmpuint (id, ==, 2);
  read_exact (raw, text, size - sizeof header);

  /* A response carries the request's id and the response kind. */
  g_assert_true (hcs_bridge_respond (bridge, 0x10000305u, 77, answer, &error));
  read_exact (raw, header, sizeof header);
  g_assert_true (hcs_bridge_header_decode (header, 1024, &type, &size, &id, &error));
  g_assert_cmpuint (type, ==, 0x20000305u);
  g_assert_cmpuint (id, ==, 77);
  read_exact (raw, text, size - sizeof header);

  g_assert_true (hcs_bridge_notify (bridge, NOTIFY_TICK, NULL, &error));
  read_exact (raw, header, sizeof header);
  g_assert_true (hcs_bridge_header_decode (header, 1024, &type, &size, &id, &error));
  g_assert_cmpuint (type, ==, NOTIFY_TICK);
  g_assert_cmpuint (id, ==, 0);
  g_assert_cmpuint (size, ==, sizeof header + 2);
  read_exact (raw, text, 2);
  g_assert_cmpmem (text, 2, "{}", 2);
  g_assert_no_error (error);

  /* Call 2 is never answered: the peer goes and it fails. */
  close (raw);
  wait_closed (&sink);
  g_assert_no_error (sink.closed_error);
  iterate_until (&unanswered.done);
  g_assert_error (unanswered.error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);
  g_clear_error (&unanswered.error);
  g_ptr_array_unref (client.replies);
  sink_clear (&sink);
}

/* Calls pending when the peer goes fail with a clear error; so do calls
 * made after. */
static void
test_pending_fail_on_close (void)
{
  g_autoptr (GIOStream) stream = NULL;
  g_autoptr (HcsBridge) bridge = NULL;
  g_autoptr (JsonNode) body = object_node ("{}");
  g_autoptr (GError) error = NULL;
  Pending first = { NULL, FALSE }, second = { NULL, FALSE };
  guint8 header[HCS_BRIDGE_HEADER_SIZE];
  int raw;

  stream = make_pair (&raw);
  bridge = hcs_bridge_new (stream, 0);
  hcs_bridge_start (bridge);
  hcs_bridge_call_async (bridge, REQUEST_ECHO, body, NULL, pending_done_cb, &first);
  hcs_bridge_call_async (bridge, REQUEST_ECHO, body, NULL, pending_done_cb, &second);
  /* The peer reads a request, then leaves without answering. */
  read_exact (raw, header, sizeof header);
  close (raw);
  iterate_until (&first.done);
  iterate_until (&second.done);
  g_assert_error (first.error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);
  g_assert_nonnull (strstr (first.error->message, "closed before the reply"));
  g_assert_error (second.error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);
  g_clear_error (&first.error);
  g_clear_error (&second.error);

  g_assert_true (hcs_bridge_is_closed (bridge));
  g_assert_null (hcs_bridge_call_sync (bridge, REQUEST_ECHO, body, NULL, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);
  drain_default_context ();
}

/* --- a server in a thread of its own ------------------------------------------------ */

/* As a monitor is to a command line: a peer with its own main loop; it
 * echoes requests, keeps notifications, and ends when the client leaves. */
typedef struct {
  int fd;
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  guint requests;
  GPtrArray *notifications;   /* the server thread's until joined */
  GError *closed_error;
} ServerThread;

static void
thread_request_cb (HcsBridge *bridge, guint type, guint64 id, JsonNode *body, gpointer data)
{
  ServerThread *server = data;

  server->requests++;
  g_assert_true (hcs_bridge_respond (bridge, type, id, body, NULL));
}

static void
thread_notification_cb (HcsBridge *bridge, guint type, JsonNode *body, gpointer data)
{
  ServerThread *server = data;

  g_ptr_array_add (server->notifications, json_node_ref (body));
}

static void
thread_closed_cb (HcsBridge *bridge, GError *error, gpointer data)
{
  ServerThread *server = data;

  server->closed_error = error ? g_error_copy (error) : NULL;
  g_main_loop_quit (server->loop);
}

static gpointer
server_thread_main (gpointer data)
{
  ServerThread *server = data;
  g_autoptr (GIOStream) stream = stream_from_fd (server->fd);
  g_autoptr (HcsBridge) bridge = hcs_bridge_new (stream, 0);

  g_main_context_push_thread_default (server->context);
  g_signal_connect (bridge, "request", G_CALLBACK (thread_request_cb), server);
  g_signal_connect (bridge, "notification", G_CALLBACK (thread_notification_cb), server);
  g_signal_connect (bridge, "closed", G_CALLBACK (thread_closed_cb), server);
  hcs_bridge_start (bridge);
  g_main_loop_run (server->loop);
  g_main_context_pop_thread_default (server->context);
  return NULL;
}

static void
server_thread_start (ServerThread *server, int fd)
{
  server->fd = fd;
  server->context = g_main_context_new ();
  server->loop = g_main_loop_new (server->context, FALSE);
  server->notifications = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  server->thread = g_thread_new ("server", server_thread_main, server);
}

static void
server_thread_join (ServerThread *server)
{
  g_thread_join (server->thread);
  g_main_loop_unref (server->loop);
  g_main_context_unref (server->context);
}

static void
server_thread_clear (ServerThread *server)
{
  g_ptr_array_unref (server->notifications);
  g_clear_error (&server->closed_error);
}

/* No main loop runs here: call_sync turns the client's context itself,
 * for replies small and large (a large one crosses in many reads and
 * writes). */
static void
test_sync_call_without_loop (void)
{
  ServerThread server = { 0 };
  g_autoptr (GIOStream) stream = NULL;
  g_autoptr (HcsBridge) bridge = NULL;
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autofree char *large = g_strnfill (1024 * 1024, 'x');
  g_autoptr (JsonNode) large_body = new_object_node ();
  int raw;

  stream = make_pair (&raw);
  server_thread_start (&server, raw);
  /* Started on a context nobody runs, as hcs-remote does. */
  bridge = hcs_bridge_new (stream, 0);
  g_main_context_push_thread_default (context);
  hcs_bridge_start (bridge);
  g_main_context_pop_thread_default (context);

  for (int i = 0; i < 3; i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"value\": \"call %d\"}", i);
      g_autofree char *expected = g_strdup_printf ("call %d", i);
      g_autoptr (JsonNode) body = object_node (json);
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonNode) reply = hcs_bridge_call_sync (bridge, REQUEST_ECHO, body, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (string_member (reply, "value"), ==, expected);
    }
  json_object_set_string_member (json_node_get_object (large_body), "value", large);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonNode) reply = hcs_bridge_call_sync (bridge, REQUEST_ECHO, large_body, NULL,
                                                       &error);
    g_assert_no_error (error);
    g_assert_cmpstr (string_member (reply, "value"), ==, large);
  }

  hcs_bridge_close (bridge);
  server_thread_join (&server);
  g_assert_no_error (server.closed_error);
  g_assert_cmpuint (server.requests, ==, 4);
  server_thread_clear (&server);
  g_main_context_push_thread_default (context);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
}

/* Many threads notify at once over one bridge: every message arrives
 * whole, each thread's in its order. */
#define WRITERS 4
#define PER_WRITER 100

typedef struct {
  HcsBridge *bridge;
  int index;
} NotifyWriter;

static gpointer
notify_thread (gpointer data)
{
  NotifyWriter *writer = data;
  g_autofree char *padding = g_strnfill (1000 + writer->index * 333, 'p');

  for (int i = 0; i < PER_WRITER; i++)
    {
      g_autoptr (JsonNode) body = new_object_node ();
      JsonObject *object = json_node_get_object (body);

      json_object_set_int_member (object, "Writer", writer->index);
      json_object_set_int_member (object, "N", i);
      json_object_set_string_member (object, "Padding", padding);
      g_assert_true (hcs_bridge_notify (writer->bridge, NOTIFY_TICK, body, NULL));
    }
  return NULL;
}

static void
test_concurrent_writes (void)
{
  ServerThread server = { 0 };
  g_autoptr (GIOStream) stream = NULL;
  g_autoptr (HcsBridge) bridge = NULL;
  NotifyWriter writers[WRITERS];
  GThread *threads[WRITERS];
  int next[WRITERS] = { 0 };
  int raw;

  stream = make_pair (&raw);
  server_thread_start (&server, raw);
  bridge = hcs_bridge_new (stream, 0);
  hcs_bridge_start (bridge);
  for (int t = 0; t < WRITERS; t++)
    {
      writers[t] = (NotifyWriter) { bridge, t };
      threads[t] = g_thread_new ("notify", notify_thread, &writers[t]);
    }
  for (int t = 0; t < WRITERS; t++)
    g_thread_join (threads[t]);
  /* The end of stream comes behind every message written. */
  hcs_bridge_close (bridge);
  server_thread_join (&server);

  g_assert_no_error (server.closed_error);
  g_assert_cmpuint (server.notifications->len, ==, WRITERS * PER_WRITER);
  for (guint i = 0; i < server.notifications->len; i++)
    {
      JsonObject *object = json_node_get_object (server.notifications->pdata[i]);
      gint64 t = json_object_get_int_member (object, "Writer");

      g_assert_cmpint (t, >=, 0);
      g_assert_cmpint (t, <, WRITERS);
      g_assert_cmpint (json_object_get_int_member (object, "N"), ==, next[t]++);
      g_assert_cmpuint (strlen (json_object_get_string_member (object, "Padding")), ==,
                        1000 + t * 333);
    }
  server_thread_clear (&server);
  drain_default_context ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bridge/header/round-trip", test_header);
  g_test_add_func ("/bridge/header/rejects", test_header_rejects);
  g_test_add_func ("/bridge/message/encode", test_message_encode);
  g_test_add_func ("/bridge/call/interleaved-ids", test_interleaved_ids);
  g_test_add_func ("/bridge/call/sync-and-errors", test_sync_call_and_errors);
  g_test_add_func ("/bridge/call/sync-without-loop", test_sync_call_without_loop);
  g_test_add_func ("/bridge/call/cancel", test_cancel);
  g_test_add_func ("/bridge/call/oversized-send", test_oversized_send);
  g_test_add_func ("/bridge/call/pending-fail-on-close", test_pending_fail_on_close);
  g_test_add_func ("/bridge/notifications", test_notifications);
  g_test_add_func ("/bridge/close/local", test_local_close);
  g_test_add_func ("/bridge/read/partial", test_partial_reads);
  g_test_add_func ("/bridge/read/bad-frames", test_bad_frames);
  g_test_add_func ("/bridge/wire", test_wire);
  g_test_add_func ("/bridge/write/concurrent", test_concurrent_writes);
  return g_test_run ();
}
