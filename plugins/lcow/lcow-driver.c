/* lcow-driver.c: the "lcow" isolation driver: Linux containers in a
 * utility VM (UVM) whose guest agent (guest/hcs-gcs) serves the
 * compute-system protocol over a virtio-serial bridge port.
 *
 * One UVM per driver (so per host), started on the first create and shared
 * by every container of that host; it is shut down with the driver. The
 * containers and processes are the protocol's proxies
 * (HcsProtocolClient); what this driver adds is the UVM and the stdio
 * relays: each stream of a process is a virtio-serial port hot-added for
 * it, relayed to a socket pair whose other end the proxy hands out.
 *
 * Threading: VmMachine does everything in the thread-default context of
 * the thread that started it, so the UVM has a thread of its own running
 * its context; callers (any thread, synchronous) hand it jobs and wait.
 * QEMU is tied to that thread (die_with_parent): a host that crashes leaves
 * no QEMU behind.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "hcs-protocol-client.h"
#include "lcow-private.h"
#include "lcow-storage.h"
#include "vm-machine.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <signal.h>
#include <gio/gunixoutputstream.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Guards against a guest that never comes up, not a timing: TCG under load
 * boots in 5-20 s ([lcow] boot-timeout). */
#define LCOW_BOOT_TIMEOUT_S 240
/* PCIe root ports for hot-added disks: a container takes one a layer and
 * one for its scratch. */
#define LCOW_HOTPLUG_SLOTS 24
/* A stdio port carries frames of at most this (the agent writes 64 KiB). */
#define LCOW_MAX_FRAME (1024 * 1024)

/* The UVM: one per process, shared by the drivers of every host in it. */
typedef struct
{
  GMutex lock;              /* guards the start, `users` and `client` */
  guint users;              /* drivers that hold it */
  gboolean keep;            /* outlives its last driver ([lcow] keep-uvm) */

  /* Its thread and what lives in it. */
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  VmMachine *vm;            /* the UVM thread's */
  GHashTable *relays;       /* port name -> Relay, the UVM thread's */
  GHashTable *nics;         /* NIC name -> LcowNic, the UVM thread's */
  HcsProtocolClient *client; /* set once the agent answered */
  LcowStorageRoot *storage_root; /* the UVM's shares and images, with `vm` */
  GHashTable *storages;     /* id -> LcowStorage, guarded by `lock` */

  GMutex job_lock;          /* guards the jobs' `done` */
  GCond job_cond;

  /* [lcow] end-with-uvm (a UVM holder's): a VM that exits on its own ends
   * the process, which then removes what it held. */
  gboolean end_with_uvm;
} Uvm;

static Uvm the_uvm;

struct _LcowDriver
{
  GObject parent_instance;

  GKeyFile *options;
  gboolean holds_uvm;

  GMutex lock;              /* guards `containers` */
  GHashTable *containers;   /* id -> HcsContainer (weak: the caller owns it) */
};

static void lcow_driver_isolation_iface_init (HcsIsolationDriverInterface *iface);
static void lcow_driver_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (
    LcowDriver, lcow_driver, G_TYPE_OBJECT,
    G_IMPLEMENT_INTERFACE (HCS_TYPE_ISOLATION_DRIVER, lcow_driver_isolation_iface_init)
    G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, lcow_driver_initable_iface_init))

/* --- settings ------------------------------------------------------------------ */

typedef struct
{
  char *kernel;
  char *initrd;
  char *boot_parameters;
  guint memory_mb;
  guint processors;
  guint boot_timeout_s;
  guint request_timeout_s;
} LcowSettings;

