/* hcs-remote.c: the client side of a per-system monitor: HcsContainer and
 * HcsProcess objects whose calls go over the bridge protocol.
 *
 * Each call is a request on the object's connection, made synchronously
 * under a lock on a main context of the object's own (so it works with or
 * without a main loop in the caller). Waits take a connection of their
 * own, as does the watcher thread that subscribes to the monitor's events
 * and turns "exit" into the "exited" signal, emitted in the thread-default
 * main context of whoever opened the system.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixconnection.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <gio/gunixsocketaddress.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hcs-monitor-private.h"

char *
hcs_monitor_folder (GKeyFile *options, const char *id)
{
  g_autoptr (HcsState) state = hcs_state_new_from_options (options, NULL);

  return state ? hcs_state_get_system_path (state, id) : NULL;
}

/* --- one connection ------------------------------------------------------------------- */

typedef struct {
  GMainContext *context;
  HcsBridge *bridge;
} Connection;

static void
connection_free (Connection *connection)
{
  if (connection == NULL)
    return;
  if (connection->bridge != NULL)
    {
      g_main_context_push_thread_default (connection->context);
      hcs_bridge_close (connection->bridge);
      g_clear_object (&connection->bridge);
      /* Let the cancelled reads finish in their own context. */
      while (g_main_context_iteration (connection->context, FALSE))
        ;
      g_main_context_pop_thread_default (connection->context);
    }
  g_main_context_unref (connection->context);
  g_free (connection);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Connection, connection_free)

static Connection *
connection_open (const char *socket_path, GError **error)
{
  g_autoptr (Connection) connection = g_new0 (Connection, 1);
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (socket_path);
  g_autoptr (GSocketConnection) stream = NULL;

  connection->context = g_main_context_new ();
  stream = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, error);
  if (stream == NULL)
    return NULL;
  connection->bridge = hcs_bridge_new (G_IO_STREAM (stream), HCS_BRIDGE_DEFAULT_MAX_MESSAGE);
  g_main_context_push_thread_default (connection->context);
  hcs_bridge_start (connection->bridge);
  g_main_context_pop_thread_default (connection->context);
  return g_steal_pointer (&connection);
}

static JsonNode *
new_object (void)
{
  /* json_node_init_object takes a reference of its own. */
  g_autoptr (JsonObject) object = json_object_new ();
  return json_node_init_object (json_node_alloc (), object);
}

/* --- HcsRemoteContainer ------------------------------------------------------------------ */

#define HCS_TYPE_REMOTE_CONTAINER (hcs_remote_container_get_type ())
G_DECLARE_FINAL_TYPE (HcsRemoteContainer, hcs_remote_container, HCS, REMOTE_CONTAINER, GObject)

#define HCS_TYPE_REMOTE_PROCESS (hcs_remote_process_get_type ())
G_DECLARE_FINAL_TYPE (HcsRemoteProcess, hcs_remote_process, HCS, REMOTE_PROCESS, GObject)

struct _HcsRemoteContainer
{
  GObject parent_instance;

  char *id;
  char *socket_path;
  GMutex lock;                 /* one call at a time on `calls` */
  Connection *calls;
  gboolean closed;

  /* The monitor is gone: everything goes to the driver's view of the
   * system, which reports it stopped; removal still works. */
  HcsContainer *lost;

  GThread *watcher;
  GWeakRef weak_self;          /* how the watcher refers to us: never a ref of one going */
  Connection *events;
  gboolean stopping;
  GMainContext *creator_context;
};

static void hcs_remote_container_iface_init (HcsContainerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HcsRemoteContainer, hcs_remote_container, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HCS_TYPE_CONTAINER,
                                                      hcs_remote_container_iface_init))

static void
stop_watcher (HcsRemoteContainer *self)
{
  if (self->watcher == NULL)
    return;
  g_atomic_int_set (&self->stopping, TRUE);
  g_main_context_wakeup (self->events->context);
  g_thread_join (self->watcher);
  self->watcher = NULL;
  g_clear_pointer (&self->events, connection_free);
}

static void
hcs_remote_container_finalize (GObject *object)
{
  HcsRemoteContainer *self = HCS_REMOTE_CONTAINER (object);

  stop_watcher (self);
  g_clear_pointer (&self->calls, connection_free);
  g_clear_object (&self->lost);
  g_weak_ref_clear (&self->weak_self);
  g_clear_pointer (&self->creator_context, g_main_context_unref);
  g_free (self->id);
  g_free (self->socket_path);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (hcs_remote_container_parent_class)->finalize (object);
}

static void
hcs_remote_container_class_init (HcsRemoteContainerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hcs_remote_container_finalize;
}

static void
hcs_remote_container_init (HcsRemoteContainer *self)
{
  g_mutex_init (&self->lock);
  self->creator_context = g_main_context_ref_thread_default ();
}

