/* lcow-driver.c: the "lcow" isolation driver: Linux containers in a
 * utility VM (UVM) whose guest agent (guest/hcs-gcs) serves the
 * compute-system protocol over a virtio-serial bridge port.
 *
 * One UVM per driver (so per host), started on the first create and shared
 * by every container of that host; it is shut down with the driver. The
 * containers and processes are the protocol's proxies
 * (HcsProtocolClient); the UVM is plugins/vm's VmGuest, as xenon's VMs
 * are: its thread, QEMU, the bridge and the stdio relays (each stream of
 * a process a virtio-serial port hot-added for it, relayed to a socket
 * pair whose other end the proxy hands out). What this driver adds is
 * what a shared UVM holds beyond that: hot-added disks and NICs (jobs in
 * the VmGuest's thread, vm_guest_run), the storage folders, the
 * statistics' hook and the UVM's life across drivers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "hcs-protocol-client.h"
#include "lcow-private.h"
#include "lcow-storage.h"
#include "vm-guest.h"
#include "vm-netns.h"
#include "vm-settings.h"
#include "vm-tap.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <signal.h>
#include <gio/gunixoutputstream.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Guards against a guest that never comes up, not a timing: TCG under load
 * boots in 5-20 s ([lcow] boot-timeout). */
#define LCOW_BOOT_TIMEOUT_S 240
/* PCIe root ports for hot-added disks: a container takes one a layer and
 * one for its scratch. */
#define LCOW_HOTPLUG_SLOTS 24

