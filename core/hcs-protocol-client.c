/* hcs-protocol-client.c: the client side of the compute-system protocol.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-protocol-client.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hcs-bridge.h"
#include "hcs-error.h"

/* The connection's reader: a thread running the connection's context. */
typedef struct {
  gint refs;
  GMainContext *context;
  HcsBridge *bridge;
  gint stopping;
} Reader;

static Reader *
reader_ref (Reader *reader)
{
  g_atomic_int_inc (&reader->refs);
  return reader;
}

static void
reader_unref (Reader *reader)
{
  if (!g_atomic_int_dec_and_test (&reader->refs))
    return;
  g_clear_object (&reader->bridge);
  g_main_context_unref (reader->context);
  g_free (reader);
}

struct _HcsProtocolClient
{
  GObject parent_instance;

  char *socket_path;
  Reader *reader;
  GThread *thread;

  GMutex lock;               /* guards `proxies` */
  GHashTable *proxies;       /* id -> GPtrArray of GWeakRef* (the proxies' own) */
  gulong closed_handler;
  gint lost;                 /* atomic: the peer went (EOF, error, a broken frame) */
  guint call_timeout_ms;     /* atomic: a call's deadline (0: none); waits have their own */

  HcsProtocolStdioOpener stdio_opener; /* the stream's owner's, when it provides stdio */
  gpointer stdio_opener_data;
  GDestroyNotify stdio_opener_destroy;
};

G_DEFINE_FINAL_TYPE (HcsProtocolClient, hcs_protocol_client, G_TYPE_OBJECT)

static gpointer
reader_main (gpointer data)
{
  Reader *reader = data;

  g_main_context_push_thread_default (reader->context);
  while (!g_atomic_int_get (&reader->stopping))
    g_main_context_iteration (reader->context, TRUE);
  /* Let the cancelled read finish in its own context. */
  while (g_main_context_iteration (reader->context, FALSE))
    ;
  g_main_context_pop_thread_default (reader->context);
  reader_unref (reader);
  return NULL;
}

static gboolean
close_in_reader_cb (gpointer data)
{
  Reader *reader = data;

  hcs_bridge_close (reader->bridge);
  g_atomic_int_set (&reader->stopping, TRUE);
  return G_SOURCE_REMOVE;
}

static void
hcs_protocol_client_finalize (GObject *object)
{
  HcsProtocolClient *self = HCS_PROTOCOL_CLIENT (object);

  if (self->reader != NULL)
    {
      /* Our own close is no lost peer (and we are going). */
      g_signal_handler_disconnect (self->reader->bridge, self->closed_handler);
      /* Closed in the reader's own thread: never under a read it has
       * pending on the socket. */
      g_main_context_invoke_full (self->reader->context, G_PRIORITY_DEFAULT, close_in_reader_cb,
                                  reader_ref (self->reader), (GDestroyNotify) reader_unref);
      /* The last proxy may go in the reader itself, in a signal it emitted. */
      if (self->thread == g_thread_self ())
        g_thread_unref (self->thread);
      else if (self->thread != NULL)
        g_thread_join (self->thread);
      reader_unref (self->reader);
    }
  hcs_protocol_client_set_stdio_opener (self, NULL, NULL, NULL);
  g_hash_table_unref (self->proxies);
  g_mutex_clear (&self->lock);
  g_free (self->socket_path);
  G_OBJECT_CLASS (hcs_protocol_client_parent_class)->finalize (object);
}

static void
hcs_protocol_client_class_init (HcsProtocolClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hcs_protocol_client_finalize;
}

static void
hcs_protocol_client_init (HcsProtocolClient *self)
{
  g_mutex_init (&self->lock);
  self->proxies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_ptr_array_unref);
}

static JsonNode *
new_object_node (void)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  return node;
}

/* A connected unix socket, as a plain fd. */
static int
connect_path (const char *socket_path, GError **error)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (socket_path) >= sizeof address.sun_path)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "%s: the socket path is too long",
                   socket_path);
      return -1;
    }
  strcpy (address.sun_path, socket_path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return hcs_set_error_from_errno (error, errno, "socket"), -1;
  if (connect (fd, (struct sockaddr *) &address, sizeof address) < 0)
    {
      int saved_errno = errno;
      close (fd);
      hcs_set_error_from_errno (error, saved_errno, "connecting to %s", socket_path);
      return -1;
    }
  return fd;
}

static void notification_cb (HcsBridge *bridge, guint type, JsonNode *body, gpointer data);
static void closed_cb (HcsBridge *bridge, GError *error, gpointer data);

HcsProtocolClient *
hcs_protocol_client_new_for_stream (GIOStream *stream)
{
  g_autoptr (HcsProtocolClient) self = g_object_new (HCS_TYPE_PROTOCOL_CLIENT, NULL);

  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);
  self->reader = g_new0 (Reader, 1);
  self->reader->refs = 1;
  self->reader->context = g_main_context_new ();
  self->reader->bridge = hcs_bridge_new (stream, HCS_BRIDGE_DEFAULT_MAX_MESSAGE);
  /* The reader holds no reference to us: the handler goes with the bridge. */
  g_signal_connect (self->reader->bridge, "notification", G_CALLBACK (notification_cb), self);
  self->closed_handler =
      g_signal_connect (self->reader->bridge, "closed", G_CALLBACK (closed_cb), self);
  g_main_context_push_thread_default (self->reader->context);
  hcs_bridge_start (self->reader->bridge);
  g_main_context_pop_thread_default (self->reader->context);
  self->thread = g_thread_new ("hcs-protocol", reader_main, reader_ref (self->reader));
  return g_steal_pointer (&self);
}

HcsProtocolClient *
hcs_protocol_client_new (const char *socket_path, GError **error)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GIOStream) stream = NULL;
  HcsProtocolClient *self;
  int fd;

  g_return_val_if_fail (socket_path != NULL, NULL);
  fd = connect_path (socket_path, error);
  if (fd < 0)
    return NULL;
  socket = g_socket_new_from_fd (fd, error);
  if (socket == NULL)
    {
      close (fd);
      return NULL;
    }
  stream = G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
  self = hcs_protocol_client_new_for_stream (stream);
  self->socket_path = g_strdup (socket_path);
  return self;
}

void
hcs_protocol_client_call_async (HcsProtocolClient *self, guint32 type, JsonNode *body,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_return_if_fail (HCS_IS_PROTOCOL_CLIENT (self));
  hcs_bridge_call_async (self->reader->bridge, type, body, cancellable, callback, user_data);
}

JsonNode *
hcs_protocol_client_call_finish (HcsProtocolClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (HCS_IS_PROTOCOL_CLIENT (self), NULL);
  return hcs_bridge_call_finish (self->reader->bridge, result, error);
}

static void
free_context (gpointer context)
{
  g_main_context_unref (context);
}

/* Each calling thread's own context for sync calls: the reply wakes it. */
static GPrivate call_context = G_PRIVATE_INIT (free_context);

