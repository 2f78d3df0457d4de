/* guest-agent.c: times the guest agent in a utility VM (not a test).
 *
 *   hcs-bench-guest-agent KERNEL INITRAMFS [RUNS]
 *
 * Boots one VM (q35, the machine's accelerator) with the agent's
 * initramfs and prints, in ms: boot to the agent's first answer
 * (NegotiateProtocol) and the CPU time QEMU used for it (steadier than
 * the wall clock on a loaded machine), the first container start (which
 * waits for the agent's set-up for containers, done after its first
 * answer), then the medians of RUNS more container starts
 * (Create + Start of `sleep` with the guest's busybox image), RUNS exec
 * round trips (ExecuteProcess of `true` + WaitForProcess, no stdio), and
 * what QEMU's resident memory grew by per running container.
 *
 * HCS_BENCH_VM_CONSOLE=FILE keeps the guest's console there.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs.h"
#include "hcs-protocol-client.h"
#include "vm-machine.h"

#include <stdio.h>
#include <stdlib.h>

static void
result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static void
check (GError *error, const char *what)
{
  if (error != NULL)
    {
      fprintf (stderr, "hcs-bench-guest-agent: %s: %s\n", what, error->message);
      exit (1);
    }
}

static JsonNode *
call (HcsProtocolClient *client, guint32 type, JsonNode *body)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  JsonNode *reply;

  hcs_protocol_client_call_async (client, type, body, NULL, result_cb, &result);
  reply = hcs_protocol_client_call_finish (client, wait_for (&result), &error);
  check (error, hcs_protocol_message_name (type));
  return reply;
}

static double
elapsed_ms (gint64 since)
{
  return (g_get_monotonic_time () - since) / 1000.0;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

static void
create_and_start (HcsProtocolClient *client, const char *id)
{
  g_autoptr (HcsContainerConfig) config = hcs_container_config_new ();
  g_autoptr (JsonNode) create = hcs_protocol_request_new (id);
  g_autoptr (JsonNode) start = hcs_protocol_request_new (id);
  g_autoptr (JsonNode) created = NULL;
  g_autoptr (JsonNode) started = NULL;
  const char *argv[] = { "sleep", "100000", NULL };

  config->owner = g_strdup ("bench");
  config->process = hcs_process_config_new ();
  config->process->command_args = g_strdupv ((char **)argv);
  hcs_protocol_set_document (json_node_get_object (create), "ContainerConfig",
                             hcs_container_config_to_node (config));
  created = call (client, HCS_PROTOCOL_CREATE, create);
  started = call (client, HCS_PROTOCOL_START, start);
}

static void
exec_true (HcsProtocolClient *client, const char *id)
{
  g_autoptr (HcsProcessConfig) process = hcs_process_config_new ();
  g_autoptr (JsonNode) request = hcs_protocol_request_new (id);
  g_autoptr (JsonNode) wait = hcs_protocol_request_new (id);
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (JsonNode) waited = NULL;
  const char *argv[] = { "true", NULL };
  JsonObject *settings = json_object_new ();

  process->command_args = g_strdupv ((char **)argv);
  hcs_protocol_set_document (settings, "ProcessParameters", hcs_process_config_to_node (process));
  json_object_set_object_member (json_node_get_object (request), "Settings", settings);
  reply = call (client, HCS_PROTOCOL_EXECUTE_PROCESS, request);
  json_object_set_int_member (
      json_node_get_object (wait), "ProcessId",
      json_object_get_int_member (json_node_get_object (reply), "ProcessId"));
  json_object_set_int_member (json_node_get_object (wait), "TimeoutInMs", HCS_PROTOCOL_INFINITE);
  waited = call (client, HCS_PROTOCOL_WAIT_FOR_PROCESS, wait);
}

static guint64
qemu_rss (VmMachine *vm)
{
  g_autoptr (GError) error = NULL;
  guint64 cpu_ns, rss;

  vm_machine_get_host_usage (vm, &cpu_ns, &rss, &error);
  check (error, "QEMU's usage");
  return rss;
}

static guint64
qemu_cpu_ns (VmMachine *vm)
{
  g_autoptr (GError) error = NULL;
  guint64 cpu_ns, rss;

  vm_machine_get_host_usage (vm, &cpu_ns, &rss, &error);
  check (error, "QEMU's usage");
  return cpu_ns;
}

int
main (int argc, char **argv)
{
  g_autoptr (VmConfig) config = vm_config_new ();
  g_autoptr (VmMachine) vm = NULL;
  g_autoptr (HcsProtocolClient) client = NULL;
  g_autoptr (GAsyncResult) started = NULL;
  g_autoptr (GAsyncResult) stopped = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) starts = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) execs = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (JsonNode) negotiate = hcs_protocol_request_new (NULL);
  g_autoptr (JsonNode) negotiated = NULL;
  guint runs = argc > 3 ? (guint)atoi (argv[3]) : 5;
  guint64 rss_before, rss_after;
  gint64 t0;

  if (argc < 3 || runs == 0)
    {
      fprintf (stderr, "usage: hcs-bench-guest-agent KERNEL INITRAMFS [RUNS]\n");
      return 2;
    }
  config->kernel = g_strdup (argv[1]);
  config->initrd = g_strdup (argv[2]);
  config->append = g_strdup ("quiet panic=-1");
  config->memory_mb = 512;
  config->processors = 1;
  config->die_with_parent = TRUE;
  config->console_log = g_strdup (g_getenv ("HCS_BENCH_VM_CONSOLE"));
  g_ptr_array_add (config->boot_ports, g_strdup (HCS_PROTOCOL_BRIDGE_PORT));
  vm = vm_machine_new (config, NULL);

  t0 = g_get_monotonic_time ();
  vm_machine_start_async (vm, NULL, result_cb, &started);
  vm_machine_start_finish (vm, wait_for (&started), &error);
  check (error, "start");
  client = hcs_protocol_client_new_for_stream (vm_machine_get_port (vm, HCS_PROTOCOL_BRIDGE_PORT));
  json_object_set_int_member (json_node_get_object (negotiate), "MinimumVersion", 4);
  json_object_set_int_member (json_node_get_object (negotiate), "MaximumVersion", 4);
  negotiated = call (client, HCS_PROTOCOL_NEGOTIATE_PROTOCOL, negotiate);
  printf ("boot to agent ready: %.0f ms\n", elapsed_ms (t0));
  printf ("QEMU CPU time to agent ready: %.0f ms\n", qemu_cpu_ns (vm) / 1e6);
  t0 = g_get_monotonic_time ();
  create_and_start (client, "bench-first");
  printf ("first start after the boot (waits for the agent's set-up): %.0f ms\n",
          elapsed_ms (t0));

  rss_before = qemu_rss (vm);
  for (guint i = 0; i < runs; i++)
    {
      g_autofree char *id = g_strdup_printf ("bench%u", i);
      gint64 t = g_get_monotonic_time ();
      double ms;

      create_and_start (client, id);
      ms = elapsed_ms (t);
      g_array_append_val (starts, ms);
    }
  rss_after = qemu_rss (vm);
  for (guint i = 0; i < runs; i++)
    {
      gint64 t = g_get_monotonic_time ();
      double ms;

      exec_true (client, "bench0");
      ms = elapsed_ms (t);
      g_array_append_val (execs, ms);
    }
  printf ("container start (Create + Start), median of %u: %.0f ms\n", runs, median (starts));
  printf ("exec round trip (ExecuteProcess + WaitForProcess), median of %u: %.0f ms\n", runs,
          median (execs));
  printf ("QEMU resident memory per running container: %.1f MiB\n",
          (double)(rss_after - rss_before) / runs / (1024 * 1024));

  g_clear_object (&client);
  vm_machine_shutdown_async (vm, 0, NULL, result_cb, &stopped);
  vm_machine_shutdown_finish (vm, wait_for (&stopped), &error);
  check (error, "shut-down");
  return 0;
}