static void
lcow_settings_clear (LcowSettings *settings)
{
  g_clear_pointer (&settings->kernel, g_free);
  g_clear_pointer (&settings->initrd, g_free);
  g_clear_pointer (&settings->boot_parameters, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LcowSettings, lcow_settings_clear)

/* The build tree's initramfs while the plugin runs from it, else the
 * installed one. */
static const char *
default_initrd (void)
{
  if (LCOW_BUILD_INITRD[0] != '\0' && g_file_test (LCOW_BUILD_INITRD, G_FILE_TEST_EXISTS))
    return LCOW_BUILD_INITRD;
  return LCOW_INSTALLED_INITRD;
}

static guint
get_uint (LcowDriver *self, GKeyFile *system_options, const char *key, const char *fallback)
{
  g_autofree char *text =
      hcs_options_get_string (self->options, system_options, "lcow", key, fallback);

  /* The host checked the declared range already. */
  return (guint) g_ascii_strtoull (text, NULL, 10);
}

static void
lcow_driver_get_settings (LcowDriver *self, GKeyFile *system_options, LcowSettings *settings)
{
  settings->kernel = hcs_options_get_string (self->options, system_options, "lcow", "kernel",
                                             LCOW_DEFAULT_KERNEL);
  settings->initrd = hcs_options_get_string (self->options, system_options, "lcow", "initrd",
                                             default_initrd ());
  settings->boot_parameters = hcs_options_get_string (
      self->options, system_options, "lcow", "boot-parameters", LCOW_DEFAULT_BOOT_PARAMETERS);
  settings->memory_mb = get_uint (self, system_options, "memory-mb", "512");
  settings->processors = get_uint (self, system_options, "processors", "1");
  settings->boot_timeout_s = get_uint (self, system_options, "boot-timeout",
                                       G_STRINGIFY (LCOW_BOOT_TIMEOUT_S));
  settings->request_timeout_s = get_uint (self, system_options, "request-timeout", "300");
}

/* --- jobs in the UVM's thread ------------------------------------------------------ */

typedef gboolean (*JobFunc) (Uvm *self, gpointer data, GError **error);

typedef struct
{
  Uvm *self;
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
  Uvm *self = job->self;

  job->ok = job->func (self, job->data, &job->error);
  g_mutex_lock (&self->job_lock);
  job->done = TRUE;
  g_cond_broadcast (&self->job_cond);
  g_mutex_unlock (&self->job_lock);
  return G_SOURCE_REMOVE;
}

/* Runs @func in the UVM's thread and waits for it. */
static gboolean
run_job (Uvm *self, JobFunc func, gpointer data, GError **error)
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
  /* A job may answer FALSE without an error (alive_job: a plain no). */
  if (job.error != NULL)
    g_propagate_error (error, job.error);
  return job.ok;
}

static void
result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* In the UVM's thread: iterates its context until @result is set. */
static GAsyncResult *
await (Uvm *self, GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (self->context, TRUE);
  return *result;
}

static gpointer
uvm_thread_main (gpointer data)
{
  Uvm *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/* --- stdio relays ------------------------------------------------------------------ */

/* One stream of a process: a hot-added port and our end of the socket pair
 * whose other end the proxy reads or writes. What the agent writes on a
 * port is framed (u32 LE length, bytes; a zero length ends it); what the
 * host writes for stdin is raw, ended by our half-close (docs/guest.md). */
typedef struct
{
  gint refs;             /* its life (until the port is removed), and each pending operation */
  Uvm *self;
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
  relay->refs++; /* the UVM's thread only */
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
  Uvm *self = relay->self;

  if (relay->ending)
    return;
  relay->ending = TRUE;
  g_cancellable_cancel (relay->cancellable);
  g_hash_table_steal (self->relays, relay->name);
  g_io_stream_close (relay->local, NULL, NULL);
  if (self->vm != NULL)
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

      if (length == 0 || length > LCOW_MAX_FRAME)
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
      g_object_set_data_full (G_OBJECT (relay->local), "lcow-pending",
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
  Uvm *self = user_data;
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
open_port_job (Uvm *self, gpointer data, GError **error)
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
                   "lcow: stdio port %u: the utility VM is not running", open_port->port);
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
                   "lcow: stdio port %u: socketpair: %s", open_port->port,
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

static gboolean
close_port_job (Uvm *self, gpointer data, GError **error)
{
  g_autofree char *name = g_strdup_printf (HCS_PROTOCOL_STDIO_PORT_PREFIX "%u",
                                           GPOINTER_TO_UINT (data));
  Relay *relay = g_hash_table_lookup (self->relays, name);

  if (relay != NULL)
    relay_end (relay);
  return TRUE;
}

/* --- NICs ---------------------------------------------------------------------------- */

/* The tap on its bridge, then the NIC on it; on success the UVM holds it. */
static gboolean
add_nic_job (Uvm *self, gpointer data, GError **error)
{
  LcowNic *nic = data;
  g_autoptr (GAsyncResult) added = NULL;

  if (self->vm == NULL || !vm_machine_is_running (self->vm))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                   "lcow: endpoint %s: the utility VM is not running", nic->endpoint_id);
      return FALSE;
    }
  if (g_hash_table_contains (self->nics, nic->name))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "lcow: endpoint %s is in a container of the utility VM already",
                   nic->endpoint_id);
      return FALSE;
    }
  if (!lcow_tap_create (nic, error))
    return FALSE;
  vm_machine_add_nic_async (self->vm, nic->name, nic->tap, nic->mac, NULL, result_cb, &added);
  if (!vm_machine_add_nic_finish (self->vm, await (self, &added), error))
    {
      g_prefix_error (error, "lcow: endpoint %s: ", nic->endpoint_id);
      lcow_tap_delete (nic->tap);
      return FALSE;
    }
  nic->added = TRUE;
  g_hash_table_insert (self->nics, nic->name, nic);
  return TRUE;
}

