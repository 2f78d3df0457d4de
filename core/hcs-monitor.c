/* hcs-monitor.c: hcs-monitor, the process that holds one compute system
 * after its creator is gone (HCS's service, one per system).
 *
 *   hcs-monitor        (spawned by hcs_remote_container_create)
 *
 * fd 3: the request, read to its end: {"Id", "Options": keyfile text,
 *       "SystemOptions": keyfile text, "Config": ContainerConfig,
 *       "InitStdio": true when fds 5, 6, 7 are the init's stdin, stdout, stderr}
 * fd 4: one status line, then closed: {"Pid": init pid, "MonitorPid": N} or
 *       {"Error": message, "ErrorCode": HcsError}
 *
 * It forks once so that the creator need not reap it, starts a session of
 * its own, creates the system through the host's plugins in this process
 * (so it is the parent of the system's helpers, which die with it), and
 * answers on STATE_DIR/systems/ID/monitor.sock with the bridge protocol
 * (hcs-monitor-private.h). Events (create, start, pause, resume, exit,
 * delete) are numbered, appended to events.json in the same folder, and
 * sent to subscribers in that order. After a remove it exits.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixconnection.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixsocketaddress.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hcs-monitor-private.h"

#define REQUEST_FD 3
#define STATUS_FD 4

typedef struct {
  GMainLoop *loop;
  HcsHost *host;
  HcsContainer *container;
  HcsStateFolder *folder;   /* the system's, claimed by its driver */
  guint64 next_sequence;
  GPtrArray *events;        /* JsonNode, in order */
  GPtrArray *subscribers;   /* HcsBridge */
  GPtrArray *connections;   /* HcsBridge */
  GHashTable *processes;    /* pid -> HcsProcess */
  gboolean removed;
} Monitor;

static Monitor monitor;

static JsonNode *
new_object (void)
{
  /* json_node_init_object takes a reference of its own. */
  g_autoptr (JsonObject) object = json_object_new ();
  return json_node_init_object (json_node_alloc (), object);
}

static void
record_event (const char *name, int exit_code)
{
  g_autoptr (JsonNode) event = new_object ();
  JsonObject *object = json_node_get_object (event);
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *line = NULL;

  json_object_set_int_member (object, "Sequence", (gint64) ++monitor.next_sequence);
  json_object_set_string_member (object, "Event", name);
  json_object_set_int_member (object, "Time", g_get_real_time ());
  if (g_str_equal (name, "exit"))
    json_object_set_int_member (object, "ExitCode", exit_code);
  g_ptr_array_add (monitor.events, json_node_ref (event));

  /* Whole lines, appended and flushed: a reader sees complete events. */
  json_generator_set_root (generator, event);
  line = json_generator_to_data (generator, NULL);
  if (!monitor.removed && monitor.folder != NULL)
    hcs_state_folder_append (monitor.folder, HCS_MONITOR_EVENTS_NAME, line, NULL);
  for (guint i = 0; i < monitor.subscribers->len; i++)
    hcs_bridge_notify (monitor.subscribers->pdata[i], HCS_MONITOR_EVENT, event, NULL);
}

static void
container_exited_cb (HcsContainer *container, int exit_code, gpointer data)
{
  record_event ("exit", exit_code);
}

/* --- requests ------------------------------------------------------------------------ */

typedef struct {
  HcsBridge *bridge;
  guint32 type;
  guint64 id;
  guint timeout_source;
  GCancellable *cancellable;
  int pid;
} PendingWait;

static void
pending_wait_free (PendingWait *wait)
{
  g_clear_object (&wait->bridge);
  g_clear_object (&wait->cancellable);
  g_free (wait);
}

static void
answer_wait (PendingWait *wait, gboolean done, int exit_code)
{
  g_autoptr (JsonNode) reply = new_object ();

  if (wait->pid > 0)
    {
      json_object_set_boolean_member (json_node_get_object (reply), "Exited", done);
      json_object_set_int_member (json_node_get_object (reply), "ExitCode", exit_code);
    }
  else
    json_object_set_boolean_member (json_node_get_object (reply), "Stopped", done);
  hcs_bridge_respond (wait->bridge, wait->type, wait->id, reply, NULL);
}

static gboolean
wait_timed_out_cb (gpointer data)
{
  PendingWait *wait = data;

  wait->timeout_source = 0;
  g_cancellable_cancel (wait->cancellable);
  return G_SOURCE_REMOVE;
}