static void
sync_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static JsonNode *
call_sync_raw (HcsProtocolClient *self, guint32 type, JsonNode *body, GCancellable *cancellable,
               GError **error)
{
  GMainContext *context = g_private_get (&call_context);
  GAsyncResult *result = NULL;
  JsonNode *reply;

  g_return_val_if_fail (HCS_IS_PROTOCOL_CLIENT (self), NULL);
  g_return_val_if_fail (g_thread_self () != self->thread, NULL);
  if (context == NULL)
    {
      context = g_main_context_new ();
      g_private_set (&call_context, context);
    }
  g_main_context_push_thread_default (context);
  hcs_bridge_call_async (self->reader->bridge, type, body, cancellable, sync_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  reply = hcs_bridge_call_finish (self->reader->bridge, result, error);
  g_object_unref (result);
  return reply;
}

/* The server answers a wait's timeout itself; this bounds what a server
 * that never answers (a guest is not trusted) can hold up a caller. */
#define WAIT_GRACE_MS 10000

static JsonNode *call_sync_deadline (HcsProtocolClient *self, guint32 type, JsonNode *body,
                                     guint deadline_ms, GCancellable *cancellable,
                                     gboolean *timed_out, GError **error);

static gboolean
lose_in_reader_cb (gpointer data)
{
  Reader *reader = data;

  /* Its "closed" signal makes every proxy of the connection lost. */
  hcs_bridge_close (reader->bridge);
  return G_SOURCE_REMOVE;
}

JsonNode *
hcs_protocol_client_call_sync (HcsProtocolClient *self, guint32 type, JsonNode *body,
                               GCancellable *cancellable, GError **error)
{
  guint timeout_ms;
  gboolean timed_out = FALSE;
  JsonNode *reply;

  g_return_val_if_fail (HCS_IS_PROTOCOL_CLIENT (self), NULL);
  timeout_ms = g_atomic_int_get (&self->call_timeout_ms);
  /* A wait has a timeout of its own (call_sync_wait). */
  if (timeout_ms == 0 || type == HCS_PROTOCOL_WAIT_FOR_PROCESS ||
      type == HCS_PROTOCOL_WAIT_FOR_CONTAINER)
    return call_sync_raw (self, type, body, cancellable, error);
  reply = call_sync_deadline (self, type, body, timeout_ms, cancellable, &timed_out, error);
  if (timed_out)
    {
      /* A server that takes a request and never answers is as good as
       * gone: what it holds is reported lost, as at its death. */
      g_set_error (error, HCS_ERROR, HCS_ERROR_TIMEOUT,
                   "protocol: %s: no answer within %u ms: the server is taken as lost",
                   hcs_protocol_message_name (type), timeout_ms);
      g_main_context_invoke_full (self->reader->context, G_PRIORITY_DEFAULT, lose_in_reader_cb,
                                  reader_ref (self->reader), (GDestroyNotify) reader_unref);
    }
  return reply;
}

void
hcs_protocol_client_set_call_timeout (HcsProtocolClient *self, guint timeout_ms)
{
  g_return_if_fail (HCS_IS_PROTOCOL_CLIENT (self));
  g_atomic_int_set (&self->call_timeout_ms, timeout_ms);
}

gboolean
hcs_protocol_client_is_lost (HcsProtocolClient *self)
{
  g_return_val_if_fail (HCS_IS_PROTOCOL_CLIENT (self), TRUE);
  return g_atomic_int_get (&self->lost) || hcs_bridge_is_closed (self->reader->bridge);
}

static gboolean
deadline_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
forward_cancel_cb (GCancellable *cancellable, gpointer data)
{
  g_cancellable_cancel (data);
}

/* A sync call that gives up after @deadline_ms: *@timed_out then, and no
 * error set. */
static JsonNode *
call_sync_deadline (HcsProtocolClient *self, guint32 type, JsonNode *body, guint deadline_ms,
                    GCancellable *cancellable, gboolean *timed_out, GError **error)
{
  g_autoptr (GCancellable) deadline = g_cancellable_new ();
  g_autoptr (GSource) timer = NULL;
  g_autoptr (GError) local_error = NULL;
  GMainContext *context;
  gulong forward = 0;
  JsonNode *reply;

  *timed_out = FALSE;
  if (cancellable != NULL)
    forward = g_cancellable_connect (cancellable, G_CALLBACK (forward_cancel_cb), deadline, NULL);
  /* The timer runs in the private context the sync call iterates. */
  context = g_private_get (&call_context);
  if (context == NULL)
    {
      context = g_main_context_new ();
      g_private_set (&call_context, context);
    }
  timer = g_timeout_source_new (deadline_ms);
  g_source_set_callback (timer, deadline_cb, deadline, NULL);
  g_source_attach (timer, context);
  reply = call_sync_raw (self, type, body, deadline, &local_error);
  g_source_destroy (timer);
  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable, forward);
  if (reply == NULL && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      (cancellable == NULL || !g_cancellable_is_cancelled (cancellable)))
    {
      *timed_out = TRUE;
      return NULL;
    }
  if (reply == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return reply;
}

/* A sync wait of at most @timeout_ms (< 0: none) and the grace. */
static JsonNode *
call_sync_wait (HcsProtocolClient *self, guint32 type, JsonNode *body, gint64 timeout_ms,
                GCancellable *cancellable, GError **error)
{
  gboolean timed_out = FALSE;
  JsonNode *reply;

  if (timeout_ms < 0)
    return call_sync_raw (self, type, body, cancellable, error);
  reply = call_sync_deadline (self, type, body,
                              MIN (timeout_ms, G_MAXUINT - WAIT_GRACE_MS) + WAIT_GRACE_MS,
                              cancellable, &timed_out, error);
  if (timed_out)
    g_set_error (error, HCS_ERROR, HCS_ERROR_TIMEOUT,
                 "protocol: %s: no answer %d ms past its timeout", hcs_protocol_message_name (type),
                 WAIT_GRACE_MS);
  return reply;
}

guint32
hcs_protocol_client_new_port (HcsProtocolClient *self)
{
  guint32 port;

  do
    port = g_random_int ();
  while (port == 0);
  return port;
}

void
hcs_protocol_client_set_stdio_opener (HcsProtocolClient *self, HcsProtocolStdioOpener opener,
                                      gpointer user_data, GDestroyNotify destroy)
{
  g_return_if_fail (HCS_IS_PROTOCOL_CLIENT (self));
  if (self->stdio_opener_destroy != NULL)
    self->stdio_opener_destroy (self->stdio_opener_data);
  self->stdio_opener = opener;
  self->stdio_opener_data = user_data;
  self->stdio_opener_destroy = destroy;
}

/* Stream @stream (0 stdin, 1 stdout, 2 stderr) of a new process. */
static int
open_process_stdio (HcsProtocolClient *self, guint32 port, guint stream, GError **error)
{
  if (self->stdio_opener != NULL)
    return self->stdio_opener (port, stream, self->stdio_opener_data, error);
  return hcs_protocol_client_open_stdio (self, port, error);
}

static gboolean
send_all (int fd, const guint8 *data, gsize length, guint32 port, GError **error)
{
  while (length > 0)
    {
      ssize_t n = send (fd, data, length, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          hcs_set_error_from_errno (error, n < 0 ? errno : EPIPE,
                                    "stdio port %u: writing its first message", port);
          return FALSE;
        }
      data += n;
      length -= n;
    }
  return TRUE;
}

/* A new connection to the server that starts with message @type {Port}. */
static int
dial_stdio (HcsProtocolClient *self, guint32 type, guint32 port, GError **error)
{
  g_autoptr (JsonNode) body = new_object_node ();
  g_autoptr (GBytes) hello = NULL;
  const guint8 *data;
  gsize length;
  int fd;

  json_object_set_int_member (json_node_get_object (body), "Port", port);
  if (self->socket_path == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "protocol: stdio port %u: this connection was handed over, not dialled; "
                   "its owner provides the stdio streams (a VM's hot-added ports)", port);
      return -1;
    }
  hello = hcs_bridge_message_encode (type, 1, body, HCS_BRIDGE_DEFAULT_MAX_MESSAGE, error);
  if (hello == NULL)
    return -1;
  fd = connect_path (self->socket_path, error);
  if (fd < 0)
    return -1;
  data = g_bytes_get_data (hello, &length);
  if (!send_all (fd, data, length, port, error))
    {
      close (fd);
      return -1;
    }
  return fd;
}

int
hcs_protocol_client_open_stdio (HcsProtocolClient *self, guint32 port, GError **error)
{
  g_return_val_if_fail (HCS_IS_PROTOCOL_CLIENT (self), -1);
  return dial_stdio (self, HCS_PROTOCOL_STDIO_HELLO, port, error);
}

/* A server takes descriptors at once: this is a guard, not a timing. */
#define HCS_PROTOCOL_STDIO_ANSWER_TIMEOUT_MS 30000

/* Reads exactly @length bytes within the server's answer time. */
static gboolean
read_answer (int fd, guint8 *data, gsize length, guint32 port, GError **error)
{
  while (length > 0)
    {
      struct pollfd pfd = { fd, POLLIN, 0 };
      ssize_t n;
      int ready = poll (&pfd, 1, HCS_PROTOCOL_STDIO_ANSWER_TIMEOUT_MS);

      if (ready < 0 && errno == EINTR)
        continue;
      if (ready == 0)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_TIMEOUT,
                       "protocol: stdio port %u: the server did not take the descriptors "
                       "within %d s", port, HCS_PROTOCOL_STDIO_ANSWER_TIMEOUT_MS / 1000);
          return FALSE;
        }
      n = ready < 0 ? -1 : recv (fd, data, length, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          hcs_set_error_from_errno (error, n < 0 ? errno : ECONNRESET,
                                    "protocol: stdio port %u: reading the server's answer", port);
          return FALSE;
        }
      data += n;
      length -= n;
    }
  return TRUE;
}