/* The UVM: one per process, shared by the drivers of every host in it. */
typedef struct
{
  GMutex lock;              /* guards the start and stop, and all below but `nics` */
  guint users;              /* drivers that hold it */
  gboolean keep;            /* outlives its last driver ([lcow] keep-uvm) */

  VmGuest *guest;           /* the running UVM: its thread, QEMU, stdio relays */
  HcsProtocolClient *client; /* set once the agent answered */
  LcowStorageRoot *storage_root; /* the UVM's shares and images, with `guest` */
  GHashTable *storages;     /* id -> LcowStorage */

  GMutex nics_lock;         /* guards `nics`: jobs of the guest's thread and the stop */
  GHashTable *nics;         /* NIC name -> LcowNic */

  /* [lcow] end-with-uvm (a UVM holder's): a VM that exits on its own ends
   * the process, which then removes what it held. */
  gboolean end_with_uvm;
  gint stopping;            /* we end the VM: its exit is ours (atomic) */
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

static guint
get_uint (LcowDriver *self, GKeyFile *system_options, const char *key, const char *fallback)
{
  return vm_settings_get_uint (self->options, system_options, "lcow", key, fallback);
}

static void
lcow_driver_get_settings (LcowDriver *self, GKeyFile *system_options, LcowSettings *settings)
{
  const VmSettingsDefaults defaults = {
    LCOW_DEFAULT_KERNEL, vm_settings_default_initrd (LCOW_BUILD_INITRD, LCOW_INSTALLED_INITRD),
    LCOW_DEFAULT_BOOT_PARAMETERS, "512",
  };

  vm_settings_read (self->options, system_options, "lcow", &defaults, &settings->kernel,
                    &settings->initrd, &settings->boot_parameters, &settings->memory_mb,
                    &settings->processors);
  settings->boot_timeout_s = get_uint (self, system_options, "boot-timeout",
                                       G_STRINGIFY (LCOW_BOOT_TIMEOUT_S));
  settings->request_timeout_s = get_uint (self, system_options, "request-timeout", "300");
}

/* --- the UVM's guest ------------------------------------------------------------------- */

static void
result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* In the guest's thread: iterates its context until @result is set. */
static GAsyncResult *
await (GMainContext *context, GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (context, TRUE);
  return *result;
}

/* The running UVM's guest (a reference), and with @storage_root its
 * storage folders (none taken); NULL when there is none. */
static VmGuest *
uvm_dup_guest (Uvm *self, LcowStorageRoot **storage_root)
{
  VmGuest *guest;

  g_mutex_lock (&self->lock);
  guest = self->guest != NULL ? g_object_ref (self->guest) : NULL;
  if (storage_root != NULL)
    *storage_root = self->storage_root;
  g_mutex_unlock (&self->lock);
  return guest;
}

static gboolean
uvm_is_alive (Uvm *self)
{
  g_autoptr (VmGuest) guest = uvm_dup_guest (self, NULL);

  return guest != NULL && vm_guest_is_alive (guest);
}

/* --- NICs ---------------------------------------------------------------------------- */

/* The tap on its bridge, then the NIC on it; on success the UVM holds it. */
static gboolean
add_nic_job (VmGuest *guest, VmMachine *vm, GMainContext *context, gpointer data,
             GError **error)
{
  Uvm *self = &the_uvm;
  LcowNic *nic = data;
  g_autoptr (GAsyncResult) added = NULL;
  gboolean taken;

  if (vm == NULL || !vm_machine_is_running (vm))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                   "lcow: endpoint %s: the utility VM is not running", nic->endpoint_id);
      return FALSE;
    }
  g_mutex_lock (&self->nics_lock);
  taken = g_hash_table_contains (self->nics, nic->name);
  g_mutex_unlock (&self->nics_lock);
  if (taken)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "lcow: endpoint %s is in a container of the utility VM already",
                   nic->endpoint_id);
      return FALSE;
    }
  if (nic->netns != NULL)
    vm_machine_add_nic_fd_async (vm, nic->name, nic->netns->tap_fd, nic->mac, NULL, result_cb,
                                 &added);
  else if (!lcow_nic_make_tap (nic, error))
    return FALSE;
  else
    vm_machine_add_nic_async (vm, nic->name, nic->tap, nic->mac, NULL, result_cb, &added);
  if (!vm_machine_add_nic_finish (vm, await (context, &added), error))
    {
      g_prefix_error (error, "lcow: %s %s: ", nic->netns ? "network namespace" : "endpoint",
                      nic->endpoint_id);
      lcow_nic_release_host_side (nic);
      return FALSE;
    }
  nic->added = TRUE;
  /* QEMU holds the namespace's tap now: it goes with QEMU. */
  if (nic->netns != NULL && nic->netns->tap_fd >= 0)
    {
      close (nic->netns->tap_fd);
      nic->netns->tap_fd = -1;
    }
  g_mutex_lock (&self->nics_lock);
  g_hash_table_insert (self->nics, nic->name, nic);
  g_mutex_unlock (&self->nics_lock);
  return TRUE;
}

/* Takes @nic out of the VM (device_del, netdev_del) and deletes its tap.
 * One the guest does not let go stays listed, its tap deleted once QEMU
 * is gone (uvm_stop). */
static void
release_nic (Uvm *self, VmMachine *vm, GMainContext *context, LcowNic *nic)
{
  if (nic->added && vm != NULL && vm_machine_is_running (vm))
    {
      g_autoptr (GAsyncResult) removed = NULL;

      vm_machine_remove_nic_async (vm, nic->name, NULL, result_cb, &removed);
      if (!vm_machine_remove_nic_finish (vm, await (context, &removed), NULL))
        return;
      nic->added = FALSE;
    }
  if (lcow_nic_release_host_side (nic))
    {
      g_mutex_lock (&self->nics_lock);
      g_hash_table_remove (self->nics, nic->name);
      g_mutex_unlock (&self->nics_lock);
    }
}

/* Every NIC of the container @data (its id). */
static gboolean
release_nics_job (VmGuest *guest, VmMachine *vm, GMainContext *context, gpointer data,
                  GError **error)
{
  Uvm *self = &the_uvm;
  const char *container_id = data;
  g_autoptr (GPtrArray) theirs = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->nics_lock);
  g_hash_table_iter_init (&iter, self->nics);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_str_equal (((LcowNic *) value)->container_id, container_id))
      g_ptr_array_add (theirs, value);
  g_mutex_unlock (&self->nics_lock);
  for (guint i = 0; i < theirs->len; i++)
    release_nic (self, vm, context, theirs->pdata[i]);
  return TRUE;
}

