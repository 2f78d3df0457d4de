/* test-guest.c: the guest agent (guest/hcs-gcs) in a real utility VM.
 *
 * One VM is booted (TCG here) from Debian's vmlinux and the initramfs the
 * build made (guest/make-initramfs.sh) through the VM library, and shared
 * by the tests, in order; the last shuts it down. The test speaks the
 * protocol to the agent over the bridge port with HcsProtocolClient, and
 * relays stdio over virtio-serial ports it hot-adds, as plugins/lcow will.
 *
 * A stdio port has no half-close: what the guest writes on one is framed
 * (u32 LE length, bytes) and a zero length ends it; the host reads to that
 * end frame, then removes the port. Stdin ends with the host's half-close
 * of its socket (docs/guest.md).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs.h"
#include "hcs-protocol-client.h"
#include "vm-machine.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

/* Guards against a hang, not timings: TCG boots in seconds. */
#define BOOT_TIMEOUT_S 240
#define CALL_TIMEOUT_S 120

static struct
{
  VmMachine *vm;
  HcsProtocolClient *client;
  GPtrArray *closed_ports; /* device ids QEMU said the guest closed */
  char *run_dir;
  GPid pid;
} shared;

static void
result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static gboolean
timed_out_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until @done holds, failing after @timeout_s. */
static void
iterate_until (gboolean (*done) (gpointer), gpointer data, guint timeout_s, const char *what)
{
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add_seconds (timeout_s, timed_out_cb, &timed_out);

  while (!done (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("no %s after %u s (console: %s)", what, timeout_s,
             shared.vm ? vm_machine_get_console_log (shared.vm) : "-");
  g_source_remove (timeout);
}

static gboolean
result_done (gpointer data)
{
  return *(GAsyncResult **)data != NULL;
}

static GAsyncResult *
wait_for (GAsyncResult **result, guint timeout_s, const char *what)
{
  iterate_until (result_done, result, timeout_s, what);
  return *result;
}

static JsonNode *
call (guint32 type, JsonNode *body, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  hcs_protocol_client_call_async (shared.client, type, body, NULL, result_cb, &result);
  return hcs_protocol_client_call_finish (
      shared.client, wait_for (&result, CALL_TIMEOUT_S, hcs_protocol_message_name (type)), error);
}

static JsonNode *
call_ok (guint32 type, const char *container_id, JsonObject **body_out)
{
  g_autoptr (JsonNode) body = hcs_protocol_request_new (container_id);
  g_autoptr (GError) error = NULL;
  JsonNode *reply;

  if (body_out != NULL)
    *body_out = json_node_get_object (body);
  reply = call (type, body, &error);
  g_assert_no_error (error);
  return reply;
}

static const char *
cache_dir (void)
{
  const char *dir = g_getenv ("HCS_VM_CACHE_DIR");

  return dir ? dir : VM_CACHE_DIR;
}

static void
qmp_event_cb (VmQmp *qmp, const char *name, JsonObject *data, gpointer user_data)
{
  if (g_str_equal (name, "VSERPORT_CHANGE") && data != NULL && json_object_has_member (data, "open")
      && !json_object_get_boolean_member (data, "open"))
    g_ptr_array_add (shared.closed_ports, g_strdup (json_object_get_string_member (data, "id")));
}

static gboolean
port_closed (gpointer name)
{
  g_autofree char *id = g_strdup_printf ("port-%s", (const char *)name);

  return g_ptr_array_find_with_equal_func (shared.closed_ports, id, g_str_equal, NULL);
}

static gboolean
vm_ready (void)
{
  if (shared.client == NULL)
    g_test_fail_printf ("no VM (see /guest/boot)");
  return shared.client != NULL;
}

static void
test_boot (void)
{
  g_autoptr (VmConfig) config = vm_config_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *qemu = g_find_program_in_path ("qemu-system-x86_64");
  GIOStream *bridge;

  if (qemu == NULL)
    g_error ("qemu-system-x86_64 is not installed: run scripts/setup.sh");
  config->kernel = g_build_filename (cache_dir (), "vmlinux", NULL);
  if (!g_file_test (config->kernel, G_FILE_TEST_EXISTS))
    g_error ("no kernel in %s: run scripts/vm-kernel.sh (scripts/setup.sh does)", cache_dir ());
  if (GUEST_INITRAMFS[0] == '\0' || !g_file_test (GUEST_INITRAMFS, G_FILE_TEST_EXISTS))
    g_error ("no guest initramfs '%s': it is built when the kernel's modules were there at "
             "configure time: run scripts/setup.sh, then meson setup --reconfigure",
             GUEST_INITRAMFS);

  config->initrd = g_strdup (GUEST_INITRAMFS);
  /* hcs.blocks: the agent marks each create's steps on the console
   * (bench/xenon-blocks.sh reads them), checked by /guest/blocks-marks. */
  config->append = g_strdup (g_getenv ("HCS_GUEST_APPEND") ? g_getenv ("HCS_GUEST_APPEND")
                                                           : "quiet panic=-1 hcs.blocks");
  config->memory_mb = 512;
  config->processors = 1;
  config->hotplug_slots = 1;
  config->die_with_parent = TRUE;
  /* Kept after the run when asked, for a look at the guest's side. */
  config->console_log = g_strdup (g_getenv ("HCS_GUEST_CONSOLE_LOG"));
  g_ptr_array_add (config->boot_ports, g_strdup (HCS_PROTOCOL_BRIDGE_PORT));
  shared.vm = vm_machine_new (config, NULL);
  vm_machine_start_async (shared.vm, NULL, result_cb, &result);
  g_assert_true (vm_machine_start_finish (
      shared.vm, wait_for (&result, BOOT_TIMEOUT_S, "QEMU start"), &error));
  g_assert_no_error (error);
  shared.pid = vm_machine_get_pid (shared.vm);
  shared.run_dir = g_strdup (vm_machine_get_run_dir (shared.vm));
  g_signal_connect (vm_machine_get_qmp (shared.vm), "event", G_CALLBACK (qmp_event_cb), NULL);

  /* What the host writes before the agent opens the port waits in the
   * socket: the first call is answered once the agent serves. */
  bridge = vm_machine_get_port (shared.vm, HCS_PROTOCOL_BRIDGE_PORT);
  g_assert_nonnull (bridge);
  shared.client = hcs_protocol_client_new_for_stream (bridge);
}

static void
negotiate (void)
{
  g_autoptr (JsonNode) body = hcs_protocol_request_new (NULL);
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (GError) error = NULL;

  json_object_set_int_member (json_node_get_object (body), "MinimumVersion", 4);
  json_object_set_int_member (json_node_get_object (body), "MaximumVersion", 4);
  reply = call (HCS_PROTOCOL_NEGOTIATE_PROTOCOL, body, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (reply), "Version"), ==,
                   HCS_PROTOCOL_VERSION);
}

/* Whether the console log holds each of @wanted, in this order. */
static gboolean
console_has_in_order (const char *const *wanted)
{
  g_autofree char *log = NULL;
  const char *from;

  if (!g_file_get_contents (vm_machine_get_console_log (shared.vm), &log, NULL, NULL))
    return FALSE;
  from = log;
  for (guint i = 0; wanted[i] != NULL; i++)
    {
      from = strstr (from, wanted[i]);
      if (from == NULL)
        return FALSE;
      from += strlen (wanted[i]);
    }
  return TRUE;
}

/* Booted with hcs.blocks, the agent said a mark as each step of c1's
 * create began (/guest/create-start), then its executable mappings (its
 * own among them) and the modules' addresses; the kernel's symbols only
 * with hcs.kallsyms. The serial console is not the bridge: its bytes may
 * reach the log after the create's answer, so the log is read again for
 * a while (a guard, not a timing). */
static void
test_blocks_marks (void)
{
  const char *const marks[] = { "hcs-gcs: mark set-up c1", "hcs-gcs: mark seed c1",
                                "hcs-gcs: mark storage c1", "hcs-gcs: mark argon c1",
                                "hcs-gcs: mark network c1", "hcs-gcs: mark end c1",
                                "hcs-gcs: map ", "/hcs-gcs", "hcs-gcs: module ", NULL };
  const char *const symbols[] = { "hcs-gcs: ksym ", NULL };
  gint64 deadline = g_get_monotonic_time () + CALL_TIMEOUT_S * G_USEC_PER_SEC;

  if (!vm_ready ())
    return;
  if (g_getenv ("HCS_GUEST_APPEND") != NULL)
    {
      g_test_skip ("HCS_GUEST_APPEND replaced hcs.blocks");
      return;
    }
  while (!console_has_in_order (marks) && g_get_monotonic_time () < deadline)
    g_usleep (G_USEC_PER_SEC / 10);
  if (!console_has_in_order (marks))
    g_error ("no create's marks in the console log %s", vm_machine_get_console_log (shared.vm));
  g_assert_false (console_has_in_order (symbols));
}

static void
test_negotiate (void)
{
  if (!vm_ready ())
    return;
  negotiate ();
}

static void
create_and_start (const char *id, const char *const *argv)
{
  g_autoptr (HcsContainerConfig) config = hcs_container_config_new ();
  g_autoptr (JsonNode) document = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (JsonNode) started = NULL;
  JsonObject *body;

  config->owner = g_strdup ("test-guest");
  config->process = hcs_process_config_new ();
  config->process->command_args = g_strdupv ((char **)argv);
  /* No VolumePath: the agent gives the guest's busybox image. */
  document = hcs_container_config_to_node (config);
  {
    g_autoptr (JsonNode) request = hcs_protocol_request_new (id);
    g_autoptr (GError) error = NULL;

    hcs_protocol_set_document (json_node_get_object (request), "ContainerConfig", document);
    reply = call (HCS_PROTOCOL_CREATE, request, &error);
    g_assert_no_error (error);
  }
  started = call_ok (HCS_PROTOCOL_START, id, &body);
}

/* A GuestStorage the agent must refuse before touching anything: serials
 * that are paths, members of the wrong type. The id stays free. */
static void
test_guest_storage_refused (void)
{
  static const char *const bad[] = {
    "{\"Layers\": [\"../../dev/vda\"], \"Scratch\": \"hcs-s0\"}",
    "{\"Layers\": [\"hcs-l0\"], \"Scratch\": \"/dev/vdb\"}",
    "{\"Layers\": [{\"x\": 1}], \"Scratch\": \"hcs-s0\"}",
    "{\"Layers\": \"hcs-l0\", \"Scratch\": [1]}",
    "{\"Layers\": [], \"Scratch\": \"hcs-s0\"}",
    "\"hcs-l0\"",
  };
  const char *argv[] = { "true", NULL };

  if (!vm_ready ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (HcsContainerConfig) config = hcs_container_config_new ();
      g_autoptr (JsonNode) document = NULL;
      g_autoptr (JsonNode) storage = json_from_string (bad[i], NULL);
      g_autoptr (JsonNode) request = hcs_protocol_request_new ("guest-storage");
      g_autoptr (JsonNode) reply = NULL;
      g_autoptr (GError) error = NULL;

      g_assert_nonnull (storage);
      config->process = hcs_process_config_new ();
      config->process->command_args = g_strdupv ((char **)argv);
      document = hcs_container_config_to_node (config);
      json_object_set_member (json_node_get_object (document), HCS_PROTOCOL_GUEST_STORAGE,
                              g_steal_pointer (&storage));
      hcs_protocol_set_document (json_node_get_object (request), "ContainerConfig", document);
      reply = call (HCS_PROTOCOL_CREATE, request, &error);
      g_assert_null (reply);
      g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, HCS_PROTOCOL_GUEST_STORAGE));
      g_test_message ("refused: %s", error->message);
    }
  /* Nothing was kept: the id is free for a plain container. */
  create_and_start ("guest-storage", argv);
}

