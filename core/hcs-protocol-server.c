/* hcs-protocol-server.c: the compute-system protocol's server side.
 *
 * Everything but the blocking container calls happens in the server's
 * context: connections are read asynchronously (a half-sent frame holds
 * up only its own connection), writes are queued per connection and a
 * connection that lets too much pile up is dropped (hcs-bridge.c), waits
 * are GTasks answered when the exit happens, stdio is relayed with async
 * reads and writes. Blocking calls run on GTask worker threads and answer
 * from the server's context when done.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-protocol-server.h"

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <gio/gunixsocketaddress.h>
#include <gio/gunixfdmessage.h>
#include <glib-unix.h>
#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hcs-bridge.h"
#include "hcs-error.h"

#define RELAY_BUFFER_SIZE 65536

typedef struct {
  HcsContainer *container;
  char *id;
  GPtrArray *events;      /* JsonNode, in order */
  guint64 next_sequence;
  gulong exited_handler;
} Served;

typedef struct {
  HcsProtocolServer *server;   /* no reference: the server outlives its connections */
  HcsBridge *bridge;
  GHashTable *opened;          /* ids whose notifications this connection gets */
  GPtrArray *waits;            /* Wait, answered or not */
} Connection;

typedef struct {
  Connection *connection;      /* NULL once it closed: nobody to answer */
  HcsBridge *bridge;
  guint32 type;
  guint64 id;
  GCancellable *cancellable;
  GSource *timeout;
  gboolean timed_out;
} Wait;

/* One stdio stream of a process, relayed to or from one connection. */
typedef struct {
  HcsProtocolServer *server;
  guint32 port;
  int stdio;                   /* 0 stdin, 1 stdout, 2 stderr */
  GInputStream *from;
  GOutputStream *to;
  GObject *process_side;       /* the process's stream */
  GIOStream *connection;
  GSource *timeout;            /* while waiting for its other half */
  GCancellable *cancellable;
  guint8 *buffer;
  gboolean busy;               /* a read or write is under way */
  gboolean ending;             /* freed while busy: its callback finishes the job */
} Relay;

/* Descriptors a client gave for the request that will name their port
 * (docs/protocol.md, StdioDescriptors). */
typedef struct {
  HcsProtocolServer *server;
  guint32 port;
  guint64 request_id;
  gboolean received;
  int fds[HCS_PROTOCOL_STDIO_DESCRIPTORS_COUNT]; /* -1 until received, and once claimed */
  GIOStream *connection;       /* its end, or any byte more, drops them */
  GSource *watch;
  GSource *timeout;            /* for the descriptors, then for the request */
} Given;

struct _HcsProtocolServer
{
  GObject parent_instance;

  GMainContext *context;
  GHashTable *containers;      /* id -> Served */
  GPtrArray *connections;      /* Connection */
  GSocketService *service;
  gsize max_message_size, max_queued;
  gboolean closed;

  GMutex lock;                 /* guards `processes` and `given`: workers look them up */
  GHashTable *processes;       /* "ID/PID" -> HcsProcess */
  GHashTable *given;           /* port -> Given, until its connection ends (the server's
                                * context only adds and removes) */
  guint n_receiving;           /* Given still waiting for their descriptors */

  GHashTable *waiting_relays;  /* port -> Relay with its process side, no connection yet */
  GHashTable *waiting_streams; /* port -> Relay with its connection, no process side yet */
  GPtrArray *relays;           /* Relay, running */

  HcsProtocolServerCreateFunc create_func;
  HcsProtocolServerCreateStdioFunc create_stdio_func;
  gpointer create_data;
  gboolean console_sockets;    /* takes ConsoleSocket: a server of the host */
};

G_DEFINE_FINAL_TYPE (HcsProtocolServer, hcs_protocol_server, G_TYPE_OBJECT)

enum { SIGNAL_EVENT, SIGNAL_CONTAINER_DELETED, N_SIGNALS };
static guint signals[N_SIGNALS];

static JsonNode *
new_object_node (void)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  return node;
}

static void
served_free (Served *served)
{
  g_clear_signal_handler (&served->exited_handler, served->container);
  g_clear_object (&served->container);
  g_ptr_array_unref (served->events);
  g_free (served->id);
  g_free (served);
}

static void relay_free (Relay *relay);
static void connection_free (Connection *connection);
static void given_free (Given *given);

static void
hcs_protocol_server_finalize (GObject *object)
{
  HcsProtocolServer *self = HCS_PROTOCOL_SERVER (object);

  hcs_protocol_server_close (self);
  g_hash_table_unref (self->containers);
  g_ptr_array_unref (self->connections);
  g_hash_table_unref (self->processes);
  g_hash_table_unref (self->given);
  g_hash_table_unref (self->waiting_relays);
  g_hash_table_unref (self->waiting_streams);
  g_ptr_array_unref (self->relays);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (hcs_protocol_server_parent_class)->finalize (object);
}

static void
hcs_protocol_server_class_init (HcsProtocolServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hcs_protocol_server_finalize;
  signals[SIGNAL_EVENT] =
      g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                    G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_NODE);
  signals[SIGNAL_CONTAINER_DELETED] =
      g_signal_new ("container-deleted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                    NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
hcs_protocol_server_init (HcsProtocolServer *self)
{
  g_mutex_init (&self->lock);
  self->context = g_main_context_ref_thread_default ();
  self->containers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                            (GDestroyNotify) served_free);
  self->connections = g_ptr_array_new ();
  self->processes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->given = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) given_free);
  self->waiting_relays = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) relay_free);
  self->waiting_streams = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) relay_free);
  self->relays = g_ptr_array_new ();
  self->max_queued = HCS_PROTOCOL_SERVER_MAX_QUEUED;
}

HcsProtocolServer *
hcs_protocol_server_new (void)
{
  return g_object_new (HCS_TYPE_PROTOCOL_SERVER, NULL);
}

void
hcs_protocol_server_set_limits (HcsProtocolServer *self, gsize max_message_size,
                                gsize max_queued)
{
  g_return_if_fail (HCS_IS_PROTOCOL_SERVER (self));
  self->max_message_size = max_message_size;
  self->max_queued = max_queued > 0 ? max_queued : HCS_PROTOCOL_SERVER_MAX_QUEUED;
}

/* --- containers and their events ----------------------------------------------------- */

void
hcs_protocol_server_record_event (HcsProtocolServer *self, const char *id, const char *name,
                                  int exit_code)
{
  Served *served = g_hash_table_lookup (self->containers, id);
  g_autoptr (JsonNode) event = NULL;
  g_autoptr (JsonNode) notification = NULL;
  JsonObject *object;

  if (served == NULL)
    return;
  event = new_object_node ();
  object = json_node_get_object (event);
  json_object_set_int_member (object, "Sequence", (gint64) ++served->next_sequence);
  json_object_set_string_member (object, "Event", name);
  json_object_set_int_member (object, "Time", g_get_real_time ());
  if (g_str_equal (name, "exit"))
    json_object_set_int_member (object, "ExitCode", exit_code);
  g_ptr_array_add (served->events, json_node_ref (event));

  notification = hcs_protocol_lifecycle_notification_new (id, event);
  for (guint i = 0; i < self->connections->len; i++)
    {
      Connection *connection = self->connections->pdata[i];

      /* A failed write closed that connection; the others go on. */
      if (g_hash_table_contains (connection->opened, id))
        hcs_bridge_notify (connection->bridge, HCS_PROTOCOL_LIFECYCLE_NOTIFICATION, notification,
                           NULL);
    }
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, id, event);
}

typedef struct {
  HcsProtocolServer *server;
  char *id;
  int exit_code;
} ExitRecord;

static gboolean
record_exit_cb (gpointer data)
{
  ExitRecord *record = data;

  hcs_protocol_server_record_event (record->server, record->id, "exit", record->exit_code);
  g_object_unref (record->server);
  g_free (record->id);
  g_free (record);
  return G_SOURCE_REMOVE;
}