/* The NICs of container @id in the UVM that runs. */
static void
release_nics (Uvm *self, const char *id)
{
  g_autoptr (VmGuest) guest = uvm_dup_guest (self, NULL);

  if (guest != NULL)
    vm_guest_run (guest, release_nics_job, (gpointer) id, NULL);
}

/* The NICs of a create, in the order of its EndpointList; none is left
 * when one cannot be made. */
static GPtrArray *
add_nics (LcowDriver *driver, VmGuest *guest, const char *id, const HcsContainerConfig *config,
          GError **error)
{
  g_autoptr (GPtrArray) adapters = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  for (guint i = 0; config->endpoint_list != NULL && config->endpoint_list[i] != NULL; i++)
    {
      g_autoptr (HcsEndpoint) endpoint =
          hcs_driver_open_endpoint (driver, config->endpoint_list[i], error);
      g_autoptr (LcowNic) nic = endpoint ? lcow_nic_new (id, endpoint, error) : NULL;
      JsonObject *adapter;

      if (nic == NULL || !vm_guest_run (guest, add_nic_job, nic, error))
        {
          g_prefix_error (error, "lcow: compute system '%s': ContainerConfig.EndpointList[%u]: ",
                          id, i);
          vm_guest_run (guest, release_nics_job, (gpointer) id, NULL);
          return NULL;
        }
      adapter = json_object_ref (nic->adapter);
      /* The UVM's now. */
      g_steal_pointer (&nic);
      g_ptr_array_add (adapters, adapter);
    }
  if (config->network_namespace.mode == HCS_NAMESPACE_MODE_JOIN)
    {
      g_autoptr (LcowNic) nic = NULL;

      if (config->endpoint_list != NULL && config->endpoint_list[0] != NULL)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                       "lcow: compute system '%s': a network namespace path (%s) and "
                       "EndpointList together", id, config->network_namespace.path);
          vm_guest_run (guest, release_nics_job, (gpointer) id, NULL);
          return NULL;
        }
      nic = lcow_nic_new_for_netns (id, config->network_namespace.path, error);
      if (nic == NULL)
        return NULL;
      if (!vm_guest_run (guest, add_nic_job, nic, error))
        {
          g_prefix_error (error, "lcow: compute system '%s': ", id);
          /* A NIC the job did not take: its host side goes with it. */
          if (!nic->added)
            lcow_nic_release_host_side (nic);
          vm_guest_run (guest, release_nics_job, (gpointer) id, NULL);
          return NULL;
        }
      g_ptr_array_add (adapters, json_object_ref (nic->adapter));
      g_steal_pointer (&nic);
    }
  return g_steal_pointer (&adapters);
}

/* --- the UVM ----------------------------------------------------------------------- */

/* In the guest's thread: QEMU exited, on its own unless we are ending it. */
static void
uvm_exited_cb (VmGuest *guest, gpointer data)
{
  Uvm *self = data;

  if (self->end_with_uvm && !g_atomic_int_get (&self->stopping))
    kill (getpid (), SIGTERM);
}

/* QEMU has gone: it let every tap go. */
static void
delete_taps (Uvm *self)
{
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->nics_lock);
  g_hash_table_iter_init (&iter, self->nics);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      lcow_nic_release_host_side (value);
      g_hash_table_iter_remove (&iter);
    }
  g_mutex_unlock (&self->nics_lock);
}

