/* vm-guest.c: a VM with the guest agent behind its bridge port, in a
 * thread of its own (vm-guest.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vm-guest.h"

#include "hcs-error.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A stdio port carries frames of at most this (the agent writes 64 KiB). */
#define VM_GUEST_MAX_FRAME (1024 * 1024)
/* Saving a template writes some megabytes of device state and ROMs. */
#define VM_GUEST_SAVE_TIMEOUT_S 120

struct _VmGuest
{
  GObject parent_instance;

  char *label;
  VmConfig *config;

  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  VmMachine *vm;            /* the VM thread's */
  GHashTable *relays;       /* port name -> Relay, the VM thread's */

  GMutex lock;              /* guards `client`, `pid`, `alive` */
  HcsProtocolClient *client;
  GPid pid;
  gboolean alive;

  VmGuestExitedFunc exited_func;
  gpointer exited_data;

  GMutex job_lock;          /* guards the jobs' `done` */
  GCond job_cond;
};

G_DEFINE_FINAL_TYPE (VmGuest, vm_guest, G_TYPE_OBJECT)

/* --- jobs in the VM's thread ----------------------------------------------------------- */

typedef gboolean (*JobFunc) (VmGuest *self, gpointer data, GError **error);

typedef struct
{
  VmGuest *self;
  JobFunc func;
  gpointer data;
  gboolean ok;
  gboolean done;
  GError *error;
} Job;

static gboolean
job_cb (gpointer user_data)
{
  Job *job = user_data;
  VmGuest *self = job->self;

  job->ok = job->func (self, job->data, &job->error);
  g_mutex_lock (&self->job_lock);
  job->done = TRUE;
  g_cond_broadcast (&self->job_cond);
  g_mutex_unlock (&self->job_lock);
  return G_SOURCE_REMOVE;
}

/* Runs @func in the VM's thread and waits for it. */
static gboolean
run_job (VmGuest *self, JobFunc func, gpointer data, GError **error)
{
  Job job = { self, func, data, FALSE, FALSE, NULL };
  g_autoptr (GSource) source = NULL;

  if (g_thread_self () == self->thread)
    return func (self, data, error);
  /* A source of its own, not g_main_context_invoke: that would run it here
   * should this thread win the context first. */
  source = g_idle_source_new ();
  g_source_set_callback (source, job_cb, &job, NULL);
  g_source_attach (source, self->context);
  g_mutex_lock (&self->job_lock);
  while (!job.done)
    g_cond_wait (&self->job_cond, &self->job_lock);
  g_mutex_unlock (&self->job_lock);
  if (job.error != NULL)
    g_propagate_error (error, job.error);
  return job.ok;
}

static void
result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* In the VM's thread: iterates its context until @result is set. */
static GAsyncResult *
await (VmGuest *self, GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (self->context, TRUE);
  return *result;
}

static gpointer
thread_main (gpointer data)
{
  VmGuest *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/* --- stdio relays ------------------------------------------------------------------ */

/* One stream of a process: a hot-added port and our end of the socket pair
 * whose other end the proxy reads or writes. */
typedef struct
{
  gint refs;             /* its life (until the port is removed), and each pending operation */
  VmGuest *self;
  char *name;
  guint stream;          /* 0 stdin, 1 stdout, 2 stderr */
  GIOStream *port;
  GIOStream *local;
  GCancellable *cancellable;
  GByteArray *raw;       /* from the port, not yet taken apart */
  gboolean local_broken; /* the reader went away: what comes is dropped */
  gboolean ending;
  guint8 buffer[16384];
} Relay;

static Relay *
relay_ref (Relay *relay)
{
  relay->refs++; /* the VM's thread only */
  return relay;
}

static void
relay_unref (Relay *relay)
{
  if (--relay->refs > 0)
    return;
  g_free (relay->name);
  g_clear_object (&relay->port);
  g_clear_object (&relay->local);
  g_clear_object (&relay->cancellable);
  g_byte_array_unref (relay->raw);
  g_free (relay);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Relay, relay_unref)

static void
relay_removed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  /* The VM may be gone already: nothing is left of the port then either. */
  vm_machine_remove_port_finish (VM_MACHINE (source), result, NULL);
  relay_unref (user_data);
}

/* Ends @relay: our end closed (the proxy's reader sees its end), the port
 * removed. */
