/* hcs-lcow-uvm.c: the holder of one utility VM, so that the UVM and its
 * containers outlive the client that started them (docs/lcow.md).
 *
 *   hcs-lcow-uvm FOLDER      (the runtime options, a key file, on stdin)
 *
 * FOLDER is STATE_DIR/lcow/uvm-XXXXXX, made by the plugin that spawns us.
 * We host the lcow driver in our own process (an HcsHost with
 * `[lcow] uvm-holder=false`: its UVM lives here) and serve its containers
 * with core's HcsProtocolServer on FOLDER/uvm.sock, to any number of
 * clients: a client's Create becomes a container in our UVM, its stdio is
 * relayed by the server. At most `[lcow] containers-per-vm` containers: the
 * next Create is refused (HCS_ERROR_INVALID_STATE) and the client goes to
 * another holder. When the last container is removed we exit, and the UVM
 * goes with our host, unless `[lcow] keep-uvm`. FOLDER/containers lists
 * the ids we hold (one a line) for the clients' list; FOLDER/holder.log
 * has our stderr. "ready" on stdout once we listen. A UVM that exits on
 * its own (QEMU killed, the guest powered off) ends us the same way as
 * SIGTERM: its containers' folders and ours are removed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "hcs.h"
#include "hcs-protocol-server.h"
#include "hcs-state.h"
#include "lcow-holder.h"

#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct
{
  char *folder;
  char *socket_path;
  HcsHost *host;
  HcsProtocolServer *server;
  GMainLoop *loop;
  guint max_containers;
  gboolean keep;

  GMutex lock;          /* guards what follows: creates run on worker threads */
  GPtrArray *ids;       /* the containers we hold */
  GHashTable *folders;  /* id -> HcsStateFolder: each one's, claimed here */
  guint reserved;       /* held, and being created */
  gboolean closing;     /* no more creates: we are on our way out */
} Holder;

/* With holder->lock held: FOLDER/containers, written whole. */
static void
write_ids (Holder *holder)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autofree char *path = g_build_filename (holder->folder, "containers", NULL);
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < holder->ids->len; i++)
    g_string_append_printf (text, "%s\n", (const char *) holder->ids->pdata[i]);
  if (!g_file_set_contents_full (path, text->str, text->len, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0600, &error))
    g_printerr ("hcs-lcow-uvm: %s\n", error->message);
}

/* With holder->lock held: nothing held any more, so we go. */
static void
close_if_empty (Holder *holder)
{
  if (holder->reserved > 0 || holder->keep || holder->closing)
    return;
  holder->closing = TRUE;
  g_main_loop_quit (holder->loop);
}

static HcsContainer *
create_cb (const char *id, JsonNode *config_node, const int *stdio_fds,
           const char *console_socket, gpointer data, GError **error)
{
  Holder *holder = data;
  g_autoptr (HcsContainerConfig) config = NULL;
  g_autoptr (HcsStateFolder) folder = NULL;
  HcsContainer *container = NULL;

  g_mutex_lock (&holder->lock);
  if (holder->closing || holder->reserved >= holder->max_containers)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "lcow: the utility VM of %s takes no more containers (%s, "
                   "[lcow] containers-per-vm=%u)", holder->folder,
                   holder->closing ? "it is shutting down" : "it is full", holder->max_containers);
      g_mutex_unlock (&holder->lock);
      return NULL;
    }
  holder->reserved++;
  g_mutex_unlock (&holder->lock);

  /* The id is claimed in the state folder: one system across holders and
   * drivers, and a folder where clients find our socket (and hcsctl keeps
   * its records). */
  config = hcs_container_config_from_node (config_node, NULL, error);
  if (config != NULL && stdio_fds != NULL)
    {
      /* The client's own stdio (runc's create): the driver relays the
       * guest's streams to copies it keeps, after the client is gone. */
      if (config->process == NULL)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "lcow: compute system '%s': stdio descriptors given for no init process",
                       id);
          g_clear_pointer (&config, hcs_container_config_free);
        }
      else
        {
          config->process->use_stdio_fds = TRUE;
          memcpy (config->process->stdio_fds, stdio_fds, sizeof config->process->stdio_fds);
        }
    }
  if (config != NULL && console_socket != NULL)
    {
      /* runc's --console-socket: the terminal is made and relayed here,
       * where the init's console ports are, and outlives the client. */
      if (config->process == NULL || !config->process->emulate_console)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "lcow: compute system '%s': a console socket given for no init with "
                       "a terminal", id);
          g_clear_pointer (&config, hcs_container_config_free);
        }
      else
        config->process->console_socket = g_strdup (console_socket);
    }
  if (config != NULL)
    folder = hcs_state_claim (hcs_host_get_state (holder->host), id, "lcow", error);
  if (folder != NULL &&
      hcs_state_folder_write (folder, LCOW_HOLDER_RECORD, holder->socket_path, -1, error))
    container = hcs_host_create_container (holder->host, id, config, NULL, error);
  if (container != NULL && !hcs_state_folder_commit (folder, error))
    {
      hcs_container_discard (container, NULL);
      g_clear_object (&container);
    }

  g_mutex_lock (&holder->lock);
  if (container != NULL)
    {
      g_ptr_array_add (holder->ids, g_strdup (id));
      g_hash_table_insert (holder->folders, g_strdup (id), g_steal_pointer (&folder));
      write_ids (holder);
    }
  else
    {
      if (folder != NULL)
        hcs_state_folder_remove (folder, NULL);
      holder->reserved--;
      close_if_empty (holder);
    }
  g_mutex_unlock (&holder->lock);
  return container;
}