/* In the context the container was created in; recorded in ours. */
static void
container_exited_cb (HcsContainer *container, int exit_code, gpointer data)
{
  HcsProtocolServer *self = data;
  ExitRecord *record = g_new0 (ExitRecord, 1);

  record->server = g_object_ref (self);
  record->id = g_strdup (hcs_container_get_id (container));
  record->exit_code = exit_code;
  g_main_context_invoke (self->context, record_exit_cb, record);
}

void
hcs_protocol_server_add_container (HcsProtocolServer *self, HcsContainer *container)
{
  Served *served;

  g_return_if_fail (HCS_IS_PROTOCOL_SERVER (self));
  g_return_if_fail (HCS_IS_CONTAINER (container));

  served = g_new0 (Served, 1);
  served->container = g_object_ref (container);
  served->id = g_strdup (hcs_container_get_id (container));
  served->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  served->exited_handler = g_signal_connect (container, "exited",
                                             G_CALLBACK (container_exited_cb), self);
  g_hash_table_replace (self->containers, served->id, served);
  hcs_protocol_server_record_event (self, served->id, "create", 0);
}

static void
forget_processes (HcsProtocolServer *self, const char *id)
{
  g_autofree char *prefix = g_strconcat (id, "/", NULL);
  GHashTableIter iter;
  gpointer key;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->processes);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, prefix))
      g_hash_table_iter_remove (&iter);
  g_mutex_unlock (&self->lock);
}

gboolean
hcs_protocol_server_remove_container (HcsProtocolServer *self, const char *id)
{
  g_return_val_if_fail (HCS_IS_PROTOCOL_SERVER (self), FALSE);
  if (!g_hash_table_remove (self->containers, id))
    return FALSE;
  forget_processes (self, id);
  return TRUE;
}

guint
hcs_protocol_server_get_n_containers (HcsProtocolServer *self)
{
  g_return_val_if_fail (HCS_IS_PROTOCOL_SERVER (self), 0);
  return g_hash_table_size (self->containers);
}

guint
hcs_protocol_server_get_n_connections (HcsProtocolServer *self)
{
  g_return_val_if_fail (HCS_IS_PROTOCOL_SERVER (self), 0);
  return self->connections->len;
}

static Served *
find_served (HcsProtocolServer *self, JsonObject *body, const char *what, GError **error)
{
  const char *id = hcs_protocol_get_string (body, what, "ContainerId", error);
  Served *served;

  if (id == NULL)
    return NULL;
  served = g_hash_table_lookup (self->containers, id);
  if (served == NULL)
    g_set_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,
                 "compute system '%s' does not exist", id);
  return served;
}

/* A process of @container by pid: one this server started, or opened now. */
static HcsProcess *
find_process (HcsProtocolServer *self, HcsContainer *container, JsonObject *body,
              const char *what, GError **error)
{
  g_autofree char *key = NULL;
  HcsProcess *process;
  guint64 pid;

  if (!hcs_protocol_get_uint (body, what, "ProcessId", G_MAXINT32, &pid, error))
    return NULL;
  key = g_strdup_printf ("%s/%d", hcs_container_get_id (container), (int) pid);
  g_mutex_lock (&self->lock);
  process = g_hash_table_lookup (self->processes, key);
  if (process != NULL)
    g_object_ref (process);
  g_mutex_unlock (&self->lock);
  if (process != NULL)
    return process;
  return hcs_container_open_process (container, (int) pid, error);
}

static void
keep_process (HcsProtocolServer *self, HcsContainer *container, HcsProcess *process)
{
  g_mutex_lock (&self->lock);
  g_hash_table_replace (self->processes,
                        g_strdup_printf ("%s/%d", hcs_container_get_id (container),
                                         hcs_process_get_pid (process)),
                        g_object_ref (process));
  g_mutex_unlock (&self->lock);
}

/* --- stdio relays ------------------------------------------------------------------ */

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
relay_dispose_now (Relay *relay)
{
  g_clear_object (&relay->cancellable);
  /* The process's end is closed: stdin gets its EOF, an output nobody
   * relays any more gets EPIPE rather than filling up for ever. */
  if (G_IS_OUTPUT_STREAM (relay->process_side))
    g_output_stream_close (G_OUTPUT_STREAM (relay->process_side), NULL, NULL);
  else if (G_IS_INPUT_STREAM (relay->process_side))
    g_input_stream_close (G_INPUT_STREAM (relay->process_side), NULL, NULL);
  g_clear_object (&relay->process_side);
  if (relay->connection != NULL)
    g_io_stream_close (relay->connection, NULL, NULL);
  g_clear_object (&relay->connection);
  g_free (relay->buffer);
  g_free (relay);
}

/* A stream cannot be closed under a pending read: a busy relay is
 * cancelled and finished by its callback. */
static void
relay_free (Relay *relay)
{
  destroy_source (&relay->timeout);
  if (relay->busy)
    {
      relay->ending = TRUE;
      g_cancellable_cancel (relay->cancellable);
      return;
    }
  relay_dispose_now (relay);
}

/* Its natural end: the output's end of stream (or an error), or the
 * client's end of its stdin. */
static void
relay_end (Relay *relay)
{
  if (relay->connection != NULL && relay->stdio != 0 &&
      G_IS_SOCKET_CONNECTION (relay->connection))
    {
      /* The reader's end of stream, behind everything written. */
      g_socket_shutdown (g_socket_connection_get_socket (G_SOCKET_CONNECTION (relay->connection)),
                         FALSE, TRUE, NULL);
    }
  g_ptr_array_remove (relay->server->relays, relay);
  relay_dispose_now (relay);
}

static void relay_read (Relay *relay);

static void
relay_written_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Relay *relay = data;
  g_autoptr (GError) error = NULL;
  gboolean written = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL,
                                                       &error);

  relay->busy = FALSE;
  if (!written && !relay->ending)
    g_debug ("protocol: stdio port %u: writing: %s", relay->port, error->message);
  if (relay->ending)
    relay_dispose_now (relay);
  else if (!written)
    relay_end (relay);
  else
    relay_read (relay);
}

static void
relay_read_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Relay *relay = data;
  g_autoptr (GError) error = NULL;
  gssize length = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  relay->busy = FALSE;
  if (relay->ending)
    {
      relay_dispose_now (relay);
      return;
    }
  /* 0 is the end of stream; an error (EIO: a pty whose last slave closed)
   * ends it too. */
  if (length <= 0)
    {
      if (length < 0)
        g_debug ("protocol: stdio port %u: reading: %s", relay->port, error->message);
      relay_end (relay);
      return;
    }
  relay->busy = TRUE;
  g_output_stream_write_all_async (relay->to, relay->buffer, length, G_PRIORITY_DEFAULT,
                                   relay->cancellable, relay_written_cb, relay);
}

static void
relay_read (Relay *relay)
{
  relay->busy = TRUE;
  g_input_stream_read_async (relay->from, relay->buffer, RELAY_BUFFER_SIZE, G_PRIORITY_DEFAULT,
                             relay->cancellable, relay_read_cb, relay);
}

/* A pipe's end in blocking mode makes an "async" write of a whole buffer
 * block the server's loop once poll says there is a page of room: the
 * loop that should drain the process's stdout then waits on its stdin,
 * while the process waits on its stdout (a megabyte through cat stalled
 * that way). Non-blocking, a short write waits in the loop instead. */
static void
make_process_side_nonblocking (GObject *stream)
{
  int fd = -1;

  if (G_IS_UNIX_OUTPUT_STREAM (stream))
    fd = g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (stream));
  else if (G_IS_UNIX_INPUT_STREAM (stream))
    fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (stream));
  if (fd >= 0 && !g_unix_set_fd_nonblocking (fd, TRUE, NULL))
    g_debug ("protocol: fd %d stays blocking", fd);
}

static void
relay_start (HcsProtocolServer *self, Relay *relay)
{
  destroy_source (&relay->timeout);
  make_process_side_nonblocking (G_OBJECT (relay->process_side));
  relay->cancellable = g_cancellable_new ();
  relay->buffer = g_malloc (RELAY_BUFFER_SIZE);
  if (relay->stdio == 0)
    {
      relay->from = g_io_stream_get_input_stream (relay->connection);
      relay->to = G_OUTPUT_STREAM (relay->process_side);
    }
  else
    {
      relay->from = G_INPUT_STREAM (relay->process_side);
      relay->to = g_io_stream_get_output_stream (relay->connection);
    }
  g_ptr_array_add (self->relays, relay);
  relay_read (relay);
}