int
hcs_protocol_client_give_stdio (HcsProtocolClient *self, guint32 port, const int fds[3],
                                GError **error)
{
  int given[HCS_PROTOCOL_STDIO_DESCRIPTORS_COUNT] = { -1, -1, -1 };
  char byte = 0;
  struct iovec iov = { &byte, 1 };
  union {
    struct cmsghdr header;
    char space[CMSG_SPACE (sizeof given)];
  } control;
  struct msghdr message = { .msg_iov = &iov, .msg_iovlen = 1,
                            .msg_control = control.space, .msg_controllen = sizeof control.space };
  struct cmsghdr *cmsg;
  guint8 header[HCS_BRIDGE_HEADER_SIZE];
  g_autofree guint8 *body = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  guint32 type, size;
  guint64 id;
  ssize_t sent;
  int fd = -1;
  gboolean ok = FALSE;

  g_return_val_if_fail (HCS_IS_PROTOCOL_CLIENT (self), -1);
  /* A closed stream of the caller's reads nothing and takes nothing. */
  for (int i = 0; i < 3; i++)
    {
      given[i] = fds[i] >= 0 && fcntl (fds[i], F_GETFD) >= 0 ? dup (fds[i])
                                                              : open ("/dev/null", O_RDWR);
      if (given[i] < 0)
        {
          hcs_set_error_from_errno (error, errno, "stdio port %u: duplicating stream %d", port, i);
          goto out;
        }
    }
  fd = dial_stdio (self, HCS_PROTOCOL_STDIO_DESCRIPTORS, port, error);
  if (fd < 0)
    goto out;
  memset (&control, 0, sizeof control);
  cmsg = CMSG_FIRSTHDR (&message);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof given);
  memcpy (CMSG_DATA (cmsg), given, sizeof given);
  do
    sent = sendmsg (fd, &message, MSG_NOSIGNAL);
  while (sent < 0 && errno == EINTR);
  if (sent != 1)
    {
      hcs_set_error_from_errno (error, sent < 0 ? errno : EPIPE,
                                "protocol: stdio port %u: sending the descriptors", port);
      goto out;
    }
  /* The answer: taken, or why not. */
  if (!read_answer (fd, header, sizeof header, port, error) ||
      !hcs_bridge_header_decode (header, HCS_BRIDGE_DEFAULT_MAX_MESSAGE, &type, &size, &id,
                                 error))
    goto out;
  if (type != HCS_BRIDGE_RESPONSE_TYPE (HCS_PROTOCOL_STDIO_DESCRIPTORS) || id != 1)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "protocol: stdio port %u: the server answered StdioDescriptors with 0x%08x",
                   port, type);
      goto out;
    }
  body = g_malloc (size - HCS_BRIDGE_HEADER_SIZE + 1);
  if (!read_answer (fd, body, size - HCS_BRIDGE_HEADER_SIZE, port, error))
    goto out;
  if (!json_parser_load_from_data (parser, (const char *) body, size - HCS_BRIDGE_HEADER_SIZE,
                                   error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                     "protocol: stdio port %u: the answer is not an object", port);
      goto out;
    }
  {
    JsonObject *answer = json_node_get_object (json_parser_get_root (parser));
    const char *text = json_object_get_string_member_with_default (answer, "Error", NULL);
    gint64 code = json_object_get_int_member_with_default (answer, "ErrorCode", HCS_ERROR_FAILED);

    if (text != NULL || json_object_get_int_member_with_default (answer, "Result", 0) != 0)
      {
        g_set_error_literal (error, HCS_ERROR,
                             code >= 0 && code <= G_MAXINT ? (int) code : HCS_ERROR_FAILED,
                             text ? text : "protocol: the server refused the descriptors");
        goto out;
      }
  }
  ok = TRUE;

out:
  for (int i = 0; i < 3; i++)
    if (given[i] >= 0)
      close (given[i]);
  if (!ok && fd >= 0)
    close (fd);
  return ok ? fd : -1;
}

/* --- HcsProtocolContainer ---------------------------------------------------------------- */

#define HCS_TYPE_PROTOCOL_CONTAINER (hcs_protocol_container_get_type ())
G_DECLARE_FINAL_TYPE (HcsProtocolContainer, hcs_protocol_container, HCS, PROTOCOL_CONTAINER,
                      GObject)

#define HCS_TYPE_PROTOCOL_PROCESS (hcs_protocol_process_get_type ())
G_DECLARE_FINAL_TYPE (HcsProtocolProcess, hcs_protocol_process, HCS, PROTOCOL_PROCESS, GObject)

struct _HcsProtocolContainer
{
  GObject parent_instance;

  HcsProtocolClient *client;
  char *id;
  gboolean closed;
  GMainContext *creator_context;
  GWeakRef weak_self;          /* how the reader finds us: never a ref of one going */

  GMutex lock;                 /* guards the eight below */
  gboolean ready;              /* the past events are delivered */
  GPtrArray *early;            /* notifications that came before that */
  gint64 last_sequence;
  gboolean exited;             /* an exit event came (or the connection was lost) */
  int exit_code;
  gboolean lost;               /* the connection was lost: Stopped */
  gboolean unexpected;         /* ... before an exit: UnexpectedExit */
  HcsContainerProperties *last_props; /* nullable: the last answer, for after a loss */

  GOutputStream *init_stdin;
  GInputStream *init_stdout, *init_stderr;
  char *isolation;             /* nullable: what the properties say instead of the server */
  HcsProtocolRemovedFunc removed_func; /* nullable: the owner's undo of what it added */
  gpointer removed_data;
  HcsProtocolStatisticsFunc statistics_func; /* nullable: the owner's own figures */
  gpointer statistics_data;
};

static void hcs_protocol_container_iface_init (HcsContainerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HcsProtocolContainer, hcs_protocol_container, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HCS_TYPE_CONTAINER,
                                                      hcs_protocol_container_iface_init))

static void
unregister_proxy (HcsProtocolContainer *self)
{
  GPtrArray *list;

  g_mutex_lock (&self->client->lock);
  list = g_hash_table_lookup (self->client->proxies, self->id);
  if (list != NULL)
    {
      g_ptr_array_remove (list, &self->weak_self);
      if (list->len == 0)
        g_hash_table_remove (self->client->proxies, self->id);
    }
  g_mutex_unlock (&self->client->lock);
}