static void
container_deleted_cb (HcsProtocolServer *server, const char *id, gpointer data)
{
  Holder *holder = data;

  g_mutex_lock (&holder->lock);
  for (guint i = 0; i < holder->ids->len; i++)
    if (g_str_equal (holder->ids->pdata[i], id))
      {
        HcsStateFolder *folder = g_hash_table_lookup (holder->folders, id);

        if (folder != NULL)
          hcs_state_folder_remove (folder, NULL);
        g_hash_table_remove (holder->folders, id);
        g_ptr_array_remove_index (holder->ids, i);
        holder->reserved--;
        break;
      }
  write_ids (holder);
  close_if_empty (holder);
  g_mutex_unlock (&holder->lock);
}

static gboolean
terminate_cb (gpointer data)
{
  Holder *holder = data;

  g_mutex_lock (&holder->lock);
  holder->closing = TRUE;
  g_mutex_unlock (&holder->lock);
  g_main_loop_quit (holder->loop);
  return G_SOURCE_CONTINUE;
}

static GKeyFile *
read_options (GError **error)
{
  g_autoptr (GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  g_autoptr (GOutputStream) text = g_memory_output_stream_new_resizable ();
  g_autoptr (GKeyFile) options = g_key_file_new ();

  if (g_output_stream_splice (text, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
    return NULL;
  if (!g_key_file_load_from_data (
          options, g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (text)),
          g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (text)), G_KEY_FILE_NONE,
          error))
    {
      g_prefix_error (error, "the options on stdin: ");
      return NULL;
    }
  return g_steal_pointer (&options);
}

/* Whatever was left in FOLDER, and FOLDER. */
static void
remove_folder (const char *folder)
{
  static const char *const names[] = { "uvm.sock", "containers", "holder.log" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (folder, names[i], NULL);
      unlink (path);
    }
  rmdir (folder);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GKeyFile) options = NULL;
  g_autofree char *socket_path = NULL;
  Holder holder = { 0 };

  if (argc != 2 || !g_path_is_absolute (argv[1]))
    {
      g_printerr ("usage: hcs-lcow-uvm FOLDER (the runtime options on stdin)\n");
      return 2;
    }
  /* A session of our own: the client's terminal and signals are not ours. */
  setsid ();
  holder.folder = argv[1];
  options = read_options (&error);
  if (options == NULL)
    {
      g_printerr ("hcs-lcow-uvm: %s\n", error->message);
      remove_folder (holder.folder);
      return 1;
    }
  holder.max_containers =
      (guint) g_key_file_get_uint64 (options, "lcow", "containers-per-vm", NULL);
  if (holder.max_containers == 0)
    holder.max_containers = 8;
  holder.keep = g_key_file_get_boolean (options, "lcow", "keep-uvm", NULL);
  /* Our host keeps the UVM here, for as long as we live. */
  g_key_file_set_string (options, "host", "isolation", "lcow");
  g_key_file_set_boolean (options, "host", "monitor", FALSE);
  g_key_file_set_boolean (options, "lcow", "uvm-holder", FALSE);
  g_key_file_set_boolean (options, "lcow", "keep-uvm", FALSE);
  /* A UVM that dies takes its containers: we go too (SIGTERM, below). */
  g_key_file_set_boolean (options, "lcow", "end-with-uvm", TRUE);

  g_mutex_init (&holder.lock);
  holder.ids = g_ptr_array_new_with_free_func (g_free);
  holder.folders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  holder.loop = g_main_loop_new (NULL, FALSE);
  holder.host = hcs_host_new (options, &error);
  if (holder.host == NULL)
    goto fail;
  holder.server = hcs_protocol_server_new ();
  hcs_protocol_server_set_create_stdio_func (holder.server, create_cb, &holder);
  /* Our clients are the host's: their consoles' sockets are the host's. */
  hcs_protocol_server_set_console_sockets (holder.server, TRUE);
  g_signal_connect (holder.server, "container-deleted", G_CALLBACK (container_deleted_cb),
                    &holder);
  socket_path = g_build_filename (holder.folder, "uvm.sock", NULL);
  holder.socket_path = socket_path;
  if (!hcs_protocol_server_listen (holder.server, socket_path, &error))
    goto fail;
  g_unix_signal_add (SIGTERM, terminate_cb, &holder);
  g_unix_signal_add (SIGINT, terminate_cb, &holder);
  write_ids (&holder);

  printf ("ready\n");
  fflush (stdout);
  if (!freopen ("/dev/null", "w", stdout))
    close (STDOUT_FILENO);
  g_main_loop_run (holder.loop);

  /* No new client from here. The last answers (the Delete or the failed
   * Create that emptied us) are still on their way: we let the clients
   * hang up first, within a guard. */
  unlink (socket_path);
  {
    gint64 give_up = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while (hcs_protocol_server_get_n_connections (holder.server) > 0 &&
           g_get_monotonic_time () < give_up)
      {
        while (g_main_context_iteration (NULL, FALSE))
          ;
        g_usleep (20 * 1000);
      }
  }
  /* The containers left go with the UVM, and their folders. */
  hcs_protocol_server_close (holder.server);
  g_clear_object (&holder.server);
  g_clear_object (&holder.host);
  {
    GHashTableIter iter;
    gpointer folder;

    g_hash_table_iter_init (&iter, holder.folders);
    while (g_hash_table_iter_next (&iter, NULL, &folder))
      hcs_state_folder_remove (folder, NULL);
  }
  g_hash_table_unref (holder.folders);
  remove_folder (holder.folder);
  g_ptr_array_unref (holder.ids);
  g_main_loop_unref (holder.loop);
  return 0;

fail:
  g_printerr ("hcs-lcow-uvm: %s\n", error->message);
  g_clear_object (&holder.server);
  g_clear_object (&holder.host);
  remove_folder (holder.folder);
  return 1;
}
