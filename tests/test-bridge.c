/* test-bridge.c: the bridge protocol on its own, over socket pairs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQUEST_ECHO 0x10000101u
#define NOTIFY_TICK 0x30000101u

/* Two connected bridges' streams; @raw gets the second end as a plain fd
 * when the test writes bytes by hand. */
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
  /* Little-endian, type then size then id. */
  g_assert_cmpmem (header, sizeof header, expected, sizeof expected);
  g_assert_true (hcs_bridge_header_decode (header, 1024, &type, &size, &id, &error));
  g_assert_cmpuint (type, ==, REQUEST_ECHO);
  g_assert_cmpuint (size, ==, 32);
  g_assert_cmpuint (id, ==, 0x0102030405060708ull);
  g_assert_cmpuint (HCS_BRIDGE_RESPONSE_TYPE (REQUEST_ECHO), ==, 0x20000101u);

  hcs_bridge_header_encode (header, REQUEST_ECHO, 15, 1);
  g_assert_false (hcs_bridge_header_decode (header, 1024, &type, &size, &id, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "smaller than its 16-byte header"));
  g_clear_error (&error);
  hcs_bridge_header_encode (header, REQUEST_ECHO, 1025, 1);
  g_assert_false (hcs_bridge_header_decode (header, 1024, &type, &size, &id, &error));
  g_assert_nonnull (strstr (error->message, "over the limit"));
  g_clear_error (&error);
  hcs_bridge_header_encode (header, 0x70000001u, 20, 1);
  g_assert_false (hcs_bridge_header_decode (header, 1024, &type, &size, &id, &error));
  g_assert_nonnull (strstr (error->message, "neither a request"));
  g_clear_error (&error);

  {
    g_autoptr (JsonNode) big = object_node ("{\"a\":\"0123456789012345678901234567890123456789\"}");
    g_assert_null (hcs_bridge_message_encode (REQUEST_ECHO, 1, big, 32, &error));
    g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  }
}

/* The server end: echoes a request's body back, with "Id" added; an
 * "Error" member in the request makes it answer with that error; "Later"
 * holds the answer until the test releases it. */
typedef struct {
  GPtrArray *held;    /* guint64 ids waiting */
  GPtrArray *bodies;  /* JsonNode of the held ones */
} Server;

static void
server_request_cb (HcsBridge *bridge, guint type, guint64 id, JsonNode *body, gpointer data)
{
  Server *server = data;
  JsonObject *object = json_node_get_object (body);
  g_autoptr (GError) error = NULL;

  if (json_object_has_member (object, "Later"))
    {
      g_ptr_array_add (server->held, g_memdup2 (&id, sizeof id));
      g_ptr_array_add (server->bodies, json_node_copy (body));
      return;
    }
  if (json_object_has_member (object, "Error"))
    {
      g_autoptr (GError) failure = g_error_new (HCS_ERROR, HCS_ERROR_ALREADY_STOPPED, "%s",
                                                json_object_get_string_member (object, "Error"));
      g_assert_true (hcs_bridge_respond_error (bridge, type, id, failure, &error));
      return;
    }
  g_assert_true (hcs_bridge_respond (bridge, type, id, body, &error));
  g_assert_no_error (error);
}

typedef struct {
  GMainLoop *loop;
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
  g_ptr_array_add (client->replies,
                   g_strdup (json_object_get_string_member (json_node_get_object (reply),
                                                            "value")));
  if (--client->outstanding == 0)
    g_main_loop_quit (client->loop);
}

/* Several calls outstanding, answered in reverse order: each caller gets
 * its own reply. */