typedef struct {
  HcsProtocolServer *server;
  GHashTable *table;
  guint32 port;
} RelayTimeout;

static gboolean
relay_timed_out_cb (gpointer data)
{
  RelayTimeout *timeout = data;
  Relay *relay = g_hash_table_lookup (timeout->table, GUINT_TO_POINTER (timeout->port));

  if (relay != NULL)
    {
      g_debug ("protocol: stdio port %u: its other half never came", timeout->port);
      /* relay_free must not destroy the source that is running. */
      g_clear_pointer (&relay->timeout, g_source_unref);
      g_hash_table_remove (timeout->table, GUINT_TO_POINTER (timeout->port));
    }
  return G_SOURCE_REMOVE;
}

static void
relay_wait (HcsProtocolServer *self, GHashTable *table, Relay *relay)
{
  RelayTimeout *timeout = g_new0 (RelayTimeout, 1);

  timeout->server = self;
  timeout->table = table;
  timeout->port = relay->port;
  relay->timeout = g_timeout_source_new (HCS_PROTOCOL_SERVER_RELAY_TIMEOUT_MS);
  g_source_set_callback (relay->timeout, relay_timed_out_cb, timeout, g_free);
  g_source_attach (relay->timeout, self->context);
  g_hash_table_insert (table, GUINT_TO_POINTER (relay->port), relay);
}

/* A stdio connection said its port. */
static void
attach_stream (HcsProtocolServer *self, guint32 port, GIOStream *stream)
{
  Relay *relay = NULL;

  g_hash_table_steal_extended (self->waiting_relays, GUINT_TO_POINTER (port), NULL,
                               (gpointer *) &relay);
  if (relay != NULL)
    {
      relay->connection = g_object_ref (stream);
      relay_start (self, relay);
      return;
    }
  if (g_hash_table_contains (self->waiting_streams, GUINT_TO_POINTER (port)) ||
      g_hash_table_size (self->waiting_streams) >= HCS_PROTOCOL_SERVER_MAX_WAITING_RELAYS)
    {
      g_debug ("protocol: stdio port %u refused: in use, or too many waiting", port);
      g_io_stream_close (stream, NULL, NULL);
      return;
    }
  relay = g_new0 (Relay, 1);
  relay->server = self;
  relay->port = port;
  relay->connection = g_object_ref (stream);
  relay_wait (self, self->waiting_streams, relay);
}

void
hcs_protocol_server_add_stdio_stream (HcsProtocolServer *self, guint32 port, GIOStream *stream)
{
  g_return_if_fail (HCS_IS_PROTOCOL_SERVER (self));
  g_return_if_fail (port != 0 && G_IS_IO_STREAM (stream));
  attach_stream (self, port, stream);
}

void
hcs_protocol_server_set_create_func (HcsProtocolServer *self, HcsProtocolServerCreateFunc func,
                                     gpointer user_data)
{
  g_return_if_fail (HCS_IS_PROTOCOL_SERVER (self));
  self->create_func = func;
  self->create_stdio_func = NULL;
  self->create_data = user_data;
}

void
hcs_protocol_server_set_console_sockets (HcsProtocolServer *self, gboolean take)
{
  g_return_if_fail (HCS_IS_PROTOCOL_SERVER (self));
  self->console_sockets = take;
}

void
hcs_protocol_server_set_create_stdio_func (HcsProtocolServer *self,
                                           HcsProtocolServerCreateStdioFunc func,
                                           gpointer user_data)
{
  g_return_if_fail (HCS_IS_PROTOCOL_SERVER (self));
  self->create_func = NULL;
  self->create_stdio_func = func;
  self->create_data = user_data;
}

/* --- given descriptors ------------------------------------------------------------- */

static void
given_free (Given *given)
{
  destroy_source (&given->watch);
  destroy_source (&given->timeout);
  for (int i = 0; i < HCS_PROTOCOL_STDIO_DESCRIPTORS_COUNT; i++)
    if (given->fds[i] >= 0)
      close (given->fds[i]);
  if (given->connection != NULL)
    g_io_stream_close (given->connection, NULL, NULL);
  g_clear_object (&given->connection);
  g_free (given);
}

/* With the lock: @given, still in the table, goes. */
static void
given_drop_locked (HcsProtocolServer *self, Given *given)
{
  if (!given->received)
    self->n_receiving--;
  g_hash_table_remove (self->given, GUINT_TO_POINTER (given->port));
}

static void
given_answer (Given *given, const GError *failure)
{
  g_autoptr (JsonNode) body = new_object_node ();
  g_autoptr (GBytes) message = NULL;
  GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (given->connection));

  if (failure != NULL)
    {
      JsonObject *object = json_node_get_object (body);
      HcsError code = failure->domain == HCS_ERROR ? (HcsError) failure->code : HCS_ERROR_FAILED;

      json_object_set_int_member (object, "Result", (gint32) hcs_error_code_to_hresult (code));
      json_object_set_string_member (object, "ErrorMessage", failure->message);
      json_object_set_string_member (object, "Error", failure->message);
      json_object_set_int_member (object, "ErrorCode", code);
    }
  message = hcs_bridge_message_encode (HCS_BRIDGE_RESPONSE_TYPE (HCS_PROTOCOL_STDIO_DESCRIPTORS),
                                       given->request_id, body, HCS_BRIDGE_DEFAULT_MAX_MESSAGE,
                                       NULL);
  /* A few hundred bytes into a connection that has had nothing written:
   * the socket's buffer takes them. */
  if (message != NULL)
    g_socket_send (socket, g_bytes_get_data (message, NULL), g_bytes_get_size (message), NULL,
                   NULL);
}

static gboolean
given_timed_out_cb (gpointer data)
{
  Given *given = data;
  HcsProtocolServer *self = given->server;

  g_debug ("protocol: stdio descriptors of port %u: not %s in time, dropped", given->port,
           given->received ? "claimed" : "sent");
  g_mutex_lock (&self->lock);
  g_clear_pointer (&given->timeout, g_source_unref);
  given_drop_locked (self, given);
  g_mutex_unlock (&self->lock);
  return G_SOURCE_REMOVE;
}

/* Exactly one byte and HCS_PROTOCOL_STDIO_DESCRIPTORS_COUNT descriptors, each
 * fit for its stream; otherwise the error says what came. */
static gboolean
given_receive (Given *given, GError **error)
{
  GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (given->connection));
  GSocketControlMessage **messages = NULL;
  gint n_messages = 0;
  char byte;
  GInputVector vector = { &byte, 1 };
  gint flags = 0;
  gssize received;
  g_autofree int *fds = NULL;
  gint n_fds = 0;
  gboolean ok = TRUE;

  received = g_socket_receive_message (socket, NULL, &vector, 1, &messages, &n_messages, &flags,
                                       NULL, error);
  if (received < 0)
    return FALSE;
  for (gint i = 0; i < n_messages; i++)
    {
      if (G_IS_UNIX_FD_MESSAGE (messages[i]) && fds == NULL)
        fds = g_unix_fd_message_steal_fds (G_UNIX_FD_MESSAGE (messages[i]), &n_fds);
      else
        ok = FALSE;
      g_object_unref (messages[i]);
    }
  g_free (messages);
  if (!ok || received != 1 || (flags & MSG_CTRUNC) || n_fds != HCS_PROTOCOL_STDIO_DESCRIPTORS_COUNT)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "protocol: StdioDescriptors: want one byte with %d descriptors (stdin, "
                   "stdout, stderr), got %" G_GSSIZE_FORMAT " byte(s) with %d%s",
                   HCS_PROTOCOL_STDIO_DESCRIPTORS_COUNT, received, n_fds,
                   ok && !(flags & MSG_CTRUNC) ? "" : " and other control data");
      ok = FALSE;
    }
  for (gint i = 0; ok && i < n_fds; i++)
    if (!hcs_protocol_check_stdio_fd (fds[i], i, error))
      ok = FALSE;
  if (!ok)
    {
      for (gint i = 0; i < n_fds; i++)
        close (fds[i]);
      return FALSE;
    }
  for (gint i = 0; i < n_fds; i++)
    {
      given->fds[i] = fds[i];
      /* Never inherited by what the server spawns. */
      fcntl (fds[i], F_SETFD, FD_CLOEXEC);
    }
  return TRUE;
}

