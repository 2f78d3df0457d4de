/* vm-qmp.c: QMP over a GIOStream: one JSON object a line each way,
 * commands matched to replies by id, events to signals and waiters.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vm-qmp.h"

#include "hcs-error.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
  char *name;
  char *key;
  char *value;
  GTask *task;
  GSource *timeout;
} EventWaiter;

struct _VmQmp
{
  GObject parent_instance;

  GIOStream *stream;
  GDataInputStream *input;
  GCancellable *read_cancellable;
  gboolean reading;
  GQueue write_queue; /* GBytes */
  GHashTable *write_fds; /* GBytes of write_queue -> the fd sent with it (SCM_RIGHTS) */
  gboolean writing;
  gboolean closed;
  guint64 next_id;
  GHashTable *pending; /* id -> GTask, its task data the command name */
  GList *waiters;      /* EventWaiter */
  GTask *ready_task;   /* vm_qmp_new_async until capabilities are negotiated */
};

G_DEFINE_FINAL_TYPE (VmQmp, vm_qmp, G_TYPE_OBJECT)

enum { SIGNAL_EVENT, SIGNAL_CLOSED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void read_next (VmQmp *qmp);

static void
event_waiter_free (EventWaiter *waiter)
{
  if (waiter->timeout != NULL)
    {
      g_source_destroy (waiter->timeout);
      g_source_unref (waiter->timeout);
    }
  g_free (waiter->name);
  g_free (waiter->key);
  g_free (waiter->value);
  g_clear_object (&waiter->task);
  g_free (waiter);
}

static void
vm_qmp_finalize (GObject *object)
{
  VmQmp *qmp = VM_QMP (object);

  g_queue_clear_full (&qmp->write_queue, (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&qmp->write_fds, g_hash_table_unref);
  g_clear_pointer (&qmp->pending, g_hash_table_unref);
  g_list_free_full (qmp->waiters, (GDestroyNotify) event_waiter_free);
  g_clear_object (&qmp->ready_task);
  g_clear_object (&qmp->read_cancellable);
  g_clear_object (&qmp->input);
  g_clear_object (&qmp->stream);
  G_OBJECT_CLASS (vm_qmp_parent_class)->finalize (object);
}

static void
vm_qmp_class_init (VmQmpClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vm_qmp_finalize;

  signals[SIGNAL_EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING,
                                        JSON_TYPE_OBJECT);
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
close_fd_value (gpointer value)
{
  close (GPOINTER_TO_INT (value));
}

static void
vm_qmp_init (VmQmp *qmp)
{
  qmp->read_cancellable = g_cancellable_new ();
  qmp->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_queue_init (&qmp->write_queue);
  qmp->write_fds = g_hash_table_new_full (NULL, NULL, NULL, close_fd_value);
}

/* The stream is closed once nothing reads or writes on it any more. */
static void
close_stream_when_idle (VmQmp *qmp)
{
  if (qmp->closed && !qmp->reading && !qmp->writing && !g_io_stream_is_closed (qmp->stream))
    g_io_stream_close (qmp->stream, NULL, NULL);
}

/* Ends the connection: everything waiting fails with @error. */
static void
qmp_fail (VmQmp *qmp, const GError *error)
{
  g_autoptr (GHashTable) pending = NULL;
  g_autoptr (GTask) ready_task = NULL;
  GList *waiters;
  GHashTableIter iter;
  gpointer task;

  if (qmp->closed)
    return;
  g_object_ref (qmp);
  qmp->closed = TRUE;
  g_cancellable_cancel (qmp->read_cancellable);
  g_queue_clear_full (&qmp->write_queue, (GDestroyNotify) g_bytes_unref);
  g_hash_table_remove_all (qmp->write_fds);

  pending = g_steal_pointer (&qmp->pending);
  qmp->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_hash_table_iter_init (&iter, pending);
  while (g_hash_table_iter_next (&iter, NULL, &task))
    g_task_return_new_error (task, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT, "QMP %s: %s",
                             (const char *) g_task_get_task_data (task), error->message);
  waiters = g_steal_pointer (&qmp->waiters);
  for (GList *l = waiters; l != NULL; l = l->next)
    {
      EventWaiter *waiter = l->data;

      g_task_return_new_error (waiter->task, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                               "QMP: waiting for %s: %s", waiter->name ? waiter->name : "an event",
                               error->message);
    }
  g_list_free_full (waiters, (GDestroyNotify) event_waiter_free);
  ready_task = g_steal_pointer (&qmp->ready_task);
  if (ready_task != NULL)
    g_task_return_new_error (ready_task, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                             "QMP: no greeting: %s", error->message);

  close_stream_when_idle (qmp);
  g_signal_emit (qmp, signals[SIGNAL_CLOSED], 0, error);
  g_object_unref (qmp);
}

static void write_next (VmQmp *qmp);

static void
write_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VmQmp) qmp = user_data;
  g_autoptr (GError) error = NULL;

  qmp->writing = FALSE;
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      g_prefix_error (&error, "writing to QEMU: ");
      qmp_fail (qmp, error);
    }
  else
    write_next (qmp);
  close_stream_when_idle (qmp);
}

