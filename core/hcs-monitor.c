/* hcs-monitor.c: hcs-monitor, the process that holds one compute system
 * after its creator is gone (HCS's service, one per system).
 *
 *   hcs-monitor        (spawned by hcs_remote_container_create)
 *
 * fd 3: the request, read to its end: {"Id", "Options": keyfile text,
 *       "SystemOptions": keyfile text, "Config": ContainerConfig,
 *       "InitStdio": true when fds 5, 6, 7 are the init's stdin, stdout, stderr,
 *       "ConsoleSocket": where the init's console goes (runc's --console-socket)}
 * fd 4: one status line, then closed: {"Pid": init pid, "MonitorPid": N} or
 *       {"Error": message, "ErrorCode": HcsError}
 *
 * It forks once so that the creator need not reap it, starts a session of
 * its own, creates the system through the host's plugins in this process
 * (so it is the parent of the system's helpers, which die with it), and
 * serves it on STATE_DIR/systems/ID/monitor.sock with the compute-system
 * protocol (hcs-protocol-server.h). Events (create, start, pause, resume,
 * exit, delete) are numbered by the server, sent to the connections that
 * opened the system, and appended to events.json in the same folder, in
 * that order. After a DeleteContainerState it exits.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixsocketaddress.h>
#include <glib-unix.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hcs-monitor-private.h"
#include "hcs-protocol-server.h"

#define REQUEST_FD 3
#define STATUS_FD 4

typedef struct {
  GMainLoop *loop;
  HcsHost *host;
  HcsContainer *container;
  HcsProtocolServer *server;
  HcsStateFolder *folder;   /* the system's, claimed by its driver */
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

/* Each event as one whole line, appended and flushed: a reader sees
 * complete events. */
static void
event_cb (HcsProtocolServer *server, const char *id, JsonNode *event, gpointer data)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *line = NULL;
  const char *name = json_object_get_string_member_with_default (json_node_get_object (event),
                                                                 "Event", "");

  /* Removed: the folder is gone, and stays gone. */
  if (g_str_equal (name, "delete"))
    monitor.removed = TRUE;
  if (monitor.removed || monitor.folder == NULL)
    return;
  json_generator_set_root (generator, event);
  line = json_generator_to_data (generator, NULL);
  hcs_state_folder_append (monitor.folder, HCS_MONITOR_EVENTS_NAME, line, NULL);
}

/* The answer to the delete is on its way: the monitor's work is done. */
static void
container_deleted_cb (HcsProtocolServer *server, const char *id, gpointer data)
{
  g_main_loop_quit (monitor.loop);
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

  /* The helpers die with us, so a monitor killed leaves no orphans. */
  g_key_file_set_boolean (system_options, "host", "die-with-creator", TRUE);
  if (config->process != NULL && json_object_get_boolean_member_with_default (request, "InitStdio",
                                                                              FALSE))
    {
      config->process->use_stdio_fds = TRUE;
      for (int i = 0; i < 3; i++)
        config->process->stdio_fds[i] = 5 + i;
    }
  /* Not in the ContainerConfig document: a path of the host, which the
   * driver here hands the console to (and its VM's relay keeps). */
  if (config->process != NULL && config->process->emulate_console &&
      json_object_has_member (request, "ConsoleSocket"))
    config->process->console_socket =
        g_strdup (json_object_get_string_member_with_default (request, "ConsoleSocket", NULL));

  /* A monitor idles beside its system for as long as it runs: one malloc
   * arena for its few threads (the server's jobs, the reaper, GLib's
   * worker) rather than one each, ~12 KiB of private memory. */
  mallopt (M_ARENA_MAX, 1);
  monitor.loop = g_main_loop_new (NULL, FALSE);

  monitor.host = hcs_host_new (options, &error);
  if (monitor.host == NULL)
    fail (error);
  /* In this process, through the driver: the host's API for the one that
   * holds a system, not a second trip through its monitor option. */
  monitor.container = hcs_host_create_container_in_process (monitor.host, id, config,
                                                            system_options, &error);
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

  monitor.server = hcs_protocol_server_new ();
  g_signal_connect (monitor.server, "event", G_CALLBACK (event_cb), NULL);
  g_signal_connect (monitor.server, "container-deleted", G_CALLBACK (container_deleted_cb), NULL);
  hcs_protocol_server_add_container (monitor.server, monitor.container);
  /* Our clients are the host's: runc exec's --console-socket comes here. */
  hcs_protocol_server_set_console_sockets (monitor.server, TRUE);
  if (json_object_has_member (request, "InitStdioRelay"))
    {
      /* The creator's console: the ports it will connect with. */
      HcsProtocolStdioRelay relay;
      g_autoptr (HcsProcess) init = NULL;
      JsonNode *relay_node = json_object_get_member (request, "InitStdioRelay");

      if (!JSON_NODE_HOLDS_OBJECT (relay_node) ||
          !hcs_protocol_stdio_relay_from_object (json_node_get_object (relay_node), &relay,
                                                 &error) ||
          (init = hcs_container_get_init_process (monitor.container, &error)) == NULL ||
          !hcs_protocol_server_relay_stdio (monitor.server, init, &relay, &error))
        {
          if (error == NULL)
            g_set_error (&error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                         "monitor: InitStdioRelay is not an object");
          hcs_container_discard (monitor.container, NULL);
          fail (error);
        }
    }

  socket_path = hcs_state_folder_build_path (monitor.folder, HCS_MONITOR_SOCKET_NAME);
  if (!hcs_protocol_server_listen (monitor.server, socket_path, &error))
    {
      hcs_container_discard (monitor.container, NULL);
      fail (error);
    }
  {
    /* Who holds the system, for an administrator (and a test) to see. */
    g_autofree char *pid_text = g_strdup_printf ("%d\n", (int) getpid ());
    hcs_state_folder_write (monitor.folder, "monitor.pid", pid_text, -1, NULL);
  }

  props = hcs_container_query_properties (monitor.container, &error);
  json_object_set_int_member (json_node_get_object (status), "Pid",
                              props ? props->init_process_id : 0);
  json_object_set_int_member (json_node_get_object (status), "MonitorPid", getpid ());
  write_status (status);

  /* The request was only needed to start; what it and the start-up
   * freed goes back to the kernel (~12 KiB). */
  g_clear_object (&parser);
  malloc_trim (0);
  g_main_loop_run (monitor.loop);
  hcs_protocol_server_close (monitor.server);
  return 0;
}