static void
test_create_start (void)
{
  const char *argv[] = { "sleep", "1000", NULL };
  g_autoptr (JsonNode) again = hcs_protocol_request_new ("c1");
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (JsonNode) properties = NULL;
  g_autoptr (JsonNode) document = NULL;
  g_autoptr (GError) error = NULL;

  if (!vm_ready ())
    return;
  create_and_start ("c1", argv);

  properties = call_ok (HCS_PROTOCOL_GET_PROPERTIES, "c1", NULL);
  document = hcs_protocol_get_document (json_node_get_object (properties), "Properties", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (document), "State"), ==,
                   "Running");

  /* A second Create of the same id is refused, the first left alone. */
  json_object_set_string_member (json_node_get_object (again), "ContainerConfig", "{}");
  reply = call (HCS_PROTOCOL_CREATE, again, &error);
  g_assert_null (reply);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);

  /* A configuration the agent cannot use is an error naming the field,
   * and no system is left behind. */
  {
    g_autoptr (JsonNode) bad = hcs_protocol_request_new ("bad");
    g_autoptr (JsonNode) bad_reply = NULL;
    g_autoptr (JsonNode) gone = hcs_protocol_request_new ("bad");
    g_autoptr (JsonNode) gone_reply = NULL;

    json_object_set_string_member (json_node_get_object (bad), "ContainerConfig",
                                   "{\"VolumePath\": \"relative/root\"}");
    bad_reply = call (HCS_PROTOCOL_CREATE, bad, &error);
    g_assert_null (bad_reply);
    g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "VolumePath"));
    g_clear_error (&error);
    gone_reply = call (HCS_PROTOCOL_GET_PROPERTIES, gone, &error);
    g_assert_null (gone_reply);
    g_assert_true (hcs_error_is_not_exist (error));
  }
}