static JsonNode *
call_on (Connection *connection, guint32 type, JsonNode *body, GError **error)
{
  return hcs_bridge_call_sync (connection->bridge, type, body, NULL, error);
}

static JsonNode *
call (HcsRemoteContainer *self, guint32 type, JsonNode *body, GError **error)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr (JsonNode) empty = NULL;

  if (self->closed)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_CLOSED,
                   "the handle of compute system '%s' is already closed", self->id);
      return NULL;
    }
  if (body == NULL)
    body = empty = new_object ();
  return call_on (self->calls, type, body, error);
}

static gboolean
call_simple (HcsRemoteContainer *self, guint32 type, GError **error)
{
  g_autoptr (JsonNode) reply = call (self, type, NULL, error);
  return reply != NULL;
}

typedef struct {
  HcsRemoteContainer *self;
  JsonNode *event;
} EventEmission;

/* In the opener's context: "event" for each one, "exited" for the exit.
 * g_main_context_invoke keeps their order. */
static gboolean
emit_event_cb (gpointer data)
{
  EventEmission *emission = data;
  JsonObject *event = json_node_get_object (emission->event);
  const char *name = json_object_get_string_member_with_default (event, "Event", "");

  g_signal_emit_by_name (emission->self, "event", name,
                         (guint64) json_object_get_int_member_with_default (event, "Sequence", 0),
                         emission->event);
  if (g_str_equal (name, "exit"))
    g_signal_emit_by_name (emission->self, "exited",
                           (int) json_object_get_int_member_with_default (event, "ExitCode", -1));
  g_object_unref (emission->self);
  json_node_unref (emission->event);
  g_free (emission);
  return G_SOURCE_REMOVE;
}

static void
event_cb (HcsBridge *bridge, guint type, JsonNode *body, gpointer data)
{
  HcsRemoteContainer *self = data;
  EventEmission *emission;

  if (type != HCS_MONITOR_EVENT)
    return;
  /* Its last reference may be going on another thread right now (its
   * finalize waits for this one): no event for it then. */
  emission = g_new0 (EventEmission, 1);
  emission->self = g_weak_ref_get (&self->weak_self);
  if (emission->self == NULL)
    {
      g_free (emission);
      return;
    }
  emission->event = json_node_copy (body);
  g_main_context_invoke (self->creator_context, emit_event_cb, emission);
}

/* Subscribes on a connection of its own and dispatches its events until
 * the object goes. */
static gpointer
watcher_main (gpointer data)
{
  HcsRemoteContainer *self = data;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (JsonNode) body = new_object ();

  g_main_context_push_thread_default (self->events->context);
  reply = call_on (self->events, HCS_MONITOR_SUBSCRIBE, body, NULL);
  if (reply != NULL)
    {
      /* An exit that happened before we subscribed is in the history. */
      JsonArray *past = json_object_get_array_member (json_node_get_object (reply), "Events");
      for (guint i = 0; past && i < json_array_get_length (past); i++)
        event_cb (self->events->bridge, HCS_MONITOR_EVENT, json_array_get_element (past, i),
                  self);
      while (!g_atomic_int_get (&self->stopping) && !hcs_bridge_is_closed (self->events->bridge))
        g_main_context_iteration (self->events->context, TRUE);
    }
  g_main_context_pop_thread_default (self->events->context);
  return NULL;
}

static HcsRemoteContainer *
remote_new (const char *id, const char *socket_path, GError **error)
{
  g_autoptr (HcsRemoteContainer) self = g_object_new (HCS_TYPE_REMOTE_CONTAINER, NULL);

  self->id = g_strdup (id);
  self->socket_path = g_strdup (socket_path);
  self->calls = connection_open (socket_path, error);
  if (self->calls == NULL)
    return NULL;
  self->events = connection_open (socket_path, error);
  if (self->events == NULL)
    return NULL;
  g_weak_ref_init (&self->weak_self, self);
  g_signal_connect (self->events->bridge, "notification", G_CALLBACK (event_cb), self);
  self->watcher = g_thread_new ("hcs-remote-events", watcher_main, self);
  return g_steal_pointer (&self);
}

HcsContainer *
hcs_remote_container_new_lost (const char *id, HcsContainer *lost)
{
  HcsRemoteContainer *self = g_object_new (HCS_TYPE_REMOTE_CONTAINER, NULL);

  self->id = g_strdup (id);
  self->lost = g_object_ref (lost);
  return HCS_CONTAINER (self);
}