static gboolean
given_ready_cb (GSocket *socket, GIOCondition condition, gpointer data)
{
  Given *given = data;
  HcsProtocolServer *self = given->server;
  g_autoptr (GError) error = NULL;
  gboolean keep = FALSE;

  g_mutex_lock (&self->lock);
  if (given->received)
    {
      /* Anything more, or the client's close (after its request was
       * answered): whatever was not claimed goes. */
      if (given->fds[0] >= 0)
        g_debug ("protocol: stdio descriptors of port %u: the connection ended unclaimed",
                 given->port);
    }
  else if (given_receive (given, &error))
    {
      given->received = TRUE;
      self->n_receiving--;
      given_answer (given, NULL);
      keep = TRUE;
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      g_debug ("protocol: stdio descriptors of port %u: %s", given->port, error->message);
      given_answer (given, error);
    }
  else
    keep = TRUE;
  if (!keep)
    {
      g_clear_pointer (&given->watch, g_source_unref);
      given_drop_locked (self, given);
    }
  g_mutex_unlock (&self->lock);
  return keep ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* A StdioDescriptors message came on @bridge: the descriptors follow it. */
static void
given_start (HcsProtocolServer *self, HcsBridge *bridge, guint32 port, guint64 request_id)
{
  g_autoptr (GIOStream) stream = hcs_bridge_detach (bridge);
  Given *given;

  g_mutex_lock (&self->lock);
  if (!G_IS_SOCKET_CONNECTION (stream) || g_hash_table_contains (self->given, GUINT_TO_POINTER (port)) ||
      self->n_receiving >= HCS_PROTOCOL_SERVER_MAX_WAITING_RELAYS ||
      g_hash_table_size (self->given) >= HCS_PROTOCOL_SERVER_MAX_WAITING_RELAYS)
    {
      g_mutex_unlock (&self->lock);
      g_debug ("protocol: stdio descriptors of port %u refused: not a socket, the port in use, "
               "or too many waiting", port);
      g_io_stream_close (stream, NULL, NULL);
      return;
    }
  given = g_new0 (Given, 1);
  given->server = self;
  given->port = port;
  given->request_id = request_id;
  for (int i = 0; i < HCS_PROTOCOL_STDIO_DESCRIPTORS_COUNT; i++)
    given->fds[i] = -1;
  given->connection = g_steal_pointer (&stream);
  given->watch = g_socket_create_source (
      g_socket_connection_get_socket (G_SOCKET_CONNECTION (given->connection)),
      G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (given->watch, G_SOURCE_FUNC (given_ready_cb), given, NULL);
  g_source_attach (given->watch, self->context);
  given->timeout = g_timeout_source_new (HCS_PROTOCOL_SERVER_RELAY_TIMEOUT_MS);
  g_source_set_callback (given->timeout, given_timed_out_cb, given, NULL);
  g_source_attach (given->timeout, self->context);
  g_hash_table_insert (self->given, GUINT_TO_POINTER (port), given);
  self->n_receiving++;
  g_mutex_unlock (&self->lock);
}

/* The descriptors given under @port for request @what (any thread): the
 * caller's to close. */
static gboolean
given_claim (HcsProtocolServer *self, guint64 port, const char *what, int fds[3],
             GError **error)
{
  Given *given;

  g_mutex_lock (&self->lock);
  given = port > G_MAXUINT32 ? NULL : g_hash_table_lookup (self->given, GUINT_TO_POINTER (port));
  if (given == NULL || given->fds[0] < 0)
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "protocol: %s: no stdio descriptors were given for port %" G_GUINT64_FORMAT,
                   what, port);
      return FALSE;
    }
  for (int i = 0; i < HCS_PROTOCOL_STDIO_DESCRIPTORS_COUNT; i++)
    {
      fds[i] = given->fds[i];
      given->fds[i] = -1;
    }
  /* The entry stays until its connection ends: the server's context
   * removes it. */
  g_mutex_unlock (&self->lock);
  return TRUE;
}

gboolean
hcs_protocol_server_relay_stdio (HcsProtocolServer *self, HcsProcess *process,
                                 const HcsProtocolStdioRelay *ports, GError **error)
{
  GObject *streams[3] = { G_OBJECT (hcs_process_get_stdin (process)),
                          G_OBJECT (hcs_process_get_stdout (process)),
                          G_OBJECT (hcs_process_get_stderr (process)) };

  g_return_val_if_fail (HCS_IS_PROTOCOL_SERVER (self), FALSE);
  for (int i = 0; i < 3; i++)
    {
      guint32 port = ports->ports[i];

      if (port == 0 || streams[i] == NULL)
        continue;
      if (g_hash_table_contains (self->waiting_relays, GUINT_TO_POINTER (port)) ||
          g_hash_table_size (self->waiting_relays) >= HCS_PROTOCOL_SERVER_MAX_WAITING_RELAYS)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS,
                       "protocol: stdio port %u is in use, or too many wait", port);
          return FALSE;
        }
    }
  for (int i = 0; i < 3; i++)
    {
      guint32 port = ports->ports[i];
      Relay *relay = NULL;

      if (port == 0 || streams[i] == NULL)
        continue;
      g_hash_table_steal_extended (self->waiting_streams, GUINT_TO_POINTER (port), NULL,
                                   (gpointer *) &relay);
      if (relay == NULL)
        {
          relay = g_new0 (Relay, 1);
          relay->server = self;
          relay->port = port;
        }
      relay->stdio = i;
      relay->process_side = g_object_ref (streams[i]);
      if (relay->connection != NULL)
        relay_start (self, relay);
      else
        relay_wait (self, self->waiting_relays, relay);
    }
  return TRUE;
}

/* --- requests --------------------------------------------------------------------- */

/* The terminal of @process on this side: the pty master its console
 * streams are (an argon process's, in the guest), or -1. */
static int
console_terminal (HcsProcess *process)
{
  GOutputStream *input = hcs_process_get_stdin (process);
  GInputStream *output = hcs_process_get_stdout (process);
  int fd = -1;

  if (G_IS_UNIX_OUTPUT_STREAM (input))
    fd = g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (input));
  if ((fd < 0 || !isatty (fd)) && G_IS_UNIX_INPUT_STREAM (output))
    fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (output));
  return fd >= 0 && isatty (fd) ? fd : -1;
}

/* SetTerminalModes: checked whole, then set on the process's pty (on its
 * master: the kernel applies it to the terminal, the slave's modes). */
static gboolean
set_terminal_modes (HcsProcess *process, JsonNode *modes, GError **error)
{
  int terminal = console_terminal (process);
  struct termios termios;

  if (terminal < 0)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "protocol: SetTerminalModes: process %d has no terminal here",
                   hcs_process_get_pid (process));
      return FALSE;
    }
  if (tcgetattr (terminal, &termios) < 0)
    return hcs_set_error_from_errno (error, errno, "process %d: reading its terminal's modes",
                                     hcs_process_get_pid (process));
  if (!hcs_protocol_terminal_modes_apply (modes, &termios, error))
    return FALSE;
  if (tcsetattr (terminal, TCSANOW, &termios) < 0)
    return hcs_set_error_from_errno (error, errno, "process %d: setting its terminal's modes",
                                     hcs_process_get_pid (process));
  return TRUE;
}

static void
respond (HcsBridge *bridge, guint32 type, guint64 id, JsonNode *reply, const GError *error)
{
  g_autoptr (JsonNode) empty = NULL;

  /* A peer that closed meanwhile gets nothing; that is no error here. */
  if (error != NULL)
    hcs_bridge_respond_error (bridge, type, id, error, NULL);
  else
    hcs_bridge_respond (bridge, type, id, reply ? reply : (empty = new_object_node ()), NULL);
}

