/* hcs-bridge.c: framing, correlation and notifications of the bridge
 * protocol over any GIOStream (a unix socket here, vsock later).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-bridge.h"

#include <string.h>

#include "hcs-error.h"

void
hcs_bridge_header_encode (guint8 out[HCS_BRIDGE_HEADER_SIZE], guint32 type, guint32 size,
                          guint64 id)
{
  guint32 type_le = GUINT32_TO_LE (type), size_le = GUINT32_TO_LE (size);
  guint64 id_le = GUINT64_TO_LE (id);

  memcpy (out, &type_le, 4);
  memcpy (out + 4, &size_le, 4);
  memcpy (out + 8, &id_le, 8);
}

gboolean
hcs_bridge_header_decode (const guint8 in[HCS_BRIDGE_HEADER_SIZE], gsize max_size,
                          guint32 *type, guint32 *size, guint64 *id, GError **error)
{
  guint32 type_le, size_le;
  guint64 id_le;
  guint kind;

  memcpy (&type_le, in, 4);
  memcpy (&size_le, in + 4, 4);
  memcpy (&id_le, in + 8, 8);
  *type = GUINT32_FROM_LE (type_le);
  *size = GUINT32_FROM_LE (size_le);
  *id = GUINT64_FROM_LE (id_le);

  kind = HCS_BRIDGE_KIND_OF (*type);
  if (kind < HCS_BRIDGE_KIND_REQUEST || kind > HCS_BRIDGE_KIND_NOTIFICATION)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "bridge: message type 0x%08x is neither a request, a response nor a "
                   "notification", *type);
      return FALSE;
    }
  if (*size < HCS_BRIDGE_HEADER_SIZE)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "bridge: message size %u is smaller than its %d-byte header", *size,
                   HCS_BRIDGE_HEADER_SIZE);
      return FALSE;
    }
  if (*size > max_size)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "bridge: message of %u bytes is over the limit of %" G_GSIZE_FORMAT, *size,
                   max_size);
      return FALSE;
    }
  return TRUE;
}

/* An empty object. (json_node_init_object() would take a reference of
 * its own on a json_object_new(), and the first would leak.) */
static JsonNode *
new_object_node (void)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  return node;
}

GBytes *
hcs_bridge_message_encode (guint32 type, guint64 id, JsonNode *body, gsize max_size,
                           GError **error)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) empty = NULL;
  g_autofree char *text = NULL;
  gsize length = 0, size;
  guint8 *message;

  if (body == NULL)
    body = empty = new_object_node ();
  json_generator_set_root (generator, body);
  text = json_generator_to_data (generator, &length);
  size = HCS_BRIDGE_HEADER_SIZE + length;
  if (size > max_size || size > G_MAXUINT32)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "bridge: message of %" G_GSIZE_FORMAT " bytes is over the limit of %"
                   G_GSIZE_FORMAT, size, max_size);
      return NULL;
    }
  message = g_malloc (size);
  hcs_bridge_header_encode (message, type, (guint32) size, id);
  memcpy (message + HCS_BRIDGE_HEADER_SIZE, text, length);
  return g_bytes_new_take (message, size);
}

/* --- the connection ---------------------------------------------------------------- */

/* Deeper bodies are refused before parsing: JsonParser recurses once per
 * level, and a few hundred kilobytes of '[' would overflow the stack. */
#define MAX_DEPTH 128

struct _HcsBridge
{
  GObject parent_instance;

  GIOStream *stream;
  gsize max_message_size;
  GMainContext *context;
  GCancellable *cancellable;  /* cancelled at close: the read loop and writes stop */

  GMutex lock;                /* guards the three below */
  guint64 next_id;
  GHashTable *pending;        /* &Call.id -> GTask (a reference) */
  gboolean closed;