HcsContainer *
hcs_remote_container_open (GKeyFile *options, const char *id, GError **error)
{
  g_autofree char *folder = hcs_monitor_folder (options, id);
  g_autofree char *socket_path = g_build_filename (folder, HCS_MONITOR_SOCKET_NAME, NULL);
  g_autoptr (GError) local_error = NULL;
  HcsRemoteContainer *self;

  if (!g_file_test (socket_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,
                   "compute system '%s' has no monitor", id);
      return NULL;
    }
  self = remote_new (id, socket_path, &local_error);
  if (self != NULL)
    return HCS_CONTAINER (self);
  /* A socket nobody answers: its monitor was killed. */
  g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
               "compute system '%s': its monitor is gone (%s)", id, local_error->message);
  return NULL;
}

/* A copy of the console (pty master) the monitor keeps for process @pid,
 * over a connection of its own: the fd comes first, then the reply. */
static int
attach_console (const char *socket_path, int pid, GError **error)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (socket_path);
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (JsonNode) body = new_object ();
  g_autoptr (GBytes) request = NULL;
  g_autoptr (GError) local_error = NULL;
  guint8 header[HCS_BRIDGE_HEADER_SIZE];
  guint32 type, size;
  guint64 id;
  gsize read_bytes;
  int master;

  json_object_set_int_member (json_node_get_object (body), "Pid", pid);
  request = hcs_bridge_message_encode (HCS_MONITOR_ATTACH_CONSOLE, 1, body,
                                       HCS_BRIDGE_DEFAULT_MAX_MESSAGE, error);
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, error);
  if (request == NULL || connection == NULL ||
      !g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                  g_bytes_get_data (request, NULL), g_bytes_get_size (request),
                                  NULL, NULL, error))
    return -1;
  master = g_unix_connection_receive_fd (G_UNIX_CONNECTION (connection), NULL, &local_error);
  if (master < 0)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "process %d: the monitor has no console for it", pid);
      return -1;
    }
  /* The reply: read and checked, so an error is never taken for success. */
  if (!g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (connection)), header,
                                sizeof header, &read_bytes, NULL, error) ||
      read_bytes != sizeof header ||
      !hcs_bridge_header_decode (header, HCS_BRIDGE_DEFAULT_MAX_MESSAGE, &type, &size, &id,
                                 error) ||
      HCS_BRIDGE_KIND_OF (type) != HCS_BRIDGE_KIND_RESPONSE)
    {
      close (master);
      if (error != NULL && *error == NULL)
        g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                     "process %d: a bad reply to the console request", pid);
      return -1;
    }
  return master;
}

/* --- spawning a monitor ---------------------------------------------------------------------- */

static char *
monitor_path (void)
{
  const char *path = g_getenv ("HCS_MONITOR");
  return path ? g_strdup (path) : g_build_filename (HCS_LIBEXECDIR, "hcs-monitor", NULL);
}