static void
wait_free (Wait *wait)
{
  destroy_source (&wait->timeout);
  g_clear_object (&wait->cancellable);
  g_clear_object (&wait->bridge);
  g_free (wait);
}

/* Answered now: a driver's wait may not end at its cancellation (argon's
 * ends at the exit only), so the timeout does not wait for it. */
static gboolean
wait_timed_out_cb (gpointer data)
{
  Wait *wait = data;
  g_autoptr (GError) error = NULL;

  g_clear_pointer (&wait->timeout, g_source_unref);
  wait->timed_out = TRUE;
  if (wait->connection != NULL)
    {
      g_ptr_array_remove (wait->connection->waits, wait);
      wait->connection = NULL;
      g_set_error (&error, HCS_ERROR, HCS_ERROR_TIMEOUT, "protocol: %s timed out",
                   hcs_protocol_message_name (wait->type));
      respond (wait->bridge, wait->type, wait->id, NULL, error);
    }
  g_cancellable_cancel (wait->cancellable);
  return G_SOURCE_REMOVE;
}

static Wait *
wait_new (Connection *connection, guint32 type, guint64 id, guint64 timeout_ms)
{
  Wait *wait = g_new0 (Wait, 1);

  wait->connection = connection;
  wait->bridge = g_object_ref (connection->bridge);
  wait->type = type;
  wait->id = id;
  wait->cancellable = g_cancellable_new ();
  g_ptr_array_add (connection->waits, wait);
  return wait;
}

/* After the wait started: an exit already known completes it first. */
static void
wait_set_timeout (Wait *wait, HcsProtocolServer *server, guint64 timeout_ms)
{
  if (timeout_ms == HCS_PROTOCOL_INFINITE)
    return;
  wait->timeout = g_timeout_source_new (timeout_ms);
  g_source_set_callback (wait->timeout, wait_timed_out_cb, wait, NULL);
  g_source_attach (wait->timeout, server->context);
}

/* Answers a wait (unless its connection is gone) and frees it. */
static void
wait_done (Wait *wait, gboolean done, const GError *wait_error, int exit_code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = NULL;

  if (wait->connection != NULL)
    {
      g_ptr_array_remove (wait->connection->waits, wait);
      if (done)
        {
          reply = new_object_node ();
          json_object_set_int_member (json_node_get_object (reply), "ExitCode", exit_code);
        }
      else if (wait->timed_out)
        g_set_error (&error, HCS_ERROR, HCS_ERROR_TIMEOUT, "protocol: %s timed out",
                     hcs_protocol_message_name (wait->type));
      else
        error = g_error_copy (wait_error);
      respond (wait->bridge, wait->type, wait->id, reply, error);
    }
  wait_free (wait);
}

static void
process_waited_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;
  int exit_code = -1;
  gboolean done = hcs_process_wait_finish (HCS_PROCESS (source), result, &error) &&
                  hcs_process_get_exit_code (HCS_PROCESS (source), &exit_code, &error);

  wait_done (data, done, error, exit_code);
}

static void
container_waited_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;
  int exit_code = -1;
  gboolean done = hcs_container_wait_finish (HCS_CONTAINER (source), result, &error);

  /* Stopped with no exit code of its own (terminated before a start). */
  if (done && !hcs_container_get_exit_code (HCS_CONTAINER (source), &exit_code, NULL))
    exit_code = -1;
  wait_done (data, done, error, exit_code);
}

static gboolean
get_timeout (JsonObject *body, const char *what, guint64 *timeout_ms, GError **error)
{
  if (!json_object_has_member (body, "TimeoutInMs"))
    {
      *timeout_ms = HCS_PROTOCOL_INFINITE;
      return TRUE;
    }
  return hcs_protocol_get_uint (body, what, "TimeoutInMs", G_MAXUINT32, timeout_ms, error);
}

/* A call that may block, run on a worker thread. */
typedef struct {
  HcsProtocolServer *server;
  HcsBridge *bridge;
  guint32 type;
  guint64 id;
  JsonNode *body;
  HcsContainer *container;
  char *container_id;
  HcsProcess *process;        /* ExecuteProcess: the one started */
  HcsProtocolStdioRelay relay;
  JsonNode *reply;
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->server);
  g_clear_object (&job->bridge);
  g_clear_pointer (&job->body, json_node_unref);
  g_clear_object (&job->container);
  g_clear_object (&job->process);
  g_clear_pointer (&job->reply, json_node_unref);
  g_free (job->container_id);
  g_free (job);
}

static gboolean
get_properties (Job *job, JsonObject *body, GError **error)
{
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (JsonNode) query = NULL;
  g_autoptr (JsonNode) properties = NULL;
  JsonArray *types = NULL;

  if (json_object_has_member (body, "Query"))
    {
      query = hcs_protocol_get_document (body, "Query", error);
      if (query == NULL)
        return FALSE;
      types = json_object_get_array_member (json_node_get_object (query), "PropertyTypes");
    }
  props = hcs_container_query_properties (job->container, error);
  if (props == NULL)
    return FALSE;
  properties = hcs_container_properties_to_node (props);
  for (guint i = 0; types != NULL && i < json_array_get_length (types); i++)
    {
      JsonNode *element = json_array_get_element (types, i);
      const char *type = JSON_NODE_HOLDS_VALUE (element) &&
                                 json_node_get_value_type (element) == G_TYPE_STRING
                             ? json_node_get_string (element)
                             : "";

      if (g_str_equal (type, "Statistics"))
        {
          g_autoptr (HcsStatistics) stats = hcs_container_get_statistics (job->container, error);
          if (stats == NULL)
            return FALSE;
          json_object_set_member (json_node_get_object (properties), "Statistics",
                                  hcs_statistics_to_node (stats));
        }
      else if (g_str_equal (type, "ProcessList"))
        {
          g_autoptr (GPtrArray) list = hcs_container_get_process_list (job->container, error);
          if (list == NULL)
            return FALSE;
          json_object_set_member (json_node_get_object (properties), "ProcessList",
                                  hcs_process_list_to_node (list));
        }
      else
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "protocol: GetProperties: Query.PropertyTypes: unknown type '%s'", type);
          return FALSE;
        }
    }
  job->reply = new_object_node ();
  hcs_protocol_set_document (json_node_get_object (job->reply), "Properties", properties);
  return TRUE;
}

/* A console socket a client named: an absolute path of the host, which
 * only a server of the host takes (hcs_protocol_server_set_console_sockets). */
static gboolean
get_console_socket (HcsProtocolServer *self, JsonObject *object, const char *what, char **path,
                    GError **error)
{
  JsonNode *node = json_object_get_member (object, "ConsoleSocket");
  const char *text = node && JSON_NODE_HOLDS_VALUE (node) &&
                             json_node_get_value_type (node) == G_TYPE_STRING
                         ? json_node_get_string (node)
                         : NULL;

  if (!self->console_sockets)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "protocol: %s: this server takes no ConsoleSocket", what);
      return FALSE;
    }
  if (text == NULL || !g_path_is_absolute (text))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "protocol: %s: ConsoleSocket: expected an absolute path", what);
      return FALSE;
    }
  g_free (*path);
  *path = g_strdup (text);
  return TRUE;
}

