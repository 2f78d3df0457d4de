/* test-protocol.c: the compute-system protocol: its numbers, a server
 * holding real argon containers against bad and slow peers, and many
 * containers on one proxy connection with interleaved waits and stdio.
 *
 * The server runs on a thread of its own with its own main context, as a
 * monitor or a guest agent would be another process: the test's own
 * calls are sync calls from the client side.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixsocketaddress.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* --- a server on a thread ----------------------------------------------------------- */

typedef struct {
  char *temp_dir;
  char *socket_path;
  GKeyFile *options;
  guint n_containers;
  gsize max_message, max_queued;

  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  HcsProtocolServer *server;
  GMutex lock;
  GCond cond;
  gboolean ready;
} Fixture;

static HcsContainerConfig *
make_config (const char *const *argv)
{
  HcsContainerConfig *config = hcs_container_config_new ();

  config->owner = g_strdup ("test-protocol");
  config->volume_path = g_strdup (test_get_busybox_rootfs ());
  config->process = hcs_process_config_new ();
  config->process->command_args = g_strdupv ((char **) argv);
  return config;
}

static gpointer
server_main (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (GPtrArray) containers = g_ptr_array_new_with_free_func (g_object_unref);
  const char *argv[] = { "sleep", "1000", NULL };

  g_main_context_push_thread_default (fixture->context);
  host = hcs_host_new (fixture->options, &error);
  g_assert_no_error (error);
  fixture->server = hcs_protocol_server_new ();
  hcs_protocol_server_set_limits (fixture->server, fixture->max_message, fixture->max_queued);
  for (guint i = 0; i < fixture->n_containers; i++)
    {
      g_autoptr (HcsContainerConfig) config = make_config (argv);
      g_autofree char *id = g_strdup_printf ("c%u", i);
      HcsContainer *container = hcs_host_create_container (host, id, config, NULL, &error);

      g_assert_no_error (error);
      g_assert_true (hcs_container_start (container, &error));
      hcs_protocol_server_add_container (fixture->server, container);
      g_ptr_array_add (containers, container);
    }
  g_assert_true (hcs_protocol_server_listen (fixture->server, fixture->socket_path, &error));
  g_assert_no_error (error);

  g_mutex_lock (&fixture->lock);
  fixture->ready = TRUE;
  g_cond_signal (&fixture->cond);
  g_mutex_unlock (&fixture->lock);
  g_main_loop_run (fixture->loop);

  hcs_protocol_server_close (fixture->server);
  for (guint i = 0; i < containers->len; i++)
    {
      HcsContainer *container = containers->pdata[i];

      hcs_container_terminate (container, NULL);
      g_assert_true (hcs_container_wait_timeout (container, 10000, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (hcs_container_remove (container, &error));
      g_assert_no_error (error);
    }
  g_clear_object (&fixture->server);
  while (g_main_context_iteration (fixture->context, FALSE))
    ;
  g_main_context_pop_thread_default (fixture->context);
  return NULL;
}

static void
server_start (Fixture *fixture, guint n_containers, gsize max_message, gsize max_queued)
{
  fixture->n_containers = n_containers;
  fixture->max_message = max_message;
  fixture->max_queued = max_queued;
  fixture->thread = g_thread_new ("server", server_main, fixture);
  g_mutex_lock (&fixture->lock);
  while (!fixture->ready)
    g_cond_wait (&fixture->cond, &fixture->lock);
  g_mutex_unlock (&fixture->lock);
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->temp_dir = test_make_temp_dir ("hcs-test-protocol");
  fixture->options = test_make_options (fixture->temp_dir);
  fixture->socket_path = g_build_filename (fixture->temp_dir, "server.sock", NULL);
  fixture->context = g_main_context_new ();
  fixture->loop = g_main_loop_new (fixture->context, FALSE);
  g_mutex_init (&fixture->lock);
  g_cond_init (&fixture->cond);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  if (fixture->thread != NULL)
    {
      g_main_loop_quit (fixture->loop);
      g_thread_join (fixture->thread);
    }
  g_main_loop_unref (fixture->loop);
  g_main_context_unref (fixture->context);
  test_assert_no_leftovers (fixture->temp_dir);
  test_remove_tree (fixture->temp_dir);
  g_key_file_unref (fixture->options);
  g_free (fixture->socket_path);
  g_free (fixture->temp_dir);
  g_mutex_clear (&fixture->lock);
  g_cond_clear (&fixture->cond);
}

/* --- raw peers ---------------------------------------------------------------------- */

static int
connect_raw (const char *path)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpuint (strlen (path), <, sizeof address.sun_path);
  strcpy (address.sun_path, path);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  return fd;
}

static gboolean
send_all (int fd, const void *data, gsize length)
{
  const guint8 *bytes = data;

  while (length > 0)
    {
      gssize n = send (fd, bytes, length, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      bytes += n;
      length -= n;
    }
  return TRUE;
}

/* Reads until the end of stream; what came. */
static GString *
read_to_end (int fd)
{
  GString *text = g_string_new (NULL);
  char buffer[4096];
  gssize n;

  while ((n = read (fd, buffer, sizeof buffer)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break;
      g_string_append_len (text, buffer, n);
    }
  return text;
}

/* A well-behaved client still gets its answers. */
static void
assert_served (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsProtocolClient) client = hcs_protocol_client_new (fixture->socket_path, &error);
  g_autoptr (JsonNode) body = hcs_protocol_request_new (NULL);
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;

  g_assert_no_error (error);
  reply = hcs_protocol_client_call_sync (client, HCS_PROTOCOL_NEGOTIATE_PROTOCOL, body, NULL,
                                         &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (reply), "Version"), ==,
                   HCS_PROTOCOL_VERSION);
  container = hcs_protocol_client_open_container (client, "c0", &error);
  g_assert_no_error (error);
  props = hcs_container_query_properties (container, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (props->id, ==, "c0");
  g_assert_false (props->stopped);
}

/* --- the message set --------------------------------------------------------------- */

static void
test_numbers (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) request = hcs_protocol_request_new ("web");
  g_autoptr (JsonNode) query = hcs_protocol_properties_query_new (
      (const char *const[]){ "Statistics", NULL });
  g_autoptr (JsonNode) back = NULL;
  g_autoptr (JsonNode) bad = json_from_string ("{\"StdIn\": 7, \"StdOut\": 7}", NULL);
  g_autoptr (JsonNode) negative = json_from_string ("{\"StdErr\": -1}", NULL);
  HcsProtocolStdioRelay relay;
  JsonObject *object = json_node_get_object (request);

  /* hcsshim's numbers (internal/gcs/protocol.go: (n << 8) | 1 under 0x10100000). */
  g_assert_cmphex (HCS_PROTOCOL_CREATE, ==, 0x10100101);
  g_assert_cmphex (HCS_PROTOCOL_EXECUTE_PROCESS, ==, 0x10100501);
  g_assert_cmphex (HCS_PROTOCOL_NEGOTIATE_PROTOCOL, ==, 0x10100b01);
  g_assert_cmphex (HCS_PROTOCOL_UPDATE_CONTAINER, ==, 0x10100e01);
  g_assert_cmphex (HCS_PROTOCOL_REQUEST_TYPE (0x0d), ==, HCS_PROTOCOL_DELETE_CONTAINER_STATE);
  g_assert_cmphex (HCS_BRIDGE_RESPONSE_TYPE (HCS_PROTOCOL_WAIT_FOR_PROCESS), ==, 0x20100601);
  g_assert_cmphex (HCS_PROTOCOL_LIFECYCLE_NOTIFICATION, ==, 0x30100101);
  g_assert_cmpstr (hcs_protocol_message_name (0x10100801), ==, "ResizeConsole");
  g_assert_null (hcs_protocol_message_name (0x10100f02));

  g_assert_cmpstr (json_object_get_string_member (object, "ContainerId"), ==, "web");
  /* Documents travel as strings, as hcsshim's anyInString. */
  hcs_protocol_set_document (object, "Query", query);
  g_assert_true (JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "Query")));
  back = hcs_protocol_get_document (object, "Query", &error);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (back, query));
  json_object_set_string_member (object, "Broken", "{");
  g_assert_null (hcs_protocol_get_document (object, "Broken", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_JSON);
  g_clear_error (&error);
  g_assert_null (hcs_protocol_get_document (object, "Missing", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);

  g_assert_false (hcs_protocol_stdio_relay_from_object (json_node_get_object (bad), &relay,
                                                        &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "StdOut"));
  g_clear_error (&error);
  g_assert_false (hcs_protocol_stdio_relay_from_object (json_node_get_object (negative), &relay,
                                                        &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
}

/* --- bad and slow peers ------------------------------------------------------------ */

/* A peer that sends half a frame and stops holds up only itself. */
static void
test_half_frame (Fixture *fixture, gconstpointer data)
{
  guint8 header[HCS_BRIDGE_HEADER_SIZE];
  int stuck;

  server_start (fixture, 1, 0, 0);
  stuck = connect_raw (fixture->socket_path);
  hcs_bridge_header_encode (header, HCS_PROTOCOL_GET_PROPERTIES, 200, 1);
  g_assert_true (send_all (stuck, header, 8));
  assert_served (fixture);
  /* The rest of the header and part of a body: still waiting, still fine. */
  g_assert_true (send_all (stuck, header + 8, 8));
  g_assert_true (send_all (stuck, "{\"Contai", 8));
  assert_served (fixture);
  close (stuck);
  assert_served (fixture);
}

/* A frame over the limit closes its connection, and only that one. */
static void
test_oversized_frame (Fixture *fixture, gconstpointer data)
{
  guint8 header[HCS_BRIDGE_HEADER_SIZE];
  g_autoptr (GString) rest = NULL;
  int big;

  server_start (fixture, 1, 64 * 1024, 0);
  big = connect_raw (fixture->socket_path);
  hcs_bridge_header_encode (header, HCS_PROTOCOL_GET_PROPERTIES, 1024 * 1024, 1);
  g_assert_true (send_all (big, header, sizeof header));
  rest = read_to_end (big);      /* the server closes it, answering nothing */
  g_assert_cmpuint (rest->len, ==, 0);
  close (big);
  assert_served (fixture);
}

/* A client that sends and never reads is dropped once its answers pile
 * up past the limit; the others go on. */
static void
test_not_reading (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonNode) body = hcs_protocol_request_new (NULL);
  g_autoptr (GBytes) request = NULL;
  gboolean dropped = FALSE;
  int flood;

  server_start (fixture, 1, 64 * 1024, 64 * 1024);
  request = hcs_bridge_message_encode (HCS_PROTOCOL_NEGOTIATE_PROTOCOL, 1, body, 1024, NULL);
  flood = connect_raw (fixture->socket_path);
  /* Bounded: the socket buffers and the queue fill long before this. */
  for (guint i = 0; i < 1000000 && !dropped; i++)
    dropped = !send_all (flood, g_bytes_get_data (request, NULL), g_bytes_get_size (request));
  g_assert_true (dropped);
  close (flood);
  assert_served (fixture);
}

/* A peer that closes with a wait outstanding, or in the middle of a
 * request's work, leaves the server serving. */
static void
test_peer_closes_mid_call (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  server_start (fixture, 1, 0, 0);
  for (guint32 type = 0; type < 2; type++)
    {
      g_autoptr (JsonNode) body = hcs_protocol_request_new ("c0");
      g_autoptr (GBytes) request = NULL;
      int peer = connect_raw (fixture->socket_path);

      if (type == 0)
        request = hcs_bridge_message_encode (HCS_PROTOCOL_WAIT_FOR_CONTAINER, 1, body,
                                             HCS_BRIDGE_DEFAULT_MAX_MESSAGE, NULL);
      else
        {
          hcs_protocol_set_document (json_node_get_object (body), "Query",
                                     hcs_protocol_properties_query_new (
                                         (const char *const[]){ "ProcessList", NULL }));
          request = hcs_bridge_message_encode (HCS_PROTOCOL_GET_PROPERTIES, 1, body,
                                               HCS_BRIDGE_DEFAULT_MAX_MESSAGE, NULL);
        }
      g_assert_true (send_all (peer, g_bytes_get_data (request, NULL),
                               g_bytes_get_size (request)));
      close (peer);
      assert_served (fixture);
    }
  g_assert_no_error (error);
}

/* Unknown systems and bad bodies are errors that say what was wrong. */
static void
test_bad_requests (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsProtocolClient) client = NULL;
  g_autoptr (JsonNode) missing = hcs_protocol_request_new ("nope");
  g_autoptr (JsonNode) no_id = json_from_string ("{}", NULL);
  g_autoptr (JsonNode) bad_pid = json_from_string ("{\"ContainerId\": \"c0\", "
                                                   "\"ProcessId\": \"one\"}", NULL);
  g_autoptr (JsonNode) bad_settings = json_from_string ("{\"ContainerId\": \"c0\", \"Settings\": "
                                                        "{\"ProcessParameters\": \"[\"}}", NULL);
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (HcsContainer) container = NULL;

  server_start (fixture, 1, 0, 0);
  client = hcs_protocol_client_new (fixture->socket_path, &error);
  g_assert_no_error (error);
  container = hcs_protocol_client_open_container (client, "nope", &error);
  g_assert_null (container);
  g_assert_true (hcs_error_is_not_exist (error));
  g_clear_error (&error);
  reply = hcs_protocol_client_call_sync (client, HCS_PROTOCOL_START, missing, NULL, &error);
  g_assert_true (hcs_error_is_not_exist (error));
  g_clear_error (&error);
  reply = hcs_protocol_client_call_sync (client, HCS_PROTOCOL_START, no_id, NULL, &error);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "ContainerId"));
  g_clear_error (&error);
  reply = hcs_protocol_client_call_sync (client, HCS_PROTOCOL_WAIT_FOR_PROCESS, bad_pid, NULL,
                                         &error);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "ProcessId"));
  g_clear_error (&error);
  reply = hcs_protocol_client_call_sync (client, HCS_PROTOCOL_EXECUTE_PROCESS, bad_settings, NULL,
                                         &error);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_JSON);
  g_assert_nonnull (strstr (error->message, "ProcessParameters"));
  g_clear_error (&error);
  reply = hcs_protocol_client_call_sync (client, 0x10107701, missing, NULL, &error);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_UNKNOWN_MESSAGE);
  g_clear_error (&error);
  reply = hcs_protocol_client_call_sync (client, HCS_PROTOCOL_CREATE, missing, NULL, &error);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  assert_served (fixture);
}