  /* Whole messages, one at a time; apart from `lock` so that reading goes
   * on while another thread's write waits for the peer. */
  GMutex write_lock;
  /* With a queue limit (a server's connections): writes never wait for the
   * peer; what it has not taken yet waits here (under write_lock), and a
   * peer that lets more than `max_queued` bytes pile up is dropped. */
  gsize max_queued;
  GQueue out_queue;           /* GBytes, the head possibly partly written */
  gsize out_head_offset;
  gsize out_queued;
  GSource *out_source;
  /* Handed to a "request" handler's caller: reading stops, nothing is closed. */
  gboolean detached;

  /* The message being read: only the read loop, in `context`, uses these. */
  guint8 header[HCS_BRIDGE_HEADER_SIZE];
  guint32 type;
  guint64 id;
  guint8 *body;
  gsize body_length;
};

G_DEFINE_FINAL_TYPE (HcsBridge, hcs_bridge, G_TYPE_OBJECT)

enum { SIGNAL_REQUEST, SIGNAL_NOTIFICATION, SIGNAL_CLOSED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* A call's task data: its id (the key in `pending`) and the source that
 * notices its cancellable. */
typedef struct {
  guint64 id;
  GSource *cancelled_source;
} Call;

static void
call_free (Call *call)
{
  g_clear_pointer (&call->cancelled_source, g_source_unref);
  g_free (call);
}

static void
hcs_bridge_dispose (GObject *object)
{
  hcs_bridge_close (HCS_BRIDGE (object));
  G_OBJECT_CLASS (hcs_bridge_parent_class)->dispose (object);
}

static void
hcs_bridge_finalize (GObject *object)
{
  HcsBridge *self = HCS_BRIDGE (object);

  g_clear_object (&self->stream);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_hash_table_unref (self->pending);
  g_queue_clear_full (&self->out_queue, (GDestroyNotify) g_bytes_unref);
  g_free (self->body);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->write_lock);
  G_OBJECT_CLASS (hcs_bridge_parent_class)->finalize (object);
}

static void
hcs_bridge_class_init (HcsBridgeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hcs_bridge_dispose;
  object_class->finalize = hcs_bridge_finalize;
  signals[SIGNAL_REQUEST] =
      g_signal_new ("request", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                    G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT64, JSON_TYPE_NODE);
  signals[SIGNAL_NOTIFICATION] =
      g_signal_new ("notification", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 2, G_TYPE_UINT, JSON_TYPE_NODE);
  signals[SIGNAL_CLOSED] =
      g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                    G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
hcs_bridge_init (HcsBridge *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->write_lock);
  self->next_id = 1;
  self->pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_object_unref);
  self->cancellable = g_cancellable_new ();
}

HcsBridge *
hcs_bridge_new (GIOStream *stream, gsize max_message_size)
{
  HcsBridge *self;

  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);
  self = g_object_new (HCS_TYPE_BRIDGE, NULL);
  self->stream = g_object_ref (stream);
  self->max_message_size = max_message_size > HCS_BRIDGE_HEADER_SIZE
                               ? max_message_size
                               : HCS_BRIDGE_DEFAULT_MAX_MESSAGE;
  return self;
}

GIOStream *
hcs_bridge_get_stream (HcsBridge *self)
{
  g_return_val_if_fail (HCS_IS_BRIDGE (self), NULL);
  return self->stream;
}

gboolean
hcs_bridge_is_closed (HcsBridge *self)
{
  g_autoptr (GMutexLocker) locker = NULL;

  g_return_val_if_fail (HCS_IS_BRIDGE (self), TRUE);
  locker = g_mutex_locker_new (&self->lock);
  return self->closed;
}

/* Takes call @id out of `pending` if it is still there: whoever takes a
 * call completes it, so each completes once. */
static GTask *
take_call (HcsBridge *self, guint64 id)
{
  GTask *task = NULL;
  Call *call;

  g_mutex_lock (&self->lock);
  g_hash_table_steal_extended (self->pending, &id, NULL, (gpointer *) &task);
  g_mutex_unlock (&self->lock);
  if (task == NULL)
    return NULL;
  call = g_task_get_task_data (task);
  if (call->cancelled_source != NULL)
    g_source_destroy (call->cancelled_source);
  return task;
}