static gboolean
execute_process (Job *job, JsonObject *body, GError **error)
{
  g_autoptr (HcsProcessConfig) config = NULL;
  g_autoptr (JsonNode) parameters = NULL;
  JsonObject *settings = json_object_get_member (body, "Settings") != NULL &&
                                 JSON_NODE_HOLDS_OBJECT (json_object_get_member (body, "Settings"))
                             ? json_object_get_object_member (body, "Settings")
                             : NULL;
  JsonNode *relay_node;

  if (settings == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "protocol: ExecuteProcess: Settings is missing");
      return FALSE;
    }
  parameters = hcs_protocol_get_document (settings, "ProcessParameters", error);
  if (parameters == NULL)
    return FALSE;
  config = hcs_process_config_from_node (parameters, error);
  if (config == NULL)
    return FALSE;
  relay_node = json_object_get_member (settings, "VsockStdioRelaySettings");
  if (relay_node != NULL && !JSON_NODE_HOLDS_OBJECT (relay_node))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "protocol: ExecuteProcess: VsockStdioRelaySettings is not an object");
      return FALSE;
    }
  if (!hcs_protocol_stdio_relay_from_object (relay_node ? json_node_get_object (relay_node)
                                                        : NULL,
                                             &job->relay, error))
    return FALSE;
  /* The ports say which pipes there are: one nobody relays would fill up. */
  if (!config->emulate_console)
    {
      config->create_stdin_pipe = job->relay.ports[0] != 0;
      config->create_stdout_pipe = job->relay.ports[1] != 0;
      config->create_stderr_pipe = job->relay.ports[2] != 0;
    }
  config->use_stdio_fds = FALSE;
  config->inherit_stdio = FALSE;
  if (json_object_has_member (settings, "ConsoleSocket"))
    {
      /* runc exec's --console-socket, a path of the host its client
       * named: the driver sends the console there, no port carries it. */
      if (!config->emulate_console || (job->relay.ports[0] | job->relay.ports[1]) != 0)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "protocol: ExecuteProcess: ConsoleSocket goes with EmulateConsole and "
                       "no relay ports");
          return FALSE;
        }
      if (!get_console_socket (job->server, settings, "ExecuteProcess", &config->console_socket,
                               error))
        return FALSE;
    }
  if (json_object_has_member (settings, "StdioDescriptors"))
    {
      /* The client's own descriptors, handed over beforehand: its process
       * writes to them itself (or the driver relays them, in a VM). */
      guint64 port;

      if (config->emulate_console || config->create_stdin_pipe || config->create_stdout_pipe ||
          config->create_stderr_pipe)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "protocol: ExecuteProcess: StdioDescriptors goes with neither a console "
                       "nor relay ports");
          return FALSE;
        }
      if (!hcs_protocol_get_uint (settings, "ExecuteProcess", "StdioDescriptors", G_MAXUINT32,
                                  &port, error) ||
          !given_claim (job->server, port, "ExecuteProcess", config->stdio_fds, error))
        return FALSE;
      config->use_stdio_fds = TRUE;
    }
  job->process = hcs_container_create_process (job->container, config, error);
  /* The driver took copies of its own. */
  if (config->use_stdio_fds)
    for (int i = 0; i < HCS_PROTOCOL_STDIO_DESCRIPTORS_COUNT; i++)
      close (config->stdio_fds[i]);
  if (job->process == NULL)
    return FALSE;
  job->reply = new_object_node ();
  json_object_set_int_member (json_node_get_object (job->reply), "ProcessId",
                              hcs_process_get_pid (job->process));
  return TRUE;
}

static gboolean
run_job (Job *job, GError **error)
{
  JsonObject *body = json_node_get_object (job->body);
  const char *what = hcs_protocol_message_name (job->type);

  switch (job->type)
    {
    case HCS_PROTOCOL_CREATE:
      {
        g_autoptr (JsonNode) config = hcs_protocol_get_document (body, "ContainerConfig", error);
        g_autofree char *console_socket = NULL;
        JsonNode *relay_node = json_object_get_member (body, "InitStdioRelay");

        if (config == NULL)
          return FALSE;
        /* Only a create function that takes descriptors takes it too. */
        if (json_object_has_member (body, "ConsoleSocket") &&
            (job->server->create_stdio_func == NULL ||
             !get_console_socket (job->server, body, what, &console_socket, error)))
          {
            if (job->server->create_stdio_func == NULL)
              g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                           "protocol: Create: this server takes no ConsoleSocket");
            return FALSE;
          }
        /* The init's stdio over ports the client named (a VM's host has no
         * pipe to the guest's init): relayed once the system is added. */
        if (relay_node != NULL && !JSON_NODE_HOLDS_OBJECT (relay_node))
          {
            g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                         "protocol: Create: InitStdioRelay is not an object");
            return FALSE;
          }
        if (!hcs_protocol_stdio_relay_from_object (relay_node ? json_node_get_object (relay_node)
                                                              : NULL,
                                                   &job->relay, error))
          return FALSE;
        if (json_object_has_member (body, "InitStdioDescriptors"))
          {
            /* The client's own descriptors as the init's stdio (runc's
             * create): the system keeps them, not the client. */
            int fds[HCS_PROTOCOL_STDIO_DESCRIPTORS_COUNT];
            guint64 port;

            if (job->server->create_stdio_func == NULL)
              {
                g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                             "protocol: Create: this server takes no InitStdioDescriptors");
                return FALSE;
              }
            if ((job->relay.ports[0] | job->relay.ports[1] | job->relay.ports[2]) != 0)
              {
                g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                             "protocol: Create: InitStdioDescriptors and InitStdioRelay "
                             "together");
                return FALSE;
              }
            if (!hcs_protocol_get_uint (body, what, "InitStdioDescriptors", G_MAXUINT32, &port,
                                        error) ||
                !given_claim (job->server, port, what, fds, error))
              return FALSE;
            job->container = job->server->create_stdio_func (job->container_id, config, fds,
                                                             console_socket,
                                                             job->server->create_data, error);
            for (int i = 0; i < HCS_PROTOCOL_STDIO_DESCRIPTORS_COUNT; i++)
              close (fds[i]);
          }
        else if (job->server->create_stdio_func != NULL)
          job->container = job->server->create_stdio_func (job->container_id, config, NULL,
                                                           console_socket,
                                                           job->server->create_data, error);
        else
          job->container = job->server->create_func (job->container_id, config,
                                                     job->server->create_data, error);
        return job->container != NULL;
      }
    case HCS_PROTOCOL_START:
      return hcs_container_start (job->container, error);
    case HCS_PROTOCOL_SHUTDOWN_GRACEFUL:
      return hcs_container_shutdown (job->container, error);
    case HCS_PROTOCOL_SHUTDOWN_FORCED:
      return hcs_container_terminate (job->container, error);
    case HCS_PROTOCOL_PAUSE:
      return hcs_container_pause (job->container, error);
    case HCS_PROTOCOL_RESUME:
      return hcs_container_resume (job->container, error);
    case HCS_PROTOCOL_DELETE_CONTAINER_STATE:
      return hcs_container_remove (job->container, error);
    case HCS_PROTOCOL_GET_PROPERTIES:
      return get_properties (job, body, error);
    case HCS_PROTOCOL_EXECUTE_PROCESS:
      return execute_process (job, body, error);
    case HCS_PROTOCOL_UPDATE_CONTAINER:
      {
        g_autoptr (JsonGenerator) generator = json_generator_new ();
        g_autofree char *text = NULL;
        HcsResourceUpdate update = HCS_RESOURCE_UPDATE_INIT;
        JsonNode *resources = json_object_get_member (body, "Resources");

        if (resources == NULL || !JSON_NODE_HOLDS_OBJECT (resources))
          {
            g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                         "protocol: UpdateContainer: Resources is missing or not an object");
            return FALSE;
          }
        json_generator_set_root (generator, resources);
        text = json_generator_to_data (generator, NULL);
        if (!hcs_resource_update_from_json (text, &update, error))
          return FALSE;
        /* runc's update: linux.resources as given (ResourceUpdate.oci_resources). */
        {
          JsonNode *oci = json_object_get_member (json_node_get_object (resources), "Oci");
          g_autofree char *oci_text = NULL;

          if (oci != NULL && !JSON_NODE_HOLDS_OBJECT (oci))
            {
              g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                           "protocol: UpdateContainer: Resources.Oci is not an object");
              return FALSE;
            }
          if (oci != NULL)
            update.oci_resources = oci_text = json_to_string (oci, FALSE);
          return hcs_container_modify (job->container, &update, error);
        }
      }
    case HCS_PROTOCOL_SIGNAL_PROCESS:
      {
        g_autoptr (HcsProcess) process = find_process (job->server, job->container, body, what,
                                                       error);
        JsonObject *options = json_object_get_member (body, "Options") != NULL &&
                                      JSON_NODE_HOLDS_OBJECT (json_object_get_member (body,
                                                                                      "Options"))
                                  ? json_object_get_object_member (body, "Options")
                                  : NULL;
        guint64 signum = SIGKILL;

        if (process == NULL)
          return FALSE;
        /* hcsshim sends no Options for a kill. */
        if (options != NULL &&
            !hcs_protocol_get_uint (options, what, "Signal", 64, &signum, error))
          return FALSE;
        return hcs_process_signal (process, (int) signum, error);
      }
    case HCS_PROTOCOL_RESIZE_CONSOLE:
      {
        g_autoptr (HcsProcess) process = find_process (job->server, job->container, body, what,
                                                       error);
        guint64 width, height;

        return process != NULL &&
               hcs_protocol_get_uint (body, what, "Width", G_MAXUINT16, &width, error) &&
               hcs_protocol_get_uint (body, what, "Height", G_MAXUINT16, &height, error) &&
               hcs_process_resize_console (process, (guint16) width, (guint16) height, error);
      }
    case HCS_PROTOCOL_SET_TERMINAL_MODES:
      {
        g_autoptr (HcsProcess) process = find_process (job->server, job->container, body, what,
                                                       error);

        return process != NULL &&
               set_terminal_modes (process, json_object_get_member (body, "Modes"), error);
      }
    default:
      g_assert_not_reached ();
    }
}