/* A command with a descriptor (getfd): its bytes and the descriptor in
 * one sendmsg, so QEMU takes the descriptor with that command. Written
 * at once: a command is far smaller than the socket's buffer, and the
 * queue before it has been written. */
static gboolean
send_with_fd (VmQmp *qmp, GBytes *bytes, int fd, GError **error)
{
  GSocket *socket = G_IS_SOCKET_CONNECTION (qmp->stream)
                        ? g_socket_connection_get_socket (G_SOCKET_CONNECTION (qmp->stream))
                        : NULL;
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  char control[CMSG_SPACE (sizeof (int))] = { 0 };
  struct iovec vector = { (void *) data, size };
  struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1,
                            .msg_control = control, .msg_controllen = sizeof control };
  struct cmsghdr *header = CMSG_FIRSTHDR (&message);
  ssize_t sent;

  if (socket == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "passing a descriptor to QEMU: the monitor is not a socket");
      return FALSE;
    }
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (header), &fd, sizeof (int));
  do
    {
      sent = sendmsg (g_socket_get_fd (socket), &message, MSG_NOSIGNAL);
      if (sent < 0 && errno == EAGAIN)
        g_socket_condition_wait (socket, G_IO_OUT, NULL, NULL);
    }
  while (sent < 0 && (errno == EINTR || errno == EAGAIN));
  if (sent < 0 || (gsize) sent != size)
    {
      int saved_errno = sent < 0 ? errno : EIO;

      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "passing a descriptor to QEMU: %s",
                   g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static void
write_next (VmQmp *qmp)
{
  GBytes *bytes;
  gpointer fd;

  if (qmp->writing || qmp->closed || (bytes = g_queue_peek_head (&qmp->write_queue)) == NULL)
    return;
  if (g_hash_table_lookup_extended (qmp->write_fds, bytes, NULL, &fd))
    {
      g_autoptr (GError) error = NULL;

      g_queue_pop_head (&qmp->write_queue);
      if (!send_with_fd (qmp, bytes, GPOINTER_TO_INT (fd), &error))
        {
          g_hash_table_remove (qmp->write_fds, bytes);
          g_bytes_unref (bytes);
          qmp_fail (qmp, error);
          return;
        }
      g_hash_table_remove (qmp->write_fds, bytes);
      g_bytes_unref (bytes);
      write_next (qmp);
      return;
    }
  g_queue_pop_head (&qmp->write_queue);
  qmp->writing = TRUE;
  /* The bytes live as long as the write: they are the task's data. */
  g_object_set_data_full (G_OBJECT (qmp), "vm-qmp-writing", bytes, (GDestroyNotify) g_bytes_unref);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (qmp->stream),
                                   g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   G_PRIORITY_DEFAULT, NULL, write_cb, g_object_ref (qmp));
}