/* Ends the connection once: stops reading and writing, fails what is
 * pending and says why. */
static void
close_with_error (HcsBridge *self, const GError *why)
{
  g_autoptr (GHashTable) pending = NULL;
  GHashTableIter iter;
  gpointer task;

  g_mutex_lock (&self->lock);
  if (self->closed)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->closed = TRUE;
  pending = g_steal_pointer (&self->pending);
  self->pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_object_unref);
  g_mutex_unlock (&self->lock);

  /* Wakes a write blocked on the peer, so the stream is closed under no one. */
  g_cancellable_cancel (self->cancellable);
  g_mutex_lock (&self->write_lock);
  if (self->out_source != NULL)
    {
      g_source_destroy (self->out_source);
      g_clear_pointer (&self->out_source, g_source_unref);
    }
  g_queue_clear_full (&self->out_queue, (GDestroyNotify) g_bytes_unref);
  self->out_queued = self->out_head_offset = 0;
  if (!self->detached)
    g_io_stream_close (self->stream, NULL, NULL);
  g_mutex_unlock (&self->write_lock);

  g_hash_table_iter_init (&iter, pending);
  while (g_hash_table_iter_next (&iter, NULL, &task))
    {
      Call *call = g_task_get_task_data (task);
      if (call->cancelled_source != NULL)
        g_source_destroy (call->cancelled_source);
      g_task_return_new_error (task, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                               "bridge: the connection closed before the reply%s%s",
                               why ? ": " : "", why ? why->message : "");
    }
  if (why != NULL)
    g_debug ("bridge: closing: %s", why->message);
  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, why);
  g_object_unref (self);
}

void
hcs_bridge_close (HcsBridge *self)
{
  g_return_if_fail (HCS_IS_BRIDGE (self));
  close_with_error (self, NULL);
}

/* The read loop has stopped for good. The input stream is closed here
 * too: g_io_stream_close() could not while a read was pending on it. */
static void
read_loop_ended (HcsBridge *self)
{
  g_clear_pointer (&self->body, g_free);
  if (!self->detached)
    g_input_stream_close (g_io_stream_get_input_stream (self->stream), NULL, NULL);
}

static void read_header (HcsBridge *self);

static void
dispatch (HcsBridge *self, JsonNode *body)
{
  guint kind = HCS_BRIDGE_KIND_OF (self->type);

  if (kind == HCS_BRIDGE_KIND_RESPONSE)
    {
      g_autoptr (GTask) task = take_call (self, self->id);

      /* Its caller may have given up (cancelled) already. */
      if (task == NULL)
        g_debug ("bridge: a response to no pending request (id %" G_GUINT64_FORMAT ")", self->id);
      else
        g_task_return_pointer (task, json_node_ref (body), (GDestroyNotify) json_node_unref);
    }
  else if (kind == HCS_BRIDGE_KIND_REQUEST)
    g_signal_emit (self, signals[SIGNAL_REQUEST], 0, self->type, self->id, body);
  else
    g_signal_emit (self, signals[SIGNAL_NOTIFICATION], 0, self->type, body);
}

/* Whether @text nests arrays and objects no deeper than MAX_DEPTH. */
static gboolean
depth_ok (const char *text, gsize length)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > MAX_DEPTH)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

