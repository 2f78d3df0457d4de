/* fuzz-bridge.c: the bridge protocol's reader with any bytes a peer (a
 * client of a monitor, or an untrusted guest) could send.
 *
 * The bytes arrive over a real socket, read by hcs_bridge's own loop:
 * headers decoded, sizes checked against the limit, bodies parsed; each
 * request's and notification's body also goes through the document
 * parsers a server would hand it to, and is encoded back. A bad message
 * must close the connection with an error, never crash or hang.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs.h"
#include "hcs-bridge.h"
#include "hcs-documents.h"

#include <gio/gunixsocketaddress.h>
#include <sys/socket.h>
#include <unistd.h>

#define FUZZ_MAX_MESSAGE (64 * 1024)

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
body_cb (HcsBridge *bridge, guint type, guint64 id, JsonNode *body, gpointer user_data)
{
  g_autoptr (GBytes) encoded = hcs_bridge_message_encode (type, id, body, FUZZ_MAX_MESSAGE, NULL);
  g_autoptr (HcsContainerConfig) container = hcs_container_config_from_node (body, NULL, NULL);
  g_autoptr (HcsProcessConfig) process = hcs_process_config_from_node (body, NULL);

  (void) encoded;
}

static void
notification_cb (HcsBridge *bridge, guint type, JsonNode *body, gpointer user_data)
{
  body_cb (bridge, type, 0, body, user_data);
}

static void
closed_cb (HcsBridge *bridge, GError *error, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (HcsBridge) bridge = NULL;
  gboolean closed = FALSE;
  int fds[2];

  /* The framing alone, on the first header's bytes. */
  if (size >= HCS_BRIDGE_HEADER_SIZE)
    {
      guint32 type, length;
      guint64 id;
      hcs_bridge_header_decode (data, FUZZ_MAX_MESSAGE, &type, &length, &id, NULL);
    }

  /* The inputs are small (libFuzzer's -max_len): the whole fits in the
   * socket's buffer, written before the reader starts. */
  g_assert (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  g_assert (write (fds[1], data, size) == (gssize) size || size == 0);
  shutdown (fds[1], SHUT_WR);

  g_main_context_push_thread_default (context);
  socket = g_socket_new_from_fd (fds[0], NULL);
  g_assert (socket != NULL);
  connection = g_socket_connection_factory_create_connection (socket);
  bridge = hcs_bridge_new (G_IO_STREAM (connection), FUZZ_MAX_MESSAGE);
  g_signal_connect (bridge, "request", G_CALLBACK (body_cb), NULL);
  g_signal_connect (bridge, "notification", G_CALLBACK (notification_cb), NULL);
  g_signal_connect (bridge, "closed", G_CALLBACK (closed_cb), &closed);
  hcs_bridge_start (bridge);
  while (!closed)
    g_main_context_iteration (context, TRUE);
  hcs_bridge_close (bridge);
  g_main_context_pop_thread_default (context);
  /* Pending callbacks of the closed stream. */
  while (g_main_context_iteration (context, FALSE))
    ;
  close (fds[1]);
  return 0;
}