/* Takes @nic out of the VM (device_del, netdev_del) and deletes its tap.
 * One the guest does not let go stays listed, its tap deleted once QEMU
 * is gone (shutdown_job). */
static void
release_nic (Uvm *self, LcowNic *nic)
{
  if (nic->added && self->vm != NULL && vm_machine_is_running (self->vm))
    {
      g_autoptr (GAsyncResult) removed = NULL;

      vm_machine_remove_nic_async (self->vm, nic->name, NULL, result_cb, &removed);
      if (!vm_machine_remove_nic_finish (self->vm, await (self, &removed), NULL))
        return;
      nic->added = FALSE;
    }
  if (lcow_tap_delete (nic->tap))
    g_hash_table_remove (self->nics, nic->name);
}

/* Every NIC of the container @data (its id). */
static gboolean
release_nics_job (Uvm *self, gpointer data, GError **error)
{
  const char *container_id = data;
  g_autoptr (GPtrArray) theirs = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->nics);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_str_equal (((LcowNic *) value)->container_id, container_id))
      g_ptr_array_add (theirs, value);
  for (guint i = 0; i < theirs->len; i++)
    release_nic (self, theirs->pdata[i]);
  return TRUE;
}

/* The NICs of a create, in the order of its EndpointList; none is left
 * when one cannot be made. */
static GPtrArray *
add_nics (LcowDriver *driver, Uvm *self, const char *id, const HcsContainerConfig *config,
          GError **error)
{
  g_autoptr (GPtrArray) adapters = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  for (guint i = 0; config->endpoint_list != NULL && config->endpoint_list[i] != NULL; i++)
    {
      g_autoptr (HcsEndpoint) endpoint =
          hcs_driver_open_endpoint (driver, config->endpoint_list[i], error);
      g_autoptr (LcowNic) nic = endpoint ? lcow_nic_new (id, endpoint, error) : NULL;
      JsonObject *adapter;

      if (nic == NULL || !run_job (self, add_nic_job, nic, error))
        {
          g_prefix_error (error, "lcow: compute system '%s': ContainerConfig.EndpointList[%u]: ",
                          id, i);
          run_job (self, release_nics_job, (gpointer) id, NULL);
          return NULL;
        }
      adapter = json_object_ref (nic->adapter);
      /* The UVM's now. */
      g_steal_pointer (&nic);
      g_ptr_array_add (adapters, adapter);
    }
  return g_steal_pointer (&adapters);
}

/* --- the UVM ----------------------------------------------------------------------- */

/* QEMU exited without our asking (a shut-down disconnects us first). */
static void
vm_exited_cb (VmMachine *vm, gpointer data)
{
  Uvm *self = data;

  if (self->end_with_uvm)
    kill (getpid (), SIGTERM);
}

static gboolean
boot_job (Uvm *self, gpointer data, GError **error)
{
  const LcowSettings *settings = data;
  g_autoptr (VmConfig) config = vm_config_new ();
  g_autoptr (GAsyncResult) started = NULL;
  GIOStream *bridge;

  config->kernel = g_strdup (settings->kernel);
  config->initrd = g_strdup (settings->initrd);
  config->append = g_strdup (settings->boot_parameters);
  config->memory_mb = settings->memory_mb;
  config->processors = settings->processors;
  config->machine_type = VM_MACHINE_TYPE_Q35;
  config->hotplug_slots = LCOW_HOTPLUG_SLOTS; /* disks and NICs */
  config->die_with_parent = TRUE;
  g_ptr_array_add (config->boot_ports, g_strdup (HCS_PROTOCOL_BRIDGE_PORT));
  self->storage_root = lcow_storage_root_new (error);
  if (self->storage_root == NULL)
    return FALSE;
  lcow_storage_root_add_shares (self->storage_root, config);
  if (!vm_config_validate (config, error))
    {
      g_clear_pointer (&self->storage_root, lcow_storage_root_unref);
      return FALSE;
    }
  self->vm = vm_machine_new (config, NULL);
  vm_machine_start_async (self->vm, NULL, result_cb, &started);
  if (!vm_machine_start_finish (self->vm, await (self, &started), error))
    {
      g_prefix_error (error, "lcow: starting the utility VM: ");
      g_clear_object (&self->vm);
      g_clear_pointer (&self->storage_root, lcow_storage_root_unref);
      return FALSE;
    }
  g_signal_connect (vm_machine_get_qmp (self->vm), "event", G_CALLBACK (qmp_event_cb), self);
  g_signal_connect (self->vm, "exited", G_CALLBACK (vm_exited_cb), self);
  /* What the host writes before the agent opens the port waits in the
   * socket: the first call is answered once the agent serves. */
  bridge = vm_machine_get_port (self->vm, HCS_PROTOCOL_BRIDGE_PORT);
  self->client = hcs_protocol_client_new_for_stream (bridge);
  hcs_protocol_client_set_stdio_opener (self->client, stdio_opener, self, NULL);
  return TRUE;
}