static void
relay_end (Relay *relay)
{
  VmGuest *self = relay->self;

  if (relay->ending)
    return;
  relay->ending = TRUE;
  g_cancellable_cancel (relay->cancellable);
  g_hash_table_steal (self->relays, relay->name);
  g_io_stream_close (relay->local, NULL, NULL);
  if (self->vm != NULL && vm_machine_is_running (self->vm))
    vm_machine_remove_port_async (self->vm, relay->name, NULL, relay_removed_cb, relay);
  else
    relay_unref (relay);
}

static void relay_read_port (Relay *relay);
static void relay_pump (Relay *relay);

static void
relay_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  /* The operation's reference, dropped on the way out. */
  g_autoptr (Relay) relay = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    relay->local_broken = TRUE;
  if (relay->ending)
    return;
  relay_pump (relay);
}

/* Takes the frames received apart: one payload written at a time. */
static void
relay_pump (Relay *relay)
{
  while (relay->raw->len >= 4)
    {
      guint32 length = GUINT32_FROM_LE (*(guint32 *) relay->raw->data);
      g_autoptr (GBytes) payload = NULL;

      if (length == 0 || length > VM_GUEST_MAX_FRAME)
        {
          /* The end frame (or a guest that frames garbage: also the end). */
          relay_end (relay);
          return;
        }
      if (relay->raw->len < 4 + length)
        break;
      payload = g_bytes_new (relay->raw->data + 4, length);
      g_byte_array_remove_range (relay->raw, 0, 4 + length);
      if (relay->local_broken)
        continue;
      g_output_stream_write_all_async (g_io_stream_get_output_stream (relay->local),
                                       g_bytes_get_data (payload, NULL), length,
                                       G_PRIORITY_DEFAULT, relay->cancellable, relay_written_cb,
                                       relay_ref (relay));
      /* The bytes are the GBytes's: kept until written. */
      g_object_set_data_full (G_OBJECT (relay->local), "vm-guest-pending",
                              g_steal_pointer (&payload), (GDestroyNotify) g_bytes_unref);
      return;
    }
  relay_read_port (relay);
}

static void
relay_port_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  /* The operation's reference, dropped on the way out. */
  g_autoptr (Relay) relay = user_data;
  gssize length = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (relay->ending)
    return;
  if (length <= 0)
    {
      /* The VM went, or the port was taken from under us. */
      relay_end (relay);
      return;
    }
  g_byte_array_append (relay->raw, relay->buffer, length);
  relay_pump (relay);
}

static void
relay_read_port (Relay *relay)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (relay->port), relay->buffer,
                             sizeof relay->buffer, G_PRIORITY_DEFAULT, relay->cancellable,
                             relay_port_read_cb, relay_ref (relay));
}

static void relay_read_local (Relay *relay);

static void
relay_stdin_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  /* The operation's reference, dropped on the way out. */
  g_autoptr (Relay) relay = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      if (!relay->ending)
        relay_end (relay);
      return;
    }
  if (!relay->ending)
    relay_read_local (relay);
}

static void
relay_local_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  /* The operation's reference, dropped on the way out. */
  g_autoptr (Relay) relay = user_data;
  gssize length = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (relay->ending)
    return;
  if (length <= 0)
    {
      /* The end of stdin: our half-close of the port's socket, which QEMU
       * passes on behind the data. The port goes once the guest closed it. */
      g_socket_shutdown (g_socket_connection_get_socket (G_SOCKET_CONNECTION (relay->port)),
                         FALSE, TRUE, NULL);
      return;
    }
  g_output_stream_write_all_async (g_io_stream_get_output_stream (relay->port), relay->buffer,
                                   length, G_PRIORITY_DEFAULT, relay->cancellable,
                                   relay_stdin_written_cb, relay_ref (relay));
}

static void
relay_read_local (Relay *relay)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (relay->local), relay->buffer,
                             sizeof relay->buffer, G_PRIORITY_DEFAULT, relay->cancellable,
                             relay_local_read_cb, relay_ref (relay));
}

/* QEMU tells when the guest closed a port: a stdin port is then done with
 * (the process exited or read its end). */
static void
qmp_event_cb (VmQmp *qmp, const char *name, JsonObject *data, gpointer user_data)
{
  VmGuest *self = user_data;
  const char *id;
  Relay *relay;

  if (!g_str_equal (name, "VSERPORT_CHANGE") || data == NULL ||
      !json_object_has_member (data, "open") || json_object_get_boolean_member (data, "open"))
    return;
  id = json_object_get_string_member_with_default (data, "id", "");
  if (!g_str_has_prefix (id, "port-"))
    return;
  relay = g_hash_table_lookup (self->relays, id + strlen ("port-"));
  if (relay != NULL && relay->stream == 0)
    relay_end (relay);
}