/* Reads a framed stdio port (docs/guest.md: u32 LE length, bytes; a zero
 * length ends it) until its end frame. */
typedef struct
{
  GInputStream *input;
  GByteArray *raw;  /* received, not yet taken apart */
  GByteArray *data; /* the payload */
  guint8 buffer[4096];
  gboolean eof;
  GError *error;
} Reader;

static void reader_read (Reader *reader);

static void
reader_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Reader *reader = user_data;
  gssize length = g_input_stream_read_finish (reader->input, result, &reader->error);

  if (length <= 0)
    {
      if (reader->error == NULL)
        reader->error = g_error_new (G_IO_ERROR, G_IO_ERROR_CLOSED, "no end frame");
      reader->eof = TRUE;
      return;
    }
  g_byte_array_append (reader->raw, reader->buffer, length);
  while (reader->raw->len >= 4)
    {
      guint32 frame = GUINT32_FROM_LE (*(guint32 *)reader->raw->data);

      if (frame == 0)
        {
          g_assert_cmpuint (reader->raw->len, ==, 4);
          reader->eof = TRUE;
          return;
        }
      if (reader->raw->len < 4 + frame)
        break;
      g_byte_array_append (reader->data, reader->raw->data + 4, frame);
      g_byte_array_remove_range (reader->raw, 0, 4 + frame);
    }
  reader_read (reader);
}