/* QEMU has gone: it let every tap go. */
static void
delete_taps (Uvm *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->nics);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      lcow_tap_delete (((LcowNic *) value)->tap);
      g_hash_table_iter_remove (&iter);
    }
}

static gboolean
shutdown_job (Uvm *self, gpointer data, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;
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
  if (self->vm == NULL)
  if (self->vm == NULL)
    {
      delete_taps (self);
      return TRUE;
    }
  g_signal_handlers_disconnect_by_func (self->vm, vm_exited_cb, self);
  g_hash_table_remove_all (self->storages); /* their disks go with QEMU */
  if (vm_machine_get_qmp (self->vm) != NULL)
    g_signal_handlers_disconnect_by_data (vm_machine_get_qmp (self->vm), self);
  if (vm_machine_is_running (self->vm))
    {
      /* The containers live in the guest only: nothing asks it to stop them. */
      vm_machine_shutdown_async (self->vm, 0, NULL, result_cb, &result);
      vm_machine_shutdown_finish (self->vm, await (self, &result), NULL);
    }
  else
    {
      /* It died: once reaped, its run folder is gone too. */
      vm_machine_wait_async (self->vm, NULL, result_cb, &result);
      vm_machine_wait_finish (self->vm, await (self, &result), NULL);
    }
  g_clear_object (&self->vm);
  /* QEMU is gone: nothing holds the shares, the images (a create preparing
   * meanwhile holds its own reference) or the taps any more. */
  g_clear_pointer (&self->storage_root, lcow_storage_root_unref);
  delete_taps (self);
  return TRUE;
}

static void
drop_client (Uvm *self)
{
  if (self->client == NULL)
    return;
  /* Proxies may outlive us: their next process gets an error, not us. */
  hcs_protocol_client_set_stdio_opener (self->client, NULL, NULL, NULL);
  g_clear_object (&self->client);
}

static gboolean
boot_timed_out_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* A QEMU that died is a zombie until VmMachine reaps it: dead already. */
static gboolean
process_alive (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *after_name;

  if (pid <= 0 || !g_file_get_contents (path, &stat, NULL, NULL) ||
      (after_name = strrchr (stat, ')')) == NULL)
    return FALSE;
  return after_name[1] == ' ' && after_name[2] != 'Z' && after_name[2] != 'X';
}

static gboolean
alive_job (Uvm *self, gpointer data, GError **error)
{
  return self->vm != NULL && vm_machine_is_running (self->vm) &&
         process_alive (vm_machine_get_pid (self->vm));
}

/* Called with self->lock held: the UVM, started on first use (and again
 * when the one before died). */
static gboolean
ensure_uvm (Uvm *self, const LcowSettings *settings, GError **error)
{
  g_autoptr (GCancellable) cancellable = NULL;
  g_autoptr (GSource) timeout = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (GError) local_error = NULL;

  if (self->client != NULL)
    {
      /* A guest that stalled a call (its bridge taken as lost) is shut
       * down as a dead one is: the next create gets a new UVM. */
      if (run_job (self, alive_job, NULL, NULL) && !hcs_protocol_client_is_lost (self->client))
        return TRUE;
      drop_client (self);
      run_job (self, shutdown_job, NULL, NULL);
    }
  if (!run_job (self, boot_job, (gpointer) settings, error))
    return FALSE;

  /* The agent is ready when it answers. */
  cancellable = g_cancellable_new ();
  timeout = g_timeout_source_new_seconds (settings->boot_timeout_s);
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
                   "lcow: the guest agent of the utility VM did not answer%s: %s",
                   g_cancellable_is_cancelled (cancellable) ? " in time" : "",
                   local_error->message);
      drop_client (self);
      run_job (self, shutdown_job, NULL, NULL);
      return FALSE;
    }
  /* From now on a request the agent took and never answers fails. */
  hcs_protocol_client_set_call_timeout (self->client, settings->request_timeout_s * 1000);
  return TRUE;
}

/* With self->lock held. */
static void
uvm_stop (Uvm *self)
{
  drop_client (self);
  run_job (self, shutdown_job, NULL, NULL);
}

/* A UVM kept beyond its last driver goes when the process exits: QEMU
 * would die with the UVM's thread anyway, but its run folder would stay. */
static void
uvm_stop_at_exit (void)
{
  g_mutex_lock (&the_uvm.lock);
  uvm_stop (&the_uvm);
  g_mutex_unlock (&the_uvm.lock);
}