static void
body_read_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (HcsBridge) self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize read_bytes = 0;
  JsonNode *root;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &read_bytes, &error) ||
      read_bytes < self->body_length)
    {
      g_autoptr (GError) why = NULL;

      if (error == NULL || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          why = g_error_new (HCS_ERROR, HCS_ERROR_INVALID_DATA,
                             "bridge: the stream ended inside a message body (%" G_GSIZE_FORMAT
                             " of %" G_GSIZE_FORMAT " bytes)%s%s",
                             read_bytes, self->body_length, error ? ": " : "",
                             error ? error->message : "");
          close_with_error (self, why);
        }
      read_loop_ended (self);
      return;
    }
  if (!depth_ok ((const char *) self->body, self->body_length))
    g_set_error (&error, HCS_ERROR, HCS_ERROR_INVALID_JSON, "nested deeper than %d levels",
                 MAX_DEPTH);
  else
    json_parser_load_from_data (parser, (const char *) self->body, self->body_length, &error);
  root = error == NULL ? json_parser_get_root (parser) : NULL;
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_autoptr (GError) why =
          g_error_new (HCS_ERROR, HCS_ERROR_INVALID_JSON,
                       "bridge: message %" G_GUINT64_FORMAT " (type 0x%08x): the body is not a "
                       "JSON object%s%s", self->id, self->type, error ? ": " : "",
                       error ? error->message : "");
      close_with_error (self, why);
      read_loop_ended (self);
      return;
    }
  g_clear_pointer (&self->body, g_free);
  /* The next read starts only after the handlers return, so a handler may
   * read what follows the message itself (fds beside it, for one). */
  dispatch (self, root);
  if (self->detached)
    {
      /* The stream is its new owner's, from the byte after this message. */
      close_with_error (self, NULL);
      read_loop_ended (self);
      return;
    }
  if (!hcs_bridge_is_closed (self))
    read_header (self);
  else
    read_loop_ended (self);
}

static void
header_read_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (HcsBridge) self = data;
  g_autoptr (GError) error = NULL;
  gsize read_bytes = 0;
  guint32 size;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &read_bytes, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        close_with_error (self, error);
      read_loop_ended (self);
      return;
    }
  if (read_bytes == 0)
    {
      close_with_error (self, NULL); /* a clean end, between messages */
      read_loop_ended (self);
      return;
    }
  if (read_bytes < HCS_BRIDGE_HEADER_SIZE)
    {
      g_autoptr (GError) why = g_error_new (HCS_ERROR, HCS_ERROR_INVALID_DATA,
                                            "bridge: the stream ended inside a header (%"
                                            G_GSIZE_FORMAT " of %d bytes)",
                                            read_bytes, HCS_BRIDGE_HEADER_SIZE);
      close_with_error (self, why);
      read_loop_ended (self);
      return;
    }
  /* Checked before anything is allocated: an oversized body is never read. */
  if (!hcs_bridge_header_decode (self->header, self->max_message_size, &self->type, &size,
                                 &self->id, &error))
    {
      close_with_error (self, error);
      read_loop_ended (self);
      return;
    }
  self->body_length = size - HCS_BRIDGE_HEADER_SIZE;
  self->body = g_malloc (self->body_length + 1);
  self->body[self->body_length] = '\0';
  g_input_stream_read_all_async (g_io_stream_get_input_stream (self->stream), self->body,
                                 self->body_length, G_PRIORITY_DEFAULT, self->cancellable,
                                 body_read_cb, g_object_ref (self));
}

static void
read_header (HcsBridge *self)
{
  g_input_stream_read_all_async (g_io_stream_get_input_stream (self->stream), self->header,
                                 HCS_BRIDGE_HEADER_SIZE, G_PRIORITY_DEFAULT, self->cancellable,
                                 header_read_cb, g_object_ref (self));
}

void
hcs_bridge_start (HcsBridge *self)
{
  g_return_if_fail (HCS_IS_BRIDGE (self));
  g_return_if_fail (self->context == NULL);

  self->context = g_main_context_ref_thread_default ();
  if (!hcs_bridge_is_closed (self))
    read_header (self);
}

static gboolean out_ready_cb (GObject *stream, gpointer data);

/* Writes what the peer takes now from the queue; FALSE (with @error) when
 * the stream failed. Called under write_lock. */