HcsContainer *
hcs_remote_container_create (GKeyFile *options, const char *id,
                             const HcsContainerConfig *config, GKeyFile *system_options,
                             GError **error)
{
  g_autofree char *path = monitor_path ();
  g_autofree char *request_text = NULL, *options_text = NULL, *system_text = NULL;
  g_autofree char *folder = hcs_monitor_folder (options, id);
  g_autofree char *socket_path = g_build_filename (folder, HCS_MONITOR_SOCKET_NAME, NULL);
  g_autoptr (JsonNode) request = new_object ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GInputStream) status_stream = NULL;
  g_autoptr (GDataInputStream) status_lines = NULL;
  g_autofree char *status_line = NULL;
  const char *argv[] = { path, NULL };
  int request_pipe[2], status_pipe[2], stdio_pipes[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } };
  int source_fds[5], target_fds[5] = { 3, 4, 5, 6, 7 };
  gboolean init_console = config->process != NULL && config->process->emulate_console;
  gboolean init_stdio = config->process != NULL && !init_console &&
                        (config->process->create_stdin_pipe || config->process->create_stdout_pipe ||
                         config->process->create_stderr_pipe);
  JsonObject *status;
  HcsContainer *remote;
  GPid pid;
  int wait_status;

  options_text = g_key_file_to_data (options, NULL, NULL);
  system_text = system_options ? g_key_file_to_data (system_options, NULL, NULL) : g_strdup ("");
  json_object_set_string_member (json_node_get_object (request), "Id", id);
  json_object_set_string_member (json_node_get_object (request), "Options", options_text);
  json_object_set_string_member (json_node_get_object (request), "SystemOptions", system_text);
  json_object_set_member (json_node_get_object (request), "Config",
                          hcs_container_config_to_node (config));
  json_object_set_boolean_member (json_node_get_object (request), "InitStdio", init_stdio);
  json_generator_set_root (generator, request);
  request_text = json_generator_to_data (generator, NULL);

  if (pipe2 (request_pipe, O_CLOEXEC) < 0 || pipe2 (status_pipe, O_CLOEXEC) < 0)
    return hcs_set_error_from_errno (error, errno, "creating the monitor's pipes"), NULL;
  if (init_stdio)
    for (int i = 0; i < 3; i++)
      if (pipe2 (stdio_pipes[i], O_CLOEXEC) < 0)
        return hcs_set_error_from_errno (error, errno, "creating the init's pipes"), NULL;
  source_fds[0] = request_pipe[0];
  source_fds[1] = status_pipe[1];
  for (int i = 0; i < 3; i++)
    source_fds[2 + i] = i == 0 ? stdio_pipes[i][0] : stdio_pipes[i][1];

  if (!g_spawn_async_with_pipes_and_fds (NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                         -1, -1, -1, source_fds, target_fds, init_stdio ? 5 : 2,
                                         &pid, NULL, NULL, NULL, &local_error))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "starting the monitor %s: %s", path,
                   local_error->message);
      remote = NULL;
      goto out;
    }
  close (request_pipe[0]);
  close (status_pipe[1]);
  request_pipe[0] = status_pipe[1] = -1;
  {
    /* A monitor that died before reading shows up as its status below. */
    g_autoptr (GOutputStream) request_stream = g_unix_output_stream_new (request_pipe[1], TRUE);
    request_pipe[1] = -1;
    g_output_stream_write_all (request_stream, request_text, strlen (request_text), NULL, NULL,
                               NULL);
  }
  /* It forks at once and leaves the system to the grandchild. */
  waitpid (pid, &wait_status, 0);
  g_spawn_close_pid (pid);

  status_stream = g_unix_input_stream_new (status_pipe[0], TRUE);
  status_pipe[0] = -1;
  status_lines = g_data_input_stream_new (status_stream);
  status_line = g_data_input_stream_read_line (status_lines, NULL, NULL, NULL);
  if (status_line == NULL || !json_parser_load_from_data (parser, status_line, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                   "compute system '%s': the monitor %s exited without reporting", id, path);
      remote = NULL;
      goto out;
    }
  status = json_node_get_object (json_parser_get_root (parser));
  if (json_object_has_member (status, "Error"))
    {
      g_set_error_literal (error, HCS_ERROR,
                           (int) json_object_get_int_member_with_default (status, "ErrorCode",
                                                                          HCS_ERROR_FAILED),
                           json_object_get_string_member (status, "Error"));
      remote = NULL;
      goto out;
    }
  remote = HCS_CONTAINER (remote_new (id, socket_path, error));
  if (remote != NULL && init_console)
    {
      /* The monitor keeps the console; we take a copy of it. */
      int master = attach_console (socket_path,
                                   (int) json_object_get_int_member_with_default (status, "Pid", 0),
                                   error);
      if (master < 0)
        {
          hcs_container_discard (remote, NULL);
          g_clear_object (&remote);
          goto out;
        }
      g_object_set_data_full (G_OBJECT (remote), "init-stdin",
                              g_unix_output_stream_new (dup (master), TRUE), g_object_unref);
      g_object_set_data_full (G_OBJECT (remote), "init-stdout",
                              g_unix_input_stream_new (master, TRUE), g_object_unref);
    }
  if (remote != NULL && init_stdio)
    {
      HcsRemoteContainer *self = HCS_REMOTE_CONTAINER (remote);
      g_object_set_data_full (G_OBJECT (self), "init-stdin",
                              config->process->create_stdin_pipe
                                  ? g_unix_output_stream_new (g_steal_fd (&stdio_pipes[0][1]), TRUE)
                                  : NULL,
                              g_object_unref);
      g_object_set_data_full (G_OBJECT (self), "init-stdout",
                              config->process->create_stdout_pipe
                                  ? g_unix_input_stream_new (g_steal_fd (&stdio_pipes[1][0]), TRUE)
                                  : NULL,
                              g_object_unref);
      g_object_set_data_full (G_OBJECT (self), "init-stderr",
                              config->process->create_stderr_pipe
                                  ? g_unix_input_stream_new (g_steal_fd (&stdio_pipes[2][0]), TRUE)
                                  : NULL,
                              g_object_unref);
    }

out:
  for (int i = 0; i < 2; i++)
    {
      if (request_pipe[i] >= 0)
        close (request_pipe[i]);
      if (status_pipe[i] >= 0)
        close (status_pipe[i]);
      for (int j = 0; j < 3; j++)
        if (stdio_pipes[j][i] >= 0)
          close (stdio_pipes[j][i]);
    }
  return remote;
}

/* --- HcsContainer over the bridge ----------------------------------------------------------------- */

static const char *
remote_get_id (HcsContainer *container)
{
  return HCS_REMOTE_CONTAINER (container)->id;
}

static gboolean
remote_start (HcsContainer *container, GError **error)
{
  HcsRemoteContainer *self = HCS_REMOTE_CONTAINER (container);

  if (self->lost)
    return hcs_container_start (self->lost, error);
  return call_simple (self, HCS_MONITOR_START, error);
}