/* The UVM's thread and context, made once: the plugin stays loaded. */
static Uvm *
uvm_get (void)
{
  static gsize made = 0;

  if (g_once_init_enter (&made))
    {
      Uvm *self = &the_uvm;

      g_mutex_init (&self->lock);
      g_mutex_init (&self->job_lock);
      g_cond_init (&self->job_cond);
      self->relays = g_hash_table_new (g_str_hash, g_str_equal);
      self->storages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) lcow_storage_free);
      self->nics = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) lcow_nic_free);
      self->context = g_main_context_new ();
      self->loop = g_main_loop_new (self->context, FALSE);
      self->thread = g_thread_new ("lcow-uvm", uvm_thread_main, self);
      atexit (uvm_stop_at_exit);
      g_once_init_leave (&made, 1);
    }
  return &the_uvm;
}

static void container_finalized_cb (gpointer data, GObject *where_the_object_was);

/* --- GObject ------------------------------------------------------------------- */

static void
lcow_driver_finalize (GObject *object)
{
  LcowDriver *self = LCOW_DRIVER (object);
  GHashTableIter iter;
  gpointer value;

  /* Containers the caller still holds no longer tell us they went. */
  g_hash_table_iter_init (&iter, self->containers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_object_weak_unref (value, container_finalized_cb, self);
  if (self->holds_uvm)
    {
      Uvm *uvm = uvm_get ();

      /* The containers live in the guest only: they go with it. */
      g_mutex_lock (&uvm->lock);
      if (--uvm->users == 0 && !uvm->keep)
        uvm_stop (uvm);
      g_mutex_unlock (&uvm->lock);
    }
  g_clear_pointer (&self->options, g_key_file_unref);
  g_hash_table_unref (self->containers);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (lcow_driver_parent_class)->finalize (object);
}

static void
lcow_driver_class_init (LcowDriverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lcow_driver_finalize;
}

static void
lcow_driver_init (LcowDriver *self)
{
  g_mutex_init (&self->lock);
  self->containers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* Refuses a host that cannot boot the UVM, saying what is missing. */
static gboolean
lcow_driver_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  LcowDriver *self = LCOW_DRIVER (initable);
  g_auto (LcowSettings) settings = { 0 };
  g_autofree char *qemu = g_find_program_in_path ("qemu-system-x86_64");

  self->options = g_key_file_ref (hcs_driver_get_options (self));
  /* An endpoint is a NIC of the UVM, set up by the guest: the host has no
   * namespace of the container's to attach it to. */
  hcs_driver_set_takes_endpoints (self, TRUE);
  lcow_driver_get_settings (self, NULL, &settings);
  if (qemu == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "lcow: qemu-system-x86_64 is not installed (scripts/setup.sh installs it)");
      return FALSE;
    }
  if (!g_file_test (settings.kernel, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "lcow: no utility VM kernel at %s ([lcow] kernel; scripts/vm-kernel.sh "
                   "extracts Debian's)", settings.kernel);
      return FALSE;
    }
  if (!g_file_test (settings.initrd, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "lcow: no guest initramfs at %s ([lcow] initrd; the build makes it when "
                   "the kernel's modules are there)", settings.initrd);
      return FALSE;
    }
  return TRUE;
}

static void
lcow_driver_initable_iface_init (GInitableIface *iface)
{
  iface->init = lcow_driver_initable_init;
}

/* --- HcsIsolationDriver -------------------------------------------------------- */

static const char *
lcow_driver_get_isolation (HcsIsolationDriver *driver)
{
  return "lcow";
}

static void
container_finalized_cb (gpointer data, GObject *where_the_object_was)
{
  LcowDriver *self = data;
  GHashTableIter iter;
  gpointer key, value;
  g_autofree char *id = NULL;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->containers);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (value == (gpointer) where_the_object_was)
      {
        id = g_strdup (key);
        g_hash_table_iter_remove (&iter);
      }
  g_mutex_unlock (&self->lock);
  /* Its NICs go with the object the create gave: the UVM lives in this
   * process, and nobody can open the container elsewhere (docs/lcow.md). */
  if (id != NULL)
    run_job (uvm_get (), release_nics_job, id, NULL);
}

/* --- storage ---------------------------------------------------------------------- */

static gboolean
attach_job (Uvm *self, gpointer data, GError **error)
{
  /* Prepared for a UVM that went meanwhile: its shares are not this one's. */
  if (self->vm == NULL || !vm_machine_is_running (self->vm) ||
      lcow_storage_get_root (data) != self->storage_root)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                   "lcow: attaching disks: the utility VM is not running");
      return FALSE;
    }
  return lcow_storage_attach (data, self->vm, self->context, error);
}