/* A process whose stdio connections never come does not stall anyone;
 * one that connects late still gets what was written, then the end. */
static void
test_stdio_never_connected (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsProtocolClient) client = NULL;
  g_autoptr (HcsProcessConfig) config = hcs_process_config_new ();
  g_autoptr (JsonNode) body = hcs_protocol_request_new ("c0");
  g_autoptr (JsonNode) parameters = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (JsonNode) wait_body = hcs_protocol_request_new ("c0");
  g_autoptr (GString) output = NULL;
  JsonObject *settings = json_object_new (), *relay = json_object_new ();
  guint32 port;
  int late;

  server_start (fixture, 1, 0, 0);
  client = hcs_protocol_client_new (fixture->socket_path, &error);
  g_assert_no_error (error);
  port = hcs_protocol_client_new_port (client);
  config->command_args = g_strsplit ("echo promised", " ", -1);
  parameters = hcs_process_config_to_node (config);
  hcs_protocol_set_document (settings, "ProcessParameters", parameters);
  json_object_set_int_member (relay, "StdOut", port);
  json_object_set_object_member (settings, "VsockStdioRelaySettings", relay);
  json_object_set_object_member (json_node_get_object (body), "Settings", settings);
  reply = hcs_protocol_client_call_sync (client, HCS_PROTOCOL_EXECUTE_PROCESS, body, NULL,
                                         &error);
  g_assert_no_error (error);
  assert_served (fixture);

  json_object_set_int_member (json_node_get_object (wait_body), "ProcessId",
                              json_object_get_int_member (json_node_get_object (reply),
                                                          "ProcessId"));
  g_clear_pointer (&reply, json_node_unref);
  reply = hcs_protocol_client_call_sync (client, HCS_PROTOCOL_WAIT_FOR_PROCESS, wait_body, NULL,
                                         &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (reply), "ExitCode"), ==, 0);

  late = hcs_protocol_client_open_stdio (client, port, &error);
  g_assert_no_error (error);
  output = read_to_end (late);
  close (late);
  g_assert_cmpstr (output->str, ==, "promised\n");
}