typedef struct
{
  guint32 port;
  guint stream;
  int fd;
} OpenPort;

static gboolean
open_port_job (VmGuest *self, gpointer data, GError **error)
{
  OpenPort *open_port = data;
  g_autoptr (GAsyncResult) added = NULL;
  g_autoptr (GIOStream) port = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autofree char *name =
      g_strdup_printf (HCS_PROTOCOL_STDIO_PORT_PREFIX "%u", open_port->port);
  Relay *relay;
  int pair[2];

  if (self->vm == NULL || !vm_machine_is_running (self->vm))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                   "%s: stdio port %u: the VM is not running", self->label, open_port->port);
      return FALSE;
    }
  vm_machine_add_port_async (self->vm, name, NULL, result_cb, &added);
  port = vm_machine_add_port_finish (self->vm, await (self, &added), error);
  if (port == NULL)
    return FALSE;
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
    {
      int saved_errno = errno;

      vm_machine_remove_port_async (self->vm, name, NULL, NULL, NULL);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "%s: stdio port %u: socketpair: %s", self->label, open_port->port,
                   g_strerror (saved_errno));
      return FALSE;
    }
  socket = g_socket_new_from_fd (pair[1], error);
  if (socket == NULL)
    {
      close (pair[0]);
      close (pair[1]);
      vm_machine_remove_port_async (self->vm, name, NULL, NULL, NULL);
      return FALSE;
    }
  relay = g_new0 (Relay, 1);
  relay->refs = 1;
  relay->self = self;
  relay->name = g_steal_pointer (&name);
  relay->stream = open_port->stream;
  relay->port = g_steal_pointer (&port);
  relay->local = G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
  relay->cancellable = g_cancellable_new ();
  relay->raw = g_byte_array_new ();
  g_hash_table_insert (self->relays, relay->name, relay);
  if (relay->stream == 0)
    relay_read_local (relay);
  else
    relay_read_port (relay);
  open_port->fd = pair[0];
  return TRUE;
}

static int
stdio_opener (guint32 port, guint stream, gpointer user_data, GError **error)
{
  OpenPort open_port = { port, stream, -1 };

  if (!run_job (user_data, open_port_job, &open_port, error))
    return -1;
  return open_port.fd;
}

int
vm_guest_open_stdio (VmGuest *self, guint32 port, guint stream, GError **error)
{
  return stdio_opener (port, stream, self, error);
}

static gboolean
close_port_job (VmGuest *self, gpointer data, GError **error)
{
  g_autofree char *name = g_strdup_printf (HCS_PROTOCOL_STDIO_PORT_PREFIX "%u",
                                           GPOINTER_TO_UINT (data));
  Relay *relay = g_hash_table_lookup (self->relays, name);

  if (relay != NULL)
    relay_end (relay);
  return TRUE;
}

void
vm_guest_close_stdio (VmGuest *self, guint32 port)
{
  run_job (self, close_port_job, GUINT_TO_POINTER (port), NULL);
}

static void
end_relays (VmGuest *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->relays);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_hash_table_iter_steal (&iter);
      ((Relay *) value)->ending = TRUE;
      g_cancellable_cancel (((Relay *) value)->cancellable);
      g_io_stream_close (((Relay *) value)->local, NULL, NULL);
      relay_unref (value);
    }
}

/* --- a user's own work in the VM's thread ------------------------------------------------- */

typedef struct
{
  VmGuestFunc func;
  gpointer data;
} UserJob;

static gboolean
user_job (VmGuest *self, gpointer data, GError **error)
{
  UserJob *job = data;

  return job->func (self, self->vm, self->context, job->data, error);
}

gboolean
vm_guest_run (VmGuest *self, VmGuestFunc func, gpointer data, GError **error)
{
  UserJob job = { func, data };

  return run_job (self, user_job, &job, error);
}

/* --- QMP in the VM's thread ------------------------------------------------------------ */

typedef struct
{
  const char *command;
  JsonObject *arguments;
  JsonNode *reply;
} QmpCall;

static gboolean
qmp_job (VmGuest *self, gpointer data, GError **error)
{
  QmpCall *call = data;
  g_autoptr (GAsyncResult) result = NULL;
  VmQmp *qmp = self->vm != NULL ? vm_machine_get_qmp (self->vm) : NULL;

  if (qmp == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT, "%s: the VM is not running",
                   self->label);
      return FALSE;
    }
  vm_qmp_execute_async (qmp, call->command, call->arguments, NULL, result_cb, &result);
  call->reply = vm_qmp_execute_finish (qmp, await (self, &result), error);
  return call->reply != NULL;
}

