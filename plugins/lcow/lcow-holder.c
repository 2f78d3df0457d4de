/* lcow-holder.c: the client's side of the UVM holders (hcs-lcow-uvm):
 * finds one with room in STATE_DIR/lcow, starts one when none has, and
 * creates, opens and lists containers through them with core's protocol
 * client. The proxies it returns talk to the holder, which serves its
 * UVM's containers (docs/lcow.md).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "hcs-protocol-client.h"
#include "hcs-state.h"
#include "lcow-holder.h"
#include "lcow-private.h"

#include <errno.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <string.h>
#include <unistd.h>

static const char *
holder_program (void)
{
  const char *path = g_getenv ("HCS_LCOW_UVM");

  if (path != NULL && path[0] != '\0')
    return path;
  if (LCOW_BUILD_HOLDER[0] != '\0' && g_file_test (LCOW_BUILD_HOLDER, G_FILE_TEST_IS_EXECUTABLE))
    return LCOW_BUILD_HOLDER;
  return HCS_LIBEXECDIR "/hcs-lcow-uvm";
}

static char *
holders_dir (GKeyFile *options, GError **error)
{
  g_autoptr (HcsState) state = hcs_state_new_from_options (options, error);

  return state ? hcs_state_get_plugin_dir (state, LCOW_HOLDERS_DIR) : NULL;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The folders of the holders (sorted: the oldest name first is as good as
 * any), each with its socket. */
static GPtrArray *
list_holders (GKeyFile *options, GError **error)
{
  g_autofree char *dir = holders_dir (options, error);
  g_autoptr (GPtrArray) folders = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) listing = NULL;
  const char *name;

  if (dir == NULL)
    return NULL;
  listing = g_dir_open (dir, 0, NULL);
  if (listing == NULL)
    return g_steal_pointer (&folders); /* no holder yet */
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, "uvm-"))
      g_ptr_array_add (folders, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (folders, compare_names);
  return g_steal_pointer (&folders);
}

/* A holder that died without removing its folder: nothing listens. A
 * folder without a socket yet is a holder on its way up: left alone. */
static void
remove_stale_holder (const char *folder)
{
  static const char *const names[] = { "uvm.sock", "containers", "holder.log" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (folder, names[i], NULL);
      unlink (path);
    }
  rmdir (folder);
}

static HcsProtocolClient *
connect_holder (const char *folder, GError **error)
{
  g_autofree char *socket_path = g_build_filename (folder, "uvm.sock", NULL);
  g_autoptr (GError) local_error = NULL;
  HcsProtocolClient *client;

  client = hcs_protocol_client_new (socket_path, &local_error);
  if (client != NULL)
    return client;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    remove_stale_holder (folder);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

/* Starts a holder and waits for it to listen: its folder, NULL on error
 * (its log then says why, and nothing of it is left). */
static char *
start_holder (GKeyFile *options, GError **error)
{
  g_autofree char *dir = holders_dir (options, error);
  g_autofree char *folder = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) holder = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  gsize length;

  if (dir == NULL)
    return NULL;
  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "lcow: the holders' folder %s: %s", dir, g_strerror (saved_errno));
      return NULL;
    }
  folder = g_build_filename (dir, "uvm-XXXXXX", NULL);
  if (g_mkdtemp_full (folder, 0700) == NULL)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "lcow: a holder's folder in %s: %s", dir, g_strerror (saved_errno));
      return NULL;
    }
  log_path = g_build_filename (folder, "holder.log", NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
  holder = g_subprocess_launcher_spawn (launcher, error, holder_program (), folder, NULL);
  if (holder == NULL)
    {
      g_prefix_error (error, "lcow: the utility VM holder %s: ", holder_program ());
      remove_stale_holder (folder);
      return NULL;
    }
  text = g_key_file_to_data (options, &length, NULL);
  /* Our options are the holder's: it makes the UVM as we would. */
  if (!g_output_stream_write_all (g_subprocess_get_stdin_pipe (holder), text, length, NULL, NULL,
                                  error) ||
      !g_output_stream_close (g_subprocess_get_stdin_pipe (holder), NULL, error))
    {
      g_prefix_error (error, "lcow: the utility VM holder's options: ");
      g_subprocess_force_exit (holder);
      g_subprocess_wait (holder, NULL, NULL);
      remove_stale_holder (folder);
      return NULL;
    }
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (holder));
  line = g_data_input_stream_read_line (out, NULL, NULL, NULL);
  if (g_strcmp0 (line, "ready") != 0)
    {
      g_autofree char *log = NULL;

      g_subprocess_wait (holder, NULL, NULL);
      g_file_get_contents (log_path, &log, NULL, NULL);
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                   "lcow: the utility VM holder did not start: %s",
                   log ? g_strstrip (log) : "(no log)");
      remove_stale_holder (folder);
      return NULL;
    }
  /* It goes on in a session of its own; GSubprocess reaps it. */
  return g_steal_pointer (&folder);
}