/* --- given descriptors ------------------------------------------------------------- */

/* A raw StdioDescriptors with @n_fds descriptors: the server's answer's
 * ErrorCode (0 when it took them). */
static gint64
give_raw (Fixture *fixture, const int *fds, int n_fds)
{
  g_autoptr (JsonNode) body = json_node_init_object (json_node_alloc (), json_object_new ());
  g_autoptr (GBytes) hello = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GString) answer = NULL;
  char byte = 0;
  struct iovec iov = { &byte, 1 };
  union {
    struct cmsghdr header;
    char space[CMSG_SPACE (sizeof (int) * 4)];
  } control = { 0 };
  struct msghdr message = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.space,
                            .msg_controllen = CMSG_SPACE (sizeof (int) * n_fds) };
  struct cmsghdr *cmsg = CMSG_FIRSTHDR (&message);
  int fd = connect_raw (fixture->socket_path);

  json_object_set_int_member (json_node_get_object (body), "Port", 77);
  hello = hcs_bridge_message_encode (HCS_PROTOCOL_STDIO_DESCRIPTORS, 9, body, 1 << 20, NULL);
  g_assert_true (send_all (fd, g_bytes_get_data (hello, NULL), g_bytes_get_size (hello)));
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int) * n_fds);
  memcpy (CMSG_DATA (cmsg), fds, sizeof (int) * n_fds);
  g_assert_cmpint (sendmsg (fd, &message, MSG_NOSIGNAL), ==, 1);
  /* The answer, then the end: the server drops what it was refused, and
   * what it took once this connection ends. */
  shutdown (fd, SHUT_WR);
  answer = read_to_end (fd);
  close (fd);
  g_assert_cmpuint (answer->len, >, HCS_BRIDGE_HEADER_SIZE);
  g_assert_true (json_parser_load_from_data (parser, answer->str + HCS_BRIDGE_HEADER_SIZE,
                                             answer->len - HCS_BRIDGE_HEADER_SIZE, NULL));
  return json_object_get_int_member_with_default (
      json_node_get_object (json_parser_get_root (parser)), "ErrorCode", 0);
}