static gboolean
remote_shutdown (HcsContainer *container, GError **error)
{
  HcsRemoteContainer *self = HCS_REMOTE_CONTAINER (container);

  if (self->lost)
    return hcs_container_shutdown (self->lost, error);
  return call_simple (self, HCS_MONITOR_SHUTDOWN, error);
}

static gboolean
remote_terminate (HcsContainer *container, GError **error)
{
  HcsRemoteContainer *self = HCS_REMOTE_CONTAINER (container);

  if (self->lost)
    return hcs_container_terminate (self->lost, error);
  return call_simple (self, HCS_MONITOR_TERMINATE, error);
}

/* Waits on a connection of its own, so other calls go on meanwhile. */
static gboolean
wait_on_new_connection (HcsRemoteContainer *self, guint32 type, JsonNode *body, const char *member,
                        JsonNode **reply_out, GError **error)
{
  g_autoptr (Connection) connection = connection_open (self->socket_path, error);
  g_autoptr (JsonNode) reply = NULL;

  if (connection == NULL)
    return FALSE;
  reply = call_on (connection, type, body, error);
  if (reply == NULL)
    return FALSE;
  if (!json_object_get_boolean_member_with_default (json_node_get_object (reply), member, FALSE))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_TIMEOUT, "compute system '%s': timed out waiting",
                   self->id);
      return FALSE;
    }
  if (reply_out != NULL)
    *reply_out = g_steal_pointer (&reply);
  return TRUE;
}

static gboolean
remote_wait_timeout (HcsContainer *container, gint64 timeout_ms, GCancellable *cancellable,
                     GError **error)
{
  HcsRemoteContainer *self = HCS_REMOTE_CONTAINER (container);
  g_autoptr (JsonNode) body = new_object ();

  if (self->lost)
    return hcs_container_wait_timeout (self->lost, timeout_ms, cancellable, error);
  json_object_set_int_member (json_node_get_object (body), "TimeoutMs", timeout_ms);
  return wait_on_new_connection (self, HCS_MONITOR_WAIT, body, "Stopped", NULL, error);
}