static void
reader_read (Reader *reader)
{
  g_input_stream_read_async (reader->input, reader->buffer, sizeof reader->buffer,
                             G_PRIORITY_DEFAULT, NULL, reader_read_cb, reader);
}

static gboolean
reader_done (gpointer data)
{
  return ((Reader *)data)->eof;
}

/* Hot-adds stdio port @name; (transfer full). */
static GIOStream *
add_port (const char *name)
{
  g_autoptr (GAsyncResult) added = NULL;
  g_autoptr (GError) error = NULL;
  GIOStream *stream;

  vm_machine_add_port_async (shared.vm, name, NULL, result_cb, &added);
  stream = vm_machine_add_port_finish (shared.vm,
                                       wait_for (&added, CALL_TIMEOUT_S, "hot-added port"), &error);
  g_assert_no_error (error);
  return stream;
}

static void
remove_port (const char *name)
{
  g_autoptr (GAsyncResult) removed = NULL;
  g_autoptr (GError) error = NULL;

  vm_machine_remove_port_async (shared.vm, name, NULL, result_cb, &removed);
  g_assert_true (vm_machine_remove_port_finish (
      shared.vm, wait_for (&removed, CALL_TIMEOUT_S, "port removal"), &error));
  g_assert_no_error (error);
}

/* Runs @argv in @id with its stdout relayed over a hot-added port, and
 * @stdin_text (nullable) on another, ended by the host's half-close;
 * gives what it wrote, read to its end on the host, and its exit code. */