static gboolean
flush_queue_locked (HcsBridge *self, GError **error)
{
  GPollableOutputStream *output =
      G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (self->stream));

  while (!g_queue_is_empty (&self->out_queue))
    {
      GBytes *head = g_queue_peek_head (&self->out_queue);
      gsize size;
      const guint8 *data = g_bytes_get_data (head, &size);
      g_autoptr (GError) local_error = NULL;
      gssize written = g_pollable_output_stream_write_nonblocking (
          output, data + self->out_head_offset, size - self->out_head_offset, NULL, &local_error);

      if (written < 0)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            return TRUE;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      self->out_head_offset += written;
      self->out_queued -= written;
      if (self->out_head_offset == size)
        {
          g_bytes_unref (g_queue_pop_head (&self->out_queue));
          self->out_head_offset = 0;
        }
    }
  return TRUE;
}

/* Called under write_lock: waits (in the bridge's context) until the peer
 * takes more, if anything is left. */
static void
watch_queue_locked (HcsBridge *self)
{
  GPollableOutputStream *output =
      G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (self->stream));

  if (g_queue_is_empty (&self->out_queue) || self->out_source != NULL)
    return;
  self->out_source = g_pollable_output_stream_create_source (output, NULL);
  g_source_set_callback (self->out_source, G_SOURCE_FUNC (out_ready_cb), self, NULL);
  g_source_attach (self->out_source, self->context);
}

static gboolean
out_ready_cb (GObject *stream, gpointer data)
{
  HcsBridge *self = data;
  g_autoptr (GError) error = NULL;
  gboolean flushed;

  g_mutex_lock (&self->write_lock);
  flushed = flush_queue_locked (self, &error);
  if (flushed && !g_queue_is_empty (&self->out_queue))
    {
      g_mutex_unlock (&self->write_lock);
      return G_SOURCE_CONTINUE;
    }
  g_clear_pointer (&self->out_source, g_source_unref);
  g_mutex_unlock (&self->write_lock);
  if (!flushed)
    {
      g_autoptr (GError) why = g_error_new (HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                                            "bridge: writing: %s", error->message);
      g_object_ref (self);
      close_with_error (self, why);
      g_object_unref (self);
    }
  return G_SOURCE_REMOVE;
}

/* Queues @message behind what the peer has not taken yet and writes what
 * it takes now; a peer that is more than max_queued bytes behind is
 * dropped: one connection that stops reading never stalls the others. */
static gboolean
send_queued (HcsBridge *self, GBytes *message, guint32 type, GError **error)
{
  g_autoptr (GError) write_error = NULL;
  gboolean flushed;
  gsize backlog;

  g_mutex_lock (&self->write_lock);
  g_queue_push_tail (&self->out_queue, g_bytes_ref (message));
  self->out_queued += g_bytes_get_size (message);
  flushed = flush_queue_locked (self, &write_error);
  backlog = self->out_queued;
  if (flushed && backlog <= self->max_queued)
    watch_queue_locked (self);
  g_mutex_unlock (&self->write_lock);
  if (flushed && backlog <= self->max_queued)
    return TRUE;
  {
    g_autoptr (GError) why = NULL;

    if (!flushed)
      why = g_error_new (HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                         "bridge: writing message type 0x%08x: %s", type, write_error->message);
    else
      why = g_error_new (HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                         "bridge: the peer is not reading: %" G_GSIZE_FORMAT " bytes are "
                         "waiting for it (the limit is %" G_GSIZE_FORMAT ")",
                         backlog, self->max_queued);
    close_with_error (self, why);
    g_propagate_error (error, g_steal_pointer (&why));
  }
  return FALSE;
}

/* Writes one whole message. A write that fails part way leaves the peer
 * mid-frame, so it closes the connection. */