/* With self->lock held: the UVM ends, and what it held with it. */
static void
uvm_stop (Uvm *self)
{
  g_autoptr (VmGuest) guest = g_steal_pointer (&self->guest);

  /* The guest's stop takes the stdio opener back: proxies may outlive us. */
  g_clear_object (&self->client);
  if (guest != NULL)
    {
      /* The containers live in the guest only: nothing asks it to stop them. */
      g_atomic_int_set (&self->stopping, TRUE);
      vm_guest_stop (guest, 0);
      g_atomic_int_set (&self->stopping, FALSE);
    }
  /* QEMU is gone: its disks went with it, and nothing holds the shares,
   * the images (a create preparing meanwhile holds its own reference) or
   * the taps any more. */
  g_hash_table_remove_all (self->storages);
  g_clear_pointer (&self->storage_root, lcow_storage_root_unref);
  delete_taps (self);
}

/* Called with self->lock held: the UVM, started on first use (and again
 * when the one before died). */
static gboolean
ensure_uvm (Uvm *self, const LcowSettings *settings, GError **error)
{
  g_autoptr (VmConfig) config = NULL;

  if (self->guest != NULL)
    {
      /* A guest that stalled a call (its bridge taken as lost) is shut
       * down as a dead one is: the next create gets a new UVM. */
      if (vm_guest_is_alive (self->guest) && self->client != NULL &&
          !hcs_protocol_client_is_lost (self->client))
        return TRUE;
      uvm_stop (self);
    }

  config = vm_config_new ();
  config->kernel = g_strdup (settings->kernel);
  config->initrd = g_strdup (settings->initrd);
  config->append = g_strdup (settings->boot_parameters);
  config->memory_mb = settings->memory_mb;
  config->processors = settings->processors;
  config->machine_type = VM_MACHINE_TYPE_Q35;
  config->hotplug_slots = LCOW_HOTPLUG_SLOTS; /* disks and NICs */
  g_ptr_array_add (config->boot_ports, g_strdup (HCS_PROTOCOL_BRIDGE_PORT));
  self->storage_root = lcow_storage_root_new (error);
  if (self->storage_root == NULL)
    return FALSE;
  lcow_storage_root_add_shares (self->storage_root, config);
  /* Ready once the agent answered; a guest that does not, in time, is
   * stopped and leaves nothing. */
  self->guest = vm_guest_start (config, "lcow: the utility VM", NULL, settings->boot_timeout_s,
                                error);
  if (self->guest == NULL)
    {
      g_clear_pointer (&self->storage_root, lcow_storage_root_unref);
      return FALSE;
    }
  vm_guest_set_exited_func (self->guest, uvm_exited_cb, self);
  /* One that died before it was told whom to tell. */
  if (!vm_guest_is_alive (self->guest))
    uvm_exited_cb (self->guest, self);
  self->client = g_object_ref (vm_guest_get_client (self->guest));
  /* From now on a request the agent took and never answers fails. */
  hcs_protocol_client_set_call_timeout (self->client, settings->request_timeout_s * 1000);
  return TRUE;
}

/* A UVM kept beyond its last driver goes when the process exits: QEMU
 * would die with the guest's thread anyway, but its run folder would stay. */
static void
uvm_stop_at_exit (void)
{
  g_mutex_lock (&the_uvm.lock);
  uvm_stop (&the_uvm);
  g_mutex_unlock (&the_uvm.lock);
}

/* Made once: the plugin stays loaded. */
static Uvm *
uvm_get (void)
{
  static gsize made = 0;

  if (g_once_init_enter (&made))
    {
      Uvm *self = &the_uvm;

      g_mutex_init (&self->lock);
      g_mutex_init (&self->nics_lock);
      self->storages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) lcow_storage_free);
      self->nics = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) lcow_nic_free);
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

  self->options = g_key_file_ref (hcs_driver_get_options (self));
  /* An endpoint is a NIC of the UVM, set up by the guest: the host has no
   * namespace of the container's to attach it to. */
  hcs_driver_set_takes_endpoints (self, TRUE);
  lcow_driver_get_settings (self, NULL, &settings);
  return vm_settings_check_host ("lcow", settings.kernel, settings.initrd, error);
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
    release_nics (uvm_get (), id);
}