static void
wait_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (remote_wait_timeout (HCS_CONTAINER (source), -1, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
remote_wait_async (HcsContainer *container, GCancellable *cancellable,
                   GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (container, cancellable, callback, user_data);

  g_task_run_in_thread (task, wait_thread);
}

static gboolean
remote_wait_finish (HcsContainer *container, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
remote_pause (HcsContainer *container, GError **error)
{
  HcsRemoteContainer *self = HCS_REMOTE_CONTAINER (container);

  if (self->lost)
    return hcs_container_pause (self->lost, error);
  return call_simple (self, HCS_MONITOR_PAUSE, error);
}

static gboolean
remote_resume (HcsContainer *container, GError **error)
{
  HcsRemoteContainer *self = HCS_REMOTE_CONTAINER (container);

  if (self->lost)
    return hcs_container_resume (self->lost, error);
  return call_simple (self, HCS_MONITOR_RESUME, error);
}

static HcsStatistics *
remote_get_statistics (HcsContainer *container, GError **error)
{
  HcsRemoteContainer *self = HCS_REMOTE_CONTAINER (container);
  g_autoptr (JsonNode) reply = NULL;

  if (self->lost)
    return hcs_container_get_statistics (self->lost, error);
  reply = call (self, HCS_MONITOR_STATISTICS, NULL, error);
  return reply ? hcs_statistics_from_node (reply, error) : NULL;
}

static GPtrArray *
remote_get_process_list (HcsContainer *container, GError **error)
{
  HcsRemoteContainer *self = HCS_REMOTE_CONTAINER (container);
  g_autoptr (JsonNode) reply = NULL;
  GPtrArray *items;
  JsonArray *list;

  if (self->lost)
    return hcs_container_get_process_list (self->lost, error);
  reply = call (self, HCS_MONITOR_PROCESS_LIST, NULL, error);
  if (reply == NULL)
    return NULL;
  items = g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_process_list_item_free);
  list = json_object_get_array_member (json_node_get_object (reply), "ProcessList");
  for (guint i = 0; list && i < json_array_get_length (list); i++)
    {
      JsonObject *object = json_array_get_object_element (list, i);
      HcsProcessListItem *item = g_new0 (HcsProcessListItem, 1);

      item->process_id = (guint32) json_object_get_int_member_with_default (object, "ProcessId", 0);
      item->image_name = g_strdup (json_object_get_string_member_with_default (object, "ImageName",
                                                                              ""));
      item->user_time_100ns = json_object_get_int_member_with_default (object, "UserTime100ns", 0);
      item->kernel_time_100ns =
          json_object_get_int_member_with_default (object, "KernelTime100ns", 0);
      item->memory_commit_bytes =
          json_object_get_int_member_with_default (object, "MemoryCommitBytes", 0);
      g_ptr_array_add (items, item);
    }
  return items;
}

static HcsProcess *remote_process_new (HcsRemoteContainer *container, int pid);

typedef struct {
  GAsyncResult *result;
} CallDone;

static void
call_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  ((CallDone *) data)->result = g_object_ref (result);
}

static HcsProcess *
remote_create_process (HcsContainer *container, const HcsProcessConfig *config, GError **error)
{
  HcsRemoteContainer *self = HCS_REMOTE_CONTAINER (container);
  g_autoptr (JsonNode) body = new_object ();
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (GMutexLocker) locker = NULL;
  int pipes[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } };
  gboolean want[3] = { config->create_stdin_pipe, config->create_stdout_pipe,
                       config->create_stderr_pipe };
  gboolean any = want[0] || want[1] || want[2];
  HcsProcess *process = NULL;
  GIOStream *stream;

  if (self->lost)
    return hcs_container_create_process (self->lost, config, error);
  if (config->emulate_console)
    any = FALSE; /* the monitor keeps the console; we attach below */
  json_object_set_member (json_node_get_object (body), "Config",
                          hcs_process_config_to_node (config));
  json_object_set_int_member (json_node_get_object (body), "StdioFds", any ? 3 : 0);
  for (int i = 0; any && i < 3; i++)
    {
      if (want[i])
        {
          if (pipe2 (pipes[i], O_CLOEXEC) < 0)
            goto fail_errno;
        }
      else
        {
          int null_fd = open ("/dev/null", (i == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
          if (null_fd < 0)
            goto fail_errno;
          pipes[i][i == 0 ? 0 : 1] = null_fd;
        }
    }

  /* The request, then the fds right behind it: this thread holds the
   * object's lock, so no other message comes between. */
  locker = g_mutex_locker_new (&self->lock);
  stream = hcs_bridge_get_stream (self->calls->bridge);
  g_main_context_push_thread_default (self->calls->context);
  {
    CallDone done = { NULL };

    hcs_bridge_call_async (self->calls->bridge, HCS_MONITOR_CREATE_PROCESS, body, NULL,
                           call_done_cb, &done);
    for (int i = 0; any && i < 3; i++)
      {
        int child_end = pipes[i][i == 0 ? 0 : 1];
        if (!g_unix_connection_send_fd (G_UNIX_CONNECTION (stream), child_end, NULL, error))
          {
            g_main_context_pop_thread_default (self->calls->context);
            goto fail;
          }
      }
    while (done.result == NULL)
      g_main_context_iteration (self->calls->context, TRUE);
    reply = hcs_bridge_call_finish (self->calls->bridge, done.result, error);
    g_object_unref (done.result);
  }
  g_main_context_pop_thread_default (self->calls->context);
  if (reply == NULL)
    goto fail;

  process = remote_process_new (self, (int) json_object_get_int_member_with_default (
                                          json_node_get_object (reply), "Pid", 0));
  if (config->emulate_console)
    {
      int master = attach_console (self->socket_path, hcs_process_get_pid (process), error);
      if (master < 0)
        {
          g_clear_object (&process);
          goto out;
        }
      g_object_set_data_full (G_OBJECT (process), "stdin",
                              g_unix_output_stream_new (dup (master), TRUE), g_object_unref);
      g_object_set_data_full (G_OBJECT (process), "stdout",
                              g_unix_input_stream_new (master, TRUE), g_object_unref);
    }
  if (want[0])
    g_object_set_data_full (G_OBJECT (process), "stdin",
                            g_unix_output_stream_new (g_steal_fd (&pipes[0][1]), TRUE),
                            g_object_unref);
  if (want[1])
    g_object_set_data_full (G_OBJECT (process), "stdout",
                            g_unix_input_stream_new (g_steal_fd (&pipes[1][0]), TRUE),
                            g_object_unref);
  if (want[2])
    g_object_set_data_full (G_OBJECT (process), "stderr",
                            g_unix_input_stream_new (g_steal_fd (&pipes[2][0]), TRUE),
                            g_object_unref);
  goto out;

fail_errno:
  hcs_set_error_from_errno (error, errno, "creating a process's pipes");
fail:
out:
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 2; j++)
      if (pipes[i][j] >= 0)
        close (pipes[i][j]);
  return process;
}

static HcsProcess *
remote_open_process (HcsContainer *container, int pid, GError **error)
{
  HcsRemoteContainer *self = HCS_REMOTE_CONTAINER (container);
  g_autoptr (JsonNode) body = new_object ();
  g_autoptr (JsonNode) reply = NULL;

  if (self->lost)
    return hcs_container_open_process (self->lost, pid, error);
  /* A signal 0 proves it is there without touching it. */
  json_object_set_int_member (json_node_get_object (body), "Pid", pid);
  json_object_set_int_member (json_node_get_object (body), "Signal", 0);
  reply = call (self, HCS_MONITOR_PROCESS_SIGNAL, body, error);
  return reply ? remote_process_new (self, pid) : NULL;
}

static HcsProcess *
remote_get_init_process (HcsContainer *container, GError **error)
{
  HcsRemoteContainer *self = HCS_REMOTE_CONTAINER (container);
  g_autoptr (HcsContainerProperties) props = NULL;
  HcsProcess *init;

  if (self->lost)
    return hcs_container_get_init_process (self->lost, error);
  props = hcs_container_get_properties (container, error);
  if (props == NULL)
    return NULL;
  init = remote_process_new (self, (int) props->init_process_id);
  for (const char *const *name = (const char *const[]){ "stdin", "stdout", "stderr", NULL }; *name;
       name++)
    {
      g_autofree char *key = g_strconcat ("init-", *name, NULL);
      gpointer stream = g_object_get_data (G_OBJECT (self), key);
      if (stream != NULL)
        g_object_set_data_full (G_OBJECT (init), *name, g_object_ref (stream), g_object_unref);
    }
  return init;
}

static gboolean
remote_modify (HcsContainer *container, const HcsResourceUpdate *update, GError **error)
{
  HcsRemoteContainer *self = HCS_REMOTE_CONTAINER (container);
  g_autoptr (JsonNode) body = new_object ();
  g_autoptr (JsonNode) reply = NULL;
  JsonObject *object = json_node_get_object (body);

  if (self->lost)
    return hcs_container_modify (self->lost, update, error);
  if (update->memory_maximum_in_mb >= 0)
    json_object_set_int_member (object, "MemoryMaximumInMB", update->memory_maximum_in_mb);
  if (update->processor_count >= 0)
    json_object_set_int_member (object, "ProcessorCount", update->processor_count);
  if (update->processor_weight >= 0)
    json_object_set_int_member (object, "ProcessorWeight", update->processor_weight);
  if (update->processor_maximum >= 0)
    json_object_set_int_member (object, "ProcessorMaximum", update->processor_maximum);
  if (update->storage_iops_maximum >= 0)
    json_object_set_int_member (object, "StorageIOPSMaximum", update->storage_iops_maximum);
  if (update->storage_bandwidth_maximum >= 0)
    json_object_set_int_member (object, "StorageBandwidthMaximum",
                                update->storage_bandwidth_maximum);
  if (update->pids_maximum >= 0)
    json_object_set_int_member (object, "PidsMaximum", update->pids_maximum);
  reply = call (self, HCS_MONITOR_MODIFY, body, error);
  return reply != NULL;
}

static HcsContainerProperties *
remote_get_properties (HcsContainer *container, GError **error)
{
  HcsRemoteContainer *self = HCS_REMOTE_CONTAINER (container);
  g_autoptr (JsonNode) reply = NULL;

  if (self->lost)
    {
      HcsContainerProperties *props = hcs_container_get_properties (self->lost, error);
      if (props != NULL)
        {
          /* Whatever the driver sees, the system is no one's now. */
          g_free (props->state);
          props->state = g_strdup ("Stopped");
          props->stopped = TRUE;
          g_free (props->exit_type);
          props->exit_type = g_strdup ("MonitorLost");
        }
      return props;
    }
  reply = call (self, HCS_MONITOR_PROPERTIES, NULL, error);
  return reply ? hcs_container_properties_from_node (reply, error) : NULL;
}

static gboolean
remote_close (HcsContainer *container, GError **error)
{
  HcsRemoteContainer *self = HCS_REMOTE_CONTAINER (container);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (self->closed)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_CLOSED,
                   "the handle of compute system '%s' is already closed", self->id);
      return FALSE;
    }
  self->closed = TRUE;
  return TRUE;
}