/* A caller's own descriptors as an exec's stdio: handed over checked (the
 * count, what each is, its direction), written to by the process itself. */
static void
test_stdio_descriptors (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsProtocolClient) client = NULL;
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcessConfig) config = hcs_process_config_new ();
  g_autoptr (HcsProcess) process = NULL;
  g_autoptr (GString) out = NULL;
  g_autoptr (GString) err = NULL;
  int out_pipe[2], err_pipe[2];
  int null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  int dir_fd = open ("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int exit_code = -1;

  server_start (fixture, 1, 0, 0);
  g_assert_cmpint (pipe2 (out_pipe, O_CLOEXEC), ==, 0);
  g_assert_cmpint (pipe2 (err_pipe, O_CLOEXEC), ==, 0);
  {
    int two[2] = { null_fd, out_pipe[1] };
    int folder[3] = { null_fd, dir_fd, err_pipe[1] };
    int backwards[3] = { out_pipe[1], out_pipe[1], err_pipe[1] };
    int good[3] = { null_fd, out_pipe[1], err_pipe[1] };

    g_assert_cmpint (give_raw (fixture, two, 2), ==, HCS_ERROR_INVALID_DATA);
    g_assert_cmpint (give_raw (fixture, folder, 3), ==, HCS_ERROR_INVALID_DATA);
    g_assert_cmpint (give_raw (fixture, backwards, 3), ==, HCS_ERROR_INVALID_DATA);
    g_assert_cmpint (give_raw (fixture, good, 3), ==, 0);
  }
  client = hcs_protocol_client_new (fixture->socket_path, &error);
  g_assert_no_error (error);
  {
    int folder[3] = { null_fd, dir_fd, err_pipe[1] };
    int fd = hcs_protocol_client_give_stdio (client, 5, folder, &error);

    g_assert_cmpint (fd, ==, -1);
    g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "stdout descriptor is a folder"));
    g_clear_error (&error);
  }
  container = hcs_protocol_client_open_container (client, "c0", &error);
  g_assert_no_error (error);
  config->command_args = g_strdupv ((char *[]) { "sh", "-c", "echo out; echo err >&2", NULL });
  config->use_stdio_fds = TRUE;
  config->stdio_fds[0] = null_fd;
  config->stdio_fds[1] = out_pipe[1];
  config->stdio_fds[2] = err_pipe[1];
  process = hcs_container_create_process (container, config, &error);
  g_assert_no_error (error);
  close (out_pipe[1]);
  close (err_pipe[1]);
  /* Their end comes once the process (the only other writer) is gone:
   * the server kept no copy. */
  out = read_to_end (out_pipe[0]);
  err = read_to_end (err_pipe[0]);
  g_assert_cmpstr (out->str, ==, "out\n");
  g_assert_cmpstr (err->str, ==, "err\n");
  g_assert_true (hcs_process_wait_timeout (process, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_get_exit_code (process, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 0);
  /* A port nobody gave descriptors for is refused, naming it. */
  {
    g_autoptr (JsonNode) body = hcs_protocol_request_new ("c0");
    g_autoptr (JsonNode) parameters = hcs_process_config_to_node (config);
    g_autoptr (JsonNode) reply = NULL;
    JsonObject *settings = json_object_new ();

    hcs_protocol_set_document (settings, "ProcessParameters", parameters);
    json_object_set_int_member (settings, "StdioDescriptors", 4242);
    json_object_set_object_member (json_node_get_object (body), "Settings", settings);
    reply = hcs_protocol_client_call_sync (client, HCS_PROTOCOL_EXECUTE_PROCESS, body, NULL,
                                           &error);
    g_assert_null (reply);
    g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "port 4242"));
  }
  close (out_pipe[0]);
  close (err_pipe[0]);
  close (null_fd);
  close (dir_fd);
}

/* --- many containers on one connection ------------------------------------------- */

typedef struct {
  guint done;
  guint failed;
} WaitCount;

static void
process_waited_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  WaitCount *count = data;
  g_autoptr (GError) error = NULL;

  if (hcs_process_wait_finish (HCS_PROCESS (source), result, &error))
    count->done++;
  else
    count->failed++;
}

static void
container_waited_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  WaitCount *count = data;
  g_autoptr (GError) error = NULL;

  if (hcs_container_wait_finish (HCS_CONTAINER (source), result, &error))
    count->done++;
  else
    count->failed++;
}