static char *
exec_relayed (const char *id, const char *const *argv, const char *stdin_text, int *exit_code)
{
  g_autoptr (GIOStream) stdin_stream = NULL;
  g_autofree char *stdin_name = NULL;
  g_autoptr (HcsProcessConfig) process = hcs_process_config_new ();
  g_autoptr (JsonNode) request = hcs_protocol_request_new (id);
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (JsonNode) waited = NULL;
  g_autoptr (GIOStream) port_stream = NULL;
  g_autoptr (GError) error = NULL;
  HcsProtocolStdioRelay relay = { { 0 } };
  guint32 port = hcs_protocol_client_new_port (shared.client);
  g_autofree char *name = g_strdup_printf (HCS_PROTOCOL_STDIO_PORT_PREFIX "%u", port);
  JsonObject *settings = json_object_new ();
  JsonObject *relay_object = json_object_new ();
  Reader reader = { 0 };
  JsonObject *wait_body;

  port_stream = add_port (name);
  if (stdin_text != NULL)
    {
      relay.ports[0] = hcs_protocol_client_new_port (shared.client);
      stdin_name = g_strdup_printf (HCS_PROTOCOL_STDIO_PORT_PREFIX "%u", relay.ports[0]);
      stdin_stream = add_port (stdin_name);
      g_output_stream_write_all (g_io_stream_get_output_stream (stdin_stream), stdin_text,
                                 strlen (stdin_text), NULL, NULL, &error);
      g_assert_no_error (error);
      /* The port's end of input: QEMU reads the end of stream behind the
       * data and tells the guest the host closed it. */
      g_socket_shutdown (g_socket_connection_get_socket (G_SOCKET_CONNECTION (stdin_stream)), FALSE,
                         TRUE, &error);
      g_assert_no_error (error);
      process->create_stdin_pipe = TRUE;
    }
  reader.input = g_io_stream_get_input_stream (port_stream);
  reader.data = g_byte_array_new ();
  reader.raw = g_byte_array_new ();
  reader_read (&reader);

  process->command_args = g_strdupv ((char **)argv);
  process->create_stdout_pipe = TRUE;
  hcs_protocol_set_document (settings, "ProcessParameters", hcs_process_config_to_node (process));
  relay.ports[1] = port;
  hcs_protocol_stdio_relay_to_object (&relay, relay_object);
  json_object_set_object_member (settings, "VsockStdioRelaySettings", relay_object);
  json_object_set_object_member (json_node_get_object (request), "Settings", settings);
  reply = call (HCS_PROTOCOL_EXECUTE_PROCESS, request, &error);
  g_assert_no_error (error);

  {
    g_autoptr (JsonNode) wait = hcs_protocol_request_new (id);

    wait_body = json_node_get_object (wait);
    json_object_set_int_member (
        wait_body, "ProcessId",
        json_object_get_int_member (json_node_get_object (reply), "ProcessId"));
    json_object_set_int_member (wait_body, "TimeoutInMs", HCS_PROTOCOL_INFINITE);
    waited = call (HCS_PROTOCOL_WAIT_FOR_PROCESS, wait, &error);
    g_assert_no_error (error);
    *exit_code = json_object_get_int_member (json_node_get_object (waited), "ExitCode");
  }

  /* The end frame comes behind the last byte; then the ports go. */
  iterate_until (reader_done, &reader, CALL_TIMEOUT_S, "end frame of the stdout port");
  g_assert_no_error (reader.error);
  g_byte_array_unref (reader.raw);
  remove_port (name);
  if (stdin_name != NULL)
    remove_port (stdin_name);
  g_byte_array_append (reader.data, (const guint8 *)"", 1);
  return (char *)g_byte_array_free (reader.data, FALSE);
}

static void
test_exec_stdout (void)
{
  const char *argv[] = { "sh", "-c", "echo hello from the guest; echo line two; exit 7", NULL };
  g_autofree char *output = NULL;
  int exit_code = -1;

  if (!vm_ready ())
    return;
  output = exec_relayed ("c1", argv, NULL, &exit_code);
  g_assert_cmpstr (output, ==, "hello from the guest\nline two\n");
  g_assert_cmpint (exit_code, ==, 7);
}

static void
test_exec_stdin (void)
{
  const char *argv[] = { "sh", "-c", "tr a-z A-Z; echo done", NULL };
  g_autofree char *output = NULL;
  int exit_code = -1;

  if (!vm_ready ())
    return;
  /* tr ends only at the end of its input: the host's half-close. */
  output = exec_relayed ("c1", argv, "ping\npong\n", &exit_code);
  g_assert_cmpstr (output, ==, "PING\nPONG\ndone\n");
  g_assert_cmpint (exit_code, ==, 0);
}