static gboolean
remote_remove (HcsContainer *container, GError **error)
{
  HcsRemoteContainer *self = HCS_REMOTE_CONTAINER (container);

  if (self->lost)
    {
      /* Killed monitor: the driver removes what is left (cgroup, state
       * folder with the dead socket); a workload still running is killed. */
      return hcs_container_discard (self->lost, error);
    }
  return call_simple (self, HCS_MONITOR_REMOVE, error);
}

static void
hcs_remote_container_iface_init (HcsContainerInterface *iface)
{
  iface->get_id = remote_get_id;
  iface->start = remote_start;
  iface->shutdown = remote_shutdown;
  iface->terminate = remote_terminate;
  iface->wait_timeout = remote_wait_timeout;
  iface->wait_async = remote_wait_async;
  iface->wait_finish = remote_wait_finish;
  iface->pause = remote_pause;
  iface->resume = remote_resume;
  iface->get_statistics = remote_get_statistics;
  iface->get_process_list = remote_get_process_list;
  iface->create_process = remote_create_process;
  iface->open_process = remote_open_process;
  iface->get_init_process = remote_get_init_process;
  iface->modify = remote_modify;
  iface->get_properties = remote_get_properties;
  iface->close = remote_close;
  iface->remove = remote_remove;
}

/* --- HcsRemoteProcess --------------------------------------------------------------------- */