static gboolean
send_message (HcsBridge *self, guint32 type, guint64 id, JsonNode *body, GError **error)
{
  g_autoptr (GBytes) message = hcs_bridge_message_encode (type, id, body, self->max_message_size,
                                                          error);
  g_autoptr (GError) write_error = NULL;
  gboolean written;
  gsize size;
  const void *data;

  if (message == NULL)
    return FALSE;
  if (hcs_bridge_is_closed (self))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                   "bridge: the connection is closed");
      return FALSE;
    }
  if (self->max_queued > 0 && self->context != NULL)
    return send_queued (self, message, type, error);
  data = g_bytes_get_data (message, &size);
  g_mutex_lock (&self->write_lock);
  written = g_output_stream_write_all (g_io_stream_get_output_stream (self->stream), data, size,
                                       NULL, self->cancellable, &write_error);
  g_mutex_unlock (&self->write_lock);
  if (written)
    return TRUE;
  /* Cancelled means closed under us; say so, not "cancelled". */
  if (g_error_matches (write_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT, "bridge: the connection is closed");
  else
    {
      g_autoptr (GError) why = g_error_new (HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                                            "bridge: writing message type 0x%08x: %s", type,
                                            write_error->message);
      close_with_error (self, why);
      g_propagate_error (error, g_steal_pointer (&why));
    }
  return FALSE;
}

gboolean
hcs_bridge_set_max_queued (HcsBridge *self, gsize max_queued)
{
  GOutputStream *output;

  g_return_val_if_fail (HCS_IS_BRIDGE (self), FALSE);
  output = g_io_stream_get_output_stream (self->stream);
  if (!G_IS_POLLABLE_OUTPUT_STREAM (output) ||
      !g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (output)))
    return FALSE;
  g_mutex_lock (&self->write_lock);
  self->max_queued = MAX (max_queued, self->max_message_size);
  g_mutex_unlock (&self->write_lock);
  return TRUE;
}

GIOStream *
hcs_bridge_detach (HcsBridge *self)
{
  g_return_val_if_fail (HCS_IS_BRIDGE (self), NULL);
  g_mutex_lock (&self->write_lock);
  self->detached = TRUE;
  g_mutex_unlock (&self->write_lock);
  return g_object_ref (self->stream);
}

gboolean
hcs_bridge_respond (HcsBridge *self, guint32 request_type, guint64 id, JsonNode *body,
                    GError **error)
{
  g_return_val_if_fail (HCS_IS_BRIDGE (self), FALSE);
  return send_message (self, HCS_BRIDGE_RESPONSE_TYPE (request_type), id, body, error);
}

gboolean
hcs_bridge_respond_error (HcsBridge *self, guint32 request_type, guint64 id,
                          const GError *failure, GError **error)
{
  g_autoptr (JsonNode) body = new_object_node ();
  JsonObject *object = json_node_get_object (body);

  g_return_val_if_fail (failure != NULL, FALSE);
  HcsError code = failure->domain == HCS_ERROR ? (HcsError) failure->code : HCS_ERROR_FAILED;

  /* hcsshim's responseBase (Result, ErrorMessage), and the exact code. */
  json_object_set_int_member (object, "Result", (gint32) hcs_error_code_to_hresult (code));
  json_object_set_string_member (object, "ErrorMessage", failure->message);
  json_object_set_string_member (object, "Error", failure->message);
  json_object_set_int_member (object, "ErrorCode", code);
  return hcs_bridge_respond (self, request_type, id, body, error);
}

gboolean
hcs_bridge_notify (HcsBridge *self, guint32 type, JsonNode *body, GError **error)
{
  g_return_val_if_fail (HCS_IS_BRIDGE (self), FALSE);
  g_return_val_if_fail (HCS_BRIDGE_KIND_OF (type) == HCS_BRIDGE_KIND_NOTIFICATION, FALSE);
  return send_message (self, type, 0, body, error);
}

/* In the task's context, once its cancellable fires. */
static gboolean
call_cancelled_cb (GCancellable *cancellable, gpointer data)
{
  GTask *task = data;
  Call *call = g_task_get_task_data (task);
  g_autoptr (GTask) taken = take_call (g_task_get_source_object (task), call->id);

  /* Not taken: the reply or the close came first and completed it. */
  if (taken != NULL)
    g_task_return_error_if_cancelled (taken);
  return G_SOURCE_REMOVE;
}