/* @fd: -1, or one to send with the command (taken). */
static void
send_command (VmQmp *qmp, const char *command, JsonObject *arguments, int fd, GTask *task)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *id = g_strdup_printf ("hcs-%" G_GUINT64_FORMAT, ++qmp->next_id);
  g_autofree char *text = NULL;
  GBytes *bytes;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "execute");
  json_builder_add_string_value (builder, command);
  if (arguments != NULL)
    {
      JsonNode *node = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (node, arguments);
      json_builder_set_member_name (builder, "arguments");
      json_builder_add_value (builder, node);
    }
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  g_task_set_task_data (task, g_strdup (command), g_free);
  g_hash_table_insert (qmp->pending, g_steal_pointer (&id), g_object_ref (task));
  bytes = g_bytes_new_take (g_strconcat (text, "\n", NULL), strlen (text) + 1);
  if (fd >= 0)
    g_hash_table_insert (qmp->write_fds, bytes, GINT_TO_POINTER (fd));
  g_queue_push_tail (&qmp->write_queue, bytes);
  write_next (qmp);
}

static HcsError
error_code_for_class (const char *class)
{
  if (g_strcmp0 (class, "CommandNotFound") == 0)
    return HCS_ERROR_NOT_SUPPORTED;
  if (g_strcmp0 (class, "DeviceNotFound") == 0)
    return HCS_ERROR_ELEMENT_NOT_FOUND;
  return HCS_ERROR_FAILED;
}

static void
handle_reply (VmQmp *qmp, JsonObject *message)
{
  const char *id = json_object_get_string_member_with_default (message, "id", NULL);
  g_autoptr (GTask) task = NULL;
  g_autofree char *pending_id = NULL;
  const char *command;

  if (id == NULL || !g_hash_table_steal_extended (qmp->pending, id, (gpointer *) &pending_id,
                                                  (gpointer *) &task))
    {
      g_debug ("QMP: a reply to no command in flight (id %s)", id ? id : "none");
      return;
    }
  command = g_task_get_task_data (task);
  if (json_object_has_member (message, "error"))
    {
      JsonObject *error = json_object_get_object_member (message, "error");
      const char *class = error ? json_object_get_string_member_with_default (error, "class", "")
                                : "";
      const char *desc = error ? json_object_get_string_member_with_default (error, "desc", "")
                               : "";

      g_task_return_new_error (task, HCS_ERROR, error_code_for_class (class), "QMP %s: %s (%s)",
                               command, desc, class);
      return;
    }
  {
    JsonNode *value = json_object_get_member (message, "return");
    JsonNode *copy = value ? json_node_copy (value) : json_node_init_object (json_node_alloc (),
                                                                            json_object_new ());

    g_task_return_pointer (task, copy, (GDestroyNotify) json_node_unref);
  }
}

static gboolean
waiter_matches (EventWaiter *waiter, const char *name, JsonObject *data)
{
  if (waiter->name != NULL && g_strcmp0 (waiter->name, name) != 0)
    return FALSE;
  if (waiter->key == NULL)
    return TRUE;
  return data != NULL && json_object_has_member (data, waiter->key) &&
         JSON_NODE_HOLDS_VALUE (json_object_get_member (data, waiter->key)) &&
         g_strcmp0 (json_object_get_string_member_with_default (data, waiter->key, NULL),
                    waiter->value) == 0;
}

static void
handle_event (VmQmp *qmp, JsonObject *message)
{
  const char *name = json_object_get_string_member_with_default (message, "event", NULL);
  JsonObject *data = NULL;
  GList *l = qmp->waiters;

  if (name == NULL)
    return;
  if (json_object_has_member (message, "data") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (message, "data")))
    data = json_object_get_object_member (message, "data");

  while (l != NULL)
    {
      GList *next = l->next;
      EventWaiter *waiter = l->data;

      if (waiter_matches (waiter, name, data))
        {
          qmp->waiters = g_list_delete_link (qmp->waiters, l);
          g_task_return_pointer (waiter->task,
                                 data ? json_object_ref (data) : json_object_new (),
                                 (GDestroyNotify) json_object_unref);
          event_waiter_free (waiter);
        }
      l = next;
    }
  g_signal_emit (qmp, signals[SIGNAL_EVENT], 0, name, data);
}