struct _HcsRemoteProcess
{
  GObject parent_instance;

  HcsRemoteContainer *container;
  int pid;
  gboolean exited;
  int exit_code;
};

static void hcs_remote_process_iface_init (HcsProcessInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HcsRemoteProcess, hcs_remote_process, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HCS_TYPE_PROCESS,
                                                      hcs_remote_process_iface_init))

static void
hcs_remote_process_finalize (GObject *object)
{
  g_clear_object (&HCS_REMOTE_PROCESS (object)->container);
  G_OBJECT_CLASS (hcs_remote_process_parent_class)->finalize (object);
}

static void
hcs_remote_process_class_init (HcsRemoteProcessClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hcs_remote_process_finalize;
}

static void
hcs_remote_process_init (HcsRemoteProcess *self)
{
}

static HcsProcess *
remote_process_new (HcsRemoteContainer *container, int pid)
{
  HcsRemoteProcess *self = g_object_new (HCS_TYPE_REMOTE_PROCESS, NULL);

  self->container = g_object_ref (container);
  self->pid = pid;
  return HCS_PROCESS (self);
}

static int
process_get_pid (HcsProcess *process)
{
  return HCS_REMOTE_PROCESS (process)->pid;
}

static gboolean
process_signal (HcsProcess *process, int signum, GError **error)
{
  HcsRemoteProcess *self = HCS_REMOTE_PROCESS (process);
  g_autoptr (JsonNode) body = new_object ();
  g_autoptr (JsonNode) reply = NULL;

  json_object_set_int_member (json_node_get_object (body), "Pid", self->pid);
  json_object_set_int_member (json_node_get_object (body), "Signal", signum);
  reply = call (self->container, HCS_MONITOR_PROCESS_SIGNAL, body, error);
  return reply != NULL;
}

static gboolean
process_kill (HcsProcess *process, GError **error)
{
  return process_signal (process, SIGKILL, error);
}

static gboolean
process_wait_timeout (HcsProcess *process, gint64 timeout_ms, GCancellable *cancellable,
                      GError **error)
{
  HcsRemoteProcess *self = HCS_REMOTE_PROCESS (process);
  g_autoptr (JsonNode) body = new_object ();
  g_autoptr (JsonNode) reply = NULL;

  if (self->exited)
    return TRUE;
  json_object_set_int_member (json_node_get_object (body), "Pid", self->pid);
  json_object_set_int_member (json_node_get_object (body), "TimeoutMs", timeout_ms);
  if (!wait_on_new_connection (self->container, HCS_MONITOR_PROCESS_WAIT, body, "Exited", &reply,
                               error))
    return FALSE;
  self->exit_code = (int) json_object_get_int_member_with_default (json_node_get_object (reply),
                                                                   "ExitCode", -1);
  self->exited = TRUE;
  return TRUE;
}

static void
process_wait_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (process_wait_timeout (HCS_PROCESS (source), -1, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
process_wait_async (HcsProcess *process, GCancellable *cancellable, GAsyncReadyCallback callback,
                    gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (process, cancellable, callback, user_data);

  g_task_run_in_thread (task, process_wait_thread);
}

static gboolean
process_wait_finish (HcsProcess *process, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
process_get_exit_code (HcsProcess *process, int *exit_code, GError **error)
{
  HcsRemoteProcess *self = HCS_REMOTE_PROCESS (process);
  g_autoptr (GError) local_error = NULL;

  if (!self->exited && !process_wait_timeout (process, 0, NULL, &local_error))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE, "process %d has not exited",
                   self->pid);
      return FALSE;
    }
  *exit_code = self->exit_code;
  return TRUE;
}

static gboolean
process_resize_console (HcsProcess *process, guint16 width, guint16 height, GError **error)
{
  HcsRemoteProcess *self = HCS_REMOTE_PROCESS (process);
  g_autoptr (JsonNode) body = new_object ();
  g_autoptr (JsonNode) reply = NULL;

  json_object_set_int_member (json_node_get_object (body), "Pid", self->pid);
  json_object_set_int_member (json_node_get_object (body), "Width", width);
  json_object_set_int_member (json_node_get_object (body), "Height", height);
  reply = call (self->container, HCS_MONITOR_PROCESS_RESIZE, body, error);
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

static gboolean
process_close_stdin (HcsProcess *process, GError **error)
{
  GOutputStream *stream = process_get_stdin (process);

  return stream == NULL || g_output_stream_close (stream, NULL, error);
}

static gboolean
process_close (HcsProcess *process, GError **error)
{
  return TRUE;
}

static void
hcs_remote_process_iface_init (HcsProcessInterface *iface)
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