void
hcs_bridge_call_async (HcsBridge *self, guint32 type, JsonNode *body, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  Call *call;
  gboolean closed;

  g_return_if_fail (HCS_IS_BRIDGE (self));
  g_return_if_fail (HCS_BRIDGE_KIND_OF (type) == HCS_BRIDGE_KIND_REQUEST);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hcs_bridge_call_async);
  if (g_task_return_error_if_cancelled (task))
    return;
  call = g_new0 (Call, 1);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);

  /* Pending before it is sent: the reply may come before send returns. */
  g_mutex_lock (&self->lock);
  call->id = self->next_id++;
  closed = self->closed;
  if (!closed)
    g_hash_table_insert (self->pending, &call->id, g_object_ref (task));
  g_mutex_unlock (&self->lock);
  if (closed)
    {
      g_task_return_new_error (task, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                               "bridge: the connection is closed");
      return;
    }
  if (cancellable != NULL)
    {
      call->cancelled_source = g_cancellable_source_new (cancellable);
      g_task_attach_source (task, call->cancelled_source, G_SOURCE_FUNC (call_cancelled_cb));
    }

  if (!send_message (self, type, call->id, body, &error))
    {
      g_autoptr (GTask) taken = take_call (self, call->id);

      /* Not taken: closing failed it already, saying why. */
      if (taken != NULL)
        g_task_return_error (taken, g_steal_pointer (&error));
    }
}

/* A reply may carry the error of the other end. */
static JsonNode *
check_reply (JsonNode *reply, GError **error)
{
  JsonObject *object = json_node_get_object (reply);
  JsonNode *message;
  gint64 code;

  if (!json_object_has_member (object, "Error"))
    {
      /* A peer that speaks only hcsshim's responseBase. */
      gint64 result = json_object_get_int_member_with_default (object, "Result", 0);
      const char *text;

      if (result == 0)
        return reply;
      text = json_object_get_string_member_with_default (object, "ErrorMessage", NULL);
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "bridge: the peer failed the call: %s "
                   "(HRESULT 0x%08x)", text ? text : "no message", (guint32) result);
      json_node_unref (reply);
      return NULL;
    }
  /* From the peer: neither the message nor the code is trusted. */
  message = json_object_get_member (object, "Error");
  code = json_object_get_int_member_with_default (object, "ErrorCode", HCS_ERROR_FAILED);
  if (code < 0 || code > G_MAXINT)
    code = HCS_ERROR_FAILED;
  if (JSON_NODE_HOLDS_VALUE (message) && json_node_get_value_type (message) == G_TYPE_STRING)
    g_set_error_literal (error, HCS_ERROR, (int) code, json_node_get_string (message));
  else
    g_set_error_literal (error, HCS_ERROR, (int) code, "bridge: the peer failed the call");
  json_node_unref (reply);
  return NULL;
}

JsonNode *
hcs_bridge_call_finish (HcsBridge *self, GAsyncResult *result, GError **error)
{
  JsonNode *reply;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  reply = g_task_propagate_pointer (G_TASK (result), error);
  return reply ? check_reply (reply, error) : NULL;
}

static void
sync_call_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  GAsyncResult **out = data;

  *out = g_object_ref (result);
}

JsonNode *
hcs_bridge_call_sync (HcsBridge *self, guint32 type, JsonNode *body, GCancellable *cancellable,
                      GError **error)
{
  GAsyncResult *result = NULL;
  JsonNode *reply;

  g_return_val_if_fail (HCS_IS_BRIDGE (self), NULL);
  g_return_val_if_fail (self->context != NULL, NULL);

  /* The reply is read, and the task returned, in the bridge's context. */
  g_main_context_push_thread_default (self->context);
  hcs_bridge_call_async (self, type, body, cancellable, sync_call_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (self->context, TRUE);
  g_main_context_pop_thread_default (self->context);
  reply = hcs_bridge_call_finish (self, result, error);
  g_object_unref (result);
  return reply;
}