gboolean
vm_guest_qmp (VmGuest *self, const char *command, JsonObject *arguments, JsonNode **reply,
              GError **error)
{
  QmpCall call = { command, arguments, NULL };

  if (!run_job (self, qmp_job, &call, error))
    return FALSE;
  if (reply != NULL)
    *reply = call.reply;
  else
    json_node_unref (call.reply);
  return TRUE;
}

static gboolean
qmp_sync (VmGuest *self, const char *command, JsonObject *arguments, JsonNode **reply,
          GError **error)
{
  QmpCall call = { command, arguments, NULL };

  if (!qmp_job (self, &call, error))
    return FALSE;
  if (reply != NULL)
    *reply = call.reply;
  else
    json_node_unref (call.reply);
  return TRUE;
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* In the VM's thread: lets its context run for @ms. */
static void
sleep_in_context (VmGuest *self, guint ms)
{
  gboolean done = FALSE;
  g_autoptr (GSource) source = g_timeout_source_new (ms);

  g_source_set_callback (source, timeout_cb, &done, NULL);
  g_source_attach (source, self->context);
  while (!done)
    g_main_context_iteration (self->context, TRUE);
  g_source_destroy (source);
}

static gboolean
save_job (VmGuest *self, gpointer data, GError **error)
{
  const char *state_path = data;
  g_autoptr (JsonObject) capabilities = vm_machine_ignore_shared_arguments ();
  g_autoptr (JsonObject) arguments = json_object_new ();
  g_autofree char *quoted = g_shell_quote (state_path);
  g_autofree char *uri = g_strdup_printf ("exec:cat > %s", quoted);
  gint64 deadline = g_get_monotonic_time () + VM_GUEST_SAVE_TIMEOUT_S * G_USEC_PER_SEC;

  if (!qmp_sync (self, "migrate-set-capabilities", capabilities, NULL, error))
    return FALSE;
  json_object_set_string_member (arguments, "uri", uri);
  if (!qmp_sync (self, "migrate", arguments, NULL, error))
    return FALSE;
  /* Polled: a few ms for some megabytes; MIGRATION events would need a
   * capability more and say no more. */
  for (guint interval = 2;; interval = MIN (interval * 2, 50))
    {
      g_autoptr (JsonNode) reply = NULL;
      const char *status;

      if (!qmp_sync (self, "query-migrate", NULL, &reply, error))
        return FALSE;
      status = json_object_get_string_member_with_default (json_node_get_object (reply),
                                                           "status", "");
      if (g_str_equal (status, "completed"))
        return TRUE;
      if (g_str_equal (status, "failed") || g_str_equal (status, "cancelled"))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "%s: saving to %s: migration %s: %s",
                       self->label, state_path, status,
                       json_object_get_string_member_with_default (
                           json_node_get_object (reply), "error-desc", "no reason given"));
          return FALSE;
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_TIMEOUT,
                       "%s: saving to %s: not done in %d s", self->label, state_path,
                       VM_GUEST_SAVE_TIMEOUT_S);
          return FALSE;
        }
      sleep_in_context (self, interval);
    }
}

gboolean
vm_guest_save (VmGuest *self, const char *state_path, GError **error)
{
  return run_job (self, save_job, (gpointer) state_path, error);
}

/* --- the VM ------------------------------------------------------------------------ */

static void
machine_exited_cb (VmMachine *vm, gpointer user_data)
{
  VmGuest *self = user_data;

  g_mutex_lock (&self->lock);
  self->alive = FALSE;
  self->pid = 0;
  g_mutex_unlock (&self->lock);
  if (self->exited_func != NULL)
    self->exited_func (self, self->exited_data);
}