static void
hcs_protocol_container_finalize (GObject *object)
{
  HcsProtocolContainer *self = HCS_PROTOCOL_CONTAINER (object);

  if (self->client != NULL)
    unregister_proxy (self);
  g_weak_ref_clear (&self->weak_self);
  g_clear_object (&self->client);
  g_clear_object (&self->init_stdin);
  g_clear_object (&self->init_stdout);
  g_clear_object (&self->init_stderr);
  g_clear_pointer (&self->early, g_ptr_array_unref);
  g_clear_pointer (&self->last_props, hcs_container_properties_free);
  g_clear_pointer (&self->creator_context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  g_free (self->id);
  g_free (self->isolation);
  G_OBJECT_CLASS (hcs_protocol_container_parent_class)->finalize (object);
}

static void
hcs_protocol_container_class_init (HcsProtocolContainerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hcs_protocol_container_finalize;
}

static void
hcs_protocol_container_init (HcsProtocolContainer *self)
{
  g_mutex_init (&self->lock);
  g_weak_ref_init (&self->weak_self, NULL);
  self->early = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  self->creator_context = g_main_context_ref_thread_default ();
}

typedef struct {
  GWeakRef self;               /* a handle dropped meanwhile gets nothing */
  JsonNode *event;
} EventEmission;

static void
event_emission_free (gpointer data)
{
  EventEmission *emission = data;

  g_weak_ref_clear (&emission->self);
  json_node_unref (emission->event);
  g_free (emission);
}

/* In the opener's context: "event", and "exited" for an exit. */
static gboolean
emit_event_cb (gpointer data)
{
  EventEmission *emission = data;
  g_autoptr (HcsProtocolContainer) self = g_weak_ref_get (&emission->self);
  JsonObject *event = json_node_get_object (emission->event);
  const char *name = json_object_get_string_member_with_default (event, "Event", "");
  g_autoptr (JsonNode) details = new_object_node ();
  JsonObject *details_object = json_node_get_object (details);

  if (self == NULL)
    return G_SOURCE_REMOVE;
  /* The event as the monitor recorded it, without the protocol's fields. */
  json_object_set_int_member (details_object, "Sequence",
                              json_object_get_int_member_with_default (event, "Sequence", 0));
  json_object_set_string_member (details_object, "Event", name);
  json_object_set_int_member (details_object, "Time",
                              json_object_get_int_member_with_default (event, "Time", 0));
  if (json_object_has_member (event, "ExitCode"))
    json_object_set_int_member (details_object, "ExitCode",
                                json_object_get_int_member_with_default (event, "ExitCode", -1));
  g_signal_emit_by_name (self, "event", name,
                         (guint64) json_object_get_int_member_with_default (event, "Sequence", 0),
                         details);
  if (g_str_equal (name, "exit"))
    g_signal_emit_by_name (self, "exited",
                           (int) json_object_get_int_member_with_default (event, "ExitCode", -1));
  return G_SOURCE_REMOVE;
}

/* Called under self->lock: each event once, in order. */
static void
deliver_locked (HcsProtocolContainer *self, JsonNode *event)
{
  gint64 sequence = json_object_get_int_member_with_default (json_node_get_object (event),
                                                             "Sequence", 0);
  g_autoptr (GSource) source = NULL;
  EventEmission *emission;

  if (sequence <= self->last_sequence)
    return;
  self->last_sequence = sequence;
  if (g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (event),
                                                             "Event", ""),
                 "exit") == 0)
    {
      self->exited = TRUE;
      self->exit_code = (int) json_object_get_int_member_with_default (
          json_node_get_object (event), "ExitCode", -1);
    }
  emission = g_new0 (EventEmission, 1);
  g_weak_ref_init (&emission->self, self);
  emission->event = json_node_ref (event);
  /* Always later, from the opener's loop (never inside the call that
   * opened it, before its handlers are connected); sources of one
   * priority run in the order they were attached. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, emit_event_cb, emission, event_emission_free);
  g_source_attach (source, self->creator_context);
}

/* In the reader thread. */
static void
notification_cb (HcsBridge *bridge, guint type, JsonNode *body, gpointer data)
{
  HcsProtocolClient *client = data;
  const char *id;
  g_autoptr (GPtrArray) proxies = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *list;

  if (type != HCS_PROTOCOL_LIFECYCLE_NOTIFICATION)
    return;
  id = json_object_get_string_member_with_default (json_node_get_object (body), "ContainerId",
                                                   NULL);
  if (id == NULL)
    return;
  g_mutex_lock (&client->lock);
  list = g_hash_table_lookup (client->proxies, id);
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      gpointer proxy = g_weak_ref_get (list->pdata[i]);
      if (proxy != NULL)
        g_ptr_array_add (proxies, proxy);
    }
  g_mutex_unlock (&client->lock);
  for (guint i = 0; i < proxies->len; i++)
    {
      HcsProtocolContainer *proxy = proxies->pdata[i];

      g_mutex_lock (&proxy->lock);
      if (proxy->ready)
        deliver_locked (proxy, body);
      else
        g_ptr_array_add (proxy->early, json_node_ref (body));
      g_mutex_unlock (&proxy->lock);
    }
}

/* The connection is lost: the proxy's system is Stopped with
 * UnexpectedExit, told as an exit event (so "exited" fires in the
 * opener's context) unless it had exited already. */
static void
proxy_lose (HcsProtocolContainer *self)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr (JsonNode) event = NULL;
  JsonObject *object;

  if (self->lost)
    return;
  self->lost = TRUE;
  if (self->exited)
    return;
  self->unexpected = TRUE;
  self->exited = TRUE;
  self->exit_code = HCS_PROTOCOL_LOST_EXIT_CODE;
  event = new_object_node ();
  object = json_node_get_object (event);
  json_object_set_string_member (object, "ContainerId", self->id);
  json_object_set_int_member (object, "Sequence", self->last_sequence + 1);
  json_object_set_string_member (object, "Event", "exit");
  json_object_set_int_member (object, "Time", g_get_real_time ());
  json_object_set_int_member (object, "ExitCode", HCS_PROTOCOL_LOST_EXIT_CODE);
  if (self->ready)
    deliver_locked (self, event);
  else
    g_ptr_array_add (self->early, g_steal_pointer (&event));
}

/* Once, from whichever thread sees it first: the reader at the "closed"
 * signal, or a caller whose reply failed on the closed connection. */
static void
client_lose (HcsProtocolClient *client)
{
  g_autoptr (GPtrArray) proxies = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer list;

  if (!g_atomic_int_compare_and_exchange (&client->lost, FALSE, TRUE))
    return;
  g_mutex_lock (&client->lock);
  g_hash_table_iter_init (&iter, client->proxies);
  while (g_hash_table_iter_next (&iter, NULL, &list))
    for (guint i = 0; i < ((GPtrArray *) list)->len; i++)
      {
        gpointer proxy = g_weak_ref_get (((GPtrArray *) list)->pdata[i]);
        if (proxy != NULL)
          g_ptr_array_add (proxies, proxy);
      }
  g_mutex_unlock (&client->lock);
  for (guint i = 0; i < proxies->len; i++)
    proxy_lose (proxies->pdata[i]);
}

/* In the reader thread: the peer went (EOF, a read or write error, a
 * frame that breaks the protocol). */
static void
closed_cb (HcsBridge *bridge, GError *error, gpointer data)
{
  g_debug ("protocol: the connection is lost: %s", error ? error->message : "end of stream");
  client_lose (data);
}

/* Whether the connection is lost; a caller may see the bridge closed
 * before its "closed" signal reached us. */
static gboolean
client_check_lost (HcsProtocolClient *client)
{
  if (!g_atomic_int_get (&client->lost) && hcs_bridge_is_closed (client->reader->bridge))
    client_lose (client);
  return g_atomic_int_get (&client->lost);
}

static void
set_lost_error (HcsProtocolContainer *self, GError **error)
{
  g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
               "compute system '%s' stopped unexpectedly: the connection to its server was lost",
               self->id);
}

HcsContainer *
hcs_protocol_client_open_container (HcsProtocolClient *self, const char *id, GError **error)
{
  g_autoptr (HcsProtocolContainer) proxy = NULL;
  g_autoptr (JsonNode) body = hcs_protocol_request_new (id);
  g_autoptr (JsonNode) reply = NULL;
  GPtrArray *list;
  JsonArray *past;

  g_return_val_if_fail (HCS_IS_PROTOCOL_CLIENT (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  proxy = g_object_new (HCS_TYPE_PROTOCOL_CONTAINER, NULL);
  proxy->client = g_object_ref (self);
  proxy->id = g_strdup (id);
  g_weak_ref_set (&proxy->weak_self, proxy);
  /* Listening before asking: what happens meanwhile is kept for later. */
  g_mutex_lock (&self->lock);
  list = g_hash_table_lookup (self->proxies, id);
  if (list == NULL)
    {
      list = g_ptr_array_new ();
      g_hash_table_insert (self->proxies, g_strdup (id), list);
    }
  g_ptr_array_add (list, &proxy->weak_self);
  g_mutex_unlock (&self->lock);

  reply = hcs_protocol_client_call_sync (self, HCS_PROTOCOL_OPEN_CONTAINER, body, NULL, error);
  if (reply == NULL)
    return NULL;
  past = json_object_get_member (json_node_get_object (reply), "Events") != NULL &&
                 JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (reply),
                                                                "Events"))
             ? json_object_get_array_member (json_node_get_object (reply), "Events")
             : NULL;
  g_mutex_lock (&proxy->lock);
  for (guint i = 0; past != NULL && i < json_array_get_length (past); i++)
    {
      JsonNode *event = json_array_get_element (past, i);
      if (JSON_NODE_HOLDS_OBJECT (event))
        deliver_locked (proxy, event);
    }
  for (guint i = 0; i < proxy->early->len; i++)
    deliver_locked (proxy, proxy->early->pdata[i]);
  g_ptr_array_set_size (proxy->early, 0);
  proxy->ready = TRUE;
  g_mutex_unlock (&proxy->lock);
  return HCS_CONTAINER (g_steal_pointer (&proxy));
}