static void
job_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (run_job (data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Back in the server's context: what the call changed, then the answer. */
static void
job_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  HcsProtocolServer *self = HCS_PROTOCOL_SERVER (source);
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    switch (job->type)
      {
      case HCS_PROTOCOL_CREATE:
        if (g_hash_table_contains (self->containers, job->container_id))
          {
            /* Two Creates of one id raced: the first one served wins. */
            hcs_container_terminate (job->container, NULL);
            hcs_container_remove (job->container, NULL);
            g_set_error (&error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS,
                         "compute system '%s' already exists", job->container_id);
          }
        else
          {
            g_autoptr (HcsProcess) init = NULL;

            if ((job->relay.ports[0] | job->relay.ports[1] | job->relay.ports[2]) != 0 &&
                ((init = hcs_container_get_init_process (job->container, &error)) == NULL ||
                 !hcs_protocol_server_relay_stdio (self, init, &job->relay, &error)))
              {
                /* An init nobody can feed or read does not stay. */
                hcs_container_terminate (job->container, NULL);
                hcs_container_remove (job->container, NULL);
                break;
              }
            hcs_protocol_server_add_container (self, job->container);
          }
        break;
      case HCS_PROTOCOL_START:
        hcs_protocol_server_record_event (self, job->container_id, "start", 0);
        break;
      case HCS_PROTOCOL_PAUSE:
        hcs_protocol_server_record_event (self, job->container_id, "pause", 0);
        break;
      case HCS_PROTOCOL_RESUME:
        hcs_protocol_server_record_event (self, job->container_id, "resume", 0);
        break;
      case HCS_PROTOCOL_EXECUTE_PROCESS:
        keep_process (self, job->container, job->process);
        if (!hcs_protocol_server_relay_stdio (self, job->process, &job->relay, &error))
          {
            /* Nobody could ever read or feed it: it does not stay. */
            hcs_process_kill (job->process, NULL);
            g_clear_pointer (&job->reply, json_node_unref);
          }
        break;
      default:
        break;
      }
  respond (job->bridge, job->type, job->id, job->reply, error);
  if (error == NULL && job->type == HCS_PROTOCOL_DELETE_CONTAINER_STATE)
    {
      hcs_protocol_server_record_event (self, job->container_id, "delete", 0);
      hcs_protocol_server_remove_container (self, job->container_id);
      g_signal_emit (self, signals[SIGNAL_CONTAINER_DELETED], 0, job->container_id);
    }
}

/* @served is NULL for a Create: the id is the request's. */
static void
start_job (Connection *connection, guint32 type, guint64 id, JsonNode *body, Served *served,
           const char *container_id)
{
  g_autoptr (GTask) task = g_task_new (connection->server, NULL, job_done_cb, NULL);
  Job *job = g_new0 (Job, 1);

  job->server = g_object_ref (connection->server);
  job->bridge = g_object_ref (connection->bridge);
  job->type = type;
  job->id = id;
  job->body = json_node_ref (body);
  job->container = served ? g_object_ref (served->container) : NULL;
  job->container_id = g_strdup (served ? served->id : container_id);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, job_thread);
}

static gboolean
handle_wait (Connection *connection, guint32 type, guint64 id, JsonObject *body, Served *served,
             GError **error)
{
  const char *what = hcs_protocol_message_name (type);
  g_autoptr (HcsProcess) process = NULL;
  guint64 timeout_ms;
  Wait *wait;

  if (!get_timeout (body, what, &timeout_ms, error))
    return FALSE;
  if (type == HCS_PROTOCOL_WAIT_FOR_PROCESS &&
      (process = find_process (connection->server, served->container, body, what, error)) == NULL)
    return FALSE;
  wait = wait_new (connection, type, id, timeout_ms);
  if (process != NULL)
    hcs_process_wait_async (process, wait->cancellable, process_waited_cb, wait);
  else
    hcs_container_wait_async (served->container, wait->cancellable, container_waited_cb, wait);
  wait_set_timeout (wait, connection->server, timeout_ms);
  return TRUE;
}

static JsonNode *
negotiate (JsonObject *body, GError **error)
{
  JsonNode *reply;
  JsonObject *capabilities;
  guint64 minimum = HCS_PROTOCOL_VERSION, maximum = HCS_PROTOCOL_VERSION;

  if ((json_object_has_member (body, "MinimumVersion") &&
       !hcs_protocol_get_uint (body, "NegotiateProtocol", "MinimumVersion", G_MAXUINT32, &minimum,
                               error)) ||
      (json_object_has_member (body, "MaximumVersion") &&
       !hcs_protocol_get_uint (body, "NegotiateProtocol", "MaximumVersion", G_MAXUINT32, &maximum,
                               error)))
    return NULL;
  if (minimum > HCS_PROTOCOL_VERSION || maximum < HCS_PROTOCOL_VERSION)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "protocol: versions %u-%u asked for; this server speaks %d", (guint) minimum,
                   (guint) maximum, HCS_PROTOCOL_VERSION);
      return NULL;
    }
  reply = new_object_node ();
  json_object_set_int_member (json_node_get_object (reply), "Version", HCS_PROTOCOL_VERSION);
  capabilities = json_object_new ();
  json_object_set_boolean_member (capabilities, "SendLifecycleNotifications", TRUE);
  json_object_set_string_member (capabilities, "RuntimeOsType", "Linux");
  json_object_set_object_member (json_node_get_object (reply), "Capabilities", capabilities);
  return reply;
}