static void
test_interleaved_ids (void)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Server server = { g_ptr_array_new_with_free_func (g_free),
                    g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref) };
  Client client = { loop, g_ptr_array_new_with_free_func (g_free), 3 };
  g_autoptr (HcsBridge) client_bridge = NULL, server_bridge = NULL;
  g_autoptr (GIOStream) client_stream = NULL, server_stream = NULL;
  int raw;

  client_stream = make_pair (&raw);
  server_stream = stream_from_fd (raw);
  client_bridge = hcs_bridge_new (client_stream, 0);
  server_bridge = hcs_bridge_new (server_stream, 0);
  g_signal_connect (server_bridge, "request", G_CALLBACK (server_request_cb), &server);
  hcs_bridge_start (client_bridge);
  hcs_bridge_start (server_bridge);

  for (int i = 0; i < 3; i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"Later\": true, \"value\": \"v%d\"}", i);
      g_autoptr (JsonNode) body = object_node (json);
      hcs_bridge_call_async (client_bridge, REQUEST_ECHO, body, NULL, client_call_done_cb,
                             &client);
    }
  while (server.held->len < 3)
    g_main_context_iteration (NULL, TRUE);
  /* Distinct ids, in order of sending. */
  g_assert_cmpuint (*(guint64 *) server.held->pdata[0], <, *(guint64 *) server.held->pdata[1]);
  g_assert_cmpuint (*(guint64 *) server.held->pdata[1], <, *(guint64 *) server.held->pdata[2]);
  for (int i = 2; i >= 0; i--)
    g_assert_true (hcs_bridge_respond (server_bridge, REQUEST_ECHO,
                                       *(guint64 *) server.held->pdata[i],
                                       server.bodies->pdata[i], NULL));
  g_main_loop_run (loop);
  g_assert_cmpuint (client.replies->len, ==, 3);
  g_assert_cmpstr (client.replies->pdata[0], ==, "v2");
  g_assert_cmpstr (client.replies->pdata[1], ==, "v1");
  g_assert_cmpstr (client.replies->pdata[2], ==, "v0");

  g_ptr_array_unref (server.held);
  g_ptr_array_unref (server.bodies);
  g_ptr_array_unref (client.replies);
}

/* A command line's use: no main loop running; errors cross intact. */
static void
test_sync_call_and_errors (void)
{
  Server server = { g_ptr_array_new_with_free_func (g_free),
                    g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref) };
  g_autoptr (HcsBridge) client_bridge = NULL, server_bridge = NULL;
  g_autoptr (GIOStream) client_stream = NULL, server_stream = NULL;
  g_autoptr (JsonNode) reply = NULL, body = object_node ("{\"value\": \"sync\"}");
  g_autoptr (JsonNode) failing = object_node ("{\"Error\": \"it has stopped\"}");
  g_autoptr (GError) error = NULL;
  int raw;

  client_stream = make_pair (&raw);
  server_stream = stream_from_fd (raw);
  client_bridge = hcs_bridge_new (client_stream, 0);
  server_bridge = hcs_bridge_new (server_stream, 0);
  g_signal_connect (server_bridge, "request", G_CALLBACK (server_request_cb), &server);
  hcs_bridge_start (client_bridge);
  hcs_bridge_start (server_bridge);

  reply = hcs_bridge_call_sync (client_bridge, REQUEST_ECHO, body, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (reply), "value"), ==,
                   "sync");
  g_assert_null (hcs_bridge_call_sync (client_bridge, REQUEST_ECHO, failing, NULL, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ALREADY_STOPPED);
  g_assert_cmpstr (error->message, ==, "it has stopped");
  g_ptr_array_unref (server.held);
  g_ptr_array_unref (server.bodies);
}

/* Raw bytes into a bridge: what it makes of them. */
typedef struct {
  GPtrArray *requests;   /* JsonNode */
  GPtrArray *notifications;
  gboolean closed;
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
  g_assert_false (sink->closed); /* once */
  sink->closed = TRUE;
  sink->closed_error = error ? g_error_copy (error) : NULL;
}

static void
write_raw (int fd, const void *data, gsize length)
{
  g_assert_cmpint (write (fd, data, length), ==, (gssize) length);
}

typedef struct {
  int fd;
  GBytes *bytes;
} Trickle;

static gpointer
trickle_thread (gpointer data)
{
  Trickle *trickle = data;
  gsize size;
  const guint8 *bytes = g_bytes_get_data (trickle->bytes, &size);

  for (gsize i = 0; i < size; i++)
    {
      write_raw (trickle->fd, bytes + i, 1);
      g_usleep (200);
    }
  return NULL;
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
  Trickle trickle = { raw, NULL };
  GThread *thread;

  g_byte_array_append (both, g_bytes_get_data (a, NULL), g_bytes_get_size (a));
  g_byte_array_append (both, g_bytes_get_data (b, NULL), g_bytes_get_size (b));
  trickle.bytes = g_byte_array_free_to_bytes (g_steal_pointer (&both));
  thread = g_thread_new ("trickle", trickle_thread, &trickle);
  while (sink.requests->len < 1 || sink.notifications->len < 1)
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (sink.requests->pdata[0]),
                                               "n"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (
                       json_node_get_object (sink.notifications->pdata[0]), "text"), ==, "two");
  g_assert_false (sink.closed);

  /* The peer leaving between messages is a clean close. */
  close (raw);
  while (!sink.closed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (sink.closed_error);
  g_bytes_unref (trickle.bytes);
  sink_clear (&sink);
}