static void
capabilities_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VmQmp *qmp = VM_QMP (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = vm_qmp_execute_finish (qmp, result, &error);
  g_autoptr (GTask) ready_task = g_steal_pointer (&qmp->ready_task);

  if (ready_task == NULL)
    return;
  if (reply == NULL)
    g_task_return_error (ready_task, g_steal_pointer (&error));
  else
    g_task_return_pointer (ready_task, g_object_ref (qmp), g_object_unref);
}

static void
handle_line (VmQmp *qmp, char *line)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) error = NULL;
  JsonNode *root;
  JsonObject *message;

  g_strchomp (line);
  if (*line == '\0')
    return;
  if (!json_parser_load_from_data (parser, line, -1, &error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_autoptr (GError) bad = g_error_new (HCS_ERROR, HCS_ERROR_INVALID_JSON,
                                            "QEMU sent a line that is not a JSON object: %s",
                                            error ? error->message : line);
      qmp_fail (qmp, bad);
      return;
    }
  message = json_node_get_object (root);
  /* The greeting: qmp_capabilities went out with the connection. */
  if (json_object_has_member (message, "QMP"))
    ;
  else if (json_object_has_member (message, "event"))
    handle_event (qmp, message);
  else if (json_object_has_member (message, "return") || json_object_has_member (message, "error"))
    handle_reply (qmp, message);
  else
    g_debug ("QMP: a message of no known kind: %s", line);
}

static void
read_line_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VmQmp) qmp = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;

  qmp->reading = FALSE;
  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL,
                                                   &error);
  if (line == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                                     "QEMU closed the QMP connection");
      else
        g_prefix_error (&error, "reading from QEMU: ");
      qmp_fail (qmp, error);
      close_stream_when_idle (qmp);
      return;
    }
  handle_line (qmp, line);
  if (qmp->closed)
    close_stream_when_idle (qmp);
  else
    read_next (qmp);
}

static void
read_next (VmQmp *qmp)
{
  qmp->reading = TRUE;
  g_data_input_stream_read_line_async (qmp->input, G_PRIORITY_DEFAULT, qmp->read_cancellable,
                                       read_line_cb, g_object_ref (qmp));
}

VmQmp *
vm_qmp_new_early (GIOStream *stream, GCancellable *cancellable, GAsyncReadyCallback callback,
                  gpointer user_data)
{
  VmQmp *qmp = g_object_new (VM_TYPE_QMP, NULL);
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, vm_qmp_new_async);
  qmp->stream = g_object_ref (stream);
  qmp->input = g_data_input_stream_new (g_io_stream_get_input_stream (stream));
  /* QMP ends its lines with CRLF; the CR is taken off in handle_line. */
  g_data_input_stream_set_newline_type (qmp->input, G_DATA_STREAM_NEWLINE_TYPE_LF);
  qmp->ready_task = g_steal_pointer (&task);
  read_next (qmp);
  /* QEMU reads what waits in the socket once its greeting is out: the
   * greeting is not waited for, nor is this answer before the caller's
   * first commands are queued behind it. */
  vm_qmp_execute_async (qmp, "qmp_capabilities", NULL, NULL, capabilities_cb, NULL);
  return qmp;
}

void
vm_qmp_new_async (GIOStream *stream, GCancellable *cancellable, GAsyncReadyCallback callback,
                  gpointer user_data)
{
  g_autoptr (VmQmp) qmp = vm_qmp_new_early (stream, cancellable, callback, user_data);
}