static void
container_waited_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  PendingWait *wait = data;
  g_autoptr (GError) error = NULL;
  gboolean done = hcs_container_wait_finish (HCS_CONTAINER (source), result, &error);

  if (wait->timeout_source != 0)
    g_source_remove (wait->timeout_source);
  answer_wait (wait, done, 0);
  pending_wait_free (wait);
}

static void
process_waited_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  PendingWait *wait = data;
  g_autoptr (GError) error = NULL;
  gboolean done = hcs_process_wait_finish (HCS_PROCESS (source), result, &error);
  int exit_code = -1;

  if (wait->timeout_source != 0)
    g_source_remove (wait->timeout_source);
  if (done)
    hcs_process_get_exit_code (HCS_PROCESS (source), &exit_code, NULL);
  answer_wait (wait, done, exit_code);
  pending_wait_free (wait);
}

static void
start_wait (HcsBridge *bridge, guint32 type, guint64 id, JsonObject *body, HcsProcess *process)
{
  PendingWait *wait = g_new0 (PendingWait, 1);
  gint64 timeout_ms = json_object_get_int_member_with_default (body, "TimeoutMs", -1);

  wait->bridge = g_object_ref (bridge);
  wait->type = type;
  wait->id = id;
  wait->cancellable = g_cancellable_new ();
  wait->pid = process ? hcs_process_get_pid (process) : 0;
  if (timeout_ms >= 0)
    wait->timeout_source = g_timeout_add (timeout_ms, wait_timed_out_cb, wait);
  if (process != NULL)
    hcs_process_wait_async (process, wait->cancellable, process_waited_cb, wait);
  else
    hcs_container_wait_async (monitor.container, wait->cancellable, container_waited_cb, wait);
}

static HcsProcess *
find_process (JsonObject *body, GError **error)
{
  int pid = (int) json_object_get_int_member_with_default (body, "Pid", 0);
  HcsProcess *process = g_hash_table_lookup (monitor.processes, GINT_TO_POINTER (pid));

  if (process != NULL)
    return g_object_ref (process);
  process = hcs_container_open_process (monitor.container, pid, error);
  if (process != NULL)
    g_hash_table_insert (monitor.processes, GINT_TO_POINTER (pid), g_object_ref (process));
  return process;
}

/* The stdio a client sent beside a CreateProcess request. */
static gboolean
receive_stdio (HcsBridge *bridge, HcsProcessConfig *config, GError **error)
{
  GIOStream *stream = hcs_bridge_get_stream (bridge);

  if (!G_IS_UNIX_CONNECTION (stream))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "monitor: stdio can only be passed over a unix socket");
      return FALSE;
    }
  for (int i = 0; i < 3; i++)
    {
      config->stdio_fds[i] = g_unix_connection_receive_fd (G_UNIX_CONNECTION (stream), NULL,
                                                           error);
      if (config->stdio_fds[i] < 0)
        {
          for (int j = 0; j < i; j++)
            close (config->stdio_fds[j]);
          return FALSE;
        }
    }
  config->use_stdio_fds = TRUE;
  return TRUE;
}