static gboolean
detach_job (Uvm *self, gpointer data, GError **error)
{
  /* Disks of a UVM that died went with its QEMU: the one now running
   * (a storage holds its root, so the address is no other's) has
   * nothing of them, whatever their names. */
  lcow_storage_detach (data, lcow_storage_get_root (data) == self->storage_root ? self->vm : NULL,
                       self->context);
  return TRUE;
}

/* A container removed: its disks leave the guest, its images and mounts
 * the host (the agent unmounted them on DeleteContainerState). */
static void
container_removed_cb (HcsContainer *container, gpointer user_data)
{
  Uvm *uvm = user_data;
  g_autofree char *id = NULL;
  g_autoptr (LcowStorage) storage = NULL;

  g_mutex_lock (&uvm->lock);
  g_hash_table_steal_extended (uvm->storages, hcs_container_get_id (container),
                               (gpointer *) &id, (gpointer *) &storage);
  g_mutex_unlock (&uvm->lock);
  if (storage != NULL)
    run_job (uvm, detach_job, storage, NULL);
}

/* QEMU's own use, read in the UVM's thread (which owns the VM). */
static gboolean
host_usage_job (Uvm *self, gpointer data, GError **error)
{
  HcsStatistics *stats = data;

  if (self->vm == NULL || !vm_machine_is_running (self->vm))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                   "lcow: the utility VM is not running");
      return FALSE;
    }
  return vm_machine_get_host_usage (self->vm, &stats->vm_processor_total_runtime_ns,
                                    &stats->vm_memory_working_set_bytes, error);
}

/* The guest's figures, with what its UVM costs the host beside them
 * (shared by every container of that UVM, as hcsshim reports it). A UVM
 * that went meanwhile leaves the guest's figures alone. */
static void
container_statistics_cb (HcsContainer *container, HcsStatistics *stats, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!run_job (user_data, host_usage_job, stats, &error))
    g_debug ("lcow: %s: no figures of QEMU: %s", hcs_container_get_id (container),
             error->message);
}

/* What does not reach the guest yet is refused, not dropped. */
static gboolean
check_config (const char *id, const HcsContainerConfig *config, GError **error)
{
  const char *what = NULL;

  if (what == NULL)
    return TRUE;
  g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
               "lcow: compute system '%s': %s: not supported in the utility VM yet", id, what);
  return FALSE;
}