static void
test_exec_exit_code (void)
{
  g_autoptr (HcsProcessConfig) process = hcs_process_config_new ();
  g_autoptr (JsonNode) request = hcs_protocol_request_new ("c1");
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (JsonNode) wait = hcs_protocol_request_new ("c1");
  g_autoptr (JsonNode) waited = NULL;
  g_autoptr (GError) error = NULL;
  const char *argv[] = { "sh", "-c", "exit 42", NULL };
  JsonObject *settings = json_object_new ();

  if (!vm_ready ())
    return;
  process->command_args = g_strdupv ((char **)argv);
  hcs_protocol_set_document (settings, "ProcessParameters", hcs_process_config_to_node (process));
  json_object_set_object_member (json_node_get_object (request), "Settings", settings);
  reply = call (HCS_PROTOCOL_EXECUTE_PROCESS, request, &error);
  g_assert_no_error (error);
  json_object_set_int_member (
      json_node_get_object (wait), "ProcessId",
      json_object_get_int_member (json_node_get_object (reply), "ProcessId"));
  json_object_set_int_member (json_node_get_object (wait), "TimeoutInMs", HCS_PROTOCOL_INFINITE);
  waited = call (HCS_PROTOCOL_WAIT_FOR_PROCESS, wait, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (waited), "ExitCode"), ==, 42);
}

static void
test_isolation (void)
{
  const char *c2_argv[] = { "sleep", "1002", NULL };
  const char *ps[] = { "ps", "-o", "args", NULL };
  g_autofree char *in_c1 = NULL;
  g_autofree char *in_c2 = NULL;
  int exit_code = -1;

  if (!vm_ready ())
    return;
  create_and_start ("c2", c2_argv);
  in_c1 = exec_relayed ("c1", ps, NULL, &exit_code);
  g_assert_cmpint (exit_code, ==, 0);
  in_c2 = exec_relayed ("c2", ps, NULL, &exit_code);
  g_assert_cmpint (exit_code, ==, 0);
  g_test_message ("c1 sees:\n%sc2 sees:\n%s", in_c1, in_c2);
  /* Each sees its own init, not the other's, nor the agent. */
  g_assert_nonnull (strstr (in_c1, "sleep 1000"));
  g_assert_null (strstr (in_c1, "sleep 1002"));
  g_assert_nonnull (strstr (in_c2, "sleep 1002"));
  g_assert_null (strstr (in_c2, "sleep 1000"));
  g_assert_null (strstr (in_c1, "hcs-gcs"));
}

/* Hot-adds bridge port @name, writes @garbage to it and checks the agent
 * closes it (QEMU's VSERPORT_CHANGE), then removes it. */
static void
send_garbage (const char *name, const guint8 *garbage, gsize length)
{
  g_autoptr (GAsyncResult) added = NULL;
  g_autoptr (GAsyncResult) removed = NULL;
  g_autoptr (GIOStream) stream = NULL;
  g_autoptr (GError) error = NULL;

  vm_machine_add_port_async (shared.vm, name, NULL, result_cb, &added);
  stream = vm_machine_add_port_finish (shared.vm,
                                       wait_for (&added, CALL_TIMEOUT_S, "hot-added port"), &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (stream), garbage, length, NULL, NULL,
                             &error);
  g_assert_no_error (error);
  iterate_until (port_closed, (gpointer)name, CALL_TIMEOUT_S, "refusal of the garbage");
  vm_machine_remove_port_async (shared.vm, name, NULL, result_cb, &removed);
  g_assert_true (vm_machine_remove_port_finish (
      shared.vm, wait_for (&removed, CALL_TIMEOUT_S, "port removal"), &error));
  g_assert_no_error (error);
}

