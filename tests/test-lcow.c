/* test-lcow.c: plugins/lcow end to end, through the public API and hcsctl.
 *
 * One host (so one utility VM, TCG here) is shared by the tests, in order;
 * the last lets it go and checks nothing is left: no QEMU, no run folder.
 * hcsctl run boots a UVM of its own in its own process.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static struct
{
  char *temp_dir;
  HcsHost *host;
  HcsContainer *sleeper; /* a running container the exec tests use */
} shared;

/* The QEMU processes that are our children; @pid_out gets one. */
static guint
find_our_qemus (GPid *pid_out)
{
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  g_autofree char *parent = g_strdup_printf ("%d", (int) getpid ());
  const char *name;
  guint count = 0;

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *stat_path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *stat = NULL;
      g_auto (GStrv) fields = NULL;
      const char *after;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (stat_path, &stat, NULL, NULL) ||
          (after = strrchr (stat, ')')) == NULL)
        continue;
      fields = g_strsplit (after + 2, " ", 3);
      if (g_strv_length (fields) >= 2 && g_str_equal (fields[1], parent) &&
          strstr (stat, "(qemu-system-") != NULL && fields[0][0] != 'Z')
        {
          count++;
          if (pid_out != NULL)
            *pid_out = atoi (name);
        }
    }
  return count;
}

static guint
count_our_qemus (void)
{
  return find_our_qemus (NULL);
}

static HcsContainerConfig *
make_config (const char *const *argv)
{
  HcsContainerConfig *config = hcs_container_config_new ();

  config->owner = g_strdup ("test-lcow");
  /* No root file system: the guest's busybox image. */
  config->process = hcs_process_config_new ();
  config->process->command_args = g_strdupv ((char **) argv);
  config->process->create_stdin_pipe = TRUE;
  config->process->create_stdout_pipe = TRUE;
  config->process->create_stderr_pipe = TRUE;
  return config;
}