static void
request_cb (HcsBridge *bridge, guint type, guint64 id, JsonNode *body, gpointer data)
{
  Connection *connection = data;
  HcsProtocolServer *self = connection->server;
  JsonObject *object = json_node_get_object (body);
  const char *what = hcs_protocol_message_name (type);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = NULL;
  Served *served;

  switch (type)
    {
    case HCS_PROTOCOL_NEGOTIATE_PROTOCOL:
      reply = negotiate (object, &error);
      respond (bridge, type, id, reply, error);
      return;
    case HCS_PROTOCOL_STDIO_HELLO:
      {
        guint64 port;

        if (!hcs_protocol_get_uint (object, what, "Port", G_MAXUINT32, &port, &error) ||
            port == 0)
          {
            g_debug ("protocol: a bad stdio hello: %s", error ? error->message : "port 0");
            hcs_bridge_close (bridge);
            return;
          }
        {
          g_autoptr (GIOStream) stream = hcs_bridge_detach (bridge);
          attach_stream (self, (guint32) port, stream);
        }
        return;
      }
    case HCS_PROTOCOL_STDIO_DESCRIPTORS:
      {
        guint64 port;

        if (!hcs_protocol_get_uint (object, what, "Port", G_MAXUINT32, &port, &error) ||
            port == 0)
          {
            g_debug ("protocol: a bad StdioDescriptors: %s", error ? error->message : "port 0");
            hcs_bridge_close (bridge);
            return;
          }
        given_start (self, bridge, (guint32) port, id);
        return;
      }
    case HCS_PROTOCOL_CREATE:
      if ((served = find_served (self, object, what, &error)) != NULL)
        g_set_error (&error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS,
                     "compute system '%s' already exists", served->id);
      else if (hcs_error_is_not_exist (error) &&
               (self->create_func != NULL || self->create_stdio_func != NULL))
        {
          g_clear_error (&error);
          start_job (connection, type, id, body, NULL,
                     json_object_get_string_member (object, "ContainerId"));
          return;
        }
      else if (hcs_error_is_not_exist (error))
        {
          g_clear_error (&error);
          g_set_error (&error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                       "protocol: Create: this server holds the systems it was given and "
                       "creates none");
        }
      respond (bridge, type, id, NULL, error);
      return;
    case HCS_PROTOCOL_START:
    case HCS_PROTOCOL_SHUTDOWN_GRACEFUL:
    case HCS_PROTOCOL_SHUTDOWN_FORCED:
    case HCS_PROTOCOL_PAUSE:
    case HCS_PROTOCOL_RESUME:
    case HCS_PROTOCOL_DELETE_CONTAINER_STATE:
    case HCS_PROTOCOL_GET_PROPERTIES:
    case HCS_PROTOCOL_EXECUTE_PROCESS:
    case HCS_PROTOCOL_UPDATE_CONTAINER:
    case HCS_PROTOCOL_SIGNAL_PROCESS:
    case HCS_PROTOCOL_RESIZE_CONSOLE:
    case HCS_PROTOCOL_SET_TERMINAL_MODES:
      if ((served = find_served (self, object, what, &error)) == NULL)
        respond (bridge, type, id, NULL, error);
      else
        start_job (connection, type, id, body, served, NULL);
      return;
    case HCS_PROTOCOL_WAIT_FOR_PROCESS:
    case HCS_PROTOCOL_WAIT_FOR_CONTAINER:
      if ((served = find_served (self, object, what, &error)) == NULL ||
          !handle_wait (connection, type, id, object, served, &error))
        respond (bridge, type, id, NULL, error);
      return;
    case HCS_PROTOCOL_OPEN_CONTAINER:
      if ((served = find_served (self, object, what, &error)) != NULL)
        {
          JsonArray *events = json_array_new ();

          for (guint i = 0; i < served->events->len; i++)
            json_array_add_element (events, json_node_copy (served->events->pdata[i]));
          reply = new_object_node ();
          json_object_set_array_member (json_node_get_object (reply), "Events", events);
          g_hash_table_add (connection->opened, g_strdup (served->id));
        }
      respond (bridge, type, id, reply, error);
      return;
    case HCS_PROTOCOL_MODIFY_SETTINGS:
      g_set_error (&error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "protocol: ModifySettings is not served yet (UpdateContainer changes "
                   "resources)");
      respond (bridge, type, id, NULL, error);
      return;
    default:
      g_set_error (&error, HCS_ERROR, HCS_ERROR_UNKNOWN_MESSAGE,
                   "protocol: unknown request type 0x%08x%s%s", type, what ? ": " : "",
                   what ? what : "");
      respond (bridge, type, id, NULL, error);
      return;
    }
}

/* --- connections ------------------------------------------------------------------- */

static void
connection_free (Connection *connection)
{
  /* Waits still running answer nobody; cancelling ends them. */
  for (guint i = 0; i < connection->waits->len; i++)
    {
      Wait *wait = connection->waits->pdata[i];
      wait->connection = NULL;
      g_cancellable_cancel (wait->cancellable);
    }
  g_ptr_array_unref (connection->waits);
  g_signal_handlers_disconnect_by_data (connection->bridge, connection);
  hcs_bridge_close (connection->bridge);
  g_object_unref (connection->bridge);
  g_hash_table_unref (connection->opened);
  g_free (connection);
}

typedef struct {
  HcsProtocolServer *server;
  Connection *connection;
} Removal;

static gboolean
remove_connection_cb (gpointer data)
{
  Removal *removal = data;

  if (g_ptr_array_remove (removal->server->connections, removal->connection))
    connection_free (removal->connection);
  g_object_unref (removal->server);
  g_free (removal);
  return G_SOURCE_REMOVE;
}

static void
closed_cb (HcsBridge *bridge, GError *error, gpointer data)
{
  Connection *connection = data;
  Removal *removal = g_new0 (Removal, 1);

  if (error != NULL)
    g_debug ("protocol: a connection closed: %s", error->message);
  /* Not under the bridge's feet: later, in the server's context. */
  removal->server = g_object_ref (connection->server);
  removal->connection = connection;
  g_main_context_invoke_full (connection->server->context, G_PRIORITY_DEFAULT,
                              remove_connection_cb, removal, NULL);
}

void
hcs_protocol_server_add_connection (HcsProtocolServer *self, GIOStream *stream)
{
  Connection *connection;

  g_return_if_fail (HCS_IS_PROTOCOL_SERVER (self));
  if (self->closed)
    {
      g_io_stream_close (stream, NULL, NULL);
      return;
    }
  connection = g_new0 (Connection, 1);
  connection->server = self;
  connection->bridge = hcs_bridge_new (stream, self->max_message_size);
  connection->opened = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  connection->waits = g_ptr_array_new ();
  if (!hcs_bridge_set_max_queued (connection->bridge, self->max_queued))
    g_debug ("protocol: a connection that cannot be polled: its writes may block");
  g_signal_connect (connection->bridge, "request", G_CALLBACK (request_cb), connection);
  g_signal_connect (connection->bridge, "closed", G_CALLBACK (closed_cb), connection);
  g_ptr_array_add (self->connections, connection);
  g_main_context_push_thread_default (self->context);
  hcs_bridge_start (connection->bridge);
  g_main_context_pop_thread_default (self->context);
}

static gboolean
incoming_cb (GSocketService *service, GSocketConnection *connection, GObject *source,
             gpointer data)
{
  hcs_protocol_server_add_connection (data, G_IO_STREAM (connection));
  return TRUE;
}

gboolean
hcs_protocol_server_listen (HcsProtocolServer *self, const char *socket_path, GError **error)
{
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (socket_path);
  g_autoptr (GSocketService) service = g_socket_service_new ();
  mode_t old_umask;
  gboolean bound;

  g_return_val_if_fail (HCS_IS_PROTOCOL_SERVER (self), FALSE);
  g_return_val_if_fail (self->service == NULL, FALSE);
  old_umask = umask (0177); /* the socket is born 0600 */
  bound = g_socket_listener_add_address (G_SOCKET_LISTENER (service), address,
                                         G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, NULL,
                                         NULL, error);
  umask (old_umask);
  if (!bound)
    return FALSE;
  g_signal_connect (service, "incoming", G_CALLBACK (incoming_cb), self);
  g_main_context_push_thread_default (self->context);
  g_socket_service_start (service);
  g_main_context_pop_thread_default (self->context);
  self->service = g_steal_pointer (&service);
  return TRUE;
}

void
hcs_protocol_server_close (HcsProtocolServer *self)
{
  g_return_if_fail (HCS_IS_PROTOCOL_SERVER (self));
  self->closed = TRUE;
  if (self->service != NULL)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      g_signal_handlers_disconnect_by_data (self->service, self);
      g_clear_object (&self->service);
    }
  while (self->connections->len > 0)
    connection_free (g_ptr_array_steal_index (self->connections, self->connections->len - 1));
  while (self->relays->len > 0)
    relay_free (g_ptr_array_steal_index (self->relays, self->relays->len - 1));
  g_hash_table_remove_all (self->waiting_relays);
  g_hash_table_remove_all (self->waiting_streams);
  g_mutex_lock (&self->lock);
  g_hash_table_remove_all (self->given);
  g_mutex_unlock (&self->lock);
}