void
hcs_protocol_container_set_init_stdio (HcsContainer *container, GOutputStream *stdin_stream,
                                       GInputStream *stdout_stream, GInputStream *stderr_stream)
{
  HcsProtocolContainer *self = HCS_PROTOCOL_CONTAINER (container);

  g_set_object (&self->init_stdin, stdin_stream);
  g_set_object (&self->init_stdout, stdout_stream);
  g_set_object (&self->init_stderr, stderr_stream);
}

void
hcs_protocol_container_set_isolation (HcsContainer *container, const char *isolation)
{
  HcsProtocolContainer *self = HCS_PROTOCOL_CONTAINER (container);

  g_free (self->isolation);
  self->isolation = g_strdup (isolation);
}

gboolean
hcs_protocol_container_is_lost (HcsContainer *container)
{
  HcsProtocolContainer *self = HCS_PROTOCOL_CONTAINER (container);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  return self->lost && self->unexpected;
}

void
hcs_protocol_container_set_removed_func (HcsContainer *container, HcsProtocolRemovedFunc func,
                                         gpointer user_data)
{
  HcsProtocolContainer *self = HCS_PROTOCOL_CONTAINER (container);

  self->removed_func = func;
  self->removed_data = user_data;
}

void
hcs_protocol_container_set_statistics_func (HcsContainer *container,
                                            HcsProtocolStatisticsFunc func, gpointer user_data)
{
  HcsProtocolContainer *self = HCS_PROTOCOL_CONTAINER (container);

  self->statistics_func = func;
  self->statistics_data = user_data;
}

/* A request about this system, or ALREADY_CLOSED after close. */
static JsonNode *
container_request (HcsProtocolContainer *self, GError **error)
{
  if (self->closed)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_CLOSED,
                   "the handle of compute system '%s' is already closed", self->id);
      return NULL;
    }
  return hcs_protocol_request_new (self->id);
}

/* A call that needs the server: after a loss, UNEXPECTED_EXIT naming the system. */
static JsonNode *
call (HcsProtocolContainer *self, guint32 type, JsonNode *body, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  JsonNode *reply;

  if (client_check_lost (self->client))
    {
      set_lost_error (self, error);
      return NULL;
    }
  reply = hcs_protocol_client_call_sync (self->client, type, body, NULL, &local_error);
  /* A call that timed out says so, whether or not the reader thread took
   * the server as lost before we looked. */
  if (reply == NULL && client_check_lost (self->client) &&
      !g_error_matches (local_error, HCS_ERROR, HCS_ERROR_TIMEOUT))
    set_lost_error (self, error);
  else if (reply == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return reply;
}

static gboolean
call_simple (HcsContainer *container, guint32 type, GError **error)
{
  HcsProtocolContainer *self = HCS_PROTOCOL_CONTAINER (container);
  g_autoptr (JsonNode) body = container_request (self, error);
  g_autoptr (JsonNode) reply = body ? call (self, type, body, error) : NULL;

  return reply != NULL;
}

static const char *
proxy_get_id (HcsContainer *container)
{
  return HCS_PROTOCOL_CONTAINER (container)->id;
}

static gboolean
proxy_start (HcsContainer *container, GError **error)
{
  return call_simple (container, HCS_PROTOCOL_START, error);
}

static gboolean
proxy_shutdown (HcsContainer *container, GError **error)
{
  return call_simple (container, HCS_PROTOCOL_SHUTDOWN_GRACEFUL, error);
}

static gboolean
proxy_terminate (HcsContainer *container, GError **error)
{
  return call_simple (container, HCS_PROTOCOL_SHUTDOWN_FORCED, error);
}

static gboolean
proxy_pause (HcsContainer *container, GError **error)
{
  return call_simple (container, HCS_PROTOCOL_PAUSE, error);
}

static gboolean
proxy_resume (HcsContainer *container, GError **error)
{
  return call_simple (container, HCS_PROTOCOL_RESUME, error);
}

static gboolean
proxy_remove (HcsContainer *container, GError **error)
{
  HcsProtocolContainer *self = HCS_PROTOCOL_CONTAINER (container);
  HcsProtocolRemovedFunc removed_func = self->removed_func;
  g_autoptr (GError) local_error = NULL;

  if (!call_simple (container, HCS_PROTOCOL_DELETE_CONTAINER_STATE, &local_error))
    {
      /* A lost server served the system no more: what is left is its
       * owner's to undo, which only an owner with a hook can. */
      if (!g_error_matches (local_error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT) ||
          !client_check_lost (self->client) || removed_func == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  self->removed_func = NULL;
  if (removed_func != NULL)
    removed_func (container, self->removed_data);
  return TRUE;
}

static void
set_timeout (JsonObject *body, gint64 timeout_ms)
{
  json_object_set_int_member (body, "TimeoutInMs",
                              timeout_ms < 0 || timeout_ms >= HCS_PROTOCOL_INFINITE
                                  ? HCS_PROTOCOL_INFINITE
                                  : timeout_ms);
}

static gboolean
proxy_wait_timeout (HcsContainer *container, gint64 timeout_ms, GCancellable *cancellable,
                    GError **error)
{
  HcsProtocolContainer *self = HCS_PROTOCOL_CONTAINER (container);
  g_autoptr (JsonNode) body = container_request (self, error);
  g_autoptr (JsonNode) reply = NULL;

  g_autoptr (GError) local_error = NULL;

  if (body == NULL)
    return FALSE;
  /* A lost connection is a stop like any other. */
  if (client_check_lost (self->client))
    return TRUE;
  set_timeout (json_node_get_object (body), timeout_ms);
  reply = call_sync_wait (self->client, HCS_PROTOCOL_WAIT_FOR_CONTAINER, body, timeout_ms,
                          cancellable, &local_error);
  if (reply == NULL && g_error_matches (local_error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT) &&
      client_check_lost (self->client))
    return TRUE;
  if (reply == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return reply != NULL;
}

static void
wait_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  GError *error = NULL;
  g_autoptr (JsonNode) reply =
      hcs_bridge_call_finish (HCS_BRIDGE (source), result, &error);

  HcsProtocolContainer *self = g_task_get_source_object (task);

  if (reply == NULL && g_error_matches (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT) &&
      client_check_lost (self->client))
    g_clear_error (&error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
proxy_wait_async (HcsContainer *container, GCancellable *cancellable,
                  GAsyncReadyCallback callback, gpointer user_data)
{
  HcsProtocolContainer *self = HCS_PROTOCOL_CONTAINER (container);
  g_autoptr (GTask) task = g_task_new (container, cancellable, callback, user_data);
  GError *error = NULL;
  g_autoptr (JsonNode) body = container_request (self, &error);

  g_task_set_source_tag (task, proxy_wait_async);
  if (body == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (client_check_lost (self->client))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  set_timeout (json_node_get_object (body), -1);
  hcs_protocol_client_call_async (self->client, HCS_PROTOCOL_WAIT_FOR_CONTAINER, body,
                                  cancellable, wait_done_cb, g_steal_pointer (&task));
}

static gboolean
proxy_wait_finish (HcsContainer *container, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The properties, with the parts asked for in @types. */
static JsonNode *
get_properties (HcsProtocolContainer *self, const char *const *types, GError **error)
{
  g_autoptr (JsonNode) body = container_request (self, error);
  g_autoptr (JsonNode) query = NULL;
  g_autoptr (JsonNode) reply = NULL;

  if (body == NULL)
    return NULL;
  query = hcs_protocol_properties_query_new (types);
  hcs_protocol_set_document (json_node_get_object (body), "Query", query);
  reply = call (self, HCS_PROTOCOL_GET_PROPERTIES, body, error);
  if (reply == NULL)
    return NULL;
  return hcs_protocol_get_document (json_node_get_object (reply), "Properties", error);
}

/* What the proxy knows of its system once the connection is lost: its
 * last answer, Stopped; UnexpectedExit unless it had exited before. */
static HcsContainerProperties *
lost_properties (HcsProtocolContainer *self)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  HcsContainerProperties *props;

  if (self->last_props != NULL)
    props = hcs_container_properties_copy (self->last_props);
  else
    {
      props = hcs_container_properties_new ();
      props->id = g_strdup (self->id);
      props->system_type = g_strdup ("Container");
      props->runtime_os_type = g_strdup ("linux");
    }
  g_clear_pointer (&props->statistics, hcs_statistics_free);
  g_clear_pointer (&props->process_list, g_ptr_array_unref);
  if (!props->stopped)
    {
      g_free (props->exit_type);
      props->exit_type = g_strdup (self->unexpected ? "UnexpectedExit" : "");
      props->exit_code = self->exit_code;
    }
  g_free (props->state);
  props->state = g_strdup ("Stopped");
  props->stopped = TRUE;
  return props;
}

static HcsContainerProperties *
proxy_get_properties (HcsContainer *container, GError **error)
{
  HcsProtocolContainer *self = HCS_PROTOCOL_CONTAINER (container);
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonNode) properties = get_properties (self, NULL, &local_error);
  HcsContainerProperties *props = NULL;

  if (properties != NULL)
    props = hcs_container_properties_from_node (properties, error);
  else if (!self->closed && client_check_lost (self->client))
    props = lost_properties (self);
  else
    g_propagate_error (error, g_steal_pointer (&local_error));
  if (props != NULL && self->isolation != NULL)
    {
      g_free (props->isolation);
      props->isolation = g_strdup (self->isolation);
    }
  if (properties != NULL && props != NULL)
    {
      g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

      g_clear_pointer (&self->last_props, hcs_container_properties_free);
      self->last_props = hcs_container_properties_copy (props);
    }
  return props;
}

static HcsStatistics *
proxy_get_statistics (HcsContainer *container, GError **error)
{
  g_autoptr (JsonNode) properties =
      get_properties (HCS_PROTOCOL_CONTAINER (container),
                      (const char *const[]){ "Statistics", NULL }, error);
  HcsProtocolContainer *self = HCS_PROTOCOL_CONTAINER (container);
  HcsStatistics *result;
  JsonNode *stats;

  if (properties == NULL)
    return NULL;
  stats = json_object_get_member (json_node_get_object (properties), "Statistics");
  if (stats == NULL || !JSON_NODE_HOLDS_OBJECT (stats))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "protocol: GetProperties: the reply has no Statistics");
      return NULL;
    }
  result = hcs_statistics_from_node (stats, error);
  if (result != NULL && self->statistics_func != NULL)
    self->statistics_func (container, result, self->statistics_data);
  return result;
}

static GPtrArray *
proxy_get_process_list (HcsContainer *container, GError **error)
{
  g_autoptr (JsonNode) properties =
      get_properties (HCS_PROTOCOL_CONTAINER (container),
                      (const char *const[]){ "ProcessList", NULL }, error);
  JsonNode *list_node;
  JsonArray *list;
  GPtrArray *items;

  if (properties == NULL)
    return NULL;
  list_node = json_object_get_member (json_node_get_object (properties), "ProcessList");
  if (list_node == NULL || !JSON_NODE_HOLDS_ARRAY (list_node))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "protocol: GetProperties: the reply has no ProcessList");
      return NULL;
    }
  list = json_node_get_array (list_node);
  items = g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_process_list_item_free);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *element = json_array_get_element (list, i);
      JsonObject *object;
      HcsProcessListItem *item;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      object = json_node_get_object (element);
      item = g_new0 (HcsProcessListItem, 1);
      item->process_id = (guint32) json_object_get_int_member_with_default (object, "ProcessId", 0);
      item->image_name =
          g_strdup (json_object_get_string_member_with_default (object, "ImageName", ""));
      item->user_time_100ns = json_object_get_int_member_with_default (object, "UserTime100ns", 0);
      item->kernel_time_100ns =
          json_object_get_int_member_with_default (object, "KernelTime100ns", 0);
      item->memory_commit_bytes =
          json_object_get_int_member_with_default (object, "MemoryCommitBytes", 0);
      g_ptr_array_add (items, item);
    }
  return items;
}