static HcsContainer *
create_in_uvm (LcowDriver *self, const char *id, const HcsContainerConfig *config,
               GError **error)
{
  const HcsProcessConfig *process = config->process;
  /* As the proxy's exec does: a console is stdin and stdout, no stderr;
   * with a console socket they end in a host terminal whose master goes
   * there (hcs_protocol_console_relay_new). */
  gboolean console = process && process->emulate_console;
  g_autoptr (HcsProtocolConsoleRelay) console_relay = NULL;
  /* Given descriptors (runc's create through a holder, or the caller's
   * own): relayed to the ports by pumps that keep copies of them. */
  gboolean given = process && !process->emulate_console &&
                   (process->inherit_stdio || process->use_stdio_fds);
  gboolean want[3] = { process && (process->create_stdin_pipe || console || given),
                       process && (process->create_stdout_pipe || console || given),
                       process && ((process->create_stderr_pipe && !process->emulate_console) ||
                                   given) };
  HcsProtocolStdioRelay relay = { { 0 } };
  int fds[3] = { -1, -1, -1 };
  g_autoptr (JsonNode) request = hcs_protocol_request_new (id);
  g_autoptr (JsonNode) document = NULL;
  g_autoptr (LcowStorage) storage = NULL;
  g_autoptr (LcowStorageRoot) storage_root = NULL;
  g_autoptr (JsonNode) reply = NULL;
  HcsContainer *container = NULL;
  JsonObject *relay_object;
  g_auto (LcowSettings) settings = { 0 };
  Uvm *uvm = uvm_get ();
  g_autoptr (HcsProtocolClient) client = NULL;
  g_autoptr (GPtrArray) adapters = NULL;

  /* Host-wide options only: the UVM is shared by every system. */
  lcow_driver_get_settings (self, NULL, &settings);
  g_mutex_lock (&uvm->lock);
  if (!self->holds_uvm)
    {
      uvm->users++;
      self->holds_uvm = TRUE;
    }
  uvm->keep = hcs_options_get_boolean (self->options, NULL, "lcow", "keep-uvm", FALSE);
  uvm->end_with_uvm = hcs_options_get_boolean (self->options, NULL, "lcow", "end-with-uvm", FALSE);
  if (ensure_uvm (uvm, &settings, error))
    {
      client = g_object_ref (uvm->client);
      storage_root = lcow_storage_root_ref (uvm->storage_root);
    }
  g_mutex_unlock (&uvm->lock);
  if (client == NULL)
    return NULL;
  if (console && process->console_socket != NULL)
    {
      /* runc's create hands the master over before it returns; one that
       * cannot be is an error before anything is made. */
      console_relay = hcs_protocol_console_relay_new (process->console_socket,
                                                      process->console_height,
                                                      process->console_width, error);
      if (console_relay == NULL)
        return NULL;
    }
  if (lcow_storage_wanted (config))
    {
      g_autofree char *layer_dir = hcs_options_get_string (self->options, NULL, "host",
                                                           "layer-dir", HCS_DEFAULT_LAYER_DIR);

      storage = lcow_storage_prepare (id, config, layer_dir, storage_root, error);
      if (storage == NULL)
        return NULL;
      if (!run_job (uvm, attach_job, storage, error))
        goto out;
      document = lcow_storage_guest_config (storage, config);
    }
  else
    document = hcs_container_config_to_node (config);
  /* Endpoints become NICs before the Create that names them; the guest
   * gets their settings instead of ids of the host's. */
  adapters = add_nics (self, uvm, id, config, error);
  if (adapters == NULL)
    goto out;
  json_object_remove_member (json_node_get_object (document), "EndpointList");
  if (adapters->len > 0)
    {
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < adapters->len; i++)
        json_array_add_object_element (array, json_object_ref (adapters->pdata[i]));
      json_object_set_array_member (json_node_get_object (document), "NetworkAdapters", array);
    }
  if (given)
    {
      /* The guest's init gets pipes for the ports the pumps feed. */
      JsonNode *init = json_object_get_member (json_node_get_object (document), "Process");

      if (init != NULL && JSON_NODE_HOLDS_OBJECT (init))
        {
          json_object_set_boolean_member (json_node_get_object (init), "CreateStdInPipe", TRUE);
          json_object_set_boolean_member (json_node_get_object (init), "CreateStdOutPipe", TRUE);
          json_object_set_boolean_member (json_node_get_object (init), "CreateStdErrPipe", TRUE);
        }
    }
  /* The init's streams: ports hot-added before the request that names them. */
  for (int i = 0; i < 3; i++)
    if (want[i])
      {
        relay.ports[i] = hcs_protocol_client_new_port (client);
        fds[i] = stdio_opener (relay.ports[i], i, uvm, error);
        if (fds[i] < 0)
          goto out;
      }
  hcs_protocol_set_document (json_node_get_object (request), "ContainerConfig", document);
  relay_object = json_object_new ();
  hcs_protocol_stdio_relay_to_object (&relay, relay_object);
  json_object_set_object_member (json_node_get_object (request), "InitStdioRelay", relay_object);
  reply = hcs_protocol_client_call_sync (client, HCS_PROTOCOL_CREATE, request, NULL, error);
  if (reply == NULL)
    {
      g_prefix_error (error, "lcow: ");
      goto out;
    }
  /* The guest stands on it now: it goes when the container is removed or
   * the UVM shut down, even should the proxy below fail. */
  if (storage != NULL)
    {
      g_mutex_lock (&uvm->lock);
      g_hash_table_replace (uvm->storages, g_strdup (id), g_steal_pointer (&storage));
      g_mutex_unlock (&uvm->lock);
    }
  container = hcs_protocol_client_open_container (client, id, error);
  if (container == NULL)
    goto out;
  hcs_protocol_container_set_isolation (container, "lcow");
  hcs_protocol_container_set_removed_func (container, container_removed_cb, uvm);
  hcs_protocol_container_set_statistics_func (container, container_statistics_cb, uvm);
  if (given)
    for (int i = 0; i < 3; i++)
      {
        int copy = fcntl (process->use_stdio_fds ? process->stdio_fds[i] : i, F_DUPFD_CLOEXEC, 3);

        /* A closed stream of the caller's: its relay ends at once. */
        if (copy < 0)
          copy = open ("/dev/null", O_RDWR | O_CLOEXEC);
        if (copy < 0)
          close (g_steal_fd (&fds[i]));
        else
          hcs_protocol_stdio_pump_start (i, copy, g_steal_fd (&fds[i]));
      }
  else if (console_relay != NULL)
    {
      g_autoptr (HcsProcess) init = hcs_container_get_init_process (container, error);

      if (init == NULL ||
          !hcs_protocol_console_relay_start (g_steal_pointer (&console_relay),
                                             g_steal_fd (&fds[0]), g_steal_fd (&fds[1]), init,
                                             error))
        {
          hcs_container_discard (container, NULL);
          g_clear_object (&container);
          goto out;
        }
    }
  else
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
  for (int i = 0; i < 3; i++)
    if (fds[i] >= 0)
      {
        /* Never used: its port goes now, not with the VM. */
        close (fds[i]);
        run_job (uvm, close_port_job, GUINT_TO_POINTER (relay.ports[i]), NULL);
      }
  if (storage != NULL)
    run_job (uvm, detach_job, storage, NULL);
  if (container == NULL)
    run_job (uvm, release_nics_job, (gpointer) id, NULL);
  return container;
}