static gboolean
handle_request (HcsBridge *bridge, guint32 type, guint64 id, JsonObject *body, JsonNode **reply,
                GError **error)
{
  HcsContainer *container = monitor.container;

  switch (type)
    {
    case HCS_MONITOR_START:
      if (!hcs_container_start (container, error))
        return FALSE;
      record_event ("start", 0);
      return TRUE;
    case HCS_MONITOR_SHUTDOWN:
      return hcs_container_shutdown (container, error);
    case HCS_MONITOR_TERMINATE:
      return hcs_container_terminate (container, error);
    case HCS_MONITOR_PAUSE:
      if (!hcs_container_pause (container, error))
        return FALSE;
      record_event ("pause", 0);
      return TRUE;
    case HCS_MONITOR_RESUME:
      if (!hcs_container_resume (container, error))
        return FALSE;
      record_event ("resume", 0);
      return TRUE;
    case HCS_MONITOR_PROPERTIES:
      {
        g_autoptr (HcsContainerProperties) props = hcs_container_get_properties (container, error);
        if (props == NULL)
          return FALSE;
        *reply = hcs_container_properties_to_node (props);
        return TRUE;
      }
    case HCS_MONITOR_STATISTICS:
      {
        g_autoptr (HcsStatistics) stats = hcs_container_get_statistics (container, error);
        if (stats == NULL)
          return FALSE;
        *reply = hcs_statistics_to_node (stats);
        return TRUE;
      }
    case HCS_MONITOR_PROCESS_LIST:
      {
        g_autoptr (GPtrArray) list = hcs_container_get_process_list (container, error);
        if (list == NULL)
          return FALSE;
        *reply = new_object ();
        json_object_set_member (json_node_get_object (*reply), "ProcessList",
                                hcs_process_list_to_node (list));
        return TRUE;
      }
    case HCS_MONITOR_MODIFY:
      {
        g_autoptr (JsonGenerator) generator = json_generator_new ();
        g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), body);
        g_autofree char *text = NULL;
        HcsResourceUpdate update = HCS_RESOURCE_UPDATE_INIT;

        json_generator_set_root (generator, node);
        text = json_generator_to_data (generator, NULL);
        return hcs_resource_update_from_json (text, &update, error) &&
               hcs_container_modify (container, &update, error);
      }
    case HCS_MONITOR_REMOVE:
      if (!hcs_container_remove (container, error))
        return FALSE;
      record_event ("delete", 0);
      monitor.removed = TRUE;
      return TRUE;
    case HCS_MONITOR_SUBSCRIBE:
      {
        JsonArray *events = json_array_new ();
        for (guint i = 0; i < monitor.events->len; i++)
          json_array_add_element (events, json_node_copy (monitor.events->pdata[i]));
        *reply = new_object ();
        json_object_set_array_member (json_node_get_object (*reply), "Events", events);
        g_ptr_array_add (monitor.subscribers, g_object_ref (bridge));
        return TRUE;
      }
    case HCS_MONITOR_CREATE_PROCESS:
      {
        g_autoptr (HcsProcessConfig) config = NULL;
        g_autoptr (HcsProcess) process = NULL;
        JsonNode *config_node = json_object_get_member (body, "Config");

        if (config_node == NULL)
          {
            g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                         "monitor: CreateProcess: Config is missing");
            return FALSE;
          }
        config = hcs_process_config_from_node (config_node, error);
        if (config == NULL)
          return FALSE;
        if (json_object_get_int_member_with_default (body, "StdioFds", 0) == 3 &&
            !receive_stdio (bridge, config, error))
          return FALSE;
        /* The client holds the other ends of its pipes. */
        config->create_stdin_pipe = config->create_stdout_pipe = config->create_stderr_pipe = FALSE;
        process = hcs_container_create_process (container, config, error);
        if (config->use_stdio_fds)
          for (int i = 0; i < 3; i++)
            close (config->stdio_fds[i]);
        if (process == NULL)
          return FALSE;
        g_hash_table_insert (monitor.processes, GINT_TO_POINTER (hcs_process_get_pid (process)),
                             g_object_ref (process));
        *reply = new_object ();
        json_object_set_int_member (json_node_get_object (*reply), "Pid",
                                    hcs_process_get_pid (process));
        return TRUE;
      }
    case HCS_MONITOR_PROCESS_SIGNAL:
      {
        g_autoptr (HcsProcess) process = find_process (body, error);
        return process != NULL &&
               hcs_process_signal (process,
                                   (int) json_object_get_int_member_with_default (body, "Signal",
                                                                                  SIGTERM),
                                   error);
      }
    case HCS_MONITOR_ATTACH_CONSOLE:
      {
        g_autoptr (HcsProcess) process = NULL;
        GInputStream *output;
        GIOStream *stream = hcs_bridge_get_stream (bridge);
        int pid = (int) json_object_get_int_member_with_default (body, "Pid", 0);

        /* The init's own object holds the console, not one opened by pid. */
        process = hcs_container_get_init_process (container, NULL);
        if (process == NULL || hcs_process_get_pid (process) != pid)
          {
            g_clear_object (&process);
            process = g_hash_table_lookup (monitor.processes, GINT_TO_POINTER (pid));
            if (process != NULL)
              g_object_ref (process);
          }
        output = process ? hcs_process_get_stdout (process) : NULL;
        if (output == NULL || !G_IS_UNIX_INPUT_STREAM (output) ||
            hcs_process_get_stderr (process) != NULL)
          {
            g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                         "monitor: process %d has no console", pid);
            return FALSE;
          }
        if (!G_IS_UNIX_CONNECTION (stream) ||
            !g_unix_connection_send_fd (G_UNIX_CONNECTION (stream),
                                        g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (output)),
                                        NULL, error))
          return FALSE;
        return TRUE;
      }
    case HCS_MONITOR_PROCESS_RESIZE:
      {
        g_autoptr (HcsProcess) process = find_process (body, error);
        return process != NULL &&
               hcs_process_resize_console (
                   process, (guint16) json_object_get_int_member_with_default (body, "Width", 80),
                   (guint16) json_object_get_int_member_with_default (body, "Height", 24), error);
      }
    default:
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNKNOWN_MESSAGE,
                   "monitor: unknown request type 0x%08x", type);
      return FALSE;
    }
}