static gboolean
proxy_modify (HcsContainer *container, const HcsResourceUpdate *update, GError **error)
{
  HcsProtocolContainer *self = HCS_PROTOCOL_CONTAINER (container);
  g_autoptr (JsonNode) body = container_request (self, error);
  g_autoptr (JsonNode) reply = NULL;
  JsonObject *resources;

  if (body == NULL)
    return FALSE;
  resources = json_object_new ();
  if (update->memory_maximum_in_mb >= 0)
    json_object_set_int_member (resources, "MemoryMaximumInMB", update->memory_maximum_in_mb);
  if (update->processor_count >= 0)
    json_object_set_int_member (resources, "ProcessorCount", update->processor_count);
  if (update->processor_weight >= 0)
    json_object_set_int_member (resources, "ProcessorWeight", update->processor_weight);
  if (update->processor_maximum >= 0)
    json_object_set_int_member (resources, "ProcessorMaximum", update->processor_maximum);
  if (update->storage_iops_maximum >= 0)
    json_object_set_int_member (resources, "StorageIOPSMaximum", update->storage_iops_maximum);
  if (update->storage_bandwidth_maximum >= 0)
    json_object_set_int_member (resources, "StorageBandwidthMaximum",
                                update->storage_bandwidth_maximum);
  if (update->pids_maximum >= 0)
    json_object_set_int_member (resources, "PidsMaximum", update->pids_maximum);
  if (update->oci_resources != NULL)
    {
      JsonNode *oci = json_from_string (update->oci_resources, error);

      if (oci == NULL)
        {
          json_object_unref (resources);
          return FALSE;
        }
      json_object_set_member (resources, "Oci", oci);
    }
  json_object_set_object_member (json_node_get_object (body), "Resources", resources);
  reply = call (self, HCS_PROTOCOL_UPDATE_CONTAINER, body, error);
  return reply != NULL;
}

static HcsProcess *process_new (HcsProtocolContainer *container, int pid);

/* The caller's own descriptors as the process's stdio (inherit_stdio,
 * use_stdio_fds), or -1 each when it asked for none. */
static gboolean
given_stdio (const HcsProcessConfig *config, int given[3])
{
  if (config->emulate_console || !(config->inherit_stdio || config->use_stdio_fds))
    return FALSE;
  for (int i = 0; i < 3; i++)
    given[i] = config->use_stdio_fds ? config->stdio_fds[i] : i;
  return TRUE;
}