static char *
read_stream (GInputStream *stream)
{
  g_autoptr (GString) text = g_string_new (NULL);
  char buffer[256];
  gssize n;

  while ((n = g_input_stream_read (stream, buffer, sizeof buffer, NULL, NULL)) > 0)
    g_string_append_len (text, buffer, n);
  g_assert_cmpint (n, ==, 0);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_many_containers (Fixture *fixture, gconstpointer data)
{
  enum { N = 3 };
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsProtocolClient) client = NULL;
  HcsContainer *containers[N];
  HcsProcess *waiters[N], *talkers[N];
  WaitCount waits = { 0 };

  server_start (fixture, N, 0, 0);
  client = hcs_protocol_client_new (fixture->socket_path, &error);
  g_assert_no_error (error);
  for (int i = 0; i < N; i++)
    {
      g_autofree char *id = g_strdup_printf ("c%d", i);
      g_autoptr (HcsProcessConfig) config = hcs_process_config_new ();
      g_autofree char *script = g_strdup_printf ("read x; exit %d", 10 + i);

      containers[i] = hcs_protocol_client_open_container (client, id, &error);
      g_assert_no_error (error);
      /* One process per system that waits for its stdin, waited for now. */
      config->command_args = g_strsplit ("sh -c _", " ", -1);
      g_free (config->command_args[2]);
      config->command_args[2] = g_steal_pointer (&script);
      config->create_stdin_pipe = TRUE;
      waiters[i] = hcs_container_create_process (containers[i], config, &error);
      g_assert_no_error (error);
      hcs_process_wait_async (waiters[i], NULL, process_waited_cb, &waits);
    }
  /* Meanwhile, on the same connection: output from each, out of order. */
  for (int i = N - 1; i >= 0; i--)
    {
      g_autoptr (HcsProcessConfig) config = hcs_process_config_new ();
      g_autofree char *output = NULL, *errors = NULL, *expected = NULL;
      int exit_code = -1;

      config->command_args = g_strsplit ("sh -c _", " ", -1);
      g_free (config->command_args[2]);
      config->command_args[2] = g_strdup_printf ("cat; echo from-%d >&2", i);
      config->create_stdin_pipe = config->create_stdout_pipe = config->create_stderr_pipe = TRUE;
      talkers[i] = hcs_container_create_process (containers[i], config, &error);
      g_assert_no_error (error);
      expected = g_strdup_printf ("stdin of %d\n", i);
      g_assert_true (g_output_stream_write_all (hcs_process_get_stdin (talkers[i]), expected,
                                                strlen (expected), NULL, NULL, &error));
      /* The half-close: stdin's end reaches cat, which ends, and so does stdout. */
      g_assert_true (hcs_process_close_stdin (talkers[i], &error));
      output = read_stream (hcs_process_get_stdout (talkers[i]));
      errors = read_stream (hcs_process_get_stderr (talkers[i]));
      g_assert_cmpstr (output, ==, expected);
      g_free (expected);
      expected = g_strdup_printf ("from-%d\n", i);
      g_assert_cmpstr (errors, ==, expected);
      g_assert_true (hcs_process_wait_timeout (talkers[i], 10000, NULL, &error));
      g_assert_true (hcs_process_get_exit_code (talkers[i], &exit_code, &error));
      g_assert_cmpint (exit_code, ==, 0);
      g_assert_cmpuint (waits.done, ==, 0);
    }
  /* A sync wait with a limit, while the async ones are outstanding. */
  g_assert_false (hcs_process_wait_timeout (waiters[0], 50, NULL, &error));
  g_assert_true (hcs_error_is_timeout (error));
  g_clear_error (&error);
  for (int i = 0; i < N; i++)
    {
      g_assert_true (g_output_stream_write_all (hcs_process_get_stdin (waiters[i]), "go\n", 3,
                                                NULL, NULL, &error));
      while (waits.done < (guint) i + 1)
        g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (waits.failed, ==, 0);
  for (int i = 0; i < N; i++)
    {
      int exit_code = -1;

      g_assert_true (hcs_process_get_exit_code (waiters[i], &exit_code, &error));
      g_assert_cmpint (exit_code, ==, 10 + i);
      g_object_unref (waiters[i]);
      g_object_unref (talkers[i]);
    }
  /* Systems' waits, outstanding together, answered when each stops. */
  {
    WaitCount stopped = { 0 };

    g_assert_false (hcs_container_wait_timeout (containers[1], 0, NULL, &error));
    g_assert_true (hcs_error_is_timeout (error));
    g_clear_error (&error);
    for (int i = 0; i < N; i++)
      hcs_container_wait_async (containers[i], NULL, container_waited_cb, &stopped);
    for (int i = 0; i < N; i++)
      {
        g_assert_true (hcs_container_terminate (containers[i], &error));
        g_assert_no_error (error);
      }
    while (stopped.done + stopped.failed < N)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (stopped.done, ==, N);
    g_assert_true (hcs_container_wait_timeout (containers[0], 0, NULL, &error));
    g_assert_no_error (error);
  }
  for (int i = 0; i < N; i++)
    g_object_unref (containers[i]);
}

/* A console relayed both ways, resized through the protocol. */
static void
test_console_resize (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsProtocolClient) client = NULL;
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) process = NULL;
  g_autoptr (HcsProcessConfig) config = hcs_process_config_new ();
  g_autofree char *output = NULL;

  server_start (fixture, 1, 0, 0);
  client = hcs_protocol_client_new (fixture->socket_path, &error);
  g_assert_no_error (error);
  container = hcs_protocol_client_open_container (client, "c0", &error);
  g_assert_no_error (error);
  config->command_args = g_strsplit ("sh -c _", " ", -1);
  g_free (config->command_args[2]);
  config->command_args[2] = g_strdup ("read x; stty size");
  config->emulate_console = TRUE;
  process = hcs_container_create_process (container, config, &error);
  g_assert_no_error (error);
  g_assert_nonnull (hcs_process_get_stdin (process));
  g_assert_nonnull (hcs_process_get_stdout (process));
  g_assert_null (hcs_process_get_stderr (process));
  g_assert_true (hcs_process_resize_console (process, 100, 40, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (hcs_process_get_stdin (process), "\n", 1, NULL, NULL,
                                            &error));
  output = read_stream (hcs_process_get_stdout (process));
  g_assert_nonnull (strstr (output, "40 100"));
  g_assert_true (hcs_process_wait_timeout (process, 10000, NULL, &error));
}

/* --- a server that never answers ---------------------------------------------------- */

typedef struct {
  char *socket_path;
  GMainContext *context;
  GMainLoop *loop;
  GPtrArray *bridges;
  GMutex lock;
  GCond cond;
  gboolean ready;
  /* What answers the requests (NULL: mute_request_cb), and its data. */
  GCallback request_cb;
  gpointer request_data;
} Mute;