static void
test_hostile (void)
{
  /* A header claiming 4 GiB; then a well-framed body that is not JSON. */
  const guint8 oversized[16] = { 0x01, 0x0b, 0x10, 0x10, 0xf0, 0xff, 0xff, 0xff, 1 };
  guint8 not_json[16 + 8] = { 0x01, 0x0b, 0x10, 0x10, sizeof not_json, 0, 0, 0, 2 };
  g_autoptr (JsonNode) properties = NULL;
  g_autoptr (JsonNode) document = NULL;
  g_autoptr (GError) error = NULL;

  if (!vm_ready ())
    return;
  memcpy (not_json + 16, "{garbage", 8);
  send_garbage (HCS_PROTOCOL_BRIDGE_PORT ".hostile1", oversized, sizeof oversized);
  send_garbage (HCS_PROTOCOL_BRIDGE_PORT ".hostile2", not_json, sizeof not_json);

  /* The agent lives on: the bridge answers, the containers still run. */
  negotiate ();
  properties = call_ok (HCS_PROTOCOL_GET_PROPERTIES, "c1", NULL);
  document = hcs_protocol_get_document (json_node_get_object (properties), "Properties", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (document), "State"), ==,
                   "Running");
}

/* Runs @argv in @id with no stdio; gives its pid. */
static gint64
exec_plain (const char *id, const char *const *argv, guint32 stdout_port)
{
  g_autoptr (HcsProcessConfig) process = hcs_process_config_new ();
  g_autoptr (JsonNode) request = hcs_protocol_request_new (id);
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (GError) error = NULL;
  HcsProtocolStdioRelay relay = { { 0, stdout_port, 0 } };
  JsonObject *settings = json_object_new ();
  JsonObject *relay_object = json_object_new ();

  process->command_args = g_strdupv ((char **)argv);
  process->create_stdout_pipe = stdout_port != 0;
  hcs_protocol_set_document (settings, "ProcessParameters", hcs_process_config_to_node (process));
  hcs_protocol_stdio_relay_to_object (&relay, relay_object);
  json_object_set_object_member (settings, "VsockStdioRelaySettings", relay_object);
  json_object_set_object_member (json_node_get_object (request), "Settings", settings);
  reply = call (HCS_PROTOCOL_EXECUTE_PROCESS, request, &error);
  g_assert_no_error (error);
  return json_object_get_int_member (json_node_get_object (reply), "ProcessId");
}

static int
wait_process (const char *id, gint64 pid)
{
  g_autoptr (JsonNode) wait = hcs_protocol_request_new (id);
  g_autoptr (JsonNode) waited = NULL;
  g_autoptr (GError) error = NULL;

  json_object_set_int_member (json_node_get_object (wait), "ProcessId", pid);
  json_object_set_int_member (json_node_get_object (wait), "TimeoutInMs", HCS_PROTOCOL_INFINITE);
  waited = call (HCS_PROTOCOL_WAIT_FOR_PROCESS, wait, &error);
  g_assert_no_error (error);
  return json_object_get_int_member (json_node_get_object (waited), "ExitCode");
}

/* A host that never reads a stdout port holds up that port only: the
 * agent answers, and runs other processes, while `yes` fills it. */