/* --- storage ---------------------------------------------------------------------- */

static gboolean
attach_job (VmGuest *guest, VmMachine *vm, GMainContext *context, gpointer data,
            GError **error)
{
  if (vm == NULL || !vm_machine_is_running (vm))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                   "lcow: attaching disks: the utility VM is not running");
      return FALSE;
    }
  return lcow_storage_attach (data, vm, context, error);
}

static gboolean
detach_job (VmGuest *guest, VmMachine *vm, GMainContext *context, gpointer data,
            GError **error)
{
  lcow_storage_detach (data, vm, context);
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
    {
      LcowStorageRoot *root = NULL;
      g_autoptr (VmGuest) guest = uvm_dup_guest (uvm, &root);

      /* Disks of a UVM that died went with its QEMU: the one now running
       * (a storage holds its root, so the address is no other's) has
       * nothing of them, whatever their names. */
      if (guest != NULL && lcow_storage_get_root (storage) == root)
        vm_guest_run (guest, detach_job, storage, NULL);
      else
        lcow_storage_detach (storage, NULL, NULL);
    }
}

/* The guest's figures, with what its UVM costs the host beside them
 * (shared by every container of that UVM, as hcsshim reports it). A UVM
 * that went meanwhile leaves the guest's figures alone. */
static void
container_statistics_cb (HcsContainer *container, HcsStatistics *stats, gpointer user_data)
{
  g_autoptr (VmGuest) guest = uvm_dup_guest (user_data, NULL);
  g_autoptr (GError) error = NULL;

  if (guest == NULL)
    g_set_error (&error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                 "lcow: the utility VM is not running");
  else
    vm_guest_get_host_usage (guest, &stats->vm_processor_total_runtime_ns,
                             &stats->vm_memory_working_set_bytes, &error);
  if (error != NULL)
    g_debug ("lcow: %s: no figures of QEMU: %s", hcs_container_get_id (container),
             error->message);
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
  g_autoptr (VmGuest) guest = NULL;
  g_autoptr (GPtrArray) adapters = NULL;
  g_autoptr (HcsContainerConfig) netns_config = NULL;
  const HcsContainerConfig *guest_config = config;

  /* A network namespace of the host's is not the guest's: the container
   * gets a new one there, with the NIC mirrored from the host's. */
  if (config->network_namespace.mode == HCS_NAMESPACE_MODE_JOIN)
    {
      netns_config = hcs_container_config_copy (config);
      netns_config->network_namespace.mode = HCS_NAMESPACE_MODE_NEW;
      g_clear_pointer (&netns_config->network_namespace.path, g_free);
      guest_config = netns_config;
    }

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
      guest = g_object_ref (uvm->guest);
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
      if (!vm_guest_run (guest, attach_job, storage, error))
        goto out;
      document = lcow_storage_guest_config (storage, guest_config);
    }
  else
    document = hcs_container_config_to_node (guest_config);
  /* Endpoints become NICs before the Create that names them; the guest
   * gets their settings instead of ids of the host's. */
  adapters = add_nics (self, guest, id, config, error);
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
        fds[i] = vm_guest_open_stdio (guest, relay.ports[i], i, error);
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
        vm_guest_close_stdio (guest, relay.ports[i]);
      }
  if (storage != NULL)
    vm_guest_run (guest, detach_job, storage, NULL);
  if (container == NULL)
    vm_guest_run (guest, release_nics_job, (gpointer) id, NULL);
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

  /* Held by a UVM holder: the system outlives this process. */
  if (hcs_options_get_boolean (self->options, system_options, "lcow", "uvm-holder", FALSE))
    return lcow_holder_create_container (self->options, id, config, error);
  /* The guest refuses an id it holds (a removed one is free again). */
  g_mutex_lock (&self->lock);
  had_uvm = uvm_is_alive (uvm_get ());
  container = create_in_uvm (self, id, config, &local_error);
  if (container == NULL && had_uvm && !uvm_is_alive (uvm_get ()))
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