VmQmp *
vm_qmp_new_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
vm_qmp_execute_async (VmQmp *qmp, const char *command, JsonObject *arguments,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (qmp, cancellable, callback, user_data);

  g_return_if_fail (VM_IS_QMP (qmp));
  g_return_if_fail (command != NULL);
  g_task_set_source_tag (task, vm_qmp_execute_async);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (qmp->closed)
    {
      g_task_return_new_error (task, HCS_ERROR, HCS_ERROR_ALREADY_CLOSED,
                               "QMP %s: the connection to QEMU is closed", command);
      return;
    }
  send_command (qmp, command, arguments, -1, task);
}

void
vm_qmp_execute_with_fd_async (VmQmp *qmp, const char *command, JsonObject *arguments, int fd,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (qmp, cancellable, callback, user_data);
  int copy;

  g_return_if_fail (VM_IS_QMP (qmp));
  g_return_if_fail (command != NULL);
  g_task_set_source_tag (task, vm_qmp_execute_async);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (qmp->closed)
    {
      g_task_return_new_error (task, HCS_ERROR, HCS_ERROR_ALREADY_CLOSED,
                               "QMP %s: the connection to QEMU is closed", command);
      return;
    }
  copy = fcntl (fd, F_DUPFD_CLOEXEC, 3);
  if (copy < 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, HCS_ERROR, HCS_ERROR_FAILED, "QMP %s: descriptor %d: %s",
                               command, fd, g_strerror (saved_errno));
      return;
    }
  send_command (qmp, command, arguments, copy, task);
}

JsonNode *
vm_qmp_execute_finish (VmQmp *qmp, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, qmp), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
waiter_timeout_cb (gpointer user_data)
{
  EventWaiter *waiter = user_data;
  VmQmp *qmp = g_task_get_source_object (waiter->task);

  qmp->waiters = g_list_remove (qmp->waiters, waiter);
  g_task_return_new_error (waiter->task, HCS_ERROR, HCS_ERROR_TIMEOUT,
                           "QMP: no %s event within %u ms", waiter->name ? waiter->name : "",
                           GPOINTER_TO_UINT (g_task_get_task_data (waiter->task)));
  g_clear_pointer (&waiter->timeout, g_source_unref);
  event_waiter_free (waiter);
  return G_SOURCE_REMOVE;
}

void
vm_qmp_wait_event_async (VmQmp *qmp, const char *name, const char *key, const char *value,
                         guint timeout_ms, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (qmp, NULL, callback, user_data);
  EventWaiter *waiter;

  g_return_if_fail (VM_IS_QMP (qmp));
  g_task_set_source_tag (task, vm_qmp_wait_event_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (timeout_ms), NULL);
  if (qmp->closed)
    {
      g_task_return_new_error (task, HCS_ERROR, HCS_ERROR_ALREADY_CLOSED,
                               "QMP: waiting for %s: the connection to QEMU is closed",
                               name ? name : "an event");
      return;
    }
  waiter = g_new0 (EventWaiter, 1);
  waiter->name = g_strdup (name);
  waiter->key = g_strdup (key);
  waiter->value = g_strdup (value);
  waiter->task = g_steal_pointer (&task);
  waiter->timeout = g_timeout_source_new (timeout_ms);
  g_source_set_callback (waiter->timeout, waiter_timeout_cb, waiter, NULL);
  g_source_attach (waiter->timeout, g_task_get_context (waiter->task));
  qmp->waiters = g_list_append (qmp->waiters, waiter);
}

JsonObject *
vm_qmp_wait_event_finish (VmQmp *qmp, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, qmp), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
vm_qmp_close (VmQmp *qmp)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (VM_IS_QMP (qmp));
  error = g_error_new_literal (HCS_ERROR, HCS_ERROR_ALREADY_CLOSED, "the QMP connection was closed");
  qmp_fail (qmp, error);
}

gboolean
vm_qmp_is_closed (VmQmp *qmp)
{
  return qmp->closed;
}