/* Opens any system, then answers nothing more: a hung or hostile guest. */
static void
mute_request_cb (HcsBridge *bridge, guint type, guint64 id, JsonNode *body, gpointer data)
{
  if (type == HCS_PROTOCOL_OPEN_CONTAINER)
    {
      g_autoptr (JsonNode) reply = json_from_string ("{\"Events\": []}", NULL);
      hcs_bridge_respond (bridge, type, id, reply, NULL);
    }
  else if (type == HCS_PROTOCOL_START)
    {
      /* A failure as hcsshim's guest says it: responseBase alone. */
      g_autoptr (JsonNode) reply =
          json_from_string ("{\"Result\": -2147467259, \"ErrorMessage\": \"no init\"}", NULL);
      hcs_bridge_respond (bridge, type, id, reply, NULL);
    }
}

static gboolean
mute_incoming_cb (GSocketService *service, GSocketConnection *connection, GObject *source,
                  gpointer data)
{
  Mute *mute = data;
  HcsBridge *bridge = hcs_bridge_new (G_IO_STREAM (connection), 0);

  g_signal_connect (bridge, "request",
                    mute->request_cb ? mute->request_cb : G_CALLBACK (mute_request_cb),
                    mute->request_data);
  hcs_bridge_start (bridge);
  g_ptr_array_add (mute->bridges, bridge);
  return TRUE;
}

static gpointer
mute_main (gpointer data)
{
  Mute *mute = data;
  g_autoptr (GSocketService) service = g_socket_service_new ();
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (mute->socket_path);
  g_autoptr (GError) error = NULL;

  g_main_context_push_thread_default (mute->context);
  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (mute_incoming_cb), mute);
  g_socket_service_start (service);
  g_mutex_lock (&mute->lock);
  mute->ready = TRUE;
  g_cond_signal (&mute->cond);
  g_mutex_unlock (&mute->lock);
  g_main_loop_run (mute->loop);
  g_socket_service_stop (service);
  for (guint i = 0; i < mute->bridges->len; i++)
    hcs_bridge_close (mute->bridges->pdata[i]);
  g_ptr_array_set_size (mute->bridges, 0);
  while (g_main_context_iteration (mute->context, FALSE))
    ;
  g_main_context_pop_thread_default (mute->context);
  return NULL;
}

/* A sync wait with a limit ends even when the server never answers; an
 * error in hcsshim's own form (Result, ErrorMessage) is an error. */
static void
test_server_never_answers (Fixture *fixture, gconstpointer data)
{
  Mute mute = { 0 };
  GThread *thread;
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsProtocolClient) client = NULL;
  g_autoptr (HcsContainer) container = NULL;

  mute.socket_path = fixture->socket_path;
  mute.context = g_main_context_new ();
  mute.loop = g_main_loop_new (mute.context, FALSE);
  mute.bridges = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_init (&mute.lock);
  g_cond_init (&mute.cond);
  thread = g_thread_new ("mute", mute_main, &mute);
  g_mutex_lock (&mute.lock);
  while (!mute.ready)
    g_cond_wait (&mute.cond, &mute.lock);
  g_mutex_unlock (&mute.lock);

  client = hcs_protocol_client_new (fixture->socket_path, &error);
  g_assert_no_error (error);
  container = hcs_protocol_client_open_container (client, "silent", &error);
  g_assert_no_error (error);
  g_assert_false (hcs_container_wait_timeout (container, 0, NULL, &error));
  g_assert_true (hcs_error_is_timeout (error));
  g_clear_error (&error);
  g_assert_false (hcs_container_start (container, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "no init"));
  g_assert_nonnull (strstr (error->message, "0x80004005"));
  g_clear_error (&error);
  /* A request it takes and never answers: with a call deadline, the call
   * fails as a timeout and the server is taken as lost (the system
   * Stopped with UnexpectedExit, later calls refused naming it). */
  hcs_protocol_client_set_call_timeout (client, 200);
  g_assert_false (hcs_container_pause (container, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "Pause"));
  g_clear_error (&error);
  g_assert_true (hcs_container_wait_timeout (container, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_protocol_client_is_lost (client));
  {
    g_autoptr (HcsContainerProperties) props = hcs_container_query_properties (container, &error);

    g_assert_no_error (error);
    g_assert_true (props->stopped);
    g_assert_cmpstr (props->exit_type, ==, "UnexpectedExit");
  }
  g_assert_false (hcs_container_resume (container, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);
  g_assert_nonnull (strstr (error->message, "silent"));
  g_clear_object (&container);
  g_clear_object (&client);

  g_main_loop_quit (mute.loop);
  g_thread_join (thread);
  g_ptr_array_unref (mute.bridges);
  g_main_loop_unref (mute.loop);
  g_main_context_unref (mute.context);
  g_mutex_clear (&mute.lock);
  g_cond_clear (&mute.cond);
}

/* --- a server that goes away ------------------------------------------------------- */

/* The waits a Cut server holds before it goes: two container waits (one
 * async, one sync) and two process waits (the process proxy's own exit
 * watch and an async wait). */
#define CUT_CONTAINER_WAITS 2
#define CUT_PROCESS_WAITS 2

typedef struct {
  Mute mute;                   /* the thread, loop and bridges of a mute server */
  gboolean garbage;            /* goes with a broken frame rather than an end of stream */
  guint container_waits, process_waits;
} Cut;

static void
cut_request_cb (HcsBridge *bridge, guint type, guint64 id, JsonNode *body, gpointer data)
{
  Cut *cut = data;
  g_autoptr (JsonNode) reply = NULL;

  switch (type)
    {
    case HCS_PROTOCOL_OPEN_CONTAINER:
      reply = json_from_string ("{\"Events\": [{\"ContainerId\": \"c0\", \"Sequence\": 1, "
                                "\"Event\": \"create\", \"Time\": 1}]}", NULL);
      break;
    case HCS_PROTOCOL_GET_PROPERTIES:
      reply = json_from_string ("{\"Properties\": {\"Id\": \"c0\", \"SystemType\": "
                                "\"Container\", \"State\": \"Running\", \"Stopped\": false, "
                                "\"InitProcessId\": 41}}", NULL);
      break;
    case HCS_PROTOCOL_EXECUTE_PROCESS:
      reply = json_from_string ("{\"ProcessId\": 42}", NULL);
      break;
    case HCS_PROTOCOL_WAIT_FOR_CONTAINER:
      cut->container_waits++;
      break;
    case HCS_PROTOCOL_WAIT_FOR_PROCESS:
      cut->process_waits++;
      break;
    default:
      break;
    }
  if (reply != NULL)
    hcs_bridge_respond (bridge, type, id, reply, NULL);
  /* Every wait is outstanding: the peer dies under them. */
  if (cut->container_waits == CUT_CONTAINER_WAITS && cut->process_waits == CUT_PROCESS_WAITS)
    {
      cut->container_waits++;
      if (cut->garbage)
        {
          /* A header no bridge takes: the client closes with an error. */
          static const char junk[32] = "this is no bridge frame at all!";
          g_output_stream_write_all (g_io_stream_get_output_stream (
                                         hcs_bridge_get_stream (bridge)),
                                     junk, sizeof junk, NULL, NULL, NULL);
        }
      else
        hcs_bridge_close (bridge);
    }
}

typedef struct {
  guint pending;               /* async waits and signals still to come */
  gboolean container_waited, process_waited;
  int container_exit_code, process_exit_code;
  guint removed_calls;
} CutWatch;

static void
cut_container_waited_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  CutWatch *watch = data;
  g_autoptr (GError) error = NULL;

  watch->container_waited = hcs_container_wait_finish (HCS_CONTAINER (source), result, &error);
  g_assert_no_error (error);
  watch->pending--;
}