static void
test_init_stdio (void)
{
  const char *argv[] = { "sh", "-c", "echo out; echo err >&2; tr a-z A-Z; exit 7", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  int exit_code = -1;

  g_assert_cmpuint (count_our_qemus (), ==, 0);
  container = hcs_host_create_container (shared.host, "lcow-init", config, NULL, &error);
  g_assert_no_error (error);
  /* The UVM came up for it: one QEMU. */
  g_assert_cmpuint (count_our_qemus (), ==, 1);
  init = hcs_container_get_init_process (container, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  g_output_stream_write_all (hcs_process_get_stdin (init), "ping\n", 5, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_process_close_stdin (init, &error));
  g_assert_no_error (error);
  out = test_read_all (hcs_process_get_stdout (init));
  err = test_read_all (hcs_process_get_stderr (init));
  g_assert_cmpstr (out, ==, "out\nPING\n");
  g_assert_cmpstr (err, ==, "err\n");
  g_assert_true (hcs_process_wait_timeout (init, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_get_exit_code (init, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 7);
  g_assert_true (hcs_container_wait_timeout (container, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
}

static void
test_exec (void)
{
  const char *sleeper[] = { "sleep", "1000", NULL };
  const char *argv[] = { "sh", "-c", "echo from exec; ps -o args; exit 3", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (sleeper);
  g_autoptr (HcsProcessConfig) process = hcs_process_config_new ();
  g_autoptr (HcsProcess) exec = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  int exit_code = -1;

  config->process->create_stdin_pipe = FALSE;
  config->process->create_stdout_pipe = FALSE;
  config->process->create_stderr_pipe = FALSE;
  shared.sleeper = hcs_host_create_container (shared.host, "lcow-sleeper", config, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (shared.sleeper, &error));
  g_assert_no_error (error);
  /* Still the one UVM. */
  g_assert_cmpuint (count_our_qemus (), ==, 1);

  process->command_args = g_strdupv ((char **) argv);
  process->create_stdout_pipe = TRUE;
  exec = hcs_container_create_process (shared.sleeper, process, &error);
  g_assert_no_error (error);
  out = test_read_all (hcs_process_get_stdout (exec));
  g_assert_true (g_str_has_prefix (out, "from exec\n"));
  /* It sees its container's init, in a namespace of its own. */
  g_assert_nonnull (strstr (out, "sleep 1000"));
  g_assert_null (strstr (out, "hcs-gcs"));
  g_assert_true (hcs_process_wait_timeout (exec, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_get_exit_code (exec, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 3);
}

/* Reads @stream into @seen until @marker shows (the process goes on). */
static void
read_until (GInputStream *stream, GString *seen, const char *marker)
{
  while (strstr (seen->str, marker) == NULL)
    {
      char buffer[4096];
      g_autoptr (GError) error = NULL;
      gssize length = g_input_stream_read (stream, buffer, sizeof buffer, NULL, &error);

      g_assert_no_error (error);
      if (length == 0)
        g_error ("the stream ended before '%s'; it said:\n%s", marker, seen->str);
      g_string_append_len (seen, buffer, length);
    }
}

/* The taps hcs made in the test's network namespace. */
static guint
count_taps (void)
{
  /* Not /sys/class/net: sysfs shows the namespace of whoever mounted it. */
  struct if_nameindex *links = if_nameindex ();
  guint count = 0;

  g_assert_nonnull (links);
  for (struct if_nameindex *link = links; link->if_index != 0; link++)
    if (g_str_has_prefix (link->if_name, "hcst"))
      count++;
  if_freenameindex (links);
  return count;
}

static gpointer
accept_thread (gpointer data)
{
  GSocketListener *listener = data;
  g_autoptr (GSocketConnection) connection = NULL;
  char buffer[64] = { 0 };
  gsize length = 0;

  connection = g_socket_listener_accept (listener, NULL, NULL, NULL);
  if (connection == NULL)
    return NULL;
  g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (connection)), buffer,
                           sizeof buffer - 1, &length, NULL, NULL);
  return g_strndup (buffer, length);
}

static HcsContainerConfig *
make_network_config (const char *script, HcsEndpoint *endpoint)
{
  const char *argv[] = { "sh", "-c", script, NULL };
  HcsContainerConfig *config = make_config (argv);

  config->process->create_stdin_pipe = FALSE;
  config->process->create_stderr_pipe = FALSE;
  config->endpoint_list = g_new0 (char *, 2);
  config->endpoint_list[0] = g_strdup (hcs_endpoint_get_id (endpoint));
  return config;
}

/* An hns endpoint as a tap on its bridge and a NIC of the UVM: the
 * container talks to the host side of its network (ICMP and TCP to the
 * bridge's gateway address), has the network's DNS, and a second
 * container in the same UVM sees its own NIC only. Nothing is left:
 * no tap, no table, no link. The test runs in a network namespace of its
 * own (main). */
static void
test_network (void)
{
  g_autoptr (HcsNetworkConfig) network_config = hcs_network_config_from_json (
      "{\"Name\": \"lcow-net\", \"Type\": \"Internal\", \"DNSServerList\": \"10.232.7.53\", "
      "\"DNSSuffix\": \"lcow.test\", \"Subnets\": [{\"AddressPrefix\": \"10.232.7.0/24\", "
      "\"GatewayAddress\": \"10.232.7.1\"}]}",
      NULL);
  g_autoptr (HcsNetwork) network = NULL;
  g_autoptr (HcsEndpoint) first = NULL, second = NULL;
  g_autoptr (HcsContainerConfig) first_config = NULL, second_config = NULL;
  g_autoptr (HcsContainer) talker = NULL, neighbour = NULL;
  g_autoptr (HcsProcess) talker_init = NULL, neighbour_init = NULL;
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GSocketAddress) gateway = g_inet_socket_address_new_from_string ("10.232.7.1", 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GString) seen = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *script = NULL, *neighbour_out = NULL, *received = NULL;
  g_autofree char *first_address = NULL, *second_address = NULL, *links = NULL, *tables = NULL;
  GThread *acceptor;
  int status;

  g_assert_nonnull (network_config);
  network = hcs_host_create_network (shared.host, network_config, &error);
  g_assert_no_error (error);
  first = hcs_network_create_endpoint (network, "lcow-first", NULL, &error);
  g_assert_no_error (error);
  second = hcs_network_create_endpoint (network, "lcow-second", NULL, &error);
  g_assert_no_error (error);
  first_address = g_strdup_printf ("%s/24", hcs_endpoint_get_ip_address (first));
  second_address = g_strdup_printf ("%s/24", hcs_endpoint_get_ip_address (second));

  /* The host side: a TCP listener on the bridge's gateway address. */
  g_assert_true (g_socket_listener_add_address (listener, gateway, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
  g_assert_no_error (error);
  acceptor = g_thread_new ("accept", accept_thread, listener);

  script = g_strdup_printf (
      "ip -o -4 addr show; cat /etc/resolv.conf; ping -c 1 -W 20 10.232.7.1 && echo PING-OK; "
      "echo hello-tcp | nc 10.232.7.1 %u && echo NC-OK; echo TALKER-DONE; exec sleep 1000",
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  first_config = make_network_config (script, first);
  /* A tap a crashed host left under the name the endpoint's gets ("hcst"
   * and its id's first 11 letters or digits) is taken over, not shared. */
  {
    g_autoptr (GString) tap = g_string_new ("hcst");
    g_autofree char *command = NULL;

    for (const char *p = hcs_endpoint_get_id (first); *p != '\0' && tap->len < 15; p++)
      if (g_ascii_isalnum (*p))
        g_string_append_c (tap, g_ascii_tolower (*p));
    command = g_strdup_printf ("ip tuntap add dev %s mode tap", tap->str);
    g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_cmpint (status, ==, 0);
    g_assert_cmpuint (count_taps (), ==, 1);
  }
  talker = hcs_host_create_container (shared.host, "lcow-talker", first_config, NULL, &error);
  g_assert_no_error (error);
  /* One tap, on the network's bridge. */
  g_assert_cmpuint (count_taps (), ==, 1);
  talker_init = hcs_container_get_init_process (talker, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (talker, &error));
  g_assert_no_error (error);
  read_until (hcs_process_get_stdout (talker_init), seen, "TALKER-DONE");
  g_test_message ("the talker said:\n%s", seen->str);
  g_assert_nonnull (strstr (seen->str, "eth0"));
  g_assert_nonnull (strstr (seen->str, first_address));
  g_assert_nonnull (strstr (seen->str, "nameserver 10.232.7.53"));
  g_assert_nonnull (strstr (seen->str, "search lcow.test"));
  g_assert_nonnull (strstr (seen->str, "PING-OK"));
  g_assert_nonnull (strstr (seen->str, "NC-OK"));
  received = g_thread_join (acceptor);
  g_assert_cmpstr (received, ==, "hello-tcp\n");

  /* A neighbour in the same UVM, on the same network: its own NIC only. */
  second_config = make_network_config ("ip -o addr show; ls /sys/class/net", second);
  neighbour = hcs_host_create_container (shared.host, "lcow-neighbour", second_config, NULL,
                                         &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_our_qemus (), ==, 1);
  g_assert_cmpuint (count_taps (), ==, 2);
  neighbour_init = hcs_container_get_init_process (neighbour, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (neighbour, &error));
  g_assert_no_error (error);
  neighbour_out = test_read_all (hcs_process_get_stdout (neighbour_init));
  g_test_message ("the neighbour said:\n%s", neighbour_out);
  g_assert_nonnull (strstr (neighbour_out, second_address));
  g_assert_null (strstr (neighbour_out, first_address));
  g_assert_nonnull (strstr (neighbour_out, "eth0\nlo\n"));
  g_assert_null (strstr (neighbour_out, "eth1"));
  g_assert_true (hcs_container_wait_timeout (neighbour, -1, NULL, &error));
  g_assert_no_error (error);

  /* Removed and let go: the NICs leave the UVM, the taps the host. */
  g_assert_true (hcs_container_terminate (talker, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_wait_timeout (talker, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_remove (talker, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_remove (neighbour, &error));
  g_assert_no_error (error);
  g_clear_object (&talker_init);
  g_clear_object (&neighbour_init);
  g_clear_object (&talker);
  g_clear_object (&neighbour);
  g_assert_cmpuint (count_taps (), ==, 0);
  g_socket_listener_close (listener);
  g_assert_true (hcs_endpoint_remove (first, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_endpoint_remove (second, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_network_remove (network, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_command_line_sync ("ip -o link show", &links, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_null (strstr (links, "hcs"));
  g_assert_true (g_spawn_command_line_sync ("nft list tables", &tables, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_null (strstr (tables, "hcs"));
}

/* The Network modify of the host's namespaces is refused: the init's pid
 * is the guest's. An endpoint that does not exist fails the create and
 * leaves nothing. */
static void
test_network_refused (void)
{
  const char *argv[] = { "true", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GError) error = NULL;

  config->endpoint_list = g_new0 (char *, 2);
  config->endpoint_list[0] = g_strdup ("5b9c2a1e-0000-4000-8000-000000000000");
  container = hcs_host_create_container (shared.host, "lcow-no-endpoint", config, NULL, &error);
  g_assert_null (container);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "EndpointList[0]"));
  g_clear_error (&error);
  g_assert_cmpuint (count_taps (), ==, 0);

  g_strfreev (config->endpoint_list);
  config->endpoint_list = NULL;
  container = hcs_host_create_container (shared.host, "lcow-no-modify", config, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (hcs_host_modify_container (
      shared.host, container,
      "{\"Resource\": \"Network\", \"Request\": \"Add\", \"Data\": \"x\"}", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_assert_true (hcs_container_terminate (container, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_wait_timeout (container, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
}

static void
test_signal_and_remove (void)
{
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) listed = NULL;
  int exit_code = -1;

  g_assert_nonnull (shared.sleeper);
  init = hcs_container_get_init_process (shared.sleeper, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_terminate (shared.sleeper, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_wait_timeout (shared.sleeper, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_wait_timeout (init, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_get_exit_code (init, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 128 + SIGKILL);
  g_assert_true (hcs_container_remove (shared.sleeper, &error));
  g_assert_no_error (error);
  g_clear_object (&shared.sleeper);
  listed = hcs_host_list_containers (shared.host, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 0);
}

/* A UVM killed under its containers: calls on them fail rather than hang,
 * and the next create boots another. */
static void
test_killed_uvm (void)
{
  const char *sleeper[] = { "sleep", "1000", NULL };
  const char *exit_4[] = { "sh", "-c", "echo again; exit 4", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (sleeper);
  g_autoptr (HcsContainerConfig) next_config = make_config (exit_4);
  g_autoptr (HcsContainer) doomed = NULL, next = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  GPid qemu = 0;
  int exit_code = -1;

  config->process->create_stdin_pipe = FALSE;
  config->process->create_stdout_pipe = FALSE;
  config->process->create_stderr_pipe = FALSE;
  doomed = hcs_host_create_container (shared.host, "lcow-doomed", config, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (doomed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (find_our_qemus (&qemu), ==, 1);
  g_assert_cmpint (kill (qemu, SIGKILL), ==, 0);
  /* A bounded wait: it must end with an error either way. */
  g_assert_false (hcs_container_wait_timeout (doomed, 60000, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("the doomed container's wait: %s", error->message);
  g_clear_error (&error);

  next = hcs_host_create_container (shared.host, "lcow-next", next_config, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_our_qemus (), ==, 1);
  init = hcs_container_get_init_process (next, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (next, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_close_stdin (init, &error));
  g_assert_no_error (error);
  out = test_read_all (hcs_process_get_stdout (init));
  g_assert_cmpstr (out, ==, "again\n");
  g_assert_true (hcs_process_wait_timeout (init, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_get_exit_code (init, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 4);
  g_assert_true (hcs_container_wait_timeout (next, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_remove (next, &error));
  g_assert_no_error (error);
}

static void
test_refused (void)
{
  const char *argv[] = { "true", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GError) error = NULL;

  /* A host root file system does not reach the guest yet: said, not dropped. */
  config->volume_path = g_strdup (test_get_busybox_rootfs ());
  container = hcs_host_create_container (shared.host, "lcow-refused", config, NULL, &error);
  g_assert_null (container);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "root file system"));
  g_clear_error (&error);

  /* Nor does a console socket of the host. */
  g_clear_pointer (&config->volume_path, g_free);
  config->process->emulate_console = TRUE;
  config->process->console_socket = g_strdup ("/run/hcs-test-console.sock");
  container = hcs_host_create_container (shared.host, "lcow-refused", config, NULL, &error);
  g_assert_null (container);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "console socket"));
}

static void
test_nothing_left (void)
{
  g_clear_object (&shared.host);
  g_assert_cmpuint (count_our_qemus (), ==, 0);
  g_assert_cmpuint (count_taps (), ==, 0);
  test_assert_no_leftovers (shared.temp_dir);
}

static void
test_hcsctl_run (void)
{
  const char *hcsctl = g_getenv ("HCSCTL");
  const char *argv[] = { hcsctl, "run", "--isolation", "lcow", "--", "sh", "-c",
                         "echo hi; exit 3", NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_assert_nonnull (hcsctl);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  g_test_message ("hcsctl said: %s", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 3);
  g_assert_cmpstr (out, ==, "hi\n");
}

int
main (int argc, char **argv)
{
  g_autoptr (GKeyFile) options = NULL;
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* Taps and bridges in a network namespace of the test's own: every
   * thread and QEMU made from now on is in it. */
  if (unshare (CLONE_NEWNET) < 0)
    g_error ("unshare(CLONE_NEWNET): %s", g_strerror (errno));
  shared.temp_dir = test_make_temp_dir ("hcs-test-lcow");
  options = test_make_options (shared.temp_dir);
  g_key_file_set_string (options, "host", "isolation", "lcow");
  shared.host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  g_test_add_func ("/lcow/init-stdio", test_init_stdio);
  g_test_add_func ("/lcow/exec", test_exec);
  g_test_add_func ("/lcow/network", test_network);
  g_test_add_func ("/lcow/network-refused", test_network_refused);
  g_test_add_func ("/lcow/signal-and-remove", test_signal_and_remove);
  g_test_add_func ("/lcow/killed-uvm", test_killed_uvm);
  g_test_add_func ("/lcow/refused", test_refused);
  g_test_add_func ("/lcow/nothing-left", test_nothing_left);
  g_test_add_func ("/lcow/hcsctl-run", test_hcsctl_run);
  status = g_test_run ();
  g_clear_object (&shared.sleeper);
  g_clear_object (&shared.host);
  test_cleanup_cgroup_parent ();
  test_remove_tree (shared.temp_dir);
  g_free (shared.temp_dir);
  return status;
}