static void
request_cb (HcsBridge *bridge, guint type, guint64 id, JsonNode *body, gpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = NULL;
  JsonObject *object = json_node_get_object (body);

  /* Waits answer later, when the system or process ends or time is up. */
  if (type == HCS_MONITOR_WAIT)
    {
      start_wait (bridge, type, id, object, NULL);
      return;
    }
  if (type == HCS_MONITOR_PROCESS_WAIT)
    {
      g_autoptr (HcsProcess) process = find_process (object, &error);
      if (process == NULL)
        hcs_bridge_respond_error (bridge, type, id, error, NULL);
      else
        start_wait (bridge, type, id, object, process);
      return;
    }
  if (!handle_request (bridge, type, id, object, &reply, &error))
    {
      hcs_bridge_respond_error (bridge, type, id, error, NULL);
      return;
    }
  if (reply == NULL)
    reply = new_object ();
  hcs_bridge_respond (bridge, type, id, reply, NULL);
  if (monitor.removed)
    g_main_loop_quit (monitor.loop);
}

static void
closed_cb (HcsBridge *bridge, GError *error, gpointer data)
{
  g_ptr_array_remove (monitor.subscribers, bridge);
  g_ptr_array_remove (monitor.connections, bridge);
}

static gboolean
incoming_cb (GSocketService *service, GSocketConnection *connection, GObject *source,
             gpointer data)
{
  HcsBridge *bridge = hcs_bridge_new (G_IO_STREAM (connection), HCS_BRIDGE_DEFAULT_MAX_MESSAGE);

  g_signal_connect (bridge, "request", G_CALLBACK (request_cb), NULL);
  g_signal_connect (bridge, "closed", G_CALLBACK (closed_cb), NULL);
  g_ptr_array_add (monitor.connections, bridge);
  hcs_bridge_start (bridge);
  return TRUE;
}

/* --- start-up ------------------------------------------------------------------------- */

static void
write_status (JsonNode *status)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *line = NULL;
  gsize length;

  json_generator_set_root (generator, status);
  line = json_generator_to_data (generator, &length);
  if (write (STATUS_FD, line, length) < 0 || write (STATUS_FD, "\n", 1) < 0)
    g_debug ("monitor: the creator did not read the status");
  close (STATUS_FD);
}

static G_NORETURN void
fail (const GError *error)
{
  g_autoptr (JsonNode) status = new_object ();

  json_object_set_string_member (json_node_get_object (status), "Error", error->message);
  json_object_set_int_member (json_node_get_object (status), "ErrorCode",
                              error->domain == HCS_ERROR ? error->code : HCS_ERROR_FAILED);
  write_status (status);
  _exit (1);
}