/* Each bad frame closes the connection with an error naming it; a later
 * valid message is never read. */
static void
test_bad_frames (void)
{
  static const struct {
    const char *name;
    const char *expected;
  } cases[] = {
    { "oversized", "over the limit" },
    { "garbage", "neither a request" },
    { "bad-json", "not a JSON object" },
    { "array-body", "not a JSON object" },
    { "truncated", "ended inside a message body" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Sink sink = { 0 };
      int raw;
      g_autoptr (HcsBridge) bridge = sink_bridge (&sink, &raw, 4096);
      guint8 header[HCS_BRIDGE_HEADER_SIZE];
      g_autoptr (JsonNode) valid = object_node ("{\"after\": true}");
      g_autoptr (GBytes) after = hcs_bridge_message_encode (REQUEST_ECHO, 9, valid, 4096, NULL);

      g_test_message ("case %s", cases[i].name);
      if (g_str_equal (cases[i].name, "oversized"))
        {
          /* A header claiming 1 GiB: refused before any body is read. */
          hcs_bridge_header_encode (header, REQUEST_ECHO, 1u << 30, 1);
          write_raw (raw, header, sizeof header);
        }
      else if (g_str_equal (cases[i].name, "garbage"))
        {
          /* Random bytes: here every bit set, so the kind nibble is 0xf. */
          memset (header, 0xff, sizeof header);
          write_raw (raw, header, sizeof header);
        }
      else if (g_str_equal (cases[i].name, "bad-json") || g_str_equal (cases[i].name, "array-body"))
        {
          const char *body = g_str_equal (cases[i].name, "bad-json") ? "{\"a\": " : "[1, 2]";
          hcs_bridge_header_encode (header, REQUEST_ECHO, sizeof header + strlen (body), 1);
          write_raw (raw, header, sizeof header);
          write_raw (raw, body, strlen (body));
        }
      else
        {
          hcs_bridge_header_encode (header, REQUEST_ECHO, sizeof header + 100, 1);
          write_raw (raw, header, sizeof header);
          write_raw (raw, "{\"a\":", 5);
          shutdown (raw, SHUT_WR);
        }
      if (!g_str_equal (cases[i].name, "truncated"))
        write_raw (raw, g_bytes_get_data (after, NULL), g_bytes_get_size (after));
      while (!sink.closed)
        g_main_context_iteration (NULL, TRUE);
      g_assert_nonnull (sink.closed_error);
      g_assert_nonnull (strstr (sink.closed_error->message, cases[i].expected));
      g_assert_cmpuint (sink.requests->len, ==, 0);
      g_assert_true (hcs_bridge_is_closed (bridge));
      close (raw);
      sink_clear (&sink);
    }
}

/* Calls pending when the peer goes fail with a clear error; so do calls
 * made after. */
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

static void
test_pending_fail_on_close (void)
{
  g_autoptr (GIOStream) stream = NULL;
  g_autoptr (HcsBridge) bridge = NULL;
  g_autoptr (JsonNode) body = object_node ("{}");
  g_autoptr (GError) error = NULL;
  Pending pending = { NULL, FALSE };
  guint8 header[HCS_BRIDGE_HEADER_SIZE];
  int raw;

  stream = make_pair (&raw);
  bridge = hcs_bridge_new (stream, 0);
  hcs_bridge_start (bridge);
  hcs_bridge_call_async (bridge, REQUEST_ECHO, body, NULL, pending_done_cb, &pending);
  /* The peer reads the request, then leaves without answering. */
  g_assert_cmpint (read (raw, header, sizeof header), ==, sizeof header);
  close (raw);
  while (!pending.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (pending.error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);
  g_assert_nonnull (strstr (pending.error->message, "closed before the reply"));
  g_clear_error (&pending.error);

  g_assert_null (hcs_bridge_call_sync (bridge, REQUEST_ECHO, body, NULL, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bridge/header", test_header);
  g_test_add_func ("/bridge/interleaved-ids", test_interleaved_ids);
  g_test_add_func ("/bridge/sync-call-and-errors", test_sync_call_and_errors);
  g_test_add_func ("/bridge/partial-reads", test_partial_reads);
  g_test_add_func ("/bridge/bad-frames", test_bad_frames);
  g_test_add_func ("/bridge/pending-fail-on-close", test_pending_fail_on_close);
  return g_test_run ();
}