static gboolean
boot_job (VmGuest *self, gpointer data, GError **error)
{
  const char *incoming_state = data;
  g_autoptr (GAsyncResult) started = NULL;
  gint64 start = g_get_monotonic_time ();
  GIOStream *bridge;

  self->vm = vm_machine_new (self->config, NULL);
  vm_machine_start_async (self->vm, NULL, result_cb, &started);
  if (!vm_machine_start_finish (self->vm, await (self, &started), error))
    {
      g_prefix_error (error, "%s: starting the VM: ", self->label);
      g_clear_object (&self->vm);
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  self->pid = vm_machine_get_pid (self->vm);
  self->alive = TRUE;
  g_mutex_unlock (&self->lock);
  g_signal_connect (self->vm, "exited", G_CALLBACK (machine_exited_cb), self);
  g_signal_connect (vm_machine_get_qmp (self->vm), "event", G_CALLBACK (qmp_event_cb), self);
  g_debug ("%s: QEMU %d up, QMP ready%s%s in %.0f ms", self->label, (int) self->pid,
           incoming_state ? " and the state restored from " : "",
           incoming_state ? incoming_state : "", (g_get_monotonic_time () - start) / 1000.0);
  /* What the host writes before the agent reads the port waits in the
   * socket: the first call is answered once the agent serves. */
  bridge = vm_machine_get_port (self->vm, HCS_PROTOCOL_BRIDGE_PORT);
  g_mutex_lock (&self->lock);
  self->client = hcs_protocol_client_new_for_stream (bridge);
  g_mutex_unlock (&self->lock);
  hcs_protocol_client_set_stdio_opener (self->client, stdio_opener, self, NULL);
  return TRUE;
}

typedef struct
{
  guint grace_ms;
} StopArgs;

static gboolean
stop_job (VmGuest *self, gpointer data, GError **error)
{
  const StopArgs *args = data;
  g_autoptr (GAsyncResult) result = NULL;

  end_relays (self);
  if (self->vm == NULL)
    return TRUE;
  if (vm_machine_get_qmp (self->vm) != NULL)
    g_signal_handlers_disconnect_by_data (vm_machine_get_qmp (self->vm), self);
  if (vm_machine_is_running (self->vm))
    {
      if (args->grace_ms > 0)
        {
          vm_machine_shutdown_async (self->vm, args->grace_ms, NULL, result_cb, &result);
          vm_machine_shutdown_finish (self->vm, await (self, &result), NULL);
        }
      else
        {
          vm_machine_kill (self->vm);
          vm_machine_wait_async (self->vm, NULL, result_cb, &result);
          vm_machine_wait_finish (self->vm, await (self, &result), NULL);
        }
    }
  else
    {
      /* It died: once reaped, its run folder is gone too. */
      vm_machine_wait_async (self->vm, NULL, result_cb, &result);
      vm_machine_wait_finish (self->vm, await (self, &result), NULL);
    }
  g_signal_handlers_disconnect_by_data (self->vm, self);
  g_clear_object (&self->vm);
  return TRUE;
}

static void
drop_client (VmGuest *self)
{
  g_autoptr (HcsProtocolClient) client = NULL;

  g_mutex_lock (&self->lock);
  client = g_steal_pointer (&self->client);
  g_mutex_unlock (&self->lock);
  /* Proxies may outlive us: their next process gets an error, not us. */
  if (client != NULL)
    hcs_protocol_client_set_stdio_opener (client, NULL, NULL, NULL);
}

void
vm_guest_stop (VmGuest *self, guint grace_ms)
{
  StopArgs args = { grace_ms };

  g_return_if_fail (g_thread_self () != self->thread);
  drop_client (self);
  run_job (self, stop_job, &args, NULL);
}

static gboolean
kill_job (VmGuest *self, gpointer data, GError **error)
{
  if (self->vm != NULL && vm_machine_is_running (self->vm))
    vm_machine_kill (self->vm);
  return TRUE;
}

void
vm_guest_kill (VmGuest *self)
{
  run_job (self, kill_job, NULL, NULL);
}

static gboolean
boot_timed_out_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

VmGuest *
vm_guest_start (const VmConfig *config, const char *label, const char *incoming_state,
                guint timeout_s, GError **error)
{
  g_autoptr (VmGuest) self = g_object_new (VM_TYPE_GUEST, NULL);
  g_autoptr (GCancellable) cancellable = NULL;
  g_autoptr (GSource) timeout = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (GError) local_error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_return_val_if_fail (config->incoming == (incoming_state != NULL), NULL);
  if (!vm_config_validate (config, error))
    return NULL;
  self->label = g_strdup (label);
  self->config = vm_config_copy (config);
  self->config->die_with_parent = TRUE;
  g_free (self->config->incoming_state);
  self->config->incoming_state = g_strdup (incoming_state);
  self->thread = g_thread_new ("vm-guest", thread_main, self);
  if (!run_job (self, boot_job, (gpointer) incoming_state, error))
    {
      vm_guest_stop (self, 0);
      return NULL;
    }

  /* The agent is ready when it answers. */
  cancellable = g_cancellable_new ();
  timeout = g_timeout_source_new_seconds (timeout_s);
  g_source_set_callback (timeout, boot_timed_out_cb, g_object_ref (cancellable), g_object_unref);
  g_source_attach (timeout, self->context);
  body = hcs_protocol_request_new (NULL);
  json_object_set_int_member (json_node_get_object (body), "MinimumVersion", HCS_PROTOCOL_VERSION);
  json_object_set_int_member (json_node_get_object (body), "MaximumVersion", HCS_PROTOCOL_VERSION);
  reply = hcs_protocol_client_call_sync (self->client, HCS_PROTOCOL_NEGOTIATE_PROTOCOL, body,
                                         cancellable, &local_error);
  g_source_destroy (timeout);
  if (reply == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                   "%s: the guest agent did not answer%s: %s", self->label,
                   g_cancellable_is_cancelled (cancellable) ? " in time" : "",
                   local_error->message);
      vm_guest_stop (self, 0);
      return NULL;
    }
  g_debug ("%s: the agent answered at %.0f ms", self->label,
           (g_get_monotonic_time () - start) / 1000.0);
  return g_steal_pointer (&self);
}

