/* test-lcow.c: plugins/lcow end to end, through the public API and hcsctl.
 *
 * One host (so one utility VM, TCG here) is shared by the tests, in order;
 * the last lets it go and checks nothing is left: no QEMU, no run folder.
 * hcsctl run boots a UVM of its own in its own process.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"
#include "test-vm-mounts.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static struct
{
  char *temp_dir;
  HcsHost *host;
  HcsContainer *sleeper; /* a running container the exec tests use */
  char *layer_dir;       /* the host's layer store */
  char *storage_root;    /* the UVM's storage folder on the host, once seen */
} shared;

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

  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 0);
  container = hcs_host_create_container (shared.host, "lcow-init", config, NULL, &error);
  g_assert_no_error (error);
  /* The UVM came up for it: one QEMU. */
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 1);
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
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 1);

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

/* The sleeper's statistics: the guest's, and QEMU's own beside them,
 * which a document carries through (a holder's clients get them so). */
static void
test_statistics (void)
{
  g_autoptr (HcsStatistics) stats = NULL, parsed = NULL;
  g_autoptr (JsonNode) document = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (shared.sleeper);
  stats = hcs_container_get_statistics (shared.sleeper, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats->memory_usage_commit_bytes, >, 0);
  g_assert_cmpuint (stats->vm_processor_total_runtime_ns, >, 0);
  /* A booted QEMU holds at least its guest's kernel resident. */
  g_assert_cmpuint (stats->vm_memory_working_set_bytes, >, 4 * 1024 * 1024);
  g_test_message ("QEMU: %" G_GUINT64_FORMAT " ns of CPU, %" G_GUINT64_FORMAT " bytes resident",
                  stats->vm_processor_total_runtime_ns, stats->vm_memory_working_set_bytes);
  document = hcs_statistics_to_node (stats);
  parsed = hcs_statistics_from_node (document, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed->vm_processor_total_runtime_ns, ==,
                    stats->vm_processor_total_runtime_ns);
  g_assert_cmpuint (parsed->vm_memory_working_set_bytes, ==, stats->vm_memory_working_set_bytes);
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

/* The tap an endpoint's NIC gets: "hcst" and its id's first 11 letters
 * or digits. */
static char *
tap_name_for (HcsEndpoint *endpoint)
{
  GString *tap = g_string_new ("hcst");

  for (const char *p = hcs_endpoint_get_id (endpoint); *p != '\0' && tap->len < 15; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (tap, g_ascii_tolower (*p));
  return g_string_free (tap, FALSE);
}

static char *
capture (const char *command)
{
  g_autoptr (GError) error = NULL;
  char *output = NULL;
  int status;

  g_assert_true (g_spawn_command_line_sync (command, &output, NULL, &status, &error));
  g_assert_no_error (error);
  g_test_message ("%s:\n%s", command, output);
  return output;
}

/* An hns endpoint as a tap on its bridge and a NIC of the UVM: the
 * container talks to the host side of its network (ICMP and TCP to the
 * bridge's gateway address), has the network's DNS, and a second
 * container in the same UVM sees its own NIC only. The endpoints'
 * policies reach their taps: the first's QoS is its tap's policer, the
 * second's DisableICC keeps it from the first (the gateway answers).
 * Nothing is left: no tap, no rule, no table, no link. The test runs in a
 * network namespace of its own (main). */
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
  g_autofree char *first_tap = NULL, *second_tap = NULL, *list_table = NULL, *rules = NULL;
  g_autofree char *neighbour_script = NULL;
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
  first_tap = tap_name_for (first);
  second_tap = tap_name_for (second);
  list_table = g_strdup_printf ("nft list table bridge hcs_%.8s", hcs_network_get_id (network));
  /* Policies set before the containers: their taps take them. */
  g_assert_true (hcs_endpoint_set_bandwidth_limit (first, 1250000, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_endpoint_set_disable_icc (second, TRUE, &error));
  g_assert_no_error (error);

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
    g_autofree char *command = NULL;

    command = g_strdup_printf ("ip tuntap add dev %s mode tap", first_tap);
    g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_cmpint (status, ==, 0);
    g_assert_cmpuint (count_taps (), ==, 1);
  }
  talker = hcs_host_create_container (shared.host, "lcow-talker", first_config, NULL, &error);
  g_assert_no_error (error);
  /* One tap, on the network's bridge, under its endpoint's QoS. */
  g_assert_cmpuint (count_taps (), ==, 1);
  rules = capture (list_table);
  {
    g_autofree char *policer = g_strdup_printf ("iifname \"%s\" limit rate over 1250000 bytes/second",
                                                first_tap);

    g_assert_nonnull (strstr (rules, policer));
  }
  g_clear_pointer (&rules, g_free);
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

  /* A neighbour in the same UVM, on the same network: its own NIC only,
   * and with DisableICC no way to the talker (its tap is in the set). */
  neighbour_script = g_strdup_printf (
      "ip -o addr show; ls /sys/class/net; ping -c 1 -W 20 10.232.7.1 && echo GATEWAY-OK; "
      "ping -c 1 -W 3 %s || echo ICC-BLOCKED",
      hcs_endpoint_get_ip_address (first));
  second_config = make_network_config (neighbour_script, second);
  neighbour = hcs_host_create_container (shared.host, "lcow-neighbour", second_config, NULL,
                                         &error);
  g_assert_no_error (error);
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 1);
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
  g_assert_nonnull (strstr (neighbour_out, "GATEWAY-OK"));
  g_assert_nonnull (strstr (neighbour_out, "ICC-BLOCKED"));
  rules = capture (list_table);
  {
    g_autofree char *element = g_strdup_printf ("\"%s\"", second_tap);
    g_autofree char *icc = g_strdup_printf ("iifname @no_icc oifname \"%s\" drop", first_tap);

    const char *elements = strstr (rules, "elements = {");

    g_assert_nonnull (elements);
    g_assert_nonnull (strstr (elements, element));
    g_assert_nonnull (strstr (rules, icc));
  }
  g_clear_pointer (&rules, g_free);
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
  /* The taps' policies went with them. */
  rules = capture (list_table);
  g_assert_null (strstr (rules, "hcst"));
  g_assert_null (strstr (rules, "hcs-port-"));
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

/* A UVM killed under its containers: they are Stopped with
 * UnexpectedExit, calls on them fail rather than hang, remove leaves
 * nothing, and the next create boots another. */
/* A UVM storage folder as a killed holder leaves it: an owner that is
 * gone, a bind still mounted in a share, an image. */
static char *
make_stale_storage_root (void)
{
  g_autofree char *dir = g_dir_make_tmp ("hcs-lcow-XXXXXX", NULL);
  g_autofree char *source = g_build_filename (shared.temp_dir, "stale-source", NULL);
  g_autofree char *rw = NULL, *bind = NULL, *disks = NULL, *image = NULL, *owner = NULL;
  g_autofree char *owner_text = NULL;
  const char *argv[] = { "true", NULL };
  GPid gone = 0;
  int status;

  g_assert_nonnull (dir);
  rw = g_build_filename (dir, "rw", NULL);
  bind = g_build_filename (rw, "hcs-m0", NULL);
  disks = g_build_filename (dir, "disks", NULL);
  image = g_build_filename (disks, "hcs-s0.ext4", NULL);
  owner = g_build_filename (dir, "owner", NULL);
  g_assert_cmpint (g_mkdir (source, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (rw, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (bind, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (disks, 0700), ==, 0);
  g_assert_true (g_file_set_contents (image, "", 0, NULL));
  g_assert_cmpint (mount (source, bind, NULL, MS_BIND, NULL), ==, 0);
  /* A process that was and is no more. */
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                &gone, NULL));
  g_assert_cmpint (waitpid (gone, &status, 0), ==, gone);
  owner_text = g_strdup_printf ("%d 1", (int) gone);
  g_assert_true (g_file_set_contents (owner, owner_text, -1, NULL));
  return g_steal_pointer (&dir);
}

static void
test_killed_uvm (void)
{
  const char *sleeper[] = { "sleep", "1000", NULL };
  const char *exit_4[] = { "sh", "-c", "echo again; exit 4", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (sleeper);
  g_autoptr (HcsContainerConfig) next_config = make_config (exit_4);
  g_autoptr (HcsContainer) doomed = NULL, next = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *stale_root = NULL;
  g_autofree char *mountinfo = NULL;
  GPid qemu = 0;
  int exit_code = -1;

  config->process->create_stdin_pipe = FALSE;
  config->process->create_stdout_pipe = FALSE;
  config->process->create_stderr_pipe = FALSE;
  doomed = hcs_host_create_container (shared.host, "lcow-doomed", config, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (doomed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (test_find_child_qemus (&qemu), ==, 1);
  g_assert_cmpint (kill (qemu, SIGKILL), ==, 0);
  /* The bridge is lost: a stop like any other, unexpected. */
  g_assert_true (hcs_container_wait_timeout (doomed, 60000, NULL, &error));
  g_assert_no_error (error);
  props = hcs_container_query_properties (doomed, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (props->state, ==, "Stopped");
  g_assert_true (props->stopped);
  g_assert_cmpstr (props->exit_type, ==, "UnexpectedExit");
  g_assert_cmpstr (props->isolation, ==, "lcow");
  g_assert_false (hcs_container_start (doomed, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);
  g_assert_nonnull (strstr (error->message, "lcow-doomed"));
  g_clear_error (&error);

  /* The next UVM's maker removes what a dead holder left. */
  stale_root = make_stale_storage_root ();
  next = hcs_host_create_container (shared.host, "lcow-next", next_config, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 1);
  g_assert_false (g_file_test (stale_root, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL));
  g_assert_null (strstr (mountinfo, stale_root));
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
  /* Removed locally after the UVM that held it is gone: its disks went
   * with that QEMU, its images here (the next UVM's untouched). */
  g_assert_true (hcs_container_remove (doomed, &error));
  g_assert_no_error (error);
}

/* runc's --console-socket in the UVM (test-common.c). */
static void
test_console_socket (void)
{
  const char *argv[] = { "true", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autofree char *socket_path = g_build_filename (shared.temp_dir, "console.sock", NULL);

  test_console_socket_api (shared.host, config, "lcow-console", socket_path);
}

/* --- storage ----------------------------------------------------------------------- */

/* Our QEMU's argument @prefix...: what follows it, to the next comma. */
static char *
qemu_argument (const char *prefix, char **whole)
{
  GPid qemu = 0;
  g_autofree char *path = NULL;
  g_autofree char *cmdline = NULL;
  gsize length = 0;

  g_assert_cmpuint (test_find_child_qemus (&qemu), ==, 1);
  path = g_strdup_printf ("/proc/%d/cmdline", (int) qemu);
  g_assert_true (g_file_get_contents (path, &cmdline, &length, NULL));
  for (gsize at = 0; at < length; at += strlen (cmdline + at) + 1)
    {
      const char *found = strstr (cmdline + at, prefix);

      if (found != NULL)
        {
          if (whole != NULL)
            *whole = g_strdup (cmdline + at);
          return g_strndup (found + strlen (prefix), strcspn (found + strlen (prefix), ","));
        }
    }
  return NULL;
}

/* The UVM's storage folder on the host: the parent of its read-only
 * share, which QEMU's command line names. */
static const char *
storage_root (void)
{
  g_autofree char *ro_share = qemu_argument ("id=fs-hcs.ro,path=", NULL);

  g_assert_nonnull (ro_share);
  g_free (shared.storage_root);
  shared.storage_root = g_path_get_dirname (ro_share);
  return shared.storage_root;
}

static guint
count_entries (const char *dir)
{
  g_autoptr (GDir) entries = g_dir_open (dir, 0, NULL);
  guint count = 0;

  while (entries != NULL && g_dir_read_name (entries) != NULL)
    count++;
  return count;
}

static guint
count_disk_images (void)
{
  g_autofree char *disks = g_build_filename (storage_root (), "disks", NULL);

  return count_entries (disks);
}

static void
assert_no_storage_mounts (void)
{
  g_autofree char *mountinfo = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL));
  if (shared.storage_root != NULL && strstr (mountinfo, shared.storage_root) != NULL)
    g_error ("a mount in %s is left behind:\n%s", shared.storage_root, mountinfo);
}

/* Runs @config to its end: its stdout, and its exit code in @exit_code. */
static char *
run_to_end (HcsContainer *container, int *exit_code)
{
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  char *out;

  init = hcs_container_get_init_process (container, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_close_stdin (init, &error));
  g_assert_no_error (error);
  out = test_read_all (hcs_process_get_stdout (init));
  err = test_read_all (hcs_process_get_stderr (init));
  if (err[0] != '\0')
    g_test_message ("stderr: %s", err);
  g_assert_true (hcs_process_wait_timeout (init, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_get_exit_code (init, exit_code, &error));
  g_assert_true (hcs_container_wait_timeout (container, -1, NULL, &error));
  g_assert_no_error (error);
  return out;
}

/* A host root file system: an erofs image of it, a scratch on top that
 * takes the container's writes and leaves the host's folder alone. */
static void
test_host_rootfs (void)
{
  const char *argv[] = { "sh", "-c", "echo scratch > /written; cat /written; "
                         "test -x /bin/busybox && echo root-of-host", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *written = NULL;
  int exit_code = -1;

  config->volume_path = g_strdup (test_get_busybox_rootfs ());
  container = hcs_host_create_container (shared.host, "lcow-rootfs", config, NULL, &error);
  g_assert_no_error (error);
  /* Its root's image and its scratch. */
  g_assert_cmpuint (count_disk_images (), ==, 2);
  out = run_to_end (container, &exit_code);
  g_assert_cmpstr (out, ==, "scratch\nroot-of-host\n");
  g_assert_cmpint (exit_code, ==, 0);
  written = g_build_filename (config->volume_path, "written", NULL);
  g_assert_false (g_file_test (written, G_FILE_TEST_EXISTS));
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_disk_images (), ==, 0);
}

static void
writer_add_file (HcsLayerWriter *writer, const char *path, guint32 mode, const char *source,
                 const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (source != NULL)
    g_assert_true (g_file_get_contents (source, &contents, &length, &error));
  else
    {
      contents = g_strdup (text);
      length = strlen (text);
    }
  g_assert_true (hcs_layer_writer_add (writer, path, S_IFREG | mode, 0, 0, 1700000000, length,
                                       NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_layer_writer_write (writer, contents, length, &error));
  g_assert_no_error (error);
}

/* Two layers in the host's store: busybox, and a file on top. */
static void
make_layers (HcsLayerStore *store)
{
  const char *applets[] = { "sh", "cat", "echo", "test", NULL };
  g_autoptr (HcsLayerWriter) base = NULL;
  g_autoptr (HcsLayerWriter) top = NULL;
  g_autoptr (HcsLayerInfo) base_info = NULL;
  g_autoptr (HcsLayerInfo) top_info = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *busybox = g_find_program_in_path ("busybox");

  g_assert_nonnull (busybox);
  base = hcs_layer_store_new_writer (store, "lcow-base", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_layer_writer_add (base, "bin", S_IFDIR | 0755, 0, 0, 1700000000, 0, NULL,
                                       &error));
  writer_add_file (base, "bin/busybox", 0755, busybox, NULL);
  for (guint i = 0; applets[i] != NULL; i++)
    {
      g_autofree char *path = g_strdup_printf ("bin/%s", applets[i]);

      g_assert_true (hcs_layer_writer_add (base, path, S_IFLNK | 0777, 0, 0, 1700000000, 0,
                                           "busybox", &error));
      g_assert_no_error (error);
    }
  writer_add_file (base, "motd", 0644, NULL, "from the base\n");
  base_info = hcs_layer_writer_commit (base, &error);
  g_assert_no_error (error);
  top = hcs_layer_store_new_writer (store, "lcow-top", "lcow-base", &error);
  g_assert_no_error (error);
  writer_add_file (top, "motd", 0644, NULL, "from the top\n");
  top_info = hcs_layer_writer_commit (top, &error);
  g_assert_no_error (error);
}

static HcsContainer *
create_on_layers (const char *id, const char *const *argv)
{
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  const char *ids[] = { "lcow-top", "lcow-base" };
  g_autoptr (GError) error = NULL;
  HcsContainer *container;

  config->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_layer_free);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      HcsLayer *layer = g_new0 (HcsLayer, 1);

      layer->id = g_strdup (ids[i]);
      g_ptr_array_add (config->layers, layer);
    }
  container = hcs_host_create_container (shared.host, id, config, NULL, &error);
  g_assert_no_error (error);
  return container;
}

static void
stat_image (const char *layer_id, struct stat *st)
{
  g_autofree char *path = g_build_filename (shared.layer_dir, layer_id, "layer.erofs", NULL);

  g_assert_cmpint (stat (path, st), ==, 0);
}

/* A layer shared by two containers is converted once, each container
 * writes to a scratch of its own, and the images go with the layers. */
static void
test_shared_layers (void)
{
  const char *writer_argv[] = { "sh", "-c", "cat /motd; echo changed > /motd; cat /motd", NULL };
  const char *reader_argv[] = { "cat", "/motd", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsLayerStore) store = hcs_layer_store_new (shared.layer_dir, &error);
  g_autoptr (HcsContainer) first = NULL;
  g_autoptr (HcsContainer) second = NULL;
  g_autofree char *out = NULL;
  g_autofree char *image = NULL;
  struct stat before, after;
  int exit_code = -1;

  g_assert_no_error (error);
  make_layers (store);
  first = create_on_layers ("lcow-layers-1", writer_argv);
  stat_image ("lcow-base", &before);
  out = run_to_end (first, &exit_code);
  g_assert_cmpstr (out, ==, "from the top\nchanged\n");
  g_assert_cmpint (exit_code, ==, 0);
  g_clear_pointer (&out, g_free);

  /* The same images, not made again; its own scratch, so the first's
   * write is not seen. */
  second = create_on_layers ("lcow-layers-2", reader_argv);
  stat_image ("lcow-base", &after);
  g_assert_cmpuint (before.st_ino, ==, after.st_ino);
  g_assert_cmpint (before.st_mtim.tv_sec, ==, after.st_mtim.tv_sec);
  g_assert_cmpint (before.st_mtim.tv_nsec, ==, after.st_mtim.tv_nsec);
  /* Only the scratches are the containers' own. */
  g_assert_cmpuint (count_disk_images (), ==, 2);
  out = run_to_end (second, &exit_code);
  g_assert_cmpstr (out, ==, "from the top\n");
  g_assert_cmpint (exit_code, ==, 0);

  g_assert_true (hcs_container_remove (first, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_remove (second, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_disk_images (), ==, 0);
  /* Removing a layer removes its image. */
  g_assert_true (hcs_layer_store_destroy (store, "lcow-top", FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_layer_store_destroy (store, "lcow-base", FALSE, &error));
  g_assert_no_error (error);
  image = g_build_filename (shared.layer_dir, "lcow-base", "layer.erofs", NULL);
  g_assert_false (g_file_test (image, G_FILE_TEST_EXISTS));
}

/* Mapped directories over virtio-9p: the host's file read, a write
 * through a writable mapping seen on the host, a ReadOnly mapping refused
 * to the container's root (and QEMU holds that share read-only). */
static void
test_mapped_directories (void)
{
  const char *argv[] = { "sh", "-c", "cat /in/hello; echo from-guest > /out/made; "
                         "if echo no > /in/denied; then echo wrote; else echo refused; fi", NULL };
  g_autoptr (HcsContainerConfig) config = make_config (argv);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *in = g_build_filename (shared.temp_dir, "mapped-in", NULL);
  g_autofree char *out_dir = g_build_filename (shared.temp_dir, "mapped-out", NULL);
  g_autofree char *hello = g_build_filename (in, "hello", NULL);
  g_autofree char *made = g_build_filename (out_dir, "made", NULL);
  g_autofree char *denied = g_build_filename (in, "denied", NULL);
  g_autofree char *made_text = NULL;
  g_autofree char *out = NULL;
  g_autofree char *ro_option = NULL;
  g_autofree char *ro_share = NULL;
  HcsMappedDirectory *dir;
  int exit_code = -1;

  g_assert_cmpint (g_mkdir (in, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (out_dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (hello, "written by the host\n", -1, NULL));
  config->mapped_directories =
      g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_mapped_directory_free);
  dir = g_new0 (HcsMappedDirectory, 1);
  dir->host_path = g_strdup (in);
  dir->container_path = g_strdup ("/in");
  dir->read_only = TRUE;
  g_ptr_array_add (config->mapped_directories, dir);
  dir = g_new0 (HcsMappedDirectory, 1);
  dir->host_path = g_strdup (out_dir);
  dir->container_path = g_strdup ("/out");
  g_ptr_array_add (config->mapped_directories, dir);

  container = hcs_host_create_container (shared.host, "lcow-mapped", config, NULL, &error);
  g_assert_no_error (error);
  out = run_to_end (container, &exit_code);
  g_assert_cmpstr (out, ==, "written by the host\nrefused\n");
  g_assert_cmpint (exit_code, ==, 0);
  g_assert_true (g_file_get_contents (made, &made_text, NULL, NULL));
  g_assert_cmpstr (made_text, ==, "from-guest\n");
  g_assert_false (g_file_test (denied, G_FILE_TEST_EXISTS));
  /* Refused by QEMU too, whatever the guest's kernel does. */
  ro_share = qemu_argument ("id=fs-hcs.ro,", &ro_option);
  g_assert_nonnull (ro_share);
  g_assert_nonnull (strstr (ro_option, ",readonly=on"));

  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
  assert_no_storage_mounts ();
  g_assert_cmpuint (count_entries (ro_share), ==, 0);
}

static HcsContainerConfig *
make_true_config (void)
{
  const char *argv[] = { "true", NULL };

  return make_config (argv);
}

/* An OCI config's mounts, as podman gives them: binds of host folders
 * (read-write, read-only) and of a file through the 9p shares, a tmpfs
 * the guest makes; other types and missing sources refused, naming the
 * mount. Nothing left in the shares after. */
static void
test_oci_mounts (void)
{
  g_autoptr (HcsContainerConfig) config = make_config (test_vm_mounts_argv);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *rw_share = g_build_filename (storage_root (), "rw", NULL);
  g_autofree char *ro_share = g_build_filename (storage_root (), "ro", NULL);
  TestVmMounts mounts = { 0 };
  int exit_code = -1;

  test_vm_mounts_add (&mounts, shared.temp_dir, config);
  container = hcs_host_create_container (shared.host, "lcow-mounts", config, NULL, &error);
  g_assert_no_error (error);
  /* Three binds behind the shares while it exists (the tmpfs is the
   * guest's). */
  g_assert_cmpuint (count_entries (rw_share) + count_entries (ro_share), ==, 3);
  out = run_to_end (container, &exit_code);
  test_vm_mounts_check (&mounts, out);
  g_assert_cmpint (exit_code, ==, 0);
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
  g_clear_object (&container);
  assert_no_storage_mounts ();
  g_assert_cmpuint (count_entries (rw_share) + count_entries (ro_share), ==, 0);

  /* Refused, not dropped; the binds made before the refused one undone. */
  test_vm_mounts_check_refused (&mounts, shared.host, "lcow-mounts-refused", shared.temp_dir,
                                make_true_config);
  assert_no_storage_mounts ();
  g_assert_cmpuint (count_entries (rw_share) + count_entries (ro_share), ==, 0);
  test_vm_mounts_clear (&mounts);
}

static void
test_nothing_left (void)
{
  g_clear_object (&shared.host);
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 0);
  g_assert_cmpuint (count_taps (), ==, 0);
  test_assert_no_leftovers (shared.temp_dir);
  assert_no_storage_mounts ();
  /* The UVM's storage folder went with it. */
  g_assert_nonnull (shared.storage_root);
  g_assert_false (g_file_test (shared.storage_root, G_FILE_TEST_EXISTS));
}

/* A host root and a mapped folder through hcsctl (the API's tests cover
 * the guest's own image). */
static void
test_hcsctl_run (void)
{
  const char *hcsctl = g_getenv ("HCSCTL");
  g_autofree char *data = g_build_filename (shared.temp_dir, "hcsctl-data", NULL);
  g_autofree char *note = g_build_filename (data, "note", NULL);
  g_autofree char *volume = g_strdup_printf ("%s:/data:ro", data);
  const char *argv[] = { hcsctl, "run", "--isolation", "lcow", "--rootfs",
                         test_get_busybox_rootfs (), "-v", volume, "--", "sh", "-c",
                         "cat /data/note; echo hi; exit 3", NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_assert_nonnull (hcsctl);
  g_assert_cmpint (g_mkdir (data, 0755), ==, 0);
  g_assert_true (g_file_set_contents (note, "noted\n", -1, NULL));
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  g_test_message ("hcsctl said: %s", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 3);
  g_assert_cmpstr (out, ==, "noted\nhi\n");
  test_assert_no_leftovers (data);
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
  shared.layer_dir = g_build_filename (shared.temp_dir, "layers", NULL);
  g_key_file_set_string (options, "host", "layer-dir", shared.layer_dir);
  shared.host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  g_test_add_func ("/lcow/init-stdio", test_init_stdio);
  g_test_add_func ("/lcow/exec", test_exec);
  g_test_add_func ("/lcow/console-socket", test_console_socket);
  g_test_add_func ("/lcow/statistics", test_statistics);
  g_test_add_func ("/lcow/network", test_network);
  g_test_add_func ("/lcow/network-refused", test_network_refused);
  g_test_add_func ("/lcow/signal-and-remove", test_signal_and_remove);
  g_test_add_func ("/lcow/killed-uvm", test_killed_uvm);
  g_test_add_func ("/lcow/host-rootfs", test_host_rootfs);
  g_test_add_func ("/lcow/shared-layers", test_shared_layers);
  g_test_add_func ("/lcow/mapped-directories", test_mapped_directories);
  g_test_add_func ("/lcow/oci-mounts", test_oci_mounts);
  g_test_add_func ("/lcow/nothing-left", test_nothing_left);
  g_test_add_func ("/lcow/hcsctl-run", test_hcsctl_run);
  status = g_test_run ();
  g_clear_object (&shared.sleeper);
  g_clear_object (&shared.host);
  test_cleanup_cgroup_parent ();
  test_remove_tree (shared.temp_dir);
  g_free (shared.temp_dir);
  g_free (shared.layer_dir);
  g_free (shared.storage_root);
  return status;
}