static HcsProcess *
proxy_create_process (HcsContainer *container, const HcsProcessConfig *config, GError **error)
{
  HcsProtocolContainer *self = HCS_PROTOCOL_CONTAINER (container);
  g_autoptr (JsonNode) body = container_request (self, error);
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (JsonNode) parameters = NULL;
  /* A console socket with a handed-over connection (a VM's bridge): the
   * guest's console streams end in a host terminal made here, whose master
   * goes to the socket. Over a dialled one the server does it, nearer to
   * the process (a monitor's or a UVM holder's relay outlives us). */
  gboolean relay_console = config->emulate_console && config->console_socket != NULL &&
                           self->client->stdio_opener != NULL;
  gboolean console = config->emulate_console && (config->console_socket == NULL || relay_console);
  g_autoptr (HcsProtocolConsoleRelay) console_relay = NULL;
  int given[3] = { -1, -1, -1 };
  gboolean has_given = given_stdio (config, given);
  /* Given descriptors cross a dialled connection as themselves; a handed
   * over one (a VM's bridge) relays them over ports, pumped here. */
  gboolean pass_given = has_given && self->client->stdio_opener == NULL;
  gboolean pump_given = has_given && !pass_given;
  gboolean want[3] = { config->create_stdin_pipe || console || pump_given,
                       config->create_stdout_pipe || console || pump_given,
                       (config->create_stderr_pipe && !config->emulate_console) || pump_given };
  HcsProtocolStdioRelay relay = { { 0 } };
  int fds[3] = { -1, -1, -1 };
  guint32 given_port = 0;
  int given_connection = -1;
  JsonObject *settings, *relay_object;
  HcsProcess *process = NULL;
  guint64 pid;

  if (body == NULL)
    return NULL;
  if (relay_console)
    {
      /* Before the process: a console that cannot be handed over leaves
       * nothing to undo. */
      console_relay = hcs_protocol_console_relay_new (config->console_socket,
                                                      config->console_height,
                                                      config->console_width, error);
      if (console_relay == NULL)
        return NULL;
    }
  if (pass_given)
    {
      want[0] = want[1] = want[2] = FALSE;
      given_port = hcs_protocol_client_new_port (self->client);
      given_connection = hcs_protocol_client_give_stdio (self->client, given_port, given, error);
      if (given_connection < 0)
        return NULL;
    }
  /* The stdio connections first: the request then needs no round trip more. */
  for (int i = 0; i < 3; i++)
    if (want[i])
      {
        relay.ports[i] = hcs_protocol_client_new_port (self->client);
        fds[i] = open_process_stdio (self->client, relay.ports[i], i, error);
        if (fds[i] < 0)
          goto out;
      }
  parameters = hcs_process_config_to_node (config);
  settings = json_object_new ();
  hcs_protocol_set_document (settings, "ProcessParameters", parameters);
  relay_object = json_object_new ();
  hcs_protocol_stdio_relay_to_object (&relay, relay_object);
  json_object_set_object_member (settings, "VsockStdioRelaySettings", relay_object);
  if (pass_given)
    json_object_set_int_member (settings, "StdioDescriptors", given_port);
  /* Not in ProcessParameters: a host path, for a server of the host only. */
  if (config->emulate_console && config->console_socket != NULL && !relay_console)
    json_object_set_string_member (settings, "ConsoleSocket", config->console_socket);
  json_object_set_object_member (json_node_get_object (body), "Settings", settings);
  reply = call (self, HCS_PROTOCOL_EXECUTE_PROCESS, body, error);
  if (reply == NULL ||
      !hcs_protocol_get_uint (json_node_get_object (reply), "ExecuteProcess", "ProcessId",
                              G_MAXINT32, &pid, error))
    goto out;
  process = process_new (self, (int) pid);
  if (console_relay != NULL)
    {
      /* A handle of the relay's own: the caller may close theirs. */
      g_autoptr (HcsProcess) resized = process_new (self, (int) pid);

      if (!hcs_protocol_console_relay_start (g_steal_pointer (&console_relay),
                                             g_steal_fd (&fds[0]), g_steal_fd (&fds[1]),
                                             resized, error))
        {
          hcs_process_kill (process, NULL);
          g_clear_object (&process);
        }
      goto out;
    }
  if (pump_given)
    {
      for (int i = 0; i < 3; i++)
        {
          int copy = fcntl (given[i], F_DUPFD_CLOEXEC, 3);

          /* A stream of the caller's that is closed: its relay ends at once. */
          if (copy < 0)
            copy = open ("/dev/null", O_RDWR | O_CLOEXEC);
          if (copy < 0)
            close (g_steal_fd (&fds[i]));
          else
            hcs_protocol_stdio_pump_start (i, copy, g_steal_fd (&fds[i]));
        }
      goto out;
    }
  if (want[0])
    g_object_set_data_full (G_OBJECT (process), "stdin",
                            g_unix_output_stream_new (g_steal_fd (&fds[0]), TRUE),
                            g_object_unref);
  if (want[1])
    g_object_set_data_full (G_OBJECT (process), "stdout",
                            g_unix_input_stream_new (g_steal_fd (&fds[1]), TRUE),
                            g_object_unref);
  if (want[2])
    g_object_set_data_full (G_OBJECT (process), "stderr",
                            g_unix_input_stream_new (g_steal_fd (&fds[2]), TRUE),
                            g_object_unref);
out:
  for (int i = 0; i < 3; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  /* Answered: the server took its copies, or dropped them. */
  if (given_connection >= 0)
    close (given_connection);
  return process;
}

static HcsProcess *
proxy_open_process (HcsContainer *container, int pid, GError **error)
{
  HcsProtocolContainer *self = HCS_PROTOCOL_CONTAINER (container);
  g_autoptr (JsonNode) body = container_request (self, error);
  g_autoptr (JsonNode) reply = NULL;
  JsonObject *options;

  if (body == NULL)
    return NULL;
  /* A signal 0 proves it is there without touching it. */
  json_object_set_int_member (json_node_get_object (body), "ProcessId", pid);
  options = json_object_new ();
  json_object_set_int_member (options, "Signal", 0);
  json_object_set_object_member (json_node_get_object (body), "Options", options);
  reply = call (self, HCS_PROTOCOL_SIGNAL_PROCESS, body, error);
  return reply ? process_new (self, pid) : NULL;
}

static HcsProcess *
proxy_get_init_process (HcsContainer *container, GError **error)
{
  HcsProtocolContainer *self = HCS_PROTOCOL_CONTAINER (container);
  g_autoptr (HcsContainerProperties) props = hcs_container_query_properties (container, error);
  HcsProcess *init;

  if (props == NULL)
    return NULL;
  init = process_new (self, (int) props->init_process_id);
  if (self->init_stdin != NULL)
    g_object_set_data_full (G_OBJECT (init), "stdin", g_object_ref (self->init_stdin),
                            g_object_unref);
  if (self->init_stdout != NULL)
    g_object_set_data_full (G_OBJECT (init), "stdout", g_object_ref (self->init_stdout),
                            g_object_unref);
  if (self->init_stderr != NULL)
    g_object_set_data_full (G_OBJECT (init), "stderr", g_object_ref (self->init_stderr),
                            g_object_unref);
  return init;
}

static gboolean
proxy_close (HcsContainer *container, GError **error)
{
  HcsProtocolContainer *self = HCS_PROTOCOL_CONTAINER (container);

  if (self->closed)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_CLOSED,
                   "the handle of compute system '%s' is already closed", self->id);
      return FALSE;
    }
  self->closed = TRUE;
  return TRUE;
}

static void
hcs_protocol_container_iface_init (HcsContainerInterface *iface)
{
  iface->get_id = proxy_get_id;
  iface->start = proxy_start;
  iface->shutdown = proxy_shutdown;
  iface->terminate = proxy_terminate;
  iface->wait_timeout = proxy_wait_timeout;
  iface->wait_async = proxy_wait_async;
  iface->wait_finish = proxy_wait_finish;
  iface->pause = proxy_pause;
  iface->resume = proxy_resume;
  iface->get_statistics = proxy_get_statistics;
  iface->get_process_list = proxy_get_process_list;
  iface->create_process = proxy_create_process;
  iface->open_process = proxy_open_process;
  iface->get_init_process = proxy_get_init_process;
  iface->modify = proxy_modify;
  iface->get_properties = proxy_get_properties;
  iface->close = proxy_close;
  iface->remove = proxy_remove;
}

/* --- HcsProtocolProcess ---------------------------------------------------------------- */

struct _HcsProtocolProcess
{
  GObject parent_instance;

  HcsProtocolContainer *container;
  int pid;
  gboolean closed;
  GMutex lock;               /* guards the two below: waits may end on any thread */
  gboolean exited;
  int exit_code;
};

static void hcs_protocol_process_iface_init (HcsProcessInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HcsProtocolProcess, hcs_protocol_process, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HCS_TYPE_PROCESS,
                                                      hcs_protocol_process_iface_init))

static void
hcs_protocol_process_finalize (GObject *object)
{
  HcsProtocolProcess *self = HCS_PROTOCOL_PROCESS (object);

  g_clear_object (&self->container);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (hcs_protocol_process_parent_class)->finalize (object);
}

static void
hcs_protocol_process_class_init (HcsProtocolProcessClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hcs_protocol_process_finalize;
}

static void
hcs_protocol_process_init (HcsProtocolProcess *self)
{
  g_mutex_init (&self->lock);
}

static void process_take_reply (HcsProtocolProcess *self, JsonNode *reply);
static gboolean process_exited (HcsProtocolProcess *self, int *exit_code);

/* The "exited" signal: a wait of its own, outstanding on the shared
 * connection (no thread), answered in the context the process object was
 * made in. It holds the object weakly: a handle dropped meanwhile gets
 * nothing. */
static void
exit_watch_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  GWeakRef *weak = data;
  g_autoptr (HcsProtocolProcess) self = g_weak_ref_get (weak);
  g_autoptr (JsonNode) reply = hcs_bridge_call_finish (HCS_BRIDGE (source), result, NULL);

  g_weak_ref_clear (weak);
  g_free (weak);
  if (self == NULL)
    return;
  if (reply != NULL)
    process_take_reply (self, reply);
  else if (!process_exited (self, NULL))
    return;
  g_signal_emit_by_name (self, "exited", self->exit_code);
}