static void
test_stalled_port (void)
{
  const char *yes[] = { "yes", NULL };
  const char *exit_3[] = { "sh", "-c", "exit 3", NULL };
  guint32 port;
  g_autofree char *name = NULL;
  g_autoptr (GIOStream) stream = NULL;
  g_autoptr (JsonNode) killed = NULL;
  guint8 first[4];
  g_autoptr (GError) error = NULL;
  gint64 pid;
  JsonObject *body;

  if (!vm_ready ())
    return;
  port = hcs_protocol_client_new_port (shared.client);
  name = g_strdup_printf (HCS_PROTOCOL_STDIO_PORT_PREFIX "%u", port);
  stream = add_port (name);
  pid = exec_plain ("c1", yes, port);
  /* The flow has started; from now on nothing is read. */
  g_assert_true (g_input_stream_read_all (g_io_stream_get_input_stream (stream), first,
                                          sizeof first, NULL, NULL, &error));
  g_assert_no_error (error);

  for (int i = 0; i < 3; i++)
    {
      negotiate ();
      g_assert_cmpint (wait_process ("c1", exec_plain ("c1", exit_3, 0)), ==, 3);
    }

  {
    g_autoptr (JsonNode) request = hcs_protocol_request_new ("c1");

    body = json_node_get_object (request);
    json_object_set_int_member (body, "ProcessId", pid);
    killed = call (HCS_PROTOCOL_SIGNAL_PROCESS, request, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (wait_process ("c1", pid), ==, 128 + SIGKILL);
  remove_port (name);
}

/* Garbage on the boot bridge itself: the agent drops that connection and
 * serves the port again, so the host's next call is answered. */
static void
test_bridge_garbage (void)
{
  const guint8 oversized[16] = { 0x01, 0x0b, 0x10, 0x10, 0xf0, 0xff, 0xff, 0xff, 3 };
  GIOStream *bridge;
  g_autoptr (GError) error = NULL;

  if (!vm_ready ())
    return;
  /* Nothing is in flight on the client: the raw write interleaves with
   * no frame of its own. */
  bridge = vm_machine_get_port (shared.vm, HCS_PROTOCOL_BRIDGE_PORT);
  g_output_stream_write_all (g_io_stream_get_output_stream (bridge), oversized, sizeof oversized,
                             NULL, NULL, &error);
  g_assert_no_error (error);
  iterate_until (port_closed, (gpointer)HCS_PROTOCOL_BRIDGE_PORT, CALL_TIMEOUT_S,
                 "refusal of the garbage on the bridge");
  negotiate ();
}

static void
stop_and_delete (const char *id)
{
  g_autoptr (JsonNode) stopped = call_ok (HCS_PROTOCOL_SHUTDOWN_FORCED, id, NULL);
  g_autoptr (JsonNode) wait = hcs_protocol_request_new (id);
  g_autoptr (JsonNode) waited = NULL;
  g_autoptr (JsonNode) deleted = NULL;
  g_autoptr (JsonNode) gone = NULL;
  g_autoptr (GError) error = NULL;

  json_object_set_int_member (json_node_get_object (wait), "TimeoutInMs", HCS_PROTOCOL_INFINITE);
  waited = call (HCS_PROTOCOL_WAIT_FOR_CONTAINER, wait, &error);
  g_assert_no_error (error);
  deleted = call_ok (HCS_PROTOCOL_DELETE_CONTAINER_STATE, id, NULL);
  {
    g_autoptr (JsonNode) request = hcs_protocol_request_new (id);

    gone = call (HCS_PROTOCOL_GET_PROPERTIES, request, &error);
    g_assert_null (gone);
    g_assert_true (hcs_error_is_not_exist (error));
  }
}

static void
test_shutdown (void)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  if (!vm_ready ())
    return;
  stop_and_delete ("c1");
  stop_and_delete ("c2");
  g_clear_object (&shared.client);
  vm_machine_shutdown_async (shared.vm, 0, NULL, result_cb, &result);
  g_assert_true (vm_machine_shutdown_finish (
      shared.vm, wait_for (&result, CALL_TIMEOUT_S, "shut-down"), &error));
  g_assert_no_error (error);
  g_clear_object (&shared.vm);
  /* Nothing left: no QEMU, no run folder with its sockets. */
  g_assert_cmpint (kill (shared.pid, 0), ==, -1);
  g_assert_false (g_file_test (shared.run_dir, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  shared.closed_ports = g_ptr_array_new_with_free_func (g_free);
  g_test_add_func ("/guest/boot", test_boot);
  g_test_add_func ("/guest/negotiate", test_negotiate);
  g_test_add_func ("/guest/create-start", test_create_start);
  g_test_add_func ("/guest/blocks-marks", test_blocks_marks);
  g_test_add_func ("/guest/stdout-relay", test_exec_stdout);
  g_test_add_func ("/guest/stdin-relay", test_exec_stdin);
  g_test_add_func ("/guest/exit-code", test_exec_exit_code);
  g_test_add_func ("/guest/isolation", test_isolation);
  g_test_add_func ("/guest/guest-storage-refused", test_guest_storage_refused);
  g_test_add_func ("/guest/hostile-frames", test_hostile);
  g_test_add_func ("/guest/stalled-port", test_stalled_port);
  g_test_add_func ("/guest/bridge-garbage", test_bridge_garbage);
  g_test_add_func ("/guest/shutdown", test_shutdown);
  status = g_test_run ();
  if (shared.vm != NULL)
    vm_machine_kill (shared.vm);
  g_clear_object (&shared.client);
  g_ptr_array_unref (shared.closed_ports);
  g_free (shared.run_dir);
  return status;
}
