/* hcs-remote.c: the client side of a per-system monitor: spawning one
 * that creates a system, and opening a system one holds, as proxies of
 * the compute-system protocol (hcs-protocol-client.h) on the monitor's
 * socket. A system whose monitor was killed is seen through its driver.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hcs-monitor-private.h"
#include "hcs-protocol-client.h"

static JsonNode *
new_object (void)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  return node;
}

/* A proxy of the system held at @socket_path. */
static HcsContainer *
open_proxy (const char *socket_path, const char *id, GError **error)
{
  g_autoptr (HcsProtocolClient) client = hcs_protocol_client_new (socket_path, error);

  return client ? hcs_protocol_client_open_container (client, id, error) : NULL;
}

HcsContainer *
hcs_remote_container_open (HcsState *state, const char *id, GError **error)
{
  g_autofree char *folder = hcs_state_get_system_path (state, id);
  g_autofree char *socket_path = g_build_filename (folder, HCS_MONITOR_SOCKET_NAME, NULL);
  g_autoptr (GError) local_error = NULL;
  HcsContainer *proxy;

  if (!g_file_test (socket_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,
                   "compute system '%s' has no monitor", id);
      return NULL;
    }
  proxy = open_proxy (socket_path, id, &local_error);
  if (proxy != NULL)
    return proxy;
  if (hcs_error_is_not_exist (local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  /* A socket nobody answers: its monitor was killed. */
  g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
               "compute system '%s': its monitor is gone (%s)", id, local_error->message);
  return NULL;
}

/* --- spawning a monitor ---------------------------------------------------------------------- */

static char *
monitor_path (void)
{
  const char *path = g_getenv ("HCS_MONITOR");
  return path ? g_strdup (path) : g_build_filename (HCS_LIBEXECDIR, "hcs-monitor", NULL);
}

/* A monitor lives as long as its system, beside conmon: GSlice (GLib
 * before 2.76) keeps a slab page per chunk size and a magazine cache per
 * thread, ~90 KiB of a monitor's ~610 KiB private memory; plain malloc
 * needs none of it. Read once, before main, so it goes in the monitor's
 * environment; a G_SLICE the caller set for debugging is kept. */
static char **
monitor_environment (void)
{
  return g_environ_setenv (g_get_environ (), "G_SLICE", "always-malloc", FALSE);
}

HcsContainer *
hcs_remote_container_create (HcsState *state, GKeyFile *options, const char *id,
                             const HcsContainerConfig *config, GKeyFile *system_options,
                             GError **error)
{
  g_autofree char *path = monitor_path ();
  g_autofree char *request_text = NULL, *options_text = NULL, *system_text = NULL;
  g_autofree char *folder = hcs_state_get_system_path (state, id);
  g_autofree char *socket_path = g_build_filename (folder, HCS_MONITOR_SOCKET_NAME, NULL);
  g_autoptr (JsonNode) request = new_object ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GInputStream) status_stream = NULL;
  g_autoptr (GDataInputStream) status_lines = NULL;
  g_autofree char *status_line = NULL;
  const char *argv[] = { path, NULL };
  g_auto (GStrv) envp = monitor_environment ();
  int request_pipe[2], status_pipe[2], stdio_pipes[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } };
  int source_fds[5], target_fds[5] = { 3, 4, 5, 6, 7 };
  /* A console the creator reads: relayed by the monitor, which keeps it.
   * (With a console socket the runtime hands the pty master over itself.) */
  gboolean init_console = config->process != NULL && config->process->emulate_console &&
                          config->process->console_socket == NULL;
  guint32 console_ports[2] = { 0, 0 };
  /* The caller's own descriptors (runc's create): the monitor inherits
   * them as it would pipes, and the init writes to them itself. */
  gboolean given_stdio = config->process != NULL && !config->process->emulate_console &&
                         (config->process->inherit_stdio || config->process->use_stdio_fds);
  gboolean init_stdio = config->process != NULL && !init_console && !given_stdio &&
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
  json_object_set_boolean_member (json_node_get_object (request), "InitStdio",
                                  init_stdio || given_stdio);
  /* runc's --console-socket: the monitor's driver sends the console there. */
  if (config->process != NULL && config->process->emulate_console &&
      config->process->console_socket != NULL)
    json_object_set_string_member (json_node_get_object (request), "ConsoleSocket",
                                   config->process->console_socket);
  if (init_console)
    {
      JsonObject *relay = json_object_new ();

      while (console_ports[0] == 0)
        console_ports[0] = g_random_int ();
      while (console_ports[1] == 0 || console_ports[1] == console_ports[0])
        console_ports[1] = g_random_int ();
      json_object_set_int_member (relay, "StdIn", console_ports[0]);
      json_object_set_int_member (relay, "StdOut", console_ports[1]);
      json_object_set_object_member (json_node_get_object (request), "InitStdioRelay", relay);
    }
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
  /* Given descriptors are mapped from copies: the spawn puts /dev/null on
   * the child's 0 before it maps, which would take a source 0 with it. */
  if (given_stdio)
    for (int i = 0; i < 3; i++)
      if ((stdio_pipes[i][0] = fcntl (config->process->use_stdio_fds
                                          ? config->process->stdio_fds[i]
                                          : i,
                                      F_DUPFD_CLOEXEC, 10)) < 0)
        {
          hcs_set_error_from_errno (error, errno, "duplicating the init's stream %d", i);
          remote = NULL;
          goto out;
        }
  for (int i = 0; i < 3; i++)
    source_fds[2 + i] = i == 0 || given_stdio ? stdio_pipes[i][0] : stdio_pipes[i][1];

  if (!g_spawn_async_with_pipes_and_fds (NULL, argv, (const char *const *) envp,
                                         G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                         -1, -1, -1, source_fds, target_fds,
                                         init_stdio || given_stdio ? 5 : 2,
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
  {
    g_autoptr (HcsProtocolClient) client = hcs_protocol_client_new (socket_path, error);

    remote = client ? hcs_protocol_client_open_container (client, id, error) : NULL;
    if (remote != NULL && init_console)
      {
        /* The console's two streams, each a connection the monitor relays. */
        int in_fd = hcs_protocol_client_open_stdio (client, console_ports[0], error);
        int out_fd = in_fd < 0 ? -1 : hcs_protocol_client_open_stdio (client, console_ports[1],
                                                                       error);
        if (out_fd < 0)
          {
            if (in_fd >= 0)
              close (in_fd);
            hcs_container_discard (remote, NULL);
            g_clear_object (&remote);
            goto out;
          }
        {
          g_autoptr (GOutputStream) in = g_unix_output_stream_new (in_fd, TRUE);
          g_autoptr (GInputStream) out_stream = g_unix_input_stream_new (out_fd, TRUE);
          hcs_protocol_container_set_init_stdio (remote, in, out_stream, NULL);
        }
      }
  }
  if (remote != NULL && init_stdio)
    {
      g_autoptr (GOutputStream) in = NULL;
      g_autoptr (GInputStream) out_stream = NULL, err_stream = NULL;

      if (config->process->create_stdin_pipe)
        in = g_unix_output_stream_new (g_steal_fd (&stdio_pipes[0][1]), TRUE);
      if (config->process->create_stdout_pipe)
        out_stream = g_unix_input_stream_new (g_steal_fd (&stdio_pipes[1][0]), TRUE);
      if (config->process->create_stderr_pipe)
        err_stream = g_unix_input_stream_new (g_steal_fd (&stdio_pipes[2][0]), TRUE);
      hcs_protocol_container_set_init_stdio (remote, in, out_stream, err_stream);
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


/* --- a system whose monitor was killed ------------------------------------------------ */

/* Everything goes to the driver's view of the system, which reports it
 * stopped; removal still works. */
#define HCS_TYPE_LOST_CONTAINER (hcs_lost_container_get_type ())
G_DECLARE_FINAL_TYPE (HcsLostContainer, hcs_lost_container, HCS, LOST_CONTAINER, GObject)

struct _HcsLostContainer
{
  GObject parent_instance;

  char *id;
  HcsContainer *lost;
  gboolean closed;
};

static void hcs_lost_container_iface_init (HcsContainerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HcsLostContainer, hcs_lost_container, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HCS_TYPE_CONTAINER,
                                                      hcs_lost_container_iface_init))

static void
hcs_lost_container_finalize (GObject *object)
{
  HcsLostContainer *self = HCS_LOST_CONTAINER (object);

  g_clear_object (&self->lost);
  g_free (self->id);
  G_OBJECT_CLASS (hcs_lost_container_parent_class)->finalize (object);
}

static void
hcs_lost_container_class_init (HcsLostContainerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hcs_lost_container_finalize;
}

static void
hcs_lost_container_init (HcsLostContainer *self)
{
}

HcsContainer *
hcs_remote_container_new_lost (const char *id, HcsContainer *lost)
{
  HcsLostContainer *self = g_object_new (HCS_TYPE_LOST_CONTAINER, NULL);

  self->id = g_strdup (id);
  self->lost = g_object_ref (lost);
  return HCS_CONTAINER (self);
}

#define LOST(container) (HCS_LOST_CONTAINER (container)->lost)

static const char *
lost_get_id (HcsContainer *container)
{
  return HCS_LOST_CONTAINER (container)->id;
}

static gboolean
lost_start (HcsContainer *container, GError **error)
{
  return hcs_container_start (LOST (container), error);
}

static gboolean
lost_shutdown (HcsContainer *container, GError **error)
{
  return hcs_container_shutdown (LOST (container), error);
}

static gboolean
lost_terminate (HcsContainer *container, GError **error)
{
  return hcs_container_terminate (LOST (container), error);
}

static gboolean
lost_wait_timeout (HcsContainer *container, gint64 timeout_ms, GCancellable *cancellable,
                   GError **error)
{
  return hcs_container_wait_timeout (LOST (container), timeout_ms, cancellable, error);
}

static void
lost_waited_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  GError *error = NULL;

  if (hcs_container_wait_finish (HCS_CONTAINER (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
lost_wait_async (HcsContainer *container, GCancellable *cancellable,
                 GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (container, cancellable, callback, user_data);

  hcs_container_wait_async (LOST (container), cancellable, lost_waited_cb, task);
}

static gboolean
lost_wait_finish (HcsContainer *container, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
lost_pause (HcsContainer *container, GError **error)
{
  return hcs_container_pause (LOST (container), error);
}

static gboolean
lost_resume (HcsContainer *container, GError **error)
{
  return hcs_container_resume (LOST (container), error);
}

static HcsStatistics *
lost_get_statistics (HcsContainer *container, GError **error)
{
  return hcs_container_get_statistics (LOST (container), error);
}

static GPtrArray *
lost_get_process_list (HcsContainer *container, GError **error)
{
  return hcs_container_get_process_list (LOST (container), error);
}

static HcsProcess *
lost_create_process (HcsContainer *container, const HcsProcessConfig *config, GError **error)
{
  return hcs_container_create_process (LOST (container), config, error);
}

static HcsProcess *
lost_open_process (HcsContainer *container, int pid, GError **error)
{
  return hcs_container_open_process (LOST (container), pid, error);
}

static HcsProcess *
lost_get_init_process (HcsContainer *container, GError **error)
{
  return hcs_container_get_init_process (LOST (container), error);
}

static gboolean
lost_modify (HcsContainer *container, const HcsResourceUpdate *update, GError **error)
{
  return hcs_container_modify (LOST (container), update, error);
}

static HcsContainerProperties *
lost_get_properties (HcsContainer *container, GError **error)
{
  HcsContainerProperties *props = hcs_container_query_properties (LOST (container), error);

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

static gboolean
lost_close (HcsContainer *container, GError **error)
{
  HcsLostContainer *self = HCS_LOST_CONTAINER (container);

  if (self->closed)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_CLOSED,
                   "the handle of compute system '%s' is already closed", self->id);
      return FALSE;
    }
  self->closed = TRUE;
  return TRUE;
}

/* Killed monitor: the driver removes what is left (cgroup, state folder
 * with the dead socket); a workload still running is killed. */
static gboolean
lost_remove (HcsContainer *container, GError **error)
{
  return hcs_container_discard (LOST (container), error);
}

static void
hcs_lost_container_iface_init (HcsContainerInterface *iface)
{
  iface->get_id = lost_get_id;
  iface->start = lost_start;
  iface->shutdown = lost_shutdown;
  iface->terminate = lost_terminate;
  iface->wait_timeout = lost_wait_timeout;
  iface->wait_async = lost_wait_async;
  iface->wait_finish = lost_wait_finish;
  iface->pause = lost_pause;
  iface->resume = lost_resume;
  iface->get_statistics = lost_get_statistics;
  iface->get_process_list = lost_get_process_list;
  iface->create_process = lost_create_process;
  iface->open_process = lost_open_process;
  iface->get_init_process = lost_get_init_process;
  iface->modify = lost_modify;
  iface->get_properties = lost_get_properties;
  iface->close = lost_close;
  iface->remove = lost_remove;
}