static void
cut_process_waited_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  CutWatch *watch = data;
  g_autoptr (GError) error = NULL;

  watch->process_waited = hcs_process_wait_finish (HCS_PROCESS (source), result, &error);
  g_assert_no_error (error);
  watch->pending--;
}

static void
cut_container_exited_cb (HcsContainer *container, int exit_code, gpointer data)
{
  CutWatch *watch = data;

  watch->container_exit_code = exit_code;
  watch->pending--;
}

static void
cut_process_exited_cb (HcsProcess *process, int exit_code, gpointer data)
{
  CutWatch *watch = data;

  watch->process_exit_code = exit_code;
  watch->pending--;
}

static gpointer
cut_sync_wait_main (gpointer data)
{
  g_autoptr (GError) error = NULL;
  gboolean waited = hcs_container_wait_timeout (data, -1, NULL, &error);

  g_assert_no_error (error);
  return GINT_TO_POINTER (waited);
}

static void
cut_removed_cb (HcsContainer *proxy, gpointer data)
{
  CutWatch *watch = data;

  g_assert_cmpstr (hcs_container_get_id (proxy), ==, "c0");
  watch->removed_calls++;
}

/* The server goes (an end of stream, or a frame that breaks the
 * protocol) under outstanding sync and async waits: every wait ends as
 * at a stop, the system is Stopped with UnexpectedExit, the process
 * exited with HCS_PROTOCOL_LOST_EXIT_CODE, later calls fail naming the
 * system, and remove succeeds locally only with the owner's hook. */