static GKeyFile *
keyfile_member (JsonObject *request, const char *name, GError **error)
{
  g_autoptr (GKeyFile) keyfile = g_key_file_new ();
  const char *text = json_object_get_string_member_with_default (request, name, "");

  if (!g_key_file_load_from_data (keyfile, text, -1, G_KEY_FILE_NONE, error))
    return NULL;
  return g_steal_pointer (&keyfile);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GInputStream) request_stream = NULL;
  g_autoptr (GKeyFile) options = NULL, system_options = NULL;
  g_autoptr (HcsContainerConfig) config = NULL;
  g_autoptr (GSocketService) service = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (JsonNode) status = new_object ();
  g_autofree char *socket_path = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  JsonObject *request;
  const char *id;
  pid_t child;
  int null_fd;

  if (argc != 1 || fcntl (REQUEST_FD, F_GETFD) < 0 || fcntl (STATUS_FD, F_GETFD) < 0)
    {
      fprintf (stderr, "hcs-monitor: started by libhcs with a request on fd 3 and a status pipe "
                       "on fd 4 (see hcs-monitor.c)\n");
      return 2;
    }

  /* One fork: the creator reaps our parent at once and never us. */
  child = fork ();
  if (child < 0)
    return 1;
  if (child > 0)
    _exit (0);
  setsid ();
  signal (SIGPIPE, SIG_IGN);
  if (chdir ("/") < 0)
    return 1;
  null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  dup2 (null_fd, STDIN_FILENO);
  if (!g_getenv ("HCS_MONITOR_DEBUG"))
    {
      dup2 (null_fd, STDOUT_FILENO);
      dup2 (null_fd, STDERR_FILENO);
    }

  request_stream = g_unix_input_stream_new (REQUEST_FD, TRUE);
  if (!json_parser_load_from_stream (parser, request_stream, NULL, &error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      if (error == NULL)
        g_set_error (&error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "monitor: the request is not an object");
      fail (error);
    }
  request = json_node_get_object (json_parser_get_root (parser));
  id = json_object_get_string_member_with_default (request, "Id", NULL);
  if (id == NULL || !json_object_has_member (request, "Config"))
    {
      g_set_error (&error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "monitor: the request needs Id and Config");
      fail (error);
    }
  if ((options = keyfile_member (request, "Options", &error)) == NULL ||
      (system_options = keyfile_member (request, "SystemOptions", &error)) == NULL ||
      (config = hcs_container_config_from_node (json_object_get_member (request, "Config"), NULL,
                                                &error)) == NULL)
    fail (error);

  /* This process is the host now: no monitor of a monitor; the helpers
   * die with us, so a monitor killed leaves no orphans. */
  g_key_file_set_boolean (options, "host", "monitor", FALSE);
  g_key_file_set_boolean (system_options, "host", "die-with-creator", TRUE);
  if (config->process != NULL && json_object_get_boolean_member_with_default (request, "InitStdio",
                                                                              FALSE))
    {
      config->process->use_stdio_fds = TRUE;
      for (int i = 0; i < 3; i++)
        config->process->stdio_fds[i] = 5 + i;
    }

  monitor.events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  monitor.subscribers = g_ptr_array_new_with_free_func (g_object_unref);
  monitor.connections = g_ptr_array_new_with_free_func (g_object_unref);
  monitor.processes = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  monitor.loop = g_main_loop_new (NULL, FALSE);

  monitor.host = hcs_host_new (options, &error);
  if (monitor.host == NULL)
    fail (error);
  monitor.container = hcs_host_create_container (monitor.host, id, config, system_options, &error);
  if (monitor.container == NULL)
    fail (error);
  if (config->process != NULL && config->process->use_stdio_fds)
    for (int i = 0; i < 3; i++)
      close (5 + i);
  monitor.folder = hcs_state_open (hcs_host_get_state (monitor.host), id, &error);
  if (monitor.folder == NULL)
    {
      hcs_container_discard (monitor.container, NULL);
      fail (error);
    }
  hcs_state_fault_point ("monitor-created");
  g_signal_connect (monitor.container, "exited", G_CALLBACK (container_exited_cb), NULL);
  record_event ("create", 0);

  socket_path = hcs_state_folder_build_path (monitor.folder, HCS_MONITOR_SOCKET_NAME);
  address = g_unix_socket_address_new (socket_path);
  service = g_socket_service_new ();
  {
    mode_t old_umask = umask (0177); /* the socket is born 0600 */
    gboolean bound = g_socket_listener_add_address (G_SOCKET_LISTENER (service), address,
                                                    G_SOCKET_TYPE_STREAM,
                                                    G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL,
                                                    &error);
    umask (old_umask);
    if (!bound)
      {
        hcs_container_discard (monitor.container, NULL);
        fail (error);
      }
  }
  g_signal_connect (service, "incoming", G_CALLBACK (incoming_cb), NULL);
  g_socket_service_start (service);
  {
    /* Who holds the system, for an administrator (and a test) to see. */
    g_autofree char *pid_text = g_strdup_printf ("%d\n", (int) getpid ());
    hcs_state_folder_write (monitor.folder, "monitor.pid", pid_text, -1, NULL);
  }

  props = hcs_container_get_properties (monitor.container, &error);
  json_object_set_int_member (json_node_get_object (status), "Pid",
                              props ? props->init_process_id : 0);
  json_object_set_int_member (json_node_get_object (status), "MonitorPid", getpid ());
  write_status (status);

  g_main_loop_run (monitor.loop);
  g_socket_service_stop (service);
  return 0;
}