HcsProtocolClient *
vm_guest_get_client (VmGuest *self)
{
  return self->client;
}

GPid
vm_guest_get_pid (VmGuest *self)
{
  GPid pid;

  g_mutex_lock (&self->lock);
  pid = self->pid;
  g_mutex_unlock (&self->lock);
  return pid;
}

/* A QEMU that died is a zombie until VmMachine reaps it: dead already. */
gboolean
vm_guest_is_alive (VmGuest *self)
{
  g_autofree char *path = NULL;
  g_autofree char *stat = NULL;
  const char *after_name;
  GPid pid = vm_guest_get_pid (self);

  if (pid <= 0)
    return FALSE;
  path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  if (!g_file_get_contents (path, &stat, NULL, NULL) || (after_name = strrchr (stat, ')')) == NULL)
    return FALSE;
  return after_name[1] == ' ' && after_name[2] != 'Z' && after_name[2] != 'X';
}

typedef struct
{
  guint64 cpu_ns;
  guint64 rss_bytes;
  char *console_log;
} Usage;

static gboolean
usage_job (VmGuest *self, gpointer data, GError **error)
{
  Usage *usage = data;

  if (self->vm == NULL || !vm_machine_is_running (self->vm))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT, "%s: the VM is not running",
                   self->label);
      return FALSE;
    }
  usage->console_log = g_strdup (vm_machine_get_console_log (self->vm));
  return vm_machine_get_host_usage (self->vm, &usage->cpu_ns, &usage->rss_bytes, error);
}

gboolean
vm_guest_get_host_usage (VmGuest *self, guint64 *cpu_ns, guint64 *rss_bytes, GError **error)
{
  Usage usage = { 0 };

  if (!run_job (self, usage_job, &usage, error))
    return FALSE;
  g_free (usage.console_log);
  *cpu_ns = usage.cpu_ns;
  *rss_bytes = usage.rss_bytes;
  return TRUE;
}

char *
vm_guest_dup_console_log (VmGuest *self)
{
  Usage usage = { 0 };

  if (!run_job (self, usage_job, &usage, NULL))
    return NULL;
  return usage.console_log;
}

void
vm_guest_set_exited_func (VmGuest *self, VmGuestExitedFunc func, gpointer user_data)
{
  self->exited_func = func;
  self->exited_data = user_data;
}

/* --- GObject ------------------------------------------------------------------------ */

static gboolean
quit_job (VmGuest *self, gpointer data, GError **error)
{
  g_main_loop_quit (self->loop);
  return TRUE;
}

static void
vm_guest_finalize (GObject *object)
{
  VmGuest *self = VM_GUEST (object);

  if (self->thread != NULL)
    {
      vm_guest_stop (self, 0);
      run_job (self, quit_job, NULL, NULL);
      g_thread_join (self->thread);
    }
  g_clear_object (&self->client);
  g_hash_table_unref (self->relays);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_clear_pointer (&self->config, vm_config_free);
  g_free (self->label);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->job_lock);
  g_cond_clear (&self->job_cond);
  G_OBJECT_CLASS (vm_guest_parent_class)->finalize (object);
}

static void
vm_guest_class_init (VmGuestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vm_guest_finalize;
}

static void
vm_guest_init (VmGuest *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->job_lock);
  g_cond_init (&self->job_cond);
  self->relays = g_hash_table_new (g_str_hash, g_str_equal);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
}