static void
test_server_goes (Fixture *fixture, gconstpointer data)
{
  Cut cut = { .garbage = GPOINTER_TO_INT (data) };
  CutWatch watch = { .pending = 4, .container_exit_code = -1, .process_exit_code = -1 };
  GThread *thread, *waiter;
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsProtocolClient) client = NULL;
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) process = NULL;
  g_autoptr (HcsProcessConfig) config = hcs_process_config_new ();
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (HcsStatistics) stats = NULL;
  GMainContext *context = g_main_context_default ();
  int exit_code = -1;

  cut.mute.socket_path = fixture->socket_path;
  cut.mute.context = g_main_context_new ();
  cut.mute.loop = g_main_loop_new (cut.mute.context, FALSE);
  cut.mute.bridges = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_init (&cut.mute.lock);
  g_cond_init (&cut.mute.cond);
  cut.mute.request_cb = G_CALLBACK (cut_request_cb);
  cut.mute.request_data = &cut;
  thread = g_thread_new ("cut", mute_main, &cut.mute);
  g_mutex_lock (&cut.mute.lock);
  while (!cut.mute.ready)
    g_cond_wait (&cut.mute.cond, &cut.mute.lock);
  g_mutex_unlock (&cut.mute.lock);

  client = hcs_protocol_client_new (fixture->socket_path, &error);
  g_assert_no_error (error);
  container = hcs_protocol_client_open_container (client, "c0", &error);
  g_assert_no_error (error);
  props = hcs_container_query_properties (container, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (props->state, ==, "Running");
  g_clear_pointer (&props, hcs_container_properties_free);
  config->command_args = g_strsplit ("sleep 1000", " ", -1);
  process = hcs_container_create_process (container, config, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hcs_process_get_pid (process), ==, 42);
  g_signal_connect (container, "exited", G_CALLBACK (cut_container_exited_cb), &watch);
  g_signal_connect (process, "exited", G_CALLBACK (cut_process_exited_cb), &watch);
  hcs_container_wait_async (container, NULL, cut_container_waited_cb, &watch);
  hcs_process_wait_async (process, NULL, cut_process_waited_cb, &watch);
  waiter = g_thread_new ("sync-wait", cut_sync_wait_main, container);

  g_assert_true (GPOINTER_TO_INT (g_thread_join (waiter)));
  while (watch.pending > 0)
    g_main_context_iteration (context, TRUE);
  g_assert_true (watch.container_waited);
  g_assert_true (watch.process_waited);
  g_assert_cmpint (watch.container_exit_code, ==, HCS_PROTOCOL_LOST_EXIT_CODE);
  g_assert_cmpint (watch.process_exit_code, ==, HCS_PROTOCOL_LOST_EXIT_CODE);

  /* Waits from now on end at once, as for any stopped system. */
  g_assert_true (hcs_container_wait_timeout (container, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_wait_timeout (process, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_get_exit_code (process, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, HCS_PROTOCOL_LOST_EXIT_CODE);
  props = hcs_container_query_properties (container, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (props->id, ==, "c0");
  g_assert_cmpstr (props->state, ==, "Stopped");
  g_assert_true (props->stopped);
  g_assert_cmpstr (props->exit_type, ==, "UnexpectedExit");
  g_assert_cmpint (props->exit_code, ==, HCS_PROTOCOL_LOST_EXIT_CODE);
  g_assert_cmpuint (props->init_process_id, ==, 41);

  /* What needs the server fails, naming the system. */
  g_assert_false (hcs_container_start (container, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);
  g_assert_nonnull (strstr (error->message, "'c0'"));
  g_clear_error (&error);
  stats = hcs_container_get_statistics (container, &error);
  g_assert_null (stats);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);
  g_clear_error (&error);
  g_assert_false (hcs_process_kill (process, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);
  g_clear_error (&error);

  /* No owner's hook: nothing here can undo what the server held. */
  g_assert_false (hcs_container_remove (container, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);
  g_clear_error (&error);
  hcs_protocol_container_set_removed_func (container, cut_removed_cb, &watch);
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (watch.removed_calls, ==, 1);

  g_clear_object (&process);
  g_clear_object (&container);
  g_clear_object (&client);
  g_main_loop_quit (cut.mute.loop);
  g_thread_join (thread);
  g_ptr_array_unref (cut.mute.bridges);
  g_main_loop_unref (cut.mute.loop);
  g_main_context_unref (cut.mute.context);
  g_mutex_clear (&cut.mute.lock);
  g_cond_clear (&cut.mute.cond);
}

/* SetTerminalModes: what changed, by name; a peer's Modes checked whole. */
static void
test_terminal_modes (void)
{
  static const char *const bad[] = {
    "[]",
    "{\"Flags\": {\"ECHO\": false}, \"Baud\": 9600}",
    "{\"Flags\": [\"ECHO\"]}",
    "{\"Flags\": {\"ECHOX\": false}}",
    "{\"Flags\": {\"ECHO\": 0}}",
    "{\"ControlChars\": {\"VINTR\": 256}}",
    "{\"ControlChars\": {\"VINTR\": -1}}",
    "{\"ControlChars\": {\"VINTR\": \"^C\"}}",
    "{\"ControlChars\": {\"VMIN\": 1}}",
  };
  struct termios before = { 0 }, after, applied;
  g_autoptr (JsonNode) changes = NULL;
  g_autoptr (GError) error = NULL;
  JsonObject *flags;

  g_assert_cmphex (HCS_PROTOCOL_SET_TERMINAL_MODES, ==, HCS_PROTOCOL_REQUEST_TYPE (0x46));
  g_assert_cmpstr (hcs_protocol_message_name (HCS_PROTOCOL_SET_TERMINAL_MODES), ==,
                   "SetTerminalModes");
  before.c_iflag = ICRNL | IXON;
  before.c_oflag = OPOST | ONLCR;
  before.c_lflag = ISIG | ICANON | ECHO | ECHOE;
  before.c_cc[VINTR] = 3;
  before.c_cc[VEOF] = 4;
  g_assert_null (hcs_protocol_terminal_modes_diff (&before, &before));

  after = before;
  cfmakeraw (&after);
  after.c_cc[VINTR] = 7;
  changes = hcs_protocol_terminal_modes_diff (&before, &after);
  g_assert_nonnull (changes);
  flags = json_object_get_object_member (json_node_get_object (changes), "Flags");
  /* Only what changed: ECHOE stays as it was. */
  g_assert_false (json_object_get_boolean_member (flags, "ECHO"));
  g_assert_false (json_object_get_boolean_member (flags, "ICANON"));
  g_assert_false (json_object_has_member (flags, "ECHOE"));
  applied = before;
  g_assert_true (hcs_protocol_terminal_modes_apply (changes, &applied, &error));
  g_assert_no_error (error);
  g_assert_cmphex (applied.c_lflag, ==, after.c_lflag);
  g_assert_cmphex (applied.c_iflag, ==, after.c_iflag);
  g_assert_cmphex (applied.c_oflag, ==, after.c_oflag);
  g_assert_cmpint (applied.c_cc[VINTR], ==, 7);
  g_assert_cmpint (applied.c_cc[VEOF], ==, 4);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (JsonNode) node = json_from_string (bad[i], NULL);
      struct termios untouched = before;

      g_assert_false (hcs_protocol_terminal_modes_apply (node, &untouched, &error));
      g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, "SetTerminalModes"));
      g_assert_cmpmem (&untouched, sizeof untouched, &before, sizeof before);
      g_clear_error (&error);
    }
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);
  g_test_add_func ("/protocol/messages/numbers", test_numbers);
  g_test_add_func ("/protocol/messages/terminal-modes", test_terminal_modes);
#define ADD(path, func)                                                                            \
  g_test_add ("/protocol/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("peer/half-frame", test_half_frame);
  ADD ("peer/oversized-frame", test_oversized_frame);
  ADD ("peer/not-reading", test_not_reading);
  ADD ("peer/closes-mid-call", test_peer_closes_mid_call);
  ADD ("peer/bad-requests", test_bad_requests);
  ADD ("stdio/never-connected", test_stdio_never_connected);
  ADD ("stdio/descriptors", test_stdio_descriptors);
  ADD ("proxy/many-containers", test_many_containers);
  ADD ("proxy/console-resize", test_console_resize);
  ADD ("proxy/server-never-answers", test_server_never_answers);
  g_test_add ("/protocol/proxy/server-hangs-up", Fixture, GINT_TO_POINTER (FALSE), fixture_set_up,
              test_server_goes, fixture_tear_down);
  g_test_add ("/protocol/proxy/server-breaks-protocol", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_server_goes, fixture_tear_down);
  result = g_test_run ();
  test_cleanup_cgroup_parent ();
  return result;
}