/* The holder undoes what it holds itself, at a remove and when it ends
 * with its UVM (end-with-uvm): after a lost connection to it, there is
 * nothing left here to undo, and remove() may succeed. */
static void
held_removed_cb (HcsContainer *proxy, gpointer user_data)
{
}

/* Proxies report the isolation; a holder's are "lcow" already. */
static HcsContainer *
open_in (HcsProtocolClient *client, const char *id, GError **error)
{
  HcsContainer *container = hcs_protocol_client_open_container (client, id, error);

  if (container != NULL)
    {
      hcs_protocol_container_set_isolation (container, "lcow");
      hcs_protocol_container_set_removed_func (container, held_removed_cb, NULL);
    }
  return container;
}

/* Create through @client: the init's streams are stdio connections to the
 * holder, opened before the Create that names them; or the caller's own
 * descriptors (runc's create), handed to the holder, which keeps them. */
static HcsContainer *
create_in_holder (HcsProtocolClient *client, const char *id, const HcsContainerConfig *config,
                  GError **error)
{
  const HcsProcessConfig *process = config->process;
  gboolean given = process && !process->emulate_console &&
                   (process->inherit_stdio || process->use_stdio_fds);
  gboolean want[3] = { process && process->create_stdin_pipe && !given,
                       process && process->create_stdout_pipe && !given,
                       process && process->create_stderr_pipe && !given };
  HcsProtocolStdioRelay relay = { { 0 } };
  int fds[3] = { -1, -1, -1 };
  int given_connection = -1;
  g_autoptr (JsonNode) request = hcs_protocol_request_new (id);
  g_autoptr (JsonNode) document = hcs_container_config_to_node (config);
  g_autoptr (JsonNode) reply = NULL;
  HcsContainer *container = NULL;
  JsonObject *relay_object;

  if (given)
    {
      int caller[3] = { 0, 1, 2 };
      guint32 port = hcs_protocol_client_new_port (client);

      given_connection = hcs_protocol_client_give_stdio (
          client, port, process->use_stdio_fds ? process->stdio_fds : caller, error);
      if (given_connection < 0)
        goto out;
      json_object_set_int_member (json_node_get_object (request), "InitStdioDescriptors", port);
    }
  for (int i = 0; i < 3; i++)
    if (want[i])
      relay.ports[i] = hcs_protocol_client_new_port (client);
  /* Not in the document: a path of ours, for the holder's relay. */
  if (process != NULL && process->emulate_console && process->console_socket != NULL)
    json_object_set_string_member (json_node_get_object (request), "ConsoleSocket",
                                   process->console_socket);
  hcs_protocol_set_document (json_node_get_object (request), "ContainerConfig", document);
  relay_object = json_object_new ();
  hcs_protocol_stdio_relay_to_object (&relay, relay_object);
  json_object_set_object_member (json_node_get_object (request), "InitStdioRelay", relay_object);
  reply = hcs_protocol_client_call_sync (client, HCS_PROTOCOL_CREATE, request, NULL, error);
  if (reply == NULL)
    goto out;
  /* The stdio connections after the Create, not before: a Create that
   * boots the UVM outlasts the 30 s a connection waits for its process;
   * the init runs only at Start, so nothing is written meanwhile. */
  for (int i = 0; i < 3; i++)
    if (want[i])
      {
        fds[i] = hcs_protocol_client_open_stdio (client, relay.ports[i], error);
        if (fds[i] < 0)
          {
            /* An init nobody can read does not stay. */
            g_autoptr (JsonNode) undo = hcs_protocol_request_new (id);
            g_autoptr (JsonNode) terminated =
                hcs_protocol_client_call_sync (client, HCS_PROTOCOL_SHUTDOWN_FORCED, undo, NULL,
                                               NULL);
            g_autoptr (JsonNode) deleted =
                hcs_protocol_client_call_sync (client, HCS_PROTOCOL_DELETE_CONTAINER_STATE, undo,
                                               NULL, NULL);
            goto out;
          }
      }
  container = open_in (client, id, error);
  if (container == NULL)
    goto out;
  {
    g_autoptr (GOutputStream) in = want[0] ? g_unix_output_stream_new (g_steal_fd (&fds[0]), TRUE)
                                           : NULL;
    g_autoptr (GInputStream) out = want[1] ? g_unix_input_stream_new (g_steal_fd (&fds[1]), TRUE)
                                           : NULL;
    g_autoptr (GInputStream) err = want[2] ? g_unix_input_stream_new (g_steal_fd (&fds[2]), TRUE)
                                           : NULL;

    hcs_protocol_container_set_init_stdio (container, in, out, err);
  }

out:
  /* Never used: the holder drops the relay when the connection closes. */
  for (int i = 0; i < 3; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  /* Answered: the holder took its copies (or dropped them). */
  if (given_connection >= 0)
    close (given_connection);
  return container;
}

static gboolean
is_full (const GError *error)
{
  return g_error_matches (error, HCS_ERROR, HCS_ERROR_INVALID_STATE);
}

HcsContainer *
lcow_holder_create_container (GKeyFile *options, const char *id,
                              const HcsContainerConfig *config, GError **error)
{
  g_autoptr (GPtrArray) folders = list_holders (options, error);
  g_autoptr (HcsProtocolClient) client = NULL;
  g_autofree char *folder = NULL;

  /* The holder claims the id in the state folder (one system across
   * holders and drivers). */
  if (folders == NULL)
    return NULL;
  for (guint i = 0; i < folders->len; i++)
    {
      g_autoptr (HcsProtocolClient) candidate = connect_holder (folders->pdata[i], NULL);
      g_autoptr (GError) local_error = NULL;
      HcsContainer *container;

      if (candidate == NULL)
        continue;
      container = create_in_holder (candidate, id, config, &local_error);
      if (container != NULL)
        return container;
      if (!is_full (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  /* Every UVM is full (or there is none): one more. */
  folder = start_holder (options, error);
  if (folder == NULL)
    return NULL;
  client = connect_holder (folder, error);
  if (client == NULL)
    return NULL;
  return create_in_holder (client, id, config, error);
}

HcsContainer *
lcow_holder_open_container (GKeyFile *options, const char *id, GError **error)
{
  g_autoptr (HcsState) state = hcs_state_new_from_options (options, error);
  g_autoptr (HcsStateFolder) folder = NULL;
  g_autoptr (HcsProtocolClient) client = NULL;
  g_autofree char *socket_path = NULL;
  g_autoptr (GError) local_error = NULL;

  if (state == NULL)
    return NULL;
  folder = hcs_state_open (state, id, NULL);
  if (folder != NULL)
    socket_path = hcs_state_folder_read (folder, LCOW_HOLDER_RECORD, NULL, NULL);
  if (socket_path == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,
                   "lcow: compute system '%s' does not exist", id);
      return NULL;
    }
  client = hcs_protocol_client_new (socket_path, &local_error);
  if (client == NULL)
    {
      /* Its holder is gone, and the system with its UVM. */
      g_set_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,
                   "lcow: compute system '%s' does not exist (its utility VM holder is gone: "
                   "%s)", id, local_error->message);
      return NULL;
    }
  return open_in (client, id, error);
}

void
lcow_holder_list_containers (GKeyFile *options, GPtrArray *properties)
{
  g_autoptr (GPtrArray) folders = list_holders (options, NULL);

  for (guint i = 0; folders != NULL && i < folders->len; i++)
    {
      g_autofree char *record = g_build_filename (folders->pdata[i], "containers", NULL);
      g_autofree char *ids = NULL;
      g_auto (GStrv) lines = NULL;
      g_autoptr (HcsProtocolClient) client = NULL;

      if (!g_file_get_contents (record, &ids, NULL, NULL))
        continue;
      lines = g_strsplit (ids, "\n", -1);
      for (guint j = 0; lines[j] != NULL; j++)
        {
          g_autoptr (HcsContainer) container = NULL;
          HcsContainerProperties *props;

          if (lines[j][0] == '\0')
            continue;
          if (client == NULL && (client = connect_holder (folders->pdata[i], NULL)) == NULL)
            break;
          container = open_in (client, lines[j], NULL);
          props = container ? hcs_container_query_properties (container, NULL) : NULL;
          if (props != NULL) /* removed meanwhile: not listed */
            g_ptr_array_add (properties, props);
        }
    }
}

guint
lcow_holder_count (GKeyFile *options)
{
  g_autoptr (GPtrArray) folders = list_holders (options, NULL);

  return folders ? folders->len : 0;
}