static HcsContainer *
lcow_driver_create_container (HcsIsolationDriver *driver, const char *id,
                              const HcsContainerConfig *config, GKeyFile *system_options,
                              GError **error)
{
  LcowDriver *self = LCOW_DRIVER (driver);
  g_autoptr (GError) local_error = NULL;
  HcsContainer *container;
  gboolean had_uvm;

  if (!check_config (id, config, error))
    return NULL;
  /* Held by a UVM holder: the system outlives this process. */
  if (hcs_options_get_boolean (self->options, system_options, "lcow", "uvm-holder", FALSE))
    return lcow_holder_create_container (self->options, id, config, error);
  /* The guest refuses an id it holds (a removed one is free again). */
  g_mutex_lock (&self->lock);
  had_uvm = run_job (uvm_get (), alive_job, NULL, NULL);
  container = create_in_uvm (self, id, config, &local_error);
  if (container == NULL && had_uvm && !run_job (uvm_get (), alive_job, NULL, NULL))
    {
      /* The UVM died under this create: once more, in a new one (a boot
       * that failed is not tried again). */
      g_clear_error (&local_error);
      container = create_in_uvm (self, id, config, &local_error);
    }
  if (container == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  if (container != NULL)
    {
      HcsContainer *before = g_hash_table_lookup (self->containers, id);

      if (before != NULL)
        g_object_weak_unref (G_OBJECT (before), container_finalized_cb, self);
      g_hash_table_insert (self->containers, g_strdup (id), container);
      g_object_weak_ref (G_OBJECT (container), container_finalized_cb, self);
    }
  g_mutex_unlock (&self->lock);
  return container;
}

static HcsContainer *
lcow_driver_open_container (HcsIsolationDriver *driver, const char *id, GError **error)
{
  g_autoptr (HcsProtocolClient) client = NULL;
  Uvm *uvm = uvm_get ();
  HcsContainer *container;

  g_autoptr (GError) local_error = NULL;

  g_mutex_lock (&uvm->lock);
  if (uvm->client != NULL)
    client = g_object_ref (uvm->client);
  g_mutex_unlock (&uvm->lock);
  /* This process's own UVM first, then the held ones. */
  if (client != NULL)
    {
      container = hcs_protocol_client_open_container (client, id, &local_error);
      if (container != NULL)
        {
          hcs_protocol_container_set_isolation (container, "lcow");
          hcs_protocol_container_set_removed_func (container, container_removed_cb, uvm);
          hcs_protocol_container_set_statistics_func (container, container_statistics_cb, uvm);
          return container;
        }
      if (!hcs_error_is_not_exist (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  return lcow_holder_open_container (LCOW_DRIVER (driver)->options, id, error);
}

static GPtrArray *
lcow_driver_list_containers (HcsIsolationDriver *driver, GError **error)
{
  LcowDriver *self = LCOW_DRIVER (driver);
  g_autoptr (GPtrArray) result =
      g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_container_properties_free);
  g_autoptr (GPtrArray) containers = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->containers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (containers, g_object_ref (value));
  g_mutex_unlock (&self->lock);
  for (guint i = 0; i < containers->len; i++)
    {
      HcsContainerProperties *props = hcs_container_query_properties (containers->pdata[i], NULL);

      if (props != NULL) /* removed or closed: no longer listed */
        g_ptr_array_add (result, props);
    }
  /* A holder's own host finds its containers here too: listed once. */
  {
    g_autoptr (GPtrArray) held =
        g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_container_properties_free);

    lcow_holder_list_containers (self->options, held);
    for (guint i = 0; i < held->len; i++)
      {
        HcsContainerProperties *props = held->pdata[i];
        gboolean seen = FALSE;

        for (guint j = 0; j < result->len && !seen; j++)
          seen = g_strcmp0 (((HcsContainerProperties *) result->pdata[j])->id, props->id) == 0;
        if (!seen)
          g_ptr_array_add (result, g_steal_pointer (&held->pdata[i]));
      }
  }
  return g_steal_pointer (&result);
}

static void
lcow_driver_isolation_iface_init (HcsIsolationDriverInterface *iface)
{
  iface->get_isolation = lcow_driver_get_isolation;
  iface->create_container = lcow_driver_create_container;
  iface->open_container = lcow_driver_open_container;
  iface->list_containers = lcow_driver_list_containers;
}