static HcsProcess *
process_new (HcsProtocolContainer *container, int pid)
{
  HcsProtocolProcess *self = g_object_new (HCS_TYPE_PROTOCOL_PROCESS, NULL);
  g_autoptr (JsonNode) body = hcs_protocol_request_new (container->id);
  GWeakRef *weak = g_new0 (GWeakRef, 1);

  self->container = g_object_ref (container);
  self->pid = pid;
  json_object_set_int_member (json_node_get_object (body), "ProcessId", pid);
  set_timeout (json_node_get_object (body), -1);
  g_weak_ref_init (weak, self);
  hcs_protocol_client_call_async (container->client, HCS_PROTOCOL_WAIT_FOR_PROCESS, body, NULL,
                                  exit_watch_cb, weak);
  return HCS_PROCESS (self);
}

static JsonNode *
process_request (HcsProtocolProcess *self, GError **error)
{
  JsonNode *body;

  if (self->closed)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_CLOSED,
                   "the handle of process %d is already closed", self->pid);
      return NULL;
    }
  body = container_request (self->container, error);
  if (body != NULL)
    json_object_set_int_member (json_node_get_object (body), "ProcessId", self->pid);
  return body;
}

static int
process_get_pid (HcsProcess *process)
{
  return HCS_PROTOCOL_PROCESS (process)->pid;
}

static gboolean
process_signal (HcsProcess *process, int signum, GError **error)
{
  HcsProtocolProcess *self = HCS_PROTOCOL_PROCESS (process);
  g_autoptr (JsonNode) body = process_request (self, error);
  g_autoptr (JsonNode) reply = NULL;
  JsonObject *options;

  if (body == NULL)
    return FALSE;
  options = json_object_new ();
  json_object_set_int_member (options, "Signal", signum);
  json_object_set_object_member (json_node_get_object (body), "Options", options);
  reply = call (self->container, HCS_PROTOCOL_SIGNAL_PROCESS, body, error);
  return reply != NULL;
}

static gboolean
process_kill (HcsProcess *process, GError **error)
{
  return process_signal (process, SIGKILL, error);
}

/* Whether it exited; a process of a lost connection did, as if killed. */
static gboolean
process_exited (HcsProtocolProcess *self, int *exit_code)
{
  g_autoptr (GMutexLocker) locker = NULL;
  gboolean lost = client_check_lost (self->container->client);

  locker = g_mutex_locker_new (&self->lock);
  if (!self->exited && lost)
    {
      self->exited = TRUE;
      self->exit_code = HCS_PROTOCOL_LOST_EXIT_CODE;
    }
  if (self->exited && exit_code != NULL)
    *exit_code = self->exit_code;
  return self->exited;
}

static void
process_take_reply (HcsProtocolProcess *self, JsonNode *reply)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  self->exit_code = (int) json_object_get_int_member_with_default (json_node_get_object (reply),
                                                                   "ExitCode", -1);
  self->exited = TRUE;
}

static gboolean
process_wait_timeout (HcsProcess *process, gint64 timeout_ms, GCancellable *cancellable,
                      GError **error)
{
  HcsProtocolProcess *self = HCS_PROTOCOL_PROCESS (process);
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (GError) local_error = NULL;

  if (process_exited (self, NULL))
    return TRUE;
  body = process_request (self, error);
  if (body == NULL)
    return FALSE;
  set_timeout (json_node_get_object (body), timeout_ms);
  reply = call_sync_wait (self->container->client, HCS_PROTOCOL_WAIT_FOR_PROCESS, body,
                          timeout_ms, cancellable, &local_error);
  if (reply == NULL && g_error_matches (local_error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT) &&
      process_exited (self, NULL))
    return TRUE;
  if (reply == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  process_take_reply (self, reply);
  return TRUE;
}

static void
process_waited_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  GError *error = NULL;
  g_autoptr (JsonNode) reply =
      hcs_bridge_call_finish (HCS_BRIDGE (source), result, &error);

  if (reply == NULL && g_error_matches (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT) &&
      process_exited (g_task_get_source_object (task), NULL))
    {
      g_clear_error (&error);
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  process_take_reply (g_task_get_source_object (task), reply);
  g_task_return_boolean (task, TRUE);
}

static void
process_wait_async (HcsProcess *process, GCancellable *cancellable, GAsyncReadyCallback callback,
                    gpointer user_data)
{
  HcsProtocolProcess *self = HCS_PROTOCOL_PROCESS (process);
  g_autoptr (GTask) task = g_task_new (process, cancellable, callback, user_data);
  GError *error = NULL;
  g_autoptr (JsonNode) body = NULL;

  g_task_set_source_tag (task, process_wait_async);
  if (process_exited (self, NULL))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  body = process_request (self, &error);
  if (body == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  set_timeout (json_node_get_object (body), -1);
  hcs_protocol_client_call_async (self->container->client, HCS_PROTOCOL_WAIT_FOR_PROCESS, body,
                                  cancellable, process_waited_cb, g_steal_pointer (&task));
}

static gboolean
process_wait_finish (HcsProcess *process, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
process_get_exit_code (HcsProcess *process, int *exit_code, GError **error)
{
  HcsProtocolProcess *self = HCS_PROTOCOL_PROCESS (process);
  g_autoptr (GError) local_error = NULL;

  if (!process_exited (self, NULL) && !process_wait_timeout (process, 0, NULL, &local_error))
    {
      if (!hcs_error_is_timeout (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE, "process %d has not exited",
                   self->pid);
      return FALSE;
    }
  process_exited (self, exit_code);
  return TRUE;
}

static gboolean
process_resize_console (HcsProcess *process, guint16 width, guint16 height, GError **error)
{
  HcsProtocolProcess *self = HCS_PROTOCOL_PROCESS (process);
  g_autoptr (JsonNode) body = process_request (self, error);
  g_autoptr (JsonNode) reply = NULL;

  if (body == NULL)
    return FALSE;
  json_object_set_int_member (json_node_get_object (body), "Width", width);
  json_object_set_int_member (json_node_get_object (body), "Height", height);
  reply = call (self->container, HCS_PROTOCOL_RESIZE_CONSOLE, body, error);
  return reply != NULL;
}

gboolean
hcs_protocol_process_set_terminal_modes (HcsProcess *process, JsonNode *modes, GError **error)
{
  HcsProtocolProcess *self;
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) reply = NULL;

  if (!HCS_IS_PROTOCOL_PROCESS (process))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "process %d: its terminal modes are not the protocol's to set",
                   hcs_process_get_pid (process));
      return FALSE;
    }
  self = HCS_PROTOCOL_PROCESS (process);
  body = process_request (self, error);
  if (body == NULL)
    return FALSE;
  json_object_set_member (json_node_get_object (body), "Modes", json_node_copy (modes));
  reply = call (self->container, HCS_PROTOCOL_SET_TERMINAL_MODES, body, error);
  return reply != NULL;
}

static GOutputStream *
process_get_stdin (HcsProcess *process)
{
  return g_object_get_data (G_OBJECT (process), "stdin");
}

static GInputStream *
process_get_stdout (HcsProcess *process)
{
  return g_object_get_data (G_OBJECT (process), "stdout");
}

static GInputStream *
process_get_stderr (HcsProcess *process)
{
  return g_object_get_data (G_OBJECT (process), "stderr");
}

/* Closing our end of the stdin connection is the EOF the server passes on. */
static gboolean
process_close_stdin (HcsProcess *process, GError **error)
{
  GOutputStream *stream = process_get_stdin (process);

  return stream == NULL || g_output_stream_close (stream, NULL, error);
}

static gboolean
process_close (HcsProcess *process, GError **error)
{
  HcsProtocolProcess *self = HCS_PROTOCOL_PROCESS (process);

  if (self->closed)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_CLOSED,
                   "the handle of process %d is already closed", self->pid);
      return FALSE;
    }
  self->closed = TRUE;
  return TRUE;
}

static void
hcs_protocol_process_iface_init (HcsProcessInterface *iface)
{
  iface->get_pid = process_get_pid;
  iface->signal = process_signal;
  iface->kill = process_kill;
  iface->wait_timeout = process_wait_timeout;
  iface->wait_async = process_wait_async;
  iface->wait_finish = process_wait_finish;
  iface->get_exit_code = process_get_exit_code;
  iface->resize_console = process_resize_console;
  iface->get_stdin = process_get_stdin;
  iface->get_stdout = process_get_stdout;
  iface->get_stderr = process_get_stderr;
  iface->close_stdin = process_close_stdin;
  iface->close = process_close;
}
